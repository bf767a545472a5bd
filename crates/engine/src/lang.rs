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

/// Whether `text` goes on on the next line, as in Python's REPL: a bracket
/// is open (`socket.socket(` ⏎ `socket.AF_INET)`), or it is a compound
/// statement (`while True:` ⏎ ...) that no empty line has ended yet.
pub fn continues(text: &str) -> bool {
    let last_line = text.rsplit('\n').next().unwrap_or("");
    bracket_open(text) || (starts_block(text) && !last_line.trim().is_empty())
}

/// Whether `text` leaves a bracket open.
fn bracket_open(text: &str) -> bool {
    matches!(lexer::tokenize(text), Err(e) if e.message.ends_with("was never closed"))
}

/// Whether `text` starts with the header of a compound statement.
pub fn starts_block(text: &str) -> bool {
    let first = text.trim_start();
    let word = first
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    matches!(
        word,
        "if" | "while" | "for" | "with" | "try" | "def" | "class" | "async"
    ) || first.starts_with('@')
}

/// Whether `line` is a clause that goes on the block above it (`else:`).
fn is_clause(line: &str) -> bool {
    let word = line
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    matches!(word, "elif" | "else" | "except" | "finally")
}

/// The statements of a block of text (a paste, piped lines): lines end at
/// `\n`, `\r\n` or `\r` (terminals such as tmux paste with `\r`); a line
/// whose bracket is left open goes on with the next ones, kept as lines (a
/// recording writes them as `...` lines); blank lines, `#` comments and a
/// script's `=>` lines between statements are left out. A `:` command or a
/// short form never continues. A compound statement goes on until a line at
/// the left margin that is not one of its clauses (`else:`): blank lines
/// inside it do not end it, unlike in Python's REPL, so that code pasted from
/// a file runs as it reads.
pub fn statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for raw in text.split(['\n', '\r']) {
        let line = raw.trim();
        let at_margin = !line.is_empty() && !raw.starts_with([' ', '\t']);
        if !pending.is_empty()
            && at_margin
            && !is_clause(line)
            && block_statement(&pending)
            && !bracket_open(statement_of(&pending))
        {
            out.push(std::mem::take(&mut pending));
        }
        if pending.is_empty() {
            if line.is_empty() || line.starts_with('#') || line.starts_with("=>") {
                continue;
            }
            pending = line.to_string();
        } else if !line.is_empty() {
            pending.push('\n');
            pending.push_str(raw.trim_end());
        }
        if !open_statement(&pending) && !block_statement(&pending) {
            out.push(std::mem::take(&mut pending));
        }
    }
    if !pending.is_empty() {
        out.push(pending);
    }
    out
}

/// Whether `text` (perhaps `PANE> statement`) is a compound statement.
fn block_statement(text: &str) -> bool {
    let stmt = statement_of(text).trim();
    !(stmt.starts_with(':') || shortform::is_short_form(stmt)) && starts_block(stmt)
}

/// The statement of `PANE> statement`, or `line` itself.
fn statement_of(line: &str) -> &str {
    match line.split_once("> ") {
        Some((pane, rest))
            if !pane.is_empty()
                && pane
                    .chars()
                    .all(|c| c == '_' || c == '-' || c.is_ascii_alphanumeric()) =>
        {
            rest
        }
        _ => line,
    }
}

/// Whether `line` (perhaps `PANE> statement`) is a statement whose bracket is
/// still open; commands and short forms are never open.
fn open_statement(line: &str) -> bool {
    let stmt = statement_of(line).trim();
    !(stmt.starts_with(':') || shortform::is_short_form(stmt)) && bracket_open(stmt)
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

    #[test]
    fn a_pasted_block_is_one_statement() {
        let pasted = "server> while True:\r    data = conn.recv(1024)\r\r    if not data:\r        break\r    conn.sendall(data)\rserver> conn.close()\r";
        assert_eq!(
            statements(pasted),
            vec![
                "server> while True:\n    data = conn.recv(1024)\n    if not data:\n        break\n    conn.sendall(data)",
                "server> conn.close()"
            ]
        );
        let with_else = "try:\n    x = 1\nexcept OSError:\n    pass\nx";
        assert_eq!(
            statements(with_else),
            vec!["try:\n    x = 1\nexcept OSError:\n    pass", "x"]
        );
    }

    #[test]
    fn a_typed_block_goes_on_until_an_empty_line() {
        use super::continues;
        assert!(continues("while True:"));
        assert!(continues("if not data: break"));
        assert!(continues("while True:\n    n += 1"));
        assert!(!continues("while True:\n    n += 1\n"));
        assert!(!continues("n += 1"));
        assert!(continues("f(1,"));
    }
}
