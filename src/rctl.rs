//! Resource limits of a service jail: `<name>_svcj_rctl`, rctl(8) rules
//! without the subject.
//!
//! The rc.conf value is a space-separated list of rules in rctl(8)'s own
//! form minus the subject, `resource:action=amount[/per]`, for example
//! `memoryuse:deny=512M maxproc:deny=200 pcpu:deny=50`.  The subject is
//! always the service jail, `jail:svcj-NAME`; [`Rule::kernel_string`]
//! renders what rctl_add_rule(2) takes.
//!
//! Parsing is pure and follows the kernel (`kern_rctl.c`,
//! `kern_racct.c`), so that a rule the kernel would refuse with a bare
//! `EOPNOTSUPP` or `EINVAL` is refused here first, naming the rule, the
//! reason and the fix, before anything exists:
//!
//! * resources: the 25 names of rctl(8);
//! * actions: `deny` (only for resources the kernel can deny, plus
//!   `memoryuse` and `pcpu`, which it enforces its own way), `log`,
//!   `devctl`, `throttle` (only `readbps`, `writebps`, `readiops`,
//!   `writeiops`), and a signal `sigNAME`;
//! * amounts: a non-negative integer with an optional suffix `k`, `m`,
//!   `g`, `t`, `p` or `e` (powers of 1024, as expand_number(3), which
//!   rctl(8) uses); the kernel keeps `cputime`, `wallclock` and `pcpu` in
//!   millionths, so those are bounded accordingly;
//! * per: `process`, `user`, `loginclass` or `jail` (the default); the
//!   kernel refuses `/process` for the resources it counts sloppily
//!   (`pseudoterminals`, `swapuse`, SysV IPC).
//!
//! A subject given in a rule (`jail:foo:…`, `user:www:…`) is refused: the
//! rules are for this service jail only.  [`linux_mapping`] says what the
//! Linux backend can enforce with a cgroup, and what it cannot.

use crate::error::{Error, Result};
use serde::Serialize;
use std::fmt;

/// The unit of a resource's amount, for messages and `svcj-check status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Bytes.
    Bytes,
    /// A count (processes, files, …).
    Count,
    /// Seconds.
    Seconds,
    /// Percent of one CPU.
    Percent,
    /// Bytes per second.
    BytesPerSecond,
    /// Operations per second.
    OpsPerSecond,
}

/// How the kernel treats a resource (`racct_types[]` of `kern_racct.c`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Props {
    deniable: bool,
    decaying: bool,
    sloppy: bool,
    in_millions: bool,
}

const fn props(deniable: bool, decaying: bool, sloppy: bool, in_millions: bool) -> Props {
    Props {
        deniable,
        decaying,
        sloppy,
        in_millions,
    }
}

/// Declares [`Resource`], [`RESOURCES`] and [`Resource::name`] from one
/// table of `Variant => "rctl name"` rows, in rctl(8)'s order.
macro_rules! resources {
    ($($variant:ident => $name:literal,)*) => {
        /// One rctl(8) resource.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(into = "&'static str")]
        pub enum Resource {
            $($variant,)*
        }

        /// Every resource, in rctl(8)'s order.
        pub const RESOURCES: [Resource; 25] = [$(Resource::$variant,)*];

        impl Resource {
            /// The name rctl(8) and the kernel use.
            pub fn name(self) -> &'static str {
                match self {
                    $(Resource::$variant => $name,)*
                }
            }
        }
    };
}

resources! {
    Cputime => "cputime",
    Datasize => "datasize",
    Stacksize => "stacksize",
    Coredumpsize => "coredumpsize",
    Memoryuse => "memoryuse",
    Memorylocked => "memorylocked",
    Maxproc => "maxproc",
    Openfiles => "openfiles",
    Vmemoryuse => "vmemoryuse",
    Pseudoterminals => "pseudoterminals",
    Swapuse => "swapuse",
    Nthr => "nthr",
    Msgqqueued => "msgqqueued",
    Msgqsize => "msgqsize",
    Nmsgq => "nmsgq",
    Nsem => "nsem",
    Nsemop => "nsemop",
    Nshm => "nshm",
    Shmsize => "shmsize",
    Wallclock => "wallclock",
    Pcpu => "pcpu",
    Readbps => "readbps",
    Writebps => "writebps",
    Readiops => "readiops",
    Writeiops => "writeiops",
}

impl From<Resource> for &'static str {
    fn from(r: Resource) -> &'static str {
        r.name()
    }
}

impl Resource {
    /// The resource called `s`.
    pub fn from_name(s: &str) -> Option<Resource> {
        RESOURCES.into_iter().find(|r| r.name() == s)
    }

    /// The unit of its amount.
    pub fn unit(self) -> Unit {
        use Resource::*;
        match self {
            Cputime | Wallclock => Unit::Seconds,
            Datasize | Stacksize | Coredumpsize | Memoryuse | Memorylocked | Vmemoryuse
            | Swapuse | Msgqsize | Shmsize => Unit::Bytes,
            Pcpu => Unit::Percent,
            Readbps | Writebps => Unit::BytesPerSecond,
            Readiops | Writeiops => Unit::OpsPerSecond,
            Maxproc | Openfiles | Pseudoterminals | Nthr | Msgqqueued | Nmsgq | Nsem | Nsemop
            | Nshm => Unit::Count,
        }
    }

    fn props(self) -> Props {
        use Resource::*;
        match self {
            Cputime | Wallclock => props(false, false, false, true),
            Datasize | Stacksize | Coredumpsize | Memorylocked | Maxproc | Openfiles
            | Vmemoryuse | Nthr | Nsemop => props(true, false, false, false),
            Memoryuse => props(false, false, false, false),
            Pseudoterminals | Swapuse | Msgqqueued | Msgqsize | Nmsgq | Nsem | Nshm | Shmsize => {
                props(true, false, true, false)
            }
            Pcpu => props(true, true, false, true),
            Readbps | Writebps | Readiops | Writeiops => props(false, true, false, false),
        }
    }

    /// Whether `deny` is accepted: the deniable resources, and `memoryuse`
    /// and `pcpu`, which the kernel enforces by other means (paging out,
    /// descheduling) rather than by failing an allocation.
    pub fn supports_deny(self) -> bool {
        self.props().deniable || self == Resource::Memoryuse || self == Resource::Pcpu
    }

    /// Whether `throttle` is accepted: the decaying I/O resources.
    pub fn supports_throttle(self) -> bool {
        self.props().decaying && self != Resource::Pcpu
    }

    /// Whether a `/process` rule is accepted (not for sloppy resources).
    pub fn supports_per_process(self) -> bool {
        !self.props().sloppy
    }

    /// The largest amount the kernel can hold (it stores `cputime`,
    /// `wallclock` and `pcpu` in millionths).
    pub fn max_amount(self) -> u64 {
        if self.props().in_millions {
            (i64::MAX / 1_000_000) as u64
        } else {
            i64::MAX as u64
        }
    }

    fn deniable_list() -> String {
        let v: Vec<&str> = RESOURCES
            .into_iter()
            .filter(|r| r.supports_deny())
            .map(Resource::name)
            .collect();
        v.join(" ")
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The signals an action may name (`sigNAME`), as FreeBSD numbers them.
pub const SIGNALS: [(&str, i32); 31] = [
    ("sighup", 1),
    ("sigint", 2),
    ("sigquit", 3),
    ("sigill", 4),
    ("sigtrap", 5),
    ("sigabrt", 6),
    ("sigemt", 7),
    ("sigfpe", 8),
    ("sigkill", 9),
    ("sigbus", 10),
    ("sigsegv", 11),
    ("sigsys", 12),
    ("sigpipe", 13),
    ("sigalrm", 14),
    ("sigterm", 15),
    ("sigurg", 16),
    ("sigstop", 17),
    ("sigtstp", 18),
    ("sigcont", 19),
    ("sigchld", 20),
    ("sigttin", 21),
    ("sigttou", 22),
    ("sigio", 23),
    ("sigxcpu", 24),
    ("sigxfsz", 25),
    ("sigvtalrm", 26),
    ("sigprof", 27),
    ("sigwinch", 28),
    ("siginfo", 29),
    ("sigusr1", 30),
    ("sigusr2", 31),
];

/// What the kernel does when a rule's amount is exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Refuse the allocation.
    Deny,
    /// Log a warning on the console.
    Log,
    /// Send a notification to devd(8).
    Devctl,
    /// Slow the process down.
    Throttle,
    /// Send a signal (the name, `sigterm`).
    Signal(&'static str),
}

impl Action {
    /// The name rctl(8) uses.
    pub fn name(self) -> &'static str {
        match self {
            Action::Deny => "deny",
            Action::Log => "log",
            Action::Devctl => "devctl",
            Action::Throttle => "throttle",
            Action::Signal(s) => s,
        }
    }

    /// The action called `s`.
    pub fn from_name(s: &str) -> Option<Action> {
        match s {
            "deny" => Some(Action::Deny),
            "log" => Some(Action::Log),
            "devctl" => Some(Action::Devctl),
            "throttle" => Some(Action::Throttle),
            _ => SIGNALS
                .iter()
                .find(|(n, _)| *n == s)
                .map(|(n, _)| Action::Signal(n)),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Whose usage the amount is compared with (rctl(8)'s `per`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// Each process of the jail on its own.
    Process,
    /// Each user (all of the user's processes).
    User,
    /// Each login class.
    Loginclass,
    /// The jail as a whole (the default).
    Jail,
}

impl Per {
    /// The name rctl(8) uses.
    pub fn name(self) -> &'static str {
        match self {
            Per::Process => "process",
            Per::User => "user",
            Per::Loginclass => "loginclass",
            Per::Jail => "jail",
        }
    }

    fn from_name(s: &str) -> Option<Per> {
        match s {
            "process" => Some(Per::Process),
            "user" => Some(Per::User),
            "loginclass" => Some(Per::Loginclass),
            "jail" => Some(Per::Jail),
            _ => None,
        }
    }
}

/// One rule, subject left out (it is always the service jail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Rule {
    /// What is limited.
    pub resource: Resource,
    /// What happens past the amount.
    pub action: Action,
    /// The amount, in the resource's unit, suffixes expanded.
    pub amount: u64,
    /// Whose usage counts (`Jail` unless the rule said otherwise).
    pub per: Per,
}

impl Rule {
    /// The rule as rctl_add_rule(2) takes it for `jail` (a jail name such
    /// as `svcj-foo`): `jail:svcj-foo:memoryuse:deny=536870912`, with
    /// `/per` only when it is not the subject's own type (the kernel
    /// prints rules the same way).
    pub fn kernel_string(&self, jail: &str) -> String {
        format!("jail:{jail}:{self}")
    }

    /// The same rule as a rctl_remove_rule(2) filter: it matches exactly
    /// this rule of this jail, so rules for other subjects, and other
    /// rules for the same jail, are never touched.
    pub fn filter_string(&self, jail: &str) -> String {
        self.kernel_string(jail)
    }
}

impl fmt::Display for Rule {
    /// The subject-less form, amount in plain units: `memoryuse:deny=536870912`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}={}", self.resource, self.action, self.amount)?;
        if self.per != Per::Jail {
            write!(f, "/{}", self.per.name())?;
        }
        Ok(())
    }
}

/// A parsed `<name>_svcj_rctl` list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Rules(pub Vec<Rule>);

impl Rules {
    /// No rules at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rules, in the order given.
    pub fn iter(&self) -> std::slice::Iter<'_, Rule> {
        self.0.iter()
    }

    /// The rules as rctl_add_rule(2) strings for `jail`.
    pub fn kernel_strings(&self, jail: &str) -> Vec<String> {
        self.0.iter().map(|r| r.kernel_string(jail)).collect()
    }
}

fn bad(rule: &str, reason: impl Into<String>, fix: impl Into<String>) -> Error {
    Error::BadRule {
        rule: rule.to_string(),
        reason: reason.into(),
        fix: fix.into(),
    }
}

/// Expand an amount the way expand_number(3) does for rctl(8): digits
/// and an optional suffix `k m g t p e` (either case, powers of 1024).
fn parse_amount(rule: &str, resource: Resource, s: &str) -> Result<u64> {
    let fix = "give a whole number, optionally followed by k, m, g, t, p or e \
               (powers of 1024), e.g. 512m";
    if s.is_empty() {
        return Err(bad(rule, "the amount is missing", fix));
    }
    let (digits, shift) = match s.as_bytes()[s.len() - 1].to_ascii_lowercase() {
        b'k' => (&s[..s.len() - 1], 10),
        b'm' => (&s[..s.len() - 1], 20),
        b'g' => (&s[..s.len() - 1], 30),
        b't' => (&s[..s.len() - 1], 40),
        b'p' => (&s[..s.len() - 1], 50),
        b'e' => (&s[..s.len() - 1], 60),
        _ => (s, 0),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        let reason = if digits.starts_with('-') {
            format!("the amount {s:?} is negative")
        } else {
            format!("the amount {s:?} is not a number with an optional suffix")
        };
        return Err(bad(rule, reason, fix));
    }
    let too_big = || {
        bad(
            rule,
            format!(
                "the amount {s:?} is larger than the kernel can hold for {resource} \
                 (at most {})",
                resource.max_amount()
            ),
            "give a smaller amount",
        )
    };
    let n: u64 = digits.parse().map_err(|_| too_big())?;
    let n = n.checked_mul(1u64 << shift).ok_or_else(too_big)?;
    if n > resource.max_amount() {
        return Err(too_big());
    }
    Ok(n)
}

/// Parse one rule, `resource:action=amount[/per]`.
pub fn parse_rule(rule: &str) -> Result<Rule> {
    let fields: Vec<&str> = rule.split(':').collect();
    let subjects = ["process", "user", "loginclass", "jail"];
    if fields.len() > 2 || (fields.len() == 2 && subjects.contains(&fields[0])) {
        return Err(bad(
            rule,
            "a subject is given",
            "leave out the subject (e.g. jail:NAME:); the rules always apply to \
             this service's jail, jail:svcj-NAME",
        ));
    }
    let Some((res, rest)) = rule.split_once(':') else {
        return Err(bad(
            rule,
            "it is not of the form resource:action=amount[/per]",
            "write e.g. memoryuse:deny=512m",
        ));
    };
    let Some(resource) = Resource::from_name(res) else {
        let names: Vec<&str> = RESOURCES.iter().map(|r| r.name()).collect();
        return Err(bad(
            rule,
            format!("unknown resource {res:?}"),
            format!("use one of rctl(8)'s resources: {}", names.join(" ")),
        ));
    };
    let Some((act, rest)) = rest.split_once('=') else {
        return Err(bad(
            rule,
            "the action has no amount",
            format!("write e.g. {res}:deny=AMOUNT"),
        ));
    };
    let Some(action) = Action::from_name(act) else {
        return Err(bad(
            rule,
            format!("unknown action {act:?}"),
            "use deny, log, devctl, throttle or a signal such as sigterm or sigkill",
        ));
    };
    match action {
        Action::Deny if !resource.supports_deny() => {
            return Err(bad(
                rule,
                format!("the kernel cannot deny {res}"),
                format!(
                    "use log, devctl or a signal such as sigkill for {res} \
                     (deny works for: {})",
                    Resource::deniable_list()
                ),
            ));
        }
        Action::Throttle if !resource.supports_throttle() => {
            return Err(bad(
                rule,
                format!("the kernel cannot throttle {res}"),
                "throttle works for readbps, writebps, readiops and writeiops only; \
                 use deny, log, devctl or a signal",
            ));
        }
        _ => {}
    }
    let (amount, per) = match rest.split_once('/') {
        None => (rest, Per::Jail),
        Some((a, p)) => {
            let Some(per) = Per::from_name(p) else {
                return Err(bad(
                    rule,
                    format!("unknown per {p:?}"),
                    "use /process, /user, /loginclass or /jail, or leave it out (the jail \
                     as a whole)",
                ));
            };
            (a, per)
        }
    };
    if per == Per::Process && !resource.supports_per_process() {
        return Err(bad(
            rule,
            format!("the kernel counts {res} per jail or user only, not per process"),
            "drop /process",
        ));
    }
    let amount = parse_amount(rule, resource, amount)?;
    Ok(Rule {
        resource,
        action,
        amount,
        per,
    })
}

/// Parse a `<name>_svcj_rctl` value (rules separated by blanks; an empty
/// list is no limits).  Two rules for the same resource, action and per
/// are refused: the kernel would keep only one of them.
pub fn parse(list: &str) -> Result<Rules> {
    let mut out: Vec<(String, Rule)> = Vec::new();
    for word in list.split_whitespace() {
        let r = parse_rule(word)?;
        if let Some((first, _)) = out
            .iter()
            .find(|(_, o)| o.resource == r.resource && o.action == r.action && o.per == r.per)
        {
            return Err(bad(
                word,
                format!("it repeats {first:?} (same resource, action and per)"),
                "keep one of them: the kernel would keep only the last",
            ));
        }
        out.push((word.to_string(), r));
    }
    Ok(Rules(out.into_iter().map(|(_, r)| r).collect()))
}

/// Where the Linux backend puts a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinuxLimit {
    /// The memory controller's limit (v2 `memory.max`, v1
    /// `memory.limit_in_bytes`): over it, the kernel reclaims and then
    /// OOM-kills inside the cgroup.
    Memory(u64),
    /// The pids controller's limit (`pids.max`); Linux counts threads as
    /// well as processes.
    Pids(u64),
    /// A CPU quota in percent of one CPU (v2 `cpu.max`, v1
    /// `cpu.cfs_quota_us` against `cpu.cfs_period_us`).
    Cpu(u64),
    /// A read bandwidth limit per block device (v2 `io.max rbps`, v1
    /// `blkio.throttle.read_bps_device`).
    ReadBps(u64),
    /// A write bandwidth limit per block device (`wbps`).
    WriteBps(u64),
}

/// Why a rule has no Linux equivalent, or where it goes.
pub fn linux_mapping(r: &Rule) -> std::result::Result<LinuxLimit, String> {
    use Resource::*;
    if r.per != Per::Jail {
        return Err(format!(
            "{r}: a /{} rule has no cgroup equivalent on Linux (only whole-jail limits do)",
            r.per.name()
        ));
    }
    match (r.resource, r.action) {
        (Memoryuse, Action::Deny | Action::Signal("sigkill")) => Ok(LinuxLimit::Memory(r.amount)),
        (Maxproc | Nthr, Action::Deny) => Ok(LinuxLimit::Pids(r.amount)),
        (Pcpu, Action::Deny) => Ok(LinuxLimit::Cpu(r.amount)),
        (Readbps, Action::Throttle | Action::Deny) => Ok(LinuxLimit::ReadBps(r.amount)),
        (Writebps, Action::Throttle | Action::Deny) => Ok(LinuxLimit::WriteBps(r.amount)),
        (Memoryuse | Maxproc | Nthr | Pcpu | Readbps | Writebps, a) => Err(format!(
            "{r}: the action {a} has no cgroup equivalent on Linux for {} \
             (use deny{})",
            r.resource,
            if r.resource == Memoryuse {
                " or sigkill"
            } else {
                ""
            }
        )),
        (res, _) => Err(format!(
            "{r}: {res} has no cgroup equivalent on Linux (mapped: memoryuse, maxproc, nthr, \
             pcpu, readbps, writebps)"
        )),
    }
}

/// The rules the Linux backend cannot enforce, one message each.
pub fn linux_gaps(rules: &Rules) -> Vec<String> {
    rules
        .iter()
        .filter_map(|r| linux_mapping(r).err())
        .collect()
}

/// For `svcj-check lint` and `audit`: the problems of a
/// `<name>_svcj_rctl` value (an rc.d script's default or rc.conf's):
/// the refusal of the first bad rule, else nothing.  Linux gaps are not
/// problems of the script; [`linux_gaps`] lists them.
pub fn lint_value(value: &str) -> Option<String> {
    parse(value).err().map(|e| e.to_string())
}

/// Format an amount for people: `512M`, `200`, `50%`.
pub fn human(unit: Unit, n: u64) -> String {
    match unit {
        Unit::Bytes | Unit::BytesPerSecond => {
            let suffix = if unit == Unit::BytesPerSecond {
                "/s"
            } else {
                ""
            };
            for (shift, s) in [
                (60, "E"),
                (50, "P"),
                (40, "T"),
                (30, "G"),
                (20, "M"),
                (10, "K"),
            ] {
                if n >= 1u64 << shift && n % (1u64 << shift) == 0 {
                    return format!("{}{s}{suffix}", n >> shift);
                }
            }
            for (shift, s) in [(30, "G"), (20, "M"), (10, "K")] {
                if n >= 1u64 << shift {
                    return format!("{:.1}{s}{suffix}", n as f64 / (1u64 << shift) as f64);
                }
            }
            format!("{n}{suffix}")
        }
        Unit::Percent => format!("{n}%"),
        Unit::Seconds => format!("{n}s"),
        Unit::OpsPerSecond => format!("{n}/s"),
        Unit::Count => n.to_string(),
    }
}

/// `svcj-check options -R`: the rules as the kernel gets them, and the
/// ones Linux cannot enforce (empty without rules).
pub fn check_text(rules: &Rules) -> String {
    if rules.is_empty() {
        return String::new();
    }
    let mut out = crate::check::wrap_words("rctl:", &rules.kernel_strings("svcj-NAME"), 4);
    for g in linux_gaps(rules) {
        out.push_str(&crate::check::wrap_words(
            "  linux: not enforced:",
            &g.split_whitespace().collect::<Vec<_>>(),
            4,
        ));
    }
    out
}

/// [`check_text`] as JSON.
pub fn check_json(rules: &Rules) -> serde_json::Value {
    serde_json::json!({
        "rules": rules,
        "kernel": rules.kernel_strings("svcj-NAME"),
        "linux_gaps": linux_gaps(rules),
    })
}

/// `svcj-check status`'s lines for a jail's usage and limits, each
/// limit beside the usage of its resource, within 80 columns.
pub fn render_usage(u: &crate::platform::Usage) -> String {
    let mut used = Vec::new();
    if let Some(m) = u.memory {
        used.push(format!("memory {}", human(Unit::Bytes, m)));
    }
    if let Some(p) = u.processes {
        used.push(format!("processes {p}"));
    }
    if let Some(c) = u.cpu_usec {
        used.push(format!(
            "cpu {}.{:02}s",
            c / 1_000_000,
            (c % 1_000_000) / 10_000
        ));
    }
    let mut out = String::new();
    if !used.is_empty() {
        out.push_str(&crate::check::wrap_words("  usage:", &used, 4));
    }
    let limits: Vec<String> = u
        .limits
        .iter()
        .map(|l| {
            let unit = l.rule.resource.unit();
            let used = l.used.map_or("-".to_string(), |n| human(unit, n));
            let per = if l.rule.per == Per::Jail {
                String::new()
            } else {
                format!("/{}", l.rule.per.name())
            };
            format!(
                "{}:{} {used}/{}{per}",
                l.rule.resource,
                l.rule.action,
                human(unit, l.rule.amount)
            )
        })
        .collect();
    if !limits.is_empty() {
        out.push_str(&crate::check::wrap_words("  limits:", &limits, 4));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(rule: &str) -> String {
        let e = parse(rule).unwrap_err();
        assert_eq!(e.exit_code(), 65, "{e}");
        let t = e.to_string();
        assert!(t.contains(rule.split_whitespace().last().unwrap()), "{t}");
        t
    }

    #[test]
    fn the_issue_example() {
        let r = parse("memoryuse:deny=512M maxproc:deny=200 pcpu:deny=50").unwrap();
        assert_eq!(
            r.kernel_strings("svcj-foo"),
            [
                "jail:svcj-foo:memoryuse:deny=536870912",
                "jail:svcj-foo:maxproc:deny=200",
                "jail:svcj-foo:pcpu:deny=50",
            ]
        );
        assert!(parse("").unwrap().is_empty());
        assert!(parse("  \t ").unwrap().is_empty());
    }

    #[test]
    fn every_resource_by_name() {
        for r in RESOURCES {
            assert_eq!(Resource::from_name(r.name()), Some(r));
            let act = if r.supports_deny() { "deny" } else { "log" };
            let rule = parse_rule(&format!("{}:{act}=1", r.name())).unwrap();
            assert_eq!(rule.resource, r);
            assert_eq!(rule.per, Per::Jail);
        }
    }

    #[test]
    fn suffixes_are_powers_of_1024_either_case() {
        let amt = |s: &str| parse_rule(&format!("vmemoryuse:deny={s}")).unwrap().amount;
        assert_eq!(amt("0"), 0);
        assert_eq!(amt("1k"), 1024);
        assert_eq!(amt("1K"), 1024);
        assert_eq!(amt("3m"), 3 << 20);
        assert_eq!(amt("2G"), 2 << 30);
        assert_eq!(amt("1t"), 1 << 40);
        assert_eq!(amt("1p"), 1 << 50);
        assert_eq!(amt("7e"), 7 << 60);
    }

    #[test]
    fn per_is_rendered_only_when_not_the_jail() {
        let r = parse_rule("openfiles:deny=100/process").unwrap();
        assert_eq!(r.per, Per::Process);
        assert_eq!(
            r.kernel_string("svcj-a"),
            "jail:svcj-a:openfiles:deny=100/process"
        );
        let r = parse_rule("openfiles:deny=100/jail").unwrap();
        assert_eq!(r.kernel_string("svcj-a"), "jail:svcj-a:openfiles:deny=100");
        assert_eq!(
            parse_rule("maxproc:log=5/user")
                .unwrap()
                .kernel_string("svcj-a"),
            "jail:svcj-a:maxproc:log=5/user"
        );
        assert_eq!(
            parse_rule("maxproc:devctl=5/loginclass")
                .unwrap()
                .to_string(),
            "maxproc:devctl=5/loginclass"
        );
    }

    #[test]
    fn actions_the_kernel_takes() {
        // deny: memoryuse and pcpu are the kernel's special cases.
        for ok in [
            "memoryuse:deny=1g",
            "pcpu:deny=50",
            "maxproc:deny=10",
            "swapuse:deny=1g",
            "cputime:sigxcpu=10",
            "cputime:log=10",
            "wallclock:sigterm=3600",
            "readbps:throttle=1m",
            "writeiops:throttle=100",
            "memoryuse:sigkill=64m",
            "nthr:devctl=100",
            "readbps:log=1m",
        ] {
            parse_rule(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert_eq!(
            parse_rule("cputime:sigxcpu=1").unwrap().action,
            Action::Signal("sigxcpu")
        );
    }

    #[test]
    fn refused_unknown_resource() {
        let t = refusal("memory:deny=1g");
        assert!(t.contains("unknown resource \"memory\""), "{t}");
        assert!(t.contains("memoryuse"), "{t}");
    }

    #[test]
    fn refused_unknown_action() {
        let t = refusal("memoryuse:kill=1g");
        assert!(t.contains("unknown action \"kill\""), "{t}");
        assert!(t.contains("sigkill"), "{t}");
        refusal("memoryuse:sig=1g");
        refusal("memoryuse:SIGKILL=1g");
    }

    #[test]
    fn refused_deny_for_undeniable_resources() {
        for r in [
            "cputime:deny=10",
            "wallclock:deny=10",
            "readbps:deny=1m",
            "writeiops:deny=5",
        ] {
            let t = refusal(r);
            assert!(t.contains("cannot deny"), "{t}");
            assert!(t.contains("sigkill"), "{t}");
        }
    }

    #[test]
    fn refused_throttle_except_io() {
        for r in [
            "pcpu:throttle=50",
            "memoryuse:throttle=1g",
            "maxproc:throttle=5",
        ] {
            let t = refusal(r);
            assert!(t.contains("cannot throttle"), "{t}");
            assert!(t.contains("readbps"), "{t}");
        }
    }

    #[test]
    fn refused_bad_amounts() {
        for (r, why) in [
            ("memoryuse:deny=", "missing"),
            ("memoryuse:deny=-1", "negative"),
            ("memoryuse:deny=1.5g", "not a number"),
            ("memoryuse:deny=12x", "not a number"),
            ("memoryuse:deny=k", "not a number"),
            ("memoryuse:deny=1kb", "not a number"),
            ("memoryuse:deny=99999999999999999999", "larger"),
            ("memoryuse:deny=8e", "larger"),
            ("memoryuse:deny=16777216t", "larger"),
            ("pcpu:deny=9223372036855", "larger"),
            ("cputime:log=9223372036855", "larger"),
        ] {
            let t = refusal(r);
            assert!(t.contains(why), "{r}: {t}");
            assert!(t.contains("fix:"), "{t}");
        }
        // The largest in-millions amount still fits.
        parse_rule("pcpu:deny=9223372036854").unwrap();
    }

    #[test]
    fn refused_subject_given() {
        for r in [
            "jail:foo:memoryuse:deny=1g",
            "user:www:maxproc:deny=5",
            "jail::memoryuse:deny=1g",
            "process:1:openfiles:deny=5",
            "loginclass:daemon:maxproc:deny=5",
            "jail:memoryuse",
        ] {
            let t = refusal(r);
            assert!(t.contains("a subject is given"), "{t}");
            assert!(t.contains("jail:svcj-NAME"), "{t}");
        }
    }

    #[test]
    fn refused_bad_per() {
        let t = refusal("maxproc:deny=5/host");
        assert!(t.contains("unknown per \"host\""), "{t}");
        for r in [
            "swapuse:deny=1g/process",
            "pseudoterminals:deny=2/process",
            "nshm:deny=2/process",
        ] {
            let t = refusal(r);
            assert!(t.contains("not per process"), "{t}");
        }
        parse_rule("swapuse:deny=1g/user").unwrap();
    }

    #[test]
    fn refused_malformed() {
        let t = refusal("memoryuse");
        assert!(t.contains("resource:action=amount"), "{t}");
        let t = refusal("memoryuse:deny");
        assert!(t.contains("no amount"), "{t}");
    }

    #[test]
    fn refused_duplicates_but_not_different_actions() {
        let t = refusal("maxproc:deny=5 maxproc:deny=6");
        assert!(t.contains("repeats"), "{t}");
        parse("maxproc:deny=5 maxproc:log=4 maxproc:deny=2/process").unwrap();
    }

    #[test]
    fn the_first_bad_rule_is_named_and_the_message_has_reason_and_fix() {
        let e = parse("maxproc:deny=5 bogus:deny=1 memoryuse:frob=1").unwrap_err();
        let t = e.to_string();
        assert!(t.starts_with("invalid rctl rule \"bogus:deny=1\": "), "{t}");
        assert!(t.contains("; fix: "), "{t}");
    }

    #[test]
    fn linux_maps_what_a_cgroup_can_do() {
        let m = |s: &str| linux_mapping(&parse_rule(s).unwrap());
        assert_eq!(m("memoryuse:deny=64m"), Ok(LinuxLimit::Memory(64 << 20)));
        assert_eq!(m("memoryuse:sigkill=64m"), Ok(LinuxLimit::Memory(64 << 20)));
        assert_eq!(m("maxproc:deny=20"), Ok(LinuxLimit::Pids(20)));
        assert_eq!(m("nthr:deny=50"), Ok(LinuxLimit::Pids(50)));
        assert_eq!(m("pcpu:deny=50"), Ok(LinuxLimit::Cpu(50)));
        assert_eq!(m("readbps:throttle=1m"), Ok(LinuxLimit::ReadBps(1 << 20)));
        assert_eq!(m("writebps:throttle=1m"), Ok(LinuxLimit::WriteBps(1 << 20)));
        assert!(m("openfiles:deny=5")
            .unwrap_err()
            .contains("no cgroup equivalent"));
        assert!(m("maxproc:deny=5/process")
            .unwrap_err()
            .contains("/process"));
        assert!(m("memoryuse:log=5").unwrap_err().contains("action log"));
        let rules = parse("memoryuse:deny=1g wallclock:sigterm=10 maxproc:deny=3").unwrap();
        let gaps = linux_gaps(&rules);
        assert_eq!(gaps.len(), 1);
        assert!(gaps[0].starts_with("wallclock:sigterm=10: "), "{gaps:?}");
    }

    #[test]
    fn human_amounts() {
        assert_eq!(human(Unit::Bytes, 512 << 20), "512M");
        assert_eq!(human(Unit::Bytes, 1536 << 20), "1536M");
        assert_eq!(human(Unit::Bytes, 1000), "1000");
        assert_eq!(human(Unit::Bytes, 1_500_000), "1.4M");
        assert_eq!(human(Unit::BytesPerSecond, 1 << 20), "1M/s");
        assert_eq!(human(Unit::Percent, 50), "50%");
        assert_eq!(human(Unit::Count, 20), "20");
    }

    #[test]
    fn usage_lines_put_limits_beside_usage() {
        use crate::platform::{LimitUsage, Usage};
        let u = Usage {
            memory: Some(3 << 20),
            processes: Some(18),
            cpu_usec: Some(1_520_000),
            limits: vec![
                LimitUsage {
                    rule: parse_rule("memoryuse:deny=64m").unwrap(),
                    used: Some(3 << 20),
                },
                LimitUsage {
                    rule: parse_rule("maxproc:deny=20").unwrap(),
                    used: Some(18),
                },
                LimitUsage {
                    rule: parse_rule("pcpu:deny=50").unwrap(),
                    used: None,
                },
            ],
        };
        assert_eq!(
            render_usage(&u),
            "  usage: memory 3M processes 18 cpu 1.52s\n  \
             limits: memoryuse:deny 3M/64M maxproc:deny 18/20 pcpu:deny -/50%\n"
        );
        assert_eq!(render_usage(&Usage::default()), "");
    }

    #[test]
    fn lint_value_reports_the_first_bad_rule_only() {
        assert_eq!(lint_value("memoryuse:deny=1g maxproc:deny=5"), None);
        assert_eq!(lint_value(""), None);
        let m = lint_value("maxproc:deny=5 cputime:deny=1").unwrap();
        assert!(
            m.contains("\"cputime:deny=1\": the kernel cannot deny cputime"),
            "{m}"
        );
    }

    #[test]
    fn json_shape() {
        let r = parse("memoryuse:deny=1k/process").unwrap();
        let j = serde_json::to_string(&r).unwrap();
        assert_eq!(
            j,
            r#"[{"resource":"memoryuse","action":"deny","amount":1024,"per":"process"}]"#
        );
    }
}
