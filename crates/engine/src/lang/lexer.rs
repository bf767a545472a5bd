//! Tokenizer for one statement of Python: names, numbers, string, bytes and
//! f-string literals with every escape CPython accepts, operators, and for a
//! statement over several lines (a compound statement) the start of each line
//! with its indentation.
//!
//! Errors carry CPython's SyntaxError message and the 1-based column in its
//! line. Triple quotes work within a line; backslash continuations do not.

use crate::outcome::Exception;

/// One token and the 1-based column of its first character.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: Tok,
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Name(String),
    Int(i64),
    /// An int literal too large for 64 bits.
    BigInt(num_bigint::BigInt),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    /// An f-string: its literal text and its replacement fields, in order.
    FString(Vec<FPart>),
    Op(&'static str),
    /// The end of a logical line, when another line follows.
    Newline,
    /// The start of a logical line after the first: its indentation (tabs
    /// to the next multiple of 8, as CPython counts them) and its 1-based number.
    Indent {
        width: usize,
        line: usize,
    },
    End,
}

/// A piece of an f-string.
#[derive(Debug, Clone, PartialEq)]
pub enum FPart {
    /// Text as it is (escapes and `{{` `}}` already applied).
    Lit(String),
    /// `{expr!conv:spec}`: the expression's source, its conversion (`r`, `s`,
    /// `a`), and its format spec, which may hold fields of its own.
    Field {
        expr: String,
        conv: Option<char>,
        spec: Vec<FPart>,
        col: usize,
    },
}

/// Splits `line` into tokens, ending with `Tok::End`.
pub fn tokenize(line: &str) -> Result<Vec<Token>, Exception> {
    // Most lines are ASCII: one byte, one char, no decoding.
    let chars: Vec<char> = if line.is_ascii() {
        line.bytes().map(char::from).collect()
    } else {
        line.chars().collect()
    };
    let mut tokens = Vec::with_capacity(chars.len() / 3 + 4);
    let mut i = 0;
    // Where the current line starts, and its number: columns count from there.
    let mut line_start = 0;
    let mut line_no = 1;
    // The open brackets, at most 200 (CPython's MAXLEVEL): kept on the stack.
    let mut depth = Brackets::default();
    while i < chars.len() {
        let c = chars[i];
        let col = i - line_start + 1;
        if c == ' ' || c == '\t' || c == '\x0c' {
            i += 1;
            continue;
        }
        // Inside brackets a statement goes on over lines, as in Python; outside
        // them the line ends, and the next line that holds code starts with
        // its indentation (blank lines and comments are skipped).
        if c == '\n' || c == '\r' {
            i += if c == '\r' && chars.get(i + 1) == Some(&'\n') {
                2
            } else {
                1
            };
            line_start = i;
            line_no += 1;
            if depth.is_empty() {
                next_line(&chars, &mut i, &mut line_start, &mut line_no, &mut tokens);
            }
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
                i += 1;
            }
            continue;
        }
        if c == '\\' {
            return Err(Exception::syntax(
                "unexpected character after line continuation character",
                col,
            ));
        }
        if let Some(prefix_len) = string_prefix_len(&chars, i) {
            let prefix = Prefix::of(&chars[i..i + prefix_len]);
            let (tok, next) = lex_string(&chars, i + prefix_len, prefix, col)?;
            tokens.push(Token { kind: tok, col });
            i = next;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let (tok, next) = lex_number(&chars, i)?;
            tokens.push(Token { kind: tok, col });
            i = next;
            continue;
        }
        if c == '_' || c.is_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i] == '_' || chars[i].is_alphanumeric()) {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            tokens.push(Token {
                kind: Tok::Name(name),
                col,
            });
            continue;
        }
        let Some(op) = operator(&chars[i..]) else {
            if c == '$' || c == '?' || c == '!' || c == '`' {
                return Err(Exception::syntax("invalid syntax", col));
            }
            // CPython's tokenizer names a character only when it is printable.
            let message = if crate::value::repr::is_printable(c) {
                format!("invalid character '{c}' (U+{:04X})", c as u32)
            } else {
                format!("invalid non-printable character U+{:04X}", c as u32)
            };
            return Err(Exception::syntax(message, col));
        };
        match op {
            "(" | "[" | "{" => {
                // CPython's tokenizer nests at most MAXLEVEL (200) brackets.
                if depth.len() >= 200 {
                    return Err(Exception::syntax("too many nested parentheses", col));
                }
                depth.push((c, col))
            }
            ")" | "]" | "}" => match depth.pop() {
                None => return Err(Exception::syntax(format!("unmatched '{c}'"), col)),
                Some((open, _)) if closing(open) != c => {
                    return Err(Exception::syntax(
                        format!(
                            "closing parenthesis '{c}' does not match opening parenthesis '{open}'"
                        ),
                        col,
                    ));
                }
                Some(_) => {}
            },
            _ => {}
        }
        tokens.push(Token {
            kind: Tok::Op(op),
            col,
        });
        i += op.len();
    }
    if let Some((open, col)) = depth.first() {
        return Err(Exception::syntax(
            format!("'{open}' was never closed"),
            *col,
        ));
    }
    tokens.push(Token {
        kind: Tok::End,
        col: chars.len() - line_start + 1,
    });
    Ok(tokens)
}

/// At the start of a line outside brackets: skips blank and comment lines,
/// and if a line with code follows, ends the logical line before it
/// (`Newline`) and starts the next (`Indent`), leaving `i` at its first token.
fn next_line(
    chars: &[char],
    i: &mut usize,
    line_start: &mut usize,
    line_no: &mut usize,
    tokens: &mut Vec<Token>,
) {
    loop {
        let mut width = 0;
        let mut j = *i;
        while let Some(&c) = chars.get(j) {
            match c {
                ' ' => width += 1,
                '\t' => width = (width / 8 + 1) * 8,
                '\x0c' => width = 0,
                _ => break,
            }
            j += 1;
        }
        match chars.get(j) {
            None => {
                *i = j;
                return;
            }
            Some('#' | '\n' | '\r') => {
                // A blank or comment line: on to the next.
                while j < chars.len() && chars[j] != '\n' && chars[j] != '\r' {
                    j += 1;
                }
                if j >= chars.len() {
                    *i = j;
                    return;
                }
                j += if chars[j] == '\r' && chars.get(j + 1) == Some(&'\n') {
                    2
                } else {
                    1
                };
                *i = j;
                *line_start = j;
                *line_no += 1;
            }
            Some(_) => {
                if !tokens.is_empty() {
                    tokens.push(Token {
                        kind: Tok::Newline,
                        col: 1,
                    });
                }
                tokens.push(Token {
                    kind: Tok::Indent {
                        width,
                        line: *line_no,
                    },
                    col: 1,
                });
                *i = j;
                return;
            }
        }
    }
}

fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// A stack of open brackets and their columns, as deep as CPython nests them.
struct Brackets {
    open: [(char, usize); 200],
    len: usize,
}

impl Default for Brackets {
    fn default() -> Self {
        Brackets {
            open: [('\0', 0); 200],
            len: 0,
        }
    }
}

impl Brackets {
    fn is_empty(&self) -> bool {
        self.len == 0
    }
    fn len(&self) -> usize {
        self.len
    }
    /// The caller keeps `len` under 200.
    fn push(&mut self, b: (char, usize)) {
        self.open[self.len] = b;
        self.len += 1;
    }
    fn pop(&mut self) -> Option<(char, usize)> {
        self.len = self.len.checked_sub(1)?;
        Some(self.open[self.len])
    }
    fn first(&self) -> Option<&(char, usize)> {
        self.open[..self.len].first()
    }
}

/// The operator that starts `at`, the longest that matches (as Python's
/// tokenizer takes `**=` before `**` before `*`).
fn operator(at: &[char]) -> Option<&'static str> {
    let first = *at.first()?;
    // Only the operators that start with this character are compared, longest first.
    let candidates: &[&'static str] = match first {
        '*' => &["**=", "**", "*=", "*"],
        '/' => &["//=", "//", "/=", "/"],
        '>' => &[">>=", ">>", ">=", ">"],
        '<' => &["<<=", "<<", "<=", "<"],
        '.' => &["...", "."],
        '!' => &["!="],
        '=' => &["==", "="],
        '+' => &["+=", "+"],
        '-' => &["-=", "->", "-"],
        '%' => &["%=", "%"],
        '&' => &["&=", "&"],
        '|' => &["|=", "|"],
        '^' => &["^=", "^"],
        ':' => &[":=", ":"],
        '@' => &["@=", "@"],
        '(' => &["("],
        ')' => &[")"],
        '[' => &["["],
        ']' => &["]"],
        '{' => &["{"],
        '}' => &["}"],
        ',' => &[","],
        ';' => &[";"],
        '~' => &["~"],
        _ => return None,
    };
    candidates.iter().copied().find(|op| {
        let bytes = op.as_bytes();
        bytes.len() <= at.len()
            && bytes[1..]
                .iter()
                .zip(&at[1..])
                .all(|(&o, &c)| o as char == c)
    })
}

/// What a string literal's prefix asks for (`rb`, `B`, `f`...).
#[derive(Clone, Copy)]
struct Prefix {
    raw: bool,
    bytes: bool,
    format: bool,
}

impl Prefix {
    fn of(letters: &[char]) -> Prefix {
        let has = |l: char| letters.iter().any(|c| c.to_ascii_lowercase() == l);
        Prefix {
            raw: has('r'),
            bytes: has('b'),
            format: has('f'),
        }
    }
}

/// If a string literal starts at `i` (possibly after a prefix), the prefix length.
fn string_prefix_len(chars: &[char], i: usize) -> Option<usize> {
    for len in 0..=2 {
        let &quote = chars.get(i + len)?;
        if quote == '\'' || quote == '"' {
            let mut prefix = [' '; 2];
            for (slot, c) in prefix.iter_mut().zip(&chars[i..i + len]) {
                *slot = c.to_ascii_lowercase();
            }
            let valid = matches!(
                &prefix[..len],
                [] | ['r' | 'b' | 'u' | 'f'] | ['b', 'r'] | ['r', 'b'] | ['f', 'r'] | ['r', 'f']
            );
            return valid.then_some(len);
        }
        if !chars[i + len].is_ascii_alphabetic() {
            return None;
        }
    }
    None
}

/// Lexes a string literal whose opening quote is at `start`.
fn lex_string(
    chars: &[char],
    start: usize,
    prefix: Prefix,
    col: usize,
) -> Result<(Tok, usize), Exception> {
    let quote = chars[start];
    let triple = chars.get(start + 1) == Some(&quote) && chars.get(start + 2) == Some(&quote);
    let open_len = if triple { 3 } else { 1 };
    let mut i = start + open_len;
    // The body is every character between the quotes, escapes as written.
    let body_start = i;
    let body_end;
    loop {
        let Some(&c) = chars.get(i) else {
            let what = if triple {
                "unterminated triple-quoted string literal"
            } else {
                "unterminated string literal"
            };
            return Err(Exception::syntax(
                format!("{what} (detected at line 1)"),
                col,
            ));
        };
        if c == '\\' {
            i += 2;
            continue;
        }
        if c == quote
            && (!triple || (chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote)))
        {
            body_end = i;
            i += open_len;
            break;
        }
        i += 1;
    }
    let body = &chars[body_start..body_end];
    let raw = prefix.raw;
    if prefix.format {
        return Ok((Tok::FString(fstring_parts(body, raw, col)?), i));
    }
    let tok = if prefix.bytes {
        if body.iter().any(|c| !c.is_ascii()) {
            return Err(Exception::syntax(
                "bytes can only contain ASCII literal characters",
                col,
            ));
        }
        Tok::Bytes(if raw || !body.contains(&'\\') {
            body.iter().map(|&c| c as u8).collect()
        } else {
            unescape_bytes(body, col)?
        })
    } else {
        Tok::Str(if raw || !body.contains(&'\\') {
            body.iter().collect()
        } else {
            unescape_str(body, col)?
        })
    };
    Ok((tok, i))
}

/// Splits an f-string's body into text and replacement fields (CPython 3.11's
/// rules: `{{` and `}}` are braces, a field ends at its `}` outside brackets
/// and strings, `!r` `!s` `!a` convert, `:` starts a spec that may hold fields).
fn fstring_parts(body: &[char], raw: bool, col: usize) -> Result<Vec<FPart>, Exception> {
    let mut parts = Vec::new();
    let mut text: Vec<char> = Vec::new();
    let mut i = 0;
    let flush = |text: &mut Vec<char>, parts: &mut Vec<FPart>| -> Result<(), Exception> {
        if !text.is_empty() {
            let s = if raw || !text.contains(&'\\') {
                text.iter().collect()
            } else {
                unescape_str(text, col)?
            };
            parts.push(FPart::Lit(s));
            text.clear();
        }
        Ok(())
    };
    while i < body.len() {
        let c = body[i];
        if c == '{' && body.get(i + 1) == Some(&'{') {
            text.push('{');
            i += 2;
            continue;
        }
        if c == '}' {
            if body.get(i + 1) == Some(&'}') {
                text.push('}');
                i += 2;
                continue;
            }
            return Err(Exception::syntax(
                "f-string: single '}' is not allowed",
                col,
            ));
        }
        if c == '\\' && !raw && i + 1 < body.len() {
            text.push(c);
            text.push(body[i + 1]);
            i += 2;
            continue;
        }
        if c != '{' {
            text.push(c);
            i += 1;
            continue;
        }
        flush(&mut text, &mut parts)?;
        let (field, next) = fstring_field(body, i + 1, raw, col)?;
        parts.push(field);
        i = next;
    }
    flush(&mut text, &mut parts)?;
    Ok(parts)
}

/// One replacement field starting after its `{`; returns it and where it ends.
fn fstring_field(
    body: &[char],
    start: usize,
    raw: bool,
    col: usize,
) -> Result<(FPart, usize), Exception> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut i = start;
    let mut conv = None;
    let expr_end;
    loop {
        let Some(&c) = body.get(i) else {
            return Err(Exception::syntax("f-string: expecting '}'", col));
        };
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '}' if depth > 0 => depth -= 1,
            '\\' => {
                return Err(Exception::syntax(
                    "f-string expression part cannot include a backslash",
                    col,
                ));
            }
            '#' => {
                return Err(Exception::syntax(
                    "f-string expression part cannot include '#'",
                    col,
                ));
            }
            '!' if depth == 0 && body.get(i + 1) != Some(&'=') => {
                expr_end = i;
                match body.get(i + 1) {
                    Some(&k @ ('r' | 's' | 'a')) => conv = Some(k),
                    _ => {
                        return Err(Exception::syntax(
                            "f-string: invalid conversion character: expected 's', 'r', or 'a'",
                            col,
                        ));
                    }
                }
                i += 2;
                break;
            }
            ':' | '}' if depth == 0 => {
                expr_end = i;
                break;
            }
            _ => {}
        }
        i += 1;
    }
    let expr: String = body[start..expr_end].iter().collect();
    if expr.trim().is_empty() {
        return Err(Exception::syntax(
            "f-string: empty expression not allowed",
            col,
        ));
    }
    let mut spec = Vec::new();
    match body.get(i) {
        Some('}') => i += 1,
        Some(':') => {
            // The spec runs to the field's closing brace; fields may nest in it.
            let spec_start = i + 1;
            let mut j = spec_start;
            let mut nested = 0usize;
            loop {
                match body.get(j) {
                    None => return Err(Exception::syntax("f-string: expecting '}'", col)),
                    Some('{') => nested += 1,
                    Some('}') if nested > 0 => nested -= 1,
                    Some('}') => break,
                    _ => {}
                }
                j += 1;
            }
            spec = fstring_parts(&body[spec_start..j], raw, col)?;
            i = j + 1;
        }
        _ => return Err(Exception::syntax("f-string: expecting '}'", col)),
    }
    Ok((
        FPart::Field {
            expr,
            conv,
            spec,
            col,
        },
        i,
    ))
}

fn octal_escape(body: &[char], i: &mut usize) -> u32 {
    let mut value = 0;
    let mut n = 0;
    while n < 3 && *i < body.len() && ('0'..='7').contains(&body[*i]) {
        value = value * 8 + body[*i].to_digit(8).unwrap_or(0);
        *i += 1;
        n += 1;
    }
    value
}

fn simple_escape(c: char) -> Option<char> {
    Some(match c {
        '\\' => '\\',
        '\'' => '\'',
        '"' => '"',
        'a' => '\x07',
        'b' => '\x08',
        'f' => '\x0c',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\x0b',
        _ => return None,
    })
}

fn hex_digits(body: &[char], from: usize, count: usize) -> Option<u32> {
    let digits: String = body.get(from..from + count)?.iter().collect();
    if digits.chars().all(|d| d.is_ascii_hexdigit()) {
        u32::from_str_radix(&digits, 16).ok()
    } else {
        None
    }
}

/// Applies Python's escapes for a str literal (`\n`, `\x41`, `\u00e9`, `\N{...}`, octal...).
fn unescape_str(body: &[char], col: usize) -> Result<String, Exception> {
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c != '\\' || i + 1 >= body.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = body[i + 1];
        // Where the escape is, for an error's message only (counting is O(n)).
        let pos = || out.chars().count();
        if let Some(s) = simple_escape(e) {
            out.push(s);
            i += 2;
        } else if ('0'..='7').contains(&e) {
            i += 1;
            let v = octal_escape(body, &mut i);
            out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
        } else if e == 'x' || e == 'u' || e == 'U' {
            let (count, name) = match e {
                'x' => (2, "\\xXX"),
                'u' => (4, "\\uXXXX"),
                _ => (8, "\\UXXXXXXXX"),
            };
            let Some(v) = hex_digits(body, i + 2, count) else {
                let pos = pos();
                let avail = body[i + 2..]
                    .iter()
                    .take(count)
                    .take_while(|d| d.is_ascii_hexdigit())
                    .count();
                return Err(Exception::syntax(
                    format!(
                        "(unicode error) 'unicodeescape' codec can't decode bytes in position {pos}-{}: truncated {name} escape",
                        pos + 1 + avail
                    ),
                    col,
                ));
            };
            // A lone surrogate is a valid str in CPython: see value::surrogate.
            let Some(ch) = crate::value::surrogate::from_code_point(v) else {
                let pos = pos();
                return Err(Exception::syntax(
                    format!(
                        "(unicode error) 'unicodeescape' codec can't decode bytes in position {pos}-{}: illegal Unicode character",
                        pos + 1 + count
                    ),
                    col,
                ));
            };
            out.push(ch);
            i += 2 + count;
        } else if e == 'N' {
            // `\N{EM DASH}`: a character by its Unicode name.
            let close = body[i + 2..].iter().position(|&c| c == '}');
            let name: Option<String> = match (body.get(i + 2), close) {
                (Some('{'), Some(end)) if end > 1 => {
                    Some(body[i + 3..i + 2 + end].iter().collect())
                }
                _ => None,
            };
            let found = name.as_deref().and_then(unicode_names2::character);
            match (name, found) {
                (Some(name), Some(ch)) => {
                    out.push(ch);
                    i += 4 + name.chars().count();
                }
                (name, _) => {
                    let pos = pos();
                    let (end, what) = match name {
                        Some(name) => (
                            pos + 3 + name.chars().count(),
                            "unknown Unicode character name",
                        ),
                        None => (pos + 1, "malformed \\N character escape"),
                    };
                    return Err(Exception::syntax(
                        format!(
                            "(unicode error) 'unicodeescape' codec can't decode bytes in position {pos}-{end}: {what}"
                        ),
                        col,
                    ));
                }
            }
        } else {
            out.push('\\');
            out.push(e);
            i += 2;
        }
    }
    Ok(out)
}

/// Applies Python's escapes for a bytes literal (`\x00`, octal; `\u` stays as written).
fn unescape_bytes(body: &[char], col: usize) -> Result<Vec<u8>, Exception> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c != '\\' || i + 1 >= body.len() {
            out.push(c as u8);
            i += 1;
            continue;
        }
        let e = body[i + 1];
        if let Some(s) = simple_escape(e) {
            out.push(s as u8);
            i += 2;
        } else if ('0'..='7').contains(&e) {
            i += 1;
            out.push((octal_escape(body, &mut i) & 0xff) as u8);
        } else if e == 'x' {
            let Some(v) = hex_digits(body, i + 2, 2) else {
                return Err(Exception::syntax(
                    format!("(value error) invalid \\x escape at position {}", out.len()),
                    col,
                ));
            };
            out.push(v as u8);
            i += 4;
        } else {
            out.push(b'\\');
            out.push(e as u8);
            i += 2;
        }
    }
    Ok(out)
}

/// Lexes an int or float literal starting at `i`.
fn lex_number(chars: &[char], start: usize) -> Result<(Tok, usize), Exception> {
    let mut i = start;
    let col = start + 1;
    let radix = match (chars[i], chars.get(i + 1).map(|c| c.to_ascii_lowercase())) {
        ('0', Some('x')) => 16,
        ('0', Some('o')) => 8,
        ('0', Some('b')) => 2,
        _ => 10,
    };
    let invalid = |what: &str, at: usize| Exception::syntax(format!("invalid {what} literal"), at);
    if radix != 10 {
        i += 2;
        let digits_start = i;
        while i < chars.len() && (chars[i].is_digit(radix) || chars[i] == '_') {
            i += 1;
        }
        let what = match radix {
            16 => "hexadecimal",
            8 => "octal",
            _ => "binary",
        };
        if i < chars.len() && chars[i].is_alphanumeric() || i == digits_start {
            return Err(invalid(what, i + 1));
        }
        let digits: String = chars[digits_start..i]
            .iter()
            .filter(|&&c| c != '_')
            .collect();
        return Ok((int_token(&digits, radix), i));
    }
    let mut is_float = false;
    while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        is_float = true;
        i += 1;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
            i += 1;
        }
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        if matches!(chars.get(j), Some('+' | '-')) {
            j += 1;
        }
        if chars.get(j).is_some_and(|c| c.is_ascii_digit()) {
            is_float = true;
            i = j;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    if matches!(chars.get(i), Some('j' | 'J')) {
        return Err(Exception::unsupported("a complex number"));
    }
    if i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
        return Err(invalid("decimal", i + 1));
    }
    let text: String = chars[start..i].iter().filter(|&&c| c != '_').collect();
    if is_float {
        return text
            .parse::<f64>()
            .map(|v| (Tok::Float(v), i))
            .map_err(|_| invalid("decimal", col));
    }
    if text.len() > 1 && text.starts_with('0') && text.chars().any(|c| c != '0') {
        return Err(Exception::syntax(
            "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
            col,
        ));
    }
    if text.len() > crate::value::repr::INT_MAX_STR_DIGITS {
        return Err(Exception::syntax(
            format!(
                "Exceeds the limit ({} digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit - Consider hexadecimal for huge integer literals to avoid decimal conversion limits.",
                crate::value::repr::INT_MAX_STR_DIGITS,
                text.len()
            ),
            col,
        ));
    }
    Ok((int_token(&text, 10), i))
}

/// The token of an int literal's digits (already checked): 64-bit when it fits.
fn int_token(digits: &str, radix: u32) -> Tok {
    match i64::from_str_radix(digits, radix) {
        Ok(v) => Tok::Int(v),
        Err(_) => num_bigint::BigInt::parse_bytes(digits.as_bytes(), radix)
            .map_or(Tok::Int(0), Tok::BigInt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Tok {
        tokenize(src).expect("lexes")[0].kind.clone()
    }

    fn err(src: &str) -> String {
        tokenize(src).expect_err("fails").message
    }

    #[test]
    fn every_str_escape() {
        assert_eq!(
            one(r#"'\n\t\r\\\'\"\a\b\f\v'"#),
            Tok::Str("\n\t\r\\'\"\x07\x08\x0c\x0b".into())
        );
        assert_eq!(
            one(r"'\x41\101\0\u00e9\U0001F600'"),
            Tok::Str("AA\0é😀".into())
        );
        assert_eq!(one(r"'\d'"), Tok::Str("\\d".into()));
        assert_eq!(one(r"r'\n'"), Tok::Str("\\n".into()));
        assert_eq!(one(r"'''it's'''"), Tok::Str("it's".into()));
        assert_eq!(one(r#""it's""#), Tok::Str("it's".into()));
    }

    #[test]
    fn every_bytes_escape() {
        assert_eq!(
            one(r"b'\x00\xff\n\t\\\''"),
            Tok::Bytes(vec![0, 255, b'\n', b'\t', b'\\', b'\''])
        );
        assert_eq!(one(r"b'\u00e9'"), Tok::Bytes(br"\u00e9".to_vec()));
        assert_eq!(one(r"b'\777'"), Tok::Bytes(vec![0xff]));
        assert_eq!(one(r"br'\x00'"), Tok::Bytes(br"\x00".to_vec()));
        assert_eq!(one(r"Rb'\n'"), Tok::Bytes(br"\n".to_vec()));
    }

    /// Every operator of Python's tokenizer that the playground knows.
    const OPERATORS: [&str; 47] = [
        "**=", "//=", ">>=", "<<=", "...", "!=", "==", "<=", ">=", "**", "//", "<<", ">>", "+=",
        "-=", "*=", "/=", "%=", "&=", "|=", "^=", "->", ":=", "@=", "(", ")", "[", "]", "{", "}",
        ",", ":", ".", ";", "=", "<", ">", "+", "-", "*", "/", "%", "|", "&", "^", "~", "@",
    ];

    #[test]
    fn every_operator_is_read_whole() {
        for op in OPERATORS {
            let chars: Vec<char> = op.chars().collect();
            assert_eq!(operator(&chars), Some(op), "{op} alone");
        }
        let chars: Vec<char> = "**=x".chars().collect();
        assert_eq!(operator(&chars), Some("**="), "the longest first");
        assert_eq!(one("->"), Tok::Op("->"));
        assert_eq!(operator(&['$']), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(one("0x1F"), Tok::Int(31));
        assert_eq!(one("1_000"), Tok::Int(1000));
        assert_eq!(one("0o17"), Tok::Int(15));
        assert_eq!(one("0b101"), Tok::Int(5));
        assert_eq!(one("2.5"), Tok::Float(2.5));
        assert_eq!(one(".5"), Tok::Float(0.5));
        assert_eq!(one("1e-3"), Tok::Float(0.001));
        assert_eq!(one("0"), Tok::Int(0));
    }

    #[test]
    fn errors_are_cpythons() {
        // As CPython 3.11 says them (checked with compile()).
        assert_eq!(err("\x1b[31mred"), "invalid non-printable character U+001B");
        assert_eq!(err("a\u{a0}= 1"), "invalid non-printable character U+00A0");
        assert_eq!(
            err("x = 1 \u{20ac}"),
            "invalid character '\u{20ac}' (U+20AC)"
        );
        assert_eq!(
            err("'abc"),
            "unterminated string literal (detected at line 1)"
        );
        assert_eq!(
            err("'''abc"),
            "unterminated triple-quoted string literal (detected at line 1)"
        );
        assert_eq!(err("f(1"), "'(' was never closed");
        assert_eq!(err("f)"), "unmatched ')'");
        assert_eq!(
            err("f(1]"),
            "closing parenthesis ']' does not match opening parenthesis '('"
        );
        assert_eq!(
            err("b'é'"),
            "bytes can only contain ASCII literal characters"
        );
        assert_eq!(err("12abc"), "invalid decimal literal");
        assert_eq!(err("0x"), "invalid hexadecimal literal");
        assert_eq!(
            err("010"),
            "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"
        );
        assert_eq!(
            err(r"'\x4'"),
            "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-2: truncated \\xXX escape"
        );
        assert_eq!(
            err(r"b'\x4'"),
            "(value error) invalid \\x escape at position 0"
        );
        assert_eq!(err("f'{}'"), "f-string: empty expression not allowed");
        assert_eq!(err("f'a}'"), "f-string: single '}' is not allowed");
        assert_eq!(err("f'{x'"), "f-string: expecting '}'");
    }

    #[test]
    fn f_strings_split_into_text_and_fields() {
        let Tok::FString(parts) = one("f'a{{b}}{x!r:>{w}} {y}'") else {
            panic!("an f-string")
        };
        assert_eq!(parts[0], FPart::Lit("a{b}".into()));
        let FPart::Field {
            expr, conv, spec, ..
        } = &parts[1]
        else {
            panic!("a field")
        };
        assert_eq!((expr.as_str(), *conv), ("x", Some('r')));
        assert_eq!(spec.len(), 2);
        assert_eq!(parts.len(), 4);
    }

    #[test]
    fn lines_start_with_their_indentation() {
        let kinds: Vec<Tok> = tokenize("if a:\n\n    # note\n\tb\n")
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect();
        assert_eq!(
            kinds,
            vec![
                Tok::Name("if".into()),
                Tok::Name("a".into()),
                Tok::Op(":"),
                Tok::Newline,
                Tok::Indent { width: 8, line: 4 },
                Tok::Name("b".into()),
                Tok::End
            ]
        );
    }

    #[test]
    fn columns_point_at_the_problem() {
        assert_eq!(tokenize("x = 'abc").unwrap_err().column, Some(5));
        assert_eq!(tokenize("s.recv(1024").unwrap_err().column, Some(7));
    }
}
