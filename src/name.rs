//! Service names, jail names and the console log path.
//!
//! A service name comes from an rc.d script's `name=` line and is used by
//! rc.subr to build variable names (`${name}_enable`, `${name}_svcj`), so
//! it can only be a shell identifier.  Everything derived from it — the
//! jail name `svcj-<name>`, the registry file on Linux, the console log
//! `/var/log/svcj_<name>_console.log` — must fit the kernel's limits.  We
//! validate once, here, and hand out typed values so no other part of the
//! code ever builds a path or a jail name from an unchecked string.

use crate::error::{Error, Result};
use std::fmt;
use std::path::PathBuf;

/// Prefix of every service jail's name.
pub const JAIL_PREFIX: &str = "svcj-";

/// Longest accepted service name.  The console log file name
/// (`svcj_<name>_console.log`) must fit in NAME_MAX (255) bytes, which also
/// keeps `svcj-<name>` below the jail name limit (MAXHOSTNAMELEN - 1).
pub const MAX_SERVICE_NAME: usize = 238;

/// Longest accepted jail name (FreeBSD: MAXHOSTNAMELEN - 1; also leaves
/// room for the registry's `.jail`/`.lock` suffixes on Linux).
pub const MAX_JAIL_NAME: usize = 250;

/// Directory of the console logs.
pub const CONSOLE_LOG_DIR: &str = "/var/log";

/// A validated rc.d service name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceName(String);

impl ServiceName {
    /// Validate `name` as rc.subr could have produced it.
    pub fn new(name: &str) -> Result<Self> {
        let bad = |reason: &str| Error::BadName {
            name: name.to_string(),
            reason: reason.to_string(),
        };
        if name.is_empty() {
            return Err(bad("the name is empty; give the rc.d script's name"));
        }
        if name.len() > MAX_SERVICE_NAME {
            return Err(bad(&format!(
                "longer than {MAX_SERVICE_NAME} characters (svcj-<name> and its \
                 console log name must fit the kernel's limits)"
            )));
        }
        if let Some(c) = name
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && *c != '_')
        {
            let what = match c {
                '.' => "'.' (it separates jail names in the jail hierarchy)".to_string(),
                '/' => "'/' (a path, not a name)".to_string(),
                c if c.is_whitespace() => "white space".to_string(),
                '-' => "'-' (rc.subr cannot build ${name}_enable from it)".to_string(),
                c if c.is_ascii_graphic() => format!("the shell metacharacter {c:?}"),
                c => format!("the character {c:?}"),
            };
            return Err(bad(&format!(
                "contains {what}; use only letters, digits and '_'"
            )));
        }
        if name.as_bytes()[0].is_ascii_digit() {
            return Err(bad(
                "starts with a digit; rc.subr variable names must start with a letter or '_'",
            ));
        }
        Ok(ServiceName(name.to_string()))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The service jail's name, `svcj-<name>`.
    pub fn jail_name(&self) -> JailName {
        JailName(format!("{JAIL_PREFIX}{}", self.0))
    }

    /// `/var/log/svcj_<name>_console.log`, where rc.subr sends the jail's
    /// console output.
    pub fn console_log(&self) -> PathBuf {
        PathBuf::from(format!("{CONSOLE_LOG_DIR}/svcj_{}_console.log", self.0))
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated jail name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JailName(String);

impl JailName {
    /// Validate a jail name given on a command line.  Unless `force`, only
    /// service jails (`svcj-…`) are accepted, so that a typo cannot tear
    /// down an admin's full jail.
    pub fn parse(name: &str, force: bool) -> Result<Self> {
        let bad = |reason: &str| Error::BadJailName {
            name: name.to_string(),
            reason: reason.to_string(),
        };
        if name.is_empty() {
            return Err(bad("the name is empty"));
        }
        if name.len() > MAX_JAIL_NAME {
            return Err(bad(&format!("longer than {MAX_JAIL_NAME} characters")));
        }
        if name.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("all digits (that is a JID, not a name)"));
        }
        if let Some(c) = name
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && *c != '_' && *c != '-')
        {
            return Err(bad(&format!(
                "contains {c:?}; use only letters, digits, '_' and '-'"
            )));
        }
        if !force && !name.starts_with(JAIL_PREFIX) {
            return Err(bad(&format!(
                "not a service jail (no {JAIL_PREFIX:?} prefix); use -f to force"
            )));
        }
        Ok(JailName(name.to_string()))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The service name, if this is a service jail.
    pub fn service(&self) -> Option<&str> {
        self.0.strip_prefix(JAIL_PREFIX)
    }
}

impl fmt::Display for JailName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A jail named on a command line: a name or a numeric JID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JailRef {
    /// By name.
    Name(JailName),
    /// By JID.
    Jid(i32),
}

impl JailRef {
    /// Parse `svcj-foo` or `42`.  Names go through [`JailName::parse`].
    pub fn parse(s: &str, force: bool) -> Result<Self> {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.parse::<i32>() {
                Ok(j) if j > 0 => Ok(JailRef::Jid(j)),
                _ => Err(Error::BadJailName {
                    name: s.to_string(),
                    reason: "not a valid JID (1 .. 2147483647)".into(),
                }),
            };
        }
        JailName::parse(s, force).map(JailRef::Name)
    }
}

impl fmt::Display for JailRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JailRef::Name(n) => n.fmt(f),
            JailRef::Jid(j) => j.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(name: &str) -> String {
        match ServiceName::new(name) {
            Err(Error::BadName { reason, .. }) => reason,
            other => panic!("{name:?} accepted: {other:?}"),
        }
    }

    #[test]
    fn good_names() {
        for n in ["sshd", "ntpd", "foo_bar", "_x", "a1", "postgresql"] {
            let s = ServiceName::new(n).unwrap();
            assert_eq!(s.jail_name().as_str(), format!("svcj-{n}"));
        }
        let s = ServiceName::new("sshd").unwrap();
        assert_eq!(
            s.console_log(),
            PathBuf::from("/var/log/svcj_sshd_console.log")
        );
    }

    #[test]
    fn bad_names_say_why() {
        assert!(reason("").contains("empty"));
        assert!(reason("a.b").contains("'.'"));
        assert!(reason("../etc").contains("'.'"));
        assert!(reason("a/b").contains("'/'"));
        assert!(reason("a b").contains("white space"));
        assert!(reason("a\nb").contains("white space"));
        assert!(reason("a;b").contains("metacharacter"));
        assert!(reason("$(id)").contains("metacharacter"));
        assert!(reason("a'b").contains("metacharacter"));
        assert!(reason("a-b").contains("'-'"));
        assert!(reason("1abc").contains("digit"));
        assert!(reason("é").contains("character"));
        assert!(reason(&"a".repeat(MAX_SERVICE_NAME + 1)).contains("longer"));
        assert!(ServiceName::new(&"a".repeat(MAX_SERVICE_NAME)).is_ok());
    }

    #[test]
    fn longest_name_fits_limits() {
        let s = ServiceName::new(&"a".repeat(MAX_SERVICE_NAME)).unwrap();
        assert!(s.jail_name().as_str().len() <= MAX_JAIL_NAME);
        let log = s.console_log();
        assert!(log.file_name().unwrap().len() <= 255);
    }

    #[test]
    fn jail_names() {
        assert!(JailName::parse("svcj-sshd", false).is_ok());
        assert!(JailName::parse("www", false).is_err());
        assert!(JailName::parse("www", true).is_ok());
        assert!(JailName::parse("svcj-a.b", true).is_err());
        assert!(JailName::parse("123", true).is_err());
        assert_eq!(JailRef::parse("12", false).unwrap(), JailRef::Jid(12));
        assert!(JailRef::parse("0", false).is_err());
        assert!(JailRef::parse("99999999999", false).is_err());
        assert_eq!(
            JailName::parse("svcj-x", false).unwrap().service(),
            Some("x")
        );
    }
}
