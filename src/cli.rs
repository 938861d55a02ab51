//! What the three binaries share: parsing with sysexits codes, logging
//! setup, and turning a result into the process's exit status.
//!
//! The binaries stay thin (parse, call the library, map errors to exit
//! codes); keeping this plumbing in one place makes them behave the same
//! way on bad usage, `--help` and errors.

use crate::error::Error;
use crate::sysexits::{EX_OK, EX_SOFTWARE, EX_USAGE};
use std::process::ExitCode;

/// Parse the command line.  On a usage error clap's message is printed and
/// the caller gets `EX_USAGE` to exit with; `--help` and `--version` print
/// and give 0.
pub fn parse<C: clap::Parser>() -> Result<C, ExitCode> {
    C::try_parse().map_err(|e| {
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
pub fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(EX_SOFTWARE as u8))
}

/// Print `prog: error` to stderr and give the error's sysexits status.
pub fn fail(prog: &str, e: &Error) -> ExitCode {
    eprintln!("{prog}: {e}");
    exit(e.exit_code())
}

/// The exit status for a binary's result: the status itself, or the
/// error's (printed first).
pub fn finish(prog: &str, r: Result<i32, Error>) -> ExitCode {
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
        assert_eq!(exit(0), ExitCode::from(0));
        assert_eq!(exit(255), ExitCode::from(255));
        assert_eq!(exit(256), ExitCode::from(70));
        assert_eq!(exit(-1), ExitCode::from(70));
    }
}
