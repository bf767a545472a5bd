//! Lone surrogates in str values. CPython's str may hold the code points
//! U+D800..U+DFFF on their own (`'\ud800'`, `chr(0xdc80)`, and what the
//! `surrogateescape` error handler makes of undecodable bytes); a Rust `str`
//! cannot. sockplay keeps each one as a stand-in character of the
//! supplementary private use area A, U+FD800..U+FDFFF (the surrogate plus
//! 0xF0000), and every place that Python's code points show through (repr,
//! `ord`, `chr`, the codecs) translates. The stand-ins behave as single
//! characters for `len`, indexing, slicing, searching and concatenation.
//!
//! The price, documented in docs/language.md: a real U+FD800..U+FDFFF
//! character (a private use code point nobody types) reads as a surrogate.

/// The offset from a surrogate to its stand-in.
const OFFSET: u32 = 0xF0000;

/// The character that stands for code point `n`: itself, or the stand-in of a surrogate.
pub fn from_code_point(n: u32) -> Option<char> {
    if (0xD800..=0xDFFF).contains(&n) {
        char::from_u32(n + OFFSET)
    } else {
        char::from_u32(n)
    }
}

/// The surrogate a character stands for, if it is a stand-in.
pub fn surrogate_of(c: char) -> Option<u32> {
    (c as u32)
        .checked_sub(OFFSET)
        .filter(|n| (0xD800..=0xDFFF).contains(n))
}

/// Python's code point of a character of a str value (`ord`).
pub fn code_point(c: char) -> u32 {
    surrogate_of(c).unwrap_or(c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogates_round_trip_and_others_are_themselves() {
        for n in [0xD800, 0xDBFF, 0xDC80, 0xDFFF] {
            let c = from_code_point(n).expect("a stand-in");
            assert_eq!(code_point(c), n);
            assert_eq!(surrogate_of(c), Some(n));
        }
        assert_eq!(from_code_point(0x41), Some('A'));
        assert_eq!(code_point('é'), 0xE9);
        assert_eq!(surrogate_of('\u{10ffff}'), None);
        assert_eq!(from_code_point(0x110000), None);
    }
}
