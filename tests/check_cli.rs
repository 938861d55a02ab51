//! Integration tests of the real `svcj-check` binary: exit codes, messages
//! and output of `options`, `status` and `preflight`, the latter on fixture
//! root trees and with the `SVCJ_SYSCTL_FILE` override.

mod util;

use std::path::{Path, PathBuf};
use std::process::Output;
use svcj::options::{parse, SvcjOption};

const BIN: &str = env!("CARGO_BIN_EXE_svcj-check");
const LINE: &str = "command . /usr/local/etc/rc.subr.d/svcj-tools.sh";
/// What preflight and audit tell the admin to run (the boot-safe text).
const APPEND_LOCAL: &str = "cat /usr/local/share/svcj-tools/local.rc.subr >> /etc/local.rc.subr";
const NEW_RC_SUBR: &str = "#!/bin/sh\n# rc.subr fixture\ncheckyesno() { :; }\n\
    # local additions\nif [ -r /etc/local.rc.subr ]; then\n\t. /etc/local.rc.subr\nfi\n";
const OLD_RC_SUBR: &str = "#!/bin/sh\n# rc.subr fixture of an older release\ncheckyesno() { :; }\n";

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("svcj-check-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("etc")).unwrap();
        Scratch(d)
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `svcj-check args`, run by the shared duct helper.
fn run(args: &[&str]) -> Output {
    util::tool("svcj-check").args(args).output()
}

/// `svcj-check` run through setpriv(1) with `opts` (root changing its
/// credentials), with the same clean environment as [`util::tool`].
fn setpriv(opts: &[&str]) -> util::Run {
    util::Run::new("setpriv")
        .args(opts)
        .arg("--")
        .arg(BIN)
        .env_remove("SVCJ_SYSCTL_FILE")
        .env_remove("LOCALBASE")
        .env_remove("RUST_LOG")
}

/// The setpriv(1) options that make root user nobody.
const NOBODY: [&str; 3] = ["--reuid=65534", "--regid=65534", "--clear-groups"];

fn assert_80_columns(s: &str) {
    for l in s.lines() {
        assert!(
            l.chars().count() <= 80,
            "line longer than 80 columns: {l:?}"
        );
    }
}

#[test]
fn options_every_word() {
    for o in SvcjOption::ALL {
        let out = run(&["options", o.word()]);
        let stdout = util::stdout(&out);
        assert_eq!(util::code(&out), 0, "{}: {}", o.word(), util::stderr(&out));
        let tokens: Vec<&str> = stdout.split_whitespace().collect();
        for w in parse(o.word(), "").unwrap().params.jail_words() {
            assert!(
                tokens.contains(&w.as_str()),
                "{}: {w} missing in\n{stdout}",
                o.word()
            );
        }
        assert!(stdout.contains(&format!("  {} ", o.word())), "{stdout}");
        assert_80_columns(&stdout);
    }
}

#[test]
fn options_netv4_is_explained() {
    let out = run(&["options", "netv4"]);
    let stdout = util::stdout(&out);
    assert!(
        stdout.contains("IPv4 inherited from the host, reserved ports allowed"),
        "{stdout}"
    );
    assert!(stdout.contains("ip4=inherit"), "{stdout}");
}

#[test]
fn options_unknown_words_all_listed() {
    let out = run(&["options", "net_basic", "nosuch1", "mlock nosuch2"]);
    assert_eq!(util::code(&out), 65);
    let err = util::stderr(&out);
    assert!(err.starts_with("svcj-check: "), "{err}");
    assert!(err.contains("unknown service jail option"), "{err}");
    assert!(err.contains("nosuch1") && err.contains("nosuch2"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn options_sysvipc_conflict() {
    let out = run(&["options", "sysvipc", "net_basic", "sysvipcnew"]);
    assert_eq!(util::code(&out), 65);
    assert!(
        util::stderr(&out).contains("more than one sysvipc option"),
        "{}",
        util::stderr(&out)
    );
}

#[test]
fn options_bad_address() {
    let out = run(&["options", "-a", "192.0.2.300", "netv4"]);
    assert_eq!(util::code(&out), 65);
    assert!(util::stderr(&out).contains("192.0.2.300"));
}

#[test]
fn options_json() {
    let out = run(&[
        "options",
        "--json",
        "-a",
        "192.0.2.1",
        "--addrs",
        "2001:db8::1",
        "net_basic sysvipcnew",
    ]);
    assert_eq!(util::code(&out), 0, "{}", util::stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = parse("net_basic sysvipcnew", "192.0.2.1 2001:db8::1")
        .unwrap()
        .params
        .jail_words();
    let got: Vec<String> = v["jail_parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want);
    assert_eq!(v["options"], serde_json::json!(["net_basic", "sysvipcnew"]));
    assert_eq!(v["exposure"], "network");
}

#[test]
fn usage_errors_are_64() {
    assert_eq!(util::code(&run(&["frobnicate"])), 64);
    assert_eq!(util::code(&run(&[])), 64);
    assert_eq!(util::code(&run(&["options", "--bogus"])), 64);
    assert_eq!(util::code(&run(&["--version"])), 0);
}

#[test]
fn help_lists_every_flag() {
    let top = run(&["--help"]);
    assert_80_columns(&util::stdout(&top));
    for (sub, flags) in [
        ("options", &["--json", "-a, --addrs"][..]),
        ("status", &["--json"][..]),
        ("preflight", &["--root"][..]),
        ("audit", &["--json", "--root", "--localbase"][..]),
        ("lint", &["<FILE>"][..]),
    ] {
        let out = run(&[sub, "--help"]);
        assert_eq!(util::code(&out), 0);
        let h = util::stdout(&out);
        for f in flags {
            assert!(h.contains(f), "{sub} --help lacks {f}:\n{h}");
        }
        assert_80_columns(&h);
    }
}

#[test]
fn status_bad_name_is_65() {
    let out = run(&["status", "a.b"]);
    assert_eq!(util::code(&out), 65);
    assert!(util::stderr(&out).contains("a.b"));
}

// ---- preflight ----------------------------------------------------------

fn preflight(root: &Path, sysctl: Option<&Path>) -> (i32, String) {
    let mut c = util::tool("svcj-check")
        .arg("preflight")
        .arg("--root")
        .arg(root);
    if let Some(s) = sysctl {
        c = c.env("SVCJ_SYSCTL_FILE", s);
    }
    let out = c.output();
    let stdout = util::stdout(&out);
    assert_80_columns(&stdout);
    (util::code(&out), stdout)
}

/// A tree whose nested-jail state is "not jailed" through the override.
fn tree(tag: &str) -> Scratch {
    let s = Scratch::new(tag);
    s.write("sysctl", "security.jail.jailed=0\n");
    s
}

fn with_hook(s: &Scratch) {
    s.write("usr/local/etc/rc.subr.d/svcj-tools.sh", "# hook\n");
}

/// The exit code when the hook items are as given: not being root makes
/// creation impossible, which wins.
fn expect(code_as_root: i32) -> i32 {
    if is_root() {
        code_as_root
    } else {
        69
    }
}

#[test]
fn preflight_hook_missing() {
    let s = tree("missing");
    s.write("etc/rc.subr", NEW_RC_SUBR);
    let (code, out) = preflight(&s.0, Some(&s.path("sysctl")));
    assert_eq!(code, expect(78), "{out}");
    assert!(out.contains("FAIL  hook installed"), "{out}");
    assert!(out.contains("FAIL  hook sourced"), "{out}");
    assert!(out.contains("/etc/local.rc.subr"), "{out}");
    assert!(out.lines().any(|l| l.trim() == APPEND_LOCAL), "{out}");
}

#[test]
fn preflight_hook_via_local_rc_subr() {
    let s = tree("local");
    with_hook(&s);
    s.write("etc/rc.subr", NEW_RC_SUBR)
        .write("etc/local.rc.subr", &format!("# local\n{LINE}\n"));
    let (code, out) = preflight(&s.0, Some(&s.path("sysctl")));
    assert_eq!(code, expect(0), "{out}");
    assert!(out.contains("OK    hook installed"), "{out}");
    assert!(
        out.contains("OK    hook sourced: /etc/local.rc.subr sources"),
        "{out}"
    );
    assert!(out.contains("OK    nested jails"), "{out}");
}

#[test]
fn preflight_hook_via_rc_conf_for_old_rc_subr() {
    let s = tree("old");
    with_hook(&s);
    s.write("etc/rc.subr", OLD_RC_SUBR)
        .write("etc/rc.conf", &format!("sshd_enable=\"YES\"\n{LINE}\n"));
    let (code, out) = preflight(&s.0, Some(&s.path("sysctl")));
    assert_eq!(code, expect(0), "{out}");
    assert!(
        out.contains("OK    hook sourced: /etc/rc.conf sources"),
        "{out}"
    );
    // Without the rc.conf line, the fix names rc.conf, not local.rc.subr.
    s.write("etc/rc.conf", "sshd_enable=\"YES\"\n");
    let (code, out) = preflight(&s.0, Some(&s.path("sysctl")));
    assert_eq!(code, expect(78), "{out}");
    assert!(
        out.contains("append the svcj-tools text to /etc/rc.conf"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.trim() == "cat /usr/local/share/svcj-tools/local.rc.subr >> /etc/rc.conf"),
        "{out}"
    );
}

#[test]
fn preflight_localbase_from_environment() {
    let s = tree("localbase");
    s.write("opt/pkg/etc/rc.subr.d/svcj-tools.sh", "# hook\n")
        .write("etc/rc.subr", NEW_RC_SUBR)
        .write(
            "etc/local.rc.subr",
            ". /opt/pkg/etc/rc.subr.d/svcj-tools.sh\n",
        );
    let out = util::tool("svcj-check")
        .env("LOCALBASE", "/opt/pkg")
        .env("SVCJ_SYSCTL_FILE", s.path("sysctl"))
        .args(["preflight", "--root"])
        .arg(&s.0)
        .output();
    let stdout = util::stdout(&out);
    assert!(stdout.contains("OK    hook sourced"), "{stdout}");
    assert_eq!(util::code(&out), expect(0), "{stdout}");
}

#[test]
fn preflight_capacity_exhausted() {
    let s = tree("capacity");
    with_hook(&s);
    s.write("etc/rc.subr", NEW_RC_SUBR)
        .write("etc/local.rc.subr", &format!("{LINE}\n"))
        .write(
            "full",
            "security.jail.jailed=1\nsecurity.jail.children.max=3\nsecurity.jail.children.cur=3\n",
        )
        .write(
            "zero",
            "security.jail.jailed=1\nsecurity.jail.children.max=0\nsecurity.jail.children.cur=0\n",
        )
        .write(
            "room",
            "security.jail.jailed=1\nsecurity.jail.children.max=4\nsecurity.jail.children.cur=3\n",
        );
    let (code, out) = preflight(&s.0, Some(&s.path("full")));
    assert_eq!(code, 69, "{out}");
    assert!(out.contains("FAIL  nested jails"), "{out}");
    assert!(out.contains("max number of jail children reached"), "{out}");
    assert!(out.contains("children.max"), "{out}");
    let (code, out) = preflight(&s.0, Some(&s.path("zero")));
    assert_eq!(code, 69, "{out}");
    assert!(out.contains("children.max is set to 0"), "{out}");
    let (code, out) = preflight(&s.0, Some(&s.path("room")));
    assert_eq!(code, expect(0), "{out}");
    assert!(out.contains("room for 1 more"), "{out}");
}

#[test]
fn preflight_not_root() {
    if !is_root() {
        eprintln!("skipped: needs root (to drop to nobody)");
        return;
    }
    if !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("skipped: needs setpriv(1) from util-linux");
        return;
    }
    let s = tree("notroot");
    with_hook(&s);
    s.write("etc/rc.subr", NEW_RC_SUBR)
        .write("etc/local.rc.subr", &format!("{LINE}\n"));
    // nobody must be able to read the tree and run the binary (not a
    // copy: a fresh copy can hit ETXTBSY while other tests fork).
    let chmod = util::Run::new("chmod")
        .args(["-R", "a+rX"])
        .arg(&s.0)
        .output();
    assert!(chmod.status.success(), "{}", util::stderr(&chmod));
    if !setpriv(&NOBODY).arg("--version").output().status.success() {
        eprintln!("skipped: user nobody cannot execute {BIN}");
        return;
    }
    let out = setpriv(&NOBODY)
        .args(["preflight", "--root"])
        .arg(&s.0)
        .env("SVCJ_SYSCTL_FILE", s.path("sysctl"))
        .output();
    let stdout = util::stdout(&out);
    assert_eq!(util::code(&out), 69, "{stdout}{}", util::stderr(&out));
    assert!(
        stdout.contains("FAIL  root: not running as root"),
        "{stdout}"
    );
    assert!(stdout.contains("fix: run svcj-check preflight"), "{stdout}");
    assert!(stdout.contains("OK    hook sourced"), "{stdout}");
}

#[test]
fn preflight_missing_root_dir() {
    let out = run(&["preflight", "--root", "/nonexistent/svcj-root"]);
    assert_eq!(util::code(&out), 66);
    assert!(util::stderr(&out).contains("/nonexistent/svcj-root"));
}

#[test]
fn preflight_bad_sysctl_override() {
    let s = tree("badsysctl");
    s.write("bad", "security.jail.jailed=maybe\n");
    let (code, out) = preflight(&s.0, Some(&s.path("bad")));
    // Unreadable nested state fails closed, naming the bad value.
    assert!(out.contains("FAIL  nested jails"), "{out}");
    assert!(out.contains("maybe"), "{out}");
    assert_eq!(code, 69);
}

// ---- audit and lint (the library is tested in tests/audit_lint.rs; here
// the binary's wiring: flags, exit codes, JSON) ----------------------------

fn fixture(rel: &str) -> String {
    format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn audit_exit_codes_and_json() {
    let host = fixture("audit/host/root");
    let out = run(&["audit", "--root", &host]);
    assert_eq!(util::code(&out), 78, "{}", util::stderr(&out));
    assert!(util::stdout(&out).contains("ENABLED"));
    let out = run(&[
        "audit",
        "--json",
        "--root",
        &host,
        "--localbase",
        "/usr/local",
    ]);
    assert_eq!(util::code(&out), 78);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["services"].as_array().unwrap().len() >= 20, "{v}");
    let out = run(&["audit", "--root", &fixture("audit/nohook/root")]);
    assert_eq!(util::code(&out), 78);
    assert!(util::stdout(&out).lines().any(|l| l.trim() == APPEND_LOCAL));
    let out = run(&["audit", "--root", "/nonexistent/svcj-root"]);
    assert_eq!(util::code(&out), 66, "{}", util::stderr(&out));
}

#[test]
fn lint_exit_codes() {
    let good = fixture("lint/good/webd");
    let bad = fixture("lint/bad/unknown-option");
    let out = run(&["lint", &good]);
    assert_eq!(util::code(&out), 0, "{}", util::stdout(&out));
    let out = run(&["lint", &good, &bad]);
    assert_eq!(util::code(&out), 65);
    assert!(util::stdout(&out).contains("unknown service jail option"));
    // A missing file is reported, the others are still checked.
    let out = run(&["lint", "/nonexistent/rc.d/x", &good]);
    assert_eq!(util::code(&out), 66);
    assert!(util::stderr(&out).contains("/nonexistent/rc.d/x"));
    assert!(util::stdout(&out).contains("webd"));
    assert_eq!(util::code(&run(&["lint"])), 64);
}

// ---- status against the real Linux backend --------------------------------

#[cfg(target_os = "linux")]
#[test]
fn status_without_jails() {
    let env = util::Env::new("status-empty");
    let o = env.run("svcj-check").arg("status").output();
    assert_eq!(util::code(&o), 0, "{}", util::stderr(&o));
    assert_eq!(util::stdout(&o), "no service jails are running\n");
    let o = env.run("svcj-check").args(["status", "--json"]).output();
    assert_eq!(util::code(&o), 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"jails": []}));
    let o = env.run("svcj-check").args(["status", "nosuchsvc"]).output();
    assert_eq!(util::code(&o), 69);
    assert!(
        util::stderr(&o).contains("svcj-nosuchsvc"),
        "{}",
        util::stderr(&o)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn status_of_a_running_service_jail() {
    need_root!("status_of_a_running_service_jail");
    let env = util::Env::new("status");
    let svc = util::unique("st");
    let jail = format!("svcj-{svc}");
    let o = env
        .run("svcj-exec")
        .args([
            "-o",
            "net_basic sysvipcnew",
            "-o",
            "net_raw",
            &svc,
            "--",
            "sh",
            "-c",
            "sleep 60 </dev/null >/dev/null 2>&1 & sleep 60 </dev/null >/dev/null 2>&1 &",
        ])
        .output();
    assert_eq!(util::code(&o), 0, "{}", util::stderr(&o));
    let jid = env.jid(&jail).expect("registered");

    let o = env.run("svcj-check").arg("status").output();
    assert_eq!(util::code(&o), 0, "{}", util::stderr(&o));
    let out = util::stdout(&o);
    assert_80_columns(&out);
    let row = out
        .lines()
        .find(|l| l.starts_with(&jail))
        .unwrap_or_else(|| panic!("no row for {jail}:\n{out}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols[1], jid.to_string(), "{row}");
    assert_eq!(cols[2], "2", "{row}");
    assert_eq!(cols[3], "ip4,ip6", "{row}");
    assert_eq!(cols[4], "new", "{row}");
    assert_eq!(&cols[5..], &["raw_sockets", "reserved_ports"], "{row}");

    for name in [svc.as_str(), jail.as_str()] {
        let o = env
            .run("svcj-check")
            .args(["status", "--json", name])
            .output();
        assert_eq!(util::code(&o), 0, "{}", util::stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let j = &v["jails"][0];
        assert_eq!(v["jails"].as_array().unwrap().len(), 1);
        assert_eq!(j["name"], jail.as_str());
        assert_eq!(j["service"], svc.as_str());
        assert_eq!(j["jid"], jid);
        assert_eq!(j["processes"], 2);
        assert_eq!(j["network"], true);
        assert_eq!(j["ip4"], "inherit");
        assert_eq!(j["ipc"], "new");
        assert_eq!(
            j["allow"],
            serde_json::json!(["allow.raw_sockets", "allow.reserved_ports"])
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn status_not_root_says_the_registry_is_unreadable() {
    need_root!("status_not_root_says_the_registry_is_unreadable");
    let env = util::Env::new("status-nobody");
    std::fs::create_dir_all(&env.rundir).unwrap();
    // The registry is root's and private, as svcj-exec creates it.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&env.rundir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let o = setpriv(&NOBODY)
        .arg("status")
        .env("SVCJ_RUNDIR", &env.rundir)
        .output();
    if util::code(&o) == 126 || util::code(&o) == 127 {
        eprintln!("skipped: user nobody cannot execute {BIN}");
        return;
    }
    assert_eq!(util::code(&o), 77, "{}", util::stderr(&o));
    let err = util::stderr(&o);
    assert!(
        err.contains("cannot read the service jail registry"),
        "{err}"
    );
    assert!(err.contains("must be run as root"), "{err}");
    assert!(o.stdout.is_empty());
}

/// The shared runner hands stdin, env and arguments to the child (the last
/// setting of a variable wins), captures both streams and returns a
/// failing status instead of panicking.
#[test]
fn util_run_captures_output_and_any_status() {
    let o = util::Run::new("/bin/sh")
        .args([
            "-c",
            "cat; printf '%s' \"$SVCJ_T${SVCJ_U-}\" >&2; exit 3",
            "sh",
        ])
        .env_remove("SVCJ_T")
        .env("SVCJ_T", "from-env")
        .env("SVCJ_U", "set")
        .env_remove("SVCJ_U")
        .stdin("from-stdin")
        .output();
    assert_eq!(util::code(&o), 3);
    assert_eq!(util::stdout(&o), "from-stdin");
    assert_eq!(util::stderr(&o), "from-env");
}

/// `-v` (before or after the subcommand) sends debug records to stderr and
/// nothing extra to stdout; without it, and without RUST_LOG, stderr stays
/// empty; RUST_LOG alone also turns them on.
#[test]
fn verbose_logs_debug_lines_on_stderr_only() {
    let s = tree("verbose");
    with_hook(&s);
    let root = s.0.to_str().unwrap();
    let go = |args: &[&str]| {
        util::tool("svcj-check")
            .args(args)
            .env("SVCJ_SYSCTL_FILE", s.path("sysctl"))
            .output()
    };
    let quiet = go(&["preflight", "--root", root]);
    assert!(quiet.stderr.is_empty(), "{}", util::stderr(&quiet));
    for args in [
        &["-v", "preflight", "--root", root][..],
        &["preflight", "-v", "--root", root][..],
    ] {
        let loud = go(args);
        assert_eq!(util::code(&loud), util::code(&quiet));
        assert_eq!(util::stdout(&loud), util::stdout(&quiet));
        let err = util::stderr(&loud);
        assert!(
            err.lines().all(|l| l.starts_with("[DEBUG ")),
            "not only debug lines: {err}"
        );
        assert!(
            err.contains("nested-jail state read from SVCJ_SYSCTL_FILE"),
            "{err}"
        );
    }
    let env = util::tool("svcj-check")
        .args(["preflight", "--root", root])
        .env("SVCJ_SYSCTL_FILE", s.path("sysctl"))
        .env("RUST_LOG", "debug")
        .output();
    assert!(
        util::stderr(&env).contains("[DEBUG "),
        "{}",
        util::stderr(&env)
    );
}

/// The preflight probe child really unshares the namespaces: as root it
/// reports unshare(2) permitted, and as root without CAP_SYS_ADMIN (not in
/// the bounding set) it reports the kernel's refusal and fails with 69.
#[cfg(target_os = "linux")]
#[test]
fn preflight_probe_unshares_in_a_child() {
    need_root!("preflight_probe_unshares_in_a_child");
    if !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("skipped: needs setpriv(1) from util-linux");
        return;
    }
    let s = tree("probe");
    with_hook(&s);
    let root = s.0.to_str().unwrap();
    let ok = util::tool("svcj-check")
        .args(["-v", "preflight", "--root", root])
        .output();
    let out = util::stdout(&ok);
    assert!(
        out.contains("OK    kernel: Linux with pid, net, ipc and mount namespaces; unshare(2)"),
        "{out}"
    );
    assert!(
        util::stderr(&ok).contains("probe: the child exited with exit status: 0"),
        "{}",
        util::stderr(&ok)
    );
    let denied = setpriv(&["--bounding-set=-sys_admin"])
        .args(["-v", "preflight", "--root", root])
        .output();
    let out = util::stdout(&denied);
    assert_eq!(util::code(&denied), 69, "{out}{}", util::stderr(&denied));
    assert!(
        out.contains(
            "FAIL  kernel: Linux with pid, net, ipc and mount namespaces, but unshare(2) of"
        ),
        "{out}"
    );
    assert!(
        util::stderr(&denied)
            .contains("probe: unshare(2) in the child failed: Operation not permitted"),
        "{}",
        util::stderr(&denied)
    );
}

/// `SVCJ_SYSCTL_FILE` is a test hook of debug builds only (issue 9, item
/// 9): a release build of `svcj-check` (the profile the port installs;
/// LTO and optimisation are turned off here only to keep the build short,
/// `debug-assertions`, the switch, stays the release profile's) ignores
/// it and asks the kernel, while the debug build under test honours it.
#[test]
fn a_release_build_ignores_the_sysctl_override() {
    let s = tree("release");
    with_hook(&s);
    s.write("etc/rc.subr", NEW_RC_SUBR)
        .write("etc/local.rc.subr", &format!("{LINE}\n"))
        .write(
            "zero",
            "security.jail.jailed=1\nsecurity.jail.children.max=0\n",
        );
    let (code, out) = preflight(&s.0, Some(&s.path("zero")));
    assert_eq!(code, 69, "the debug build honours the hook: {out}");
    assert!(out.contains("children.max is set to 0"), "{out}");

    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("release-hooks");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = util::Run::new(cargo)
        .args(["build", "--release", "--locked", "--offline", "--bin"])
        .arg("svcj-check")
        .arg("--target-dir")
        .arg(&target)
        .dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env_remove("RUSTFLAGS")
        .output();
    assert_eq!(util::code(&built), 0, "{}", util::stderr(&built));
    let release = util::Run::new(target.join("release/svcj-check"))
        .args(["-v", "preflight", "--root"])
        .arg(&s.0)
        .env("SVCJ_SYSCTL_FILE", s.path("zero"))
        .env_remove("RUST_LOG")
        .output();
    let out = util::stdout(&release);
    assert!(!out.contains("children.max is set to 0"), "{out}");
    assert!(
        !util::stderr(&release).contains("SVCJ_SYSCTL_FILE"),
        "{}",
        util::stderr(&release)
    );
    // This Linux test host is not a jail: the kernel's answer.
    assert!(out.contains("nested jails"), "{out}");
    assert_ne!(util::code(&release), 69, "{out}");
}

/// `-v` on `svcj-exec` and `svcj-kill` too: debug records on stderr of
/// what is created, signalled and removed; stdout and the exit status are
/// what they are without it.
#[cfg(target_os = "linux")]
#[test]
fn verbose_exec_and_kill_log_what_they_do() {
    if !is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let env = util::Env::new("verbose");
    let o = env
        .exec()
        .args([
            "-v",
            "vrb",
            "--",
            "sh",
            "-c",
            "sleep 30 </dev/null >/dev/null 2>&1 &",
        ])
        .output();
    assert_eq!(util::code(&o), 0, "{}", util::stderr(&o));
    let err = util::stderr(&o);
    assert!(err.contains("[DEBUG ") && err.contains("svcj-vrb"), "{err}");
    let o = env.kill().args(["-v", "-t", "5", "svcj-vrb"]).output();
    assert_eq!(util::code(&o), 0, "{}", util::stderr(&o));
    assert_eq!(util::stdout(&o), "svcj-vrb: 1 ended on SIGTERM, 0 killed\n");
    let err = util::stderr(&o);
    assert!(err.contains("tearing down"), "{err}");
    assert!(err.contains("signal 15"), "{err}");
    assert!(err.contains("svcj-vrb: removed"), "{err}");
    assert!(
        err.lines().all(|l| l.starts_with("[DEBUG ")),
        "not only debug lines: {err}"
    );
}

/// Run the real `bin` with `args` after closing the descriptors `closed`
/// in the child (they are the caller's 0, 1 or 2).
fn run_with_closed(bin: &str, args: &[&str], closed: &'static [i32]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut c = std::process::Command::new(bin);
    c.args(args);
    // SAFETY: close(2) is async-signal-safe; nothing else runs between
    // fork and exec.
    unsafe {
        c.pre_exec(move || {
            for fd in closed {
                libc::close(*fd);
            }
            Ok(())
        });
    }
    c.output().unwrap()
}

#[test]
fn the_tools_start_with_closed_standard_descriptors() {
    // svcj::cli::start gives a closed 0, 1 or 2 /dev/null, as Rust's own
    // start does: printing to a closed stdout would otherwise abort.
    for bin in [
        BIN,
        env!("CARGO_BIN_EXE_svcj-exec"),
        env!("CARGO_BIN_EXE_svcj-kill"),
    ] {
        let o = run_with_closed(bin, &["--version"], &[0, 1]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{bin}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            o.stderr.is_empty(),
            "{bin}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // With stdout and stderr closed, a usage error still exits 64.
    let o = run_with_closed(BIN, &["--no-such-flag"], &[0, 1, 2]);
    assert_eq!(o.status.code(), Some(64));
    // A descriptor the tool opens never lands on a closed 0, 1 or 2: the
    // dry run of svcj-exec writes its parameters to (the new) stdout,
    // which is /dev/null, not a file it opened.
    let o = run_with_closed(
        env!("CARGO_BIN_EXE_svcj-exec"),
        &["-n", "startfds", "--", "/bin/true"],
        &[1],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The write end of a pipe whose read end is already closed.
fn pipe_without_reader() -> std::process::Stdio {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: pipe fills the two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: closing our own read end, once.
    unsafe { libc::close(fds[0]) };
    // SAFETY: fds[1] is an open descriptor that nothing else owns.
    unsafe { std::process::Stdio::from(std::os::fd::OwnedFd::from_raw_fd(fds[1])) }
}

#[test]
fn a_closed_pipe_is_an_error_not_a_signal() {
    // SIGPIPE is ignored, as under Rust's own start: writing into a pipe
    // whose reader is gone gives EPIPE, which the tool handles, instead
    // of killing it.  The pipe's read end is closed before the tool runs.
    use std::os::unix::process::ExitStatusExt;
    let st = std::process::Command::new(BIN)
        .args(["options", "net_basic"])
        .stdout(pipe_without_reader())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(st.signal(), None, "killed by signal {:?}", st.signal());
    // As a failed write of the audit: EX_OSERR.
    assert_eq!(st.code(), Some(71), "the status of a failed write");

    // A message for a closed stderr is dropped: the tool goes on (here
    // svcj-kill's "no such jail, nothing to do", status 0).
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_svcj-kill"))
        .arg("svcj-no-such-jail-for-a-closed-stderr")
        .env(
            "SVCJ_RUNDIR",
            std::env::temp_dir().join("svcj-no-registry-here"),
        )
        .stdout(std::process::Stdio::null())
        .stderr(pipe_without_reader())
        .status()
        .unwrap();
    assert_eq!(st.signal(), None, "killed by signal {:?}", st.signal());
    if is_root() {
        assert_eq!(st.code(), Some(0));
    }
}

#[test]
fn the_tools_do_not_need_libgcc_s() {
    // build.rs links GCC's unwinder into the binaries on Linux/glibc when
    // the compiler has libgcc_eh.a (0.12 ms less per start): then no
    // binary names libgcc_s.so.1 among the libraries it needs.
    if option_env!("SVCJ_STATIC_UNWIND").is_none() {
        eprintln!("the_tools_do_not_need_libgcc_s: skipped: no static unwinder in this build");
        return;
    }
    for bin in [
        BIN,
        env!("CARGO_BIN_EXE_svcj-exec"),
        env!("CARGO_BIN_EXE_svcj-kill"),
    ] {
        let image = std::fs::read(bin).unwrap();
        let needle = b"libgcc_s.so.1";
        assert!(
            !image.windows(needle.len()).any(|w| w == needle),
            "{bin} still needs libgcc_s.so.1"
        );
    }
}
