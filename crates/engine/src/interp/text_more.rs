//! The rest of the str and bytes methods SPEC 2.3 names (`partition`,
//! `splitlines`, `index`, `rfind`, `zfill`, `ljust`...), worked on as
//! sequences of characters (a byte is the character of its code), with
//! CPython's results and errors.

use super::args::Args;
use crate::outcome::Exception;
use crate::value::Value;

/// What this module adds to str and bytes.
pub const METHODS: &[&str] = &[
    "partition",
    "rpartition",
    "splitlines",
    "index",
    "rindex",
    "rfind",
    "zfill",
    "ljust",
    "rjust",
    "center",
    "isalpha",
    "isalnum",
    "isspace",
    "isupper",
    "islower",
    "removeprefix",
    "removesuffix",
    "rsplit",
    "title",
    "capitalize",
    "swapcase",
];

fn units(v: &Value) -> Option<(Vec<char>, bool)> {
    match v {
        Value::Str(s) => Some((s.chars().collect(), false)),
        Value::Bytes(b) => Some((b.iter().map(|&b| b as char).collect(), true)),
        _ => None,
    }
}

fn make(chars: &[char], is_bytes: bool) -> Value {
    if is_bytes {
        Value::bytes(chars.iter().map(|&c| c as u8).collect::<Vec<u8>>())
    } else {
        Value::str(chars.iter().collect::<String>())
    }
}

/// An argument of the object's own kind.
fn same(v: &Value, is_bytes: bool) -> Result<Vec<char>, Exception> {
    match (units(v), is_bytes) {
        (Some((chars, b)), _) if b == is_bytes => Ok(chars),
        (_, true) => Err(Exception::type_error(format!(
            "a bytes-like object is required, not '{}'",
            v.type_name()
        ))),
        (_, false) => Err(Exception::type_error(format!(
            "must be str, not {}",
            v.type_name()
        ))),
    }
}

fn find(hay: &[char], needle: &[char], from_end: bool) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    let last = hay.len() - needle.len();
    let mut positions: Box<dyn Iterator<Item = usize>> = if from_end {
        Box::new((0..=last).rev())
    } else {
        Box::new(0..=last)
    };
    positions.find(|&i| &hay[i..i + needle.len()] == needle)
}

/// The `start`/`end` arguments of `index` and `rfind`, resolved as slices are.
fn window(len: usize, args: &[Value]) -> Result<(usize, usize), Exception> {
    let resolve = |v: Option<&Value>, default: usize| -> Result<usize, Exception> {
        Ok(match v {
            None | Some(Value::None) => default,
            Some(v) => {
                let i = v.index()?;
                if i < 0 {
                    (i + len as i64).max(0) as usize
                } else {
                    (i as usize).min(len)
                }
            }
        })
    };
    Ok((resolve(args.first(), 0)?, resolve(args.get(1), len)?))
}

fn width(v: &Value) -> Result<usize, Exception> {
    let w = v.index()?.max(0) as usize;
    crate::mem::reserve(w, 4)?;
    Ok(w)
}

fn is_line_break(c: char, is_bytes: bool) -> bool {
    if is_bytes {
        matches!(c, '\n' | '\r')
    } else {
        matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        )
    }
}

/// `obj.name(...)` for the methods of `METHODS`.
pub fn call(obj: &Value, name: &str, args: &Args) -> Result<Value, Exception> {
    let Some((text, is_bytes)) = units(obj) else {
        return Err(Exception::type_error("not text"));
    };
    let tname = obj.type_name();
    let qual = format!("{tname}.{name}");
    match name {
        "partition" | "rpartition" => {
            let sep = same(args.one(&qual)?, is_bytes)?;
            if sep.is_empty() {
                return Err(Exception::value_error("empty separator"));
            }
            let empty = make(&[], is_bytes);
            Ok(Value::tuple(
                match find(&text, &sep, name == "rpartition") {
                    Some(i) => vec![
                        make(&text[..i], is_bytes),
                        make(&sep, is_bytes),
                        make(&text[i + sep.len()..], is_bytes),
                    ],
                    None if name == "partition" => {
                        vec![obj.clone(), empty.clone(), empty]
                    }
                    None => vec![empty.clone(), empty, obj.clone()],
                },
            ))
        }
        "splitlines" => {
            let p = args.def(&qual, &["keepends"], 1, 0, 0)?;
            let keep = p[0].as_ref().is_some_and(Value::truthy);
            let mut lines = Vec::new();
            let mut start = 0;
            let mut i = 0;
            while i < text.len() {
                if is_line_break(text[i], is_bytes) {
                    let mut end = i + 1;
                    if text[i] == '\r' && text.get(i + 1) == Some(&'\n') {
                        end += 1;
                    }
                    lines.push(make(&text[start..if keep { end } else { i }], is_bytes));
                    start = end;
                    i = end;
                } else {
                    i += 1;
                }
            }
            if start < text.len() {
                lines.push(make(&text[start..], is_bytes));
            }
            Ok(Value::List(crate::value::containers::List::new(lines)))
        }
        "index" | "rindex" | "rfind" => {
            let a = args.tuple(name, &qual, 1, 3)?;
            let sub = match (&a[0], is_bytes) {
                (v, true) if v.is_int() => {
                    let n = v.index()?;
                    if !(0..256).contains(&n) {
                        return Err(Exception::value_error("byte must be in range(0, 256)"));
                    }
                    vec![n as u8 as char]
                }
                (v, _) => same(v, is_bytes)?,
            };
            let (start, end) = window(text.len(), &a[1..])?;
            let found = if start > end {
                None
            } else {
                find(&text[start..end], &sub, name != "index").map(|i| i + start)
            };
            match found {
                Some(i) => Ok(Value::Int(i as i64)),
                None if name == "rfind" => Ok(Value::Int(-1)),
                None => Err(Exception::value_error(if is_bytes {
                    "subsection not found"
                } else {
                    "substring not found"
                })),
            }
        }
        "zfill" => {
            let w = width(args.one(&qual)?)?;
            if text.len() >= w {
                return Ok(obj.clone());
            }
            let mut out: Vec<char> = Vec::with_capacity(w);
            let (sign, rest) = match text.first() {
                Some(&c @ ('+' | '-')) => (Some(c), &text[1..]),
                _ => (None, &text[..]),
            };
            out.extend(sign);
            out.extend(std::iter::repeat_n('0', w - text.len()));
            out.extend_from_slice(rest);
            Ok(make(&out, is_bytes))
        }
        "ljust" | "rjust" | "center" => {
            let a = args.tuple(name, &qual, 1, 2)?;
            let w = width(&a[0])?;
            let fill = match a.get(1) {
                None => ' ',
                Some(v) => match units(v) {
                    Some((c, b)) if b == is_bytes && c.len() == 1 => c[0],
                    _ if is_bytes => {
                        return Err(Exception::type_error(format!(
                            "{name}() argument 2 must be a byte string of length 1, not {}",
                            v.type_name()
                        )));
                    }
                    Some((_, false)) => {
                        return Err(Exception::type_error(
                            "The fill character must be exactly one character long",
                        ));
                    }
                    _ => {
                        return Err(Exception::type_error(format!(
                            "The fill character must be a unicode character, not {}",
                            v.type_name()
                        )));
                    }
                },
            };
            if text.len() >= w {
                return Ok(obj.clone());
            }
            let n = w - text.len();
            let (left, right) = match name {
                "ljust" => (0, n),
                "rjust" => (n, 0),
                // CPython centers with the odd fill on the left when the width is odd.
                _ => {
                    let left = n / 2 + (n & w & 1);
                    (left, n - left)
                }
            };
            let mut out = vec![fill; left];
            out.extend_from_slice(&text);
            out.extend(std::iter::repeat_n(fill, right));
            Ok(make(&out, is_bytes))
        }
        "isalpha" | "isalnum" | "isspace" | "isupper" | "islower" => {
            args.none(&qual)?;
            let test = |c: &char| -> bool {
                if is_bytes {
                    let b = *c as u8;
                    match name {
                        "isalpha" => b.is_ascii_alphabetic(),
                        "isalnum" => b.is_ascii_alphanumeric(),
                        _ => matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
                    }
                } else {
                    match name {
                        "isalpha" => c.is_alphabetic(),
                        "isalnum" => c.is_alphanumeric(),
                        _ => super::text::is_str_space(*c),
                    }
                }
            };
            Ok(Value::Bool(match name {
                "isupper" | "islower" => {
                    let upper = name == "isupper";
                    let cased: Vec<&char> = text
                        .iter()
                        .filter(|c| c.is_uppercase() || c.is_lowercase())
                        .collect();
                    !cased.is_empty()
                        && cased.iter().all(|c| {
                            if upper {
                                c.is_uppercase()
                            } else {
                                c.is_lowercase()
                            }
                        })
                }
                _ => !text.is_empty() && text.iter().all(test),
            }))
        }
        "removeprefix" | "removesuffix" => {
            let affix = same(args.one(&qual)?, is_bytes)?;
            Ok(if name == "removeprefix" && text.starts_with(&affix) {
                make(&text[affix.len()..], is_bytes)
            } else if name == "removesuffix" && !affix.is_empty() && text.ends_with(&affix) {
                make(&text[..text.len() - affix.len()], is_bytes)
            } else {
                obj.clone()
            })
        }
        "rsplit" => {
            let p = args.def(&qual, &["sep", "maxsplit"], 2, 0, 0)?;
            let maxsplit = match &p[1] {
                None => -1,
                Some(v) => v.index()?,
            };
            let sep = match &p[0] {
                None | Some(Value::None) => None,
                Some(v) => Some(same(v, is_bytes)?),
            };
            let mut parts: Vec<Value> = Vec::new();
            let mut rest: &[char] = &text;
            match sep {
                Some(sep) if sep.is_empty() => {
                    return Err(Exception::value_error("empty separator"));
                }
                Some(sep) => {
                    while maxsplit < 0 || (parts.len() as i64) < maxsplit {
                        let Some(i) = find(rest, &sep, true) else {
                            break;
                        };
                        parts.push(make(&rest[i + sep.len()..], is_bytes));
                        rest = &rest[..i];
                    }
                    parts.push(make(rest, is_bytes));
                }
                None => {
                    let space = |c: char| {
                        if is_bytes {
                            matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
                        } else {
                            super::text::is_str_space(c)
                        }
                    };
                    loop {
                        while rest.last().is_some_and(|&c| space(c)) {
                            rest = &rest[..rest.len() - 1];
                        }
                        if rest.is_empty() {
                            break;
                        }
                        if maxsplit >= 0 && parts.len() as i64 >= maxsplit {
                            parts.push(make(rest, is_bytes));
                            break;
                        }
                        let start = rest.iter().rposition(|&c| space(c)).map_or(0, |i| i + 1);
                        parts.push(make(&rest[start..], is_bytes));
                        rest = &rest[..start];
                    }
                }
            }
            parts.reverse();
            Ok(Value::List(crate::value::containers::List::new(parts)))
        }
        "title" | "capitalize" | "swapcase" => {
            args.none(&qual)?;
            let mut out = String::new();
            let mut previous_cased = false;
            for (i, &c) in text.iter().enumerate() {
                let mapped: String = match name {
                    "swapcase" if c.is_uppercase() => c.to_lowercase().collect(),
                    "swapcase" => c.to_uppercase().collect(),
                    "capitalize" if i == 0 => c.to_uppercase().collect(),
                    "capitalize" => c.to_lowercase().collect(),
                    _ if previous_cased => c.to_lowercase().collect(),
                    _ => c.to_uppercase().collect(),
                };
                previous_cased = c.is_uppercase() || c.is_lowercase();
                if is_bytes && !c.is_ascii() {
                    out.push(c);
                } else {
                    out.push_str(&mapped);
                }
            }
            let chars: Vec<char> = out.chars().collect();
            Ok(make(&chars, is_bytes))
        }
        _ => Err(Exception::new(
            "AttributeError",
            format!("'{tname}' object has no attribute '{name}'"),
        )),
    }
}
