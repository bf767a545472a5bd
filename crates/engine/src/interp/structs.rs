//! The `struct` module: `pack`, `unpack`, `unpack_from`, `calcsize` and
//! `struct.error`, with CPython 3.11's formats (byte order and alignment) and
//! its messages, for framing code (`struct.pack('>H', len(msg))`).

use num_bigint::BigInt;

use super::args::{Args, bytes_like};
use crate::outcome::Exception;
use crate::value::Value;

/// `struct.error` with `message`.
fn error(message: impl Into<String>) -> Exception {
    Exception::new("error", message)
}

/// One item of a format: its code, its repeat count (the length for `s`
/// and `p`), and where it starts.
struct Item {
    code: char,
    count: usize,
    offset: usize,
}

/// A parsed format: its items and total size.
struct Format {
    items: Vec<Item>,
    size: usize,
    little: bool,
}

/// The size of `code` and whether native alignment applies to it.
fn size_of(code: char, native: bool) -> Option<usize> {
    Some(match code {
        'x' | 'c' | 'b' | 'B' | '?' | 's' | 'p' => 1,
        'h' | 'H' | 'e' => 2,
        'i' | 'I' | 'f' => 4,
        'l' | 'L' => {
            if native {
                8
            } else {
                4
            }
        }
        'q' | 'Q' | 'd' => 8,
        'n' | 'N' | 'P' if native => 8,
        _ => return None,
    })
}

fn parse(fmt: &Value) -> Result<Format, Exception> {
    let text: String = match fmt {
        Value::Str(s) => s.to_string(),
        Value::Bytes(b) => b.iter().map(|&c| c as char).collect(),
        other => {
            return Err(Exception::type_error(format!(
                "Struct() argument 1 must be a str or bytes object, not {}",
                other.type_name()
            )));
        }
    };
    let mut chars = text.chars().peekable();
    let (native, little) = match chars.peek() {
        Some('@') => {
            chars.next();
            (true, true)
        }
        Some('=' | '<') => (
            false,
            chars.next() == Some('<') || cfg!(target_endian = "little"),
        ),
        Some('>' | '!') => {
            chars.next();
            (false, false)
        }
        _ => (true, true),
    };
    let mut items = Vec::new();
    let mut offset = 0usize;
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut count: Option<usize> = None;
        let mut code = c;
        if c.is_ascii_digit() {
            let mut n = c.to_digit(10).unwrap_or(0) as usize;
            loop {
                match chars.peek() {
                    Some(d) if d.is_ascii_digit() => {
                        n = n
                            .checked_mul(10)
                            .and_then(|n| n.checked_add(d.to_digit(10).unwrap_or(0) as usize))
                            .ok_or_else(|| error("total struct size too long"))?;
                        chars.next();
                    }
                    _ => break,
                }
            }
            count = Some(n);
            code = chars
                .next()
                .ok_or_else(|| error("repeat count given without format specifier"))?;
        }
        if code == 'e' {
            return Err(Exception::unsupported("the half-float format 'e'"));
        }
        let size = size_of(code, native).ok_or_else(|| error("bad char in struct format"))?;
        let count = count.unwrap_or(1);
        if native && !matches!(code, 'x' | 'c' | 'b' | 'B' | '?' | 's' | 'p') {
            offset = offset.div_ceil(size) * size;
        }
        let bytes = size
            .checked_mul(count)
            .and_then(|b| b.checked_add(offset))
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or_else(|| error("total struct size too long"))?;
        items.push(Item {
            code,
            count,
            offset,
        });
        offset = bytes;
    }
    Ok(Format {
        items,
        size: offset,
        little,
    })
}

/// How many arguments `pack` takes for the format.
fn arity(f: &Format) -> usize {
    f.items
        .iter()
        .map(|i| match i.code {
            'x' => 0,
            's' | 'p' => 1,
            _ => i.count,
        })
        .sum()
}

/// The range message of an integer code, as CPython words it.
fn range_error(code: char, native: bool, negative: bool) -> Exception {
    error(match code {
        'b' => "byte format requires -128 <= number <= 127".to_string(),
        'B' => "ubyte format requires 0 <= number <= 255".to_string(),
        'h' => "short format requires -32768 <= number <= 32767".to_string(),
        'H' => "ushort format requires 0 <= number <= 65535".to_string(),
        'i' => "'i' format requires -2147483648 <= number <= 2147483647".to_string(),
        'l' if !native => "'l' format requires -2147483648 <= number <= 2147483647".to_string(),
        'I' | 'L' if !negative && (code == 'I' || !native) => {
            format!("'{code}' format requires 0 <= number <= 4294967295")
        }
        _ => "argument out of range".to_string(),
    })
}

fn pack_int(
    code: char,
    size: usize,
    v: &Value,
    native: bool,
    out: &mut [u8],
    little: bool,
) -> Result<(), Exception> {
    let n: BigInt = match v {
        Value::Float(_) | Value::Str(_) | Value::Bytes(_) | Value::None => {
            return Err(error("required argument is not an integer"));
        }
        other => other
            .as_bigint()
            .ok_or_else(|| error("required argument is not an integer"))?,
    };
    let signed = code.is_ascii_lowercase();
    let bits = size * 8;
    let (lo, hi) = if signed {
        (
            -(BigInt::from(1) << (bits - 1)),
            (BigInt::from(1) << (bits - 1)) - 1,
        )
    } else {
        (BigInt::from(0), (BigInt::from(1) << bits) - 1)
    };
    if n < lo || n > hi {
        return Err(range_error(code, native, n < BigInt::from(0)));
    }
    let raw = n.to_signed_bytes_le();
    let fill = if n < BigInt::from(0) { 0xff } else { 0 };
    // Little-endian bytes, reversed for big-endian; `out` is `size` bytes.
    let mut bytes: Vec<u8> = (0..size)
        .map(|k| raw.get(k).copied().unwrap_or(fill))
        .collect();
    if !little {
        bytes.reverse();
    }
    out.copy_from_slice(&bytes);
    Ok(())
}

/// `struct.pack(fmt, *values)`.
pub fn pack(args: &Args) -> Result<Value, Exception> {
    if let Some((k, _)) = args.kw.first() {
        return Err(Exception::type_error(format!(
            "pack() takes no keyword arguments (got '{k}')"
        )));
    }
    let Some((fmt, values)) = args.pos.split_first() else {
        return Err(Exception::type_error(
            "pack expected at least 1 argument, got 0",
        ));
    };
    let native = is_native(fmt);
    let f = parse(fmt)?;
    let want = arity(&f);
    if values.len() != want {
        return Err(error(format!(
            "pack expected {want} items for packing (got {})",
            values.len()
        )));
    }
    crate::mem::reserve(f.size, 1)?;
    let mut out = vec![0u8; f.size];
    let mut values = values.iter();
    for item in &f.items {
        let size = size_of(item.code, native).unwrap_or(1);
        match item.code {
            'x' => {}
            's' | 'p' => {
                let Some(Value::Bytes(b)) = values.next() else {
                    return Err(error(format!(
                        "argument for '{}' must be a bytes object",
                        item.code
                    )));
                };
                let room = &mut out[item.offset..item.offset + item.count];
                if item.code == 's' {
                    let n = b.len().min(room.len());
                    room[..n].copy_from_slice(&b[..n]);
                } else if !room.is_empty() {
                    let n = b.len().min(room.len() - 1).min(255);
                    room[0] = n as u8;
                    room[1..1 + n].copy_from_slice(&b[..n]);
                }
            }
            code => {
                for k in 0..item.count {
                    let v = values.next().unwrap_or(&Value::None);
                    let at = item.offset + k * size;
                    let slot = &mut out[at..at + size];
                    match code {
                        'c' => match v {
                            Value::Bytes(b) if b.len() == 1 => slot[0] = b[0],
                            _ => {
                                return Err(error(
                                    "char format requires a bytes object of length 1",
                                ));
                            }
                        },
                        '?' => slot[0] = u8::from(v.truthy()),
                        'f' | 'd' => {
                            let x = match v {
                                Value::Float(x) => *x,
                                other if other.is_int() => other
                                    .as_bigint()
                                    .and_then(|n| num_traits::ToPrimitive::to_f64(&n))
                                    .unwrap_or(f64::INFINITY),
                                _ => return Err(error("required argument is not a float")),
                            };
                            if code == 'f' {
                                let y = x as f32;
                                if y.is_infinite() && x.is_finite() {
                                    return Err(Exception::new(
                                        "OverflowError",
                                        "float too large to pack with f format",
                                    ));
                                }
                                let b = if f.little {
                                    y.to_le_bytes()
                                } else {
                                    y.to_be_bytes()
                                };
                                slot.copy_from_slice(&b);
                            } else {
                                let b = if f.little {
                                    x.to_le_bytes()
                                } else {
                                    x.to_be_bytes()
                                };
                                slot.copy_from_slice(&b);
                            }
                        }
                        _ => pack_int(code, size, v, native, slot, f.little)?,
                    }
                }
            }
        }
    }
    Ok(Value::bytes(out))
}

/// The values of `data` read with `f` from `at`.
fn read(f: &Format, native: bool, data: &[u8], at: usize) -> Vec<Value> {
    let mut values = Vec::new();
    for item in &f.items {
        let size = size_of(item.code, native).unwrap_or(1);
        let start = at + item.offset;
        match item.code {
            'x' => {}
            's' => values.push(Value::bytes(data[start..start + item.count].to_vec())),
            'p' => {
                let room = &data[start..start + item.count];
                let n = room
                    .first()
                    .map_or(0, |&n| (n as usize).min(room.len().saturating_sub(1)));
                values.push(Value::bytes(room.get(1..1 + n).unwrap_or(&[]).to_vec()));
            }
            code => {
                for k in 0..item.count {
                    let b = &data[start + k * size..start + (k + 1) * size];
                    let mut le: Vec<u8> = b.to_vec();
                    if !f.little {
                        le.reverse();
                    }
                    values.push(match code {
                        'c' => Value::bytes(b.to_vec()),
                        '?' => Value::Bool(b[0] != 0),
                        'f' => {
                            let mut a = [0u8; 4];
                            a.copy_from_slice(&le);
                            Value::Float(f32::from_le_bytes(a) as f64)
                        }
                        'd' => {
                            let mut a = [0u8; 8];
                            a.copy_from_slice(&le);
                            Value::Float(f64::from_le_bytes(a))
                        }
                        c if c.is_ascii_lowercase() => {
                            Value::int(BigInt::from_signed_bytes_le(&le))
                        }
                        _ => Value::int(BigInt::from_bytes_le(num_bigint::Sign::Plus, &le)),
                    });
                }
            }
        }
    }
    values
}

fn is_native(fmt: &Value) -> bool {
    match fmt {
        Value::Str(s) => !s.starts_with(['=', '<', '>', '!']),
        Value::Bytes(b) => !matches!(b.first(), Some(b'=' | b'<' | b'>' | b'!')),
        _ => true,
    }
}

/// `struct.unpack(fmt, buffer)`.
pub fn unpack(args: &Args) -> Result<Value, Exception> {
    let a = args.tuple("unpack", "unpack", 2, 2)?;
    let f = parse(&a[0])?;
    let data = bytes_like(&a[1])?;
    if data.len() != f.size {
        return Err(error(format!(
            "unpack requires a buffer of {} bytes",
            f.size
        )));
    }
    Ok(Value::tuple(read(&f, is_native(&a[0]), data, 0)))
}

/// `struct.unpack_from(fmt, buffer, offset=0)`.
pub fn unpack_from(args: &Args) -> Result<Value, Exception> {
    let a = args.def("unpack_from", &["format", "buffer", "offset"], 3, 2, 0)?;
    let (Some(fmt), Some(buffer)) = (&a[0], &a[1]) else {
        return Err(Exception::type_error(
            "unpack_from() missing required argument 'buffer' (pos 2)",
        ));
    };
    let offset = match &a[2] {
        None => 0,
        Some(v) => v.as_int().ok_or_else(|| {
            Exception::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                v.type_name()
            ))
        })?,
    };
    let f = parse(fmt)?;
    let data = bytes_like(buffer)?;
    let len = data.len() as i64;
    let offset = if offset < 0 {
        if offset + len < 0 {
            return Err(error(format!(
                "offset {offset} out of range for {len}-byte buffer"
            )));
        }
        offset + len
    } else {
        offset
    };
    if offset + f.size as i64 > len {
        return Err(error(format!(
            "unpack_from requires a buffer of at least {} bytes for unpacking {} bytes at offset {offset} (actual buffer size is {len})",
            offset + f.size as i64,
            f.size
        )));
    }
    Ok(Value::tuple(read(
        &f,
        is_native(fmt),
        data,
        offset as usize,
    )))
}

/// `struct.calcsize(fmt)`.
pub fn calcsize(args: &Args) -> Result<Value, Exception> {
    let a = args.tuple("calcsize", "calcsize", 1, 1)?;
    Ok(Value::Int(parse(&a[0])?.size as i64))
}
