//! Entering an existing jail (`svcj-exec -j`, `svcj-kill`'s stop
//! command) without ever showing the jail a privileged or host-side
//! process.
//!
//! Root inside a jail keeps `CAP_KILL` and may trace processes of its own
//! uid: any process that appears in the jail's PID namespace while it
//! still holds the host's capabilities, mounts, network or descriptors is
//! a way out (a tracer that seizes each new PID can make it run
//! `mount(2)` on the host).  So the process that enters the jail does it
//! in this order, and only the last step makes anything visible inside:
//!
//! 1. `svcj-exec` forks on the host side; the child (the *entrant*)
//!    stays in the host's PID namespace for good;
//! 2. the entrant enters the jail's IPC, network and mount namespaces,
//!    goes to the jail's root directory (`chroot`) and working directory;
//! 3. it joins a new, empty session keyring, drops every capability the
//!    jail does not keep (bounding, inheritable, ambient sets; it keeps
//!    `CAP_SYS_ADMIN` in its effective set only, for the next step), sets
//!    `no_new_privs`, closes every descriptor but stdio and the console
//!    log;
//! 4. it enters the jail's PID namespace (which only affects its future
//!    children), closes that descriptor, gives up `CAP_SYS_ADMIN` and
//!    installs the seccomp baseline;
//! 5. only then it forks the final child, which execs the command inside
//!    the jail: a process exactly as privileged as the jail's own.
//!
//! The entrant waits for that child, passes on signals sent to it
//! (`svcj-exec` sends its signals to the entrant) and exits with the
//! child's status, decoded as a shell does.

use super::reaper::{self, child_error};
use super::{caps, seccomp};
use nix::sched::CloneFlags;
use std::ffi::CString;
use std::fs::File;
use std::os::fd::AsRawFd;

/// Everything the entrant needs, prepared before the fork (nothing below
/// allocates or opens by path except to report an error).
pub(super) struct Plan {
    /// The jail's name, for messages.
    pub name: String,
    /// Namespaces to enter, in order (mount last).
    pub ns: Vec<(&'static str, File, CloneFlags)>,
    /// The jail's root directory (its reaper's).
    pub root: Option<File>,
    /// The jail's PID namespace, when it is not ours.
    pub pid_ns: Option<File>,
    /// The caller's working directory (kept if the jail has it).
    pub cwd: CString,
    /// The capabilities the jail keeps.
    pub keep: u64,
    /// The console log, if any.
    pub log: Option<File>,
    /// The seccomp filter.
    pub prog: Vec<libc::sock_filter>,
    /// Resolved command and argv.
    pub path: CString,
    pub argv: Vec<CString>,
}

/// Steps 2 to 5 of the module docs, in the entrant.  Never returns: it
/// ends in `exec` (final child) or `_exit` (entrant).
pub(super) fn enter(p: &Plan) -> ! {
    for (ns, f, flag) in &p.ns {
        if let Err(e) = nix::sched::setns(f, *flag) {
            child_error(&format!("entering the {ns} namespace of {}: {e}", p.name));
        }
    }
    // Entering a mount namespace resets the root directory to that
    // namespace's root, outside any chroot the jail was made in: go to
    // the jail's own.
    // SAFETY: fchdir on a directory descriptor we own, then chroot(".")
    // with a valid NUL-terminated path.
    if p.root.as_ref().is_some_and(|root| {
        (unsafe { libc::fchdir(root.as_raw_fd()) }) != 0
            || (unsafe { libc::chroot(c".".as_ptr()) }) != 0
    }) {
        child_error(&format!(
            "entering the root directory of {}: {}",
            p.name,
            std::io::Error::last_os_error()
        ));
    }
    // Back to the caller's directory; if the jail's root has no such
    // directory, to the root, as jail_attach(2) leaves it.
    // SAFETY: chdir with valid NUL-terminated paths.
    if unsafe { libc::chdir(p.cwd.as_ptr()) } != 0 && unsafe { libc::chdir(c"/".as_ptr()) } != 0 {
        child_error(&format!(
            "chdir {} inside {}: {}",
            p.cwd.to_string_lossy(),
            p.name,
            std::io::Error::last_os_error()
        ));
    }
    if let Err(e) = seccomp::new_session_keyring() {
        child_error(&format!("joining a new session keyring: {e}"));
    }
    let extra = if p.pid_ns.is_some() {
        1u64 << caps::CAP_SYS_ADMIN
    } else {
        0
    };
    if let Err(e) = caps::restrict(p.keep, extra) {
        child_error(&format!("dropping capabilities: {e}"));
    }
    if let Err(e) = seccomp::no_new_privs() {
        child_error(&format!("setting no_new_privs: {e}"));
    }
    let log = p.log.as_ref().map(|f| f.as_raw_fd());
    let pid_fd = p.pid_ns.as_ref().map(|f| f.as_raw_fd());
    reaper::close_all_but(&[log.unwrap_or(-1), pid_fd.unwrap_or(-1)]);
    if let Some(fd) = pid_fd {
        // SAFETY: setns on the descriptor kept open above.
        if unsafe { libc::setns(fd, libc::CLONE_NEWPID) } != 0 {
            child_error(&format!(
                "entering the pid namespace of {}: {}",
                p.name,
                std::io::Error::last_os_error()
            ));
        }
        // SAFETY: closing our descriptor of the host-side namespace file.
        unsafe { libc::close(fd) };
        if let Err(e) = caps::drop_effective(extra) {
            child_error(&format!("dropping CAP_SYS_ADMIN: {e}"));
        }
    }
    if let Err(e) = seccomp::install(&p.prog) {
        child_error(&format!("installing the seccomp filter: {e}"));
    }
    if pid_fd.is_none() {
        // Already in the jail's PID namespace: no second process needed.
        finish(log, &p.path, &p.argv);
    }
    let mut taken = vec![libc::SIGCHLD];
    taken.extend(reaper::FORWARDED);
    let set = reaper::sigset(&taken);
    // SAFETY: valid sigset pointers; `old` receives the previous mask.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    unsafe { libc::sigprocmask(libc::SIG_BLOCK, &set, &mut old) };
    // SAFETY: single-threaded process; the child only execs or exits.
    let child = unsafe { libc::fork() };
    if child < 0 {
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::ENOMEM) {
            // The namespace's PID 1 is gone: the jail is being removed.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("svcj-exec: {}: the jail is being removed\n", p.name).as_bytes(),
            );
            // SAFETY: leaving the forked entrant.
            unsafe { libc::_exit(crate::sysexits::EX_UNAVAILABLE) }
        }
        child_error(&format!("fork inside {}: {e}", p.name));
    }
    if child == 0 {
        // SAFETY: restoring the caller's mask for the command.
        unsafe { libc::sigprocmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
        // Die with the entrant: `svcj-kill` kills it at its deadline.
        // SAFETY: prctl with integer arguments only.
        unsafe {
            libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            )
        };
        finish(log, &p.path, &p.argv);
    }
    if let Some(fd) = log {
        // SAFETY: the entrant no longer needs the log.
        unsafe { libc::close(fd) };
    }
    loop {
        // SAFETY: a zeroed siginfo is a valid output buffer.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid set and output buffer.
        let sig = unsafe { libc::sigwaitinfo(&set, &mut info) };
        if sig == libc::SIGCHLD {
            let mut st: libc::c_int = 0;
            // SAFETY: waitpid on our own child, writing into `st`.
            if unsafe { libc::waitpid(child, &mut st, libc::WNOHANG) } == child {
                // SAFETY: leaving the entrant with the command's status.
                unsafe { libc::_exit(reaper::decode(st)) }
            }
        } else if sig > 0 && (info.si_code == libc::SI_USER || info.si_code == libc::SI_QUEUE) {
            // Sent by `svcj-exec` (or root on the host), not by the
            // terminal (the command, in the same process group, got
            // those already).  `child` is our unreaped child: its PID
            // cannot have been reused.
            // SAFETY: kill(2) with plain integers.
            unsafe { libc::kill(child, sig) };
        }
    }
}

/// The final child: the console log on stdout and stderr, then exec.
fn finish(log: Option<std::os::fd::RawFd>, path: &CString, argv: &[CString]) -> ! {
    reaper::reset_signals();
    if let Some(fd) = log {
        reaper::redirect_output(fd);
    }
    reaper::exec(path, argv)
}
