//! Shared helpers for the integration tests (ripgrep's `tests/util`
//! style): run the real binaries against a private registry directory and
//! clean up every jail a test made, even when the test fails.
//!
//! Use it from a test file with `mod util;`.  Each test makes one
//! [`Env`]; dropping it SIGKILLs the reaper of every jail registered in its
//! directory (the kernel then kills the rest of each jail) and removes the
//! directory.
//!
//! Every child a test starts goes through [`Run`], a thin builder over
//! `duct`: program, arguments, environment and stdin in, captured stdout,
//! stderr and exit status out, and a non-zero status is a result to assert
//! on, not an error.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// True when running as root; otherwise prints `skipped: needs root`.
pub fn root_or_skip(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        eprintln!("{test}: skipped: needs root");
    }
    root
}

/// Skip the calling test (return) unless root.
#[macro_export]
macro_rules! need_root {
    ($name:expr) => {
        if !$crate::util::root_or_skip($name) {
            return;
        }
    };
}

/// Path of one of the package's binaries.
pub fn bin(name: &str) -> PathBuf {
    match name {
        "svcj-exec" => PathBuf::from(env!("CARGO_BIN_EXE_svcj-exec")),
        "svcj-kill" => PathBuf::from(env!("CARGO_BIN_EXE_svcj-kill")),
        "svcj-check" => PathBuf::from(env!("CARGO_BIN_EXE_svcj-check")),
        other => panic!("unknown binary {other}"),
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A unique word for markers, file names and service names.
pub fn unique(tag: &str) -> String {
    format!(
        "{tag}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// One test's private world: a registry directory and a scratch directory.
pub struct Env {
    /// `SVCJ_RUNDIR` of this test.
    pub rundir: PathBuf,
    /// Scratch directory for marker files.
    pub scratch: PathBuf,
}

impl Env {
    /// A new environment; `tag` names the directories.
    pub fn new(tag: &str) -> Env {
        let base = std::env::temp_dir().join(format!("svcj-it-{}", unique(tag)));
        let rundir = base.join("run");
        let scratch = base.join("scratch");
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(&scratch)
            .unwrap();
        // The registry directory itself is left for svcj-exec to create.
        Env { rundir, scratch }
    }

    /// `svcj-exec` with this environment.
    pub fn exec(&self) -> Run {
        self.run("svcj-exec")
    }

    /// `svcj-kill` with this environment.
    pub fn kill(&self) -> Run {
        self.run("svcj-kill")
    }

    /// `name` (one of the package's binaries) as a [`Run`] with this
    /// environment's registry directory.
    pub fn run(&self, name: &str) -> Run {
        tool(name).env("SVCJ_RUNDIR", &self.rundir)
    }

    /// A path in the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.scratch.join(name)
    }

    /// Names of the files in the registry directory (none if it does not
    /// exist).
    pub fn registry_files(&self) -> Vec<String> {
        let Ok(rd) = fs::read_dir(&self.rundir) else {
            return Vec::new();
        };
        let mut v: Vec<String> = rd
            .flatten()
            .map(|d| d.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// The registry entry of `jail` as key/value pairs.
    pub fn entry(&self, jail: &str) -> Option<BTreeMap<String, String>> {
        let text = fs::read_to_string(self.rundir.join(format!("{jail}.jail"))).ok()?;
        Some(
            text.lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// The JID (reaper PID) of `jail`.
    pub fn jid(&self, jail: &str) -> Option<i32> {
        self.entry(jail)?.get("jid")?.parse().ok()
    }

    /// The PID namespace inode of `jail`.
    pub fn pidns(&self, jail: &str) -> Option<u64> {
        self.entry(jail)?.get("pidns")?.parse().ok()
    }

    /// Wait (at most `limit`) until `jail` has no registry entry.
    pub fn wait_unregistered(&self, jail: &str, limit: Duration) -> bool {
        wait_for(limit, || self.entry(jail).is_none())
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let mut reapers = Vec::new();
        for f in self.registry_files() {
            if let Some(name) = f.strip_suffix(".jail") {
                if let Some(e) = self.entry(name) {
                    let pid: i32 = e.get("reaper").and_then(|p| p.parse().ok()).unwrap_or(0);
                    let ns: u64 = e.get("pidns").and_then(|p| p.parse().ok()).unwrap_or(0);
                    if pid > 1 && pid_ns(pid) == Some(ns) {
                        // SAFETY: kill(2) on the reaper this test created.
                        unsafe { libc::kill(pid, libc::SIGKILL) };
                        reapers.push(ns);
                    }
                }
            }
        }
        for ns in reapers {
            wait_for(Duration::from_secs(3), || processes_in_ns(ns).is_empty());
        }
        if let Some(base) = self.scratch.parent() {
            let _ = fs::remove_dir_all(base);
        }
    }
}

/// Poll `f` until it is true or `limit` passed.
pub fn wait_for(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The PID namespace inode of `pid`, if it is alive (not a zombie).
pub fn pid_ns(pid: i32) -> Option<u64> {
    fs::metadata(format!("/proc/{pid}/ns/pid"))
        .ok()
        .map(|m| m.ino())
}

/// Every live (not zombie) host PID in PID namespace `ns`, the reaper
/// included.
pub fn processes_in_ns(ns: u64) -> Vec<i32> {
    let want = format!("pid:[{ns}]");
    let mut v: Vec<i32> = fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|d| d.file_name().to_str()?.parse().ok())
        .filter(|pid: &i32| {
            fs::read_link(format!("/proc/{pid}/ns/pid"))
                .map(|l| l.to_string_lossy() == want)
                .unwrap_or(false)
        })
        .filter(|pid| alive(*pid))
        .collect();
    v.sort_unstable();
    v
}

/// PIDs of live processes whose command line contains `marker`.
pub fn processes_with(marker: &str) -> Vec<i32> {
    let me = std::process::id() as i32;
    fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|d| d.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != me)
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| {
                    c.split(|b| *b == 0)
                        .any(|a| String::from_utf8_lossy(a).contains(marker))
                })
                .unwrap_or(false)
        })
        .collect()
}

/// Whether `pid` exists and is not a zombie.
pub fn alive(pid: i32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => {
            let state = s.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        }
        Err(_) => false,
    }
}

/// The caller's mount table (`/proc/self/mountinfo`).
pub fn host_mounts() -> String {
    fs::read_to_string("/proc/self/mountinfo").unwrap()
}

/// stdout as a string.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as a string.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code (panics on death by signal, which a CLI must not do).
pub fn code(o: &Output) -> i32 {
    o.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}\n{}", o.status, stderr(o)))
}

/// Run `r` to completion and return its output (see [`Run::output`]).
pub fn run(r: Run) -> Output {
    r.output()
}

/// Whether `program` can be started (`program --version` runs at all).
pub fn have(program: &str) -> bool {
    Run::new(program).arg("--version").try_output().is_ok()
}

/// A program to run: built with [`Run::new`] or [`tool`], then given
/// arguments, environment and stdin, and run by [`Run::output`].
#[derive(Clone, Debug)]
pub struct Run {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    dir: Option<PathBuf>,
}

/// One of the package's binaries as a [`Run`], with the variables that
/// change its behaviour (`SVCJ_SYSCTL_FILE`, `LOCALBASE`, `RUST_LOG`)
/// removed from the inherited environment.
pub fn tool(name: &str) -> Run {
    Run::new(bin(name))
        .env_remove("SVCJ_SYSCTL_FILE")
        .env_remove("LOCALBASE")
        .env_remove("RUST_LOG")
}

impl Run {
    /// `program` (a path, or a name looked up in `PATH`), no arguments,
    /// the test's environment, stdin from /dev/null.
    pub fn new(program: impl AsRef<OsStr>) -> Run {
        Run {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            dir: None,
        }
    }

    /// Append one argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Run {
        self.args.push(a.as_ref().to_owned());
        self
    }

    /// Append arguments.
    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Set an environment variable.
    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Run {
        self.env
            .push((k.as_ref().to_owned(), Some(v.as_ref().to_owned())));
        self
    }

    /// Remove an environment variable.
    pub fn env_remove(mut self, k: impl AsRef<OsStr>) -> Run {
        self.env.push((k.as_ref().to_owned(), None));
        self
    }

    /// Feed `bytes` on stdin (default: /dev/null).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Run {
        self.stdin = Some(bytes.into());
        self
    }

    /// Run in directory `dir`.
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Run {
        self.dir = Some(dir.into());
        self
    }

    /// Run to completion; stdout and stderr captured, any exit status
    /// returned (panics only when the program cannot be started).
    pub fn output(&self) -> Output {
        self.try_output()
            .unwrap_or_else(|err| panic!("cannot run {self:?}: {err}"))
    }

    /// [`Run::output`], with a program that cannot be started an error.
    pub fn try_output(&self) -> std::io::Result<Output> {
        let mut e = duct::cmd(&self.program, &self.args)
            .stdout_capture()
            .stderr_capture()
            .unchecked();
        // duct applies the innermost (first added) setting last, so add
        // them newest first: the last call of env/env_remove wins.
        for (k, v) in self.env.iter().rev() {
            e = match v {
                Some(v) => e.env(k, v),
                None => e.env_remove(k),
            };
        }
        e = match &self.stdin {
            Some(b) => e.stdin_bytes(b.clone()),
            None => e.stdin_null(),
        };
        if let Some(d) = &self.dir {
            e = e.dir(d);
        }
        e.run()
    }

    /// The same program, arguments, environment and directory as a
    /// `Command`, for a child the test starts and keeps running (`spawn`)
    /// rather than runs to completion; stdin is /dev/null.
    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args);
        for (k, v) in &self.env {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        if let Some(d) = &self.dir {
            c.current_dir(d);
        }
        c.stdin(std::process::Stdio::null());
        c
    }
}

/// Whether `path` is a directory with nothing in it, or absent.
pub fn empty_or_absent(path: &Path) -> bool {
    match fs::read_dir(path) {
        Ok(mut rd) => rd.next().is_none(),
        Err(_) => true,
    }
}
