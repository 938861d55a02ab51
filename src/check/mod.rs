//! The jobs of `svcj-check`, one module per subcommand.
//!
//! Each module computes a report as plain data (testable with the fake
//! platform and fixture trees), renders it for humans within 80 columns,
//! and serialises it for `--json`; the binary only parses arguments,
//! prints and exits.  Nothing here creates or changes a jail.

pub mod audit;
pub mod exempt;
pub mod lint;
pub mod options;
pub mod preflight;
pub mod status;

/// Width human output must fit in.
pub const WIDTH: usize = 80;

/// Lay out `words` after `first` (a label), continuing on lines indented
/// by `indent` spaces, so that no line exceeds [`WIDTH`] unless a single
/// word is longer than a whole line.
pub fn wrap_words<S: AsRef<str>>(first: &str, words: &[S], indent: usize) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let pad = " ".repeat(indent);
    let mut line_has_word = false;
    for w in words {
        let w = w.as_ref();
        let sep = if line_has_word || !line.is_empty() && !line.ends_with(' ') {
            " "
        } else {
            ""
        };
        if !line.trim().is_empty() && line.len() + sep.len() + w.len() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = pad.clone();
            line.push_str(w);
        } else {
            line.push_str(sep);
            line.push_str(w);
        }
        line_has_word = true;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_80_columns() {
        let words: Vec<String> = (0..40).map(|i| format!("allow.word{i}")).collect();
        let text = wrap_words("parameters:", &words, 4);
        for l in text.lines() {
            assert!(l.len() <= WIDTH, "{l:?}");
        }
        assert!(text.lines().count() > 1);
        assert!(text.lines().nth(1).unwrap().starts_with("    allow."));
        let joined: Vec<&str> = text.split_whitespace().skip(1).collect();
        assert_eq!(joined, words.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        assert_eq!(wrap_words("x:", &["a", "b"], 2), "x: a b\n");
        assert_eq!(wrap_words("x:", &[] as &[&str], 2), "x:\n");
        let long_label = "l".repeat(75);
        let t = wrap_words(&long_label, &["abcdefgh"], 2);
        assert_eq!(t, format!("{long_label}\n  abcdefgh\n"));
    }
}
