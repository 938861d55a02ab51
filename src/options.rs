//! The service-jail vocabulary: option words and addresses → jail parameters.
//!
//! This is the contract of rc.conf(5) SERVICE JAILS, kept free of any OS
//! code so that it can be tested exhaustively and shared by `svcj-exec`
//! (which turns it into a jail_set(2) call or Linux namespaces),
//! `svcj-check` (which validates and explains it) and the golden tests
//! (which compare [`JailParams::jail_words`] with what `jail -c` would get).
//!
//! Runtime semantics follow the newest rc.subr: an unknown word is
//! reported and ignored (every option only *grants*, so ignoring one is the
//! least-privilege outcome), more than one SysV word (`sysvipc` with
//! `sysvipcnew`, or one of them twice: rc.subr counts words) is an error,
//! other duplicates are harmless.  Addresses follow rc.subr's one
//! `_svcj_ip` for both families: any address at all switches *both*
//! families from `inherit` to `new`, so IPv4 addresses alone leave the
//! jail without IPv6; rc.subr builds each list by prepending, so the
//! *last* address listed becomes `ip4.addr[0]` / `ip6.addr[0]`, the jail's
//! primary address, and the lists here are in that order.  A family the
//! kernel lacks (`kern.features.inet` / `inet6`) is left out by
//! [`Parsed::drop_missing_families`], with a warning naming the ignored
//! addresses.  One deliberate difference (svcj-tools(7) DIFFERENCES):
//! addresses whose family no option grants are dropped with a warning,
//! where rc.subr would pass them and so grant that family.

use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The generic parameters of every service jail (`mount.nodevfs` is a
/// jail(8) pseudo-parameter: with jail_set(2) there is simply no devfs).
pub const GENERIC_WORDS: [&str; 3] = ["path=/", "mount.nodevfs", "host=inherit"];

/// A "jailsys" parameter of the kernel: disable 0, new 1, inherit 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JailSys {
    /// Not available in the jail.
    Disable,
    /// A new, private instance.
    New,
    /// The creator's instance.
    Inherit,
}

impl JailSys {
    /// The kernel's integer value (`JAIL_SYS_*`).
    pub fn as_int(self) -> i32 {
        match self {
            JailSys::Disable => 0,
            JailSys::New => 1,
            JailSys::Inherit => 2,
        }
    }

    /// The word jail(8) uses.
    pub fn as_str(self) -> &'static str {
        match self {
            JailSys::Disable => "disable",
            JailSys::New => "new",
            JailSys::Inherit => "inherit",
        }
    }
}

impl fmt::Display for JailSys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JailSys {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s {
            "disable" => Ok(JailSys::Disable),
            "new" => Ok(JailSys::New),
            "inherit" => Ok(JailSys::Inherit),
            _ => Err(()),
        }
    }
}

/// A boolean `allow.*` permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Allow {
    /// `allow.mlock`
    Mlock,
    /// `allow.nfsd`
    Nfsd,
    /// `allow.raw_sockets`
    RawSockets,
    /// `allow.reserved_ports`
    ReservedPorts,
    /// `allow.routing`
    Routing,
    /// `allow.setaudit`
    Setaudit,
    /// `allow.settime`
    Settime,
    /// `allow.socket_af`
    SocketAf,
    /// `allow.vmm`
    Vmm,
}

impl Allow {
    /// Every permission, in parameter-name order.
    pub const ALL: [Allow; 9] = [
        Allow::Mlock,
        Allow::Nfsd,
        Allow::RawSockets,
        Allow::ReservedPorts,
        Allow::Routing,
        Allow::Setaudit,
        Allow::Settime,
        Allow::SocketAf,
        Allow::Vmm,
    ];

    /// The jail parameter name.
    pub fn param(self) -> &'static str {
        match self {
            Allow::Mlock => "allow.mlock",
            Allow::Nfsd => "allow.nfsd",
            Allow::RawSockets => "allow.raw_sockets",
            Allow::ReservedPorts => "allow.reserved_ports",
            Allow::Routing => "allow.routing",
            Allow::Setaudit => "allow.setaudit",
            Allow::Settime => "allow.settime",
            Allow::SocketAf => "allow.socket_af",
            Allow::Vmm => "allow.vmm",
        }
    }

    /// Parse a parameter name such as `allow.mlock`.
    pub fn from_param(s: &str) -> Option<Allow> {
        Allow::ALL.into_iter().find(|a| a.param() == s)
    }
}

/// One word of `<name>_svcj_options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SvcjOption {
    Mlock,
    Netv4,
    Netv6,
    NetBasic,
    NetRaw,
    NetAll,
    Nfsd,
    Routing,
    Settime,
    Setaudit,
    Sysvipc,
    Sysvipcnew,
    Vmm,
}

impl SvcjOption {
    /// The whole vocabulary, in rc.conf(5) order.
    pub const ALL: [SvcjOption; 13] = [
        SvcjOption::Mlock,
        SvcjOption::Netv4,
        SvcjOption::Netv6,
        SvcjOption::NetBasic,
        SvcjOption::NetRaw,
        SvcjOption::NetAll,
        SvcjOption::Nfsd,
        SvcjOption::Routing,
        SvcjOption::Settime,
        SvcjOption::Setaudit,
        SvcjOption::Sysvipc,
        SvcjOption::Sysvipcnew,
        SvcjOption::Vmm,
    ];

    /// The rc.conf word.
    pub fn word(self) -> &'static str {
        match self {
            SvcjOption::Mlock => "mlock",
            SvcjOption::Netv4 => "netv4",
            SvcjOption::Netv6 => "netv6",
            SvcjOption::NetBasic => "net_basic",
            SvcjOption::NetRaw => "net_raw",
            SvcjOption::NetAll => "net_all",
            SvcjOption::Nfsd => "nfsd",
            SvcjOption::Routing => "routing",
            SvcjOption::Settime => "settime",
            SvcjOption::Setaudit => "setaudit",
            SvcjOption::Sysvipc => "sysvipc",
            SvcjOption::Sysvipcnew => "sysvipcnew",
            SvcjOption::Vmm => "vmm",
        }
    }

    /// Parse an rc.conf word (exact, case-sensitive like rc.subr).
    pub fn from_word(w: &str) -> Option<SvcjOption> {
        SvcjOption::ALL.into_iter().find(|o| o.word() == w)
    }
}

impl fmt::Display for SvcjOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// The typed parameter set of a service jail.  Generic parameters
/// (`path=/`, `host=inherit`, no devfs) are implied and not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JailParams {
    /// `ip4`: disable unless a network option grants it.
    pub ip4: JailSys,
    /// `ip4.addr` (only with `ip4=new`).
    pub ip4_addrs: Vec<Ipv4Addr>,
    /// `ip6`: disable unless a network option grants it.
    pub ip6: JailSys,
    /// `ip6.addr` (only with `ip6=new`).
    pub ip6_addrs: Vec<Ipv6Addr>,
    /// `sysvmsg`, `sysvsem` and `sysvshm` (always set together).
    pub sysvipc: JailSys,
    /// Granted `allow.*` permissions.
    pub allow: BTreeSet<Allow>,
    /// `enforce_statfs`, when an option sets it.
    pub enforce_statfs: Option<u32>,
}

impl Default for JailParams {
    fn default() -> Self {
        JailParams {
            ip4: JailSys::Disable,
            ip4_addrs: Vec::new(),
            ip6: JailSys::Disable,
            ip6_addrs: Vec::new(),
            sysvipc: JailSys::Disable,
            allow: BTreeSet::new(),
            enforce_statfs: None,
        }
    }
}

impl JailParams {
    /// True when the jail may use IPv4 or IPv6.
    pub fn has_network(&self) -> bool {
        self.ip4 != JailSys::Disable || self.ip6 != JailSys::Disable
    }

    /// True when `allow.<a>` is granted.
    pub fn allows(&self, a: Allow) -> bool {
        self.allow.contains(&a)
    }

    /// The jail(8) word list for `jail -c`, generic parameters first, then
    /// the option parameters in a stable order.  Parameters left at their
    /// default (disable) are not written, as rc.subr does not write them.
    pub fn jail_words(&self) -> Vec<String> {
        let mut w: Vec<String> = GENERIC_WORDS.iter().map(|s| s.to_string()).collect();
        if self.ip4 != JailSys::Disable {
            w.push(format!("ip4={}", self.ip4));
        }
        if !self.ip4_addrs.is_empty() {
            w.push(format!("ip4.addr={}", join(&self.ip4_addrs)));
        }
        if self.ip6 != JailSys::Disable {
            w.push(format!("ip6={}", self.ip6));
        }
        if !self.ip6_addrs.is_empty() {
            w.push(format!("ip6.addr={}", join(&self.ip6_addrs)));
        }
        if self.sysvipc != JailSys::Disable {
            for p in ["sysvmsg", "sysvsem", "sysvshm"] {
                w.push(format!("{p}={}", self.sysvipc));
            }
        }
        if let Some(n) = self.enforce_statfs {
            w.push(format!("enforce_statfs={n}"));
        }
        w.extend(self.allow.iter().map(|a| a.param().to_string()));
        w
    }

    /// A short exposure level for audits: what the service can reach.
    pub fn exposure(&self) -> Exposure {
        if self.allows(Allow::SocketAf) {
            Exposure::AllSockets
        } else if self.allows(Allow::RawSockets) && self.has_network() {
            Exposure::RawSockets
        } else if self.has_network() {
            Exposure::Network
        } else {
            Exposure::None
        }
    }
}

fn join<T: fmt::Display>(v: &[T]) -> String {
    v.iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// How exposed a jailed service is to the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exposure {
    /// No IPv4/IPv6 at all.
    None,
    /// IPv4 and/or IPv6 sockets.
    Network,
    /// Network plus raw sockets.
    RawSockets,
    /// Every socket family.
    AllSockets,
}

impl fmt::Display for Exposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Exposure::None => "none",
            Exposure::Network => "network",
            Exposure::RawSockets => "raw-sockets",
            Exposure::AllSockets => "all-sockets",
        })
    }
}

/// The outcome of parsing an options word list and an address list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parsed {
    /// The parameters to create the jail with.
    pub params: JailParams,
    /// The recognised options, deduplicated, in vocabulary order.
    pub options: BTreeSet<SvcjOption>,
    /// Words that are not options, in order of appearance (deduplicated).
    pub unknown: Vec<String>,
    /// Addresses whose family no option grants (they have no effect).
    pub unused_addrs: Vec<IpAddr>,
}

impl Parsed {
    /// rc.subr's message for each unknown word: `<name>: unknown service
    /// jail option: <word>`.
    pub fn unknown_messages(&self, service: &str) -> Vec<String> {
        self.unknown
            .iter()
            .map(|w| format!("{service}: unknown service jail option: {}", printable(w)))
            .collect()
    }

    /// Strict validation for `svcj-check`: unknown words are errors.
    pub fn strict(self) -> Result<Self> {
        match self.unknown.first() {
            Some(w) => Err(Error::UnknownOption(printable(w))),
            None => Ok(self),
        }
    }
}

/// Which address families the running kernel has (FreeBSD:
/// `kern.features.inet` and `kern.features.inet6`, absent when the kernel
/// was built without them; a jail parameter of a missing family is an
/// "unknown parameter" to jail_set(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IpFeatures {
    /// `kern.features.inet`
    pub inet: bool,
    /// `kern.features.inet6`
    pub inet6: bool,
}

impl IpFeatures {
    /// Both families, what nearly every kernel has.
    pub const BOTH: IpFeatures = IpFeatures {
        inet: true,
        inet6: true,
    };
}

impl Parsed {
    /// Leave out the family the kernel lacks, as the newest rc.subr does:
    /// its `ip4`/`ip6` parameter and addresses are dropped.  Returns one
    /// warning per family whose addresses (or grant) are ignored.
    pub fn drop_missing_families(&mut self, f: IpFeatures) -> Vec<String> {
        let mut warnings = Vec::new();
        let p = &mut self.params;
        if !f.inet && p.ip4 != JailSys::Disable {
            let addrs = std::mem::take(&mut p.ip4_addrs);
            p.ip4 = JailSys::Disable;
            warnings.push(missing_family("IPv4", "inet", &addrs));
        }
        if !f.inet6 && p.ip6 != JailSys::Disable {
            let addrs = std::mem::take(&mut p.ip6_addrs);
            p.ip6 = JailSys::Disable;
            warnings.push(missing_family("IPv6", "inet6", &addrs));
        }
        warnings
    }
}

fn missing_family<T: fmt::Display>(fam: &str, feature: &str, addrs: &[T]) -> String {
    let what = if addrs.is_empty() {
        format!("{fam} is not granted")
    } else {
        format!("{fam} addresses {} are ignored", join(addrs))
    };
    format!("the kernel has no {fam} (kern.features.{feature} is absent): {what}")
}

/// `word` with its control characters escaped (`\u{1b}`), so that a
/// message quoting an rc.conf value cannot drive the admin's terminal.
/// Other characters, including non-ASCII ones, are kept as they are.
pub fn printable(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Parse an address list (`<name>_svcj_ipaddrs`): words separated by
/// white space; a word containing `:` is IPv6, any other IPv4.  Each
/// family's list is in rc.subr's order, the *reverse* of the input (rc.subr
/// prepends each address), so the last address listed is the primary one
/// (`ip[0]`; the kernel sorts the others).  A repeated address is kept
/// once, where it would be first in that order.
pub fn parse_addrs(list: &str) -> Result<(Vec<Ipv4Addr>, Vec<Ipv6Addr>)> {
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for word in list.split_whitespace().rev() {
        let bad = |reason: &str| Error::BadAddress {
            addr: word.to_string(),
            reason: reason.to_string(),
        };
        if word.contains('/') {
            return Err(bad(
                "a prefix length is not allowed here; give the bare address",
            ));
        }
        if word.contains('|') {
            return Err(bad(
                "interface|address is not supported for service jails; give the bare address",
            ));
        }
        if word.contains(':') {
            let a: Ipv6Addr = word
                .parse()
                .map_err(|_| bad("not an IPv6 address (e.g. 2001:db8::1)"))?;
            if a.is_unspecified() {
                return Err(bad("the unspecified address :: cannot be assigned"));
            }
            if !v6.contains(&a) {
                v6.push(a);
            }
        } else {
            let a: Ipv4Addr = word
                .parse()
                .map_err(|_| bad("not an IPv4 address (e.g. 192.0.2.1)"))?;
            if a.is_unspecified() || a.is_broadcast() {
                return Err(bad("0.0.0.0 and 255.255.255.255 cannot be assigned"));
            }
            if !v4.contains(&a) {
                v4.push(a);
            }
        }
    }
    Ok((v4, v6))
}

/// Parse an options word list and an address list into jail parameters,
/// with rc.subr's runtime semantics (unknown words are collected in
/// [`Parsed::unknown`], not rejected).
pub fn parse(options: &str, addrs: &str) -> Result<Parsed> {
    let (v4, v6) = parse_addrs(addrs)?;
    let mut opts = BTreeSet::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut sysv_words = 0;
    for word in options.split_whitespace() {
        match SvcjOption::from_word(word) {
            Some(o) => {
                if matches!(o, SvcjOption::Sysvipc | SvcjOption::Sysvipcnew) {
                    sysv_words += 1;
                }
                opts.insert(o);
            }
            None => {
                if !unknown.iter().any(|u| u == word) {
                    unknown.push(word.to_string());
                }
            }
        }
    }
    // rc.subr counts every SysV word: `sysvipc sysvipc` is as much an
    // error as `sysvipc sysvipcnew`.
    if sysv_words > 1 {
        return Err(Error::SysvipcConflict {
            options: options.split_whitespace().collect::<Vec<_>>().join(" "),
        });
    }

    // rc.subr's one `_svcj_ip` for both families: `new` as soon as any
    // address is given (a family without addresses then has none).
    let fam = if v4.is_empty() && v6.is_empty() {
        JailSys::Inherit
    } else {
        JailSys::New
    };
    let (fam4, fam6) = (fam, fam);
    let mut p = JailParams::default();
    let (mut want4, mut want6) = (false, false);
    for o in &opts {
        match o {
            SvcjOption::Mlock => {
                p.allow.insert(Allow::Mlock);
            }
            SvcjOption::Netv4 => {
                want4 = true;
                p.allow.insert(Allow::ReservedPorts);
            }
            SvcjOption::Netv6 => {
                want6 = true;
                p.allow.insert(Allow::ReservedPorts);
            }
            SvcjOption::NetBasic => {
                want4 = true;
                want6 = true;
                p.allow.insert(Allow::ReservedPorts);
            }
            SvcjOption::NetRaw => {
                p.allow.insert(Allow::RawSockets);
            }
            SvcjOption::NetAll => {
                want4 = true;
                want6 = true;
                p.allow.insert(Allow::SocketAf);
                p.allow.insert(Allow::RawSockets);
                p.allow.insert(Allow::ReservedPorts);
            }
            SvcjOption::Nfsd => {
                p.allow.insert(Allow::Nfsd);
                p.enforce_statfs = Some(1);
            }
            SvcjOption::Routing => {
                p.allow.insert(Allow::Routing);
            }
            SvcjOption::Settime => {
                p.allow.insert(Allow::Settime);
            }
            SvcjOption::Setaudit => {
                p.allow.insert(Allow::Setaudit);
            }
            SvcjOption::Sysvipc => p.sysvipc = JailSys::Inherit,
            SvcjOption::Sysvipcnew => p.sysvipc = JailSys::New,
            SvcjOption::Vmm => {
                p.allow.insert(Allow::Vmm);
            }
        }
    }
    let mut unused = Vec::new();
    if want4 {
        p.ip4 = fam4;
        p.ip4_addrs = v4;
    } else {
        unused.extend(v4.into_iter().map(IpAddr::V4));
    }
    if want6 {
        p.ip6 = fam6;
        p.ip6_addrs = v6;
    } else {
        unused.extend(v6.into_iter().map(IpAddr::V6));
    }
    Ok(Parsed {
        params: p,
        options: opts,
        unknown,
        unused_addrs: unused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option words of the jail(8) list, without the generic ones.
    fn words(options: &str, addrs: &str) -> Vec<String> {
        parse(options, addrs).unwrap().params.jail_words()[3..].to_vec()
    }

    fn set(v: &[&str]) -> BTreeSet<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn wset(options: &str, addrs: &str) -> BTreeSet<String> {
        words(options, addrs).into_iter().collect()
    }

    #[test]
    fn generic_parameters_always_first() {
        let w = parse("", "").unwrap().params.jail_words();
        assert_eq!(w, vec!["path=/", "mount.nodevfs", "host=inherit"]);
    }

    #[test]
    fn no_options_no_network_no_ipc_no_allow() {
        let p = parse("", "").unwrap().params;
        assert_eq!(p.ip4, JailSys::Disable);
        assert_eq!(p.ip6, JailSys::Disable);
        assert_eq!(p.sysvipc, JailSys::Disable);
        assert!(p.allow.is_empty());
        assert!(!p.has_network());
        assert_eq!(p.exposure(), Exposure::None);
    }

    #[test]
    fn every_row_of_the_table() {
        let table: [(&str, &[&str]); 13] = [
            ("mlock", &["allow.mlock"]),
            ("netv4", &["ip4=inherit", "allow.reserved_ports"]),
            ("netv6", &["ip6=inherit", "allow.reserved_ports"]),
            (
                "net_basic",
                &["ip4=inherit", "ip6=inherit", "allow.reserved_ports"],
            ),
            ("net_raw", &["allow.raw_sockets"]),
            (
                "net_all",
                &[
                    "allow.socket_af",
                    "allow.raw_sockets",
                    "allow.reserved_ports",
                    "ip4=inherit",
                    "ip6=inherit",
                ],
            ),
            ("nfsd", &["allow.nfsd", "enforce_statfs=1"]),
            ("routing", &["allow.routing"]),
            ("settime", &["allow.settime"]),
            ("setaudit", &["allow.setaudit"]),
            (
                "sysvipc",
                &["sysvmsg=inherit", "sysvsem=inherit", "sysvshm=inherit"],
            ),
            ("sysvipcnew", &["sysvmsg=new", "sysvsem=new", "sysvshm=new"]),
            ("vmm", &["allow.vmm"]),
        ];
        for (opt, want) in table {
            assert_eq!(wset(opt, ""), set(want), "option {opt}");
            assert_eq!(words(opt, "").len(), want.len(), "option {opt}: no dups");
        }
        // The table covers the whole vocabulary.
        assert_eq!(SvcjOption::ALL.len(), table.len());
        for o in SvcjOption::ALL {
            assert!(table.iter().any(|(w, _)| *w == o.word()));
        }
    }

    #[test]
    fn stable_order() {
        assert_eq!(
            words("vmm net_all sysvipcnew nfsd", ""),
            vec![
                "ip4=inherit",
                "ip6=inherit",
                "sysvmsg=new",
                "sysvsem=new",
                "sysvshm=new",
                "enforce_statfs=1",
                "allow.nfsd",
                "allow.raw_sockets",
                "allow.reserved_ports",
                "allow.socket_af",
                "allow.vmm",
            ]
        );
    }

    #[test]
    fn duplicates_are_harmless() {
        assert_eq!(
            words("net_basic netv4 netv6 net_basic", ""),
            words("net_basic", "")
        );
        assert_eq!(words("mlock mlock", ""), vec!["allow.mlock"]);
    }

    #[test]
    fn a_repeated_sysv_word_is_the_conflict_error() {
        // rc.subr counts each SysV word.
        for o in ["sysvipc sysvipc", "sysvipcnew net_basic sysvipcnew"] {
            let e = parse(o, "").unwrap_err();
            assert!(matches!(e, Error::SysvipcConflict { .. }), "{o}: {e}");
            assert!(e.to_string().contains(o), "{e}");
        }
        assert!(parse("sysvipc", "").is_ok());
    }

    #[test]
    fn sysvipc_conflict() {
        let e = parse("sysvipc net_basic sysvipcnew", "").unwrap_err();
        assert!(
            e.to_string().contains("more than one sysvipc option"),
            "{e}"
        );
        assert!(
            e.to_string().contains("sysvipc net_basic sysvipcnew"),
            "{e}"
        );
        assert_eq!(e.exit_code(), 65);
    }

    #[test]
    fn unknown_words_are_printed_without_control_characters() {
        let p = parse("net_basic ev\u{1b}[2Jil caf\u{e9}", "").unwrap();
        assert_eq!(
            p.unknown_messages("foo"),
            vec![
                "foo: unknown service jail option: ev\\u{1b}[2Jil",
                "foo: unknown service jail option: caf\u{e9}"
            ]
        );
        let e = p.strict().unwrap_err();
        assert_eq!(e.to_string(), "unknown service jail option: ev\\u{1b}[2Jil");
    }

    #[test]
    fn unknown_words_are_reported_and_ignored() {
        let p = parse("net_basic nosuchoption Net_Basic nosuchoption", "").unwrap();
        assert_eq!(p.unknown, vec!["nosuchoption", "Net_Basic"]);
        assert_eq!(p.params, parse("net_basic", "").unwrap().params);
        assert_eq!(
            p.unknown_messages("foo"),
            vec![
                "foo: unknown service jail option: nosuchoption",
                "foo: unknown service jail option: Net_Basic"
            ]
        );
        let e = p.strict().unwrap_err();
        assert_eq!(e.to_string(), "unknown service jail option: nosuchoption");
    }

    #[test]
    fn any_address_makes_both_families_new() {
        // rc.subr's one `_svcj_ip`: an IPv4 address alone leaves the jail
        // without IPv6 (ip6=new, no ip6.addr), never ip6=inherit.
        assert_eq!(
            words("net_basic", "192.0.2.1"),
            vec![
                "ip4=new",
                "ip4.addr=192.0.2.1",
                "ip6=new",
                "allow.reserved_ports"
            ]
        );
        assert_eq!(
            wset("netv4", "192.0.2.1 192.0.2.2"),
            set(&[
                "ip4=new",
                "ip4.addr=192.0.2.2,192.0.2.1",
                "allow.reserved_ports"
            ])
        );
        assert_eq!(
            wset("net_basic", "2001:db8::1 192.0.2.1"),
            set(&[
                "ip4=new",
                "ip4.addr=192.0.2.1",
                "ip6=new",
                "ip6.addr=2001:db8::1",
                "allow.reserved_ports"
            ])
        );
        assert_eq!(
            wset("net_all", "::1"),
            set(&[
                "ip4=new",
                "ip6=new",
                "ip6.addr=::1",
                "allow.reserved_ports",
                "allow.raw_sockets",
                "allow.socket_af"
            ])
        );
        // An IPv6 address with netv4 only: IPv4 becomes new without
        // addresses (no IPv4 at all), the IPv6 address is unused.
        let p = parse("netv4", "2001:db8::1").unwrap();
        assert_eq!(p.params.ip4, JailSys::New);
        assert!(p.params.ip4_addrs.is_empty());
        assert_eq!(p.params.ip6, JailSys::Disable);
    }

    #[test]
    fn last_address_listed_is_the_primary() {
        // rc.subr prepends each address, so the last one becomes ip[0].
        let p = parse("net_basic", "192.0.2.1 2001:db8::1 192.0.2.2 2001:db8::2")
            .unwrap()
            .params;
        assert_eq!(
            p.ip4_addrs,
            vec![
                "192.0.2.2".parse::<Ipv4Addr>().unwrap(),
                "192.0.2.1".parse().unwrap()
            ]
        );
        assert_eq!(p.ip6_addrs[0], "2001:db8::2".parse::<Ipv6Addr>().unwrap());
    }

    #[test]
    fn a_family_the_kernel_lacks_is_left_out() {
        let mut p = parse("net_basic", "192.0.2.1 2001:db8::1").unwrap();
        let w = p.drop_missing_families(IpFeatures {
            inet: true,
            inet6: false,
        });
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("kern.features.inet6"), "{w:?}");
        assert!(w[0].contains("2001:db8::1 are ignored"), "{w:?}");
        assert_eq!(p.params.ip6, JailSys::Disable);
        assert!(p.params.ip6_addrs.is_empty());
        assert_eq!(p.params.ip4_addrs.len(), 1);
        assert_eq!(
            p.params.jail_words()[3..].to_vec(),
            vec!["ip4=new", "ip4.addr=192.0.2.1", "allow.reserved_ports"]
        );
        let mut p = parse("net_basic", "").unwrap();
        let w = p.drop_missing_families(IpFeatures {
            inet: false,
            inet6: true,
        });
        assert_eq!(p.params.ip4, JailSys::Disable);
        assert_eq!(p.params.ip6, JailSys::Inherit);
        assert!(w[0].contains("IPv4 is not granted"), "{w:?}");
        let mut p = parse("mlock", "").unwrap();
        assert!(p
            .drop_missing_families(IpFeatures {
                inet: false,
                inet6: false
            })
            .is_empty());
        let before = parse("net_all", "192.0.2.1").unwrap();
        let mut after = before.clone();
        assert!(after.drop_missing_families(IpFeatures::BOTH).is_empty());
        assert_eq!(before, after);
    }

    #[test]
    fn addresses_without_their_family_are_unused() {
        let p = parse("netv4", "2001:db8::1 192.0.2.1").unwrap();
        assert_eq!(p.params.ip6, JailSys::Disable);
        assert_eq!(
            p.unused_addrs,
            vec!["2001:db8::1".parse::<IpAddr>().unwrap()]
        );
        let p = parse("", "192.0.2.1").unwrap();
        assert!(!p.params.has_network());
        assert_eq!(p.unused_addrs.len(), 1);
    }

    #[test]
    fn duplicate_addresses_collapse() {
        assert_eq!(
            wset("netv4", "192.0.2.1 192.0.2.1"),
            set(&["ip4=new", "ip4.addr=192.0.2.1", "allow.reserved_ports"])
        );
        // Kept where the last occurrence puts it: first.
        assert_eq!(
            wset("netv4", "192.0.2.1 192.0.2.2 192.0.2.1"),
            set(&[
                "ip4=new",
                "ip4.addr=192.0.2.1,192.0.2.2",
                "allow.reserved_ports"
            ])
        );
    }

    #[test]
    fn bad_addresses() {
        for (a, hint) in [
            ("300.1.1.1", "IPv4"),
            ("192.0.2", "IPv4"),
            ("localhost", "IPv4"),
            ("2001:db8::zz", "IPv6"),
            ("192.0.2.1/24", "prefix"),
            ("em0|192.0.2.1", "interface"),
            ("0.0.0.0", "cannot be assigned"),
            ("::", "cannot be assigned"),
            ("$(id)", "IPv4"),
            ("1.2.3.4;reboot", "IPv4"),
        ] {
            let e = parse("net_basic", a).unwrap_err();
            let t = e.to_string();
            assert!(t.contains(hint), "{a}: {t}");
            assert!(t.contains(a), "{a}: {t}");
            assert_eq!(e.exit_code(), 65);
        }
    }

    #[test]
    fn exposure_levels() {
        assert_eq!(
            parse("netv4", "").unwrap().params.exposure(),
            Exposure::Network
        );
        assert_eq!(
            parse("netv4 net_raw", "").unwrap().params.exposure(),
            Exposure::RawSockets
        );
        assert_eq!(
            parse("net_raw", "").unwrap().params.exposure(),
            Exposure::None
        );
        assert_eq!(
            parse("net_all", "").unwrap().params.exposure(),
            Exposure::AllSockets
        );
    }

    #[test]
    fn jailsys_integers() {
        assert_eq!(JailSys::Disable.as_int(), 0);
        assert_eq!(JailSys::New.as_int(), 1);
        assert_eq!(JailSys::Inherit.as_int(), 2);
        assert_eq!("inherit".parse::<JailSys>(), Ok(JailSys::Inherit));
    }

    #[test]
    fn allow_names_round_trip() {
        for a in Allow::ALL {
            assert_eq!(Allow::from_param(a.param()), Some(a));
        }
    }
}
