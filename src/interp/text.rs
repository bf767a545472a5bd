//! Methods of bytes and str (`decode`, `split`, `strip`, `find`, ...) and the
//! codecs behind `decode`/`encode`: utf-8, ascii and latin-1 with CPython's
//! error handlers and UnicodeDecodeError messages.

use std::sync::Arc;

use super::args::Args;
use super::python_names;
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
        Value::Bytes(_) => (BYTES_METHODS, python_names::BYTES),
        _ => (STR_METHODS, python_names::STR),
    };
    if ours.contains(&name) {
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

/// A codec name normalized as Python's lookup does, or LookupError.
fn codec(name: &str) -> Result<&'static str, Exception> {
    let norm = name.to_ascii_lowercase().replace('_', "-");
    Ok(match norm.as_str() {
        "utf-8" | "utf8" | "u8" | "utf" | "cp65001" => "utf-8",
        "ascii" | "us-ascii" | "646" => "ascii",
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "8859" | "l1" | "cp819" | "latin" => {
            "latin-1"
        }
        _ => {
            return Err(Exception::new(
                "LookupError",
                format!("unknown encoding: {name}"),
            ));
        }
    })
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

/// bytes.decode(encoding, errors).
pub fn decode(data: &[u8], encoding: &str, errors: &str) -> Result<String, Exception> {
    let codec = codec(encoding)?;
    let mut out = String::with_capacity(data.len());
    let mut pos = 0;
    while pos < data.len() {
        // Find the next undecodable run: (start, end, reason).
        let (good, bad) = match codec {
            "utf-8" => match std::str::from_utf8(&data[pos..]) {
                Ok(s) => (s.len(), None),
                Err(e) => {
                    let start = pos + e.valid_up_to();
                    let (end, reason) = match e.error_len() {
                        Some(n) if n == 1 && matches!(data[start], 0x80..=0xc1 | 0xf5..=0xff) => {
                            (start + 1, "invalid start byte")
                        }
                        Some(n) => (start + n, "invalid continuation byte"),
                        None => (data.len(), "unexpected end of data"),
                    };
                    (e.valid_up_to(), Some((start, end, reason)))
                }
            },
            "ascii" => match data[pos..].iter().position(|b| *b >= 0x80) {
                None => (data.len() - pos, None),
                Some(i) => (i, Some((pos + i, pos + i + 1, "ordinal not in range(128)"))),
            },
            _ => (data.len() - pos, None),
        };
        let chunk = &data[pos..pos + good];
        if codec == "latin-1" {
            out.extend(chunk.iter().map(|&b| b as char));
        } else {
            out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        }
        let Some((start, end, reason)) = bad else {
            break;
        };
        match errors {
            "strict" => {
                let message = if end - start == 1 {
                    format!(
                        "'{codec}' codec can't decode byte 0x{:02x} in position {start}: {reason}",
                        data[start]
                    )
                } else {
                    format!(
                        "'{codec}' codec can't decode bytes in position {start}-{}: {reason}",
                        end - 1
                    )
                };
                return Err(Exception::new("UnicodeDecodeError", message));
            }
            "replace" => out.push('\u{fffd}'),
            "ignore" => {}
            "backslashreplace" => data[start..end]
                .iter()
                .for_each(|b| out.push_str(&format!("\\x{b:02x}"))),
            "surrogateescape" | "surrogatepass" => {
                return Err(Exception::unsupported(format!(
                    "the '{errors}' error handler"
                )));
            }
            other => {
                return Err(Exception::new(
                    "LookupError",
                    format!("unknown error handler name '{other}'"),
                ));
            }
        }
        pos = end;
    }
    Ok(out)
}

/// str.encode(encoding, errors).
pub fn encode(text: &str, encoding: &str, errors: &str) -> Result<Vec<u8>, Exception> {
    let codec = codec(encoding)?;
    let limit = match codec {
        "utf-8" => return Ok(text.as_bytes().to_vec()),
        "ascii" => 0x80,
        _ => 0x100,
    };
    let mut out = Vec::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        let n = c as u32;
        if n < limit {
            out.push(n as u8);
            continue;
        }
        match errors {
            "strict" => {
                return Err(Exception::new(
                    "UnicodeEncodeError",
                    format!(
                        "'{codec}' codec can't encode character '{}' in position {i}: ordinal not in range({limit})",
                        if n <= 0xff {
                            format!("\\x{n:02x}")
                        } else if n <= 0xffff {
                            format!("\\u{n:04x}")
                        } else {
                            format!("\\U{n:08x}")
                        }
                    ),
                ));
            }
            "replace" => out.push(b'?'),
            "ignore" => {}
            "backslashreplace" => out.extend(
                if n <= 0xff {
                    format!("\\x{n:02x}")
                } else if n <= 0xffff {
                    format!("\\u{n:04x}")
                } else {
                    format!("\\U{n:08x}")
                }
                .bytes(),
            ),
            "xmlcharrefreplace" => out.extend(format!("&#{n};").bytes()),
            other => {
                return Err(Exception::new(
                    "LookupError",
                    format!("unknown error handler name '{other}'"),
                ));
            }
        }
    }
    Ok(out)
}

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

fn is_space(b: u8, is_bytes: bool) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
        || (!is_bytes && matches!(b, 0x1c..=0x1f))
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

/// Python's `start`/`end` arguments to find/count/startswith, as unit offsets.
fn bounds(text: Text, args: &[Value]) -> Result<(usize, usize), Exception> {
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
                let n = v.as_int().ok_or_else(|| {
                    Exception::type_error(
                        "slice indices must be integers or None or have an __index__ method",
                    )
                })?;
                let n = if n < 0 {
                    (n + count as i64).max(0)
                } else {
                    n.min(count as i64)
                };
                Ok(n as usize)
            }
        }
    };
    let start = resolve(args.first(), 0)?;
    let end = resolve(args.get(1), count)?;
    Ok((to_unit(start), to_unit(end.max(start))))
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
            args.none(&format!("{tname}.{name}"))?;
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
            let a = args.tuple(name, &format!("{tname}.{name}"), 0, 1)?;
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
                None => c.is_whitespace() && (!is_bytes || c.is_ascii()),
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
            let p = args.def(&format!("{tname}.split"), &["sep", "maxsplit"], 2, 0, 0)?;
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
                None => {
                    let mut i = 0;
                    while i < units.len() {
                        while i < units.len() && is_space(units[i], is_bytes) {
                            i += 1;
                        }
                        if i == units.len() {
                            break;
                        }
                        if maxsplit >= 0 && parts.len() as i64 == maxsplit {
                            let mut end = units.len();
                            while end > i && is_space(units[end - 1], is_bytes) {
                                end -= 1;
                            }
                            parts.push(units[i..end].to_vec());
                            break;
                        }
                        let start = i;
                        while i < units.len() && !is_space(units[i], is_bytes) {
                            i += 1;
                        }
                        parts.push(units[start..i].to_vec());
                    }
                }
            }
            Ok(Value::List(Arc::new(
                parts.into_iter().map(|p| make(is_bytes, p)).collect(),
            )))
        }
        "startswith" | "endswith" => {
            let a = args.tuple(name, &format!("{tname}.{name}"), 1, 3)?;
            let (start, end) = bounds(text, &a[1..])?;
            let window = &units[start..end];
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
                Ok(if name == "startswith" {
                    window.starts_with(p)
                } else {
                    window.ends_with(p)
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
            let a = args.tuple(name, &format!("{tname}.{name}"), 1, 3)?;
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
            let (start, end) = bounds(text, &a[1..])?;
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
            let a = args.tuple("replace", &format!("{tname}.replace"), 2, 3)?;
            let old = same_type(&a[0], is_bytes, "replace", "")?;
            let new = same_type(&a[1], is_bytes, "replace", "")?;
            let count = match a.get(2) {
                Some(v) => v.index()?,
                None => -1,
            };
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
            let item = args.one(&format!("{tname}.join"))?;
            let items = super::builtins::iterate(item)?;
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
            let a = args.tuple("hex", "bytes.hex", 0, 2)?;
            let sep = match a.first() {
                None => None,
                Some(Value::Str(s)) if s.chars().count() == 1 => Some(s.to_string()),
                Some(Value::Bytes(b)) if b.len() == 1 => Some((b[0] as char).to_string()),
                Some(_) => return Err(Exception::value_error("sep must be length 1.")),
            };
            let hex: Vec<String> = units.iter().map(|b| format!("{b:02x}")).collect();
            Ok(Value::str(match sep {
                None => hex.concat(),
                Some(sep) => hex.join(&sep),
            }))
        }
        _ => Err(Exception::new(
            "AttributeError",
            format!("'{tname}' object has no attribute '{name}'"),
        )),
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
