//! Methods of bytes and str (`decode`, `split`, `strip`, `find`, `hex`, ...)
//! with CPython's results and messages; the codecs are in `codecs`.

use std::sync::Arc;

use super::args::Args;
use crate::outcome::Exception;
use crate::value::Value;

/// The methods sockplay implements, per type.
pub const BYTES_METHODS: &[&str] = &[
    "decode",
    "split",
    "strip",
    "lstrip",
    "rstrip",
    "upper",
    "lower",
    "startswith",
    "endswith",
    "find",
    "count",
    "replace",
    "join",
    "hex",
    "isdigit",
];
pub const STR_METHODS: &[&str] = &[
    "encode",
    "split",
    "strip",
    "lstrip",
    "rstrip",
    "upper",
    "lower",
    "startswith",
    "endswith",
    "find",
    "count",
    "replace",
    "join",
    "isdigit",
];

/// `obj.name` for bytes and str: a bound method, or the error Python gives.
pub fn attribute(obj: &Value, name: &str) -> Result<Value, Exception> {
    let (ours, theirs) = match obj {
        Value::Bytes(_) => (BYTES_METHODS, super::dir_names::BYTES),
        _ => (STR_METHODS, super::dir_names::STR),
    };
    if ours.contains(&name)
        || super::text_more::METHODS.contains(&name)
        || (name == "format" && matches!(obj, Value::Str(_)))
    {
        return Ok(Value::Method(Arc::new(obj.clone()), name.into()));
    }
    if theirs.contains(&name) {
        return Err(Exception::unsupported(format!(
            "{}.{name}()",
            obj.type_name()
        )));
    }
    Err(Exception::new(
        "AttributeError",
        format!("'{}' object has no attribute '{name}'", obj.type_name()),
    ))
}

fn str_arg<'a>(v: &'a Value, method: &str, param: &str) -> Result<&'a str, Exception> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(Exception::type_error(format!(
            "{method}() argument '{param}' must be str, not {}",
            other.type_name()
        ))),
    }
}

pub use super::codecs::{decode, encode};

/// A view of bytes or str as a sequence of units we can search and split.
#[derive(Clone, Copy)]
enum Text<'a> {
    Bytes(&'a [u8]),
    Str(&'a str),
}

fn make(is_bytes: bool, units: Vec<u8>) -> Value {
    if is_bytes {
        Value::bytes(units)
    } else {
        Value::str(String::from_utf8(units).unwrap_or_default())
    }
}

/// bytes whitespace (`Py_ISSPACE`).
fn is_byte_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// str whitespace (`Py_UNICODE_ISSPACE`): Unicode's White_Space, plus the
/// separators U+001C..U+001F that CPython counts too.
pub fn is_str_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// CPython's `split_whitespace`: runs of whitespace separate the pieces;
/// once `maxsplit` pieces are made, the rest (leading whitespace skipped,
/// trailing kept) is the last piece.
fn split_whitespace<T: Copy>(units: &[T], maxsplit: i64, space: impl Fn(T) -> bool) -> Vec<&[T]> {
    let mut parts = Vec::new();
    let mut left = if maxsplit < 0 { i64::MAX } else { maxsplit };
    let mut i = 0;
    while left > 0 {
        while i < units.len() && space(units[i]) {
            i += 1;
        }
        if i == units.len() {
            break;
        }
        let start = i;
        while i < units.len() && !space(units[i]) {
            i += 1;
        }
        parts.push(&units[start..i]);
        left -= 1;
    }
    while i < units.len() && space(units[i]) {
        i += 1;
    }
    if i < units.len() {
        parts.push(&units[i..]);
    }
    parts
}

/// The same-type argument of a bytes or str method, as UTF-8 units.
fn same_type<'a>(
    v: &'a Value,
    is_bytes: bool,
    method: &str,
    what: &str,
) -> Result<&'a [u8], Exception> {
    match (v, is_bytes) {
        (Value::Bytes(b), true) => Ok(b),
        (Value::Str(s), false) => Ok(s.as_bytes()),
        (other, true) => Err(Exception::type_error(format!(
            "a bytes-like object is required, not '{}'",
            other.type_name()
        ))),
        (other, false) => Err(Exception::type_error(match what {
            "" => format!("must be str, not {}", other.type_name()),
            _ => format!(
                "{method}() argument {what} must be str or None, not {}",
                other.type_name()
            ),
        })),
    }
}

fn find_sub(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Python's `start`/`end` arguments to find/count/startswith, as unit
/// offsets; None when the window is empty past the end or reversed (CPython
/// then finds nothing, not even `''`).
fn bounds(text: Text, args: &[Value]) -> Result<Option<(usize, usize)>, Exception> {
    let (units, chars): (usize, Vec<usize>) = match text {
        Text::Bytes(b) => (b.len(), Vec::new()),
        Text::Str(s) => (
            s.len(),
            s.char_indices().map(|(i, _)| i).chain([s.len()]).collect(),
        ),
    };
    let count = if chars.is_empty() {
        units
    } else {
        chars.len() - 1
    };
    let to_unit = |i: usize| if chars.is_empty() { i } else { chars[i] };
    let resolve = |v: Option<&Value>, default: usize| -> Result<usize, Exception> {
        match v {
            None | Some(Value::None) => Ok(default),
            Some(v) => {
                let n = match v {
                    Value::BigInt(n) if crate::value::bigint_negative(n) => i64::MIN,
                    Value::BigInt(_) => i64::MAX,
                    v => v.as_int().ok_or_else(|| {
                        Exception::type_error(
                            "slice indices must be integers or None or have an __index__ method",
                        )
                    })?,
                };
                Ok(if n < 0 {
                    n.saturating_add(count as i64).max(0) as usize
                } else {
                    usize::try_from(n).unwrap_or(usize::MAX)
                })
            }
        }
    };
    let start = resolve(args.first(), 0)?;
    let end = resolve(args.get(1), count)?.min(count);
    if start > end {
        return Ok(None);
    }
    Ok(Some((to_unit(start), to_unit(end))))
}

/// Calls method `name` of a bytes or str value.
pub fn call(obj: &Value, name: &str, args: &Args) -> Result<Value, Exception> {
    let (text, is_bytes) = match obj {
        Value::Bytes(b) => (Text::Bytes(b), true),
        Value::Str(s) => (Text::Str(s), false),
        _ => unreachable!("text::call is only reached for bytes and str"),
    };
    let units: &[u8] = match text {
        Text::Bytes(b) => b,
        Text::Str(s) => s.as_bytes(),
    };
    let tname = obj.type_name();
    match name {
        "decode" | "encode" => {
            let p = args.def(name, &["encoding", "errors"], 2, 0, 0)?;
            let encoding = p[0]
                .as_ref()
                .map(|v| str_arg(v, name, "encoding"))
                .transpose()?
                .unwrap_or("utf-8");
            let errors = p[1]
                .as_ref()
                .map(|v| str_arg(v, name, "errors"))
                .transpose()?
                .unwrap_or("strict");
            match text {
                Text::Bytes(b) => decode(b, encoding, errors).map(Value::str),
                Text::Str(s) => encode(s, encoding, errors).map(Value::bytes),
            }
        }
        "upper" | "lower" | "isdigit" => {
            args.none(format!("{tname}.{name}"))?;
            Ok(match (name, text) {
                ("upper", Text::Bytes(b)) => Value::bytes(b.to_ascii_uppercase()),
                ("lower", Text::Bytes(b)) => Value::bytes(b.to_ascii_lowercase()),
                ("upper", Text::Str(s)) => Value::str(s.to_uppercase()),
                ("lower", Text::Str(s)) => Value::str(s.to_lowercase()),
                (_, Text::Bytes(b)) => {
                    Value::Bool(!b.is_empty() && b.iter().all(u8::is_ascii_digit))
                }
                (_, Text::Str(s)) => {
                    Value::Bool(!s.is_empty() && s.chars().all(|c| c.is_numeric()))
                }
            })
        }
        "strip" | "lstrip" | "rstrip" => {
            let a = args.tuple(name, format!("{tname}.{name}"), 0, 1)?;
            let chars: Option<Vec<char>> = match a.first() {
                None | Some(Value::None) => None,
                Some(v) => Some(match (v, is_bytes) {
                    (Value::Bytes(b), true) => b.iter().map(|&b| b as char).collect(),
                    (Value::Str(s), false) => s.chars().collect(),
                    (other, _) => {
                        return Err(Exception::type_error(format!(
                            "{} arg must be None or {tname}",
                            name
                        ))
                        .with_bytes_message(is_bytes, other));
                    }
                }),
            };
            let strip = |c: char| match &chars {
                None if is_bytes => c.is_ascii() && is_byte_space(c as u8),
                None => is_str_space(c),
                Some(set) => set.contains(&c),
            };
            Ok(match text {
                Text::Bytes(b) => {
                    let mut s = 0;
                    let mut e = b.len();
                    if name != "rstrip" {
                        while s < e && strip(b[s] as char) {
                            s += 1;
                        }
                    }
                    if name != "lstrip" {
                        while e > s && strip(b[e - 1] as char) {
                            e -= 1;
                        }
                    }
                    Value::bytes(b[s..e].to_vec())
                }
                Text::Str(s) => Value::str(match name {
                    "strip" => s.trim_matches(strip),
                    "lstrip" => s.trim_start_matches(strip),
                    _ => s.trim_end_matches(strip),
                }),
            })
        }
        "split" => {
            let p = args.def(format!("{tname}.split"), &["sep", "maxsplit"], 2, 0, 0)?;
            let maxsplit = match &p[1] {
                None => -1,
                Some(v) => v.index()?,
            };
            let sep = match &p[0] {
                None | Some(Value::None) => None,
                Some(v) => Some(same_type(v, is_bytes, "split", "")?),
            };
            let mut parts: Vec<Vec<u8>> = Vec::new();
            match sep {
                Some([]) => return Err(Exception::value_error("empty separator")),
                Some(sep) => {
                    let mut rest = units;
                    while maxsplit < 0 || (parts.len() as i64) < maxsplit {
                        let Some(i) = find_sub(rest, sep) else { break };
                        parts.push(rest[..i].to_vec());
                        rest = &rest[i + sep.len()..];
                    }
                    parts.push(rest.to_vec());
                }
                None => match text {
                    Text::Bytes(b) => {
                        for piece in split_whitespace(b, maxsplit, is_byte_space) {
                            parts.push(piece.to_vec());
                        }
                    }
                    Text::Str(s) => {
                        let chars: Vec<char> = s.chars().collect();
                        for piece in split_whitespace(&chars, maxsplit, is_str_space) {
                            parts.push(piece.iter().collect::<String>().into_bytes());
                        }
                    }
                },
            }
            Ok(Value::List(crate::value::containers::List::new(
                parts.into_iter().map(|p| make(is_bytes, p)).collect(),
            )))
        }
        "startswith" | "endswith" => {
            let a = args.tuple(name, format!("{tname}.{name}"), 1, 3)?;
            let window = bounds(text, &a[1..])?.map(|(start, end)| &units[start..end]);
            let test = |v: &Value| -> Result<bool, Exception> {
                let p = match (v, is_bytes) {
                    (Value::Bytes(b), true) => b.as_ref(),
                    (Value::Str(s), false) => s.as_bytes(),
                    (other, _) => {
                        let kind = if is_bytes { "bytes" } else { "str" };
                        return Err(Exception::type_error(format!(
                            "{name} first arg must be {kind} or a tuple of {kind}, not {}",
                            other.type_name()
                        )));
                    }
                };
                Ok(match window {
                    None => false,
                    Some(w) if name == "startswith" => w.starts_with(p),
                    Some(w) => w.ends_with(p),
                })
            };
            match &a[0] {
                Value::Tuple(options) => {
                    for o in options.iter() {
                        if test(o)? {
                            return Ok(Value::Bool(true));
                        }
                    }
                    Ok(Value::Bool(false))
                }
                v => test(v).map(Value::Bool),
            }
        }
        "find" | "count" => {
            let a = args.tuple(name, format!("{tname}.{name}"), 1, 3)?;
            let sub: Vec<u8> = match (&a[0], is_bytes) {
                (Value::Bytes(b), true) => b.to_vec(),
                (v, true) if v.as_int().is_some() => {
                    let n = v.index()?;
                    if !(0..256).contains(&n) {
                        return Err(Exception::value_error("byte must be in range(0, 256)"));
                    }
                    vec![n as u8]
                }
                (Value::Str(s), false) => s.as_bytes().to_vec(),
                (other, true) => {
                    return Err(Exception::type_error(format!(
                        "argument should be integer or bytes-like object, not '{}'",
                        other.type_name()
                    )));
                }
                (other, false) => {
                    return Err(Exception::type_error(format!(
                        "must be str, not {}",
                        other.type_name()
                    )));
                }
            };
            let Some((start, end)) = bounds(text, &a[1..])? else {
                return Ok(Value::Int(if name == "count" { 0 } else { -1 }));
            };
            let window = &units[start..end];
            if name == "count" {
                if sub.is_empty() {
                    let n = match text {
                        Text::Bytes(_) => window.len(),
                        Text::Str(_) => String::from_utf8_lossy(window).chars().count(),
                    };
                    return Ok(Value::Int(n as i64 + 1));
                }
                let mut n = 0;
                let mut rest = window;
                while let Some(i) = find_sub(rest, &sub) {
                    n += 1;
                    rest = &rest[i + sub.len()..];
                }
                return Ok(Value::Int(n));
            }
            Ok(Value::Int(match find_sub(window, &sub) {
                None => -1,
                Some(i) => match text {
                    Text::Bytes(_) => (start + i) as i64,
                    Text::Str(s) => s[..start + i].chars().count() as i64,
                },
            }))
        }
        "replace" => {
            let a = args.tuple("replace", format!("{tname}.replace"), 2, 3)?;
            let old = same_type(&a[0], is_bytes, "replace", "")?;
            let new = same_type(&a[1], is_bytes, "replace", "")?;
            let count = match a.get(2) {
                Some(v) => v.index()?,
                None => -1,
            };
            // The most the result can take, checked against the budget first.
            let most = if old.is_empty() {
                units.len() + (units.len() + 1) * new.len()
            } else {
                units.len() + (units.len() / old.len()) * new.len()
            };
            crate::mem::reserve(most, 1)?;
            let mut out = Vec::new();
            let mut rest = units;
            let mut done = 0;
            while count < 0 || done < count {
                if old.is_empty() {
                    out.extend_from_slice(new);
                    let Some(first) = rest.first() else { break };
                    out.push(*first);
                    rest = &rest[1..];
                    done += 1;
                    continue;
                }
                let Some(i) = find_sub(rest, old) else { break };
                out.extend_from_slice(&rest[..i]);
                out.extend_from_slice(new);
                rest = &rest[i + old.len()..];
                done += 1;
            }
            out.extend_from_slice(rest);
            Ok(make(is_bytes, out))
        }
        "join" => {
            let item = args.one(format!("{tname}.join"))?;
            let items = super::iter::iterate(item)?;
            let total = items
                .iter()
                .map(|v| match v {
                    Value::Bytes(b) => b.len(),
                    Value::Str(s) => s.len(),
                    _ => 0,
                })
                .fold(
                    units.len().saturating_mul(items.len()),
                    usize::saturating_add,
                );
            crate::mem::reserve(total, 1)?;
            let mut out = Vec::new();
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(units);
                }
                match (v, is_bytes) {
                    (Value::Bytes(b), true) => out.extend_from_slice(b),
                    (Value::Str(s), false) => out.extend_from_slice(s.as_bytes()),
                    (other, true) => {
                        return Err(Exception::type_error(format!(
                            "sequence item {i}: expected a bytes-like object, {} found",
                            other.type_name()
                        )));
                    }
                    (other, false) => {
                        return Err(Exception::type_error(format!(
                            "sequence item {i}: expected str instance, {} found",
                            other.type_name()
                        )));
                    }
                }
            }
            Ok(make(is_bytes, out))
        }
        "hex" => {
            let p = args.def("hex", &["sep", "bytes_per_sep"], 2, 0, 0)?;
            let sep = match &p[0] {
                None => None,
                Some(Value::Str(s)) if s.chars().count() == 1 => s.chars().next(),
                Some(Value::Bytes(b)) if b.len() == 1 => Some(b[0] as char),
                Some(Value::Str(_) | Value::Bytes(_)) => {
                    return Err(Exception::value_error("sep must be length 1."));
                }
                Some(other) => {
                    return Err(Exception::type_error(format!(
                        "sep must be str or bytes., not {}",
                        other.type_name()
                    )));
                }
            };
            if sep.is_some_and(|c| !c.is_ascii()) {
                return Err(Exception::value_error("sep must be ASCII."));
            }
            let per = match &p[1] {
                None => 1,
                Some(v) => super::args::c_int(v).map_err(|e| {
                    if e.class == "OverflowError" {
                        Exception::new("OverflowError", "Python int too large to convert to C int")
                    } else {
                        e
                    }
                })?,
            };
            crate::mem::reserve(units.len(), 3)?;
            let mut out = String::with_capacity(units.len() * 3);
            let group = per.unsigned_abs() as usize;
            for (i, b) in units.iter().enumerate() {
                // Groups of `per` bytes counted from the right (positive) or the left (negative).
                let boundary = if per > 0 {
                    (units.len() - i).is_multiple_of(group)
                } else {
                    group > 0 && i % group == 0
                };
                if let Some(sep) = sep
                    && i > 0
                    && group > 0
                    && boundary
                {
                    out.push(sep);
                }
                out.push_str(&format!("{b:02x}"));
            }
            Ok(Value::str(out))
        }
        _ => super::text_more::call(obj, name, args),
    }
}

trait BytesMessage {
    fn with_bytes_message(self, is_bytes: bool, other: &Value) -> Self;
}

impl BytesMessage for Exception {
    /// bytes.strip(3) says "a bytes-like object is required, not 'int'".
    fn with_bytes_message(self, is_bytes: bool, other: &Value) -> Self {
        if is_bytes {
            Exception::type_error(format!(
                "a bytes-like object is required, not '{}'",
                other.type_name()
            ))
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_errors_are_cpythons() {
        assert_eq!(
            decode(b"\xff", "utf-8", "strict").unwrap_err().message,
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"
        );
        assert_eq!(
            decode(b"ab\xe2\x82", "utf8", "strict").unwrap_err().message,
            "'utf-8' codec can't decode bytes in position 2-3: unexpected end of data"
        );
        assert_eq!(
            decode(b"\xe2\x28", "utf-8", "strict").unwrap_err().message,
            "'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte"
        );
        assert_eq!(
            decode(b"\xe2\x82\x28", "utf-8", "strict")
                .unwrap_err()
                .message,
            "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"
        );
        assert_eq!(decode(b"a\xffb", "utf-8", "replace").unwrap(), "a\u{fffd}b");
        assert_eq!(
            decode(b"a\xffb", "utf-8", "backslashreplace").unwrap(),
            "a\\xffb"
        );
        assert_eq!(decode(b"\xe9", "latin-1", "strict").unwrap(), "é");
        assert_eq!(
            decode(b"\xe9", "ascii", "strict").unwrap_err().message,
            "'ascii' codec can't decode byte 0xe9 in position 0: ordinal not in range(128)"
        );
        assert_eq!(
            decode(b"x", "nope", "strict").unwrap_err().display_line(),
            "LookupError: unknown encoding: nope"
        );
    }

    #[test]
    fn encode_errors_are_cpythons() {
        assert_eq!(
            encode("é", "ascii", "strict").unwrap_err().message,
            "'ascii' codec can't encode character '\\xe9' in position 0: ordinal not in range(128)"
        );
        assert_eq!(encode("é", "utf-8", "strict").unwrap(), "é".as_bytes());
        assert_eq!(encode("aé", "ascii", "replace").unwrap(), b"a?");
    }
}
