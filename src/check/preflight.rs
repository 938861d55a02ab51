//! `svcj-check preflight`: can a service jail be created here, now, and is
//! the rc.subr hook in place?
//!
//! Each item is OK, WARN or FAIL, and every FAIL says what to do.  The
//! items that decide whether a jail can be *created* (root, kernel
//! support, nested-jail capacity) ask the running system; the hook items
//! read files below a root directory (default `/`) so that tests and
//! admins inspecting a mounted disk can point them at another tree.
//!
//! Exit status: 0 when nothing failed; `EX_UNAVAILABLE` (69) when a
//! service jail cannot be created here now (not root, no kernel support,
//! nested-jail capacity exhausted); otherwise `EX_CONFIG` (78) when only
//! the hook is missing or not sourced.

use crate::platform::{NestedLimits, Platform};
use crate::sysexits::{EX_CONFIG, EX_OK, EX_UNAVAILABLE};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where the hook is installed, relative to LOCALBASE.
pub const HOOK_REL: &str = "etc/rc.subr.d/svcj-tools.sh";

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum State {
    /// Fine.
    Ok,
    /// Works, but not as intended, or could not be verified.
    Warn,
    /// Service jails will not work until this is fixed.
    Fail,
}

impl State {
    fn label(self) -> &'static str {
        match self {
            State::Ok => "OK",
            State::Warn => "WARN",
            State::Fail => "FAIL",
        }
    }
}

/// What a failing item prevents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Creating any service jail (svcj-exec refuses).
    Create,
    /// Jailing rc.d services (the shims are not loaded).
    Hook,
}

/// One checked item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Short name of the check.
    pub check: &'static str,
    /// Result.
    pub state: State,
    /// What was found.
    pub detail: String,
    /// What to do, for WARN and FAIL.
    pub fix: Option<String>,
    /// What a failure prevents.
    pub kind: Kind,
}

impl Item {
    fn new(check: &'static str, kind: Kind, state: State, detail: impl Into<String>) -> Self {
        Item {
            check,
            state,
            detail: detail.into(),
            fix: None,
            kind,
        }
    }

    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// What to check.
#[derive(Debug, Clone)]
pub struct Config {
    /// Root of the tree holding `/etc/rc.subr` and friends.
    pub root: PathBuf,
    /// LOCALBASE as an absolute path (default `/usr/local`).
    pub localbase: PathBuf,
    /// Try an unshare(2) in a child on Linux (the binary does; unit tests
    /// do not).
    pub probe_unshare: bool,
}

impl Config {
    /// Checks under `root`, LOCALBASE from the environment.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let localbase = std::env::var_os("LOCALBASE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/local"));
        Config {
            root: root.into(),
            localbase,
            probe_unshare: true,
        }
    }

    /// The hook's path on the target system (not below root).
    pub fn hook_path(&self) -> PathBuf {
        self.localbase.join(HOOK_REL)
    }

    /// `abs` (an absolute path on the target system) below root.
    pub fn under_root(&self, abs: &Path) -> PathBuf {
        self.root.join(abs.strip_prefix("/").unwrap_or(abs))
    }
}

/// The whole preflight.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Items in the order checked.
    pub items: Vec<Item>,
}

impl Report {
    /// The sysexits code (see the module documentation).
    pub fn exit_code(&self) -> i32 {
        let failed = |k: Kind| {
            self.items
                .iter()
                .any(|i| i.state == State::Fail && i.kind == k)
        };
        if failed(Kind::Create) {
            EX_UNAVAILABLE
        } else if failed(Kind::Hook) {
            EX_CONFIG
        } else {
            EX_OK
        }
    }

    /// One line per item (wrapped within 80 columns), fixes indented.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for i in &self.items {
            let words: Vec<&str> = i.detail.split(' ').collect();
            out.push_str(&super::wrap_words(
                &format!("{:<5} {}:", i.state.label(), i.check),
                &words,
                6,
            ));
            if let Some(fix) = &i.fix {
                for (n, para) in fix.lines().enumerate() {
                    if para.starts_with("    ") {
                        // A line to copy verbatim: never wrapped.
                        out.push_str(&format!("      {para}\n"));
                    } else {
                        let words: Vec<&str> = para.split(' ').collect();
                        let lead = if n == 0 { "      fix:" } else { "           " };
                        out.push_str(&super::wrap_words(lead, &words, 11));
                    }
                }
            }
        }
        out
    }
}

/// True for a line of shell that is not blank and not a comment.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|l| {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            return None;
        }
        // Drop a trailing comment (a '#' that starts a word).
        Some(match l.find(" #").or_else(|| l.find("\t#")) {
            Some(i) => l[..i].trim_end(),
            None => l,
        })
    })
}

fn unquote(w: &str) -> &str {
    let w = w.trim_end_matches(';');
    for q in ['"', '\''] {
        if let Some(inner) = w.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner;
        }
    }
    w
}

/// Commands that read a file into the running shell: `.`, and rc.subr's
/// own wrappers around it (`vdot` is how rc.subr reads local.rc.subr).
pub const SOURCE_COMMANDS: [&str; 6] = [".", "source", "vdot", "sdot", "dot", "safe_dot"];

/// Does the shell text `text` source one of `targets`?
pub fn sources(text: &str, targets: &[String]) -> bool {
    code_lines(text).any(|line| {
        line.split([';', '&', '|']).any(|cmd| {
            let toks: Vec<&str> = cmd.split_whitespace().collect();
            toks.windows(2).any(|w| {
                SOURCE_COMMANDS.contains(&w[0]) && targets.iter().any(|t| unquote(w[1]) == t)
            })
        })
    })
}

/// Does the shell text mention `needle` outside comments?
pub fn mentions(text: &str, needle: &str) -> bool {
    code_lines(text).any(|l| l.contains(needle))
}

/// The spellings of the hook path that count as sourcing it.
fn hook_spellings(cfg: &Config) -> Vec<String> {
    let abs = cfg.hook_path().display().to_string();
    let mut v = vec![abs];
    if cfg.localbase == Path::new("/usr/local") {
        v.push(format!("${{LOCALBASE:-/usr/local}}/{HOOK_REL}"));
    }
    v
}

/// The hook items: installed, and sourced from the right place.
pub fn hook_items(cfg: &Config, freebsd: bool) -> Vec<Item> {
    let hook = cfg.hook_path();
    // The text to add sources the hook with `command .` (a missing file
    // is then an error message, not the end of rc.subr) and, while it
    // cannot be loaded (/usr/local not yet mounted at boot), refuses the
    // services that ask for a jail.
    // What to add: the boot-safe text (it also works where /usr/local is
    // mounted after /etc/rc has read it).
    let sample = cfg.localbase.join(SAMPLE_REL);
    let append = |to: &str| format!("cat {} >> {to}", sample.display());
    let mut items = Vec::new();
    let read = |p: &str| std::fs::read_to_string(cfg.under_root(Path::new(p))).ok();
    let rc_subr = read("/etc/rc.subr");
    let installed = cfg.under_root(&hook).is_file();
    items.push(if installed {
        Item::new(
            "hook installed",
            Kind::Hook,
            State::Ok,
            hook.display().to_string(),
        )
    } else if rc_subr.is_none() && !freebsd {
        Item::new(
            "hook installed",
            Kind::Hook,
            State::Warn,
            format!("{} does not exist (no rc.subr here either)", hook.display()),
        )
        .fix("none needed unless rc.d scripts are run here")
    } else {
        Item::new(
            "hook installed",
            Kind::Hook,
            State::Fail,
            format!("{} does not exist", hook.display()),
        )
        .fix("install the svcj-tools package (pkg install svcj-tools), which provides it")
    });

    let targets = hook_spellings(cfg);
    let Some(rc_subr) = rc_subr else {
        let (state, fix) = if freebsd {
            (State::Fail, "restore /etc/rc.subr from the base system")
        } else {
            (
                State::Warn,
                "none needed unless rc.d scripts are run here; svcj-exec and svcj-kill \
                 work without the hook",
            )
        };
        items.push(
            Item::new(
                "hook sourced",
                Kind::Hook,
                state,
                "there is no /etc/rc.subr, so the hook cannot be loaded",
            )
            .fix(fix),
        );
        return items;
    };
    let local = read("/etc/local.rc.subr").unwrap_or_default();
    let rc_conf = read("/etc/rc.conf").unwrap_or_default();
    let in_local = sources(&local, &targets);
    let in_rc_conf = sources(&rc_conf, &targets);
    let item = if mentions(&rc_subr, "/etc/local.rc.subr") {
        if in_local {
            Item::new(
                "hook sourced",
                Kind::Hook,
                State::Ok,
                format!("/etc/local.rc.subr sources {}", hook.display()),
            )
        } else if in_rc_conf {
            Item::new(
                "hook sourced",
                Kind::Hook,
                State::Warn,
                "/etc/rc.conf sources the hook, but this rc.subr reads \
                 /etc/local.rc.subr, the intended place",
            )
            .fix(format!(
                "move the svcj-tools lines from /etc/rc.conf to /etc/local.rc.subr:\n    {}",
                append("/etc/local.rc.subr")
            ))
        } else {
            Item::new(
                "hook sourced",
                Kind::Hook,
                State::Fail,
                "/etc/local.rc.subr does not source the hook: services with \
                 <name>_svcj=YES get only this rc.subr's native service-jail \
                 support, if it has any",
            )
            .fix(format!(
                "append the svcj-tools text to /etc/local.rc.subr (this creates \
                 the file if needed):\n    {}",
                append("/etc/local.rc.subr")
            ))
        }
    } else if in_rc_conf {
        Item::new(
            "hook sourced",
            Kind::Hook,
            State::Ok,
            format!(
                "/etc/rc.conf sources {} (this rc.subr does not read /etc/local.rc.subr)",
                hook.display()
            ),
        )
    } else {
        let why = if in_local {
            "/etc/local.rc.subr has the line, but this rc.subr never reads that file"
        } else {
            "this rc.subr does not read /etc/local.rc.subr and /etc/rc.conf does not \
             source the hook: services with <name>_svcj=YES start without a jail"
        };
        Item::new("hook sourced", Kind::Hook, State::Fail, why).fix(format!(
            "append the svcj-tools text to /etc/rc.conf:\n    {}",
            append("/etc/rc.conf")
        ))
    };
    let sourced_from_local = item.state != State::Fail && in_local;
    let sourced = item.state != State::Fail;
    let place = if sourced_from_local {
        "/etc/local.rc.subr"
    } else {
        "/etc/rc.conf"
    };
    items.push(item);
    let text = if sourced_from_local { &local } else { &rc_conf };
    if sourced && !has_boot_fallback(text) {
        let fstab = read("/etc/fstab").unwrap_or_default();
        let late: Vec<String> = late_mounts(&fstab, &cfg.localbase);
        if !late.is_empty() {
            items.push(
                Item::new(
                    "hook at boot",
                    Kind::Hook,
                    State::Fail,
                    format!(
                        "{} {} mounted from /etc/fstab after /etc/rc has read {place}: \
                         the plain hook line cannot load then, and services that ask \
                         for a jail start without one on an rc.subr without native \
                         service jails",
                        late.join(" and "),
                        if late.len() == 1 { "is" } else { "are" }
                    ),
                )
                .fix(format!(
                    "replace the svcj-tools line in {place} by the boot-safe text:\n    {}",
                    append(place)
                )),
            );
        }
    }
    if sourced_from_local && reads_local_with_vdot(&rc_subr) {
        if let Some(i) = vdot_item(veriexec_state(cfg), &hook) {
            items.push(i);
        }
    }
    items
}

/// The boot-safe hook text, relative to LOCALBASE (installed from
/// `shims/local.rc.subr`).
pub const SAMPLE_REL: &str = "share/svcj-tools/local.rc.subr";

/// Does the text that sources the hook carry the boot fallback of
/// `local.rc.subr` (the stand-in that retries at call time)?
pub fn has_boot_fallback(text: &str) -> bool {
    code_lines(text).any(|l| l.contains("_svcjt_stub_orig"))
}

/// The file systems in `fstab` that hold the hook and are mounted by
/// mountcritlocal, after /etc/rc has read rc.subr and rc.conf: `/usr`, or
/// LOCALBASE or one of its parents below `/`.
pub fn late_mounts(fstab: &str, localbase: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for l in code_lines(fstab) {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() < 3 || f[2] == "swap" {
            continue;
        }
        let opts = f.get(3).copied().unwrap_or("");
        if opts.split(',').any(|o| o == "noauto") {
            continue;
        }
        let mp = Path::new(f[1]);
        if mp != Path::new("/") && localbase.starts_with(mp) && !out.contains(&f[1].to_string()) {
            out.push(f[1].to_string());
        }
    }
    out
}

/// Does this rc.subr read `/etc/local.rc.subr` with `vdot` (which skips
/// an empty file, and under mac_veriexec an unverified one)?
pub fn reads_local_with_vdot(rc_subr: &str) -> bool {
    code_lines(rc_subr).any(|l| {
        let toks: Vec<&str> = l.split_whitespace().collect();
        toks.windows(2)
            .any(|w| w[0] == "vdot" && unquote(w[1]) == "/etc/local.rc.subr")
    })
}

/// mac_veriexec, when it is active: whether the files the hook line needs
/// are verified (`veriexec -x`).  `vdot` reads local.rc.subr with the
/// shell's `verify` option on, so the hook file sourced from it must be
/// verified as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Veriexec {
    /// `/etc/local.rc.subr` is verified.
    pub local_verified: bool,
    /// The hook file is verified.
    pub hook_verified: bool,
}

/// The "hook read" item for an rc.subr that reads local.rc.subr with
/// `vdot`, when local.rc.subr holds the hook line (so it is not empty,
/// which vdot would skip): `None` when mac_veriexec is inactive or
/// unknown.
pub fn vdot_item(veriexec: Option<Veriexec>, hook: &Path) -> Option<Item> {
    let v = veriexec?;
    let mut unverified = Vec::new();
    if !v.local_verified {
        unverified.push("/etc/local.rc.subr".to_string());
    }
    if !v.hook_verified {
        unverified.push(hook.display().to_string());
    }
    if unverified.is_empty() {
        return Some(Item::new(
            "hook read",
            Kind::Hook,
            State::Ok,
            "mac_veriexec is active and /etc/local.rc.subr and the hook are verified",
        ));
    }
    Some(
        Item::new(
            "hook read",
            Kind::Hook,
            State::Fail,
            format!(
                "mac_veriexec is active and {} not verified: this rc.subr's vdot \
                 skips an unverified /etc/local.rc.subr, and the hook is read with \
                 verification on, so the hook never loads",
                if unverified.len() == 1 {
                    format!("{} is", unverified[0])
                } else {
                    format!("{} are", unverified.join(" and "))
                }
            ),
        )
        .fix(format!(
            "add {} to the veriexec manifest (and load it), or leave service \
             jails off on this host",
            unverified.join(" and ")
        )),
    )
}

/// Ask the running system whether mac_veriexec is active, and if so
/// whether the hook line's files are verified.  Only for the live root
/// of a FreeBSD host; `None` otherwise (or when veriexec is inactive).
fn veriexec_state(cfg: &Config) -> Option<Veriexec> {
    if !cfg!(target_os = "freebsd") || cfg.root != Path::new("/") {
        return None;
    }
    let run = |args: &[&str]| {
        std::process::Command::new("/sbin/veriexec")
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !run(&["-i", "active"]) {
        return None;
    }
    let hook = cfg.hook_path().display().to_string();
    Some(Veriexec {
        local_verified: run(&["-x", "/etc/local.rc.subr"]),
        hook_verified: run(&["-x", &hook]),
    })
}

/// The root item.
pub fn root_item(p: &dyn Platform) -> Item {
    if p.privileged() {
        Item::new("root", Kind::Create, State::Ok, "running as root")
    } else {
        Item::new(
            "root",
            Kind::Create,
            State::Fail,
            "not running as root: creating and entering jails needs root",
        )
        .fix("run svcj-check preflight, and the rc.d scripts, as root")
    }
}

/// Resource limits (`<name>_svcj_rctl`): whether this host can enforce
/// them.  A WARN only: services without limits are not affected, and a
/// service with limits refuses to start (fails closed) with the same
/// message.
pub fn limits_item(available: std::result::Result<(), String>) -> Item {
    match available {
        Ok(()) => Item::new(
            "limits",
            Kind::Create,
            State::Ok,
            "resource limits (<name>_svcj_rctl) can be enforced",
        ),
        Err(why) => Item::new(
            "limits",
            Kind::Create,
            State::Warn,
            format!("services with <name>_svcj_rctl will not start: {why}"),
        )
        .fix(if why == crate::platform::freebsd::rctl::JAILED_FIX {
            "set the limits of this jail from its host (rctl -a jail:NAME:RULE)"
        } else if cfg!(target_os = "freebsd") {
            "add kern.racct.enable=1 to /boot/loader.conf and reboot"
        } else {
            "mount the cgroup file system (cgroup2 on /sys/fs/cgroup)"
        }),
    }
}

/// The nested-jail item, from `limits` (or the error reading them).
pub fn nested_item(limits: crate::Result<NestedLimits>) -> Item {
    let n = match limits {
        Ok(n) => n,
        Err(e) => {
            return Item::new(
                "nested jails",
                Kind::Create,
                State::Fail,
                format!("cannot read the nested-jail state: {e}"),
            )
            .fix(
                "svcj-exec refuses to create a jail without it: check the \
                 security.jail.* sysctls (or the SVCJ_SYSCTL_FILE test override)",
            )
        }
    };
    if !n.jailed {
        return Item::new(
            "nested jails",
            Kind::Create,
            State::Ok,
            "this host is not a jail: no nested-jail limit",
        );
    }
    match n.check() {
        Ok(()) => Item::new(
            "nested jails",
            Kind::Create,
            State::Ok,
            format!(
                "this host is a jail with room for {} more (children.max={}, \
                 children.cur={})",
                n.children_max - n.children_cur,
                n.children_max,
                n.children_cur
            ),
        ),
        Err(e) => Item::new(
            "nested jails",
            Kind::Create,
            State::Fail,
            format!(
                "{e} (children.max={}, children.cur={})",
                n.children_max, n.children_cur
            ),
        )
        .fix(
            "on the enclosing host, raise this jail's limit, e.g. \
             jail -m name=THISJAIL children.max=16 (or children.max in jail.conf)",
        ),
    }
}

/// Nested limits: the `SVCJ_SYSCTL_FILE` override first, then the backend.
pub fn read_limits(p: &dyn Platform) -> crate::Result<NestedLimits> {
    let r = match NestedLimits::from_env_override() {
        Ok(Some(n)) => {
            log::debug!("nested-jail state read from SVCJ_SYSCTL_FILE");
            Ok(n)
        }
        Ok(None) => {
            log::debug!("{} backend: reading the nested-jail state", p.name());
            p.nested_limits()
        }
        Err(e) => Err(e),
    };
    match &r {
        Ok(n) => log::debug!("nested-jail state: {n:?}"),
        Err(e) => log::debug!("reading the nested-jail state failed: {e}"),
    }
    r
}

/// The kernel-support item for the running OS.
#[cfg(target_os = "linux")]
pub fn platform_item(cfg: &Config, root: bool) -> Item {
    let missing: Vec<&str> = ["pid", "net", "ipc", "mnt"]
        .into_iter()
        .filter(|ns| !Path::new("/proc/self/ns").join(ns).exists())
        .collect();
    if !missing.is_empty() {
        return Item::new(
            "kernel",
            Kind::Create,
            State::Fail,
            format!(
                "Linux without {} namespace support (/proc/self/ns/ lacks {})",
                missing.join(", "),
                missing.join(" ")
            ),
        )
        .fix(
            "use a kernel built with CONFIG_PID_NS, CONFIG_NET_NS, CONFIG_IPC_NS and mounted /proc",
        );
    }
    let base = "Linux with pid, net, ipc and mount namespaces";
    if !cfg.probe_unshare {
        return Item::new("kernel", Kind::Create, State::Ok, base);
    }
    if !root {
        return Item::new(
            "kernel",
            Kind::Create,
            State::Warn,
            format!("{base}; whether unshare(2) is permitted was not tested (not root)"),
        )
        .fix("run as root to test it");
    }
    match probe_unshare() {
        Ok(()) => Item::new(
            "kernel",
            Kind::Create,
            State::Ok,
            format!("{base}; unshare(2) permitted"),
        ),
        Err(e) => Item::new(
            "kernel",
            Kind::Create,
            State::Fail,
            format!("{base}, but unshare(2) of them failed: {e}"),
        )
        .fix(
            "allow namespace creation (a container may need --privileged, or a \
             seccomp/LSM policy may forbid unshare)",
        ),
    }
}

/// Start a child that unshares the namespaces a service jail uses, then
/// execs ourselves with `--version`; only whether the unshare worked
/// matters.  duct runs it (stdio to /dev/null, any exit status accepted);
/// the unshare(2) is a pre-exec hook set on the `Command` duct is about
/// to spawn, so an unshare failure comes back as the spawn error.
#[cfg(target_os = "linux")]
fn probe_unshare() -> std::io::Result<()> {
    use nix::sched::{unshare, CloneFlags};
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe()?;
    log::debug!(
        "probe: {} --version in a child with new pid, net, ipc and mount namespaces",
        exe.display()
    );
    let r = duct::cmd(exe, ["--version"])
        .stdin_null()
        .stdout_null()
        .stderr_null()
        .unchecked()
        .before_spawn(|cmd| {
            // SAFETY: the closure runs between fork and exec and only
            // makes the unshare(2) system call, which is async-signal-safe.
            unsafe {
                cmd.pre_exec(|| {
                    unshare(
                        CloneFlags::CLONE_NEWPID
                            | CloneFlags::CLONE_NEWNET
                            | CloneFlags::CLONE_NEWIPC
                            | CloneFlags::CLONE_NEWNS,
                    )
                    .map_err(std::io::Error::from)
                });
            }
            Ok(())
        })
        .run();
    match &r {
        Ok(o) => log::debug!("probe: the child exited with {}", o.status),
        Err(e) => log::debug!("probe: unshare(2) in the child failed: {e}"),
    }
    r.map(drop)
}

/// The kernel-support item for the running OS.
#[cfg(target_os = "freebsd")]
pub fn platform_item(_cfg: &Config, _root: bool) -> Item {
    kernel_params_item(crate::platform::freebsd::jail_param_known)
}

/// Jail parameters the options need, and the options that need them.
pub const OPTION_PARAMS: [(&str, &str); 14] = [
    ("ip4", "netv4 net_basic net_all (kernel without INET)"),
    ("ip6", "netv6 net_basic net_all (kernel without INET6)"),
    ("sysvmsg", "sysvipc sysvipcnew (load sysvmsg.ko)"),
    ("sysvsem", "sysvipc sysvipcnew (load sysvsem.ko)"),
    ("sysvshm", "sysvipc sysvipcnew (load sysvshm.ko)"),
    ("allow.mlock", "mlock"),
    ("allow.nfsd", "nfsd (kernel without the NFSD option)"),
    ("allow.raw_sockets", "net_raw net_all"),
    ("allow.reserved_ports", "netv4 netv6 net_basic net_all"),
    ("allow.routing", "routing (needs a newer FreeBSD)"),
    ("allow.setaudit", "setaudit (needs a newer FreeBSD)"),
    ("allow.settime", "settime (needs a newer FreeBSD)"),
    ("allow.socket_af", "net_all"),
    ("allow.vmm", "vmm (load vmm.ko)"),
];

/// FreeBSD's kernel item: jails are always there; a jail parameter the
/// kernel does not know makes jail_set(2) fail for the options that use
/// it, which is a warning (other options still work).  `known` tells
/// whether `security.jail.param.<name>` exists.
pub fn kernel_params_item(known: impl Fn(&str) -> bool) -> Item {
    let missing: Vec<(&str, &str)> = OPTION_PARAMS
        .iter()
        .copied()
        .filter(|(p, _)| !known(p))
        .collect();
    if missing.is_empty() {
        return Item::new(
            "kernel",
            Kind::Create,
            State::Ok,
            "FreeBSD jails; the kernel knows every parameter the options use",
        );
    }
    let names: Vec<&str> = missing.iter().map(|(p, _)| *p).collect();
    let fix: Vec<String> = missing
        .iter()
        .map(|(p, o)| format!("{p}: needed by {o}"))
        .collect();
    Item::new(
        "kernel",
        Kind::Create,
        State::Warn,
        format!(
            "FreeBSD jails, but the kernel does not know {}: options using them will fail",
            names.join(" ")
        ),
    )
    .fix(fix.join("\n"))
}

/// The kernel-support item for the running OS.
#[cfg(not(any(target_os = "linux", target_os = "freebsd")))]
pub fn platform_item(_cfg: &Config, _root: bool) -> Item {
    Item::new(
        "kernel",
        Kind::Create,
        State::Fail,
        "this operating system has neither FreeBSD jails nor Linux namespaces",
    )
    .fix("run svcj-tools on FreeBSD or Linux")
}

/// Run every check.
pub fn preflight(p: &dyn Platform, cfg: &Config) -> Report {
    let root = root_item(p);
    let is_root = root.state == State::Ok;
    log::debug!(
        "{} backend, privileged: {is_root}; files below {}",
        p.name(),
        cfg.root.display()
    );
    let mut items = vec![
        root,
        platform_item(cfg, is_root),
        nested_item(read_limits(p)),
        limits_item(p.limits_available()),
    ];
    items.extend(hook_items(cfg, cfg!(target_os = "freebsd")));
    Report { items }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::fake::Fake;

    #[test]
    fn limits_unavailable_is_a_warning_with_the_fix() {
        let i = limits_item(Err(crate::platform::freebsd::rctl::RACCT_FIX.into()));
        assert_eq!(i.state, State::Warn);
        assert!(i.detail.contains("kern.racct.enable=1"), "{}", i.detail);
        assert!(i.fix.is_some());
        assert_eq!(limits_item(Ok(())).state, State::Ok);
        let r = Report { items: vec![i] };
        assert_eq!(r.exit_code(), 0);
        // In a jail the fix is the host's, whatever the OS.
        let i = limits_item(Err(crate::platform::freebsd::rctl::JAILED_FIX.into()));
        assert!(
            i.fix.as_deref().unwrap().contains("from its host"),
            "{:?}",
            i.fix
        );
    }

    struct Tree(PathBuf);

    impl Tree {
        fn new(tag: &str) -> Self {
            let d =
                std::env::temp_dir().join(format!("svcj-preflight-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(d.join("etc")).unwrap();
            Tree(d)
        }
        fn write(&self, rel: &str, text: &str) -> &Self {
            let p = self.0.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
            self
        }
        fn cfg(&self) -> Config {
            Config {
                root: self.0.clone(),
                localbase: PathBuf::from("/usr/local"),
                probe_unshare: false,
            }
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const NEW_RC_SUBR: &str = "# rc.subr\nfoo() { :; }\n\
        if [ -r /etc/local.rc.subr ]; then\n\t. /etc/local.rc.subr\nfi\n";
    const OLD_RC_SUBR: &str = "# rc.subr\n# no local.rc.subr here\nfoo() { :; }\n";
    const LINE: &str = "command . /usr/local/etc/rc.subr.d/svcj-tools.sh";

    fn states(items: &[Item]) -> Vec<State> {
        items.iter().map(|i| i.state).collect()
    }

    #[test]
    fn hook_missing_says_which_line_to_add() {
        let t = Tree::new("missing");
        t.write("etc/rc.subr", NEW_RC_SUBR);
        let items = hook_items(&t.cfg(), true);
        assert_eq!(states(&items), vec![State::Fail, State::Fail]);
        let r = Report { items };
        let text = r.render_text();
        assert!(
            text.contains(
                "      cat /usr/local/share/svcj-tools/local.rc.subr >> \
                 /etc/local.rc.subr\n"
            ),
            "{text}"
        );
        assert_eq!(r.exit_code(), 78);
    }

    #[test]
    fn hook_via_local_rc_subr() {
        let t = Tree::new("local");
        t.write("etc/rc.subr", NEW_RC_SUBR)
            .write("usr/local/etc/rc.subr.d/svcj-tools.sh", "#\n")
            .write("etc/local.rc.subr", &format!("# mine\n{LINE}\n"));
        let items = hook_items(&t.cfg(), true);
        assert_eq!(states(&items), vec![State::Ok, State::Ok]);
        // Commented out does not count.
        t.write("etc/local.rc.subr", &format!("# {LINE}\n"));
        assert_eq!(hook_items(&t.cfg(), true)[1].state, State::Fail);
        // In rc.conf on a new rc.subr: works, but a warning.
        t.write("etc/rc.conf", &format!("sshd_enable=YES\n{LINE}\n"));
        let i = &hook_items(&t.cfg(), true)[1];
        assert_eq!(i.state, State::Warn);
        assert!(i.fix.as_ref().unwrap().contains("local.rc.subr"));
    }

    #[test]
    fn hook_via_rc_conf_for_an_old_rc_subr() {
        let t = Tree::new("old");
        t.write("etc/rc.subr", OLD_RC_SUBR)
            .write("usr/local/etc/rc.subr.d/svcj-tools.sh", "#\n")
            .write("etc/local.rc.subr", &format!("{LINE}\n"));
        let i = &hook_items(&t.cfg(), true)[1];
        assert_eq!(i.state, State::Fail);
        assert!(i.detail.contains("never reads"), "{}", i.detail);
        assert!(i.fix.as_ref().unwrap().contains("/etc/rc.conf"));
        t.write(
            "etc/rc.conf",
            "hostname=x\n[ -r /usr/local/etc/rc.subr.d/svcj-tools.sh ] && \
             . \"/usr/local/etc/rc.subr.d/svcj-tools.sh\"\n",
        );
        assert_eq!(hook_items(&t.cfg(), true)[1].state, State::Ok);
    }

    #[test]
    fn no_rc_subr() {
        let t = Tree::new("none");
        let linux = hook_items(&t.cfg(), false);
        assert_eq!(states(&linux), vec![State::Warn, State::Warn]);
        assert_eq!(Report { items: linux }.exit_code(), 0);
        let freebsd = hook_items(&t.cfg(), true);
        assert_eq!(states(&freebsd), vec![State::Fail, State::Fail]);
    }

    #[test]
    fn vdot_reading_of_local_rc_subr() {
        const VDOT_RC_SUBR: &str = "# rc.subr\nvdot /etc/local.rc.subr\n";
        assert!(reads_local_with_vdot(VDOT_RC_SUBR));
        assert!(!reads_local_with_vdot(NEW_RC_SUBR));
        assert!(!reads_local_with_vdot("# vdot /etc/local.rc.subr\n"));
        // A local.rc.subr holding the line is read: no item while veriexec
        // is inactive or unknown.
        let t = Tree::new("vdot");
        t.write("etc/rc.subr", VDOT_RC_SUBR)
            .write(&format!("usr/local/{HOOK_REL}"), "# hook\n")
            .write("etc/local.rc.subr", &format!("{LINE}\n"));
        let items = hook_items(&t.cfg(), true);
        assert!(items.iter().all(|i| i.check != "hook read"), "{items:?}");
        assert!(items.iter().all(|i| i.state == State::Ok), "{items:?}");
        let hook = Path::new("/usr/local").join(HOOK_REL);
        assert_eq!(vdot_item(None, &hook), None);
        // mac_veriexec active: both files must be verified.
        let v = |l, h| Veriexec {
            local_verified: l,
            hook_verified: h,
        };
        assert_eq!(
            vdot_item(Some(v(true, true)), &hook).unwrap().state,
            State::Ok
        );
        let i = vdot_item(Some(v(false, true)), &hook).unwrap();
        assert_eq!(i.state, State::Fail);
        assert!(
            i.detail.contains("/etc/local.rc.subr is not verified"),
            "{}",
            i.detail
        );
        let i = vdot_item(Some(v(false, false)), &hook).unwrap();
        assert!(i.fix.unwrap().contains("svcj-tools.sh"));
    }

    #[test]
    fn separate_usr_local_needs_the_boot_fallback() {
        let sample = include_str!("../../shims/local.rc.subr");
        assert!(has_boot_fallback(sample));
        assert!(sources(
            sample,
            &["/usr/local/etc/rc.subr.d/svcj-tools.sh".to_string()]
        ));
        let fstab = "# Device\tMountpoint\tFStype\tOptions\n\
            /dev/ada0p2\t/\tufs\trw\t1\t1\n\
            /dev/ada0p3\tnone\tswap\tsw\t0\t0\n\
            /dev/ada0p4\t/usr/local\tufs\trw\t2\t2\n\
            /dev/ada0p5\t/usr/home\tufs\trw\t2\t2\n\
            /dev/ada0p6\t/usr\tufs\trw,noauto\t2\t2\n";
        assert_eq!(
            late_mounts(fstab, Path::new("/usr/local")),
            vec!["/usr/local"]
        );
        assert!(late_mounts("/dev/a / ufs rw 1 1\n", Path::new("/usr/local")).is_empty());
        let t = Tree::new("late");
        t.write("etc/rc.subr", NEW_RC_SUBR)
            .write(&format!("usr/local/{HOOK_REL}"), "# hook\n")
            .write("etc/local.rc.subr", &format!("{LINE}\n"))
            .write("etc/fstab", fstab);
        let items = hook_items(&t.cfg(), true);
        let late = items.iter().find(|i| i.check == "hook at boot").unwrap();
        assert_eq!(late.state, State::Fail);
        assert!(
            late.detail.contains("/usr/local is mounted"),
            "{}",
            late.detail
        );
        assert!(late.fix.as_ref().unwrap().contains("local.rc.subr"));
        // With the boot-safe text: fine.
        t.write("etc/local.rc.subr", sample);
        let items = hook_items(&t.cfg(), true);
        assert!(items.iter().all(|i| i.state == State::Ok), "{items:?}");
    }

    #[test]
    fn sourcing_forms() {
        let t = vec!["/x/h.sh".to_string()];
        assert!(sources(". /x/h.sh", &t));
        assert!(sources("  source '/x/h.sh' # c", &t));
        assert!(sources("if [ -f /x/h.sh ]; then . /x/h.sh; fi", &t));
        assert!(sources("vdot /x/h.sh", &t));
        assert!(!sources("# . /x/h.sh", &t));
        assert!(!sources("echo /x/h.sh", &t));
        assert!(!sources(". /x/h.sh.bak", &t));
        assert!(mentions("vdot /etc/local.rc.subr", "/etc/local.rc.subr"));
        assert!(!mentions("# /etc/local.rc.subr", "/etc/local.rc.subr"));
    }

    #[test]
    fn root_and_nested() {
        let mut f = Fake::new();
        f.root = false;
        let i = root_item(&f);
        assert_eq!((i.state, i.kind), (State::Fail, Kind::Create));
        let full = NestedLimits {
            jailed: true,
            children_max: 2,
            children_cur: 2,
        };
        let i = nested_item(Ok(full));
        assert_eq!(i.state, State::Fail);
        assert!(i.detail.contains("max number of jail children reached"));
        let zero = NestedLimits {
            children_max: 0,
            children_cur: 0,
            ..full
        };
        assert!(nested_item(Ok(zero)).detail.contains("children.max"));
        let room = NestedLimits {
            children_max: 5,
            ..full
        };
        assert_eq!(nested_item(Ok(room)).state, State::Ok);
        let r = Report {
            items: vec![
                nested_item(Ok(full)),
                hook_items(&Tree::new("x").cfg(), true)[0].clone(),
            ],
        };
        assert_eq!(r.exit_code(), 69);
        for l in r.render_text().lines() {
            assert!(l.len() <= 80, "{l:?}");
        }
    }

    #[test]
    fn kernel_parameters() {
        let all = kernel_params_item(|_| true);
        assert_eq!(all.state, State::Ok);
        let i = kernel_params_item(|p| p != "allow.vmm" && !p.starts_with("sysv"));
        assert_eq!((i.state, i.kind), (State::Warn, Kind::Create));
        assert!(
            i.detail.contains("sysvmsg sysvsem sysvshm allow.vmm"),
            "{}",
            i.detail
        );
        let fix = i.fix.clone().unwrap();
        assert!(
            fix.contains("allow.vmm: needed by vmm (load vmm.ko)"),
            "{fix}"
        );
        let r = Report { items: vec![i] };
        assert_eq!(r.exit_code(), 0);
        for l in r.render_text().lines() {
            assert!(l.len() <= 80, "{l:?}");
        }
        // Every allow.* parameter of the vocabulary is checked.
        for a in crate::options::Allow::ALL {
            assert!(OPTION_PARAMS.iter().any(|(p, _)| *p == a.param()), "{a:?}");
        }
    }

    #[test]
    fn everything_ok() {
        let t = Tree::new("ok");
        t.write("etc/rc.subr", NEW_RC_SUBR)
            .write("usr/local/etc/rc.subr.d/svcj-tools.sh", "#\n")
            .write("etc/local.rc.subr", &format!("{LINE}\n"));
        let f = Fake::new();
        let mut items = vec![root_item(&f), nested_item(Ok(f.limits))];
        items.extend(hook_items(&t.cfg(), true));
        let r = Report { items };
        assert_eq!(r.exit_code(), 0, "{}", r.render_text());
    }
}
