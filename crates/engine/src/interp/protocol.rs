//! The interpreter's side of Python's protocols: iterating (`next`, a
//! generator's items, `enumerate`, `zip`), comprehensions, assigning to and
//! deleting attributes and items, augmented assignment, and the builtins
//! that call back into the pane's code (`sorted(key=...)`, `any`, `min(key=...)`).

use std::sync::Arc;

use super::args::Args;
use super::iter::{self, PyIter};
use super::{Interp, collections, exceptions, generator, ops};
use crate::lang::ast::{BinOp, Comp, CompKind, Expr, Target};
use crate::net::Waiter;
use crate::outcome::Exception;
use crate::value::containers::{Dict, List, Set};
use crate::value::{Builtin, Value, locked};

/// What a comprehension is building.
enum Building {
    List(Vec<Value>),
    Set(Set),
    Dict(Dict),
}

impl Interp {
    /// The next item of an iterator; None when it is exhausted.
    pub(super) fn next_of(
        &mut self,
        it: &Value,
        w: &dyn Waiter,
    ) -> Result<Option<Value>, Exception> {
        match it {
            Value::Iter(cell) => {
                let (inner, count, zipped) = {
                    let mut guard = locked(cell);
                    if let Some(item) = guard.next_plain() {
                        return Ok(item);
                    }
                    match &*guard {
                        PyIter::Enumerate { inner, count } => (Some(inner.clone()), *count, None),
                        PyIter::Zip(iters) => (None, 0, Some(iters.clone())),
                        _ => (None, 0, None),
                    }
                };
                if let Some(inner) = inner {
                    let Some(item) = self.next_of(&inner, w)? else {
                        return Ok(None);
                    };
                    if let PyIter::Enumerate { count, .. } = &mut *locked(cell) {
                        *count = count.saturating_add(1);
                    }
                    return Ok(Some(Value::tuple(vec![Value::Int(count), item])));
                }
                if let Some(iters) = zipped {
                    if iters.is_empty() {
                        return Ok(None);
                    }
                    let mut items = Vec::with_capacity(iters.len());
                    for i in &iters {
                        match self.next_of(i, w)? {
                            Some(v) => items.push(v),
                            None => return Ok(None),
                        }
                    }
                    return Ok(Some(Value::tuple(items)));
                }
                self.resume(cell, Value::None, w)
            }
            Value::Reversed(items) => Ok(locked(items).pop()),
            other => Err(Exception::type_error(format!(
                "'{}' object is not an iterator",
                other.type_name()
            ))),
        }
    }

    /// Every item of an iterable; a generator runs to its end.
    pub(super) fn collect(&mut self, v: &Value, w: &dyn Waiter) -> Result<Vec<Value>, Exception> {
        match v {
            Value::Iter(_) => {
                let mut out = Vec::new();
                while let Some(item) = self.next_of(v, w)? {
                    if out.len() & 0xfff == 0xfff {
                        crate::mem::reserve(out.len() + 1, std::mem::size_of::<Value>())?;
                        self.check_interrupt(w)?;
                    }
                    out.push(item);
                }
                Ok(out)
            }
            other => iter::iterate(other),
        }
    }

    /// A comprehension: a generator expression makes a generator; the
    /// others are built at once. Their names are their own, as in Python 3.
    pub(super) fn comprehension(
        &mut self,
        comp: &Arc<Comp>,
        w: &dyn Waiter,
    ) -> Result<Value, Exception> {
        let Some(first) = comp.clauses.first() else {
            return Err(Exception::syntax("invalid syntax", 1));
        };
        let first = self.eval(&first.iter, w)?;
        let first = iter::iter_of(&first)?;
        let mut locals = self.frames.last().cloned().unwrap_or_default();
        if let (CompKind::Generator, Some(body)) = (comp.kind, &comp.body) {
            locals.insert(".0".to_string(), first);
            let g = generator::Generator::new(body.as_ref().clone(), locals);
            return Ok(iter::new(PyIter::Generator(
                Some(Box::new(g)),
                "<genexpr>".to_string(),
            )));
        }
        let mut out = match comp.kind {
            CompKind::Set => Building::Set(Set::default()),
            CompKind::Dict => Building::Dict(Dict::default()),
            _ => Building::List(Vec::new()),
        };
        self.frames.push(locals);
        let result = self.comp_clause(comp, 0, Some(first), &mut out, w);
        self.frames.pop();
        result?;
        Ok(match out {
            Building::List(items) => Value::List(List::new(items)),
            Building::Set(s) => Value::Set(s),
            Building::Dict(d) => Value::Dict(d),
        })
    }

    fn comp_clause(
        &mut self,
        comp: &Comp,
        i: usize,
        first: Option<Value>,
        out: &mut Building,
        w: &dyn Waiter,
    ) -> Result<(), Exception> {
        let clause = &comp.clauses[i];
        let it = match first {
            Some(it) => it,
            None => {
                let v = self.eval(&clause.iter, w)?;
                iter::iter_of(&v)?
            }
        };
        let mut turns: usize = 0;
        'items: while let Some(item) = self.next_of(&it, w)? {
            turns += 1;
            if turns & 0xfff == 0 {
                self.check_interrupt(w)?;
                if let Building::List(items) = out {
                    crate::mem::reserve(items.len() + 1, std::mem::size_of::<Value>())?;
                }
            }
            self.assign(&clause.target, item, w)?;
            for test in &clause.ifs {
                if !self.eval(test, w)?.truthy() {
                    continue 'items;
                }
            }
            if i + 1 < comp.clauses.len() {
                self.comp_clause(comp, i + 1, None, out, w)?;
                continue;
            }
            match out {
                Building::List(items) => items.push(self.eval(&comp.elt, w)?),
                Building::Set(s) => s.add(self.eval(&comp.elt, w)?)?,
                Building::Dict(d) => {
                    let k = self.eval(&comp.elt, w)?;
                    let v = match &comp.value {
                        Some(e) => self.eval(e, w)?,
                        None => Value::None,
                    };
                    d.set(k, v)?;
                }
            }
        }
        Ok(())
    }

    /// `target op= value`: lists, sets and dicts change in place (`buffer += data`
    /// on a list extends it); anything else is rebound to the result.
    pub(super) fn aug_assign(
        &mut self,
        target: &Target,
        op: BinOp,
        value: &Expr,
        w: &dyn Waiter,
    ) -> Result<(), Exception> {
        match target {
            Target::Name(n) => {
                let old = self.lookup(n)?;
                let rhs = self.eval(value, w)?;
                let new = self.inplace(op, &old, &rhs, w)?;
                self.bind(n, new);
                Ok(())
            }
            Target::Attr(obj, name) => {
                let obj = self.eval(obj, w)?;
                let old = super::attribute(&obj, name)?;
                let rhs = self.eval(value, w)?;
                let new = self.inplace(op, &old, &rhs, w)?;
                self.set_attr(&obj, name, new)
            }
            Target::Index(obj, index) => {
                let obj = self.eval(obj, w)?;
                let index = self.eval(index, w)?;
                let old = ops::index(&obj, &index)?;
                let rhs = self.eval(value, w)?;
                let new = self.inplace(op, &old, &rhs, w)?;
                set_item(&obj, &index, new)
            }
            Target::Tuple(_) | Target::Starred(_) => Err(Exception::syntax(
                "'tuple' is an illegal expression for augmented assignment",
                1,
            )),
        }
    }

    fn inplace(
        &mut self,
        op: BinOp,
        old: &Value,
        rhs: &Value,
        w: &dyn Waiter,
    ) -> Result<Value, Exception> {
        match (op, old) {
            (BinOp::Add, Value::List(l)) => {
                let items = self.collect(rhs, w)?;
                crate::mem::reserve(l.len() + items.len(), std::mem::size_of::<Value>())?;
                l.lock().extend(items);
                Ok(old.clone())
            }
            (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, Value::Set(s))
                if matches!(rhs, Value::Set(_)) =>
            {
                if let Value::Set(result) = ops::binary(op, old, rhs)? {
                    let new = result.map();
                    *s.lock() = new;
                }
                Ok(old.clone())
            }
            (BinOp::BitOr, Value::Dict(d)) if matches!(rhs, Value::Dict(_)) => {
                for (k, v) in collections::pairs_of(rhs)? {
                    d.set(k, v)?;
                }
                Ok(old.clone())
            }
            _ => ops::binary(op, old, rhs),
        }
    }

    /// `obj.name = value`.
    pub(super) fn set_attr(
        &mut self,
        obj: &Value,
        name: &str,
        value: Value,
    ) -> Result<(), Exception> {
        match obj {
            Value::Namespace(ns) => {
                self.observe_due |= matches!(value, Value::Socket(_));
                ns.set(name, value);
                Ok(())
            }
            other => Err(Exception::new(
                "AttributeError",
                format!("'{}' object has no attribute '{name}'", other.type_name()),
            )),
        }
    }

    /// `del obj[index]`, `del obj.name`.
    pub(super) fn delete(&mut self, target: &Target, w: &dyn Waiter) -> Result<(), Exception> {
        match target {
            Target::Attr(obj, name) => match self.eval(obj, w)? {
                Value::Namespace(ns) if ns.remove(name) => Ok(()),
                other => Err(Exception::new(
                    "AttributeError",
                    format!("'{}' object has no attribute '{name}'", other.type_name()),
                )),
            },
            Target::Index(obj, index) => {
                let obj = self.eval(obj, w)?;
                let index = self.eval(index, w)?;
                match &obj {
                    Value::Dict(d) => {
                        let k = crate::value::containers::key(&index)?;
                        match d.lock().shift_remove(&k) {
                            Some(_) => Ok(()),
                            None => Err(exceptions::key_error(&index)),
                        }
                    }
                    Value::List(l) => {
                        let mut items = l.lock();
                        let i = list_position(&index, items.len())?;
                        items.remove(i);
                        Ok(())
                    }
                    other => Err(Exception::type_error(format!(
                        "'{}' object doesn't support item deletion",
                        other.type_name()
                    ))),
                }
            }
            Target::Name(_) | Target::Tuple(_) | Target::Starred(_) => {
                Err(Exception::syntax("cannot delete", 1))
            }
        }
    }

    /// The builtins that call the pane's code or advance its iterators;
    /// None: the builtin is an ordinary one (`builtins::call`).
    pub(super) fn call_iterating(
        &mut self,
        b: Builtin,
        args: &Args,
        w: &dyn Waiter,
    ) -> Result<Option<Value>, Exception> {
        Ok(Some(match b {
            Builtin::Next => {
                let a = args.tuple("next", "next", 1, 2)?;
                if !matches!(a[0], Value::Iter(_) | Value::Reversed(_)) {
                    return Err(Exception::type_error(format!(
                        "'{}' object is not an iterator",
                        a[0].type_name()
                    )));
                }
                match self.next_of(&a[0], w)? {
                    Some(v) => v,
                    None => match a.get(1) {
                        Some(default) => default.clone(),
                        None => return Err(Exception::new("StopIteration", "")),
                    },
                }
            }
            Builtin::Iter => {
                let a = args.tuple("iter", "iter", 1, 1)?;
                iter::iter_of(&a[0])?
            }
            Builtin::Enumerate => {
                let slots = args.def("enumerate", &["iterable", "start"], 2, 1, 0)?;
                let iterable = slots[0].clone().unwrap_or(Value::None);
                let start = match &slots[1] {
                    None => 0,
                    Some(v) => v.index()?,
                };
                iter::new(PyIter::Enumerate {
                    inner: iter::iter_of(&iterable)?,
                    count: start,
                })
            }
            Builtin::Zip => {
                if let Some((k, _)) = args.kw.first() {
                    return Err(Exception::type_error(format!(
                        "zip() got an unexpected keyword argument '{k}'"
                    )));
                }
                let mut iters = Vec::with_capacity(args.pos.len());
                for (i, v) in args.pos.iter().enumerate() {
                    iters.push(iter::iter_of(v).map_err(|_| {
                        Exception::type_error(format!(
                            "zip argument #{} must support iteration",
                            i + 1
                        ))
                    })?);
                }
                iter::new(PyIter::Zip(iters))
            }
            Builtin::Any | Builtin::All => {
                let name = b.name();
                let a = args.tuple(name, name, 1, 1)?;
                let it = iter::iter_of(&a[0])?;
                let want = b == Builtin::Any;
                let mut found = !want;
                while let Some(v) = self.next_of(&it, w)? {
                    if v.truthy() == want {
                        found = want;
                        break;
                    }
                }
                Value::Bool(found)
            }
            Builtin::Sorted => {
                if args.pos.len() != 1 {
                    return Err(Exception::type_error(format!(
                        "sorted expected 1 argument, got {}",
                        args.pos.len()
                    )));
                }
                let items = self.collect(&args.pos[0], w)?;
                let (key, reverse) = sort_options("sort", &args.kw)?;
                Value::List(List::new(self.sorted(items, key, reverse, w)?))
            }
            Builtin::Min | Builtin::Max if args.kw.iter().any(|(k, _)| k == "key") => {
                let key = args
                    .kw
                    .iter()
                    .find(|(k, _)| k == "key")
                    .map(|(_, v)| v.clone());
                let items = match args.pos.as_slice() {
                    [one] => self.collect(one, w)?,
                    many => many.to_vec(),
                };
                let mut best: Option<(Value, Value)> = None;
                for item in items {
                    let k = match &key {
                        Some(f) if !matches!(f, Value::None) => self.call(
                            f,
                            &Args {
                                pos: vec![item.clone()],
                                kw: Vec::new(),
                            },
                            w,
                        )?,
                        _ => item.clone(),
                    };
                    let better = match &best {
                        None => true,
                        Some((bk, _)) => {
                            let (a, c) = if b == Builtin::Min {
                                (&k, bk)
                            } else {
                                (bk, &k)
                            };
                            ops::compare(crate::lang::ast::CmpOp::Lt, a, c)?
                        }
                    };
                    if better {
                        best = Some((k, item));
                    }
                }
                match best {
                    Some((_, v)) => v,
                    None => {
                        return Err(Exception::value_error(format!(
                            "{}() arg is an empty sequence",
                            b.name()
                        )));
                    }
                }
            }
            _ => return Ok(None),
        }))
    }

    /// `items` sorted (stably) by `key`, with Python's `<` and its TypeError.
    pub(super) fn sorted(
        &mut self,
        items: Vec<Value>,
        key: Option<Value>,
        reverse: bool,
        w: &dyn Waiter,
    ) -> Result<Vec<Value>, Exception> {
        let mut keyed: Vec<(Value, Value)> = Vec::with_capacity(items.len());
        for item in items {
            let k = match &key {
                Some(f) => self.call(
                    f,
                    &Args {
                        pos: vec![item.clone()],
                        kw: Vec::new(),
                    },
                    w,
                )?,
                None => item.clone(),
            };
            keyed.push((k, item));
        }
        // Python's reverse keeps equal items in their order: reverse, sort, reverse.
        if reverse {
            keyed.reverse();
        }
        let mut error = None;
        keyed.sort_by(|a, b| {
            if error.is_some() {
                return std::cmp::Ordering::Equal;
            }
            match ops::compare(crate::lang::ast::CmpOp::Lt, &a.0, &b.0) {
                Ok(true) => std::cmp::Ordering::Less,
                Ok(false) => match ops::compare(crate::lang::ast::CmpOp::Lt, &b.0, &a.0) {
                    Ok(true) => std::cmp::Ordering::Greater,
                    Ok(false) => std::cmp::Ordering::Equal,
                    Err(e) => {
                        error = Some(e);
                        std::cmp::Ordering::Equal
                    }
                },
                Err(e) => {
                    error = Some(e);
                    std::cmp::Ordering::Equal
                }
            }
        });
        if let Some(e) = error {
            return Err(e);
        }
        if reverse {
            keyed.reverse();
        }
        Ok(keyed.into_iter().map(|(_, v)| v).collect())
    }
}

/// `key=` and `reverse=` of `sorted` and `list.sort`.
pub(super) fn sort_options(
    name: &str,
    kw: &[(String, Value)],
) -> Result<(Option<Value>, bool), Exception> {
    let mut key = None;
    let mut reverse = false;
    for (k, v) in kw {
        match k.as_str() {
            "key" => key = (!matches!(v, Value::None)).then(|| v.clone()),
            "reverse" => reverse = v.truthy(),
            other => {
                return Err(Exception::type_error(format!(
                    "'{other}' is an invalid keyword argument for {name}()"
                )));
            }
        }
    }
    Ok((key, reverse))
}

/// The position `index` names in a list of `len` items, for assigning or
/// deleting (negative from the end), or CPython's IndexError.
fn list_position(index: &Value, len: usize) -> Result<usize, Exception> {
    let i = list_index(index)?;
    let len = len as i64;
    let i = if i < 0 { i + len } else { i };
    if !(0..len).contains(&i) {
        return Err(Exception::new(
            "IndexError",
            "list assignment index out of range",
        ));
    }
    Ok(i as usize)
}

fn list_index(index: &Value) -> Result<i64, Exception> {
    match index {
        Value::BigInt(_) => Err(Exception::new(
            "IndexError",
            "cannot fit 'int' into an index-sized integer",
        )),
        v => v.as_int().ok_or_else(|| {
            Exception::type_error(format!(
                "list indices must be integers or slices, not {}",
                v.type_name()
            ))
        }),
    }
}

/// `obj[index] = value`.
pub(super) fn set_item(obj: &Value, index: &Value, value: Value) -> Result<(), Exception> {
    match obj {
        Value::Dict(d) => d.set(index.clone(), value),
        Value::List(l) => {
            let mut items = l.lock();
            let i = list_position(index, items.len())?;
            items[i] = value;
            Ok(())
        }
        other => Err(Exception::type_error(format!(
            "'{}' object does not support item assignment",
            other.type_name()
        ))),
    }
}
