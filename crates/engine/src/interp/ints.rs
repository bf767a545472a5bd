//! The methods of int that socket code uses: `to_bytes`, `bit_length`, and
//! `int.from_bytes` (length prefixes and binary headers), with CPython's errors.

use std::sync::Arc;

use num_bigint::BigInt;
use num_traits::{Signed, Zero};

use super::args::{Args, bytes_like};
use super::builtins::iterate;
use crate::outcome::Exception;
use crate::value::{Builtin, Value};

const METHODS: &[&str] = &["to_bytes", "bit_length", "from_bytes"];

/// The other methods of int, which the playground does not run.
const THEIRS: &[&str] = &[
    "as_integer_ratio",
    "bit_count",
    "conjugate",
    "denominator",
    "imag",
    "numerator",
    "real",
    "is_integer",
];

/// `n.name` for an int (or bool), and `int.from_bytes`.
pub fn attribute(obj: &Value, name: &str) -> Result<Value, Exception> {
    let type_name = match obj {
        Value::Builtin(Builtin::Int) => "type object 'int'",
        other => &format!("'{}' object", other.type_name()),
    };
    let ours = match obj {
        Value::Builtin(_) => name == "from_bytes",
        _ => METHODS.contains(&name),
    };
    if ours {
        return Ok(Value::Method(Arc::new(obj.clone()), name.into()));
    }
    if THEIRS.contains(&name) {
        return Err(Exception::unsupported(format!("int.{name}")));
    }
    Err(Exception::new(
        "AttributeError",
        format!("{type_name} has no attribute '{name}'"),
    ))
}

fn byteorder(v: Option<&Value>, qual: &str) -> Result<bool, Exception> {
    match v {
        None => Ok(true),
        Some(Value::Str(s)) if &**s == "big" => Ok(true),
        Some(Value::Str(s)) if &**s == "little" => Ok(false),
        Some(Value::Str(_)) => Err(Exception::value_error(
            "byteorder must be either 'little' or 'big'",
        )),
        Some(other) => Err(Exception::type_error(format!(
            "{qual}() argument 'byteorder' must be str, not {}",
            other.type_name()
        ))),
    }
}

fn int_of(v: &Value) -> BigInt {
    v.as_bigint().unwrap_or_default()
}

/// Calls int method `name` on `obj`.
pub fn call(obj: &Value, name: &str, args: &Args) -> Result<Value, Exception> {
    match name {
        "bit_length" => {
            args.none("int.bit_length")?;
            Ok(Value::Int(int_of(obj).bits() as i64))
        }
        "to_bytes" => {
            let a = args.def("to_bytes", &["length", "byteorder", "signed"], 2, 0, 0)?;
            let length = match &a[0] {
                Some(v) => v.index()?,
                None => 1,
            };
            if length < 0 {
                return Err(Exception::value_error(
                    "length argument must be non-negative",
                ));
            }
            let big = byteorder(a[1].as_ref(), "to_bytes")?;
            let signed = a[2].as_ref().is_some_and(Value::truthy);
            to_bytes(int_of(obj), length, big, signed).map(Value::bytes)
        }
        "from_bytes" => {
            let a = args.def("from_bytes", &["bytes", "byteorder", "signed"], 2, 1, 0)?;
            let source = a[0].clone().unwrap_or(Value::None);
            let data: Vec<u8> = match bytes_like(&source) {
                Ok(b) => b.to_vec(),
                Err(_) => iterate(&source)?
                    .iter()
                    .map(|v| {
                        let n = v.index()?;
                        u8::try_from(n)
                            .map_err(|_| Exception::value_error("bytes must be in range(0, 256)"))
                    })
                    .collect::<Result<_, _>>()?,
            };
            let big = byteorder(a[1].as_ref(), "from_bytes")?;
            let signed = a[2].as_ref().is_some_and(Value::truthy);
            Ok(Value::int(from_bytes(&data, big, signed)))
        }
        _ => Err(Exception::new(
            "AttributeError",
            format!("'int' object has no attribute '{name}'"),
        )),
    }
}

/// `n.to_bytes(length, byteorder, signed=...)`.
fn to_bytes(n: BigInt, length: i64, big: bool, signed: bool) -> Result<Arc<[u8]>, Exception> {
    if n.is_negative() && !signed {
        return Err(Exception::new(
            "OverflowError",
            "can't convert negative int to unsigned",
        ));
    }
    let length = usize::try_from(length).map_err(|_| crate::mem::memory_error())?;
    // The bytes the value needs: two's complement when signed, magnitude when not.
    let mut out = if signed {
        n.to_signed_bytes_le()
    } else {
        n.to_bytes_le().1
    };
    if n.is_zero() {
        out.clear();
    }
    if out.len() > length {
        return Err(Exception::new("OverflowError", "int too big to convert"));
    }
    crate::mem::reserve(length, 1)?;
    let fill = if n.is_negative() { 0xff } else { 0 };
    let pad = length - out.len();
    // Written once, in place: `to_bytes(2**31, 'big')` touches its two
    // gigabytes one time, not once per resize, reverse and copy.
    Ok(if big {
        std::iter::repeat_n(fill, pad)
            .chain(out.iter().rev().copied())
            .collect()
    } else {
        out.iter()
            .copied()
            .chain(std::iter::repeat_n(fill, pad))
            .collect()
    })
}

/// `int.from_bytes(data, byteorder, signed=...)`.
fn from_bytes(data: &[u8], big: bool, signed: bool) -> BigInt {
    let mut le: Vec<u8> = data.to_vec();
    if big {
        le.reverse();
    }
    if signed {
        BigInt::from_signed_bytes_le(&le)
    } else {
        BigInt::from_bytes_le(num_bigint::Sign::Plus, &le)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_like_python() {
        assert_eq!(
            to_bytes(5.into(), 2, true, false).unwrap().to_vec(),
            vec![0, 5]
        );
        assert_eq!(
            to_bytes(5.into(), 2, false, false).unwrap().to_vec(),
            vec![5, 0]
        );
        assert_eq!(
            to_bytes((-1).into(), 2, true, true).unwrap().to_vec(),
            vec![0xff, 0xff]
        );
        assert_eq!(
            to_bytes(0.into(), 0, true, false).unwrap().to_vec(),
            Vec::<u8>::new()
        );
        assert_eq!(
            to_bytes(128.into(), 1, true, true).unwrap_err().message,
            "int too big to convert"
        );
        assert_eq!(
            to_bytes((-128).into(), 1, true, true).unwrap().to_vec(),
            vec![0x80]
        );
        assert_eq!(
            to_bytes((-129).into(), 1, true, true).unwrap_err().class,
            "OverflowError"
        );
        assert_eq!(
            to_bytes(256.into(), 1, true, false).unwrap_err().class,
            "OverflowError"
        );
        assert_eq!(from_bytes(&[0, 5], true, false), BigInt::from(5));
        assert_eq!(from_bytes(&[0xff, 0xfe], true, true), BigInt::from(-2));
        assert_eq!(from_bytes(&[0xff, 0xfe], true, false), BigInt::from(65534));
        assert_eq!(from_bytes(&[], true, false), BigInt::from(0));
        assert_eq!(
            from_bytes(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 1], true, false),
            BigInt::from(1)
        );
        assert_eq!(
            from_bytes(&[0x80, 0, 0, 0, 0, 0, 0, 0], true, false),
            BigInt::from(1u64 << 63)
        );
    }
}
