//! `svcj-check lint FILE...`: checks an rc.d script for service-jail use.
//!
//! Port maintainers declare default options in their scripts
//! (`: ${foo_svcj_options:="net_basic"}`) but must never enable the jail
//! itself: that is the admin's decision.  This module reads the script with
//! [`crate::rcconf`] (never running it) and reports, with line numbers and
//! a fix for each finding, what is wrong with the declaration and what in
//! the script's in-jail methods will break in a service jail (kernel
//! configuration, other services' processes, device nodes).  The same
//! jail-breaking checks feed `svcj-check audit` for services an admin has
//! jailed.
//!
//! Only code that runs *inside* the jail is checked for jail breakers:
//! top-level code and the functions named by `start_cmd`, `stop_cmd`,
//! `restart_cmd`, `reload_cmd`, `status_cmd` and the extra commands the
//! script marks with `<name>_<cmd>_svcj_enable=YES` (and what they call).
//! `start_precmd` and friends run on the host, where loading a module is
//! fine.

use crate::error::{Error, Result};
use crate::options;
use crate::rcconf::{self, AssignKind, Command, RcScript};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Probably a problem; the script may still work.
    Warning,
    /// Wrong: the script or the host's configuration must change.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One finding of lint (or of audit about a script).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// 1-based line in the script (0: the whole file).
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
    /// True when the finding means the script will not work jailed.
    #[serde(skip)]
    pub breaks_jail: bool,
}

/// The findings for one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintReport {
    /// The file as given.
    pub path: String,
    /// Findings, by line.
    pub findings: Vec<Finding>,
}

impl LintReport {
    /// `file:line: severity: message` lines, each followed by its fix, and
    /// a summary line.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&format!(
                "{}:{}: {}: {}\n\tfix: {}\n",
                self.path, f.line, f.severity, f.message, f.fix
            ));
        }
        let errors = self.count(Severity::Error);
        let warnings = self.count(Severity::Warning);
        if errors == 0 && warnings == 0 {
            out.push_str(&format!("{}: ok\n", self.path));
        } else {
            out.push_str(&format!(
                "{}: {} {}, {} {}\n",
                self.path,
                errors,
                plural(errors, "error"),
                warnings,
                plural(warnings, "warning")
            ));
        }
        out
    }

    /// True when any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// Lint the rc.d script at `path`.
pub fn lint_file(path: &Path) -> Result<LintReport> {
    let bytes = std::fs::read(path).map_err(|source| Error::NoInput {
        path: path.to_path_buf(),
        source,
    })?;
    let shown = path.display().to_string();
    Ok(lint_text(&shown, &String::from_utf8_lossy(&bytes)))
}

/// Lint script text; `path` is only used in messages.
pub fn lint_text(path: &str, text: &str) -> LintReport {
    let script = rcconf::read_script_text(path, text);
    let file_name = Path::new(path)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut findings = declaration_findings(&script, &file_name);
    if script.run_rc_command.is_some() {
        findings.extend(jail_findings(&script));
    }
    findings.sort_by(|a, b| (a.line, b.severity).cmp(&(b.line, a.severity)));
    LintReport {
        path: path.to_string(),
        findings,
    }
}

fn finding(severity: Severity, line: usize, message: String, fix: String) -> Finding {
    Finding {
        severity,
        line,
        message,
        fix,
        breaks_jail: false,
    }
}

/// The checks of the service-jail declaration (port maintainer's side).
fn declaration_findings(s: &RcScript, file_name: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    if s.run_rc_command.is_none() {
        out.push(finding(
            Severity::Error,
            1,
            "not an rc.d script: it never calls run_rc_command".into(),
            "lint rc.d scripts only; they end with `run_rc_command \"$1\"`".into(),
        ));
        return out;
    }
    let name = match s.name() {
        Some(n) => n.to_string(),
        None => {
            out.push(finding(
                Severity::Error,
                1,
                "no `name=` assignment: rc.subr cannot tell which service this is".into(),
                format!("add `name=\"{file_name}\"` before load_rc_config"),
            ));
            file_name.to_string()
        }
    };
    let after_load_line = s.load_rc_config.unwrap_or(1);
    if s.load_rc_config.is_none() {
        out.push(finding(
            Severity::Warning,
            s.run_rc_command.unwrap_or(1),
            "the script never calls load_rc_config: rc.conf settings \
             (including the service jail ones) do not apply"
                .into(),
            "add `load_rc_config $name` before run_rc_command".into(),
        ));
    }

    let opt_var = format!("{name}_svcj_options");
    let addr_var = format!("{name}_svcj_ipaddrs");
    let svcj_var = format!("{name}_svcj");
    let mut declared = false;
    for a in &s.assignments {
        if a.var == opt_var {
            declared = true;
            if a.kind == AssignKind::Plain && a.after_load {
                out.push(finding(
                    Severity::Warning,
                    a.line,
                    format!(
                        "`{opt_var}=` after load_rc_config overrides the admin's rc.conf setting"
                    ),
                    format!("declare a default instead: `: ${{{opt_var}:=\"…\"}}`"),
                ));
            }
            let Some(value) = &a.value else { continue };
            match options::parse(value, "") {
                Ok(p) => {
                    for w in &p.unknown {
                        out.push(finding(
                            Severity::Error,
                            a.line,
                            format!("unknown service jail option: {w}"),
                            format!(
                                "use only these words: {}",
                                options::SvcjOption::ALL.map(|o| o.word()).join(" ")
                            ),
                        ));
                    }
                }
                Err(e @ Error::SysvipcConflict { .. }) => out.push(finding(
                    Severity::Error,
                    a.line,
                    e.to_string(),
                    "keep one of `sysvipc` (the host's IPC) and `sysvipcnew` (a private one)"
                        .into(),
                )),
                Err(e) => out.push(finding(
                    Severity::Error,
                    a.line,
                    e.to_string(),
                    String::new(),
                )),
            }
        } else if a.var == addr_var {
            if let Some(v) = &a.value {
                if let Err(e) = options::parse_addrs(v) {
                    out.push(finding(
                        Severity::Error,
                        a.line,
                        e.to_string(),
                        "give bare IPv4/IPv6 addresses separated by spaces".into(),
                    ));
                }
            }
        } else if a.var == svcj_var || a.var == "svcj_all_enable" {
            let yes = a.value.as_deref().and_then(rcconf::yes_no) == Some(true);
            if yes {
                out.push(finding(
                    Severity::Error,
                    a.line,
                    format!(
                        "the script enables the service jail by default (`{}`)",
                        a.var
                    ),
                    format!(
                        "remove it: only the admin enables a service jail, with \
                         `{svcj_var}=\"YES\"` in rc.conf"
                    ),
                ));
            } else {
                out.push(finding(
                    Severity::Warning,
                    a.line,
                    format!(
                        "the script sets `{}`, which overrides the admin's svcj_all_enable",
                        a.var
                    ),
                    "remove it: leave `<name>_svcj` to the admin".into(),
                ));
            }
        } else if let Some(cmd) = a
            .var
            .strip_prefix(&format!("{name}_"))
            .and_then(|r| r.strip_suffix("_svcj_enable"))
        {
            let value = a.value.as_deref().unwrap_or("");
            if rcconf::yes_no(value).is_none() {
                out.push(finding(
                    Severity::Error,
                    a.line,
                    format!("`{}` is not set properly: {value:?}", a.var),
                    "set it to YES (run inside the jail) or NO (on the host)".into(),
                ));
            }
            if !s.extra_commands().iter().any(|c| c == cmd) {
                out.push(finding(
                    Severity::Warning,
                    a.line,
                    format!(
                        "`{}` has no effect: `{cmd}` is not in extra_commands",
                        a.var
                    ),
                    format!("add `{cmd}` to extra_commands, or remove the line"),
                ));
            }
        }
    }
    if !declared {
        out.push(finding(
            Severity::Warning,
            after_load_line,
            format!("no default for `{opt_var}`"),
            format!(
                "add `: ${{{opt_var}:=\"\"}}` after load_rc_config, with the options \
                 the service needs (e.g. \"net_basic\")"
            ),
        ));
    }
    out
}

/// rc.subr methods that run inside the service jail when customised.
const IN_JAIL_METHODS: [&str; 5] = ["start", "stop", "restart", "reload", "status"];

/// The functions of the script that run inside the jail.
fn in_jail_functions(s: &RcScript) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let name = s.name().unwrap_or("");
    let mut methods: Vec<String> = IN_JAIL_METHODS.iter().map(|m| m.to_string()).collect();
    for cmd in s.extra_commands() {
        let var = format!("{name}_{cmd}_svcj_enable");
        if s.var(&var).and_then(rcconf::yes_no) == Some(true) {
            methods.push(cmd);
        }
    }
    for m in methods {
        if let Some(f) = s.method_function(&format!("{m}_cmd")) {
            set.insert(f.name.clone());
        }
    }
    // What they call, transitively (bounded by the number of functions).
    let defined: BTreeSet<&str> = s.script.functions.iter().map(|f| f.name.as_str()).collect();
    for _ in 0..defined.len() {
        let mut added = false;
        for c in &s.script.commands {
            let Some(f) = &c.function else { continue };
            if !set.contains(f) {
                continue;
            }
            if let Some(n) = command_name(c) {
                if defined.contains(n.as_str()) && set.insert(n) {
                    added = true;
                }
            }
        }
        if !added {
            break;
        }
    }
    set
}

/// The command a simple command runs (basename, quotes removed), skipping
/// prefix assignments and `exec`/`command`/`nohup`/`env`.
fn command_name(c: &Command) -> Option<String> {
    let mut words = c
        .words
        .iter()
        .skip_while(|w| rcconf::split_assignment(&w.raw).is_some())
        .map(|w| unquote(&w.raw));
    let mut n = words.next()?;
    while matches!(
        n.as_str(),
        "exec" | "command" | "nohup" | "env" | "/usr/bin/env"
    ) {
        n = words.next()?;
    }
    Some(n.rsplit('/').next().unwrap_or(&n).to_string())
}

fn args(c: &Command) -> Vec<String> {
    let mut w = c
        .words
        .iter()
        .skip_while(|w| rcconf::split_assignment(&w.raw).is_some())
        .map(|w| unquote(&w.raw))
        .skip_while(|w| {
            matches!(
                w.as_str(),
                "exec" | "command" | "nohup" | "env" | "/usr/bin/env"
            )
        });
    w.next();
    w.collect()
}

fn unquote(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect()
}

/// Device nodes a service may use without devfs worries.
const HARMLESS_DEVICES: [&str; 7] = [
    "/dev/null",
    "/dev/zero",
    "/dev/random",
    "/dev/urandom",
    "/dev/stdin",
    "/dev/stdout",
    "/dev/stderr",
];

fn device_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(p) = rest.find("/dev/") {
        let tail = &rest[p..];
        let end = tail
            .char_indices()
            .find(|&(i, c)| i >= 5 && !(c.is_ascii_alphanumeric() || "_.-/".contains(c)))
            .map_or(tail.len(), |(i, _)| i);
        let path = tail[..end].trim_end_matches(['.', '/']).to_string();
        // Only a path that starts a word or follows a separator.
        let before = rest[..p].chars().last();
        if !before.is_some_and(|c| c.is_ascii_alphanumeric()) && path.len() > 5 {
            out.push(path);
        }
        rest = &tail[end.max(5)..];
    }
    out
}

/// True when `ps` arguments select every process (`-a`, `-A`, `-x`,
/// `ax`…), as opposed to `ps -p PID` or `ps -o pid= -p PID`.
fn ps_lists_all(args: &[String]) -> bool {
    let mut it = args.iter().enumerate();
    while let Some((i, x)) = it.next() {
        let flags = match x.strip_prefix('-') {
            Some(f) => f,
            // BSD style: `ps ax` (first argument only).
            None if i == 0 && x.chars().all(|c| c.is_ascii_alphabetic()) => x.as_str(),
            None => continue,
        };
        // Options that take a value: the rest of the word or the next word.
        let mut selects_all = false;
        for (k, c) in flags.char_indices() {
            if "oOpUJtMNGgu".contains(c) && !(c == 'u' && i == 0) {
                if k + 1 == flags.len() {
                    it.next();
                }
                break;
            }
            if matches!(c, 'a' | 'A' | 'x') {
                selects_all = true;
            }
        }
        if selects_all {
            return true;
        }
    }
    false
}

fn process_fix() -> String {
    "track the service by its pidfile/procname (rc.subr does this inside the jail), \
     or move the check to start_precmd, which runs on the host"
        .into()
}

/// Findings about what breaks when the script runs in a service jail.
/// Every finding has `breaks_jail` set.
pub fn jail_findings(s: &RcScript) -> Vec<Finding> {
    let inside = in_jail_functions(s);
    let mut out = Vec::new();
    let mut seen_dev: BTreeSet<(usize, String)> = BTreeSet::new();
    for c in &s.script.commands {
        let in_jail = match &c.function {
            Some(f) => inside.contains(f),
            None => true,
        };
        if !in_jail {
            continue;
        }
        // Device nodes, in any word or redirection.
        for w in c.words.iter().chain(&c.redirects) {
            for dev in device_paths(&w.raw) {
                if HARMLESS_DEVICES.contains(&dev.as_str()) || dev.starts_with("/dev/fd/") {
                    continue;
                }
                if !seen_dev.insert((w.line, dev.clone())) {
                    continue;
                }
                let (message, fix) = if dev == "/dev/mem" || dev == "/dev/kmem" {
                    (
                        format!("accesses {dev}: kernel memory is not available in a service jail"),
                        "do not jail this service, or drop the kernel memory access".to_string(),
                    )
                } else {
                    (
                        format!("uses {dev}: needs devfs, which a service jail does not mount"),
                        "avoid device nodes in the jailed methods (open them in start_precmd), \
                         or document that the service cannot be jailed"
                            .to_string(),
                    )
                };
                out.push(Finding {
                    severity: Severity::Warning,
                    line: w.line,
                    message,
                    fix,
                    breaks_jail: true,
                });
            }
        }
        let Some(cmd) = command_name(c) else { continue };
        if c.function.is_none()
            && rcconf::split_assignment(&c.words[0].raw).is_some()
            && c.words.len() == 1
        {
            continue;
        }
        let a = args(c);
        let place = match &c.function {
            Some(f) => format!("{f}()"),
            None => "top-level code".to_string(),
        };
        let kernel = |what: &str| -> (String, String) {
            (
                format!("{place} runs `{cmd}`: {what} is not permitted inside a service jail"),
                "do it on the host, in start_precmd (or `required_modules` for kernel modules), \
                 or do not jail this service"
                    .to_string(),
            )
        };
        let hit = match cmd.as_str() {
            "kldload" | "kldunload" => Some(kernel("loading kernel modules")),
            "sysctl" if a.iter().any(|x| x == "-w" || (!x.starts_with('-') && x.contains('='))) => {
                Some(kernel("changing kernel settings"))
            }
            "mount" | "umount" | "mount_nullfs" | "mdmfs" | "mdconfig" => {
                Some(kernel("mounting file systems"))
            }
            "ifconfig" => Some(kernel("configuring network interfaces")),
            "route" => Some(kernel("changing the routing table")),
            // `-F pidfile` targets the service's own pid: fine in a jail.
            "pgrep" | "pkill" | "killall" if !a.iter().any(|x| x.starts_with("-F")) => Some((
                format!("{place} runs `{cmd}`: inside a service jail it sees only the jail's own processes"),
                process_fix(),
            )),
            "ps" if ps_lists_all(&a) =>
            {
                Some((
                    format!("{place} runs `ps` over all processes: inside a service jail it sees only the jail's own"),
                    process_fix(),
                ))
            }
            "check_process" | "check_pidfile" => {
                let own = ["command", "procname", "name", "command_interpreter"];
                let target = if cmd == "check_process" { a.first() } else { a.get(1) };
                match target {
                    Some(t) if !own.iter().any(|o| t.contains(&format!("${o}")) || t.contains(&format!("${{{o}}}"))) => {
                        Some((
                            format!("{place} runs `{cmd} {t}`: another service's processes are not visible inside a service jail"),
                            process_fix(),
                        ))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some((message, fix)) = hit {
            out.push(Finding {
                severity: Severity::Warning,
                line: c.line,
                message,
                fix,
                breaks_jail: true,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str =
        "#!/bin/sh\n. /etc/rc.subr\nname=foo\nrcvar=foo_enable\nload_rc_config $name\n";

    fn lint(body: &str) -> Vec<(usize, Severity, String)> {
        lint_text("foo", &format!("{HEAD}{body}run_rc_command \"$1\"\n"))
            .findings
            .into_iter()
            .map(|f| (f.line, f.severity, f.message))
            .collect()
    }

    #[test]
    fn clean_script() {
        let f = lint(
            ": ${foo_enable:=NO}\n: ${foo_svcj_options:=\"net_basic\"}\ncommand=/usr/sbin/food\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn missing_declaration_is_a_warning_at_load_rc_config() {
        let f = lint("command=/usr/sbin/food\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, 5);
        assert_eq!(f[0].1, Severity::Warning);
        assert!(f[0].2.contains("no default for `foo_svcj_options`"));
    }

    #[test]
    fn enabling_the_jail_is_an_error() {
        let f = lint(": ${foo_svcj_options:=\"\"}\n: ${foo_svcj:=\"YES\"}\n");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].0, f[0].1), (7, Severity::Error));
        let f = lint(": ${foo_svcj_options:=\"\"}\nfoo_svcj=yes\n");
        assert_eq!((f[0].0, f[0].1), (7, Severity::Error));
        let f = lint(": ${foo_svcj_options:=\"\"}\n: ${foo_svcj:=NO}\n");
        assert_eq!((f[0].0, f[0].1), (7, Severity::Warning));
    }

    #[test]
    fn options_are_validated() {
        let f = lint(": ${foo_svcj_options:=\"net_basic bogus\"}\n");
        assert_eq!(
            f,
            vec![(
                6,
                Severity::Error,
                "unknown service jail option: bogus".into()
            )]
        );
        let f = lint(": ${foo_svcj_options:=\"sysvipc sysvipcnew\"}\n");
        assert!(f[0].2.contains("more than one sysvipc option"), "{f:?}");
    }

    #[test]
    fn precmd_is_on_the_host_start_is_inside() {
        let body = ": ${foo_svcj_options:=\"\"}\nstart_precmd=foo_pre\nstart_cmd=foo_start\n\
                    foo_pre()\n{\n\tkldload foo\n}\nfoo_start()\n{\n\thelper\n}\nhelper()\n{\n\tifconfig lo0 up\n\tsysctl -n kern.x\n}\n";
        let f = lint(body);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 19);
        assert!(f[0].2.contains("helper() runs `ifconfig`"), "{f:?}");
    }

    #[test]
    fn process_inspection() {
        let body = ": ${foo_svcj_options:=\"\"}\nstart_cmd=foo_start\nfoo_start()\n{\n\
                    \tif pgrep -q bar; then :; fi\n\tps -ax | grep x\n\tps -p $pid\n\
                    \tcheck_process /usr/sbin/bar\n\tcheck_process $command\n}\n";
        let lines: Vec<usize> = lint(body).iter().map(|f| f.0).collect();
        assert_eq!(lines, vec![10, 11, 13]);
    }

    #[test]
    fn ps_selection() {
        let v = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        for yes in ["-ax", "ax", "-A", "-auxww", "-x -o pid", "-o pid= -ax"] {
            assert!(ps_lists_all(&v(yes)), "{yes}");
        }
        for no in [
            "-p 12",
            "-o pid= -p $(cat x)",
            "-p12",
            "-o args -p 1",
            "-U axel",
        ] {
            assert!(!ps_lists_all(&v(no)), "{no}");
        }
    }

    #[test]
    fn device_nodes() {
        assert_eq!(
            device_paths("x >/dev/null </dev/mem /dev/fd/0 a/dev/b \"/dev/cuau0\""),
            vec!["/dev/null", "/dev/mem", "/dev/fd/0", "/dev/cuau0"]
        );
        let body = ": ${foo_svcj_options:=\"\"}\ncommand_args=\"-d /dev/cuau0 >/dev/null 2>&1\"\n";
        let f = lint(body);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].2.contains("/dev/cuau0"));
    }

    #[test]
    fn not_an_rc_script() {
        let r = lint_text("x.sh", "#!/bin/sh\necho hello\n");
        assert!(r.has_errors());
        assert_eq!(r.findings.len(), 1);
        assert!(r
            .render_text()
            .starts_with("x.sh:1: error: not an rc.d script"));
    }
}
