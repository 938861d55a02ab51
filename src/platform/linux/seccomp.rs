//! The seccomp baseline of every Linux service jail, and the other
//! per-process locks set before anything runs inside.
//!
//! Root in a FreeBSD jail cannot load kernel modules, reboot, touch the
//! kernel keyring of the host, trace the kernel or push input into
//! another terminal; Linux decides most of these by capabilities (dropped
//! in `caps`), but a few are reachable with uid 0 alone or through an
//! interface that has no capability of its own.  The filter returns
//! `EPERM` for:
//!
//! * the kernel keyring: `keyctl`, `add_key`, `request_key` (keys are not
//!   namespaced: root's user keyring is the host's);
//! * kernel modules: `init_module`, `finit_module`, `delete_module`;
//! * `reboot`, `kexec_load`, `kexec_file_load`, `swapon`, `swapoff`;
//! * `perf_event_open`, `bpf`;
//! * `open_by_handle_at` (opens any file of a mounted file system by its
//!   handle, past the mounts that mask parts of `/proc` and the registry);
//! * `ioctl` with `TIOCSTI` (push input into a terminal) or `TIOCLINUX`
//!   (the same through the Linux console).  Only the low 32 bits of the
//!   request are compared: the kernel ignores the others.
//!
//! The filter is classic BPF built by hand from libc's constants.  It
//! first checks the architecture of the system call: a call made through
//! another ABI (32-bit x86 on x86_64, say) would have other numbers, so
//! the process is killed rather than let through; x32 calls on x86_64
//! fail with `ENOSYS`.  For an architecture without a table here the
//! jail is not started at all.

use std::io;

/// `AUDIT_ARCH_*` of the running architecture (linux/audit.h).
#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: Option<u32> = Some(0xC000_003E);
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: Option<u32> = Some(0xC000_00B7);
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const AUDIT_ARCH: Option<u32> = None;

/// x32 system calls have this bit set (x86_64 only).
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// `KEYCTL_JOIN_SESSION_KEYRING` (linux/keyctl.h).
const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;

/// Offsets in `struct seccomp_data`: nr, arch, then args[] from 16.
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
/// Low 32 bits of args[1] (the ioctl request) on little-endian machines.
#[cfg(target_endian = "little")]
const OFF_ARG1_LO: u32 = 16 + 8;
#[cfg(target_endian = "big")]
const OFF_ARG1_LO: u32 = 16 + 8 + 4;

/// The system calls refused outright.
pub fn denied_syscalls() -> Vec<(libc::c_long, &'static str)> {
    vec![
        (libc::SYS_keyctl, "keyctl"),
        (libc::SYS_add_key, "add_key"),
        (libc::SYS_request_key, "request_key"),
        (libc::SYS_init_module, "init_module"),
        (libc::SYS_finit_module, "finit_module"),
        (libc::SYS_delete_module, "delete_module"),
        (libc::SYS_reboot, "reboot"),
        (libc::SYS_kexec_load, "kexec_load"),
        (libc::SYS_kexec_file_load, "kexec_file_load"),
        (libc::SYS_swapon, "swapon"),
        (libc::SYS_swapoff, "swapoff"),
        (libc::SYS_perf_event_open, "perf_event_open"),
        (libc::SYS_bpf, "bpf"),
        (libc::SYS_open_by_handle_at, "open_by_handle_at"),
    ]
}

/// The ioctl requests refused.
pub const DENIED_IOCTLS: [(u32, &str); 2] = [
    (libc::TIOCSTI as u32, "TIOCSTI"),
    (libc::TIOCLINUX as u32, "TIOCLINUX"),
];

fn stmt(code: u32, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jeq(k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
        jt,
        jf,
        k,
    }
}

/// The filter program, or why there is none for this machine.
pub fn program() -> Result<Vec<libc::sock_filter>, String> {
    let Some(arch) = AUDIT_ARCH else {
        return Err(format!(
            "no seccomp baseline for the {} architecture: refusing to start a jail \
             without it (svcj-tools supports x86_64 and aarch64 on Linux)",
            std::env::consts::ARCH
        ));
    };
    let ld = |off| stmt(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, off);
    let ret = |v| stmt(libc::BPF_RET | libc::BPF_K, v);
    let denied = denied_syscalls();
    let mut p = vec![
        ld(OFF_ARCH),
        jeq(arch, 1, 0),
        ret(libc::SECCOMP_RET_KILL_PROCESS),
        ld(OFF_NR),
    ];
    if cfg!(target_arch = "x86_64") {
        p.push(libc::sock_filter {
            code: (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16,
            jt: 0,
            jf: 1,
            k: X32_SYSCALL_BIT,
        });
        p.push(ret(libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32));
    }
    // ioctl: look at the request.
    let n_ioctl = DENIED_IOCTLS.len() as u8;
    p.push(jeq(libc::SYS_ioctl as u32, 0, 1 + n_ioctl + 1));
    p.push(ld(OFF_ARG1_LO));
    for (i, (req, _)) in DENIED_IOCTLS.iter().enumerate() {
        // To the EPERM return at the very end.
        let to_deny = (n_ioctl - 1 - i as u8) + 1 + denied.len() as u8 + 1;
        p.push(jeq(*req, to_deny, 0));
    }
    p.push(ret(libc::SECCOMP_RET_ALLOW));
    for (i, (nr, _)) in denied.iter().enumerate() {
        let to_deny = (denied.len() - 1 - i) as u8 + 1;
        p.push(jeq(*nr as u32, to_deny, 0));
    }
    p.push(ret(libc::SECCOMP_RET_ALLOW));
    p.push(ret(libc::SECCOMP_RET_ERRNO | libc::EPERM as u32));
    Ok(p)
}

/// Install `prog` for the calling thread (and everything it execs).
/// Needs `no_new_privs` (or CAP_SYS_ADMIN).  Async-signal-safe: usable
/// between fork and exec with a program built before the fork.
pub fn install(prog: &[libc::sock_filter]) -> io::Result<()> {
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: PR_SET_SECCOMP reads the program through `fprog`, which
    // points at `prog` for the duration of the call.
    let r = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER as libc::c_ulong,
            &fprog as *const libc::sock_fprog,
            0,
            0,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Set `no_new_privs`: no exec (setuid, file capabilities) can raise the
/// privileges of this process or its children again.
pub fn no_new_privs() -> io::Result<()> {
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Give this process a new, empty, anonymous session keyring, so that no
/// key of the caller's session stays reachable (before the filter, which
/// refuses keyctl).
pub fn new_session_keyring() -> io::Result<()> {
    // SAFETY: keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL) takes no memory
    // from us (a NULL name asks for an anonymous keyring).
    let r = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<libc::c_char>(),
        )
    };
    if r < 0 {
        let e = io::Error::last_os_error();
        // A kernel without keyrings has nothing to share either.
        if e.raw_os_error() != Some(libc::ENOSYS) {
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_checks_the_architecture_first() {
        let p = program().unwrap();
        assert_eq!(p[0].k, OFF_ARCH);
        assert_eq!(Some(p[1].k), AUDIT_ARCH);
        assert_eq!(p[2].k, libc::SECCOMP_RET_KILL_PROCESS);
        assert!(p.len() < 255);
        let last = p.last().unwrap();
        assert_eq!(last.k, libc::SECCOMP_RET_ERRNO | libc::EPERM as u32);
    }

    /// Run `f` in a forked child with the filter installed; its exit code.
    fn in_filtered_child(f: fn() -> i32) -> i32 {
        let prog = program().unwrap();
        // SAFETY: the child only makes system calls and leaves with _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            if no_new_privs().is_err() || install(&prog).is_err() {
                // SAFETY: leaving the forked child.
                unsafe { libc::_exit(100) }
            }
            // SAFETY: as above.
            unsafe { libc::_exit(f()) }
        }
        let mut st = 0;
        // SAFETY: reaping our own child.
        unsafe { libc::waitpid(pid, &mut st, 0) };
        assert!(libc::WIFEXITED(st), "status {st:#x}");
        libc::WEXITSTATUS(st)
    }

    fn errno() -> i32 {
        io::Error::last_os_error().raw_os_error().unwrap_or(0)
    }

    #[test]
    fn denied_calls_fail_with_eperm_and_others_work() {
        // keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0)
        let code = in_filtered_child(|| {
            // SAFETY: plain integer arguments.
            let r = unsafe { libc::syscall(libc::SYS_keyctl, 0, -3, 0) };
            i32::from(!(r == -1 && errno() == libc::EPERM))
        });
        assert_eq!(code, 0, "keyctl was not refused");
        let code = in_filtered_child(|| {
            // SAFETY: TIOCSTI on stdin with a valid byte; refused before
            // the kernel looks at either.
            let c = b'x';
            let r = unsafe { libc::ioctl(0, libc::TIOCSTI, &c) };
            // The high half of the request is ignored by the kernel, so
            // it must not get past the filter either.
            // The request's type differs between libc targets.
            #[allow(clippy::unnecessary_cast)]
            let hi = (1u64 << 32) | libc::TIOCSTI as u64;
            // SAFETY: as above, through the raw system call.
            let r2 = unsafe { libc::syscall(libc::SYS_ioctl, 0, hi, &c) };
            i32::from(!(r == -1 && r2 == -1 && errno() == libc::EPERM))
        });
        assert_eq!(code, 0, "TIOCSTI was not refused");
        let code = in_filtered_child(|| {
            let mut n = 0i32;
            // SAFETY: FIONREAD writes one int into `n`.
            let r = unsafe { libc::ioctl(0, libc::FIONREAD, &mut n) };
            let ioctl_ok = r != -1 || errno() != libc::EPERM;
            // SAFETY: plain system call.
            let ok = unsafe { libc::getpid() } > 0 && ioctl_ok;
            i32::from(!ok)
        });
        assert_eq!(code, 0, "an ordinary call was refused");
    }
}
