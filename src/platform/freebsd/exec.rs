//! Fork, enter the jail in the child, exec the command, wait in the parent.
//!
//! Everything that can be checked before a jail exists is checked here in
//! the parent — the command resolves to an executable file, the console
//! log can be opened — so that a bad command line never leaves a jail
//! behind.  The child then runs a *hook* between fork and exec (the
//! FreeBSD backend passes jail_set(2) with `JAIL_CREATE | JAIL_ATTACH`, or
//! jail_attach(2)); if the hook fails, it writes a stage byte and the
//! kernel's message into a close-on-exec pipe before reporting errno, so
//! the parent can show what the kernel said rather than a bare errno.
//!
//! Only the hook is OS specific, so this module is portable POSIX and its
//! tests run on Linux with hooks that succeed or fail on purpose.

use crate::error::{Error, Result};
use crate::platform::RunSpec;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::Duration;

/// PATH used when the environment has none (FreeBSD's `_PATH_DEFPATH`).
pub const DEFAULT_PATH: &str = "/usr/bin:/bin";

/// Mode of a console log created by us.
pub const CONSOLE_LOG_MODE: u32 = 0o640;

/// A command ready to run: resolved program, argv, opened log.
#[derive(Debug)]
pub struct Prepared {
    /// Absolute or relative path of the executable, as resolved.
    pub program: PathBuf,
    /// The full argv; argv\[0\] as the user gave it.
    pub argv: Vec<OsString>,
    /// Where stdout and stderr go, if not inherited.
    pub log: Option<File>,
    /// The caller's working directory, to return to after entering the
    /// jail (jail_attach(2) moves the process to the jail's root).
    pub cwd: Option<File>,
}

impl Prepared {
    /// The descriptor of the saved working directory, for the hook.
    pub fn cwd_fd(&self) -> Option<RawFd> {
        self.cwd.as_ref().map(|f| f.as_raw_fd())
    }
}

/// What failed in the child between fork and exec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildFailure {
    /// The stage byte the hook reported (e.g. `b'S'` for jail_set).
    pub stage: u8,
    /// errno of the failed call.
    pub errno: i32,
    /// The message the hook sent (the kernel's errmsg), may be empty.
    pub detail: String,
}

fn is_executable_file(p: &Path) -> std::result::Result<bool, io::Error> {
    let md = std::fs::metadata(p)?;
    Ok(md.is_file() && md.permissions().mode() & 0o111 != 0)
}

/// Resolve `prog` the way execvp(3) would, but before anything is created:
/// a name with `/` is taken as a path, any other is searched in `path_env`
/// (`DEFAULT_PATH` when unset).  Missing → [`Error::CommandNotFound`];
/// present but not an executable regular file → [`Error::CommandNotExecutable`].
pub fn resolve_command(prog: &OsStr, path_env: Option<&OsStr>) -> Result<PathBuf> {
    let shown = prog.to_string_lossy().into_owned();
    if prog.is_empty() {
        return Err(Error::Usage("no command given".into()));
    }
    if prog.as_bytes().contains(&b'/') {
        let p = PathBuf::from(prog);
        return match is_executable_file(&p) {
            Ok(true) => Ok(p),
            Ok(false) => Err(Error::CommandNotExecutable(shown)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::CommandNotFound(shown)),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                Err(Error::CommandNotExecutable(shown))
            }
            Err(e) => Err(Error::os(format!("cannot inspect {shown}"), e)),
        };
    }
    let path = path_env
        .map(|p| p.to_os_string())
        .unwrap_or_else(|| OsString::from(DEFAULT_PATH));
    let mut seen_non_exec = false;
    for dir in path.as_bytes().split(|b| *b == b':') {
        // POSIX: an empty PATH entry is the current directory.
        let dir = if dir.is_empty() {
            Path::new(".")
        } else {
            Path::new(OsStr::from_bytes(dir))
        };
        let cand = dir.join(prog);
        match is_executable_file(&cand) {
            Ok(true) => return Ok(cand),
            Ok(false) => seen_non_exec = true,
            Err(_) => {}
        }
    }
    if seen_non_exec {
        Err(Error::CommandNotExecutable(shown))
    } else {
        Err(Error::CommandNotFound(shown))
    }
}

/// Open (append, create with mode 0640) the console log.
pub fn open_console_log(path: &Path) -> Result<File> {
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(CONSOLE_LOG_MODE)
        .open(path)
        .map_err(|source| Error::CantCreate {
            path: path.to_path_buf(),
            source,
        })
}

/// Check everything about `cmd` that can be checked before a jail exists.
pub fn prepare(cmd: &RunSpec) -> Result<Prepared> {
    let Some(argv0) = cmd.argv.first() else {
        return Err(Error::Usage("no command given".into()));
    };
    let path_env = std::env::var_os("PATH");
    let mut program = resolve_command(argv0, path_env.as_deref())?;
    if program.is_relative() {
        // The child changes directory when it enters the jail.
        let here = std::env::current_dir()
            .map_err(|e| Error::os("cannot determine the current directory", e))?;
        program = here.join(program);
    }
    // Not being able to come back (a removed or unreadable directory) only
    // means the command starts in the jail's root, as jexec(8) does.
    let cwd = File::open(".").ok();
    let log = cmd
        .console_log
        .as_deref()
        .map(open_console_log)
        .transpose()?;
    Ok(Prepared {
        program,
        argv: cmd.argv.clone(),
        log,
        cwd,
    })
}

/// The exit status as a shell reports it: the code, or 128+N for signal N.
pub fn status_code(st: ExitStatus) -> i32 {
    match (st.code(), st.signal()) {
        (Some(c), _) => c,
        (None, Some(sig)) => 128 + sig,
        (None, None) => 128,
    }
}

/// From the child, between fork and exec: send the stage byte and `msg`
/// (up to its first NUL) to the parent.  Only write(2) is called, which
/// is async-signal-safe.
pub fn report(fd: RawFd, stage: u8, msg: &[u8]) {
    let end = msg.iter().position(|b| *b == 0).unwrap_or(msg.len());
    let stage = [stage];
    // SAFETY: both buffers are valid for the given lengths for the whole
    // call; write(2) on a pipe has no other preconditions.  A short or
    // failed write only loses detail: the errno still reaches the parent.
    unsafe {
        libc::write(fd, stage.as_ptr().cast(), 1);
        libc::write(fd, msg.as_ptr().cast(), end);
    }
}

/// From the child, after entering the jail: go back to the directory
/// saved in [`Prepared::cwd`].  Only fchdir(2) is called; a failure leaves
/// the child in the jail's root.
pub fn restore_cwd(fd: Option<RawFd>) {
    if let Some(fd) = fd {
        // SAFETY: fchdir(2) on a descriptor we own (kept open by the
        // parent's `Prepared` until spawn returns); no memory is involved.
        unsafe {
            libc::fchdir(fd);
        }
    }
}

/// Decode what [`report`] wrote: stage byte and message.
pub fn decode_report(bytes: &[u8]) -> Option<(u8, String)> {
    let (&stage, rest) = bytes.split_first()?;
    Some((stage, String::from_utf8_lossy(rest).trim().to_string()))
}

/// Map an exec failure (after a successful hook) to an [`Error`].
pub fn exec_error(program: &Path, e: io::Error) -> Error {
    let shown = program.display().to_string();
    match e.raw_os_error() {
        Some(libc::ENOENT) => Error::CommandNotFound(shown),
        Some(libc::EACCES) | Some(libc::ENOEXEC) => Error::CommandNotExecutable(shown),
        _ => Error::os(format!("cannot execute {shown}"), e),
    }
}

/// What a command that ran left: its status and what the hook reported
/// before the exec (the FreeBSD create hook sends the new JID this way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// The exit status (128+N for signal N); `None` when it was killed
    /// for running past its time limit.
    pub status: Option<i32>,
    /// The bytes the hook wrote with [`report_raw`] before the exec.
    pub note: Vec<u8>,
}

/// Stage byte of a successful hook's note (see [`report_raw`]).
pub const STAGE_NOTE: u8 = b'J';

/// From the child: send `stage` and `bytes` as they are (NULs included),
/// e.g. a JID for the parent.  Only write(2) is called.
pub fn report_raw(fd: RawFd, stage: u8, bytes: &[u8]) {
    let stage = [stage];
    // SAFETY: both buffers are valid for the given lengths for the whole
    // call; write(2) on a pipe has no other preconditions.
    unsafe {
        libc::write(fd, stage.as_ptr().cast(), 1);
        libc::write(fd, bytes.as_ptr().cast(), bytes.len());
    }
}

/// Fork; in the child run `hook` (it gets the report pipe), then exec the
/// prepared command; in the parent wait for the command.
///
/// Returns `Ok(Ok(status))` when the command ran, `Ok(Err(failure))` when
/// the hook failed (nothing was exec'd), `Err` for everything else.
///
/// # Safety contract for `hook`
/// It runs in the forked child of a possibly multi-threaded parent: it
/// must only call async-signal-safe functions (system calls, [`report`])
/// and must not allocate.
pub fn run_with_hook<H>(p: Prepared, hook: H) -> Result<std::result::Result<i32, ChildFailure>>
where
    H: FnMut(RawFd) -> io::Result<()> + Send + Sync + 'static,
{
    Ok(run(p, None, hook)?.map(|r| r.status.unwrap_or(128 + libc::SIGKILL)))
}

/// [`run_with_hook`] with an optional time limit: when the command is
/// still running after `timeout`, it (the process started, not what it
/// left behind) is killed with SIGKILL and `Ok(Ok(None))` is returned.
/// `svcj-kill` bounds its stop command this way.
pub fn run_with_hook_bounded<H>(
    p: Prepared,
    timeout: Option<Duration>,
    hook: H,
) -> Result<std::result::Result<Option<i32>, ChildFailure>>
where
    H: FnMut(RawFd) -> io::Result<()> + Send + Sync + 'static,
{
    Ok(run(p, timeout, hook)?.map(|r| r.status))
}

/// The one runner behind the functions above, on duct: `before_spawn`
/// installs argv\[0\] and the hook as `pre_exec`, `start` forks and execs,
/// `wait`/`wait_timeout` wait, `kill` ends an overrunning command.  The
/// contract of svcj-exec(8) holds as with a bare `Command`: stdin is
/// inherited, stdout and stderr go to the console log when one is given,
/// the status is passed through (`unchecked`, 128+N for signal N), and a
/// signal to svcj-exec itself is not intercepted.
pub fn run<H>(
    p: Prepared,
    timeout: Option<Duration>,
    hook: H,
) -> Result<std::result::Result<Ran, ChildFailure>>
where
    H: FnMut(RawFd) -> io::Result<()> + Send + Sync + 'static,
{
    let (rd, wr) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| Error::os("pipe", io::Error::from(e)))?;
    let wfd = wr.as_raw_fd();
    let args: Vec<OsString> = p.argv.iter().skip(1).cloned().collect();
    let arg0 = p.argv.first().cloned();
    // `before_spawn` takes an `Fn`; the hook is moved out on the one spawn.
    let slot = std::sync::Mutex::new(Some(hook));
    let mut expr =
        duct::cmd(&p.program, args)
            .unchecked()
            .before_spawn(move |command: &mut Command| {
                if let Some(a) = &arg0 {
                    command.arg0(a);
                }
                let taken = slot.lock().ok().and_then(|mut s| s.take());
                let Some(mut hook) = taken else {
                    return Err(io::Error::other("the command was spawned twice"));
                };
                // SAFETY: the closure runs between fork and exec.  It calls
                // `hook`, whose contract (documented above, upheld by every
                // caller in this crate) is to make only async-signal-safe
                // calls; `wfd` stays open in the child because `wr` is alive
                // until after start() returns.
                unsafe {
                    command.pre_exec(move || hook(wfd));
                }
                Ok(())
            });
    if let Some(log) = p.log {
        let out = log
            .try_clone()
            .map_err(|e| Error::os("cannot duplicate the console log descriptor", e))?;
        expr = expr.stdout_file(out).stderr_file(log);
    }
    let started = expr.start();
    drop(wr);
    let mut f = File::from(rd);
    let mut buf = Vec::new();
    // On success the pipe closed at the exec (close-on-exec); on failure
    // the child has exited.  Either way this read ends.
    let _ = f.read_to_end(&mut buf);
    match started {
        Ok(handle) => {
            let waiting = |e| Error::os(format!("waiting for {}", p.program.display()), e);
            let note = buf.get(1..).map(<[u8]>::to_vec).unwrap_or_default();
            let status = match timeout {
                None => Some(status_code(handle.wait().map_err(waiting)?.status)),
                Some(t) => match handle.wait_timeout(t).map_err(waiting)? {
                    Some(out) => Some(status_code(out.status)),
                    None => {
                        // Ignore the error: the child may have exited just
                        // now; the wait below reaps it either way.
                        let _ = handle.kill();
                        handle.wait().map_err(waiting)?;
                        None
                    }
                },
            };
            Ok(Ok(Ran { status, note }))
        }
        Err(e) => match decode_report(&buf) {
            // The hook succeeded and said so; the exec itself failed.
            Some((STAGE_NOTE, _)) | None => Err(exec_error(&p.program, e)),
            Some((stage, detail)) => Ok(Err(ChildFailure {
                stage,
                errno: e.raw_os_error().unwrap_or(0),
                detail,
            })),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("svcj-exec-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn spec(argv: &[&str], log: Option<PathBuf>) -> RunSpec {
        RunSpec {
            argv: argv.iter().map(OsString::from).collect(),
            console_log: log,
        }
    }

    #[test]
    fn bounded_run_kills_an_overrunning_command() {
        let p = prepare(&spec(&["/bin/sleep", "30"], None)).unwrap();
        let r = run_with_hook_bounded(p, Some(Duration::from_millis(200)), |_| Ok(())).unwrap();
        // None: killed at the limit (a sleep that ran out would be Some(0)).
        assert_eq!(r, Ok(None));
        let p = prepare(&spec(&["/bin/sh", "-c", "exit 4"], None)).unwrap();
        let r = run_with_hook_bounded(p, Some(Duration::from_secs(20)), |_| Ok(())).unwrap();
        assert_eq!(r, Ok(Some(4)));
    }

    #[test]
    fn resolves_like_execvp() {
        let d = tmpdir("resolve");
        let exe = d.join("tool");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let plain = d.join("data");
        std::fs::write(&plain, "x").unwrap();
        let path = OsString::from(format!("/nonexistent:{}", d.display()));
        assert_eq!(
            resolve_command(OsStr::new("tool"), Some(&path)).unwrap(),
            exe
        );
        assert!(matches!(
            resolve_command(OsStr::new("data"), Some(&path)),
            Err(Error::CommandNotExecutable(_))
        ));
        assert!(matches!(
            resolve_command(OsStr::new("nope"), Some(&path)),
            Err(Error::CommandNotFound(_))
        ));
        assert!(matches!(
            resolve_command(plain.as_os_str(), None),
            Err(Error::CommandNotExecutable(_))
        ));
        assert!(matches!(
            resolve_command(d.as_os_str(), None),
            Err(Error::CommandNotExecutable(_))
        ));
        assert!(matches!(
            resolve_command(OsStr::new("/no/such/prog"), None),
            Err(Error::CommandNotFound(_))
        ));
        assert!(resolve_command(OsStr::new("sh"), None).is_ok());
        assert!(matches!(
            resolve_command(OsStr::new(""), None),
            Err(Error::Usage(_))
        ));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn runs_and_passes_the_status_through() {
        let p = prepare(&spec(&["sh", "-c", "exit 3"], None)).unwrap();
        assert_eq!(run_with_hook(p, |_| Ok(())).unwrap(), Ok(3));
        let p = prepare(&spec(&["sh", "-c", "kill -TERM $$"], None)).unwrap();
        assert_eq!(run_with_hook(p, |_| Ok(())).unwrap(), Ok(128 + 15));
    }

    #[test]
    fn output_goes_to_the_console_log() {
        let d = tmpdir("log");
        let log = d.join("console.log");
        std::fs::write(&log, "before\n").unwrap();
        let p = prepare(&spec(
            &["sh", "-c", "echo out; echo err >&2"],
            Some(log.clone()),
        ))
        .unwrap();
        assert_eq!(run_with_hook(p, |_| Ok(())).unwrap(), Ok(0));
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "before\nout\nerr\n");
        let bad = prepare(&spec(&["sh"], Some(d.join("no/such/dir/log"))));
        assert!(matches!(bad, Err(Error::CantCreate { .. })));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn hook_failure_carries_errno_and_message() {
        let p = prepare(&spec(&["sh", "-c", "exit 0"], None)).unwrap();
        let r = run_with_hook(p, |fd| {
            report(fd, b'S', b"prison limit exceeded\0garbage");
            Err(io::Error::from_raw_os_error(libc::EPERM))
        })
        .unwrap();
        assert_eq!(
            r,
            Err(ChildFailure {
                stage: b'S',
                errno: libc::EPERM,
                detail: "prison limit exceeded".into()
            })
        );
    }

    #[test]
    fn exec_failure_after_the_hook() {
        let d = tmpdir("vanish");
        let exe = d.join("gone");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let p = prepare(&spec(&[exe.to_str().unwrap()], None)).unwrap();
        // The program disappears between the check and the exec.
        std::fs::remove_file(&exe).unwrap();
        let e = run_with_hook(p, |_| Ok(())).unwrap_err();
        assert!(matches!(e, Error::CommandNotFound(_)), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn working_directory_survives_entering_the_jail() {
        let d = tmpdir("cwd");
        let log = d.join("pwd.log");
        let here = std::env::current_dir().unwrap();
        let p = prepare(&spec(&["sh", "-c", "pwd -P"], Some(log.clone()))).unwrap();
        assert!(p.program.is_absolute());
        let fd = p.cwd_fd();
        assert!(fd.is_some());
        let r = run_with_hook(p, move |_| {
            // What jail_attach(2) does to the working directory.
            // SAFETY: chdir(2) with a NUL-terminated literal.
            unsafe {
                libc::chdir(c"/".as_ptr());
            }
            restore_cwd(fd);
            Ok(())
        })
        .unwrap();
        assert_eq!(r, Ok(0));
        let got = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            got.trim(),
            std::fs::canonicalize(here).unwrap().to_str().unwrap()
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_hook_note_reaches_the_parent() {
        // The create hook sends the JID jail_set(2) returned, NULs and all.
        let p = prepare(&spec(&["sh", "-c", "exit 5"], None)).unwrap();
        let r = run(p, None, |fd| {
            report_raw(fd, STAGE_NOTE, &0x0100_i32.to_ne_bytes());
            Ok(())
        })
        .unwrap()
        .unwrap();
        assert_eq!(r.status, Some(5));
        assert_eq!(r.note, 0x0100_i32.to_ne_bytes().to_vec());
        // A note followed by a failed exec is the exec's error.
        let p = prepare(&spec(&["sh"], None)).unwrap();
        let p = Prepared {
            program: "/nonexistent/prog".into(),
            ..p
        };
        let e = run(p, None, |fd| {
            report_raw(fd, STAGE_NOTE, &[0, 0, 0, 1]);
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(e, Error::CommandNotFound(_)), "{e}");
    }

    #[test]
    fn decode() {
        assert_eq!(decode_report(b""), None);
        assert_eq!(decode_report(b"A"), Some((b'A', String::new())));
        assert_eq!(decode_report(b"Sx y\n"), Some((b'S', "x y".into())));
    }
}
