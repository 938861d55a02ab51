//! Linux backend: a service jail is a set of namespaces held by a PID-1
//! reaper, found through a registry.
//!
//! Mapping of the jail parameters (DESIGN §4):
//!
//! * always a new PID namespace (the jail sees only itself; killing its
//!   PID 1 kills all of it — Linux's jail_remove) and a new mount
//!   namespace (needed for the jail's own `/proc`); `path=/` → same root;
//!   `host=inherit` → no UTS namespace;
//! * no network option (`ip4` and `ip6` disabled) → a new network
//!   namespace, which has only `lo`, down: no IPv4 or IPv6 at all; any
//!   network option → the host's network;
//! * `sysvipc` (inherit) → the host's IPC namespace and `/dev/shm`;
//!   `sysvipcnew` or neither → a new IPC namespace, a private `/dev/shm`
//!   and, where the host mounts one, a fresh `/dev/mqueue` (Linux has no
//!   "disable": a private, empty instance is the closest match);
//! * `allow.*` → capabilities kept on top of an allow-list shaped like
//!   FreeBSD's `prison_priv_check` (module `caps`); every jail also gets
//!   read-only or masked kernel interfaces (module `mounts`), a seccomp
//!   baseline and `no_new_privs` (module `seccomp`): Linux namespaces are
//!   not a jail by themselves, root inside them is still uid 0 to every
//!   interface that checks the uid.
//!
//! Known gaps, where Linux cannot match FreeBSD exactly (reported per run
//! by [`crate::platform::linux_gaps`]): addresses are not enforced (the
//! host network is shared whole), IPv4 cannot be granted without IPv6 or
//! the reverse, `allow.vmm`, `allow.nfsd` and `enforce_statfs` have no
//! equivalent.  Always true: socket families other than IPv4/IPv6 (unix,
//! netlink, …) stay usable without `allow.socket_af`, and without
//! `allow.mlock` a process may still lock up to `RLIMIT_MEMLOCK` bytes.
//!
//! The JID of a jail is its reaper's PID in the host's PID namespace.
//! Members are the processes whose `/proc/PID/ns/pid` is the jail's PID
//! namespace, the reaper excepted (it is the jail's infrastructure, like
//! the kernel's own bookkeeping on FreeBSD).
//!
//! The calling process never leaves the host's namespaces: creation only
//! unshares the PID namespace for its children (the reaper unshares the
//! rest for itself); a join forks first and the child enters the jail in
//! an order that never shows the jail a privileged process (module
//! `join`).  So the caller's `/proc` and every PID it signals stay the
//! host's.  All namespace work happens in single-threaded processes:
//! svcj-exec starts no threads at all.  Processes are signalled through
//! pidfds, and a registry entry is acted on only once its process is
//! verified to be the jail's reaper (module `registry`).

mod caps;
pub mod cgroup;
mod join;
mod mounts;
mod reaper;
pub mod registry;
mod seccomp;

use super::{JailInfo, NestedLimits, Platform, RunSpec};
use crate::error::{Error, Result};
use crate::name::{JailName, JailRef};
use crate::options::JailParams;
use nix::sched::CloneFlags;
use registry::{Entry, Registry};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use caps::{BASE as BASE_CAPABILITIES, MAPPING as CAPABILITY_MAPPING};

/// How long [`Platform::remove`] waits for the kernel to empty a jail.
/// The SIGKILL to the reaper has made the end of every member certain;
/// what remains is the kernel's work, which usually takes milliseconds
/// but, for ten thousand processes on a saturated machine, seconds: the
/// wait ends as soon as it is done, and only a kernel that has not
/// finished by this bound is reported as a failure.
const REMOVE_WAIT: Duration = Duration::from_secs(10);

/// How long [`Platform::remove`] lets the reaper of an empty jail exit by
/// itself before killing it.  A reaper with no members left exits at
/// once, so this only costs time on a badly loaded machine — where a short
/// grace would lose the command's exit status (svcj-exec would report 137
/// instead of what the command returned: seen with 1 s while a jail of
/// 600 processes was torn down next to it on two loaded CPUs).  Nothing
/// in the jail can keep its PID 1 from exiting.
const REAPER_GRACE: Duration = Duration::from_secs(3);

/// The Linux backend.
#[derive(Debug, Clone)]
pub struct Linux {
    registry: Registry,
    /// Entries seen by lookups, by JID: a jail may end (and its reaper
    /// remove its entry) while we work on it, and [`Platform::remove`]
    /// must still wait for that very reaper to be gone.
    seen: RefCell<BTreeMap<i32, Entry>>,
    /// How many members the last [`Platform::members`] call found, by
    /// JID: [`Platform::remove`] gives an empty jail's reaper a moment to
    /// exit by itself, and kills at once otherwise, with no scan first.
    last_members: RefCell<BTreeMap<i32, usize>>,
}

impl Linux {
    /// Configure from the environment (`SVCJ_RUNDIR`).
    pub fn from_env() -> Self {
        let dir = std::env::var_os("SVCJ_RUNDIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(registry::DEFAULT_RUNDIR));
        Linux::with_rundir(dir)
    }

    /// A backend whose registry lives in `dir`.
    pub fn with_rundir(dir: PathBuf) -> Self {
        Linux {
            registry: Registry::new(dir),
            seen: RefCell::new(BTreeMap::new()),
            last_members: RefCell::new(BTreeMap::new()),
        }
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    fn info(&self, e: Entry) -> JailInfo {
        self.seen.borrow_mut().insert(e.reaper, e.clone());
        JailInfo {
            jid: e.reaper,
            name: e.name,
            params: e.params,
        }
    }

    /// Remove `name`'s entry if it belongs to the reaper `pid` (ours, dead).
    fn remove_entry_of(&self, name: &str, pid: i32) {
        if let Ok(Some(e)) = self.registry.read_raw(name) {
            if e.reaper == pid {
                self.registry.remove_if(name, e.pidns);
            }
        }
    }

    /// The live registry entry behind `jail`, if it is still the same jail.
    fn entry_of(&self, jail: &JailInfo) -> Result<Option<Entry>> {
        Ok(self
            .registry
            .load(&jail.name)?
            .filter(|e| e.reaper == jail.jid))
    }
}

fn cstrings(argv: &[std::ffi::OsString]) -> Result<Vec<CString>> {
    argv.iter()
        .map(|a| {
            CString::new(a.as_bytes()).map_err(|_| {
                Error::Usage(format!(
                    "argument {:?} contains a NUL byte",
                    a.to_string_lossy()
                ))
            })
        })
        .collect()
}

/// Open the console log for appending, as root, without following a
/// symbolic link (the log's directory may belong to someone else) and
/// only if it is a regular file (a FIFO or device would block or do
/// worse).
fn open_log(path: &Path) -> Result<File> {
    let refuse = |what: &str| Error::CantCreate {
        path: path.to_path_buf(),
        source: std::io::Error::other(format!(
            "{what}: refusing to write the console log there \
                 (remove it, or make it a regular file)"
        )),
    };
    let f = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o640)
        .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|source| match source.raw_os_error() {
            Some(libc::ELOOP) => refuse("a symbolic link"),
            // A FIFO nobody reads (O_NONBLOCK): not a regular file.
            Some(libc::ENXIO) => refuse("not a regular file"),
            _ => Error::CantCreate {
                path: path.to_path_buf(),
                source,
            },
        })?;
    let m = f.metadata().map_err(|source| Error::CantCreate {
        path: path.to_path_buf(),
        source,
    })?;
    if !m.is_file() {
        return Err(refuse("not a regular file"));
    }
    // Back to blocking writes (O_NONBLOCK only kept open(2) from waiting
    // on a FIFO).
    nix::fcntl::fcntl(
        &f,
        nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_APPEND),
    )
    .map_err(|e| Error::os(format!("fcntl {}", path.display()), e))?;
    log::debug!("console log {} opened", path.display());
    Ok(f)
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| Error::os("pipe", e))
}

/// Prepare the command: resolved path and argv (argv[0] as given).
fn prepare(cmd: &RunSpec) -> Result<(CString, Vec<CString>)> {
    let Some(prog) = cmd.argv.first() else {
        return Err(Error::Usage("no command given".into()));
    };
    let path = super::resolve_command(prog)?;
    let cpath = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::Usage(format!("command {:?} contains a NUL byte", path)))?;
    Ok((cpath, cstrings(&cmd.argv)?))
}

fn ns_inode(path: &str) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.ino())
}

/// Wait for `pid` (our child) and decode its status.
fn wait_child(pid: libc::pid_t) -> Result<i32> {
    let mut st: libc::c_int = 0;
    loop {
        // SAFETY: waitpid on our own child, writing into `st`.
        let r = unsafe { libc::waitpid(pid, &mut st, 0) };
        if r == pid {
            return Ok(reaper::decode(st));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(Error::os("waitpid", e));
        }
    }
}

impl Linux {
    fn join(
        &self,
        jail: &JailInfo,
        cmd: &RunSpec,
        timeout: Option<Duration>,
    ) -> Result<Option<i32>> {
        if !self.privileged() {
            return Err(Error::NotRoot(format!("joining {}", jail.name)));
        }
        let (path, argv) = prepare(cmd)?;
        let cwd = std::env::current_dir().map_err(|e| Error::os("getcwd", e))?;
        let cwd = CString::new(cwd.as_os_str().as_bytes())
            .map_err(|_| Error::Usage("the current directory contains a NUL byte".into()))?;
        let Some(entry) = self.entry_of(jail)? else {
            return Err(Error::NoSuchJail(jail.name.clone()));
        };
        let log = cmd.console_log.as_deref().map(open_log).transpose()?;
        let prog = seccomp::program().map_err(Error::Unavailable)?;
        // Open every namespace that differs from ours; the entrant (see
        // module `join`) enters them, the caller never leaves the host's.
        let inside = match registry::vantage(&entry) {
            registry::Vantage::Host => false,
            // Already in this jail: run the command right here.
            registry::Vantage::Inside => true,
            registry::Vantage::Elsewhere => return Err(from_elsewhere(&jail.name)),
        };
        let namespaces: &[(&str, CloneFlags)] = if inside {
            &[]
        } else {
            &[
                ("ipc", CloneFlags::CLONE_NEWIPC),
                ("net", CloneFlags::CLONE_NEWNET),
                ("pid", CloneFlags::CLONE_NEWPID),
                ("mnt", CloneFlags::CLONE_NEWNS),
            ]
        };
        let open = |p: &str| {
            File::open(p).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Error::NoSuchJail(jail.name.clone()),
                _ => Error::os(format!("opening {p}"), e),
            })
        };
        let mut ns = Vec::new();
        let mut pid_ns = None;
        for &(name, flag) in namespaces {
            let theirs = format!("/proc/{}/ns/{name}", entry.reaper);
            if ns_inode(&theirs).is_some()
                && ns_inode(&theirs) == ns_inode(&format!("/proc/self/ns/{name}"))
            {
                continue;
            }
            let f = open(&theirs)?;
            if flag == CloneFlags::CLONE_NEWPID {
                pid_ns = Some(f);
            } else {
                ns.push((name, f, flag));
            }
        }
        let root = if inside {
            None
        } else {
            Some(open(&format!("/proc/{}/root", entry.reaper))?)
        };
        // The reaper may have been replaced between lookup and open.
        if !registry::is_live(&entry) {
            return Err(Error::NoSuchJail(jail.name.clone()));
        }
        let plan = join::Plan {
            name: jail.name.clone(),
            ns,
            root,
            pid_ns,
            cwd,
            keep: caps::allowed(&entry.params),
            log,
            prog,
            path,
            argv,
        };
        log::debug!(
            "{}: joining (reaper {}, namespaces {:?}, keeping {})",
            jail.name,
            entry.reaper,
            plan.ns.iter().map(|(n, _, _)| *n).collect::<Vec<_>>(),
            caps::names(plan.keep).join(" ")
        );
        // A jail with a cgroup: the entrant joins it first, so that what
        // it runs counts against the jail's limits.
        let cg = if inside {
            None
        } else {
            cgroup::Cgroup::of_process(entry.reaper, &jail.name)
                .map(|c| c.join_handles())
                .transpose()?
        };
        match timeout {
            None => {
                let pass = SignalPass::install();
                // SAFETY: single-threaded process; the entrant only sets
                // itself up and execs or exits (module `join`).
                let pid = unsafe { libc::fork() };
                if pid == 0 {
                    pass.restore();
                    if let Err(msg) = cg.as_ref().map_or(Ok(()), |h| h.enter()) {
                        reaper::child_error(&msg);
                    }
                    join::enter(&plan);
                }
                if pid < 0 {
                    pass.restore();
                    return Err(Error::os("fork", std::io::Error::last_os_error()));
                }
                drop(plan);
                wait_child_forwarding(pass, pid)
            }
            Some(t) => run_bounded(plan, cg, t),
        }
    }
}

/// The stop command of `svcj-kill`: the entrant started through `duct`
/// (its pre-exec hook is [`join::enter`], which forks the final child
/// itself and never returns to std's exec), bounded by `timeout`.
fn run_bounded(
    plan: join::Plan,
    cg: Option<cgroup::JoinHandles>,
    timeout: Duration,
) -> Result<Option<i32>> {
    use std::os::unix::process::CommandExt;
    let plan = std::sync::Arc::new(plan);
    let cg = std::sync::Arc::new(cg);
    let hook = std::sync::Arc::clone(&plan);
    let handle = duct::cmd(
        std::ffi::OsStr::from_bytes(plan.path.as_bytes()),
        std::iter::empty::<&str>(),
    )
    .before_spawn(move |c| {
        let hook = std::sync::Arc::clone(&hook);
        let cg = std::sync::Arc::clone(&cg);
        // SAFETY: the hook runs in the forked child of a single-threaded
        // process (svcj-kill starts no threads) and only makes system
        // calls before it execs or exits.
        unsafe {
            c.pre_exec(move || {
                if let Some(h) = cg.as_ref() {
                    h.enter().map_err(std::io::Error::other)?;
                }
                join::enter(&hook)
            })
        };
        Ok(())
    })
    .unchecked()
    .start()
    .map_err(|e| Error::os("starting the stop command", e))?;
    drop(plan);
    match handle
        .wait_timeout(timeout)
        .map_err(|e| Error::os("waiting for the stop command", e))?
    {
        Some(out) => Ok(Some(exit_code(&out.status))),
        None => {
            log::debug!("the stop command overran {timeout:?}: killing it");
            handle
                .kill()
                .map_err(|e| Error::os("killing the stop command", e))?;
            Ok(None)
        }
    }
}

/// A shell's view of an exit status.
fn exit_code(s: &std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    s.code()
        .or_else(|| s.signal().map(|n| 128 + n))
        .unwrap_or(128)
}

impl Platform for Linux {
    fn name(&self) -> &'static str {
        "linux"
    }

    fn nested_limits(&self) -> Result<NestedLimits> {
        // Linux has no nested jails: only the test override can say
        // "jailed".
        Ok(NestedLimits::from_env_override()?.unwrap_or(NestedLimits {
            jailed: false,
            children_max: i64::from(i32::MAX),
            children_cur: 0,
        }))
    }

    fn lookup(&self, jail: &JailRef) -> Result<Option<JailInfo>> {
        Ok(match jail {
            JailRef::Name(n) => self.registry.load(n.as_str())?.map(|e| self.info(e)),
            JailRef::Jid(j) => self
                .registry
                .list()?
                .into_iter()
                .find(|e| e.reaper == *j)
                .map(|e| self.info(e)),
        })
    }

    fn list(&self) -> Result<Vec<JailInfo>> {
        Ok(self
            .registry
            .list()?
            .into_iter()
            .map(|e| self.info(e))
            .collect())
    }

    fn create_and_run(&self, name: &JailName, params: &JailParams, cmd: &RunSpec) -> Result<i32> {
        self.create_and_run_limited(name, params, &crate::rctl::Rules::default(), cmd)
    }

    fn limits_available(&self) -> std::result::Result<(), String> {
        cgroup::available()
    }

    fn usage(&self, jail: &JailInfo) -> Result<Option<super::Usage>> {
        let Some(entry) = self.entry_of(jail)? else {
            return Ok(None);
        };
        if registry::vantage(&entry) != registry::Vantage::Host {
            return Ok(None);
        }
        Ok(cgroup::Cgroup::of_process(entry.reaper, &jail.name).map(|c| c.usage()))
    }

    fn create_and_run_limited(
        &self,
        name: &JailName,
        params: &JailParams,
        rules: &crate::rctl::Rules,
        cmd: &RunSpec,
    ) -> Result<i32> {
        // Everything that can be refused is checked before anything exists.
        if !self.privileged() {
            return Err(Error::NotRoot(format!("creating {name}")));
        }
        self.nested_limits()?.check()?;
        let (path, argv) = prepare(cmd)?;
        self.registry.ensure_dir()?;
        let lock = self.registry.lock()?;
        if self.registry.load(name.as_str())?.is_some() {
            return Err(Error::JailExists(name.to_string()));
        }
        let log = cmd.console_log.as_deref().map(open_log).transpose()?;
        // Resource limits: the jail's cgroup, made and limited now (under
        // the lock), joined by the reaper first thing; removed on every
        // way out below unless the jail lives on.
        let mut cg = cgroup::Guard::new(if rules.is_empty() {
            None
        } else {
            Some(cgroup::Cgroup::create(name.as_str(), rules)?)
        });
        let cg_handles = cg.handles()?;

        let (status_r, status_w) = pipe()?;
        let hostpidns = registry::own_pidns();
        // Only the PID namespace is unshared here (it applies to children
        // only): the reaper unshares the others for itself, so this
        // process stays entirely in the host's namespaces.
        let own_pid_ns = File::open("/proc/self/ns/pid")
            .map_err(|e| Error::os("opening /proc/self/ns/pid", e))?;
        nix::sched::unshare(CloneFlags::CLONE_NEWPID)
            .map_err(|e| Error::os("unshare(CLONE_NEWPID)", e))?;
        let pass = SignalPass::install();
        // SAFETY: single-threaded process (svcj-exec starts no threads);
        // the child runs the reaper and only ever leaves through _exit.
        let pid = unsafe { libc::fork() };
        let fork_err = std::io::Error::last_os_error();
        if pid != 0 {
            // See join(): a refusal here only matters to a caller that
            // forks again, and svcj-exec does not.
            if let Err(e) = nix::sched::setns(&own_pid_ns, CloneFlags::CLONE_NEWPID) {
                log::debug!("returning to the caller's pid namespace: {e}");
            }
        }
        if pid < 0 {
            pass.restore();
            return Err(Error::os("fork", fork_err));
        }
        if pid == 0 {
            pass.restore();
            reaper::run(reaper::Args {
                status_w: status_w.as_raw_fd(),
                close: vec![status_r.as_raw_fd(), own_pid_ns.as_raw_fd()],
                lock: &lock,
                log: log.as_ref().map(|f| f.as_raw_fd()),
                path,
                argv,
                params,
                registry: &self.registry,
                name: name.as_str(),
                hostpidns,
                cgroup: cg_handles,
            });
        }
        // The reaper registers the jail, then lets go of the lock (the
        // descriptor is shared): only close our copy.
        lock.disown();
        drop(own_pid_ns);
        drop(status_w);
        drop(log);
        drop(cg_handles);
        log::debug!("{name}: reaper {pid}");

        let msg = wait_report(pass, &status_r, pid);
        let reap = || {
            // SAFETY: reaping our own child, which is exiting or gone.
            unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
        };
        match msg.first() {
            Some(b'S') if msg.len() >= 6 => {
                let code = i32::from_ne_bytes([msg[1], msg[2], msg[3], msg[4]]);
                if msg[5] != 0 {
                    // The jail is empty and the reaper is exiting: reap it
                    // so nothing is left when we return.
                    reap();
                } else if code != 0 {
                    // A failed start removes the jail it created, with
                    // whatever the start left running (jail(8) does the
                    // same when exec.start fails).  This jail is ours: its
                    // reaper is our child.
                    log::debug!("{name}: the command failed ({code}): removing the jail");
                    let info = JailInfo {
                        jid: pid,
                        name: name.to_string(),
                        params: params.clone(),
                    };
                    let removed = self.remove(&info);
                    reap();
                    if let Err(e) = removed {
                        log::warn!("{name}: removing the jail after the failed start: {e}");
                        return Err(e);
                    }
                } else {
                    // The jail lives on (a daemon): its reaper removes the
                    // cgroup when the last process has left.
                    cg.disarm();
                }
                Ok(code)
            }
            Some(b'E') => {
                reap();
                self.remove_entry_of(name.as_str(), pid);
                Err(Error::Unavailable(format!(
                    "{name}: {}",
                    String::from_utf8_lossy(&msg[1..])
                )))
            }
            _ => {
                // The reaper died without a report: the jail was removed
                // (svcj-kill) while the command ran, which killed it.
                log::info!("{name}: the jail was removed while the command ran");
                reap();
                self.remove_entry_of(name.as_str(), pid);
                Ok(128 + libc::SIGKILL)
            }
        }
    }

    fn join_and_run(&self, jail: &JailInfo, cmd: &RunSpec) -> Result<i32> {
        Ok(self.join(jail, cmd, None)?.unwrap_or(128 + libc::SIGKILL))
    }

    fn join_and_run_bounded(
        &self,
        jail: &JailInfo,
        cmd: &RunSpec,
        timeout: Duration,
    ) -> Result<Option<i32>> {
        self.join(jail, cmd, Some(timeout))
    }

    fn members(&self, jail: &JailInfo) -> Result<Vec<i32>> {
        let Some(entry) = self.entry_of(jail)? else {
            return Ok(Vec::new());
        };
        let m = match registry::vantage(&entry) {
            registry::Vantage::Host => match cgroup::Cgroup::of_process(entry.reaper, &jail.name) {
                // A jail with a cgroup: its member list, not a /proc scan.
                Some(c) => c
                    .members()
                    .into_iter()
                    .filter(|&p| p != entry.reaper)
                    .collect(),
                None => members_of(Path::new("/proc"), entry.pidns, entry.reaper),
            },
            // Our own /proc is the jail's: PID 1 is the reaper.
            registry::Vantage::Inside => {
                let ns = registry::own_pidns().unwrap_or(entry.pidns);
                members_of(Path::new("/proc"), ns, 1)
            }
            registry::Vantage::Elsewhere => return Err(from_elsewhere(&jail.name)),
        };
        self.last_members.borrow_mut().insert(jail.jid, m.len());
        Ok(m)
    }

    fn signal(&self, pid: i32, sig: i32) -> Result<()> {
        if pid <= 1 {
            // kill(0), kill(-1) and kill(1) would reach far more than a
            // jail member: never, whatever a caller computed.
            return Err(Error::Unavailable(format!(
                "refusing to send signal {sig} to PID {pid}"
            )));
        }
        // Through a pidfd, and only to a process of a jail looked up
        // here: the PID was read from /proc a moment ago and may have
        // been reused since.  A process alive while its pidfd is open
        // keeps its PID, so the check after the open is reliable.
        let Some(fd) = Pidfd::open(pid)? else {
            return Ok(());
        };
        let ns = ns_inode(&format!("/proc/{pid}/ns/pid"));
        let ours = self
            .seen
            .borrow()
            .values()
            .any(|e| Some(e.pidns) == ns || registry::own_pidns() == Some(e.pidns));
        if !ours {
            log::debug!("PID {pid} is no longer in a jail: not signalled");
            return Ok(());
        }
        log::debug!("signal {sig} to PID {pid}");
        fd.send(sig)
            .map_err(|e| Error::os(format!("pidfd_send_signal({pid}, {sig})"), e))
    }

    fn remove(&self, jail: &JailInfo) -> Result<()> {
        let seen = self.seen.borrow().get(&jail.jid).cloned();
        let Some(entry) = seen.or_else(|| {
            self.registry
                .read_raw(&jail.name)
                .ok()
                .flatten()
                .filter(|e| e.reaper == jail.jid)
        }) else {
            return Ok(());
        };
        if registry::vantage(&entry) != registry::Vantage::Host {
            return Err(from_elsewhere(&jail.name));
        }
        // The reaper through a pidfd, checked after the open (see
        // `signal`): killing it is the removal, the kernel kills the
        // rest of the namespace and lets no one fork in it meanwhile.
        let reaper = match Pidfd::open(entry.reaper)? {
            Some(fd) if registry::is_live(&entry) => Some(fd),
            _ => None,
        };
        let cg = reaper
            .as_ref()
            .and_then(|_| cgroup::Cgroup::of_jail(entry.reaper, &jail.name));
        if let Some(fd) = &reaper {
            // An empty jail's reaper is about to report the command's
            // status and exit by itself: give it that moment rather
            // than killing it.  Otherwise, no scan first: kill.
            let empty = self.last_members.borrow().get(&jail.jid) == Some(&0);
            if !(empty && fd.wait_exit(REAPER_GRACE)) {
                // With a cgroup, the whole group at once first.
                if let Some(c) = &cg {
                    c.kill();
                }
                log::debug!("{}: SIGKILL to the reaper {}", jail.name, entry.reaper);
                fd.send(libc::SIGKILL).map_err(|e| {
                    log::warn!("{}: pidfd_send_signal(SIGKILL): {e}", jail.name);
                    Error::os(
                        format!("killing the reaper {} of {}", entry.reaper, jail.name),
                        e,
                    )
                })?;
                if !fd.wait_exit(REMOVE_WAIT) {
                    return Err(Error::Unavailable(format!(
                        "{}: the reaper {} is still there {} ms after SIGKILL",
                        jail.name,
                        entry.reaper,
                        REMOVE_WAIT.as_millis()
                    )));
                }
            }
        }
        // The kernel lets the namespace's PID 1 finish exiting only once
        // every other member is gone; one scan confirms it.
        let deadline = Instant::now() + REMOVE_WAIT;
        loop {
            let left = members_of(Path::new("/proc"), entry.pidns, entry.reaper);
            if left.is_empty() {
                break;
            }
            if Instant::now() >= deadline {
                return Err(Error::Unavailable(format!(
                    "{}: {} process(es) still present {} ms after SIGKILL to the reaper {}",
                    jail.name,
                    left.len(),
                    REMOVE_WAIT.as_millis(),
                    entry.reaper
                )));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        self.registry.remove_if(&jail.name, entry.pidns);
        match cg {
            Some(c) => {
                c.remove(REMOVE_WAIT);
            }
            // The reaper was gone already: it removes the cgroup on its
            // way out, but not if it was killed in between.
            None => cgroup::remove_stale(jail.name.as_str()),
        }
        log::debug!("{}: removed", jail.name);
        Ok(())
    }
}

/// A process descriptor (pidfd_open(2)).
struct Pidfd(OwnedFd);

impl Pidfd {
    /// `Ok(None)` when there is no such process.
    fn open(pid: i32) -> Result<Option<Pidfd>> {
        // SAFETY: pidfd_open with integer arguments; returns a new fd.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd < 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::ESRCH) {
                return Ok(None);
            }
            log::warn!("pidfd_open({pid}): {e}");
            return Err(Error::os(format!("pidfd_open({pid})"), e));
        }
        // SAFETY: `fd` is a new descriptor owned by nobody else.
        Ok(Some(Pidfd(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })))
    }

    /// Send `sig`; a process that has ended is not an error.
    fn send(&self, sig: i32) -> std::io::Result<()> {
        // SAFETY: pidfd_send_signal on our descriptor, no siginfo.
        let r = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.0.as_raw_fd(),
                sig,
                std::ptr::null::<libc::siginfo_t>(),
                0u32,
            )
        };
        if r != 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::ESRCH) {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Wait up to `t` for the process to end; whether it did.
    fn wait_exit(&self, t: Duration) -> bool {
        let deadline = Instant::now() + t;
        loop {
            let mut pfd = libc::pollfd {
                fd: self.0.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = deadline
                .saturating_duration_since(Instant::now())
                .as_millis()
                .min(i32::MAX as u128) as i32;
            // SAFETY: one valid pollfd.
            let r = unsafe { libc::poll(&mut pfd, 1, ms) };
            if r > 0 {
                return true;
            }
            if r == 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                return false;
            }
        }
    }
}

/// The error for an operation that needs the host's view of a jail.
fn from_elsewhere(name: &str) -> Error {
    Error::Unavailable(format!(
        "{name} cannot be reached from here: run this on the host that created it, \
         not inside a jail"
    ))
}

/// Signals `svcj-exec` passes on to the jail while it waits.
const PASSED_ON: [i32; 6] = reaper::FORWARDED;

/// Bit `n` set: signal `n` arrived from a process (not the terminal).
static SIGNALLED: AtomicU64 = AtomicU64::new(0);

extern "C" fn note_signal(sig: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
    let code = unsafe { (*info).si_code };
    if (code == libc::SI_USER || code == libc::SI_QUEUE) && (0..64).contains(&sig) {
        SIGNALLED.fetch_or(1 << sig, Ordering::SeqCst);
    }
}

/// Signals sent to this process with kill(2) (a supervisor stopping
/// `svcj-exec`) are passed on to the jail while we wait; signals from the
/// terminal are not, since the command, in the same process group, got
/// them already.  Installed *before* the fork, so that no signal can come
/// too early: the forked child puts the caller's mask and dispositions
/// back with [`SignalPass::restore`] (the command inherits those).
pub(crate) struct SignalPass {
    old_mask: libc::sigset_t,
    old_acts: [libc::sigaction; PASSED_ON.len()],
}

impl SignalPass {
    /// Block the passed-on signals and catch them.
    fn install() -> SignalPass {
        // SAFETY: plain sigset and sigaction manipulation of this process;
        // the handler only touches an atomic.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for s in PASSED_ON {
                libc::sigaddset(&mut set, s);
            }
            let mut old_mask: libc::sigset_t = std::mem::zeroed();
            libc::sigprocmask(libc::SIG_BLOCK, &set, &mut old_mask);
            let mut old_acts: [libc::sigaction; PASSED_ON.len()] = std::mem::zeroed();
            for (i, s) in PASSED_ON.into_iter().enumerate() {
                let mut act: libc::sigaction = std::mem::zeroed();
                act.sa_sigaction = note_signal as *const () as usize;
                act.sa_flags = libc::SA_SIGINFO;
                libc::sigemptyset(&mut act.sa_mask);
                libc::sigaction(s, &act, &mut old_acts[i]);
            }
            SIGNALLED.store(0, Ordering::SeqCst);
            SignalPass { old_mask, old_acts }
        }
    }

    /// Put back the caller's dispositions and mask (in the parent when
    /// done, in a forked child at once).
    pub(crate) fn restore(&self) {
        // SAFETY: restoring what `install` saved.
        unsafe {
            for (i, s) in PASSED_ON.into_iter().enumerate() {
                libc::sigaction(s, &self.old_acts[i], std::ptr::null_mut());
            }
            libc::sigprocmask(libc::SIG_SETMASK, &self.old_mask, std::ptr::null_mut());
        }
    }

    /// Wait until `fd` is readable and `ready` says we are done, passing
    /// signals on to `target` meanwhile; then restore.
    fn wait(self, fd: RawFd, target: libc::pid_t, mut ready: impl FnMut() -> bool) {
        loop {
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd; the caller's mask is valid.
            let r = unsafe { libc::ppoll(&mut pfd, 1, std::ptr::null(), &self.old_mask) };
            let pending = SIGNALLED.swap(0, Ordering::SeqCst);
            for s in PASSED_ON {
                if pending & (1 << s) != 0 {
                    log::info!("passing signal {s} on to the jail");
                    // SAFETY: kill(2) on our own child.
                    unsafe { libc::kill(target, s) };
                }
            }
            if r < 0 {
                if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                break;
            }
            if ready() {
                break;
            }
        }
        self.restore();
    }
}

/// Read the reaper's report from the status pipe until it is complete,
/// passing signals on to the reaper meanwhile.
fn wait_report(pass: SignalPass, status_r: &OwnedFd, reaper: libc::pid_t) -> Vec<u8> {
    let fd = status_r.as_raw_fd();
    let mut msg = Vec::new();
    pass.wait(fd, reaper, || {
        let mut buf = [0u8; 256];
        // SAFETY: reading into a live buffer of the given length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n > 0 {
            msg.extend_from_slice(&buf[..n as usize]);
            // A status report is complete at 6 bytes; an error runs to EOF.
            return msg.first() == Some(&b'S') && msg.len() >= 6;
        }
        n == 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
    });
    msg
}

/// Wait for our child `pid` with no deadline, passing signals on to it.
fn wait_child_forwarding(pass: SignalPass, pid: libc::pid_t) -> Result<Option<i32>> {
    // SAFETY: pidfd_open on our own child; returns a new descriptor.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as RawFd;
    if pidfd >= 0 {
        pass.wait(pidfd, pid, || true);
        // SAFETY: closing the descriptor pidfd_open gave us.
        unsafe { libc::close(pidfd) };
    } else {
        pass.restore();
    }
    wait_child(pid).map(Some)
}

/// Run the calling process at the lowest real-time priority
/// (`SCHED_FIFO` 1), which no jail can reach (it has no `CAP_SYS_NICE`):
/// the scheduler then runs it before any ordinary process.  Children
/// fall back to the normal policy (`SCHED_RESET_ON_FORK`).  Where the
/// kernel refuses (no real-time budget in a container), nice -20.  Only
/// for bounded work: `svcj-kill` mostly sleeps between its scans, and
/// the kernel's real-time throttling leaves the others 5% of the CPU
/// even against a bug.
fn ahead_of_the_jails() {
    let p = libc::sched_param { sched_priority: 1 };
    // SAFETY: sched_setscheduler on the calling process with a valid
    // parameter block.
    let r =
        unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO | libc::SCHED_RESET_ON_FORK, &p) };
    if r == 0 {
        log::debug!("teardown at real-time priority");
        return;
    }
    let e = std::io::Error::last_os_error();
    // SAFETY: setpriority on the calling process, integer arguments.
    let r = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, -20) };
    log::debug!(
        "no real-time priority for the teardown ({e}); nice -20: {}",
        if r == 0 { "set" } else { "refused" }
    );
}

/// See [`members_of`].
static SCAN_DEADLINE: std::sync::Mutex<Option<Instant>> = std::sync::Mutex::new(None);

/// Bound every later scan of jail members by `deadline` (`svcj-kill`'s
/// own deadline), or lift the bound.
///
/// Setting a deadline also puts the calling process ahead of every
/// jail ([`ahead_of_the_jails`]): it has a deadline to keep, and a jail
/// that saturates the CPU with thousands of runnable processes would
/// otherwise leave it a thousandth of a CPU.
pub fn set_scan_deadline(deadline: Option<Instant>) {
    if deadline.is_some() {
        ahead_of_the_jails();
    }
    if let Ok(mut d) = SCAN_DEADLINE.lock() {
        *d = deadline;
    }
}

/// PIDs under `proc` whose PID namespace is `pidns`, `except` excluded.
/// Zombies are not members: they have ended, only their parent has not
/// collected the status yet (and nothing can signal them).
///
/// A scan of a jail that forks at full speed can take seconds of CPU the
/// jail competes for: past the deadline set by [`set_scan_deadline`] the
/// scan stops and returns what it found (`svcj-kill` then removes the
/// jail without waiting for a complete list).
fn members_of(proc: &Path, pidns: u64, except: i32) -> Vec<i32> {
    let Ok(rd) = std::fs::read_dir(proc) else {
        return Vec::new();
    };
    let deadline = SCAN_DEADLINE.lock().ok().and_then(|d| *d);
    let mut seen = 0u32;
    let want = format!("pid:[{pidns}]");
    let mut out: Vec<i32> = rd
        .take_while(|_| {
            seen = seen.wrapping_add(1);
            seen % 32 != 0 || deadline.is_none_or(|d| Instant::now() < d)
        })
        .flatten()
        .filter_map(|d| d.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != except)
        .filter(|pid| {
            std::fs::read_link(proc.join(format!("{pid}/ns/pid")))
                .map(|l| l.as_os_str().as_bytes() == want.as_bytes())
                .unwrap_or(false)
        })
        .filter(|pid| {
            std::fs::read_to_string(proc.join(format!("{pid}/stat")))
                .ok()
                .and_then(|s| registry::parse_stat(&s))
                .is_some_and(|(state, _)| state != 'Z' && state != 'X')
        })
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_is_member_of_own_namespace() {
        let ino = ns_inode("/proc/self/ns/pid").unwrap();
        let me = std::process::id() as i32;
        let m = members_of(Path::new("/proc"), ino, -1);
        assert!(m.contains(&me));
        assert!(!members_of(Path::new("/proc"), ino, me).contains(&me));
        assert!(members_of(Path::new("/proc"), 1, -1).is_empty());
    }

    #[test]
    fn nested_limits_default_not_jailed() {
        if std::env::var_os("SVCJ_SYSCTL_FILE").is_none() {
            let n = Linux::with_rundir("/nonexistent".into())
                .nested_limits()
                .unwrap();
            assert!(!n.jailed);
        }
    }

    #[test]
    fn lookup_in_missing_registry_is_none() {
        let l = Linux::with_rundir("/nonexistent/svcj".into());
        let r = JailRef::parse("svcj-nothere", false).unwrap();
        assert_eq!(l.lookup(&r).unwrap(), None);
        assert!(l.list().unwrap().is_empty());
    }
}
