//! Bounded teardown of a service jail (`svcj-kill`).
//!
//! `jail -r` semantics — SIGTERM to every member, wait, then remove the
//! jail (which kills what is left) — with two additions the rc.subr shims
//! need: a stop command run inside first, and a hard bound.  Every wait is
//! against a deadline, and the final step does not depend on anyone's
//! cooperation: removal is jail_remove(2) on FreeBSD and SIGKILL to the
//! namespace's PID 1 on Linux, both of which the kernel carries out for
//! every process, including ones that fork while being killed.
//!
//! The logic is generic over [`Platform`] so that it is unit-tested with
//! the recording fake; the backends only list members, signal and remove.

use crate::error::{Error, Result};
use crate::name::{JailRef, JAIL_PREFIX};
use crate::platform::{JailInfo, Platform, RunSpec};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// What to do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// How long the stop command may run, and then how long members may
    /// take to exit after SIGTERM (two separate budgets, like rc.subr's
    /// stop method followed by `jail -r` with `stop.timeout`).
    pub timeout: Duration,
    /// A command to run inside the jail first (the service's stop method).
    pub stop: Option<RunSpec>,
    /// Accept jails whose name lacks the `svcj-` prefix.
    pub force: bool,
}

/// How the stop command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopOutcome {
    /// It exited with this status (128+N for a signal).
    Exited(i32),
    /// It overran the timeout and was killed.
    TimedOut,
    /// It could not be run; the message says why.
    Failed(String),
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The jail's name.
    pub name: String,
    /// Its JID.
    pub jid: i32,
    /// The stop command's outcome, if one was given.
    pub stop: Option<StopOutcome>,
    /// Members that exited after SIGTERM, within the timeout.
    pub ended_on_term: usize,
    /// Members still present at the deadline, killed by the removal.
    pub killed: usize,
}

impl Report {
    /// The one-line summary `svcj-foo: N ended on SIGTERM, M killed`.
    pub fn summary(&self) -> String {
        format!(
            "{}: {} ended on SIGTERM, {} killed",
            self.name, self.ended_on_term, self.killed
        )
    }
}

/// Refuse a jail without the service-jail prefix unless forced.
pub fn check_prefix(name: &str, force: bool) -> Result<()> {
    if force || name.starts_with(JAIL_PREFIX) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{name}: not a service jail (the name does not start with {JAIL_PREFIX:?}); \
         use -f to remove it anyway"
    )))
}

/// Sleep a little, more as time goes on, never past `deadline`.
fn pause(step: &mut Duration, deadline: Instant) {
    let left = deadline.saturating_duration_since(Instant::now());
    std::thread::sleep((*step).min(left));
    *step = (*step * 2).min(Duration::from_millis(20));
}

/// Tear down `jail`.  `Ok(None)` when there is no such jail.
pub fn kill(p: &dyn Platform, jail: &JailRef, plan: &Plan) -> Result<Option<Report>> {
    if let JailRef::Name(n) = jail {
        check_prefix(n.as_str(), plan.force)?;
    }
    if !p.privileged() {
        return Err(Error::NotRoot(format!("removing {jail}")));
    }
    let Some(info) = p.lookup(jail)? else {
        return Ok(None);
    };
    // A JID may name any jail: apply the same rule to its name.
    check_prefix(&info.name, plan.force)?;
    log::debug!("{}: JID {}, tearing down", info.name, info.jid);
    let stop = plan.stop.as_ref().map(|cmd| run_stop(p, &info, cmd, plan));
    // Whatever happens while terminating, the jail is removed: an error
    // is reported only after that, the first one first.
    let t = terminate(p, &info, plan.timeout);
    #[cfg(target_os = "linux")]
    crate::platform::linux::set_scan_deadline(None);
    if let Some(e) = &t.error {
        log::warn!("{}: {e}; removing the jail anyway", info.name);
    }
    let removed = p.remove(&info);
    match (t.error, removed) {
        (Some(e), Err(r)) => {
            log::warn!("{}: removing: {r}", info.name);
            return Err(e);
        }
        (Some(e), Ok(())) | (None, Err(e)) => return Err(e),
        (None, Ok(())) => log::debug!("{}: removed", info.name),
    }
    Ok(Some(Report {
        name: info.name,
        jid: info.jid,
        stop,
        ended_on_term: t.ended_on_term,
        killed: t.killed,
    }))
}

fn run_stop(p: &dyn Platform, info: &JailInfo, cmd: &RunSpec, plan: &Plan) -> StopOutcome {
    match p.join_and_run_bounded(info, cmd, plan.timeout) {
        Ok(Some(code)) => StopOutcome::Exited(code),
        Ok(None) => StopOutcome::TimedOut,
        // The stop command may well have ended the jail already.
        Err(Error::NoSuchJail(_)) => StopOutcome::Exited(0),
        Err(e) => StopOutcome::Failed(e.to_string()),
    }
}

/// What [`terminate`] saw.
struct Terminated {
    /// Members that ended after SIGTERM.
    ended_on_term: usize,
    /// Members present at the last look before the deadline.
    killed: usize,
    /// The first error (listing or signalling); it ends the wait at once.
    error: Option<Error>,
}

/// SIGTERM to every member (also to members that appear while we wait),
/// wait up to `timeout`.  One scan of the members per round: with a
/// thousand members a scan is the expensive part, and none is made once
/// the deadline has passed (the removal comes first then: it stops any
/// fork churn, a scan cannot).
fn terminate(p: &dyn Platform, info: &JailInfo, timeout: Duration) -> Terminated {
    let deadline = Instant::now() + timeout;
    // A jail that forks at full speed makes a /proc scan slow: the Linux
    // backend stops scanning at the deadline.
    #[cfg(target_os = "linux")]
    crate::platform::linux::set_scan_deadline(Some(deadline));
    let mut signalled: BTreeSet<i32> = BTreeSet::new();
    let mut step = Duration::from_millis(1);
    let mut now: BTreeSet<i32> = BTreeSet::new();
    // The members seen by the last scan that ended before the deadline: a
    // scan that ends after it may have been cut short, so a member it did
    // not see is not known to have ended.
    let mut complete: BTreeSet<i32> = BTreeSet::new();
    let done = |signalled: &BTreeSet<i32>, now: &BTreeSet<i32>, complete: &BTreeSet<i32>, error| {
        let mut left: BTreeSet<i32> = now.clone();
        if Instant::now() >= deadline {
            left.extend(complete.intersection(signalled));
        }
        Terminated {
            ended_on_term: signalled.difference(&left).count(),
            killed: left.len(),
            error,
        }
    };
    loop {
        now = match p.members(info) {
            Ok(m) => m.into_iter().collect(),
            Err(e) => return done(&signalled, &now, &complete, Some(e)),
        };
        if Instant::now() < deadline {
            complete.clone_from(&now);
        }
        log::trace!("{}: {} member(s)", info.name, now.len());
        let fresh: Vec<i32> = now.difference(&signalled).copied().collect();
        for (i, pid) in fresh.into_iter().enumerate() {
            if i % 64 == 63 && Instant::now() >= deadline {
                break;
            }
            if let Err(e) = p.signal(pid, libc::SIGTERM) {
                return done(&signalled, &now, &complete, Some(e));
            }
            signalled.insert(pid);
        }
        if now.is_empty() || Instant::now() >= deadline {
            return done(&signalled, &now, &complete, None);
        }
        pause(&mut step, deadline);
        if Instant::now() >= deadline {
            return done(&signalled, &now, &complete, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::fake::{Call, Fake};
    use std::ffi::OsString;

    fn plan(ms: u64) -> Plan {
        Plan {
            timeout: Duration::from_millis(ms),
            stop: None,
            force: false,
        }
    }

    fn name(s: &str) -> JailRef {
        JailRef::parse(s, true).unwrap()
    }

    #[test]
    fn counts_term_and_kill() {
        let f = Fake::new();
        f.add_jail("svcj-a", 3, 2);
        let r = kill(&f, &name("svcj-a"), &plan(30)).unwrap().unwrap();
        assert_eq!((r.ended_on_term, r.killed), (3, 2));
        assert_eq!(r.summary(), "svcj-a: 3 ended on SIGTERM, 2 killed");
        assert!(f.jail_names().is_empty());
        assert_eq!(f.calls().last(), Some(&Call::Remove("svcj-a".into())));
        // Each member got exactly one SIGTERM, nothing else was signalled.
        let terms = f
            .calls()
            .iter()
            .filter(|c| matches!(c, Call::Signal(_, s) if *s == libc::SIGTERM))
            .count();
        assert_eq!(terms, 5);
    }

    #[test]
    fn a_scan_cut_short_by_the_deadline_does_not_count_members_as_ended() {
        let mut f = Fake::new();
        f.cut_scans = Some(Duration::from_millis(40));
        f.add_jail("svcj-a", 0, 10);
        let r = kill(&f, &name("svcj-a"), &plan(20)).unwrap().unwrap();
        assert_eq!((r.ended_on_term, r.killed), (0, 10));
        assert!(f.jail_names().is_empty());
    }

    #[test]
    fn all_cooperative_returns_before_the_timeout() {
        let f = Failing::new(false, false);
        f.inner.add_jail("svcj-a", 4, 0);
        let r = kill(&f, &name("svcj-a"), &plan(10_000)).unwrap().unwrap();
        assert_eq!((r.ended_on_term, r.killed), (4, 0));
        // One scan finds and signals the members, the next finds none and
        // ends the wait: no waiting out the timeout.
        assert_eq!(f.scans.get(), 2);
    }

    #[test]
    fn stubborn_members_are_removed_at_the_deadline() {
        let f = Fake::new();
        let jid = f.add_jail("svcj-a", 0, 300);
        let r = kill(&f, &JailRef::Jid(jid), &plan(20)).unwrap().unwrap();
        assert_eq!((r.ended_on_term, r.killed), (0, 300));
        assert!(f.jail_names().is_empty());
    }

    #[test]
    fn missing_jail_is_none() {
        let f = Fake::new();
        assert_eq!(kill(&f, &name("svcj-nope"), &plan(10)).unwrap(), None);
        assert!(f.calls().is_empty());
    }

    #[test]
    fn prefix_is_required_unless_forced() {
        let f = Fake::new();
        f.add_jail("www", 1, 0);
        let e = kill(&f, &name("www"), &plan(10)).unwrap_err();
        assert_eq!(e.exit_code(), 64);
        assert!(e.to_string().contains("-f"), "{e}");
        assert_eq!(f.jail_names(), vec!["www".to_string()]);
        // The same rule through a JID.
        let jid = f.lookup(&name("www")).unwrap().unwrap().jid;
        assert!(kill(&f, &JailRef::Jid(jid), &plan(10)).is_err());
        let forced = Plan {
            force: true,
            ..plan(10)
        };
        assert!(kill(&f, &name("www"), &forced).unwrap().is_some());
        assert!(f.jail_names().is_empty());
    }

    #[test]
    fn not_root_is_refused() {
        let mut f = Fake::new();
        f.root = false;
        f.add_jail("svcj-a", 1, 0);
        assert_eq!(
            kill(&f, &name("svcj-a"), &plan(10))
                .unwrap_err()
                .exit_code(),
            77
        );
        assert_eq!(f.jail_names().len(), 1);
    }

    #[test]
    fn stop_command_runs_inside_first() {
        let f = Fake::new();
        f.add_jail("svcj-a", 1, 0);
        let p = Plan {
            stop: Some(RunSpec {
                argv: vec![OsString::from("/etc/rc.d/a"), OsString::from("stop")],
                console_log: None,
            }),
            ..plan(10)
        };
        let r = kill(&f, &name("svcj-a"), &p).unwrap().unwrap();
        assert_eq!(r.stop, Some(StopOutcome::Exited(0)));
        assert_eq!(
            f.calls()[0],
            Call::Join("svcj-a".into(), vec!["/etc/rc.d/a".into(), "stop".into()])
        );
    }

    /// The fake, with listing or signalling failing on demand.
    struct Failing {
        inner: Fake,
        members_fail: bool,
        signal_fails: bool,
        /// How often the members were listed.
        scans: std::cell::Cell<usize>,
    }

    impl Failing {
        fn new(members_fail: bool, signal_fails: bool) -> Self {
            Failing {
                inner: Fake::new(),
                members_fail,
                signal_fails,
                scans: std::cell::Cell::new(0),
            }
        }
    }

    impl Platform for Failing {
        fn name(&self) -> &'static str {
            "failing"
        }
        fn nested_limits(&self) -> Result<crate::platform::NestedLimits> {
            self.inner.nested_limits()
        }
        fn lookup(&self, jail: &JailRef) -> Result<Option<JailInfo>> {
            self.inner.lookup(jail)
        }
        fn list(&self) -> Result<Vec<JailInfo>> {
            self.inner.list()
        }
        fn create_and_run(
            &self,
            name: &crate::name::JailName,
            params: &crate::options::JailParams,
            cmd: &RunSpec,
        ) -> Result<i32> {
            self.inner.create_and_run(name, params, cmd)
        }
        fn join_and_run(&self, jail: &JailInfo, cmd: &RunSpec) -> Result<i32> {
            self.inner.join_and_run(jail, cmd)
        }
        fn members(&self, jail: &JailInfo) -> Result<Vec<i32>> {
            self.scans.set(self.scans.get() + 1);
            if self.members_fail {
                return Err(Error::os(
                    "reading /proc",
                    std::io::Error::from_raw_os_error(libc::EIO),
                ));
            }
            self.inner.members(jail)
        }
        fn signal(&self, pid: i32, sig: i32) -> Result<()> {
            if self.signal_fails {
                return Err(Error::os(
                    format!("kill({pid}, {sig})"),
                    std::io::Error::from_raw_os_error(libc::EPERM),
                ));
            }
            self.inner.signal(pid, sig)
        }
        fn remove(&self, jail: &JailInfo) -> Result<()> {
            self.inner.remove(jail)
        }
    }

    #[test]
    fn errors_while_terminating_still_remove_the_jail() {
        for (members_fail, signal_fails, what) in
            [(true, false, "reading /proc"), (false, true, "kill(")]
        {
            let f = Failing::new(members_fail, signal_fails);
            f.inner.add_jail("svcj-a", 2, 1);
            let e = kill(&f, &name("svcj-a"), &plan(10_000)).unwrap_err();
            // The first error is reported, after the removal.
            assert!(e.to_string().contains(what), "{e}");
            assert_eq!(e.exit_code(), 71);
            assert!(f.inner.jail_names().is_empty(), "{what}: jail left");
            assert_eq!(f.inner.calls().last(), Some(&Call::Remove("svcj-a".into())));
        }
    }
}
