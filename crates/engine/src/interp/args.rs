//! Argument checking with CPython's messages for its three kinds of callables:
//! C functions parsed by `PyArg_ParseTuple`, `METH_O`/`METH_NOARGS` methods,
//! and functions written in Python (`def f(a, b=1, *, c=2)`).

use crate::outcome::Exception;
use crate::value::Value;

/// The arguments of a call, evaluated.
#[derive(Debug, Default)]
pub struct Args {
    pub pos: Vec<Value>,
    pub kw: Vec<(String, Value)>,
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl Args {
    /// `PyArg_ParseTuple(args, "...:name")`: positional only, min..=max of them.
    /// `qual` is the qualified name used when keywords are given (`socket.recv`).
    pub fn tuple(
        &self,
        name: &str,
        qual: impl std::fmt::Display,
        min: usize,
        max: usize,
    ) -> Result<&[Value], Exception> {
        if !self.kw.is_empty() {
            return Err(Exception::type_error(format!(
                "{qual}() takes no keyword arguments"
            )));
        }
        let n = self.pos.len();
        if n < min || n > max {
            let message = if min == max {
                format!(
                    "{name}() takes exactly {} ({n} given)",
                    plural(min, "argument")
                )
            } else if n < min {
                format!(
                    "{name}() takes at least {} ({n} given)",
                    plural(min, "argument")
                )
            } else {
                format!(
                    "{name}() takes at most {} ({n} given)",
                    plural(max, "argument")
                )
            };
            return Err(Exception::type_error(message));
        }
        Ok(&self.pos)
    }

    /// A `METH_O` method: exactly one positional argument.
    pub fn one(&self, qual: impl std::fmt::Display) -> Result<&Value, Exception> {
        if !self.kw.is_empty() {
            return Err(Exception::type_error(format!(
                "{qual}() takes no keyword arguments"
            )));
        }
        match self.pos.as_slice() {
            [v] => Ok(v),
            other => Err(Exception::type_error(format!(
                "{qual}() takes exactly one argument ({} given)",
                other.len()
            ))),
        }
    }

    /// A `METH_NOARGS` method.
    pub fn none(&self, qual: impl std::fmt::Display) -> Result<(), Exception> {
        if !self.kw.is_empty() {
            return Err(Exception::type_error(format!(
                "{qual}() takes no keyword arguments"
            )));
        }
        if !self.pos.is_empty() {
            return Err(Exception::type_error(format!(
                "{qual}() takes no arguments ({} given)",
                self.pos.len()
            )));
        }
        Ok(())
    }

    /// A function written in Python: `params` in order, the first `positional`
    /// of them may be given by position, the first `required` must be given.
    /// `self_offset` is 1 for methods (Python counts `self` in its messages).
    pub fn def(
        &self,
        qual: impl std::fmt::Display,
        params: &[&str],
        positional: usize,
        required: usize,
        self_offset: usize,
    ) -> Result<Vec<Option<Value>>, Exception> {
        let mut slots: Vec<Option<Value>> = vec![None; params.len()];
        if self.pos.len() > positional {
            let takes = if positional == required {
                plural(positional + self_offset, "positional argument")
            } else {
                format!(
                    "from {} to {} positional arguments",
                    required + self_offset,
                    positional + self_offset
                )
            };
            let given = self.pos.len() + self_offset;
            let verb = if given == 1 { "was" } else { "were" };
            return Err(Exception::type_error(format!(
                "{qual}() takes {takes} but {given} {verb} given"
            )));
        }
        for (slot, v) in slots.iter_mut().zip(&self.pos) {
            *slot = Some(v.clone());
        }
        for (name, v) in &self.kw {
            let Some(i) = params.iter().position(|p| p == name) else {
                return Err(Exception::type_error(format!(
                    "{qual}() got an unexpected keyword argument '{name}'"
                )));
            };
            if slots[i].is_some() {
                return Err(Exception::type_error(format!(
                    "{qual}() got multiple values for argument '{name}'"
                )));
            }
            slots[i] = Some(v.clone());
        }
        let missing: Vec<&str> = params[..required]
            .iter()
            .zip(&slots)
            .filter(|(_, s)| s.is_none())
            .map(|(p, _)| *p)
            .collect();
        if !missing.is_empty() {
            // CPython's words: 'a', 'a' and 'b', 'a', 'b', and 'c'.
            let names: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
            let list = match names.as_slice() {
                [one] => one.clone(),
                [a, b] => format!("{a} and {b}"),
                [init @ .., last] => format!("{}, and {last}", init.join(", ")),
                [] => String::new(),
            };
            return Err(Exception::type_error(format!(
                "{qual}() missing {}: {list}",
                plural(missing.len(), "required positional argument")
            )));
        }
        Ok(slots)
    }
}

/// An int argument (`i` in PyArg_ParseTuple): any int-like value that fits in a C int.
pub fn c_int(v: &Value) -> Result<i32, Exception> {
    if let Value::BigInt(_) = v {
        return Err(Exception::new(
            "OverflowError",
            "Python int too large to convert to C long",
        ));
    }
    let n = v.index()?;
    i32::try_from(n).map_err(|_| {
        let what = if n < 0 {
            "signed integer is less than minimum"
        } else {
            "signed integer is greater than maximum"
        };
        Exception::new("OverflowError", what)
    })
}

/// A bytes-like argument (`y*`): bytes only; str is CPython's classic TypeError.
pub fn bytes_like(v: &Value) -> Result<&[u8], Exception> {
    match v {
        Value::Bytes(b) => Ok(b),
        other => Err(Exception::type_error(format!(
            "a bytes-like object is required, not '{}'",
            other.type_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(n: usize) -> Args {
        Args {
            pos: vec![Value::Int(1); n],
            kw: vec![],
        }
    }

    #[test]
    fn messages_match_cpython() {
        assert_eq!(
            args(0)
                .tuple("recv", "socket.recv", 1, 2)
                .unwrap_err()
                .message,
            "recv() takes at least 1 argument (0 given)"
        );
        assert_eq!(
            args(3)
                .tuple("recv", "socket.recv", 1, 2)
                .unwrap_err()
                .message,
            "recv() takes at most 2 arguments (3 given)"
        );
        assert_eq!(
            args(0).one("socket.bind").unwrap_err().message,
            "socket.bind() takes exactly one argument (0 given)"
        );
        assert_eq!(
            args(1).none("socket.fileno").unwrap_err().message,
            "socket.fileno() takes no arguments (1 given)"
        );
        assert_eq!(
            args(1)
                .def("socket.accept", &[], 0, 0, 1)
                .unwrap_err()
                .message,
            "socket.accept() takes 1 positional argument but 2 were given"
        );
        assert_eq!(
            args(0)
                .def("create_connection", &["address", "timeout"], 2, 1, 0)
                .unwrap_err()
                .message,
            "create_connection() missing 1 required positional argument: 'address'"
        );
        assert_eq!(
            args(3)
                .def("create_connection", &["address", "timeout"], 2, 1, 0)
                .unwrap_err()
                .message,
            "create_connection() takes from 1 to 2 positional arguments but 3 were given"
        );
        let kw = Args {
            pos: vec![],
            kw: vec![("foo".into(), Value::None)],
        };
        assert_eq!(
            kw.tuple("recv", "socket.recv", 1, 2).unwrap_err().message,
            "socket.recv() takes no keyword arguments"
        );
        assert_eq!(
            kw.def("f", &["a"], 1, 0, 0).unwrap_err().message,
            "f() got an unexpected keyword argument 'foo'"
        );
    }
}
