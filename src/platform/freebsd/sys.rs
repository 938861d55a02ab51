//! The FreeBSD system calls behind [`Kernel`]: jail_set(2), jail_get(2),
//! jail_attach(2), jail_remove(2), kill(2) and the sysctls.  All data
//! layout and every decision is in the portable sibling modules (the
//! decisions in [`super::backend`], tested there against a model of the
//! kernel); this file only hands their buffers to the kernel.

use super::backend::{Backend, Kernel, KernelFail, Started};
use super::exec::{self, ChildFailure, Prepared};
use super::jailparam::{self, JailIov, JAIL_ATTACH, JAIL_CREATE};
use super::kproc::{self, Layout};
use crate::error::{Error, Result};
use std::ffi::CString;
use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

/// The real kernel.
#[derive(Debug, Default)]
pub struct Sys;

/// The FreeBSD backend.
pub type FreeBsd = Backend<Sys>;

impl Backend<Sys> {
    /// A new backend over the running kernel.
    pub fn new() -> Self {
        Backend::with_kernel(Sys)
    }
}

/// A [`JailIov`] that may be moved into the pre-exec closure.
struct ChildIov(JailIov);

// SAFETY: the raw pointers inside a JailIov point only into buffers the
// same value owns; it is moved into the pre-exec closure and used only by
// the forked child's single thread, never shared between threads.
unsafe impl Send for ChildIov {}
// SAFETY: as above; no `&self` method mutates through the pointers.
unsafe impl Sync for ChildIov {}

impl ChildIov {
    // A method (not `.0`) so that closures capture the whole wrapper, not
    // the non-Send field.
    fn get(&mut self) -> &mut JailIov {
        &mut self.0
    }
}

fn kinfo_layout() -> Layout {
    Layout {
        pid: std::mem::offset_of!(libc::kinfo_proc, ki_pid),
        jid: std::mem::offset_of!(libc::kinfo_proc, ki_jid),
        stat: std::mem::offset_of!(libc::kinfo_proc, ki_stat),
    }
}

/// Read an integer sysctl by name; `Ok(None)` when there is no such oid.
fn sysctl_int(name: &str) -> io::Result<Option<i64>> {
    let Ok(cname) = CString::new(name) else {
        return Ok(None);
    };
    let mut v: libc::c_int = 0;
    let mut len: libc::size_t = std::mem::size_of::<libc::c_int>();
    // SAFETY: `cname` is NUL-terminated; `v` is a writable c_int and `len`
    // holds its size, which the kernel checks before writing; no new value.
    let r = unsafe {
        libc::sysctlbyname(
            cname.as_ptr(),
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
            std::ptr::null(),
            0,
        )
    };
    if r != 0 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::ENOENT) => Ok(None),
            _ => Err(e),
        };
    }
    Ok(Some(i64::from(v)))
}

/// Does the kernel know jail parameter `name` (`security.jail.param.<name>`
/// resolves)?  Parameters of unloaded modules (sysvmsg, vmm) do not.
pub fn jail_param_known(name: &str) -> bool {
    let Ok(cname) = CString::new(format!("security.jail.param.{name}")) else {
        return false;
    };
    let mut mib = [0 as libc::c_int; 24];
    let mut len: libc::size_t = mib.len();
    // SAFETY: `cname` is NUL-terminated; `mib` is writable for `len`
    // entries and `len` says so.
    unsafe { libc::sysctlnametomib(cname.as_ptr(), mib.as_mut_ptr(), &mut len) == 0 }
}

/// The whole process table as (pid, jid) pairs.
fn process_table() -> Result<Vec<kproc::ProcJail>> {
    let mib = [libc::CTL_KERN, libc::KERN_PROC, libc::KERN_PROC_PROC];
    // The table grows between the size query and the read; retry a few
    // times with headroom before giving up.
    for _ in 0..8 {
        let mut len: libc::size_t = 0;
        // SAFETY: a size query: null old pointer, `len` receives the size.
        let r = unsafe {
            libc::sysctl(
                mib.as_ptr(),
                mib.len() as libc::c_uint,
                std::ptr::null_mut(),
                &mut len,
                std::ptr::null(),
                0,
            )
        };
        if r != 0 {
            return Err(Error::os(
                "sysctl kern.proc.proc",
                io::Error::last_os_error(),
            ));
        }
        len += len / 4 + 4096;
        let mut buf = vec![0u8; len];
        // SAFETY: `buf` is writable for `len` bytes and `len` says so; the
        // kernel writes at most `len` bytes and updates `len`.
        let r = unsafe {
            libc::sysctl(
                mib.as_ptr(),
                mib.len() as libc::c_uint,
                buf.as_mut_ptr().cast(),
                &mut len,
                std::ptr::null(),
                0,
            )
        };
        if r != 0 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::ENOMEM) {
                continue;
            }
            return Err(Error::os("sysctl kern.proc.proc", e));
        }
        buf.truncate(len);
        return kproc::parse(&buf, kinfo_layout())
            .map_err(|m| Error::os("sysctl kern.proc.proc", io::Error::other(m)));
    }
    Err(Error::os(
        "sysctl kern.proc.proc",
        io::Error::other("the process table kept growing while being read"),
    ))
}

/// A pre-exec hook that enters jail `jid` with jail_attach(2) and returns
/// to the caller's working directory.
fn attach_hook(
    jid: i32,
    cwd: Option<RawFd>,
) -> impl FnMut(RawFd) -> io::Result<()> + Send + Sync + 'static {
    move |fd: RawFd| -> io::Result<()> {
        // SAFETY: jail_attach(2) takes a plain integer.
        let r = unsafe { libc::jail_attach(jid) };
        if r != 0 {
            let e = io::Error::last_os_error();
            exec::report(fd, jailparam::STAGE_ATTACH, b"");
            return Err(e);
        }
        exec::restore_cwd(cwd);
        Ok(())
    }
}

impl Kernel for Sys {
    fn rctl(&self) -> &dyn super::rctl::RctlKernel {
        &super::rctl::Sys
    }

    fn privileged(&self) -> bool {
        nix::unistd::geteuid().is_root()
    }

    fn jail_get(&self, iov: &mut JailIov, flags: i32) -> std::result::Result<i32, KernelFail> {
        // SAFETY: `iov` owns every buffer its entries point into and lives
        // across the call; the kernel writes only into the value buffers
        // and the errmsg buffer, within the lengths the entries give.
        let jid = unsafe { libc::jail_get(iov.as_mut_ptr(), iov.len() as libc::c_uint, flags) };
        if jid >= 0 {
            return Ok(jid);
        }
        let e = io::Error::last_os_error();
        Err(KernelFail {
            errno: e.raw_os_error().unwrap_or(libc::EIO),
            errmsg: iov.errmsg(),
        })
    }

    fn jail_remove(&self, jid: i32) -> std::result::Result<(), i32> {
        // SAFETY: jail_remove(2) takes a plain integer.
        if unsafe { libc::jail_remove(jid) } == 0 {
            return Ok(());
        }
        Err(io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO))
    }

    fn jids(&self) -> Vec<i32> {
        // The crate's iterator is jail_get(2) with `lastjid`; it cannot
        // panic (unlike its parameter reader, which we do not use).
        jail::RunningJail::all().map(|r| r.jid).collect()
    }

    fn jail_exists(&self, jid: i32) -> bool {
        jail::RunningJail::from_jid(jid).is_some()
    }

    fn sysctl_int(&self, name: &str) -> io::Result<Option<i64>> {
        if let Some(p) = name.strip_prefix("security.jail.param.") {
            return Ok(jail_param_known(p).then_some(1));
        }
        sysctl_int(name)
    }

    fn process_table(&self) -> Result<Vec<kproc::ProcJail>> {
        process_table()
    }

    fn kill(&self, pid: i32, sig: i32) -> std::result::Result<(), i32> {
        // SAFETY: kill(2) takes plain integers.
        if unsafe { libc::kill(pid, sig) } == 0 {
            return Ok(());
        }
        Err(io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO))
    }

    fn run_created(
        &self,
        p: Prepared,
        iov: JailIov,
    ) -> Result<std::result::Result<Started, ChildFailure>> {
        let mut iov = ChildIov(iov);
        let cwd = p.cwd_fd();
        let hook = move |fd: RawFd| -> io::Result<()> {
            let iov = iov.get();
            // SAFETY: `iov` owns every buffer its entries point into and
            // lives in this closure across the call; the kernel writes only
            // into the errmsg buffer, whose length the entry gives.
            let r = unsafe {
                libc::jail_set(
                    iov.as_mut_ptr(),
                    iov.len() as libc::c_uint,
                    JAIL_CREATE | JAIL_ATTACH,
                )
            };
            if r < 0 {
                // Take errno before report() can clobber it.
                let e = io::Error::last_os_error();
                exec::report(fd, jailparam::STAGE_SET, iov.errmsg_bytes());
                return Err(e);
            }
            // Tell the parent which jail it was: a failed start removes
            // exactly this one.
            exec::report_raw(fd, exec::STAGE_NOTE, &r.to_ne_bytes());
            exec::restore_cwd(cwd);
            Ok(())
        };
        let ran = match exec::run(p, None, hook)? {
            Ok(r) => r,
            Err(f) => return Ok(Err(f)),
        };
        let jid = <[u8; 4]>::try_from(ran.note.as_slice())
            .map(i32::from_ne_bytes)
            .map_err(|_| {
                Error::os(
                    "jail_set",
                    io::Error::other("the child did not report the new jail's JID"),
                )
            })?;
        Ok(Ok(Started {
            jid,
            status: ran.status.unwrap_or(128 + libc::SIGKILL),
        }))
    }

    fn run_attached(
        &self,
        p: Prepared,
        jid: i32,
        timeout: Option<Duration>,
    ) -> Result<std::result::Result<Option<i32>, ChildFailure>> {
        let hook = attach_hook(jid, p.cwd_fd());
        Ok(exec::run(p, timeout, hook)?.map(|r| r.status))
    }
}
