//! `svcj-check audit`: every rc.d service of a host and its service jail.
//!
//! An admin (or a security review) wants one answer per service: is it
//! enabled, does it run jailed, with which options and parameters, and how
//! exposed is it — plus everything that is wrong: option words rc.subr
//! would ignore, conflicts, bad addresses, a jail asked for while the
//! svcj-tools hook is missing (rc.subr would then start the service
//! unjailed or refuse it), scripts that cannot work jailed.  The host's
//! configuration is read with [`crate::rcconf`], which evaluates rc.conf
//! and the scripts statically: an audit never runs anything from the host.
//!
//! The root directory and `${LOCALBASE}` are parameters so that fixture
//! trees can be audited; all paths in the report are host paths (relative
//! to the root), so reports are reproducible.

use crate::check::exempt::{self, Exemption};
use crate::check::lint::{self, Severity};
use crate::check::preflight;
use crate::error::{Error, Result};
use crate::options::{self, Exposure};
use crate::rcconf::{self, Loader, Note, RcScript};
use serde::Serialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Where to audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditConfig {
    /// The root of the tree (`/` on a live host).
    pub root: PathBuf,
    /// `${LOCALBASE}` as a path inside the root (default `/usr/local`).
    pub localbase: PathBuf,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            root: PathBuf::from("/"),
            localbase: PathBuf::from(DEFAULT_LOCALBASE),
        }
    }
}

/// FreeBSD's default `${LOCALBASE}`.
pub const DEFAULT_LOCALBASE: &str = "/usr/local";

/// The hook file, relative to `${LOCALBASE}`.
pub const HOOK_FILE: &str = "etc/rc.subr.d/svcj-tools.sh";

/// Whether the rc.subr hook of svcj-tools is in place (DESIGN §6), as
/// `svcj-check preflight` decides it: the texts are preflight's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HookState {
    /// The hook file exists and rc.subr loads it.
    Installed {
        /// Where it is sourced from.
        detail: String,
    },
    /// The hook file exists but rc.subr does not load it.
    NotSourced {
        /// What preflight found.
        detail: String,
        /// The line to add, and where.
        fix: String,
    },
    /// The hook file does not exist.
    Missing {
        /// What preflight found.
        detail: String,
        /// How to install it.
        fix: String,
    },
}

/// The host path of the hook for `localbase`.
pub fn hook_path(localbase: &Path) -> PathBuf {
    Path::new("/").join(localbase).join(HOOK_FILE)
}

/// Is the hook installed under `root`?  The rule is preflight's
/// ([`preflight::hook_items`]): the hook file exists, and
/// `/etc/local.rc.subr` sources it when the tree's rc.subr reads that
/// file, `/etc/rc.conf` otherwise.
pub fn hook_installed(root: &Path, localbase: &Path) -> HookState {
    let cfg = preflight::Config {
        root: root.to_path_buf(),
        localbase: Path::new("/").join(localbase),
        probe_unshare: false,
    };
    let items = preflight::hook_items(&cfg, true);
    let fix = |i: &preflight::Item| i.fix.clone().unwrap_or_default();
    if let Some(i) = items
        .iter()
        .find(|i| i.check == "hook installed" && i.state == preflight::State::Fail)
    {
        return HookState::Missing {
            detail: i.detail.clone(),
            fix: fix(i),
        };
    }
    match items.iter().find(|i| i.check == "hook sourced") {
        Some(i) if i.state == preflight::State::Fail => HookState::NotSourced {
            detail: i.detail.clone(),
            fix: fix(i),
        },
        Some(i) => HookState::Installed {
            detail: i.detail.clone(),
        },
        None => HookState::Installed {
            detail: String::new(),
        },
    }
}

/// Whether the service starts (rc.subr's rcvar check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Enabled {
    /// `rcvar` is YES.
    Yes,
    /// `rcvar` is NO (or not set properly).
    No,
    /// The script has no `rcvar`: it runs whenever it is called.
    Always,
    /// The script could not be read.
    Unknown,
}

impl Enabled {
    fn as_str(self) -> &'static str {
        match self {
            Enabled::Yes => "yes",
            Enabled::No => "no",
            Enabled::Always => "always",
            Enabled::Unknown => "?",
        }
    }
}

/// One finding about a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFinding {
    /// The rule id, for findings about the script (lint's ids, see
    /// svcj-check(8)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

/// The audit of one rc.d service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceAudit {
    /// `name=` of the script (its file name if it has none).
    pub name: String,
    /// Host path of the script.
    pub script: String,
    /// The script's rcvar.
    pub rcvar: Option<String>,
    /// Enabled or not.
    pub enabled: Enabled,
    /// The rcvar's value.
    pub enable_value: Option<String>,
    /// Runs in a service jail.
    pub jailed: bool,
    /// The variable that decided `jailed` (`foo_svcj` or `svcj_all_enable`).
    pub jailed_by: Option<String>,
    /// Why rc.conf asks for a jail but the service stays on the host
    /// ([`exempt`]).
    pub exempted: Option<Exemption>,
    /// Effective `<name>_svcj_options`.
    pub options: String,
    /// Where the options were set (`/etc/rc.conf:12`).
    pub options_from: Option<String>,
    /// Effective `<name>_svcj_ipaddrs`.
    pub addresses: String,
    /// Where the addresses were set.
    pub addresses_from: Option<String>,
    /// Effective `<name>_svcj_rctl` (resource limits, rctl(8) rules).
    pub rctl: String,
    /// Where the limits were set.
    pub rctl_from: Option<String>,
    /// The jail(8) parameter words (`None` when the options are invalid).
    pub params: Option<Vec<String>>,
    /// The exposure of the jailed service (`None` when not jailed),
    /// written as in the text table (`raw-sockets`).
    #[serde(serialize_with = "exposure_word")]
    pub exposure: Option<Exposure>,
    /// The script's `command=`.
    pub command: Option<String>,
    /// The script's `pidfile=`.
    pub pidfile: Option<String>,
    /// Custom methods the script sets (`start_cmd=foo_start`, …).
    pub methods: Vec<String>,
    /// The script's `extra_commands`.
    pub extra_commands: Vec<String>,
    /// Errors and warnings.
    pub findings: Vec<AuditFinding>,
    /// Constructs of the script that were not evaluated.
    pub notes: Vec<String>,
}

fn exposure_word<S: serde::Serializer>(
    e: &Option<Exposure>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.serialize_str(&e.to_string()),
        None => s.serialize_none(),
    }
}

impl ServiceAudit {
    fn push(&mut self, severity: Severity, message: String, fix: String) {
        self.findings.push(AuditFinding {
            rule: None,
            severity,
            message,
            fix,
        });
    }
}

/// The audit of a whole host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Every service, by name then script path.
    pub services: Vec<ServiceAudit>,
    /// The hook.
    pub hook: HookState,
    /// The hook's host path.
    pub hook_file: String,
    /// What the reader skipped in rc.conf files (never run).
    pub notes: Vec<Note>,
}

/// Services that configure the host's kernel at boot (network, routing,
/// mounts, modules, devices, swap) and so cannot work in a service jail.
pub const HOST_ONLY_SERVICES: [&str; 19] = [
    "devd",
    "devfs",
    "dumpon",
    "hostid",
    "hostname",
    "ipfw",
    "kld",
    "kldxref",
    "mountcritlocal",
    "mountcritremote",
    "mountlate",
    "netif",
    "pf",
    "pflog",
    "routing",
    "swap",
    "sysctl",
    "zfs",
    "zvol",
];

/// Audit every rc.d service under `cfg.root`, keeping the whole report
/// in memory (for the library and the tests; the binary streams with
/// [`Auditor`]).
pub fn audit(cfg: &AuditConfig) -> Result<AuditReport> {
    let auditor = Auditor::new(cfg)?;
    let hook = auditor.hook.clone();
    let hook_file = auditor.hook_file.clone();
    let notes = auditor.notes().to_vec();
    let mut services = Vec::new();
    auditor.each(|s| {
        services.push(s);
        Ok(())
    })?;
    Ok(AuditReport {
        services,
        hook,
        hook_file,
        notes,
    })
}

/// One script to audit, in report order.
struct Entry {
    /// Where the file name is in [`Auditor::text`].
    file: (u32, u32),
    /// Where the service's name is: `name=` of the script, the file name
    /// when it sets none or cannot be read.
    name: (u32, u32),
    /// Which of the two rc.d directories ([`Auditor::dirs`]) holds it.
    dir: u8,
}

/// `text[at..at + len]` for a pair of [`Entry`].
fn part(text: &str, (at, len): (u32, u32)) -> &str {
    &text[at as usize..(at + len) as usize]
}

/// Append `s` to `text`; where it is.
fn push_part(text: &mut String, s: &str) -> (u32, u32) {
    let at = rcconf::pos(text.len());
    text.push_str(s);
    (at, rcconf::pos(s.len()))
}

/// The audit of a host as a stream: [`Auditor::new`] makes a first pass
/// that learns each script's name (the report is sorted by name) and every
/// note about the host's files, keeping only a name and a path per
/// service; [`Auditor::each`] then evaluates the services again, one at a
/// time in report order, and hands each one over to be printed and
/// dropped.  What stays in memory is that list (a file name per service,
/// and a name only where it differs, in one text) and the variables
/// rc.conf sets (which evaluating rc.conf needs, stored compactly by
/// `rcconf`), never the report: 10,000 services took 29 MB (68 MB for
/// `--json`) before, about 4 MB now (issue 12).
/// A script that changes between the passes is reported as the second
/// pass reads it.
pub struct Auditor {
    loader: Loader,
    /// The hook's state.
    pub hook: HookState,
    /// The hook's host path.
    pub hook_file: String,
    /// The host paths of `/etc/rc.d` and `LOCALBASE/etc/rc.d`.
    dirs: [PathBuf; 2],
    entries: Vec<Entry>,
    /// The file names and service names of `entries`.
    text: String,
    notes: Vec<Note>,
    racct: Racct,
}

/// Counts over every service of an audit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Services audited.
    pub services: usize,
    /// Enabled ones (`yes` or `always`).
    pub enabled: usize,
    /// Jailed ones.
    pub jailed: usize,
    /// Findings that are errors.
    pub errors: usize,
    /// Findings that are warnings.
    pub warnings: usize,
}

impl Summary {
    /// Count one service in.
    pub fn add(&mut self, s: &ServiceAudit) {
        self.services += 1;
        if matches!(s.enabled, Enabled::Yes | Enabled::Always) {
            self.enabled += 1;
        }
        if s.jailed {
            self.jailed += 1;
        }
        for f in &s.findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Note => {}
            }
        }
    }
}

impl Auditor {
    /// The first pass over the rc.d directories under `cfg.root`.
    pub fn new(cfg: &AuditConfig) -> Result<Self> {
        if !cfg.root.is_dir() {
            return Err(Error::NoInput {
                path: cfg.root.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            });
        }
        let localbase = Path::new("/").join(&cfg.localbase);
        let hook = hook_installed(&cfg.root, &localbase);
        let hook_file = hook_path(&localbase).display().to_string();
        let mut loader = Loader::new(&cfg.root, &localbase);
        let mut entries = Vec::new();
        let mut text = String::new();
        let dirs = [PathBuf::from("/etc/rc.d"), localbase.join("etc/rc.d")];
        for (i, dir) in (0u8..).zip(&dirs) {
            let real = loader.real(dir);
            let list = match std::fs::read_dir(&real) {
                Ok(rd) => rd,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    loader.notes.insert(Note {
                        file: dir.display().to_string(),
                        line: 0,
                        text: format!("cannot read directory: {e}"),
                    });
                    continue;
                }
            };
            // The file names go straight into the entries' text (one
            // allocation, not one per name), sorted through their spans.
            let mut files: Vec<(u32, u32)> = list
                .filter_map(|e| e.ok())
                .filter(|e| !e.path().is_dir())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| !n.starts_with('.') && !n.ends_with('~') && !n.ends_with(".sample"))
                .map(|n| push_part(&mut text, &n))
                .collect();
            files.sort_unstable_by(|a, b| part(&text, *a).cmp(part(&text, *b)));
            entries.reserve_exact(files.len());
            for file in files {
                let f = part(&text, file);
                let host = dir.join(f);
                let name = match loader.read_script(&host) {
                    Ok(s) if s.run_rc_command.is_none() => {
                        loader.notes.insert(not_rc_script(&host));
                        continue;
                    }
                    Ok(s) => s.name().filter(|n| *n != f).map(str::to_string),
                    Err(_) => None,
                };
                let name = name.map_or(file, |n| push_part(&mut text, &n));
                entries.push(Entry { file, name, dir: i });
            }
        }
        // (name, path) pairs are unique: an unstable sort gives the same
        // order without the stable sort's buffer of n entries.
        // The order of (name, host path): a path compares component by
        // component, so (directory, file name) compares the same way.
        entries.sort_unstable_by(|a, b| {
            let key = |e: &Entry| {
                (
                    part(&text, e.name),
                    &dirs[usize::from(e.dir)],
                    part(&text, e.file),
                )
            };
            key(a).cmp(&key(b))
        });
        entries.shrink_to_fit();
        text.shrink_to_fit();
        let notes = std::mem::take(&mut loader.notes).into_iter().collect();
        let racct = racct_at_boot(&cfg.root);
        Ok(Auditor {
            loader,
            hook,
            hook_file,
            dirs,
            entries,
            text,
            notes,
            racct,
        })
    }

    /// Every note about the host's files (rc.conf constructs that were
    /// not evaluated, files that are not rc.d scripts), sorted.  Complete
    /// after the first pass.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// The second pass: audit each service in report order and hand it to
    /// `f`, which may stop the pass with an error (a closed output).
    pub fn each<E>(
        mut self,
        mut f: impl FnMut(ServiceAudit) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        for e in std::mem::take(&mut self.entries) {
            let file = part(&self.text, e.file);
            let host = self.dirs[usize::from(e.dir)].join(file);
            let s = audit_one(&mut self.loader, &host, file, &self.hook, &self.racct);
            // The first pass has every note already.
            self.loader.notes.clear();
            if let Some(s) = s {
                f(s)?;
            }
        }
        Ok(())
    }

    /// Audit and print the report to `out` as text (`json` false) or as
    /// the JSON document of [`AuditReport::to_json`], one service at a
    /// time: the same bytes as [`AuditReport::render_text`] and the pretty
    /// [`AuditReport::to_json`] give.  Returns the counts (for the exit
    /// status).
    pub fn write(mut self, out: &mut dyn std::io::Write, json: bool) -> std::io::Result<Summary> {
        let mut sum = Summary::default();
        let hook = self.hook.clone();
        let notes = std::mem::take(&mut self.notes);
        if json {
            let head = serde_json::to_string_pretty(&json!({
                "hook": { "file": self.hook_file, "status": hook },
                "notes": notes.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            }))
            .map_err(std::io::Error::other)?;
            // The head without its closing brace, then the services.
            let head = head.strip_suffix("\n}").unwrap_or(&head);
            write!(out, "{head},\n  \"services\": [")?;
            let mut first = true;
            self.each(|s| {
                sum.add(&s);
                let v = serde_json::to_value(&s).map_err(std::io::Error::other)?;
                let text = serde_json::to_string_pretty(&v).map_err(std::io::Error::other)?;
                let sep = if first { "" } else { "," };
                first = false;
                write!(out, "{sep}\n    {}", indent(&text, 4))
            })?;
            if !first {
                out.write_all(b"\n  ")?;
            }
            let summary = serde_json::to_value(sum)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .map_err(std::io::Error::other)?;
            writeln!(out, "],\n  \"summary\": {}\n}}", indent(&summary, 2))?;
        } else {
            out.write_all(TABLE_HEADER.as_bytes())?;
            let mut buf = String::new();
            self.each(|s| {
                sum.add(&s);
                buf.clear();
                render_service(&mut buf, &s);
                out.write_all(buf.as_bytes())
            })?;
            buf.clear();
            render_footer(&mut buf, &hook, &sum, &notes);
            out.write_all(buf.as_bytes())?;
        }
        Ok(sum)
    }
}

/// Indent every line of `text` but the first by `n` spaces.
fn indent(text: &str, n: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(n)))
}

/// Whether the audited FreeBSD host boots with resource accounting
/// (`kern.racct.enable`, a loader tunable: off by default on GENERIC), as
/// its loader configuration says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Racct {
    /// `kern.racct.enable=1` is set.
    On,
    /// Not set, or set to something else: the reason.
    Off(String),
}

/// Read `kern.racct.enable` from the loader files under `root` in the
/// order loader(8) reads them (`/boot/loader.conf`, `/boot/loader.conf.d/
/// *.conf`, `/boot/loader.conf.local`; the last setting wins): stand's
/// defaults/loader.conf names them as `loader_conf_files`,
/// `loader_conf_dirs` and `local_loader_conf_files`, processed in that
/// order (loader.conf(5)).
pub fn racct_at_boot(root: &Path) -> Racct {
    let real = |p: &str| root.join(p.trim_start_matches('/'));
    let mut files = vec!["/boot/loader.conf".to_string()];
    if let Ok(rd) = std::fs::read_dir(real("/boot/loader.conf.d")) {
        let mut d: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".conf"))
            .map(|n| format!("/boot/loader.conf.d/{n}"))
            .collect();
        d.sort();
        files.extend(d);
    }
    files.push("/boot/loader.conf.local".to_string());
    let mut last: Option<(String, String)> = None;
    for f in &files {
        let Ok(text) = std::fs::read_to_string(real(f)) else {
            continue;
        };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == "kern.racct.enable" {
                    last = Some((f.clone(), v.trim().trim_matches('"').to_string()));
                }
            }
        }
    }
    match last {
        Some((_, v)) if v == "1" => Racct::On,
        Some((f, v)) => Racct::Off(format!("{f} sets kern.racct.enable={v:?} (limits need 1)")),
        None => Racct::Off(
            "resource accounting is off at boot (kern.racct.enable is not set in \
             /boot/loader.conf)"
                .into(),
        ),
    }
}

/// The note for a file in an rc.d directory that is no rc.d script.
fn not_rc_script(host: &Path) -> Note {
    Note {
        file: host.display().to_string(),
        line: 0,
        text: "not an rc.d script (no run_rc_command): not audited".into(),
    }
}

fn audit_one(
    loader: &mut Loader,
    host: &Path,
    file_name: &str,
    hook: &HookState,
    racct: &Racct,
) -> Option<ServiceAudit> {
    let script_path = host.display().to_string();
    let mut svc = ServiceAudit {
        name: file_name.to_string(),
        script: script_path.clone(),
        rcvar: None,
        enabled: Enabled::Unknown,
        enable_value: None,
        jailed: false,
        jailed_by: None,
        exempted: None,
        options: String::new(),
        options_from: None,
        addresses: String::new(),
        addresses_from: None,
        rctl: String::new(),
        rctl_from: None,
        params: None,
        exposure: None,
        command: None,
        pidfile: None,
        methods: Vec::new(),
        extra_commands: Vec::new(),
        findings: Vec::new(),
        notes: Vec::new(),
    };
    let s: RcScript = match loader.read_script(host) {
        Ok(s) => s,
        Err(e) => {
            svc.push(
                Severity::Warning,
                format!("{script_path}: cannot read: {e}"),
                "make the script readable by the auditing user, or audit as root".into(),
            );
            return Some(svc);
        }
    };
    // Not an rc.d script: noted by the first pass (Auditor::new).
    s.run_rc_command?;
    svc.notes = s.notes.iter().map(|n| n.to_string()).collect();
    let nonempty = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_string);
    svc.command = nonempty(s.var("command"));
    svc.pidfile = nonempty(s.var("pidfile"));
    svc.extra_commands = s.extra_commands();
    for cmd in ["start", "stop", "restart", "reload", "status", "poll"]
        .iter()
        .map(|c| c.to_string())
        .chain(svc.extra_commands.iter().cloned())
    {
        let var = format!("{cmd}_cmd");
        if let Some(v) = nonempty(s.var(&var)) {
            svc.methods.push(format!("{var}={v}"));
        }
    }
    let name = match s.name() {
        Some(n) => n.to_string(),
        None => {
            svc.push(
                Severity::Warning,
                "the script sets no `name=`; using its file name".into(),
                format!("add `name=\"{file_name}\"` to the script"),
            );
            file_name.to_string()
        }
    };
    svc.name = name.clone();
    if s.load_rc_config.is_none() {
        svc.push(
            Severity::Warning,
            "the script never calls load_rc_config: rc.conf does not apply to it".into(),
            "add `load_rc_config $name` before run_rc_command".into(),
        );
    }

    // Enabled: rc.subr's checkyesno on the rcvar.
    svc.rcvar = s.rcvar().map(str::to_string);
    svc.enabled = match s.rcvar() {
        None => Enabled::Always,
        Some(rcvar) => {
            let v = s.var(rcvar).unwrap_or("");
            svc.enable_value = s.var(rcvar).map(str::to_string);
            match rcconf::yes_no(v) {
                Some(true) => Enabled::Yes,
                Some(false) => Enabled::No,
                None => {
                    svc.push(
                        Severity::Warning,
                        format!("{rcvar} is not set properly ({v:?}); rc.subr treats it as NO"),
                        format!("set {rcvar}=\"YES\" or {rcvar}=\"NO\" in rc.conf"),
                    );
                    Enabled::No
                }
            }
        }
    };

    // Jailed: the per-service value wins either way; empty falls back to
    // svcj_all_enable.
    let svcj_var = format!("{name}_svcj");
    let (by, value) = match s.var(&svcj_var).filter(|v| !v.is_empty()) {
        Some(v) => (Some(svcj_var.clone()), v.to_string()),
        None => match s.var("svcj_all_enable").filter(|v| !v.is_empty()) {
            Some(v) => (Some("svcj_all_enable".to_string()), v.to_string()),
            None => (None, String::new()),
        },
    };
    if let Some(var) = &by {
        match rcconf::yes_no(&value) {
            Some(j) => svc.jailed = j,
            None => svc.push(
                Severity::Warning,
                format!("{var} is not set properly ({value:?}); treated as NO"),
                format!("set {var}=\"YES\" or {var}=\"NO\" in rc.conf"),
            ),
        }
    }
    if let Some(v) = by.as_deref().and_then(|b| s.env.get_value(b)) {
        if v.origin.file() == s.path {
            svc.push(
                Severity::Warning,
                format!(
                    "{} is set by the script itself ({}), not by the admin",
                    by.as_deref().unwrap_or(""),
                    v.origin
                ),
                "report it to the port's maintainer (svcj-check lint flags it); \
                 set the value you want in rc.conf"
                    .into(),
            );
        }
    }
    svc.jailed_by = by;
    if svc.jailed {
        let text = std::fs::read_to_string(loader.real(host)).unwrap_or_default();
        svc.exempted = exempt::exemption(&exempt::Service {
            name: &name,
            script: &svc.script,
            text: &text,
            own_value: svc.jailed_by.as_deref() == Some(svcj_var.as_str()),
        });
        if svc.exempted.is_some() {
            svc.jailed = false;
        }
    }

    // Options and addresses.
    let opt_var = format!("{name}_svcj_options");
    let addr_var = format!("{name}_svcj_ipaddrs");
    if let Some(v) = s.env.get_value(&opt_var) {
        svc.options = v.value.split_whitespace().collect::<Vec<_>>().join(" ");
        svc.options_from = Some(v.origin.to_string());
    }
    if let Some(v) = s.env.get_value(&addr_var) {
        svc.addresses = v.value.split_whitespace().collect::<Vec<_>>().join(" ");
        svc.addresses_from = Some(v.origin.to_string());
    }
    // Problems with the options only break a jailed service; for others
    // they are latent (warnings).
    let sev = if svc.jailed {
        Severity::Error
    } else {
        Severity::Warning
    };
    let from = |o: &Option<String>| {
        o.as_deref()
            .map_or(String::new(), |o| format!(" (set at {o})"))
    };
    match options::parse(&svc.options, &svc.addresses) {
        Ok(p) => {
            for w in &p.unknown {
                svc.push(
                    sev,
                    format!(
                        "unknown service jail option: {}{}",
                        options::printable(w),
                        from(&svc.options_from)
                    ),
                    format!(
                        "remove it from {opt_var}; known words: {}",
                        options::SvcjOption::ALL.map(|o| o.word()).join(" ")
                    ),
                );
            }
            if !p.unused_addrs.is_empty() {
                let list: Vec<String> = p.unused_addrs.iter().map(|a| a.to_string()).collect();
                svc.push(
                    Severity::Warning,
                    format!(
                        "{addr_var} has {} that no network option uses",
                        list.join(" ")
                    ),
                    format!("add netv4/netv6/net_basic to {opt_var}, or remove the addresses"),
                );
            }
            svc.params = Some(p.params.jail_words());
            if svc.jailed {
                svc.exposure = Some(p.params.exposure());
            }
        }
        Err(e @ Error::SysvipcConflict { .. }) => svc.push(
            sev,
            format!("{e}{}", from(&svc.options_from)),
            format!("keep one of sysvipc and sysvipcnew in {opt_var}"),
        ),
        Err(e) => svc.push(
            sev,
            format!("{e}{}", from(&svc.addresses_from)),
            format!("give bare IPv4/IPv6 addresses in {addr_var}"),
        ),
    }

    // Resource limits: rules rctl(8) refuses, and rules this host cannot
    // apply (a FreeBSD host boots with resource accounting off unless
    // loader.conf turns it on; a jailed start with limits then fails).
    let rctl_var = format!("{name}_svcj_rctl");
    if let Some(v) = s.env.get_value(&rctl_var) {
        svc.rctl = v.value.split_whitespace().collect::<Vec<_>>().join(" ");
        svc.rctl_from = Some(v.origin.to_string());
    }
    if !svc.rctl.is_empty() {
        match crate::rctl::parse(&svc.rctl) {
            Err(Error::BadRule { rule, reason, fix }) => {
                svc.push(
                    sev,
                    format!(
                        "invalid rctl rule {rule:?} in {rctl_var}: {reason}{}",
                        from(&svc.rctl_from)
                    ),
                    fix,
                );
                if let Some(f) = svc.findings.last_mut() {
                    f.rule = Some("bad-rctl");
                }
            }
            Err(e) => svc.push(sev, e.to_string(), format!("correct {rctl_var}")),
            Ok(_) if !svc.jailed => svc.push(
                Severity::Warning,
                format!(
                    "{rctl_var} limits nothing: the service is not jailed{}",
                    from(&svc.rctl_from)
                ),
                format!("jail the service ({svcj_var}=\"YES\"), or remove {rctl_var}"),
            ),
            Ok(_) => {
                if let Racct::Off(why) = racct {
                    svc.push(
                        Severity::Error,
                        format!(
                            "the service will not start: it has limits ({rctl_var}), but {why}"
                        ),
                        "add kern.racct.enable=1 to /boot/loader.conf and reboot".into(),
                    );
                }
            }
        }
    }

    if svc.jailed {
        match hook {
            HookState::Installed { .. } => {}
            HookState::NotSourced { detail, fix } => svc.push(
                Severity::Error,
                format!("jailed, but the svcj-tools hook is not loaded: {detail}"),
                fix.clone(),
            ),
            HookState::Missing { detail, fix } => svc.push(
                Severity::Error,
                format!("jailed, but the svcj-tools hook is missing: {detail}"),
                fix.clone(),
            ),
        }
        if HOST_ONLY_SERVICES.contains(&name.as_str()) {
            svc.push(
                Severity::Error,
                format!("{name} configures the host (kernel, network, mounts or devices) and cannot work jailed"),
                format!("set {svcj_var}=\"NO\" in rc.conf"),
            );
        }
        if let Some((kw, line)) = lint::nojail_keyword(&s) {
            svc.push(
                Severity::Warning,
                format!(
                    "{}:{line}: the script declares `# KEYWORD: {kw}` (it must not run in a \
                     jail), but {svcj_var} jails it: rc.subr does not read the keyword",
                    s.path
                ),
                format!("set {svcj_var}=\"NO\" in rc.conf"),
            );
            if let Some(f) = svc.findings.last_mut() {
                f.rule = Some("nojail-jailed");
            }
        }
        for f in lint::jail_findings(&s) {
            svc.push(
                Severity::Error,
                format!("cannot work jailed: {}:{}: {}", s.path, f.line, f.message),
                f.fix,
            );
            if let Some(x) = svc.findings.last_mut() {
                x.rule = Some(f.rule);
            }
        }
    }
    Some(svc)
}

/// Column widths of the text table (80 columns).
const W_NAME: usize = 16;
const W_ENABLED: usize = 7;
const W_JAILED: usize = 6;
const W_EXPOSURE: usize = 11;
const W_OPTIONS: usize = 35;
const WIDTH: usize = 79;

fn truncate(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(w - 1).collect();
        t.push('…');
        t
    }
}

/// Word-wrap `text` to `WIDTH` columns: `first` prefixes the first line,
/// `indent` the others.  A line break in `text` starts a new line (so a
/// shell line to copy, such as preflight's fixes give, stays whole).
fn wrap(out: &mut String, first: &str, indent: &str, text: &str) {
    for (n, para) in text.split('\n').enumerate() {
        let lead = if n == 0 { first } else { indent };
        wrap_para(out, lead, indent, para);
    }
}

fn wrap_para(out: &mut String, first: &str, indent: &str, text: &str) {
    let mut line = first.to_string();
    let mut empty = first.trim().is_empty();
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if !empty && len + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// The heading line of the text table.
const TABLE_HEADER: &str = "NAME             ENABLED JAILED EXPOSURE    OPTIONS\n";

/// The text table's row for a service, with its findings below it.
fn render_service(out: &mut String, s: &ServiceAudit) {
    let exposure = s.exposure.map_or("-".to_string(), |e| e.to_string());
    let options = if s.options.is_empty() {
        "-".to_string()
    } else {
        truncate(&s.options, W_OPTIONS)
    };
    let row = format!(
        "{:<W_NAME$} {:<W_ENABLED$} {:<W_JAILED$} {:<W_EXPOSURE$} {}",
        truncate(&s.name, W_NAME),
        s.enabled.as_str(),
        if s.jailed { "yes" } else { "no" },
        exposure,
        options
    );
    out.push_str(row.trim_end());
    out.push('\n');
    if !s.rctl.is_empty() {
        wrap(out, "  limits:", "      ", &s.rctl);
    }
    if let Some(e) = s.exempted {
        wrap(out, "  not jailed:", "      ", &e.to_string());
    }
    for f in &s.findings {
        wrap(out, &format!("  {}:", f.severity), "      ", &f.message);
        wrap(out, "      fix:", "        ", &f.fix);
    }
}

/// What follows the table: the hook, the counts and the notes.
fn render_footer(out: &mut String, hook: &HookState, sum: &Summary, notes: &[Note]) {
    out.push('\n');
    let hook = match hook {
        HookState::Installed { detail } => format!("hook: installed; {detail}"),
        HookState::NotSourced { detail, .. } => format!("hook: NOT LOADED; {detail}"),
        HookState::Missing { detail, .. } => format!("hook: MISSING; {detail}"),
    };
    wrap(out, "", "  ", &hook);
    let (e, w) = (sum.errors, sum.warnings);
    out.push_str(&format!(
        "{} services: {} enabled, {} jailed; {e} {}, {w} {}\n",
        sum.services,
        sum.enabled,
        sum.jailed,
        if e == 1 { "error" } else { "errors" },
        if w == 1 { "warning" } else { "warnings" },
    ));
    if !notes.is_empty() {
        out.push_str("not evaluated (never run):\n");
        for n in notes {
            wrap(out, "  ", "    ", &n.to_string());
        }
    }
}

impl AuditReport {
    /// The counts over every service.
    pub fn summary(&self) -> Summary {
        let mut sum = Summary::default();
        for s in &self.services {
            sum.add(s);
        }
        sum
    }

    /// True when any service has an error.
    pub fn has_errors(&self) -> bool {
        self.summary().errors > 0
    }

    /// The human report: a table of 80 columns, each service's findings
    /// below its row, then the hook state, a summary and the notes.
    pub fn render_text(&self) -> String {
        let mut out = String::from(TABLE_HEADER);
        for s in &self.services {
            render_service(&mut out, s);
        }
        render_footer(&mut out, &self.hook, &self.summary(), &self.notes);
        out
    }

    /// The JSON report: `services` (every field), `hook`, `notes` and a
    /// `summary`.
    pub fn to_json(&self) -> Value {
        json!({
            "services": self.services,
            "hook": { "file": self.hook_file, "status": self.hook },
            "notes": self.notes.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            "summary": self.summary(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_and_wrapping() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        let mut out = String::new();
        wrap(&mut out, "  x:", "    ", &"word ".repeat(30));
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        assert!(out.lines().nth(1).unwrap().starts_with("    word"));
    }

    #[test]
    fn racct_follows_the_loader_files_in_loader_order() {
        let t = std::env::temp_dir().join(format!("svcj-racct-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&t);
        std::fs::create_dir_all(t.join("boot/loader.conf.d")).unwrap();
        // Nothing set: GENERIC's default, off.
        assert!(matches!(racct_at_boot(&t), Racct::Off(w) if w.contains("not set")));
        std::fs::write(t.join("boot/loader.conf"), "kern.racct.enable=\"1\" # on\n").unwrap();
        assert_eq!(racct_at_boot(&t), Racct::On);
        // loader.conf.d comes after loader.conf, loader.conf.local last.
        std::fs::write(t.join("boot/loader.conf.d/a.conf"), "kern.racct.enable=0\n").unwrap();
        assert!(
            matches!(racct_at_boot(&t), Racct::Off(w) if w.contains("/boot/loader.conf.d/a.conf"))
        );
        std::fs::write(t.join("boot/loader.conf.d/a.txt"), "kern.racct.enable=1\n").unwrap();
        assert!(matches!(racct_at_boot(&t), Racct::Off(_)), "only *.conf");
        std::fs::write(t.join("boot/loader.conf.local"), "kern.racct.enable=1\n").unwrap();
        assert_eq!(racct_at_boot(&t), Racct::On);
        std::fs::write(t.join("boot/loader.conf.local"), "#kern.racct.enable=1\n").unwrap();
        assert!(
            matches!(racct_at_boot(&t), Racct::Off(_)),
            "a comment sets nothing"
        );
        std::fs::remove_dir_all(&t).unwrap();
    }

    #[test]
    fn the_table_header_lines_up_with_the_rows() {
        let want = format!(
            "{:<W_NAME$} {:<W_ENABLED$} {:<W_JAILED$} {:<W_EXPOSURE$} {}\n",
            "NAME", "ENABLED", "JAILED", "EXPOSURE", "OPTIONS"
        );
        assert_eq!(TABLE_HEADER, want);
    }

    #[test]
    fn hook_path_follows_localbase() {
        assert_eq!(
            hook_path(Path::new("/opt/local")),
            PathBuf::from("/opt/local/etc/rc.subr.d/svcj-tools.sh")
        );
        assert_eq!(
            hook_path(Path::new("usr/local")),
            PathBuf::from("/usr/local/etc/rc.subr.d/svcj-tools.sh")
        );
    }
}
