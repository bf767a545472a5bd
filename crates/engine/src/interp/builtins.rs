//! The builtins a pane knows (`print`, `len`, `repr`, `bytes`, `reversed`,
//! `list`, `range`, ...) with CPython's results and error messages.

use std::sync::Arc;
use std::sync::Mutex;

use super::args::Args;
use super::text;
use crate::outcome::Exception;
use crate::value::repr::{repr, try_repr, try_str};
use crate::value::{Builtin, Value, range_len};
use num_bigint::BigInt;

pub use super::iter::iterate;

/// `len(v)`.
pub fn len(v: &Value) -> Result<i64, Exception> {
    Ok(match v {
        Value::Str(s) => s.chars().count() as i64,
        Value::Bytes(b) => b.len() as i64,
        Value::Tuple(items) => items.len() as i64,
        Value::List(items) => items.len() as i64,
        Value::Dict(d) | Value::DictView(d, _) => d.len() as i64,
        Value::Set(set) => set.len() as i64,
        Value::Record(r) => r.values.len() as i64,
        Value::Range(a, b, c) => i64::try_from(range_len(*a, *b, *c)).map_err(|_| {
            Exception::new(
                "OverflowError",
                "Python int too large to convert to C ssize_t",
            )
        })?,
        other => {
            return Err(Exception::type_error(format!(
                "object of type '{}' has no len()",
                other.type_name()
            )));
        }
    })
}

/// `bytes(...)`.
fn bytes(args: &Args) -> Result<Value, Exception> {
    let p = args.def("bytes", &["source", "encoding", "errors"], 3, 0, 0)?;
    let (source, encoding, errors) = (&p[0], &p[1], &p[2]);
    let text_arg = |v: &Option<Value>, what: &str| -> Result<Option<String>, Exception> {
        match v {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.to_string())),
            Some(other) => Err(Exception::type_error(format!(
                "bytes() argument '{what}' must be str, not {}",
                other.type_name()
            ))),
        }
    };
    let encoding = text_arg(encoding, "encoding")?;
    let errors = text_arg(errors, "errors")?;
    match (source, encoding.is_some() || errors.is_some()) {
        (None, false) => Ok(Value::bytes(Vec::new())),
        (None, true) => Err(Exception::type_error(
            "encoding or errors without sequence argument",
        )),
        (Some(Value::Str(s)), true) => {
            let Some(encoding) = encoding else {
                return Err(Exception::type_error("string argument without an encoding"));
            };
            text::encode(s, &encoding, errors.as_deref().unwrap_or("strict")).map(Value::bytes)
        }
        (Some(Value::Str(_)), false) => {
            Err(Exception::type_error("string argument without an encoding"))
        }
        (Some(_), true) => Err(Exception::type_error(if encoding.is_some() {
            "encoding without a string argument"
        } else {
            "errors without a string argument"
        })),
        (Some(Value::Bytes(b)), false) => Ok(Value::Bytes(b.clone())),
        (Some(Value::BigInt(_)), false) => Err(Exception::new(
            "OverflowError",
            "cannot fit 'int' into an index-sized integer",
        )),
        (Some(v), false) if v.is_int() => {
            let n = v.index()?;
            if n < 0 {
                return Err(Exception::value_error("negative count"));
            }
            let n = usize::try_from(n).map_err(|_| crate::mem::memory_error())?;
            crate::mem::reserve(n, 1)?;
            Ok(Value::bytes(vec![0u8; n]))
        }
        (
            Some(
                v @ (Value::None
                | Value::Float(_)
                | Value::Socket(_)
                | Value::Module(_)
                | Value::Builtin(_)
                | Value::Method(..)),
            ),
            false,
        ) => Err(Exception::type_error(format!(
            "cannot convert '{}' object to bytes",
            v.type_name()
        ))),
        (Some(v), false) => {
            let mut out = Vec::new();
            for item in iterate(v)? {
                let n = item.index()?;
                if !(0..256).contains(&n) {
                    return Err(Exception::value_error("bytes must be in range(0, 256)"));
                }
                out.push(n as u8);
            }
            Ok(Value::bytes(out))
        }
    }
}

/// `int(x)` / `int(text, base)`.
fn int(args: &Args) -> Result<Value, Exception> {
    let a = args.tuple("int", "int", 0, 2)?;
    let Some(x) = a.first() else {
        return Ok(Value::Int(0));
    };
    let base = a.get(1).map(|b| b.index()).transpose()?;
    match (x, base) {
        (Value::Float(f), None) => float_to_int(f.trunc()),
        (Value::Str(_) | Value::Bytes(_), base) => {
            let text = match x {
                Value::Str(s) => s.to_string(),
                Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                _ => unreachable!("matched above"),
            };
            let base = base.unwrap_or(10);
            let cleaned = text.trim().replace('_', "");
            let (neg, digits) = match cleaned.strip_prefix('-') {
                Some(rest) => (true, rest.to_string()),
                None => (
                    false,
                    cleaned.strip_prefix('+').unwrap_or(&cleaned).to_string(),
                ),
            };
            let digits = match base {
                16 => digits
                    .trim_start_matches("0x")
                    .trim_start_matches("0X")
                    .to_string(),
                _ => digits,
            };
            if base == 10 && digits.len() > crate::value::repr::INT_MAX_STR_DIGITS {
                return Err(Exception::value_error(format!(
                    "Exceeds the limit ({} digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
                    crate::value::repr::INT_MAX_STR_DIGITS,
                    digits.len()
                )));
            }
            let parsed = u32::try_from(base)
                .ok()
                .filter(|b| (2..=36).contains(b))
                .filter(|_| digits.chars().all(|c| c.is_ascii_alphanumeric()))
                .and_then(|b| num_bigint::BigInt::parse_bytes(digits.as_bytes(), b));
            match parsed {
                Some(n) if !digits.is_empty() => Ok(Value::int(if neg { -n } else { n })),
                _ => Err(Exception::value_error(format!(
                    "invalid literal for int() with base {base}: {}",
                    repr(x)
                ))),
            }
        }
        (v, None) => v.as_bigint().map(Value::int).ok_or_else(|| {
            Exception::type_error(format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                v.type_name()
            ))
        }),
        (_, Some(_)) => Err(Exception::type_error(
            "int() can't convert non-string with explicit base",
        )),
    }
}

/// `float(x)`.
fn float(args: &Args) -> Result<Value, Exception> {
    let a = args.tuple("float", "float", 0, 1)?;
    Ok(Value::Float(match a.first() {
        None => 0.0,
        Some(Value::Float(f)) => *f,
        Some(Value::Str(s)) => {
            let t = s.trim().replace('_', "");
            match t.to_ascii_lowercase().as_str() {
                "inf" | "+inf" | "infinity" => f64::INFINITY,
                "-inf" | "-infinity" => f64::NEG_INFINITY,
                "nan" | "+nan" | "-nan" => f64::NAN,
                _ => t.parse::<f64>().map_err(|_| {
                    Exception::value_error(format!(
                        "could not convert string to float: {}",
                        repr(&Value::str(s.to_string()))
                    ))
                })?,
            }
        }
        Some(Value::BigInt(n)) => crate::value::bigint_to_f64(n)?,
        Some(v) => v.as_int().map(|n| n as f64).ok_or_else(|| {
            Exception::type_error(format!(
                "float() argument must be a string or a real number, not '{}'",
                v.type_name()
            ))
        })?,
    }))
}

/// min/max over one iterable or several arguments.
fn extreme(args: &Args, name: &str, want: std::cmp::Ordering) -> Result<Value, Exception> {
    if !args.kw.is_empty() {
        return Err(Exception::unsupported(format!(
            "keyword arguments to {name}()"
        )));
    }
    let items = match args.pos.as_slice() {
        [] => {
            return Err(Exception::type_error(format!(
                "{name} expected at least 1 argument, got 0"
            )));
        }
        [one] => iterate(one)?,
        many => many.to_vec(),
    };
    let mut best: Option<Value> = None;
    for item in items {
        best = Some(match best {
            None => item,
            Some(b) => {
                let ord = item.py_cmp(&b).ok_or_else(|| {
                    Exception::type_error(format!(
                        "'{}' not supported between instances of '{}' and '{}'",
                        if want == std::cmp::Ordering::Less {
                            "<"
                        } else {
                            ">"
                        },
                        item.type_name(),
                        b.type_name()
                    ))
                })?;
                if ord == want { item } else { b }
            }
        });
    }
    best.ok_or_else(|| Exception::value_error(format!("{name}() arg is an empty sequence")))
}

/// Calls a builtin that is not part of the socket or select modules.
pub fn call(b: Builtin, args: &Args, stdout: &mut String) -> Result<Value, Exception> {
    match b {
        Builtin::Print => {
            let mut sep = " ".to_string();
            let mut end = "\n".to_string();
            for (name, v) in &args.kw {
                let slot = match name.as_str() {
                    "sep" => &mut sep,
                    "end" => &mut end,
                    // What a pane prints is shown at once: flushing changes nothing.
                    "flush" => continue,
                    "file" => {
                        return Err(Exception::unsupported(format!("print(..., {name}=...)")));
                    }
                    other => {
                        return Err(Exception::type_error(format!(
                            "'{other}' is an invalid keyword argument for print()"
                        )));
                    }
                };
                match v {
                    Value::None => {}
                    Value::Str(s) => *slot = s.to_string(),
                    other => {
                        return Err(Exception::type_error(format!(
                            "{name} must be None or a string, not {}",
                            other.type_name()
                        )));
                    }
                }
            }
            let parts: Vec<String> = args.pos.iter().map(try_str).collect::<Result<_, _>>()?;
            let text = parts.join(&sep);
            // What a step prints is kept for its outcome: within the memory budget.
            crate::mem::reserve(text.len() + end.len(), 1)?;
            stdout.push_str(&text);
            stdout.push_str(&end);
            Ok(Value::None)
        }
        Builtin::Len => len(args.one("len")?).map(Value::Int),
        Builtin::Repr => Ok(Value::str(try_repr(args.one("repr")?)?)),
        Builtin::Str => {
            let p = args.def("str", &["object", "encoding", "errors"], 3, 0, 0)?;
            match (&p[0], &p[1], &p[2]) {
                (None, None, None) => Ok(Value::str("")),
                (Some(v), None, None) => Ok(Value::str(try_str(v)?)),
                (Some(Value::Bytes(b)), enc, err) => {
                    let pick = |v: &Option<Value>, d: &'static str| match v {
                        Some(Value::Str(s)) => Ok(s.to_string()),
                        None => Ok(d.to_string()),
                        Some(o) => Err(Exception::type_error(format!(
                            "str() argument must be str, not {}",
                            o.type_name()
                        ))),
                    };
                    text::decode(b, &pick(enc, "utf-8")?, &pick(err, "strict")?).map(Value::str)
                }
                (Some(Value::Str(_)), _, _) => {
                    Err(Exception::type_error("decoding str is not supported"))
                }
                (Some(v), _, _) => Err(Exception::type_error(format!(
                    "decoding to str: need a bytes-like object, {} found",
                    v.type_name()
                ))),
                (None, _, _) => Ok(Value::str("")),
            }
        }
        Builtin::Bytes => bytes(args),
        Builtin::Reversed => {
            let v = args.tuple("reversed", "reversed", 1, 1)?;
            match &v[0] {
                v @ (Value::Str(_)
                | Value::Bytes(_)
                | Value::Tuple(_)
                | Value::List(_)
                | Value::Range(..)) => {
                    // In their order: the iterator takes them from the end.
                    let items = iterate(v)?;
                    Ok(Value::Reversed(Arc::new(Mutex::new(items))))
                }
                other => Err(Exception::type_error(format!(
                    "'{}' object is not reversible",
                    other.type_name()
                ))),
            }
        }
        Builtin::List => {
            let v = args.tuple("list", "list", 0, 1)?;
            Ok(Value::List(crate::value::containers::List::new(
                match v.first() {
                    None => Vec::new(),
                    Some(v) => iterate(v)?,
                },
            )))
        }
        Builtin::Tuple => {
            let v = args.tuple("tuple", "tuple", 0, 1)?;
            Ok(Value::tuple(match v.first() {
                None => Vec::new(),
                Some(v) => iterate(v)?,
            }))
        }
        Builtin::Range => {
            if !args.kw.is_empty() {
                return Err(Exception::type_error("range() takes no keyword arguments"));
            }
            let n: Vec<i64> = args
                .pos
                .iter()
                .map(Value::index)
                .collect::<Result<_, _>>()?;
            let (start, stop, step) = match n.as_slice() {
                [stop] => (0, *stop, 1),
                [start, stop] => (*start, *stop, 1),
                [start, stop, step] => (*start, *stop, *step),
                [] => {
                    return Err(Exception::type_error(
                        "range expected at least 1 argument, got 0",
                    ));
                }
                more => {
                    return Err(Exception::type_error(format!(
                        "range expected at most 3 arguments, got {}",
                        more.len()
                    )));
                }
            };
            if step == 0 {
                return Err(Exception::value_error("range() arg 3 must not be zero"));
            }
            Ok(Value::Range(start, stop, step))
        }
        Builtin::Int => int(args),
        Builtin::Float => float(args),
        Builtin::Bool => {
            let v = args.tuple("bool", "bool", 0, 1)?;
            Ok(Value::Bool(v.first().is_some_and(Value::truthy)))
        }
        Builtin::Min => extreme(args, "min", std::cmp::Ordering::Less),
        Builtin::Max => extreme(args, "max", std::cmp::Ordering::Greater),
        Builtin::Sum => {
            // sum(iterable, /, start=0): `start` may be given by name.
            // CPython's messages (Argument Clinic's, for a positional-only `iterable`).
            if let Some((name, _)) = args.kw.iter().find(|(n, _)| n != "start") {
                return Err(Exception::type_error(format!(
                    "'{name}' is an invalid keyword argument for sum()"
                )));
            }
            let given = args.pos.len() + args.kw.len();
            if given > 2 {
                return Err(Exception::type_error(format!(
                    "sum() takes at most 2 arguments ({given} given)"
                )));
            }
            if args.pos.is_empty() {
                return Err(Exception::type_error(
                    "sum() takes at least 1 positional argument (0 given)",
                ));
            }
            let start = args.kw.first().map(|(_, v)| v.clone());
            let plain = Args {
                pos: args.pos.clone(),
                kw: Vec::new(),
            };
            let a = plain.tuple("sum", "sum", 1, 2)?;
            let mut total = start.or_else(|| a.get(1).cloned()).unwrap_or(Value::Int(0));
            // A range of ints with an int start: the exact sum without making
            // the items (CPython iterates lazily and gets the same number;
            // making them could need gigabytes).
            if let Value::Range(start, stop, step) = &a[0]
                && total.is_int()
            {
                let n = BigInt::from(crate::value::range_len(*start, *stop, *step));
                let first = BigInt::from(*start);
                let step = BigInt::from(*step);
                let base = total.as_bigint().unwrap_or_default();
                let sum = &n * first + step * &n * (&n - 1) / 2;
                return Ok(Value::int(base + sum));
            }
            for item in iterate(&a[0])? {
                total = super::ops::binary(crate::lang::ast::BinOp::Add, &total, &item)?;
            }
            Ok(total)
        }
        Builtin::Abs => match args.one("abs")? {
            Value::Float(f) => Ok(Value::Float(f.abs())),
            v if v.is_int() => {
                let n = v.as_bigint().unwrap_or_default();
                Ok(Value::int(num_traits::Signed::abs(&n)))
            }
            v => Err(Exception::type_error(format!(
                "bad operand type for abs(): '{}'",
                v.type_name()
            ))),
        },
        Builtin::Ord => match args.one("ord")? {
            Value::Str(s) if s.chars().count() == 1 => {
                Ok(Value::Int(s.chars().next().map_or(0, |c| {
                    i64::from(crate::value::surrogate::code_point(c))
                })))
            }
            Value::Bytes(b) if b.len() == 1 => Ok(Value::Int(b[0] as i64)),
            Value::Str(s) => Err(Exception::type_error(format!(
                "ord() expected a character, but string of length {} found",
                s.chars().count()
            ))),
            Value::Bytes(b) => Err(Exception::type_error(format!(
                "ord() expected a character, but string of length {} found",
                b.len()
            ))),
            v => Err(Exception::type_error(format!(
                "ord() expected string of length 1, but {} found",
                v.type_name()
            ))),
        },
        Builtin::Chr => {
            let n = args.one("chr")?.index()?;
            u32::try_from(n)
                .ok()
                .and_then(crate::value::surrogate::from_code_point)
                .map(|c| Value::str(c.to_string()))
                .ok_or_else(|| Exception::value_error("chr() arg not in range(0x110000)"))
        }
        Builtin::Hex => {
            let v = args.one("hex")?;
            let n = match v {
                Value::BigInt(n) => n.as_ref().clone(),
                other => num_bigint::BigInt::from(other.index()?),
            };
            Ok(Value::str(if num_traits::Signed::is_negative(&n) {
                format!("-{:#x}", n.magnitude())
            } else {
                format!("{n:#x}")
            }))
        }
        Builtin::Help => {
            // CPython's pydoc.Helper.__call__(self, request=...).
            let request = args.def("Helper.__call__", &["request"], 1, 0, 1)?;
            stdout.push_str(&help_text(request.first().and_then(Option::as_ref)));
            Ok(Value::None)
        }
        Builtin::Dir => {
            unreachable!("dir() is called by Interp::dir, which knows the pane's names")
        }
        // Called by `Interp::call` with the pane's waiter (sleep is interruptible).
        Builtin::TimeTime
        | Builtin::TimeMonotonic
        | Builtin::TimePerfCounter
        | Builtin::TimeSleep
        | Builtin::StructPack
        | Builtin::StructUnpack
        | Builtin::StructUnpackFrom
        | Builtin::StructCalcsize => Err(Exception::new(
            "SystemError",
            format!("{}() called without its pane", b.name()),
        )),
        Builtin::Type => {
            if !args.kw.is_empty() {
                return Err(Exception::type_error("type() takes no keyword arguments"));
            }
            match args.pos.as_slice() {
                [v] => Ok(class_of(v)),
                [_, _, _] => Err(Exception::unsupported(
                    "making a class with type(name, bases, dict)",
                )),
                _ => Err(Exception::type_error("type() takes 1 or 3 arguments")),
            }
        }
        Builtin::Exit | Builtin::Quit => {
            // CPython's Quitter.__call__(self, code=None): SystemExit(code).
            let code = args.def("Quitter.__call__", &["code"], 1, 0, 1)?;
            let code = match code.first().and_then(Option::as_ref) {
                None => "None".to_string(),
                Some(v) => try_str(v)?,
            };
            Err(Exception::new("SystemExit", code))
        }
        Builtin::Isinstance => {
            let a = args.tuple("isinstance", "isinstance", 2, 2)?;
            Ok(Value::Bool(is_instance(&a[0], &a[1])?))
        }
        Builtin::Callable => {
            let a = args.one("callable")?;
            Ok(Value::Bool(matches!(
                a,
                Value::Builtin(_) | Value::Method(..) | Value::Function(_) | Value::ExcClass(_)
            )))
        }
        Builtin::Id => {
            let a = args.one("id")?;
            Ok(Value::Int(identity(a) as i64))
        }
        Builtin::Hash => {
            let a = args.one("hash")?;
            let k = crate::value::containers::key(a)?;
            Ok(Value::Int(match (&k, a) {
                // CPython's hash of an int is the int modulo 2**61 - 1 (and -1 is -2).
                (crate::value::containers::Key::Int(n), _) => {
                    let m = (1i128 << 61) - 1;
                    let h = (i128::from(n.unsigned_abs()) % m) as i64;
                    let h = if *n < 0 { -h } else { h };
                    if h == -1 { -2 } else { h }
                }
                (crate::value::containers::Key::None, _) => 0x00fc_ba98_7654_3210,
                _ => {
                    use std::hash::BuildHasher;
                    (foldhash::fast::FixedState::with_seed(0).hash_one(&k) >> 1) as i64
                }
            }))
        }
        Builtin::Divmod => {
            let a = args.tuple("divmod", "divmod", 2, 2)?;
            let q = super::ops::binary(crate::lang::ast::BinOp::FloorDiv, &a[0], &a[1]).map_err(
                |e| {
                    if e.class == "TypeError" {
                        Exception::type_error(format!(
                            "unsupported operand type(s) for divmod(): '{}' and '{}'",
                            a[0].type_name(),
                            a[1].type_name()
                        ))
                    } else {
                        e
                    }
                },
            )?;
            let r = super::ops::binary(crate::lang::ast::BinOp::Mod, &a[0], &a[1])?;
            Ok(Value::tuple(vec![q, r]))
        }
        Builtin::Round => round(args),
        Builtin::SocketClass
        | Builtin::CreateConnection
        | Builtin::CreateServer
        | Builtin::Socketpair
        | Builtin::Gethostname
        | Builtin::Select
        | Builtin::Dict
        | Builtin::Set
        | Builtin::Sorted
        | Builtin::Enumerate
        | Builtin::Zip
        | Builtin::Any
        | Builtin::All
        | Builtin::Next
        | Builtin::Iter
        | Builtin::Namespace
        | Builtin::DefaultSelector
        | Builtin::SysExit => Err(Exception::new(
            "SystemError",
            format!("{}() is called by the interpreter", b.name()),
        )),
    }
}

/// `id(v)`: the address of the object (for values held inline, of a copy).
fn identity(v: &Value) -> usize {
    match v {
        Value::List(l) => l.id(),
        Value::Dict(d) => d.id(),
        Value::Set(s) => s.id(),
        Value::Namespace(n) => n.id(),
        Value::Socket(s) => Arc::as_ptr(s) as usize,
        Value::Str(s) => s.as_ptr() as usize,
        Value::Bytes(b) => b.as_ptr() as usize,
        Value::Tuple(t) => t.as_ptr() as usize,
        Value::Function(f) => Arc::as_ptr(f) as usize,
        other => std::ptr::from_ref(other) as usize,
    }
}

/// `isinstance(v, cls)`: `cls` a class or a tuple of classes.
fn is_instance(v: &Value, cls: &Value) -> Result<bool, Exception> {
    match cls {
        Value::Tuple(classes) => {
            for c in classes.iter() {
                if is_instance(v, c)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::ExcClass(c) => Ok(match v {
            Value::Exception(e) => super::exceptions::own_class(&e.class)
                .is_some_and(|own| super::exceptions::is_subclass(own, c)),
            _ => false,
        }),
        Value::Builtin(Builtin::Int) => Ok(v.is_int()),
        Value::Builtin(Builtin::Type) => Ok(matches!(v, Value::Class(_) | Value::ExcClass(_))
            || matches!(v, Value::Builtin(b) if b.is_class())),
        Value::Builtin(b) if b.is_class() => {
            Ok(matches!(class_of(v), Value::Builtin(c) if c == *b))
        }
        Value::Class(_) => Ok(class_of(v).is(cls)
            || matches!((class_of(v), cls), (Value::Class(a), Value::Class(b)) if a == *b)),
        _ => Err(Exception::type_error(
            "isinstance() arg 2 must be a type, a tuple of types, or a union",
        )),
    }
}

/// An integral float as the int it is (exactly: `int(9.3e18)` does not fit
/// 64 bits), with CPython's errors for NaN and the infinities.
pub fn float_to_int(f: f64) -> Result<Value, Exception> {
    if f.is_nan() {
        return Err(Exception::value_error(
            "cannot convert float NaN to integer",
        ));
    }
    if f.is_infinite() {
        return Err(Exception::new(
            "OverflowError",
            "cannot convert float infinity to integer",
        ));
    }
    Ok(Value::int(
        num_traits::FromPrimitive::from_f64(f).unwrap_or_default(),
    ))
}

/// `round(x)`, `round(x, n)`: half to even, on the float's exact value.
fn round(args: &Args) -> Result<Value, Exception> {
    let slots = args.def("round", &["number", "ndigits"], 2, 1, 0)?;
    let x = slots[0].clone().unwrap_or(Value::None);
    let digits = match &slots[1] {
        None | Some(Value::None) => None,
        Some(d) => Some(d.index()?),
    };
    match (&x, digits) {
        (v, None) if v.is_int() => Ok(Value::int(v.as_bigint().unwrap_or_default())),
        (v, Some(n)) if v.is_int() => {
            if n >= 0 {
                return Ok(Value::int(v.as_bigint().unwrap_or_default()));
            }
            let p = num_bigint::BigInt::from(10).pow(n.unsigned_abs().min(4300) as u32);
            let i = v.as_bigint().unwrap_or_default();
            let (q, r): (num_bigint::BigInt, num_bigint::BigInt) =
                num_integer::Integer::div_mod_floor(&i, &p);
            let twice: num_bigint::BigInt = &r * 2;
            let q = match twice.cmp(&p) {
                std::cmp::Ordering::Greater => q + 1,
                std::cmp::Ordering::Equal if num_integer::Integer::is_odd(&q) => q + 1,
                _ => q,
            };
            Ok(Value::int(q * p))
        }
        (Value::Float(f), None) => float_to_int(f.round_ties_even()),
        (Value::Float(f), Some(n)) => {
            if !f.is_finite() || n > 323 {
                return Ok(Value::Float(*f));
            }
            if n < -308 {
                return Ok(Value::Float(0.0 * f));
            }
            if n >= 0 {
                // Formatting rounds the exact binary value, half to even: CPython's way.
                let text = format!("{:.*}", n as usize, f);
                Ok(Value::Float(text.parse().unwrap_or(*f)))
            } else {
                let p = 10f64.powi(-n as i32);
                Ok(Value::Float((f / p).round_ties_even() * p))
            }
        }
        (other, _) => Err(Exception::type_error(format!(
            "type {} doesn't define __round__ method",
            other.type_name()
        ))),
    }
}

/// `type(v)`: the class of a value, as CPython 3.11 names it.
pub fn class_of(v: &Value) -> Value {
    use crate::value::EnumKind;
    Value::Builtin(match v {
        Value::Bool(_) => Builtin::Bool,
        Value::Int(_) | Value::BigInt(_) => Builtin::Int,
        Value::Float(_) => Builtin::Float,
        Value::Str(_) => Builtin::Str,
        Value::Bytes(_) => Builtin::Bytes,
        Value::Tuple(_) => Builtin::Tuple,
        Value::List(_) => Builtin::List,
        Value::Dict(_) => Builtin::Dict,
        Value::Set(_) => Builtin::Set,
        Value::Namespace(_) => Builtin::Namespace,
        Value::Selector(_) => Builtin::DefaultSelector,
        Value::Iter(it)
            if matches!(
                &*crate::value::locked(it),
                super::iter::PyIter::Enumerate { .. }
            ) =>
        {
            Builtin::Enumerate
        }
        Value::Iter(it) if matches!(&*crate::value::locked(it), super::iter::PyIter::Zip(_)) => {
            Builtin::Zip
        }
        Value::Range(..) => Builtin::Range,
        Value::Socket(_) => Builtin::SocketClass,
        Value::Builtin(b) if b.is_class() => Builtin::Type,
        Value::Class(_) | Value::ExcClass(_) => Builtin::Type,
        // An exception's class is the class itself.
        Value::Exception(e) => {
            return crate::interp::exceptions::own_class(&e.class)
                .map_or(Value::Class("<class 'Exception'>"), Value::ExcClass);
        }
        other => {
            return Value::Class(match other {
                Value::None => "<class 'NoneType'>",
                Value::Module(_) => "<class 'module'>",
                Value::Enum(EnumKind::AddressFamily, _) => "<enum 'AddressFamily'>",
                Value::Enum(EnumKind::SocketKind, _) => "<enum 'SocketKind'>",
                Value::Enum(EnumKind::MsgFlag, _) => "<flag 'MsgFlag'>",
                Value::Enum(EnumKind::AddressInfo, _) => "<flag 'AddressInfo'>",
                Value::Builtin(Builtin::Exit | Builtin::Quit) => "<class '_sitebuiltins.Quitter'>",
                // socket.py's own functions are Python functions.
                Value::Builtin(
                    Builtin::CreateConnection | Builtin::CreateServer | Builtin::Socketpair,
                ) => "<class 'function'>",
                // Built from a list, as `reversed` is nearly always used here.
                Value::Reversed(_) => "<class 'list_reverseiterator'>",
                Value::Function(_) => "<class 'function'>",
                Value::Record(_) => "<class 'selectors.SelectorKey'>",
                Value::DictView(_, crate::value::containers::View::Keys) => "<class 'dict_keys'>",
                Value::DictView(_, crate::value::containers::View::Values) => {
                    "<class 'dict_values'>"
                }
                Value::DictView(_, crate::value::containers::View::Items) => "<class 'dict_items'>",
                Value::Iter(it) => match crate::value::locked(it).type_name() {
                    "generator" => "<class 'generator'>",
                    "list_iterator" => "<class 'list_iterator'>",
                    "range_iterator" => "<class 'range_iterator'>",
                    "tuple_iterator" => "<class 'tuple_iterator'>",
                    "str_ascii_iterator" => "<class 'str_ascii_iterator'>",
                    "bytes_iterator" => "<class 'bytes_iterator'>",
                    "set_iterator" => "<class 'set_iterator'>",
                    "dict_keyiterator" => "<class 'dict_keyiterator'>",
                    _ => "<class 'iterator'>",
                },
                _ => "<class 'builtin_function_or_method'>",
            });
        }
    })
}

/// What `help(x)` prints: sockplay's own short text (interp::help).
fn help_text(x: Option<&Value>) -> String {
    use crate::interp::help;
    let by_name = |name: &str| {
        help::text_for(name).unwrap_or_else(|| {
            format!("No sockplay help for '{name}': help() lists what has some.\n")
        })
    };
    match x {
        None => format!(
            "help(object) or help('name') for a socket method, a socket module function or a constant: help('recv'), help(s), help(socket.AF_INET).\n{}",
            help::module_text()
        ),
        Some(Value::Str(name)) => by_name(name),
        Some(Value::Socket(_)) => help::socket_text(),
        Some(Value::Module(_)) => help::module_text(),
        Some(Value::Method(_, name)) => by_name(name),
        Some(Value::Builtin(b)) => by_name(b.name()),
        Some(Value::Enum(kind, n)) => {
            let name = crate::interp::python_names::SOCKET_CONSTANTS
                .iter()
                .find(|(_, v, k)| v == n && *k == Some(*kind))
                .map_or(String::new(), |(name, _, _)| name.to_string());
            by_name(&name)
        }
        Some(other) => format!(
            "{} is a {}: sockplay has help for sockets, the socket module and its constants (help('recv')).\n",
            repr(other),
            other.type_name()
        ),
    }
}
