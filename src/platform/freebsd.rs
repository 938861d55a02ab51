//! FreeBSD backend (jail_set, kern.proc, jail_remove). Placeholder: being
//! written; every operation reports that it is not available yet.

use super::{JailInfo, NestedLimits, Platform, RunSpec};
use crate::error::{Error, Result};
use crate::name::{JailName, JailRef};
use crate::options::JailParams;

/// The FreeBSD backend.
#[derive(Debug, Default)]
pub struct FreeBsd;

impl FreeBsd {
    /// A new backend.
    pub fn new() -> Self {
        FreeBsd
    }
}

fn todo() -> Error {
    Error::Unavailable("the FreeBSD backend is not implemented yet".into())
}

impl Platform for FreeBsd {
    fn name(&self) -> &'static str {
        "freebsd"
    }
    fn privileged(&self) -> bool {
        nix::unistd::geteuid().is_root()
    }
    fn nested_limits(&self) -> Result<NestedLimits> {
        Err(todo())
    }
    fn lookup(&self, _jail: &JailRef) -> Result<Option<JailInfo>> {
        Err(todo())
    }
    fn list(&self) -> Result<Vec<JailInfo>> {
        Err(todo())
    }
    fn create_and_run(&self, _n: &JailName, _p: &JailParams, _c: &RunSpec) -> Result<i32> {
        Err(todo())
    }
    fn join_and_run(&self, _j: &JailInfo, _c: &RunSpec) -> Result<i32> {
        Err(todo())
    }
    fn members(&self, _j: &JailInfo) -> Result<Vec<i32>> {
        Err(todo())
    }
    fn signal(&self, _pid: i32, _sig: i32) -> Result<()> {
        Err(todo())
    }
    fn remove(&self, _j: &JailInfo) -> Result<()> {
        Err(todo())
    }
}
