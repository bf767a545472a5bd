//! The methods of lists, dicts and sets (`append`, `pop`, `get`, `items`,
//! `add`, `discard`...), and the attributes of `types.SimpleNamespace`, with
//! CPython's errors. Sorting (`list.sort`, which may call a key function)
//! is the interpreter's.

use super::args::Args;
use super::exceptions::key_error;
use crate::outcome::Exception;
use crate::value::Value;
use crate::value::containers::{Dict, List, Namespace, Set, View, dict_of, key, set_of};
use crate::value::repr::repr;

fn no_attribute(type_name: &str, name: &str) -> Exception {
    Exception::new(
        "AttributeError",
        format!("'{type_name}' object has no attribute '{name}'"),
    )
}

/// Whether `obj.name` is a method of a list, dict or set.
pub fn has_method(obj: &Value, name: &str) -> bool {
    match obj {
        // Every public method CPython lists for them is one of ours.
        Value::List(_) => public(super::dir_names::LIST, name),
        Value::Dict(_) => public(super::dir_names::DICT, name),
        Value::Set(_) => public(super::dir_names::SET, name),
        _ => false,
    }
}

fn public(names: &[&str], name: &str) -> bool {
    !name.starts_with('_') && names.contains(&name)
}

/// A list position as CPython resolves it for `insert` (clamped) or `pop` (checked).
fn position(i: &Value, len: usize) -> Result<i64, Exception> {
    let i = i.index()?;
    Ok(if i < 0 { i + len as i64 } else { i })
}

/// `list.method(...)`; `items` holds the collected items of an iterable argument.
pub fn list_method(l: &List, name: &str, args: &Args) -> Result<Value, Exception> {
    let qual = format!("list.{name}");
    match name {
        "append" => {
            let v = args.one(&qual)?;
            crate::mem::reserve(l.len() + 1, std::mem::size_of::<Value>())?;
            l.lock().push(v.clone());
            Ok(Value::None)
        }
        "extend" => {
            let v = args.one(&qual)?;
            let items = super::iter::iterate(v)?;
            crate::mem::reserve(l.len() + items.len(), std::mem::size_of::<Value>())?;
            l.lock().extend(items);
            Ok(Value::None)
        }
        "insert" => {
            let a = args.tuple("insert", &qual, 2, 2)?;
            let mut items = l.lock();
            let len = items.len();
            let i = position(&a[0], len)?.clamp(0, len as i64) as usize;
            items.insert(i, a[1].clone());
            Ok(Value::None)
        }
        "pop" => {
            let a = args.tuple("pop", &qual, 0, 1)?;
            let mut items = l.lock();
            if items.is_empty() {
                return Err(Exception::new("IndexError", "pop from empty list"));
            }
            let len = items.len();
            let i = match a.first() {
                None => len as i64 - 1,
                Some(i) => position(i, len)?,
            };
            if !(0..len as i64).contains(&i) {
                return Err(Exception::new("IndexError", "pop index out of range"));
            }
            Ok(items.remove(i as usize))
        }
        "remove" => {
            let v = args.one(&qual)?;
            let snapshot = l.snapshot();
            match snapshot.iter().position(|x| x.is(v) || x.py_eq(v)) {
                Some(i) => {
                    let mut items = l.lock();
                    if i < items.len() {
                        items.remove(i);
                    }
                    Ok(Value::None)
                }
                None => Err(Exception::value_error("list.remove(x): x not in list")),
            }
        }
        "index" => {
            let a = args.tuple("index", &qual, 1, 3)?;
            let items = l.snapshot();
            let len = items.len() as i64;
            let bound = |v: Option<&Value>, default: i64| -> Result<usize, Exception> {
                Ok(match v {
                    None => default,
                    Some(v) => {
                        let i = v.index()?;
                        if i < 0 { (i + len).max(0) } else { i.min(len) }
                    }
                } as usize)
            };
            let (start, end) = (bound(a.get(1), 0)?, bound(a.get(2), len)?);
            (start..end.max(start))
                .find(|&i| items[i].is(&a[0]) || items[i].py_eq(&a[0]))
                .map(|i| Value::Int(i as i64))
                .ok_or_else(|| Exception::value_error(format!("{} is not in list", repr(&a[0]))))
        }
        "count" => {
            let v = args.one(&qual)?;
            Ok(Value::Int(
                l.snapshot()
                    .iter()
                    .filter(|x| x.is(v) || x.py_eq(v))
                    .count() as i64,
            ))
        }
        "reverse" => {
            args.none(&qual)?;
            l.lock().reverse();
            Ok(Value::None)
        }
        "clear" => {
            args.none(&qual)?;
            let old = std::mem::take(&mut *l.lock());
            drop(old);
            Ok(Value::None)
        }
        "copy" => {
            args.none(&qual)?;
            Ok(Value::List(List::new(l.snapshot())))
        }
        _ => Err(no_attribute("list", name)),
    }
}

/// The (key, value) pairs of `dict(x)` or `d.update(x)`: a dict's items, or
/// an iterable of pairs.
pub fn pairs_of(v: &Value) -> Result<Vec<(Value, Value)>, Exception> {
    if let Value::Dict(d) = v {
        return Ok(d.items());
    }
    let items = super::iter::iterate(v)?;
    let mut pairs = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let pair = super::iter::iterate(&item).map_err(|_| {
            Exception::type_error(format!(
                "cannot convert dictionary update sequence element #{i} to a sequence"
            ))
        })?;
        if pair.len() != 2 {
            return Err(Exception::value_error(format!(
                "dictionary update sequence element #{i} has length {}; 2 is required",
                pair.len()
            )));
        }
        let mut pair = pair.into_iter();
        if let (Some(k), Some(v)) = (pair.next(), pair.next()) {
            pairs.push((k, v));
        }
    }
    Ok(pairs)
}

/// `dict(...)`.
pub fn new_dict(args: &Args) -> Result<Value, Exception> {
    if args.pos.len() > 1 {
        return Err(Exception::type_error(format!(
            "dict expected at most 1 argument, got {}",
            args.pos.len()
        )));
    }
    let d = match args.pos.first() {
        Some(v) => dict_of(pairs_of(v)?)?,
        None => Dict::default(),
    };
    for (k, v) in &args.kw {
        d.set(Value::str(k.as_str()), v.clone())?;
    }
    Ok(Value::Dict(d))
}

/// `set(...)`.
pub fn new_set(args: &Args) -> Result<Value, Exception> {
    if !args.kw.is_empty() {
        return Err(Exception::type_error("set() takes no keyword arguments"));
    }
    match args.pos.as_slice() {
        [] => Ok(Value::Set(Set::default())),
        [v] => Ok(Value::Set(set_of(super::iter::iterate(v)?)?)),
        more => Err(Exception::type_error(format!(
            "set expected at most 1 argument, got {}",
            more.len()
        ))),
    }
}

/// `d.method(...)`.
pub fn dict_method(d: &Dict, name: &str, args: &Args) -> Result<Value, Exception> {
    let qual = format!("dict.{name}");
    match name {
        "get" => {
            let a = args.tuple("get", &qual, 1, 2)?;
            Ok(d.get(&a[0])?
                .unwrap_or_else(|| a.get(1).cloned().unwrap_or(Value::None)))
        }
        "keys" | "values" | "items" => {
            args.none(&qual)?;
            let view = match name {
                "keys" => View::Keys,
                "values" => View::Values,
                _ => View::Items,
            };
            Ok(Value::DictView(d.clone(), view))
        }
        "pop" => {
            let a = args.tuple("pop", &qual, 1, 2)?;
            let h = key(&a[0])?;
            match d.lock().shift_remove(&h) {
                Some((_, v)) => Ok(v),
                None => a.get(1).cloned().ok_or_else(|| key_error(&a[0])),
            }
        }
        "popitem" => {
            args.none(&qual)?;
            match d.lock().pop() {
                Some((_, (k, v))) => Ok(Value::tuple(vec![k, v])),
                None => Err(key_error(&Value::str("popitem(): dictionary is empty"))),
            }
        }
        "setdefault" => {
            let a = args.tuple("setdefault", &qual, 1, 2)?;
            if let Some(v) = d.get(&a[0])? {
                return Ok(v);
            }
            let v = a.get(1).cloned().unwrap_or(Value::None);
            d.set(a[0].clone(), v.clone())?;
            Ok(v)
        }
        "update" => {
            if args.pos.len() > 1 {
                return Err(Exception::type_error(format!(
                    "update expected at most 1 argument, got {}",
                    args.pos.len()
                )));
            }
            if let Some(v) = args.pos.first() {
                for (k, v) in pairs_of(v)? {
                    d.set(k, v)?;
                }
            }
            for (k, v) in &args.kw {
                d.set(Value::str(k.as_str()), v.clone())?;
            }
            Ok(Value::None)
        }
        "clear" => {
            args.none(&qual)?;
            let old = std::mem::take(&mut *d.lock());
            drop(old);
            Ok(Value::None)
        }
        "copy" => {
            args.none(&qual)?;
            Ok(Value::Dict(Dict::new(d.map())))
        }
        "fromkeys" => {
            let a = args.tuple("fromkeys", &qual, 1, 2)?;
            let v = a.get(1).cloned().unwrap_or(Value::None);
            let keys = super::iter::iterate(&a[0])?;
            Ok(Value::Dict(dict_of(
                keys.into_iter().map(|k| (k, v.clone())),
            )?))
        }
        _ => Err(no_attribute("dict", name)),
    }
}

/// The members of another iterable, as a set's methods take them.
fn other_set(v: &Value) -> Result<Set, Exception> {
    match v {
        Value::Set(s) => Ok(s.clone()),
        other => set_of(super::iter::iterate(other)?),
    }
}

/// `s.method(...)`.
pub fn set_method(s: &Set, name: &str, args: &Args) -> Result<Value, Exception> {
    use crate::lang::ast::BinOp;
    let qual = format!("set.{name}");
    let combine = |op: BinOp| -> Result<Value, Exception> {
        let mut acc = Value::Set(Set::new(s.map()));
        if !args.kw.is_empty() {
            return Err(Exception::type_error(format!(
                "{qual}() takes no keyword arguments"
            )));
        }
        for other in &args.pos {
            acc = super::ops::binary(op, &acc, &Value::Set(other_set(other)?))?;
        }
        Ok(acc)
    };
    let update = |op: BinOp| -> Result<Value, Exception> {
        let Value::Set(result) = combine(op)? else {
            return Ok(Value::None);
        };
        let new = result.map();
        *s.lock() = new;
        Ok(Value::None)
    };
    match name {
        "add" => {
            s.add(args.one(&qual)?.clone())?;
            Ok(Value::None)
        }
        "discard" => {
            let v = args.one(&qual)?;
            s.lock().shift_remove(&key(v)?);
            Ok(Value::None)
        }
        "remove" => {
            let v = args.one(&qual)?;
            match s.lock().shift_remove(&key(v)?) {
                Some(_) => Ok(Value::None),
                None => Err(key_error(v)),
            }
        }
        "pop" => {
            args.none(&qual)?;
            match s.lock().shift_remove_index(0) {
                Some((_, v)) => Ok(v),
                None => Err(key_error(&Value::str("pop from an empty set"))),
            }
        }
        "clear" => {
            args.none(&qual)?;
            s.lock().clear();
            Ok(Value::None)
        }
        "copy" => {
            args.none(&qual)?;
            Ok(Value::Set(Set::new(s.map())))
        }
        "union" => combine(BinOp::BitOr),
        "intersection" => combine(BinOp::BitAnd),
        "difference" => combine(BinOp::Sub),
        "symmetric_difference" => combine(BinOp::BitXor),
        "update" => update(BinOp::BitOr),
        "intersection_update" => update(BinOp::BitAnd),
        "difference_update" => update(BinOp::Sub),
        "symmetric_difference_update" => update(BinOp::BitXor),
        "isdisjoint" | "issubset" | "issuperset" => {
            let other = other_set(args.one(&qual)?)?;
            let (mine, theirs) = (s.map(), other.map());
            Ok(Value::Bool(match name {
                "isdisjoint" => mine.keys().all(|k| !theirs.contains_key(k)),
                "issubset" => mine.keys().all(|k| theirs.contains_key(k)),
                _ => theirs.keys().all(|k| mine.contains_key(k)),
            }))
        }
        _ => Err(no_attribute("set", name)),
    }
}

/// `types.SimpleNamespace(**kwargs)`.
pub fn new_namespace(args: &Args) -> Result<Value, Exception> {
    if let Some(first) = args.pos.first() {
        if args.pos.len() > 1 {
            return Err(Exception::type_error(format!(
                "SimpleNamespace expected at most 1 argument, got {}",
                args.pos.len()
            )));
        }
        // 3.11 takes no positional argument at all.
        let _ = first;
        return Err(Exception::type_error("no positional arguments expected"));
    }
    Ok(Value::Namespace(Namespace::new(args.kw.clone())))
}

/// `ns.name`.
pub fn namespace_attr(ns: &Namespace, name: &str) -> Result<Value, Exception> {
    ns.get(name)
        .ok_or_else(|| no_attribute("types.SimpleNamespace", name))
}
