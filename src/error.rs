//! The one error type of svcj-tools.
//!
//! Every failure a user can see maps to exactly one sysexits(3) code, so
//! the binaries stay thin: they print the error and exit with
//! [`Error::exit_code`].  Errors that come from the kernel keep the kernel's
//! own message (`std::io::Error` / errno text) so that an admin reading the
//! log sees what FreeBSD or Linux actually said.

use crate::sysexits::*;
use std::io;
use std::path::PathBuf;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in svcj-tools.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command line.
    #[error("{0}")]
    Usage(String),

    /// A service name that rc.subr could not have produced, or that would
    /// make an invalid jail name.
    #[error("invalid service name {name:?}: {reason}")]
    BadName { name: String, reason: String },

    /// A jail name (`svcj-…`) that is not acceptable.
    #[error("invalid jail name {name:?}: {reason}")]
    BadJailName { name: String, reason: String },

    /// An entry of `<name>_svcj_ipaddrs` that is not an IP address.
    #[error("invalid address {addr:?} in the service jail address list: {reason}")]
    BadAddress { addr: String, reason: String },

    /// Both `sysvipc` and `sysvipcnew` were given.
    #[error("more than one sysvipc option is specified in the options: {options}")]
    SysvipcConflict { options: String },

    /// An option word that is not part of the vocabulary (strict mode only:
    /// at run time unknown words are reported and ignored, like rc.subr).
    #[error("unknown service jail option: {0}")]
    UnknownOption(String),

    /// A resource-limit rule (`<name>_svcj_rctl`) that rctl(8) or the
    /// kernel would refuse.
    #[error("invalid rctl rule {rule:?}: {reason}; fix: {fix}")]
    BadRule {
        rule: String,
        reason: String,
        fix: String,
    },

    /// The caller lacks the privilege to create or enter jails.
    #[error("{0}: permission denied (must be run as root)")]
    NotRoot(String),

    /// A jail of that name is already running.
    #[error("jail {0} already exists")]
    JailExists(String),

    /// No jail of that name (or JID) exists.
    #[error("jail {0} not found")]
    NoSuchJail(String),

    /// The host is itself a jail and may not create one more child.
    #[error("{0}")]
    NestedLimit(String),

    /// The enclosing jail refused to create a child jail (EPERM without a
    /// kernel message); the text names the likely causes.
    #[error("{0}")]
    Refused(String),

    /// The command to run does not exist.
    #[error("{0}: command not found")]
    CommandNotFound(String),

    /// The command to run exists but cannot be executed.
    #[error("{0}: not executable")]
    CommandNotExecutable(String),

    /// A file that must be created or appended to could not be.
    #[error("{}: {source}", path.display())]
    CantCreate {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A file that must be read could not be.
    #[error("{}: {source}", path.display())]
    NoInput {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// Misconfiguration found on the host (rc.conf, registry, hook).
    #[error("{0}")]
    Config(String),

    /// The running system cannot do what was asked.
    #[error("{0}")]
    Unavailable(String),

    /// A system call failed; `context` says what we were doing.
    #[error("{context}: {source}")]
    Os {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl Error {
    /// The sysexits(3) code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => EX_USAGE,
            Error::BadName { .. }
            | Error::BadJailName { .. }
            | Error::BadAddress { .. }
            | Error::SysvipcConflict { .. }
            | Error::UnknownOption(_)
            | Error::BadRule { .. } => EX_DATAERR,
            Error::NotRoot(_) | Error::Refused(_) | Error::CommandNotExecutable(_) => EX_NOPERM,
            Error::JailExists(_)
            | Error::NoSuchJail(_)
            | Error::NestedLimit(_)
            | Error::Unavailable(_) => EX_UNAVAILABLE,
            Error::CommandNotFound(_) | Error::NoInput { .. } => EX_NOINPUT,
            Error::CantCreate { .. } => EX_CANTCREAT,
            Error::Config(_) => EX_CONFIG,
            Error::Os { .. } => EX_OSERR,
        }
    }

    /// Wrap an OS error with what we were doing when it happened.
    pub fn os(context: impl Into<String>, source: impl Into<io::Error>) -> Self {
        Error::Os {
            context: context.into(),
            source: source.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_sysexits() {
        assert_eq!(Error::Usage("x".into()).exit_code(), 64);
        assert_eq!(Error::UnknownOption("x".into()).exit_code(), 65);
        assert_eq!(Error::NotRoot("svcj-exec".into()).exit_code(), 77);
        assert_eq!(Error::Refused("x".into()).exit_code(), 77);
        assert_eq!(Error::JailExists("svcj-a".into()).exit_code(), 69);
        assert_eq!(Error::CommandNotFound("nope".into()).exit_code(), 66);
        assert_eq!(
            Error::os("jail_set", io::Error::from_raw_os_error(libc::EPERM)).exit_code(),
            71
        );
    }

    #[test]
    fn os_error_keeps_kernel_message() {
        let e = Error::os("jail_set", io::Error::from_raw_os_error(libc::EPERM));
        let text = e.to_string();
        assert!(text.starts_with("jail_set: "), "{text}");
        assert!(text.contains("ermitted"), "{text}");
    }
}
