//! FreeBSD backend: service jails are real jails.
//!
//! A service jail is created *and entered* by one jail_set(2) call with
//! `JAIL_CREATE | JAIL_ATTACH` and without `persist`, made by the forked
//! child that then execs the service: the jail exists exactly as long as
//! some process lives in it, so there is no moment at which an empty jail
//! could leak (the `jail` crate always creates persistent jails and cannot
//! create and attach at once, which is why creation does not use it).
//! Lookup by JID, listing and reading parameters back use the `jail` crate;
//! lookup by name is our own jail_get(2), to tell "no such jail" (ENOENT)
//! from a real failure, which the crate reports as one error text.
//! Members come from the `kern.proc` sysctl (`ki_jid`); removal is
//! jail_remove(2), which makes the kernel SIGKILL whatever is left (EINVAL,
//! no such jail, is success: the jail already ended with its last process).
//!
//! The parts that need no kernel — the typed parameter list
//! ([`jailparam`]), the process-table walk ([`kproc`]) and the
//! fork/hook/exec/wait plumbing ([`exec`]) — are compiled and unit-tested
//! on every OS; only the system-call glue in `sys` is FreeBSD-only.

pub mod backend;
pub mod exec;
pub mod jailparam;
pub mod kproc;
#[cfg(test)]
pub mod model;

#[cfg(target_os = "freebsd")]
mod sys;

#[cfg(target_os = "freebsd")]
pub use sys::{jail_param_known, FreeBsd};
