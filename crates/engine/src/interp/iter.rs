//! Iterating a value as Python's `for` does: `iterate` collects the items
//! (what the builtins `list`, `sum`, `bytes`... and the text methods share,
//! in a module of its own so that neither imports the other), and `PyIter`
//! is an iterator object (`iter(x)`, `enumerate`, `zip`, a generator), which
//! the interpreter advances one item at a time.

use crate::outcome::Exception;
use crate::value::{Value, locked, range_len};

use super::generator::Generator;

/// An iterator object.
#[derive(Debug)]
pub enum PyIter {
    /// A list's iterator: it reads the live list by position, so items
    /// appended while it runs are reached, as in CPython.
    List(crate::value::containers::List, usize),
    /// The iterator of a tuple, str, bytes, set or dict: its items as they
    /// were, and the type name CPython gives the iterator.
    Items {
        kind: &'static str,
        items: std::vec::IntoIter<Value>,
    },
    /// `iter(range(...))`: the next value, the step, how many are left.
    Range { next: i128, step: i128, left: i128 },
    /// `enumerate(it, start)`.
    Enumerate { inner: Value, count: i64 },
    /// `zip(a, b, ...)`.
    Zip(Vec<Value>),
    /// A generator: None while it runs (a generator that asks for its own
    /// next item is "already executing").
    Generator(Option<Box<Generator>>, String),
}

impl PyIter {
    pub fn type_name(&self) -> &'static str {
        match self {
            PyIter::List(..) => "list_iterator",
            PyIter::Items { kind, .. } => kind,
            PyIter::Range { .. } => "range_iterator",
            PyIter::Enumerate { .. } => "enumerate",
            PyIter::Zip(_) => "zip",
            PyIter::Generator(..) => "generator",
        }
    }

    /// The next item of an iterator that needs no interpreter to advance
    /// (not a generator, nor one built on one); None for those.
    pub fn next_plain(&mut self) -> Option<Option<Value>> {
        match self {
            PyIter::List(list, pos) => {
                let item = list.get(*pos);
                if item.is_some() {
                    *pos += 1;
                } else {
                    // An exhausted list iterator stays exhausted.
                    *pos = usize::MAX;
                }
                Some(item)
            }
            PyIter::Items { items, .. } => Some(items.next()),
            PyIter::Range { next, step, left } => {
                if *left <= 0 {
                    return Some(None);
                }
                let v = *next;
                *next += *step;
                *left -= 1;
                // Every item lies between the range's i64 bounds.
                Some(Some(Value::Int(v as i64)))
            }
            _ => None,
        }
    }
}

/// A new iterator object.
pub fn new(it: PyIter) -> Value {
    Value::Iter(std::sync::Arc::new(std::sync::Mutex::new(it)))
}

/// `iter(v)`: the value's iterator (an iterator is its own).
pub fn iter_of(v: &Value) -> Result<Value, Exception> {
    use crate::value::containers::View;
    let items = |kind: &'static str, items: Vec<Value>| {
        new(PyIter::Items {
            kind,
            items: items.into_iter(),
        })
    };
    Ok(match v {
        Value::Iter(_) | Value::Reversed(_) => v.clone(),
        Value::List(l) => new(PyIter::List(l.clone(), 0)),
        Value::Range(start, stop, step) => new(PyIter::Range {
            next: i128::from(*start),
            step: i128::from(*step),
            left: range_len(*start, *stop, *step),
        }),
        Value::Tuple(t) => items("tuple_iterator", t.to_vec()),
        Value::Str(s) => items(
            if s.is_ascii() {
                "str_ascii_iterator"
            } else {
                "str_iterator"
            },
            iterate(v)?,
        ),
        Value::Bytes(_) => items("bytes_iterator", iterate(v)?),
        Value::Set(s) => items("set_iterator", s.snapshot()),
        Value::Dict(d) | Value::DictView(d, View::Keys) => {
            items("dict_keyiterator", View::Keys.items(d))
        }
        Value::DictView(d, View::Values) => items("dict_valueiterator", View::Values.items(d)),
        Value::DictView(d, View::Items) => items("dict_itemiterator", View::Items.items(d)),
        Value::Record(r) => items("tuple_iterator", r.values.clone()),
        other => {
            return Err(Exception::type_error(format!(
                "'{}' object is not iterable",
                other.type_name()
            )));
        }
    })
}

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
            let items = items.snapshot();
            crate::mem::reserve(items.len(), slot)?;
            items
        }
        Value::Set(s) => s.snapshot(),
        Value::Dict(d) => crate::value::containers::View::Keys.items(d),
        Value::DictView(d, view) => view.items(d),
        Value::Record(r) => r.values.clone(),
        Value::Iter(it) => {
            let mut it = locked(it);
            let mut out = Vec::new();
            loop {
                match it.next_plain() {
                    Some(Some(v)) => out.push(v),
                    Some(None) => break,
                    // The interpreter collects generators before a builtin sees them.
                    None => {
                        return Err(Exception::unsupported("this iterator here (a generator)"));
                    }
                }
            }
            out
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
        Value::Reversed(rest) => {
            // Kept in their order; the iterator takes them from the end.
            let mut items = std::mem::take(&mut *locked(rest));
            items.reverse();
            items
        }
        other => {
            return Err(Exception::type_error(format!(
                "'{}' object is not iterable",
                other.type_name()
            )));
        }
    })
}

/// The values an iterator holds on to (what keeps sockets open).
pub fn held(it: &PyIter) -> Vec<Value> {
    match it {
        PyIter::List(l, _) => vec![Value::List(l.clone())],
        PyIter::Items { items, .. } => items.as_slice().to_vec(),
        PyIter::Range { .. } => Vec::new(),
        PyIter::Enumerate { inner, .. } => vec![inner.clone()],
        PyIter::Zip(iters) => iters.clone(),
        PyIter::Generator(Some(g), _) => g.held(),
        PyIter::Generator(None, _) => Vec::new(),
    }
}
