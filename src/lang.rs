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
