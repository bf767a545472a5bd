//! `=> EXPECTED` lines against outcomes (SPEC section 4): a repr, an exception
//! class with or without its errno and message, or `blocked`; compared through
//! `normalize` so that fds and ephemeral ports do not matter.

use std::collections::HashSet;

use crate::normalize::normalize_repr;
use crate::outcome::Outcome;

/// What a step did, as far as `=>` lines care.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed<'a> {
    pub input: &'a str,
    /// Whether it was reported blocked before it finished.
    pub blocked: bool,
    /// Its outcome, if it finished.
    pub outcome: Option<&'a Outcome>,
}

/// The exception class a `=>` line states (`OSError: [Errno 98] ...` →
/// `OSError`, `socket.gaierror` → `gaierror`), if it states one.
pub fn expected_exception(expected: &str) -> Option<&str> {
    let head = expected.split(':').next()?.trim();
    looks_like_exception(head).then(|| head.strip_prefix("socket.").unwrap_or(head))
}

/// An exception class as written in a `=>` line: `OSError`, `socket.gaierror`.
fn looks_like_exception(word: &str) -> bool {
    let w = word.strip_prefix("socket.").unwrap_or(word);
    w.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && (w.ends_with("Error")
            || w.ends_with("Exception")
            || w.ends_with("Interrupt")
            || w.ends_with("Warning")
            || matches!(
                w,
                "gaierror" | "herror" | "timeout" | "error" | "StopIteration" | "SystemExit"
            ))
}

/// Why an `=>` line cannot be an expectation, if it cannot: an exception
/// with a malformed `[Errno N]`, or a repr that does not read as Python.
pub fn validate(expected: &str) -> Result<(), String> {
    let expected = expected.trim();
    if expected == "blocked" {
        return Ok(());
    }
    let (head, tail) = match expected.split_once(':') {
        Some((h, t)) => (h.trim(), Some(t.trim())),
        None => (expected, None),
    };
    if looks_like_exception(head) {
        let Some(rest) = tail.and_then(|t| t.strip_prefix("[Errno")) else {
            return Ok(());
        };
        return match rest.split_once(']') {
            Some((n, _)) if n.trim().parse::<i32>().is_ok() => Ok(()),
            _ => Err(format!(
                "malformed '=>' line: '[Errno' must be followed by a number and ']', as in `=> {head}: [Errno 11] ...`"
            )),
        };
    }
    crate::lang::lexer::tokenize(expected).map(|_| ()).map_err(|e| {
        format!(
            "malformed '=>' line: `{expected}` is neither a repr, an exception nor `blocked` ({})",
            e.message
        )
    })
}

fn repr_of(input: &str, repr: &str, ports: &HashSet<u32>) -> String {
    if input.trim_end().ends_with(".fileno()") && repr != "-1" {
        return "FD".into();
    }
    normalize_repr(repr, ports)
}

/// Whether `observed` satisfies `expected`.
pub fn satisfies(expected: &str, observed: &Observed, ports: &HashSet<u32>) -> bool {
    let expected = expected.trim();
    if expected == "blocked" {
        return observed.blocked;
    }
    let Some(outcome) = observed.outcome else {
        return false;
    };
    let (head, tail) = match expected.split_once(':') {
        Some((h, t)) => (h.trim(), Some(t.trim())),
        None => (expected, None),
    };
    if looks_like_exception(head) {
        let Outcome::Error(e) = outcome else {
            return false;
        };
        let class = head.strip_prefix("socket.").unwrap_or(head);
        if e.class != class {
            return false;
        }
        let Some(tail) = tail.filter(|t| !t.is_empty()) else {
            return true;
        };
        if let Some(rest) = tail.strip_prefix("[Errno ") {
            let Some((num, message)) = rest.split_once(']') else {
                return false;
            };
            if num.trim().parse::<i32>().ok() != e.errno {
                return false;
            }
            let message = message.trim();
            return message.is_empty() || message == e.message;
        }
        // A SyntaxError's line ends with its column, as `display_line` writes it.
        if let Some(column) = e.column
            && let Some(message) = tail.strip_suffix(&format!(" (column {column})"))
        {
            return message == e.message;
        }
        return tail == e.message;
    }
    match outcome {
        Outcome::Ok(repr) => {
            repr_of(observed.input, repr, ports) == repr_of(observed.input, expected, ports)
        }
        Outcome::Error(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Exception;

    fn obs<'a>(input: &'a str, outcome: &'a Outcome) -> Observed<'a> {
        Observed {
            input,
            blocked: false,
            outcome: Some(outcome),
        }
    }

    #[test]
    fn exceptions_with_and_without_errno_and_message() {
        let e = Outcome::Error(Exception::os(98));
        let p = HashSet::new();
        assert!(satisfies("OSError", &obs("x", &e), &p));
        assert!(satisfies("OSError: [Errno 98]", &obs("x", &e), &p));
        assert!(satisfies(
            "OSError: [Errno 98] Address already in use",
            &obs("x", &e),
            &p
        ));
        assert!(!satisfies("OSError: [Errno 99]", &obs("x", &e), &p));
        assert!(!satisfies("BlockingIOError", &obs("x", &e), &p));
        assert!(!satisfies("None", &obs("x", &e), &p));
        let t = Outcome::Error(Exception::type_error(
            "a bytes-like object is required, not 'str'",
        ));
        assert!(satisfies(
            "TypeError: a bytes-like object is required, not 'str'",
            &obs("x", &t),
            &p
        ));
        assert!(!satisfies("TypeError: something else", &obs("x", &t), &p));
        // A recorded SyntaxError line carries its column.
        let se = Outcome::Error(Exception::syntax("'(' was never closed", 20));
        let line = "SyntaxError: '(' was never closed (column 20)";
        assert!(satisfies(line, &obs("x", &se), &p));
        assert!(satisfies(
            "SyntaxError: '(' was never closed",
            &obs("x", &se),
            &p
        ));
        assert!(!satisfies(
            "SyntaxError: '(' was never closed (column 3)",
            &obs("x", &se),
            &p
        ));
    }

    #[test]
    fn reprs_compare_normalized() {
        let p: HashSet<u32> = [5678].into();
        let ok = Outcome::Ok("(<socket.socket fd=5, family=2, type=1, proto=0, laddr=('127.0.0.1', 5678), raddr=('127.0.0.1', 41000)>, ('127.0.0.1', 41000))".into());
        let recorded = "(<socket.socket fd=4, family=2, type=1, proto=0, laddr=('127.0.0.1', 5678), raddr=('127.0.0.1', 56939)>, ('127.0.0.1', 56939))";
        assert!(satisfies(
            recorded,
            &obs("conn, addr = s.accept()", &ok),
            &p
        ));
        let other_port = recorded.replace("5678", "5679");
        assert!(!satisfies(
            &other_port,
            &obs("conn, addr = s.accept()", &ok),
            &p
        ));
        let fd = Outcome::Ok("7".into());
        assert!(satisfies("3", &obs("s.fileno()", &fd), &p));
        assert!(!satisfies("3", &obs("len(x)", &fd), &p));
        let empty = Outcome::Ok("b''".into());
        assert!(satisfies("b''", &obs("c.recv(10)", &empty), &p));
        assert!(!satisfies("blocked", &obs("c.recv(10)", &empty), &p));
    }
}
