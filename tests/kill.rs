//! Integration tests of `svcj-kill` on Linux: bounded teardown of a jail
//! full of stubborn and forking processes, idempotence, the prefix rule
//! and the stop command.  Root-only tests print `skipped: needs root`.

#![cfg(target_os = "linux")]

mod util;

use std::fs;
use std::process::Stdio;
use std::time::{Duration, Instant};
use util::*;

/// Start a daemon jail `svcj-<name>` running `script` in the background;
/// returns its JID and PID namespace.
fn start_daemon(env: &Env, name: &str, script: &str) -> (i32, u64) {
    let bg = format!("( {script} ) </dev/null >/dev/null 2>&1 &");
    let o = run(env.exec().args([name, "--", "sh", "-c", &bg]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let jail = format!("svcj-{name}");
    (env.jid(&jail).unwrap(), env.pidns(&jail).unwrap())
}

#[test]
fn help_lists_every_flag() {
    let o = run(tool("svcj-kill").arg("--help"));
    assert_eq!(code(&o), 0);
    for flag in [
        "--force",
        "--quiet",
        "--timeout",
        "--verbose",
        "--help",
        "--version",
    ] {
        assert!(stdout(&o).contains(flag), "{flag}");
    }
}

#[test]
fn name_without_prefix_is_refused_unless_forced() {
    let env = Env::new("prefix");
    let o = run(env.kill().arg("www"));
    assert_eq!(code(&o), 64, "{}", stderr(&o));
    assert!(stderr(&o).contains("use -f"), "{}", stderr(&o));
    if !root_or_skip("name_without_prefix_is_refused_unless_forced (-f part)") {
        return;
    }
    let o = run(env.kill().args(["-f", "www"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("no such jail"), "{}", stderr(&o));
}

#[test]
fn bad_arguments() {
    let env = Env::new("badargs");
    let o = run(env.kill().args(["-t", "soon", "svcj-x"]));
    assert_eq!(code(&o), 65, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("invalid timeout \"soon\""),
        "{}",
        stderr(&o)
    );
    let o = run(env.kill().args(["svcj-a.b"]));
    assert_eq!(code(&o), 65, "{}", stderr(&o));
    let o = run(env.kill());
    assert_eq!(code(&o), 64, "{}", stderr(&o));
}

#[test]
fn missing_jail_is_not_an_error() {
    need_root!("missing_jail_is_not_an_error");
    let env = Env::new("missing");
    let o = run(env.kill().arg("svcj-nothere"));
    assert_eq!(code(&o), 0);
    assert!(
        stderr(&o).contains("svcj-nothere: no such jail"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
    let o = run(env.kill().args(["-q", "svcj-nothere"]));
    assert_eq!(code(&o), 0);
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "");
    assert!(empty_or_absent(&env.rundir));
}

#[test]
fn stubborn_and_forking_processes_are_gone_within_the_timeout() {
    need_root!("stubborn_and_forking_processes_are_gone_within_the_timeout");
    let env = Env::new("stubborn");
    let script = "i=0; while [ $i -lt 300 ]; do \
                      sh -c 'trap \"\" TERM; exec sleep 1000' & \
                      sleep 1000 & i=$((i + 1)); done; \
                  sh -c 'sleep 0 & exec sleep 1000' & \
                  while :; do sleep 0.5 & done";
    let (jid, ns) = start_daemon(&env, "many", script);
    // Wait until the jail holds the 600 sleepers plus the forking loop.
    // ... and until the 300 stubborn ones really ignore SIGTERM (a shell
    // signalled before its trap runs would just die).
    let ignoring_term = || {
        processes_in_ns(ns)
            .iter()
            .filter(|pid| {
                fs::read_to_string(format!("/proc/{pid}/status"))
                    .ok()
                    .and_then(|s| {
                        let l = s.lines().find(|l| l.starts_with("SigIgn:"))?;
                        u64::from_str_radix(l.split_whitespace().nth(1)?, 16).ok()
                    })
                    .is_some_and(|m| m & (1 << (libc::SIGTERM - 1)) != 0)
            })
            .count()
    };
    assert!(
        wait_for(Duration::from_secs(30), || processes_in_ns(ns).len() > 602
            && ignoring_term() >= 300),
        "only {} processes started, {} ignoring SIGTERM",
        processes_in_ns(ns).len(),
        ignoring_term()
    );
    let t = Instant::now();
    let o = run(env.kill().args(["-t", "1", "svcj-many"]));
    let took = t.elapsed();
    eprintln!(
        "svcj-kill -t 1 on {} processes took {took:?}",
        processes_in_ns(ns).len().max(600)
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let line = stdout(&o);
    eprintln!("{line}");
    // `svcj-many: N ended on SIGTERM, M killed`
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[0], "svcj-many:", "{line}");
    assert_eq!(words[2..5], ["ended", "on", "SIGTERM,"], "{line}");
    let ended: usize = words[1].parse().unwrap();
    let killed: usize = words[5].parse().unwrap();
    assert!(ended >= 300, "{line}");
    assert!(killed >= 300, "{line}");
    // Gone: no process of the namespace, no reaper, no entry.
    assert!(
        processes_in_ns(ns).is_empty(),
        "survivors: {:?}",
        processes_in_ns(ns)
    );
    assert!(!alive(jid));
    assert!(empty_or_absent(&env.rundir), "{:?}", env.registry_files());
}

#[test]
fn cooperative_jail_ends_on_sigterm_and_by_jid() {
    need_root!("cooperative_jail_ends_on_sigterm_and_by_jid");
    let env = Env::new("coop");
    let (jid, ns) = start_daemon(&env, "coop", "sleep 1000 & sleep 1000 & wait");
    assert!(wait_for(Duration::from_secs(5), || processes_in_ns(ns)
        .len()
        == 4));
    let o = run(env.kill().args(["-t", "10", &jid.to_string()]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "svcj-coop: 3 ended on SIGTERM, 0 killed\n");
    assert!(processes_in_ns(ns).is_empty());
    assert!(empty_or_absent(&env.rundir));
    // Killing it again is harmless.
    let o = run(env.kill().arg("svcj-coop"));
    assert_eq!(code(&o), 0);
}

#[test]
fn stop_command_runs_inside_first() {
    need_root!("stop_command_runs_inside_first");
    let env = Env::new("stopcmd");
    let (_, ns) = start_daemon(&env, "sc", "sleep 1000");
    // The daemon is started in the background: wait until it is the sleep.
    let sleeping = || {
        processes_in_ns(ns).iter().any(|pid| {
            fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c == "sleep\n")
        })
    };
    assert!(wait_for(Duration::from_secs(10), sleeping));
    let out = env.path("inside");
    // pkill, then wait (bounded) until the reaper has collected it.
    let stop = format!(
        "cat /proc/1/comm > {}; pkill -x sleep; i=0; \
         while pgrep -x sleep >/dev/null && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done",
        out.display()
    );
    let o = run(env.kill().args(["svcj-sc", "--", "sh", "-c", &stop]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&out).unwrap(), "svcj-reaper\n");
    // The stop command ended the daemon: nothing was left to signal.
    assert_eq!(stdout(&o), "svcj-sc: 0 ended on SIGTERM, 0 killed\n");
    assert!(processes_in_ns(ns).is_empty());
    assert!(empty_or_absent(&env.rundir));
}

#[test]
fn overrunning_stop_command_is_bounded() {
    need_root!("overrunning_stop_command_is_bounded");
    let env = Env::new("stoplong");
    let (_, ns) = start_daemon(&env, "sl", "sleep 1000");
    let o = run(env
        .kill()
        .args(["-t", "0.3", "svcj-sl", "--", "sleep", "1000"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("ran longer than"), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("svcj-sl: "), "{}", stdout(&o));
    assert!(processes_in_ns(ns).is_empty());
    assert!(empty_or_absent(&env.rundir));
}

#[test]
fn kill_during_a_foreground_run_reports_the_commands_status() {
    need_root!("kill_during_a_foreground_run_reports_the_commands_status");
    let env = Env::new("fg");
    let mut fg = env
        .exec()
        .args(["fg", "--", "sleep", "1000"])
        .command()
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_for(Duration::from_secs(5), || env
        .pidns("svcj-fg")
        .is_some_and(|ns| processes_in_ns(ns).len() == 2)));
    let o = run(env.kill().args(["-q", "-t", "5", "svcj-fg"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    // sleep ends on SIGTERM: svcj-exec reports it like a shell would.
    assert_eq!(fg.wait().unwrap().code(), Some(143));
    assert!(empty_or_absent(&env.rundir));
}

#[test]
fn stop_command_that_cannot_run_does_not_stop_the_teardown() {
    need_root!("stop_command_that_cannot_run_does_not_stop_the_teardown");
    let env = Env::new("stopbad");
    let (_, ns) = start_daemon(&env, "sb", "sleep 1000");
    let o = run(env
        .kill()
        .args(["svcj-sb", "--", "no-such-stop-command-svcj"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the stop command could not run"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("no-such-stop-command-svcj"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "svcj-sb: 1 ended on SIGTERM, 0 killed\n");
    assert!(processes_in_ns(ns).is_empty());
    assert!(empty_or_absent(&env.rundir));
}
