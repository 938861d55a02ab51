//! A model of FreeBSD's jail kernel code for tests: the [`Kernel`] the
//! FreeBSD backend's read, create and remove paths run against under
//! `cargo test` on Linux.
//!
//! Models `sys/kern/kern_jail.c` (`kern_jail_set`, `kern_jail_get`,
//! `sys_jail_remove`, `sys_jail_attach`, `prison_deref`), the jail
//! parameter sysctls (`SYSCTL_JAIL_PARAM*` in `sys/sys/jail.h`) and the
//! SysV IPC modules' jail checks (`sys/kern/sysv_{msg,sem,shm}.c`), as far
//! as the backend depends on them:
//! * a new jail's permissions are `JAIL_DEFAULT_ALLOW` (`set_hostname`,
//!   `reserved_ports`, `unprivileged_proc_debug`, `suser`) intersected
//!   with the parent's, then the requested `allow.*`/`allow.no*` applied;
//! * asking for an `allow.*` the parent lacks, an `enforce_statfs` below
//!   the parent's, SysV IPC the parent has disabled or an address the
//!   parent does not hold is EPERM without a message; a full ancestor is
//!   EPERM "prison limit exceeded"; `children.max` 0 is EPERM before
//!   anything else;
//! * a new jail without `ip4`/`ip4.addr` has no IPv4 (`PR_IP4_USER`, own
//!   empty list); jail_get(2) reports `ip4`/`ip6` as 0 for a jail with its
//!   own list (`new` or `disable`) and 2 for `inherit`, never 1;
//! * an address list keeps its first address (the primary) first and is
//!   sorted after it; a repeated or unassignable address is EINVAL;
//! * `ip4`, `ip6`, `sysvmsg`, `sysvsem`, `sysvshm` are node-typed
//!   parameters; the sysctl type is what the `jail` crate trips over, the
//!   model answers them through jail_get(2) like the kernel does;
//! * a parameter the kernel does not know (module not loaded) fails the
//!   whole jail_get(2)/jail_set(2) call: EINVAL "unknown parameter";
//! * a dying jail still counts in `children.cur` until it is freed;
//! * a jail without `persist` dies with its last process; jail_get(2)
//!   without `JAIL_DYING` does not find a dying jail (ENOENT), jail_remove(2)
//!   of a dying jail succeeds and does nothing, of a missing one is EINVAL.
//!
//! Processes are notional PIDs: the command a create or attach runs is
//! executed for real (outside any jail) and counts as a member while it
//! runs; tests add members (a daemon left by a start) by hand.

use super::backend::{Kernel, KernelFail, Started};
use super::exec::{self, ChildFailure, Prepared};
use super::jailparam::{self, JailIov, JAIL_ATTACH, JAIL_CREATE};
use super::kproc::ProcJail;
use crate::error::Result;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// `JAIL_DYING` of `<sys/jail.h>`.
pub const JAIL_DYING: i32 = 0x08;

/// `JAIL_DEFAULT_ALLOW` of `kern_jail.c`.
pub const DEFAULT_ALLOW: [&str; 4] = jailparam::KERNEL_DEFAULT_ALLOW;

/// Every `allow.*` this model knows (modules loaded).
const ALLOW_NAMES: [&str; 13] = [
    "set_hostname",
    "reserved_ports",
    "unprivileged_proc_debug",
    "suser",
    "raw_sockets",
    "socket_af",
    "mlock",
    "routing",
    "settime",
    "setaudit",
    "nfsd",
    "vmm",
    "chflags",
];

/// A jailsys value: disable 0, new 1, inherit 2.
type Sys = i32;

/// One prison.
#[derive(Debug, Clone)]
pub struct Prison {
    /// JID
    pub jid: i32,
    /// name
    pub name: String,
    /// `allow.*` held, without the prefix.
    pub allow: BTreeSet<String>,
    /// `enforce_statfs`
    pub enforce_statfs: i32,
    /// `PR_IP4_USER`: own IPv4 list (`new`/`disable`), else inherited.
    pub ip4_user: bool,
    /// The own IPv4 list.
    pub ip4: Vec<Ipv4Addr>,
    /// `PR_IP6_USER`
    pub ip6_user: bool,
    /// The own IPv6 list.
    pub ip6: Vec<Ipv6Addr>,
    /// `sysvmsg`, `sysvsem`, `sysvshm`.
    pub sysv: [Sys; 3],
    /// `persist`
    pub persist: bool,
    /// Removed or lost its last process, but still referenced.
    pub dying: bool,
    /// Member PIDs.
    pub members: BTreeSet<i32>,
    /// Members that ignore SIGTERM.
    pub stubborn: BTreeSet<i32>,
}

impl Prison {
    /// A new prison as `kern_jail_set` starts it: no permissions yet,
    /// `enforce_statfs` 2, its own empty address lists (`PR_IP4_USER`,
    /// `PR_IP6_USER`: no network), SysV IPC disabled, not persistent.
    pub fn new(jid: i32, name: &str) -> Self {
        Prison {
            jid,
            name: name.to_string(),
            allow: BTreeSet::new(),
            enforce_statfs: 2,
            ip4_user: true,
            ip4: Vec::new(),
            ip6_user: true,
            ip6: Vec::new(),
            sysv: [0; 3],
            persist: false,
            dying: false,
            members: BTreeSet::new(),
            stubborn: BTreeSet::new(),
        }
    }
}

/// What the caller's own prison is (the host, or the jail the tools run
/// in): the parent of every jail they create.
#[derive(Debug, Clone)]
pub struct Me {
    /// `security.jail.jailed`
    pub jailed: bool,
    /// `allow.*` of the caller's prison (all of them on the host).
    pub allow: BTreeSet<String>,
    /// `enforce_statfs` of the caller's prison (0 on the host).
    pub enforce_statfs: i32,
    /// `children.max` of the caller's prison.
    pub children_max: i64,
    /// Addresses the caller's prison holds (`None`: all, the host).
    pub ip4: Option<Vec<Ipv4Addr>>,
    /// IPv6 addresses the caller's prison holds (`None`: all).
    pub ip6: Option<Vec<Ipv6Addr>>,
    /// SysV IPC usable in the caller's prison.
    pub sysv: bool,
}

/// The model's state.
#[derive(Debug)]
pub struct State {
    /// The caller's prison.
    pub me: Me,
    /// Live and dying child jails, by JID.
    pub jails: BTreeMap<i32, Prison>,
    /// `lastprid`
    pub last_jid: i32,
    /// Next notional PID.
    pub next_pid: i32,
    /// Parameters of modules that are loaded / families compiled in.
    pub known: BTreeSet<String>,
    /// Caller is root.
    pub root: bool,
    /// Members a start leaves behind in the jail it created (a daemon).
    pub start_leaves: usize,
    /// A race: once the jail a start created has died with its last
    /// process, another jail of this name takes its JID (JIDs are reused
    /// once `lastprid` wraps) before the starter looks at it again.
    pub squat_after_start: Option<String>,
    /// The kernel calls made, for assertions.
    pub calls: Vec<String>,
}

/// The model of the kernel.
#[derive(Debug)]
pub struct Model {
    /// Its state, open to tests.
    pub st: RefCell<State>,
}

fn all_known() -> BTreeSet<String> {
    let mut k: BTreeSet<String> = [
        "jid",
        "name",
        "path",
        "host",
        "persist",
        "dying",
        "enforce_statfs",
        "children.max",
        "children.cur",
        "ip4",
        "ip4.addr",
        "ip6",
        "ip6.addr",
        "sysvmsg",
        "sysvsem",
        "sysvshm",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    k.extend(ALLOW_NAMES.iter().map(|a| format!("allow.{a}")));
    k
}

impl Default for Model {
    fn default() -> Self {
        Model {
            st: RefCell::new(State {
                me: Me {
                    jailed: false,
                    allow: ALLOW_NAMES.iter().map(|s| s.to_string()).collect(),
                    enforce_statfs: 0,
                    children_max: 999_999,
                    ip4: None,
                    ip6: None,
                    sysv: true,
                    // prison0: everything.
                },
                jails: BTreeMap::new(),
                last_jid: 0,
                next_pid: 1000,
                known: all_known(),
                root: true,
                start_leaves: 0,
                squat_after_start: None,
                calls: Vec::new(),
            }),
        }
    }
}

fn fail(errno: i32, msg: &str) -> KernelFail {
    KernelFail {
        errno,
        errmsg: msg.to_string(),
    }
}

fn read_int(iov: &mut JailIov, i: usize) -> std::result::Result<i32, KernelFail> {
    let len = iov.value_len(i);
    let b = iov.value_buf_mut(i).unwrap_or(&mut []);
    if len != 4 || b.len() != 4 {
        return Err(fail(libc::EINVAL, ""));
    }
    Ok(i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
}

/// An address list as `kern_jail_set` stores it: the first address (the
/// primary, used for unbound outgoing connections) stays first, the rest
/// are sorted (`qsort` with `prison_qcmp_v4`/`_v6`, numeric order); an
/// unassignable or repeated address is EINVAL.
fn primary_then_sorted<A: Ord + Copy>(
    mut v: Vec<A>,
    bad: impl Fn(&A) -> bool,
) -> std::result::Result<Vec<A>, KernelFail> {
    if v.len() > 1 {
        v[1..].sort();
    }
    let dup = v.windows(2).any(|w| w[0] == w[1]) || v.iter().skip(1).any(|a| Some(a) == v.first());
    if dup || v.iter().any(bad) {
        return Err(fail(libc::EINVAL, ""));
    }
    Ok(v)
}

fn write_out(iov: &mut JailIov, i: usize, bytes: &[u8]) -> std::result::Result<(), KernelFail> {
    match iov.value_buf_mut(i) {
        // A NULL value: the kernel reports the length only.
        None => {}
        Some(b) if b.len() < bytes.len() => return Err(fail(libc::EINVAL, "")),
        Some(b) => b[..bytes.len()].copy_from_slice(bytes),
    }
    iov.set_value_len(i, bytes.len());
    Ok(())
}

impl Model {
    /// A host (not jailed) with every module loaded.
    pub fn new() -> Self {
        Self::default()
    }

    /// The caller runs inside a jail with these limits.
    pub fn jailed(me: Me) -> Self {
        let m = Self::default();
        m.st.borrow_mut().me = me;
        m
    }

    /// Unload a module / leave a parameter out of the kernel.
    pub fn unknown(&self, param: &str) {
        self.st.borrow_mut().known.remove(param);
    }

    fn new_pid(st: &mut State) -> i32 {
        st.next_pid += 1;
        st.next_pid
    }

    /// Add a member process to `jid` (a daemon); returns its PID.
    pub fn add_member(&self, jid: i32, ignores_term: bool) -> i32 {
        let mut st = self.st.borrow_mut();
        let pid = Self::new_pid(&mut st);
        let j = st.jails.get_mut(&jid).expect("model: no such jail");
        j.members.insert(pid);
        if ignores_term {
            j.stubborn.insert(pid);
        }
        pid
    }

    /// Mark `jid` dying (removed, still referenced: e.g. sockets in
    /// TIME_WAIT), as the kernel keeps such a jail around.
    pub fn make_dying(&self, jid: i32) {
        if let Some(j) = self.st.borrow_mut().jails.get_mut(&jid) {
            j.dying = true;
            j.members.clear();
        }
    }

    /// A process left `jid`: a non-persistent jail dies with its last one
    /// (`prison_deref` drops the last user reference).
    fn exit_member(st: &mut State, jid: i32, pid: i32) {
        let gone = match st.jails.get_mut(&jid) {
            Some(j) => {
                j.members.remove(&pid);
                j.stubborn.remove(&pid);
                j.members.is_empty() && !j.persist
            }
            None => false,
        };
        if gone {
            st.jails.remove(&jid);
        }
    }

    /// Live (not dying) child jails by name.
    pub fn live(&self, name: &str) -> Option<Prison> {
        self.st
            .borrow()
            .jails
            .values()
            .find(|j| j.name == name && !j.dying)
            .cloned()
    }

    /// `pr_childcount`: it drops when a prison is freed, not when it
    /// starts dying, so a dying jail still takes a `children.max` slot.
    fn children_cur(st: &State) -> i64 {
        st.jails.len() as i64
    }

    /// `kern_jail_set` for `JAIL_CREATE` (with or without `JAIL_ATTACH`).
    pub fn jail_set(&self, iov: &mut JailIov, flags: i32) -> std::result::Result<i32, KernelFail> {
        let mut st = self.st.borrow_mut();
        st.calls.push(format!("jail_set {flags:#x}"));
        if !st.root {
            return Err(fail(libc::EPERM, ""));
        }
        if flags & JAIL_CREATE != 0 && st.me.children_max == 0 {
            return Err(fail(libc::EPERM, ""));
        }
        if flags & JAIL_CREATE == 0 {
            return Err(fail(libc::EINVAL, "model: only JAIL_CREATE is modelled"));
        }
        // New prison: defaults first (`JAIL_DEFAULT_ALLOW & ppr->pr_allow`,
        // `jail_default_enforce_statfs`).
        let mut p = Prison::new(0, "");
        p.allow = DEFAULT_ALLOW
            .iter()
            .map(|a| a.trim_start_matches("allow.").to_string())
            .filter(|a| st.me.allow.contains(a))
            .collect();
        let mut asked_allow = Vec::new();
        let mut enforce = None;
        for i in 0..iov.pairs() {
            let n = iov.name(i).to_string();
            if n == "errmsg" {
                continue;
            }
            let known_as = n
                .strip_prefix("allow.no")
                .map(|a| format!("allow.{a}"))
                .unwrap_or_else(|| n.clone());
            if !st.known.contains(&known_as) {
                return Err(fail(libc::EINVAL, &format!("unknown parameter: {n}")));
            }
            match n.as_str() {
                "name" => {
                    let b = iov.value(i).unwrap_or(&[]);
                    p.name = jailparam::errmsg_text(b);
                }
                "path" | "persist" => p.persist |= n == "persist",
                "host" => {
                    if read_int(iov, i)? == 0 {
                        return Err(fail(libc::EINVAL, "host cannot be disabled"));
                    }
                }
                "enforce_statfs" => {
                    let v = read_int(iov, i)?;
                    if !(0..=2).contains(&v) {
                        return Err(fail(libc::EINVAL, ""));
                    }
                    enforce = Some(v);
                }
                "ip4" => match read_int(iov, i)? {
                    0 | 1 => p.ip4_user = true,
                    2 => p.ip4_user = false,
                    _ => return Err(fail(libc::EINVAL, "")),
                },
                "ip6" => match read_int(iov, i)? {
                    0 | 1 => p.ip6_user = true,
                    2 => p.ip6_user = false,
                    _ => return Err(fail(libc::EINVAL, "")),
                },
                "ip4.addr" => {
                    let b = iov.value(i).unwrap_or(&[]);
                    if b.len() % 4 != 0 {
                        return Err(fail(libc::EINVAL, ""));
                    }
                    p.ip4 = primary_then_sorted(
                        b.chunks_exact(4)
                            .map(|c| Ipv4Addr::new(c[0], c[1], c[2], c[3]))
                            .collect(),
                        |a| a.is_unspecified() || a.is_broadcast(),
                    )?;
                    p.ip4_user = true;
                }
                "ip6.addr" => {
                    let b = iov.value(i).unwrap_or(&[]);
                    if b.len() % 16 != 0 {
                        return Err(fail(libc::EINVAL, ""));
                    }
                    p.ip6 = primary_then_sorted(
                        b.chunks_exact(16)
                            .filter_map(|c| <[u8; 16]>::try_from(c).ok().map(Ipv6Addr::from))
                            .collect(),
                        |a| a.is_unspecified(),
                    )?;
                    p.ip6_user = true;
                }
                "sysvmsg" | "sysvsem" | "sysvshm" => {
                    let v = read_int(iov, i)?;
                    if !(0..=2).contains(&v) {
                        return Err(fail(libc::EINVAL, ""));
                    }
                    let k = ["sysvmsg", "sysvsem", "sysvshm"]
                        .iter()
                        .position(|s| *s == n)
                        .unwrap_or(0);
                    p.sysv[k] = v;
                }
                _ if n.starts_with("allow.no") => {
                    p.allow.remove(n.trim_start_matches("allow.no"));
                }
                _ if n.starts_with("allow.") => {
                    asked_allow.push(n.trim_start_matches("allow.").to_string());
                }
                _ => return Err(fail(libc::EINVAL, &format!("unknown parameter: {n}"))),
            }
        }
        if p.name.is_empty() {
            return Err(fail(libc::EINVAL, "model: a name is required"));
        }
        if st.jails.values().any(|j| j.name == p.name && !j.dying) {
            return Err(fail(
                libc::EEXIST,
                &format!("jail \"{}\" already exists", p.name),
            ));
        }
        // What a child may not get beyond its parent: EPERM, no message.
        if let Some(e) = enforce {
            if e < st.me.enforce_statfs {
                return Err(fail(libc::EPERM, ""));
            }
            p.enforce_statfs = e;
        }
        for a in asked_allow {
            if !st.me.allow.contains(&a) {
                return Err(fail(libc::EPERM, ""));
            }
            p.allow.insert(a);
        }
        if p.sysv.iter().any(|s| *s != 0) && !st.me.sysv {
            return Err(fail(libc::EPERM, ""));
        }
        if let Some(have) = &st.me.ip4 {
            if p.ip4.iter().any(|a| !have.contains(a)) {
                return Err(fail(libc::EPERM, ""));
            }
        }
        if let Some(have) = &st.me.ip6 {
            if p.ip6.iter().any(|a| !have.contains(a)) {
                return Err(fail(libc::EPERM, ""));
            }
        }
        if Self::children_cur(&st) >= st.me.children_max {
            return Err(fail(libc::EPERM, "prison limit exceeded"));
        }
        st.last_jid += 1;
        p.jid = st.last_jid;
        let jid = p.jid;
        if flags & JAIL_ATTACH != 0 {
            let pid = Self::new_pid(&mut st);
            p.members.insert(pid);
        }
        st.jails.insert(jid, p);
        Ok(jid)
    }

    fn find(st: &State, iov: &JailIov, flags: i32) -> std::result::Result<Option<i32>, KernelFail> {
        let visible = |j: &Prison| !j.dying || flags & JAIL_DYING != 0;
        if let Some(i) = iov.find("lastjid") {
            let last = iov
                .value(i)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(i32::from_ne_bytes)
                .unwrap_or(0);
            return Ok(st
                .jails
                .values()
                .find(|j| j.jid > last && visible(j))
                .map(|j| j.jid));
        }
        if let Some(i) = iov.find("jid") {
            let jid = iov
                .value(i)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(i32::from_ne_bytes)
                .unwrap_or(0);
            return match st.jails.get(&jid) {
                None => Err(fail(libc::ENOENT, &format!("jail {jid} not found"))),
                Some(j) if !visible(j) => Err(fail(libc::ENOENT, &format!("jail {jid} is dying"))),
                Some(_) => Ok(Some(jid)),
            };
        }
        if let Some(i) = iov.find("name") {
            let name = jailparam::errmsg_text(iov.value(i).unwrap_or(&[]));
            // A live jail of that name first; a dying one only with JAIL_DYING.
            let j = st
                .jails
                .values()
                .find(|j| j.name == name && !j.dying)
                .or_else(|| st.jails.values().find(|j| j.name == name && visible(j)));
            return match j {
                Some(j) => Ok(Some(j.jid)),
                None => Err(fail(libc::ENOENT, &format!("jail \"{name}\" not found"))),
            };
        }
        Err(fail(libc::ENOENT, "no jail specified"))
    }
}

impl Kernel for Model {
    fn privileged(&self) -> bool {
        self.st.borrow().root
    }

    /// `kern_jail_get`.
    fn jail_get(&self, iov: &mut JailIov, flags: i32) -> std::result::Result<i32, KernelFail> {
        let st = self.st.borrow();
        let jid = match Self::find(&st, iov, flags)? {
            Some(j) => j,
            None => return Err(fail(libc::ENOENT, "no more jails")),
        };
        let Some(p) = st.jails.get(&jid) else {
            return Err(fail(libc::ENOENT, ""));
        };
        for i in 0..iov.pairs() {
            let n = iov.name(i).to_string();
            if n == "errmsg" || n == "lastjid" {
                continue;
            }
            if !st.known.contains(&n) {
                return Err(fail(libc::EINVAL, &format!("unknown parameter: {n}")));
            }
            let int = |v: i32| v.to_ne_bytes().to_vec();
            let bytes: Vec<u8> = match n.as_str() {
                "jid" => int(p.jid),
                "name" => {
                    let mut b = p.name.as_bytes().to_vec();
                    b.push(0);
                    b
                }
                "path" => b"/\0".to_vec(),
                "host" => int(2),
                "persist" => int(i32::from(p.persist)),
                "dying" => int(i32::from(p.dying)),
                "enforce_statfs" => int(p.enforce_statfs),
                "children.max" => int(0),
                "children.cur" => int(0),
                // The pr_flag_jailsys loop: own list (new or disable) is
                // reported as disable (0), inherited as 2; never 1.
                "ip4" => int(if p.ip4_user { 0 } else { 2 }),
                "ip6" => int(if p.ip6_user { 0 } else { 2 }),
                "ip4.addr" => p.ip4.iter().flat_map(|a| a.octets()).collect(),
                "ip6.addr" => p.ip6.iter().flat_map(|a| a.octets()).collect(),
                "sysvmsg" => int(p.sysv[0]),
                "sysvsem" => int(p.sysv[1]),
                "sysvshm" => int(p.sysv[2]),
                a => int(i32::from(
                    a.strip_prefix("allow.")
                        .is_some_and(|a| p.allow.contains(a)),
                )),
            };
            // vfs_setopt: an int parameter's buffer must be exactly one
            // int; vfs_setopt_part/vfs_setopts (addresses, strings) take
            // a larger buffer and report the length used.
            let exact = !matches!(n.as_str(), "name" | "path" | "ip4.addr" | "ip6.addr");
            if exact && iov.value_buf_mut(i).is_some_and(|b| b.len() != bytes.len()) {
                return Err(fail(libc::EINVAL, ""));
            }
            write_out(iov, i, &bytes)?;
        }
        Ok(jid)
    }

    /// `sys_jail_remove`: EINVAL for no such jail, success and nothing
    /// done for a dying one, else every member is killed and the jail goes.
    fn jail_remove(&self, jid: i32) -> std::result::Result<(), i32> {
        let mut st = self.st.borrow_mut();
        st.calls.push(format!("jail_remove {jid}"));
        if !st.root {
            return Err(libc::EPERM);
        }
        match st.jails.get(&jid) {
            None => Err(libc::EINVAL),
            Some(j) if j.dying => Ok(()),
            Some(_) => {
                st.jails.remove(&jid);
                Ok(())
            }
        }
    }

    fn jids(&self) -> Vec<i32> {
        let st = self.st.borrow();
        st.jails
            .values()
            .filter(|j| !j.dying)
            .map(|j| j.jid)
            .collect()
    }

    fn jail_exists(&self, jid: i32) -> bool {
        self.st.borrow().jails.get(&jid).is_some_and(|j| !j.dying)
    }

    fn sysctl_int(&self, name: &str) -> io::Result<Option<i64>> {
        let st = self.st.borrow();
        if let Some(p) = name.strip_prefix("security.jail.param.") {
            return Ok(st.known.contains(p).then_some(0));
        }
        let allowed = |a: &str| Some(i64::from(st.me.allow.contains(a)));
        Ok(match name {
            "security.jail.jailed" => Some(i64::from(st.me.jailed)),
            "security.jail.children.max" => Some(st.me.children_max),
            "security.jail.children.cur" => Some(Self::children_cur(&st)),
            "security.jail.enforce_statfs" => Some(i64::from(st.me.enforce_statfs)),
            "security.jail.allow_raw_sockets" => allowed("raw_sockets"),
            "security.jail.mlock_allowed" => allowed("mlock"),
            "security.jail.socket_unixiproute_only" => {
                Some(i64::from(!st.me.allow.contains("socket_af")))
            }
            "security.jail.jail_max_af_ips" => Some(255),
            "kern.features.inet" => st.known.contains("ip4").then_some(1),
            "kern.features.inet6" => st.known.contains("ip6").then_some(1),
            _ => None,
        })
    }

    fn process_table(&self) -> Result<Vec<ProcJail>> {
        let st = self.st.borrow();
        Ok(st
            .jails
            .values()
            .flat_map(|j| {
                j.members.iter().map(|pid| ProcJail {
                    pid: *pid,
                    jid: j.jid,
                    zombie: false,
                })
            })
            .collect())
    }

    fn kill(&self, pid: i32, sig: i32) -> std::result::Result<(), i32> {
        let mut st = self.st.borrow_mut();
        st.calls.push(format!("kill {pid} {sig}"));
        let Some(j) = st.jails.values().find(|j| j.members.contains(&pid)) else {
            return Err(libc::ESRCH);
        };
        let jid = j.jid;
        let stubborn = j.stubborn.contains(&pid);
        if sig == libc::SIGKILL || (sig == libc::SIGTERM && !stubborn) {
            Self::exit_member(&mut st, jid, pid);
        }
        Ok(())
    }

    fn run_created(
        &self,
        p: Prepared,
        mut iov: JailIov,
    ) -> Result<std::result::Result<Started, ChildFailure>> {
        let jid = match self.jail_set(&mut iov, JAIL_CREATE | JAIL_ATTACH) {
            Ok(j) => j,
            Err(f) => {
                return Ok(Err(ChildFailure {
                    stage: jailparam::STAGE_SET,
                    errno: f.errno,
                    detail: f.errmsg,
                }))
            }
        };
        let starter = {
            let st = self.st.borrow();
            st.jails
                .get(&jid)
                .and_then(|j| j.members.iter().next().copied())
                .unwrap_or(0)
        };
        let ran = exec::run(p, None, |_| Ok(()))?.map(|r| r.status);
        let leaves = self.st.borrow().start_leaves;
        for _ in 0..leaves {
            self.add_member(jid, false);
        }
        {
            let mut st = self.st.borrow_mut();
            Self::exit_member(&mut st, jid, starter);
            if !st.jails.contains_key(&jid) {
                if let Some(name) = st.squat_after_start.take() {
                    let mut other = Prison::new(jid, &name);
                    other.persist = true;
                    st.jails.insert(jid, other);
                }
            }
        }
        match ran {
            Ok(status) => Ok(Ok(Started {
                jid,
                status: status.unwrap_or(128 + libc::SIGKILL),
            })),
            Err(f) => Ok(Err(f)),
        }
    }

    fn run_attached(
        &self,
        p: Prepared,
        jid: i32,
        timeout: Option<Duration>,
    ) -> Result<std::result::Result<Option<i32>, ChildFailure>> {
        // sys_jail_attach: no such jail, or a dying one, is EINVAL.
        if !self.jail_exists(jid) {
            return Ok(Err(ChildFailure {
                stage: jailparam::STAGE_ATTACH,
                errno: libc::EINVAL,
                detail: String::new(),
            }));
        }
        let pid = {
            let mut st = self.st.borrow_mut();
            let pid = Self::new_pid(&mut st);
            if let Some(j) = st.jails.get_mut(&jid) {
                j.members.insert(pid);
            }
            pid
        };
        let r = exec::run(p, timeout, |_| Ok(()))?.map(|r| r.status);
        Self::exit_member(&mut self.st.borrow_mut(), jid, pid);
        Ok(r)
    }
}
