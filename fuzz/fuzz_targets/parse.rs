//! Fuzz target for everything svcj-tools parses from untrusted text: the
//! service name, a jail name or JID, the option word list and the address
//! list (all of which come from rc.conf or a command line).
//!
//! Beyond "no panic", it checks the properties the rest of the tree relies
//! on: a name is accepted exactly when it is a shell-identifier-like word
//! (so nothing derived from it can carry a metacharacter), every rendered
//! `jail -c` word belongs to the vocabulary, addresses round-trip, and an
//! unknown word never grants anything.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use svcj::name::{JailName, JailRef, ServiceName, JAIL_PREFIX, MAX_JAIL_NAME, MAX_SERVICE_NAME};
use svcj::options::{self, SvcjOption, GENERIC_WORDS};

#[derive(Debug, Arbitrary)]
struct Input {
    name: String,
    jail: String,
    force: bool,
    options: String,
    addrs: String,
}

fuzz_target!(|inp: Input| {
    check_service_name(&inp.name);
    check_jail_name(&inp.jail, inp.force);
    check_jail_name(&inp.name, inp.force);
    check_options(&inp.options, &inp.addrs);
});

/// What ServiceName::new must accept, stated independently of its code.
fn is_service_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SERVICE_NAME
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

fn check_service_name(s: &str) {
    match ServiceName::new(s) {
        Ok(n) => {
            assert!(is_service_name(s), "accepted bad service name {s:?}");
            assert_eq!(n.as_str(), s);
            let j = n.jail_name();
            assert_eq!(j.as_str(), format!("{JAIL_PREFIX}{s}"));
            // Everything derived from the name is itself valid.
            assert_eq!(JailName::parse(j.as_str(), false).unwrap(), j);
            assert_eq!(
                JailRef::parse(j.as_str(), false).unwrap(),
                JailRef::Name(j.clone())
            );
            assert_eq!(j.service(), Some(s));
            let log = n.console_log();
            let file = log.file_name().unwrap().to_str().unwrap();
            assert!(file.len() <= 255);
            assert_eq!(log.parent().unwrap().to_str(), Some("/var/log"));
        }
        Err(e) => {
            assert!(!is_service_name(s), "rejected good service name {s:?}: {e}");
            assert_eq!(e.exit_code(), 65);
            let msg = e.to_string();
            assert!(msg.contains(&format!("{s:?}")), "message does not name input: {msg}");
        }
    }
}

fn is_jail_name(s: &str, force: bool) -> bool {
    !s.is_empty()
        && s.len() <= MAX_JAIL_NAME
        && !s.bytes().all(|b| b.is_ascii_digit())
        && s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && (force || s.starts_with(JAIL_PREFIX))
}

fn check_jail_name(s: &str, force: bool) {
    match JailName::parse(s, force) {
        Ok(j) => {
            assert!(is_jail_name(s, force), "accepted bad jail name {s:?}");
            assert_eq!(j.as_str(), s);
        }
        Err(e) => {
            assert!(!is_jail_name(s, force), "rejected good jail name {s:?}: {e}");
            assert_eq!(e.exit_code(), 65);
        }
    }
    match JailRef::parse(s, force) {
        Ok(JailRef::Jid(j)) => {
            assert!(j > 0);
            assert!(s.bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(s.parse::<i32>().unwrap(), j);
        }
        Ok(JailRef::Name(n)) => {
            assert!(is_jail_name(s, force));
            assert_eq!(n.as_str(), s);
        }
        Err(e) => {
            assert_eq!(e.exit_code(), 65);
            let numeric = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if numeric {
                assert!(!matches!(s.parse::<i32>(), Ok(j) if j > 0));
            } else {
                assert!(!is_jail_name(s, force));
            }
        }
    }
}

/// Is `w` one of the words the vocabulary can render?
fn is_vocabulary_word(w: &str) -> bool {
    if GENERIC_WORDS.contains(&w) || w == "enforce_statfs=1" {
        return true;
    }
    if let Some(a) = w.strip_prefix("allow.") {
        return [
            "mlock",
            "nfsd",
            "raw_sockets",
            "reserved_ports",
            "routing",
            "setaudit",
            "settime",
            "socket_af",
            "vmm",
        ]
        .contains(&a);
    }
    let Some((k, v)) = w.split_once('=') else {
        return false;
    };
    match k {
        "ip4" | "ip6" => v == "new" || v == "inherit",
        "sysvmsg" | "sysvsem" | "sysvshm" => v == "new" || v == "inherit",
        "ip4.addr" => v.split(',').all(|a| a.parse::<Ipv4Addr>().is_ok()),
        "ip6.addr" => v.split(',').all(|a| a.parse::<Ipv6Addr>().is_ok()),
        _ => false,
    }
}

fn check_options(opts: &str, addrs: &str) {
    // Addresses alone.
    let parsed_addrs = options::parse_addrs(addrs);
    match &parsed_addrs {
        Ok((v4, v6)) => {
            // Every input word is one of the addresses, and the rendering
            // of the addresses parses back to the same lists.
            for w in addrs.split_whitespace() {
                let ip: IpAddr = w.parse().expect("accepted word is an address");
                match ip {
                    IpAddr::V4(a) => assert!(v4.contains(&a)),
                    IpAddr::V6(a) => assert!(v6.contains(&a)),
                }
            }
            let rendered: Vec<String> = v4
                .iter()
                .map(|a| a.to_string())
                .chain(v6.iter().map(|a| a.to_string()))
                .collect();
            let again = options::parse_addrs(&rendered.join(" ")).unwrap();
            assert_eq!(&again.0, v4);
            assert_eq!(&again.1, v6);
            assert!(v4.iter().all(|a| !a.is_unspecified() && !a.is_broadcast()));
            assert!(v6.iter().all(|a| !a.is_unspecified()));
        }
        Err(e) => {
            assert_eq!(e.exit_code(), 65);
            let msg = e.to_string();
            // The message quotes the offending word, which is one of ours.
            assert!(
                addrs
                    .split_whitespace()
                    .any(|w| msg.contains(&format!("{w:?}"))),
                "address error does not name the input: {msg}"
            );
        }
    }

    let res = options::parse(opts, addrs);
    let p = match res {
        Err(e) => {
            assert_eq!(e.exit_code(), 65);
            if parsed_addrs.is_ok() {
                let words: BTreeSet<&str> = opts.split_whitespace().collect();
                assert!(
                    words.contains("sysvipc") && words.contains("sysvipcnew"),
                    "options rejected for no reason: {e}"
                );
            }
            return;
        }
        Ok(p) => p,
    };
    assert!(parsed_addrs.is_ok());
    let words = p.params.jail_words();
    assert_eq!(&words[..3], &GENERIC_WORDS[..]);
    for w in &words[3..] {
        assert!(
            w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.=,:".contains(&b)),
            "rendered word with a metacharacter: {w:?}"
        );
        assert!(is_vocabulary_word(w), "rendered word outside the vocabulary: {w:?}");
    }
    let uniq: BTreeSet<&String> = words.iter().collect();
    assert_eq!(uniq.len(), words.len(), "duplicate jail words: {words:?}");

    // Unknown words are exactly the non-vocabulary words, deduplicated.
    for u in &p.unknown {
        assert!(SvcjOption::from_word(u).is_none());
        assert!(opts.split_whitespace().any(|w| w == u));
    }
    for w in opts.split_whitespace() {
        assert_eq!(
            SvcjOption::from_word(w).is_some(),
            !p.unknown.iter().any(|u| u == w)
        );
    }
    // An unknown word grants nothing: dropping them changes nothing.
    let known: Vec<&str> = opts
        .split_whitespace()
        .filter(|w| SvcjOption::from_word(w).is_some())
        .collect();
    let q = options::parse(&known.join(" "), addrs).unwrap();
    assert_eq!(q.params, p.params);
    // Word order does not matter.
    let rev: Vec<&str> = known.iter().rev().copied().collect();
    assert_eq!(options::parse(&rev.join(" "), addrs).unwrap().params, p.params);

    // Addresses appear only in a family that was switched to new, and
    // every address given ends up either used or reported unused.
    let (v4, v6) = parsed_addrs.unwrap();
    if !p.params.ip4_addrs.is_empty() {
        assert_eq!(p.params.ip4, options::JailSys::New);
        assert_eq!(p.params.ip4_addrs, v4);
    }
    if !p.params.ip6_addrs.is_empty() {
        assert_eq!(p.params.ip6, options::JailSys::New);
        assert_eq!(p.params.ip6_addrs, v6);
    }
    for a in &v4 {
        assert!(
            p.params.ip4_addrs.contains(a) || p.unused_addrs.contains(&IpAddr::V4(*a)),
            "address {a} lost"
        );
    }
    for a in &v6 {
        assert!(
            p.params.ip6_addrs.contains(a) || p.unused_addrs.contains(&IpAddr::V6(*a)),
            "address {a} lost"
        );
    }
    // No network option: no network at all.
    let net = [
        SvcjOption::Netv4,
        SvcjOption::Netv6,
        SvcjOption::NetBasic,
        SvcjOption::NetAll,
    ];
    if !p.options.iter().any(|o| net.contains(o)) {
        assert!(!p.params.has_network());
    }
}
