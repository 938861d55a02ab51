//! `svcj-check`: validate service jail options, report the running service
//! jails, check that a host is ready for them, audit a host's services and
//! lint rc.d scripts.
//!
//! A thin front end: clap parses the command line, the library
//! (`svcj::check`) does the work and renders the result, and failures are
//! printed as `svcj-check: <error>` with the error's sysexits(3) code.
//! Usage errors exit with `EX_USAGE` (64), not clap's default 2.

#![cfg_attr(not(test), no_main)]

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;
use svcj::check::{audit, lint, options, preflight, status};
use svcj::cli::out;
use svcj::sysexits::{EX_CONFIG, EX_DATAERR};
use svcj::Error;

#[derive(Debug, Parser)]
#[command(
    name = "svcj-check",
    version,
    about = "Validate service jail options, report and check service jails"
)]
struct Cli {
    /// Log what is read and probed, on stderr (-vv: more)
    #[arg(
        short = 'v',
        long = "verbose",
        action = clap::ArgAction::Count,
        global = true
    )]
    verbose: u8,

    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Validate option words and print the jail parameters they grant
    Options {
        /// Print one JSON document instead of text
        #[arg(long)]
        json: bool,
        /// Addresses as in <name>_svcj_ipaddrs (repeatable)
        #[arg(short = 'a', long = "addrs", value_name = "ADDRS")]
        addrs: Vec<String>,
        /// Resource limits as in <name>_svcj_rctl (repeatable)
        #[arg(short = 'R', long = "rctl", value_name = "RULES")]
        rctl: Vec<String>,
        /// Option words, as in <name>_svcj_options
        #[arg(value_name = "WORD")]
        words: Vec<String>,
    },
    /// List the running service jails, or the one of service NAME
    Status {
        /// Print one JSON document instead of text
        #[arg(long)]
        json: bool,
        /// A service name (sshd) or a jail name (svcj-sshd)
        #[arg(value_name = "NAME")]
        name: Option<String>,
    },
    /// Check whether service jails can work here (root, kernel, hook)
    Preflight {
        /// Look for the /etc files and the hook below DIR
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
    },
    /// Report every rc.d service of the host: enabled, jailed, exposure
    Audit {
        /// Print one JSON document instead of text
        #[arg(long)]
        json: bool,
        /// Read the host's files below DIR
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
        /// LOCALBASE, below the root
        #[arg(long, value_name = "DIR", default_value = audit::DEFAULT_LOCALBASE)]
        localbase: PathBuf,
    },
    /// Check rc.d scripts for service jail readiness (port maintainers)
    Lint {
        /// Print one JSON document instead of text
        #[arg(long)]
        json: bool,
        /// The rc.d scripts to check
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
}

fn print_json(v: &serde_json::Value) -> Result<(), Error> {
    match serde_json::to_string_pretty(v) {
        Ok(s) => out(&format!("{s}\n")),
        Err(e) => out(&format!("{{\"error\": {:?}}}\n", e.to_string())),
    }
}

fn run(cmd: Cmd) -> Result<i32, Error> {
    match cmd {
        Cmd::Options {
            json,
            addrs,
            rctl,
            words,
        } => {
            let r = options::check(&words, &addrs.join(" "))?;
            let rules = svcj::rctl::parse(&rctl.join(" "))?;
            if json {
                let mut v = r.to_json();
                if let Some(o) = v.as_object_mut() {
                    o.insert("rctl".into(), svcj::rctl::check_json(&rules));
                }
                print_json(&v)?;
            } else {
                out(&r.render_text(cfg!(target_os = "linux")))?;
                out(&svcj::rctl::check_text(&rules))?;
            }
            Ok(0)
        }
        Cmd::Status { json, name } => {
            let p = svcj::platform::native();
            #[cfg(target_os = "linux")]
            status::check_registry_readable(
                svcj::platform::linux::Linux::from_env().registry().dir(),
                p.privileged(),
            )?;
            let r = status::status(p.as_ref(), name.as_deref())?;
            if json {
                print_json(&r.to_json())?;
            } else {
                out(&r.render_text())?;
            }
            Ok(0)
        }
        Cmd::Preflight { root } => {
            if !root.is_dir() {
                return Err(Error::NoInput {
                    path: root,
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                });
            }
            let p = svcj::platform::native();
            let r = preflight::preflight(p.as_ref(), &preflight::Config::new(root));
            out(&r.render_text())?;
            Ok(r.exit_code())
        }
        Cmd::Audit {
            json,
            root,
            localbase,
        } => {
            log::debug!(
                "auditing the rc.d services below {} (LOCALBASE {})",
                root.display(),
                localbase.display()
            );
            // Streamed: one service in memory at a time (svcj-check(8)).
            let a = audit::Auditor::new(&audit::AuditConfig { root, localbase })?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let sum = a
                .write(&mut out, json)
                .and_then(|s| std::io::Write::flush(&mut out).map(|()| s))
                .map_err(|e| Error::os("writing the audit to standard output", e))?;
            Ok(if sum.errors > 0 { EX_CONFIG } else { 0 })
        }
        Cmd::Lint { json, files } => {
            // Every file is checked even after a failure; the worst
            // outcome decides the exit status.
            let mut code = 0;
            let mut reports = Vec::new();
            let mut unreadable = Vec::new();
            for f in &files {
                log::debug!("linting {}", f.display());
                match lint::lint_file(f) {
                    Ok(r) => {
                        if !json {
                            out(&r.render_text())?;
                        }
                        if r.has_errors() && code == 0 {
                            code = EX_DATAERR;
                        }
                        if json {
                            reports.push(r);
                        }
                    }
                    Err(e) => {
                        svcj::cli::err(&format!("svcj-check: {e}"));
                        code = e.exit_code();
                        unreadable.push((f.display().to_string(), e.to_string()));
                    }
                }
            }
            if json {
                print_json(&lint::to_json(&reports, &unreadable))?;
            }
            Ok(code)
        }
    }
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
    svcj::cli::finish("svcj-check", run(cli.cmd))
}
