//! The operating-system boundary.
//!
//! Everything that touches the kernel goes through [`Platform`]: one
//! implementation per OS in its own file (FreeBSD jails, Linux namespaces),
//! plus a recording fake for unit tests of the generic logic (teardown,
//! status, preflight).  The trait speaks in jail terms — a JID, a name,
//! member processes — because that is the product's vocabulary; the Linux
//! backend maps it onto namespaces and a registry.

use crate::error::{Error, Result};
use crate::name::{JailName, JailRef};
use crate::options::JailParams;
use serde::Serialize;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

// Not gated: the pure parts of the FreeBSD backend are tested on every OS;
// the module gates its system-call glue itself.
pub mod freebsd;
#[cfg(target_os = "linux")]
pub mod linux;

pub mod fake;

/// A running jail as the tools see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JailInfo {
    /// Jail ID (Linux: the reaper's PID in the host namespace).
    pub jid: i32,
    /// Jail name.
    pub name: String,
    /// Parameters, as far as the backend can read them back.
    pub params: JailParams,
}

/// What to run inside a jail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    /// argv\[0\] is the program (looked up in PATH when it has no `/`).
    pub argv: Vec<OsString>,
    /// Append the command's stdout and stderr to this file.
    pub console_log: Option<PathBuf>,
}

/// The nested-jail state of the host (`security.jail.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NestedLimits {
    /// `security.jail.jailed`
    pub jailed: bool,
    /// `security.jail.children.max`
    pub children_max: i64,
    /// `security.jail.children.cur`
    pub children_cur: i64,
}

impl NestedLimits {
    /// Fail closed when a jailed host cannot create one more child jail.
    /// The messages name the cause, as rc.subr's do.
    pub fn check(&self) -> Result<()> {
        if !self.jailed {
            return Ok(());
        }
        if self.children_max <= 0 {
            return Err(Error::NestedLimit(
                "jail parameter children.max is set to 0, can not create a new service jail \
                 (raise children.max of the enclosing jail)"
                    .into(),
            ));
        }
        if self.children_max - self.children_cur <= 0 {
            return Err(Error::NestedLimit(format!(
                "max number of jail children reached ({}/{}), can not create a new service jail",
                self.children_cur, self.children_max
            )));
        }
        Ok(())
    }

    /// Parse `key=value` lines (`security.jail.jailed=1`), as read from the
    /// file named by `SVCJ_SYSCTL_FILE`.  Missing keys keep the defaults
    /// of a non-jailed host.
    pub fn from_sysctl_text(text: &str) -> Result<Self> {
        let mut n = NestedLimits {
            jailed: false,
            children_max: i64::from(i32::MAX),
            children_cur: 0,
        };
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                return Err(Error::Config(format!(
                    "sysctl override line {line:?} is not key=value"
                )));
            };
            let v: i64 = v.trim().parse().map_err(|_| {
                Error::Config(format!("sysctl override {k}: {v:?} is not an integer"))
            })?;
            match k.trim() {
                "security.jail.jailed" => n.jailed = v != 0,
                "security.jail.children.max" => n.children_max = v,
                "security.jail.children.cur" => n.children_cur = v,
                _ => {}
            }
        }
        Ok(n)
    }

    /// The limits from `SVCJ_SYSCTL_FILE` if that is set (tests), else
    /// `None` and the backend asks the kernel.  Only a debug build (what
    /// `cargo build`/`cargo test` and the rc suite run) honours the
    /// variable: a release binary, as the port installs it, always asks
    /// the kernel, so a test hook cannot change what a production tool
    /// believes about the host.
    pub fn from_env_override() -> Result<Option<Self>> {
        Self::from_override(std::env::var_os("SVCJ_SYSCTL_FILE"), TEST_HOOKS)
    }

    /// [`NestedLimits::from_env_override`] with the variable's value and
    /// whether test hooks are compiled in given.
    pub fn from_override(var: Option<OsString>, test_hooks: bool) -> Result<Option<Self>> {
        if !test_hooks {
            return Ok(None);
        }
        let Some(path) = var else {
            return Ok(None);
        };
        let path = PathBuf::from(path);
        let text = std::fs::read_to_string(&path).map_err(|source| Error::NoInput {
            path: path.clone(),
            source,
        })?;
        Self::from_sysctl_text(&text).map(Some)
    }
}

/// Are test hooks (`SVCJ_SYSCTL_FILE`) honoured?  Only in debug builds.
pub const TEST_HOOKS: bool = cfg!(debug_assertions);

/// What a jail uses, and its limits (`svcj-check status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Memory in use, bytes (FreeBSD: `memoryuse`; Linux: the cgroup's
    /// memory counter).
    pub memory: Option<u64>,
    /// Processes (Linux: tasks, threads included).
    pub processes: Option<u64>,
    /// CPU time used, microseconds.
    pub cpu_usec: Option<u64>,
    /// Each rule beside the usage of its resource, where that is known.
    pub limits: Vec<LimitUsage>,
}

/// One rule and the current usage of its resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitUsage {
    /// The rule.
    pub rule: crate::rctl::Rule,
    /// The usage it is compared with, in the resource's unit.
    pub used: Option<u64>,
}

/// The one interface to the kernel.
pub trait Platform {
    /// Short name of the backend (`freebsd`, `linux`, `fake`).
    fn name(&self) -> &'static str;

    /// True when the caller may create and enter jails.
    /// Both kernels reserve jail and namespace creation to root.
    fn privileged(&self) -> bool {
        nix::unistd::geteuid().is_root()
    }

    /// The nested-jail state of this host.
    fn nested_limits(&self) -> Result<NestedLimits>;

    /// The address families the kernel has (FreeBSD:
    /// `kern.features.inet`/`inet6`).  The default is both.
    fn ip_features(&self) -> crate::options::IpFeatures {
        crate::options::IpFeatures::BOTH
    }

    /// The permissions `jail` holds because the kernel gives them to every
    /// new jail (FreeBSD: `JAIL_DEFAULT_ALLOW` of `kern_jail.c`,
    /// intersected with the parent's), as opposed to those an option
    /// granted.  The default is none (a backend without such defaults).
    fn default_allow(&self, jail: &JailInfo) -> Result<Vec<String>> {
        let _ = jail;
        Ok(Vec::new())
    }

    /// Find a running jail.
    fn lookup(&self, jail: &JailRef) -> Result<Option<JailInfo>>;

    /// All running jails this backend knows (Linux: the registry).
    fn list(&self) -> Result<Vec<JailInfo>>;

    /// Create `name` with `params` (refusing if it exists), run `cmd` inside
    /// it and wait for `cmd` only (daemons it leaves behind keep the jail
    /// alive).  Returns the command's exit status (128+N for signal N).
    fn create_and_run(&self, name: &JailName, params: &JailParams, cmd: &RunSpec) -> Result<i32>;

    /// [`Platform::create_and_run`] with resource limits (`<name>_svcj_rctl`)
    /// in force before the jail's first process runs, and gone with the
    /// jail.  Without rules this is `create_and_run`; a backend that
    /// cannot enforce limits refuses rules (fail closed: a service that
    /// asked for limits never runs without them).
    fn create_and_run_limited(
        &self,
        name: &JailName,
        params: &JailParams,
        rules: &crate::rctl::Rules,
        cmd: &RunSpec,
    ) -> Result<i32> {
        if rules.is_empty() {
            return self.create_and_run(name, params, cmd);
        }
        Err(Error::Unavailable(format!(
            "{name}: the {} backend cannot enforce resource limits",
            self.name()
        )))
    }

    /// Whether this host can enforce resource limits at all: `Err` with
    /// the reason and the fix (FreeBSD: `kern.racct.enable=0`).  The
    /// default is no.
    fn limits_available(&self) -> std::result::Result<(), String> {
        Err(format!(
            "the {} backend has no resource limits",
            self.name()
        ))
    }

    /// Resource usage and limits of a running jail, as far as the backend
    /// can read them (`None`: nothing to read, e.g. no limits and no
    /// accounting).
    fn usage(&self, jail: &JailInfo) -> Result<Option<Usage>> {
        let _ = jail;
        Ok(None)
    }

    /// Run `cmd` inside the existing jail and wait for it.
    fn join_and_run(&self, jail: &JailInfo, cmd: &RunSpec) -> Result<i32>;

    /// Like [`Platform::join_and_run`], but kill the command (only the
    /// process started, not what it left in the jail) when it runs longer
    /// than `timeout`; `Ok(None)` then.  Used for `svcj-kill`'s stop
    /// command.  The default is *not* bounded: backends override it.
    fn join_and_run_bounded(
        &self,
        jail: &JailInfo,
        cmd: &RunSpec,
        timeout: Duration,
    ) -> Result<Option<i32>> {
        let _ = timeout;
        self.join_and_run(jail, cmd).map(Some)
    }

    /// PIDs (as seen by the caller) of every process in the jail.
    fn members(&self, jail: &JailInfo) -> Result<Vec<i32>>;

    /// Send `sig` to `pid`; a process that is already gone is not an error.
    fn signal(&self, pid: i32, sig: i32) -> Result<()>;

    /// Kill whatever is left in the jail and remove it (jail_remove(2);
    /// Linux: SIGKILL to the namespace's PID 1 and drop the registry entry).
    /// Removing a jail that is already gone is not an error.
    fn remove(&self, jail: &JailInfo) -> Result<()>;
}

/// Resolve a command the way execvp(3) would: a name with a `/` is taken
/// as a path, anything else is looked up in `PATH` (FreeBSD's default path
/// when `PATH` is unset).  Done before anything is created, so that a typo
/// leaves nothing behind.
pub fn resolve_command(prog: &OsStr) -> Result<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let shown = prog.to_string_lossy().into_owned();
    if prog.is_empty() {
        return Err(Error::CommandNotFound("(empty command name)".into()));
    }
    if prog.as_bytes().contains(&b'/') {
        let p = PathBuf::from(prog);
        return match check_executable(&p) {
            Exec::Yes => Ok(p),
            Exec::NotExecutable => Err(Error::CommandNotExecutable(shown)),
            Exec::Missing => Err(Error::CommandNotFound(shown)),
        };
    }
    let path = std::env::var_os("PATH")
        .unwrap_or_else(|| "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin".into());
    let mut seen_not_exec = false;
    for dir in std::env::split_paths(&path) {
        if dir.as_os_str().is_empty() {
            continue;
        }
        let p = dir.join(prog);
        match check_executable(&p) {
            Exec::Yes => return Ok(p),
            Exec::NotExecutable => seen_not_exec = true,
            Exec::Missing => {}
        }
    }
    if seen_not_exec {
        Err(Error::CommandNotExecutable(shown))
    } else {
        Err(Error::CommandNotFound(shown))
    }
}

enum Exec {
    Yes,
    NotExecutable,
    Missing,
}

fn check_executable(p: &Path) -> Exec {
    match std::fs::metadata(p) {
        Err(_) => Exec::Missing,
        Ok(m) if !m.is_file() => Exec::NotExecutable,
        Ok(_) => match nix::unistd::access(p, nix::unistd::AccessFlags::X_OK) {
            Ok(()) => Exec::Yes,
            Err(_) => Exec::NotExecutable,
        },
    }
}

/// Where the Linux namespace backend cannot honour a parameter set
/// exactly: one line per gap, for `svcj-exec`'s warnings, `svcj-check`
/// and the man page.  Pure, so every OS can report it.  Gaps that hold
/// for every jail (other socket families stay usable, an unprivileged
/// `mlock` up to `RLIMIT_MEMLOCK` stays possible) are documented in the
/// Linux backend's module docs and not repeated per run.
pub fn linux_gaps(p: &JailParams) -> Vec<String> {
    use crate::options::{Allow, JailSys};
    let mut gaps = Vec::new();
    if !p.ip4_addrs.is_empty() || !p.ip6_addrs.is_empty() {
        gaps.push(
            "addresses are not enforced on Linux: the jail shares the host's network \
             and may use every host address, not only the ones given"
                .to_string(),
        );
    }
    let v4 = p.ip4 != JailSys::Disable;
    let v6 = p.ip6 != JailSys::Disable;
    if v4 != v6 {
        let (on, off) = if v4 {
            ("IPv4", "IPv6")
        } else {
            ("IPv6", "IPv4")
        };
        gaps.push(format!(
            "Linux cannot grant {on} without {off}: the jail gets both families"
        ));
    }
    if p.allows(Allow::Vmm) {
        gaps.push("allow.vmm has no Linux equivalent: /dev/kvm access is not changed".into());
    }
    if p.allows(Allow::Nfsd) {
        gaps.push(
            "allow.nfsd and enforce_statfs have no Linux equivalent: nothing is changed".into(),
        );
    }
    gaps
}

/// The backend of the running OS.
#[cfg(target_os = "linux")]
pub fn native() -> Box<dyn Platform> {
    Box::new(linux::Linux::from_env())
}

/// The backend of the running OS.
#[cfg(target_os = "freebsd")]
pub fn native() -> Box<dyn Platform> {
    Box::new(freebsd::FreeBsd::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_jailed_always_ok() {
        let n = NestedLimits::from_sysctl_text("security.jail.children.max=0\n").unwrap();
        assert!(n.check().is_ok());
    }

    #[test]
    fn jailed_without_children_fails_closed() {
        let n = NestedLimits::from_sysctl_text(
            "security.jail.jailed=1\nsecurity.jail.children.max=0\n",
        )
        .unwrap();
        let e = n.check().unwrap_err();
        assert!(e.to_string().contains("children.max is set to 0"), "{e}");
        assert_eq!(e.exit_code(), 69);
    }

    #[test]
    fn jailed_at_capacity_fails_closed() {
        let n = NestedLimits::from_sysctl_text(
            "# test\nsecurity.jail.jailed=1\nsecurity.jail.children.max=4\nsecurity.jail.children.cur=4\n",
        )
        .unwrap();
        let e = n.check().unwrap_err();
        assert!(
            e.to_string()
                .contains("max number of jail children reached"),
            "{e}"
        );
        let n = NestedLimits {
            children_cur: 3,
            ..n
        };
        assert!(n.check().is_ok());
    }

    #[test]
    fn the_sysctl_override_is_a_debug_build_hook_only() {
        let d = std::env::temp_dir().join(format!("svcj-sysctl-{}", std::process::id()));
        std::fs::write(&d, "security.jail.jailed=1\nsecurity.jail.children.max=0\n").unwrap();
        let var = Some(d.clone().into_os_string());
        // A release build ignores the file and asks the kernel.
        assert_eq!(
            NestedLimits::from_override(var.clone(), false).unwrap(),
            None
        );
        let n = NestedLimits::from_override(var, true).unwrap().unwrap();
        assert!(n.jailed);
        assert_eq!(TEST_HOOKS, cfg!(debug_assertions));
        std::fs::remove_file(&d).unwrap();
    }

    #[test]
    fn bad_override_lines() {
        assert!(NestedLimits::from_sysctl_text("security.jail.jailed").is_err());
        assert!(NestedLimits::from_sysctl_text("security.jail.jailed=yes").is_err());
    }
}
