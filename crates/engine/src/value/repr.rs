//! `repr()` and `str()` byte for byte as CPython 3.11 prints them: quote choice,
//! escapes, floats in shortest round-trip form, sockets, enums and containers.

use std::fmt::Write;

use unicode_general_category::{GeneralCategory, get_general_category};

use super::{Builtin, EnumKind, Module, Value};
use crate::outcome::Exception;

/// The most characters of a repr a transcript keeps (SPEC section 6); the rest is never built.
pub const REPR_CAP: usize = 65_536;

/// How deep containers may nest before `repr` gives CPython's RecursionError.
const MAX_NESTING: usize = 990;

/// Why a repr stopped before its end.
enum Stop {
    /// It reached its limit: what was written is kept.
    Full,
    /// Containers nested deeper than CPython's recursion limit.
    Deep,
    /// CPython raises while taking this repr (an int of more than 4300 digits).
    Raise(Exception),
}

/// A repr being written, that stops once it is longer than `limit` bytes.
struct Writer {
    out: String,
    limit: usize,
    depth: usize,
    /// The mutable containers being written, outermost first: one that
    /// holds itself shows as `[...]`, as in CPython.
    open: Vec<usize>,
}

impl Writer {
    fn new(limit: usize, capacity: usize) -> Writer {
        Writer {
            out: String::with_capacity(capacity),
            limit,
            depth: 0,
            open: Vec::new(),
        }
    }

    fn push_str(&mut self, s: &str) -> Result<(), Stop> {
        self.out.push_str(s);
        self.check()
    }

    fn push(&mut self, c: char) -> Result<(), Stop> {
        self.out.push(c);
        self.check()
    }

    fn check(&mut self) -> Result<(), Stop> {
        if self.out.len() > self.limit {
            Err(Stop::Full)
        } else {
            Ok(())
        }
    }
}

fn recursion_error() -> Exception {
    Exception::new(
        "RecursionError",
        "maximum recursion depth exceeded while getting the repr of an object",
    )
}

/// `repr(value)` cut after its first `cap` characters: the text and whether
/// it was cut. Nothing past the cap is built, so a repr of gigabytes costs
/// what its first `cap` characters cost.
pub fn repr_capped(value: &Value, cap: usize) -> Result<(String, bool), Exception> {
    // Every character takes at most 4 bytes: past 4 × cap bytes, it is cut for sure.
    let mut w = Writer::new(cap.saturating_mul(4), 0);
    match write_repr(&mut w, value) {
        Err(Stop::Deep) => Err(recursion_error()),
        Err(Stop::Raise(e)) => Err(e),
        Ok(()) | Err(Stop::Full) => {
            let mut out = w.out;
            // No more bytes than the cap: no more characters either.
            if out.len() <= cap {
                return Ok((out, false));
            }
            match out.char_indices().nth(cap) {
                Some((end, _)) => {
                    out.truncate(end);
                    Ok((out, true))
                }
                None => Ok((out, false)),
            }
        }
    }
}

/// `repr(value)` in full, as the `repr()` builtin needs it: MemoryError when
/// it would take more than the memory budget allows, RecursionError when
/// containers nest too deep.
pub fn try_repr(value: &Value) -> Result<String, Exception> {
    let mut w = Writer::new(crate::mem::max_object(), 0);
    match write_repr(&mut w, value) {
        Ok(()) => Ok(w.out),
        Err(Stop::Full) => Err(crate::mem::memory_error()),
        Err(Stop::Deep) => Err(recursion_error()),
        Err(Stop::Raise(e)) => Err(e),
    }
}

/// `repr(value)` of a value known to be small (an address, a number); a
/// problem shows as the exception's line rather than a panic.
pub fn repr(value: &Value) -> String {
    try_repr(value).unwrap_or_else(|e| e.display_line())
}

/// `str(value)`: strings as they are, everything else as its repr.
pub fn str_of(value: &Value) -> String {
    try_str(value).unwrap_or_else(|e| e.display_line())
}

/// `str(value)`, with `try_repr`'s limits.
pub fn try_str(value: &Value) -> Result<String, Exception> {
    match value {
        Value::Str(s) => Ok(s.to_string()),
        Value::Enum(_, n) => Ok(n.to_string()),
        Value::Exception(e) => Ok(crate::interp::exceptions::str_of(e)),
        other => try_repr(other),
    }
}

fn write_repr(w: &mut Writer, value: &Value) -> Result<(), Stop> {
    match value {
        Value::None => w.push_str("None"),
        Value::Bool(true) => w.push_str("True"),
        Value::Bool(false) => w.push_str("False"),
        Value::Int(n) => {
            // Written in place: an int's repr is a step's most common outcome.
            let _ = write!(w.out, "{n}");
            w.check()
        }
        Value::BigInt(n) => match int_to_decimal(n) {
            Ok(text) => w.push_str(&text),
            Err(e) => Err(Stop::Raise(e)),
        },
        Value::Float(f) => w.push_str(&float_repr(*f)),
        Value::Str(s) => write_str_repr(w, s),
        Value::Bytes(b) => write_bytes_repr(w, b),
        Value::Tuple(items) => {
            w.push('(')?;
            write_items(w, items)?;
            if items.len() == 1 {
                w.push(',')?;
            }
            w.push(')')
        }
        Value::List(items) => {
            if w.open.contains(&items.id()) {
                return w.push_str("[...]");
            }
            w.open.push(items.id());
            w.push('[')?;
            write_items(w, &items.snapshot())?;
            w.open.pop();
            w.push(']')
        }
        Value::Dict(d) => {
            if w.open.contains(&d.id()) {
                return w.push_str("{...}");
            }
            w.open.push(d.id());
            w.push('{')?;
            write_pairs(w, &d.items())?;
            w.open.pop();
            w.push('}')
        }
        Value::Set(set) => {
            let items = set.snapshot();
            if items.is_empty() {
                return w.push_str("set()");
            }
            w.push('{')?;
            write_items(w, &items)?;
            w.push('}')
        }
        Value::DictView(d, view) => {
            w.push_str(view.type_name())?;
            w.push_str("([")?;
            write_items(w, &view.items(d))?;
            w.push_str("])")
        }
        Value::Namespace(ns) => {
            if w.open.contains(&ns.id()) {
                return w.push_str("namespace(...)");
            }
            w.open.push(ns.id());
            w.push_str("namespace(")?;
            for (i, (name, v)) in ns.snapshot().iter().enumerate() {
                if i > 0 {
                    w.push_str(", ")?;
                }
                w.push_str(name)?;
                w.push('=')?;
                write_nested(w, v)?;
            }
            w.open.pop();
            w.push(')')
        }
        Value::Record(r) => {
            w.push_str(r.class)?;
            w.push('(')?;
            for (i, (name, v)) in r.fields.iter().zip(&r.values).enumerate() {
                if i > 0 {
                    w.push_str(", ")?;
                }
                w.push_str(name)?;
                w.push('=')?;
                write_nested(w, v)?;
            }
            w.push(')')
        }
        Value::Iter(it) => {
            let address = std::sync::Arc::as_ptr(it) as *const u8 as usize;
            let text = match &*super::locked(it) {
                crate::interp::iter::PyIter::Generator(_, name) => {
                    format!("<generator object {name} at {address:#x}>")
                }
                other => format!("<{} object at {address:#x}>", other.type_name()),
            };
            w.push_str(&text)
        }
        Value::Selector(sel) => w.push_str(&crate::interp::selectors::repr_of(sel)),
        Value::Enum(kind, n) => w.push_str(&enum_repr(*kind, *n)),
        Value::Socket(sock) => w.push_str(&crate::interp::sockets::socket_repr(sock)),
        Value::Module(Module::Socket) => {
            w.push_str("<module 'socket' from '/usr/lib/python3.11/socket.py'>")
        }
        Value::Module(Module::Select) => w.push_str("<module 'select' (built-in)>"),
        Value::Module(Module::Time) => w.push_str("<module 'time' (built-in)>"),
        Value::Module(Module::Struct) => {
            w.push_str("<module 'struct' from '/usr/lib/python3.11/struct.py'>")
        }
        Value::Module(Module::Sys) => w.push_str("<module 'sys' (built-in)>"),
        Value::Module(Module::Errno) => w.push_str("<module 'errno' (built-in)>"),
        Value::Module(m @ (Module::Types | Module::Selectors)) => w.push_str(&format!(
            "<module '{0}' from '/usr/lib/python3.11/{0}.py'>",
            m.name()
        )),
        Value::Builtin(b) => w.push_str(&builtin_repr(*b)),
        Value::Method(obj, name) => w.push_str(&format!(
            "<built-in method {name} of {} object at {:#x}>",
            obj.type_name(),
            std::ptr::from_ref(obj.as_ref()) as usize
        )),
        Value::Range(start, stop, step) => w.push_str(&if *step == 1 {
            format!("range({start}, {stop})")
        } else {
            format!("range({start}, {stop}, {step})")
        }),
        Value::Reversed(items) => w.push_str(&format!(
            "<reversed object at {:#x}>",
            std::sync::Arc::as_ptr(items) as usize
        )),
        Value::Class(repr) => w.push_str(repr),
        Value::ExcClass(c) => w.push_str(&crate::interp::exceptions::class_repr(c)),
        Value::Exception(e) => w.push_str(&crate::interp::exceptions::repr_of(e)),
        Value::Function(f) => w.push_str(&format!(
            "<function {} at {:#x}>",
            f.name,
            std::sync::Arc::as_ptr(f) as usize
        )),
    }
}

/// CPython's limit on the digits of an int converted to or from decimal text
/// (`sys.get_int_max_str_digits()`, 4300 by default since 3.11).
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// `str(n)` of a big int, with CPython's ValueError past 4300 digits.
pub fn int_to_decimal(n: &num_bigint::BigInt) -> Result<String, Exception> {
    // bits × log10(2) bounds the digits from above; only near the limit is the text needed.
    if n.bits() as f64 * std::f64::consts::LOG10_2 > (INT_MAX_STR_DIGITS + 1) as f64 {
        return Err(Exception::value_error(format!(
            "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"
        )));
    }
    let text = n.to_string();
    let digits = text.trim_start_matches('-').len();
    if digits > INT_MAX_STR_DIGITS {
        return Err(Exception::value_error(format!(
            "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"
        )));
    }
    Ok(text)
}

/// One value inside a container, one level deeper.
fn write_nested(w: &mut Writer, v: &Value) -> Result<(), Stop> {
    write_items(w, std::slice::from_ref(v))
}

/// `k: v, k: v` of a dict.
fn write_pairs(w: &mut Writer, pairs: &[(Value, Value)]) -> Result<(), Stop> {
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            w.push_str(", ")?;
        }
        write_nested(w, k)?;
        w.push_str(": ")?;
        write_nested(w, v)?;
    }
    Ok(())
}

fn write_items(w: &mut Writer, items: &[Value]) -> Result<(), Stop> {
    w.depth += 1;
    if w.depth > MAX_NESTING {
        return Err(Stop::Deep);
    }
    let result = stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                w.push_str(", ")?;
            }
            write_repr(w, item)?;
        }
        Ok(())
    });
    w.depth -= 1;
    result
}

fn builtin_repr(b: Builtin) -> String {
    match b {
        Builtin::Exit | Builtin::Quit => {
            format!("Use {}() or Ctrl-D (i.e. EOF) to exit", b.name())
        }
        Builtin::Help => {
            "Type help() for interactive help, or help(object) for help about object.".into()
        }
        Builtin::SocketClass => "<class 'socket.socket'>".into(),
        Builtin::Namespace => "<class 'types.SimpleNamespace'>".into(),
        Builtin::DefaultSelector => "<class 'selectors.EpollSelector'>".into(),
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

/// The bytes a `repr(bytes)` shows, read back (`b'a\x00'` → `[0x61, 0]`), or
/// None when the text is not a whole bytes repr (a shortened one, a str).
pub fn bytes_of_repr(repr: &str) -> Option<Vec<u8>> {
    let body = repr
        .strip_prefix("b'")
        .and_then(|r| r.strip_suffix('\''))
        .or_else(|| repr.strip_prefix("b\"").and_then(|r| r.strip_suffix('"')))?;
    let mut out = Vec::with_capacity(body.len());
    let mut bytes = body.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            if !(0x20..=0x7e).contains(&b) {
                return None;
            }
            out.push(b);
            continue;
        }
        out.push(match bytes.next()? {
            b'\\' => b'\\',
            b'\'' => b'\'',
            b'"' => b'"',
            b't' => b'\t',
            b'n' => b'\n',
            b'r' => b'\r',
            b'x' => {
                let digits = [bytes.next()?, bytes.next()?];
                u8::from_str_radix(std::str::from_utf8(&digits).ok()?, 16).ok()?
            }
            _ => return None,
        });
    }
    Some(out)
}

/// `repr(bytes)`: `b'...'` with `\t \n \r \\`, the quote, and `\xNN` for the rest.
pub fn bytes_repr(data: &[u8]) -> String {
    let mut w = Writer::new(usize::MAX, data.len() + 3);
    let _ = write_bytes_repr(&mut w, data);
    w.out
}

fn write_bytes_repr(w: &mut Writer, data: &[u8]) -> Result<(), Stop> {
    let quote = pick_quote(data.contains(&b'\''), data.contains(&b'"')) as u8;
    w.out
        .reserve((data.len() + 3).min(w.limit.saturating_sub(w.out.len()).saturating_add(1)));
    w.push('b')?;
    w.push(quote as char)?;
    let plain = |b: u8| (0x20..=0x7e).contains(&b) && b != b'\\' && b != quote;
    let mut rest = data;
    while let Some(&b) = rest.first() {
        // A run of bytes shown as they are is copied at once, up to the cap.
        let run = rest.iter().position(|&b| !plain(b)).unwrap_or(rest.len());
        if run > 0 {
            let room = w.limit.saturating_sub(w.out.len()).saturating_add(1);
            let take = run.min(room);
            // Plain bytes are ASCII: valid UTF-8 on their own.
            w.out
                .push_str(std::str::from_utf8(&rest[..take]).unwrap_or_default());
            rest = &rest[take..];
            w.check()?;
            continue;
        }
        rest = &rest[1..];
        match b {
            b'\\' => w.out.push_str("\\\\"),
            b'\t' => w.out.push_str("\\t"),
            b'\n' => w.out.push_str("\\n"),
            b'\r' => w.out.push_str("\\r"),
            _ if b == quote => {
                w.out.push('\\');
                w.out.push(b as char);
            }
            0x20..=0x7e => w.out.push(b as char),
            _ => {
                let _ = write!(w.out, "\\x{b:02x}");
            }
        }
        w.check()?;
    }
    w.push(quote as char)
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
    let mut w = Writer::new(usize::MAX, s.len() + 2);
    let _ = write_str_repr(&mut w, s);
    w.out
}

fn write_str_repr(w: &mut Writer, s: &str) -> Result<(), Stop> {
    let quote = pick_quote(s.contains('\''), s.contains('"'));
    w.out
        .reserve((s.len() + 2).min(w.limit.saturating_sub(w.out.len()).saturating_add(1)));
    w.push(quote)?;
    for c in s.chars() {
        match c {
            '\\' => w.out.push_str("\\\\"),
            '\t' => w.out.push_str("\\t"),
            '\n' => w.out.push_str("\\n"),
            '\r' => w.out.push_str("\\r"),
            _ if c == quote => {
                w.out.push('\\');
                w.out.push(c);
            }
            _ if (c as u32) < 0x7f && (c as u32) >= 0x20 => w.out.push(c),
            _ if let Some(n) = super::surrogate::surrogate_of(c) => {
                let _ = write!(w.out, "\\u{n:04x}");
            }
            _ if (c as u32) >= 0x7f && is_printable(c) => w.out.push(c),
            _ => {
                let n = c as u32;
                let _ = if n <= 0xff {
                    write!(w.out, "\\x{n:02x}")
                } else if n <= 0xffff {
                    write!(w.out, "\\u{n:04x}")
                } else {
                    write!(w.out, "\\U{n:08x}")
                };
            }
        }
        w.check()?;
    }
    w.push(quote)
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
    use super::{bytes_of_repr, bytes_repr};

    #[test]
    fn a_bytes_repr_reads_back_to_its_bytes() {
        let every: Vec<u8> = (0..=255).collect();
        assert_eq!(bytes_of_repr(&bytes_repr(&every)), Some(every));
        for b in [&b"it's"[..], b"say \"hi\"", b"both ' and \"", b"", b"\\"] {
            assert_eq!(bytes_of_repr(&bytes_repr(b)).as_deref(), Some(b), "{b:?}");
        }
        assert_eq!(bytes_of_repr("'text'"), None, "a str");
        assert_eq!(bytes_of_repr("b'xxxx...' (5,000 bytes)"), None, "shortened");
    }

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
            repr(&Value::List(crate::value::containers::List::new(vec![
                Value::str("a"),
                Value::None
            ]))),
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
