//! printf-style formatting (`'%s:%d' % (host, port)`, `b'%d\r\n' % n`) and
//! `str.format` (`'{} -> {!r:>10}'.format(a, b)`), with CPython's errors.
//! Both hand each field to `format::format_value`, the mini-language f-strings use.

use super::args::Args;
use super::format::format_value;
use crate::outcome::Exception;
use crate::value::Value;
use crate::value::repr::{try_repr, try_str};

/// The value of a `%` conversion as text (or bytes, for `bytes % args`).
fn convert(
    v: &Value,
    conv: char,
    flags: &str,
    width: Option<usize>,
    precision: Option<usize>,
    is_bytes: bool,
) -> Result<Vec<u8>, Exception> {
    let left = flags.contains('-');
    let zero = flags.contains('0') && !left;
    let sign = if flags.contains('+') {
        "+"
    } else if flags.contains(' ') {
        " "
    } else {
        ""
    };
    let alt = if flags.contains('#') { "#" } else { "" };
    let w = width.map(|w| w.to_string()).unwrap_or_default();
    let p = precision.map(|p| format!(".{p}")).unwrap_or_default();
    let text_spec = |body: &str| -> Result<Vec<u8>, Exception> {
        let align = if left { "<" } else { ">" };
        Ok(format_value(&Value::str(body), &format!("{align}{w}{p}"))?.into_bytes())
    };
    let number_spec = |n: &Value, kind: char| -> Result<Vec<u8>, Exception> {
        let fill = if left {
            "<".to_string()
        } else if zero {
            "0".to_string()
        } else {
            ">".to_string()
        };
        let (fill, w) = if zero {
            (String::new(), format!("0{w}"))
        } else {
            (fill, w.clone())
        };
        let p = if matches!(kind, 'd' | 'x' | 'X' | 'o') {
            String::new()
        } else {
            p.clone()
        };
        Ok(format_value(n, &format!("{fill}{sign}{alt}{w}{p}{kind}"))?.into_bytes())
    };
    match conv {
        's' if is_bytes => match v {
            Value::Bytes(b) => {
                let mut body = b.to_vec();
                if let Some(p) = precision {
                    body.truncate(p);
                }
                Ok(pad_bytes(body, width, left))
            }
            other => Err(Exception::type_error(format!(
                "%b requires a bytes-like object, or an object that implements __bytes__, not '{}'",
                other.type_name()
            ))),
        },
        'b' if is_bytes => convert(v, 's', flags, width, precision, true),
        's' => text_spec(&try_str(v)?),
        'r' | 'a' => {
            let r = try_repr(v)?;
            let r = if conv == 'a' || is_bytes {
                super::ascii(&r)
            } else {
                r
            };
            text_spec(&r)
        }
        'd' | 'i' | 'u' => {
            let n = match v {
                Value::Float(f) => super::builtins::float_to_int(f.trunc())?,
                v if v.is_int() => Value::int(v.as_bigint().unwrap_or_default()),
                other => {
                    return Err(Exception::type_error(format!(
                        "%{conv} format: a real number is required, not {}",
                        other.type_name()
                    )));
                }
            };
            number_spec(&n, 'd')
        }
        'x' | 'X' | 'o' => {
            if !v.is_int() {
                return Err(Exception::type_error(format!(
                    "%{conv} format: an integer is required, not {}",
                    v.type_name()
                )));
            }
            number_spec(&Value::int(v.as_bigint().unwrap_or_default()), conv)
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let f = match v {
                Value::Float(f) => *f,
                v if v.is_int() => crate::value::bigint_to_f64(&v.as_bigint().unwrap_or_default())?,
                other => {
                    return Err(Exception::type_error(format!(
                        "must be real number, not {}",
                        other.type_name()
                    )));
                }
            };
            let p = if precision.is_none() {
                ".6".to_string()
            } else {
                p.clone()
            };
            let spec_p = p;
            let fill = if left {
                "<"
            } else if zero {
                ""
            } else {
                ">"
            };
            let w = if zero { format!("0{w}") } else { w.clone() };
            Ok(format_value(
                &Value::Float(f),
                &format!("{fill}{sign}{alt}{w}{spec_p}{conv}"),
            )?
            .into_bytes())
        }
        'c' => {
            let c = match v {
                v if v.is_int() => {
                    let n = v.as_int().unwrap_or(-1);
                    if is_bytes {
                        if !(0..256).contains(&n) {
                            return Err(Exception::new(
                                "OverflowError",
                                "%c arg not in range(256)",
                            ));
                        }
                        return Ok(pad_bytes(vec![n as u8], width, left));
                    }
                    char::from_u32(u32::try_from(n).unwrap_or(u32::MAX)).ok_or_else(|| {
                        Exception::new("OverflowError", "%c arg not in range(0x110000)")
                    })?
                }
                Value::Str(s) if !is_bytes && s.chars().count() == 1 => {
                    s.chars().next().unwrap_or(' ')
                }
                Value::Bytes(b) if is_bytes && b.len() == 1 => {
                    return Ok(pad_bytes(b.to_vec(), width, left));
                }
                _ if is_bytes => {
                    return Err(Exception::type_error(
                        "%c requires an integer in range(256) or a single byte",
                    ));
                }
                _ => return Err(Exception::type_error("%c requires int or char")),
            };
            text_spec(&c.to_string())
        }
        other => Err(Exception::value_error(format!(
            "unsupported format character '{other}' ({:#x})",
            other as u32
        ))),
    }
}

fn pad_bytes(body: Vec<u8>, width: Option<usize>, left: bool) -> Vec<u8> {
    let w = width.unwrap_or(0);
    if body.len() >= w {
        return body;
    }
    let pad = vec![b' '; w - body.len()];
    if left {
        [body, pad].concat()
    } else {
        [pad, body].concat()
    }
}

/// `template % args` for a str or bytes template.
pub fn percent(template: &Value, args: &Value) -> Result<Value, Exception> {
    let (chars, is_bytes): (Vec<char>, bool) = match template {
        Value::Str(s) => (s.chars().collect(), false),
        Value::Bytes(b) => (b.iter().map(|&b| b as char).collect(), true),
        _ => return Err(Exception::type_error("not a format string")),
    };
    let (items, mapping): (Vec<Value>, Option<&Value>) = match args {
        Value::Tuple(t) => (t.to_vec(), None),
        Value::Dict(_) => (vec![args.clone()], Some(args)),
        other => (vec![other.clone()], None),
    };
    let mut next = 0usize;
    let mut used_mapping = false;
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    let push_text = |out: &mut Vec<u8>, c: char| {
        if is_bytes {
            out.push(c as u8);
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    };
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            push_text(&mut out, c);
            continue;
        }
        let start = i - 1;
        let mut key: Option<String> = None;
        if chars.get(i) == Some(&'(') {
            let mut depth = 1;
            let mut j = i + 1;
            while j < chars.len() && depth > 0 {
                match chars[j] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            if depth > 0 {
                return Err(Exception::value_error("incomplete format key"));
            }
            key = Some(chars[i + 1..j - 1].iter().collect());
            i = j;
        }
        let mut flags = String::new();
        while let Some(&f @ ('-' | '+' | ' ' | '#' | '0')) = chars.get(i) {
            flags.push(f);
            i += 1;
        }
        let take_star = |next: &mut usize| -> Result<usize, Exception> {
            let v = items
                .get(*next)
                .ok_or_else(|| Exception::type_error("not enough arguments for format string"))?;
            *next += 1;
            if !v.is_int() {
                return Err(Exception::type_error("* wants int"));
            }
            Ok(v.as_int().unwrap_or(0).max(0) as usize)
        };
        let mut width = None;
        if chars.get(i) == Some(&'*') {
            width = Some(take_star(&mut next)?);
            i += 1;
        } else {
            let s = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            if i > s {
                width = Some(
                    chars[s..i]
                        .iter()
                        .collect::<String>()
                        .parse()
                        .map_err(|_| Exception::value_error("width too big"))?,
                );
            }
        }
        let mut precision = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                precision = Some(take_star(&mut next)?);
                i += 1;
            } else {
                let s = i;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
                precision = Some(chars[s..i].iter().collect::<String>().parse().unwrap_or(0));
            }
        }
        // Length modifiers are accepted and ignored, as in CPython.
        while let Some('h' | 'l' | 'L') = chars.get(i) {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            return Err(Exception::value_error("incomplete format"));
        };
        i += 1;
        if conv == '%' {
            push_text(&mut out, '%');
            continue;
        }
        if let Some(w) = width {
            crate::mem::reserve(w, 1)?;
        }
        let value = match &key {
            Some(k) => {
                let Some(Value::Dict(d)) = mapping else {
                    return Err(Exception::type_error("format requires a mapping"));
                };
                used_mapping = true;
                let k = if is_bytes {
                    Value::bytes(k.chars().map(|c| c as u8).collect::<Vec<u8>>())
                } else {
                    Value::str(k.as_str())
                };
                d.get(&k)?.ok_or_else(|| super::exceptions::key_error(&k))?
            }
            None => {
                let v = items.get(next).cloned().ok_or_else(|| {
                    Exception::type_error("not enough arguments for format string")
                })?;
                next += 1;
                v
            }
        };
        if !matches!(
            conv,
            's' | 'r'
                | 'a'
                | 'd'
                | 'i'
                | 'u'
                | 'x'
                | 'X'
                | 'o'
                | 'e'
                | 'E'
                | 'f'
                | 'F'
                | 'g'
                | 'G'
                | 'c'
                | 'b'
        ) || (conv == 'b' && !is_bytes)
        {
            return Err(Exception::value_error(format!(
                "unsupported format character '{conv}' ({:#x}) at index {}",
                conv as u32,
                i - 1
            )));
        }
        let _ = start;
        out.extend(convert(&value, conv, &flags, width, precision, is_bytes)?);
    }
    if next < items.len() && !used_mapping && mapping.is_none() {
        return Err(Exception::type_error(
            "not all arguments converted during string formatting",
        ));
    }
    Ok(if is_bytes {
        Value::bytes(out)
    } else {
        Value::str(String::from_utf8_lossy(&out).into_owned())
    })
}

/// `template.format(*args, **kwargs)`.
pub fn format_method(template: &str, args: &Args) -> Result<Value, Exception> {
    let mut auto: Option<usize> = None;
    let mut manual = false;
    let out = fill(template, args, &mut auto, &mut manual, 0)?;
    Ok(Value::str(out))
}

fn fill(
    template: &str,
    args: &Args,
    auto: &mut Option<usize>,
    manual: &mut bool,
    depth: usize,
) -> Result<String, Exception> {
    if depth > 1 {
        return Err(Exception::value_error("Max string recursion exceeded"));
    }
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '}' {
            if chars.get(i + 1) == Some(&'}') {
                out.push('}');
                i += 2;
                continue;
            }
            return Err(Exception::value_error(
                "Single '}' encountered in format string",
            ));
        }
        if c != '{' {
            out.push(c);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'{') {
            out.push('{');
            i += 2;
            continue;
        }
        // The field runs to its matching '}'.
        let mut j = i + 1;
        let mut level = 1;
        while j < chars.len() {
            match chars[j] {
                '{' => level += 1,
                '}' => {
                    level -= 1;
                    if level == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        if j >= chars.len() {
            return Err(Exception::value_error(
                "Single '{' encountered in format string",
            ));
        }
        let field: String = chars[i + 1..j].iter().collect();
        i = j + 1;
        let (name_part, spec) = match field.find(':') {
            Some(k) if !field[..k].contains('[') || field[..k].contains(']') => {
                (&field[..k], &field[k + 1..])
            }
            _ => (field.as_str(), ""),
        };
        let (name, conv) = match name_part.rfind('!') {
            Some(k) => {
                let conv = &name_part[k + 1..];
                if conv.chars().count() != 1 {
                    return Err(Exception::value_error(
                        "expected ':' after conversion specifier",
                    ));
                }
                (&name_part[..k], conv.chars().next())
            }
            None => (name_part, None),
        };
        let value = lookup(name, args, auto, manual)?;
        let value = match conv {
            None => value,
            Some('r') => Value::str(try_repr(&value)?),
            Some('s') => Value::str(try_str(&value)?),
            Some('a') => Value::str(super::ascii(&try_repr(&value)?)),
            Some(other) => {
                return Err(Exception::value_error(format!(
                    "Unknown conversion specifier {other}"
                )));
            }
        };
        let spec = if spec.contains('{') {
            fill(spec, args, auto, manual, depth + 1)?
        } else {
            spec.to_string()
        };
        out.push_str(&format_value(&value, &spec)?);
    }
    Ok(out)
}

/// The value a field names: `0`, `name`, `` (the next one), then `.attr` and `[key]` parts.
fn lookup(
    name: &str,
    args: &Args,
    auto: &mut Option<usize>,
    manual: &mut bool,
) -> Result<Value, Exception> {
    let first_end = name.find(['.', '[']).unwrap_or(name.len());
    let (first, mut rest) = name.split_at(first_end);
    let mut value = if first.is_empty() {
        if *manual {
            return Err(Exception::value_error(
                "cannot switch from manual field specification to automatic field numbering",
            ));
        }
        let n = auto.map_or(0, |n| n + 1);
        *auto = Some(n);
        args.pos.get(n).cloned().ok_or_else(|| {
            Exception::new(
                "IndexError",
                format!("Replacement index {n} out of range for positional args tuple"),
            )
        })?
    } else if let Ok(n) = first.parse::<usize>() {
        if auto.is_some() {
            return Err(Exception::value_error(
                "cannot switch from automatic field numbering to manual field specification",
            ));
        }
        *manual = true;
        args.pos.get(n).cloned().ok_or_else(|| {
            Exception::new(
                "IndexError",
                format!("Replacement index {n} out of range for positional args tuple"),
            )
        })?
    } else {
        args.kw
            .iter()
            .find(|(k, _)| k == first)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| super::exceptions::key_error(&Value::str(first)))?
    };
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            value = super::attribute(&value, &after[..end])?;
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let Some(end) = after.find(']') else {
                return Err(Exception::value_error("Missing ']' in format string"));
            };
            let key = &after[..end];
            let index = match key.parse::<i64>() {
                Ok(n) => Value::Int(n),
                Err(_) => Value::str(key),
            };
            value = super::ops::index(&value, &index)?;
            rest = &after[end + 1..];
        } else {
            return Err(Exception::value_error(
                "Only '.' or '[' may follow ']' in format field specifier",
            ));
        }
    }
    Ok(value)
}
