//! Hostile input against the real binaries.
//!
//! Every input of the corpus in `tests/hostile/` (names, jail names,
//! option lists, address lists — see its README) is fed to `svcj-exec`,
//! `svcj-kill` and `svcj-check` the way an admin or an rc.conf value could.
//! For each run this checks what the product promises about bad input: a
//! clear message naming the kind of input, a sysexits code, no panic,
//! nothing executed (the inputs try to create a canary file through the
//! shell, and the command given to `svcj-exec` would create another one),
//! nothing created (a private `SVCJ_RUNDIR` and the working directory stay
//! empty) and no terminal control character echoed back.
//!
//! Failures are collected over the whole corpus and reported together, so
//! one run shows every input that misbehaves.

mod util;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

const EXEC: &str = "svcj-exec";
const KILL: &str = "svcj-kill";
const CHECK: &str = "svcj-check";

/// A scratch directory: the working directory, the registry directory and
/// the place of the canaries.  Removed on drop.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "svcj-hostile-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("cwd")).unwrap();
        private_dir(&dir.join("run"));
        Scratch { dir }
    }
    /// The file the hostile input tries to create through a shell.
    fn canary(&self) -> PathBuf {
        self.dir.join("CANARY")
    }
    /// The file the command given to svcj-exec would create if it ran.
    fn ran(&self) -> PathBuf {
        self.dir.join("RAN")
    }
    fn rundir(&self) -> PathBuf {
        self.dir.join("run")
    }
    fn cwd(&self) -> PathBuf {
        self.dir.join("cwd")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Decode one corpus line (see tests/hostile/README).
fn decode(line: &str, canary: &Path) -> String {
    let line = line.replace("@CANARY@", canary.to_str().unwrap());
    if line == "@EMPTY@" {
        return String::new();
    }
    if let Some(rest) = line.strip_prefix("!repeat ") {
        let (n, text) = rest.split_once(' ').expect("!repeat N TEXT");
        let n: usize = n.parse().expect("!repeat count");
        return unescape(text).repeat(n);
    }
    unescape(&line)
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('x') => {
                let h: String = it.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&h, 16).expect("\\xHH")));
            }
            Some('u') => {
                assert_eq!(it.next(), Some('{'), "\\u{{HHHH}}");
                let h: String = it.by_ref().take_while(|c| *c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&h, 16).unwrap()).unwrap());
            }
            other => panic!("bad escape \\{other:?} in corpus line {s:?}"),
        }
    }
    out
}

/// The inputs of one corpus file, decoded for this scratch directory.
fn corpus(file: &str, canary: &Path) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(file);
    let text = fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| decode(l, canary))
        .collect()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Short, printable form of an input for failure messages.
fn show(s: &str) -> String {
    let d = format!("{s:?}");
    if d.len() > 80 {
        let head: String = d.chars().take(77).collect();
        format!("{head}…({} bytes)", s.len())
    } else {
        d
    }
}

/// What a run must look like.
struct Expect<'a> {
    /// Accepted exit codes.
    codes: &'a [i32],
    /// Phrases of which one must appear in stderr (empty: no requirement).
    says: &'a [&'a str],
}

/// `tool` (one of the package's binaries) with `args`, in the scratch
/// directory, with its registry directory.
fn tool(sc: &Scratch, tool: &str, args: &[&OsStr]) -> util::Run {
    util::tool(tool)
        .args(args)
        .dir(sc.cwd())
        .env("SVCJ_RUNDIR", sc.rundir())
        .env_remove("RUST_BACKTRACE")
}

/// Run `prog args` (`prog` one of the package's binaries) in the scratch
/// directory and check everything that must hold whatever the input;
/// return a description of each violation.
fn run(sc: &Scratch, prog: &str, args: &[&OsStr], input: &str, want: &Expect) -> Vec<String> {
    let out = tool(sc, prog, args).output();
    let stderr = util::stderr(&out);
    let stdout = util::stdout(&out);
    let argv: Vec<String> = args.iter().map(|a| show(&a.to_string_lossy())).collect();
    let what = format!("{prog} {}", argv.join(" "));
    let mut bad = Vec::new();
    match out.status.code() {
        None => bad.push(format!("{what}: killed by a signal ({:?})", out.status)),
        Some(101) => bad.push(format!("{what}: panicked: {}", show(&stderr))),
        Some(c) if !want.codes.contains(&c) => bad.push(format!(
            "{what}: exit {c}, want one of {:?}; stderr {}",
            want.codes,
            show(&stderr)
        )),
        Some(_) => {}
    }
    if stderr.contains("panicked") {
        bad.push(format!("{what}: panic message: {}", show(&stderr)));
    }
    if !want.says.is_empty() && !want.says.iter().any(|p| stderr.contains(p)) {
        bad.push(format!(
            "{what}: stderr does not say any of {:?}: {}",
            want.says,
            show(&stderr)
        ));
    }
    // Messages quote what they were given; they must not pass raw control
    // characters (terminal escapes) through to the admin's terminal.
    for (stream, text) in [("stderr", &stderr), ("stdout", &stdout)] {
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            bad.push(format!(
                "{what}: raw control character on {stream}: {}",
                show(text)
            ));
        }
    }
    if sc.canary().exists() {
        bad.push(format!(
            "{what}: input {} was EXECUTED (canary created)",
            show(input)
        ));
        let _ = fs::remove_file(sc.canary());
    }
    if sc.ran().exists() {
        bad.push(format!("{what}: the command ran despite bad input"));
        let _ = fs::remove_file(sc.ran());
    }
    for (d, label) in [
        (sc.rundir(), "SVCJ_RUNDIR"),
        (sc.cwd(), "working directory"),
    ] {
        let left: Vec<String> = fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        if !left.is_empty() {
            bad.push(format!("{what}: left {left:?} in the {label}"));
            let _ = fs::remove_dir_all(&d);
            private_dir(&d);
        }
    }
    bad
}

/// A directory only root may enter, as svcj-exec demands of its registry
/// directory (and as good enough for the working directory).
fn private_dir(d: &std::path::Path) {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(d)
        .unwrap();
}

fn os(v: &[&str]) -> Vec<std::ffi::OsString> {
    v.iter().map(std::ffi::OsString::from).collect()
}

fn refs(v: &[std::ffi::OsString]) -> Vec<&OsStr> {
    v.iter().map(|s| s.as_os_str()).collect()
}

fn report(file: &str, count: usize, bad: Vec<String>) {
    assert!(count > 0, "empty corpus {file}");
    assert!(
        bad.is_empty(),
        "{} problem(s) with {count} inputs of tests/hostile/{file}:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Would `svcj-<name>` be a valid jail name?  (Then svcj-kill and -j look
/// it up instead of refusing it.)
fn valid_jail_word(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 250
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

const BAD_NAME: Expect = Expect {
    codes: &[65],
    says: &["invalid service name"],
};
const BAD_JAIL: Expect = Expect {
    codes: &[65],
    says: &["invalid jail name"],
};

#[test]
fn hostile_service_names() {
    let sc = Scratch::new();
    let inputs = corpus("names.txt", &sc.canary());
    let ran = sc.ran().to_str().unwrap().to_string();
    let mut bad = Vec::new();
    for name in &inputs {
        for dry in [true, false] {
            let mut a = os(if dry { &["-n"] } else { &[] });
            a.push(name.into());
            a.extend(os(&["--", "/usr/bin/touch", &ran]));
            bad.extend(run(&sc, EXEC, &refs(&a), name, &BAD_NAME));
        }
        // The same text as a jail name, as rc.subr would build it.
        let jail = format!("svcj-{name}");
        let (kill_want, join_want) = if valid_jail_word(&jail) {
            // Well-formed but absent: "no such jail" (0), "not found" (69);
            // svcj-kill checks the privilege first (77 when not root).
            (
                Expect {
                    codes: if is_root() { &[0] } else { &[0, 77] },
                    says: &[],
                },
                Expect {
                    codes: if is_root() { &[69] } else { &[69, 77] },
                    says: &["not found", "permission denied"],
                },
            )
        } else {
            (BAD_JAIL, BAD_JAIL)
        };
        bad.extend(run(&sc, KILL, &refs(&os(&[&jail])), name, &kill_want));
        let a = os(&["-j", &jail, "--", "/usr/bin/touch", &ran]);
        bad.extend(run(&sc, EXEC, &refs(&a), name, &join_want));
    }
    report("names.txt", inputs.len(), bad);
}

#[test]
fn hostile_jail_names() {
    let sc = Scratch::new();
    let inputs = corpus("jails.txt", &sc.canary());
    let ran = sc.ran().to_str().unwrap().to_string();
    let mut bad = Vec::new();
    // svcj-kill refuses a well-formed name without the svcj- prefix as a
    // usage error (64: "use -f").
    let kill_want = Expect {
        codes: &[64, 65],
        says: &["invalid jail name", "not a service jail"],
    };
    for jail in &inputs {
        let a = os(&[jail]);
        bad.extend(run(&sc, KILL, &refs(&a), jail, &kill_want));
        let a = os(&["-t", "1", jail]);
        bad.extend(run(&sc, KILL, &refs(&a), jail, &kill_want));
        let a = os(&[&format!("--join={jail}"), "--", "/usr/bin/touch", &ran]);
        bad.extend(run(&sc, EXEC, &refs(&a), jail, &BAD_JAIL));
    }
    report("jails.txt", inputs.len(), bad);
}

/// True when the list holds both sysvipc words (an error at run time too).
fn conflict(opts: &str) -> bool {
    let w: Vec<&str> = opts.split_whitespace().collect();
    w.contains(&"sysvipc") && w.contains(&"sysvipcnew")
}

#[test]
fn hostile_option_lists() {
    let sc = Scratch::new();
    let inputs = corpus("options.txt", &sc.canary());
    let ran = sc.ran().to_str().unwrap().to_string();
    let mut bad = Vec::new();
    let strict = Expect {
        codes: &[65],
        says: &[
            "unknown service jail option",
            "more than one sysvipc option",
        ],
    };
    let conflict_exec = Expect {
        codes: &[65],
        says: &["more than one sysvipc option"],
    };
    let warn_dry = Expect {
        codes: &[0],
        says: &["unknown service jail option"],
    };
    for opts in &inputs {
        bad.extend(run(
            &sc,
            CHECK,
            &refs(&os(&["options", opts])),
            opts,
            &strict,
        ));
        bad.extend(run(
            &sc,
            CHECK,
            &refs(&os(&["options", "--json", opts])),
            opts,
            &strict,
        ));
        // Dry run: unknown words are reported and ignored; what would be
        // given to the kernel is vocabulary only.
        let a = os(&[
            "-n",
            &format!("--options={opts}"),
            "foo",
            "--",
            "/usr/bin/touch",
            &ran,
        ]);
        let want = if conflict(opts) {
            &conflict_exec
        } else {
            &warn_dry
        };
        bad.extend(run(&sc, EXEC, &refs(&a), opts, want));
        let out = tool(&sc, EXEC, &refs(&a)).output();
        let _ = fs::remove_file(sc.ran());
        for word in util::stdout(&out).split_whitespace() {
            let ok = word
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.=,:/-".contains(&b));
            if !ok {
                bad.push(format!(
                    "svcj-exec -n -o {}: printed a non-vocabulary word {}",
                    show(opts),
                    show(word)
                ));
            }
        }
    }
    report("options.txt", inputs.len(), bad);
}

/// A real start with hostile option words: the service starts (unknown
/// words only warn), nothing of the words is executed, and the jail is
/// gone with its last process.
#[test]
fn hostile_option_lists_real_start() {
    if !is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let sc = Scratch::new();
    let inputs = corpus("options.txt", &sc.canary());
    let mut bad = Vec::new();
    let started = Expect {
        codes: &[0],
        says: &["unknown service jail option"],
    };
    let refused = Expect {
        codes: &[65],
        says: &["more than one sysvipc option"],
    };
    for opts in &inputs {
        let a = os(&[&format!("--options={opts}"), "hostile", "--", "/bin/true"]);
        let want = if conflict(opts) { &refused } else { &started };
        bad.extend(run(&sc, EXEC, &refs(&a), opts, want));
    }
    report("options.txt", inputs.len(), bad);
}

#[test]
fn hostile_address_lists() {
    let sc = Scratch::new();
    let inputs = corpus("addrs.txt", &sc.canary());
    let ran = sc.ran().to_str().unwrap().to_string();
    let mut bad = Vec::new();
    let want = Expect {
        codes: &[65],
        says: &["invalid address"],
    };
    for addrs in &inputs {
        let a = os(&["options", &format!("--addrs={addrs}"), "net_basic"]);
        bad.extend(run(&sc, CHECK, &refs(&a), addrs, &want));
        for dry in [true, false] {
            let mut a = os(if dry { &["-n"] } else { &[] });
            a.extend(os(&[
                "--options=net_basic",
                &format!("--addrs={addrs}"),
                "foo",
                "--",
                "/usr/bin/touch",
                &ran,
            ]));
            bad.extend(run(&sc, EXEC, &refs(&a), addrs, &want));
        }
    }
    report("addrs.txt", inputs.len(), bad);
}

/// The corpus is as big as promised (≥ 50 hostile inputs) and decodes.
#[test]
fn corpus_size() {
    let c = Path::new("/nonexistent/CANARY");
    let n: usize = ["names.txt", "jails.txt", "options.txt", "addrs.txt"]
        .iter()
        .map(|f| corpus(f, c).len())
        .sum();
    assert!(n >= 50, "only {n} hostile inputs");
    assert_eq!(unescape(r"a\nb\x1b\u{200b}\\"), "a\nb\u{1b}\u{200b}\\");
    assert_eq!(decode("!repeat 3 ab", c), "ababab");
    assert_eq!(decode("@EMPTY@", c), "");
    assert_eq!(decode("x@CANARY@", c), "x/nonexistent/CANARY");
}

/// The same corpus through the library: every input is refused by the
/// parser the binaries use, with a data-error code.
#[test]
fn corpus_through_library() {
    use svcj::name::{JailRef, ServiceName};
    use svcj::options;
    let c = Path::new("/nonexistent/CANARY");
    for n in corpus("names.txt", c) {
        let e = ServiceName::new(&n).expect_err(&show(&n));
        assert_eq!(e.exit_code(), 65, "{}", show(&n));
        assert!(e.to_string().contains(&format!("{n:?}")));
    }
    for j in corpus("jails.txt", c) {
        let e = JailRef::parse(&j, false).expect_err(&show(&j));
        assert_eq!(e.exit_code(), 65, "{}", show(&j));
    }
    for o in corpus("options.txt", c) {
        let e = options::parse(&o, "")
            .and_then(|p| p.strict())
            .expect_err(&show(&o));
        assert_eq!(e.exit_code(), 65, "{}", show(&o));
    }
    for a in corpus("addrs.txt", c) {
        let e = options::parse("net_basic", &a).expect_err(&show(&a));
        assert_eq!(e.exit_code(), 65, "{}", show(&a));
        assert!(e.to_string().contains("invalid address"), "{e}");
    }
}

/// Write `text` to `root/rel`, creating directories.
fn put(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// `svcj-check audit` reads rc.conf and rc.d scripts, which are shell:
/// a hostile tree (command substitutions, backquotes, include loops, a path
/// climbing out of the root, terminal escapes, a 100 kB line, odd file
/// names) executes nothing, does not panic, escapes control characters in
/// its text report and still emits valid JSON.
#[test]
fn hostile_audit_tree() {
    let sc = Scratch::new();
    let root = sc.dir.join("root");
    let c = sc.canary();
    let c = c.to_str().unwrap();
    let long = "x".repeat(100_000);
    put(
        &root,
        "etc/defaults/rc.conf",
        "rc_conf_files=\"/etc/rc.conf /etc/rc.conf.local\"\n",
    );
    put(
        &root,
        "etc/rc.conf",
        &format!(
            "hostname=\"$(touch {c})\"\n\
             foo_enable=\"YES\"\n\
             foo_svcj=\"YES\"\n\
             foo_svcj_options='net_basic $(touch {c}) `touch {c}` ;touch {c} ev\u{1b}[2Jil'\n\
             foo_svcj_ipaddrs='1.2.3.4;touch {c}'\n\
             bar_enable=`touch {c}`\n\
             bar_svcj=\"$(touch {c})\"\n\
             baz_enable=YES\n\
             baz_svcj=YES\n\
             baz_svcj_options=\"{long}\"\n\
             eval \"touch {c}\"\n\
             touch {c}\n\
             . /etc/rc.conf\n\
             . /../../../../../../etc/hostname\n\
             . /dev/zero\n\
             x=${{y:=$(touch {c})}}\n\
             ${{z?$(touch {c})}}\n"
        ),
    );
    put(&root, "etc/rc.conf.local", ". /etc/rc.conf.local\n");
    let script = |name: &str| {
        format!(
            "#!/bin/sh\n. /etc/rc.subr\nname=\"{name}\"\nrcvar=\"{name}_enable\"\n\
             : ${{{name}_svcj_options:=\"net_raw $(touch {c})\"}}\n\
             command=\"/usr/sbin/{name}\"\nload_rc_config $name\nrun_rc_command \"$1\"\n"
        )
    };
    put(&root, "etc/rc.d/foo", &script("foo"));
    put(&root, "etc/rc.d/bar", &script("bar"));
    put(&root, "usr/local/etc/rc.d/baz", &script("baz"));
    put(
        &root,
        &format!("usr/local/etc/rc.d/evil;touch {c}"),
        &script("evil"),
    );
    put(
        &root,
        "usr/local/etc/rc.d/subst",
        &format!(
            "#!/bin/sh\n. /etc/rc.subr\nname=$(touch {c})\nrcvar=`touch {c}`_enable\n\
             load_rc_config $name\nrun_rc_command \"$1\"\n"
        ),
    );
    put(&root, "etc/rc.conf.d/foo", ". /etc/rc.conf.d/foo\n");
    let r = root.to_str().unwrap();
    let mut bad = Vec::new();
    let any = Expect {
        codes: &[0, 1, 65, 78],
        says: &[],
    };
    bad.extend(run(
        &sc,
        CHECK,
        &refs(&os(&["audit", "--root", r])),
        r,
        &any,
    ));
    let out = tool(&sc, CHECK, &refs(&os(&["audit", "--json", "--root", r]))).output();
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&out.stdout) {
        bad.push(format!(
            "svcj-check audit --json: not JSON ({e}): {}",
            show(&util::stdout(&out))
        ));
    }
    if sc.canary().exists() {
        bad.push("svcj-check audit --json: EXECUTED the tree (canary created)".into());
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
