//! What the three binaries share: parsing with sysexits codes, logging
//! setup, and turning a result into the process's exit status.
//!
//! The binaries stay thin (parse, call the library, map errors to exit
//! codes); keeping this plumbing in one place makes them behave the same
//! way on bad usage, `--help` and errors.
//!
//! # The process start ([`start`], [`crate::entry!`])
//!
//! The tools are short-lived and on the start path of every jailed
//! service, so they do not go through Rust's runtime start
//! (`#![no_main]`): it installs a stack-overflow handler whose set-up
//! reads `/proc/self/maps` (glibc's `pthread_getattr_np` for the main
//! thread) and maps an alternate signal stack, about 0.1 ms of a start of
//! under 1 ms on Linux (bench/run.sh, "binary start").  [`start`] keeps
//! what the tools rely on: the standard descriptors are made valid (a
//! closed one gets `/dev/null`, so that no file the tools open can land on
//! 0, 1 or 2), SIGPIPE is ignored (a write to a closed pipe is an error
//! the tools report, and children get the default back before exec), and
//! the arguments are taken from `main`'s own `argv` (std reads them
//! behind the runtime's back only on glibc).  A stack overflow is then a
//! plain SIGSEGV instead of a message and SIGABRT.

use crate::error::Error;
use crate::sysexits::{EX_OK, EX_OSERR, EX_SOFTWARE, EX_USAGE};
use std::ffi::{c_char, c_int, CStr, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;

/// Define the C `main` of a binary (`#![no_main]`; not in its unit
/// tests, which have the test harness's) that runs [`start`] with `f`.
#[macro_export]
macro_rules! entry {
    ($f:path) => {
        /// The C entry point (see `svcj::cli`, "The process start").
        ///
        /// # Safety
        ///
        /// Called by the C runtime only, with `main`'s arguments.
        #[cfg(not(test))]
        #[no_mangle]
        pub unsafe extern "C" fn main(
            argc: ::std::ffi::c_int,
            argv: *const *const ::std::ffi::c_char,
        ) -> ::std::ffi::c_int {
            // SAFETY: argc and argv are the C runtime's, as `start` needs.
            unsafe { $crate::cli::start(argc, argv, $f) }
        }
    };
}

/// The start of a binary: the standard descriptors and SIGPIPE as the
/// module docs say, then `f` with the arguments; flush the standard
/// streams and exit with `f`'s status.
///
/// # Safety
///
/// `argv` must point to `argc` valid NUL-terminated strings, as the C
/// runtime passes them to `main`.
pub unsafe fn start(argc: c_int, argv: *const *const c_char, f: fn(Vec<OsString>) -> i32) -> c_int {
    for fd in 0..3 {
        // SAFETY: fcntl on a descriptor number; open of a literal path.
        unsafe {
            if libc::fcntl(fd, libc::F_GETFD) == -1
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF)
                && libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) != fd
            {
                // Nothing can be reported: stderr may be the closed one.
                libc::_exit(EX_OSERR);
            }
        }
    }
    // SAFETY: setting a signal's disposition to "ignore".
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let n = usize::try_from(argc).unwrap_or(0);
    let args = (0..n)
        .map(|i| {
            // SAFETY: i < argc; the caller guarantees argv[i] is a valid
            // NUL-terminated string.
            let a = unsafe { CStr::from_ptr(*argv.add(i)) };
            std::ffi::OsStr::from_bytes(a.to_bytes()).to_os_string()
        })
        .collect();
    let code = f(args);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    code
}

/// Write `text` to standard output.  A write that fails (a pipe whose
/// reader is gone: EPIPE, SIGPIPE being ignored) is an error the tool
/// reports and exits on, not a panic.
pub fn out(text: &str) -> Result<(), Error> {
    let mut o = std::io::stdout().lock();
    o.write_all(text.as_bytes())
        .and_then(|()| o.flush())
        .map_err(|e| Error::os("writing to standard output", e))
}

/// Write `line` and a newline to standard error, ignoring a failure (a
/// closed stderr must not turn a warning into a panic, as eprintln!
/// would).
pub fn err(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Parse the command line `args` (the program name first).  On a usage
/// error clap's message is printed and the caller gets `EX_USAGE` to exit
/// with; `--help` and `--version` print and give 0.
pub fn parse<C: clap::Parser>(args: Vec<OsString>) -> Result<C, i32> {
    C::try_parse_from(args).map_err(|e| {
        let code = if e.use_stderr() { EX_USAGE } else { EX_OK };
        let _ = e.print();
        exit(code)
    })
}

/// The log filter for `-v` given `verbose` times: warnings and errors by
/// default, debug records (what is created, attached, signalled, removed,
/// and each kernel call that fails) with `-v`, everything with `-vv`.
pub fn log_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    }
}

/// Send log records to stderr (never stdout, which carries the tools'
/// reports), without timestamps, at the level `-v` asked for.  `RUST_LOG`,
/// when set, is applied on top with env_logger's syntax: `RUST_LOG=info`
/// replaces the level, `RUST_LOG=svcj::kill=trace` adds detail for one
/// module.
pub fn init_logging(verbose: u8) {
    let mut b = env_logger::Builder::new();
    b.parse_filters(log_filter(verbose))
        .format_timestamp(None)
        .target(env_logger::Target::Stderr);
    if let Ok(spec) = std::env::var("RUST_LOG") {
        b.parse_filters(&spec);
    }
    // A second initialisation (a test calling this twice) is harmless.
    let _ = b.try_init();
}

/// The exit status for `code` (a value outside 0..=255 is a bug:
/// `EX_SOFTWARE`).
pub fn exit(code: i32) -> i32 {
    if (0..=255).contains(&code) {
        code
    } else {
        EX_SOFTWARE
    }
}

/// Print `prog: error` to stderr and give the error's sysexits status.
pub fn fail(prog: &str, e: &Error) -> i32 {
    err(&format!("{prog}: {e}"));
    exit(e.exit_code())
}

/// The exit status for a binary's result: the status itself, or the
/// error's (printed first).
pub fn finish(prog: &str, r: Result<i32, Error>) -> i32 {
    match r {
        Ok(code) => exit(code),
        Err(e) => fail(prog, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_codes_are_software_errors() {
        assert_eq!(exit(0), 0);
        assert_eq!(exit(255), 255);
        assert_eq!(exit(256), 70);
        assert_eq!(exit(-1), 70);
    }
}
