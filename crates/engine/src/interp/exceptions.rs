//! Exceptions as values, as CPython 3.11 has them: the builtin classes and
//! their hierarchy (what `except OSError:` catches), instances with `errno`,
//! `strerror` and `args`, and their `str` and `repr`.

use crate::outcome::Exception;
use crate::value::Value;
use crate::value::repr::repr;

/// Each builtin exception class and its base (CPython 3.11's tree).
const CLASSES: &[(&str, &str)] = &[
    ("BaseException", ""),
    ("SystemExit", "BaseException"),
    ("KeyboardInterrupt", "BaseException"),
    ("GeneratorExit", "BaseException"),
    ("Exception", "BaseException"),
    ("StopIteration", "Exception"),
    ("ArithmeticError", "Exception"),
    ("ZeroDivisionError", "ArithmeticError"),
    ("OverflowError", "ArithmeticError"),
    ("FloatingPointError", "ArithmeticError"),
    ("AssertionError", "Exception"),
    ("AttributeError", "Exception"),
    ("BufferError", "Exception"),
    ("EOFError", "Exception"),
    ("ImportError", "Exception"),
    ("ModuleNotFoundError", "ImportError"),
    ("LookupError", "Exception"),
    ("IndexError", "LookupError"),
    ("KeyError", "LookupError"),
    ("MemoryError", "Exception"),
    ("NameError", "Exception"),
    ("UnboundLocalError", "NameError"),
    ("OSError", "Exception"),
    ("BlockingIOError", "OSError"),
    ("ChildProcessError", "OSError"),
    ("ConnectionError", "OSError"),
    ("BrokenPipeError", "ConnectionError"),
    ("ConnectionAbortedError", "ConnectionError"),
    ("ConnectionRefusedError", "ConnectionError"),
    ("ConnectionResetError", "ConnectionError"),
    ("FileExistsError", "OSError"),
    ("FileNotFoundError", "OSError"),
    ("InterruptedError", "OSError"),
    ("IsADirectoryError", "OSError"),
    ("NotADirectoryError", "OSError"),
    ("PermissionError", "OSError"),
    ("ProcessLookupError", "OSError"),
    ("TimeoutError", "OSError"),
    ("gaierror", "OSError"),
    ("herror", "OSError"),
    // struct.error (its __name__ is "error").
    ("error", "Exception"),
    ("ReferenceError", "Exception"),
    ("RuntimeError", "Exception"),
    ("NotImplementedError", "RuntimeError"),
    ("RecursionError", "RuntimeError"),
    ("SyntaxError", "Exception"),
    ("IndentationError", "SyntaxError"),
    ("TabError", "IndentationError"),
    ("SystemError", "Exception"),
    ("TypeError", "Exception"),
    ("ValueError", "Exception"),
    ("UnicodeError", "ValueError"),
    ("UnicodeDecodeError", "UnicodeError"),
    ("UnicodeEncodeError", "UnicodeError"),
    ("Warning", "Exception"),
];

/// The class named `name` as a builtin name resolves it (`OSError`), with
/// the aliases CPython keeps (`IOError`, `EnvironmentError`).
pub fn class(name: &str) -> Option<&'static str> {
    let name = match name {
        "IOError" | "EnvironmentError" => "OSError",
        // Only reachable as socket.gaierror / socket.herror / struct.error.
        "gaierror" | "herror" | "error" => return None,
        other => other,
    };
    CLASSES.iter().find(|(c, _)| *c == name).map(|(c, _)| *c)
}

/// The class an exception object was made from (`type(e)`), by its class
/// name: any class of the tree, those of modules (`gaierror`, `error`) included.
pub fn own_class(name: &str) -> Option<&'static str> {
    CLASSES.iter().find(|(c, _)| *c == name).map(|(c, _)| *c)
}

/// The exception classes of the socket module (`socket.timeout` is
/// `TimeoutError` since 3.10, `socket.error` is `OSError`).
pub fn socket_class(name: &str) -> Option<&'static str> {
    match name {
        "error" => Some("OSError"),
        "timeout" => Some("TimeoutError"),
        "gaierror" => Some("gaierror"),
        "herror" => Some("herror"),
        _ => None,
    }
}

/// Whether class `class` is `base` or derives from it.
pub fn is_subclass(class: &str, base: &str) -> bool {
    let mut c = class;
    loop {
        if c == base {
            return true;
        }
        match CLASSES.iter().find(|(name, _)| *name == c) {
            Some((_, parent)) if !parent.is_empty() => c = parent,
            _ => return false,
        }
    }
}

/// `repr(cls)`: `<class 'OSError'>`, `<class 'socket.gaierror'>`.
pub fn class_repr(class: &str) -> String {
    match class {
        "gaierror" | "herror" => format!("<class 'socket.{class}'>"),
        "error" => "<class 'struct.error'>".to_string(),
        _ => format!("<class '{class}'>"),
    }
}

/// `cls(*args)`: a new exception. OSError and its subclasses take
/// `(errno, strerror)`; the others keep their argument's text.
pub fn construct(class: &'static str, args: &[Value]) -> Result<Value, Exception> {
    let mut e = Exception::new(class, "");
    match args {
        [] => {}
        [Value::Int(errno), Value::Str(strerror), ..] if is_subclass(class, "OSError") => {
            e.errno = Some(*errno as i32);
            e.message = strerror.to_string();
        }
        [Value::Str(s)] => e.message = s.to_string(),
        [other] => e.message = repr(other),
        many => e.message = format!("({})", many.iter().map(repr).collect::<Vec<_>>().join(", ")),
    }
    Ok(Value::Exception(std::sync::Arc::new(e)))
}

/// `KeyError(key)`: its message is the key's repr, as CPython shows it.
pub fn key_error(key: &Value) -> Exception {
    Exception::new("KeyError", repr(key))
}

/// `e.args`.
pub fn args(e: &Exception) -> Value {
    match (e.errno, e.message.is_empty()) {
        (Some(n), _) => Value::tuple(vec![Value::Int(n as i64), Value::str(e.message.clone())]),
        (None, true) => Value::tuple(Vec::new()),
        (None, false) => Value::tuple(vec![Value::str(e.message.clone())]),
    }
}

/// `str(e)`: `[Errno 104] Connection reset by peer`, or the message.
pub fn str_of(e: &Exception) -> String {
    match e.errno {
        Some(n) => format!("[Errno {n}] {}", e.message),
        None => e.message.clone(),
    }
}

/// `repr(e)`: `ConnectionResetError(104, 'Connection reset by peer')`.
pub fn repr_of(e: &Exception) -> String {
    let class = match e.class.as_ref() {
        "gaierror" | "herror" => format!("socket.{}", e.class),
        other => other.to_string(),
    };
    match (e.errno, e.message.is_empty()) {
        (Some(n), _) => format!("{class}({n}, {})", repr(&Value::str(e.message.clone()))),
        (None, true) => format!("{class}()"),
        (None, false) => format!("{class}({})", repr(&Value::str(e.message.clone()))),
    }
}

/// An attribute of an exception: `errno`, `strerror`, `args`.
pub fn attribute(e: &Exception, name: &str) -> Result<Value, Exception> {
    let os = is_subclass(&e.class, "OSError");
    match name {
        "args" => Ok(args(e)),
        "errno" if os => Ok(e.errno.map_or(Value::None, |n| Value::Int(n as i64))),
        "strerror" if os => Ok(match e.errno {
            Some(_) => Value::str(e.message.clone()),
            None => Value::None,
        }),
        "filename" | "filename2" if os => Ok(Value::None),
        _ => Err(Exception::new(
            "AttributeError",
            format!("'{}' object has no attribute '{name}'", e.class),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hierarchy_is_cpythons() {
        assert!(is_subclass("ConnectionResetError", "OSError"));
        assert!(is_subclass("BrokenPipeError", "ConnectionError"));
        assert!(is_subclass("BlockingIOError", "Exception"));
        assert!(!is_subclass("KeyboardInterrupt", "Exception"));
        assert!(is_subclass("KeyboardInterrupt", "BaseException"));
        assert!(!is_subclass("ValueError", "OSError"));
        assert!(is_subclass("gaierror", "OSError"));
    }

    #[test]
    fn str_and_repr_are_cpythons() {
        let e = Exception::os(104);
        assert_eq!(str_of(&e), "[Errno 104] Connection reset by peer");
        assert_eq!(
            repr_of(&e),
            "ConnectionResetError(104, 'Connection reset by peer')"
        );
        assert_eq!(
            repr_of(&Exception::new("ValueError", "bad")),
            "ValueError('bad')"
        );
        assert_eq!(repr_of(&Exception::new("ValueError", "")), "ValueError()");
    }
}
