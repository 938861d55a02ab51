//! `allow.*` permissions as Linux capabilities.
//!
//! A FreeBSD jail denies these privileges unless an `allow.*` parameter
//! grants them.  Where Linux has a capability for the same privilege, a
//! service jail drops it from the capability bounding set *and* from the
//! inheritable, permitted, effective and ambient sets, so that not even a
//! root program exec'd inside the jail (or joined later) can get it back:
//!
//! | not granted            | dropped capability     |
//! |------------------------|------------------------|
//! | `allow.raw_sockets`    | `CAP_NET_RAW`          |
//! | `allow.reserved_ports` | `CAP_NET_BIND_SERVICE` |
//! | `allow.mlock`          | `CAP_IPC_LOCK`         |
//! | `allow.settime`        | `CAP_SYS_TIME`         |
//! | `allow.routing`        | `CAP_NET_ADMIN`        |
//! | `allow.setaudit`       | `CAP_AUDIT_CONTROL`    |
//!
//! `allow.nfsd`, `allow.vmm` and `allow.socket_af` have no capability of
//! their own (see `platform::linux_gaps`).
//!
//! Some privileges a FreeBSD jail never has, whatever its parameters, are
//! dropped from every service jail as well ([`ALWAYS_DROPPED`]): mounting
//! and entering namespaces (`CAP_SYS_ADMIN` — without this a jailed root
//! could unmount the jail's `/proc`, find the host's namespaces under it
//! and leave the jail), loading kernel modules, raw I/O, rebooting,
//! creating device nodes, and BPF and perf access to the whole machine.

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
/// `CAP_SYS_TIME`
pub const CAP_SYS_TIME: u32 = 25;
/// `CAP_AUDIT_CONTROL`
pub const CAP_AUDIT_CONTROL: u32 = 30;

/// Dropped from every service jail.
pub const ALWAYS_DROPPED: [(u32, &str); 7] = [
    (16, "CAP_SYS_MODULE"),
    (17, "CAP_SYS_RAWIO"),
    (21, "CAP_SYS_ADMIN"),
    (22, "CAP_SYS_BOOT"),
    (27, "CAP_MKNOD"),
    (38, "CAP_PERFMON"),
    (39, "CAP_BPF"),
];

/// The mapping of the table above.
pub const MAPPING: [(Allow, u32, &str); 6] = [
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
];

/// The capabilities a jail with `p` must not have.
pub fn dropped(p: &JailParams) -> Vec<u32> {
    MAPPING
        .iter()
        .filter(|(a, _, _)| !p.allows(*a))
        .map(|(_, c, _)| *c)
        .chain(ALWAYS_DROPPED.iter().map(|(c, _)| *c))
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

/// Drop `caps` from every capability set of the calling process.
pub fn drop_caps(caps: &[u32]) -> io::Result<()> {
    for &c in caps {
        // SAFETY: prctl with integer arguments only.
        let r = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, c as libc::c_ulong, 0, 0, 0) };
        // EINVAL: the running kernel does not know this capability.
        if r != 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINVAL) {
            return Err(io::Error::last_os_error());
        }
    }
    let mut hdr = CapHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: capget writes two CapData structs (version 3) into `data`,
    // which is exactly that size; `hdr` is a valid header.
    if unsafe {
        libc::syscall(
            libc::SYS_capget,
            &mut hdr as *mut CapHeader,
            data.as_mut_ptr(),
        )
    } != 0
    {
        return Err(io::Error::last_os_error());
    }
    for &c in caps {
        let i = (c / 32) as usize;
        if i >= data.len() {
            continue;
        }
        let bit = 1u32 << (c % 32);
        data[i].effective &= !bit;
        data[i].permitted &= !bit;
        data[i].inheritable &= !bit;
    }
    // SAFETY: as above; capset only reads `hdr` and `data`.
    if unsafe { libc::syscall(libc::SYS_capset, &mut hdr as *mut CapHeader, data.as_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options;

    #[test]
    fn no_options_drop_all_six_and_the_always_dropped() {
        let p = options::parse("", "").unwrap().params;
        assert_eq!(dropped(&p).len(), 6 + ALWAYS_DROPPED.len());
        assert!(dropped(&p).contains(&21));
    }

    #[test]
    fn each_allow_keeps_its_capability() {
        for (opt, cap) in [
            ("net_raw", CAP_NET_RAW),
            ("net_basic", CAP_NET_BIND_SERVICE),
            ("mlock", CAP_IPC_LOCK),
            ("settime", CAP_SYS_TIME),
            ("routing", CAP_NET_ADMIN),
            ("setaudit", CAP_AUDIT_CONTROL),
        ] {
            let p = options::parse(opt, "").unwrap().params;
            let d = dropped(&p);
            assert!(!d.contains(&cap), "{opt}");
            assert_eq!(d.len(), 5 + ALWAYS_DROPPED.len(), "{opt}");
        }
        let p = options::parse("net_all", "").unwrap().params;
        assert!(!dropped(&p).contains(&CAP_NET_RAW));
        assert!(!dropped(&p).contains(&CAP_NET_BIND_SERVICE));
    }
}
