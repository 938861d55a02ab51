//! svcj-tools: FreeBSD service jails for rc.d services, with a Linux
//! namespace backend.
//!
//! The library holds everything that can be tested without a kernel — the
//! option vocabulary ([`options`]), name validation ([`name`]), the error
//! type with sysexits codes ([`error`]) — and the [`platform`] trait with
//! one backend per OS.  The binaries in `src/bin/` only parse arguments,
//! call into here and map errors to exit codes.

pub mod check;
pub mod cli;
pub mod error;
pub mod kill;
pub mod name;
pub mod options;
pub mod platform;
pub mod rcconf;
pub mod rctl;
pub mod sysexits;

pub use error::{Error, Result};
