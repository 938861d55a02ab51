//! FreeBSD backend: service jails are real jails.
//!
//! A service jail is created *and entered* by one jail_set(2) call with
//! `JAIL_CREATE | JAIL_ATTACH` and without `persist`, made by the forked
//! child that then execs the service: the jail exists exactly as long as
//! some process lives in it, so there is no moment at which an empty jail
//! could leak (the `jail` crate always creates persistent jails and cannot
//! create and attach at once, which is why creation does not use it).
//! Listing and JID checks use the `jail` crate (code paths that cannot
//! panic); names and parameters are read with our own jail_get(2), which
//! also tells "no such jail" (ENOENT) from a real failure and reads the
//! node-typed `ip4`, `ip6` and `sysv*` parameters the crate refuses.
//! Members come from the `kern.proc` sysctl (`ki_jid`); removal is
//! jail_remove(2), which makes the kernel SIGKILL whatever is left (EINVAL,
//! no such jail, is success: the jail already ended with its last process).
//!
//! Every decision — the typed parameter list ([`jailparam`]), the
//! process-table walk ([`kproc`]), the fork/hook/exec/wait plumbing
//! ([`exec`]) and the backend logic over a small [`backend::Kernel`]
//! trait ([`backend`]) — is compiled and unit-tested on every OS, the
//! backend against a model of `kern_jail.c` (`model`, tests only); only
//! the system-call glue in `sys` is FreeBSD-only.

pub mod backend;
pub mod exec;
pub mod jailparam;
pub mod kproc;
#[cfg(test)]
pub mod model;
pub mod rctl;

#[cfg(target_os = "freebsd")]
mod sys;

#[cfg(target_os = "freebsd")]
pub use sys::{jail_param_known, FreeBsd};
