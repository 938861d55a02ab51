//! A reader for rc.conf files and rc.d scripts that never runs them.
//!
//! `svcj-check audit` must tell an admin which services run jailed and with
//! which options, and `svcj-check lint` must explain an rc.d script to its
//! maintainer.  Both need the values rc.subr would see, but neither may run
//! anything from the host's configuration: rc.conf and rc.d scripts are
//! shell, and sourcing them would execute whatever they contain.  So this
//! module reads the small subset of sh that configuration files use —
//! assignments with quoting and `$VAR`/`${VAR…}` expansion, `: ${VAR:=x}`
//! defaults, `export`, `. file` includes, comments, continuations — and
//! evaluates it statically.  Everything else (command substitution, `if`,
//! loops, function definitions, other commands) is skipped and recorded as a
//! [`Note`] for the report; nothing is ever executed.
//!
//! The load order follows rc.subr's `load_rc_config`: `/etc/defaults/rc.conf`,
//! then every file of `rc_conf_files`, then per service
//! `/etc/rc.conf.d/NAME` (a file, or every file in that directory), then the
//! same under `${LOCALBASE}/etc/rc.conf.d`.  A script is evaluated in its own
//! order, so that its `: ${foo_enable:="NO"}` defaults written after
//! `load_rc_config $name` only apply where rc.conf left the variable unset or
//! empty — exactly as in the real shell.
//!
//! All paths handed to the reader are *host* paths (`/etc/rc.conf`); they
//! are looked up under a root directory so that fixture trees can be
//! audited.  The global rc.conf files are evaluated once (their result is
//! reused for every script that sets none of their inputs); they and a
//! service's own rc.conf.d files are evaluated in pieces as they are
//! parsed ([`parse_chunked`]) and not kept, because a host's rc.conf grows
//! with its services.  Files included from elsewhere are parsed once and
//! cached.

use std::cell::RefCell;
use std::collections::HashSet;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// Something the reader skipped (never ran) or could not read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Note {
    /// Host path of the file (`/etc/rc.conf`).
    pub file: String,
    /// 1-based line, 0 when the note is about the whole file.
    pub line: usize,
    /// What was skipped and why.
    pub text: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.text)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.text)
        }
    }
}

// ---------------------------------------------------------------------------
// Lexing and parsing into a flat list of simple commands.
// ---------------------------------------------------------------------------

/// One word of a command: its raw source text (quotes included) and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The source text, quotes and escapes included.
    pub raw: String,
    /// 1-based line where the word starts.
    pub line: usize,
}

/// A simple command, with where it sits in the script's structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// 1-based line of the first word.
    pub line: usize,
    /// The words, redirections removed.
    pub words: Vec<Word>,
    /// Redirection targets (`>/dev/null` gives `/dev/null`).
    pub redirects: Vec<Word>,
    /// Number of enclosing compound commands (0: top level).
    pub depth: usize,
    /// The innermost enclosing function, if any.
    pub function: Option<String>,
    /// The outermost enclosing compound command: keyword and line.
    pub compound: Option<(String, usize)>,
    /// The operator joining it to the previous command (`&&`, `||`: whether
    /// it runs depends on that command) or `|` for every part of a
    /// pipeline (each runs in a subshell).
    pub after: Option<&'static str>,
    /// The clause of the innermost compound command it sits in: `if`,
    /// `elif`, `while`, `until` (a condition), `then`, `else`, `do`, `case`,
    /// `{`, `(`, or `()` for a function body.
    pub clause: Option<&'static str>,
}

/// A function definition found in a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// The function's name.
    pub name: String,
    /// 1-based line of the definition.
    pub line: usize,
}

/// A parsed shell file: flat commands plus the functions they belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Every simple command, in source order.
    pub commands: Vec<Command>,
    /// Every function definition, in source order.
    pub functions: Vec<Function>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(Word),
    /// `;` `&` newline: end of a simple command.
    Sep(usize),
    /// `&&` `||` `|`: end of a simple command, the next one depends on it.
    Joint(&'static str),
    /// `;;`
    DSemi(usize),
    LParen(usize),
    RParen(usize),
}

/// Length in bytes of the quoted/expanded construct starting at `i`
/// (`'…'`, `"…"`, `` `…` ``, `$(…)`, `${…}`), or of one escaped character.
fn construct_len(b: &[u8], i: usize) -> usize {
    let n = b.len();
    match b[i] {
        // A backslash and the whole (possibly multi-byte) character after it.
        b'\\' => match b.get(i + 1) {
            None => 1,
            Some(&c) => (1 + utf8_len(c)).min(n - i),
        },
        b'\'' => match b[i + 1..].iter().position(|&c| c == b'\'') {
            Some(p) => p + 2,
            None => n - i,
        },
        b'"' => {
            let mut j = i + 1;
            while j < n && b[j] != b'"' {
                if b[j] == b'\\' || b[j] == b'`' || (b[j] == b'$' && j + 1 < n) {
                    j += construct_len(b, j).max(1);
                } else {
                    j += 1;
                }
            }
            (j + 1).min(n) - i
        }
        b'`' => {
            let mut j = i + 1;
            while j < n && b[j] != b'`' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            (j + 1).min(n) - i
        }
        b'$' if i + 1 < n && (b[i + 1] == b'(' || b[i + 1] == b'{') => {
            let (open, close) = if b[i + 1] == b'(' {
                (b'(', b')')
            } else {
                (b'{', b'}')
            };
            let mut depth = 0usize;
            let mut j = i + 1;
            while j < n {
                let c = b[j];
                if c == open {
                    depth += 1;
                    j += 1;
                } else if c == close {
                    depth -= 1;
                    j += 1;
                    if depth == 0 {
                        return j - i;
                    }
                } else if matches!(c, b'\\' | b'\'' | b'"' | b'`') || c == b'$' && j + 1 < n {
                    if c == b'$' && !(b[j + 1] == b'(' || b[j + 1] == b'{') {
                        j += 1;
                    } else {
                        j += construct_len(b, j).max(1);
                    }
                } else {
                    j += 1;
                }
            }
            n - i
        }
        _ => 1,
    }
}

/// Length in bytes of the quoted/expanded construct starting at `i` (see
/// the private `construct_len`), for readers of words outside this module.
pub fn construct_len_pub(b: &[u8], i: usize) -> usize {
    construct_len(b, i)
}

/// Length of the UTF-8 sequence that starts with byte `c`.
fn utf8_len(c: u8) -> usize {
    match c {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// The inside of the construct `raw[start..end]` opened by `open_len`
/// bytes and closed by `close` when it is terminated.
fn inside(raw: &str, start: usize, end: usize, open_len: usize, close: u8) -> &str {
    let from = (start + open_len).min(end);
    let to = if end > from && raw.as_bytes()[end - 1] == close {
        end - 1
    } else {
        end
    };
    &raw[from..to]
}

/// The lexer: tokens on demand, so that a long file is never held as a
/// whole token list (see [`parse_chunked`]).
struct Lexer<'a> {
    text: &'a str,
    i: usize,
    line: usize,
    heredocs: Vec<(String, bool)>,
    pending_heredoc: bool,
    buf: std::collections::VecDeque<Tok>,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            text,
            i: 0,
            line: 1,
            heredocs: Vec::new(),
            pending_heredoc: false,
            buf: std::collections::VecDeque::new(),
        }
    }

    /// The token `k` places ahead, without taking it.
    fn peek(&mut self, k: usize) -> Option<&Tok> {
        while self.buf.len() <= k && self.i < self.text.len() {
            self.step();
        }
        self.buf.get(k)
    }

    /// Take the next token.
    fn next_tok(&mut self) -> Option<Tok> {
        self.peek(0);
        self.buf.pop_front()
    }

    /// Scan from the current position until one token is produced or the
    /// text ends.
    fn step(&mut self) {
        let text = self.text;
        let b = text.as_bytes();
        let n = b.len();
        let before = self.buf.len();
        while self.i < n && self.buf.len() == before {
            let i = &mut self.i;
            let line = &mut self.line;
            let toks = &mut self.buf;
            let heredocs = &mut self.heredocs;
            let pending_heredoc = &mut self.pending_heredoc;
            let c = b[*i];
            match c {
                b' ' | b'\t' | b'\r' => *i += 1,
                b'\\' if *i + 1 < n && b[*i + 1] == b'\n' => {
                    *i += 2;
                    *line += 1;
                }
                b'#' => {
                    while *i < n && b[*i] != b'\n' {
                        *i += 1;
                    }
                }
                b'\n' => {
                    toks.push_back(Tok::Sep(*line));
                    *i += 1;
                    *line += 1;
                    // Here-document bodies follow the line that opened them.
                    for (delim, strip) in heredocs.drain(..) {
                        while *i < n {
                            let end = b[*i..]
                                .iter()
                                .position(|&c| c == b'\n')
                                .map_or(n, |p| *i + p);
                            let l = &text[*i..end];
                            let l = if strip { l.trim_start_matches('\t') } else { l };
                            *i = (end + 1).min(n);
                            *line += 1;
                            if l == delim {
                                break;
                            }
                        }
                    }
                }
                b';' => {
                    if *i + 1 < n && b[*i + 1] == b';' {
                        toks.push_back(Tok::DSemi(*line));
                        *i += 2;
                    } else {
                        toks.push_back(Tok::Sep(*line));
                        *i += 1;
                    }
                }
                b'&' | b'|' => {
                    let double = *i + 1 < n && b[*i + 1] == c;
                    toks.push_back(match (c, double) {
                        (b'&', true) => Tok::Joint("&&"),
                        (b'|', true) => Tok::Joint("||"),
                        (b'|', false) => Tok::Joint("|"),
                        _ => Tok::Sep(*line),
                    });
                    *i += if double { 2 } else { 1 };
                }
                b'(' => {
                    toks.push_back(Tok::LParen(*line));
                    *i += 1;
                }
                b')' => {
                    toks.push_back(Tok::RParen(*line));
                    *i += 1;
                }
                _ => {
                    let start = *i;
                    let start_line = *line;
                    // Redirection operators stick to their word (`2>&1`).
                    while *i < n {
                        let c = b[*i];
                        if matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'|' | b'(' | b')') {
                            break;
                        }
                        if c == b'&' {
                            let prev = if *i > start { b[*i - 1] } else { 0 };
                            if prev != b'>' && prev != b'<' {
                                break;
                            }
                            *i += 1;
                            continue;
                        }
                        if c == b'\\' && *i + 1 < n && b[*i + 1] == b'\n' {
                            *i += 2;
                            *line += 1;
                            continue;
                        }
                        let len = construct_len(b, *i).max(1);
                        *line += b[*i..*i + len].iter().filter(|&&c| c == b'\n').count();
                        *i += len;
                    }
                    let raw = text[start..*i].replace("\\\n", "");
                    if *pending_heredoc {
                        *pending_heredoc = false;
                        heredocs.push((unquote_simple(&raw), false));
                    } else if let Some(rest) = raw.strip_prefix("<<") {
                        let (strip, rest) = match rest.strip_prefix('-') {
                            Some(r) => (true, r),
                            None => (false, rest),
                        };
                        if rest.is_empty() {
                            *pending_heredoc = true;
                        } else {
                            heredocs.push((unquote_simple(rest), strip));
                        }
                    }
                    toks.push_back(Tok::Word(Word {
                        raw,
                        line: start_line,
                    }));
                }
            }
        }
    }
}

/// Remove quotes and backslashes without expanding anything.
fn unquote_simple(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect()
}

fn is_redirect(raw: &str) -> bool {
    let r = raw.trim_start_matches(|c: char| c.is_ascii_digit());
    r.starts_with('>') || r.starts_with('<')
}

#[derive(Debug)]
enum Frame {
    Compound(String, usize, &'static str),
    Case { line: usize, in_pattern: bool },
    Function(String, usize),
}

/// Parse shell text into a flat list of simple commands.  The parse is
/// forgiving: unbalanced keywords never fail, they only shift depths.
pub fn parse(text: &str) -> Script {
    let mut whole = None;
    parse_chunked(text, usize::MAX, |s| whole = Some(s));
    whole.unwrap_or_default()
}

/// [`parse`] in pieces: `sink` gets the commands in order, in scripts of
/// about `chunk` commands, each cut at the top level between two
/// unrelated commands: after a separator at the top level, never inside a
/// compound command or a function (a command joined by `&&`, `||` or `|`
/// to the one before, such as `[ -r F ] && . F`, stays in its piece).
/// Evaluating the pieces in order is evaluating the whole text, while
/// only one piece is in memory: a 10,000-line rc.conf is read in the
/// memory of a short one.  The last call may have no commands.
pub fn parse_chunked(text: &str, chunk: usize, mut sink: impl FnMut(Script)) {
    let mut lx = Lexer::new(text);
    let mut script = Script::default();
    let mut frames: Vec<Frame> = Vec::new();
    let mut cur: Vec<Word> = Vec::new();
    let mut pending_fn: Option<(String, usize)> = None;
    let mut skip_to_sep = false; // the word list of `for x in …`
    let mut case_head = false; // between `case` and `in`
    let mut after: Option<&'static str> = None;

    fn finish(
        script: &mut Script,
        frames: &[Frame],
        cur: &mut Vec<Word>,
        after: &mut Option<&'static str>,
    ) {
        if cur.is_empty() {
            return;
        }
        let after = after.take();
        let mut words = Vec::new();
        let mut redirects = Vec::new();
        let mut it = std::mem::take(cur).into_iter();
        while let Some(w) = it.next() {
            if is_redirect(&w.raw) {
                let target = w
                    .raw
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .trim_start_matches(['<', '>', '&', '|']);
                if target.is_empty() {
                    if let Some(t) = it.next() {
                        redirects.push(t);
                    }
                } else {
                    redirects.push(Word {
                        raw: target.to_string(),
                        line: w.line,
                    });
                }
            } else {
                words.push(w);
            }
        }
        let line = words
            .first()
            .or(redirects.first())
            .map_or(0, |w: &Word| w.line);
        let function = frames.iter().rev().find_map(|f| match f {
            Frame::Function(n, _) => Some(n.clone()),
            _ => None,
        });
        let clause = frames.last().map(|f| match f {
            Frame::Compound(_, _, c) => *c,
            Frame::Case { .. } => "case",
            Frame::Function(..) => "()",
        });
        let compound = frames.first().map(|f| match f {
            Frame::Compound(k, l, _) => (k.clone(), *l),
            Frame::Case { line, .. } => ("case".to_string(), *line),
            Frame::Function(n, l) => (format!("{n}()"), *l),
        });
        script.commands.push(Command {
            line,
            words,
            redirects,
            depth: frames.len(),
            function,
            compound,
            after,
            clause,
        });
    }

    while let Some(tok) = lx.next_tok() {
        // Case patterns: `pat|pat)` at command position inside a case body.
        if cur.is_empty() {
            if let Some(Frame::Case { in_pattern, .. }) = frames.last_mut() {
                if *in_pattern {
                    match tok {
                        Tok::Sep(_) | Tok::Joint(_) => continue,
                        Tok::Word(w) if w.raw == "esac" => {
                            frames.pop();
                            continue;
                        }
                        _ => {
                            // Skip to the closing parenthesis of the pattern.
                            let mut t = tok;
                            while !matches!(t, Tok::RParen(_)) {
                                match lx.next_tok() {
                                    Some(x) => t = x,
                                    None => break,
                                }
                            }
                            *in_pattern = false;
                            continue;
                        }
                    }
                }
            }
        }
        match tok {
            Tok::Word(w) => {
                // The word list of `for x in …` and the subject of
                // `case … in` are expanded: they become the arguments of
                // a `:` command, so that readers see their `$(…)` and
                // `${x:=…}`.
                if skip_to_sep {
                    if w.raw == "in" && cur.is_empty() {
                        skip_to_sep = false;
                        cur.push(Word {
                            raw: ":".into(),
                            line: w.line,
                        });
                    }
                    continue;
                }
                if case_head {
                    if w.raw == "in" {
                        case_head = false;
                        finish(&mut script, &frames, &mut cur, &mut after);
                        if let Some(Frame::Case { in_pattern, .. }) = frames.last_mut() {
                            *in_pattern = true;
                        }
                    } else {
                        if cur.is_empty() {
                            cur.push(Word {
                                raw: ":".into(),
                                line: w.line,
                            });
                        }
                        cur.push(w.clone());
                    }
                    continue;
                }
                if cur.is_empty() {
                    match w.raw.as_str() {
                        "if" | "while" | "until" => {
                            let clause = match w.raw.as_str() {
                                "if" => "if",
                                "while" => "while",
                                _ => "until",
                            };
                            frames.push(Frame::Compound(w.raw.clone(), w.line, clause));
                            continue;
                        }
                        "for" => {
                            frames.push(Frame::Compound("for".into(), w.line, "do"));
                            skip_to_sep = true;
                            continue;
                        }
                        "case" => {
                            frames.push(Frame::Case {
                                line: w.line,
                                in_pattern: false,
                            });
                            case_head = true;
                            continue;
                        }
                        "then" | "else" | "elif" | "do" => {
                            if let Some(Frame::Compound(_, _, c)) = frames.last_mut() {
                                *c = match w.raw.as_str() {
                                    "then" => "then",
                                    "else" => "else",
                                    "elif" => "elif",
                                    _ => "do",
                                };
                            }
                            continue;
                        }
                        "!" => continue,
                        "fi" | "done" | "esac" | "}" => {
                            frames.pop();
                            continue;
                        }
                        "{" => {
                            match pending_fn.take() {
                                Some((name, line)) => frames.push(Frame::Function(name, line)),
                                None => frames.push(Frame::Compound("{".into(), w.line, "{")),
                            }
                            continue;
                        }
                        _ => {}
                    }
                }
                // `name()` starts a function definition.
                if cur.is_empty()
                    && matches!(lx.peek(0), Some(Tok::LParen(_)))
                    && matches!(lx.peek(1), Some(Tok::RParen(_)))
                {
                    let name = w.raw.strip_prefix("function ").unwrap_or(&w.raw);
                    script.functions.push(Function {
                        name: name.to_string(),
                        line: w.line,
                    });
                    pending_fn = Some((name.to_string(), w.line));
                    lx.next_tok();
                    lx.next_tok();
                    continue;
                }
                cur.push(w);
            }
            Tok::Sep(_) => {
                skip_to_sep = false;
                finish(&mut script, &frames, &mut cur, &mut after);
                after = None;
                let cut = script.commands.len() >= chunk
                    && frames.is_empty()
                    && pending_fn.is_none()
                    && !case_head;
                if cut {
                    sink(std::mem::take(&mut script));
                }
            }
            Tok::Joint(op) => {
                let left = !cur.is_empty();
                finish(&mut script, &frames, &mut cur, &mut after);
                // Both sides of a pipe run in subshells.
                if op == "|" && left {
                    if let Some(c) = script.commands.last_mut() {
                        c.after.get_or_insert("|");
                    }
                }
                after = Some(op);
            }
            Tok::DSemi(_) => {
                finish(&mut script, &frames, &mut cur, &mut after);
                if let Some(Frame::Case { in_pattern, .. }) = frames.last_mut() {
                    *in_pattern = true;
                }
            }
            Tok::LParen(l) => {
                if cur.is_empty() {
                    match pending_fn.take() {
                        Some((name, line)) => frames.push(Frame::Function(name, line)),
                        None => frames.push(Frame::Compound("(".into(), l, "(")),
                    }
                } else {
                    finish(&mut script, &frames, &mut cur, &mut after);
                }
            }
            Tok::RParen(_) => {
                finish(&mut script, &frames, &mut cur, &mut after);
                frames.pop();
            }
        }
    }
    finish(&mut script, &frames, &mut cur, &mut after);
    sink(script);
}

// ---------------------------------------------------------------------------
// Variables and expansion.
// ---------------------------------------------------------------------------

/// Where a variable was last set: a file and a line, shown as
/// `/etc/rc.conf:12`.  The file name is shared by every line of its file:
/// an rc.conf of 20,000 assignments holds one copy of its name, not
/// 20,000 strings `/etc/rc.conf:N` (an audit's memory follows the
/// variables it must keep).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    file: Rc<str>,
    line: u32,
}

impl Origin {
    /// Line `line` of `file`.
    pub fn new(file: &Rc<str>, line: usize) -> Self {
        Origin {
            file: file.clone(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
        }
    }

    /// The file (a host path).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The line, from 1.
    pub fn line(&self) -> usize {
        self.line as usize
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A variable's value and where it was last set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value<'a> {
    /// The value.
    pub value: &'a str,
    /// `/etc/rc.conf:12`
    pub origin: Origin,
}

/// One variable of a [`Vars`]: where its name and value are in the text,
/// and its origin (a file of the file table, a line).
#[derive(Debug, Clone, Copy)]
struct Rec {
    name: u32,
    name_len: u32,
    value: u32,
    value_len: u32,
    file: u32,
    line: u32,
}

/// Shell variables, stored compactly: every name and value in one text,
/// a 24-byte record per variable and an open-addressing index of record
/// numbers.  An audit holds every variable rc.conf sets (evaluating it
/// as sh(1) does needs them), which grows with the host's services: a
/// map of boxed strings took about 170 bytes per variable (two
/// allocations, their malloc overhead, a 64-byte slot), this takes about
/// 60 (issue 12, `svcj-check audit` memory).  A value set again is
/// appended; the old text stays until the store is dropped (rc.conf sets
/// each variable a few times at most).
#[derive(Debug, Clone, Default)]
struct Vars {
    text: String,
    recs: Vec<Rec>,
    /// Record number + 1 per slot, 0 for a free slot; the length is a
    /// power of two, at most half full.
    slots: Vec<u32>,
    files: Vec<Rc<str>>,
}

/// FNV-1a, enough for names the host's own files define.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A position or length in a text of a host's configuration (a [`Vars`]
/// text, the audit's list of scripts), which stays far below 4 GiB.
pub(crate) fn pos(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Vars {
    fn slice(&self, at: u32, len: u32) -> &str {
        &self.text[at as usize..(at + len) as usize]
    }

    fn name_of(&self, r: &Rec) -> &str {
        self.slice(r.name, r.name_len)
    }

    /// The slot of `name`: the one holding it, or the free one where it
    /// goes.
    fn slot(&self, name: &str) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = name_hash(name) as usize & mask;
        loop {
            match self.slots[i] {
                0 => return i,
                n if self.name_of(&self.recs[n as usize - 1]) == name => return i,
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn find(&self, name: &str) -> Option<&Rec> {
        if self.slots.is_empty() {
            return None;
        }
        match self.slots[self.slot(name)] {
            0 => None,
            n => Some(&self.recs[n as usize - 1]),
        }
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.find(name).map(|r| self.slice(r.value, r.value_len))
    }

    /// The value and origin a record holds.
    fn value_of(&self, r: &Rec) -> Value<'_> {
        Value {
            value: self.slice(r.value, r.value_len),
            origin: Origin {
                file: self.files[r.file as usize].clone(),
                line: r.line,
            },
        }
    }

    fn get(&self, name: &str) -> Option<Value<'_>> {
        self.find(name).map(|r| self.value_of(r))
    }

    fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    fn insert(&mut self, name: &str, value: &str, origin: &Origin) {
        if self.slots.len() < 2 * (self.recs.len() + 1) {
            self.grow();
        }
        let file = match self.files.iter().rposition(|f| **f == *origin.file) {
            Some(i) => pos(i),
            None => {
                self.files.push(origin.file.clone());
                pos(self.files.len() - 1)
            }
        };
        let at = pos(self.text.len());
        self.text.push_str(value);
        let i = self.slot(name);
        match self.slots[i] {
            0 => {
                let name_at = pos(self.text.len());
                self.text.push_str(name);
                self.recs.push(Rec {
                    name: name_at,
                    name_len: pos(name.len()),
                    value: at,
                    value_len: pos(value.len()),
                    file,
                    line: origin.line,
                });
                self.slots[i] = pos(self.recs.len());
            }
            n => {
                let r = &mut self.recs[n as usize - 1];
                r.value = at;
                r.value_len = pos(value.len());
                r.file = file;
                r.line = origin.line;
            }
        }
    }

    /// Double the index (from 16 slots) and put every record back in.
    fn grow(&mut self) {
        self.slots = vec![0; (self.slots.len() * 2).max(16)];
        for k in 0..self.recs.len() {
            let i = self.slot(self.name_of(&self.recs[k]));
            self.slots[i] = pos(k + 1);
        }
    }

    /// Every variable: name, value, origin.
    fn iter(&self) -> impl Iterator<Item = (&str, Value<'_>)> {
        self.recs
            .iter()
            .map(|r| (self.name_of(r), self.value_of(r)))
    }

    /// Keep only the variables `keep` says yes to.
    fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        let mut out = Vars::default();
        for (name, v) in self.iter() {
            if keep(name) {
                out.insert(name, v.value, &v.origin);
            }
        }
        *self = out;
    }
}

/// The shell variables known so far.
///
/// Variables live in two layers: `vars`, written by every assignment, over
/// an optional shared `base` (the result of the global rc.conf files,
/// computed once and shared by every service; see
/// [`Loader::load_rc_config`]).
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: Vars,
    base: Option<Rc<Vars>>,
    /// When set, names read while unset are recorded here.
    misses: Option<RefCell<HashSet<String>>>,
}

impl Env {
    /// An empty environment.
    pub fn new() -> Self {
        Env::default()
    }

    /// `read` of `name` in the own layer, else in the base; a name
    /// found in neither is recorded as a miss.
    fn lookup<'a, T>(&'a self, name: &str, read: impl Fn(&'a Vars) -> Option<T>) -> Option<T> {
        let v = read(&self.vars).or_else(|| self.base.as_deref().and_then(&read));
        if v.is_none() {
            if let Some(m) = &self.misses {
                m.borrow_mut().insert(name.to_string());
            }
        }
        v
    }

    /// The value of `name`, `None` when unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.lookup(name, |v| v.value(name))
    }

    /// The value and origin of `name`.
    pub fn get_value(&self, name: &str) -> Option<Value<'_>> {
        self.lookup(name, |v| v.get(name))
    }

    /// Set `name`.
    pub fn set(&mut self, name: &str, value: String, origin: Origin) {
        self.vars.insert(name, &value, &origin);
    }

    /// Every variable name, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut set: BTreeSet<&str> = self.vars.iter().map(|(k, _)| k).collect();
        if let Some(b) = &self.base {
            set.extend(b.iter().map(|(k, _)| k));
        }
        set.into_iter().map(str::to_string).collect()
    }
}

/// rc.subr's `checkyesno`: `Some(true)` for YES/TRUE/ON/1, `Some(false)`
/// for NO/FALSE/OFF/0 (any case), `None` for anything else ("is not set
/// properly").
pub fn yes_no(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Some(true),
        "no" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// Length in bytes of the variable name at the start of `s`: letters,
/// digits and `_`, plus the ports framework's `%%WORD%%` placeholders
/// (`%%NAME%%_svcj_options` in a `files/*.in` script, which the port
/// substitutes at build time).  0 when `s` does not start with a name.
pub fn name_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()) {
            i += 1;
        } else if let Some(p) = placeholder_len(&s[i..]) {
            i += p;
        } else {
            break;
        }
    }
    i
}

/// Length of a `%%WORD%%` placeholder (upper-case letters, digits, `_`)
/// at the start of `s`.
fn placeholder_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("%%")?;
    let end = rest.find("%%")?;
    let word = &rest[..end];
    (!word.is_empty()
        && word
            .bytes()
            .all(|c| c == b'_' || c.is_ascii_uppercase() || c.is_ascii_digit()))
    .then_some(end + 4)
}

/// True for a variable name (placeholders included, see [`name_len`]).
pub fn is_name(s: &str) -> bool {
    !s.is_empty() && name_len(s) == s.len()
}

/// Split `NAME=value` when `raw` is an assignment word.
pub fn split_assignment(raw: &str) -> Option<(&str, &str)> {
    let eq = raw.find('=')?;
    let (name, value) = (&raw[..eq], &raw[eq + 1..]);
    is_name(name).then_some((name, value))
}

/// Match `s` against a sh glob made of `*`, `?` and literals.
fn glob_match(pat: &[char], s: &[char]) -> bool {
    match pat.first() {
        None => s.is_empty(),
        Some('*') => (0..=s.len()).any(|k| glob_match(&pat[1..], &s[k..])),
        Some('?') => !s.is_empty() && glob_match(&pat[1..], &s[1..]),
        Some(c) => s.first() == Some(c) && glob_match(&pat[1..], &s[1..]),
    }
}

/// Why a word could not be expanded statically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown(pub String);

struct Expander<'a> {
    env: &'a mut Env,
    /// Recorded by `${VAR:=x}`; `None` when dry.
    origin: Option<Origin>,
    /// Never assign (`${VAR:=x}` gives x but leaves VAR alone).
    dry: bool,
}

impl Expander<'_> {
    /// Expand a raw word (quote removal, parameter expansion, escapes).
    fn word(&mut self, raw: &str) -> Result<String, Unknown> {
        let b = raw.as_bytes();
        let mut out = String::new();
        let mut i = 0;
        let mut dq = false;
        while i < b.len() {
            let c = b[i];
            match c {
                b'\'' if !dq => {
                    let len = construct_len(b, i);
                    let end = (i + len).min(b.len());
                    out.push_str(raw[i + 1..end].trim_end_matches('\''));
                    i = end;
                }
                b'"' => {
                    dq = !dq;
                    i += 1;
                }
                b'\\' => {
                    if i + 1 >= b.len() {
                        out.push('\\');
                        i += 1;
                    } else {
                        let next = raw[i + 1..].chars().next().unwrap_or('\\');
                        if dq && !matches!(next, '$' | '`' | '"' | '\\') {
                            out.push('\\');
                        }
                        out.push(next);
                        i += 1 + next.len_utf8();
                    }
                }
                b'`' => {
                    let len = construct_len(b, i);
                    let inner = raw[i + 1..i + len].trim_end_matches('`');
                    out.push_str(&self.command_subst(inner)?);
                    i += len;
                }
                b'$' => {
                    let (text, len) = self.dollar(raw, i)?;
                    out.push_str(&text);
                    i += len;
                }
                _ => {
                    let ch = raw[i..].chars().next().unwrap_or(' ');
                    out.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
        Ok(out)
    }

    /// `$(set_rcvar)` is the one command substitution with a static value.
    fn command_subst(&mut self, inner: &str) -> Result<String, Unknown> {
        let words: Vec<&str> = inner.split_whitespace().collect();
        match words.as_slice() {
            ["set_rcvar"] => {
                if let Some(name) = self.env.get("name") {
                    return Ok(format!("{name}_enable"));
                }
            }
            // The old form `set_rcvar NAME` prints NAME_enable.
            ["set_rcvar", arg] => {
                let arg = self.word(arg)?;
                if is_name(&arg) {
                    return Ok(format!("{arg}_enable"));
                }
            }
            _ => {}
        }
        Err(Unknown(format!(
            "command substitution `{}` not run",
            inner.trim()
        )))
    }

    /// Expand the `$…` construct at `i`: returns the text and its length.
    fn dollar(&mut self, raw: &str, i: usize) -> Result<(String, usize), Unknown> {
        let b = raw.as_bytes();
        let next = b.get(i + 1).copied().unwrap_or(b' ');
        if next == b'(' {
            let len = construct_len(b, i);
            if b.get(i + 2) == Some(&b'(') {
                return Err(Unknown("arithmetic expansion not evaluated".into()));
            }
            let inner = raw[i + 2..i + len].trim_end_matches(')');
            return Ok((self.command_subst(inner)?, len));
        }
        if next == b'{' {
            let len = construct_len(b, i);
            let inner = inside(raw, i, i + len, 2, b'}');
            return Ok((self.brace(inner)?, len));
        }
        if next == b'_' || next.is_ascii_alphabetic() {
            let mut j = i + 1;
            while j < b.len() && (b[j] == b'_' || b[j].is_ascii_alphanumeric()) {
                j += 1;
            }
            let name = &raw[i + 1..j];
            return Ok((self.env.get(name).unwrap_or("").to_string(), j - i));
        }
        if next.is_ascii_digit() || b"@*#?$!-".contains(&next) {
            return Err(Unknown(format!(
                "special parameter ${} not known statically",
                next as char
            )));
        }
        Ok(("$".to_string(), 1))
    }

    /// `${…}` contents.
    fn brace(&mut self, inner: &str) -> Result<String, Unknown> {
        if let Some(name) = inner.strip_prefix('#') {
            if is_name(name) {
                return Ok(self.env.get(name).unwrap_or("").chars().count().to_string());
            }
        }
        let end = name_len(inner);
        let name = &inner[..end];
        if !is_name(name) {
            return Err(Unknown(format!("${{{inner}}} not known statically")));
        }
        let rest = &inner[end..];
        let val = self.env.get(name).map(str::to_string);
        if rest.is_empty() {
            return Ok(val.unwrap_or_default());
        }
        let ops = [
            ":-", ":=", ":+", ":?", "-", "=", "+", "?", "##", "#", "%%", "%",
        ];
        let op = ops
            .iter()
            .find(|o| rest.starts_with(*o))
            .ok_or_else(|| Unknown(format!("${{{inner}}} not understood")))?;
        let arg = &rest[op.len()..];
        let colon = op.starts_with(':');
        let present = match &val {
            Some(v) => !(colon && v.is_empty()),
            None => false,
        };
        match op.trim_start_matches(':') {
            "-" => {
                if present {
                    Ok(val.unwrap_or_default())
                } else {
                    self.word(arg)
                }
            }
            "=" => {
                if present {
                    Ok(val.unwrap_or_default())
                } else {
                    let v = self.word(arg)?;
                    if let (false, Some(o)) = (self.dry, &self.origin) {
                        self.env.set(name, v.clone(), o.clone());
                    }
                    Ok(v)
                }
            }
            "+" => {
                if present {
                    self.word(arg)
                } else {
                    Ok(String::new())
                }
            }
            "?" => {
                if present {
                    Ok(val.unwrap_or_default())
                } else {
                    Err(Unknown(format!("${{{inner}}}: {name} is unset")))
                }
            }
            o => {
                let v: Vec<char> = val.unwrap_or_default().chars().collect();
                let pat: Vec<char> = self.word(arg)?.chars().collect();
                let n = v.len();
                let cut = match o {
                    "#" => (0..=n).find(|&k| glob_match(&pat, &v[..k])).map(|k| (k, n)),
                    "##" => (0..=n)
                        .rev()
                        .find(|&k| glob_match(&pat, &v[..k]))
                        .map(|k| (k, n)),
                    "%" => (0..=n)
                        .rev()
                        .find(|&k| glob_match(&pat, &v[k..]))
                        .map(|k| (0, k)),
                    _ => (0..=n).find(|&k| glob_match(&pat, &v[k..])).map(|k| (0, k)),
                };
                let (a, z) = cut.unwrap_or((0, n));
                Ok(v[a..z].iter().collect())
            }
        }
    }
}

/// Expand one raw word against `env`.  `${VAR:=x}` assigns into `env`,
/// recording `origin`.
pub fn expand(env: &mut Env, raw: &str, origin: Origin) -> Result<String, Unknown> {
    Expander {
        env,
        origin: Some(origin),
        dry: false,
    }
    .word(raw)
}

/// Expand one raw word against `env` without assigning anything: the value
/// the word would have, for code that is not evaluated (bodies of `if`,
/// functions, `eval` strings in them).
pub fn expand_dry(env: &mut Env, raw: &str) -> Result<String, Unknown> {
    Expander {
        env,
        origin: None,
        dry: true,
    }
    .word(raw)
}

/// The `${VAR:=arg}` and `${VAR=arg}` constructs of a raw word, anywhere in
/// it (nested ones included): each variable and the raw text of its
/// default.
pub fn defaults_in(raw: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(p) = rest.find("${") {
        let inner = &rest[p + 2..];
        let end = name_len(inner);
        let var = &inner[..end];
        let after = &inner[end..];
        let op = if after.starts_with(":=") {
            2
        } else if after.starts_with('=') {
            1
        } else {
            0
        };
        if op > 0 && is_name(var) {
            let b = rest.as_bytes();
            let len = construct_len(b, p);
            let arg = inside(rest, p, p + len, 2 + end + op, b'}');
            out.push((var.to_string(), arg.to_string()));
        }
        rest = &inner[end..];
    }
    out
}

/// True when the raw value of `var=value` only keeps an earlier value:
/// `${var:-x}`, `${var-x}`, `${var:=x}` or `${var=x}`, possibly in double
/// quotes, spanning the whole value.
fn self_default(var: &str, value: &str) -> bool {
    let v = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let Some(inner) = v.strip_prefix("${") else {
        return false;
    };
    if construct_len(v.as_bytes(), 0) != v.len() {
        return false;
    }
    let Some(after) = inner.strip_prefix(var) else {
        return false;
    };
    [":-", "-", ":=", "="].iter().any(|o| after.starts_with(o))
}

/// The variable a test command checks for emptiness: `[ -z "$X" ]`,
/// `test -z "${X}"`, `[ "$X" = "" ]` give `(X, true)` (true when X is
/// empty); `[ -n "$X" ]` gives `(X, false)`.
fn emptiness_test(cmd: &Command) -> Option<(String, bool)> {
    let w: Vec<String> = cmd.words.iter().map(|w| unquote_simple(&w.raw)).collect();
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    let (op, var) = match w.as_slice() {
        ["[", op @ ("-z" | "-n"), v, "]"] | ["test", op @ ("-z" | "-n"), v] => (*op, *v),
        ["[", v, "=", "", "]"] | ["[", "", "=", v, "]"] | ["test", v, "=", ""] => ("-z", *v),
        _ => return None,
    };
    let name = var
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .or_else(|| var.strip_prefix('$'))?;
    is_name(name).then(|| (name.to_string(), op == "-z"))
}

/// The `if` blocks (by line) of the form `if [ -z "$X" ]; then X=…; fi`:
/// one emptiness test as the condition, only assignments to X in `then`,
/// no `else`/`elif`, nothing nested.  Each gives X.
fn if_defaults(script: &Script) -> HashMap<usize, String> {
    let mut blocks: HashMap<usize, Vec<&Command>> = HashMap::new();
    for c in &script.commands {
        if let Some((kind, line)) = &c.compound {
            if kind == "if" && c.function.is_none() {
                blocks.entry(*line).or_default().push(c);
            }
        }
    }
    let mut out = HashMap::new();
    for (line, cmds) in blocks {
        let [cond, body @ ..] = cmds.as_slice() else {
            continue;
        };
        if body.is_empty() || cond.clause != Some("if") || cond.depth != 1 {
            continue;
        }
        let Some((var, true)) = emptiness_test(cond) else {
            continue;
        };
        let ok = body.iter().all(|c| {
            c.depth == 1
                && c.clause == Some("then")
                && c.after.is_none()
                && single_assignment(c) == Some(var.as_str())
        });
        if ok {
            out.insert(line, var);
        }
    }
    out
}

/// The variable a command assigns when it is a single `VAR=value` word.
fn single_assignment(cmd: &Command) -> Option<&str> {
    match cmd.words.as_slice() {
        [w] => split_assignment(&w.raw).map(|(v, _)| v),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Evaluation.
// ---------------------------------------------------------------------------

/// How a variable got its value in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignKind {
    /// `VAR=value` (or `export VAR=value`)
    Plain,
    /// `${VAR:=value}` / `${VAR=value}`, whether or not it applied
    Default,
}

/// One assignment seen while evaluating a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Variable name.
    pub var: String,
    /// The expanded value (`None` when it could not be expanded).
    pub value: Option<String>,
    /// 1-based line.
    pub line: usize,
    /// Plain or default.
    pub kind: AssignKind,
    /// True when it was evaluated after `load_rc_config`.
    pub after_load: bool,
    /// Where it sits: evaluated top-level code, or code that was only
    /// read (a conditional body, a function).
    pub place: Place,
    /// True when it comes from the string of an `eval`.
    pub via_eval: bool,
}

/// Where an assignment sits in a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Unconditional top-level code: evaluated.
    TopLevel,
    /// The body of `if`/`case`/a loop, or after `&&`/`||`: read, not
    /// evaluated (except the recognised "set when empty" defaults, which
    /// are [`Place::TopLevel`] with [`AssignKind::Default`]).
    Conditional,
    /// The body of a function: read, not evaluated.
    Function,
}

/// Host-path helper: `root` joined with an absolute host path.
pub fn under_root(root: &Path, host: &Path) -> PathBuf {
    let mut p = root.to_path_buf();
    for c in host.components() {
        match c {
            Component::Normal(s) => p.push(s),
            // Never climb above the root.
            Component::ParentDir if p != root => {
                p.pop();
            }
            _ => {}
        }
    }
    p
}

/// Reads rc.conf files under a root directory, with a parse cache.
pub struct Loader {
    root: PathBuf,
    localbase: PathBuf,
    cache: HashMap<PathBuf, Option<Rc<Script>>>,
    global: Option<Rc<Global>>,
    /// While set (inside `load_rc_config`), files are evaluated as they are
    /// parsed and not kept: rc.conf and a service's own `rc.conf.d/NAME`
    /// grow with the number of services, and keeping them would make an
    /// audit's memory grow too.
    transient: bool,
    /// Notes about files and constructs that were skipped.
    pub notes: BTreeSet<Note>,
}

/// The result of the global rc.conf files evaluated from an empty
/// environment, and the variables that evaluation read while they were
/// unset (its only inputs).  It can stand for a real evaluation in any
/// environment that sets none of those inputs.
struct Global {
    vars: Rc<Vars>,
    inputs: HashSet<String>,
}

/// True for `[ -r F ] && . F` (or `-f`, `-e`, `test …`): an include
/// guarded by a test that the file exists, which reading it only when it
/// exists reproduces.
fn guarded_include(prev: Option<&Command>, cmd: &Command) -> bool {
    let (Some(prev), [dot, target, ..]) = (prev, cmd.words.as_slice()) else {
        return false;
    };
    if dot.raw != "." && dot.raw != "source" {
        return false;
    }
    let w: Vec<&str> = prev.words.iter().map(|w| w.raw.as_str()).collect();
    let test = match w.as_slice() {
        ["[", op, f, "]"] | ["test", op, f] => Some((*op, *f)),
        _ => None,
    };
    matches!(test, Some((op, f)) if matches!(op, "-r" | "-f" | "-e" | "-s")
        && unquote_simple(f) == unquote_simple(&target.raw))
}

/// Commands per piece when a file is evaluated as it is parsed.
const CHUNK: usize = 256;

/// Maximum nesting of `. file` includes (protects against include loops).
const MAX_INCLUDE_DEPTH: usize = 8;

/// A pass over one file: the state of one `. file`.
struct Pass<'a> {
    env: &'a mut Env,
    notes: &'a mut Vec<Note>,
    assignments: Option<&'a mut Vec<Assignment>>,
    /// Whether `load_rc_config` really loads rc.conf (audit) or not (lint).
    load_conf: bool,
    saw_load: Option<usize>,
    saw_run: Option<usize>,
    /// True while evaluating the string of an `eval`.
    via_eval: bool,
}

/// Maximum nesting of `eval` strings read.
const MAX_EVAL_DEPTH: usize = 4;

/// The commands of an `eval` string (or of any shell text found in a
/// word: a method string, a command substitution), placed at `line`.
pub fn eval_script(text: &str, line: usize) -> Script {
    let mut s = parse(text);
    for c in &mut s.commands {
        c.line = line;
        for w in c.words.iter_mut().chain(c.redirects.iter_mut()) {
            w.line = line;
        }
    }
    for f in &mut s.functions {
        f.line = line;
    }
    s
}

impl Loader {
    /// A loader for the tree at `root`; `localbase` is a host path such as
    /// `/usr/local`.
    pub fn new(root: &Path, localbase: &Path) -> Self {
        Loader {
            root: root.to_path_buf(),
            localbase: localbase.to_path_buf(),
            cache: HashMap::new(),
            global: None,
            transient: false,
            notes: BTreeSet::new(),
        }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The real path of a host path.
    pub fn real(&self, host: &Path) -> PathBuf {
        under_root(&self.root, host)
    }

    /// Parse the file at host path `host`, cached.  `None` when missing;
    /// unreadable files give a note.
    fn script(&mut self, host: &Path) -> Option<Rc<Script>> {
        if let Some(s) = self.cache.get(host) {
            return s.clone();
        }
        let parsed = self.text(host).map(|t| Rc::new(parse(&t)));
        self.cache.insert(host.to_path_buf(), parsed.clone());
        parsed
    }

    /// The text of the file at host path `host`.  `None` when missing;
    /// unreadable files give a note.
    fn text(&mut self, host: &Path) -> Option<String> {
        match std::fs::read(self.real(host)) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) => {
                if e.kind() != std::io::ErrorKind::NotFound {
                    self.notes.insert(Note {
                        file: host.display().to_string(),
                        line: 0,
                        text: format!("cannot read: {e}"),
                    });
                }
                None
            }
        }
    }

    /// Source host file `host` into `env` (a `. file`).  Returns false when
    /// the file does not exist.
    pub fn source(&mut self, env: &mut Env, host: &Path) -> bool {
        let mut notes = Vec::new();
        let found = self.source_depth(env, host, &mut notes, 0);
        self.notes.extend(notes);
        found
    }

    fn source_depth(
        &mut self,
        env: &mut Env,
        host: &Path,
        notes: &mut Vec<Note>,
        depth: usize,
    ) -> bool {
        let file: Rc<str> = host.display().to_string().into();
        let mut pass = Pass {
            env,
            notes,
            assignments: None,
            load_conf: false,
            saw_load: None,
            saw_run: None,
            via_eval: false,
        };
        if self.transient && !self.cache.contains_key(host) {
            // Read once: evaluate it piece by piece, keep nothing.
            let Some(text) = self.text(host) else {
                return false;
            };
            parse_chunked(&text, CHUNK, |piece| {
                self.run(&piece, &file, &mut pass, depth, false)
            });
            return true;
        }
        let Some(script) = self.script(host) else {
            return false;
        };
        self.run(&script, &file, &mut pass, depth, false);
        true
    }

    /// Evaluate a parsed file.  `is_script` turns on rc.d script handling
    /// (`. /etc/rc.subr` ignored, `load_rc_config`/`run_rc_command` noted).
    fn run(
        &mut self,
        script: &Script,
        file: &Rc<str>,
        pass: &mut Pass<'_>,
        depth: usize,
        is_script: bool,
    ) {
        let mut noted_compound: Option<usize> = None;
        // `if [ -z "$X" ]; then X=…; fi` (no else): a default for X.
        let if_defaults = if is_script {
            if_defaults(script)
        } else {
            HashMap::new()
        };
        for (idx, cmd) in script.commands.iter().enumerate() {
            let prev = idx.checked_sub(1).map(|p| &script.commands[p]);
            if cmd.depth > 0 {
                if let Some((_, line)) = &cmd.compound {
                    if let Some(var) = if_defaults.get(line) {
                        if cmd.clause == Some("then") {
                            self.conditional_default(pass, var, cmd, file);
                        }
                        continue;
                    }
                }
                if let Some((kind, line)) = &cmd.compound {
                    let is_fn = kind.ends_with("()");
                    if noted_compound != Some(*line) && !(is_script && is_fn) {
                        noted_compound = Some(*line);
                        let what = if is_fn {
                            format!("function definition {kind} skipped")
                        } else {
                            format!("`{kind}` block skipped (not evaluated)")
                        };
                        pass.notes.push(Note {
                            file: file.to_string(),
                            line: *line,
                            text: what,
                        });
                    }
                }
                if is_script {
                    if let Some(w) = cmd.words.first() {
                        if w.raw == "run_rc_command" && pass.saw_run.is_none() {
                            pass.saw_run = Some(cmd.line);
                        }
                    }
                    let place = if cmd.function.is_some() {
                        Place::Function
                    } else {
                        Place::Conditional
                    };
                    self.read_only(pass, cmd, place, 0);
                }
                continue;
            }
            if let Some(op) = cmd.after {
                // `[ -z "$X" ] && X=…` / `[ -n "$X" ] || X=…`: a default.
                if is_script && op != "|" {
                    let guard = prev.and_then(emptiness_test);
                    if let (Some((var, empty)), Some(target)) = (guard, single_assignment(cmd)) {
                        if var == target
                            && empty == (op == "&&")
                            && prev.is_some_and(|p| p.after.is_none())
                        {
                            self.conditional_default(pass, &var, cmd, file);
                            continue;
                        }
                    }
                }
                if !(op == "&&" && guarded_include(prev, cmd)) {
                    let what = cmd.words.first().map_or("", |w| w.raw.as_str());
                    let text = if op == "|" {
                        format!("`{what}` in a pipeline skipped (a subshell, not evaluated)")
                    } else {
                        format!("`{what}` after `{op}` skipped (conditional, not evaluated)")
                    };
                    pass.notes.push(Note {
                        file: file.to_string(),
                        line: cmd.line,
                        text,
                    });
                    if is_script {
                        self.read_only(pass, cmd, Place::Conditional, 0);
                    }
                    continue;
                }
            }
            let origin = Origin::new(file, cmd.line);
            let n_assign = cmd
                .words
                .iter()
                .take_while(|w| split_assignment(&w.raw).is_some())
                .count();
            let rest = &cmd.words[n_assign..];
            if rest.is_empty() {
                for w in &cmd.words {
                    self.assign(pass, &w.raw, cmd.line, &origin, file);
                }
                continue;
            }
            let name = unquote_simple(&rest[0].raw);
            let args = &rest[1..];
            match name.as_str() {
                ":" | "true" => {
                    for a in args {
                        self.default_words(pass, &a.raw, cmd.line, &origin, file);
                    }
                }
                "export" | "readonly" => {
                    for a in args {
                        if split_assignment(&a.raw).is_some() {
                            self.assign(pass, &a.raw, cmd.line, &origin, file);
                        }
                    }
                }
                "eval" if is_script => {
                    let mut text = Vec::new();
                    for a in args {
                        match expand(pass.env, &a.raw, origin.clone()) {
                            Ok(t) => text.push(t),
                            Err(Unknown(why)) => {
                                pass.notes.push(Note {
                                    file: file.to_string(),
                                    line: cmd.line,
                                    text: format!("eval not evaluated: {why}"),
                                });
                                text.clear();
                                break;
                            }
                        }
                    }
                    if text.is_empty() {
                        continue;
                    }
                    if depth >= MAX_EVAL_DEPTH + MAX_INCLUDE_DEPTH {
                        pass.notes.push(Note {
                            file: file.to_string(),
                            line: cmd.line,
                            text: "eval not evaluated: nested too deep".into(),
                        });
                        continue;
                    }
                    let sub = eval_script(&text.join(" "), cmd.line);
                    let was = std::mem::replace(&mut pass.via_eval, true);
                    self.run(&sub, file, pass, depth + 1, is_script);
                    pass.via_eval = was;
                }
                "." | "source" => {
                    let Some(a) = args.first() else { continue };
                    let target = match expand(pass.env, &a.raw, origin.clone()) {
                        Ok(t) => t,
                        Err(Unknown(why)) => {
                            pass.notes.push(Note {
                                file: file.to_string(),
                                line: cmd.line,
                                text: format!("include not read: {why}"),
                            });
                            continue;
                        }
                    };
                    if is_script && (target == "/etc/rc.subr" || target.ends_with("/rc.subr")) {
                        continue;
                    }
                    if !target.starts_with('/') {
                        pass.notes.push(Note {
                            file: file.to_string(),
                            line: cmd.line,
                            text: format!("include of relative path {target} not read"),
                        });
                    } else if depth >= MAX_INCLUDE_DEPTH {
                        pass.notes.push(Note {
                            file: file.to_string(),
                            line: cmd.line,
                            text: format!("include of {target} not read: nested too deep"),
                        });
                    } else if !self.source_depth(
                        pass.env,
                        Path::new(&target),
                        pass.notes,
                        depth + 1,
                    ) && cmd.after.is_none()
                    {
                        pass.notes.push(Note {
                            file: file.to_string(),
                            line: cmd.line,
                            text: format!("included file {target} does not exist"),
                        });
                    }
                }
                "load_rc_config" if is_script => {
                    let arg = args
                        .iter()
                        .map(|a| expand(pass.env, &a.raw, origin.clone()))
                        .find(|a| !matches!(a.as_deref(), Ok("-s") | Ok("--safe")));
                    let svc = match arg {
                        Some(Ok(s)) => s,
                        _ => pass.env.get("name").unwrap_or("").to_string(),
                    };
                    pass.saw_load.get_or_insert(cmd.line);
                    if pass.load_conf {
                        // rc.conf notes are the host's, not this script's.
                        let mut conf_notes = Vec::new();
                        self.load_into(pass.env, &svc, &mut conf_notes);
                        self.notes.extend(conf_notes);
                    }
                }
                "run_rc_command" if is_script => {
                    pass.saw_run.get_or_insert(cmd.line);
                }
                _ if is_script => {
                    // `cmd ${VAR:=x}` assigns VAR as a side effect.
                    for a in args {
                        if !defaults_in(&a.raw).is_empty() {
                            self.default_words(pass, &a.raw, cmd.line, &origin, file);
                        }
                    }
                }
                other => pass.notes.push(Note {
                    file: file.to_string(),
                    line: cmd.line,
                    text: format!("command `{other}` not run"),
                }),
            }
        }
    }

    /// `X=value` of a recognised "set X when it is empty" construct: applied
    /// like `${X:=value}`.
    fn conditional_default(
        &mut self,
        pass: &mut Pass<'_>,
        var: &str,
        cmd: &Command,
        file: &Rc<str>,
    ) {
        let Some(w) = cmd.words.first() else { return };
        let Some((_, value)) = split_assignment(&w.raw) else {
            return;
        };
        let origin = Origin::new(file, cmd.line);
        let v = expand(pass.env, value, origin.clone());
        let empty = pass.env.get(var).is_none_or(str::is_empty);
        match &v {
            Ok(v) if empty => pass.env.set(var, v.clone(), origin),
            Ok(_) => {}
            Err(Unknown(why)) => pass.notes.push(Note {
                file: file.to_string(),
                line: cmd.line,
                text: format!("{var} left unchanged: {why}"),
            }),
        }
        let (after_load, via_eval) = (pass.saw_load.is_some(), pass.via_eval);
        if let Some(a) = pass.assignments.as_deref_mut() {
            a.push(Assignment {
                var: var.to_string(),
                value: v.ok(),
                line: cmd.line,
                kind: AssignKind::Default,
                after_load,
                place: Place::TopLevel,
                via_eval,
            });
        }
    }

    /// Record, without evaluating anything, the assignments of a command
    /// that is not evaluated (in a function or a conditional body):
    /// `VAR=x` words, `${VAR:=x}` anywhere, and the same in `eval` strings.
    fn read_only(&mut self, pass: &mut Pass<'_>, cmd: &Command, place: Place, depth: usize) {
        if pass.assignments.is_none() {
            return;
        }
        let n_assign = cmd
            .words
            .iter()
            .take_while(|w| split_assignment(&w.raw).is_some())
            .count();
        let first = cmd.words.get(n_assign).map(|w| unquote_simple(&w.raw));
        let mut found: Vec<Assignment> = Vec::new();
        let (after_load, via_eval) = (pass.saw_load.is_some(), pass.via_eval || depth > 0);
        let mut record = |var: &str, value: Option<String>, kind: AssignKind| {
            found.push(Assignment {
                var: var.to_string(),
                value,
                line: cmd.line,
                kind,
                after_load,
                place,
                via_eval,
            });
        };
        for (i, w) in cmd.words.iter().enumerate() {
            let declares = i < n_assign
                || (i > n_assign && matches!(first.as_deref(), Some("export" | "readonly")));
            if declares {
                if let Some((var, value)) = split_assignment(&w.raw) {
                    let kind = if self_default(var, value) {
                        AssignKind::Default
                    } else {
                        AssignKind::Plain
                    };
                    record(var, expand_dry(pass.env, value).ok(), kind);
                }
            }
            for (var, arg) in defaults_in(&w.raw) {
                record(&var, expand_dry(pass.env, &arg).ok(), AssignKind::Default);
            }
        }
        let mut subs = Vec::new();
        if first.as_deref() == Some("eval") && depth < MAX_EVAL_DEPTH {
            let text: Result<Vec<String>, Unknown> = cmd.words[n_assign + 1..]
                .iter()
                .map(|w| expand_dry(pass.env, &w.raw))
                .collect();
            if let Ok(text) = text {
                subs = eval_script(&text.join(" "), cmd.line).commands;
            }
        }
        if let Some(a) = pass.assignments.as_deref_mut() {
            a.extend(found);
        }
        for c in &subs {
            self.read_only(pass, c, place, depth + 1);
        }
    }

    fn assign(
        &mut self,
        pass: &mut Pass<'_>,
        raw: &str,
        line: usize,
        origin: &Origin,
        file: &Rc<str>,
    ) {
        let Some((var, value)) = split_assignment(raw) else {
            return;
        };
        // `${OTHER:=x}` in the value assigns OTHER as well.
        let inner = defaults_in(value);
        if !inner.is_empty() && !self_default(var, value) {
            self.record_defaults(pass, &inner, line, origin);
        }
        let v = expand(pass.env, value, origin.clone());
        match &v {
            Ok(v) => pass.env.set(var, v.clone(), origin.clone()),
            Err(Unknown(why)) => pass.notes.push(Note {
                file: file.to_string(),
                line,
                text: format!("{var} left unchanged: {why}"),
            }),
        }
        let (after_load, via_eval) = (pass.saw_load.is_some(), pass.via_eval);
        if let Some(a) = pass.assignments.as_deref_mut() {
            let kind = if self_default(var, value) {
                AssignKind::Default
            } else {
                AssignKind::Plain
            };
            a.push(Assignment {
                var: var.to_string(),
                value: v.ok(),
                line,
                kind,
                after_load,
                place: Place::TopLevel,
                via_eval,
            });
        }
    }

    /// Record `${VAR:=x}` defaults (before the word is expanded).
    fn record_defaults(
        &mut self,
        pass: &mut Pass<'_>,
        defaults: &[(String, String)],
        line: usize,
        origin: &Origin,
    ) {
        let (after_load, via_eval) = (pass.saw_load.is_some(), pass.via_eval);
        let Some(a) = pass.assignments.as_deref_mut() else {
            return;
        };
        for (var, arg) in defaults {
            a.push(Assignment {
                var: var.clone(),
                value: expand(pass.env, arg, origin.clone()).ok(),
                line,
                kind: AssignKind::Default,
                after_load,
                place: Place::TopLevel,
                via_eval,
            });
        }
    }

    /// Expand an argument of `:` for its `${VAR:=x}` side effects.
    fn default_words(
        &mut self,
        pass: &mut Pass<'_>,
        raw: &str,
        line: usize,
        origin: &Origin,
        file: &Rc<str>,
    ) {
        // Record which variables this word defaults, for lint.
        if pass.assignments.is_some() {
            let d = defaults_in(raw);
            self.record_defaults(pass, &d, line, origin);
        }
        if let Err(Unknown(why)) = expand(pass.env, raw, origin.clone()) {
            pass.notes.push(Note {
                file: file.to_string(),
                line,
                text: format!("not fully evaluated: {why}"),
            });
        }
    }

    /// rc.subr's `load_rc_config NAME`: the global files, then the
    /// per-service files, into `env`.
    pub fn load_rc_config(&mut self, env: &mut Env, name: &str) {
        let mut notes = Vec::new();
        self.load_into(env, name, &mut notes);
        self.notes.extend(notes);
    }

    fn load_into(&mut self, env: &mut Env, name: &str, notes: &mut Vec<Note>) {
        // What load_rc_config reads is evaluated as it is parsed and not
        // kept: rc.conf and rc.conf.d grow with a host's services.
        let was = std::mem::replace(&mut self.transient, true);
        self.load_into_files(env, name, notes);
        self.transient = was;
    }

    fn load_into_files(&mut self, env: &mut Env, name: &str, notes: &mut Vec<Note>) {
        let global = match &self.global {
            Some(g) => g.clone(),
            None => {
                let mut g = Env {
                    misses: Some(RefCell::new(HashSet::new())),
                    ..Env::default()
                };
                self.load_global(&mut g, notes);
                let inputs = g.misses.take().map(RefCell::into_inner).unwrap_or_default();
                let g = Rc::new(Global {
                    vars: Rc::new(g.vars),
                    inputs,
                });
                self.global = Some(g.clone());
                g
            }
        };
        let independent = env.base.is_none()
            && env.misses.is_none()
            && !global
                .inputs
                .iter()
                .any(|i| env.vars.contains_key(i.as_str()));
        if independent {
            // Same result as evaluating the files again: the global
            // values win, everything else the script had set stays.
            env.vars.retain(|k| !global.vars.contains_key(k));
            env.base = Some(global.vars.clone());
        } else {
            self.load_global(env, notes);
        }
        self.load_service(env, name, notes);
    }

    /// `/etc/defaults/rc.conf` and the files of `rc_conf_files`.
    fn load_global(&mut self, env: &mut Env, notes: &mut Vec<Note>) {
        self.source_depth(env, Path::new("/etc/defaults/rc.conf"), notes, 0);
        // source_rc_confs: each file of rc_conf_files once, re-reading the
        // list after each file (a file may add to it), bounded.
        let mut done: Vec<String> = Vec::new();
        for _ in 0..32 {
            let list = env
                .get("rc_conf_files")
                .unwrap_or("/etc/rc.conf /etc/rc.conf.local")
                .to_string();
            let Some(next) = list
                .split_whitespace()
                .find(|f| !done.iter().any(|d| d == f))
                .map(str::to_string)
            else {
                break;
            };
            if next.starts_with('/') {
                self.source_depth(env, Path::new(&next), notes, 0);
            }
            done.push(next);
        }
    }

    /// `rc.conf.d/NAME` under /etc and LOCALBASE/etc: a file, or every
    /// file of a directory in glob order.
    fn load_service(&mut self, env: &mut Env, name: &str, notes: &mut Vec<Note>) {
        if name.is_empty() || name.contains('/') || name.starts_with('.') {
            return;
        }
        let dirs = [PathBuf::from("/etc"), self.localbase.join("etc")];
        for d in dirs {
            let host = d.join("rc.conf.d").join(name);
            let real = self.real(&host);
            if real.is_file() {
                self.source_depth(env, &host, notes, 0);
            } else if real.is_dir() {
                let mut files: Vec<String> = match std::fs::read_dir(&real) {
                    Ok(rd) => rd
                        .filter_map(|e| e.ok())
                        .filter(|e| e.path().is_file())
                        .filter_map(|e| e.file_name().into_string().ok())
                        .filter(|n| !n.starts_with('.'))
                        .collect(),
                    Err(e) => {
                        notes.push(Note {
                            file: host.display().to_string(),
                            line: 0,
                            text: format!("cannot read directory: {e}"),
                        });
                        Vec::new()
                    }
                };
                // The shell's glob order.
                files.sort();
                for f in files {
                    self.source_depth(env, &host.join(f), notes, 0);
                }
            }
        }
    }

    /// Evaluate an rc.d script given by its host path, loading rc.conf where
    /// it calls `load_rc_config`.  Returns `None` if the file is missing.
    pub fn read_script(&mut self, host: &Path) -> std::io::Result<RcScript> {
        let real = self.real(host);
        let text = std::fs::read(&real)?;
        let text = String::from_utf8_lossy(&text);
        let script = parse(&text);
        let mut rc = evaluate(script, host, self, true);
        rc.keywords = keywords(&text);
        Ok(rc)
    }
}

/// An rc.d script as rc.subr would see it after `load_rc_config`.
#[derive(Debug, Clone)]
pub struct RcScript {
    /// Host path of the script.
    pub path: String,
    /// The parsed text.
    pub script: Script,
    /// Variables after evaluating the whole script.
    pub env: Env,
    /// Every assignment the script itself makes, in order.
    pub assignments: Vec<Assignment>,
    /// Line of the first `load_rc_config` call.
    pub load_rc_config: Option<usize>,
    /// Line of the first `run_rc_command` call.
    pub run_rc_command: Option<usize>,
    /// Constructs of the script (or of rc.conf) that were skipped.
    pub notes: Vec<Note>,
    /// The words of its `# KEYWORD:` lines (rcorder(8)), with their line.
    pub keywords: Vec<(String, usize)>,
}

/// The words of the `# KEYWORD:` comment lines of an rc.d script, each
/// with its 1-based line.
pub fn keywords(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (n, l) in text.lines().enumerate() {
        let Some(rest) = l.trim_start().strip_prefix('#') else {
            continue;
        };
        if let Some(words) = rest.trim_start().strip_prefix("KEYWORD:") {
            out.extend(words.split_whitespace().map(|w| (w.to_string(), n + 1)));
        }
    }
    out
}

impl RcScript {
    /// `name=` of the script.
    pub fn name(&self) -> Option<&str> {
        self.env.get("name").filter(|n| !n.is_empty())
    }

    /// `rcvar=` of the script (`$(set_rcvar)` gives `${name}_enable`).
    pub fn rcvar(&self) -> Option<&str> {
        self.env.get("rcvar").filter(|n| !n.is_empty())
    }

    /// A variable of the script's evaluated environment.
    pub fn var(&self, var: &str) -> Option<&str> {
        self.env.get(var)
    }

    /// The script's `extra_commands`.
    pub fn extra_commands(&self) -> Vec<String> {
        self.env
            .get("extra_commands")
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    /// The function a method variable (`start_cmd`) names, when the script
    /// defines it.
    pub fn method_function(&self, var: &str) -> Option<&Function> {
        let v = self.env.get(var)?;
        let first = v.split_whitespace().next()?;
        self.script.functions.iter().find(|f| f.name == first)
    }
}

fn evaluate(script: Script, host: &Path, loader: &mut Loader, load_conf: bool) -> RcScript {
    let file: Rc<str> = host.display().to_string().into();
    let mut env = Env::new();
    let mut notes = Vec::new();
    let mut assignments = Vec::new();
    let mut pass = Pass {
        env: &mut env,
        notes: &mut notes,
        assignments: Some(&mut assignments),
        load_conf,
        saw_load: None,
        saw_run: None,
        via_eval: false,
    };
    loader.run(&script, &file, &mut pass, 0, true);
    let (load, run) = (pass.saw_load, pass.saw_run);
    RcScript {
        path: file.to_string(),
        script,
        env,
        assignments,
        load_rc_config: load,
        run_rc_command: run,
        notes,
        keywords: Vec::new(),
    }
}

/// Evaluate script text on its own, without any rc.conf (for lint).
pub fn read_script_text(path: &str, text: &str) -> RcScript {
    let script = parse(text);
    let mut loader = Loader::new(Path::new("/nonexistent"), Path::new("/usr/local"));
    let mut rc = evaluate(script, Path::new(path), &mut loader, false);
    rc.keywords = keywords(text);
    rc
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn the_compact_store_keeps_the_last_value_and_origin_of_each_name() {
        let a: Rc<str> = "/etc/rc.conf".into();
        let b: Rc<str> = "/etc/rc.conf.local".into();
        let mut v = Vars::default();
        let mut model: HashMap<String, (String, String)> = HashMap::new();
        // Enough names to grow the index several times, with names that
        // share prefixes, empty values, and every name set twice.
        for round in 0..2 {
            for i in 0..3000 {
                let name = format!("svc{i}_enable");
                let value = if i % 7 == 0 {
                    String::new()
                } else {
                    format!("v{round}-{i}")
                };
                let o = Origin::new(if round == 0 { &a } else { &b }, i + 1);
                v.insert(&name, &value, &o);
                model.insert(name, (value, o.to_string()));
            }
        }
        assert_eq!(v.recs.len(), 3000);
        assert!(
            v.slots.len() >= 2 * v.recs.len(),
            "the index is at most half full"
        );
        assert_eq!(v.files.len(), 2, "one copy of each file name");
        for (name, (value, origin)) in &model {
            let got = v.get(name).unwrap();
            assert_eq!(
                (got.value, got.origin.to_string()),
                (value.as_str(), origin.clone())
            );
            assert_eq!(v.value(name), Some(value.as_str()));
        }
        for missing in ["", "svc3000_enable", "svc1_enabl", "vc1_enable"] {
            assert!(!v.contains_key(missing), "{missing}");
            assert_eq!(v.value(missing), None);
        }
        v.retain(|n| n.ends_with("0_enable"));
        assert_eq!(v.recs.len(), 300);
        assert_eq!(v.value("svc10_enable"), Some("v1-10"));
        assert_eq!(v.value("svc11_enable"), None);
        assert_eq!(
            v.get("svc20_enable").unwrap().origin.to_string(),
            "/etc/rc.conf.local:21"
        );
    }

    #[test]
    fn an_environment_reads_its_own_variables_over_the_shared_base() {
        let f: Rc<str> = "/etc/rc.conf".into();
        let mut base = Vars::default();
        base.insert("a", "base", &Origin::new(&f, 1));
        base.insert("b", "base", &Origin::new(&f, 2));
        let mut env = Env {
            base: Some(Rc::new(base)),
            misses: Some(RefCell::new(HashSet::new())),
            ..Env::default()
        };
        env.set("b", "own".into(), Origin::new(&f, 9));
        assert_eq!(env.get("a"), Some("base"));
        assert_eq!(env.get("b"), Some("own"));
        assert_eq!(
            env.get_value("b").unwrap().origin.to_string(),
            "/etc/rc.conf:9"
        );
        assert_eq!(env.get("c"), None);
        assert_eq!(env.names(), ["a", "b"]);
        let misses = env.misses.take().unwrap().into_inner();
        assert_eq!(misses, HashSet::from(["c".to_string()]));
    }

    /// A long rc.conf-like text with every construct the parser tracks.
    fn long_text() -> String {
        let mut t = String::new();
        for i in 0..700 {
            t.push_str(&format!("svc{i}_enable=\"YES\" svc{i}_flags='-a {i}'\n"));
            match i % 50 {
                0 => t.push_str("if [ -f /etc/x ]; then\n\ta=1\n\tb=2\nfi\n"),
                10 => t.push_str("f() {\n\tc=3\n}\n"),
                20 => t.push_str("case $x in\na|b) d=4 ;;\n*) e=5 ;;\nesac\n"),
                30 => t.push_str("cat <<EOF\nnot=code\nEOF\n"),
                40 => t.push_str("[ -r /etc/inc ] && . /etc/inc\nx=\"$(echo hi)\" y=`true`\n"),
                _ => {}
            }
        }
        t
    }

    #[test]
    fn parsing_in_pieces_gives_the_whole_parse() {
        let text = long_text();
        let whole = parse(&text);
        for chunk in [1, 7, 256] {
            let mut commands = Vec::new();
            let mut functions = Vec::new();
            let mut pieces = 0;
            let mut seen = HashSet::new();
            parse_chunked(&text, chunk, |s| {
                pieces += 1;
                // Cut only between top-level commands: no compound
                // command spans two pieces.
                let ids: HashSet<(String, usize)> = s
                    .commands
                    .iter()
                    .filter_map(|c| c.compound.clone())
                    .collect();
                for id in ids {
                    assert!(seen.insert(id.clone()), "chunk {chunk}: {id:?} cut");
                }
                commands.extend(s.commands);
                functions.extend(s.functions);
            });
            assert!(pieces > 700 / chunk.max(1) / 2, "{chunk}: {pieces} pieces");
            assert_eq!(commands, whole.commands, "chunk {chunk}");
            assert_eq!(functions, whole.functions, "chunk {chunk}");
        }
    }

    #[test]
    fn a_file_evaluated_in_pieces_sets_what_the_whole_file_sets() {
        let root = std::env::temp_dir().join(format!("svcj-rcconf-chunks-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("etc")).unwrap();
        fs::write(root.join("etc/rc.conf"), long_text()).unwrap();
        fs::write(root.join("etc/inc"), "included=yes\n").unwrap();
        let run = |transient: bool| {
            let mut loader = Loader::new(&root, Path::new("/usr/local"));
            loader.transient = transient;
            let mut env = Env::new();
            assert!(loader.source(&mut env, Path::new("/etc/rc.conf")));
            assert_eq!(loader.cache.is_empty(), transient);
            let mut vars: Vec<(String, String, String)> = env
                .vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.value.to_string(), v.origin.to_string()))
                .collect();
            vars.sort();
            (vars, loader.notes)
        };
        let (whole, whole_notes) = run(false);
        let (pieces, piece_notes) = run(true);
        assert!(whole.iter().any(|(k, v, _)| k == "included" && v == "yes"));
        assert!(whole
            .iter()
            .any(|(k, _, o)| k == "svc699_flags" && o.starts_with("/etc/rc.conf:")));
        assert_eq!(whole, pieces);
        assert_eq!(whole_notes, piece_notes);
        fs::remove_dir_all(&root).unwrap();
    }

    fn eval(text: &str) -> (Env, Vec<Note>) {
        let script = parse(text);
        let mut loader = Loader::new(Path::new("/nonexistent"), Path::new("/usr/local"));
        let mut env = Env::new();
        let mut notes = Vec::new();
        let file: Rc<str> = "/etc/rc.conf".into();
        let mut pass = Pass {
            env: &mut env,
            notes: &mut notes,
            assignments: None,
            load_conf: false,
            saw_load: None,
            saw_run: None,
            via_eval: false,
        };
        loader.run(&script, &file, &mut pass, 0, false);
        (env, notes)
    }

    fn get(text: &str, var: &str) -> Option<String> {
        eval(text).0.get(var).map(str::to_string)
    }

    #[test]
    fn plain_assignments_and_quotes() {
        let (env, notes) = eval("a=1\nb=\"two words\"\nc='$a \\x'\nd=\"\\$a \\\"q\\\" \\x\"\n");
        assert_eq!(env.get("a"), Some("1"));
        assert_eq!(env.get("b"), Some("two words"));
        assert_eq!(env.get("c"), Some("$a \\x"));
        assert_eq!(env.get("d"), Some("$a \"q\" \\x"));
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn expansion_of_known_variables() {
        let t = "base=/usr/local\nx=\"$base/etc\"\ny=${base}/bin\nz=\"${nosuch}end\"\nw=a\\ b\n";
        let (env, _) = eval(t);
        assert_eq!(env.get("x"), Some("/usr/local/etc"));
        assert_eq!(env.get("y"), Some("/usr/local/bin"));
        assert_eq!(env.get("z"), Some("end"));
        assert_eq!(env.get("w"), Some("a b"));
    }

    #[test]
    fn defaults_forms() {
        let t = "set=YES\nempty=\n: ${set:=NO} ${empty:=\"d1\"} ${unset:=d2}\n: ${empty2=x}\n\
                 e2=\n: ${e2=kept}\nv=${gone:-fallback}\nu=${set:+alt}\n";
        let (env, _) = eval(t);
        assert_eq!(env.get("set"), Some("YES"));
        assert_eq!(env.get("empty"), Some("d1"));
        assert_eq!(env.get("unset"), Some("d2"));
        assert_eq!(env.get("empty2"), Some("x"));
        assert_eq!(env.get("e2"), Some(""));
        assert_eq!(env.get("v"), Some("fallback"));
        assert_eq!(env.get("u"), Some("alt"));
        assert_eq!(env.get("gone"), None);
    }

    #[test]
    fn comments_blank_lines_export_and_several_per_line() {
        let t = "# comment\n\n  a=1 b=2 # trailing\nexport c=3\nd=4; e=\"5#6\"\nexport a\n";
        let (env, notes) = eval(t);
        assert_eq!(env.get("a"), Some("1"));
        assert_eq!(env.get("b"), Some("2"));
        assert_eq!(env.get("c"), Some("3"));
        assert_eq!(env.get("d"), Some("4"));
        assert_eq!(env.get("e"), Some("5#6"));
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn line_continuations() {
        let t = "a=\"one \\\ntwo\"\nb=x\\\ny\nc=3\n";
        let (env, _) = eval(t);
        assert_eq!(env.get("a"), Some("one two"));
        assert_eq!(env.get("b"), Some("xy"));
        assert_eq!(env.get("c"), Some("3"));
        let s = parse(t);
        assert_eq!(s.commands[2].line, 5);
    }

    #[test]
    fn multi_line_double_quotes_keep_line_numbers() {
        let t = "a=\"one\ntwo\"\nb=1\n";
        let s = parse(t);
        assert_eq!(s.commands.len(), 2);
        assert_eq!(s.commands[1].line, 3);
        assert_eq!(get(t, "a").as_deref(), Some("one\ntwo"));
    }

    #[test]
    fn command_substitution_is_never_run() {
        let (env, notes) = eval("a=1\na=$(rm -rf /)\nb=`hostname`\nc=\"x$(id)\"\n");
        assert_eq!(env.get("a"), Some("1"));
        assert_eq!(env.get("b"), None);
        assert_eq!(env.get("c"), None);
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0]
            .text
            .contains("command substitution `rm -rf /` not run"));
        assert_eq!(notes[0].line, 2);
    }

    #[test]
    fn compound_commands_and_functions_are_skipped_with_a_note() {
        let t =
            "a=1\nif [ -f /x ]; then\n\ta=2\nfi\nf() {\n\ta=3\n}\ncase $a in\n1) a=4 ;;\nesac\n\
                 for i in 1 2; do a=5; done\nwhile false; do a=6; done\nb=7\nhostname foo\n";
        let (env, notes) = eval(t);
        assert_eq!(env.get("a"), Some("1"));
        assert_eq!(env.get("b"), Some("7"));
        let texts: Vec<String> = notes
            .iter()
            .map(|n| format!("{}:{}", n.line, n.text))
            .collect();
        assert_eq!(
            texts,
            vec![
                "2:`if` block skipped (not evaluated)",
                "5:function definition f() skipped",
                "8:`case` block skipped (not evaluated)",
                "11:`for` block skipped (not evaluated)",
                "12:`while` block skipped (not evaluated)",
                "14:command `hostname` not run",
            ]
        );
    }

    #[test]
    fn parser_tracks_functions_and_depth() {
        let t = "foo_start()\n{\n\tif true; then\n\t\tkldload x\n\tfi\n\tcase $1 in\n\ta|b) pgrep y ;;\n\t*) ;;\n\tesac\n}\nz=1\n";
        let s = parse(t);
        let cmds: Vec<(String, usize, Option<String>, usize)> = s
            .commands
            .iter()
            .map(|c| (c.words[0].raw.clone(), c.depth, c.function.clone(), c.line))
            .collect();
        assert_eq!(
            cmds,
            vec![
                ("true".into(), 2, Some("foo_start".into()), 3),
                ("kldload".into(), 2, Some("foo_start".into()), 4),
                // The subject of `case`, as the argument of `:`.
                (":".into(), 2, Some("foo_start".into()), 6),
                ("pgrep".into(), 2, Some("foo_start".into()), 7),
                ("z=1".into(), 0, None, 11),
            ]
        );
        assert_eq!(s.functions[0].name, "foo_start");
    }

    #[test]
    fn redirections_and_heredocs() {
        let t = "cat >/tmp/x 2>&1 <<EOF\nnot=parsed\nEOF\nb=1\necho hi > /dev/null\n";
        let s = parse(t);
        assert_eq!(s.commands.len(), 3);
        assert_eq!(s.commands[0].words.len(), 1);
        assert_eq!(s.commands[0].redirects[0].raw, "/tmp/x");
        assert_eq!(s.commands[1].words[0].raw, "b=1");
        assert_eq!(s.commands[1].line, 4);
        assert_eq!(s.commands[2].redirects[0].raw, "/dev/null");
    }

    #[test]
    fn conditional_commands_are_not_evaluated() {
        let (env, notes) = eval("a=1\n[ -z \"$a\" ] && a=2\ntrue || b=3\nc=4 | cat\n");
        assert_eq!(env.get("a"), Some("1"));
        assert_eq!(env.get("b"), None);
        assert_eq!(env.get("c"), None);
        let texts: Vec<&str> = notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "command `[` not run",
                "`a=2` after `&&` skipped (conditional, not evaluated)",
                "`b=3` after `||` skipped (conditional, not evaluated)",
                "`c=4` in a pipeline skipped (a subshell, not evaluated)",
                "`cat` in a pipeline skipped (a subshell, not evaluated)",
            ]
        );
    }

    #[test]
    fn guarded_includes_are_read_when_the_file_exists() {
        let root = tree(&[
            (
                "/etc/rc.conf",
                "[ -r /etc/a.conf ] && . /etc/a.conf\n[ -f \"/etc/none\" ] && . \"/etc/none\"\n\
                 [ -r /etc/a.conf ] && . /etc/other.conf\n",
            ),
            ("/etc/a.conf", "a=1\n"),
            ("/etc/other.conf", "o=1\n"),
        ]);
        let mut l = Loader::new(&root, Path::new("/usr/local"));
        let mut env = Env::new();
        l.load_rc_config(&mut env, "x");
        assert_eq!(env.get("a"), Some("1"));
        assert_eq!(
            env.get("o"),
            None,
            "a different file than the test is not read"
        );
        let texts: Vec<String> = l
            .notes
            .iter()
            .map(|n| format!("{}:{}", n.line, n.text))
            .collect();
        assert_eq!(
            texts,
            vec![
                "1:command `[` not run",
                "2:command `[` not run",
                "3:`.` after `&&` skipped (conditional, not evaluated)",
                "3:command `[` not run",
            ]
        );
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn set_rcvar_forms() {
        let s = read_script_text(
            "/x",
            "name=foo\nrcvar=$(set_rcvar)\nr2=`set_rcvar bar`\nr3=${name}_enable\n",
        );
        assert_eq!(s.rcvar(), Some("foo_enable"));
        assert_eq!(s.var("r2"), Some("bar_enable"));
        assert_eq!(s.var("r3"), Some("foo_enable"));
    }

    #[test]
    fn prefix_assignments_are_temporary() {
        let (env, _) = eval("a=1 true\n");
        assert_eq!(env.get("a"), None);
    }

    #[test]
    fn pattern_removal() {
        let (env, _) = eval("d=/usr/local/etc/rc.d\ne=${d%/rc.d}\nf=${d##*/}\ng=${d#/usr}\n");
        assert_eq!(env.get("e"), Some("/usr/local/etc"));
        assert_eq!(env.get("f"), Some("rc.d"));
        assert_eq!(env.get("g"), Some("/local/etc/rc.d"));
    }

    #[test]
    fn yes_no_values() {
        for v in ["YES", "yes", "Yes", "TRUE", "on", "1"] {
            assert_eq!(yes_no(v), Some(true), "{v}");
        }
        for v in ["NO", "no", "False", "OFF", "0"] {
            assert_eq!(yes_no(v), Some(false), "{v}");
        }
        for v in ["", "YES ", "enable", "y", "2"] {
            assert_eq!(yes_no(v), None, "{v}");
        }
    }

    fn tree(files: &[(&str, &str)]) -> PathBuf {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "svcj-rcconf-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        for (p, t) in files {
            let real = under_root(&dir, Path::new(p));
            fs::create_dir_all(real.parent().unwrap()).unwrap();
            fs::write(real, t).unwrap();
        }
        dir
    }

    #[test]
    fn load_order_and_script_defaults() {
        let root = tree(&[
            ("/etc/defaults/rc.conf", "foo_enable=\"NO\"\nfoo_flags=d\nrc_conf_files=\"/etc/rc.conf /etc/rc.conf.local\"\n"),
            ("/etc/rc.conf", "foo_enable=YES\nfoo_flags=rc\n. /etc/extra.conf\n"),
            ("/etc/extra.conf", "inc=1\n"),
            ("/etc/rc.conf.local", "foo_flags=\"${foo_flags}+local\"\n"),
            ("/etc/rc.conf.d/foo", "foo_svcj=YES\n"),
            ("/usr/local/etc/rc.conf.d/foo/b", "foo_svcj_options=\"$foo_svcj_options b\"\n"),
            ("/usr/local/etc/rc.conf.d/foo/a", "foo_svcj_options=a\n"),
            (
                "/usr/local/etc/rc.d/foo",
                "#!/bin/sh\n. /etc/rc.subr\nname=foo\nrcvar=$(set_rcvar)\nload_rc_config $name\n\
                 : ${foo_enable:=\"NO\"}\n: ${foo_svcj_options:=\"net_basic\"}\n: ${foo_svcj_ipaddrs:=\"192.0.2.1\"}\n\
                 command=/usr/local/sbin/food\nrun_rc_command \"$1\"\n",
            ),
        ]);
        let mut l = Loader::new(&root, Path::new("/usr/local"));
        let s = l.read_script(Path::new("/usr/local/etc/rc.d/foo")).unwrap();
        assert_eq!(s.name(), Some("foo"));
        assert_eq!(s.rcvar(), Some("foo_enable"));
        assert_eq!(s.var("foo_enable"), Some("YES"));
        assert_eq!(s.var("foo_flags"), Some("rc+local"));
        assert_eq!(s.var("inc"), Some("1"));
        assert_eq!(s.var("foo_svcj"), Some("YES"));
        assert_eq!(s.var("foo_svcj_options"), Some("a b"));
        assert_eq!(
            s.env
                .get_value("foo_svcj_options")
                .unwrap()
                .origin
                .to_string(),
            "/usr/local/etc/rc.conf.d/foo/b:1"
        );
        assert_eq!(s.var("foo_svcj_ipaddrs"), Some("192.0.2.1"));
        assert_eq!(s.load_rc_config, Some(5));
        assert_eq!(s.run_rc_command, Some(10));
        assert!(l.notes.is_empty(), "{:?}", l.notes);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn shared_global_result_matches_a_real_evaluation() {
        let script = |n: &str, pre: &str| {
            format!("name={n}\n{pre}load_rc_config $name\n: ${{x:=unset}}\nrun_rc_command \"$1\"\n")
        };
        let root = tree(&[
            (
                "/etc/rc.conf",
                "x=\"${pre}-conf\"\ny=${y:-conf}\nkeep=conf\n",
            ),
            ("/etc/rc.d/a", &script("a", "pre=1\n")),
            ("/etc/rc.d/b", &script("b", "keep=script\n")),
            ("/etc/rc.d/c", &script("c", "y=script\n")),
        ]);
        for order in [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]] {
            let mut l = Loader::new(&root, Path::new("/usr/local"));
            for n in order {
                let s = l.read_script(&Path::new("/etc/rc.d").join(n)).unwrap();
                let got = (s.var("x"), s.var("y"), s.var("keep"));
                let want = match n {
                    "a" => (Some("1-conf"), Some("conf"), Some("conf")),
                    "b" => (Some("-conf"), Some("conf"), Some("conf")),
                    _ => (Some("-conf"), Some("script"), Some("conf")),
                };
                assert_eq!(got, want, "{n} in {order:?}");
            }
        }
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn rcconf_d_file_and_missing_defaults() {
        let root = tree(&[
            ("/etc/rc.conf", "bar_enable=NO\n"),
            ("/etc/rc.conf.local", "bar_enable=YES\n"),
            ("/etc/rc.conf.d/bar", "bar_svcj_options=netv4\n"),
            (
                "/etc/rc.d/bar",
                "name=\"bar\"\nrcvar=\"${name}_enable\"\nbar_svcj_options=early\nload_rc_config $name\nrun_rc_command \"$1\"\n",
            ),
        ]);
        let mut l = Loader::new(&root, Path::new("/usr/local"));
        let s = l.read_script(Path::new("/etc/rc.d/bar")).unwrap();
        assert_eq!(s.rcvar(), Some("bar_enable"));
        assert_eq!(s.var("bar_enable"), Some("YES"));
        assert_eq!(s.var("bar_svcj_options"), Some("netv4"));
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn script_assignments_are_recorded() {
        let s = read_script_text(
            "/x",
            "name=foo\nload_rc_config $name\n: ${foo_svcj_options:=\"net_basic mlock\"}\nfoo_svcj=YES\nrun_rc_command \"$1\"\n",
        );
        let a: Vec<(&str, Option<&str>, usize, AssignKind, bool)> = s
            .assignments
            .iter()
            .map(|a| {
                (
                    a.var.as_str(),
                    a.value.as_deref(),
                    a.line,
                    a.kind,
                    a.after_load,
                )
            })
            .collect();
        assert_eq!(
            a,
            vec![
                ("name", Some("foo"), 1, AssignKind::Plain, false),
                (
                    "foo_svcj_options",
                    Some("net_basic mlock"),
                    3,
                    AssignKind::Default,
                    true
                ),
                ("foo_svcj", Some("YES"), 4, AssignKind::Plain, true),
            ]
        );
    }

    #[test]
    fn placeholder_names() {
        assert!(is_name("%%NAME%%_svcj_options"));
        assert!(is_name("%%NAME%%"));
        assert!(!is_name("%%name%%_x"), "placeholders are upper case");
        assert!(!is_name("a%b"));
        assert_eq!(name_len("x%%.*"), 1, "`${{x%%.*}}` is a pattern removal");
        let s = read_script_text(
            "/x",
            "name=\"%%NAME%%\"\n: ${%%NAME%%_svcj_options:=\"mlock\"}\n%%NAME%%_svcj=YES\n",
        );
        assert_eq!(s.var("%%NAME%%_svcj_options"), Some("mlock"));
        assert_eq!(s.var("%%NAME%%_svcj"), Some("YES"));
        assert_eq!(get("d=a.b.c\ne=${d%%.*}\n", "e").as_deref(), Some("a"));
    }

    #[test]
    fn default_idioms_are_evaluated_as_defaults() {
        let t = "name=foo\nfoo_a=admin\nload_rc_config $name\n\
                 foo_a=${foo_a:-\"script\"}\nfoo_b=\"${foo_b:-script}\"\n\
                 [ -z \"$foo_a\" ] && foo_a=no\n[ -z \"$foo_c\" ] && foo_c=c\n\
                 [ -n \"$foo_d\" ] || foo_d=d\n\
                 if [ -z \"${foo_e}\" ]; then\n\tfoo_e=e\nfi\n\
                 if [ -z \"$foo_a\" ]; then\n\tfoo_a=no2\nfi\n\
                 if [ -z \"$foo_f\" ]; then\n\tfoo_f=f\nelse\n\tfoo_f=g\nfi\n\
                 eval \": \\${${name}_g:=\\\"gg\\\"}\"\nrun_rc_command \"$1\"\n";
        let s = read_script_text("/x", t);
        assert_eq!(s.var("foo_a"), Some("admin"));
        assert_eq!(s.var("foo_b"), Some("script"));
        assert_eq!(s.var("foo_c"), Some("c"));
        assert_eq!(s.var("foo_d"), Some("d"));
        assert_eq!(s.var("foo_e"), Some("e"));
        assert_eq!(s.var("foo_f"), None, "an if with else is not a default");
        assert_eq!(s.var("foo_g"), Some("gg"));
        let kinds: Vec<(&str, AssignKind, Place, bool)> = s
            .assignments
            .iter()
            .filter(|a| a.var != "name")
            .map(|a| (a.var.as_str(), a.kind, a.place, a.via_eval))
            .collect();
        use AssignKind::*;
        use Place::*;
        assert_eq!(
            kinds,
            vec![
                ("foo_a", Plain, TopLevel, false),
                ("foo_a", Default, TopLevel, false),
                ("foo_b", Default, TopLevel, false),
                ("foo_a", Default, TopLevel, false),
                ("foo_c", Default, TopLevel, false),
                ("foo_d", Default, TopLevel, false),
                ("foo_e", Default, TopLevel, false),
                ("foo_a", Default, TopLevel, false),
                ("foo_f", Plain, Conditional, false),
                ("foo_f", Plain, Conditional, false),
                ("foo_g", Default, TopLevel, true),
            ]
        );
    }

    #[test]
    fn unevaluated_code_is_read_for_assignments() {
        let t = "name=foo\nf()\n{\n\tfoo_svcj=YES\n\tlocal foo_x=1\n}\n\
                 true && eval \"${name}_svcj_options=mlock\"\nx=${foo_y:=yy}\n\
                 run_rc_command \"$1\"\n";
        let s = read_script_text("/x", t);
        let got: Vec<(&str, Option<&str>, Place, bool, usize)> = s
            .assignments
            .iter()
            .map(|a| {
                (
                    a.var.as_str(),
                    a.value.as_deref(),
                    a.place,
                    a.via_eval,
                    a.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("name", Some("foo"), Place::TopLevel, false, 1),
                ("foo_svcj", Some("YES"), Place::Function, false, 4),
                (
                    "foo_svcj_options",
                    Some("mlock"),
                    Place::Conditional,
                    true,
                    7
                ),
                ("foo_y", Some("yy"), Place::TopLevel, false, 8),
                ("x", Some("yy"), Place::TopLevel, false, 8),
            ]
        );
        assert_eq!(s.var("foo_svcj"), None, "never evaluated");
        assert_eq!(s.var("foo_y"), Some("yy"));
    }

    #[test]
    fn keyword_lines() {
        let k = keywords("#!/bin/sh\n# PROVIDE: x\n# KEYWORD: nojail shutdown\n#KEYWORD: y\n");
        assert_eq!(
            k,
            vec![
                ("nojail".to_string(), 3),
                ("shutdown".to_string(), 3),
                ("y".to_string(), 4)
            ]
        );
    }

    #[test]
    fn includes_never_escape_the_root() {
        assert_eq!(
            under_root(Path::new("/r"), Path::new("/../../etc/passwd")),
            PathBuf::from("/r/etc/passwd")
        );
    }

    #[test]
    fn include_loop_is_bounded() {
        let root = tree(&[("/etc/rc.conf", "n=\"${n}x\"\n. /etc/rc.conf\n")]);
        let mut l = Loader::new(&root, Path::new("/usr/local"));
        let mut env = Env::new();
        l.load_rc_config(&mut env, "x");
        assert_eq!(env.get("n").map(str::len), Some(MAX_INCLUDE_DEPTH + 1));
        assert!(l.notes.iter().any(|n| n.text.contains("nested too deep")));
        fs::remove_dir_all(root).unwrap();
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// Deterministic pseudo-random snippets of tricky shell: nothing may
    /// panic, whatever the input.
    #[test]
    fn no_panic_on_arbitrary_input() {
        let atoms = [
            "a=",
            "b",
            "\"",
            "'",
            "\\",
            "$",
            "${",
            "}",
            "$(",
            ")",
            "(",
            "`",
            ":-",
            ":=",
            "#",
            "%",
            "é",
            "\\é",
            "€",
            "\n",
            " ",
            ";",
            ";;",
            "&",
            "|",
            "<<",
            "EOF",
            "case",
            "in",
            "esac",
            "if",
            "then",
            "fi",
            "f()",
            "{",
            "load_rc_config",
            "run_rc_command",
            ".",
            "/etc/rc.conf",
            "${x:=",
            "$((",
            "2>&1",
            ">",
            "-",
            "=",
            "name=",
            "rcvar=",
            "\\\n",
            "\t",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20000 {
            let mut text = String::new();
            let n = (seed % 40) as usize;
            for _ in 0..n {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(atoms[(seed % atoms.len() as u64) as usize]);
            }
            let s = read_script_text("/x", &text);
            let _ = crate::check::lint::lint_text("/x", &text);
            let _ = s.name();
        }
    }

    #[test]
    fn multibyte_characters_after_escapes_and_at_ends() {
        for t in [
            "a=\\é",
            "a=\"\\é\"",
            "a=${b:-é",
            "a=${é}",
            ": ${a:=é",
            "a='é",
            "a=$(é",
            "a=`é",
        ] {
            let s = read_script_text("/x", t);
            let _ = s.var("a");
        }
        assert_eq!(read_script_text("/x", "a=\\éb\n").var("a"), Some("éb"));
    }
}
