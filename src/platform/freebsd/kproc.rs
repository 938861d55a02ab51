//! Parsing the `kern.proc.proc` sysctl: which processes live in which jail.
//!
//! FreeBSD has no per-jail process list; `jail -r` and `ps -J` walk the
//! whole process table, which the `kern.proc` sysctl returns as an array of
//! `struct kinfo_proc`.  Each record starts with its own size
//! (`ki_structsize`), so we step by that size rather than by our idea of the
//! struct, and read `ki_pid` and `ki_jid` at offsets the caller takes from
//! libc's definition.  Keeping the walk a pure function over bytes lets it
//! be tested on any OS with hand-made records, including truncated and
//! corrupt ones (which must be an error, never a panic or a wrong PID).
//!
//! Zombies are listed but not counted as members: they hold nothing, cannot
//! be signalled away, and disappear when reaped (jail_remove(2) does not
//! wait for them either).

/// Where the fields we need sit in a `struct kinfo_proc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Offset of `ki_pid` (a C `int`).
    pub pid: usize,
    /// Offset of `ki_jid` (a C `int`).
    pub jid: usize,
    /// Offset of `ki_stat` (a C `char`).
    pub stat: usize,
}

/// `SZOMB` from `<sys/proc.h>`: the value of `ki_stat` for a zombie.
pub const SZOMB: u8 = 5;

/// One process: its PID and the JID of its jail (0 for the host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcJail {
    /// `ki_pid`
    pub pid: i32,
    /// `ki_jid`
    pub jid: i32,
    /// `ki_stat == SZOMB`
    pub zombie: bool,
}

fn read_i32(buf: &[u8], at: usize) -> Option<i32> {
    let b = buf.get(at..at.checked_add(4)?)?;
    Some(i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
}

/// Walk the records in `buf` (the bytes the sysctl returned).
pub fn parse(buf: &[u8], layout: Layout) -> Result<Vec<ProcJail>, String> {
    let need = (layout.pid.max(layout.jid) + 4).max(layout.stat + 1);
    let mut out = Vec::new();
    let mut off = 0usize;
    while off < buf.len() {
        let size = read_i32(buf, off)
            .ok_or_else(|| format!("kern.proc: truncated record at byte {off}"))?;
        let size = usize::try_from(size).unwrap_or(0);
        if size < need {
            return Err(format!(
                "kern.proc: record at byte {off} claims {size} bytes, \
                 fewer than the {need} needed (kinfo_proc layout mismatch)"
            ));
        }
        let rec = buf.get(off..off + size).ok_or_else(|| {
            format!(
                "kern.proc: record at byte {off} ({size} bytes) runs past the \
                 end of the {} returned bytes",
                buf.len()
            )
        })?;
        // `need` bytes are present, so both reads succeed.
        let pid = read_i32(rec, layout.pid).unwrap_or(-1);
        let jid = read_i32(rec, layout.jid).unwrap_or(-1);
        let zombie = rec.get(layout.stat) == Some(&SZOMB);
        out.push(ProcJail { pid, jid, zombie });
        off += size;
    }
    Ok(out)
}

/// The PIDs of jail `jid`, in table order.
pub fn members_of(procs: &[ProcJail], jid: i32) -> Vec<i32> {
    procs
        .iter()
        .filter(|p| p.jid == jid && p.pid > 0 && !p.zombie)
        .map(|p| p.pid)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Layout = Layout {
        pid: 72,
        jid: 300,
        stat: 140,
    };
    const SIZE: usize = 1088;

    fn rec(size: usize, pid: i32, jid: i32) -> Vec<u8> {
        let mut r = vec![0xAAu8; size];
        if size > L.stat {
            r[L.stat] = 2; // SRUN
        }
        r[..4].copy_from_slice(&(size as i32).to_ne_bytes());
        if size >= L.pid + 4 {
            r[L.pid..L.pid + 4].copy_from_slice(&pid.to_ne_bytes());
        }
        if size >= L.jid + 4 {
            r[L.jid..L.jid + 4].copy_from_slice(&jid.to_ne_bytes());
        }
        r
    }

    #[test]
    fn finds_the_members_of_a_jail() {
        let mut buf = Vec::new();
        for (pid, jid) in [(1, 0), (50, 7), (51, 7), (60, 8), (52, 7)] {
            buf.extend(rec(SIZE, pid, jid));
        }
        let p = parse(&buf, L).unwrap();
        assert_eq!(p.len(), 5);
        assert_eq!(members_of(&p, 7), vec![50, 51, 52]);
        assert_eq!(members_of(&p, 8), vec![60]);
        assert!(members_of(&p, 9).is_empty());
        assert_eq!(parse(&[], L).unwrap(), vec![]);
    }

    #[test]
    fn zombies_are_not_members() {
        let mut z = rec(SIZE, 51, 7);
        z[L.stat] = SZOMB;
        let mut buf = rec(SIZE, 50, 7);
        buf.extend(z);
        let p = parse(&buf, L).unwrap();
        assert_eq!(p.len(), 2);
        assert!(p[1].zombie);
        assert_eq!(members_of(&p, 7), vec![50]);
    }

    #[test]
    fn steps_by_the_record_size_the_kernel_gives() {
        // A newer kernel with a bigger struct: still parsed correctly.
        let mut buf = rec(SIZE + 64, 10, 3);
        buf.extend(rec(SIZE + 64, 11, 3));
        assert_eq!(members_of(&parse(&buf, L).unwrap(), 3), vec![10, 11]);
    }

    #[test]
    fn corrupt_tables_are_errors() {
        let mut buf = rec(SIZE, 10, 3);
        buf.truncate(SIZE - 1);
        assert!(parse(&buf, L).unwrap_err().contains("runs past"));
        let small = rec(200, 10, 3);
        assert!(parse(&small, L).unwrap_err().contains("layout mismatch"));
        let mut zero = rec(SIZE, 1, 1);
        zero[..4].copy_from_slice(&0i32.to_ne_bytes());
        assert!(parse(&zero, L).is_err());
        let mut neg = rec(SIZE, 1, 1);
        neg[..4].copy_from_slice(&(-5i32).to_ne_bytes());
        assert!(parse(&neg, L).is_err());
        assert!(parse(&[1, 2], L).unwrap_err().contains("truncated"));
    }
}
