//! The Linux registry: namespaces have no names, so the backend keeps one
//! small `key=value` file per live jail under `$SVCJ_RUNDIR` (default
//! `/run/svcj`).  The format is the internal contract in docs/HACKING.md,
//! readable by shell fakes (`jls`, `jexec` of the rc test platform).
//!
//! An entry is only trusted while its reaper is the very process that was
//! registered: the PID must exist, not be a zombie, have the same start
//! time (field 22 of `/proc/PID/stat`, the guard against PID reuse) and
//! live in the registered PID namespace.  Anything else is stale and is
//! removed by whoever notices.
//!
//! Creations are serialised by an exclusive `flock` on the registry
//! directory itself, held from the existence check until the new jail's
//! entry is written (a fraction of a millisecond): concurrent creates of
//! one name resolve to exactly one success, and there is no lock file to
//! leave behind or to allocate (inode creation is the slow part of a
//! start on a disk file system).

use crate::error::{Error, Result};
use crate::options::{Allow, JailParams};
use std::ffi::CString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Default registry directory.
pub const DEFAULT_RUNDIR: &str = "/run/svcj";

/// One registry entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Jail name (`svcj-foo`).
    pub name: String,
    /// The reaper's PID in the host PID namespace (= JID).
    pub reaper: i32,
    /// Inode of the jail's PID namespace.
    pub pidns: u64,
    /// Start time of the reaper (clock ticks since boot).
    pub starttime: u64,
    /// Inode of the PID namespace the other fields are relative to (the
    /// creator's): only a process in it can check or reach the reaper.
    pub hostpidns: Option<u64>,
    /// The jail's parameters.
    pub params: JailParams,
}

impl Entry {
    /// Render the file's text.
    pub fn render(&self) -> String {
        let p = &self.params;
        let join = |v: Vec<String>| v.join(",");
        format!(
            "name={}\njid={}\nreaper={}\npidns={}\nstarttime={}\n{}ip4={}\nip6={}\n\
             ip4.addr={}\nip6.addr={}\nsysvipc={}\nparams={}\n",
            self.name,
            self.reaper,
            self.reaper,
            self.pidns,
            self.starttime,
            self.hostpidns
                .map(|h| format!("hostpidns={h}\n"))
                .unwrap_or_default(),
            p.ip4,
            p.ip6,
            join(p.ip4_addrs.iter().map(|a| a.to_string()).collect()),
            join(p.ip6_addrs.iter().map(|a| a.to_string()).collect()),
            p.sysvipc,
            p.jail_words().join(" "),
        )
    }

    /// Parse the file's text; `None` when it is not a complete entry.
    pub fn parse(text: &str) -> Option<Entry> {
        let mut name = None;
        let mut reaper = None;
        let mut pidns = None;
        let mut starttime = None;
        let mut hostpidns = None;
        let mut params = JailParams::default();
        for line in text.lines() {
            let (k, v) = line.split_once('=')?;
            match k {
                "name" => name = Some(v.to_string()),
                "reaper" => reaper = v.parse().ok(),
                "pidns" => pidns = v.parse().ok(),
                "starttime" => starttime = v.parse().ok(),
                "hostpidns" => hostpidns = v.parse().ok(),
                "ip4" => params.ip4 = v.parse().ok()?,
                "ip6" => params.ip6 = v.parse().ok()?,
                "sysvipc" => params.sysvipc = v.parse().ok()?,
                "ip4.addr" => {
                    params.ip4_addrs = split_list(v)
                        .map(|a| a.parse::<Ipv4Addr>().ok())
                        .collect::<Option<_>>()?
                }
                "ip6.addr" => {
                    params.ip6_addrs = split_list(v)
                        .map(|a| a.parse::<Ipv6Addr>().ok())
                        .collect::<Option<_>>()?
                }
                "params" => {
                    for w in v.split_whitespace() {
                        if let Some(a) = Allow::from_param(w) {
                            params.allow.insert(a);
                        } else if let Some(n) = w.strip_prefix("enforce_statfs=") {
                            params.enforce_statfs = n.parse().ok();
                        }
                    }
                }
                _ => {}
            }
        }
        let reaper: i32 = reaper?;
        if reaper <= 1 {
            return None;
        }
        Some(Entry {
            name: name?,
            reaper,
            pidns: pidns?,
            starttime: starttime?,
            hostpidns,
            params,
        })
    }
}

fn split_list(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').filter(|s| !s.is_empty())
}

/// Facts about a live process read from `/proc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcId {
    /// Inode of its PID namespace.
    pub pidns: u64,
    /// Start time (field 22 of stat).
    pub starttime: u64,
}

/// Read `pid`'s PID namespace and start time from `proc` (normally
/// `/proc`).  `None` when the process is gone or a zombie.
pub fn proc_id(proc: &Path, pid: i32) -> Option<ProcId> {
    let stat = fs::read_to_string(proc.join(format!("{pid}/stat"))).ok()?;
    let (state, starttime) = parse_stat(&stat)?;
    if state == 'Z' || state == 'X' {
        return None;
    }
    let pidns = fs::metadata(proc.join(format!("{pid}/ns/pid"))).ok()?.ino();
    Some(ProcId { pidns, starttime })
}

/// State letter and start time from a `/proc/PID/stat` line.  The command
/// name (field 2) may contain spaces and parentheses: parse after the last
/// `)`.
pub fn parse_stat(stat: &str) -> Option<(char, u64)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut f = rest.split_whitespace();
    let state = f.next()?.chars().next()?;
    // Fields after the command: state is field 3, starttime field 22.
    let starttime = f.nth(22 - 4)?.parse().ok()?;
    Some((state, starttime))
}

/// The registry directory.
#[derive(Debug, Clone)]
pub struct Registry {
    dir: PathBuf,
}

fn cstr(s: &str) -> io::Result<CString> {
    CString::new(s).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

/// `openat(dir, name, flags)` as a `File`.
fn open_at(dir: &File, name: &str, flags: libc::c_int, mode: libc::c_uint) -> io::Result<File> {
    let c = cstr(name)?;
    // SAFETY: openat relative to a directory descriptor we own, with a
    // NUL-terminated name; the descriptor returned is owned by `File`.
    let fd = unsafe { libc::openat(dir.as_raw_fd(), c.as_ptr(), flags | libc::O_CLOEXEC, mode) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by openat and is not used elsewhere.
    Ok(unsafe { File::from_raw_fd(fd) })
}

/// Read `name` in `dir` (never through a symbolic link).
fn read_at(dir: &File, name: &str) -> Option<String> {
    let mut f = open_at(dir, name, libc::O_RDONLY | libc::O_NOFOLLOW, 0).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut text = String::new();
    io::Read::read_to_string(&mut f, &mut text).ok()?;
    Some(text)
}

/// Unlink `name` in `dir`.
fn unlink_at(dir: &File, name: &str) {
    if let Ok(c) = cstr(name) {
        // SAFETY: unlinkat relative to our directory descriptor.
        unsafe { libc::unlinkat(dir.as_raw_fd(), c.as_ptr(), 0) };
    }
}

/// The names in `dir`.
fn names_at(dir: &File) -> Vec<String> {
    // fdopendir takes the descriptor over: give it a duplicate.
    // SAFETY: dup of a descriptor we own.
    let fd = unsafe { libc::fcntl(dir.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 0) };
    if fd < 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    // SAFETY: fdopendir owns `fd` from here; readdir's entries are valid
    // until the next readdir; closedir frees the stream and the fd.
    unsafe {
        libc::lseek(fd, 0, libc::SEEK_SET);
        let d = libc::fdopendir(fd);
        if d.is_null() {
            libc::close(fd);
            return out;
        }
        loop {
            let ent = libc::readdir(d);
            if ent.is_null() {
                break;
            }
            let name = std::ffi::CStr::from_ptr((*ent).d_name.as_ptr());
            if let Ok(n) = name.to_str() {
                out.push(n.to_string());
            }
        }
        libc::closedir(d);
    }
    out
}

/// 16 random hex digits for a temporary name.
fn random_suffix() -> String {
    let mut b = [0u8; 8];
    // SAFETY: getrandom fills the 8-byte buffer we own.
    let n = unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
    if n != b.len() as isize {
        // Unreachable on a kernel with getrandom(2); still unpredictable
        // enough with O_EXCL refusing any planted name.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        b = (t ^ (u64::from(std::process::id()) << 32)).to_ne_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Write `e` into the registry `dir` (shown as `path` in errors)
/// atomically: a new temporary file (`O_EXCL|O_NOFOLLOW`, unpredictable
/// name), then rename.
pub fn write_at(dir: &File, path: &Path, e: &Entry) -> Result<()> {
    let file = format!("{}.jail", e.name);
    let tmp = format!(".{}.jail.{}", e.name, random_suffix());
    let res = (|| -> io::Result<()> {
        let mut f = open_at(
            dir,
            &tmp,
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW,
            0o600,
        )?;
        f.write_all(e.render().as_bytes())?;
        let (t, c) = (cstr(&tmp)?, cstr(&file)?);
        // SAFETY: renameat within one directory descriptor we own, with
        // NUL-terminated names.
        if unsafe { libc::renameat(dir.as_raw_fd(), t.as_ptr(), dir.as_raw_fd(), c.as_ptr()) } != 0
        {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    })();
    res.map_err(|source| {
        unlink_at(dir, &tmp);
        Error::CantCreate {
            path: path.join(file),
            source,
        }
    })
}

impl Registry {
    /// A registry in `dir` (not created until needed).
    pub fn new(dir: PathBuf) -> Self {
        Registry { dir }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of `name`'s entry.
    pub fn entry_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.jail"))
    }

    /// Create the directory (mode 0700, owned by the caller, root) if it
    /// is missing.
    pub fn ensure_dir(&self) -> Result<()> {
        if let Some(parent) = self.dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.exists() {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o755)
                    .create(parent)
                    .map_err(|source| Error::CantCreate {
                        path: parent.to_path_buf(),
                        source,
                    })?;
            }
        }
        match fs::DirBuilder::new().mode(0o700).create(&self.dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(source) => Err(Error::CantCreate {
                path: self.dir.clone(),
                source,
            }),
        }
    }

    /// The directory, opened without following a symbolic link and
    /// checked: a directory owned by root with no access for group or
    /// others.  `Ok(None)` when it does not exist (or the caller may not
    /// open it: then it holds nothing this caller could act on).
    pub fn open_dir(&self) -> Result<Option<File>> {
        let f = match OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_CLOEXEC | libc::O_DIRECTORY | libc::O_NOFOLLOW)
            .open(&self.dir)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => return Ok(None),
            Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::ENOTDIR)) => {
                return Err(Error::Config(format!(
                    "registry {} is a symbolic link or not a directory: refusing to use it \
                     (remove it, or set SVCJ_RUNDIR to a directory owned by root with mode 0700)",
                    self.dir.display()
                )))
            }
            Err(source) => {
                return Err(Error::NoInput {
                    path: self.dir.clone(),
                    source,
                })
            }
        };
        let m = f.metadata().map_err(|source| Error::NoInput {
            path: self.dir.clone(),
            source,
        })?;
        if m.uid() != 0 || m.mode() & 0o077 != 0 {
            return Err(Error::Config(format!(
                "registry directory {} must be owned by root with mode 0700, but it is \
                 owned by uid {} with mode {:04o}: fix it (chown root {0}; chmod 0700 {0}) \
                 or remove it",
                self.dir.display(),
                m.uid(),
                m.mode() & 0o7777
            )));
        }
        Ok(Some(f))
    }

    /// Read `name`'s entry as it is on disk (no liveness check).
    pub fn read_raw(&self, name: &str) -> Result<Option<Entry>> {
        let Some(dir) = self.open_dir()? else {
            return Ok(None);
        };
        Ok(read_at(&dir, &format!("{name}.jail")).and_then(|t| Entry::parse(&t)))
    }

    /// `name`'s entry in `dir` if its reaper is alive; a stale entry is
    /// removed.
    fn load_at(dir: &File, name: &str) -> Option<Entry> {
        let file = format!("{name}.jail");
        let text = read_at(dir, &file)?;
        match Entry::parse(&text) {
            Some(e) if e.name == name && is_live(&e) => Some(e),
            _ => {
                log::debug!("removing stale registry entry {file}");
                unlink_at(dir, &file);
                None
            }
        }
    }

    /// `name`'s entry if its reaper is alive; a stale entry is removed.
    pub fn load(&self, name: &str) -> Result<Option<Entry>> {
        let Some(dir) = self.open_dir()? else {
            return Ok(None);
        };
        Ok(Self::load_at(&dir, name))
    }

    /// Every live entry, sorted by name; stale ones are removed.
    pub fn list(&self) -> Result<Vec<Entry>> {
        let Some(dir) = self.open_dir()? else {
            return Ok(Vec::new());
        };
        let mut out: Vec<Entry> = names_at(&dir)
            .into_iter()
            .filter_map(|f| {
                let name = f.strip_suffix(".jail")?;
                if name.starts_with('.') {
                    return None;
                }
                Self::load_at(&dir, name)
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Write `e` atomically (see [`write_at`]).
    pub fn write(&self, e: &Entry) -> Result<()> {
        let dir = self.open_dir()?.ok_or_else(|| Error::CantCreate {
            path: self.dir.clone(),
            source: io::Error::from_raw_os_error(libc::ENOENT),
        })?;
        write_at(&dir, &self.dir, e)
    }

    /// Remove `name`'s entry if it still describes the jail with PID
    /// namespace `pidns` (never someone else's newer entry).
    pub fn remove_if(&self, name: &str, pidns: u64) {
        if let Ok(Some(dir)) = self.open_dir() {
            remove_at(&dir, name, pidns);
        }
    }

    /// Take the creation lock (blocks while another creation holds it).
    pub fn lock(&self) -> Result<NameLock> {
        let err = |source| Error::CantCreate {
            path: self.dir.clone(),
            source,
        };
        let file = self
            .open_dir()?
            .ok_or_else(|| err(io::Error::from_raw_os_error(libc::ENOENT)))?;
        loop {
            // SAFETY: flock on a descriptor we own; no memory is involved.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                return Ok(NameLock { file: Some(file) });
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(err(e));
            }
        }
    }
}

/// Where the caller stands relative to a jail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vantage {
    /// In the PID namespace the entry's PIDs are relative to.
    Host,
    /// Inside the jail itself.
    Inside,
    /// Somewhere else (another jail): the entry cannot be checked.
    Elsewhere,
}

/// Inode of the caller's PID namespace.
pub fn own_pidns() -> Option<u64> {
    fs::metadata("/proc/self/ns/pid").ok().map(|m| m.ino())
}

/// Where the caller stands relative to `e`.
pub fn vantage(e: &Entry) -> Vantage {
    let own = own_pidns();
    match e.hostpidns {
        Some(h) if Some(h) == own => Vantage::Host,
        _ if Some(e.pidns) == own => Vantage::Inside,
        // Entries without the key were written on the host.
        None => Vantage::Host,
        Some(_) => Vantage::Elsewhere,
    }
}

/// [`Registry::remove_if`] through a directory descriptor.
pub fn remove_at(dir: &File, name: &str, pidns: u64) {
    let file = format!("{name}.jail");
    if read_at(dir, &file)
        .and_then(|t| Entry::parse(&t))
        .is_some_and(|e| e.pidns == pidns)
    {
        unlink_at(dir, &file);
    }
}

/// Release the creation lock through a descriptor inherited from its
/// holder: unlock the shared open file (for every descriptor of it) and
/// close ours.
pub fn release_shared(fd: std::os::fd::RawFd) {
    // SAFETY: unlocking and closing a descriptor this process owns.
    unsafe {
        libc::flock(fd, libc::LOCK_UN);
        libc::close(fd);
    }
}

/// Whether `e`'s reaper is still the registered process.  From inside a
/// jail the host's PIDs cannot be checked: the entry is then trusted,
/// never removed as stale by mistake.
pub fn is_live(e: &Entry) -> bool {
    match vantage(e) {
        Vantage::Host => is_reaper(Path::new("/proc"), e),
        Vantage::Inside | Vantage::Elsewhere => true,
    }
}

/// Whether `e.reaper`, seen in `proc`, is the svcj reaper the entry
/// describes: the same process (PID namespace and start time), PID 1 of
/// that namespace, which is not the caller's own, in the caller's user
/// namespace (a jail cannot make a PID namespace there), named
/// `svcj-reaper` and running the `svcj-exec` program.  Only then may a tool act on the entry: anything else
/// is stale, or forged.
pub fn is_reaper(proc: &Path, e: &Entry) -> bool {
    let Some(id) = proc_id(proc, e.reaper) else {
        return false;
    };
    if id.pidns != e.pidns || id.starttime != e.starttime {
        return false;
    }
    if own_pidns() == Some(e.pidns) {
        log::debug!("{}: entry names the caller's own PID namespace", e.name);
        return false;
    }
    let dir = proc.join(e.reaper.to_string());
    let ino = |p: &Path| fs::metadata(p).ok().map(|m| m.ino());
    if ino(&dir.join("ns/user")).is_none()
        || ino(&dir.join("ns/user")) != ino(&proc.join("self/ns/user"))
    {
        log::debug!("{}: PID {} is in another user namespace", e.name, e.reaper);
        return false;
    }
    let pid1 = fs::read_to_string(dir.join("status"))
        .ok()
        .is_some_and(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("NSpid:"))
                .and_then(|v| v.split_whitespace().last().map(|p| p == "1"))
                .unwrap_or(false)
        });
    let comm = fs::read_to_string(dir.join("comm")).unwrap_or_default();
    // A process name is anyone's to choose; the program is not: the
    // reaper is a fork of svcj-exec that never execs.  A process on its
    // way out has no program any more (ENOENT): the reaper of a jail
    // that has just emptied, still to be waited for.
    let exe = fs::read_link(dir.join("exe"));
    let program_ok = match &exe {
        Ok(p) => p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.trim_end_matches(" (deleted)") == REAPER_PROGRAM),
        Err(e) => e.kind() == io::ErrorKind::NotFound,
    };
    if !pid1 || comm.trim_end() != REAPER_NAME || !program_ok {
        log::debug!(
            "{}: PID {} is not a svcj reaper (PID 1 of its namespace: {pid1}, name {:?}, \
             program {:?})",
            e.name,
            e.reaper,
            comm.trim_end(),
            exe
        );
        return false;
    }
    true
}

/// The reaper's process name (`prctl(PR_SET_NAME)`).
pub const REAPER_NAME: &str = "svcj-reaper";

/// The reaper's program (it is a fork of `svcj-exec`): the file name of
/// `/proc/PID/exe`, also after an upgrade replaced the file.
pub const REAPER_PROGRAM: &str = "svcj-exec";

/// The held creation lock; released on drop.
#[derive(Debug)]
pub struct NameLock {
    file: Option<File>,
}

impl NameLock {
    /// The raw descriptor (a forked child that must not keep the lock
    /// closes it).
    pub fn raw_fd(&self) -> i32 {
        self.file.as_ref().map_or(-1, |f| f.as_raw_fd())
    }

    /// Release the lock.
    pub fn release(mut self) {
        self.file.take();
    }

    /// Close this process's descriptor without unlocking: a forked child
    /// that shares the open file (and with it the lock) releases it with
    /// [`release_shared`].
    pub fn disown(mut self) {
        if let Some(f) = self.file.take() {
            // Closing one descriptor of a shared open file keeps the lock.
            let fd = std::os::fd::IntoRawFd::into_raw_fd(f);
            // SAFETY: closing the descriptor we just took out of the File.
            unsafe { libc::close(fd) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options;

    #[test]
    fn entry_round_trip() {
        let p = options::parse("net_basic sysvipcnew mlock nfsd", "192.0.2.1 2001:db8::1")
            .unwrap()
            .params;
        let e = Entry {
            name: "svcj-foo".into(),
            reaper: 4242,
            pidns: 4026532281,
            starttime: 987654,
            hostpidns: Some(4026531836),
            params: p,
        };
        let text = e.render();
        assert!(text.contains("\njid=4242\n"), "{text}");
        assert!(text.contains("\nip4=new\n"), "{text}");
        assert!(text.contains("\nip4.addr=192.0.2.1\n"), "{text}");
        assert!(text.contains("\nsysvipc=new\n"), "{text}");
        assert!(text.contains("\nparams=path=/ mount.nodevfs host=inherit"));
        assert_eq!(Entry::parse(&text), Some(e));
    }

    #[test]
    fn incomplete_entries_are_rejected() {
        assert_eq!(Entry::parse("name=svcj-a\nreaper=12\n"), None);
        assert_eq!(Entry::parse("garbage"), None);
        assert_eq!(
            Entry::parse("name=svcj-a\nreaper=1\npidns=1\nstarttime=1\n"),
            None
        );
    }

    #[test]
    fn stat_with_odd_command_names() {
        let mut line = String::from("42 (a) b (c)) S 1 42 42 0 -1 4194560");
        for i in 0..12 {
            line.push_str(&format!(" {i}"));
        }
        line.push_str(" 777 0 0");
        assert_eq!(parse_stat(&line), Some(('S', 777)));
        let own = fs::read_to_string("/proc/self/stat").unwrap();
        assert!(parse_stat(&own).is_some());
    }

    #[test]
    fn lock_is_exclusive_and_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("svcj-reg-test-{}", std::process::id()));
        let r = Registry::new(dir.clone());
        r.ensure_dir().unwrap();
        let l = r.lock().unwrap();
        // A second open file description cannot take it meanwhile.
        let other = File::open(&dir).unwrap();
        // SAFETY: flock on a descriptor we own.
        let busy = unsafe { libc::flock(other.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        assert_eq!(busy, -1);
        l.release();
        // SAFETY: as above.
        let free = unsafe { libc::flock(other.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        assert_eq!(free, 0);
        drop(other);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        assert!(r.list().unwrap().is_empty());
        // A stale entry (PID 999999999 cannot exist) is removed on load.
        let e = Entry {
            name: "svcj-x".into(),
            reaper: 999_999_999,
            pidns: 1,
            starttime: 1,
            hostpidns: own_pidns(),
            params: JailParams::default(),
        };
        r.write(&e).unwrap();
        assert_eq!(r.read_raw("svcj-x").unwrap(), Some(e));
        assert_eq!(r.load("svcj-x").unwrap(), None);
        assert!(!r.entry_path("svcj-x").exists());
        fs::remove_dir(&dir).unwrap();
    }
}
