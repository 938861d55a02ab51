//! The FreeBSD system calls behind [`Platform`]: jail_set(2), jail_get(2),
//! jail_attach(2), jail_remove(2), kill(2) and the `security.jail.*` and
//! `kern.proc` sysctls.  All data layout is done by the portable sibling
//! modules; this file only hands their buffers to the kernel.

use super::exec::{self, Prepared};
use super::jailparam::{self, JailIov, JAIL_ATTACH, JAIL_CREATE};
use super::kproc::{self, Layout};
use crate::error::{Error, Result};
use crate::name::{JailName, JailRef};
use crate::options::JailParams;
use crate::platform::{JailInfo, NestedLimits, Platform, RunSpec};
use std::ffi::CString;
use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

/// The FreeBSD backend.
#[derive(Debug, Default)]
pub struct FreeBsd;

impl FreeBsd {
    /// A new backend.
    pub fn new() -> Self {
        FreeBsd
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

/// Read an integer sysctl by name.
fn sysctl_int(name: &str) -> Result<i64> {
    let cname = CString::new(name).map_err(|_| Error::Usage(format!("bad sysctl {name:?}")))?;
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
        return Err(Error::os(
            format!("sysctl {name}"),
            io::Error::last_os_error(),
        ));
    }
    Ok(i64::from(v))
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

/// JID of the jail named `name`, or `None` when there is none.
fn jid_by_name(name: &JailName) -> Result<Option<i32>> {
    let mut iov = JailIov::new(&jailparam::lookup_params(name));
    // SAFETY: `iov` owns every buffer its entries point into and lives
    // across the call; the kernel writes only into the errmsg buffer.
    let jid = unsafe { libc::jail_get(iov.as_mut_ptr(), iov.len() as libc::c_uint, 0) };
    if jid >= 0 {
        return Ok(Some(jid));
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::ENOENT) => Ok(None),
        Some(n) => Err(Error::os(
            format!("jail_get {name}"),
            jailparam::kernel_error(n, &iov.errmsg()),
        )),
        None => Err(Error::os(format!("jail_get {name}"), e)),
    }
}

fn int_param(jid: i32, name: &str) -> Option<i64> {
    match jail::param::get(jid, name).ok()? {
        jail::param::Value::Int(i) => Some(i64::from(i)),
        jail::param::Value::Uint(u) => Some(i64::from(u)),
        jail::param::Value::S32(i) => Some(i64::from(i)),
        jail::param::Value::U32(u) => Some(i64::from(u)),
        _ => None,
    }
}

/// Everything we can read back about jail `jid` (`None` if it vanished).
fn info(jid: i32) -> Option<JailInfo> {
    let running = jail::RunningJail::from_jid(jid)?;
    let name = running.name().ok()?;
    let v4 = match jail::param::get(jid, "ip4.addr") {
        Ok(v) => v.unpack_ipv4().unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let v6 = match jail::param::get(jid, "ip6.addr") {
        Ok(v) => v.unpack_ipv6().unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let params: JailParams = jailparam::params_from_kernel(|n| int_param(jid, n), v4, v6);
    Some(JailInfo { jid, name, params })
}

fn run(
    p: Prepared,
    jail: &str,
    hook: impl FnMut(RawFd) -> io::Result<()> + Send + Sync + 'static,
) -> Result<i32> {
    exec::run_with_hook(p, hook)?.map_err(|f| jailparam::child_error(jail, &f))
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

impl Platform for FreeBsd {
    fn name(&self) -> &'static str {
        "freebsd"
    }

    fn nested_limits(&self) -> Result<NestedLimits> {
        if let Some(n) = NestedLimits::from_env_override()? {
            return Ok(n);
        }
        Ok(NestedLimits {
            jailed: sysctl_int("security.jail.jailed")? != 0,
            children_max: sysctl_int("security.jail.children.max")?,
            children_cur: sysctl_int("security.jail.children.cur")?,
        })
    }

    fn lookup(&self, jail: &JailRef) -> Result<Option<JailInfo>> {
        let jid = match jail {
            JailRef::Name(n) => match jid_by_name(n)? {
                Some(j) => j,
                None => return Ok(None),
            },
            JailRef::Jid(j) => *j,
        };
        Ok(info(jid))
    }

    fn list(&self) -> Result<Vec<JailInfo>> {
        Ok(jail::RunningJail::all()
            .filter_map(|r| info(r.jid))
            .collect())
    }

    fn create_and_run(&self, name: &JailName, params: &JailParams, cmd: &RunSpec) -> Result<i32> {
        if !self.privileged() {
            return Err(Error::NotRoot(format!("cannot create jail {name}")));
        }
        self.nested_limits()?.check()?;
        let prepared = exec::prepare(cmd)?;
        if jid_by_name(name)?.is_some() {
            return Err(Error::JailExists(name.to_string()));
        }
        let list = jailparam::create_params(name, params);
        log::debug!(
            "jail_set(JAIL_CREATE|JAIL_ATTACH): {}",
            list.iter().map(|p| p.word()).collect::<Vec<_>>().join(" ")
        );
        let mut iov = ChildIov(JailIov::new(&list));
        let cwd = prepared.cwd_fd();
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
            exec::restore_cwd(cwd);
            Ok(())
        };
        run(prepared, name.as_str(), hook)
    }

    fn join_and_run(&self, jail: &JailInfo, cmd: &RunSpec) -> Result<i32> {
        if !self.privileged() {
            return Err(Error::NotRoot(format!("cannot enter jail {}", jail.name)));
        }
        let prepared = exec::prepare(cmd)?;
        let hook = attach_hook(jail.jid, prepared.cwd_fd());
        run(prepared, &jail.name, hook)
    }

    fn join_and_run_bounded(
        &self,
        jail: &JailInfo,
        cmd: &RunSpec,
        timeout: Duration,
    ) -> Result<Option<i32>> {
        if !self.privileged() {
            return Err(Error::NotRoot(format!("cannot enter jail {}", jail.name)));
        }
        let prepared = exec::prepare(cmd)?;
        let hook = attach_hook(jail.jid, prepared.cwd_fd());
        exec::run_with_hook_bounded(prepared, Some(timeout), hook)?
            .map_err(|f| jailparam::child_error(&jail.name, &f))
    }

    fn members(&self, jail: &JailInfo) -> Result<Vec<i32>> {
        Ok(kproc::members_of(&process_table()?, jail.jid))
    }

    fn signal(&self, pid: i32, sig: i32) -> Result<()> {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        let sig = if sig == 0 {
            None
        } else {
            Some(Signal::try_from(sig).map_err(|_| Error::Usage(format!("bad signal {sig}")))?)
        };
        match kill(Pid::from_raw(pid), sig) {
            Ok(()) | Err(nix::errno::Errno::ESRCH) => Ok(()),
            Err(e) => Err(Error::os(format!("kill {pid}"), io::Error::from(e))),
        }
    }

    fn remove(&self, jail: &JailInfo) -> Result<()> {
        // SAFETY: jail_remove(2) takes a plain integer.
        let r = unsafe { libc::jail_remove(jail.jid) };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            // EINVAL: no such jail (already gone with its last process).
            Some(libc::EINVAL) => Ok(()),
            _ => Err(Error::os(format!("jail_remove {}", jail.name), e)),
        }
    }
}
