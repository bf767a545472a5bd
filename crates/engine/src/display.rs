//! How a finished step reads as lines of text for people, for every front end
//! (the interface's panes, the line-mode REPL): what `print` wrote, then the
//! value or the exception, long ones shortened, then the one-line why. Every
//! control character is escaped, so nothing a peer sends reaches a terminal.
//! It does not handle colours or layout: those belong to each front end.

use crate::explain::{Explanation, explain};
use crate::net::facts::CallFacts;
use crate::outcome::Outcome;

/// Values whose repr is longer than this are shortened on screen.
const LONG_REPR: usize = 400;
/// How much of a shortened repr is kept.
const KEEP: usize = 200;

/// What a shown line is, which decides its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `>>> statement` as typed.
    Input,
    /// `= python form` of a short form.
    Expanded,
    /// A value's repr.
    Value,
    /// The value an assignment bound, which Python's REPL does not show:
    /// sockplay's addition, marked `= value` and dimmed.
    Assigned,
    /// An exception line.
    Error,
    /// A one-line explanation, shown when explanations are on.
    Why,
    /// Text that `print` wrote.
    Printed,
    /// A message of the front end itself.
    Info,
}

/// Makes text safe for a terminal: control characters are shown escaped.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\n' || crate::value::repr::is_printable(c) {
            out.push(c);
        } else {
            let r = crate::value::repr::str_repr(&c.to_string());
            out.push_str(&r[1..r.len() - 1]);
        }
    }
    out
}

/// Escapes control characters (and other unprintable ones) as Python would in
/// a str repr, so the text can go to the terminal as it is.
pub fn escape(text: &str) -> String {
    escape_controls(text).replace('\n', "\\n")
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

/// The rows of a hex view: `0000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 ff  |Hello world...|`.
pub fn hex_rows(data: &[u8]) -> Vec<String> {
    data.chunks(16)
        .enumerate()
        .map(|(i, chunk)| {
            let mut hex = String::new();
            for (j, b) in chunk.iter().enumerate() {
                if j == 8 {
                    hex.push(' ');
                }
                hex.push_str(&format!("{b:02x} "));
            }
            let ascii: String = chunk
                .iter()
                .map(|&b| {
                    if (0x20..=0x7e).contains(&b) {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:04x}  {hex:<49} |{ascii}|", i * 16)
        })
        .collect()
}

/// The hex view of an outcome line (`:hex`), when it shows a whole bytes
/// value: its hex rows, an assignment's marked `= ` as its line is. None for
/// any other line, and for a value shortened to its length (it stays folded).
pub fn hex_view(kind: Kind, text: &str) -> Option<Vec<String>> {
    let (marker, repr) = match kind {
        Kind::Value => ("", text),
        Kind::Assigned => ("= ", text.strip_prefix("= ")?),
        _ => return None,
    };
    let bytes = crate::value::repr::bytes_of_repr(repr).filter(|b| !b.is_empty())?;
    let pad = " ".repeat(marker.len());
    Some(
        hex_rows(&bytes)
            .into_iter()
            .enumerate()
            .map(|(i, row)| format!("{}{row}", if i == 0 { marker } else { &pad }))
            .collect(),
    )
}

/// Groups digits by thousands: 5000000 → `5,000,000`.
pub fn thousands(n: usize) -> String {
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

/// A finished step as lines to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// What `print` wrote, then the value or the exception, then `why: ...`
    /// when there is an explanation; texts are escaped and shortened.
    pub lines: Vec<(Kind, String)>,
    /// The explanation of the outcome, for `:explain`.
    pub why: Option<Explanation>,
}

/// The lines of a finished step, as Python's REPL shows them: `input` is its
/// Python form, `facts` those of the last socket call it made. An expression
/// whose value is None shows nothing, as in Python's REPL; the value an
/// assignment bound (`assigned`), which Python's REPL does not show, is
/// shown marked as sockplay's addition: `= value`.
pub fn finished(
    input: &str,
    outcome: &Outcome,
    stdout: &str,
    closed: &[String],
    facts: Option<&CallFacts>,
    assigned: bool,
    line: Option<usize>,
) -> Shown {
    let mut lines: Vec<(Kind, String)> = stdout
        .lines()
        .map(|printed| (Kind::Printed, escape(printed)))
        .collect();
    match outcome {
        Outcome::Ok(repr) if assigned => {
            lines.push((Kind::Assigned, format!("= {}", escape(&shorten(repr)))))
        }
        Outcome::Ok(repr) if repr == "None" => {}
        Outcome::Ok(repr) => lines.push((Kind::Value, escape(&shorten(repr)))),
        Outcome::Error(e) => {
            // A block's traceback names the line it stopped on, as CPython's does.
            if let Some(n) = line
                && let Some(source) = input.lines().nth(n.saturating_sub(1))
            {
                lines.push((Kind::Info, format!("  line {n}: {}", escape(source.trim()))));
            }
            lines.push((Kind::Error, escape(&shorten(&e.display_line()))))
        }
    }
    let why = explain(input, outcome, facts);
    if let Some(why) = &why {
        // The wire view's segment that shows it: "(a FIN arrived: segment 7)".
        let cited = facts
            .and_then(|f| f.cited)
            .map(|(n, flags)| {
                let a = if flags.starts_with(['R', 'S']) {
                    "an"
                } else {
                    "a"
                };
                format!(" ({a} {flags} arrived: segment {n})")
            })
            .unwrap_or_default();
        lines.push((Kind::Why, format!("why: {}{cited}", why.short)));
    }
    // Nothing happens unseen: a socket the step closed is named under it.
    lines.extend(
        closed
            .iter()
            .map(|note| (Kind::Info, format!("# {}", escape(note)))),
    );
    Shown { lines, why }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Exception;

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
    fn a_step_reads_printed_text_then_its_outcome_then_why() {
        let shown = finished(
            "print('a\\x1b[2J')",
            &Outcome::Ok("None".into()),
            "a\x1b[2J\n",
            &[],
            None,
            false,
            None,
        );
        assert_eq!(
            shown.lines,
            vec![(Kind::Printed, "a\\x1b[2J".to_string())],
            "None shows nothing, as in Python's REPL"
        );
        let raised = finished(
            "for i in range(3):\n    x = 10 // (1 - i)",
            &Outcome::Error(Exception::new(
                "ZeroDivisionError",
                "integer division or modulo by zero",
            )),
            "",
            &[],
            None,
            false,
            Some(2),
        );
        assert_eq!(
            raised.lines[..2],
            [
                (Kind::Info, "  line 2: x = 10 // (1 - i)".to_string()),
                (
                    Kind::Error,
                    "ZeroDivisionError: integer division or modulo by zero".to_string()
                )
            ],
            "the traceback's line, then the exception, as CPython prints them"
        );
        let shown = finished(
            "x = None",
            &Outcome::Ok("None".into()),
            "",
            &[],
            None,
            true,
            None,
        );
        assert_eq!(shown.lines, vec![(Kind::Assigned, "= None".to_string())]);
        let e = Exception::os(libc::EAGAIN);
        let shown = finished("s.recv(10)", &Outcome::Error(e), "", &[], None, false, None);
        assert_eq!(
            shown.lines[0],
            (
                Kind::Error,
                "BlockingIOError: [Errno 11] Resource temporarily unavailable".to_string()
            )
        );
        assert!(shown.lines[1].1.starts_with("why: "), "{:?}", shown.lines);
        assert!(shown.why.is_some());
    }
}
