//! The methods of int that socket code uses: `to_bytes`, `bit_length`, and
//! `int.from_bytes` (length prefixes and binary headers), with CPython's errors.

use std::sync::Arc;

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

fn overflow() -> Exception {
    Exception::new(
        "OverflowError",
        "integer overflow (sockplay integers are 64-bit)",
    )
}

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

fn int_of(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// Calls int method `name` on `obj`.
pub fn call(obj: &Value, name: &str, args: &Args) -> Result<Value, Exception> {
    match name {
        "bit_length" => {
            args.none("int.bit_length")?;
            let n = int_of(obj);
            Ok(Value::Int(i64::from(64 - n.unsigned_abs().leading_zeros())))
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
            from_bytes(&data, big, signed).map(Value::Int)
        }
        _ => Err(Exception::new(
            "AttributeError",
            format!("'int' object has no attribute '{name}'"),
        )),
    }
}

/// `n.to_bytes(length, byteorder, signed=...)`.
fn to_bytes(n: i64, length: i64, big: bool, signed: bool) -> Result<Vec<u8>, Exception> {
    if n < 0 && !signed {
        return Err(Exception::new(
            "OverflowError",
            "can't convert negative int to unsigned",
        ));
    }
    let length = usize::try_from(length).map_err(|_| overflow())?;
    // Bytes needed: the value's bits, plus a sign bit when signed.
    let bits = if n < 0 {
        64 - (!n).leading_zeros() as usize + 1
    } else {
        64 - n.leading_zeros() as usize + usize::from(signed && n != 0)
    };
    if bits > length.saturating_mul(8) {
        return Err(Exception::new("OverflowError", "int too big to convert"));
    }
    if length > 1 << 28 {
        return Err(Exception::new("MemoryError", ""));
    }
    let fill = if n < 0 { 0xff } else { 0 };
    let mut out = vec![fill; length];
    for (i, byte) in n.to_le_bytes().iter().enumerate().take(length) {
        out[i] = *byte;
    }
    if big {
        out.reverse();
    }
    Ok(out)
}

/// `int.from_bytes(data, byteorder, signed=...)`.
fn from_bytes(data: &[u8], big: bool, signed: bool) -> Result<i64, Exception> {
    let mut le: Vec<u8> = data.to_vec();
    if big {
        le.reverse();
    }
    let negative = signed && le.last().is_some_and(|b| b & 0x80 != 0);
    let fill = if negative { 0xff } else { 0 };
    // Everything past the eighth byte must be sign extension, or it does not fit.
    if le.iter().skip(8).any(|&b| b != fill) {
        return Err(overflow());
    }
    let mut word = [fill; 8];
    for (slot, b) in word.iter_mut().zip(&le) {
        *slot = *b;
    }
    let n = i64::from_le_bytes(word);
    if !negative && n < 0 {
        return Err(overflow());
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_like_python() {
        assert_eq!(to_bytes(5, 2, true, false).unwrap(), vec![0, 5]);
        assert_eq!(to_bytes(5, 2, false, false).unwrap(), vec![5, 0]);
        assert_eq!(to_bytes(-1, 2, true, true).unwrap(), vec![0xff, 0xff]);
        assert_eq!(to_bytes(0, 0, true, false).unwrap(), Vec::<u8>::new());
        assert_eq!(
            to_bytes(128, 1, true, true).unwrap_err().message,
            "int too big to convert"
        );
        assert_eq!(to_bytes(-128, 1, true, true).unwrap(), vec![0x80]);
        assert_eq!(
            to_bytes(-129, 1, true, true).unwrap_err().class,
            "OverflowError"
        );
        assert_eq!(
            to_bytes(256, 1, true, false).unwrap_err().class,
            "OverflowError"
        );
        assert_eq!(from_bytes(&[0, 5], true, false).unwrap(), 5);
        assert_eq!(from_bytes(&[0xff, 0xfe], true, true).unwrap(), -2);
        assert_eq!(from_bytes(&[0xff, 0xfe], true, false).unwrap(), 65534);
        assert_eq!(from_bytes(&[], true, false).unwrap(), 0);
        assert_eq!(
            from_bytes(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 1], true, false).unwrap(),
            1
        );
        assert!(from_bytes(&[0x80, 0, 0, 0, 0, 0, 0, 0], true, false).is_err());
    }
}
