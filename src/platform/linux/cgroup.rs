//! Resource limits on Linux: one cgroup per service jail.
//!
//! A jail with `<name>_svcj_rctl` rules gets a cgroup named after the jail
//! (`svcj-NAME`), created as a child of the cgroup `svcj-exec` runs in
//! (read from `/proc/self/cgroup`) and never anywhere else in the
//! hierarchy.  Both layouts work:
//!
//! * cgroup v2 (the unified hierarchy): one directory; the controllers a
//!   limit needs (`memory`, `pids`, `cpu`, `io`) must be available to it
//!   (enabled in the parent's `cgroup.subtree_control`, which this module
//!   tries when they are not; the kernel refuses that for a parent that
//!   holds processes, unless it is the root, and the error names the fix);
//! * cgroup v1: one directory in each hierarchy whose controller is used —
//!   always `freezer` (teardown), `pids`, `memory` and `cpuacct` where
//!   mounted (usage), plus `cpu` and `blkio` for their limits.  A v1
//!   controller the unified hierarchy does not offer is taken from v1
//!   (a hybrid host); a mounted unified hierarchy also gets the jail's
//!   directory, for `cgroup.kill`.
//!
//! The mapping of rules is [`crate::rctl::linux_mapping`]: `memoryuse` →
//! `memory.max` (v1 `memory.limit_in_bytes`), `maxproc`/`nthr` →
//! `pids.max` (the smaller wins; Linux counts threads), `pcpu` →
//! `cpu.max` (v1 `cpu.cfs_quota_us`), `readbps`/`writebps` → `io.max`
//! (v1 `blkio.throttle.*_bps_device`) for every whole disk.
//!
//! Life cycle: `svcj-exec` creates the directories and writes the limits
//! before the reaper is forked, holding the registry lock (a directory
//! left by a start that was SIGKILLed early is removed then, if empty);
//! the reaper joins every directory before anything else runs in the
//! jail (the command and all it forks inherit the cgroup), and, when the
//! jail is empty, moves itself back to the parent and removes the
//! directories.  `svcj-kill` and a failed start kill the whole group at
//! once (`cgroup.kill` on v2; freeze, SIGKILL, thaw on v1) and remove the
//! directories once the kernel has emptied them.  Jailed processes
//! cannot leave: `/sys` (and the cgroup file systems below it) is
//! read-only inside the jail.

use super::reaper::unescape_mountinfo;
use crate::error::{Error, Result};
use crate::rctl::{self, LinuxLimit, Per, Resource, Rule, Rules};
use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where the kernel's cgroup file systems are mounted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mount {
    /// The mount point.
    point: PathBuf,
    /// The mount's root inside the hierarchy (`/` unless bind-mounted or
    /// in a cgroup namespace).
    root: String,
    /// `None` for v2; the v1 controllers otherwise.
    v1: Option<Vec<String>>,
}

/// One directory of a jail's cgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dir {
    /// Full path, ending in the jail's name.
    pub path: PathBuf,
    /// `None` for v2; the v1 controllers of its hierarchy otherwise.
    pub v1: Option<Vec<String>>,
}

impl Dir {
    fn has(&self, ctrl: &str) -> bool {
        self.v1
            .as_ref()
            .is_some_and(|c| c.iter().any(|x| x == ctrl))
    }

    fn parent(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }
}

/// A jail's cgroup: its directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cgroup {
    pub dirs: Vec<Dir>,
}

/// Parse `/proc/PID/mountinfo` text into the cgroup mounts.
fn parse_mounts(text: &str) -> Vec<Mount> {
    let mut out = Vec::new();
    for l in text.lines() {
        let Some((left, right)) = l.split_once(" - ") else {
            continue;
        };
        let f: Vec<&str> = left.split(' ').collect();
        let r: Vec<&str> = right.split(' ').collect();
        if f.len() < 5 || r.len() < 3 {
            continue;
        }
        let point = PathBuf::from(unescape_mountinfo(f[4]));
        let root = unescape_mountinfo(f[3]);
        match r[0] {
            "cgroup2" => out.push(Mount {
                point,
                root,
                v1: None,
            }),
            "cgroup" => {
                let ctrls: Vec<String> = r[2]
                    .split(',')
                    .filter(|o| !matches!(*o, "rw" | "ro") && !o.contains('='))
                    .map(str::to_string)
                    .collect();
                out.push(Mount {
                    point,
                    root,
                    v1: Some(ctrls),
                })
            }
            _ => {}
        }
    }
    out
}

/// Parse `/proc/PID/cgroup`: (controllers, path) per hierarchy; the v2
/// line has no controllers.
fn parse_membership(text: &str) -> Vec<(Vec<String>, String)> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, ':');
            let _id = it.next()?;
            let ctrls = it.next()?;
            let path = it.next()?;
            let c = ctrls
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            Some((c, path.to_string()))
        })
        .collect()
}

/// The directory of `path` (a cgroup path) under mount `m`.
fn under(m: &Mount, path: &str) -> Option<PathBuf> {
    let rel = if m.root == "/" {
        path
    } else {
        let rest = path.strip_prefix(&m.root)?;
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        rest
    };
    Some(m.point.join(rel.trim_start_matches('/')))
}

/// The directory, per mount, of the cgroups listed in `membership`.
fn dirs_of(mounts: &[Mount], membership: &[(Vec<String>, String)]) -> Vec<(Mount, PathBuf)> {
    let mut out: Vec<(Mount, PathBuf)> = Vec::new();
    for m in mounts {
        let line = match &m.v1 {
            None => membership.iter().find(|(c, _)| c.is_empty()),
            Some(ctrls) => membership
                .iter()
                .find(|(c, _)| !c.is_empty() && ctrls.iter().all(|x| c.contains(x))),
        };
        let Some((_, path)) = line else { continue };
        if let Some(d) = under(m, path) {
            if d.is_dir() && !out.iter().any(|(o, _)| o.v1 == m.v1) {
                out.push((m.clone(), d));
            }
        }
    }
    out
}

/// The settings rules ask for, Linux-mapped (the unmappable ones are
/// reported by `svcj-exec` and `svcj-check`, and left out here).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    pub memory: Option<u64>,
    pub pids: Option<u64>,
    pub cpu_pct: Option<u64>,
    pub read_bps: Option<u64>,
    pub write_bps: Option<u64>,
}

impl Settings {
    /// Map `rules`.
    pub fn from_rules(rules: &Rules) -> Settings {
        let mut s = Settings::default();
        let min = |a: Option<u64>, b: u64| Some(a.map_or(b, |a| a.min(b)));
        for r in rules.iter() {
            match rctl::linux_mapping(r) {
                Ok(LinuxLimit::Memory(n)) => s.memory = min(s.memory, n),
                Ok(LinuxLimit::Pids(n)) => s.pids = min(s.pids, n),
                Ok(LinuxLimit::Cpu(n)) => s.cpu_pct = min(s.cpu_pct, n),
                Ok(LinuxLimit::ReadBps(n)) => s.read_bps = min(s.read_bps, n),
                Ok(LinuxLimit::WriteBps(n)) => s.write_bps = min(s.write_bps, n),
                Err(_) => {}
            }
        }
        s
    }

    /// The controllers these settings need.
    fn controllers(&self) -> Vec<&'static str> {
        let mut c = Vec::new();
        if self.memory.is_some() {
            c.push("memory");
        }
        if self.pids.is_some() {
            c.push("pids");
        }
        if self.cpu_pct.is_some() {
            c.push("cpu");
        }
        if self.read_bps.is_some() || self.write_bps.is_some() {
            c.push("io");
        }
        c
    }
}

/// The v1 name of a v2 controller.
fn v1_name(c: &str) -> &str {
    if c == "io" {
        "blkio"
    } else {
        c
    }
}

fn write_file(path: &Path, value: &str) -> std::io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW)
        .open(path)?;
    f.write_all(value.as_bytes())
}

fn read_file(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn set(dir: &Path, file: &str, value: &str) -> Result<()> {
    let p = dir.join(file);
    log::debug!("{}: {}", p.display(), value.trim());
    write_file(&p, value).map_err(|e| Error::os(format!("writing {value:?} to {}", p.display()), e))
}

/// Whole disks, `MAJ:MIN`, from `/sys/block/*/dev`.
fn disks() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir("/sys/block")
        .map(|rd| {
            rd.flatten()
                .filter_map(|d| read_file(&d.path().join("dev")))
                .map(|s| s.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Processes (host PIDs) listed in a cgroup directory.
fn procs_in(dir: &Path) -> Vec<i32> {
    read_file(&dir.join("cgroup.procs"))
        .map(|t| t.lines().filter_map(|l| l.trim().parse().ok()).collect())
        .unwrap_or_default()
}

impl Cgroup {
    /// Create `name`'s cgroup below the caller's and write the limits.
    /// A directory of that name left by an earlier start that died early
    /// is removed first if it is empty; one with processes is refused.
    /// Nothing is left behind when this fails.
    pub fn create(name: &str, rules: &Rules) -> Result<Cgroup> {
        let s = Settings::from_rules(rules);
        let mounts =
            parse_mounts(&read_file(Path::new("/proc/self/mountinfo")).unwrap_or_default());
        let membership =
            parse_membership(&read_file(Path::new("/proc/self/cgroup")).unwrap_or_default());
        let ours = dirs_of(&mounts, &membership);
        let unavailable = |what: String| {
            Error::Unavailable(format!(
                "{name}: cannot enforce the resource limits: {what}; refusing to start the \
                 service without them"
            ))
        };
        if ours.is_empty() {
            return Err(unavailable(
                "no cgroup file system is mounted (mount cgroup2 on /sys/fs/cgroup)".into(),
            ));
        }
        let v2 = ours
            .iter()
            .find(|(m, _)| m.v1.is_none())
            .map(|(_, d)| d.clone());
        let v2_ctrls: Vec<String> = v2
            .as_ref()
            .and_then(|d| read_file(&d.join("cgroup.controllers")))
            .map(|t| t.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let v1_for = |ctrl: &str| {
            ours.iter()
                .find(|(m, _)| m.v1.as_ref().is_some_and(|c| c.iter().any(|x| x == ctrl)))
        };
        // Which hierarchy serves each controller: v2 if it offers it.
        let mut v2_enable: Vec<&str> = Vec::new();
        let mut v1_dirs: Vec<(Mount, PathBuf)> = Vec::new();
        let mut add_v1 = |m: &(Mount, PathBuf)| {
            if !v1_dirs.iter().any(|(o, _)| o.v1 == m.0.v1) {
                v1_dirs.push(m.clone());
            }
        };
        for c in s.controllers() {
            if v2_ctrls.iter().any(|x| x == c) {
                v2_enable.push(c);
            } else if let Some(m) = v1_for(v1_name(c)) {
                add_v1(m);
            } else {
                return Err(unavailable(format!(
                    "the {c} controller is not available to the cgroup svcj-exec runs in"
                )));
            }
        }
        // Teardown and usage.
        for c in ["freezer", "pids", "memory", "cpuacct"] {
            if let Some(m) = v1_for(c) {
                add_v1(m);
            }
        }
        if v2.is_none() && v1_for("freezer").is_none() {
            return Err(unavailable(
                "neither the unified hierarchy (cgroup.kill) nor the v1 freezer is mounted, \
                 so the jail could not be torn down as one"
                    .into(),
            ));
        }
        let mut dirs: Vec<Dir> = Vec::new();
        if let Some(d) = &v2 {
            dirs.push(Dir {
                path: d.join(name),
                v1: None,
            });
        }
        for (m, d) in &v1_dirs {
            dirs.push(Dir {
                path: d.join(name),
                v1: m.v1.clone(),
            });
        }
        let cg = Cgroup { dirs };
        match cg.build(name, &s, &v2_enable) {
            Ok(()) => Ok(cg),
            Err(e) => {
                cg.remove(Duration::ZERO);
                Err(e)
            }
        }
    }

    fn build(&self, name: &str, s: &Settings, v2_enable: &[&str]) -> Result<()> {
        for d in &self.dirs {
            if d.path.exists() {
                if !procs_in(&d.path).is_empty() {
                    return Err(Error::Unavailable(format!(
                        "{name}: the cgroup {} exists and holds processes: not a jail \
                         svcj-tools knows; remove it by hand",
                        d.path.display()
                    )));
                }
                log::debug!("{}: removing a stale cgroup", d.path.display());
                std::fs::remove_dir(&d.path).map_err(|e| {
                    Error::os(format!("removing the stale cgroup {}", d.path.display()), e)
                })?;
            }
        }
        for d in &self.dirs {
            if d.v1.is_none() && !v2_enable.is_empty() {
                let parent = d.parent();
                let have = read_file(&parent.join("cgroup.subtree_control")).unwrap_or_default();
                let missing: Vec<String> = v2_enable
                    .iter()
                    .filter(|c| !have.split_whitespace().any(|h| h == **c))
                    .map(|c| format!("+{c}"))
                    .collect();
                if !missing.is_empty() {
                    set(parent, "cgroup.subtree_control", &missing.join(" ")).map_err(|e| {
                        Error::Unavailable(format!(
                            "{name}: cannot enable the {} controller(s) for the jail's cgroup \
                             ({e}); run svcj-exec in a cgroup whose controllers are delegated \
                             and that holds no processes of its own (e.g. systemd-run -p \
                             Delegate=yes)",
                            v2_enable.join(", ")
                        ))
                    })?;
                }
            }
            std::fs::create_dir(&d.path)
                .map_err(|e| Error::os(format!("creating the cgroup {}", d.path.display()), e))?;
            log::debug!("{name}: cgroup {}", d.path.display());
        }
        for d in &self.dirs {
            let v2 = d.v1.is_none();
            let serves = |c: &str| {
                if v2 {
                    v2_enable.contains(&c)
                } else {
                    d.has(v1_name(c))
                }
            };
            if let (Some(n), true) = (s.memory, serves("memory")) {
                let f = if v2 {
                    "memory.max"
                } else {
                    "memory.limit_in_bytes"
                };
                set(&d.path, f, &n.to_string())?;
            }
            if let (Some(n), true) = (s.pids, serves("pids")) {
                // The reaper is in the group too: it is the jail's
                // infrastructure (FreeBSD has none), not one of its
                // processes.
                set(&d.path, "pids.max", &n.saturating_add(1).to_string())?;
            }
            if let (Some(p), true) = (s.cpu_pct, serves("cpu")) {
                // A period of 100 ms; the kernel's smallest quota is 1 ms.
                let quota = (p.saturating_mul(1000)).max(1000);
                if v2 {
                    set(&d.path, "cpu.max", &format!("{quota} 100000"))?;
                } else {
                    set(&d.path, "cpu.cfs_period_us", "100000")?;
                    set(&d.path, "cpu.cfs_quota_us", &quota.to_string())?;
                }
            }
            if serves("io") {
                let mut done = 0;
                let disks = disks();
                for dev in &disks {
                    let mut r = Ok(());
                    if v2 {
                        let mut v = dev.clone();
                        if let Some(n) = s.read_bps {
                            v.push_str(&format!(" rbps={n}"));
                        }
                        if let Some(n) = s.write_bps {
                            v.push_str(&format!(" wbps={n}"));
                        }
                        r = set(&d.path, "io.max", &v);
                    } else {
                        if let Some(n) = s.read_bps {
                            r = r.and(set(
                                &d.path,
                                "blkio.throttle.read_bps_device",
                                &format!("{dev} {n}"),
                            ));
                        }
                        if let Some(n) = s.write_bps {
                            r = r.and(set(
                                &d.path,
                                "blkio.throttle.write_bps_device",
                                &format!("{dev} {n}"),
                            ));
                        }
                    }
                    match r {
                        Ok(()) => done += 1,
                        Err(e) => log::debug!("{name}: {e}"),
                    }
                }
                if done == 0 && !disks.is_empty() {
                    return Err(Error::Unavailable(format!(
                        "{name}: no block device accepted the I/O limits"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The cgroup of the jail `name` whose reaper is `pid`: the
    /// directories `pid` is in whose last component is `name` (anything
    /// else is not a jail's cgroup and is never touched).
    pub fn of_process(pid: i32, name: &str) -> Option<Cgroup> {
        Self::find(pid, name, false)
    }

    /// As [`Cgroup::of_process`], for removing the jail: also while its
    /// reaper is leaving.  The reaper, last of the jail, moves itself to
    /// the parent cgroup before it removes the jail's; a stop that looks
    /// in between (or kills the reaper there) finds the jail's cgroup as
    /// the directory `name` below the reaper's.
    pub fn of_jail(pid: i32, name: &str) -> Option<Cgroup> {
        Self::find(pid, name, true)
    }

    fn find(pid: i32, name: &str, leaving: bool) -> Option<Cgroup> {
        let membership = parse_membership(&read_file(Path::new(&format!("/proc/{pid}/cgroup")))?);
        let mounts =
            parse_mounts(&read_file(Path::new("/proc/self/mountinfo")).unwrap_or_default());
        let dirs: Vec<Dir> = dirs_of(&mounts, &membership)
            .into_iter()
            .filter_map(|(m, d)| {
                if d.file_name()
                    .is_some_and(|f| f.as_bytes() == name.as_bytes())
                {
                    Some((m, d))
                } else {
                    let below = d.join(name);
                    (leaving && below.is_dir()).then_some((m, below))
                }
            })
            .map(|(m, d)| Dir { path: d, v1: m.v1 })
            .collect();
        (!dirs.is_empty()).then_some(Cgroup { dirs })
    }

    /// Descriptors the reaper needs, opened before it hides `/sys`.
    pub fn handles(&self) -> Result<Handles> {
        let open = |p: PathBuf| -> Result<OwnedFd> {
            OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW)
                .open(&p)
                .map(OwnedFd::from)
                .map_err(|e| Error::os(format!("opening {}", p.display()), e))
        };
        let mut h = Handles {
            procs: Vec::new(),
            parent_procs: Vec::new(),
            parents: Vec::new(),
            leaf: CString::default(),
        };
        for d in &self.dirs {
            h.procs.push(open(d.path.join("cgroup.procs"))?);
            h.parent_procs.push(open(d.parent().join("cgroup.procs"))?);
            let dir = File::open(d.parent())
                .map_err(|e| Error::os(format!("opening {}", d.parent().display()), e))?;
            h.parents.push(OwnedFd::from(dir));
            h.leaf = CString::new(d.path.file_name().unwrap_or_default().as_bytes())
                .map_err(|_| Error::Usage("a cgroup name contains a NUL byte".into()))?;
        }
        Ok(h)
    }

    /// Host PIDs of the processes in the cgroup.
    pub fn members(&self) -> Vec<i32> {
        let d = self
            .dirs
            .iter()
            .find(|d| d.v1.is_none())
            .or_else(|| self.dirs.iter().find(|d| d.has("pids")))
            .or_else(|| self.dirs.first());
        let mut v = d.map(|d| procs_in(&d.path)).unwrap_or_default();
        v.sort_unstable();
        v
    }

    /// Kill every process in the group at once: `cgroup.kill` (v2), or
    /// freeze, SIGKILL each, thaw (v1 freezer).  Returns whether either
    /// was available.
    pub fn kill(&self) -> bool {
        if let Some(d) = self.dirs.iter().find(|d| d.v1.is_none()) {
            let p = d.path.join("cgroup.kill");
            if p.exists() {
                match write_file(&p, "1") {
                    Ok(()) => {
                        log::debug!("{}: cgroup.kill", d.path.display());
                        return true;
                    }
                    // Emptied and removed meanwhile: nothing to kill.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return true,
                    Err(e) => log::warn!("{}: {e}", p.display()),
                }
            }
        }
        let Some(d) = self.dirs.iter().find(|d| d.has("freezer")) else {
            return false;
        };
        let state = d.path.join("freezer.state");
        match write_file(&state, "FROZEN") {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return true,
            Err(e) => {
                log::warn!("{}: {e}", state.display());
                return false;
            }
        }
        // Frozen processes cannot fork; wait (bounded) until all are.
        let deadline = Instant::now() + Duration::from_millis(1000);
        while read_file(&state).is_some_and(|s| s.trim() != "FROZEN") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        let pids = procs_in(&d.path);
        log::debug!(
            "{}: frozen, SIGKILL to {} process(es)",
            d.path.display(),
            pids.len()
        );
        for pid in pids.into_iter().filter(|&p| p > 1) {
            // SAFETY: kill(2) with a PID read from the jail's own cgroup,
            // which nothing outside the jail can join, and it is frozen:
            // none of these processes can exit and be replaced meanwhile.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        let _ = write_file(&state, "THAWED");
        true
    }

    /// Remove the directories, waiting up to `wait` for the kernel to
    /// empty them; whether all are gone.
    pub fn remove(&self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        let mut all = true;
        for d in self.dirs.iter().rev() {
            loop {
                match std::fs::remove_dir(&d.path) {
                    Ok(()) => {
                        log::debug!("{}: removed", d.path.display());
                        break;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                    Err(e) if Instant::now() >= deadline => {
                        log::warn!("removing the cgroup {}: {e}", d.path.display());
                        all = false;
                        break;
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        }
        all
    }

    /// Usage and the limits in force, read from the cgroup files.
    pub fn usage(&self) -> crate::platform::Usage {
        let num = |d: &Dir, f: &str| {
            read_file(&d.path.join(f)).and_then(|t| t.trim().parse::<u64>().ok())
        };
        let v2 = self.dirs.iter().find(|d| d.v1.is_none());
        let v1 = |c: &str| self.dirs.iter().find(|d| d.has(c));
        let mut u = crate::platform::Usage::default();
        let first = |a: Option<u64>, b: Option<u64>| a.or(b);
        u.memory = first(
            v2.and_then(|d| num(d, "memory.current")),
            v1("memory").and_then(|d| num(d, "memory.usage_in_bytes")),
        );
        // Without the reaper (see `build`).
        u.processes = first(
            v2.and_then(|d| num(d, "pids.current")),
            v1("pids").and_then(|d| num(d, "pids.current")),
        )
        .map(|n| n.saturating_sub(1))
        .or_else(|| Some(self.members().len().saturating_sub(1) as u64));
        u.cpu_usec = first(
            v2.and_then(|d| {
                read_file(&d.path.join("cpu.stat"))?
                    .lines()
                    .find_map(|l| l.strip_prefix("usage_usec ")?.trim().parse().ok())
            }),
            v1("cpuacct")
                .and_then(|d| num(d, "cpuacct.usage"))
                .map(|ns| ns / 1000),
        );
        let limit = |res: Resource, amount: u64, used: Option<u64>| crate::platform::LimitUsage {
            rule: Rule {
                resource: res,
                action: rctl::Action::Deny,
                amount,
                per: Per::Jail,
            },
            used,
        };
        let mem_max = first(
            v2.and_then(|d| num(d, "memory.max")),
            v1("memory").and_then(|d| num(d, "memory.limit_in_bytes")),
        );
        // v1 reports "no limit" as a huge page-rounded number.
        if let Some(m) = mem_max.filter(|&m| m < (1u64 << 62)) {
            u.limits.push(limit(Resource::Memoryuse, m, u.memory));
        }
        let pids_max = first(
            v2.and_then(|d| num(d, "pids.max")),
            v1("pids").and_then(|d| num(d, "pids.max")),
        );
        if let Some(p) = pids_max {
            u.limits
                .push(limit(Resource::Maxproc, p.saturating_sub(1), u.processes));
        }
        let quota = v2
            .and_then(|d| {
                let t = read_file(&d.path.join("cpu.max"))?;
                let mut it = t.split_whitespace();
                let q: u64 = it.next()?.parse().ok()?;
                let p: u64 = it.next()?.parse().ok()?;
                Some(q * 100 / p.max(1))
            })
            .or_else(|| {
                let d = v1("cpu")?;
                let q: i64 = read_file(&d.path.join("cpu.cfs_quota_us"))?
                    .trim()
                    .parse()
                    .ok()?;
                let p: u64 = num(d, "cpu.cfs_period_us")?;
                (q > 0).then(|| q as u64 * 100 / p.max(1))
            });
        if let Some(q) = quota {
            u.limits.push(limit(Resource::Pcpu, q, None));
        }
        u
    }
}

/// Whether this host can enforce limits at all: a cgroup file system the
/// caller's cgroup is in, with a way to kill the group.
pub fn available() -> std::result::Result<(), String> {
    let mounts = parse_mounts(&read_file(Path::new("/proc/self/mountinfo")).unwrap_or_default());
    let membership =
        parse_membership(&read_file(Path::new("/proc/self/cgroup")).unwrap_or_default());
    let ours = dirs_of(&mounts, &membership);
    if ours.is_empty() {
        return Err("no cgroup file system is mounted (mount cgroup2 on /sys/fs/cgroup)".into());
    }
    let v2 = ours.iter().any(|(m, _)| m.v1.is_none());
    let freezer = ours.iter().any(|(m, _)| {
        m.v1.as_ref()
            .is_some_and(|c| c.iter().any(|x| x == "freezer"))
    });
    if !v2 && !freezer {
        return Err("neither cgroup v2 nor the v1 freezer is mounted".into());
    }
    Ok(())
}

/// Remove the empty cgroup directories named `jail` below the caller's
/// cgroups (left by a start killed before its command ran).  A directory
/// that still holds processes is left alone (rmdir(2) refuses it).
pub fn remove_stale(jail: &str) {
    if !jail.starts_with(crate::name::JAIL_PREFIX) {
        return;
    }
    let mounts = parse_mounts(&read_file(Path::new("/proc/self/mountinfo")).unwrap_or_default());
    let membership =
        parse_membership(&read_file(Path::new("/proc/self/cgroup")).unwrap_or_default());
    for (_, d) in dirs_of(&mounts, &membership) {
        let p = d.join(jail);
        if p.is_dir() {
            match std::fs::remove_dir(&p) {
                Ok(()) => log::debug!("{}: stale cgroup removed", p.display()),
                Err(e) => log::debug!("{}: {e}", p.display()),
            }
        }
    }
}

/// The cgroup `svcj-exec` made, removed when dropped unless the jail
/// lives on ([`Guard::disarm`]).
#[derive(Debug)]
pub struct Guard(Option<Cgroup>);

impl Guard {
    /// Guard `cg`.
    pub fn new(cg: Option<Cgroup>) -> Guard {
        Guard(cg)
    }

    /// The reaper's descriptors (none without a cgroup).
    pub fn handles(&self) -> Result<Option<Handles>> {
        self.0.as_ref().map(Cgroup::handles).transpose()
    }

    /// The jail lives on: its reaper removes the cgroup.
    pub fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            // Whatever is left (a start that failed half-way) first.
            if !c.members().is_empty() {
                c.kill();
            }
            c.remove(Duration::from_millis(1000));
        }
    }
}

/// Descriptors a joining process writes itself into (`cgroup.procs` of
/// each directory), opened before it forks.
#[derive(Debug)]
pub struct JoinHandles(Vec<OwnedFd>);

impl JoinHandles {
    /// Move the calling process into the jail's cgroup.
    pub fn enter(&self) -> std::result::Result<(), String> {
        for fd in &self.0 {
            write_fd(fd, "0").map_err(|e| format!("joining the jail's cgroup: {e}"))?;
        }
        Ok(())
    }
}

impl Cgroup {
    /// The descriptors for [`JoinHandles::enter`].
    pub fn join_handles(&self) -> Result<JoinHandles> {
        let mut v = Vec::new();
        for d in &self.dirs {
            let p = d.path.join("cgroup.procs");
            let f = OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW)
                .open(&p)
                .map_err(|e| Error::os(format!("opening {}", p.display()), e))?;
            v.push(OwnedFd::from(f));
        }
        Ok(JoinHandles(v))
    }
}

/// What the reaper holds to join its cgroup and, at the end, leave and
/// remove it.
#[derive(Debug)]
pub struct Handles {
    procs: Vec<OwnedFd>,
    parent_procs: Vec<OwnedFd>,
    parents: Vec<OwnedFd>,
    leaf: CString,
}

fn write_fd(fd: &OwnedFd, s: &str) -> std::io::Result<()> {
    // SAFETY: writing a live buffer to a descriptor we own.
    let n = unsafe { libc::write(fd.as_raw_fd(), s.as_ptr().cast(), s.len()) };
    if n < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

impl Handles {
    /// Move the calling process into the jail's cgroup (all of its
    /// directories), then let go of the descriptors it no longer needs.
    pub fn join(&mut self) -> std::result::Result<(), String> {
        for fd in &self.procs {
            write_fd(fd, "0").map_err(|e| format!("joining the jail's cgroup: {e}"))?;
        }
        self.procs.clear();
        Ok(())
    }

    /// Descriptors to keep open in the reaper.
    pub fn fds(&self) -> Vec<i32> {
        self.procs
            .iter()
            .chain(&self.parent_procs)
            .chain(&self.parents)
            .map(|f| f.as_raw_fd())
            .collect()
    }

    /// Leave the jail's cgroup for the parent and remove it (the reaper,
    /// last of the jail, on its way out).  Best effort.
    pub fn leave_and_remove(&self) {
        for fd in &self.parent_procs {
            let _ = write_fd(fd, "0");
        }
        for dir in &self.parents {
            // The kernel may hold the directory busy for a moment after
            // the last member was reaped: a short, bounded retry (100 ms).
            for _ in 0..50 {
                // SAFETY: unlinkat on a directory descriptor we own with a
                // NUL-terminated name.
                let r = unsafe {
                    libc::unlinkat(dir.as_raw_fd(), self.leaf.as_ptr(), libc::AT_REMOVEDIR)
                };
                if r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EBUSY) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    #[test]
    fn mounts_and_membership() {
        let m = parse_mounts(HYBRID);
        assert_eq!(m.len(), 7);
        assert_eq!(m[0].v1, Some(vec!["cpu".to_string()]));
        assert!(m[5].v1.as_ref().unwrap().iter().all(|c| !c.contains('=')));
        assert_eq!(m[6].v1, None);
        let mem = parse_membership("4:memory:/a/b\n8:pids:/\n0::/user.slice\n");
        assert_eq!(mem[0], (vec!["memory".to_string()], "/a/b".to_string()));
        assert_eq!(mem[2], (vec![], "/user.slice".to_string()));
    }

    #[test]
    fn paths_under_a_mount_root() {
        let m = Mount {
            point: "/sys/fs/cgroup".into(),
            root: "/lxc/c1".into(),
            v1: None,
        };
        assert_eq!(
            under(&m, "/lxc/c1/x"),
            Some(PathBuf::from("/sys/fs/cgroup/x"))
        );
        assert_eq!(under(&m, "/lxc/c1"), Some(PathBuf::from("/sys/fs/cgroup/")));
        assert_eq!(under(&m, "/lxc/c10"), None);
        assert_eq!(under(&m, "/other"), None);
    }

    #[test]
    fn settings_take_the_smaller_pids_limit() {
        let r =
            rctl::parse("maxproc:deny=20 nthr:deny=10 memoryuse:deny=1m openfiles:deny=3").unwrap();
        let s = Settings::from_rules(&r);
        assert_eq!(s.pids, Some(10));
        assert_eq!(s.memory, Some(1 << 20));
        assert_eq!(s.controllers(), ["memory", "pids"]);
    }
}
