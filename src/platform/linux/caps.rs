//! Jailed root's privileges as Linux capabilities: an allow-list.
//!
//! FreeBSD decides what root inside a jail may do in `prison_priv_check()`
//! (sys/kern/kern_jail.c): a short list of privileges is granted, a few
//! more only when an `allow.*` parameter says so, and everything else is
//! refused.  A service jail on Linux keeps exactly the capabilities that
//! correspond to that list ([`BASE`]) plus those its `allow.*` parameters
//! grant ([`MAPPING`]), and removes every other one — known to this
//! program or not — from the bounding, permitted, effective, inheritable
//! and ambient sets, so that no program exec'd inside the jail (setuid or
//! with file capabilities) gets one back.
//!
//! | FreeBSD privilege granted to jailed root                | capability          |
//! |----------------------------------------------------------|---------------------|
//! | `PRIV_VFS_CHOWN`                                         | `CAP_CHOWN`         |
//! | `PRIV_VFS_READ`, `_WRITE`, `_EXEC`, `_LOOKUP`            | `CAP_DAC_OVERRIDE`, `CAP_DAC_READ_SEARCH` |
//! | `PRIV_VFS_ADMIN`, `_STICKYFILE`                          | `CAP_FOWNER`        |
//! | `PRIV_VFS_RETAINSUGID`, `_SETGID`                        | `CAP_FSETID`        |
//! | `PRIV_SIGNAL_DIFFCRED`, `_SUGID`                         | `CAP_KILL`          |
//! | `PRIV_CRED_SET*`                                         | `CAP_SETUID`, `CAP_SETGID`, `CAP_SETPCAP` |
//! | `PRIV_VFS_CHROOT`, `_FCHROOT`                            | `CAP_SYS_CHROOT`    |
//! | `PRIV_PROC_LIMIT`, `_SETRLIMIT`                          | `CAP_SYS_RESOURCE`  |
//! | `PRIV_IPC_*`, `PRIV_MQ_ADMIN`                            | `CAP_IPC_OWNER`     |
//!
//! `CAP_SETPCAP` only lets a process give up capabilities of its own
//! (bounding set, securebits): a credential change of the caller, like
//! `PRIV_CRED_*`; it cannot raise anything above the jail's bounding set.
//!
//! Granted by an option:
//!
//! | parameter              | capability             |
//! |------------------------|------------------------|
//! | `allow.raw_sockets`    | `CAP_NET_RAW`          |
//! | `allow.reserved_ports` | `CAP_NET_BIND_SERVICE` |
//! | `allow.mlock`          | `CAP_IPC_LOCK`         |
//! | `allow.settime`        | `CAP_SYS_TIME`         |
//! | `allow.routing`        | `CAP_NET_ADMIN`        |
//! | `allow.setaudit`       | `CAP_AUDIT_CONTROL`, `CAP_AUDIT_WRITE` |
//!
//! Never granted, although FreeBSD has a counterpart for some:
//! `CAP_SYS_PTRACE` (FreeBSD lets jailed root debug the jail's own
//! processes, `PRIV_DEBUG_*`; on Linux the capability also reaches
//! processes that enter the jail from the host, and a process can still
//! trace processes of its own uid without it), `CAP_SYS_NICE`
//! (`PRIV_SCHED_SETPRIORITY` is refused in a jail), `CAP_LINUX_IMMUTABLE`
//! (`allow.chflags`, never set), `CAP_SYS_ADMIN` (mounts, namespaces,
//! `sethostname` — `host=inherit` would rename the host), `CAP_SETFCAP`
//! (system extended attributes), `CAP_MKNOD`, `CAP_SYSLOG`,
//! `CAP_SYS_MODULE`, `CAP_SYS_RAWIO`, `CAP_SYS_BOOT`, `CAP_SYS_PACCT`,
//! `CAP_SYS_TTY_CONFIG`, `CAP_LEASE`, `CAP_NET_BROADCAST`, `CAP_MAC_*`,
//! `CAP_WAKE_ALARM`, `CAP_BLOCK_SUSPEND`, `CAP_AUDIT_READ`, `CAP_PERFMON`,
//! `CAP_BPF`, `CAP_CHECKPOINT_RESTORE` and any capability a newer kernel
//! adds.
//!
//! `allow.nfsd`, `allow.vmm` and `allow.socket_af` have no capability of
//! their own (see `platform::linux_gaps`).

use crate::options::{Allow, JailParams};
use std::io;

/// `CAP_NET_BIND_SERVICE`
pub const CAP_NET_BIND_SERVICE: u32 = 10;
/// `CAP_NET_ADMIN`
pub const CAP_NET_ADMIN: u32 = 12;
/// `CAP_NET_RAW`
pub const CAP_NET_RAW: u32 = 13;
/// `CAP_IPC_LOCK`
pub const CAP_IPC_LOCK: u32 = 14;
/// `CAP_SYS_ADMIN`
pub const CAP_SYS_ADMIN: u32 = 21;
/// `CAP_SYS_TIME`
pub const CAP_SYS_TIME: u32 = 25;
/// `CAP_AUDIT_WRITE`
pub const CAP_AUDIT_WRITE: u32 = 29;
/// `CAP_AUDIT_CONTROL`
pub const CAP_AUDIT_CONTROL: u32 = 30;

/// Kept in every service jail (the table above).
pub const BASE: [(u32, &str); 12] = [
    (0, "CAP_CHOWN"),
    (1, "CAP_DAC_OVERRIDE"),
    (2, "CAP_DAC_READ_SEARCH"),
    (3, "CAP_FOWNER"),
    (4, "CAP_FSETID"),
    (5, "CAP_KILL"),
    (6, "CAP_SETGID"),
    (7, "CAP_SETUID"),
    (8, "CAP_SETPCAP"),
    (15, "CAP_IPC_OWNER"),
    (18, "CAP_SYS_CHROOT"),
    (24, "CAP_SYS_RESOURCE"),
];

/// Capabilities granted by an `allow.*` parameter.
pub const MAPPING: [(Allow, u32, &str); 7] = [
    (Allow::RawSockets, CAP_NET_RAW, "CAP_NET_RAW"),
    (
        Allow::ReservedPorts,
        CAP_NET_BIND_SERVICE,
        "CAP_NET_BIND_SERVICE",
    ),
    (Allow::Mlock, CAP_IPC_LOCK, "CAP_IPC_LOCK"),
    (Allow::Settime, CAP_SYS_TIME, "CAP_SYS_TIME"),
    (Allow::Routing, CAP_NET_ADMIN, "CAP_NET_ADMIN"),
    (Allow::Setaudit, CAP_AUDIT_CONTROL, "CAP_AUDIT_CONTROL"),
    (Allow::Setaudit, CAP_AUDIT_WRITE, "CAP_AUDIT_WRITE"),
];

/// The capabilities (a bit mask, bit N = capability N) a jail with `p`
/// keeps.
pub fn allowed(p: &JailParams) -> u64 {
    BASE.iter()
        .map(|(c, _)| *c)
        .chain(
            MAPPING
                .iter()
                .filter(|(a, _, _)| p.allows(*a))
                .map(|(_, c, _)| *c),
        )
        .fold(0u64, |m, c| m | (1 << c))
}

/// Names of the capabilities in `mask`, for messages and the man page.
pub fn names(mask: u64) -> Vec<&'static str> {
    BASE.iter()
        .map(|(c, n)| (*c, *n))
        .chain(MAPPING.iter().map(|(_, c, n)| (*c, *n)))
        .filter(|(c, _)| mask & (1 << c) != 0)
        .map(|(_, n)| n)
        .collect()
}

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

fn capget() -> io::Result<[CapData; 2]> {
    let mut hdr = CapHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: capget writes two CapData structs (version 3) into `data`,
    // which is exactly that size; `hdr` is a valid header.
    let r = unsafe {
        libc::syscall(
            libc::SYS_capget,
            &mut hdr as *mut CapHeader,
            data.as_mut_ptr(),
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(data)
}

fn capset(data: &[CapData; 2]) -> io::Result<()> {
    let mut hdr = CapHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    // SAFETY: capset only reads `hdr` and the two structs of `data`.
    if unsafe { libc::syscall(libc::SYS_capset, &mut hdr as *mut CapHeader, data.as_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Keep only the capabilities in `keep` in the bounding, inheritable and
/// ambient sets; keep `keep | extra` in the permitted and effective sets.
/// `extra` is for a process that still needs a capability for one more
/// step of its own (entering a PID namespace) and drops it with
/// [`drop_effective`] before anything runs in the jail: since `extra` is
/// not in the bounding set, no exec can ever bring it back.
pub fn restrict(keep: u64, extra: u64) -> io::Result<()> {
    // Every capability the kernel knows, also those newer than this
    // program: PR_CAPBSET_DROP fails with EINVAL past the last one.
    for c in 0..64u32 {
        if keep & (1 << c) != 0 {
            continue;
        }
        // SAFETY: prctl with integer arguments only.
        let r = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, c as libc::c_ulong, 0, 0, 0) };
        if r != 0 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EINVAL) {
                break;
            }
            return Err(e);
        }
    }
    // SAFETY: prctl with integer arguments only.  EINVAL on kernels
    // without ambient capabilities, which then have none to clear.
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    let mut data = capget()?;
    let pe = keep | extra;
    for (i, d) in data.iter_mut().enumerate() {
        let shift = 32 * i as u32;
        let k = (keep >> shift) as u32;
        let p = (pe >> shift) as u32;
        d.effective &= p;
        d.permitted &= p;
        d.inheritable &= k;
    }
    capset(&data)
}

/// Remove `caps` from the permitted and effective sets (the second half
/// of [`restrict`] with a non-empty `extra`).
pub fn drop_effective(caps: u64) -> io::Result<()> {
    let mut data = capget()?;
    for (i, d) in data.iter_mut().enumerate() {
        let m = !((caps >> (32 * i as u32)) as u32);
        d.effective &= m;
        d.permitted &= m;
        d.inheritable &= m;
    }
    capset(&data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options;

    #[test]
    fn no_options_keep_only_the_base() {
        let p = options::parse("", "").unwrap().params;
        let m = allowed(&p);
        for (c, n) in BASE {
            assert_ne!(m & (1 << c), 0, "{n}");
        }
        // Never: SYS_ADMIN, SYS_PTRACE, SYS_NICE, SYSLOG, LINUX_IMMUTABLE,
        // SETFCAP, MKNOD, and nothing above CAP_AUDIT_CONTROL.
        for c in [
            21, 19, 23, 34, 9, 31, 27, 16, 17, 22, 28, 35, 36, 37, 38, 39, 40,
        ] {
            assert_eq!(m & (1 << c), 0, "capability {c}");
        }
        assert_eq!(m & (1 << CAP_NET_RAW), 0);
        assert_eq!(m & (1 << CAP_SYS_TIME), 0);
        assert_eq!(m & (1 << CAP_NET_BIND_SERVICE), 0);
        assert_eq!(m.count_ones() as usize, BASE.len());
    }

    #[test]
    fn each_allow_adds_its_capability() {
        let base = allowed(&options::parse("", "").unwrap().params);
        for (opt, caps) in [
            ("net_raw", vec![CAP_NET_RAW]),
            ("mlock", vec![CAP_IPC_LOCK]),
            ("settime", vec![CAP_SYS_TIME]),
            ("routing", vec![CAP_NET_ADMIN]),
            ("setaudit", vec![CAP_AUDIT_CONTROL, CAP_AUDIT_WRITE]),
        ] {
            let m = allowed(&options::parse(opt, "").unwrap().params);
            let want = caps.iter().fold(base, |m, c| m | (1 << c));
            assert_eq!(m, want, "{opt}: {:?}", names(m ^ base));
        }
        let m = allowed(&options::parse("net_all", "").unwrap().params);
        assert_ne!(m & (1 << CAP_NET_RAW), 0);
        assert_ne!(m & (1 << CAP_NET_BIND_SERVICE), 0);
    }

    #[test]
    fn names_cover_the_mask() {
        let p = options::parse("net_all mlock settime routing setaudit", "")
            .unwrap()
            .params;
        let m = allowed(&p);
        assert_eq!(names(m).len() as u32, m.count_ones());
    }
}
