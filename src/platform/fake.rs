//! A recording fake of [`Platform`] for unit tests.
//!
//! It keeps jails and their member processes in memory and records every
//! call, so generic logic (teardown, status, preflight) can be tested
//! without root and without a kernel.  Members can be marked as ignoring
//! SIGTERM to exercise the bounded-teardown paths.

use super::{JailInfo, NestedLimits, Platform, RunSpec};
use crate::error::{Error, Result};
use crate::name::{JailName, JailRef};
use crate::options::JailParams;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Create(String, Vec<String>),
    Join(String, Vec<String>),
    Signal(i32, i32),
    Remove(String),
}

#[derive(Debug, Clone)]
struct FakeProc {
    ignores_term: bool,
}

#[derive(Debug, Clone)]
struct FakeJail {
    info: JailInfo,
    procs: BTreeMap<i32, FakeProc>,
}

/// The fake backend.
#[derive(Debug)]
pub struct Fake {
    /// Whether [`Platform::privileged`] says yes.
    pub root: bool,
    /// What [`Platform::nested_limits`] returns.
    pub limits: NestedLimits,
    /// Exit status returned by runs.
    pub exit_status: i32,
    /// What [`Platform::default_allow`] says every jail holds.
    pub default_allow: Vec<String>,
    /// When set, every scan of members after the first takes this long
    /// and sees only half of them (a Linux /proc scan cut short by
    /// `svcj-kill`'s deadline).
    pub cut_scans: Option<std::time::Duration>,
    scans: RefCell<usize>,
    jails: RefCell<BTreeMap<String, FakeJail>>,
    calls: RefCell<Vec<Call>>,
    next_id: RefCell<i32>,
}

impl Default for Fake {
    fn default() -> Self {
        Fake {
            root: true,
            limits: NestedLimits {
                jailed: false,
                children_max: 999,
                children_cur: 0,
            },
            exit_status: 0,
            default_allow: Vec::new(),
            cut_scans: None,
            scans: RefCell::new(0),
            jails: RefCell::new(BTreeMap::new()),
            calls: RefCell::new(Vec::new()),
            next_id: RefCell::new(100),
        }
    }
}

impl Fake {
    /// A fake with no jails.
    pub fn new() -> Self {
        Self::default()
    }

    fn next(&self) -> i32 {
        let mut n = self.next_id.borrow_mut();
        *n += 1;
        *n
    }

    /// Add a running jail with `term_ok` members that end on SIGTERM and
    /// `stubborn` members that ignore it.  Returns its JID.
    pub fn add_jail(&self, name: &str, term_ok: usize, stubborn: usize) -> i32 {
        let jid = self.next();
        let mut procs = BTreeMap::new();
        for i in 0..term_ok + stubborn {
            procs.insert(
                self.next(),
                FakeProc {
                    ignores_term: i >= term_ok,
                },
            );
        }
        let info = JailInfo {
            jid,
            name: name.to_string(),
            params: JailParams::default(),
        };
        self.jails
            .borrow_mut()
            .insert(name.to_string(), FakeJail { info, procs });
        jid
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.borrow().clone()
    }

    /// Names of the running jails.
    pub fn jail_names(&self) -> Vec<String> {
        self.jails.borrow().keys().cloned().collect()
    }

    fn argv(cmd: &RunSpec) -> Vec<String> {
        cmd.argv
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }
}

impl Platform for Fake {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn privileged(&self) -> bool {
        self.root
    }

    fn nested_limits(&self) -> Result<NestedLimits> {
        Ok(self.limits)
    }

    fn lookup(&self, jail: &JailRef) -> Result<Option<JailInfo>> {
        let jails = self.jails.borrow();
        Ok(match jail {
            JailRef::Name(n) => jails.get(n.as_str()).map(|j| j.info.clone()),
            JailRef::Jid(id) => jails
                .values()
                .find(|j| j.info.jid == *id)
                .map(|j| j.info.clone()),
        })
    }

    fn list(&self) -> Result<Vec<JailInfo>> {
        Ok(self
            .jails
            .borrow()
            .values()
            .map(|j| j.info.clone())
            .collect())
    }

    fn create_and_run(&self, name: &JailName, params: &JailParams, cmd: &RunSpec) -> Result<i32> {
        self.calls
            .borrow_mut()
            .push(Call::Create(name.to_string(), Self::argv(cmd)));
        if self.jails.borrow().contains_key(name.as_str()) {
            return Err(Error::JailExists(name.to_string()));
        }
        let info = JailInfo {
            jid: self.next(),
            name: name.to_string(),
            params: params.clone(),
        };
        self.jails.borrow_mut().insert(
            name.to_string(),
            FakeJail {
                info,
                procs: BTreeMap::new(),
            },
        );
        Ok(self.exit_status)
    }

    fn join_and_run(&self, jail: &JailInfo, cmd: &RunSpec) -> Result<i32> {
        self.calls
            .borrow_mut()
            .push(Call::Join(jail.name.clone(), Self::argv(cmd)));
        Ok(self.exit_status)
    }

    fn members(&self, jail: &JailInfo) -> Result<Vec<i32>> {
        let mut all: Vec<i32> = self
            .jails
            .borrow()
            .get(&jail.name)
            .map(|j| j.procs.keys().copied().collect())
            .unwrap_or_default();
        *self.scans.borrow_mut() += 1;
        if let Some(d) = self.cut_scans.filter(|_| *self.scans.borrow() > 1) {
            std::thread::sleep(d);
            all.truncate(all.len() / 2);
        }
        Ok(all)
    }

    fn signal(&self, pid: i32, sig: i32) -> Result<()> {
        self.calls.borrow_mut().push(Call::Signal(pid, sig));
        let mut jails = self.jails.borrow_mut();
        for j in jails.values_mut() {
            let dies = match j.procs.get(&pid) {
                Some(p) => sig == libc::SIGKILL || (sig == libc::SIGTERM && !p.ignores_term),
                None => false,
            };
            if dies {
                j.procs.remove(&pid);
            }
        }
        Ok(())
    }

    fn default_allow(&self, jail: &JailInfo) -> Result<Vec<String>> {
        let _ = jail;
        Ok(self.default_allow.clone())
    }

    fn remove(&self, jail: &JailInfo) -> Result<()> {
        self.calls
            .borrow_mut()
            .push(Call::Remove(jail.name.clone()));
        self.jails.borrow_mut().remove(&jail.name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_models_signals() {
        let f = Fake::new();
        let jid = f.add_jail("svcj-a", 2, 1);
        let j = f.lookup(&JailRef::Jid(jid)).unwrap().unwrap();
        let m = f.members(&j).unwrap();
        assert_eq!(m.len(), 3);
        for p in &m {
            f.signal(*p, libc::SIGTERM).unwrap();
        }
        assert_eq!(f.members(&j).unwrap().len(), 1);
        f.remove(&j).unwrap();
        assert!(f.jail_names().is_empty());
        assert_eq!(f.calls().last(), Some(&Call::Remove("svcj-a".into())));
    }
}
