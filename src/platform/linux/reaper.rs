//! The PID-1 reaper of a Linux service jail, and the exec of its command.
//!
//! After `svcj-exec` unshared the PID namespace and forked, the child is PID 1
//! of the new PID namespace.  It stays for the life of the jail, because
//! when PID 1 of a namespace dies the kernel kills every other process in
//! it (that is how `svcj-kill` removes a jail, and why the kill-everything
//! guarantee does not depend on any wrapper staying alive).  In order
//! (see [`run`]), it:
//!
//! 1. leaves the caller's session and arranges to be killed if
//!    `svcj-exec` dies before the command has started;
//! 2. unshares the mount namespace, and the IPC and network namespaces
//!    unless the jail inherits them (so `svcj-exec` itself never leaves
//!    the host's), makes every mount a slave of the host's (nothing
//!    mounted inside propagates out), mounts a fresh `/proc` (the new PID
//!    namespace hides nothing until then) and, unless the jail inherits
//!    the host's IPC, a private tmpfs on `/dev/shm` (POSIX shared memory
//!    lives in the mount namespace, not the IPC one) and a fresh mqueue
//!    file system on `/dev/mqueue` if the host has one mounted; then the
//!    read-only and masking mounts of module `mounts`, the registry
//!    hidden among them;
//! 3. registers the jail, only now that it is complete (a join never
//!    lands in a half-built jail), and releases the creation lock it
//!    shares with `svcj-exec`;
//! 4. locks itself down: not dumpable, a new session keyring, the
//!    capability allow-list (module `caps`), `no_new_privs`, the seccomp
//!    baseline (module `seccomp`), all inherited by the command;
//! 5. forks the command (PID 2) in a session of its own, with the
//!    caller's stdio (or the console log) and no other descriptor, then
//!    lets go of the caller's stdio itself;
//! 6. loops: reaps every zombie; forwards SIGTERM, SIGHUP, SIGINT, SIGQUIT,
//!    SIGUSR1 and SIGUSR2 to the command (once the command is gone, to
//!    every process of the jail) — PID 1 of a namespace would otherwise
//!    ignore them; reports the command's exit status to `svcj-exec`
//!    through a pipe; exits when no other process is left in the jail,
//!    after removing the registry entry.
//!
//! Signals are blocked and taken with `sigtimedwait`, so there are no
//! handlers and no threads; the loop allocates only to list `/proc` while
//! processes it did not fork (joined ones) are still around.

use super::registry::{self, Entry, NameLock, Registry};
use super::{caps, seccomp};
use crate::options::{JailParams, JailSys};
use std::ffi::CString;
use std::io::Write;
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;

/// Everything the reaper needs, prepared before the fork.
pub(super) struct Args<'a> {
    /// Write end of the status pipe to `svcj-exec`.
    pub status_w: RawFd,
    /// Descriptors of the parent the reaper must not keep.
    pub close: Vec<RawFd>,
    /// The creation lock (shared with `svcj-exec`), released once the
    /// jail is registered.
    pub lock: &'a NameLock,
    /// The creator's PID namespace (for the registry entry).
    pub hostpidns: Option<u64>,
    /// The console log, if any.
    pub log: Option<RawFd>,
    /// Resolved command path and argv.
    pub path: CString,
    pub argv: Vec<CString>,
    pub params: &'a JailParams,
    pub registry: &'a Registry,
    pub name: &'a str,
    /// The jail's cgroup (resource limits), joined in step 3.
    pub cgroup: Option<super::cgroup::Handles>,
}

/// Signals forwarded to the command: by the reaper, and by `svcj-exec`
/// to the jail while it waits (the same list, so a signal sent to either
/// reaches the service).
pub(super) const FORWARDED: [i32; 6] = [
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
];

fn close(fd: RawFd) {
    // SAFETY: closing a descriptor this process owns and no longer uses.
    unsafe { libc::close(fd) };
}

fn write_all(fd: RawFd, buf: &[u8]) {
    let mut off = 0;
    while off < buf.len() {
        // SAFETY: the pointer and length describe the live slice `buf[off..]`.
        let n = unsafe { libc::write(fd, buf[off..].as_ptr().cast(), buf.len() - off) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        off += n as usize;
    }
}

fn fail(status_w: RawFd, msg: &str) -> ! {
    let mut m = Vec::with_capacity(msg.len() + 1);
    m.push(b'E');
    m.extend_from_slice(msg.as_bytes());
    write_all(status_w, &m);
    // SAFETY: _exit is always safe; we must not run the parent's atexit
    // handlers or flush its stdio buffers from this forked child.
    unsafe { libc::_exit(71) }
}

/// Decode a wait status the way a shell does: the exit code, or 128+N.
pub fn decode(status: libc::c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        128
    }
}

fn setup(params: &JailParams, registry: &Path) -> Result<(), String> {
    use nix::mount::{mount, MsFlags};
    use nix::sched::CloneFlags;
    let mut flags = CloneFlags::CLONE_NEWNS;
    if params.sysvipc != JailSys::Inherit {
        flags |= CloneFlags::CLONE_NEWIPC;
    }
    if !params.has_network() {
        flags |= CloneFlags::CLONE_NEWNET;
    }
    nix::sched::unshare(flags).map_err(|e| format!("unshare: {e}"))?;
    // Best effort: a name for ps(1) and top(1).
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes.
    unsafe { libc::prctl(libc::PR_SET_NAME, c"svcj-reaper".as_ptr(), 0, 0, 0) };
    let slave = |target: &str| {
        mount(
            None::<&str>,
            target,
            None::<&str>,
            MsFlags::MS_REC | MsFlags::MS_SLAVE,
            None::<&str>,
        )
    };
    let registry_path = registry.to_string_lossy().into_owned();
    let mut targets = vec!["/proc", registry_path.as_str()];
    if is_mount_point("/sys") {
        targets.push("/sys");
    }
    let private_shm = params.sysvipc != JailSys::Inherit && Path::new("/dev/shm").is_dir();
    if private_shm {
        targets.push("/dev/shm");
    }
    // POSIX message queues belong to the IPC namespace, but a mounted
    // mqueue file system shows (and lets one unlink) the queues of the
    // namespace that mounted it: remount it for the jail's own.
    let private_mqueue = params.sysvipc != JailSys::Inherit && is_mount_point("/dev/mqueue");
    if private_mqueue {
        targets.push("/dev/mqueue");
    }
    // None: every mount is a slave (the root is a mount point).
    let mut visible_ids: Option<Vec<u64>> = None;
    match slave("/") {
        Ok(()) => {}
        // In a chroot whose root is not a mount point: make every mount
        // we can see a slave, and only mount on top of one of those (a
        // mount inside the invisible root mount could propagate out).
        Err(nix::errno::Errno::EINVAL) => {
            let visible = visible_mounts();
            for (_, point) in &visible {
                let _ = slave(point);
            }
            visible_ids = Some(visible.iter().map(|(id, _)| *id).collect());
            for t in &targets {
                if !Path::new(t).exists() {
                    continue;
                }
                match mount_id(t) {
                    Some(id) if visible.iter().any(|(v, _)| *v == id) => {}
                    _ => {
                        return Err(format!(
                            "the root directory is not a mount point and {t} is not on a \
                             visible mount, so a mount there could leak out of the jail; \
                             bind-mount the root directory onto itself before chroot"
                        ))
                    }
                }
            }
        }
        Err(e) => return Err(format!("making / a slave mount in the jail: {e}")),
    }
    mount(
        Some("proc"),
        "/proc",
        Some("proc"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        None::<&str>,
    )
    .map_err(|e| format!("mounting the jail's /proc: {e}"))?;
    if private_shm {
        mount(
            Some("tmpfs"),
            "/dev/shm",
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
            Some("mode=1777"),
        )
        .map_err(|e| format!("mounting the jail's private /dev/shm: {e}"))?;
    }
    if private_mqueue {
        mount(
            Some("mqueue"),
            "/dev/mqueue",
            Some("mqueue"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            None::<&str>,
        )
        .map_err(|e| format!("mounting the jail's /dev/mqueue: {e}"))?;
    }
    super::mounts::harden(registry, visible_ids)?;
    Ok(())
}

/// Whether `path` is a directory with a file system mounted on it.
pub(super) fn is_mount_point(path: &str) -> bool {
    let Ok(m) = std::fs::metadata(path) else {
        return false;
    };
    let parent = Path::new(path).parent().unwrap_or(Path::new("/"));
    m.is_dir()
        && std::fs::metadata(parent).is_ok_and(|p| {
            use std::os::unix::fs::MetadataExt;
            p.dev() != m.dev()
        })
}

/// Mount IDs and mount points of the caller's mount namespace, as far as
/// its root directory lets it see them.
pub(super) fn visible_mounts() -> Vec<(u64, String)> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(' ');
            let id = f.next()?.parse().ok()?;
            let point = unescape_mountinfo(f.nth(3)?);
            Some((id, point))
        })
        .collect()
}

/// Undo mountinfo's octal escapes (`\040` for a space).
pub(super) fn unescape_mountinfo(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The ID of the mount `path` is on (statx `STATX_MNT_ID`).
pub(super) fn mount_id(path: &str) -> Option<u64> {
    let c = CString::new(path).ok()?;
    // SAFETY: statx fills the zeroed struct; the path is NUL-terminated.
    unsafe {
        let mut st: libc::statx = std::mem::zeroed();
        let r = libc::statx(
            libc::AT_FDCWD,
            c.as_ptr(),
            libc::AT_NO_AUTOMOUNT,
            libc::STATX_MNT_ID,
            &mut st,
        );
        (r == 0 && st.stx_mask & libc::STATX_MNT_ID != 0).then_some(st.stx_mnt_id)
    }
}

/// Give a child the signal dispositions a freshly started program
/// expects: Rust ignores SIGPIPE in its own processes, and an ignored
/// signal would stay ignored across exec.
pub(super) fn reset_signals() {
    // SAFETY: restoring the default disposition of SIGPIPE.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
}

/// Exec the command in the current process (the forked service or joined
/// child).  Only returns by exiting: 126 when the file cannot be executed,
/// 127 otherwise, with a message on stderr like a shell.
pub(super) fn exec(path: &CString, argv: &[CString]) -> ! {
    let err = nix::unistd::execv(path, argv).unwrap_err();
    let msg = format!(
        "svcj-exec: {}: {}\n",
        path.to_string_lossy(),
        std::io::Error::from(err)
    );
    write_all(2, msg.as_bytes());
    let code = if matches!(err, nix::errno::Errno::EACCES | nix::errno::Errno::ENOEXEC) {
        126
    } else {
        127
    };
    // SAFETY: leaving a forked child without running the parent's atexit
    // handlers.
    unsafe { libc::_exit(code) }
}

/// Point stdout and stderr at `fd`.
pub(super) fn redirect_output(fd: RawFd) {
    // SAFETY: dup2 onto the standard descriptors of this process.
    unsafe {
        libc::dup2(fd, 1);
        libc::dup2(fd, 2);
    }
    if fd > 2 {
        close(fd);
    }
}

pub(super) fn sigset(sigs: &[i32]) -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the zeroed set; sigaddset with valid
    // signal numbers.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &s in sigs {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

/// Close every descriptor from 3 up, except `keep`.
pub(super) fn close_all_but(keep: &[RawFd]) {
    let mut keep: Vec<RawFd> = keep.iter().copied().filter(|&fd| fd > 2).collect();
    keep.sort_unstable();
    let mut from: RawFd = 3;
    let mut ok = true;
    for &k in keep.iter().chain(std::iter::once(&RawFd::MAX)) {
        if k > from {
            let to = if k == RawFd::MAX {
                u32::MAX
            } else {
                (k - 1) as u32
            };
            // SAFETY: close_range(2) on descriptors of this process only.
            ok &= unsafe { libc::syscall(libc::SYS_close_range, from as u32, to, 0u32) } == 0;
        }
        from = k.saturating_add(1);
    }
    if ok {
        return;
    }
    // Kernels before 5.9: close what /proc lists.
    let fds: Vec<RawFd> = std::fs::read_dir("/proc/self/fd")
        .map(|rd| {
            rd.flatten()
                .filter_map(|d| d.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    for fd in fds {
        if fd > 2 && !keep.contains(&fd) {
            close(fd);
        }
    }
}

/// Whether the jail holds processes other than the reaper (joined ones
/// are not our children, so waitpid cannot see them).
fn others_in_proc() -> bool {
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return false;
    };
    rd.flatten().any(|d| {
        let n = d.file_name();
        let n = n.as_encoded_bytes();
        !n.is_empty() && n.iter().all(u8::is_ascii_digit) && n != b"1"
    })
}

/// The reaper's identity in the host's `/proc` (read before the jail's
/// own `/proc` hides it): its host PID and namespace/start time.
fn identity() -> Result<(i32, registry::ProcId), String> {
    let me: i32 = std::fs::read_link("/proc/self")
        .ok()
        .and_then(|p| p.to_str()?.parse().ok())
        .ok_or("cannot read the reaper's own PID from /proc/self")?;
    let id = registry::proc_id(Path::new("/proc"), me)
        .ok_or("cannot read the reaper's own /proc entry")?;
    Ok((me, id))
}

/// Die with `svcj-exec` until the command has been started: a start whose
/// starter was killed (SIGKILL, so it could not clean up) must not carry
/// on and leave a jail nobody asked for.  Once the command runs, the jail
/// lives on its own (a daemon outlives the command that started it).
fn die_with_parent(status_w: RawFd) {
    // SAFETY: prctl with integer arguments.
    unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    // The starter may have died before the prctl: then the only reader of
    // the status pipe is gone and its write end reports POLLERR.
    let mut p = libc::pollfd {
        fd: status_w,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no waiting.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    if n > 0 && p.revents & (libc::POLLERR | libc::POLLHUP) != 0 {
        // SAFETY: leaving the reaper before it registered anything.
        unsafe { libc::_exit(1) }
    }
}

/// Stop dying with `svcj-exec` (see [`die_with_parent`]).
fn outlive_parent() {
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, 0 as libc::c_ulong, 0, 0, 0) };
}

/// Everything the command must not inherit from the reaper or the
/// caller, set in the reaper before it forks the command: no way back
/// to the host's keys, capabilities outside the jail's allow-list,
/// `no_new_privs`, the seccomp baseline.  The reaper itself is not
/// dumpable, so that jailed root (without CAP_SYS_PTRACE) can neither
/// trace it nor open what its `/proc/1/fd` holds (the registry).
fn lock_down(params: &JailParams, prog: &[libc::sock_filter]) -> Result<(), String> {
    // SAFETY: prctl with integer arguments only.
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
    seccomp::new_session_keyring().map_err(|e| format!("joining a new session keyring: {e}"))?;
    caps::restrict(caps::allowed(params), 0).map_err(|e| format!("dropping capabilities: {e}"))?;
    seccomp::no_new_privs().map_err(|e| format!("setting no_new_privs: {e}"))?;
    seccomp::install(prog).map_err(|e| format!("installing the seccomp filter: {e}"))
}

/// The reaper.  Never returns.  The steps, in order:
///
/// 1. leave the caller's session; die with `svcj-exec` until the command
///    has started;
/// 2. `setup`: the jail's namespaces and mounts (module docs);
/// 3. resource limits: this is where the jail joins its cgroup, before
///    anything else runs in it;
/// 4. register the jail (only now that it is complete, so that a join
///    never lands in a half-built jail) and release the creation lock;
/// 5. `lock_down`; fork the command.
pub(super) fn run(mut a: Args<'_>) -> ! {
    for fd in &a.close {
        close(*fd);
    }
    // Out of the caller's session and process group: its terminal's
    // signals reach svcj-exec, which passes them on.
    // SAFETY: setsid in a process that is not a group leader.
    unsafe { libc::setsid() };
    die_with_parent(a.status_w);
    let abort = |msg: &str| -> ! {
        registry::release_shared(a.lock.raw_fd());
        fail(a.status_w, msg)
    };
    let prog = match seccomp::program() {
        Ok(p) => p,
        Err(msg) => abort(&msg),
    };
    let (me, id) = match identity() {
        Ok(x) => x,
        Err(msg) => abort(&msg),
    };
    // The registry as a directory descriptor: the mounts made below hide
    // its path inside the jail.
    let dir = match a.registry.open_dir() {
        Ok(Some(d)) => d,
        Ok(None) => abort(&format!(
            "the registry directory {} disappeared",
            a.registry.dir().display()
        )),
        Err(e) => abort(&e.to_string()),
    };

    // Step 2: namespaces and mounts.
    if let Err(msg) = setup(a.params, a.registry.dir()) {
        abort(&msg);
    }

    // Step 3: resource limits: join the jail's cgroup, before anything
    // else runs in the jail (all of it inherits the cgroup).
    let mut cgroup = a.cgroup.take();
    if let Some(Err(msg)) = cgroup.as_mut().map(|h| h.join()) {
        abort(&msg);
    }
    // The last of the jail leaves the cgroup for its parent and removes it.
    let leave_cgroup = || {
        if let Some(h) = &cgroup {
            h.leave_and_remove();
        }
    };

    // Step 4: register.
    let entry = Entry {
        name: a.name.to_string(),
        reaper: me,
        pidns: id.pidns,
        starttime: id.starttime,
        hostpidns: a.hostpidns,
        params: a.params.clone(),
    };
    if let Err(e) = registry::write_at(&dir, a.registry.dir(), &entry) {
        abort(&e.to_string());
    }
    registry::release_shared(a.lock.raw_fd());
    let pidns = id.pidns;
    let unregister = || registry::remove_at(&dir, a.name, pidns);

    // Step 5.
    if let Err(msg) = lock_down(a.params, &prog) {
        unregister();
        fail(a.status_w, &msg);
    }

    let mut taken = vec![libc::SIGCHLD];
    taken.extend(FORWARDED);
    let set = sigset(&taken);
    // SAFETY: valid sigset pointers; `old` receives the previous mask.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    unsafe { libc::sigprocmask(libc::SIG_BLOCK, &set, &mut old) };

    // SAFETY: single-threaded process; the child only execs or exits.
    let main = unsafe { libc::fork() };
    if main < 0 {
        let e = std::io::Error::last_os_error();
        unregister();
        fail(a.status_w, &format!("fork of the command: {e}"));
    }
    if main == 0 {
        // SAFETY: restoring the caller's signal mask for the command.
        unsafe { libc::sigprocmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
        reset_signals();
        // A session of its own: no controlling terminal to push input
        // into (TIOCSTI), no signals from the caller's terminal.
        // SAFETY: setsid in a process that is not a group leader.
        unsafe { libc::setsid() };
        if let Some(fd) = a.log {
            redirect_output(fd);
        }
        close_all_but(&[]);
        exec(&a.path, &a.argv);
    }

    // The command runs: from here on the jail no longer depends on the
    // starter (a registry entry left by a reaper killed earlier is stale
    // and removed by the next lookup).
    outlive_parent();

    // Hold no descriptor of the caller other than the status pipe.
    let mut keep = vec![a.status_w, dir.as_raw_fd()];
    keep.extend(cgroup.as_ref().map(|h| h.fds()).unwrap_or_default());
    close_all_but(&keep);

    // The reaper must not hold the caller's terminal or pipes.
    if let Some(fd) = a.log {
        close(fd);
    }
    // SAFETY: opening /dev/null and dup2 onto our own standard descriptors.
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if null >= 0 {
            for fd in 0..3 {
                libc::dup2(null, fd);
            }
            if null > 2 {
                libc::close(null);
            }
        }
    }

    let mut main_alive = true;
    let mut status_w = Some(a.status_w);
    loop {
        // Reap everything that is ready.
        let mut children = true;
        loop {
            let mut st: libc::c_int = 0;
            // SAFETY: waitpid writes the status into `st`.
            let pid = unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG) };
            if pid > 0 {
                if pid == main {
                    main_alive = false;
                    let code = decode(st);
                    // Children, zombies included, are listed in /proc too.
                    let last = !others_in_proc();
                    if last {
                        unregister();
                    }
                    if let Some(fd) = status_w.take() {
                        let mut m = [0u8; 6];
                        m[0] = b'S';
                        m[1..5].copy_from_slice(&code.to_ne_bytes());
                        m[5] = u8::from(last);
                        write_all(fd, &m);
                        close(fd);
                    }
                    if last {
                        leave_cgroup();
                        // SAFETY: leaving the reaper; nothing left to do.
                        unsafe { libc::_exit(0) }
                    }
                }
                continue;
            }
            if pid < 0 {
                children = false;
            }
            break;
        }
        if !main_alive && !children && !others_in_proc() {
            unregister();
            leave_cgroup();
            // SAFETY: leaving the reaper; the jail is empty.
            unsafe { libc::_exit(0) }
        }
        let timeout = libc::timespec {
            tv_sec: if children { 1 } else { 0 },
            tv_nsec: if children { 0 } else { 50_000_000 },
        };
        // SAFETY: valid set and timeout; no siginfo wanted.
        let sig = unsafe { libc::sigtimedwait(&set, std::ptr::null_mut(), &timeout) };
        if FORWARDED.contains(&sig) {
            let target = if main_alive { main } else { -1 };
            // SAFETY: sending a signal; kill(-1) reaches every process of
            // this PID namespace except the reaper itself.
            unsafe { libc::kill(target, sig) };
        }
    }
}

/// Write an error message for the user to stderr (used by joined children
/// between fork and exec).
pub(super) fn child_error(msg: &str) -> ! {
    let _ = std::io::stderr().write_all(format!("svcj-exec: {msg}\n").as_bytes());
    // SAFETY: leaving a forked child.
    unsafe { libc::_exit(71) }
}
