//! svcj-tools: service jails for rc.d services.
