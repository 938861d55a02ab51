//! `svcj-kill`: end everything in a service jail and remove it, bounded in
//! time, with a report.
//!
//! Thin by design: parse the command line, call [`svcj::kill`], print the
//! summary or `svcj-kill: <error>`, exit with a sysexits code.

#![cfg_attr(not(test), no_main)]

use clap::Parser;
use std::ffi::OsString;
use std::time::Duration;
use svcj::kill::{self, Plan, StopOutcome};
use svcj::name::JailRef;
use svcj::platform::{self, RunSpec};
use svcj::sysexits::EX_DATAERR;

/// End every process of a service jail and remove the jail.
#[derive(Parser, Debug)]
#[command(
    name = "svcj-kill",
    version,
    override_usage = "svcj-kill [-fqv] [-t SECONDS] JAIL [-- STOPCMD [ARG]...]"
)]
struct Cli {
    /// Accept a jail name that does not start with svcj-
    #[arg(short = 'f', long = "force")]
    force: bool,

    /// Print neither the report nor the note about a missing jail
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,

    /// How long to wait for STOPCMD, then for processes after SIGTERM (default 10)
    #[arg(short = 't', long = "timeout", value_name = "SECONDS")]
    timeout: Option<String>,

    /// More logging (repeatable)
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    verbose: u8,

    /// The jail: a name such as svcj-foo, or a JID
    #[arg(value_name = "JAIL")]
    jail: String,

    /// A stop command to run inside the jail first (after `--`)
    #[arg(value_name = "STOPCMD", last = true, allow_hyphen_values = true)]
    stopcmd: Vec<OsString>,
}

/// Parse a timeout in seconds (fractions allowed).
fn parse_timeout(s: &str) -> Option<Duration> {
    let v: f64 = s.trim().parse().ok()?;
    if !v.is_finite() || !(0.0..=86_400.0).contains(&v) {
        return None;
    }
    Some(Duration::from_secs_f64(v))
}

svcj::entry!(tool_main);

/// The tool itself, run by [`svcj::cli::start`] with the arguments.
#[cfg_attr(test, allow(dead_code))]
fn tool_main(args: Vec<OsString>) -> i32 {
    let cli: Cli = match svcj::cli::parse(args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    svcj::cli::init_logging(cli.verbose);

    let timeout = match cli.timeout.as_deref().map(parse_timeout) {
        None => Duration::from_secs(10),
        Some(Some(t)) => t,
        Some(None) => {
            svcj::cli::err(&format!(
                "svcj-kill: invalid timeout {:?}: give seconds between 0 and 86400, e.g. 10 or 0.5",
                cli.timeout.unwrap_or_default()
            ));
            return svcj::cli::exit(EX_DATAERR);
        }
    };
    let fail = |e: svcj::Error| svcj::cli::fail("svcj-kill", &e);
    let jail = match JailRef::parse(&cli.jail, true) {
        Ok(j) => j,
        Err(e) => return fail(e),
    };
    let plan = Plan {
        timeout,
        stop: (!cli.stopcmd.is_empty()).then(|| RunSpec {
            argv: cli.stopcmd.clone(),
            console_log: None,
        }),
        force: cli.force,
    };
    match kill::kill(platform::native().as_ref(), &jail, &plan) {
        Ok(None) => {
            // A start SIGKILLed before its command ran may have left the
            // jail's (empty) cgroup: the stop removes it.
            #[cfg(target_os = "linux")]
            if let svcj::name::JailRef::Name(n) = &jail {
                platform::linux::cgroup::remove_stale(n.as_str());
            }
            if !cli.quiet {
                svcj::cli::err(&format!("svcj-kill: {jail}: no such jail, nothing to do"));
            }
            0
        }
        Ok(Some(r)) => {
            match &r.stop {
                Some(StopOutcome::TimedOut) if !cli.quiet => svcj::cli::err(&format!(
                    "svcj-kill: warning: {}: the stop command ran longer than {:?} and was killed",
                    r.name, timeout
                )),
                Some(StopOutcome::Failed(m)) if !cli.quiet => svcj::cli::err(&format!(
                    "svcj-kill: warning: {}: the stop command could not run: {m}",
                    r.name
                )),
                Some(StopOutcome::Exited(c)) if *c != 0 => {
                    log::info!("{}: the stop command exited with status {c}", r.name)
                }
                _ => {}
            }
            if !cli.quiet {
                // The jail is gone either way; a report nobody can read
                // is said on stderr and in the status.
                if let Err(e) = svcj::cli::out(&format!("{}\n", r.summary())) {
                    return fail(e);
                }
            }
            0
        }
        Err(e) => fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("10"), Some(Duration::from_secs(10)));
        assert_eq!(parse_timeout("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_timeout("0"), Some(Duration::ZERO));
        for bad in ["", "-1", "nan", "inf", "1e9", "10s"] {
            assert_eq!(parse_timeout(bad), None, "{bad}");
        }
    }
}
