//! The mounts that keep jailed root away from the kernel's global knobs.
//!
//! Writes to `/proc/sys` and to most of `/sys` are checked against uid 0,
//! not against a capability: root in a namespace-only jail could set
//! `kernel.core_pattern` (and have the host run a program of its choice),
//! rename the host, move itself out of its cgroup.  A FreeBSD jail cannot
//! write sysctls at all (`PRIV_SYSCTL_WRITE` is refused).  So, in the
//! jail's own mount namespace and before any capability is dropped (a
//! jail without `CAP_SYS_ADMIN` cannot undo a mount), the reaper:
//!
//! * binds `/proc/sys`, `/proc/sysrq-trigger`, `/proc/irq`, `/proc/bus`
//!   and `/proc/fs` onto themselves read-only;
//! * masks `/proc/kcore`, `/proc/keys`, `/proc/timer_list` and
//!   `/proc/sched_debug` with `/dev/null`, and `/sys/firmware` with an
//!   empty read-only file system;
//! * makes `/sys` and every mount below it (`/sys/fs/cgroup`, …)
//!   read-only;
//! * hides the registry directory under an empty read-only file system,
//!   so that the jail can neither remove its own entry nor forge one.
//!
//! The same set runc and bubblewrap apply to containers; a proc file
//! system mounted later inside a user namespace is refused by the kernel
//! while these masks exist (it would reveal more than the one mounted).

use nix::mount::{mount, MsFlags};
use std::path::Path;

/// Bound read-only onto themselves.
pub const READ_ONLY: [&str; 5] = [
    "/proc/sys",
    "/proc/sysrq-trigger",
    "/proc/irq",
    "/proc/bus",
    "/proc/fs",
];

/// Files masked with `/dev/null`.
pub const MASKED_FILES: [&str; 4] = [
    "/proc/kcore",
    "/proc/keys",
    "/proc/timer_list",
    "/proc/sched_debug",
];

/// Directories masked with an empty read-only file system.
pub const MASKED_DIRS: [&str; 1] = ["/sys/firmware"];

const NOSUID_NODEV_NOEXEC: MsFlags = MsFlags::MS_NOSUID
    .union(MsFlags::MS_NODEV)
    .union(MsFlags::MS_NOEXEC);

fn exists(p: &str) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

/// Bind `p` onto itself and make that mount read-only.
fn bind_read_only(p: &str) -> Result<(), String> {
    mount(
        Some(p),
        p,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(|e| format!("binding {p} onto itself: {e}"))?;
    mount(
        None::<&str>,
        p,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY | NOSUID_NODEV_NOEXEC,
        None::<&str>,
    )
    .map_err(|e| format!("making {p} read-only: {e}"))
}

/// An empty read-only tmpfs on `p`.
fn mask_dir(p: &str) -> Result<(), String> {
    mount(
        Some("svcj-masked"),
        p,
        Some("tmpfs"),
        MsFlags::MS_RDONLY | NOSUID_NODEV_NOEXEC,
        Some("size=0,mode=0500"),
    )
    .map_err(|e| format!("masking {p}: {e}"))
}

/// `/dev/null` bound onto `p`.
fn mask_file(p: &str) -> Result<(), String> {
    mount(
        Some("/dev/null"),
        p,
        None::<&str>,
        MsFlags::MS_BIND,
        None::<&str>,
    )
    .map_err(|e| format!("masking {p} with /dev/null: {e}"))
}

/// `struct mount_attr` (linux/mount.h).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}
const MOUNT_ATTR_RDONLY: u64 = 0x1;
const AT_RECURSIVE: libc::c_uint = 0x8000;

/// Make `p` and every mount below it read-only.
fn read_only_tree(p: &str) -> Result<(), String> {
    let c = std::ffi::CString::new(p).map_err(|_| format!("{p}: NUL byte"))?;
    let attr = MountAttr {
        attr_set: MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: mount_setattr reads `attr` (of the size given) and the
    // NUL-terminated path.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            c.as_ptr(),
            AT_RECURSIVE,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    if r == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() != Some(libc::ENOSYS) {
        return Err(format!("making {p} read-only: {e}"));
    }
    // Kernels before 5.12: remount each mount of the tree, keeping its
    // other flags.
    let prefix = format!("{}/", p.trim_end_matches('/'));
    for (_, point) in super::reaper::visible_mounts() {
        if point != p && !point.starts_with(&prefix) {
            continue;
        }
        let flags = nix::sys::statvfs::statvfs(point.as_str())
            .map(|s| s.flags())
            .map_err(|e| format!("statvfs {point}: {e}"))?;
        let mut ms = MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY;
        use nix::sys::statvfs::FsFlags;
        for (f, m) in [
            (FsFlags::ST_NOSUID, MsFlags::MS_NOSUID),
            (FsFlags::ST_NODEV, MsFlags::MS_NODEV),
            (FsFlags::ST_NOEXEC, MsFlags::MS_NOEXEC),
            (FsFlags::ST_NOATIME, MsFlags::MS_NOATIME),
            (FsFlags::ST_NODIRATIME, MsFlags::MS_NODIRATIME),
            (FsFlags::ST_RELATIME, MsFlags::MS_RELATIME),
        ] {
            if flags.contains(f) {
                ms |= m;
            }
        }
        mount(None::<&str>, point.as_str(), None::<&str>, ms, None::<&str>)
            .map_err(|e| format!("making {point} read-only: {e}"))?;
    }
    Ok(())
}

/// Apply every mount of the module docs.  Runs in the jail's new mount
/// namespace (every mount a slave of the host's), after its `/proc` was
/// mounted; `registry` is the registry directory to hide.
pub fn harden(registry: &Path) -> Result<(), String> {
    for p in READ_ONLY {
        if exists(p) {
            bind_read_only(p)?;
        }
    }
    for p in MASKED_FILES {
        if exists(p) {
            mask_file(p)?;
        }
    }
    if super::reaper::is_mount_point("/sys") {
        read_only_tree("/sys")?;
        for p in MASKED_DIRS {
            if std::fs::metadata(p).is_ok_and(|m| m.is_dir()) {
                mask_dir(p)?;
            }
        }
    }
    if std::fs::metadata(registry).is_ok_and(|m| m.is_dir()) {
        let p = registry
            .to_str()
            .ok_or_else(|| format!("registry path {} is not UTF-8", registry.display()))?;
        mask_dir(p).map_err(|e| format!("hiding the registry: {e}"))?;
    }
    Ok(())
}
