//! `format(value, spec)`: Python's format specification mini-language for
//! str, int, bool and float, as f-strings (`f"{n:>5}"`, `f"{x:.2f}"`) use it.

use crate::outcome::Exception;
use crate::value::Value;
use crate::value::repr::{float_repr, try_str};

/// A parsed `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
#[derive(Default)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    alternate: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

fn invalid() -> Exception {
    Exception::value_error("Invalid format specifier")
}

fn parse(spec: &str) -> Result<Spec, Exception> {
    let chars: Vec<char> = spec.chars().collect();
    let mut s = Spec::default();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = Some(chars[0]);
        s.align = Some(chars[1]);
        i = 2;
    } else if chars.first().is_some_and(|&c| is_align(c)) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if let Some(&c @ ('+' | '-' | ' ')) = chars.get(i) {
        s.sign = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        s.alternate = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        if s.fill.is_none() {
            s.fill = Some('0');
            s.align.get_or_insert('=');
        }
        i += 1;
    }
    let start = i;
    while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
    }
    if i > start {
        s.width = digits(&chars[start..i])?;
    }
    if let Some(&c @ (',' | '_')) = chars.get(i) {
        s.grouping = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        let start = i;
        while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if i == start {
            return Err(Exception::value_error("Format specifier missing precision"));
        }
        s.precision = Some(digits(&chars[start..i])?);
    }
    if let Some(&c) = chars.get(i) {
        s.kind = Some(c);
        i += 1;
    }
    if i != chars.len() {
        return Err(invalid());
    }
    Ok(s)
}

/// A width or precision: at most what a Py_ssize_t holds, as in CPython.
fn digits(chars: &[char]) -> Result<usize, Exception> {
    chars
        .iter()
        .collect::<String>()
        .parse::<u64>()
        .ok()
        .filter(|n| *n <= i64::MAX as u64)
        .map(|n| n as usize)
        .ok_or_else(|| Exception::value_error("Too many decimal digits in format string"))
}

/// `format(value, spec)`.
pub fn format_value(value: &Value, spec: &str) -> Result<String, Exception> {
    if spec.is_empty() {
        return try_str(value);
    }
    let s = parse(spec)?;
    match value {
        Value::Str(text) => format_str(text, &s),
        Value::Bool(b) if s.kind.is_none() => format_str(if *b { "True" } else { "False" }, &s),
        Value::Int(_) | Value::Bool(_) | Value::Enum(..) => {
            let n = value.as_int().unwrap_or(0);
            match s.kind {
                Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => format_float(n as f64, &s),
                _ => format_int(n, &s),
            }
        }
        Value::Float(f) => format_float(*f, &s),
        other => Err(Exception::type_error(format!(
            "unsupported format string passed to {}.__format__",
            other.type_name()
        ))),
    }
}

fn pad(body: String, sign: &str, s: &Spec, default_align: char) -> Result<String, Exception> {
    let len = body.chars().count() + sign.chars().count();
    if len >= s.width {
        return Ok(format!("{sign}{body}"));
    }
    let fill = s.fill.unwrap_or(' ');
    // A width of billions is MemoryError, as in CPython, never an abort.
    crate::mem::reserve(s.width, fill.len_utf8())?;
    let n = s.width - len;
    let run = |k: usize| fill.to_string().repeat(k);
    Ok(match s.align.unwrap_or(default_align) {
        '<' => format!("{sign}{body}{}", run(n)),
        '^' => format!("{}{sign}{body}{}", run(n / 2), run(n - n / 2)),
        '=' => format!("{sign}{}{body}", run(n)),
        _ => format!("{}{sign}{body}", run(n)),
    })
}

fn format_str(text: &str, s: &Spec) -> Result<String, Exception> {
    if !matches!(s.kind, None | Some('s')) {
        return Err(Exception::value_error(format!(
            "Unknown format code '{}' for object of type 'str'",
            s.kind.unwrap_or(' ')
        )));
    }
    if s.sign.is_some() {
        return Err(Exception::value_error(
            "Sign not allowed in string format specifier",
        ));
    }
    let body: String = match s.precision {
        Some(p) => text.chars().take(p).collect(),
        None => text.to_string(),
    };
    pad(body, "", s, '<')
}

fn group(digits: &str, sep: char, every: usize) -> String {
    let chars: Vec<char> = digits.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if i > 0 && (chars.len() - i).is_multiple_of(every) {
            out.push(sep);
        }
        out.push(*c);
    }
    out
}

fn sign_of(negative: bool, s: &Spec) -> &'static str {
    match (negative, s.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    }
}

fn format_int(n: i64, s: &Spec) -> Result<String, Exception> {
    if s.precision.is_some() {
        return Err(Exception::value_error(
            "Precision not allowed in integer format specifier",
        ));
    }
    let m = n.unsigned_abs();
    let (digits, prefix) = match s.kind {
        None | Some('d' | 'n') => (m.to_string(), ""),
        Some('x') => (format!("{m:x}"), "0x"),
        Some('X') => (format!("{m:X}"), "0X"),
        Some('o') => (format!("{m:o}"), "0o"),
        Some('b') => (format!("{m:b}"), "0b"),
        Some('c') => {
            let c = char::from_u32(n as u32)
                .ok_or_else(|| Exception::new("OverflowError", "%c arg not in range(0x110000)"))?;
            return pad(c.to_string(), "", s, '<');
        }
        Some(k) => {
            return Err(Exception::value_error(format!(
                "Unknown format code '{k}' for object of type 'int'"
            )));
        }
    };
    let every = if matches!(s.kind, None | Some('d' | 'n')) {
        3
    } else {
        4
    };
    let digits = match s.grouping {
        Some(sep) => group(&digits, sep, every),
        None => digits,
    };
    let prefix = if s.alternate { prefix } else { "" };
    let sign = format!("{}{prefix}", sign_of(n < 0, s));
    pad(digits, &sign, s, '>')
}

fn format_float(f: f64, s: &Spec) -> Result<String, Exception> {
    if let Some(p) = s.precision {
        if p > i32::MAX as usize {
            return Err(Exception::value_error("precision too big"));
        }
        crate::mem::reserve(p.saturating_add(400), 1)?;
    }
    let negative = f.is_sign_negative();
    let a = f.abs();
    let body = if !a.is_finite() {
        let t = if a.is_nan() { "nan" } else { "inf" };
        if matches!(s.kind, Some('E' | 'F' | 'G')) {
            t.to_uppercase()
        } else {
            t.to_string()
        }
    } else {
        match s.kind {
            Some('f' | 'F') => format!("{a:.*}", s.precision.unwrap_or(6)),
            Some('%') => format!("{:.*}%", s.precision.unwrap_or(6), a * 100.0),
            Some(k @ ('e' | 'E')) => exp(a, s.precision.unwrap_or(6), k == 'E'),
            Some(k @ ('g' | 'G')) => general(a, s.precision.unwrap_or(6), k == 'G', s.alternate),
            None => match s.precision {
                Some(p) => {
                    let g = general(a, p.max(1), false, false);
                    if g.contains(['.', 'e']) {
                        g
                    } else {
                        format!("{g}.0")
                    }
                }
                None => float_repr(a),
            },
            Some(k) => {
                return Err(Exception::value_error(format!(
                    "Unknown format code '{k}' for object of type 'float'"
                )));
            }
        }
    };
    let body = match s.grouping {
        Some(sep) => {
            let (int, rest) = body.split_at(body.find(['.', 'e', '%']).unwrap_or(body.len()));
            format!("{}{rest}", group(int, sep, 3))
        }
        None => body,
    };
    pad(body, sign_of(negative, s), s, '>')
}

/// `{:.{p}e}` as Python writes it: at least two exponent digits.
fn exp(a: f64, p: usize, upper: bool) -> String {
    let text = format!("{a:.p$e}");
    let (mantissa, e) = text.split_once('e').unwrap_or((&text, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let mark = if upper { 'E' } else { 'e' };
    let sign = if e < 0 { '-' } else { '+' };
    format!("{mantissa}{mark}{sign}{:02}", e.abs())
}

/// The `g` presentation: fixed or exponent by the exponent, trailing zeros dropped.
fn general(a: f64, p: usize, upper: bool, alternate: bool) -> String {
    let p = p.max(1);
    if a == 0.0 {
        return "0".to_string();
    }
    let e = a.log10().floor() as i32;
    // The exponent after rounding to p digits.
    let rounded = format!("{a:.*e}", p - 1);
    let e = rounded
        .split_once('e')
        .and_then(|(_, x)| x.parse::<i32>().ok())
        .unwrap_or(e);
    let strip = |t: String| {
        if alternate || !t.contains('.') {
            t
        } else {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    };
    if e < -4 || e >= p as i32 {
        let t = exp(a, p - 1, upper);
        let (m, x) = t.split_at(t.find(['e', 'E']).unwrap_or(t.len()));
        format!("{}{x}", strip(m.to_string()))
    } else {
        strip(format!("{a:.*}", (p as i32 - 1 - e).max(0) as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::format_value;
    use crate::value::Value;

    fn f(v: Value, spec: &str) -> String {
        format_value(&v, spec).unwrap_or_else(|e| e.display_line())
    }

    #[test]
    fn specs_format_as_python_does() {
        assert_eq!(f(Value::Int(42), ">5"), "   42");
        assert_eq!(f(Value::Int(42), "05"), "00042");
        assert_eq!(f(Value::Int(-42), "05"), "-0042");
        assert_eq!(f(Value::Int(255), "#x"), "0xff");
        assert_eq!(f(Value::Int(1234567), ","), "1,234,567");
        assert_eq!(f(Value::Float(1.23456), ".2f"), "1.23");
        assert_eq!(f(Value::Float(0.5), ".1%"), "50.0%");
        assert_eq!(f(Value::Float(1234.5), "e"), "1.234500e+03");
        assert_eq!(f(Value::Float(0.0001234), "g"), "0.0001234");
        assert_eq!(f(Value::Float(123456789.0), "g"), "1.23457e+08");
        assert_eq!(f(Value::str("ab"), "^6"), "  ab  ");
        assert_eq!(f(Value::str("ab"), "*<4"), "ab**");
        assert_eq!(f(Value::Int(5), "d"), "5");
        assert_eq!(f(Value::str("None"), "*<99999999999"), "MemoryError");
        assert_eq!(
            f(Value::Int(5), ">9223372036854775808"),
            "ValueError: Too many decimal digits in format string"
        );
        assert_eq!(
            f(Value::Float(1.5), ".99999999999f"),
            "ValueError: precision too big"
        );
        assert_eq!(
            f(Value::None, "5"),
            "TypeError: unsupported format string passed to NoneType.__format__"
        );
    }
}
