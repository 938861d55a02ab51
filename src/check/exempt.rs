//! Services that stay on the host although rc.conf would jail them.
//!
//! The rule the shims apply at run time (`rc.subr.d/svcj-tools.sh`,
//! `_svcjt_base_optout` and `_svcjt_nojail_exempt`), as pure logic, so
//! that `svcj-check audit` reports the same decision and says why:
//!
//! * **Base opt-out.**  The newest FreeBSD base rc.d scripts that cannot
//!   work in a service jail (mounting, kernel modules, interfaces,
//!   sysctls, the clock, …) set `${name}_svcj="NO"` after
//!   `load_rc_config`, which also overrides an admin's YES.  Releases
//!   before those lines (12.x to 14.1) would jail them under
//!   `svcj_all_enable`; the shims apply the newest base's list by name,
//!   to scripts in `/etc/rc.d` only, on every rc.subr.
//! * **nojail keyword** (beyond base, for safety).  Under
//!   `svcj_all_enable` only (the service's own `${name}_svcj` decides
//!   when it is set), a script that declares `# KEYWORD: nojail` and no
//!   default `${name}_svcj_options` stays on the host.  A nojail script
//!   that declares default options (base's lockd, nfscbd) was written to
//!   run jailed and stays jailable.

use serde::Serialize;
use std::fmt;

/// The base `/etc/rc.d` scripts that the newest base opts out of service
/// jails.  Keep in step with `_svcjt_base_optout` in
/// `rc.subr.d/svcj-tools.sh`.
pub const BASE_OPT_OUTS: &[&str] = &[
    "accounting",
    "addswap",
    "adjkerntz",
    "apm",
    "archdep",
    "automount",
    "automountd",
    "autounmountd",
    "bgfsck",
    "bluetooth",
    "bridge",
    "bthidd",
    "ccd",
    "cfumass",
    "ctld",
    "ddb",
    "defaultroute",
    "devd",
    "devfs",
    "devmatch",
    "dmesg",
    "dnctl",
    "dumpon",
    "fsck",
    "gbde",
    "geli",
    "geli2",
    "ggated",
    "gptboot",
    "growfs",
    "growfs_fstab",
    "hcsecd",
    "hostid",
    "hostid_save",
    "hostname",
    "iovctl",
    "ip6addrctl",
    "ipfilter",
    "ipfs",
    "ipfw",
    "ipfw_netflow",
    "ipnat",
    "ippool",
    "ipsec",
    "iscsictl",
    "iscsid",
    "jail",
    "kld",
    "kldxref",
    "ldconfig",
    "linux",
    "localpkg",
    "mdconfig",
    "mdconfig2",
    "mountcritlocal",
    "mountcritremote",
    "mountlate",
    "moused",
    "natd",
    "netif",
    "netoptions",
    "netwait",
    "pf",
    "pflog",
    "pfsync",
    "power_profile",
    "powerd",
    "random",
    "root",
    "routing",
    "savecore",
    "securelevel",
    "serial",
    "sppp",
    "static_arp",
    "static_ndp",
    "stf",
    "swap",
    "swaplate",
    "syscons",
    "sysctl",
    "sysctl_lastload",
    "sysvipc",
    "ubthidhci",
    "ugidfw",
    "watchdogd",
    "zfs",
    "zfsbe",
    "zfsd",
    "zfskeys",
    "zpool",
    "zvol",
];

/// Why a service that rc.conf would jail stays on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exemption {
    /// A base `/etc/rc.d` script the newest base opts out.
    BaseOptOut,
    /// `# KEYWORD: nojail` without default options, under
    /// `svcj_all_enable`.
    NojailKeyword,
}

impl fmt::Display for Exemption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Exemption::BaseOptOut => {
                "the newest FreeBSD base opts this /etc/rc.d script out of \
                 service jails (its ${name}_svcj=\"NO\" line); svcj-tools \
                 applies that on every release"
            }
            Exemption::NojailKeyword => {
                "the script declares `# KEYWORD: nojail` and no default \
                 service jail options, so svcj_all_enable does not jail it"
            }
        })
    }
}

/// What the decision needs to know about one service.
#[derive(Debug, Clone, Copy)]
pub struct Service<'a> {
    /// `name=` of the script.
    pub name: &'a str,
    /// Host path of the script.
    pub script: &'a str,
    /// The script's text.
    pub text: &'a str,
    /// True when `${name}_svcj` is set (non-empty): the service's own
    /// value decided, not `svcj_all_enable`.
    pub own_value: bool,
}

/// Is `script` a base rc.d script the newest base opts out?
pub fn is_base_opt_out(name: &str, script: &str) -> bool {
    script.starts_with("/etc/rc.d/") && BASE_OPT_OUTS.contains(&name)
}

/// Does the text declare `# KEYWORD: nojail` (the exact word; not
/// `nojailvnet`)?
pub fn declares_nojail(text: &str) -> bool {
    text.lines().any(|l| {
        let Some(rest) = l.strip_prefix('#') else {
            return false;
        };
        let Some(words) = rest.trim_start().strip_prefix("KEYWORD:") else {
            return false;
        };
        words.split_whitespace().any(|w| w == "nojail")
    })
}

/// Does the text assign `${name}_svcj_options` (literally, or as
/// `${name}_svcj_options`) outside a comment: a default the script
/// declares, such as `: ${lockd_svcj_options:="net_basic"}`?
pub fn declares_default_options(text: &str, name: &str) -> bool {
    let literal = format!("{name}_svcj_options");
    text.lines().any(|l| {
        let code = l.split('#').next().unwrap_or("");
        [literal.as_str(), "${name}_svcj_options"].iter().any(|v| {
            code.match_indices(v).any(|(i, _)| {
                let after = &code[i + v.len()..];
                let word_start = i == 0 || {
                    let c = code[..i].chars().next_back().unwrap_or(' ');
                    !(c.is_ascii_alphanumeric() || c == '_')
                };
                word_start && (after.starts_with('=') || after.starts_with(":="))
            })
        })
    })
}

/// The exemption that keeps `svc` on the host, if any, for a service that
/// rc.conf would jail.
pub fn exemption(svc: &Service<'_>) -> Option<Exemption> {
    if is_base_opt_out(svc.name, svc.script) {
        return Some(Exemption::BaseOptOut);
    }
    if !svc.own_value && declares_nojail(svc.text) && !declares_default_options(svc.text, svc.name)
    {
        return Some(Exemption::NojailKeyword);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc<'a>(name: &'a str, script: &'a str, text: &'a str, own: bool) -> Service<'a> {
        Service {
            name,
            script,
            text,
            own_value: own,
        }
    }

    #[test]
    fn base_opt_out_only_in_etc_rc_d_and_over_yes() {
        let t = "# PROVIDE: root\n";
        assert_eq!(
            exemption(&svc("root", "/etc/rc.d/root", t, true)),
            Some(Exemption::BaseOptOut)
        );
        assert_eq!(
            exemption(&svc("ldconfig", "/etc/rc.d/ldconfig", t, false)),
            Some(Exemption::BaseOptOut)
        );
        assert_eq!(
            exemption(&svc("root", "/usr/local/etc/rc.d/root", t, false)),
            None
        );
        assert_eq!(exemption(&svc("sshd", "/etc/rc.d/sshd", t, false)), None);
    }

    #[test]
    fn nojail_only_under_all_enable_and_without_defaults() {
        let nj = "# PROVIDE: x\n# KEYWORD: nojail shutdown\nname=x\n";
        let p = "/usr/local/etc/rc.d/x";
        assert_eq!(
            exemption(&svc("x", p, nj, false)),
            Some(Exemption::NojailKeyword)
        );
        // The service's own YES wins.
        assert_eq!(exemption(&svc("x", p, nj, true)), None);
        // Declared default options (base's lockd): jailable.
        let lockd = "# KEYWORD: nojail\n: ${x_svcj_options:=\"net_basic\"}\n";
        assert_eq!(exemption(&svc("x", p, lockd, false)), None);
        let generic = "# KEYWORD: nojail\n${name}_svcj_options=\"net_basic\"\n";
        assert_eq!(exemption(&svc("x", p, generic, false)), None);
        // Another keyword, a commented or unrelated assignment.
        assert_eq!(
            exemption(&svc("x", p, "# KEYWORD: nojailvnet\n", false)),
            None
        );
        let commented = "# KEYWORD: nojail\n# x_svcj_options=net_basic\nyx_svcj_options=a\n";
        assert_eq!(
            exemption(&svc("x", p, commented, false)),
            Some(Exemption::NojailKeyword)
        );
    }

    #[test]
    fn keyword_parsing() {
        assert!(declares_nojail("#KEYWORD: shutdown nojail"));
        assert!(!declares_nojail("# PROVIDE: nojail"));
        assert!(!declares_nojail("echo '# KEYWORD: nojail'"));
    }

    #[test]
    fn list_is_sorted_and_matches_the_hook() {
        let mut sorted = BASE_OPT_OUTS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, BASE_OPT_OUTS);
        let hook = include_str!("../../rc.subr.d/svcj-tools.sh");
        let start = hook
            .find("_svcjt_base_optout()\n{")
            .expect("_svcjt_base_optout in the hook");
        let body = &hook[start..];
        let body = &body[body.find("case \"$name\" in").unwrap() + 16..];
        let pattern: String = body[..body.find(")\n").unwrap()]
            .replace("\\\n", "")
            .split_whitespace()
            .collect();
        let words: Vec<&str> = pattern.split('|').collect();
        assert_eq!(words, BASE_OPT_OUTS);
    }
}
