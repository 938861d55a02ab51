//! The jail_set(2)/jail_get(2) parameter list, built without touching the
//! kernel.
//!
//! jail_set(2) takes name/value pairs as an iovec array, and the kernel is
//! strict about the *type* of each value: jailsys parameters (`host`,
//! `ip4`, `ip6`, `sysvmsg`…) and `enforce_statfs` must be exactly one C
//! `int`, `ip4.addr` an array of `struct in_addr` (network byte order),
//! `ip6.addr` an array of `struct in6_addr`, strings NUL-terminated, and a
//! boolean such as `allow.mlock` is the bare name with a NULL value (its
//! negation is the `allow.nomlock` name).  Getting any of this wrong is an
//! `EINVAL` at run time on a machine we do not have, so the list is built
//! here as plain data, unit-tested on every OS, and compared with the
//! jail(8) word list that `--dry-run` prints.
//!
//! Only parameters that *grant* something are passed, exactly like the
//! `jail -c` command rc.subr builds: a new jail without `ip4`/`ip6` has
//! no address of that family and without `sysvmsg`… no SysV IPC, and not
//! naming them keeps the call working on kernels built without INET6 or
//! the SysV IPC modules (the kernel rejects unknown parameter names).
//!
//! The iovec view ([`JailIov`]) keeps every buffer it points into, plus an
//! `errmsg` buffer in which the kernel writes its explanation of a failure;
//! [`set_error`] turns errno + that message into an [`Error`].

use crate::error::Error;
use crate::name::JailName;
use crate::options::{JailParams, JailSys};
use std::ffi::CString;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};

/// `JAIL_CREATE` from `<sys/jail.h>`.
pub const JAIL_CREATE: i32 = 0x01;
/// `JAIL_UPDATE` from `<sys/jail.h>`.
pub const JAIL_UPDATE: i32 = 0x02;
/// `JAIL_ATTACH` from `<sys/jail.h>`.
pub const JAIL_ATTACH: i32 = 0x04;

/// Size of the buffer the kernel may write its error message into.
pub const ERRMSG_LEN: usize = 1024;

/// The three SysV IPC jailsys parameters, always set together.
pub const SYSV_PARAMS: [&str; 3] = ["sysvmsg", "sysvsem", "sysvshm"];

/// A typed parameter value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A NUL-terminated string (`name`, `path`).
    Str(String),
    /// One C `int` (jailsys parameters, `enforce_statfs`).
    Int(i32),
    /// A boolean set to true: the name with a NULL value.
    Flag,
    /// An array of `struct in_addr`.
    In4(Vec<Ipv4Addr>),
    /// An array of `struct in6_addr`.
    In6(Vec<Ipv6Addr>),
    /// A zeroed buffer of this many bytes for jail_get(2) to fill.
    Out(usize),
}

impl Value {
    /// The bytes the kernel expects, or `None` for a NULL value.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            Value::Str(s) => Some(
                CString::new(s.as_str())
                    .map(CString::into_bytes_with_nul)
                    // Names and paths are validated before they get here;
                    // an interior NUL would only truncate, never overflow.
                    .unwrap_or_else(|_| vec![0]),
            ),
            Value::Int(i) => Some(i.to_ne_bytes().to_vec()),
            Value::Flag => None,
            // in_addr and in6_addr hold the address in network byte order,
            // which is what `octets()` returns.
            Value::In4(v) => Some(v.iter().flat_map(|a| a.octets()).collect()),
            Value::In6(v) => Some(v.iter().flat_map(|a| a.octets()).collect()),
            Value::Out(n) => Some(vec![0; *n]),
        }
    }
}

/// One `name=value` pair of the jail_set(2) call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Parameter name (`allow.mlock`, `ip4.addr`…).
    pub name: String,
    /// Its typed value.
    pub value: Value,
}

impl Param {
    fn new(name: &str, value: Value) -> Self {
        Param {
            name: name.to_string(),
            value,
        }
    }

    /// The jail(8) spelling of this pair, for logs and tests.
    pub fn word(&self) -> String {
        let sys = |i: i32| match i {
            0 => "disable".to_string(),
            1 => "new".to_string(),
            2 => "inherit".to_string(),
            n => n.to_string(),
        };
        let join = |v: Vec<String>| v.join(",");
        match &self.value {
            Value::Str(s) => format!("{}={s}", self.name),
            Value::Int(i) if is_jailsys(&self.name) => format!("{}={}", self.name, sys(*i)),
            Value::Int(i) => format!("{}={i}", self.name),
            Value::Flag => self.name.clone(),
            Value::In4(v) => format!(
                "{}={}",
                self.name,
                join(v.iter().map(|a| a.to_string()).collect())
            ),
            Value::In6(v) => format!(
                "{}={}",
                self.name,
                join(v.iter().map(|a| a.to_string()).collect())
            ),
            Value::Out(n) => format!("{}=<{n} bytes>", self.name),
        }
    }

    /// A pair for jail_get(2): `name` with a value the kernel fills.
    pub fn out(name: &str, value: Value) -> Self {
        Param::new(name, value)
    }
}

fn is_jailsys(name: &str) -> bool {
    matches!(name, "host" | "ip4" | "ip6") || SYSV_PARAMS.contains(&name)
}

/// Permissions the kernel grants every new jail that a service jail must
/// not have.  With `host=inherit`, `allow.set_hostname` (a kernel default)
/// would let root in the jail rename the *host*: the kernel writes a new
/// hostname to the nearest ancestor that owns one.  Clearing it is the
/// only parameter svcj adds to what `jail -c` gets from rc.subr; it only
/// takes away, and no service that belongs in a service jail sets the
/// hostname.
pub const DENIED: [&str; 1] = ["allow.noset_hostname"];

/// The parameters that create service jail `name` with `p`: `name`,
/// `path=/`, `host=inherit`, the [`DENIED`] permissions, then what the
/// options grant.  No `persist`: the jail lives exactly as long as its
/// processes.
pub fn create_params(name: &JailName, p: &JailParams) -> Vec<Param> {
    let mut v = vec![
        Param::new("name", Value::Str(name.as_str().to_string())),
        Param::new("path", Value::Str("/".into())),
        Param::new("host", Value::Int(JailSys::Inherit.as_int())),
    ];
    v.extend(DENIED.iter().map(|d| Param::new(d, Value::Flag)));
    if p.ip4 != JailSys::Disable {
        v.push(Param::new("ip4", Value::Int(p.ip4.as_int())));
    }
    if !p.ip4_addrs.is_empty() {
        v.push(Param::new("ip4.addr", Value::In4(p.ip4_addrs.clone())));
    }
    if p.ip6 != JailSys::Disable {
        v.push(Param::new("ip6", Value::Int(p.ip6.as_int())));
    }
    if !p.ip6_addrs.is_empty() {
        v.push(Param::new("ip6.addr", Value::In6(p.ip6_addrs.clone())));
    }
    if p.sysvipc != JailSys::Disable {
        for s in SYSV_PARAMS {
            v.push(Param::new(s, Value::Int(p.sysvipc.as_int())));
        }
    }
    if let Some(n) = p.enforce_statfs {
        v.push(Param::new(
            "enforce_statfs",
            Value::Int(i32::try_from(n).unwrap_or(i32::MAX)),
        ));
    }
    for a in &p.allow {
        v.push(Param::new(a.param(), Value::Flag));
    }
    v
}

/// The parameters that look a jail up by name with jail_get(2).
pub fn lookup_params(name: &JailName) -> Vec<Param> {
    vec![Param::new("name", Value::Str(name.as_str().to_string()))]
}

/// An iovec array for jail_set(2)/jail_get(2) together with every buffer
/// it points into, and a trailing `errmsg` pair.
///
/// The pointers stay valid as long as this value lives: they point into
/// the heap buffers of `bufs` and `errmsg`, which are never resized, and
/// moving the struct does not move heap memory.
#[derive(Debug)]
pub struct JailIov {
    pairs: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    errmsg: Box<[u8]>,
    iov: Vec<libc::iovec>,
}

impl JailIov {
    /// Lay out `params` (and `errmsg`) as the kernel reads them.
    pub fn new(params: &[Param]) -> Self {
        let mut pairs: Vec<(Vec<u8>, Option<Vec<u8>>)> = params
            .iter()
            .map(|p| {
                (
                    Value::Str(p.name.clone()).bytes().unwrap_or_default(),
                    p.value.bytes(),
                )
            })
            .collect();
        pairs.push((b"errmsg\0".to_vec(), None));
        let mut errmsg = vec![0u8; ERRMSG_LEN].into_boxed_slice();
        let entry = |b: &mut Vec<u8>| libc::iovec {
            iov_base: b.as_mut_ptr().cast(),
            iov_len: b.len(),
        };
        let mut iov = Vec::with_capacity(pairs.len() * 2);
        let last = pairs.len() - 1;
        for (i, (name, value)) in pairs.iter_mut().enumerate() {
            iov.push(entry(name));
            iov.push(match value {
                Some(v) => entry(v),
                None if i == last => libc::iovec {
                    iov_base: errmsg.as_mut_ptr().cast(),
                    iov_len: errmsg.len(),
                },
                None => libc::iovec {
                    iov_base: std::ptr::null_mut(),
                    iov_len: 0,
                },
            });
        }
        JailIov { pairs, errmsg, iov }
    }

    /// Pointer for the system call.
    pub fn as_mut_ptr(&mut self) -> *mut libc::iovec {
        self.iov.as_mut_ptr()
    }

    /// Number of iovec entries (twice the number of pairs).
    pub fn len(&self) -> usize {
        self.iov.len()
    }

    /// Always false: there is at least the `errmsg` pair.
    pub fn is_empty(&self) -> bool {
        self.iov.is_empty()
    }

    /// The entries, for inspection.
    pub fn iov(&self) -> &[libc::iovec] {
        &self.iov
    }

    /// The kernel's error message (empty when it wrote none).
    pub fn errmsg(&self) -> String {
        errmsg_text(&self.errmsg)
    }

    /// The raw errmsg buffer (the child writes it to the parent).
    pub fn errmsg_bytes(&self) -> &[u8] {
        &self.errmsg
    }

    /// Number of name/value pairs, `errmsg` included.
    pub fn pairs(&self) -> usize {
        self.pairs.len()
    }

    /// The name of pair `i` (without its NUL).
    pub fn name(&self, i: usize) -> &str {
        let n = &self.pairs[i].0;
        std::str::from_utf8(&n[..n.len().saturating_sub(1)]).unwrap_or("")
    }

    /// Pair index of `name`, if the list has it.
    pub fn find(&self, name: &str) -> Option<usize> {
        (0..self.pairs.len()).find(|i| self.name(*i) == name)
    }

    /// The length the value entry of pair `i` holds now (jail_get(2)
    /// writes the length of what it returned here, also for a NULL value).
    pub fn value_len(&self, i: usize) -> usize {
        self.iov[2 * i + 1].iov_len
    }

    /// The value of pair `i` as the kernel left it: the buffer, cut to
    /// the length in its iovec entry (`None` for a NULL value).
    pub fn value(&self, i: usize) -> Option<&[u8]> {
        let b = self.pairs[i].1.as_deref()?;
        Some(&b[..self.value_len(i).min(b.len())])
    }

    /// For a model of the kernel: the value buffer of pair `i` (its full
    /// capacity), to read what the caller passed or to fill it.
    pub fn value_buf_mut(&mut self, i: usize) -> Option<&mut [u8]> {
        self.pairs[i].1.as_deref_mut()
    }

    /// For a model of the kernel: set the length of the value entry of
    /// pair `i`, as jail_get(2) does.
    pub fn set_value_len(&mut self, i: usize, len: usize) {
        self.iov[2 * i + 1].iov_len = len;
    }

    /// For a model of the kernel: write `msg` into the errmsg buffer.
    pub fn set_errmsg(&mut self, msg: &str) {
        let n = msg.len().min(self.errmsg.len() - 1);
        self.errmsg[..n].copy_from_slice(&msg.as_bytes()[..n]);
        self.errmsg[n] = 0;
    }
}

/// The text of an errmsg buffer: up to the first NUL, lossily decoded.
pub fn errmsg_text(buf: &[u8]) -> String {
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).trim().to_string()
}

/// An `io::Error` carrying errno and, when the kernel wrote one, its own
/// message.
pub fn kernel_error(errno: i32, errmsg: &str) -> io::Error {
    let base = io::Error::from_raw_os_error(errno);
    if errmsg.is_empty() {
        base
    } else {
        io::Error::new(base.kind(), format!("{errmsg} ({base})"))
    }
}

/// Map a failed jail_set(2) that was to create `jail` to an [`Error`].
pub fn set_error(jail: &str, errno: i32, errmsg: &str) -> Error {
    match errno {
        libc::EEXIST => Error::JailExists(jail.to_string()),
        libc::EPERM if errmsg.contains("prison limit exceeded") => Error::NestedLimit(format!(
            "cannot create {jail}: {errmsg}: the enclosing jail may create no more \
             child jails (raise its children.max)"
        )),
        _ => Error::os(format!("jail_set {jail}"), kernel_error(errno, errmsg)),
    }
}

/// Map a failed jail_attach(2) to `jail` to an [`Error`].
pub fn attach_error(jail: &str, errno: i32) -> Error {
    match errno {
        libc::EINVAL | libc::ENOENT => Error::NoSuchJail(jail.to_string()),
        _ => Error::os(
            format!("jail_attach {jail}"),
            io::Error::from_raw_os_error(errno),
        ),
    }
}

/// Stage byte the child reports when jail_set(2) failed.
pub const STAGE_SET: u8 = b'S';
/// Stage byte the child reports when jail_attach(2) failed.
pub const STAGE_ATTACH: u8 = b'A';

/// Map what the child reported (see [`super::exec::report`]) to an
/// [`Error`] about `jail`.
pub fn child_error(jail: &str, f: &super::exec::ChildFailure) -> Error {
    match f.stage {
        STAGE_SET => set_error(jail, f.errno, &f.detail),
        STAGE_ATTACH => attach_error(jail, f.errno),
        _ => Error::os(format!("entering {jail}"), kernel_error(f.errno, &f.detail)),
    }
}

/// Decode the `ip4`/`ip6` integer jail_get(2) returns.  The kernel
/// (`kern_jail_get`, its `pr_flag_jailsys` loop) reports a family the
/// jail was given its own list for (`PR_IP4_USER`: `ip4=new` or
/// `ip4=disable`) as 0 and an inherited one as 2; it never reports 1.  So
/// 0 *with* addresses is `new`, 0 without is `disable`, 2 is `inherit`.
pub fn decode_ip(raw: Option<i64>, has_addrs: bool) -> JailSys {
    match raw {
        Some(2) => JailSys::Inherit,
        Some(0) | Some(1) if has_addrs => JailSys::New,
        _ => JailSys::Disable,
    }
}

/// Read back typed parameters of a running jail.  `get` returns the raw
/// integer of an int/boolean parameter (`None` when the kernel does not
/// know the parameter), `addrs4`/`addrs6` the address lists.  The result
/// holds every `allow.*` of [`crate::options::Allow`] the jail has,
/// including those the kernel gives every new jail (`reserved_ports`):
/// [`KERNEL_DEFAULT_ALLOW`] tells them apart.
pub fn params_from_kernel(
    get: impl Fn(&str) -> Option<i64>,
    addrs4: Vec<Ipv4Addr>,
    addrs6: Vec<Ipv6Addr>,
) -> JailParams {
    let sys = |name: &str| match get(name) {
        Some(1) => JailSys::New,
        Some(2) => JailSys::Inherit,
        _ => JailSys::Disable,
    };
    let mut p = JailParams {
        ip4: decode_ip(get("ip4"), !addrs4.is_empty()),
        ip6: decode_ip(get("ip6"), !addrs6.is_empty()),
        ..JailParams::default()
    };
    if p.ip4 == JailSys::New {
        p.ip4_addrs = addrs4;
    }
    if p.ip6 == JailSys::New {
        p.ip6_addrs = addrs6;
    }
    // The three are set together by svcj; report the least shared one if
    // someone changed them by hand.
    let sysv: Vec<JailSys> = SYSV_PARAMS.iter().map(|s| sys(s)).collect();
    p.sysvipc = if sysv.iter().all(|s| *s == sysv[0]) {
        sysv[0]
    } else if sysv.contains(&JailSys::Disable) {
        JailSys::Disable
    } else {
        JailSys::New
    };
    for a in crate::options::Allow::ALL {
        if get(a.param()).unwrap_or(0) != 0 {
            p.allow.insert(a);
        }
    }
    if p.allows(crate::options::Allow::Nfsd) {
        p.enforce_statfs = get("enforce_statfs").and_then(|n| u32::try_from(n).ok());
    }
    p
}

/// `JAIL_DEFAULT_ALLOW` of `sys/kern/kern_jail.c`: what every new jail
/// gets, intersected with its parent's (`pr->pr_allow =
/// JAIL_DEFAULT_ALLOW & ppr->pr_allow` in `kern_jail_set`).  A service
/// jail clears `allow.set_hostname` ([`DENIED`]), so it keeps the others.
pub const KERNEL_DEFAULT_ALLOW: [&str; 4] = [
    "allow.set_hostname",
    "allow.reserved_ports",
    "allow.unprivileged_proc_debug",
    "allow.suser",
];

/// What the tools can learn about the enclosing jail's limits from
/// inside it (jail_get(2) cannot see the caller's own jail, but the
/// deprecated `security.jail.*` sysctls report the caller's prison).
/// `None` means unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParentView {
    /// `security.jail.enforce_statfs`
    pub enforce_statfs: Option<i64>,
    /// `allow.*` flags the parent is known to have (true) or lack (false):
    /// `security.jail.allow_raw_sockets`, `security.jail.<name>_allowed`…
    pub allow: Vec<(crate::options::Allow, bool)>,
}

/// The likely causes of an EPERM without a kernel message when `p` is
/// created inside a jail whose limits are `parent`: certain ones first
/// (the parent is known to lack what is asked), then the ones that could
/// not be checked from inside.  The checks mirror `kern_jail_set`:
/// `enforce < ppr->pr_enforce_statfs`, `pr_allow & ~ppr->pr_allow`, an
/// address not in the parent's list, and the SysV modules' own check of
/// `sysvmsg`/`sysvsem`/`sysvshm` against the parent's.
pub fn eperm_causes(p: &JailParams, parent: &ParentView) -> Vec<String> {
    let mut sure = Vec::new();
    let mut maybe = Vec::new();
    if let Some(want) = p.enforce_statfs {
        match parent.enforce_statfs {
            Some(have) if i64::from(want) < have => sure.push(format!(
                "enforce_statfs={want} (option nfsd) is below the enclosing jail's \
                 enforce_statfs={have}"
            )),
            Some(_) => {}
            None => maybe.push(format!(
                "enforce_statfs={want} (option nfsd) may be below the enclosing jail's"
            )),
        }
    }
    for a in &p.allow {
        match parent.allow.iter().find(|(pa, _)| pa == a) {
            Some((_, false)) => sure.push(format!("the enclosing jail lacks {}", a.param())),
            Some((_, true)) => {}
            None => maybe.push(format!("the enclosing jail may lack {}", a.param())),
        }
    }
    if p.sysvipc != JailSys::Disable {
        maybe.push(format!(
            "sysvmsg/sysvsem/sysvshm={} needs SysV IPC in the enclosing jail",
            p.sysvipc
        ));
    }
    let addrs: Vec<String> = p
        .ip4_addrs
        .iter()
        .map(|a| a.to_string())
        .chain(p.ip6_addrs.iter().map(|a| a.to_string()))
        .collect();
    if !addrs.is_empty() {
        maybe.push(format!(
            "the enclosing jail may not hold the address(es) {}",
            addrs.join(", ")
        ));
    }
    sure.extend(maybe);
    sure
}

/// [`set_error`] for a jail created inside another jail: an EPERM
/// without a kernel message is [`Error::Refused`] (exit 77) naming the
/// likely `causes`.
pub fn set_error_nested(jail: &str, errno: i32, errmsg: &str, causes: &[String]) -> Error {
    if errno != libc::EPERM || !errmsg.is_empty() {
        return set_error(jail, errno, errmsg);
    }
    let why = if causes.is_empty() {
        "an ancestor jail may be at its children.max, or may lack a permission the new \
         jail needs"
            .to_string()
    } else {
        format!("likely cause: {}", causes.join("; "))
    };
    Error::Refused(format!(
        "jail_set {jail}: the enclosing jail refused the new jail ({}); {why}",
        io::Error::from_raw_os_error(errno)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::parse;

    fn jname(s: &str) -> JailName {
        JailName::parse(s, false).unwrap()
    }

    fn words(opts: &str, addrs: &str) -> Vec<String> {
        let p = parse(opts, addrs).unwrap().params;
        create_params(&jname("svcj-x"), &p)
            .iter()
            .map(Param::word)
            .collect()
    }

    /// The jail_set(2) list is the `jail -c` list rc.subr builds: same
    /// parameters, same values, minus the jail(8)-only `mount.nodevfs`,
    /// plus the permissions svcj takes away ([`DENIED`]).
    #[test]
    fn matches_the_jail8_word_list() {
        let cases = [
            ("", ""),
            ("mlock", ""),
            ("netv4", ""),
            ("netv6", "2001:db8::1"),
            ("net_basic", "192.0.2.1 192.0.2.2 2001:db8::1"),
            ("net_raw", ""),
            ("net_all", ""),
            ("nfsd", ""),
            ("routing settime setaudit vmm", ""),
            ("sysvipc", ""),
            ("sysvipcnew net_basic", "192.0.2.7"),
        ];
        for (o, a) in cases {
            let mut want: Vec<String> = vec!["name=svcj-x".into()];
            for w in parse(o, a).unwrap().params.jail_words() {
                if w == "mount.nodevfs" {
                    continue;
                }
                let generic = w == "host=inherit";
                want.push(w);
                if generic {
                    want.extend(DENIED.iter().map(|d| d.to_string()));
                }
            }
            assert_eq!(words(o, a), want, "options {o:?} addrs {a:?}");
        }
    }

    #[test]
    fn no_options_grant_nothing_and_never_persist() {
        let w = words("", "");
        assert_eq!(
            w,
            vec![
                "name=svcj-x",
                "path=/",
                "host=inherit",
                "allow.noset_hostname"
            ]
        );
        for o in crate::options::SvcjOption::ALL {
            if o == crate::options::SvcjOption::Sysvipc {
                continue;
            }
            let w = words(o.word(), "");
            assert!(!w.iter().any(|w| w.contains("persist")), "{w:?}");
        }
    }

    #[test]
    fn value_types_are_what_the_kernel_expects() {
        let p = parse("net_basic sysvipcnew nfsd mlock", "192.0.2.1 2001:db8::1")
            .unwrap()
            .params;
        let list = create_params(&jname("svcj-x"), &p);
        let get = |n: &str| {
            list.iter()
                .find(|p| p.name == n)
                .unwrap_or_else(|| panic!("no {n}"))
                .value
                .clone()
        };
        assert_eq!(get("host"), Value::Int(2));
        assert_eq!(get("host").bytes().unwrap(), 2i32.to_ne_bytes());
        assert_eq!(get("ip4"), Value::Int(1));
        assert_eq!(get("ip6"), Value::Int(1));
        assert_eq!(get("sysvmsg"), Value::Int(1));
        assert_eq!(get("sysvsem"), Value::Int(1));
        assert_eq!(get("sysvshm"), Value::Int(1));
        assert_eq!(get("enforce_statfs").bytes().unwrap(), 1i32.to_ne_bytes());
        assert_eq!(get("ip4.addr").bytes().unwrap(), vec![192, 0, 2, 1]);
        let six = get("ip6.addr").bytes().unwrap();
        assert_eq!(six.len(), 16);
        assert_eq!(&six[..4], &[0x20, 0x01, 0x0d, 0xb8]);
        assert_eq!(six[15], 1);
        assert_eq!(get("allow.mlock").bytes(), None);
        assert_eq!(get("path").bytes().unwrap(), b"/\0");
        assert_eq!(get("name").bytes().unwrap(), b"svcj-x\0");
        let inherit = create_params(&jname("svcj-x"), &parse("sysvipc", "").unwrap().params);
        assert!(inherit
            .iter()
            .any(|p| p.name == "sysvshm" && p.value == Value::Int(2)));
    }

    #[test]
    fn iovec_layout() {
        let p = parse("mlock netv4", "192.0.2.1").unwrap().params;
        let list = create_params(&jname("svcj-x"), &p);
        let iov = JailIov::new(&list);
        assert_eq!(iov.len(), 2 * (list.len() + 1));
        assert!(!iov.is_empty());
        let read = |e: &libc::iovec| -> Vec<u8> {
            if e.iov_base.is_null() {
                return Vec::new();
            }
            // SAFETY: every non-null entry points into a buffer owned by
            // `iov`, which outlives this closure, with exactly iov_len bytes.
            unsafe { std::slice::from_raw_parts(e.iov_base as *const u8, e.iov_len).to_vec() }
        };
        let entries = iov.iov();
        for (i, p) in list.iter().enumerate() {
            let name = read(&entries[2 * i]);
            assert_eq!(name, format!("{}\0", p.name).into_bytes(), "pair {i}");
            let value = &entries[2 * i + 1];
            match p.value.bytes() {
                None => {
                    assert!(value.iov_base.is_null());
                    assert_eq!(value.iov_len, 0);
                }
                Some(b) => assert_eq!(read(value), b, "value of {}", p.name),
            }
        }
        let n = entries.len();
        assert_eq!(read(&entries[n - 2]), b"errmsg\0");
        assert_eq!(entries[n - 1].iov_len, ERRMSG_LEN);
        assert_eq!(iov.errmsg(), "");
        assert_eq!(iov.pairs(), list.len() + 1);
    }

    #[test]
    fn iovec_with_only_flags() {
        let list = vec![
            Param::new("allow.mlock", Value::Flag),
            Param::new("allow.vmm", Value::Flag),
            Param::new("name", Value::Str("svcj-y".into())),
        ];
        let iov = JailIov::new(&list);
        let e = iov.iov();
        assert_eq!(e.len(), 8);
        assert!(e[1].iov_base.is_null() && e[3].iov_base.is_null());
        assert_eq!(e[0].iov_len, "allow.mlock\0".len());
        assert_eq!(e[2].iov_len, "allow.vmm\0".len());
        assert_eq!(e[4].iov_len, "name\0".len());
        assert_eq!(e[5].iov_len, "svcj-y\0".len());
    }

    #[test]
    fn errors_keep_the_kernel_message() {
        assert!(matches!(
            set_error("svcj-a", libc::EEXIST, "jail \"svcj-a\" already exists"),
            Error::JailExists(n) if n == "svcj-a"
        ));
        let e = set_error("svcj-a", libc::EPERM, "prison limit exceeded");
        assert_eq!(e.exit_code(), 69);
        assert!(e.to_string().contains("prison limit exceeded"), "{e}");
        let e = set_error("svcj-a", libc::EINVAL, "unknown parameter: allow.vmm");
        let t = e.to_string();
        assert!(
            t.starts_with("jail_set svcj-a: unknown parameter: allow.vmm"),
            "{t}"
        );
        assert!(t.contains("nvalid argument"), "{t}");
        assert_eq!(e.exit_code(), 71);
        let e = set_error("svcj-a", libc::EPERM, "");
        assert!(e.to_string().contains("ermitted"), "{e}");
        assert!(matches!(
            attach_error("svcj-a", libc::EINVAL),
            Error::NoSuchJail(_)
        ));
        assert_eq!(attach_error("svcj-a", libc::EPERM).exit_code(), 71);
    }

    #[test]
    fn child_reports_map_to_errors() {
        use super::super::exec::ChildFailure;
        let f = |stage, errno, detail: &str| ChildFailure {
            stage,
            errno,
            detail: detail.into(),
        };
        assert!(matches!(
            child_error(
                "svcj-a",
                &f(STAGE_SET, libc::EEXIST, "jail \"svcj-a\" already exists")
            ),
            Error::JailExists(_)
        ));
        assert!(matches!(
            child_error("svcj-a", &f(STAGE_ATTACH, libc::EINVAL, "")),
            Error::NoSuchJail(_)
        ));
        let e = child_error("svcj-a", &f(b'?', libc::EIO, "odd"));
        assert!(e.to_string().starts_with("entering svcj-a: odd"), "{e}");
    }

    #[test]
    fn errmsg_text_stops_at_nul() {
        let mut b = vec![0u8; 16];
        b[..5].copy_from_slice(b"hello");
        assert_eq!(errmsg_text(&b), "hello");
        assert_eq!(errmsg_text(b"no nul"), "no nul");
        assert_eq!(errmsg_text(&[0; 4]), "");
    }

    #[test]
    fn read_back() {
        // What kern_jail_get reports: ip4/ip6 of a jail with its own list
        // (new, or disable) is 0, inherited is 2; booleans are 0/1.
        let want = parse("net_basic nfsd mlock sysvipc", "192.0.2.1")
            .unwrap()
            .params;
        let kernel = |n: &str| -> Option<i64> {
            match n {
                "ip4" | "ip6" => Some(0),
                "sysvmsg" | "sysvsem" | "sysvshm" => Some(2),
                "enforce_statfs" => Some(1),
                "allow.mlock" | "allow.nfsd" | "allow.reserved_ports" => Some(1),
                _ => Some(0),
            }
        };
        let got = params_from_kernel(kernel, want.ip4_addrs.clone(), vec![]);
        // ip6=new without addresses and ip6=disable are the same jail (no
        // IPv6), and the kernel reports both as 0: it reads back as disable.
        assert_eq!(want.ip6, JailSys::New);
        let want = JailParams {
            ip6: JailSys::Disable,
            ..want
        };
        assert_eq!(got, want);
        let none = params_from_kernel(|_| None, vec![], vec![]);
        assert_eq!(none, JailParams::default());
        let inherit = params_from_kernel(
            |n| (n == "ip4" || n == "ip6").then_some(2),
            vec!["192.0.2.9".parse().unwrap()],
            vec![],
        );
        assert_eq!(inherit.ip4, JailSys::Inherit);
        assert!(inherit.ip4_addrs.is_empty(), "inherited list is the host's");
        let mixed = params_from_kernel(
            |n| match n {
                "sysvmsg" => Some(2),
                "sysvsem" => Some(1),
                "sysvshm" => Some(2),
                _ => Some(0),
            },
            vec![],
            vec![],
        );
        assert_eq!(mixed.sysvipc, JailSys::New);
    }

    #[test]
    fn ip_decoding() {
        assert_eq!(decode_ip(Some(0), true), JailSys::New);
        assert_eq!(decode_ip(Some(0), false), JailSys::Disable);
        assert_eq!(decode_ip(Some(2), false), JailSys::Inherit);
        assert_eq!(decode_ip(Some(2), true), JailSys::Inherit);
        assert_eq!(decode_ip(None, true), JailSys::Disable);
    }

    #[test]
    fn eperm_names_the_likely_cause() {
        use crate::options::Allow;
        let p = parse("nfsd net_raw sysvipc netv4", "192.0.2.1")
            .unwrap()
            .params;
        let parent = ParentView {
            enforce_statfs: Some(2),
            allow: vec![(Allow::RawSockets, false), (Allow::Nfsd, true)],
        };
        let c = eperm_causes(&p, &parent);
        assert!(
            c[0].contains("enforce_statfs=1 (option nfsd) is below"),
            "{c:?}"
        );
        assert!(c[1].contains("lacks allow.raw_sockets"), "{c:?}");
        assert!(c
            .iter()
            .any(|l| l.contains("may lack allow.reserved_ports")));
        assert!(c.iter().any(|l| l.contains("SysV IPC")));
        assert!(c.iter().any(|l| l.contains("192.0.2.1")));
        assert!(!c.iter().any(|l| l.contains("allow.nfsd")), "{c:?}");
        let e = set_error_nested("svcj-a", libc::EPERM, "", &c);
        let t = e.to_string();
        assert!(t.contains("enclosing jail refused"), "{t}");
        assert!(t.contains("likely cause: enforce_statfs=1"), "{t}");
        assert_eq!(e.exit_code(), 77);
        // A kernel message wins; other errors are unchanged.
        let e = set_error_nested("svcj-a", libc::EPERM, "prison limit exceeded", &c);
        assert_eq!(e.exit_code(), 69);
        let e = set_error_nested("svcj-a", libc::EPERM, "", &[]);
        assert!(e.to_string().contains("children.max"), "{e}");
        let same = parse("nfsd", "").unwrap().params;
        let ok_parent = ParentView {
            enforce_statfs: Some(1),
            allow: vec![(Allow::Nfsd, true)],
        };
        assert!(eperm_causes(&same, &ok_parent).is_empty());
    }
}
