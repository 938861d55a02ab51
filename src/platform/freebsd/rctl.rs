//! Resource limits on FreeBSD: rctl(8) rules on the subject
//! `jail:svcj-NAME`, through the kernel interface (rctl_add_rule(2),
//! rctl_remove_rule(2), rctl_get_racct(2), rctl_get_rules(2)); rctl(8)
//! is never executed.  The `jail` crate has no rctl interface of its
//! own, so the four system calls are declared here.
//!
//! Rules for a jail subject are kept by the kernel by *name*, whether or
//! not a jail of that name exists, and apply to it from its first
//! process on: [`install`] adds them before the jail is created.  The
//! subject `jail:svcj-NAME` belongs to svcj-tools: [`install`] first
//! drops whatever rules a previous jail of that name left (one that ended
//! with its last process while nobody watched), and [`uninstall`] removes
//! every rule of that subject and of no other.  Without
//! `kern.racct.enable=1` (a boot tunable) the kernel answers `ENOSYS`:
//! a start that asks for limits fails closed with the fix.
//!
//! The decisions are pure and tested on every OS against a recording
//! fake; only [`Sys`] makes the system calls.

use crate::error::{Error, Result};
use crate::rctl::Rules;
use std::collections::BTreeMap;
use std::io;

/// The fix for a kernel without resource accounting.
pub const RACCT_FIX: &str = "resource limits need resource accounting, which is off \
     (kern.racct.enable=0): add kern.racct.enable=1 to /boot/loader.conf and reboot";

/// Why a jailed caller cannot have limits: every rctl(2) call checks a
/// `PRIV_RCTL_*` privilege (kern_rctl.c) that prison_priv_check() never
/// grants a jail (kern_jail.c), so the kernel answers EPERM.
pub const JAILED_FIX: &str = "resource limits cannot be set from inside a jail: the kernel \
     refuses rctl(2) to jailed processes; set the rules on this host's own jail from \
     its host (rctl -a jail:NAME:RULE), or remove <name>_svcj_rctl";

/// The rctl system calls.
pub trait RctlKernel {
    /// `kern.racct.enable`.
    fn racct_enabled(&self) -> bool;
    /// rctl_add_rule(2) with a full rule.
    fn add_rule(&self, rule: &str) -> io::Result<()>;
    /// rctl_remove_rule(2) with a filter; `ESRCH` (nothing matched) is
    /// not an error.
    fn remove_rule(&self, filter: &str) -> io::Result<()>;
    /// rctl_get_racct(2): `resource=amount,…` for a subject.
    fn racct(&self, subject: &str) -> io::Result<String>;
    /// rctl_get_rules(2): `rule,rule,…` matching a filter.
    fn rules(&self, filter: &str) -> io::Result<String>;
}

/// A kernel without rctl (the default of backends and models).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRacct;

impl RctlKernel for NoRacct {
    fn racct_enabled(&self) -> bool {
        false
    }
    fn add_rule(&self, _: &str) -> io::Result<()> {
        Err(io::Error::from_raw_os_error(libc::ENOSYS))
    }
    fn remove_rule(&self, _: &str) -> io::Result<()> {
        Err(io::Error::from_raw_os_error(libc::ENOSYS))
    }
    fn racct(&self, _: &str) -> io::Result<String> {
        Err(io::Error::from_raw_os_error(libc::ENOSYS))
    }
    fn rules(&self, _: &str) -> io::Result<String> {
        Err(io::Error::from_raw_os_error(libc::ENOSYS))
    }
}

/// The filter matching every rule of `jail` (and of no other subject).
pub fn subject_filter(jail: &str) -> String {
    format!("jail:{jail}:")
}

/// Add `rules` for `jail`, after removing the subject's stale rules.  On
/// a refusal the rules already added are removed again and the error
/// names the rule and the kernel's message.
pub fn install(k: &dyn RctlKernel, jail: &str, rules: &Rules) -> Result<()> {
    if rules.is_empty() {
        return Ok(());
    }
    if !k.racct_enabled() {
        return Err(Error::Unavailable(format!("{jail}: {RACCT_FIX}")));
    }
    let f = subject_filter(jail);
    log::debug!("rctl_remove_rule({f})");
    match k.remove_rule(&f) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => {
            return Err(Error::Unavailable(format!("{jail}: {JAILED_FIX}")));
        }
        Err(e) => return Err(Error::os(format!("rctl_remove_rule {f}"), e)),
    }
    for r in rules.kernel_strings(jail) {
        log::debug!("rctl_add_rule({r})");
        if let Err(e) = k.add_rule(&r) {
            let _ = uninstall(k, jail);
            return Err(match e.raw_os_error() {
                Some(libc::ENOSYS) => Error::Unavailable(format!("{jail}: {RACCT_FIX}")),
                Some(libc::EPERM) => Error::Unavailable(format!("{jail}: {JAILED_FIX}")),
                _ => Error::os(format!("rctl_add_rule {r}"), e),
            });
        }
    }
    Ok(())
}

/// Remove every rule of `jail`'s subject.  A kernel without accounting
/// has none, and a jailed caller (refused with EPERM) can never have
/// added any: neither is an error, so that stopping a service jail
/// inside a jail works.
pub fn uninstall(k: &dyn RctlKernel, jail: &str) -> Result<()> {
    if !k.racct_enabled() {
        return Ok(());
    }
    let f = subject_filter(jail);
    log::debug!("rctl_remove_rule({f})");
    match k.remove_rule(&f) {
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => {
            log::debug!("rctl_remove_rule({f}): {e} (a jail: no rules of ours)");
            Ok(())
        }
        r => r.map_err(|e| Error::os(format!("rctl_remove_rule {f}"), e)),
    }
}

/// Parse rctl_get_racct(2)'s `name=value,…`.
pub fn parse_racct(text: &str) -> BTreeMap<String, u64> {
    text.trim_end_matches('\0')
        .split(',')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.trim().to_string(), v.trim().parse().ok()?))
        })
        .collect()
}

/// The rules of `jail` as the kernel prints them (`jail:NAME:r:a=n[/per]`),
/// parsed back with the subject stripped; rules that do not parse (a
/// newer kernel's resource) are left out.
pub fn parse_rules(jail: &str, text: &str) -> Vec<crate::rctl::Rule> {
    let prefix = subject_filter(jail);
    text.trim_end_matches('\0')
        .split(',')
        .filter_map(|r| crate::rctl::parse_rule(r.strip_prefix(&prefix)?).ok())
        .collect()
}

/// Usage and limits of `jail` (`None` without accounting).
pub fn usage(k: &dyn RctlKernel, jail: &str) -> Option<crate::platform::Usage> {
    if !k.racct_enabled() {
        return None;
    }
    let racct = parse_racct(&k.racct(&subject_filter(jail)).ok()?);
    let rules = parse_rules(jail, &k.rules(&subject_filter(jail)).unwrap_or_default());
    Some(crate::platform::Usage {
        memory: racct.get("memoryuse").copied(),
        processes: racct.get("maxproc").copied(),
        cpu_usec: racct.get("cputime").map(|s| s.saturating_mul(1_000_000)),
        limits: rules
            .into_iter()
            .map(|rule| crate::platform::LimitUsage {
                used: racct.get(rule.resource.name()).copied(),
                rule,
            })
            .collect(),
    })
}

#[cfg(target_os = "freebsd")]
mod sys {
    use std::ffi::CString;
    use std::io;

    unsafe extern "C" {
        fn rctl_get_racct(
            inbufp: *const libc::c_char,
            inbuflen: libc::size_t,
            outbufp: *mut libc::c_char,
            outbuflen: libc::size_t,
        ) -> libc::c_int;
        fn rctl_get_rules(
            inbufp: *const libc::c_char,
            inbuflen: libc::size_t,
            outbufp: *mut libc::c_char,
            outbuflen: libc::size_t,
        ) -> libc::c_int;
        fn rctl_add_rule(
            inbufp: *const libc::c_char,
            inbuflen: libc::size_t,
            outbufp: *mut libc::c_char,
            outbuflen: libc::size_t,
        ) -> libc::c_int;
        fn rctl_remove_rule(
            inbufp: *const libc::c_char,
            inbuflen: libc::size_t,
            outbufp: *mut libc::c_char,
            outbuflen: libc::size_t,
        ) -> libc::c_int;
    }

    type Call = unsafe extern "C" fn(
        *const libc::c_char,
        libc::size_t,
        *mut libc::c_char,
        libc::size_t,
    ) -> libc::c_int;

    /// One call with `input` (NUL-terminated, length including the NUL,
    /// as rctl(8) passes it) and an output buffer grown on `ERANGE`.
    pub(super) fn call(f: Call, input: &str, want_output: bool) -> io::Result<String> {
        let c = CString::new(input).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        let mut size = if want_output { 4096 } else { 0 };
        loop {
            let mut out = vec![0u8; size];
            let (ptr, len) = if want_output {
                (out.as_mut_ptr().cast::<libc::c_char>(), out.len())
            } else {
                (std::ptr::null_mut(), 0)
            };
            // SAFETY: `c` is a live NUL-terminated string of the given
            // length; `ptr`/`len` describe `out` (or are null and 0).
            let r = unsafe { f(c.as_ptr(), c.as_bytes_with_nul().len(), ptr, len) };
            if r == 0 {
                let end = out.iter().position(|&b| b == 0).unwrap_or(out.len());
                return Ok(String::from_utf8_lossy(&out[..end]).into_owned());
            }
            let e = io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::ERANGE) && want_output && size < (16 << 20) {
                size *= 4;
                continue;
            }
            return Err(e);
        }
    }

    /// The system calls.
    #[derive(Debug, Default, Clone, Copy)]
    pub struct Sys;

    impl super::RctlKernel for Sys {
        fn racct_enabled(&self) -> bool {
            let mut v: libc::c_int = 0;
            let mut len = std::mem::size_of::<libc::c_int>();
            // SAFETY: sysctlbyname with a NUL-terminated name and an int
            // buffer of the given length.
            let r = unsafe {
                libc::sysctlbyname(
                    c"kern.racct.enable".as_ptr(),
                    (&mut v as *mut libc::c_int).cast(),
                    &mut len,
                    std::ptr::null(),
                    0,
                )
            };
            r == 0 && v != 0
        }
        fn add_rule(&self, rule: &str) -> io::Result<()> {
            call(rctl_add_rule, rule, false).map(|_| ())
        }
        fn remove_rule(&self, filter: &str) -> io::Result<()> {
            match call(rctl_remove_rule, filter, false) {
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(()),
                r => r.map(|_| ()),
            }
        }
        fn racct(&self, subject: &str) -> io::Result<String> {
            call(rctl_get_racct, subject, true)
        }
        fn rules(&self, filter: &str) -> io::Result<String> {
            call(rctl_get_rules, filter, true)
        }
    }
}

#[cfg(target_os = "freebsd")]
pub use sys::Sys;

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A recording kernel.  `jailed`: the caller is in a jail, where
    /// every rctl(2) call fails its PRIV_RCTL_* check with EPERM
    /// (kern_rctl.c; prison_priv_check() in kern_jail.c grants none).
    #[derive(Default)]
    struct Rec {
        on: bool,
        jailed: bool,
        refuse: Option<&'static str>,
        calls: RefCell<Vec<String>>,
    }

    impl Rec {
        fn priv_check(&self) -> io::Result<()> {
            if self.jailed {
                return Err(io::Error::from_raw_os_error(libc::EPERM));
            }
            Ok(())
        }
    }

    impl RctlKernel for Rec {
        fn racct_enabled(&self) -> bool {
            self.on
        }
        fn add_rule(&self, rule: &str) -> io::Result<()> {
            self.calls.borrow_mut().push(format!("add {rule}"));
            self.priv_check()?;
            if self.refuse.is_some_and(|r| rule.contains(r)) {
                return Err(io::Error::from_raw_os_error(libc::EOPNOTSUPP));
            }
            Ok(())
        }
        fn remove_rule(&self, filter: &str) -> io::Result<()> {
            self.calls.borrow_mut().push(format!("remove {filter}"));
            self.priv_check()
        }
        fn racct(&self, _: &str) -> io::Result<String> {
            self.priv_check()?;
            Ok("cputime=3,datasize=0,memoryuse=1048576,maxproc=4,pcpu=12".into())
        }
        fn rules(&self, _: &str) -> io::Result<String> {
            self.priv_check()?;
            Ok(
                "jail:svcj-a:memoryuse:deny=2097152,jail:svcj-a:maxproc:deny=20,\
                jail:svcj-a:openfiles:deny=9/process,jail:svcj-a:newthing:log=1"
                    .into(),
            )
        }
    }

    #[test]
    fn inside_a_jail_limits_fail_closed_and_stopping_still_works() {
        let k = Rec {
            on: true,
            jailed: true,
            ..Default::default()
        };
        let r = crate::rctl::parse("maxproc:deny=5").unwrap();
        let e = install(&k, "svcj-a", &r).unwrap_err();
        assert_eq!(e.exit_code(), crate::sysexits::EX_UNAVAILABLE);
        assert!(e.to_string().contains("from inside a jail"), "{e}");
        assert!(
            !k.calls.borrow().iter().any(|c| c.starts_with("add")),
            "{:?}",
            k.calls.borrow()
        );
        // Removal (svcj-kill, a failed start) is not an error there.
        uninstall(&k, "svcj-a").unwrap();
        assert_eq!(usage(&k, "svcj-a"), None);
        // No rules asked for: nothing is called at all.
        k.calls.borrow_mut().clear();
        install(&k, "svcj-a", &crate::rctl::Rules::default()).unwrap();
        assert!(k.calls.borrow().is_empty());
    }

    #[test]
    fn rules_are_added_for_the_jail_subject_after_stale_ones_go() {
        let k = Rec {
            on: true,
            ..Default::default()
        };
        let r = crate::rctl::parse("memoryuse:deny=512M maxproc:deny=200/process").unwrap();
        install(&k, "svcj-web", &r).unwrap();
        assert_eq!(
            *k.calls.borrow(),
            [
                "remove jail:svcj-web:",
                "add jail:svcj-web:memoryuse:deny=536870912",
                "add jail:svcj-web:maxproc:deny=200/process",
            ]
        );
        k.calls.borrow_mut().clear();
        uninstall(&k, "svcj-web").unwrap();
        assert_eq!(*k.calls.borrow(), ["remove jail:svcj-web:"]);
    }

    #[test]
    fn a_refused_rule_removes_the_ones_added() {
        let k = Rec {
            on: true,
            refuse: Some("pcpu"),
            ..Default::default()
        };
        let r = crate::rctl::parse("maxproc:deny=5 pcpu:deny=50").unwrap();
        let e = install(&k, "svcj-a", &r).unwrap_err();
        assert!(
            e.to_string()
                .contains("rctl_add_rule jail:svcj-a:pcpu:deny=50"),
            "{e}"
        );
        assert_eq!(k.calls.borrow().last().unwrap(), "remove jail:svcj-a:");
    }

    #[test]
    fn without_racct_a_start_with_limits_fails_closed_with_the_fix() {
        let k = Rec::default();
        let r = crate::rctl::parse("maxproc:deny=5").unwrap();
        let e = install(&k, "svcj-a", &r).unwrap_err();
        assert_eq!(e.exit_code(), 69);
        assert!(e.to_string().contains("kern.racct.enable=1"), "{e}");
        assert!(e.to_string().contains("/boot/loader.conf"), "{e}");
        assert!(k.calls.borrow().is_empty());
        // No rules, nothing asked.
        install(&k, "svcj-a", &Rules::default()).unwrap();
        uninstall(&k, "svcj-a").unwrap();
        assert!(usage(&k, "svcj-a").is_none());
    }

    #[test]
    fn usage_puts_each_limit_beside_its_usage() {
        let k = Rec {
            on: true,
            ..Default::default()
        };
        let u = usage(&k, "svcj-a").unwrap();
        assert_eq!(u.memory, Some(1 << 20));
        assert_eq!(u.processes, Some(4));
        assert_eq!(u.cpu_usec, Some(3_000_000));
        let l: Vec<(String, Option<u64>)> = u
            .limits
            .iter()
            .map(|l| (l.rule.to_string(), l.used))
            .collect();
        assert_eq!(
            l,
            [
                ("memoryuse:deny=2097152".to_string(), Some(1 << 20)),
                ("maxproc:deny=20".to_string(), Some(4)),
                ("openfiles:deny=9/process".to_string(), None),
            ]
        );
    }
}
