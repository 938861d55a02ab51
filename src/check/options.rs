//! `svcj-check options`: the port maintainer's strict check of an options
//! word list.
//!
//! At run time the shims follow rc.subr: an unknown word is reported and
//! ignored, because every option only grants and ignoring one is the
//! least-privilege outcome.  A maintainer declaring a default wants the
//! opposite — any unknown word (all of them, not only the first) and the
//! sysvipc conflict are errors here — and wants to see what the words
//! grant, both as the `jail -c` parameters and in plain words.

use crate::error::{Error, Result};
use crate::options::{self, JailParams, JailSys, SvcjOption};
use serde::Serialize;
use serde_json::json;
use std::net::IpAddr;

/// A validated options list and what it means.
#[derive(Debug, Clone, Serialize)]
pub struct OptionsReport {
    /// The recognised options, in vocabulary order.
    pub options: Vec<SvcjOption>,
    /// The parsed parameters.
    pub params: JailParams,
    /// The `jail -c` word list.
    pub words: Vec<String>,
    /// One explanation per option.
    pub explanations: Vec<(SvcjOption, String)>,
    /// Addresses that no option uses (their family is not granted).
    pub unused_addrs: Vec<IpAddr>,
    /// Where the Linux backend cannot honour the options exactly.
    pub linux_gaps: Vec<String>,
}

fn list<T: std::fmt::Display>(v: &[T]) -> String {
    v.iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn family<T: std::fmt::Display>(name: &str, mode: JailSys, addrs: &[T]) -> String {
    match (mode, addrs.split_first()) {
        (JailSys::Inherit, _) => format!("{name} inherited from the host"),
        (JailSys::New, Some((primary, []))) => format!("{name} restricted to {primary}"),
        (JailSys::New, Some((primary, rest))) => {
            format!("{name} restricted to {primary} (primary), {}", list(rest))
        }
        // Addresses of the other family only: no address of this one.
        (JailSys::New, None) => format!("no {name} (other addresses given)"),
        (JailSys::Disable, _) => format!("no {name}"),
    }
}

/// A one-line explanation of what `o` grants, given the final parameters
/// (so that addresses show up where they apply).
pub fn explain(o: SvcjOption, p: &JailParams) -> String {
    let v4 = family("IPv4", p.ip4, &p.ip4_addrs);
    let v6 = family("IPv6", p.ip6, &p.ip6_addrs);
    match o {
        SvcjOption::Mlock => "may lock memory pages (mlock(2), mlockall(2))".into(),
        SvcjOption::Netv4 => format!("{v4}, reserved ports allowed"),
        SvcjOption::Netv6 => format!("{v6}, reserved ports allowed"),
        SvcjOption::NetBasic => format!("{v4}, {v6}, reserved ports allowed"),
        SvcjOption::NetRaw => {
            "raw sockets allowed (ping, traceroute); useful only with a network option".into()
        }
        SvcjOption::NetAll => {
            format!("{v4}, {v6}, every socket family, raw sockets, reserved ports")
        }
        SvcjOption::Nfsd => "may run nfsd(8) and mountd(8); enforce_statfs=1".into(),
        SvcjOption::Routing => "may change the routing tables".into(),
        SvcjOption::Settime => "may set the system clock".into(),
        SvcjOption::Setaudit => "may change audit(4) settings of its processes".into(),
        SvcjOption::Sysvipc => {
            "SysV message queues, semaphores and shared memory of the host".into()
        }
        SvcjOption::Sysvipcnew => {
            "private SysV message queues, semaphores and shared memory".into()
        }
        SvcjOption::Vmm => "may use vmm(4), e.g. to run bhyve(8)".into(),
    }
}

/// Validate `words` (each may hold several space-separated words) and
/// `addrs` strictly.
pub fn check(words: &[String], addrs: &str) -> Result<OptionsReport> {
    let joined = words.join(" ");
    let parsed = options::parse(&joined, addrs)?;
    if !parsed.unknown.is_empty() {
        let known: Vec<&str> = SvcjOption::ALL.iter().map(|o| o.word()).collect();
        return Err(Error::UnknownOption(format!(
            "{} (known options: {})",
            parsed
                .unknown
                .iter()
                .map(|w| options::printable(w))
                .collect::<Vec<_>>()
                .join(", "),
            known.join(" ")
        )));
    }
    let explanations = parsed
        .options
        .iter()
        .map(|o| (*o, explain(*o, &parsed.params)))
        .collect();
    Ok(OptionsReport {
        options: parsed.options.iter().copied().collect(),
        words: parsed.params.jail_words(),
        explanations,
        unused_addrs: parsed.unused_addrs.clone(),
        linux_gaps: crate::platform::linux_gaps(&parsed.params),
        params: parsed.params,
    })
}

impl OptionsReport {
    /// The human rendering (80 columns).
    pub fn render_text(&self, linux: bool) -> String {
        let mut out = String::new();
        let opts: Vec<&str> = self.options.iter().map(|o| o.word()).collect();
        if opts.is_empty() {
            out.push_str("options: (none): no network, no SysV IPC, no allow.* permission\n");
        } else {
            out.push_str(&super::wrap_words("options:", &opts, 4));
        }
        out.push_str(&super::wrap_words("jail parameters:", &self.words, 4));
        let width = self
            .explanations
            .iter()
            .map(|(o, _)| o.word().len())
            .max()
            .unwrap_or(0);
        for (o, text) in &self.explanations {
            let first = format!("  {:<width$} ", o.word());
            let words: Vec<&str> = text.split(' ').collect();
            out.push_str(&super::wrap_words(&first, &words, width + 3));
        }
        out.push_str(&format!("exposure: {}\n", self.params.exposure()));
        if !self.unused_addrs.is_empty() {
            let a: Vec<String> = self.unused_addrs.iter().map(|a| a.to_string()).collect();
            out.push_str(&super::wrap_words(
                "warning: unused addresses (no option grants their family):",
                &a,
                4,
            ));
        }
        if linux && !self.linux_gaps.is_empty() {
            out.push_str("on Linux, not honoured exactly:\n");
            for g in &self.linux_gaps {
                let words: Vec<&str> = g.split(' ').collect();
                out.push_str(&super::wrap_words("  -", &words, 4));
            }
        }
        out
    }

    /// The JSON document.
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "options": self.options,
            "jail_parameters": self.words,
            "params": self.params,
            "exposure": self.params.exposure(),
            "explanations": self.explanations.iter()
                .map(|(o, t)| json!({"option": o, "text": t}))
                .collect::<Vec<_>>(),
            "unused_addresses": self.unused_addrs,
            "linux_gaps": self.linux_gaps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        vec![s.to_string()]
    }

    #[test]
    fn every_word_is_explained() {
        for o in SvcjOption::ALL {
            let r = check(&w(o.word()), "").unwrap();
            assert_eq!(r.options, vec![o]);
            assert_eq!(r.explanations.len(), 1);
            let text = r.render_text(true);
            assert!(text.contains(o.word()), "{text}");
            for l in text.lines() {
                assert!(l.len() <= 80, "{l:?}");
            }
        }
    }

    #[test]
    fn netv4_wording() {
        let r = check(&w("netv4"), "").unwrap();
        assert_eq!(
            r.explanations[0].1,
            "IPv4 inherited from the host, reserved ports allowed"
        );
        let r = check(&w("netv4"), "192.0.2.1 192.0.2.2").unwrap();
        assert_eq!(
            r.explanations[0].1,
            "IPv4 restricted to 192.0.2.2 (primary), 192.0.2.1, reserved ports allowed"
        );
        let r = check(&w("net_basic"), "192.0.2.1").unwrap();
        assert_eq!(
            r.explanations[0].1,
            "IPv4 restricted to 192.0.2.1, no IPv6 (other addresses given), \
             reserved ports allowed"
        );
    }

    #[test]
    fn every_unknown_word_is_listed() {
        let e = check(&["net_basic bogus1".into(), "bogus2".into()], "").unwrap_err();
        let t = e.to_string();
        assert!(t.contains("bogus1, bogus2"), "{t}");
        assert!(t.contains("known options: mlock"), "{t}");
        assert_eq!(e.exit_code(), 65);
    }

    #[test]
    fn conflict_is_an_error() {
        let e = check(&w("sysvipc sysvipcnew"), "").unwrap_err();
        assert!(e.to_string().contains("more than one sysvipc option"));
        assert_eq!(e.exit_code(), 65);
    }

    #[test]
    fn empty_list_grants_nothing() {
        let r = check(&[], "").unwrap();
        assert!(r.options.is_empty());
        assert_eq!(r.words, vec!["path=/", "mount.nodevfs", "host=inherit"]);
        assert!(r.render_text(false).contains("no network"));
    }

    #[test]
    fn gaps_and_unused_addresses() {
        let r = check(&w("netv4 vmm mlock"), "2001:db8::1").unwrap();
        // IPv4 without IPv6, and vmm.
        assert_eq!(r.linux_gaps.len(), 2, "{:?}", r.linux_gaps);
        assert_eq!(r.unused_addrs.len(), 1);
        let t = r.render_text(true);
        assert!(t.contains("unused"), "{t}");
        assert!(t.contains("on Linux"), "{t}");
        assert!(!r.render_text(false).contains("on Linux"));
        assert!(check(&w("net_basic"), "").unwrap().linux_gaps.is_empty());
        let j = r.to_json();
        assert_eq!(j["options"][0], "mlock");
        assert_eq!(j["exposure"], "network");
    }
}
