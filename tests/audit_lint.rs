//! `svcj-check audit` and `svcj-check lint` on fixture trees and scripts.
//!
//! The audit fixtures (`tests/fixtures/audit/*/root`) are small FreeBSD
//! trees; their reports are compared with golden files
//! (`expected.txt`, `expected.json`).  After a deliberate change of the
//! output, regenerate them with `SVCJ_BLESS=1 cargo test --test audit_lint`
//! and review the diff.  The lint fixtures say in their first lines what
//! they must produce (`# expect: error: <text>`); good ones must produce no
//! error.

mod util;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use svcj::check::audit::{self, AuditConfig, Enabled, HookState};
use svcj::check::lint::{self, Severity};
use svcj::options::Exposure;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn golden(path: &Path, actual: &str) {
    if std::env::var_os("SVCJ_BLESS").is_some_and(|v| v == "1") {
        fs::write(path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with SVCJ_BLESS=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output, first at line {}:\n--- expected\n{}\n--- actual\n{}\n\
             (after a deliberate change: SVCJ_BLESS=1 cargo test --test audit_lint)",
            path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>")
        );
    }
}

fn run_audit(name: &str) -> audit::AuditReport {
    let cfg = AuditConfig {
        root: fixtures().join("audit").join(name).join("root"),
        localbase: PathBuf::from("/usr/local"),
    };
    audit::audit(&cfg).unwrap()
}

fn check_golden(name: &str) -> audit::AuditReport {
    let report = run_audit(name);
    let dir = fixtures().join("audit").join(name);
    golden(&dir.join("expected.txt"), &report.render_text());
    let json = serde_json::to_string_pretty(&report.to_json()).unwrap() + "\n";
    golden(&dir.join("expected.json"), &json);
    report
}

#[test]
fn audit_host_matches_golden_files() {
    let r = check_golden("host");
    assert!(r.has_errors());
    assert!(r.services.len() >= 20, "{}", r.services.len());
    for line in r.render_text().lines() {
        assert!(line.chars().count() <= 80, "too wide: {line:?}");
    }
}

#[test]
fn audit_nohook_matches_golden_files() {
    let r = check_golden("nohook");
    assert!(r.has_errors());
    assert!(matches!(r.hook, HookState::NotSourced { .. }));
}

fn svc<'a>(r: &'a audit::AuditReport, name: &str) -> &'a audit::ServiceAudit {
    r.services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn has(s: &audit::ServiceAudit, sev: Severity, text: &str) -> bool {
    s.findings
        .iter()
        .any(|f| f.severity == sev && f.message.contains(text))
}

/// The golden files could be blessed wrong; these pin the semantics.
#[test]
fn audit_host_semantics() {
    let r = run_audit("host");
    let names: Vec<&str> = r.services.iter().map(|s| s.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "ordered by name");
    assert!(!names.contains(&"DAEMON"), "placeholders are not services");
    assert!(
        matches!(r.hook, HookState::Installed { ref detail } if detail.starts_with("/etc/local.rc.subr"))
    );

    // Per-service NO wins over svcj_all_enable=YES.
    let sshd = svc(&r, "sshd");
    assert_eq!((sshd.enabled, sshd.jailed), (Enabled::Yes, false));
    assert_eq!(sshd.jailed_by.as_deref(), Some("sshd_svcj"));
    assert_eq!(sshd.exposure, None);
    // Empty per-service value: svcj_all_enable decides.
    let cron = svc(&r, "cron");
    assert!(cron.jailed);
    assert_eq!(cron.jailed_by.as_deref(), Some("svcj_all_enable"));
    assert_eq!(cron.exposure, Some(Exposure::None));
    // Script default options apply when rc.conf says nothing.
    let syslogd = svc(&r, "syslogd");
    assert_eq!(syslogd.options, "net_basic");
    assert_eq!(
        syslogd.options_from.as_deref(),
        Some("/etc/rc.d/syslogd:18")
    );
    assert_eq!(syslogd.exposure, Some(Exposure::Network));
    // rc.conf overrides the script default; both address families.
    let ntpd = svc(&r, "ntpd");
    assert_eq!(ntpd.options, "net_basic settime");
    let p = ntpd.params.as_ref().unwrap();
    for w in [
        "ip4=new",
        "ip4.addr=192.0.2.10",
        "ip6=new",
        "ip6.addr=2001:db8::10",
        "allow.settime",
    ] {
        assert!(p.iter().any(|x| x == w), "{w} not in {p:?}");
    }
    assert!(ntpd.findings.is_empty(), "{:?}", ntpd.findings);
    // Unknown option, conflict, bad address: errors for jailed services.
    assert!(has(
        svc(&r, "local_unbound"),
        Severity::Error,
        "unknown service jail option: no_such_option"
    ));
    assert!(has(
        svc(&r, "postgresql"),
        Severity::Error,
        "more than one sysvipc option"
    ));
    assert_eq!(svc(&r, "postgresql").params, None);
    assert!(has(svc(&r, "redis"), Severity::Error, "192.0.2.300"));
    assert!(has(
        svc(&r, "memcached"),
        Severity::Warning,
        "no network option uses"
    ));
    // Bad yes/no value.
    let ntpdate = svc(&r, "ntpdate");
    assert_eq!(ntpdate.enabled, Enabled::No);
    assert!(has(
        ntpdate,
        Severity::Warning,
        "ntpdate_enable is not set properly"
    ));
    // Disabled.
    assert_eq!(svc(&r, "powerd").enabled, Enabled::No);
    // rc.conf.local, rc.conf.d file, rc.conf.d directory, localbase rc.conf.d.
    assert_eq!(svc(&r, "inetd").enabled, Enabled::Yes);
    assert_eq!(
        svc(&r, "inetd").options_from.as_deref(),
        Some("/etc/rc.conf.local:3")
    );
    assert_eq!(svc(&r, "nfsd").options, "nfsd net_basic");
    let lpd = svc(&r, "lpd");
    assert_eq!(lpd.options, "netv4 sysvipc");
    assert_eq!(
        lpd.options_from.as_deref(),
        Some("/etc/rc.conf.d/lpd/20-jail:2")
    );
    assert!(lpd
        .params
        .as_ref()
        .unwrap()
        .contains(&"ip4.addr=192.0.2.30".to_string()));
    let nginx = svc(&r, "nginx");
    assert_eq!(nginx.enabled, Enabled::Yes);
    assert!(nginx
        .params
        .as_ref()
        .unwrap()
        .contains(&"ip6=new".to_string()));
    assert!(nginx
        .params
        .as_ref()
        .unwrap()
        .contains(&"ip4=new".to_string()));
    // Any address makes both families new, as in base rc.subr: an IPv6
    // address alone leaves nginx without IPv4.
    assert!(!nginx
        .params
        .as_ref()
        .unwrap()
        .iter()
        .any(|p| p.starts_with("ip4.addr")));
    // Included file and exposure levels.
    // rc.conf runs before the script's `: ${tor_svcj_options:="mlock"}`,
    // so `${tor_svcj_options} net_all` in rc.conf sees it unset.
    assert_eq!(svc(&r, "tor").options, "net_all");
    assert_eq!(svc(&r, "tor").exposure, Some(Exposure::AllSockets));
    assert_eq!(svc(&r, "dhcpd").exposure, Some(Exposure::RawSockets));
    // A base script the newest base opts out stays on the host, whatever
    // rc.conf says (src/check/exempt.rs).
    let netif = svc(&r, "netif");
    assert_eq!(netif.enabled, Enabled::Always);
    assert!(!netif.jailed);
    assert_eq!(
        netif.exempted,
        Some(svcj::check::exempt::Exemption::BaseOptOut)
    );
    assert!(!has(netif, Severity::Error, "cannot work jailed"));
    // Scripts that cannot work jailed.
    let hw = svc(&r, "hwmond");
    assert!(has(hw, Severity::Error, "runs `pgrep`"));
    assert!(has(hw, Severity::Error, "/dev/mem"));
    assert!(
        !has(hw, Severity::Error, "pkill"),
        "pkill -F is the service's own pid"
    );
    // Old-style script: `set_rcvar` and a default before load_rc_config.
    let legacy = svc(&r, "legacyd");
    assert_eq!(legacy.rcvar.as_deref(), Some("legacyd_enable"));
    assert_eq!(legacy.enabled, Enabled::No);
    assert!(has(legacy, Severity::Warning, "set by the script itself"));
    assert!(legacy.notes.iter().any(|n| n.contains("id -un")));
    // Unreadable script: a warning, not a crash.
    assert!(has(svc(&r, "broken"), Severity::Warning, "cannot read"));
    // rc.conf constructs that were skipped are reported, never run.
    let notes: Vec<String> = r.notes.iter().map(|n| n.to_string()).collect();
    assert!(notes
        .iter()
        .any(|n| n.starts_with("/etc/rc.conf:3:") && n.contains("cat /etc/myname")));
    assert!(notes.iter().any(|n| n.contains("`if` block skipped")));
}

#[test]
fn audit_nohook_semantics() {
    let r = run_audit("nohook");
    let foo = svc(&r, "foo");
    assert!(foo.jailed, "per-service YES wins over svcj_all_enable=NO");
    assert!(has(foo, Severity::Error, "hook is not loaded"));
    let bar = svc(&r, "bar");
    assert!(!bar.jailed);
    assert!(bar.findings.is_empty(), "{:?}", bar.findings);
}

static N: AtomicUsize = AtomicUsize::new(0);

fn temp_tree(files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "svcj-audit-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    for (p, t) in files {
        let real = dir.join(p.trim_start_matches('/'));
        fs::create_dir_all(real.parent().unwrap()).unwrap();
        fs::write(real, t).unwrap();
    }
    dir
}

#[test]
fn hook_states() {
    let hook = "/usr/local/etc/rc.subr.d/svcj-tools.sh";
    let lb = Path::new("/usr/local");
    let new_subr = "[ -r /etc/local.rc.subr ] && . /etc/local.rc.subr\n";
    let old_subr = "# an rc.subr without local additions\n";
    let state = |t: &Path, lb: &Path| {
        let s = audit::hook_installed(t, lb);
        fs::remove_dir_all(t).unwrap();
        s
    };
    // rc.subr reads local.rc.subr, which sources the hook.
    let t = temp_tree(&[
        (hook, "#\n"),
        ("/etc/rc.subr", new_subr),
        ("/etc/local.rc.subr", &format!(". {hook}\n")),
    ]);
    assert!(matches!(state(&t, lb), HookState::Installed { .. }));
    // Older rc.subr: rc.conf is the place.
    let t = temp_tree(&[
        (hook, "#\n"),
        ("/etc/rc.subr", old_subr),
        ("/etc/rc.conf", &format!("foo=1; . {hook}\n")),
    ]);
    assert!(matches!(state(&t, lb), HookState::Installed { .. }));
    // A comment does not count.
    let t = temp_tree(&[
        (hook, "#\n"),
        ("/etc/rc.subr", new_subr),
        ("/etc/local.rc.subr", &format!("#. {hook}\n")),
    ]);
    match state(&t, lb) {
        HookState::NotSourced { fix, .. } => {
            assert!(fix.contains("local.rc.subr"), "{fix}")
        }
        s => panic!("{s:?}"),
    }
    // Sourced, but the file is not there.
    let t = temp_tree(&[
        ("/etc/rc.subr", new_subr),
        ("/etc/local.rc.subr", &format!(". {hook}\n")),
    ]);
    assert!(matches!(state(&t, lb), HookState::Missing { .. }));
    // LOCALBASE is honoured.
    let opt = "/opt/pkg/etc/rc.subr.d/svcj-tools.sh";
    let files = [
        (opt, "#\n"),
        ("/etc/rc.subr", new_subr),
        ("/etc/local.rc.subr", &format!(". {opt}\n") as &str),
    ];
    let t = temp_tree(&files);
    assert!(matches!(
        state(&t, Path::new("/opt/pkg")),
        HookState::Installed { .. }
    ));
    let t = temp_tree(&files);
    assert!(matches!(state(&t, lb), HookState::Missing { .. }));
}

#[test]
fn audit_of_an_empty_tree_and_a_missing_root() {
    let t = temp_tree(&[]);
    let r = audit::audit(&AuditConfig {
        root: t.clone(),
        localbase: "/usr/local".into(),
    })
    .unwrap();
    assert!(r.services.is_empty());
    assert!(!r.has_errors());
    assert!(r.render_text().contains("0 services"));
    fs::remove_dir_all(&t).unwrap();
    let e = audit::audit(&AuditConfig {
        root: t.clone(),
        localbase: "/usr/local".into(),
    })
    .unwrap_err();
    assert_eq!(e.exit_code(), 66);
}

/// The streamed audit (what the binary prints) is byte for byte the
/// in-memory report, for both outputs, on every fixture tree and on an
/// empty one (the JSON edge case of an empty `services` list).
#[test]
fn streamed_audit_equals_the_report() {
    let empty = temp_tree(&[]);
    let mut roots: Vec<PathBuf> = ["host", "nohook"]
        .iter()
        .map(|n| fixtures().join("audit").join(n).join("root"))
        .collect();
    roots.push(empty.clone());
    for root in roots {
        let cfg = AuditConfig {
            root: root.clone(),
            localbase: "/usr/local".into(),
        };
        let report = audit::audit(&cfg).unwrap();
        for json in [false, true] {
            let mut out = Vec::new();
            let sum = audit::Auditor::new(&cfg)
                .unwrap()
                .write(&mut out, json)
                .unwrap();
            let want = if json {
                serde_json::to_string_pretty(&report.to_json()).unwrap() + "\n"
            } else {
                report.render_text()
            };
            assert_eq!(
                String::from_utf8(out).unwrap(),
                want,
                "{} json={json}",
                root.display()
            );
            assert_eq!(sum, report.summary());
        }
    }
    fs::remove_dir_all(&empty).unwrap();
}

fn lint_dir(kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(fixtures().join("lint").join(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn lint_good_scripts_have_no_error() {
    let files = lint_dir("good");
    assert!(files.len() >= 3);
    for f in files {
        let r = lint::lint_file(&f).unwrap();
        assert!(!r.has_errors(), "{}", r.render_text());
        // The good fixtures are clean: not even a warning.
        assert!(r.findings.is_empty(), "{}", r.render_text());
        assert!(r.render_text().ends_with(": ok\n"));
    }
}

/// Each bad fixture starts with `# expect: SEVERITY:LINE: TEXT` lines.
#[test]
fn lint_bad_scripts_produce_their_finding() {
    let files = lint_dir("bad");
    assert!(files.len() >= 10);
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        let expects: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(!expects.is_empty(), "{}: no `# expect:` line", f.display());
        let r = lint::lint_file(&f).unwrap();
        let out = r.render_text();
        for e in expects {
            let (sev, rest) = e.split_once(':').unwrap();
            let (line, msg) = rest.split_once(':').unwrap();
            let want = format!("{}:{}: {}: {}", f.display(), line.trim(), sev, msg.trim());
            assert!(
                out.lines().any(|l| l.starts_with(&want)),
                "{}: expected a line starting with\n  {want}\ngot:\n{out}",
                f.display()
            );
        }
        if text.contains("# expect: error:") {
            assert!(r.has_errors(), "{out}");
        }
    }
}

#[test]
fn lint_missing_file_is_noinput() {
    let e = lint::lint_file(Path::new("/nonexistent/rc.d/foo")).unwrap_err();
    assert_eq!(e.exit_code(), 66);
    assert!(e.to_string().contains("/nonexistent/rc.d/foo"));
}

// ---- the real binary on the same fixtures -----------------------------------

fn svcj_check(args: &[&str]) -> (Option<i32>, String, String) {
    let out = util::tool("svcj-check").args(args).output();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn binary_audit_prints_the_golden_files() {
    for name in ["host", "nohook"] {
        let dir = fixtures().join("audit").join(name);
        let root = dir.join("root");
        let root = root.to_str().unwrap();
        let (code, out, err) = svcj_check(&["audit", "--root", root]);
        assert_eq!(code, Some(78), "{name}: errors found → EX_CONFIG; {err}");
        assert_eq!(
            out,
            fs::read_to_string(dir.join("expected.txt")).unwrap(),
            "{name}"
        );
        let (code, out, _) = svcj_check(&["audit", "--json", "--root", root]);
        assert_eq!(code, Some(78));
        assert_eq!(
            out,
            fs::read_to_string(dir.join("expected.json")).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn binary_audit_clean_tree_with_other_localbase() {
    let script = "#!/bin/sh\n. /etc/rc.subr\nname=web\nrcvar=web_enable\n\
                  command=/opt/pkg/sbin/web\nload_rc_config $name\n\
                  : ${web_enable:=NO}\n: ${web_svcj_options:=\"net_basic\"}\n\
                  run_rc_command \"$1\"\n";
    let t = temp_tree(&[
        ("/etc/rc.conf", "web_enable=YES\nweb_svcj=YES\n"),
        (
            "/etc/rc.subr",
            "[ -r /etc/local.rc.subr ] && . /etc/local.rc.subr\n",
        ),
        (
            "/etc/local.rc.subr",
            ". /opt/pkg/etc/rc.subr.d/svcj-tools.sh\n",
        ),
        ("/opt/pkg/etc/rc.subr.d/svcj-tools.sh", "#\n"),
        ("/opt/pkg/etc/rc.conf.d/web", "web_svcj_ipaddrs=192.0.2.7\n"),
        ("/opt/pkg/etc/rc.d/web", script),
    ]);
    let root = t.to_str().unwrap();
    let (code, out, err) = svcj_check(&["audit", "--root", root, "--localbase", "/opt/pkg"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == ["web", "yes", "yes", "network", "net_basic"]),
        "{out}"
    );
    assert!(
        out.contains("1 services: 1 enabled, 1 jailed; 0 errors, 0 warnings"),
        "{out}"
    );
    let (code, out, _) =
        svcj_check(&["audit", "--json", "--root", root, "--localbase", "/opt/pkg"]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["services"][0]["options_from"], "/opt/pkg/etc/rc.d/web:8");
    assert_eq!(
        v["services"][0]["addresses_from"],
        "/opt/pkg/etc/rc.conf.d/web:1"
    );
    assert_eq!(v["services"][0]["params"][3], "ip4=new");
    // With the default LOCALBASE the service is not found at all.
    let (code, out, _) = svcj_check(&["audit", "--root", root]);
    assert_eq!(code, Some(0));
    assert!(out.contains("0 services"), "{out}");
    fs::remove_dir_all(&t).unwrap();
}

#[test]
fn binary_lint_on_every_fixture() {
    for f in lint_dir("good") {
        let (code, out, _) = svcj_check(&["lint", f.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{out}");
        assert_eq!(out, format!("{}: ok\n", f.display()));
    }
    for f in lint_dir("bad") {
        let (code, out, _) = svcj_check(&["lint", f.to_str().unwrap()]);
        let lib = lint::lint_file(&f).unwrap();
        assert_eq!(out, lib.render_text());
        let want = if lib.has_errors() { 65 } else { 0 };
        assert_eq!(code, Some(want), "{out}");
    }
}

#[test]
fn audit_yes_no_edge_cases() {
    let script = |n: &str| {
        format!(
            "#!/bin/sh\n. /etc/rc.subr\nname={n}\nrcvar={n}_enable\nload_rc_config $name\n\
             : ${{{n}_svcj_options:=\"\"}}\nrun_rc_command \"$1\"\n"
        )
    };
    let t = temp_tree(&[
        (
            "/etc/rc.conf",
            "svcj_all_enable=sometimes\na_enable=on\nb_enable=1\nb_svcj=TRUE\nc_enable=\"\"\nc_svcj=off\n",
        ),
        ("/etc/rc.d/a", &script("a")),
        ("/etc/rc.d/b", &script("b")),
        ("/etc/rc.d/c", &script("c")),
        ("/etc/rc.d/d", "#!/bin/sh\nname=d\nrun_rc_command \"$1\"\n"),
    ]);
    let r = audit::audit(&AuditConfig {
        root: t.clone(),
        localbase: "/usr/local".into(),
    })
    .unwrap();
    let a = svc(&r, "a");
    assert_eq!((a.enabled, a.jailed), (Enabled::Yes, false));
    assert!(has(
        a,
        Severity::Warning,
        "svcj_all_enable is not set properly (\"sometimes\")"
    ));
    let b = svc(&r, "b");
    assert_eq!((b.enabled, b.jailed), (Enabled::Yes, true));
    assert_eq!(b.jailed_by.as_deref(), Some("b_svcj"));
    let c = svc(&r, "c");
    assert_eq!((c.enabled, c.jailed), (Enabled::No, false));
    assert!(has(
        c,
        Severity::Warning,
        "c_enable is not set properly (\"\")"
    ));
    assert!(
        !has(c, Severity::Warning, "svcj_all_enable"),
        "per-service value decides"
    );
    let d = svc(&r, "d");
    assert_eq!(d.enabled, Enabled::Always);
    assert!(has(d, Severity::Warning, "never calls load_rc_config"));
    fs::remove_dir_all(&t).unwrap();
}

/// The idiom fixtures (`tests/fixtures/lint/idioms`, issue 14): each
/// starts with `# expect: SEVERITY:LINE:RULE: TEXT` lines, or `# expect:
/// nothing`, and lint must produce exactly those findings, in that order
/// (each message starting with TEXT), no more.
#[test]
fn lint_idioms_produce_exactly_their_findings() {
    let files = lint_dir("idioms");
    assert!(files.len() >= 29, "{}", files.len());
    let mut failures = Vec::new();
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        let expects: Vec<(String, usize, String, String)> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .filter(|e| *e != "nothing")
            .map(|e| {
                let mut p = e.splitn(4, ':');
                let sev = p.next().unwrap().to_string();
                let line = p.next().unwrap().parse().unwrap();
                let rule = p.next().unwrap().to_string();
                let msg = p.next().unwrap().trim().to_string();
                (sev, line, rule, msg)
            })
            .collect();
        let r = lint::lint_file(&f).unwrap();
        let got: Vec<(String, usize, String, String)> = r
            .findings
            .iter()
            .map(|x| {
                (
                    x.severity.to_string(),
                    x.line,
                    x.rule.to_string(),
                    x.message.clone(),
                )
            })
            .collect();
        let ok = got.len() == expects.len()
            && got
                .iter()
                .zip(&expects)
                .all(|(g, e)| g.0 == e.0 && g.1 == e.1 && g.2 == e.2 && g.3.starts_with(&e.3));
        if !ok {
            failures.push(format!(
                "{}:\n  want {expects:?}\n  got  {got:?}",
                f.display()
            ));
        }
        assert_eq!(r.has_errors(), expects.iter().any(|e| e.0 == "error"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Audit reads scripts with the same reader as lint, so it gets the same
/// fixes (issue 14): defaults written with eval or `[ -z ] &&`, read-only
/// commands not reported, writes through `${SYSCTL}` reported, and a
/// jailed `nojail` script warned about.
#[test]
fn audit_shares_the_lint_fixes() {
    let head = |n: &str, kw: &str| {
        format!(
            "#!/bin/sh\n# PROVIDE: {n}\n# KEYWORD: {kw}\n. /etc/rc.subr\nname={n}\nrcvar={n}_enable\n\
             start_cmd={n}_start\n"
        )
    };
    let tail = |n: &str| format!("load_rc_config $name\n: ${{{n}_enable:=NO}}\n");
    let a = format!(
        "{}a_start()\n{{\n\tifconfig -l\n\troute -n get default\n}}\n{}\
         eval \": \\${{${{name}}_svcj_options:=\\\"net_basic\\\"}}\"\nrun_rc_command \"$1\"\n",
        head("a", "shutdown"),
        tail("a")
    );
    let b = format!(
        "{}b_start()\n{{\n\t${{SYSCTL}} kern.b=1\n}}\n{}\
         [ -z \"$b_svcj_options\" ] && b_svcj_options=\"mlock\"\nrun_rc_command \"$1\"\n",
        head("b", "shutdown"),
        tail("b")
    );
    let c = format!(
        "{}c_start()\n{{\n\t:\n}}\n{}: ${{c_svcj_options:=\"\"}}\nrun_rc_command \"$1\"\n",
        head("c", "nojail shutdown"),
        tail("c")
    );
    let t = temp_tree(&[
        (
            "/etc/rc.conf",
            "a_enable=YES\na_svcj=YES\nb_enable=YES\nb_svcj=YES\nc_enable=YES\nc_svcj=YES\n",
        ),
        (
            "/etc/rc.subr",
            "[ -r /etc/local.rc.subr ] && . /etc/local.rc.subr\n",
        ),
        (
            "/etc/local.rc.subr",
            ". /usr/local/etc/rc.subr.d/svcj-tools.sh\n",
        ),
        ("/usr/local/etc/rc.subr.d/svcj-tools.sh", "#\n"),
        ("/etc/rc.d/a", &a),
        ("/etc/rc.d/b", &b),
        ("/etc/rc.d/c", &c),
    ]);
    let r = audit::audit(&AuditConfig {
        root: t.clone(),
        localbase: "/usr/local".into(),
    })
    .unwrap();
    let a = svc(&r, "a");
    assert_eq!(a.options, "net_basic");
    assert_eq!(a.options_from.as_deref(), Some("/etc/rc.d/a:15"));
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let b = svc(&r, "b");
    assert_eq!(b.options, "mlock");
    assert_eq!(b.options_from.as_deref(), Some("/etc/rc.d/b:14"));
    assert!(
        has(
            b,
            Severity::Error,
            "/etc/rc.d/b:10: b_start() runs `sysctl`"
        ),
        "{:?}",
        b.findings
    );
    assert_eq!(b.findings.len(), 1, "{:?}", b.findings);
    let c = svc(&r, "c");
    assert!(
        has(
            c,
            Severity::Warning,
            "/etc/rc.d/c:3: the script declares `# KEYWORD: nojail`"
        ),
        "{:?}",
        c.findings
    );
    fs::remove_dir_all(&t).unwrap();
}

/// `svcj-check lint --json` on a mixed ports template
/// (`tests/fixtures/lint/mixed`): the golden JSON pins file, line, rule,
/// severity, message and fix of every finding.
#[test]
fn binary_lint_json_matches_golden_file() {
    let dir = fixtures().join("lint/mixed");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_svcj-check"))
        .current_dir(&dir)
        .args(["lint", "--json", "mixd.in"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "errors found → EX_DATAERR");
    let text = String::from_utf8(out.stdout).unwrap();
    golden(&dir.join("expected.json"), &text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"enables-jail") && rules.contains(&"routing"));
    // Same findings as the library's, in the same order.
    let lib = lint::lint_file(&dir.join("mixd.in")).unwrap();
    assert_eq!(rules.len(), lib.findings.len());
    // A missing file is listed as unreadable, with EX_NOINPUT.
    let (code, out, _) = svcj_check(&["lint", "--json", "/nonexistent/rc.d/x"]);
    assert_eq!(code, Some(66));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["unreadable"][0]["file"], "/nonexistent/rc.d/x");
    assert_eq!(v["summary"]["files"], 1);
}
