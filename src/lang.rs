//! The statement language: a one-line subset of Python 3.11 and the short forms.
//!
//! `lexer` turns a line into tokens, `parser` builds the `ast`, `shortform`
//! expands typing shortcuts (`bind 5678`) into Python-form statements.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod shortform;

pub use parser::parse_statement;
