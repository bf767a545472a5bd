//! `repr()` and `str()` byte for byte as CPython 3.11 prints them: quote choice,
//! escapes, floats in shortest round-trip form, sockets, enums and containers.

use std::fmt::Write;

use unicode_general_category::{GeneralCategory, get_general_category};

use super::{Builtin, EnumKind, Module, Value};

/// `repr(value)`.
pub fn repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(&mut out, value);
    out
}

/// `str(value)`: strings as they are, everything else as its repr.
pub fn str_of(value: &Value) -> String {
    match value {
        Value::Str(s) => s.to_string(),
        Value::Enum(_, n) => n.to_string(),
        other => repr(other),
    }
}

fn write_repr(out: &mut String, value: &Value) {
    match value {
        Value::None => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Float(f) => out.push_str(&float_repr(*f)),
        Value::Str(s) => out.push_str(&str_repr(s)),
        Value::Bytes(b) => out.push_str(&bytes_repr(b)),
        Value::Tuple(items) => {
            out.push('(');
            write_items(out, items);
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Value::List(items) => {
            out.push('[');
            write_items(out, items);
            out.push(']');
        }
        Value::Enum(kind, n) => out.push_str(&enum_repr(*kind, *n)),
        Value::Socket(sock) => out.push_str(&sock.repr()),
        Value::Module(Module::Socket) => {
            out.push_str("<module 'socket' from '/usr/lib/python3.11/socket.py'>")
        }
        Value::Module(Module::Select) => out.push_str("<module 'select' (built-in)>"),
        Value::Builtin(b) => out.push_str(&builtin_repr(*b)),
        Value::Method(obj, name) => {
            let _ = write!(
                out,
                "<built-in method {name} of {} object at {:#x}>",
                obj.type_name(),
                std::ptr::from_ref(obj.as_ref()) as usize
            );
        }
        Value::Range(start, stop, step) => {
            let _ = if *step == 1 {
                write!(out, "range({start}, {stop})")
            } else {
                write!(out, "range({start}, {stop}, {step})")
            };
        }
        Value::Reversed(items) => {
            let _ = write!(out, "<reversed object at {:#x}>", items.as_ptr() as usize);
        }
    }
}

fn write_items(out: &mut String, items: &[Value]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_repr(out, item);
    }
}

fn builtin_repr(b: Builtin) -> String {
    match b {
        Builtin::SocketClass => "<class 'socket.socket'>".into(),
        Builtin::CreateConnection | Builtin::CreateServer | Builtin::Socketpair => {
            format!("<function {} at 0x7f0000000000>", b.name())
        }
        _ if b.is_class() => format!("<class '{}'>", b.name()),
        _ => format!("<built-in function {}>", b.name()),
    }
}

/// `<AddressFamily.AF_INET: 2>`, `<MsgFlag.MSG_PEEK|MSG_DONTWAIT: 66>`.
pub fn enum_repr(kind: EnumKind, n: i64) -> String {
    let members = kind.members();
    if let Some((name, _)) = members.iter().find(|(_, v)| *v == n) {
        return format!("<{}.{name}: {n}>", kind.name());
    }
    if kind.is_flag() && n > 0 {
        let mut names: Vec<String> = Vec::new();
        let mut rest = n;
        for (name, v) in members {
            if n & v == *v {
                names.push((*name).into());
                rest &= !v;
            }
        }
        if rest != 0 {
            names.push(format!("{rest:#x}"));
        }
        return format!("<{}.{}: {n}>", kind.name(), names.join("|"));
    }
    format!("<{}.{n}: {n}>", kind.name())
}

/// The quote CPython picks: `'` unless the text has `'` and no `"`.
fn pick_quote(has_single: bool, has_double: bool) -> char {
    if has_single && !has_double { '"' } else { '\'' }
}

/// `repr(bytes)`: `b'...'` with `\t \n \r \\`, the quote, and `\xNN` for the rest.
pub fn bytes_repr(data: &[u8]) -> String {
    let quote = pick_quote(data.contains(&b'\''), data.contains(&b'"')) as u8;
    let mut out = String::with_capacity(data.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if b == quote => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

/// Python's `str.isprintable()` for one character (space is printable).
pub fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !matches!(
        get_general_category(c),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::Surrogate
            | GeneralCategory::PrivateUse
            | GeneralCategory::Unassigned
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::SpaceSeparator
    )
}

/// `repr(str)`: printable characters as they are, the rest escaped.
pub fn str_repr(s: &str) -> String {
    let quote = pick_quote(s.contains('\''), s.contains('"'));
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if c == quote => {
                out.push('\\');
                out.push(c);
            }
            _ if (c as u32) < 0x7f && (c as u32) >= 0x20 => out.push(c),
            _ if (c as u32) >= 0x7f && is_printable(c) => out.push(c),
            _ => {
                let n = c as u32;
                let _ = if n <= 0xff {
                    write!(out, "\\x{n:02x}")
                } else if n <= 0xffff {
                    write!(out, "\\u{n:04x}")
                } else {
                    write!(out, "\\U{n:08x}")
                };
            }
        }
    }
    out.push(quote);
    out
}

/// `repr(float)`: the shortest digits that round-trip, in fixed notation for
/// exponents from -4 to 15 and scientific notation outside (`1e-05`, `1e+16`).
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let point = exp as usize + 1;
            let padded = format!("{digits:0<point$}");
            let (int_part, frac) = padded.split_at(point);
            let frac = if frac.is_empty() { "0" } else { frac };
            format!("{sign}{int_part}.{frac}")
        } else {
            format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let mantissa = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        format!(
            "{sign}{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_python_prints_them() {
        for (x, want) in [
            (0.5, "0.5"),
            (2.0, "2.0"),
            (1e-05, "1e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-0.0, "-0.0"),
            (-2.5, "-2.5"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "nan"),
            (1.5e-300, "1.5e-300"),
        ] {
            assert_eq!(float_repr(x), want, "{x}");
        }
    }

    #[test]
    fn bytes_quote_choice() {
        assert_eq!(bytes_repr(b"it's"), r#"b"it's""#);
        assert_eq!(bytes_repr(b"say \"hi\""), r#"b'say "hi"'"#);
        assert_eq!(bytes_repr(b"it's \"x\""), r#"b'it\'s "x"'"#);
        assert_eq!(bytes_repr(b""), "b''");
    }

    #[test]
    fn str_repr_escapes_what_python_escapes() {
        assert_eq!(
            str_repr("é\u{a0}\u{ad}\x1b\u{7f}\u{2028}😀\n"),
            r"'é\xa0\xad\x1b\x7f\u2028😀\n'"
        );
        assert_eq!(str_repr("it's"), r#""it's""#);
        assert_eq!(str_repr("\u{e000}\u{10ffff}"), r"'\ue000\U0010ffff'");
    }

    #[test]
    fn containers_and_enums() {
        assert_eq!(repr(&Value::tuple(vec![Value::Int(1)])), "(1,)");
        assert_eq!(repr(&Value::tuple(vec![])), "()");
        assert_eq!(
            repr(&Value::List(vec![Value::str("a"), Value::None].into())),
            "['a', None]"
        );
        assert_eq!(
            enum_repr(EnumKind::AddressFamily, 2),
            "<AddressFamily.AF_INET: 2>"
        );
        assert_eq!(
            enum_repr(EnumKind::MsgFlag, 66),
            "<MsgFlag.MSG_PEEK|MSG_DONTWAIT: 66>"
        );
        assert_eq!(str_of(&Value::Enum(EnumKind::SocketKind, 1)), "1");
    }
}
