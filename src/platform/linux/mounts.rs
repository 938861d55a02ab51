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
//! * makes every other mount of a kernel interface the jail can see
//!   ([`KERNEL_FS`]: a chroot's `/proc` or `/sys`, a second cgroup
//!   hierarchy, …) read-only with everything below it, with the same
//!   masks in a `proc` or `sysfs` one: a second `/proc` of the host
//!   would otherwise be a writable `/proc/sys`;
//! * hides the registry directory under an empty read-only file system,
//!   so that the jail can neither remove its own entry nor forge one,
//!   and makes every directory above it a mount point of the jail's
//!   (bound onto itself): Linux refuses to rename or remove a mount
//!   point, so the jail cannot move the registry, or a directory above
//!   it, away and leave an empty one in its place for `svcj-kill` to
//!   find.  In a chroot whose root is not a mount point, a directory
//!   above the registry that lies on that invisible root mount is left
//!   as it is (a mount there could propagate to the host).
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

/// File system types that are interfaces to the kernel rather than
/// storage: any mount of one outside the jail's own `/proc` and `/sys`
/// is made read-only.
pub const KERNEL_FS: [&str; 14] = [
    "proc",
    "sysfs",
    "cgroup",
    "cgroup2",
    "binfmt_misc",
    "debugfs",
    "tracefs",
    "securityfs",
    "bpf",
    "configfs",
    "pstore",
    "efivarfs",
    "fusectl",
    "nfsd",
];

/// One line of `/proc/self/mountinfo`: mount ID, mount point, type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountLine {
    /// The mount ID (field 1).
    pub id: u64,
    /// The mount point (field 5), unescaped.
    pub point: String,
    /// The file system type (first field after the ` - ` separator).
    pub fstype: String,
}

/// Parse the text of a mountinfo file (lines that do not parse are left
/// out).
pub fn parse_mountinfo(text: &str) -> Vec<MountLine> {
    text.lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let mut f = left.split(' ');
            let id = f.next()?.parse().ok()?;
            let point = super::reaper::unescape_mountinfo(f.nth(3)?);
            let fstype = right.split(' ').next()?.to_string();
            Some(MountLine { id, point, fstype })
        })
        .collect()
}

/// Whether `point` is `dir` or below it.
fn within(point: &str, dir: &str) -> bool {
    point == dir
        || point
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The mounts of a kernel interface outside the jail's own `/proc` and
/// `/sys`, as `(mount point, type)`, each reachable by its path (a mount
/// covered by another one at the same point is left out: nothing can
/// reach it by path).
pub fn other_kernel_mounts(lines: &[MountLine]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for m in lines {
        if !KERNEL_FS.contains(&m.fstype.as_str())
            || within(&m.point, "/proc")
            || within(&m.point, "/sys")
            || out.iter().any(|(p, _)| *p == m.point)
        {
            continue;
        }
        // Only the top mount at that point (listed last) is reachable.
        let top = lines.iter().rev().find(|o| o.point == m.point);
        if top.is_some_and(|t| t.id == m.id) {
            out.push((m.point.clone(), m.fstype.clone()));
        }
    }
    out
}

const NOSUID_NODEV_NOEXEC: MsFlags = MsFlags::MS_NOSUID
    .union(MsFlags::MS_NODEV)
    .union(MsFlags::MS_NOEXEC);

fn exists(p: &str) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

/// Bind `p` onto itself, recursively (a mount point of its own).
fn bind_onto_itself(p: &str) -> Result<(), String> {
    mount(
        Some(p),
        p,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(|e| format!("binding {p} onto itself: {e}"))
}

/// Bind `p` onto itself and make that mount read-only.
fn bind_read_only(p: &str) -> Result<(), String> {
    bind_onto_itself(p)?;
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

/// Make every directory above `registry` (up to `/`) a mount point of
/// this mount namespace by binding it onto itself, with everything
/// mounted below it, unless it is one already.  With `visible` (mount
/// IDs; in a chroot whose root is not a mount point), only directories
/// on one of those mounts, or on a mount made here, are bound.
fn pin_ancestors(registry: &Path, mut visible: Option<Vec<u64>>) -> Result<(), String> {
    use super::reaper::mount_id;
    let mut dirs: Vec<&Path> = registry
        .ancestors()
        .skip(1)
        .filter(|a| a.parent().is_some())
        .collect();
    // From the top down: each bind lands on the mount the next one is on.
    dirs.reverse();
    for d in dirs {
        let Some(p) = d.to_str() else {
            return Err(format!("registry path {} is not UTF-8", registry.display()));
        };
        if !std::fs::metadata(d).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        let parent = d.parent().and_then(Path::to_str).unwrap_or("/");
        let (Some(own), Some(up)) = (mount_id(p), mount_id(parent)) else {
            continue;
        };
        if own != up {
            continue; // a mount point already
        }
        if visible.as_ref().is_some_and(|v| !v.contains(&own)) {
            log::debug!("{p} is on a mount outside this root: not pinned");
            continue;
        }
        bind_onto_itself(p)?;
        if let (Some(v), Some(id)) = (visible.as_mut(), mount_id(p)) {
            v.push(id);
        }
    }
    Ok(())
}

/// Read-only, with the masks of the jail's own: a `proc` or `sysfs`
/// mounted at `point` (outside the jail's `/proc` and `/sys`), or any
/// other kernel interface.
fn harden_other(point: &str, fstype: &str) -> Result<(), String> {
    read_only_tree(point)?;
    let under = |p: &str| format!("{}/{}", point.trim_end_matches('/'), p);
    match fstype {
        "proc" => {
            for p in MASKED_FILES {
                let q = under(p.trim_start_matches("/proc/"));
                if exists(&q) {
                    mask_file(&q)?;
                }
            }
        }
        "sysfs" => {
            for p in MASKED_DIRS {
                let q = under(p.trim_start_matches("/sys/"));
                if std::fs::metadata(&q).is_ok_and(|m| m.is_dir()) {
                    mask_dir(&q)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Apply every mount of the module docs.  Runs in the jail's new mount
/// namespace (every mount a slave of the host's, or, in a chroot whose
/// root is not a mount point, every one whose ID is in `visible`), after
/// its `/proc` was mounted; `registry` is the registry directory to hide.
pub fn harden(registry: &Path, visible: Option<Vec<u64>>) -> Result<(), String> {
    pin_ancestors(registry, visible)?;
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
    let text = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| format!("reading /proc/self/mountinfo: {e}"))?;
    for (point, fstype) in other_kernel_mounts(&parse_mountinfo(&text)) {
        harden_other(&point, &fstype).map_err(|e| format!("{fstype} on {point}: {e}"))?;
    }
    if std::fs::metadata(registry).is_ok_and(|m| m.is_dir()) {
        let p = registry
            .to_str()
            .ok_or_else(|| format!("registry path {} is not UTF-8", registry.display()))?;
        mask_dir(p).map_err(|e| format!("hiding the registry: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
23 22 0:21 / /proc rw,nosuid shared:2 - proc proc rw
24 22 0:22 / /sys rw shared:3 - sysfs sysfs rw
25 24 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw
30 22 0:30 / /srv/chroot/proc rw - proc proc rw
31 22 0:31 / /srv/chroot/sys rw - sysfs sysfs rw
32 22 0:32 / /srv/with\\040space rw - cgroup cgroup rw,pids
33 22 0:33 / /srv/stacked rw - proc proc rw
34 22 0:34 / /srv/stacked rw - tmpfs tmpfs rw
35 22 0:35 / /tmp rw - tmpfs tmpfs rw
36 22 0:36 / /proc2 rw - proc proc rw
40 23 0:40 / /proc rw - proc proc rw
";

    #[test]
    fn other_kernel_mounts_are_found_outside_proc_and_sys() {
        let lines = parse_mountinfo(MOUNTINFO);
        assert_eq!(lines.len(), 12);
        assert_eq!(lines[6].point, "/srv/with space");
        let got = other_kernel_mounts(&lines);
        assert_eq!(
            got,
            [
                ("/srv/chroot/proc".to_string(), "proc".to_string()),
                ("/srv/chroot/sys".to_string(), "sysfs".to_string()),
                ("/srv/with space".to_string(), "cgroup".to_string()),
                ("/proc2".to_string(), "proc".to_string()),
            ]
        );
    }
}
