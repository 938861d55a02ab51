//! `svcj-check status`: the service jails running on this host.
//!
//! Works through [`Platform`] only, so the same code lists FreeBSD jails,
//! Linux registry entries and the fake's jails in unit tests.  Only
//! service jails (`svcj-…`) are shown: an admin's full jails are not ours
//! to report on.

use crate::error::{Error, Result};
use crate::name::{JailName, JailRef, ServiceName, JAIL_PREFIX};
use crate::options::JailSys;
use crate::platform::{JailInfo, Platform};
use serde::Serialize;
use serde_json::json;

/// One service jail.
#[derive(Debug, Clone, Serialize)]
pub struct JailStatus {
    /// Jail name (`svcj-foo`).
    pub name: String,
    /// Service name (`foo`).
    pub service: String,
    /// Jail ID.
    pub jid: i32,
    /// Number of processes, `None` when they could not be counted.
    pub processes: Option<usize>,
    /// True when the jail has IPv4 or IPv6.
    pub network: bool,
    /// `ip4` mode.
    pub ip4: JailSys,
    /// `ip6` mode.
    pub ip6: JailSys,
    /// `ip4.addr` and `ip6.addr`.
    pub addresses: Vec<String>,
    /// SysV IPC mode.
    pub ipc: JailSys,
    /// Every `allow.*` the jail holds that an option can grant.
    pub allow: Vec<String>,
    /// The `allow.*` an option granted: [`JailStatus::allow`] without the
    /// kernel's defaults.
    pub granted: Vec<String>,
    /// The `allow.*` the jail holds because the kernel gives them to every
    /// new jail (FreeBSD: `allow.reserved_ports`,
    /// `allow.unprivileged_proc_debug`, `allow.suser`, as far as the
    /// parent has them), not because of an option.
    pub default_allow: Vec<String>,
    /// Resource usage and limits (`<name>_svcj_rctl`), where the backend
    /// can read them.
    pub usage: Option<crate::platform::Usage>,
}

/// All service jails, or the one asked for.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// The jails, by name.
    pub jails: Vec<JailStatus>,
}

/// Turn a command-line NAME (`foo` or `svcj-foo`) into a jail name.
pub fn jail_name_of(arg: &str) -> Result<JailName> {
    if arg.starts_with(JAIL_PREFIX) {
        JailName::parse(arg, false)
    } else {
        Ok(ServiceName::new(arg)?.jail_name())
    }
}

fn describe(p: &dyn Platform, info: &JailInfo) -> JailStatus {
    let params = &info.params;
    let default_allow = p.default_allow(info).unwrap_or_default();
    let allow: Vec<String> = params.allow.iter().map(|a| a.param().to_string()).collect();
    let granted = allow
        .iter()
        .filter(|a| !default_allow.contains(a))
        .cloned()
        .collect();
    let mut addresses: Vec<String> = params.ip4_addrs.iter().map(|a| a.to_string()).collect();
    addresses.extend(params.ip6_addrs.iter().map(|a| a.to_string()));
    JailStatus {
        name: info.name.clone(),
        service: info
            .name
            .strip_prefix(JAIL_PREFIX)
            .unwrap_or(&info.name)
            .to_string(),
        jid: info.jid,
        processes: match p.members(info) {
            Ok(m) => {
                log::debug!("{} (jid {}): {} processes", info.name, info.jid, m.len());
                Some(m.len())
            }
            Err(e) => {
                log::debug!("{}: cannot list its processes: {e}", info.name);
                None
            }
        },
        network: params.has_network(),
        ip4: params.ip4,
        ip6: params.ip6,
        addresses,
        ipc: params.sysvipc,
        allow,
        granted,
        default_allow,
        usage: p.usage(info).unwrap_or_else(|e| {
            log::debug!("{}: cannot read its usage: {e}", info.name);
            None
        }),
    }
}

fn unreadable(p: &dyn Platform, e: Error) -> Error {
    log::debug!("{} backend: listing jails failed: {e}", p.name());
    if p.privileged() {
        e
    } else {
        Error::NotRoot(format!(
            "cannot list service jails ({e}); the {} backend needs root to read them",
            p.name()
        ))
    }
}

/// Refuse to report when a non-root caller cannot read the Linux registry
/// directory `dir`: an empty listing would then be a lie.  (The registry
/// is root's, mode 0700; a missing directory just means no jails.)
pub fn check_registry_readable(dir: &std::path::Path, root: bool) -> Result<()> {
    if root || !dir.exists() {
        return Ok(());
    }
    match std::fs::read_dir(dir) {
        Ok(_) => Ok(()),
        Err(e) => {
            log::debug!("registry {}: read_dir failed: {e}", dir.display());
            Err(Error::NotRoot(format!(
                "cannot read the service jail registry {} ({e})",
                dir.display()
            )))
        }
    }
}

/// The status of every service jail, or of `name` only (`NoSuchJail` if
/// it is not running).
pub fn status(p: &dyn Platform, name: Option<&str>) -> Result<StatusReport> {
    let infos = match name {
        Some(n) => {
            let jn = jail_name_of(n)?;
            log::debug!("{} backend: looking up {jn}", p.name());
            match p.lookup(&JailRef::Name(jn.clone())) {
                Ok(Some(i)) => vec![i],
                Ok(None) => {
                    return Err(Error::NoSuchJail(format!(
                        "{jn} (service {} is not running in a service jail)",
                        jn.service().unwrap_or(n)
                    )))
                }
                Err(e) => return Err(unreadable(p, e)),
            }
        }
        None => {
            log::debug!("{} backend: listing jails", p.name());
            p.list().map_err(|e| unreadable(p, e))?
        }
    };
    log::debug!(
        "found {} jails: {}",
        infos.len(),
        infos
            .iter()
            .map(|i| format!("{}={}", i.jid, i.name))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut jails: Vec<JailStatus> = infos
        .iter()
        .filter(|i| i.name.starts_with(JAIL_PREFIX))
        .map(|i| describe(p, i))
        .collect();
    jails.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(StatusReport { jails })
}

fn net_text(j: &JailStatus) -> String {
    let fam = |n: &str, m: JailSys| match m {
        JailSys::Disable => None,
        JailSys::Inherit => Some(n.to_string()),
        JailSys::New => Some(format!("{n}/new")),
    };
    let v: Vec<String> = [fam("ip4", j.ip4), fam("ip6", j.ip6)]
        .into_iter()
        .flatten()
        .collect();
    if v.is_empty() {
        "no".into()
    } else {
        v.join(",")
    }
}

fn ipc_text(m: JailSys) -> &'static str {
    match m {
        JailSys::Disable => "none",
        JailSys::New => "new",
        JailSys::Inherit => "host",
    }
}

impl StatusReport {
    /// The human rendering: a table within 80 columns.
    pub fn render_text(&self) -> String {
        if self.jails.is_empty() {
            return "no service jails are running\n".into();
        }
        let namew = self
            .jails
            .iter()
            .map(|j| j.name.len())
            .max()
            .unwrap_or(4)
            .clamp(4, 28);
        let mut out = format!(
            "{:<namew$} {:>6} {:>5} {:<15} {:<4} ALLOW\n",
            "JAIL", "JID", "PROCS", "NETWORK", "IPC"
        );
        let allow_col = namew + 1 + 6 + 1 + 5 + 1 + 15 + 1 + 4 + 1;
        for j in &self.jails {
            let procs = j
                .processes
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into());
            let name = if j.name.len() > namew {
                // A very long name gets its own line; the row follows.
                out.push_str(&j.name);
                out.push('\n');
                String::new()
            } else {
                j.name.clone()
            };
            let head = format!(
                "{:<namew$} {:>6} {:>5} {:<15} {:<4}",
                name,
                j.jid,
                procs,
                net_text(j),
                ipc_text(j.ipc)
            );
            let allow: Vec<&str> = j
                .granted
                .iter()
                .map(|a| a.strip_prefix("allow.").unwrap_or(a))
                .collect();
            if allow.is_empty() {
                out.push_str(&format!("{head} -\n"));
            } else {
                out.push_str(&super::wrap_words(&format!("{head} "), &allow, allow_col));
            }
            if !j.addresses.is_empty() {
                out.push_str(&super::wrap_words("  addresses:", &j.addresses, 4));
            }
            if let Some(u) = &j.usage {
                out.push_str(&crate::rctl::render_usage(u));
            }
            if !j.default_allow.is_empty() {
                let d: Vec<&str> = j
                    .default_allow
                    .iter()
                    .map(|a| a.strip_prefix("allow.").unwrap_or(a))
                    .collect();
                out.push_str(&super::wrap_words("  kernel defaults:", &d, 4));
            }
        }
        out
    }

    /// The JSON document.
    pub fn to_json(&self) -> serde_json::Value {
        json!({ "jails": self.jails })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::fake::Fake;
    use crate::platform::RunSpec;

    fn create(f: &Fake, name: &str, opts: &str, addrs: &str) {
        let p = crate::options::parse(opts, addrs).unwrap().params;
        let jn = ServiceName::new(name).unwrap().jail_name();
        let cmd = RunSpec {
            argv: vec!["true".into()],
            console_log: None,
        };
        f.create_and_run(&jn, &p, &cmd).unwrap();
    }

    #[test]
    fn no_jails() {
        let f = Fake::new();
        let r = status(&f, None).unwrap();
        assert!(r.jails.is_empty());
        assert_eq!(r.render_text(), "no service jails are running\n");
        assert_eq!(r.to_json()["jails"], json!([]));
    }

    #[test]
    fn lists_service_jails_only() {
        let f = Fake::new();
        f.add_jail("www", 3, 0);
        f.add_jail("svcj-sshd", 2, 1);
        create(&f, "named", "net_basic sysvipcnew net_raw", "192.0.2.53");
        let r = status(&f, None).unwrap();
        let names: Vec<&str> = r.jails.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(names, vec!["svcj-named", "svcj-sshd"]);
        let sshd = &r.jails[1];
        assert_eq!(sshd.processes, Some(3));
        assert!(!sshd.network);
        assert_eq!(sshd.service, "sshd");
        let named = &r.jails[0];
        assert!(named.network);
        assert_eq!(named.ip4, JailSys::New);
        assert_eq!(named.ipc, JailSys::New);
        assert_eq!(
            named.allow,
            vec!["allow.raw_sockets", "allow.reserved_ports"]
        );
        let t = r.render_text();
        for l in t.lines() {
            assert!(l.len() <= 80, "{l:?}");
        }
        assert!(t.contains("ip4/new,ip6"), "{t}");
        assert!(t.contains("raw_sockets reserved_ports"), "{t}");
        assert!(t.contains("addresses: 192.0.2.53"), "{t}");
        let j = r.to_json();
        assert_eq!(j["jails"][0]["ipc"], "new");
        assert_eq!(j["jails"][1]["processes"], 3);
    }

    #[test]
    fn kernel_defaults_are_shown_apart_from_granted_permissions() {
        let mut f = Fake::new();
        f.default_allow = vec![
            "allow.reserved_ports".into(),
            "allow.unprivileged_proc_debug".into(),
            "allow.suser".into(),
        ];
        create(&f, "named", "net_basic net_raw", "");
        create(&f, "cron", "", "");
        let r = status(&f, None).unwrap();
        let cron = &r.jails[0];
        assert!(cron.granted.is_empty());
        assert_eq!(cron.default_allow.len(), 3);
        let named = &r.jails[1];
        assert_eq!(named.granted, vec!["allow.raw_sockets"]);
        let t = r.render_text();
        assert!(
            t.contains("  kernel defaults: reserved_ports unprivileged_proc_debug suser\n"),
            "{t}"
        );
        for l in t.lines() {
            assert!(l.len() <= 80, "{l:?}");
        }
        let cron_row = t.lines().find(|l| l.starts_with("svcj-cron")).unwrap();
        assert!(cron_row.ends_with(" -"), "no option granted anything: {t}");
        let j = r.to_json();
        assert_eq!(j["jails"][1]["granted"], json!(["allow.raw_sockets"]));
        assert_eq!(j["jails"][0]["default_allow"][2], "allow.suser");
    }

    #[test]
    fn by_name() {
        let f = Fake::new();
        f.add_jail("svcj-sshd", 1, 0);
        assert_eq!(status(&f, Some("sshd")).unwrap().jails.len(), 1);
        assert_eq!(status(&f, Some("svcj-sshd")).unwrap().jails.len(), 1);
        let e = status(&f, Some("ntpd")).unwrap_err();
        assert_eq!(e.exit_code(), 69);
        assert!(e.to_string().contains("svcj-ntpd"), "{e}");
        assert_eq!(status(&f, Some("a.b")).unwrap_err().exit_code(), 65);
    }

    #[test]
    fn registry_readability() {
        let d = std::env::temp_dir().join(format!("svcj-status-reg-{}", std::process::id()));
        assert!(
            check_registry_readable(&d, false).is_ok(),
            "missing is fine"
        );
        std::fs::create_dir_all(&d).unwrap();
        assert!(check_registry_readable(&d, false).is_ok());
        assert!(check_registry_readable(&d, true).is_ok());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn long_names_stay_in_80_columns() {
        let f = Fake::new();
        let long = format!("svcj-{}", "x".repeat(60));
        f.add_jail(&long, 1, 0);
        let t = status(&f, None).unwrap().render_text();
        assert!(t.contains(&long));
        for l in t.lines() {
            assert!(l.len() <= 80 || l == long, "{l:?}");
        }
    }
}
