//! Operators with Python's semantics: arithmetic on ints (64-bit on the fast
//! path, arbitrary size past it) and floats, `+`/`*` on sequences, comparisons, membership, indexing, slicing.

use std::cmp::Ordering;

use crate::lang::ast::{BinOp, CmpOp, UnaryOp};
use crate::outcome::Exception;
use crate::value::containers::{Dict, List, Set, SetMap, View};
use crate::value::{EnumKind, Value, range_len};

fn unsupported(op: BinOp, a: &Value, b: &Value) -> Exception {
    Exception::type_error(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op.symbol(),
        a.type_name(),
        b.type_name()
    ))
}

/// `items * n`, within the memory budget (counted in bytes, before allocating).
fn repeat<T: Clone>(items: &[T], n: i64) -> Result<Vec<T>, Exception> {
    let n = n.max(0) as usize;
    crate::mem::reserve(items.len().saturating_mul(n), std::mem::size_of::<T>())?;
    let mut out = Vec::with_capacity(items.len() * n);
    for _ in 0..n {
        out.extend_from_slice(items);
    }
    Ok(out)
}

fn is_number(v: &Value) -> bool {
    v.is_int() || matches!(v, Value::Float(_))
}

/// A number as a float: CPython's OverflowError for an int too large.
fn as_f64(v: &Value) -> Result<f64, Exception> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::BigInt(n) => crate::value::bigint_to_f64(n),
        other => Ok(other.as_int().unwrap_or(0) as f64),
    }
}

/// The count of a sequence repetition: an int that fits an index.
fn repeat_count(n: &Value) -> Result<i64, Exception> {
    match n {
        Value::BigInt(_) => Err(cannot_fit()),
        other => Ok(other.as_int().unwrap_or(0)),
    }
}

/// CPython's error for an int used as an index that does not fit one.
fn cannot_fit() -> Exception {
    Exception::new(
        "OverflowError",
        "cannot fit 'int' into an index-sized integer",
    )
}

/// Python's floor division and modulo on ints.
fn floor_divmod(a: i64, b: i64) -> (i64, i64) {
    let (q, r) = (a.wrapping_div(b), a.wrapping_rem(b));
    if r != 0 && ((r < 0) != (b < 0)) {
        (q - 1, r + b)
    } else {
        (q, r)
    }
}

/// `a <op> b`.
pub fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, Exception> {
    // Flags stay flags under | & ^ (IntFlag), other enum arithmetic gives ints.
    if let (BinOp::BitOr | BinOp::BitAnd | BinOp::BitXor, Some(kind)) = (op, flag_kind(a, b)) {
        let (x, y) = (a.index()?, b.index()?);
        let n = match op {
            BinOp::BitOr => x | y,
            BinOp::BitAnd => x & y,
            _ => x ^ y,
        };
        return Ok(Value::Enum(kind, n));
    }
    if a.is_int() && b.is_int() {
        if let (Some(x), Some(y)) = (int_of(a), int_of(b))
            && let Some(v) = int_binary(op, x, y)?
        {
            return Ok(v);
        }
        return big_binary(op, a, b);
    }
    if is_number(a) && is_number(b) {
        return float_binary(op, as_f64(a)?, as_f64(b)?);
    }
    match (op, a, b) {
        (BinOp::Add, Value::Str(x), Value::Str(y)) => {
            crate::mem::reserve(x.len() + y.len(), 1)?;
            Ok(Value::str(format!("{x}{y}")))
        }
        (BinOp::Add, Value::Bytes(x), Value::Bytes(y)) => {
            crate::mem::reserve(x.len() + y.len(), 1)?;
            Ok(Value::bytes([x.as_ref(), y.as_ref()].concat()))
        }
        (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
            crate::mem::reserve(x.len() + y.len(), std::mem::size_of::<Value>())?;
            Ok(Value::tuple([x.as_ref(), y.as_ref()].concat()))
        }
        (BinOp::Add, Value::List(x), Value::List(y)) => {
            let (x, y) = (x.snapshot(), y.snapshot());
            crate::mem::reserve(x.len() + y.len(), std::mem::size_of::<Value>())?;
            Ok(Value::List(List::new(
                [x.as_slice(), y.as_slice()].concat(),
            )))
        }
        (
            BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor,
            Value::Set(x),
            Value::Set(y),
        ) => {
            let (x, y) = (x.map(), y.map());
            let mut out = SetMap::default();
            match op {
                BinOp::BitOr => {
                    out = x;
                    for (k, v) in y {
                        out.entry(k).or_insert(v);
                    }
                }
                BinOp::BitAnd => out.extend(x.into_iter().filter(|(k, _)| y.contains_key(k))),
                BinOp::Sub => out.extend(x.into_iter().filter(|(k, _)| !y.contains_key(k))),
                _ => {
                    out.extend(
                        x.iter()
                            .filter(|(k, _)| !y.contains_key(*k))
                            .map(|(k, v)| (k.clone(), v.clone())),
                    );
                    out.extend(y.into_iter().filter(|(k, _)| !x.contains_key(k)));
                }
            }
            Ok(Value::Set(Set::new(out)))
        }
        (BinOp::BitOr, Value::Dict(x), Value::Dict(y)) => {
            let out = Dict::new(x.map());
            for (k, v) in y.items() {
                out.set(k, v)?;
            }
            Ok(Value::Dict(out))
        }
        (BinOp::Add, Value::Str(_), other) => Err(Exception::type_error(format!(
            "can only concatenate str (not \"{}\") to str",
            other.type_name()
        ))),
        (BinOp::Add, Value::Bytes(_), other) => Err(Exception::type_error(format!(
            "can't concat {} to bytes",
            other.type_name()
        ))),
        (BinOp::Add, Value::Tuple(_), other) => Err(Exception::type_error(format!(
            "can only concatenate tuple (not \"{}\") to tuple",
            other.type_name()
        ))),
        (BinOp::Add, Value::List(_), other) => Err(Exception::type_error(format!(
            "can only concatenate list (not \"{}\") to list",
            other.type_name()
        ))),
        (BinOp::Mul, seq, n) | (BinOp::Mul, n, seq)
            if matches!(
                seq,
                Value::Str(_) | Value::Bytes(_) | Value::Tuple(_) | Value::List(_)
            ) =>
        {
            if !n.is_int() {
                return Err(Exception::type_error(format!(
                    "can't multiply sequence by non-int of type '{}'",
                    n.type_name()
                )));
            }
            let count = repeat_count(n)?;
            Ok(match seq {
                Value::Str(s) => {
                    crate::mem::reserve(s.len().saturating_mul(count.max(0) as usize), 1)?;
                    Value::str(s.repeat(count.max(0) as usize))
                }
                Value::Bytes(x) => Value::bytes(repeat(x, count)?),
                Value::Tuple(x) => Value::tuple(repeat(x, count)?),
                Value::List(x) => Value::List(List::new(repeat(&x.snapshot(), count)?)),
                _ => unreachable!("matched above"),
            })
        }
        (BinOp::Mod, Value::Str(_) | Value::Bytes(_), _) => super::percent::percent(a, b),
        _ => Err(unsupported(op, a, b)),
    }
}

fn flag_kind(a: &Value, b: &Value) -> Option<EnumKind> {
    match (a, b) {
        (Value::Enum(k, _), Value::Enum(l, _)) if k == l && k.is_flag() => Some(*k),
        (Value::Enum(k, _), Value::Int(_)) | (Value::Int(_), Value::Enum(k, _)) if k.is_flag() => {
            Some(*k)
        }
        _ => None,
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(_) | Value::Bool(_) | Value::Enum(..) => v.as_int(),
        _ => None,
    }
}

/// `a <op> b` on 64-bit ints; None when the result does not fit 64 bits
/// (the caller then computes it on big ints).
fn int_binary(op: BinOp, a: i64, b: i64) -> Result<Option<Value>, Exception> {
    let zero = |what: &str| Exception::new("ZeroDivisionError", what);
    let n = match op {
        BinOp::Add => a.checked_add(b),
        BinOp::Sub => a.checked_sub(b),
        BinOp::Mul => a.checked_mul(b),
        BinOp::Div => {
            if b == 0 {
                return Err(zero("division by zero"));
            }
            // Exact when both convert exactly (CPython divides exactly, then rounds once).
            if a.unsigned_abs() <= 1 << 53 && b.unsigned_abs() <= 1 << 53 {
                return Ok(Some(Value::Float(a as f64 / b as f64)));
            }
            return big_binary(op, &Value::Int(a), &Value::Int(b)).map(Some);
        }
        BinOp::FloorDiv => {
            if b == 0 {
                return Err(zero("integer division or modulo by zero"));
            }
            a.checked_div(b).map(|_| floor_divmod(a, b).0)
        }
        BinOp::Mod => {
            if b == 0 {
                return Err(zero("integer modulo by zero"));
            }
            a.checked_rem(b).map(|_| floor_divmod(a, b).1)
        }
        BinOp::Pow => {
            if b < 0 {
                return float_binary(op, a as f64, b as f64).map(Some);
            }
            u32::try_from(b).ok().and_then(|exp| a.checked_pow(exp))
        }
        BinOp::BitOr => Some(a | b),
        BinOp::BitAnd => Some(a & b),
        BinOp::BitXor => Some(a ^ b),
        BinOp::Shl | BinOp::Shr if b < 0 => {
            return Err(Exception::value_error("negative shift count"));
        }
        BinOp::Shl => {
            if b >= 64 {
                if a == 0 { Some(0) } else { None }
            } else {
                a.checked_shl(b as u32).filter(|v| v >> b == a)
            }
        }
        BinOp::Shr => Some(if b >= 64 {
            if a < 0 { -1 } else { 0 }
        } else {
            a >> b
        }),
    };
    Ok(n.map(Value::Int))
}

/// The largest product or power sockplay computes, in bits (8 Mbit, about
/// 2.5 million decimal digits): CPython goes on for minutes or hours past
/// it; sockplay raises MemoryError at once (see docs/language.md).
pub const MAX_PRODUCT_BITS: u64 = 1 << 23;

/// `a <op> b` on ints of any size, within the memory budget.
fn big_binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, Exception> {
    use num_bigint::BigInt;
    use num_integer::Integer;
    use num_traits::{Signed, ToPrimitive, Zero};
    let (Some(x), Some(y)) = (a.as_bigint(), b.as_bigint()) else {
        return Err(unsupported(op, a, b));
    };
    let zero = |what: &str| Exception::new("ZeroDivisionError", what);
    // A result of `bits` bits must fit the budget before it is computed.
    let room = |bits: u64| crate::mem::reserve((bits / 8 + 1) as usize, 1);
    // Products and powers cost far more than their size: past MAX_PRODUCT_BITS
    // they are refused rather than left to run for minutes on a pane's thread.
    let product = |bits: u64| {
        if bits > MAX_PRODUCT_BITS {
            Err(crate::mem::memory_error())
        } else {
            room(bits)
        }
    };
    let n: BigInt = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => {
            product(x.bits() + y.bits())?;
            x * y
        }
        BinOp::Div => {
            if y.is_zero() {
                return Err(zero("division by zero"));
            }
            let (fx, fy) = (x.to_f64(), y.to_f64());
            return match (fx, fy) {
                (Some(fx), Some(fy))
                    if fx.is_finite() && fy.is_finite() && (fx / fy).is_finite() =>
                {
                    Ok(Value::Float(fx / fy))
                }
                _ => Err(Exception::new(
                    "OverflowError",
                    "integer division result too large for a float",
                )),
            };
        }
        BinOp::FloorDiv => {
            if y.is_zero() {
                return Err(zero("integer division or modulo by zero"));
            }
            x.div_floor(&y)
        }
        BinOp::Mod => {
            if y.is_zero() {
                return Err(zero("integer modulo by zero"));
            }
            x.mod_floor(&y)
        }
        BinOp::Pow => {
            if y.is_negative() {
                return float_binary(op, as_f64(a)?, as_f64(b)?);
            }
            let exp = match y.to_u64() {
                Some(e) => e,
                None if x.magnitude() <= &num_bigint::BigUint::from(1u8) => {
                    // 0, 1 and -1 to any power stay small.
                    return Ok(Value::int(if x.is_negative() && y.is_odd() {
                        x
                    } else {
                        x.abs()
                    }));
                }
                None => return Err(crate::mem::memory_error()),
            };
            product(x.bits().saturating_mul(exp))?;
            let exp = u32::try_from(exp).map_err(|_| crate::mem::memory_error())?;
            x.pow(exp)
        }
        BinOp::BitOr => x | y,
        BinOp::BitAnd => x & y,
        BinOp::BitXor => x ^ y,
        BinOp::Shl | BinOp::Shr if y.is_negative() => {
            return Err(Exception::value_error("negative shift count"));
        }
        BinOp::Shl => {
            let shift = y.to_u64().ok_or_else(crate::mem::memory_error)?;
            if !x.is_zero() {
                room(x.bits().saturating_add(shift))?;
            }
            x << shift
        }
        BinOp::Shr => match y.to_u64() {
            Some(shift) => x >> shift,
            None => BigInt::from(if x.is_negative() { -1 } else { 0 }),
        },
    };
    Ok(Value::int(n))
}

fn float_binary(op: BinOp, a: f64, b: f64) -> Result<Value, Exception> {
    let zero = |what: &str| Exception::new("ZeroDivisionError", what);
    Ok(Value::Float(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => {
            if b == 0.0 {
                return Err(zero("float division by zero"));
            }
            a / b
        }
        BinOp::FloorDiv => {
            if b == 0.0 {
                return Err(zero("float floor division by zero"));
            }
            (a / b).floor()
        }
        BinOp::Mod => {
            if b == 0.0 {
                return Err(zero("float modulo"));
            }
            let r = a % b;
            if r != 0.0 && ((r < 0.0) != (b < 0.0)) {
                r + b
            } else {
                r
            }
        }
        BinOp::Pow => {
            if a == 0.0 && b < 0.0 {
                return Err(zero("0.0 cannot be raised to a negative power"));
            }
            a.powf(b)
        }
        _ => {
            return Err(Exception::type_error(format!(
                "unsupported operand type(s) for {}: 'float' and 'float'",
                op.symbol()
            )));
        }
    }))
}

/// `-a`, `+a`, `~a`.
pub fn unary(op: UnaryOp, a: &Value) -> Result<Value, Exception> {
    match (op, a) {
        (UnaryOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
        (UnaryOp::Pos, Value::Float(f)) => Ok(Value::Float(*f)),
        (_, v) if v.is_int() => {
            if let Some(n) = int_of(v)
                && let Some(r) = match op {
                    UnaryOp::Neg => n.checked_neg(),
                    UnaryOp::Pos => Some(n),
                    UnaryOp::Invert => Some(!n),
                }
            {
                return Ok(Value::Int(r));
            }
            let n = v.as_bigint().unwrap_or_default();
            Ok(Value::int(match op {
                UnaryOp::Neg => -n,
                UnaryOp::Pos => n,
                UnaryOp::Invert => -n - 1,
            }))
        }
        _ => {
            let sym = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Pos => "+",
                UnaryOp::Invert => "~",
            };
            Err(Exception::type_error(format!(
                "bad operand type for unary {sym}: '{}'",
                a.type_name()
            )))
        }
    }
}

/// `a <op> b` for one comparison of a chain.
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> Result<bool, Exception> {
    let ordered = |want: fn(Ordering) -> bool| -> Result<bool, Exception> {
        match a.py_cmp(b) {
            Some(o) => Ok(want(o)),
            None if matches!((a, b), (Value::Float(x), _) if x.is_nan())
                || matches!((a, b), (_, Value::Float(y)) if y.is_nan()) =>
            {
                Ok(false)
            }
            None => Err(Exception::type_error(format!(
                "'{}' not supported between instances of '{}' and '{}'",
                op.symbol(),
                a.type_name(),
                b.type_name()
            ))),
        }
    };
    if let (Value::Set(x), Value::Set(y), CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge) =
        (a, b, op)
    {
        // Sets are ordered by inclusion.
        let (x, y) = (x.map(), y.map());
        let subset = |p: &SetMap, q: &SetMap| p.keys().all(|k| q.contains_key(k));
        return Ok(match op {
            CmpOp::Lt => x.len() < y.len() && subset(&x, &y),
            CmpOp::Le => subset(&x, &y),
            CmpOp::Gt => x.len() > y.len() && subset(&y, &x),
            _ => subset(&y, &x),
        });
    }
    match op {
        CmpOp::Eq => Ok(a.py_eq(b)),
        CmpOp::Ne => Ok(!a.py_eq(b)),
        CmpOp::Lt => ordered(|o| o == Ordering::Less),
        CmpOp::Le => ordered(|o| o != Ordering::Greater),
        CmpOp::Gt => ordered(|o| o == Ordering::Greater),
        CmpOp::Ge => ordered(|o| o != Ordering::Less),
        CmpOp::Is => Ok(a.is(b)),
        CmpOp::IsNot => Ok(!a.is(b)),
        CmpOp::In => contains(b, a),
        CmpOp::NotIn => contains(b, a).map(|r| !r),
    }
}

/// `item in container`.
fn contains(container: &Value, item: &Value) -> Result<bool, Exception> {
    match (container, item) {
        (Value::Str(s), Value::Str(sub)) => Ok(s.contains(sub.as_ref())),
        (Value::Str(_), other) => Err(Exception::type_error(format!(
            "'in <string>' requires string as left operand, not {}",
            other.type_name()
        ))),
        (Value::Bytes(b), Value::Bytes(sub)) => {
            Ok(sub.is_empty() || b.windows(sub.len()).any(|w| w == sub.as_ref()))
        }
        (Value::Bytes(_), Value::BigInt(_)) => {
            Err(Exception::value_error("byte must be in range(0, 256)"))
        }
        (Value::Bytes(b), other) => match int_of(other) {
            Some(n) if (0..256).contains(&n) => Ok(b.contains(&(n as u8))),
            Some(_) => Err(Exception::value_error("byte must be in range(0, 256)")),
            None => Err(Exception::type_error(format!(
                "a bytes-like object is required, not '{}'",
                other.type_name()
            ))),
        },
        (Value::Tuple(items), _) => Ok(items.iter().any(|v| v.is(item) || v.py_eq(item))),
        (Value::List(items), _) => Ok(items.snapshot().iter().any(|v| v.is(item) || v.py_eq(item))),
        (Value::Record(r), _) => Ok(r.values.iter().any(|v| v.is(item) || v.py_eq(item))),
        (Value::Dict(d), _) | (Value::DictView(d, View::Keys), _) => Ok(d.get(item)?.is_some()),
        (Value::Set(s), _) => s.contains(item),
        (Value::DictView(d, view), _) => {
            Ok(view.items(d).iter().any(|v| v.is(item) || v.py_eq(item)))
        }
        (Value::Range(start, stop, step), _) => Ok(match int_of(item) {
            Some(n) => {
                let len = range_len(*start, *stop, *step);
                let offset = i128::from(n) - i128::from(*start);
                let step = i128::from(*step);
                offset % step == 0 && (0..len).contains(&(offset / step))
            }
            None => false,
        }),
        _ => Err(Exception::type_error(format!(
            "argument of type '{}' is not iterable",
            container.type_name()
        ))),
    }
}

/// Resolves a possibly negative index against `len`.
fn resolve(index: i64, len: usize) -> Option<usize> {
    let i = if index < 0 { index + len as i64 } else { index };
    (0..len as i64).contains(&i).then_some(i as usize)
}

/// `target[index]`.
pub fn index(target: &Value, index: &Value) -> Result<Value, Exception> {
    if let (
        Value::BigInt(_),
        Value::Str(_) | Value::Bytes(_) | Value::Tuple(_) | Value::List(_) | Value::Range(..),
    ) = (index, target)
    {
        return Err(Exception::new(
            "IndexError",
            "cannot fit 'int' into an index-sized integer",
        ));
    }
    let bad_index = |what: &str| {
        Exception::type_error(format!(
            "{what} indices must be integers or slices, not {}",
            index.type_name()
        ))
    };
    let out_of_range =
        |what: &str| Exception::new("IndexError", format!("{what} index out of range"));
    match target {
        Value::Str(s) => {
            let i = int_of(index).ok_or_else(|| {
                Exception::type_error(format!(
                    "string indices must be integers, not '{}'",
                    index.type_name()
                ))
            })?;
            let count = s.chars().count();
            let i = resolve(i, count).ok_or_else(|| out_of_range("string"))?;
            Ok(Value::str(
                s.chars().nth(i).map(String::from).unwrap_or_default(),
            ))
        }
        Value::Bytes(b) => {
            let i = int_of(index).ok_or_else(|| bad_index("byte"))?;
            let i = resolve(i, b.len())
                .ok_or_else(|| Exception::new("IndexError", "index out of range"))?;
            Ok(Value::Int(b[i] as i64))
        }
        Value::Tuple(items) => {
            let i = int_of(index).ok_or_else(|| bad_index("tuple"))?;
            Ok(items[resolve(i, items.len()).ok_or_else(|| out_of_range("tuple"))?].clone())
        }
        Value::List(items) => {
            let i = int_of(index).ok_or_else(|| bad_index("list"))?;
            let items = items.lock();
            Ok(items[resolve(i, items.len()).ok_or_else(|| out_of_range("list"))?].clone())
        }
        Value::Record(r) => {
            let i = int_of(index).ok_or_else(|| bad_index("tuple"))?;
            Ok(r.values[resolve(i, r.values.len()).ok_or_else(|| out_of_range("tuple"))?].clone())
        }
        Value::Dict(d) => d
            .get(index)?
            .ok_or_else(|| super::exceptions::key_error(index)),
        Value::Range(start, stop, step) => {
            let i = int_of(index).ok_or_else(|| bad_index("range"))?;
            let len = range_len(*start, *stop, *step);
            let i = if i < 0 {
                i128::from(i) + len
            } else {
                i128::from(i)
            };
            if !(0..len).contains(&i) {
                return Err(Exception::new(
                    "IndexError",
                    "range object index out of range",
                ));
            }
            // An item of the range lies between its bounds, so it fits an i64.
            Ok(Value::Int(
                (i128::from(*start) + i * i128::from(*step)) as i64,
            ))
        }
        other => Err(Exception::type_error(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        ))),
    }
}

/// The positions a slice `[lower:upper:step]` selects from a sequence of
/// `len`, as CPython's `PySlice_AdjustIndices` computes them (in i128, so that
/// no bound or step near 2**63 can overflow).
fn slice_positions(
    len: usize,
    lower: Option<i64>,
    upper: Option<i64>,
    step: Option<i64>,
) -> Result<impl Iterator<Item = usize>, Exception> {
    let (start, _, step, count) = slice_indices(len as i128, lower, upper, step)?;
    // Every position is within 0..len, so each fits a usize.
    Ok((0..count).map(move |k| (start + k * step) as usize))
}

/// `slice(lower, upper, step).indices(len)` and the slice's length, in i128.
fn slice_indices(
    len: i128,
    lower: Option<i64>,
    upper: Option<i64>,
    step: Option<i64>,
) -> Result<(i128, i128, i128, i128), Exception> {
    let step = i128::from(step.unwrap_or(1));
    if step == 0 {
        return Err(Exception::value_error("slice step cannot be zero"));
    }
    let adjust = |v: i64, lo: i128, hi: i128| -> i128 {
        let v = i128::from(v);
        let v = if v < 0 { v + len } else { v };
        v.clamp(lo, hi)
    };
    let (start, stop) = if step > 0 {
        (
            lower.map_or(0, |v| adjust(v, 0, len)),
            upper.map_or(len, |v| adjust(v, 0, len)),
        )
    } else {
        (
            lower.map_or(len - 1, |v| adjust(v, -1, len - 1)),
            upper.map_or(-1, |v| adjust(v, -1, len - 1)),
        )
    };
    let count = if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else if step < 0 && stop < start {
        (start - stop - 1) / (-step) + 1
    } else {
        0
    };
    Ok((start, stop, step, count))
}

fn target_stop(range: &Value) -> i64 {
    match range {
        Value::Range(_, stop, _) => *stop,
        _ => 0,
    }
}

/// A slice bound: None or an int.
pub fn slice_bound(v: Option<Value>) -> Result<Option<i64>, Exception> {
    match v {
        None | Some(Value::None) => Ok(None),
        // CPython clips a slice index that does not fit to the largest one.
        Some(Value::BigInt(n)) => Ok(Some(if crate::value::bigint_negative(&n) {
            i64::MIN
        } else {
            i64::MAX
        })),
        Some(v) => int_of(&v).map(Some).ok_or_else(|| {
            Exception::type_error(
                "slice indices must be integers or None or have an __index__ method",
            )
        }),
    }
}

/// `target[lower:upper:step]`.
pub fn slice(
    target: &Value,
    lower: Option<i64>,
    upper: Option<i64>,
    step: Option<i64>,
) -> Result<Value, Exception> {
    match target {
        Value::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            let picked = slice_positions(chars.len(), lower, upper, step)?;
            Ok(Value::str(
                picked.into_iter().map(|i| chars[i]).collect::<String>(),
            ))
        }
        Value::Bytes(b) => {
            let picked = slice_positions(b.len(), lower, upper, step)?;
            Ok(Value::bytes(
                picked.into_iter().map(|i| b[i]).collect::<Vec<u8>>(),
            ))
        }
        Value::Tuple(items) => {
            let picked = slice_positions(items.len(), lower, upper, step)?;
            Ok(Value::tuple(
                picked.into_iter().map(|i| items[i].clone()).collect(),
            ))
        }
        Value::List(items) => {
            let items = items.snapshot();
            let picked = slice_positions(items.len(), lower, upper, step)?;
            Ok(Value::List(List::new(
                picked.into_iter().map(|i| items[i].clone()).collect(),
            )))
        }
        Value::Range(r_start, _, r_step) => {
            // A range's slice is a range: its items at the slice's indices.
            let len = crate::value::range_len(*r_start, target_stop(target), *r_step);
            let (lo, hi, st, _) = slice_indices(len, lower, upper, step)?;
            let (r_start, r_step) = (i128::from(*r_start), i128::from(*r_step));
            let fit = |n: i128| {
                i64::try_from(n).map_err(|_| {
                    Exception::new(
                        "OverflowError",
                        "Python int too large to convert to C ssize_t",
                    )
                })
            };
            Ok(Value::Range(
                fit(r_start + lo * r_step)?,
                fit(r_start + hi * r_step)?,
                fit(r_step * st)?,
            ))
        }
        other => Err(Exception::type_error(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::repr::repr;

    fn b(s: &[u8]) -> Value {
        Value::bytes(s.to_vec())
    }

    #[test]
    fn arithmetic_is_pythons() {
        assert_eq!(
            repr(&binary(BinOp::FloorDiv, &Value::Int(-7), &Value::Int(2)).unwrap()),
            "-4"
        );
        assert_eq!(
            repr(&binary(BinOp::Mod, &Value::Int(-7), &Value::Int(2)).unwrap()),
            "1"
        );
        assert_eq!(
            repr(&binary(BinOp::Div, &Value::Int(1), &Value::Int(2)).unwrap()),
            "0.5"
        );
        assert_eq!(
            repr(&binary(BinOp::Mul, &b(b"ab"), &Value::Int(3)).unwrap()),
            "b'ababab'"
        );
        assert_eq!(
            repr(&binary(BinOp::Add, &b(b"a"), &b(b"\n")).unwrap()),
            "b'a\\n'"
        );
        assert_eq!(
            binary(BinOp::Add, &b(b"a"), &Value::str("b"))
                .unwrap_err()
                .message,
            "can't concat str to bytes"
        );
        assert_eq!(
            binary(BinOp::Add, &Value::Int(1), &Value::str("b"))
                .unwrap_err()
                .message,
            "unsupported operand type(s) for +: 'int' and 'str'"
        );
        assert_eq!(
            binary(BinOp::Div, &Value::Int(1), &Value::Int(0))
                .unwrap_err()
                .class,
            "ZeroDivisionError"
        );
        // Past 64 bits the result is a big int, as in CPython.
        assert_eq!(
            repr(&binary(BinOp::Mul, &Value::Int(i64::MAX), &Value::Int(2)).unwrap()),
            "18446744073709551614"
        );
        assert_eq!(
            repr(&binary(BinOp::Sub, &Value::Int(i64::MIN), &Value::Int(1)).unwrap()),
            "-9223372036854775809"
        );
        // A result the memory budget cannot hold is refused before it is computed.
        assert_eq!(
            binary(BinOp::Pow, &Value::Int(3), &Value::Int(1 << 40))
                .unwrap_err()
                .class,
            "MemoryError"
        );
    }

    #[test]
    fn indexing_and_slicing() {
        let data = b(b"hello");
        assert_eq!(repr(&index(&data, &Value::Int(-1)).unwrap()), "111");
        assert_eq!(repr(&slice(&data, None, Some(2), None).unwrap()), "b'he'");
        assert_eq!(repr(&slice(&data, Some(-3), None, None).unwrap()), "b'llo'");
        assert_eq!(
            repr(&slice(&data, None, None, Some(-1)).unwrap()),
            "b'olleh'"
        );
        assert_eq!(
            index(&data, &Value::Int(9)).unwrap_err().display_line(),
            "IndexError: index out of range"
        );
        assert_eq!(
            index(&Value::Int(1), &Value::Int(0))
                .unwrap_err()
                .display_line(),
            "TypeError: 'int' object is not subscriptable"
        );
    }

    #[test]
    fn flags_stay_flags() {
        let v = binary(
            BinOp::BitOr,
            &Value::Enum(EnumKind::MsgFlag, 2),
            &Value::Enum(EnumKind::MsgFlag, 64),
        )
        .unwrap();
        assert_eq!(repr(&v), "<MsgFlag.MSG_PEEK|MSG_DONTWAIT: 66>");
        let v = binary(
            BinOp::Add,
            &Value::Enum(EnumKind::AddressFamily, 2),
            &Value::Int(1),
        )
        .unwrap();
        assert_eq!(repr(&v), "3");
    }
}
