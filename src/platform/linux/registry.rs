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
//! Creation of one name is serialised by an exclusive `flock` on
//! `<jailname>.lock`.  The lock file is unlinked by its holder before it
//! lets go, so it leaves nothing behind; a waiter that locked an unlinked
//! file notices (the inode at the path differs) and tries again.

use crate::error::{Error, Result};
use crate::options::{Allow, JailParams};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
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

    fn lock_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.lock"))
    }

    /// Create the directory (mode 0700) if it is missing.
    pub fn ensure_dir(&self) -> Result<()> {
        if self.dir.is_dir() {
            return Ok(());
        }
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|source| Error::CantCreate {
                path: self.dir.clone(),
                source,
            })
    }

    /// Read `name`'s entry as it is on disk (no liveness check).
    pub fn read_raw(&self, name: &str) -> Option<Entry> {
        let text = fs::read_to_string(self.entry_path(name)).ok()?;
        Entry::parse(&text)
    }

    /// `name`'s entry if its reaper is alive; a stale entry is removed.
    pub fn load(&self, name: &str) -> Option<Entry> {
        let path = self.entry_path(name);
        let text = fs::read_to_string(&path).ok()?;
        match Entry::parse(&text) {
            Some(e) if is_live(&e) => Some(e),
            _ => {
                log::debug!("removing stale registry entry {}", path.display());
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Every live entry, sorted by name; stale ones are removed, and so
    /// are lock files nobody holds (left by a creator that was killed).
    pub fn list(&self) -> Vec<Entry> {
        self.sweep_locks();
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<Entry> = rd
            .flatten()
            .filter_map(|d| {
                let f = d.file_name();
                let f = f.to_str()?;
                let name = f.strip_suffix(".jail")?;
                if name.starts_with('.') {
                    return None;
                }
                self.load(name)
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// Write `e` atomically (temp file + rename).
    pub fn write(&self, e: &Entry) -> Result<()> {
        let path = self.entry_path(&e.name);
        let tmp = self
            .dir
            .join(format!(".{}.jail.{}", e.name, std::process::id()));
        let res = (|| -> io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o644)
                .open(&tmp)?;
            f.write_all(e.render().as_bytes())?;
            f.set_permissions(fs::Permissions::from_mode(0o644))?;
            fs::rename(&tmp, &path)
        })();
        res.map_err(|source| {
            let _ = fs::remove_file(&tmp);
            Error::CantCreate { path, source }
        })
    }

    /// Remove `name`'s entry if it still describes the jail with PID
    /// namespace `pidns` (never someone else's newer entry).
    pub fn remove_if(&self, name: &str, pidns: u64) {
        if let Some(e) = self.read_raw(name) {
            if e.pidns == pidns {
                let _ = fs::remove_file(self.entry_path(name));
            }
        }
    }

    fn sweep_locks(&self) {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return;
        };
        for d in rd.flatten() {
            let f = d.file_name();
            let Some(name) = f.to_str().and_then(|f| f.strip_suffix(".lock")) else {
                continue;
            };
            let Ok(file) = File::open(d.path()) else {
                continue;
            };
            // SAFETY: flock on a descriptor we own.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                let same = matches!((file.metadata(), fs::metadata(self.lock_path(name))),
                    (Ok(a), Ok(b)) if a.ino() == b.ino() && a.dev() == b.dev());
                if same {
                    let _ = fs::remove_file(d.path());
                }
            }
        }
    }

    /// Take the creation lock of `name` (blocks while another creator of
    /// the same name holds it).
    pub fn lock(&self, name: &str) -> Result<NameLock> {
        let path = self.lock_path(name);
        let err = |source| Error::CantCreate {
            path: path.clone(),
            source,
        };
        for _ in 0..100 {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .custom_flags(libc::O_CLOEXEC)
                .open(&path)
                .map_err(err)?;
            // SAFETY: flock on a descriptor we own; no memory is involved.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
                return Err(err(io::Error::last_os_error()));
            }
            let held = file.metadata().map_err(err)?;
            match fs::metadata(&path) {
                Ok(m) if m.ino() == held.ino() && m.dev() == held.dev() => {
                    return Ok(NameLock {
                        path,
                        file: Some(file),
                    })
                }
                // The previous holder unlinked it: lock the new file.
                _ => continue,
            }
        }
        Err(Error::Unavailable(format!(
            "{}: could not take the creation lock (too much contention)",
            path.display()
        )))
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

/// Whether `e`'s reaper is still the registered process.  From inside a
/// jail the host's PIDs cannot be checked: the entry is then trusted,
/// never removed as stale by mistake.
pub fn is_live(e: &Entry) -> bool {
    match vantage(e) {
        Vantage::Host => matches!(proc_id(Path::new("/proc"), e.reaper),
            Some(id) if id.pidns == e.pidns && id.starttime == e.starttime),
        Vantage::Inside | Vantage::Elsewhere => true,
    }
}

/// The held creation lock of one name; unlinked and released on drop.
#[derive(Debug)]
pub struct NameLock {
    path: PathBuf,
    file: Option<File>,
}

impl NameLock {
    /// The raw descriptor (a forked child that must not keep the lock
    /// closes it).
    pub fn raw_fd(&self) -> i32 {
        self.file.as_ref().map_or(-1, |f| f.as_raw_fd())
    }

    /// Unlink the lock file and release the lock.
    pub fn release(mut self) {
        self.unlock();
    }

    fn unlock(&mut self) {
        if let Some(f) = self.file.take() {
            let _ = fs::remove_file(&self.path);
            drop(f);
        }
    }
}

impl Drop for NameLock {
    fn drop(&mut self) {
        self.unlock();
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
        let l = r.lock("svcj-x").unwrap();
        assert!(r.lock_path("svcj-x").exists());
        l.release();
        assert!(!r.lock_path("svcj-x").exists());
        assert!(r.list().is_empty());
        // A lock file left by a killed creator is swept; a held one is not.
        fs::write(r.lock_path("svcj-old"), "").unwrap();
        let held = r.lock("svcj-held").unwrap();
        assert!(r.list().is_empty());
        assert!(!r.lock_path("svcj-old").exists());
        assert!(r.lock_path("svcj-held").exists());
        held.release();
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
        assert_eq!(r.read_raw("svcj-x"), Some(e));
        assert_eq!(r.load("svcj-x"), None);
        assert!(!r.entry_path("svcj-x").exists());
        fs::remove_dir(&dir).unwrap();
    }
}
