//! The statement language: a subset of Python 3.11 (a statement may go on
//! over several lines while a bracket is open) and the short forms.
//!
//! `lexer` turns a line into tokens, `parser` builds the `ast`, `shortform`
//! expands typing shortcuts (`bind 5678`) into Python-form statements.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod shortform;

pub use parser::parse_statement;

/// Whether `text` leaves a bracket open, so that the statement goes on on
/// the next line, as in Python's REPL (`socket.socket(` ⏎ `socket.AF_INET)`).
pub fn continues(text: &str) -> bool {
    matches!(lexer::tokenize(text), Err(e) if e.message.ends_with("was never closed"))
}

/// The statements of a block of text (a paste, piped lines): lines end at
/// `\n`, `\r\n` or `\r` (terminals such as tmux paste with `\r`); a line
/// whose bracket is left open goes on with the next ones, kept as lines (a
/// recording writes them as `...` lines); blank lines, `#` comments and a
/// script's `=>` lines between statements are left out. A `:` command or a
/// short form never continues.
pub fn statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for raw in text.split(['\n', '\r']) {
        let line = raw.trim();
        if pending.is_empty() {
            if line.is_empty() || line.starts_with('#') || line.starts_with("=>") {
                continue;
            }
            pending = line.to_string();
        } else if !line.is_empty() {
            pending.push('\n');
            pending.push_str(raw.trim_end());
        }
        if !open_statement(&pending) {
            out.push(std::mem::take(&mut pending));
        }
    }
    if !pending.is_empty() {
        out.push(pending);
    }
    out
}

/// Whether `line` (perhaps `PANE> statement`) is a statement whose bracket is
/// still open; commands and short forms are never open.
fn open_statement(line: &str) -> bool {
    let stmt = match line.split_once("> ") {
        Some((pane, rest))
            if !pane.is_empty()
                && pane
                    .chars()
                    .all(|c| c == '_' || c == '-' || c.is_ascii_alphanumeric()) =>
        {
            rest
        }
        _ => line,
    };
    let stmt = stmt.trim();
    !(stmt.starts_with(':') || shortform::is_short_form(stmt)) && continues(stmt)
}

#[cfg(test)]
mod tests {
    use super::statements;

    #[test]
    fn a_paste_is_split_into_statements() {
        let pasted = "# the echo server\nserver> s = socket.socket()\n\n  s.bind((\n'127.0.0.1',\n 0))\n=> None\nclient> send don't\n";
        assert_eq!(
            statements(pasted),
            vec![
                "server> s = socket.socket()",
                "s.bind((\n'127.0.0.1',\n 0))",
                "client> send don't"
            ]
        );
        assert_eq!(statements("x = 1"), vec!["x = 1"]);
        assert_eq!(statements("# only a comment"), Vec::<String>::new());
        // A bracket never closed is sent as it is, for CPython's SyntaxError.
        assert_eq!(statements("f(1,\n2"), vec!["f(1,\n2"]);
    }
}
