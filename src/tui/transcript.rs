//! A pane's scrollback: typed lines and outcomes, bounded in length, with long
//! values shortened and every control character escaped before it is stored,
//! so that nothing a peer sends can reach the terminal.

use std::collections::VecDeque;

use unicode_width::UnicodeWidthStr;

/// How many lines a pane keeps; older ones are dropped.
pub const MAX_LINES: usize = 100_000;

/// Values whose repr is longer than this are shortened on screen.
const LONG_REPR: usize = 400;
/// How much of a shortened repr is kept.
const KEEP: usize = 200;

/// What a transcript line is, which decides its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `>>> statement` as typed.
    Input,
    /// `= python form` of a short form.
    Expanded,
    /// A value's repr.
    Value,
    /// `None`, dimmed.
    NoneValue,
    /// An exception line.
    Error,
    /// A one-line explanation, shown when explanations are on.
    Why,
    /// Text that `print` wrote.
    Printed,
    /// A message of the interface itself.
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub kind: Kind,
    pub text: String,
    /// Display width in columns, computed once.
    pub width: usize,
}

/// The bounded scrollback of one pane.
#[derive(Debug, Default)]
pub struct Transcript {
    lines: VecDeque<Line>,
}

/// Escapes control characters (and other unprintable ones) as Python would in
/// a str repr, so the text can go to the terminal as it is.
pub fn escape(text: &str) -> String {
    crate::runner::escape_controls(text).replace('\n', "\\n")
}

/// Counts the bytes a bytes repr stands for (`b'a\x00\n'` is 3).
fn bytes_in_repr(repr: &str) -> Option<usize> {
    let body = repr
        .strip_prefix("b'")
        .or_else(|| repr.strip_prefix("b\""))?;
    let body = &body[..body.len().checked_sub(1)?];
    let mut n = 0;
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.next()? == 'x' {
            chars.next()?;
            chars.next()?;
        }
        n += 1;
    }
    Some(n)
}

/// Groups digits by thousands: 5000000 → `5,000,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Shortens a long repr for the screen: `b'xxxx...' (5,000,000 bytes)`.
pub fn shorten(repr: &str) -> String {
    if repr.len() <= LONG_REPR {
        return repr.to_string();
    }
    let mut cut = KEEP;
    while !repr.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &repr[..cut];
    let size = match bytes_in_repr(repr) {
        Some(n) => format!("{} bytes", thousands(n)),
        None => format!("{} characters", thousands(repr.chars().count())),
    };
    let quote = if repr.starts_with("b\"") || repr.starts_with('"') {
        "\""
    } else if repr.starts_with("b'") || repr.starts_with('\'') {
        "'"
    } else {
        ""
    };
    format!("{head}...{quote} ({size})")
}

impl Transcript {
    pub fn push(&mut self, kind: Kind, text: &str) {
        let text = escape(text);
        let width = text.width();
        if self.lines.len() >= MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(Line { kind, text, width });
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The lines that fill `rows` rows of `width` columns, ending `scroll`
    /// lines above the last one, oldest first; `show` filters lines out
    /// (explanations that are off). Walks back only as far as the screen needs.
    pub fn tail(
        &self,
        rows: usize,
        width: usize,
        scroll: usize,
        show: impl Fn(&Line) -> bool,
    ) -> Vec<&Line> {
        let width = width.max(1);
        let end = self.lines.len().saturating_sub(scroll);
        let mut out = Vec::new();
        let mut used = 0;
        for line in self.lines.range(..end).rev() {
            if used >= rows {
                break;
            }
            if !show(line) {
                continue;
            }
            used += line.width.div_ceil(width).max(1);
            out.push(line);
        }
        out.reverse();
        out
    }

    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_shortened_with_its_size() {
        let repr = crate::value::repr::bytes_repr(&vec![b'x'; 5_000_000]);
        let short = shorten(&repr);
        assert!(short.starts_with("b'xxxx"));
        assert!(short.ends_with("...' (5,000,000 bytes)"), "{short}");
        assert!(short.len() < 250);
        let mixed = crate::value::repr::bytes_repr(&[0u8, 10, 200].repeat(1000));
        assert!(
            shorten(&mixed).ends_with("(3,000 bytes)"),
            "{}",
            shorten(&mixed)
        );
        assert_eq!(shorten("b'short'"), "b'short'");
    }

    #[test]
    fn control_characters_never_reach_the_screen() {
        let mut t = Transcript::default();
        t.push(Kind::Printed, "\x1b[2J\x07bell\r\nnext");
        let line = t.lines().next().expect("one line");
        assert_eq!(line.text, "\\x1b[2J\\x07bell\\r\\nnext");
        assert!(!line.text.chars().any(|c| c.is_control()));
    }

    #[test]
    fn scrollback_is_bounded_and_the_tail_is_what_fits() {
        let mut t = Transcript::default();
        for i in 0..MAX_LINES + 10 {
            t.push(Kind::Value, &i.to_string());
        }
        assert_eq!(t.len(), MAX_LINES);
        let tail = t.tail(3, 80, 0, |_| true);
        let texts: Vec<&str> = tail.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["100007", "100008", "100009"]);
        let tail = t.tail(2, 80, 5, |_| true);
        assert_eq!(tail.last().map(|l| l.text.as_str()), Some("100004"));
    }
}
