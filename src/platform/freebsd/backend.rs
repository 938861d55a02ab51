//! The FreeBSD backend's decisions, apart from the system calls.
//!
//! [`Backend`] implements [`Platform`] for FreeBSD over a small [`Kernel`]
//! trait: which parameters a read asks jail_get(2) for and how their
//! values are decoded, the parameter list a create hands to jail_set(2),
//! which jail a failed start removes, and how a refusal is explained.
//! The real kernel (`sys`, FreeBSD only) and a model of `kern_jail.c`
//! (`model`, tests only) both implement [`Kernel`], so these
//! paths run under `cargo test` on Linux.
//!
//! The `jail` crate stays in use behind [`Kernel::jids`] and
//! [`Kernel::jail_exists`] (enumeration, JID checks), whose code paths in
//! the crate cannot panic.  Names and parameters are read with our own
//! jail_get(2): the crate's `param::get` refuses the node-typed `ip4`,
//! `ip6` and `sysv*` parameters and panics (`panic = "abort"` in release)
//! on a type it does not expect.

use super::exec::{self, ChildFailure, Prepared};
use super::jailparam::{self, JailIov, Param, ParentView, Value};
use super::kproc::{self, ProcJail};
use crate::error::{Error, Result};
use crate::name::{JailName, JailRef};
use crate::options::{Allow, IpFeatures, JailParams};
use crate::platform::{JailInfo, NestedLimits, Platform, RunSpec};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// A failed jail_get(2)/jail_set(2): errno and the kernel's errmsg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelFail {
    /// errno
    pub errno: i32,
    /// What the kernel wrote into `errmsg` (may be empty).
    pub errmsg: String,
}

/// A command started in a jail the child created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    /// The JID jail_set(2) returned to the child.
    pub jid: i32,
    /// The command's exit status (128+N for signal N).
    pub status: i32,
}

/// The system calls the FreeBSD backend makes.
pub trait Kernel {
    /// May the caller create and enter jails (root)?
    fn privileged(&self) -> bool;
    /// jail_get(2) with `flags`; the JID found, or errno and errmsg.
    fn jail_get(&self, iov: &mut JailIov, flags: i32) -> std::result::Result<i32, KernelFail>;
    /// jail_remove(2); `Err(errno)`.
    fn jail_remove(&self, jid: i32) -> std::result::Result<(), i32>;
    /// The JIDs of the live jails the caller can see (the `jail` crate).
    fn jids(&self) -> Vec<i32>;
    /// Does a live jail `jid` exist (the `jail` crate)?
    fn jail_exists(&self, jid: i32) -> bool;
    /// An integer sysctl; `Ok(None)` when the kernel has no such oid.
    fn sysctl_int(&self, name: &str) -> io::Result<Option<i64>>;
    /// The process table (`kern.proc.proc`).
    fn process_table(&self) -> Result<Vec<ProcJail>>;
    /// kill(2); `Err(errno)`.
    fn kill(&self, pid: i32, sig: i32) -> std::result::Result<(), i32>;
    /// Fork; the child creates and enters a jail from `iov` with
    /// jail_set(2) `JAIL_CREATE | JAIL_ATTACH` and execs `p`; wait for it.
    fn run_created(
        &self,
        p: Prepared,
        iov: JailIov,
    ) -> Result<std::result::Result<Started, ChildFailure>>;
    /// Fork; the child enters `jid` with jail_attach(2) and execs `p`;
    /// wait for it, at most `timeout` (then kill it: `None`).
    fn run_attached(
        &self,
        p: Prepared,
        jid: i32,
        timeout: Option<Duration>,
    ) -> Result<std::result::Result<Option<i32>, ChildFailure>>;
    /// The rctl system calls (module `rctl`); the default is a kernel
    /// without resource accounting.
    fn rctl(&self) -> &dyn super::rctl::RctlKernel {
        &super::rctl::NoRacct
    }
}

/// Is jail parameter `name` known to the kernel
/// (`security.jail.param.<name>` exists)?  Parameters of modules that are
/// not loaded (`sysvmsg`, `allow.vmm`…) and of missing address families
/// are not, and asking jail_get(2) for one fails the whole call.
fn param_known<K: Kernel + ?Sized>(k: &K, name: &str) -> bool {
    matches!(
        k.sysctl_int(&format!("security.jail.param.{name}")),
        Ok(Some(_))
    )
}

/// `MAXHOSTNAMELEN`: the size of a jail name buffer.
const NAME_LEN: usize = 256;

/// The integer parameters a read asks for (when the kernel knows them).
fn int_params() -> Vec<&'static str> {
    let mut v = vec!["ip4", "ip6"];
    v.extend(jailparam::SYSV_PARAMS);
    v.push("enforce_statfs");
    v.extend(Allow::ALL.iter().map(|a| a.param()));
    for d in jailparam::KERNEL_DEFAULT_ALLOW {
        if !v.contains(&d) {
            v.push(d);
        }
    }
    v
}

fn int_at(iov: &JailIov, i: usize) -> Option<i64> {
    let b = iov.value(i)?;
    let b: [u8; 4] = b.get(..4)?.try_into().ok()?;
    Some(i64::from(i32::from_ne_bytes(b)))
}

/// What one jail_get(2) read of a jail returned.
#[derive(Debug, Clone)]
struct Read {
    info: JailInfo,
    defaults: Vec<String>,
}

/// The FreeBSD backend over kernel `K`.
#[derive(Debug, Default)]
pub struct Backend<K> {
    k: K,
}

impl<K: Kernel> Backend<K> {
    /// The backend over `k`.
    pub fn with_kernel(k: K) -> Self {
        Backend { k }
    }

    /// The kernel, for tests.
    pub fn kernel(&self) -> &K {
        &self.k
    }

    /// JID of the live jail named `name`, or `None` when there is none
    /// (jail_get(2) says ENOENT, also for a dying jail).
    fn jid_by_name(&self, name: &str) -> Result<Option<i32>> {
        let mut iov = JailIov::new(&[Param::out("name", Value::Str(name.to_string()))]);
        match self.k.jail_get(&mut iov, 0) {
            Ok(jid) => Ok(Some(jid)),
            Err(f) if f.errno == libc::ENOENT => Ok(None),
            Err(f) => {
                log::debug!("jail_get name={name}: errno {} {:?}", f.errno, f.errmsg);
                Err(Error::os(
                    format!("jail_get {name}"),
                    jailparam::kernel_error(f.errno, &f.errmsg),
                ))
            }
        }
    }

    /// Read jail `jid` with one jail_get(2); `None` if it is gone.
    fn read(&self, jid: i32) -> Result<Option<Read>> {
        let max_ips = self
            .k
            .sysctl_int("security.jail.jail_max_af_ips")
            .ok()
            .flatten()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(255);
        let mut list = vec![
            Param::out("jid", Value::Int(jid)),
            Param::out("name", Value::Out(NAME_LEN)),
        ];
        let ints: Vec<&str> = int_params()
            .into_iter()
            .filter(|n| param_known(&self.k, n))
            .collect();
        list.extend(ints.iter().map(|n| Param::out(n, Value::Out(4))));
        let v4 = param_known(&self.k, "ip4.addr");
        let v6 = param_known(&self.k, "ip6.addr");
        if v4 {
            list.push(Param::out("ip4.addr", Value::Out(max_ips * 4)));
        }
        if v6 {
            list.push(Param::out("ip6.addr", Value::Out(max_ips * 16)));
        }
        let mut iov = JailIov::new(&list);
        match self.k.jail_get(&mut iov, 0) {
            Ok(_) => {}
            Err(f) if f.errno == libc::ENOENT => return Ok(None),
            Err(f) => {
                log::debug!("jail_get jid={jid}: errno {} {:?}", f.errno, f.errmsg);
                return Err(Error::os(
                    format!("jail_get {jid}"),
                    jailparam::kernel_error(f.errno, &f.errmsg),
                ));
            }
        }
        let name = iov
            .find("name")
            .and_then(|i| iov.value(i))
            .map(jailparam::errmsg_text)
            .unwrap_or_default();
        let get = |n: &str| iov.find(n).and_then(|i| int_at(&iov, i));
        let addrs4: Vec<Ipv4Addr> = iov
            .find("ip4.addr")
            .and_then(|i| iov.value(i))
            .map(|b| {
                b.chunks_exact(4)
                    .map(|c| Ipv4Addr::new(c[0], c[1], c[2], c[3]))
                    .collect()
            })
            .unwrap_or_default();
        let addrs6: Vec<Ipv6Addr> = iov
            .find("ip6.addr")
            .and_then(|i| iov.value(i))
            .map(|b| {
                b.chunks_exact(16)
                    .filter_map(|c| <[u8; 16]>::try_from(c).ok().map(Ipv6Addr::from))
                    .collect()
            })
            .unwrap_or_default();
        let params = jailparam::params_from_kernel(get, addrs4, addrs6);
        let defaults = jailparam::KERNEL_DEFAULT_ALLOW
            .iter()
            .filter(|d| get(d).unwrap_or(0) != 0)
            .map(|d| d.to_string())
            .collect();
        Ok(Some(Read {
            info: JailInfo { jid, name, params },
            defaults,
        }))
    }

    /// What can be learnt from inside about the enclosing jail's limits
    /// (the deprecated `security.jail.*` sysctls describe the caller's
    /// own prison).
    fn parent_view(&self) -> ParentView {
        let get = |n: &str| self.k.sysctl_int(n).ok().flatten();
        let mut allow = Vec::new();
        if let Some(v) = get("security.jail.allow_raw_sockets") {
            allow.push((Allow::RawSockets, v != 0));
        }
        if let Some(v) = get("security.jail.mlock_allowed") {
            allow.push((Allow::Mlock, v != 0));
        }
        if let Some(v) = get("security.jail.socket_unixiproute_only") {
            allow.push((Allow::SocketAf, v == 0));
        }
        ParentView {
            enforce_statfs: get("security.jail.enforce_statfs"),
            allow,
        }
    }

    /// After a failed start: remove the jail this invocation created
    /// (`jid`, as jail_set(2) returned it to our child), as `jail -c`
    /// does when `exec.start` fails, together with anything the start
    /// left in it.  Never another jail: a JID that now names something
    /// else, or nothing, is left alone.
    fn remove_failed_start(&self, name: &JailName, jid: i32) -> Result<()> {
        let current = self.read(jid)?.map(|r| r.info.name);
        if current.as_deref() != Some(name.as_str()) {
            log::debug!("failed start of {name}: jail {jid} already gone");
            return Ok(());
        }
        log::debug!("failed start of {name}: jail_remove({jid})");
        match self.k.jail_remove(jid) {
            Ok(()) | Err(libc::EINVAL) => Ok(()),
            Err(n) => {
                log::debug!("jail_remove {jid}: errno {n}");
                Err(Error::os(
                    format!("jail_remove {name} after its failed start"),
                    io::Error::from_raw_os_error(n),
                ))
            }
        }
    }

    fn set_failure(
        &self,
        name: &JailName,
        params: &JailParams,
        jailed: bool,
        f: &ChildFailure,
    ) -> Error {
        log::debug!("jail_set {name} failed: errno {} {:?}", f.errno, f.detail);
        if f.stage == jailparam::STAGE_SET && jailed {
            let causes = jailparam::eperm_causes(params, &self.parent_view());
            return jailparam::set_error_nested(name.as_str(), f.errno, &f.detail, &causes);
        }
        jailparam::child_error(name.as_str(), f)
    }
}

impl<K: Kernel> Platform for Backend<K> {
    fn name(&self) -> &'static str {
        "freebsd"
    }

    fn privileged(&self) -> bool {
        self.k.privileged()
    }

    fn nested_limits(&self) -> Result<NestedLimits> {
        if let Some(n) = NestedLimits::from_env_override()? {
            return Ok(n);
        }
        let get = |n: &str| -> Result<i64> {
            self.k
                .sysctl_int(n)
                .inspect_err(|e| log::debug!("sysctl {n}: {e}"))
                .map_err(|e| Error::os(format!("sysctl {n}"), e))?
                .ok_or_else(|| {
                    Error::os(
                        format!("sysctl {n}"),
                        io::Error::from_raw_os_error(libc::ENOENT),
                    )
                })
        };
        Ok(NestedLimits {
            jailed: get("security.jail.jailed")? != 0,
            children_max: get("security.jail.children.max")?,
            children_cur: get("security.jail.children.cur")?,
        })
    }

    fn ip_features(&self) -> IpFeatures {
        let has = |n: &str| matches!(self.k.sysctl_int(n), Ok(Some(v)) if v != 0);
        IpFeatures {
            inet: has("kern.features.inet"),
            inet6: has("kern.features.inet6"),
        }
    }

    fn lookup(&self, jail: &JailRef) -> Result<Option<JailInfo>> {
        let jid = match jail {
            JailRef::Name(n) => match self.jid_by_name(n.as_str())? {
                Some(j) => j,
                None => return Ok(None),
            },
            JailRef::Jid(j) => {
                if !self.k.jail_exists(*j) {
                    return Ok(None);
                }
                *j
            }
        };
        Ok(self.read(jid)?.map(|r| r.info))
    }

    fn list(&self) -> Result<Vec<JailInfo>> {
        let mut out = Vec::new();
        for jid in self.k.jids() {
            // A jail that ended between the listing and the read is gone.
            if let Some(r) = self.read(jid)? {
                out.push(r.info);
            }
        }
        Ok(out)
    }

    fn default_allow(&self, jail: &JailInfo) -> Result<Vec<String>> {
        Ok(self.read(jail.jid)?.map(|r| r.defaults).unwrap_or_default())
    }

    fn create_and_run(&self, name: &JailName, params: &JailParams, cmd: &RunSpec) -> Result<i32> {
        if !self.privileged() {
            return Err(Error::NotRoot(format!("cannot create jail {name}")));
        }
        let nested = self.nested_limits()?;
        nested.check()?;
        let prepared = exec::prepare(cmd)?;
        if self.jid_by_name(name.as_str())?.is_some() {
            return Err(Error::JailExists(name.to_string()));
        }
        let list = jailparam::create_params(name, params);
        log::debug!(
            "create: jail_set(JAIL_CREATE|JAIL_ATTACH) {}",
            list.iter().map(|p| p.word()).collect::<Vec<_>>().join(" ")
        );
        match self.k.run_created(prepared, JailIov::new(&list))? {
            Err(f) => Err(self.set_failure(name, params, nested.jailed, &f)),
            Ok(Started { jid, status }) => {
                log::debug!("create: {name} is jail {jid}; the command exited {status}");
                if status != 0 {
                    self.remove_failed_start(name, jid)?;
                }
                Ok(status)
            }
        }
    }

    fn create_and_run_limited(
        &self,
        name: &JailName,
        params: &JailParams,
        rules: &crate::rctl::Rules,
        cmd: &RunSpec,
    ) -> Result<i32> {
        if rules.is_empty() {
            return self.create_and_run(name, params, cmd);
        }
        if !self.privileged() {
            return Err(Error::NotRoot(format!("cannot create jail {name}")));
        }
        if self.jid_by_name(name.as_str())?.is_some() {
            return Err(Error::JailExists(name.to_string()));
        }
        // The rules are in force before the jail's first process exists
        // (the kernel keeps jail rules by name).
        super::rctl::install(self.k.rctl(), name.as_str(), rules)?;
        let r = self.create_and_run(name, params, cmd);
        // Gone with the jail: a refused or failed start, or a command
        // whose jail ended with it.
        let ended = match &r {
            Ok(0) => self.jid_by_name(name.as_str()).ok().flatten().is_none(),
            _ => true,
        };
        if ended {
            if let Err(e) = super::rctl::uninstall(self.k.rctl(), name.as_str()) {
                log::warn!("{name}: {e}");
            }
        }
        r
    }

    fn limits_available(&self) -> std::result::Result<(), String> {
        if !self.k.rctl().racct_enabled() {
            Err(super::rctl::RACCT_FIX.to_string())
        } else if matches!(self.k.sysctl_int("security.jail.jailed"), Ok(Some(j)) if j != 0) {
            Err(super::rctl::JAILED_FIX.to_string())
        } else {
            Ok(())
        }
    }

    fn usage(&self, jail: &JailInfo) -> Result<Option<crate::platform::Usage>> {
        Ok(super::rctl::usage(self.k.rctl(), &jail.name))
    }

    fn join_and_run(&self, jail: &JailInfo, cmd: &RunSpec) -> Result<i32> {
        self.join_and_run_bounded_inner(jail, cmd, None)
            .map(|s| s.unwrap_or(128 + libc::SIGKILL))
    }

    fn join_and_run_bounded(
        &self,
        jail: &JailInfo,
        cmd: &RunSpec,
        timeout: Duration,
    ) -> Result<Option<i32>> {
        self.join_and_run_bounded_inner(jail, cmd, Some(timeout))
    }

    fn members(&self, jail: &JailInfo) -> Result<Vec<i32>> {
        Ok(kproc::members_of(&self.k.process_table()?, jail.jid))
    }

    fn signal(&self, pid: i32, sig: i32) -> Result<()> {
        log::debug!("signal: kill({pid}, {sig})");
        match self.k.kill(pid, sig) {
            Ok(()) | Err(libc::ESRCH) => Ok(()),
            Err(libc::EINVAL) => Err(Error::Usage(format!("bad signal {sig}"))),
            Err(n) => {
                log::debug!("kill({pid}, {sig}): errno {n}");
                Err(Error::os(
                    format!("kill {pid}"),
                    io::Error::from_raw_os_error(n),
                ))
            }
        }
    }

    fn remove(&self, jail: &JailInfo) -> Result<()> {
        log::debug!("remove: jail_remove({}) {}", jail.jid, jail.name);
        let removed = self.remove_jail(jail);
        // The jail's rules go with it (a service jail's subject only).
        if removed.is_ok() && jail.name.starts_with(crate::name::JAIL_PREFIX) {
            super::rctl::uninstall(self.k.rctl(), &jail.name)?;
        }
        removed
    }
}

impl<K: Kernel> Backend<K> {
    fn remove_jail(&self, jail: &JailInfo) -> Result<()> {
        match self.k.jail_remove(jail.jid) {
            // EINVAL: no such jail (already gone with its last process).
            Ok(()) | Err(libc::EINVAL) => Ok(()),
            Err(n) => {
                log::debug!("jail_remove({}): errno {n}", jail.jid);
                Err(Error::os(
                    format!("jail_remove {}", jail.name),
                    io::Error::from_raw_os_error(n),
                ))
            }
        }
    }
}

impl<K: Kernel> Backend<K> {
    fn join_and_run_bounded_inner(
        &self,
        jail: &JailInfo,
        cmd: &RunSpec,
        timeout: Option<Duration>,
    ) -> Result<Option<i32>> {
        if !self.privileged() {
            return Err(Error::NotRoot(format!("cannot enter jail {}", jail.name)));
        }
        let prepared = exec::prepare(cmd)?;
        log::debug!("attach: jail_attach({}) {}", jail.jid, jail.name);
        self.k
            .run_attached(prepared, jail.jid, timeout)?
            .map_err(|f| {
                log::debug!("jail_attach({}) failed: errno {}", jail.jid, f.errno);
                jailparam::child_error(&jail.name, &f)
            })
    }
}

#[cfg(test)]
mod tests {
    //! The backend against the model of `kern_jail.c`.
    use super::super::model::Model;
    use super::*;
    use crate::name::ServiceName;
    use crate::options::{parse, JailSys};

    fn jn(s: &str) -> JailName {
        ServiceName::new(s).unwrap().jail_name()
    }

    fn sh(script: &str) -> RunSpec {
        RunSpec {
            argv: vec!["/bin/sh".into(), "-c".into(), script.into()],
            console_log: None,
        }
    }

    fn by_name(b: &Backend<Model>, s: &str) -> Option<JailInfo> {
        b.lookup(&JailRef::Name(jn(s))).unwrap()
    }

    #[test]
    fn node_parameters_and_addresses_read_back_through_jail_get() {
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().start_leaves = 1;
        let want = parse("net_basic sysvipc mlock", "192.0.2.1 192.0.2.2")
            .unwrap()
            .params;
        assert_eq!(
            b.create_and_run(&jn("named"), &want, &sh("exit 0"))
                .unwrap(),
            0
        );
        let got = by_name(&b, "named").expect("a daemon keeps the jail");
        assert_eq!(got.name, "svcj-named");
        assert_eq!(got.params.ip4, JailSys::New);
        assert_eq!(got.params.ip4_addrs, want.ip4_addrs);
        // ip6=new without addresses is no IPv6: the kernel reports 0.
        assert_eq!(got.params.ip6, JailSys::Disable);
        assert_eq!(got.params.sysvipc, JailSys::Inherit);
        assert!(got.params.allows(Allow::Mlock));
        let by_jid = b.lookup(&JailRef::Jid(got.jid)).unwrap().unwrap();
        assert_eq!(by_jid, got);
        assert_eq!(b.list().unwrap(), vec![got]);
    }

    #[test]
    fn the_primary_address_stays_first_and_the_kernel_sorts_the_rest() {
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().start_leaves = 1;
        // rc.subr's order: the last listed is the primary.
        let want = parse("netv4", "192.0.2.1 192.0.2.3 192.0.2.2")
            .unwrap()
            .params;
        let ip = |s: &str| s.parse::<Ipv4Addr>().unwrap();
        assert_eq!(
            want.ip4_addrs,
            [ip("192.0.2.2"), ip("192.0.2.3"), ip("192.0.2.1")]
        );
        b.create_and_run(&jn("www"), &want, &sh("exit 0")).unwrap();
        let got = by_name(&b, "www").unwrap();
        assert_eq!(
            got.params.ip4_addrs,
            [ip("192.0.2.2"), ip("192.0.2.1"), ip("192.0.2.3")]
        );
    }

    #[test]
    fn svcj_check_status_over_the_kernel_model() {
        // What `svcj-check status` shows on FreeBSD comes from the node
        // parameters and the read-back decoding: network, IPC, addresses,
        // granted permissions apart from the kernel's defaults.
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().start_leaves = 1;
        let p = parse("net_basic net_raw sysvipc", "192.0.2.1")
            .unwrap()
            .params;
        b.create_and_run(&jn("named"), &p, &sh("exit 0")).unwrap();
        let r = crate::check::status::status(&b, None).unwrap();
        let j = &r.jails[0];
        assert!(j.network);
        assert_eq!(
            (j.ip4, j.ip6, j.ipc),
            (JailSys::New, JailSys::Disable, JailSys::Inherit)
        );
        assert_eq!(j.addresses, ["192.0.2.1"]);
        assert_eq!(j.granted, ["allow.raw_sockets"]);
        assert_eq!(
            j.default_allow,
            [
                "allow.reserved_ports",
                "allow.unprivileged_proc_debug",
                "allow.suser"
            ]
        );
        assert_eq!(j.processes, Some(1));
    }

    #[test]
    fn inherited_families_read_back_as_inherit() {
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().start_leaves = 1;
        let want = parse("net_basic", "").unwrap().params;
        b.create_and_run(&jn("ntpd"), &want, &sh("exit 0")).unwrap();
        let got = by_name(&b, "ntpd").unwrap();
        assert_eq!(
            (got.params.ip4, got.params.ip6),
            (JailSys::Inherit, JailSys::Inherit)
        );
        let none = parse("", "").unwrap().params;
        b.create_and_run(&jn("cron"), &none, &sh("exit 0")).unwrap();
        let got = by_name(&b, "cron").unwrap();
        assert!(!got.params.has_network());
        assert_eq!(got.params.sysvipc, JailSys::Disable);
    }

    #[test]
    fn kernel_defaults_are_told_apart_and_set_hostname_is_cleared() {
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().start_leaves = 1;
        b.create_and_run(&jn("a"), &parse("", "").unwrap().params, &sh("exit 0"))
            .unwrap();
        let info = by_name(&b, "a").unwrap();
        let d = b.default_allow(&info).unwrap();
        assert_eq!(
            d,
            vec![
                "allow.reserved_ports",
                "allow.unprivileged_proc_debug",
                "allow.suser"
            ]
        );
        // Inside a jail without suser the default set is smaller.
        let mut me = Model::new().st.into_inner().me;
        me.jailed = true;
        me.allow.remove("suser");
        me.children_max = 4;
        let b = Backend::with_kernel(Model::jailed(me));
        b.kernel().st.borrow_mut().start_leaves = 1;
        b.create_and_run(&jn("a"), &parse("", "").unwrap().params, &sh("exit 0"))
            .unwrap();
        let info = by_name(&b, "a").unwrap();
        assert!(!b
            .default_allow(&info)
            .unwrap()
            .contains(&"allow.suser".to_string()));
    }

    #[test]
    fn a_jail_without_persist_dies_with_its_last_process() {
        let b = Backend::with_kernel(Model::new());
        let p = parse("", "").unwrap().params;
        assert_eq!(b.create_and_run(&jn("once"), &p, &sh("exit 0")).unwrap(), 0);
        assert_eq!(by_name(&b, "once"), None);
        assert!(b.list().unwrap().is_empty());
    }

    #[test]
    fn a_failed_start_removes_the_jail_it_created_and_only_that() {
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().start_leaves = 1;
        let p = parse("", "").unwrap().params;
        // The start fails but left a daemon: jail -c would remove the jail.
        assert_eq!(b.create_and_run(&jn("bad"), &p, &sh("exit 3")).unwrap(), 3);
        assert_eq!(
            by_name(&b, "bad"),
            None,
            "the failed start's jail is removed"
        );
        assert!(b
            .kernel()
            .st
            .borrow()
            .calls
            .iter()
            .any(|c| c.starts_with("jail_remove")));
        // A start that loses the race to an existing jail touches nothing.
        assert_eq!(b.create_and_run(&jn("good"), &p, &sh("exit 0")).unwrap(), 0);
        let first = by_name(&b, "good").unwrap();
        let e = b
            .create_and_run(&jn("good"), &p, &sh("exit 1"))
            .unwrap_err();
        assert_eq!(e.exit_code(), 69, "{e}");
        assert_eq!(by_name(&b, "good"), Some(first));
    }

    #[test]
    fn a_failed_start_never_removes_a_jail_that_took_its_jid() {
        // The failed start's jail died with its command, and another jail
        // got the same JID before svcj-exec looked again: that one stays.
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().squat_after_start = Some("other".into());
        let p = parse("", "").unwrap().params;
        assert_eq!(b.create_and_run(&jn("bad"), &p, &sh("exit 3")).unwrap(), 3);
        let st = b.kernel().st.borrow();
        assert_eq!(
            st.jails
                .values()
                .map(|j| j.name.as_str())
                .collect::<Vec<_>>(),
            ["other"]
        );
        assert!(
            !st.calls.iter().any(|c| c.starts_with("jail_remove")),
            "{:?}",
            st.calls
        );
    }

    #[test]
    fn eperm_inside_a_jail_names_the_likely_cause() {
        let mut me = Model::new().st.into_inner().me;
        me.jailed = true;
        me.enforce_statfs = 2;
        me.children_max = 8;
        let b = Backend::with_kernel(Model::jailed(me.clone()));
        let e = b
            .create_and_run(
                &jn("nfsd"),
                &parse("nfsd", "").unwrap().params,
                &sh("exit 0"),
            )
            .unwrap_err();
        assert_eq!(e.exit_code(), 77, "{e}");
        let t = e.to_string();
        assert!(t.contains("enforce_statfs=1 (option nfsd) is below"), "{t}");
        assert!(b.list().unwrap().is_empty(), "nothing was created");
        // An allow.* the parent lacks.
        me.enforce_statfs = 0;
        me.allow.remove("raw_sockets");
        let b = Backend::with_kernel(Model::jailed(me.clone()));
        let e = b
            .create_and_run(
                &jn("ping"),
                &parse("net_raw", "").unwrap().params,
                &sh("exit 0"),
            )
            .unwrap_err();
        assert_eq!(e.exit_code(), 77, "{e}");
        assert!(e.to_string().contains("lacks allow.raw_sockets"), "{e}");
        // SysV IPC disabled in the parent; an address the parent lacks.
        me.sysv = false;
        me.ip4 = Some(vec!["198.51.100.1".parse().unwrap()]);
        let b = Backend::with_kernel(Model::jailed(me));
        let e = b
            .create_and_run(
                &jn("pg"),
                &parse("sysvipc", "").unwrap().params,
                &sh("exit 0"),
            )
            .unwrap_err();
        assert!(e.to_string().contains("SysV IPC"), "{e}");
        let e = b
            .create_and_run(
                &jn("www"),
                &parse("netv4", "192.0.2.7").unwrap().params,
                &sh("exit 0"),
            )
            .unwrap_err();
        assert!(e.to_string().contains("192.0.2.7"), "{e}");
        let mut me = Model::new().st.into_inner().me;
        me.jailed = true;
        me.children_max = 8;
        me.ip6 = Some(vec!["2001:db8::1".parse().unwrap()]);
        let b = Backend::with_kernel(Model::jailed(me));
        let e = b
            .create_and_run(
                &jn("www6"),
                &parse("netv6", "2001:db8::7").unwrap().params,
                &sh("exit 0"),
            )
            .unwrap_err();
        assert_eq!(e.exit_code(), 77, "{e}");
        assert!(e.to_string().contains("2001:db8::7"), "{e}");
        assert!(b.list().unwrap().is_empty(), "nothing was created");
    }

    #[test]
    fn children_max_fails_closed_before_the_kernel_is_asked() {
        let mut me = Model::new().st.into_inner().me;
        me.jailed = true;
        me.children_max = 0;
        let b = Backend::with_kernel(Model::jailed(me.clone()));
        let p = parse("", "").unwrap().params;
        let e = b.create_and_run(&jn("a"), &p, &sh("exit 0")).unwrap_err();
        assert!(e.to_string().contains("children.max is set to 0"), "{e}");
        assert!(b.kernel().st.borrow().calls.is_empty());
        // At capacity (children.cur = children.max).
        me.children_max = 1;
        let b = Backend::with_kernel(Model::jailed(me));
        b.kernel().st.borrow_mut().start_leaves = 1;
        b.create_and_run(&jn("a"), &p, &sh("exit 0")).unwrap();
        let e = b.create_and_run(&jn("b"), &p, &sh("exit 0")).unwrap_err();
        assert!(e.to_string().contains("max number of jail children"), "{e}");
        // A dying jail still holds its slot.
        let a = by_name(&b, "a").unwrap();
        b.kernel().make_dying(a.jid);
        let e = b.create_and_run(&jn("b"), &p, &sh("exit 0")).unwrap_err();
        assert!(e.to_string().contains("max number of jail children"), "{e}");
    }

    #[test]
    fn remove_kills_the_rest_and_a_dying_or_missing_jail_is_fine() {
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().start_leaves = 2;
        b.create_and_run(&jn("d"), &parse("", "").unwrap().params, &sh("exit 0"))
            .unwrap();
        let info = by_name(&b, "d").unwrap();
        assert_eq!(b.members(&info).unwrap().len(), 2);
        b.remove(&info).unwrap();
        assert_eq!(by_name(&b, "d"), None);
        b.remove(&info).unwrap();
        // A dying jail: not found by name or JID, removal succeeds.
        b.create_and_run(&jn("e"), &parse("", "").unwrap().params, &sh("exit 0"))
            .unwrap();
        let info = by_name(&b, "e").unwrap();
        b.kernel().make_dying(info.jid);
        assert_eq!(by_name(&b, "e"), None);
        assert_eq!(b.lookup(&JailRef::Jid(info.jid)).unwrap(), None);
        b.remove(&info).unwrap();
        // A new jail of the same name may be created meanwhile.
        b.create_and_run(&jn("e"), &parse("", "").unwrap().params, &sh("exit 0"))
            .unwrap();
        assert_ne!(by_name(&b, "e").unwrap().jid, info.jid);
    }

    #[test]
    fn parameters_of_unloaded_modules_are_not_asked_for() {
        let m = Model::new();
        for p in ["sysvmsg", "sysvsem", "sysvshm", "allow.vmm", "allow.nfsd"] {
            m.unknown(p);
        }
        let b = Backend::with_kernel(m);
        b.kernel().st.borrow_mut().start_leaves = 1;
        b.create_and_run(&jn("a"), &parse("mlock", "").unwrap().params, &sh("exit 0"))
            .unwrap();
        let info = by_name(&b, "a").expect("read without the unknown parameters");
        assert!(info.params.allows(Allow::Mlock));
        let e = b
            .create_and_run(
                &jn("b"),
                &parse("sysvipc", "").unwrap().params,
                &sh("exit 0"),
            )
            .unwrap_err();
        assert!(e.to_string().contains("unknown parameter: sysvmsg"), "{e}");
    }

    #[test]
    fn signals_and_members() {
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().start_leaves = 1;
        b.create_and_run(&jn("s"), &parse("", "").unwrap().params, &sh("exit 0"))
            .unwrap();
        let info = by_name(&b, "s").unwrap();
        let stubborn = b.kernel().add_member(info.jid, true);
        let m = b.members(&info).unwrap();
        assert_eq!(m.len(), 2);
        for pid in &m {
            b.signal(*pid, libc::SIGTERM).unwrap();
        }
        assert_eq!(b.members(&info).unwrap(), vec![stubborn]);
        b.signal(999_999, libc::SIGTERM).unwrap();
        b.signal(stubborn, libc::SIGKILL).unwrap();
        assert_eq!(by_name(&b, "s"), None, "the last process took the jail");
    }

    #[test]
    fn svcj_kill_over_the_kernel_model_removes_the_jail() {
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().start_leaves = 1;
        b.create_and_run(&jn("k"), &parse("", "").unwrap().params, &sh("exit 0"))
            .unwrap();
        let info = by_name(&b, "k").unwrap();
        b.kernel().add_member(info.jid, true);
        let plan = crate::kill::Plan {
            timeout: Duration::from_millis(50),
            stop: Some(sh("exit 0")),
            force: false,
        };
        let r = crate::kill::kill(&b, &JailRef::Name(jn("k")), &plan)
            .unwrap()
            .expect("the jail was there");
        assert_eq!((r.ended_on_term, r.killed), (1, 1));
        assert_eq!(by_name(&b, "k"), None);
        assert_eq!(
            b.kernel().st.borrow().calls.last(),
            Some(&format!("jail_remove {}", info.jid))
        );
        // Gone already: nothing to do.
        assert_eq!(
            crate::kill::kill(&b, &JailRef::Name(jn("k")), &plan).unwrap(),
            None
        );
    }

    #[test]
    fn join_runs_in_a_live_jail_only() {
        let b = Backend::with_kernel(Model::new());
        b.kernel().st.borrow_mut().start_leaves = 1;
        b.create_and_run(&jn("j"), &parse("", "").unwrap().params, &sh("exit 0"))
            .unwrap();
        let info = by_name(&b, "j").unwrap();
        assert_eq!(b.join_and_run(&info, &sh("exit 7")).unwrap(), 7);
        assert_eq!(
            b.join_and_run_bounded(&info, &sh("sleep 30"), Duration::from_millis(100))
                .unwrap(),
            None
        );
        b.remove(&info).unwrap();
        let e = b.join_and_run(&info, &sh("exit 0")).unwrap_err();
        assert!(matches!(e, Error::NoSuchJail(_)), "{e}");
    }

    #[test]
    fn ip_features_come_from_kern_features() {
        let m = Model::new();
        assert_eq!(Backend::with_kernel(m).ip_features(), IpFeatures::BOTH);
        let m = Model::new();
        m.unknown("ip6");
        let f = Backend::with_kernel(m).ip_features();
        assert!(f.inet && !f.inet6);
        let m = Model::new();
        m.unknown("ip4");
        let f = Backend::with_kernel(m).ip_features();
        assert!(!f.inet && f.inet6);
    }

    #[test]
    fn only_the_jail_crates_panic_free_paths_are_used() {
        // jail::param::get (and RunningJail::name/params, built on it)
        // panics on a type it does not expect; under `panic = "abort"`
        // that would kill svcj-check.  The listing iterator and from_jid
        // are plain jail_get(2) calls without panicking paths.
        let src = include_str!("sys.rs");
        for (i, _) in src.match_indices("jail::") {
            let used: String = src[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            assert!(
                matches!(
                    used.as_str(),
                    "jail::RunningJail::all" | "jail::RunningJail::from_jid"
                ),
                "sys.rs uses {used}"
            );
        }
    }

    #[test]
    fn non_root_is_refused() {
        let m = Model::new();
        m.st.borrow_mut().root = false;
        let b = Backend::with_kernel(m);
        let e = b
            .create_and_run(&jn("a"), &parse("", "").unwrap().params, &sh("exit 0"))
            .unwrap_err();
        assert_eq!(e.exit_code(), 77);
    }
}
