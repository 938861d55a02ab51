//! Integration tests of resource limits (`svcj-exec -R`, `<name>_svcj_rctl`)
//! through the real binaries: refusals before anything exists, the dry
//! run, and on Linux the cgroup of a jail (root only: the others print
//! `skipped: needs root`).

#![cfg(target_os = "linux")]

mod util;

use util::*;

#[test]
fn dry_run_prints_the_kernel_rules() {
    let env = Env::new("rctl-dry");
    let o = run(env.exec().args([
        "-n",
        "-R",
        "memoryuse:deny=512M maxproc:deny=200",
        "--rctl",
        "pcpu:deny=50 openfiles:deny=64/process",
        "web",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "name=svcj-web\npath=/ mount.nodevfs host=inherit\n\
         rctl=jail:svcj-web:memoryuse:deny=536870912\n\
         rctl=jail:svcj-web:maxproc:deny=200\n\
         rctl=jail:svcj-web:pcpu:deny=50\n\
         rctl=jail:svcj-web:openfiles:deny=64/process\n"
    );
    // Linux cannot map a per-process open-files limit: said, not hidden.
    assert!(
        stderr(&o).contains("openfiles:deny=64/process: a /process rule has no cgroup"),
        "{}",
        stderr(&o)
    );
    assert!(!env.rundir.exists());
}

#[test]
fn help_lists_the_rctl_flag() {
    let o = run(tool("svcj-exec").arg("--help"));
    assert!(stdout(&o).contains("--rctl"), "{}", stdout(&o));
}

/// Every refusal: exit 65, the rule and the fix named, nothing created —
/// even as root, and even though the command exists.
#[test]
fn bad_rules_are_refused_before_anything_exists() {
    let env = Env::new("rctl-bad");
    let marker = env.scratch.join("ran");
    for (rule, why) in [
        ("memory:deny=1g", "unknown resource"),
        ("memoryuse:frob=1g", "unknown action"),
        ("cputime:deny=10", "cannot deny"),
        ("pcpu:throttle=10", "cannot throttle"),
        ("memoryuse:deny=lots", "not a number"),
        ("jail:other:memoryuse:deny=1g", "a subject is given"),
        ("swapuse:deny=1g/process", "not per process"),
    ] {
        let o = run(env.exec().args([
            "-R",
            rule,
            "bad",
            "--",
            "sh",
            "-c",
            &format!("touch {}", marker.display()),
        ]));
        assert_eq!(code(&o), 65, "{rule}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains(rule) && e.contains(why) && e.contains("fix:"),
            "{e}"
        );
        assert!(!marker.exists(), "{rule}: the command ran");
        assert!(!env.rundir.exists(), "{rule}: a registry was made");
    }
}

#[test]
fn rules_cannot_be_given_to_a_join() {
    let o = run(tool("svcj-exec").args(["-R", "maxproc:deny=5", "-j", "svcj-x", "--", "true"]));
    assert_eq!(code(&o), 64, "{}", stderr(&o));
}

/// Directories named `svcj-NAME` anywhere under /sys/fs/cgroup (a few
/// levels deep: the caller's own cgroup may be nested).
fn cgroup_dirs(jail: &str) -> Vec<std::path::PathBuf> {
    fn walk(d: &std::path::Path, jail: &str, depth: u32, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            if !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            if e.file_name().to_str() == Some(jail) {
                out.push(e.path());
            } else if depth > 0 {
                walk(&e.path(), jail, depth - 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(std::path::Path::new("/sys/fs/cgroup"), jail, 5, &mut out);
    out
}

/// Root and a cgroup file system, or a message and `false`.
fn cgroups_or_skip(test: &str) -> bool {
    if !root_or_skip(test) {
        return false;
    }
    if !std::path::Path::new("/sys/fs/cgroup").is_dir() {
        eprintln!("{test}: skipped: no /sys/fs/cgroup");
        return false;
    }
    true
}

fn no_cgroup_left(jail: &str) {
    let left = cgroup_dirs(jail);
    assert!(left.is_empty(), "cgroups left behind: {left:?}");
}

#[test]
fn maxproc_stops_forking_at_the_limit_and_the_host_is_unharmed() {
    if !cgroups_or_skip("maxproc_stops_forking_at_the_limit_and_the_host_is_unharmed") {
        return;
    }
    let env = Env::new("rctl-maxproc");
    let name = unique("rmp");
    let jail = format!("svcj-{name}");
    // A subshell tries 40 sleeps (a shell exits when it cannot fork):
    // the outer shell and the subshell are two of the 20, 18 sleeps are
    // left when both have exited.
    let o = run(env.exec().args([
        "-R",
        "maxproc:deny=20",
        &name,
        "--",
        "sh",
        "-c",
        "exec >/dev/null 2>&1; (i=0; while [ $i -lt 40 ]; do sleep 600 & i=$((i+1)); done); exit 0",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let ns = env.pidns(&jail).expect("the jail runs on");
    wait_for(std::time::Duration::from_secs(20), || {
        processes_in_ns(ns).len() == 18
    });
    let n = processes_in_ns(ns).len();
    let comms: Vec<String> = processes_in_ns(ns)
        .iter()
        .map(|p| std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default())
        .collect();
    // Never more than 20 at once; the sleeps stay, the shells exit.
    assert!(
        (17..=19).contains(&n),
        "{n} processes in the jail: {comms:?}"
    );
    assert!(!cgroup_dirs(&jail).is_empty());
    // The host still forks.
    assert_eq!(code(&run(Run::new("true"))), 0);
    let s = run(env.run("svcj-check").args(["status", &name]));
    assert!(stdout(&s).contains("maxproc:deny "), "{}", stdout(&s));
    assert!(stdout(&s).contains("/20"), "{}", stdout(&s));
    assert!(stdout(&s).contains("  usage: memory "), "{}", stdout(&s));
    let s = run(env.run("svcj-check").args(["status", "--json", &name]));
    let j: serde_json::Value = serde_json::from_str(&stdout(&s)).unwrap();
    let lim = &j["jails"][0]["usage"]["limits"];
    assert!(
        lim.as_array()
            .unwrap()
            .iter()
            .any(|l| l["rule"]["resource"] == "maxproc" && l["rule"]["amount"] == 20),
        "{j}"
    );
    let k = run(env.kill().args(["-t", "1", &jail]));
    assert_eq!(code(&k), 0, "{}", stderr(&k));
    assert!(
        stdout(&k).contains(" ended on SIGTERM, 0 killed"),
        "{}",
        stdout(&k)
    );
    assert!(processes_in_ns(ns).is_empty());
    no_cgroup_left(&jail);
}

#[test]
fn memoryuse_stops_a_memory_hog() {
    if !cgroups_or_skip("memoryuse_stops_a_memory_hog") {
        return;
    }
    let env = Env::new("rctl-mem");
    let name = unique("rmem");
    let jail = format!("svcj-{name}");
    // 256 MiB in a shell variable: far past 64 MiB.
    let o = run(env.exec().args([
        "-R",
        "memoryuse:deny=64M",
        &name,
        "--",
        "sh",
        "-c",
        "x=$(head -c 268435456 /dev/zero | tr '\\0' a); echo survived ${#x}",
    ]));
    assert_eq!(code(&o), 137, "{} {}", stdout(&o), stderr(&o));
    assert!(!stdout(&o).contains("survived"), "{}", stdout(&o));
    assert!(env.wait_unregistered(&jail, std::time::Duration::from_secs(5)));
    no_cgroup_left(&jail);
    // The host is unharmed: the same allocation outside works.
    let o = run(Run::new("sh").args([
        "-c",
        "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo ${#x}",
    ]));
    assert_eq!(stdout(&o).trim(), "100000000");
}

#[test]
fn a_fork_bomb_is_gone_after_svcj_kill_with_zero_survivors() {
    if !cgroups_or_skip("a_fork_bomb_is_gone_after_svcj_kill_with_zero_survivors") {
        return;
    }
    let env = Env::new("rctl-bomb");
    let name = unique("rbomb");
    let jail = format!("svcj-{name}");
    let o = run(env.exec().args([
        "-R",
        "maxproc:deny=300",
        &name,
        "--",
        "sh",
        "-c",
        // Each copy starts two more, then stays (sleep): the bomb
        // grows to the limit and holds there.  A bomb whose copies exit
        // at once can die out by itself when forks fail under load, and
        // then there is nothing left to kill.
        "exec >/dev/null 2>&1; b() { b & b & sleep 600; }; b & exit 0",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let ns = env.pidns(&jail).expect("the bomb runs");
    assert!(
        wait_for(std::time::Duration::from_secs(30), || processes_in_ns(ns)
            .len()
            > 100),
        "the bomb never reached 100 processes: {} in the jail",
        processes_in_ns(ns).len()
    );
    let k = run(env.kill().args(["-t", "1", &jail]));
    assert_eq!(code(&k), 0, "{}", stderr(&k));
    assert!(stdout(&k).contains("ended on SIGTERM"), "{}", stdout(&k));
    assert_eq!(processes_in_ns(ns), Vec::<i32>::new(), "survivors");
    no_cgroup_left(&jail);
    assert!(env.wait_unregistered(&jail, std::time::Duration::from_secs(2)));
}

#[test]
fn no_cgroup_is_left_after_a_failed_start() {
    if !cgroups_or_skip("no_cgroup_is_left_after_a_failed_start") {
        return;
    }
    let env = Env::new("rctl-fail");
    let name = unique("rfail");
    let jail = format!("svcj-{name}");
    let o = run(env.exec().args([
        "-R",
        "maxproc:deny=10",
        &name,
        "--",
        "sh",
        "-c",
        "sleep 600 & exit 3",
    ]));
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    no_cgroup_left(&jail);
    // A command that cannot be run: refused before anything exists.
    let o = run(env
        .exec()
        .args(["-R", "maxproc:deny=10", &name, "--", "/nonexistent"]));
    assert_eq!(code(&o), 66, "{}", stderr(&o));
    no_cgroup_left(&jail);
}

#[test]
fn no_cgroup_is_left_after_svcj_exec_is_sigkilled() {
    if !cgroups_or_skip("no_cgroup_is_left_after_svcj_exec_is_sigkilled") {
        return;
    }
    let env = Env::new("rctl-sigkill");
    let name = unique("rsk");
    let jail = format!("svcj-{name}");
    let mut child = env
        .exec()
        .args(["-R", "maxproc:deny=10", &name, "--", "sh", "-c", "sleep 1"])
        .command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_for(std::time::Duration::from_secs(5), || env
        .jid(&jail)
        .is_some()));
    child.kill().unwrap();
    child.wait().unwrap();
    // The jail lives on until its command ends; its reaper then removes
    // the cgroup.
    assert!(env.wait_unregistered(&jail, std::time::Duration::from_secs(10)));
    assert!(wait_for(std::time::Duration::from_secs(2), || cgroup_dirs(
        &jail
    )
    .is_empty()));
    no_cgroup_left(&jail);
}

#[test]
fn a_stale_empty_cgroup_is_removed_by_the_next_start() {
    if !cgroups_or_skip("a_stale_empty_cgroup_is_removed_by_the_next_start") {
        return;
    }
    let env = Env::new("rctl-stale");
    let name = unique("rst");
    let jail = format!("svcj-{name}");
    // What a start SIGKILLed before its command ran leaves: an empty
    // directory in the pids hierarchy (or the unified one).
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    let stale = own.lines().find_map(|l| {
        let mut f = l.splitn(3, ':');
        let (_, ctrl, path) = (f.next()?, f.next()?, f.next()?);
        let base = match ctrl {
            "pids" => "/sys/fs/cgroup/pids",
            "" if std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists() => {
                "/sys/fs/cgroup"
            }
            _ => return None,
        };
        Some(
            std::path::Path::new(base)
                .join(path.trim_start_matches('/'))
                .join(&jail),
        )
    });
    let Some(stale) = stale else {
        eprintln!("skipped: no pids or unified hierarchy to plant a stale cgroup in");
        return;
    };
    std::fs::create_dir(&stale).unwrap();
    let o = run(env
        .exec()
        .args(["-R", "maxproc:deny=10", &name, "--", "true"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    no_cgroup_left(&jail);
    // The stop of a jail that is gone removes it too.
    std::fs::create_dir(&stale).unwrap();
    let o = run(env.kill().args(["-q", &jail]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stale.exists());
}

#[test]
fn joined_processes_count_against_the_limits() {
    if !cgroups_or_skip("joined_processes_count_against_the_limits") {
        return;
    }
    let env = Env::new("rctl-join");
    let name = unique("rjn");
    let jail = format!("svcj-{name}");
    let o = run(env.exec().args([
        "-R",
        "maxproc:deny=4",
        &name,
        "--",
        "sh",
        "-c",
        "exec >/dev/null 2>&1; sleep 600 & sleep 600 & exit 0",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Two of four are taken by the sleeps; a join is two more (the
    // entrant and the shell): the shell cannot fork.
    let o = run(env.exec().args([
        "-j",
        &jail,
        "--",
        "sh",
        "-c",
        "sleep 1 >/dev/null & echo forked",
    ]));
    assert!(!stdout(&o).contains("forked"), "{}", stdout(&o));
    assert!(stderr(&o).contains("fork"), "{}", stderr(&o));
    let k = run(env.kill().args(["-t", "1", &jail]));
    assert_eq!(code(&k), 0, "{}", stderr(&k));
    no_cgroup_left(&jail);
}

#[test]
fn check_options_explains_rules_and_what_linux_cannot_map() {
    let o = run(tool("svcj-check").args([
        "options",
        "-R",
        "memoryuse:deny=64M wallclock:sigterm=3600",
        "net_basic",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("jail:svcj-NAME:memoryuse:deny=67108864"),
        "{out}"
    );
    assert!(
        out.contains("linux: not enforced: wallclock:sigterm=3600"),
        "{out}"
    );
    let o = run(tool("svcj-check").args(["options", "--json", "-R", "maxproc:deny=5"]));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        j["rctl"]["kernel"][0], "jail:svcj-NAME:maxproc:deny=5",
        "{j}"
    );
    let o = run(tool("svcj-check").args(["options", "-R", "bogus:deny=1"]));
    assert_eq!(code(&o), 65, "{}", stderr(&o));
}
