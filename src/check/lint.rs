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
use crate::rcconf::{self, AssignKind, Assignment, Command, Place, RcScript};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information for the maintainer; nothing to fix.
    Note,
    /// Probably a problem; the script may still work.
    Warning,
    /// Wrong: the script or the host's configuration must change.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// The stable identifiers of lint's findings, each with its severity and
/// a one-line summary (svcj-check(8) lists them; the `rules_are_documented`
/// test keeps the two in step).
pub const RULES: [(&str, Severity, &str); 25] = [
    (
        "not-rc-script",
        Severity::Error,
        "the file never calls run_rc_command",
    ),
    ("no-name", Severity::Error, "no name= assignment"),
    (
        "no-load-rc-config",
        Severity::Warning,
        "load_rc_config is never called",
    ),
    (
        "no-options-default",
        Severity::Warning,
        "no default for <name>_svcj_options",
    ),
    (
        "options-override",
        Severity::Warning,
        "<name>_svcj_options assigned after load_rc_config",
    ),
    (
        "unknown-option",
        Severity::Error,
        "a word rc.subr does not know in <name>_svcj_options",
    ),
    (
        "sysvipc-conflict",
        Severity::Error,
        "sysvipc and sysvipcnew together",
    ),
    (
        "bad-option",
        Severity::Error,
        "<name>_svcj_options cannot be parsed",
    ),
    (
        "bad-address",
        Severity::Error,
        "a bad address in <name>_svcj_ipaddrs",
    ),
    (
        "bad-rctl",
        Severity::Error,
        "a rule rctl(8) refuses in <name>_svcj_rctl",
    ),
    (
        "enables-jail",
        Severity::Error,
        "the script sets <name>_svcj or svcj_all_enable to YES",
    ),
    (
        "sets-jail",
        Severity::Warning,
        "the script sets <name>_svcj or svcj_all_enable",
    ),
    (
        "cmd-svcj-value",
        Severity::Error,
        "<name>_<cmd>_svcj_enable is not YES or NO",
    ),
    (
        "cmd-svcj-unused",
        Severity::Warning,
        "<name>_<cmd>_svcj_enable names no extra command",
    ),
    (
        "nojail",
        Severity::Note,
        "the script declares KEYWORD: nojail or nojailvnet",
    ),
    (
        "kernel-module",
        Severity::Warning,
        "in-jail code loads or unloads a kernel module",
    ),
    (
        "kernel-setting",
        Severity::Warning,
        "in-jail code writes a sysctl",
    ),
    (
        "mount",
        Severity::Warning,
        "in-jail code mounts or unmounts",
    ),
    (
        "devfs-rules",
        Severity::Warning,
        "in-jail code changes devfs rules",
    ),
    (
        "network-config",
        Severity::Warning,
        "in-jail code configures network interfaces",
    ),
    (
        "routing",
        Severity::Warning,
        "in-jail code changes the routing table",
    ),
    (
        "process-visibility",
        Severity::Warning,
        "in-jail code looks for other processes",
    ),
    (
        "device-node",
        Severity::Warning,
        "in-jail code uses a device node",
    ),
    (
        "kernel-memory",
        Severity::Warning,
        "in-jail code uses /dev/mem or /dev/kmem",
    ),
    (
        "nojail-jailed",
        Severity::Warning,
        "audit: a nojail script is jailed",
    ),
];

/// One finding of lint (or of audit about a script).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable rule id (see [`RULES`]).
    pub rule: &'static str,
    /// Error, warning or note.
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
    /// `file:line: severity: message [rule]` lines, each followed by its
    /// fix, and a summary line.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&format!(
                "{}:{}: {}: {} [{}]\n\tfix: {}\n",
                self.path, f.line, f.severity, f.message, f.rule, f.fix
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

    /// The number of findings of a severity.
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    /// The findings as JSON objects, each naming its file.
    pub fn json_findings(&self) -> Vec<Value> {
        self.findings
            .iter()
            .map(|f| {
                json!({
                    "file": self.path,
                    "line": f.line,
                    "rule": f.rule,
                    "severity": f.severity,
                    "message": f.message,
                    "fix": f.fix,
                })
            })
            .collect()
    }
}

/// The `--json` document for the reports of several files: every finding
/// (file, line, rule, severity, message, fix), the files that could not be
/// read, and a summary.
pub fn to_json(reports: &[LintReport], unreadable: &[(String, String)]) -> Value {
    let findings: Vec<Value> = reports.iter().flat_map(|r| r.json_findings()).collect();
    let total = |s: Severity| reports.iter().map(|r| r.count(s)).sum::<usize>();
    json!({
        "findings": findings,
        "unreadable": unreadable
            .iter()
            .map(|(f, e)| json!({ "file": f, "error": e }))
            .collect::<Vec<_>>(),
        "summary": {
            "files": reports.len() + unreadable.len(),
            "errors": total(Severity::Error),
            "warnings": total(Severity::Warning),
            "notes": total(Severity::Note),
        },
    })
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
    findings.sort_by(|a, b| (a.line, b.severity, a.rule).cmp(&(b.line, a.severity, b.rule)));
    LintReport {
        path: path.to_string(),
        findings,
    }
}

fn finding(
    rule: &'static str,
    severity: Severity,
    line: usize,
    message: String,
    fix: String,
) -> Finding {
    Finding {
        rule,
        severity,
        line,
        message,
        fix,
        breaks_jail: false,
    }
}

/// The `KEYWORD:` that says the script must not run in a jail, if any:
/// `nojail`, or `nojailvnet` (not in a jail without its own network
/// stack, which a service jail never has).
pub fn nojail_keyword(s: &RcScript) -> Option<(&str, usize)> {
    s.keywords
        .iter()
        .find(|(w, _)| w == "nojail" || w == "nojailvnet")
        .map(|(w, l)| (w.as_str(), *l))
}

/// Where an assignment sits, for messages.
fn where_(a: &Assignment) -> &'static str {
    match (a.place, a.via_eval) {
        (Place::TopLevel, false) => "",
        (Place::TopLevel, true) => " through eval",
        (Place::Conditional, false) => " in conditional code",
        (Place::Conditional, true) => " through eval in conditional code",
        (Place::Function, false) => " in a function",
        (Place::Function, true) => " through eval in a function",
    }
}

/// The checks of the service-jail declaration (port maintainer's side).
fn declaration_findings(s: &RcScript, file_name: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    if s.run_rc_command.is_none() {
        out.push(finding(
            "not-rc-script",
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
                "no-name",
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
            "no-load-rc-config",
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
    let rctl_var = format!("{name}_svcj_rctl");
    let svcj_var = format!("{name}_svcj");
    let mut declared = false;
    for a in &s.assignments {
        if a.var == opt_var {
            declared = true;
            if a.kind == AssignKind::Plain && a.after_load && a.place == Place::TopLevel {
                out.push(finding(
                    "options-override",
                    Severity::Warning,
                    a.line,
                    format!(
                        "`{opt_var}=` after load_rc_config{} overrides the admin's \
                         rc.conf setting",
                        where_(a)
                    ),
                    format!("declare a default instead: `: ${{{opt_var}:=\"…\"}}`"),
                ));
            }
            let Some(value) = &a.value else { continue };
            match options::parse(value, "") {
                Ok(p) => {
                    for w in &p.unknown {
                        out.push(finding(
                            "unknown-option",
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
                    "sysvipc-conflict",
                    Severity::Error,
                    a.line,
                    e.to_string(),
                    "keep one of `sysvipc` (the host's IPC) and `sysvipcnew` (a private one)"
                        .into(),
                )),
                Err(e) => out.push(finding(
                    "bad-option",
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
                        "bad-address",
                        Severity::Error,
                        a.line,
                        e.to_string(),
                        "give bare IPv4/IPv6 addresses separated by spaces".into(),
                    ));
                }
            }
        } else if a.var == rctl_var {
            if let Some(m) = a.value.as_deref().and_then(crate::rctl::lint_value) {
                out.push(finding(
                    "bad-rctl",
                    Severity::Error,
                    a.line,
                    m,
                    String::new(),
                ));
            }
        } else if a.var == svcj_var || a.var == "svcj_all_enable" {
            let yes = a.value.as_deref().and_then(rcconf::yes_no) == Some(true);
            if yes {
                out.push(finding(
                    "enables-jail",
                    Severity::Error,
                    a.line,
                    format!(
                        "the script enables the service jail by default (`{}`{})",
                        a.var,
                        where_(a)
                    ),
                    format!(
                        "remove it: only the admin enables a service jail, with \
                         `{svcj_var}=\"YES\"` in rc.conf"
                    ),
                ));
            } else {
                out.push(finding(
                    "sets-jail",
                    Severity::Warning,
                    a.line,
                    format!(
                        "the script sets `{}`{}, which overrides the admin's svcj_all_enable",
                        a.var,
                        where_(a)
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
                    "cmd-svcj-value",
                    Severity::Error,
                    a.line,
                    format!("`{}` is not set properly: {value:?}", a.var),
                    "set it to YES (run inside the jail) or NO (on the host)".into(),
                ));
            }
            if !s.extra_commands().iter().any(|c| c == cmd) {
                out.push(finding(
                    "cmd-svcj-unused",
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
    if let Some((kw, line)) = nojail_keyword(s) {
        out.push(finding(
            "nojail",
            Severity::Note,
            line,
            format!(
                "`# KEYWORD: {kw}`: the script declares that it must not run in a jail; \
                 rc.subr does not read this keyword, so an admin's `{svcj_var}=\"YES\"` \
                 would still start it in a service jail (no VNET, no devfs), where what \
                 it needs the host for fails, and svcj-check audit warns about it{}",
                if kw == "nojail" {
                    "; svcj_all_enable leaves it on the host as long as it declares \
                     no options default"
                } else {
                    ""
                }
            ),
            format!(
                "nothing to change for the jail; do not add a `{opt_var}` default, \
                 which the script does not need"
            ),
        ));
    } else if !declared {
        out.push(finding(
            "no-options-default",
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

/// How deep command substitutions, `eval` strings and method strings are
/// followed.
const MAX_NESTING: usize = 4;

/// A command that runs inside the jail, with a label for messages.
struct Inspected {
    cmd: Command,
    place: String,
}

/// The variables rc.subr sets for scripts (`${SYSCTL} a=1`), as rc.subr
/// defines them.
const RC_SUBR_VARS: [(&str, &str); 5] = [
    ("SYSCTL", "/sbin/sysctl"),
    ("SYSCTL_N", "/sbin/sysctl -n"),
    ("SYSCTL_W", "/sbin/sysctl"),
    ("PS", "/bin/ps -ww"),
    ("ID", "/usr/bin/id"),
];

/// Everything of the script that runs inside the jail: top-level code
/// (the script is re-entered there), the in-jail methods (functions named
/// by `start_cmd` & co. and the commands written directly in those
/// strings), every function they or the top-level code call, and the
/// commands inside `$(…)`, backticks and `eval` strings of all of these.
fn in_jail_commands(s: &RcScript, env: &mut rcconf::Env) -> Vec<Inspected> {
    let name = s.name().unwrap_or("");
    let defined: BTreeSet<&str> = s.script.functions.iter().map(|f| f.name.as_str()).collect();
    let mut roots: Vec<Inspected> = Vec::new();
    let mut methods: Vec<String> = IN_JAIL_METHODS.iter().map(|m| m.to_string()).collect();
    for cmd in s.extra_commands() {
        let var = format!("{name}_{cmd}_svcj_enable");
        if s.var(&var).and_then(rcconf::yes_no) == Some(true) {
            methods.push(cmd);
        }
    }
    let mut inside: BTreeSet<String> = BTreeSet::new();
    for m in methods {
        let var = format!("{m}_cmd");
        let Some(value) = s.var(&var).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        if let Some(f) = s.method_function(&var) {
            inside.insert(f.name.clone());
            continue;
        }
        // Commands written in the method string itself.
        let line = s
            .assignments
            .iter()
            .rev()
            .find(|a| a.var == var)
            .map_or(0, |a| a.line);
        for c in rcconf::eval_script(value, line).commands {
            roots.push(Inspected {
                cmd: c,
                place: var.clone(),
            });
        }
    }
    for c in &s.script.commands {
        if c.function.is_none() {
            roots.push(Inspected {
                cmd: c.clone(),
                place: "top-level code".to_string(),
            });
        }
    }
    // Expand the roots: substitutions and eval strings.
    let mut all: Vec<Inspected> = Vec::new();
    for r in roots {
        nested(r, env, 0, &mut all);
    }
    // Functions called from what runs inside, transitively.
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<String> = inside.into_iter().collect();
    for i in &all {
        if let Some(n) = command_name(&i.cmd) {
            if defined.contains(n.as_str()) {
                queue.push(n);
            }
        }
    }
    while let Some(f) = queue.pop() {
        if !done.insert(f.clone()) {
            continue;
        }
        let mut body = Vec::new();
        for c in s
            .script
            .commands
            .iter()
            .filter(|c| c.function.as_deref() == Some(&f))
        {
            nested(
                Inspected {
                    cmd: c.clone(),
                    place: format!("{f}()"),
                },
                env,
                0,
                &mut body,
            );
        }
        for i in &body {
            if let Some(n) = command_name(&i.cmd) {
                if defined.contains(n.as_str()) && !done.contains(&n) {
                    queue.push(n);
                }
            }
        }
        all.extend(body);
    }
    all
}

/// Push `i` and the commands nested in its words (`$(…)`, backticks) and,
/// for `eval`, in its string.
fn nested(i: Inspected, env: &mut rcconf::Env, depth: usize, out: &mut Vec<Inspected>) {
    let mut subs: Vec<Command> = Vec::new();
    if depth < MAX_NESTING {
        for w in &i.cmd.words {
            for text in substitutions(&w.raw) {
                subs.extend(rcconf::eval_script(&text, w.line).commands);
            }
        }
        if command_name(&i.cmd).as_deref() == Some("eval") {
            let args: std::result::Result<Vec<String>, _> = i
                .cmd
                .words
                .iter()
                .skip_while(|w| rcconf::split_assignment(&w.raw).is_some())
                .skip(1)
                .map(|w| rcconf::expand_dry(env, &w.raw))
                .collect();
            if let Ok(args) = args {
                subs.extend(rcconf::eval_script(&args.join(" "), i.cmd.line).commands);
            }
        }
    }
    let place = i.place.clone();
    out.push(i);
    for c in subs {
        nested(
            Inspected {
                cmd: c,
                place: place.clone(),
            },
            env,
            depth + 1,
            out,
        );
    }
}

/// The texts of the command substitutions of a raw word (`$(…)` and
/// backticks, outside single quotes; `$((…))` is arithmetic, not a
/// command).
fn substitutions(raw: &str) -> Vec<String> {
    let b = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut dq = false;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\'' if !dq => i += rcconf::construct_len_pub(b, i).max(1),
            b'"' => {
                dq = !dq;
                i += 1;
            }
            b'`' => {
                let len = rcconf::construct_len_pub(b, i).max(1);
                let inner = raw[i + 1..(i + len).min(raw.len())].trim_end_matches('`');
                out.push(inner.replace("\\`", "`").replace("\\$", "$"));
                i += len;
            }
            b'$' if b.get(i + 1) == Some(&b'(') && b.get(i + 2) != Some(&b'(') => {
                let len = rcconf::construct_len_pub(b, i).max(1);
                let inner = raw[i + 2..(i + len).min(raw.len())].trim_end_matches(')');
                out.push(inner.to_string());
                i += len;
            }
            _ => i += 1,
        }
    }
    out
}

/// The words a command runs (quotes removed), prefix assignments and
/// `exec`/`command`/`nohup`/`env` skipped, and a leading `$VAR` of rc.subr
/// (`${SYSCTL}`) or of the script replaced by its value.
fn command_words(c: &Command, env: &mut rcconf::Env) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut it = c
        .words
        .iter()
        .skip_while(|w| rcconf::split_assignment(&w.raw).is_some());
    if let Some(first) = it.next() {
        let raw = first.raw.trim_matches('"');
        let var = raw
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .or_else(|| raw.strip_prefix('$'));
        let builtin = var.and_then(|v| RC_SUBR_VARS.iter().find(|(n, _)| *n == v));
        match (var, builtin) {
            (_, Some((_, value))) => words.extend(value.split_whitespace().map(str::to_string)),
            (Some(_), None) => match rcconf::expand_dry(env, &first.raw) {
                Ok(v) if !v.trim().is_empty() => {
                    words.extend(v.split_whitespace().map(str::to_string))
                }
                _ => words.push(unquote(&first.raw)),
            },
            _ => words.push(unquote(&first.raw)),
        }
    }
    words.extend(it.map(|w| unquote(&w.raw)));
    while words.first().is_some_and(|w| {
        matches!(
            w.as_str(),
            "exec" | "command" | "nohup" | "env" | "/usr/bin/env"
        )
    }) {
        words.remove(0);
    }
    if let Some(w) = words.first_mut() {
        *w = w.rsplit('/').next().unwrap_or(w).to_string();
    }
    words
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

fn unquote(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect()
}

/// Device nodes a service may use without devfs worries.
const HARMLESS_DEVICES: [&str; 8] = [
    "/dev/fd",
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

/// The operands of a command line: the words that are not options nor
/// the values of the options in `with_value` (single letters).
fn operands<'a>(args: &'a [String], with_value: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut it = args.iter();
    let mut options_done = false;
    while let Some(a) = it.next() {
        if options_done || !a.starts_with('-') || a == "-" {
            out.push(a.as_str());
            continue;
        }
        if a == "--" {
            options_done = true;
            continue;
        }
        let flags = &a[1..];
        for (k, c) in flags.char_indices() {
            if with_value.contains(c) {
                if k + 1 == flags.len() {
                    it.next();
                }
                break;
            }
        }
    }
    out
}

fn has_flag(args: &[String], flag: char, with_value: &str) -> bool {
    for a in args {
        let Some(flags) = a.strip_prefix('-') else {
            continue;
        };
        for c in flags.chars() {
            if c == flag {
                return true;
            }
            if with_value.contains(c) {
                break;
            }
        }
    }
    false
}

/// True when an `ifconfig` invocation changes something: `ifconfig`,
/// `ifconfig -a`, `ifconfig -l`, `ifconfig -g GROUP`, `ifconfig IF` and
/// `ifconfig IF inet` only print.
fn ifconfig_writes(args: &[String]) -> bool {
    if ["l", "C", "g", "k"]
        .iter()
        .any(|f| args.iter().any(|a| a == &format!("-{f}")))
    {
        return false;
    }
    let ops = operands(args, "fgGm");
    match ops.as_slice() {
        [] | [_] => false,
        [_, af] => !matches!(*af, "inet" | "inet6" | "link" | "ether"),
        _ => true,
    }
}

/// rc.subr (and network.subr) functions that change the host.
const HELPERS: [(&str, &str); 14] = [
    ("load_kld", "kernel-module"),
    ("devfs_domount", "mount"),
    ("devfs_mount_jail", "mount"),
    ("devfs_set_ruleset", "devfs-rules"),
    ("devfs_apply_ruleset", "devfs-rules"),
    ("devfs_init_rulesets", "devfs-rules"),
    ("devfs_rulesets_from_file", "devfs-rules"),
    ("devfs_link", "devfs-rules"),
    ("ifconfig_up", "network-config"),
    ("ifconfig_down", "network-config"),
    ("ifnet_rename", "network-config"),
    ("clone_up", "network-config"),
    ("clone_down", "network-config"),
    ("childif_create", "network-config"),
];

/// What a host-changing invocation is: its rule id, or `None` when the
/// command only reads (`sysctl -n`, `mount` listing, `route get`…).
fn host_change(cmd: &str, args: &[String]) -> Option<&'static str> {
    if let Some((_, rule)) = HELPERS.iter().find(|(h, _)| *h == cmd) {
        return Some(rule);
    }
    match cmd {
        "kldload" | "kldunload" => Some("kernel-module"),
        "sysctl" => {
            let writes =
                has_flag(args, 'f', "fBE") || operands(args, "fBE").iter().any(|o| o.contains('='));
            writes.then_some("kernel-setting")
        }
        "mount" => {
            let writes = has_flag(args, 'a', "tOoF") || !operands(args, "tOoF").is_empty();
            writes.then_some("mount")
        }
        "umount" | "mdmfs" => Some("mount"),
        c if c.starts_with("mount_") => Some("mount"),
        "mdconfig" => (!has_flag(args, 'l', "tsSuofLy")).then_some("mount"),
        "devfs" => {
            let ops = operands(args, "ms");
            let verb = match ops.as_slice() {
                ["rule", v, ..] => *v,
                [v, ..] => *v,
                [] => "",
            };
            (!matches!(verb, "show" | "showsets" | "")).then_some("devfs-rules")
        }
        "ifconfig" => ifconfig_writes(args).then_some("network-config"),
        "route" => {
            let ops = operands(args, "");
            let verb = ops.first().copied().unwrap_or("");
            matches!(verb, "add" | "delete" | "del" | "change" | "flush").then_some("routing")
        }
        "wg" => {
            let verb = args.first().map(String::as_str).unwrap_or("");
            matches!(verb, "set" | "setconf" | "addconf" | "syncconf").then_some("network-config")
        }
        c if c.ends_with("-quick") => {
            let verb = operands(args, "").first().copied().unwrap_or("");
            matches!(verb, "up" | "down").then_some("network-config")
        }
        _ => None,
    }
}

fn process_fix() -> String {
    "track the service by its pidfile/procname (rc.subr does this inside the jail), \
     or move the check to start_precmd, which runs on the host"
        .into()
}

/// Findings about what breaks when the script runs in a service jail.
/// Every finding has `breaks_jail` set.
pub fn jail_findings(s: &RcScript) -> Vec<Finding> {
    let mut env = s.env.clone();
    let inspected = in_jail_commands(s, &mut env);
    let mut out: Vec<Finding> = Vec::new();
    let mut seen: BTreeSet<(usize, String)> = BTreeSet::new();
    for Inspected { cmd: c, place } in &inspected {
        // Device nodes, in any word or redirection.
        for w in c.words.iter().chain(&c.redirects) {
            for dev in device_paths(&w.raw) {
                if HARMLESS_DEVICES.contains(&dev.as_str()) || dev.starts_with("/dev/fd/") {
                    continue;
                }
                if !seen.insert((w.line, dev.clone())) {
                    continue;
                }
                let (rule, message, fix) = if dev == "/dev/mem" || dev == "/dev/kmem" {
                    (
                        "kernel-memory",
                        format!("accesses {dev}: kernel memory is not available in a service jail"),
                        "do not jail this service, or drop the kernel memory access".to_string(),
                    )
                } else {
                    (
                        "device-node",
                        format!("uses {dev}: needs devfs, which a service jail does not mount"),
                        "avoid device nodes in the jailed methods (open them in start_precmd), \
                         or document that the service cannot be jailed"
                            .to_string(),
                    )
                };
                out.push(Finding {
                    rule,
                    severity: Severity::Warning,
                    line: w.line,
                    message,
                    fix,
                    breaks_jail: true,
                });
            }
        }
        let words = command_words(c, &mut env);
        let Some(cmd) = words.first() else { continue };
        let a = &words[1..];
        let kernel = |what: &str| -> (String, String) {
            (
                format!("{place} runs `{cmd}`: {what} is not permitted inside a service jail"),
                "do it on the host, in start_precmd (or `required_modules` for kernel modules), \
                 or do not jail this service"
                    .to_string(),
            )
        };
        let hit = match host_change(cmd, a) {
            Some(rule) => {
                let what = match rule {
                    "kernel-module" => "loading kernel modules",
                    "kernel-setting" => "changing kernel settings",
                    "mount" => "mounting file systems",
                    "devfs-rules" => "changing devfs rules",
                    "network-config" => "configuring network interfaces",
                    _ => "changing the routing table",
                };
                let (m, f) = kernel(what);
                Some((rule, m, f))
            }
            None => match cmd.as_str() {
                // `-F pidfile` targets the service's own pid: fine in a jail.
                "pgrep" | "pkill" | "killall" if !a.iter().any(|x| x.starts_with("-F")) => Some((
                    "process-visibility",
                    format!("{place} runs `{cmd}`: inside a service jail it sees only the jail's own processes"),
                    process_fix(),
                )),
                "ps" if ps_lists_all(a) => Some((
                    "process-visibility",
                    format!("{place} runs `ps` over all processes: inside a service jail it sees only the jail's own"),
                    process_fix(),
                )),
                "check_process" | "check_pidfile" => {
                    let own = ["command", "procname", "name", "command_interpreter"];
                    let target = if cmd == "check_process" { a.first() } else { a.get(1) };
                    match target {
                        Some(t) if !own.iter().any(|o| t.contains(&format!("${o}")) || t.contains(&format!("${{{o}}}"))) => Some((
                            "process-visibility",
                            format!("{place} runs `{cmd} {t}`: another service's processes are not visible inside a service jail"),
                            process_fix(),
                        )),
                        _ => None,
                    }
                }
                _ => None,
            },
        };
        if let Some((rule, message, fix)) = hit {
            if !seen.insert((c.line, message.clone())) {
                continue;
            }
            out.push(Finding {
                rule,
                severity: Severity::Warning,
                line: c.line,
                message,
                fix,
                breaks_jail: true,
            });
        }
    }
    out.sort_by_key(|f| f.line);
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
    fn a_bad_default_rctl_rule_is_an_error() {
        let f = lint(": ${foo_svcj_options:=\"net_basic\"}\n: ${foo_svcj_rctl:=\"maxproc:deny=5 cputime:deny=9\"}\n");
        assert!(
            f.iter()
                .any(|(_, s, m)| *s == Severity::Error && m.contains("cputime:deny=9")),
            "{f:?}"
        );
        let f =
            lint(": ${foo_svcj_options:=\"net_basic\"}\n: ${foo_svcj_rctl:=\"maxproc:deny=5\"}\n");
        assert!(!f.iter().any(|(_, s, _)| *s == Severity::Error), "{f:?}");
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

    /// Every rule id is documented in svcj-check(8), with its severity,
    /// and every id lint emits is in [`RULES`].
    #[test]
    fn rules_are_documented() {
        let man = include_str!("../../man/svcj-check.8");
        for (id, sev, _) in RULES {
            let entry = format!(".It Li {id} Pq {sev}\n");
            assert!(man.contains(&entry), "svcj-check(8) lacks {entry:?}");
        }
        let src = include_str!("lint.rs");
        let ids: BTreeSet<&str> = RULES.iter().map(|r| r.0).collect();
        for part in src.split("finding(\n").skip(1) {
            let Some(id) = part.trim_start().strip_prefix('"') else {
                continue;
            };
            let id = &id[..id.find('"').unwrap()];
            assert!(ids.contains(id), "{id} not in RULES");
        }
        for (_, rule) in HELPERS {
            assert!(ids.contains(rule), "{rule}");
        }
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
