//! Exit codes from sysexits(3).
//!
//! FreeBSD tools report failure classes through these codes, and rc scripts
//! and admins' wrappers rely on them; every binary of svcj-tools exits with
//! one of them (or, for `svcj-exec`, with the status of the command it ran).

/// Successful termination.
pub const EX_OK: i32 = 0;
/// The command was used incorrectly.
pub const EX_USAGE: i32 = 64;
/// The input data was incorrect in some way.
pub const EX_DATAERR: i32 = 65;
/// An input file did not exist or was not readable.
pub const EX_NOINPUT: i32 = 66;
/// A service is unavailable (or a jail exists / does not exist).
pub const EX_UNAVAILABLE: i32 = 69;
/// An internal software error has been detected.
pub const EX_SOFTWARE: i32 = 70;
/// An operating system error has been detected.
pub const EX_OSERR: i32 = 71;
/// A (user specified) output file cannot be created.
pub const EX_CANTCREAT: i32 = 73;
/// Insufficient permission to perform the operation.
pub const EX_NOPERM: i32 = 77;
/// Something was found in an unconfigured or misconfigured state.
pub const EX_CONFIG: i32 = 78;

/// The symbolic name of a sysexits code, for messages and man pages.
pub fn name(code: i32) -> &'static str {
    match code {
        EX_OK => "EX_OK",
        EX_USAGE => "EX_USAGE",
        EX_DATAERR => "EX_DATAERR",
        EX_NOINPUT => "EX_NOINPUT",
        EX_UNAVAILABLE => "EX_UNAVAILABLE",
        EX_SOFTWARE => "EX_SOFTWARE",
        EX_OSERR => "EX_OSERR",
        EX_CANTCREAT => "EX_CANTCREAT",
        EX_NOPERM => "EX_NOPERM",
        EX_CONFIG => "EX_CONFIG",
        _ => "unknown",
    }
}
