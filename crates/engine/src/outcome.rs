//! Outcomes of steps as data: Python exceptions (class, errno, message) and values.
//!
//! Every error the engine can report is an `Exception` value; nothing here panics.

pub mod errno;

use std::borrow::Cow;
use std::fmt;

/// A Python exception, as CPython would raise it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    /// The class name, as `type(e).__name__` (`BlockingIOError`, `gaierror`).
    pub class: Cow<'static, str>,
    /// The errno of an OSError; `None` for other exceptions and `timed out`.
    pub errno: Option<i32>,
    /// `strerror` for OS errors, otherwise `str(e)`.
    pub message: String,
    /// For a SyntaxError: the 1-based column where the problem is.
    pub column: Option<usize>,
}

impl Exception {
    pub fn new(class: &'static str, message: impl Into<String>) -> Self {
        Exception {
            class: Cow::Borrowed(class),
            errno: None,
            message: message.into(),
            column: None,
        }
    }

    pub fn type_error(message: impl Into<String>) -> Self {
        Self::new("TypeError", message)
    }

    pub fn value_error(message: impl Into<String>) -> Self {
        Self::new("ValueError", message)
    }

    pub fn syntax(message: impl Into<String>, column: usize) -> Self {
        Exception {
            column: Some(column),
            ..Self::new("SyntaxError", message)
        }
    }

    /// Syntax that Python has but the playground does not run (loops, `def`, f-strings...).
    pub fn unsupported(what: impl fmt::Display) -> Self {
        Self::new(
            "NotImplementedError",
            format!("{what} is not supported in the playground"),
        )
    }

    pub fn keyboard_interrupt() -> Self {
        Self::new("KeyboardInterrupt", "")
    }

    /// An OSError for `errno`, of the subclass CPython picks for it.
    pub fn os(errno: i32) -> Self {
        Exception {
            class: Cow::Borrowed(crate::outcome::errno::class_for(errno)),
            errno: Some(errno),
            message: crate::outcome::errno::strerror(errno),
            column: None,
        }
    }

    /// `TimeoutError: timed out`, raised when a socket timeout expires (no errno).
    pub fn timed_out() -> Self {
        Self::new("TimeoutError", "timed out")
    }

    /// The one line a Python REPL would print as the last line of the traceback.
    pub fn display_line(&self) -> String {
        let mut line = match (self.errno, self.message.is_empty()) {
            (Some(errno), _) => format!("{}: [Errno {errno}] {}", self.class, self.message),
            (None, true) => self.class.to_string(),
            (None, false) => format!("{}: {}", self.class, self.message),
        };
        if let Some(column) = self.column {
            line.push_str(&format!(" (column {column})"));
        }
        line
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_line())
    }
}

/// The outcome of a finished step.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The repr of the value (for an assignment, of the assigned value).
    Ok(String),
    Error(Exception),
}

impl Outcome {
    /// The one-line form shown in transcripts (a repr or `Class: message`).
    pub fn display_line(&self) -> String {
        match self {
            Outcome::Ok(repr) => repr.clone(),
            Outcome::Error(e) => e.display_line(),
        }
    }
}

/// A socket operation's failure, raised as CPython raises it.
impl From<crate::net::NetError> for Exception {
    fn from(e: crate::net::NetError) -> Exception {
        use crate::net::NetError;
        match e {
            NetError::Os { errno, .. } => Exception::os(errno),
            NetError::Other { message, .. } => Exception::new("OSError", message),
            NetError::TimedOut { .. } => Exception::timed_out(),
            NetError::Interrupted { .. } => Exception::keyboard_interrupt(),
            NetError::NoMemory { .. } => crate::mem::memory_error(),
        }
    }
}
