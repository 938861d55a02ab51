//! Integration tests of resource limits (`svcj-exec -R`, `<name>_svcj_rctl`)
//! through the real binaries: refusals before anything exists, the dry
//! run, and on Linux the cgroup of a jail (root only: the others print
//! `skipped: needs root`).

#![cfg(target_os = "linux")]

mod util;

use std::process::Command;
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
    let o = run(Command::new(bin("svcj-exec")).arg("--help"));
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
    let o = run(Command::new(bin("svcj-exec")).args([
        "-R",
        "maxproc:deny=5",
        "-j",
        "svcj-x",
        "--",
        "true",
    ]));
    assert_eq!(code(&o), 64, "{}", stderr(&o));
}
