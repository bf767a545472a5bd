//! Iterating a value as Python's `for` does, into its items: what the
//! builtins (`list`, `sum`, `bytes`...) and the text methods (`join`) share,
//! in a module of its own so that neither imports the other.

use crate::outcome::Exception;
use crate::value::{Value, range_len};

/// Iterates a value as Python's `iter()` would, collecting the items.
pub fn iterate(v: &Value) -> Result<Vec<Value>, Exception> {
    let slot = std::mem::size_of::<Value>();
    Ok(match v {
        Value::Str(s) => {
            crate::mem::reserve(s.len(), slot)?;
            s.chars().map(|c| Value::str(c.to_string())).collect()
        }
        Value::Bytes(b) => {
            crate::mem::reserve(b.len(), slot)?;
            b.iter().map(|&b| Value::Int(b as i64)).collect()
        }
        Value::Tuple(items) => {
            crate::mem::reserve(items.len(), slot)?;
            items.to_vec()
        }
        Value::List(items) => {
            crate::mem::reserve(items.len(), slot)?;
            items.as_ref().clone()
        }
        Value::Range(start, stop, step) => {
            let len = range_len(*start, *stop, *step);
            let len = usize::try_from(len).map_err(|_| crate::mem::memory_error())?;
            crate::mem::reserve(len, std::mem::size_of::<Value>())?;
            let mut items = Vec::with_capacity(len);
            for i in 0..len as i128 {
                // Millions of items take seconds: Ctrl-C stops it, as in CPython.
                if i & 0xffff == 0xffff && crate::pane::interrupted() {
                    return Err(Exception::keyboard_interrupt());
                }
                // Every item lies between the bounds, so it fits an i64.
                items.push(Value::Int(
                    (i128::from(*start) + i * i128::from(*step)) as i64,
                ));
            }
            items
        }
        Value::Reversed(rest) => std::mem::take(&mut *crate::value::locked(rest)),
        other => {
            return Err(Exception::type_error(format!(
                "'{}' object is not iterable",
                other.type_name()
            )));
        }
    })
}
