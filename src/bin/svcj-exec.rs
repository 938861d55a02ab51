//! `svcj-exec`: create a service jail and run a command in it, or run a
//! command in an existing one.
//!
//! Thin by design: parse the command line, call the library, print
//! `svcj-exec: <error>` and exit with the error's sysexits code — or with
//! the command's own status when it ran.

#![cfg_attr(not(test), no_main)]

use clap::Parser;
use std::ffi::OsString;
use std::path::PathBuf;
use svcj::name::{JailRef, ServiceName};
use svcj::platform::{self, RunSpec};
use svcj::{options, rctl, Error};

/// Run a command in a FreeBSD service jail (Linux: namespaces).
#[derive(Parser, Debug)]
#[command(
    name = "svcj-exec",
    version,
    override_usage = "svcj-exec [-nqv] [-o OPTIONS]... [-a ADDRS]... [-R RULES]... [-l LOGFILE] NAME -- COMMAND [ARG]...\n       \
                      svcj-exec [-qv] -j JAIL -- COMMAND [ARG]..."
)]
struct Cli {
    /// Print the jail name and the `jail -c` parameters; create nothing
    #[arg(short = 'n', long = "dry-run", conflicts_with = "join")]
    dry_run: bool,

    /// Service jail options (rc.conf words such as `net_basic`; repeatable)
    #[arg(
        short = 'o',
        long = "options",
        value_name = "OPTIONS",
        conflicts_with = "join"
    )]
    options: Vec<String>,

    /// Addresses the jail may use, space separated (repeatable)
    #[arg(
        short = 'a',
        long = "addrs",
        value_name = "ADDRS",
        conflicts_with = "join"
    )]
    addrs: Vec<String>,

    /// Resource limits, rctl(8) rules without the subject
    /// (`memoryuse:deny=512M maxproc:deny=200`; repeatable)
    #[arg(
        short = 'R',
        long = "rctl",
        value_name = "RULES",
        conflicts_with = "join"
    )]
    rctl: Vec<String>,

    /// Append the command's stdout and stderr to this file
    #[arg(
        short = 'l',
        long = "console-log",
        value_name = "LOGFILE",
        conflicts_with = "join"
    )]
    console_log: Option<PathBuf>,

    /// Run the command inside the existing jail JAIL (name or JID)
    #[arg(
        short = 'j',
        long = "join",
        value_name = "JAIL",
        conflicts_with = "name"
    )]
    join: Option<String>,

    /// No warnings
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,

    /// More logging (repeatable)
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    verbose: u8,

    /// Service name (the jail is svcj-NAME)
    #[arg(value_name = "NAME", required_unless_present = "join")]
    name: Option<String>,

    /// The command to run and its arguments (after `--`)
    #[arg(
        value_name = "COMMAND",
        last = true,
        required_unless_present = "dry_run",
        allow_hyphen_values = true
    )]
    command: Vec<OsString>,
}

fn warn(quiet: bool, msg: &str) {
    if !quiet {
        svcj::cli::err(&format!("svcj-exec: warning: {msg}"));
    }
}

fn run(cli: Cli) -> Result<i32, Error> {
    let spec = RunSpec {
        argv: cli.command.clone(),
        console_log: cli.console_log.clone(),
    };
    if let Some(j) = &cli.join {
        let jref = JailRef::parse(j, false)?;
        let p = platform::native();
        if !p.privileged() {
            return Err(Error::NotRoot(format!("joining {jref}")));
        }
        let Some(info) = p.lookup(&jref)? else {
            return Err(Error::NoSuchJail(jref.to_string()));
        };
        return p.join_and_run(&info, &spec);
    }

    let raw_name = cli.name.as_deref().unwrap_or_default();
    let service = ServiceName::new(raw_name)?;
    let rules = rctl::parse(&cli.rctl.join(" "))?;
    let mut parsed = options::parse(&cli.options.join(" "), &cli.addrs.join(" "))?;
    // As the newest rc.subr: a family the kernel lacks is left out.
    for w in parsed.drop_missing_families(platform::native().ip_features()) {
        warn(cli.quiet, &w);
    }
    if !cli.quiet {
        for m in parsed.unknown_messages(service.as_str()) {
            svcj::cli::err(&m);
        }
    }
    for a in &parsed.unused_addrs {
        let fam = if a.is_ipv4() { "IPv4" } else { "IPv6" };
        warn(
            cli.quiet,
            &format!("address {a} has no effect: no option grants {fam} (add netv4, netv6, net_basic or net_all)"),
        );
    }
    if cfg!(target_os = "linux") {
        for g in platform::linux_gaps(&parsed.params) {
            warn(cli.quiet, &g);
        }
        for g in rctl::linux_gaps(&rules) {
            warn(cli.quiet, &format!("{g}: not enforced"));
        }
    }
    if cli.dry_run {
        let mut text = format!(
            "name={}\n{}\n",
            service.jail_name(),
            parsed.params.jail_words().join(" ")
        );
        for r in rules.kernel_strings(service.jail_name().as_str()) {
            text.push_str(&format!("rctl={r}\n"));
        }
        svcj::cli::out(&text)?;
        return Ok(0);
    }
    platform::native().create_and_run_limited(&service.jail_name(), &parsed.params, &rules, &spec)
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
    svcj::cli::finish("svcj-exec", run(cli))
}
