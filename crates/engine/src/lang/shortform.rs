//! Short forms for typing (`socket`, `bind 5678`, `accept`, `send hello`...):
//! each expands to one Python-form statement, which is what runs and is recorded.
//!
//! A line is a short form when its first word is a verb not followed by what
//! makes it Python (`send = 5`, `close()`, `recv.x`, `send == 1` stay Python;
//! `bind /tmp/x.sock` is a short form though it parses as a division). Expansion needs
//! the pane's state (its current socket, the names it has), given as `Context`.

use super::lexer::{Tok, tokenize};
use crate::value::repr::{bytes_repr, float_repr, str_repr};

/// The verbs that start a short form.
pub const VERBS: &[&str] = &[
    "socket",
    "bind",
    "listen",
    "accept",
    "connect",
    "connect_ex",
    "blocking",
    "nonblocking",
    "setblocking",
    "timeout",
    "recv",
    "recvfrom",
    "send",
    "sendall",
    "sendto",
    "shutdown",
    "close",
    "use",
];

/// A one-line usage hint per verb, for help and completion hints.
pub const USAGE: &[(&str, &str)] = &[
    ("socket", "socket [tcp|udp|unix] [ipv6] [NAME]"),
    ("bind", "bind [HOST] PORT | bind HOST:PORT | bind PATH"),
    ("listen", "listen [N]"),
    ("accept", "accept"),
    (
        "connect",
        "connect [HOST] PORT | connect HOST:PORT | connect PATH",
    ),
    ("connect_ex", "connect_ex [HOST] PORT"),
    ("blocking", "blocking"),
    ("nonblocking", "nonblocking"),
    ("setblocking", "setblocking on|off"),
    ("timeout", "timeout SECONDS|none"),
    ("recv", "recv [N]"),
    ("recvfrom", "recvfrom [N]"),
    ("send", "send TEXT | send 'literal'"),
    ("sendall", "sendall TEXT | sendall 'literal'"),
    ("sendto", "sendto TEXT [HOST] PORT"),
    ("shutdown", "shutdown rd|wr|rdwr"),
    ("close", "close"),
    ("use", "use NAME"),
];

/// What the expansion needs to know of the pane.
pub struct Context<'a> {
    /// The pane's name (the default name of its first socket).
    pub pane: &'a str,
    /// The current socket: its name and address family.
    pub current: Option<(&'a str, i32)>,
    /// Whether a name is bound in the pane.
    pub is_bound: &'a dyn Fn(&str) -> bool,
}

/// What a typed line turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// A Python-form statement, as typed.
    Python(String),
    /// A short form and the Python form it expands to.
    Expanded { python: String, typed: String },
    /// `use NAME`: make NAME the current socket; nothing runs.
    Use(String),
    /// A short form that cannot be expanded: the reason, in one line.
    Refused(String),
}

/// Whether `line` is a short form (its first word is a verb, and what follows
/// does not make it Python), without expanding it.
pub fn is_short_form(line: &str) -> bool {
    let trimmed = line.trim();
    // Every verb is a lowercase word ended by a space or the line: the first
    // word of a Python line rarely is, and is settled without a scan of the rest.
    let end = trimmed
        .bytes()
        .position(|b| !(b.is_ascii_lowercase() || b == b'_'))
        .unwrap_or(trimmed.len());
    let verb = &trimmed[..end];
    let word_ends = trimmed[end..]
        .chars()
        .next()
        .is_none_or(char::is_whitespace);
    word_ends && VERBS.contains(&verb) && !continues_as_python(trimmed)
}

/// The usage of a verb, its first way of writing only: `bind [HOST] PORT`.
pub fn short_usage(verb: &str) -> Option<&'static str> {
    USAGE
        .iter()
        .find(|(v, _)| *v == verb)
        .map(|(_, u)| u.split(" | ").next().unwrap_or(u))
}

/// Classifies and, for short forms, expands `line`.
pub fn expand(line: &str, ctx: &Context) -> Line {
    let trimmed = line.trim();
    if !is_short_form(trimmed) {
        return Line::Python(trimmed.to_string());
    }
    let verb = trimmed.split_whitespace().next().unwrap_or("");
    let rest = trimmed[verb.len()..].trim();
    match expand_verb(verb, rest, ctx) {
        Ok(Expansion::Python(python)) => Line::Expanded {
            python,
            typed: trimmed.to_string(),
        },
        Ok(Expansion::Use(name)) => Line::Use(name),
        Err(reason) => Line::Refused(reason),
    }
}

/// Whether the token after the first word makes the line Python (`x = 1`, `x.y`, `x(...)`).
fn continues_as_python(line: &str) -> bool {
    const PYTHON_OPS: &[&str] = &[
        "=", ".", "(", "[", ",", ":", ";", "==", "!=", "<", ">", "<=", ">=", "+=", "-=", "*=",
        "/=", "//=", "%=", "|=", "&=", "^=", "**=", ">>=", "<<=", "@=", "**", "%", "|", "&", "^",
        ">>", "<<", "//", "@", ":=",
    ];
    let Ok(tokens) = tokenize(line) else {
        return false;
    };
    match tokens.get(1).map(|t| &t.kind) {
        Some(Tok::Op(op)) => PYTHON_OPS.contains(op),
        Some(Tok::Name(n)) => matches!(n.as_str(), "is" | "in" | "and" | "or" | "if" | "not"),
        _ => false,
    }
}

enum Expansion {
    Python(String),
    Use(String),
}

fn usage(verb: &str) -> &'static str {
    USAGE
        .iter()
        .find(|(v, _)| *v == verb)
        .map_or("", |(_, u)| u)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// The first of `base`, `base2`, `base3`... that is not bound.
fn fresh(base: &str, ctx: &Context) -> String {
    if !(ctx.is_bound)(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|n| !(ctx.is_bound)(n))
        .unwrap_or_default()
}

fn port(text: &str, verb: &str) -> Result<u64, String> {
    text.parse::<u64>().map_err(|_| {
        format!(
            "{verb}: PORT must be a number, got '{text}' (usage: {})",
            usage(verb)
        )
    })
}

/// The Python address for `[HOST] PORT`, `HOST:PORT` or a Unix path.
fn address(args: &[&str], family: i32, verb: &str) -> Result<String, String> {
    if family == libc::AF_UNIX {
        return match args {
            [path] => Ok(str_repr(path)),
            _ => Err(format!(
                "{verb}: give the socket's PATH (usage: {})",
                usage(verb)
            )),
        };
    }
    let default_host = if family == libc::AF_INET6 {
        "::1"
    } else {
        "127.0.0.1"
    };
    let (host, port_text) = match args {
        [one] => match one.rsplit_once(':') {
            Some((h, p))
                if !h.is_empty() && !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) =>
            {
                (
                    h.trim_start_matches('[').trim_end_matches(']').to_string(),
                    p.to_string(),
                )
            }
            _ => (default_host.to_string(), one.to_string()),
        },
        [host, p] => (host.to_string(), p.to_string()),
        _ => {
            return Err(format!(
                "{verb}: expected [HOST] PORT (usage: {})",
                usage(verb)
            ));
        }
    };
    let port = port(&port_text, verb)?;
    Ok(format!("({}, {port})", str_repr(&host)))
}

/// The bytes of a TEXT argument: one quoted Python literal, or the text as typed.
fn payload(rest: &str) -> Result<Vec<u8>, String> {
    if let Ok(tokens) = tokenize(rest)
        && tokens.len() == 2
    {
        match &tokens[0].kind {
            Tok::Bytes(b) => return Ok(b.clone()),
            Tok::Str(s) => return Ok(s.as_bytes().to_vec()),
            _ => {}
        }
    }
    if (rest.starts_with(['\'', '"']) || rest.starts_with("b'") || rest.starts_with("b\""))
        && let Err(e) = tokenize(rest)
    {
        return Err(format!(
            "the quoted text is not a valid literal: {}",
            e.message
        ));
    }
    Ok(rest.as_bytes().to_vec())
}

fn expand_verb(verb: &str, rest: &str, ctx: &Context) -> Result<Expansion, String> {
    let args: Vec<&str> = rest.split_whitespace().collect();
    if verb == "socket" {
        let (mut family, mut kind, mut name) = ("AF_INET", "SOCK_STREAM", None);
        for a in &args {
            match a.to_ascii_lowercase().as_str() {
                "tcp" => kind = "SOCK_STREAM",
                "udp" => kind = "SOCK_DGRAM",
                "unix" => family = "AF_UNIX",
                "ipv6" | "inet6" => family = "AF_INET6",
                "ipv4" | "inet" => family = "AF_INET",
                _ if is_identifier(a) && name.is_none() => name = Some(a.to_string()),
                _ => return Err(format!("socket: unexpected '{a}' (usage: {})", usage(verb))),
            }
        }
        let name = name.unwrap_or_else(|| fresh(&ctx.pane.replace('-', "_"), ctx));
        return Ok(Expansion::Python(format!(
            "{name} = socket.socket(socket.{family}, socket.{kind})"
        )));
    }
    if verb == "use" {
        return match args.as_slice() {
            [name] if is_identifier(name) => Ok(Expansion::Use(name.to_string())),
            _ => Err(format!("use: expected one NAME (usage: {})", usage(verb))),
        };
    }
    let Some((s, family)) = ctx.current else {
        return Err(format!(
            "{verb}: this pane has no current socket; type `socket` first (or `use NAME`)"
        ));
    };
    let no_args = |python: String| -> Result<Expansion, String> {
        if args.is_empty() {
            Ok(Expansion::Python(python))
        } else {
            Err(format!(
                "{verb}: takes no arguments (usage: {})",
                usage(verb)
            ))
        }
    };
    match verb {
        "bind" | "connect" | "connect_ex" => Ok(Expansion::Python(format!(
            "{s}.{verb}({})",
            address(&args, family, verb)?
        ))),
        "listen" => match args.as_slice() {
            [] => Ok(Expansion::Python(format!("{s}.listen()"))),
            [n] => Ok(Expansion::Python(format!(
                "{s}.listen({})",
                port(n, verb).map_err(|_| format!("listen: N must be a number, got '{n}'"))?
            ))),
            _ => Err(format!(
                "listen: expected at most one number (usage: {})",
                usage(verb)
            )),
        },
        "accept" => {
            let conn = fresh("conn", ctx);
            let addr = match conn.strip_prefix("conn") {
                Some(n) if !n.is_empty() => format!("addr{n}"),
                _ => "addr".to_string(),
            };
            no_args(format!("{conn}, {addr} = {s}.accept()"))
        }
        "blocking" => no_args(format!("{s}.setblocking(True)")),
        "nonblocking" => no_args(format!("{s}.setblocking(False)")),
        "setblocking" => match args
            .as_slice()
            .iter()
            .map(|a| a.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .as_slice()
        {
            [a] if matches!(a.as_str(), "on" | "true" | "1" | "yes") => {
                Ok(Expansion::Python(format!("{s}.setblocking(True)")))
            }
            [a] if matches!(a.as_str(), "off" | "false" | "0" | "no") => {
                Ok(Expansion::Python(format!("{s}.setblocking(False)")))
            }
            _ => Err(format!(
                "setblocking: expected on or off (usage: {})",
                usage(verb)
            )),
        },
        "timeout" => match args.as_slice() {
            [a] if matches!(a.to_ascii_lowercase().as_str(), "none" | "off") => {
                Ok(Expansion::Python(format!("{s}.settimeout(None)")))
            }
            [a] => match a.parse::<f64>() {
                Ok(t) if t.is_finite() => Ok(Expansion::Python(format!(
                    "{s}.settimeout({})",
                    float_repr(t)
                ))),
                _ => Err(format!(
                    "timeout: SECONDS must be a number or none, got '{a}'"
                )),
            },
            _ => Err(format!(
                "timeout: expected SECONDS or none (usage: {})",
                usage(verb)
            )),
        },
        "recv" | "recvfrom" => match args.as_slice() {
            [] => Ok(Expansion::Python(format!("{s}.{verb}(1024)"))),
            [n] => Ok(Expansion::Python(format!(
                "{s}.{verb}({})",
                n.parse::<u64>()
                    .map_err(|_| format!("{verb}: N must be a number, got '{n}'"))?
            ))),
            _ => Err(format!(
                "{verb}: expected at most one number (usage: {})",
                usage(verb)
            )),
        },
        "send" | "sendall" => {
            if rest.is_empty() {
                return Err(format!("{verb}: nothing to send (usage: {})", usage(verb)));
            }
            Ok(Expansion::Python(format!(
                "{s}.{verb}({})",
                bytes_repr(&payload(rest)?)
            )))
        }
        "sendto" => {
            // The address is at the end: `PORT`, `HOST:PORT` or `HOST PORT` (HOST an IP or localhost).
            let mut words: Vec<&str> = rest.rsplitn(3, char::is_whitespace).collect();
            words.reverse();
            let (text, addr_words): (String, Vec<&str>) = match words.as_slice() {
                [text, host, p]
                    if host.parse::<std::net::IpAddr>().is_ok() || *host == "localhost" =>
                {
                    (text.to_string(), vec![*host, *p])
                }
                [a, b, p] => (format!("{a} {b}"), vec![*p]),
                [text, p] => (text.to_string(), vec![*p]),
                _ => {
                    return Err(format!(
                        "sendto: expected TEXT and PORT (usage: {})",
                        usage(verb)
                    ));
                }
            };
            let to = address(&addr_words, family, verb)?;
            Ok(Expansion::Python(format!(
                "{s}.sendto({}, {to})",
                bytes_repr(&payload(text.trim())?)
            )))
        }
        "shutdown" => match args
            .as_slice()
            .iter()
            .map(|a| a.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .as_slice()
        {
            [how] if matches!(how.as_str(), "rd" | "wr" | "rdwr") => Ok(Expansion::Python(
                format!("{s}.shutdown(socket.SHUT_{})", how.to_ascii_uppercase()),
            )),
            _ => Err(format!(
                "shutdown: expected rd, wr or rdwr (usage: {})",
                usage(verb)
            )),
        },
        "close" => no_args(format!("{s}.close()")),
        _ => Err(format!("{verb}: unknown short form")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(current: Option<(&'a str, i32)>, bound: &'a dyn Fn(&str) -> bool) -> Context<'a> {
        Context {
            pane: "server",
            current,
            is_bound: bound,
        }
    }

    fn python(line: &str, c: &Context) -> String {
        match expand(line, c) {
            Line::Expanded { python, .. } => python,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn every_verb_expands() {
        let none = |_: &str| false;
        let c = ctx(Some(("s", libc::AF_INET)), &none);
        for (typed, want) in [
            (
                "socket",
                "server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
            ),
            (
                "socket udp ipv6 u",
                "u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)",
            ),
            (
                "socket unix",
                "server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            ),
            ("bind 5678", "s.bind(('127.0.0.1', 5678))"),
            ("bind 0.0.0.0 5678", "s.bind(('0.0.0.0', 5678))"),
            ("bind localhost:5678", "s.bind(('localhost', 5678))"),
            ("listen", "s.listen()"),
            ("listen 5", "s.listen(5)"),
            ("accept", "conn, addr = s.accept()"),
            ("connect 5678", "s.connect(('127.0.0.1', 5678))"),
            ("connect_ex 5678", "s.connect_ex(('127.0.0.1', 5678))"),
            ("blocking", "s.setblocking(True)"),
            ("nonblocking", "s.setblocking(False)"),
            ("setblocking off", "s.setblocking(False)"),
            ("timeout 2", "s.settimeout(2.0)"),
            ("timeout none", "s.settimeout(None)"),
            ("recv", "s.recv(1024)"),
            ("recv 5", "s.recv(5)"),
            ("recvfrom", "s.recvfrom(1024)"),
            ("send hello world", "s.send(b'hello world')"),
            ("send 'it\\'s\\n'", "s.send(b\"it's\\n\")"),
            ("sendall b'\\x00\\x05'", "s.sendall(b'\\x00\\x05')"),
            ("send héllo", "s.send(b'h\\xc3\\xa9llo')"),
            ("sendto hi 9999", "s.sendto(b'hi', ('127.0.0.1', 9999))"),
            (
                "sendto hi there 127.0.0.1 9999",
                "s.sendto(b'hi there', ('127.0.0.1', 9999))",
            ),
            ("shutdown wr", "s.shutdown(socket.SHUT_WR)"),
            ("close", "s.close()"),
        ] {
            assert_eq!(python(typed, &c), want, "{typed}");
        }
        let c6 = ctx(Some(("s", libc::AF_INET6)), &none);
        assert_eq!(python("bind 80", &c6), "s.bind(('::1', 80))");
        let cu = ctx(Some(("u", libc::AF_UNIX)), &none);
        assert_eq!(python("bind /tmp/x.sock", &cu), "u.bind('/tmp/x.sock')");
    }

    #[test]
    fn names_are_fresh() {
        let bound = |n: &str| n == "server" || n == "conn";
        let c = ctx(Some(("server", libc::AF_INET)), &bound);
        assert_eq!(
            python("socket", &c),
            "server2 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)"
        );
        assert_eq!(python("accept", &c), "conn2, addr2 = server.accept()");
    }

    #[test]
    fn python_stays_python_and_errors_are_refusals() {
        let none = |_: &str| false;
        let c = ctx(None, &none);
        assert_eq!(expand("send = 5", &c), Line::Python("send = 5".into()));
        assert_eq!(expand("s.recv(10)", &c), Line::Python("s.recv(10)".into()));
        assert_eq!(expand("close()", &c), Line::Python("close()".into()));
        assert_eq!(expand("recv.x", &c), Line::Python("recv.x".into()));
        assert_eq!(expand("send == 1", &c), Line::Python("send == 1".into()));
        assert_eq!(expand("use conn", &c), Line::Use("conn".into()));
        assert!(
            matches!(expand("recv", &c), Line::Refused(r) if r.contains("type `socket` first"))
        );
        let c = ctx(Some(("s", libc::AF_INET)), &none);
        assert!(
            matches!(expand("bind abc", &c), Line::Refused(r) if r.contains("PORT must be a number"))
        );
        assert!(matches!(expand("shutdown sideways", &c), Line::Refused(_)));
        assert!(matches!(expand("timeout soon", &c), Line::Refused(_)));
        assert!(matches!(expand("send", &c), Line::Refused(r) if r.contains("nothing to send")));
    }
}
