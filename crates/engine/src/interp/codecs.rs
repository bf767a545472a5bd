//! The codecs a learner meets on a socket, with CPython's names, BOMs, error
//! handlers and messages: utf-8, ascii, latin-1, utf-16 and utf-32 (plain,
//! `-le`, `-be`); `strict`, `replace`, `ignore`, `backslashreplace`,
//! `xmlcharrefreplace` (encoding), `surrogateescape` and `surrogatepass`.
//! Lone surrogates are the stand-ins of `value::surrogate`.

use crate::outcome::Exception;
use crate::value::surrogate::{code_point, from_code_point, surrogate_of};

/// A codec, as Python's lookup normalizes its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Utf8,
    Ascii,
    Latin1,
    /// Width 2 or 4; `None` for the plain name (BOM first, little-endian by default).
    Utf(u8, Option<bool>),
}

impl Codec {
    fn lookup(name: &str) -> Result<Codec, Exception> {
        let norm = name.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Ok(match norm.as_str() {
            "utf-8" | "utf8" | "u8" | "utf" | "cp65001" => Codec::Utf8,
            "ascii" | "us-ascii" | "646" => Codec::Ascii,
            "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "8859" | "l1" | "cp819"
            | "latin" => Codec::Latin1,
            "utf-16" | "utf16" | "u16" => Codec::Utf(2, None),
            "utf-16-le" | "utf-16le" => Codec::Utf(2, Some(false)),
            "utf-16-be" | "utf-16be" => Codec::Utf(2, Some(true)),
            "utf-32" | "utf32" | "u32" => Codec::Utf(4, None),
            "utf-32-le" | "utf-32le" => Codec::Utf(4, Some(false)),
            "utf-32-be" | "utf-32be" => Codec::Utf(4, Some(true)),
            _ => {
                return Err(Exception::new(
                    "LookupError",
                    format!("unknown encoding: {name}"),
                ));
            }
        })
    }

    /// The name in messages; plain utf-16/32 decode as their little-endian form.
    fn name(self, big: bool) -> String {
        match self {
            Codec::Utf8 => "utf-8".into(),
            Codec::Ascii => "ascii".into(),
            Codec::Latin1 => "latin-1".into(),
            Codec::Utf(w, _) => format!("utf-{}-{}", w as u32 * 8, if big { "be" } else { "le" }),
        }
    }
}

const HANDLERS: &[&str] = &[
    "strict",
    "replace",
    "ignore",
    "backslashreplace",
    "xmlcharrefreplace",
    "surrogateescape",
    "surrogatepass",
    "namereplace",
];

fn check_handler(errors: &str) -> Result<(), Exception> {
    if HANDLERS.contains(&errors) {
        Ok(())
    } else {
        Err(Exception::new(
            "LookupError",
            format!("unknown error handler name '{errors}'"),
        ))
    }
}

/// One step of a decoder: a character, or `len` bytes it cannot decode.
enum Unit {
    Char(char, usize),
    Bad(usize, &'static str),
}

fn utf8_unit(data: &[u8], surrogatepass: bool) -> Unit {
    let b0 = data[0];
    let (len, min) = match b0 {
        0x00..=0x7f => return Unit::Char(b0 as char, 1),
        0xc2..=0xdf => (2, 0x80),
        0xe0..=0xef => (3, 0x800),
        0xf0..=0xf4 => (4, 0x10000),
        _ => return Unit::Bad(1, "invalid start byte"),
    };
    let mut n = u32::from(b0) & (0x7f >> len);
    for i in 1..len {
        let Some(&b) = data.get(i) else {
            return Unit::Bad(i, "unexpected end of data");
        };
        // The second byte's range is narrower for E0, ED, F0, F4 (as CPython checks it).
        let ok = match (i, b0) {
            (1, 0xe0) => (0xa0..=0xbf).contains(&b),
            (1, 0xed) if !surrogatepass => (0x80..=0x9f).contains(&b),
            (1, 0xf0) => (0x90..=0xbf).contains(&b),
            (1, 0xf4) => (0x80..=0x8f).contains(&b),
            _ => (0x80..=0xbf).contains(&b),
        };
        if !ok {
            return Unit::Bad(i, "invalid continuation byte");
        }
        n = (n << 6) | u32::from(b & 0x3f);
    }
    match from_code_point(n) {
        Some(c) if n >= min => Unit::Char(c, len),
        _ => Unit::Bad(1, "invalid start byte"),
    }
}

fn utf_unit(data: &[u8], width: usize, big: bool, surrogatepass: bool) -> Unit {
    let read = |at: usize| -> Option<u32> {
        let b = data.get(at..at + width)?;
        let mut n = 0u32;
        for i in 0..width {
            let byte = if big { b[i] } else { b[width - 1 - i] };
            n = (n << 8) | u32::from(byte);
        }
        Some(n)
    };
    let Some(n) = read(0) else {
        return Unit::Bad(data.len(), "truncated data");
    };
    if width == 4 {
        return match n {
            0xd800..=0xdfff if !surrogatepass => Unit::Bad(
                4,
                "code point in surrogate code point range(0xd800, 0xe000)",
            ),
            _ => match from_code_point(n) {
                Some(c) => Unit::Char(c, 4),
                None => Unit::Bad(4, "code point not in range(0x110000)"),
            },
        };
    }
    match n {
        0xd800..=0xdbff => match read(2) {
            Some(low @ 0xdc00..=0xdfff) => {
                let c = 0x10000 + ((n - 0xd800) << 10) + (low - 0xdc00);
                Unit::Char(char::from_u32(c).unwrap_or('\u{fffd}'), 4)
            }
            _ if surrogatepass => Unit::Char(from_code_point(n).unwrap_or('\u{fffd}'), 2),
            None if data.len() < 4 => Unit::Bad(data.len(), "unexpected end of data"),
            _ => Unit::Bad(2, "illegal UTF-16 surrogate"),
        },
        0xdc00..=0xdfff if !surrogatepass => Unit::Bad(2, "illegal encoding"),
        _ => Unit::Char(from_code_point(n).unwrap_or('\u{fffd}'), 2),
    }
}

/// `bytes.decode(encoding, errors)`.
pub fn decode(data: &[u8], encoding: &str, errors: &str) -> Result<String, Exception> {
    let codec = Codec::lookup(encoding)?;
    crate::mem::reserve(data.len(), 4)?;
    let mut pos = 0;
    // A plain utf-16/32 reads its BOM; without one it is little-endian.
    let mut big = false;
    if let Codec::Utf(w, order) = codec {
        let w = w as usize;
        big = order.unwrap_or(false);
        if order.is_none() && data.len() >= w {
            let (le, be): (&[u8], &[u8]) = if w == 2 {
                (b"\xff\xfe", b"\xfe\xff")
            } else {
                (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
            };
            if data.starts_with(le) {
                pos = w;
            } else if data.starts_with(be) {
                pos = w;
                big = true;
            }
        }
    }
    let pass = errors == "surrogatepass";
    let mut out = String::with_capacity(data.len());
    while pos < data.len() {
        let rest = &data[pos..];
        let unit = match codec {
            Codec::Utf8 => utf8_unit(rest, pass),
            Codec::Ascii if rest[0] < 0x80 => Unit::Char(rest[0] as char, 1),
            Codec::Ascii => Unit::Bad(1, "ordinal not in range(128)"),
            Codec::Latin1 => Unit::Char(rest[0] as char, 1),
            Codec::Utf(w, _) => utf_unit(rest, w as usize, big, pass),
        };
        let (len, reason) = match unit {
            Unit::Char(c, len) => {
                out.push(c);
                pos += len;
                continue;
            }
            Unit::Bad(len, reason) => (len.max(1), reason),
        };
        let bad = &data[pos..pos + len];
        match errors {
            "replace" => out.push('\u{fffd}'),
            "ignore" => {}
            "backslashreplace" => bad
                .iter()
                .for_each(|b| out.push_str(&format!("\\x{b:02x}"))),
            "surrogateescape" if bad.iter().all(|&b| b >= 0x80) => bad
                .iter()
                .for_each(|&b| out.extend(from_code_point(0xdc00 + u32::from(b)))),
            _ => {
                // As in CPython, the handler is looked up when it is first needed.
                check_handler(errors)?;
                let name = codec.name(big);
                let message = if len == 1 {
                    format!(
                        "'{name}' codec can't decode byte 0x{:02x} in position {pos}: {reason}",
                        bad[0]
                    )
                } else {
                    format!(
                        "'{name}' codec can't decode bytes in position {pos}-{}: {reason}",
                        pos + len - 1
                    )
                };
                return Err(Exception::new("UnicodeDecodeError", message));
            }
        }
        pos += len;
    }
    Ok(out)
}

/// `'\xe9'`, `'\u20ac'`, `'\ud800'`: a code point as Python escapes it.
fn escaped(n: u32) -> String {
    if n <= 0xff {
        format!("\\x{n:02x}")
    } else if n <= 0xffff {
        format!("\\u{n:04x}")
    } else {
        format!("\\U{n:08x}")
    }
}

/// `str.encode(encoding, errors)`.
pub fn encode(text: &str, encoding: &str, errors: &str) -> Result<Vec<u8>, Exception> {
    let codec = Codec::lookup(encoding)?;
    crate::mem::reserve(text.len(), 4)?;
    let (width, big) = match codec {
        Codec::Utf(w, order) => (w as usize, order.unwrap_or(false)),
        _ => (1, false),
    };
    let mut out = Vec::with_capacity(text.len());
    if let Codec::Utf(_, None) = codec {
        out.extend_from_slice(if width == 2 {
            b"\xff\xfe"
        } else {
            b"\xff\xfe\x00\x00"
        });
    }
    let push_unit = |out: &mut Vec<u8>, n: u32, w: usize| {
        let bytes = n.to_le_bytes();
        let unit = &bytes[..w];
        if big {
            out.extend(unit.iter().rev());
        } else {
            out.extend_from_slice(unit);
        }
    };
    let limit = match codec {
        Codec::Ascii => 0x80,
        Codec::Latin1 => 0x100,
        _ => 0x110000,
    };
    let reason = match codec {
        Codec::Ascii | Codec::Latin1 => format!("ordinal not in range({limit})"),
        _ => "surrogates not allowed".into(),
    };
    for (i, c) in text.chars().enumerate() {
        let n = code_point(c);
        let is_surrogate = surrogate_of(c).is_some();
        if n < limit && !is_surrogate {
            match codec {
                Codec::Utf8 => {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                Codec::Utf(2, _) if n >= 0x10000 => {
                    let v = n - 0x10000;
                    push_unit(&mut out, 0xd800 + (v >> 10), 2);
                    push_unit(&mut out, 0xdc00 + (v & 0x3ff), 2);
                }
                Codec::Utf(w, _) => push_unit(&mut out, n, w as usize),
                _ => out.push(n as u8),
            }
            continue;
        }
        match errors {
            "replace" => match codec {
                Codec::Utf(w, _) => push_unit(&mut out, u32::from(b'?'), w as usize),
                _ => out.push(b'?'),
            },
            "ignore" => {}
            "backslashreplace" => out.extend(escaped(n).bytes()),
            "xmlcharrefreplace" if !is_surrogate => out.extend(format!("&#{n};").bytes()),
            "surrogateescape" if (0xdc80..=0xdcff).contains(&n) => out.push((n - 0xdc00) as u8),
            "surrogatepass" if is_surrogate && !matches!(codec, Codec::Ascii | Codec::Latin1) => {
                match codec {
                    Codec::Utf8 => out.extend_from_slice(&[
                        0xe0 | (n >> 12) as u8,
                        0x80 | ((n >> 6) & 0x3f) as u8,
                        0x80 | (n & 0x3f) as u8,
                    ]),
                    _ => push_unit(&mut out, n, width),
                }
            }
            _ => {
                check_handler(errors)?;
                let name = match codec {
                    Codec::Utf(w, None) => format!("utf-{}", w as u32 * 8),
                    other => other.name(big),
                };
                return Err(Exception::new(
                    "UnicodeEncodeError",
                    format!(
                        "'{name}' codec can't encode character '{}' in position {i}: {reason}",
                        escaped(n)
                    ),
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf32_as_cpython_writes_them() {
        assert_eq!(
            encode("aé", "utf-16", "strict").unwrap(),
            b"\xff\xfea\x00\xe9\x00"
        );
        assert_eq!(encode("a", "utf-16-be", "strict").unwrap(), b"\x00a");
        assert_eq!(
            encode("\u{1f600}", "utf-16-le", "strict").unwrap(),
            b"\x3d\xd8\x00\xde"
        );
        assert_eq!(
            encode("a", "utf-32", "strict").unwrap(),
            b"\xff\xfe\x00\x00a\x00\x00\x00"
        );
        assert_eq!(decode(b"\xfe\xff\x00a", "utf-16", "strict").unwrap(), "a");
        assert_eq!(
            decode(b"\x3d\xd8\x00\xde", "utf-16-le", "strict").unwrap(),
            "\u{1f600}"
        );
        assert_eq!(
            decode(b"a\x00b", "utf-16", "strict").unwrap_err().message,
            "'utf-16-le' codec can't decode byte 0x62 in position 2: truncated data"
        );
    }

    #[test]
    fn surrogates_escape_and_pass() {
        let s = decode(b"a\xffb", "utf-8", "surrogateescape").unwrap();
        assert_eq!(s.chars().count(), 3);
        assert_eq!(encode(&s, "utf-8", "surrogateescape").unwrap(), b"a\xffb");
        assert_eq!(
            encode(&s, "utf-8", "strict").unwrap_err().message,
            "'utf-8' codec can't encode character '\\udcff' in position 1: surrogates not allowed"
        );
        let lone = decode(b"\xed\xa0\x80", "utf-8", "surrogatepass").unwrap();
        assert_eq!(
            encode(&lone, "utf-8", "surrogatepass").unwrap(),
            b"\xed\xa0\x80"
        );
        assert!(decode(b"\xed\xa0\x80", "utf-8", "strict").is_err());
    }

    #[test]
    fn error_handlers() {
        assert_eq!(decode(b"a\xffb", "utf-8", "replace").unwrap(), "a\u{fffd}b");
        assert_eq!(
            decode(b"\xe9", "ascii", "backslashreplace").unwrap(),
            "\\xe9"
        );
        assert_eq!(
            encode("a€", "latin-1", "backslashreplace").unwrap(),
            b"a\\u20ac"
        );
        assert_eq!(
            encode("a€", "ascii", "xmlcharrefreplace").unwrap(),
            b"a&#8364;"
        );
        assert_eq!(encode("aé", "ascii", "replace").unwrap(), b"a?");
        assert_eq!(
            decode(b"\xff", "utf-8", "bogus").unwrap_err().message,
            "unknown error handler name 'bogus'"
        );
        // Looked up only when needed, as in CPython.
        assert_eq!(decode(b"x", "utf-8", "bogus").unwrap(), "x");
    }
}
