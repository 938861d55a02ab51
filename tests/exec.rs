//! Integration tests of `svcj-exec` on Linux: isolation, exit status,
//! daemons and joins, refusals that leave nothing behind, no mount leaks.
//! Root-only tests print `skipped: needs root` when not root.

#![cfg(target_os = "linux")]

mod util;

use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use util::*;

#[test]
fn help_lists_every_flag() {
    let o = run(tool("svcj-exec").arg("--help"));
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    for flag in [
        "--dry-run",
        "--options",
        "--addrs",
        "--console-log",
        "--join",
        "--quiet",
        "--verbose",
        "--help",
        "--version",
    ] {
        assert!(out.contains(flag), "--help lacks {flag}:\n{out}");
    }
}

#[test]
fn dry_run_prints_parameters_and_creates_nothing() {
    let env = Env::new("dry");
    let o = run(env.exec().args([
        "-n",
        "-o",
        "net_basic nosuchoption",
        "-a",
        "192.0.2.1",
        "web",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        // Any address switches both families to new (base rc.subr):
        // IPv4 addresses only leave the jail without IPv6.
        "name=svcj-web\npath=/ mount.nodevfs host=inherit ip4=new ip4.addr=192.0.2.1 \
         ip6=new allow.reserved_ports\n"
    );
    assert!(stderr(&o).contains("web: unknown service jail option: nosuchoption"));
    assert!(!env.rundir.exists());
}

#[test]
fn usage_errors_exit_64() {
    for args in [
        &["foo"][..],
        &["-j", "svcj-x", "foo", "--", "true"],
        &["--bogus"],
    ] {
        let o = run(tool("svcj-exec").args(args));
        assert_eq!(code(&o), 64, "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn exit_status_passes_through() {
    need_root!("exit_status_passes_through");
    let env = Env::new("status");
    for (script, want) in [("exit 0", 0), ("exit 3", 3), ("kill -TERM $$", 143)] {
        let o = run(env.exec().args(["st", "--", "sh", "-c", script]));
        assert_eq!(code(&o), want, "{script}: {}", stderr(&o));
    }
    assert!(empty_or_absent(&env.rundir), "{:?}", env.registry_files());
}

#[test]
fn only_the_jails_own_processes_are_visible() {
    need_root!("only_the_jails_own_processes_are_visible");
    let env = Env::new("vis");
    let o = run(env
        .exec()
        .args(["vis", "--", "sh", "-c", "ps -e -o pid= -o comm=; ls /proc"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let ps: Vec<(i32, String)> = out
        .lines()
        .take_while(|l| l.starts_with(' ') || l.starts_with(char::is_numeric))
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((w.next()?.parse().ok()?, w.next()?.to_string()))
        })
        .collect();
    let comms: Vec<&str> = ps.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(ps[0], (1, "svcj-reaper".to_string()), "{out}");
    assert_eq!(comms, ["svcj-reaper", "sh", "ps"], "{out}");
    // /proc lists the same few PIDs and nothing of the host.
    let pids: Vec<i32> = out.lines().filter_map(|l| l.trim().parse().ok()).collect();
    assert!(pids.iter().all(|p| *p <= 4), "{out}");
}

#[test]
fn network_needs_an_option() {
    need_root!("network_needs_an_option");
    let env = Env::new("net");
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let script = format!("exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected");
    let none = run(env.exec().args(["nonet", "--", "bash", "-c", &script]));
    assert_ne!(code(&none), 0, "connected without a network option");
    assert!(!stdout(&none).contains("connected"));
    let net = run(env
        .exec()
        .args(["net", "-o", "net_basic", "--", "bash", "-c", &script]));
    assert_eq!(code(&net), 0, "{}", stderr(&net));
    assert!(stdout(&net).contains("connected"));
    // The jail without network has only a loopback interface, down.
    let o = run(env.exec().args(["nonet", "--", "cat", "/proc/net/dev"]));
    let ifaces: Vec<String> = stdout(&o)
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next().map(|s| s.trim().to_string()))
        .collect();
    assert_eq!(ifaces, ["lo"], "{}", stdout(&o));
}

struct MsgQueue(i32);

impl Drop for MsgQueue {
    fn drop(&mut self) {
        // SAFETY: removing the queue this test created.
        unsafe { libc::msgctl(self.0, libc::IPC_RMID, std::ptr::null_mut()) };
    }
}

#[test]
fn sysv_ipc_and_posix_shm_need_sysvipc() {
    need_root!("sysv_ipc_and_posix_shm_need_sysvipc");
    let env = Env::new("ipc");
    let key = 0x5c0_0000 + (std::process::id() as i32 & 0xffff);
    // SAFETY: msgget with a key and flags; no memory is passed.
    let id = unsafe { libc::msgget(key, libc::IPC_CREAT | 0o600) };
    assert!(id >= 0, "msgget: {}", std::io::Error::last_os_error());
    let _q = MsgQueue(id);
    let shm = format!("/dev/shm/{}", unique("svcjshm"));
    fs::write(&shm, "x").unwrap();
    let script =
        format!("cat /proc/sysvipc/msg; ls -a /dev/shm; test -e {shm} && echo shm-visible; true");
    let key_text = key.to_string();
    let mut outs = Vec::new();
    for opts in ["", "sysvipcnew", "sysvipc"] {
        let o = run(env
            .exec()
            .args(["ipc", "-o", opts, "--", "sh", "-c", &script]));
        assert_eq!(code(&o), 0, "{opts}: {}", stderr(&o));
        outs.push(stdout(&o));
    }
    let _ = fs::remove_file(&shm);
    for (i, opts) in ["", "sysvipcnew"].iter().enumerate() {
        assert!(
            !outs[i].contains(&key_text),
            "{opts:?} sees the queue:\n{}",
            outs[i]
        );
        assert!(!outs[i].contains("shm-visible"), "{opts:?} sees /dev/shm");
    }
    assert!(
        outs[2].contains(&key_text),
        "sysvipc hides the queue:\n{}",
        outs[2]
    );
    assert!(outs[2].contains("shm-visible"), "sysvipc hides /dev/shm");
}

#[test]
fn capabilities_follow_allow_parameters() {
    need_root!("capabilities_follow_allow_parameters");
    let env = Env::new("caps");
    let bnd = |opts: &str| -> u64 {
        let o = run(env.exec().args([
            "caps",
            "-o",
            opts,
            "--",
            "grep",
            "CapBnd",
            "/proc/self/status",
        ]));
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let hex = stdout(&o).split_whitespace().nth(1).unwrap().to_string();
        u64::from_str_radix(&hex, 16).unwrap()
    };
    let bit = |c: u32| 1u64 << c;
    let none = bnd("");
    for c in [10, 12, 13, 14, 25, 30] {
        assert_eq!(none & bit(c), 0, "capability {c} kept without options");
    }
    for c in [16, 17, 21, 22, 27] {
        assert_eq!(none & bit(c), 0, "capability {c} kept: a jail never has it");
    }
    // An allow-list: exactly the base set (caps.rs), nothing FreeBSD
    // never gives a jail (PTRACE, NICE, SYSLOG, LINUX_IMMUTABLE, ...).
    let base = [0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 18, 24]
        .iter()
        .fold(0u64, |m, c| m | bit(*c));
    assert_eq!(none, base & host_bounding_set(), "bounding set {none:#x}");
    assert_ne!(none & bit(0), 0, "CAP_CHOWN is not one of the dropped ones");
    assert_ne!(
        none & bit(7),
        0,
        "CAP_SETUID is not one of the dropped ones"
    );
    let raw = bnd("net_raw");
    assert_ne!(raw & bit(13), 0);
    assert_eq!(raw & bit(10), 0);
    let all = bnd("net_all mlock settime routing setaudit");
    for c in [10, 12, 13, 14, 25, 30] {
        assert_ne!(all & bit(c), 0, "capability {c} dropped although granted");
    }
}

#[test]
fn console_log_is_appended() {
    need_root!("console_log_is_appended");
    let env = Env::new("log");
    let log = env.path("console.log");
    for word in ["one", "two"] {
        let o = run(env.exec().args([
            "-l",
            log.to_str().unwrap(),
            "logged",
            "--",
            "sh",
            "-c",
            &format!("echo {word}; echo err-{word} >&2"),
        ]));
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        "one\nerr-one\ntwo\nerr-two\n"
    );
}

#[test]
fn daemon_keeps_the_jail_alive_and_can_be_joined() {
    need_root!("daemon_keeps_the_jail_alive_and_can_be_joined");
    let env = Env::new("daemon");
    let stop = env.path("stop");
    let marker = unique("daemonmark");
    let daemon = format!(
        "sh -c 'while [ ! -e {} ]; do sleep 0.05; done; : {marker}' \
         </dev/null >/dev/null 2>&1 &",
        stop.display()
    );
    let o = run(env.exec().args(["dmn", "--", "sh", "-c", &daemon]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let jid = env.jid("svcj-dmn").expect("registered");
    assert!(alive(jid));
    // The registry directory is created private; the entry has every key
    // of the contract (docs/HACKING.md).
    let mode = fs::metadata(&env.rundir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    let e = env.entry("svcj-dmn").unwrap();
    for k in [
        "name",
        "jid",
        "reaper",
        "pidns",
        "starttime",
        "hostpidns",
        "ip4",
        "ip6",
        "ip4.addr",
        "ip6.addr",
        "sysvipc",
        "params",
    ] {
        assert!(e.contains_key(k), "entry lacks {k}: {e:?}");
    }
    assert_eq!(e["reaper"], jid.to_string());
    assert_eq!(e["params"], "path=/ mount.nodevfs host=inherit");
    assert_eq!(env.entry("svcj-dmn").unwrap()["name"], "svcj-dmn");
    assert!(!processes_with(&marker).is_empty());

    // Join by name and by JID: PID 1 is the jail's reaper, the daemon is
    // visible, the working directory is kept.
    let here = std::env::current_dir().unwrap();
    for j in ["svcj-dmn".to_string(), jid.to_string()] {
        let o = run(env.exec().args([
            "-j",
            &j,
            "--",
            "sh",
            "-c",
            "cat /proc/1/comm; ps -e -o args=; pwd; grep CapBnd /proc/self/status; exit 7",
        ]));
        assert_eq!(code(&o), 7, "{j}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.starts_with("svcj-reaper\n"), "{out}");
        assert!(out.contains(&marker), "{out}");
        assert!(out.contains(&format!("{}\n", here.display())), "{out}");
        let bnd = out.lines().find(|l| l.starts_with("CapBnd")).unwrap();
        let bnd = u64::from_str_radix(bnd.split_whitespace().nth(1).unwrap(), 16).unwrap();
        assert_eq!(bnd & (1 << 13), 0, "joined command kept CAP_NET_RAW");
    }

    // A second create is refused and changes nothing.
    let o = run(env.exec().args(["dmn", "--", "true"]));
    assert_eq!(code(&o), 69, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("svcj-dmn already exists"),
        "{}",
        stderr(&o)
    );
    assert_eq!(env.jid("svcj-dmn"), Some(jid));
    assert_eq!(env.registry_files(), ["svcj-dmn.jail"]);

    // The last process leaving ends the jail and its entry.
    fs::write(&stop, "").unwrap();
    assert!(env.wait_unregistered("svcj-dmn", Duration::from_secs(5)));
    assert!(wait_for(Duration::from_secs(5), || !alive(jid)));
    assert!(processes_with(&marker).is_empty());
    assert!(empty_or_absent(&env.rundir), "{:?}", env.registry_files());
    let o = run(env.exec().args(["-j", "svcj-dmn", "--", "true"]));
    assert_eq!(code(&o), 69, "{}", stderr(&o));
}

#[test]
fn joined_process_keeps_the_jail_alive() {
    need_root!("joined_process_keeps_the_jail_alive");
    let env = Env::new("joinlive");
    let stop = env.path("stop");
    let wait = format!("while [ ! -e {} ]; do sleep 0.05; done", stop.display());
    let o = run(env.exec().args([
        "jl",
        "--",
        "sh",
        "-c",
        "sleep 30 </dev/null >/dev/null 2>&1 &",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let jid = env.jid("svcj-jl").unwrap();
    let mut joined = env
        .exec()
        .args(["-j", "svcj-jl", "--", "sh", "-c", &wait])
        .command()
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill the original daemon from inside: only the joined shell is left.
    assert!(wait_for(Duration::from_secs(5), || {
        processes_in_ns(env.pidns("svcj-jl").unwrap()).len() >= 3
    }));
    let o = run(env
        .exec()
        .args(["-j", "svcj-jl", "--", "pkill", "-x", "sleep"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::thread::sleep(Duration::from_millis(300));
    assert!(alive(jid), "the jail ended while a joined process lived");
    fs::write(&stop, "").unwrap();
    assert_eq!(joined.wait().unwrap().code(), Some(0));
    assert!(env.wait_unregistered("svcj-jl", Duration::from_secs(5)));
    assert!(wait_for(Duration::from_secs(5), || !alive(jid)));
}

#[test]
fn concurrent_creates_of_one_name_resolve_to_one() {
    need_root!("concurrent_creates_of_one_name_resolve_to_one");
    let env = Env::new("conc");
    let stop = env.path("stop");
    let wait = format!("while [ ! -e {} ]; do sleep 0.05; done", stop.display());
    let kids: Vec<_> = (0..5)
        .map(|_| {
            env.exec()
                .args(["conc", "--", "sh", "-c", &wait])
                .command()
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Every loser returns on its own; the winner waits for the file.
    assert!(wait_for(Duration::from_secs(10), || env
        .jid("svcj-conc")
        .is_some()));
    std::thread::sleep(Duration::from_millis(500));
    fs::write(&stop, "").unwrap();
    let mut codes: Vec<i32> = Vec::new();
    for mut k in kids {
        let st = k.wait().unwrap();
        let mut err = String::new();
        k.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        if st.code() != Some(0) {
            assert!(err.contains("already exists"), "{err}");
        }
        codes.push(st.code().unwrap());
    }
    codes.sort();
    assert_eq!(codes, [0, 69, 69, 69, 69]);
    assert!(empty_or_absent(&env.rundir), "{:?}", env.registry_files());
}

#[test]
fn stale_entry_does_not_block_a_create() {
    need_root!("stale_entry_does_not_block_a_create");
    let env = Env::new("stale");
    make_rundir(&env);
    fs::write(
        env.rundir.join("svcj-st.jail"),
        "name=svcj-st\njid=999999\nreaper=999999\npidns=1\nstarttime=1\nip4=disable\n\
         ip6=disable\nip4.addr=\nip6.addr=\nsysvipc=disable\nparams=path=/\n",
    )
    .unwrap();
    let o = run(env.exec().args(["st", "--", "true"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(empty_or_absent(&env.rundir), "{:?}", env.registry_files());
}

/// One refusal: exit code, a message naming the problem, nothing created.
fn refused(env: &Env, args: &[&str], want: i32, msg: &str) {
    let marker = unique("refusedmark");
    let o = run(env.exec().args(args).arg(&marker));
    assert_eq!(code(&o), want, "{args:?}: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("svcj-exec: "), "{args:?}: {err}");
    assert!(err.contains(msg), "{args:?}: {err:?} lacks {msg:?}");
    assert!(
        empty_or_absent(&env.rundir),
        "{args:?}: {:?}",
        env.registry_files()
    );
    assert!(
        processes_with(&marker).is_empty(),
        "{args:?}: a process was left"
    );
}

#[test]
fn bad_input_is_refused_and_leaves_nothing() {
    let env = Env::new("refuse");
    refused(&env, &["a.b", "--", "true"], 65, "invalid service name");
    refused(&env, &["a/b", "--", "true"], 65, "'/'");
    refused(&env, &["", "--", "true"], 65, "empty");
    refused(
        &env,
        &["-a", "192.0.2.300", "-o", "netv4", "x", "--", "true"],
        65,
        "192.0.2.300",
    );
    refused(
        &env,
        &["-o", "sysvipc sysvipcnew", "x", "--", "true"],
        65,
        "more than one sysvipc option",
    );
}

#[test]
fn bad_commands_and_hosts_are_refused_and_leave_nothing() {
    need_root!("bad_commands_and_hosts_are_refused_and_leave_nothing");
    let env = Env::new("refuse2");
    refused(
        &env,
        &["x", "--", "no-such-command-svcj"],
        66,
        "command not found",
    );
    refused(
        &env,
        &["x", "--", "/nonexistent/cmd"],
        66,
        "command not found",
    );
    let script = env.path("noexec.sh");
    fs::write(&script, "#!/bin/sh\n").unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();
    refused(
        &env,
        &["x", "--", script.to_str().unwrap()],
        77,
        "not executable",
    );
    refused(&env, &["x", "--", "/tmp"], 77, "not executable");
    let log = env.path("nodir/console.log");
    refused(
        &env,
        &["-l", log.to_str().unwrap(), "x", "--", "true"],
        73,
        "nodir/console.log",
    );
    let _ = fs::remove_dir(&env.rundir);

    let sysctl = env.path("sysctl");
    for (text, msg) in [
        (
            "security.jail.jailed=1\nsecurity.jail.children.max=0\n",
            "children.max is set to 0",
        ),
        (
            "security.jail.jailed=1\nsecurity.jail.children.max=3\nsecurity.jail.children.cur=3\n",
            "max number of jail children reached",
        ),
    ] {
        fs::write(&sysctl, text).unwrap();
        let marker = unique("nestedmark");
        let o = run(env
            .exec()
            .env("SVCJ_SYSCTL_FILE", &sysctl)
            .args(["x", "--", "true", &marker]));
        assert_eq!(code(&o), 69, "{}", stderr(&o));
        assert!(stderr(&o).contains(msg), "{}", stderr(&o));
        assert!(empty_or_absent(&env.rundir));
        assert!(processes_with(&marker).is_empty());
    }
}

#[test]
fn not_root_is_refused_and_leaves_nothing() {
    need_root!("not_root_is_refused_and_leaves_nothing");
    if !have("setpriv") {
        eprintln!("not_root_is_refused_and_leaves_nothing: skipped: no setpriv");
        return;
    }
    let env = Env::new("nonroot");
    let marker = unique("nonrootmark");
    let o = run(Run::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(bin("svcj-exec"))
        .args(["x", "--", "true", &marker])
        .env("SVCJ_RUNDIR", &env.rundir));
    if stderr(&o).contains("Permission denied") && code(&o) != 77 {
        eprintln!("not_root_is_refused_and_leaves_nothing: skipped: nobody cannot run the binary");
        return;
    }
    assert_eq!(code(&o), 77, "{}", stderr(&o));
    assert!(stderr(&o).contains("must be run as root"), "{}", stderr(&o));
    assert!(empty_or_absent(&env.rundir));
    assert!(processes_with(&marker).is_empty());
    // Nor may it join a jail.
    let o = run(Run::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(bin("svcj-exec"))
        .args(["-j", "svcj-x", "--", "true", &marker])
        .env("SVCJ_RUNDIR", &env.rundir));
    assert_eq!(code(&o), 77, "{}", stderr(&o));
    assert!(stderr(&o).contains("must be run as root"), "{}", stderr(&o));
    // A dry run needs no privilege.
    let o = run(Run::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(bin("svcj-exec"))
        .args(["-n", "x"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("name=svcj-x\n"));
}

#[test]
fn linux_gaps_and_unknown_words_are_warned_about() {
    need_root!("linux_gaps_and_unknown_words_are_warned_about");
    let env = Env::new("warn");
    let o = run(env.exec().args([
        "-o",
        "netv4 nosuchoption vmm",
        "-a",
        "192.0.2.1 2001:db8::1",
        "w",
        "--",
        "true",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("w: unknown service jail option: nosuchoption"),
        "{err}"
    );
    assert!(err.contains("address 2001:db8::1 has no effect"), "{err}");
    assert!(err.contains("addresses are not enforced"), "{err}");
    assert!(err.contains("IPv4 without IPv6"), "{err}");
    assert!(err.contains("allow.vmm"), "{err}");
    let q = run(env.exec().args([
        "-q",
        "-o",
        "netv4 nosuchoption vmm",
        "-a",
        "192.0.2.1",
        "w",
        "--",
        "true",
    ]));
    assert_eq!(code(&q), 0);
    assert_eq!(stderr(&q), "");
}

#[test]
fn no_mount_leaks_to_the_host() {
    need_root!("no_mount_leaks_to_the_host");
    let env = Env::new("mounts");
    let before = host_mounts();
    for opts in ["", "sysvipc", "net_basic sysvipcnew"] {
        let o = run(env.exec().args([
            "m",
            "-o",
            opts,
            "--",
            "sh",
            "-c",
            "grep -c . /proc/self/mountinfo >/dev/null",
        ]));
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    assert_eq!(host_mounts(), before);
    assert!(empty_or_absent(&env.rundir));
}

#[test]
fn signals_sent_to_svcj_exec_reach_the_command() {
    need_root!("signals_sent_to_svcj_exec_reach_the_command");
    let env = Env::new("fwd");
    let ready = env.path("ready");
    let script = format!(
        "trap 'kill $!; echo got-term; exit 9' TERM; \
         sleep 1000 </dev/null >/dev/null 2>&1 & : > {}; wait",
        ready.display()
    );
    let child = env
        .exec()
        .args(["fwd", "--", "sh", "-c", &script])
        .command()
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for(Duration::from_secs(5), || ready.exists()));
    // SAFETY: kill(2) on the svcj-exec process this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(9), "{}", stderr(&o));
    assert_eq!(stdout(&o), "got-term\n");
    assert!(env.wait_unregistered("svcj-fwd", Duration::from_secs(5)));
}

#[test]
fn the_reaper_holds_nothing_of_the_caller() {
    need_root!("the_reaper_holds_nothing_of_the_caller");
    let env = Env::new("fds");
    let o = run(env.exec().args([
        "fds",
        "--",
        "sh",
        "-c",
        "grep SigIgn /proc/self/status; sleep 1000 </dev/null >/dev/null 2>&1 &",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The command starts with default signal dispositions (no SIGPIPE
    // ignored, as Rust does for itself).
    let ign = stdout(&o);
    let mask = u64::from_str_radix(ign.split_whitespace().nth(1).unwrap(), 16).unwrap();
    assert_eq!(mask & (1 << (libc::SIGPIPE - 1)), 0, "{ign}");
    // The reaper keeps only /dev/null on 0, 1 and 2, and its registry
    // directory (the status pipe is closed right after the report
    // svcj-exec returned on).
    let jid = env.jid("svcj-fds").unwrap();
    let fds = || -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = fs::read_dir(format!("/proc/{jid}/fd"))
            .unwrap()
            .flatten()
            .filter_map(|d| {
                let target = fs::read_link(d.path()).ok()?;
                Some((
                    d.file_name().to_string_lossy().into_owned(),
                    target.to_string_lossy().into_owned(),
                ))
            })
            .collect();
        v.sort();
        v
    };
    let rundir = env.rundir.to_string_lossy().into_owned();
    // Only the targets matter, not the descriptor numbers.
    let targets = || {
        let mut t: Vec<String> = fds().into_iter().map(|(_, t)| t).collect();
        t.sort();
        t
    };
    let mut want = vec!["/dev/null".to_string(); 3];
    want.push(rundir);
    want.sort();
    wait_for(Duration::from_secs(2), || targets() == want);
    assert_eq!(targets(), want, "{:?}", fds());
}

#[test]
fn works_in_a_chroot_without_leaking_mounts() {
    need_root!("works_in_a_chroot_without_leaking_mounts");
    if !have("unshare") {
        eprintln!("works_in_a_chroot_without_leaking_mounts: skipped: no unshare(1)");
        return;
    }
    let env = Env::new("chroot");
    let root = env.path("root");
    let bindir = bin("svcj-exec").parent().unwrap().to_path_buf();
    // A root that is not a mount point itself, with the host's binaries
    // bind-mounted in, as the rc test platform builds it.
    let script = format!(
        r#"set -e
R={root}
mount --make-rprivate /
for d in usr bin sbin lib lib32 lib64 libx32 etc dev proc tmp; do
	if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$R/$d"
	elif [ -d "/$d" ]; then mkdir -p "$R/$d"; mount --rbind "/$d" "$R/$d"; fi
done
mkdir -p "$R/svcjbin" "$R/run/svcj"
mount --bind {bindir} "$R/svcjbin"
mount --bind {rundir} "$R/run/svcj"
cat > "$R/run/inside.sh" <<'INSIDE'
export SVCJ_RUNDIR=/run/svcj
/svcjbin/svcj-exec c -- sh -c "ps -e -o comm=; ls /run/svcj"
/svcjbin/svcj-exec d -- sh -c "sleep 1000 </dev/null >/dev/null 2>&1 &"
/svcjbin/svcj-exec -j svcj-d -- sh -c "test -d /svcjbin && echo joined-in-the-same-root"
INSIDE
chroot "$R" /bin/sh /run/inside.sh
"#,
        root = root.display(),
        bindir = bindir.display(),
        rundir = env.rundir.display(),
    );
    fs::create_dir_all(&root).unwrap();
    make_rundir(&env);
    let before = host_mounts();
    let o = run(Run::new("unshare").args(["-m", "sh", "-c", &script]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        // The registry directory is hidden inside the jail: empty.
        "svcj-reaper\nsh\nps\njoined-in-the-same-root\n",
        "{}",
        stderr(&o)
    );
    // From the host, outside the chroot: the join lands in the jail's
    // root, at its / since the caller's directory does not exist there
    // (/var is not in the root built above; the test's own directory may
    // well be, through /tmp).
    let o = run(env.exec().dir("/var").args([
        "-j",
        "svcj-d",
        "--",
        "sh",
        "-c",
        "test -d /svcjbin && pwd",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "/\n");
    let o = run(env.kill().arg("svcj-d"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "svcj-d: 1 ended on SIGTERM, 0 killed\n");
    assert_eq!(host_mounts(), before);
    assert!(empty_or_absent(&env.rundir), "{:?}", env.registry_files());
    let _ = fs::remove_file(root.join("run/inside.sh"));
}

#[test]
fn inside_a_jail_the_registry_is_hidden() {
    need_root!("inside_a_jail_the_registry_is_hidden");
    let env = Env::new("inside");
    let exec = bin("svcj-exec");
    let exec = exec.to_str().unwrap();
    let kill = bin("svcj-kill");
    let o = run(env.exec().args([
        "inner",
        "--",
        "sh",
        "-c",
        "sleep 1000 </dev/null >/dev/null 2>&1 &",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let jid = env.jid("svcj-inner").unwrap();
    // Inside the jail the registry directory is an empty, read-only
    // mount: the jail can neither see nor remove nor forge an entry.
    let rundir = env.rundir.to_str().unwrap().to_string();
    let probe = format!(
        "ls -A {rundir} | wc -l; rm -f {rundir}/svcj-inner.jail 2>/dev/null; \
         echo x > {rundir}/svcj-forged.jail 2>/dev/null || echo refused"
    );
    let o = run(env
        .exec()
        .args(["-j", "svcj-inner", "--", "sh", "-c", &probe]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o).split_whitespace().collect::<Vec<_>>(),
        ["0", "refused"]
    );
    assert_eq!(env.jid("svcj-inner"), Some(jid));
    assert_eq!(env.registry_files().len(), 1, "{:?}", env.registry_files());
    // So a join or a kill from inside a jail finds nothing.
    let o = run(env.exec().args([
        "-j",
        "svcj-inner",
        "--",
        exec,
        "-j",
        "svcj-inner",
        "--",
        "true",
    ]));
    assert_eq!(code(&o), 69, "{}", stderr(&o));
    assert!(stderr(&o).contains("svcj-inner"), "{}", stderr(&o));
    let o = run(env
        .exec()
        .args(["outer", "--"])
        .arg(&kill)
        .args(["svcj-inner"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("no such jail"), "{}", stderr(&o));
    assert_eq!(env.jid("svcj-inner"), Some(jid));
    assert!(alive(jid));
    let o = run(env.kill().arg("svcj-inner"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn the_reaper_passes_signals_on() {
    need_root!("the_reaper_passes_signals_on");
    let env = Env::new("reapsig");
    let mark = env.path("mark");
    // While the command runs, SIGTERM to the JID reaches the command.
    let script = format!(
        "trap 'echo term > {}; exit 0' TERM; while :; do sleep 0.05; done",
        mark.display()
    );
    let mut fg = env
        .exec()
        .args(["rs", "--", "sh", "-c", &script])
        .command()
        .spawn()
        .unwrap();
    // Wait until the shell has set its trap (SIGTERM in SigCgt), or the
    // signal would find it unprepared and end it.
    let catches_term = |pid: &i32| {
        fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                let l = s.lines().find(|l| l.starts_with("SigCgt:"))?;
                u64::from_str_radix(l.split_whitespace().nth(1)?, 16).ok()
            })
            .is_some_and(|m| m & (1 << (libc::SIGTERM - 1)) != 0)
    };
    assert!(wait_for(Duration::from_secs(10), || env
        .pidns("svcj-rs")
        .is_some_and(|ns| processes_in_ns(ns).iter().any(|p| {
            fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c == "sh\n")
                && catches_term(p)
        }))));
    let jid = env.jid("svcj-rs").unwrap();
    // SAFETY: kill(2) on the reaper of the jail this test made.
    unsafe { libc::kill(jid, libc::SIGTERM) };
    assert_eq!(fg.wait().unwrap().code(), Some(0));
    assert_eq!(fs::read_to_string(&mark).unwrap(), "term\n");
    assert!(env.wait_unregistered("svcj-rs", Duration::from_secs(5)));

    // Once the command is gone, it reaches everything left in the jail.
    let o = run(env.exec().args([
        "rs",
        "--",
        "sh",
        "-c",
        "sleep 1000 </dev/null >/dev/null 2>&1 & sleep 1000 </dev/null >/dev/null 2>&1 &",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let jid = env.jid("svcj-rs").unwrap();
    // SAFETY: as above.
    unsafe { libc::kill(jid, libc::SIGTERM) };
    assert!(env.wait_unregistered("svcj-rs", Duration::from_secs(5)));
    assert!(wait_for(Duration::from_secs(5), || !alive(jid)));
}

#[test]
fn posix_message_queues_are_private_without_sysvipc() {
    need_root!("posix_message_queues_are_private_without_sysvipc");
    if !have("unshare") {
        eprintln!("posix_message_queues_are_private_without_sysvipc: skipped: no unshare(1)");
        return;
    }
    let env = Env::new("mqueue");
    // A throwaway mount and IPC namespace with /dev/mqueue mounted (this
    // host may have none) and one queue in it.
    let script = format!(
        r#"set -e
mount --make-rprivate /
mount -t tmpfs svcjdev {scratch}
cp -a /dev/null /dev/zero /dev/urandom {scratch}/
mkdir {scratch}/mqueue {scratch}/shm
mount --bind {scratch} /dev
mount -t mqueue mqueue /dev/mqueue
touch /dev/mqueue/outerq
echo default:; {exec} mq -- ls /dev/mqueue
echo sysvipcnew:; {exec} mq -o sysvipcnew -- ls /dev/mqueue
echo sysvipc:; {exec} mq -o sysvipc -- ls /dev/mqueue
"#,
        scratch = env.scratch.display(),
        exec = bin("svcj-exec").display()
    );
    let o = run(Run::new("unshare")
        .args(["-m", "-i", "sh", "-c", &script])
        .env("SVCJ_RUNDIR", &env.rundir));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "default:\nsysvipcnew:\nsysvipc:\nouterq\n");
    assert!(empty_or_absent(&env.rundir));
}

#[test]
fn jailed_root_cannot_unmount_its_way_out() {
    need_root!("jailed_root_cannot_unmount_its_way_out");
    let env = Env::new("escape");
    let o = run(env.exec().args([
        "esc",
        "--",
        "sh",
        "-c",
        "umount -l /proc 2>/dev/null && echo unmounted; \
         mount -t tmpfs x /mnt 2>/dev/null && echo mounted; \
         cat /proc/1/comm; ip -br link | cut -d' ' -f1",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "svcj-reaper\nlo\n");
}

#[test]
fn registry_under_dev_shm_is_cleaned_up_by_the_reaper() {
    need_root!("registry_under_dev_shm_is_cleaned_up_by_the_reaper");
    if !std::path::Path::new("/dev/shm").is_dir() {
        eprintln!("registry_under_dev_shm_is_cleaned_up_by_the_reaper: skipped: no /dev/shm");
        return;
    }
    // The jail mounts its own /dev/shm over the registry's path: the
    // reaper must still remove its entry from the host's directory.
    let env = Env::new("shmreg");
    let rundir = std::path::PathBuf::from(format!("/dev/shm/{}", unique("svcj-it-reg")));
    struct Gone(std::path::PathBuf);
    impl Drop for Gone {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
    let _gone = Gone(rundir.clone());
    let o = run(env
        .exec()
        .env("SVCJ_RUNDIR", &rundir)
        .args(["shm", "--", "true"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(empty_or_absent(&rundir));
    let o = run(env.exec().env("SVCJ_RUNDIR", &rundir).args([
        "shm",
        "--",
        "sh",
        "-c",
        "sleep 0.3 </dev/null >/dev/null 2>&1 &",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(rundir.join("svcj-shm.jail").exists());
    assert!(wait_for(Duration::from_secs(5), || empty_or_absent(
        &rundir
    )));
}

/// The registry directory as an admin would make it: owned by root, 0700.
fn make_rundir(env: &Env) {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&env.rundir)
        .unwrap();
}

/// Read `/proc/self/status` fields of a process inside a jail.
fn status_fields(text: &str, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}:")))
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect()
}

#[test]
fn every_jailed_process_is_locked_down() {
    need_root!("every_jailed_process_is_locked_down");
    let env = Env::new("locked");
    // Created: no_new_privs, seccomp filter, own session, no caller fds.
    let probe = "cat /proc/self/status; echo sid=$(cut -d' ' -f6 /proc/self/stat) \
                 pid=$$; ls /proc/self/fd | tr '\\n' ' '; echo";
    let o = run(env.exec().args(["locked", "--", "sh", "-c", probe]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        status_fields(&out, &["NoNewPrivs", "Seccomp"]),
        ["1", "2"],
        "{out}"
    );
    let sid = out.lines().find(|l| l.starts_with("sid=")).unwrap();
    let (sid, pid) = sid.split_once(' ').unwrap();
    assert_eq!(&sid[4..], &pid[4..], "not a session leader: {sid} {pid}");
    // Only stdio (and ls's own directory descriptor, 3).
    assert_eq!(out.lines().last().unwrap().trim(), "0 1 2 3", "{out}");

    // Joined: the same, and the caller's descriptors stay outside.
    let o = run(env.exec().args([
        "keep",
        "--",
        "sh",
        "-c",
        "sleep 1000 </dev/null >/dev/null 2>&1 &",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(env.exec().args([
        "-j",
        "svcj-keep",
        "--",
        "sh",
        "-c",
        "cat /proc/self/status; ls /proc/self/fd | tr '\\n' ' '; echo",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let f = status_fields(&out, &["NoNewPrivs", "Seccomp", "CapBnd", "CapEff"]);
    assert_eq!(&f[..2], ["1", "2"], "{out}");
    let want = format!("{:016x}", 0x0104_81ffu64 & host_bounding_set());
    assert_eq!(f[2], want, "{out}");
    assert_eq!(f[3], want, "{out}");
    assert_eq!(out.lines().last().unwrap().trim(), "0 1 2 3", "{out}");
    let o = run(env.kill().arg("svcj-keep"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn kernel_knobs_are_read_only_or_masked_inside() {
    need_root!("kernel_knobs_are_read_only_or_masked_inside");
    let env = Env::new("masks");
    // Probes only (access(2) reports EROFS for a read-only mount): run
    // against a vulnerable build, a write would change the host.
    let script = r#"
for f in /proc/sys/kernel/core_pattern /proc/sys/kernel/hostname /proc/sysrq-trigger \
	/sys/fs/cgroup /sys/kernel; do
	if [ -e "$f" ] && [ -w "$f" ]; then echo "writable $f"; fi
done
for d in /proc/sys /proc/irq /proc/bus /proc/fs /sys; do
	[ -e "$d" ] || continue
	awk -v d="$d" '$5 == d { split($6, o, ","); if (o[1] != "ro") print "rw " d }' /proc/self/mountinfo
done
for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
	[ -e "$f" ] || continue
	[ "$(head -c 1 "$f" 2>/dev/null | wc -c)" -gt 0 ] && echo "readable $f"
done
if [ -d /sys/firmware ] && [ -n "$(ls -A /sys/firmware)" ]; then echo "visible /sys/firmware"; fi
echo done
"#;
    let o = run(env.exec().args(["masks", "--", "sh", "-c", script]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "done\n", "{}", stderr(&o));
}

#[test]
fn failed_start_removes_the_jail_it_created() {
    need_root!("failed_start_removes_the_jail_it_created");
    let env = Env::new("failstart");
    let marker = format!("svcj-failstart-{}", std::process::id());
    let o = run(env.exec().args([
        "fs",
        "--",
        "sh",
        "-c",
        &format!("sh -c 'exec -a {marker} sleep 1000' </dev/null >/dev/null 2>&1 & exit 3"),
    ]));
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(env.jid("svcj-fs").is_none(), "the jail was left");
    assert!(processes_with(&marker).is_empty(), "the daemon was left");
    assert!(empty_or_absent(&env.rundir), "{:?}", env.registry_files());
    // An exec failure too.
    let o = run(env.exec().args(["fs", "--", "/nonexistent/cmd"]));
    assert_ne!(code(&o), 0);
    assert!(env.jid("svcj-fs").is_none());
    // A jail this invocation did not create is never removed.
    let o = run(env.exec().args([
        "fs",
        "--",
        "sh",
        "-c",
        "sleep 1000 </dev/null >/dev/null 2>&1 &",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let jid = env.jid("svcj-fs").unwrap();
    let o = run(env.exec().args(["fs", "--", "false"]));
    assert_eq!(code(&o), 69, "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(env.jid("svcj-fs"), Some(jid));
    let o = run(env.kill().arg("svcj-fs"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn console_log_never_follows_a_link_or_opens_a_non_file() {
    need_root!("console_log_never_follows_a_link_or_opens_a_non_file");
    let env = Env::new("logsafe");
    let target = env.path("root-only");
    fs::write(&target, "secret\n").unwrap();
    let link = env.path("console.log");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let fifo = env.path("fifo.log");
    assert!(run(Run::new("mkfifo").arg(&fifo)).status.success());
    for (log, what) in [(&link, "symbolic link"), (&fifo, "not a regular file")] {
        let o = run(env
            .exec()
            .args(["-l", log.to_str().unwrap(), "ls", "--", "echo", "planted"]));
        assert_eq!(code(&o), 73, "{}", stderr(&o));
        assert!(stderr(&o).contains(what), "{}", stderr(&o));
        assert!(env.jid("svcj-ls").is_none());
    }
    assert_eq!(fs::read_to_string(&target).unwrap(), "secret\n");
}

#[test]
fn an_unsafe_registry_directory_is_refused() {
    need_root!("an_unsafe_registry_directory_is_refused");
    let env = Env::new("unsafe-reg");
    // Owned by someone else, or open to others, or a symbolic link.
    fs::create_dir_all(&env.rundir).unwrap();
    fs::set_permissions(&env.rundir, fs::Permissions::from_mode(0o777)).unwrap();
    let o = run(env.exec().args(["ur", "--", "true"]));
    assert_eq!(code(&o), 78, "{}", stderr(&o));
    assert!(stderr(&o).contains("mode 0700"), "{}", stderr(&o));
    fs::set_permissions(&env.rundir, fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::chown(&env.rundir, Some(65534), None).unwrap();
    let o = run(env.exec().args(["ur", "--", "true"]));
    assert_eq!(code(&o), 78, "{}", stderr(&o));
    fs::remove_dir(&env.rundir).unwrap();
    let elsewhere = env.path("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    fs::set_permissions(&elsewhere, fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &env.rundir).unwrap();
    let o = run(env.exec().args(["ur", "--", "true"]));
    assert_eq!(code(&o), 78, "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
}

#[test]
fn a_forged_entry_is_not_acted_on() {
    need_root!("a_forged_entry_is_not_acted_on");
    let env = Env::new("forged");
    make_rundir(&env);
    // An unrelated process that is PID 1 of a PID namespace of its own
    // (not a svcj reaper): an entry naming it must not be torn down.
    let mut child = Run::new("unshare")
        .args([
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
            "sleep",
            "1000",
        ])
        .command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut victim = None;
    wait_for(Duration::from_secs(5), || {
        victim = fs::read_to_string(format!("/proc/{}/task/{}/children", child.id(), child.id()))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<i32>().ok());
        victim.is_some()
    });
    let victim = victim.expect("unshare did not start its child");
    let stat = fs::read_to_string(format!("/proc/{victim}/stat")).unwrap();
    let start = stat[stat.rfind(')').unwrap() + 2..]
        .split_whitespace()
        .nth(19)
        .unwrap()
        .to_string();
    let ns = pid_ns(victim).unwrap();
    fs::write(
        env.rundir.join("svcj-fg.jail"),
        format!(
            "name=svcj-fg\njid={victim}\nreaper={victim}\npidns={ns}\nstarttime={start}\n\
             ip4=disable\nip6=disable\nip4.addr=\nip6.addr=\nsysvipc=disable\nparams=path=/\n"
        ),
    )
    .unwrap();
    let o = run(env.kill().arg("svcj-fg"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("no such jail"), "{}", stderr(&o));
    assert!(
        alive(victim),
        "svcj-kill killed a process that is not a jail's reaper"
    );
    let o = run(env.exec().args(["-j", "svcj-fg", "--", "true"]));
    assert_eq!(code(&o), 69, "{}", stderr(&o));
    // SAFETY: kill(2) on the sleep this test started.
    unsafe { libc::kill(victim, libc::SIGKILL) };
    let _ = child.kill();
    let _ = child.wait();
}

/// The capability bounding set of this (host-side) process: a jail
/// never has more, whatever its allow-list says.
fn host_bounding_set() -> u64 {
    let s = fs::read_to_string("/proc/self/status").unwrap();
    let hex = status_fields(&s, &["CapBnd"]).remove(0);
    u64::from_str_radix(&hex, 16).unwrap()
}

#[test]
fn joins_never_show_the_jail_a_privileged_process() {
    need_root!("joins_never_show_the_jail_a_privileged_process");
    if Run::new("python3").args(["-c", "1"]).try_output().is_err() {
        eprintln!("joins_never_show_the_jail_a_privileged_process: skipped: no python3");
        return;
    }
    let env = Env::new("joinrace");
    // A jailed watcher scans /proc as fast as it can for a process with
    // other capabilities or another mount namespace than its own (what
    // a jailed tracer would seize), until the stop file appears.
    let stop = env.path("stop");
    let out = env.path("hits");
    let watcher = format!(
        r#"
import os
own = open('/proc/self/status').read()
cap = [l for l in own.splitlines() if l.startswith('CapEff')][0]
mnt = os.readlink('/proc/self/ns/mnt')
hits = set()
while not os.path.exists('{stop}'):
    for p in os.listdir('/proc'):
        if not p.isdigit():
            continue
        try:
            st = open('/proc/%s/status' % p).read()
            c = [l for l in st.splitlines() if l.startswith('CapEff')][0]
            m = os.readlink('/proc/%s/ns/mnt' % p)
        except Exception:
            continue
        if c != cap or m != mnt:
            hits.add(p)
open('{out}', 'w').write('%d\n' % len(hits))
"#,
        stop = stop.display(),
        out = out.display()
    );
    let script = env.path("watch.py");
    fs::write(&script, watcher).unwrap();
    let o = run(env.exec().args([
        "race",
        "--",
        "sh",
        "-c",
        &format!("python3 {} </dev/null >/dev/null 2>&1 &", script.display()),
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..50 {
        let o = run(env.exec().args(["-j", "svcj-race", "--", "true"]));
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    fs::write(&stop, "").unwrap();
    wait_for(Duration::from_secs(10), || out.exists());
    let hits = fs::read_to_string(&out).unwrap_or_default();
    let o = run(env.kill().arg("svcj-race"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        hits.trim(),
        "0",
        "the jail saw privileged processes during joins"
    );
}
