//! Operators with Python's semantics: arithmetic on ints (64-bit, checked) and
//! floats, `+`/`*` on sequences, comparisons, membership, indexing, slicing.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::lang::ast::{BinOp, CmpOp, UnaryOp};
use crate::outcome::Exception;
use crate::value::{EnumKind, Value, range_len};

fn overflow() -> Exception {
    Exception::new(
        "OverflowError",
        "integer overflow (sockplay integers are 64-bit)",
    )
}

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
    matches!(
        v,
        Value::Int(_) | Value::Bool(_) | Value::Float(_) | Value::Enum(..)
    )
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Float(f) => *f,
        other => other.as_int().unwrap_or(0) as f64,
    }
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
    if let (Some(x), Some(y)) = (int_of(a), int_of(b)) {
        return int_binary(op, x, y);
    }
    if is_number(a) && is_number(b) {
        return float_binary(op, as_f64(a), as_f64(b));
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
            crate::mem::reserve(x.len() + y.len(), std::mem::size_of::<Value>())?;
            Ok(Value::List(Arc::new([x.as_slice(), y.as_slice()].concat())))
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
            let Some(count) = int_of(n) else {
                return Err(Exception::type_error(format!(
                    "can't multiply sequence by non-int of type '{}'",
                    n.type_name()
                )));
            };
            Ok(match seq {
                Value::Str(s) => {
                    crate::mem::reserve(s.len().saturating_mul(count.max(0) as usize), 1)?;
                    Value::str(s.repeat(count.max(0) as usize))
                }
                Value::Bytes(x) => Value::bytes(repeat(x, count)?),
                Value::Tuple(x) => Value::tuple(repeat(x, count)?),
                Value::List(x) => Value::List(Arc::new(repeat(x, count)?)),
                _ => unreachable!("matched above"),
            })
        }
        (BinOp::Mod, Value::Str(_) | Value::Bytes(_), _) => {
            Err(Exception::unsupported("%-formatting"))
        }
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

fn int_binary(op: BinOp, a: i64, b: i64) -> Result<Value, Exception> {
    let zero = |what: &str| Exception::new("ZeroDivisionError", what);
    let n = match op {
        BinOp::Add => a.checked_add(b).ok_or_else(overflow)?,
        BinOp::Sub => a.checked_sub(b).ok_or_else(overflow)?,
        BinOp::Mul => a.checked_mul(b).ok_or_else(overflow)?,
        BinOp::Div => {
            if b == 0 {
                return Err(zero("division by zero"));
            }
            return Ok(Value::Float(a as f64 / b as f64));
        }
        BinOp::FloorDiv => {
            if b == 0 {
                return Err(zero("integer division or modulo by zero"));
            }
            floor_divmod(a, b).0
        }
        BinOp::Mod => {
            if b == 0 {
                return Err(zero("integer modulo by zero"));
            }
            floor_divmod(a, b).1
        }
        BinOp::Pow => {
            if b < 0 {
                return float_binary(op, a as f64, b as f64);
            }
            let exp = u32::try_from(b).map_err(|_| overflow())?;
            a.checked_pow(exp).ok_or_else(overflow)?
        }
        BinOp::BitOr => a | b,
        BinOp::BitAnd => a & b,
        BinOp::BitXor => a ^ b,
        BinOp::Shl | BinOp::Shr if b < 0 => {
            return Err(Exception::value_error("negative shift count"));
        }
        BinOp::Shl => {
            let shifted = if b >= 64 {
                if a == 0 { Some(0) } else { None }
            } else {
                a.checked_shl(b as u32)
            };
            match shifted {
                Some(v) if v >> b.min(63) == a => v,
                _ => return Err(overflow()),
            }
        }
        BinOp::Shr => {
            if b >= 64 {
                if a < 0 { -1 } else { 0 }
            } else {
                a >> b
            }
        }
    };
    Ok(Value::Int(n))
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
        (_, v) if int_of(v).is_some() => {
            let n = int_of(v).unwrap_or(0);
            Ok(Value::Int(match op {
                UnaryOp::Neg => n.checked_neg().ok_or_else(overflow)?,
                UnaryOp::Pos => n,
                UnaryOp::Invert => !n,
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
        (Value::Bytes(b), other) => match int_of(other) {
            Some(n) if (0..256).contains(&n) => Ok(b.contains(&(n as u8))),
            Some(_) => Err(Exception::value_error("byte must be in range(0, 256)")),
            None => Err(Exception::type_error(format!(
                "a bytes-like object is required, not '{}'",
                other.type_name()
            ))),
        },
        (Value::Tuple(items), _) => Ok(items.iter().any(|v| v.is(item) || v.py_eq(item))),
        (Value::List(items), _) => Ok(items.iter().any(|v| v.is(item) || v.py_eq(item))),
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
            Ok(items[resolve(i, items.len()).ok_or_else(|| out_of_range("list"))?].clone())
        }
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
    let step = i128::from(step.unwrap_or(1));
    if step == 0 {
        return Err(Exception::value_error("slice step cannot be zero"));
    }
    let len = len as i128;
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
    // Every position is within 0..len, so each fits a usize.
    Ok((0..count).map(move |k| (start + k * step) as usize))
}

/// A slice bound: None or an int.
pub fn slice_bound(v: Option<Value>) -> Result<Option<i64>, Exception> {
    match v {
        None | Some(Value::None) => Ok(None),
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
            let picked = slice_positions(items.len(), lower, upper, step)?;
            Ok(Value::List(Arc::new(
                picked.into_iter().map(|i| items[i].clone()).collect(),
            )))
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
        assert_eq!(
            binary(BinOp::Mul, &Value::Int(i64::MAX), &Value::Int(2))
                .unwrap_err()
                .class,
            "OverflowError"
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
