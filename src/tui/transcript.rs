//! A pane's scrollback: typed lines and outcomes, bounded in length, with long
//! values shortened and every control character escaped before it is stored,
//! so that nothing a peer sends can reach the terminal.

use std::collections::VecDeque;

use unicode_width::UnicodeWidthStr;

/// How many lines a pane keeps; older ones are dropped.
pub const MAX_LINES: usize = 100_000;

pub use crate::display::{Kind, escape, shorten};

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub kind: Kind,
    pub text: String,
    /// Display width in columns, computed once.
    pub width: usize,
    /// For a bytes value, its hex view (`:hex`): offset, 16 bytes in hex,
    /// the same as ASCII, one row each.
    pub hex: Option<Vec<String>>,
}

impl Line {
    /// What the line shows: its text, or its hex rows in the hex view.
    pub fn shown(&self, hex: bool) -> Vec<&str> {
        match (&self.hex, hex) {
            (Some(rows), true) => rows.iter().map(String::as_str).collect(),
            _ => vec![self.text.as_str()],
        }
    }

    /// The screen rows it takes at `width` columns, wrapped as `wrap_columns`
    /// wraps it (a line that fits is one row, without wrapping it).
    pub fn rows(&self, width: usize, hex: bool) -> usize {
        let rows = |text: &str, w: usize| {
            if w <= width {
                1
            } else {
                wrap_columns(text, width).len()
            }
        };
        match (&self.hex, hex) {
            (Some(hex_rows), true) => hex_rows.iter().map(|r| rows(r, r.width())).sum(),
            _ => rows(&self.text, self.width),
        }
    }
}

/// `text` cut into rows of at most `width` display columns: after the last
/// space that fits, or, in a word longer than the row, where the row ends.
/// `Line::rows` counts the same rows (an empty text is one empty row).
pub fn wrap_columns(text: &str, width: usize) -> Vec<&str> {
    let width = width.max(1);
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut used = 0;
    // The byte just after the last space in the row being filled.
    let mut after_space = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width && used > 0 {
            let cut = after_space.filter(|&a| a > start).unwrap_or(i);
            pieces.push(&text[start..cut]);
            start = cut;
            used = text[cut..i].width();
            after_space = None;
        }
        used += w;
        if c == ' ' {
            after_space = Some(chars.peek().map_or(text.len(), |(j, _)| *j));
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// The bounded scrollback of one pane.
#[derive(Debug, Default)]
pub struct Transcript {
    lines: VecDeque<Line>,
    /// Bytes values show as hex rows (`:hex`).
    hex: bool,
}

impl Transcript {
    pub fn push(&mut self, kind: Kind, text: &str) {
        let text = escape(text);
        let width = text.width();
        // A whole bytes value (a shortened one stays folded) gets a hex view.
        let hex = crate::display::hex_view(kind, &text);
        if self.lines.len() >= MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(Line {
            kind,
            text,
            width,
            hex,
        });
    }

    /// Shows bytes values as hex rows, or as their reprs.
    pub fn set_hex(&mut self, on: bool) {
        self.hex = on;
    }

    pub fn hex(&self) -> bool {
        self.hex
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
            used += line.rows(width, self.hex);
            out.push(line);
        }
        out.reverse();
        out
    }

    /// The most lines the view may be scrolled up: then the first line is at
    /// the top of `rows` rows of `width` columns, and no empty rows show
    /// above it. 0 when everything fits.
    pub fn max_scroll(&self, rows: usize, width: usize, show: impl Fn(&Line) -> bool) -> usize {
        let width = width.max(1);
        let mut used = 0;
        for (taken, line) in self.lines.iter().enumerate() {
            if used >= rows {
                return self.lines.len() - taken;
            }
            if show(line) {
                used += line.rows(width, self.hex);
            }
        }
        0
    }

    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_takes_the_rows_that_are_counted() {
        for (text, width) in [
            ("", 5),
            ("abc", 5),
            ("abcdef", 3),
            ("abcdefg", 3),
            ("日本語", 4),
            ("family=2, type=1, proto=0>", 12),
            ("a  b", 2),
        ] {
            let pieces = wrap_columns(text, width);
            let line = Line {
                kind: Kind::Value,
                text: text.to_string(),
                width: text.width(),
                hex: None,
            };
            assert_eq!(pieces.len(), line.rows(width, false), "{text:?} at {width}");
            assert_eq!(pieces.concat(), text);
            assert!(pieces.iter().all(|p| p.width() <= width));
        }
    }

    #[test]
    fn scrolling_stops_when_the_first_line_is_at_the_top() {
        let mut t = Transcript::default();
        for i in 0..10 {
            t.push(Kind::Value, &format!("line {i}"));
        }
        // 4 rows show lines 6..10; scrolled 6 up, lines 0..4: the top.
        assert_eq!(t.max_scroll(4, 20, |_| true), 6);
        let top: Vec<&str> = t
            .tail(4, 20, 6, |_| true)
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(top, ["line 0", "line 1", "line 2", "line 3"]);
        assert_eq!(t.max_scroll(40, 20, |_| true), 0, "all of it fits");
        // A line of 25 columns takes two rows of 20.
        t.push(Kind::Value, &"x".repeat(25));
        assert_eq!(t.max_scroll(4, 20, |_| true), 7);
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
