//! A fuzzer of the engine on stable Rust: statements from a grammar of the
//! language and mutations of the golden scripts, seeded, run in-process
//! through `Session` (inline and on pane threads, as the front ends run them).
//!
//! A finding is a step that ends in `SystemError` (a caught panic), a step
//! that does not finish even when interrupted (a hang), or a crash of the
//! process (a stack overflow or an abort, which no catch survives: the
//! `sockplay-fuzz` binary then replays the same seed in a child that names
//! each statement before it runs). Panicking statements are minimised by
//! removing characters while the panic stays.

use std::time::{Duration, Instant};

use crate::outcome::Outcome;
use crate::session::{Event, Session, Submitted};

/// A small, seeded pseudo-random generator (xorshift64*): the same seed
/// gives the same statements, so a finding can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const NAMES: &[&str] = &["x", "y", "data", "s", "p", "q", "u", "n", "t"];

const INTS: &[&str] = &[
    "0",
    "1",
    "-1",
    "7",
    "255",
    "256",
    "1024",
    "65535",
    "2**31",
    "2**63",
    "-2**63",
    "2**64",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
    "10**20",
    "0xff",
    "1_000",
    "True",
    "False",
];

const FLOATS: &[&str] = &[
    "0.0", "-0.0", "0.5", "1e300", "1e-300", "1e308", "2.5", "9.3e18",
];

const STRS: &[&str] = &[
    "''",
    "'a b  c '",
    "'héllo'",
    "'\\x00\\n\\t'",
    "'\\u00e9\\U0001f600'",
    "'it\\'s'",
    "\"q\"",
    "'a,b,,c'",
    "' \\u3000x\\u2003 '",
    "r'\\d'",
    "'\\ud800'",
    "'a\\udcffb'",
    "'\\N{EM DASH}'",
    "chr(0xdc80)",
];

const BYTES: &[&str] = &[
    "b''",
    "b'abc'",
    "b'\\x00\\xff'",
    "b'hello world'",
    "b'a\\r\\nb'",
    "b'x' * 100",
    "bytes(10)",
    "b'\\x80abc'",
];

const STR_METHODS: &[(&str, &[&str])] = &[
    ("split", &["", "None, 1", "',', 2", "'', 1", "' ', -1"]),
    ("strip", &["", "' a'"]),
    ("upper", &[""]),
    ("lower", &[""]),
    ("find", &["'a'", "'', 10", "'b', -100, 100", "'c', 2**63"]),
    ("startswith", &["'a'", "('a', 'b')"]),
    ("endswith", &["'c'"]),
    (
        "replace",
        &["'', '-'", "'a', 'bb'", "'a', 'b', -1", "'', 'x', 2"],
    ),
    (
        "encode",
        &[
            "",
            "'utf-16'",
            "'utf-32-be'",
            "'latin-1'",
            "'ascii', 'replace'",
            "'bogus'",
            "'utf-8', 'surrogateescape'",
            "'utf-8', 'surrogatepass'",
            "'ascii', 'xmlcharrefreplace'",
        ],
    ),
    (
        "decode",
        &[
            "",
            "'utf-8', 'ignore'",
            "'latin-1'",
            "'utf-32'",
            "'utf-16'",
            "'utf-8', 'surrogateescape'",
            "'utf-8', 'surrogatepass'",
            "'ascii', 'backslashreplace'",
        ],
    ),
    ("hex", &["", "':'", "':', 2", "'-', -3", "'', 0"]),
    ("join", &["['a', 'b']", "[b'a', b'b']", "(x,)"]),
    ("count", &["'a'", "b'a'"]),
    ("index", &["'z'"]),
];

const SOCKET_CALLS: &[&str] = &[
    "socket.socket()",
    "socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    "socket.socket(socket.AF_INET6, socket.SOCK_STREAM)",
    "socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
    "socket.socketpair()",
    "socket.gethostname()",
    "socket.create_connection('127.0.0.1')",
    "socket.create_connection(('127.0.0.1', 1), 0.01)",
];

const SOCKET_METHODS: &[&str] = &[
    "setblocking(False)",
    "settimeout(0.0)",
    "settimeout(0.1 + 0.2)",
    "gettimeout()",
    "getblocking()",
    "fileno()",
    "close()",
    "recv(0)",
    "recv(4, socket.MSG_DONTWAIT)",
    "recv(4, socket.MSG_TRUNC | socket.MSG_DONTWAIT)",
    "send(b'hi', socket.MSG_DONTWAIT)",
    "getsockname()",
    "getpeername()",
    "bind(('127.0.0.1', 0))",
    "listen()",
    "connect_ex(('127.0.0.1', 1))",
    "shutdown(socket.SHUT_WR)",
    "getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)",
    "setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
    "family",
    "type",
];

/// A random expression, at most `depth` levels deep.
fn expr(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 {
        return atom(rng);
    }
    let d = depth - 1;
    match rng.below(27) {
        0 => format!(
            "{} {} {}",
            expr(rng, d),
            rng.pick(&[
                "+", "-", "*", "/", "//", "%", "**", "|", "&", "^", "<<", ">>"
            ]),
            expr(rng, d)
        ),
        1 => format!(
            "{} {} {}",
            expr(rng, d),
            rng.pick(&[
                "==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"
            ]),
            expr(rng, d)
        ),
        2 => format!("{}{}", rng.pick(&["-", "+", "~", "not "]), expr(rng, d)),
        3 => format!("({})", expr(rng, d)),
        4 => format!("[{}, {}]", expr(rng, d), expr(rng, d)),
        5 => format!("({},)", expr(rng, d)),
        6 => {
            let (m, args) = *rng.pick(STR_METHODS);
            format!("{}.{m}({})", expr(rng, d), rng.pick(args))
        }
        7 => format!(
            "{}[{}:{}:{}]",
            expr(rng, d),
            rng.pick(INTS),
            rng.pick(INTS),
            rng.pick(INTS)
        ),
        8 => format!("{}[{}]", expr(rng, d), rng.pick(INTS)),
        9 => format!(
            "{}({})",
            rng.pick(&[
                "len", "repr", "str", "bytes", "list", "tuple", "int", "float", "bool", "hex",
                "abs", "ord", "chr", "reversed", "range", "min", "max", "sum"
            ]),
            expr(rng, d)
        ),
        10 => format!("{} and {} or {}", expr(rng, d), expr(rng, d), expr(rng, d)),
        11 => format!("{}.{}", rng.pick(NAMES), rng.pick(SOCKET_METHODS)),
        12 => format!(
            "{}.to_bytes({}, {})",
            expr(rng, d),
            rng.pick(INTS),
            rng.pick(&["'big'", "'little'", "'big', signed=True"])
        ),
        13 => format!(
            "int.from_bytes({}, {})",
            expr(rng, d),
            rng.pick(&["'big'", "'little'"])
        ),
        14 => rng.pick(SOCKET_CALLS).to_string(),
        15 => format!("{} if {} else {}", expr(rng, d), expr(rng, d), expr(rng, d)),
        16 | 17 => format!(
            "f{}{{{}{}{}}}{}{}",
            rng.pick(&["'", "\""]).replace('\\', ""),
            expr(rng, d).replace(['\'', '"'], ""),
            rng.pick(&["", "!r", "!s", "!a", "!x"]),
            rng.pick(&[
                "",
                ":>5",
                ":05",
                ":.2f",
                ":#x",
                ":,",
                ":^{x}",
                ":e",
                ":%",
                ":g",
                ":+d",
                ":s",
                ":z",
                ":.",
                ":{",
                ":*<99999999999"
            ]),
            rng.pick(&["", " {{", " }}", " }"]),
            rng.pick(&["'", "\""]).replace('\\', "")
        ),
        19 => format!(
            "{{{}: {}, {}: {}}}",
            expr(rng, d),
            expr(rng, d),
            atom(rng),
            atom(rng)
        ),
        20 => format!("{{{}, {}}}", expr(rng, d), expr(rng, d)),
        21 => format!(
            "{}{} for {} in {} if {}{}",
            rng.pick(&["[", "{", "(", "sum(", "list(", "{"]),
            expr(rng, d),
            rng.pick(&["i", "x", "i, j", "*r, z"]),
            expr(rng, d),
            expr(rng, d),
            rng.pick(&["]", "}", ")", ")", ")", ": 1}"])
        ),
        22 => format!(
            "{} % {}",
            rng.pick(&[
                "'%s'",
                "'%d %s'",
                "b'%s %d'",
                "'%(a)s'",
                "'%5.2f|%-4r|%x|%c'",
                "'%*.*s'",
                "'%z'",
                "'%'",
                "'%99999999999d'"
            ]),
            expr(rng, d)
        ),
        23 => format!(
            "{}.format({}, {})",
            rng.pick(&[
                "'{} {}'",
                "'{0!r:>{1}}'",
                "'{a}'",
                "'{0[0]}{0.x}'",
                "'{:,.2f}'",
                "'{'",
                "'}'",
                "'{:{:{}}}'",
                "'{:99999999999}'"
            ]),
            expr(rng, d),
            expr(rng, d)
        ),
        24 => format!(
            "{}({})",
            rng.pick(&[
                "sorted",
                "enumerate",
                "zip",
                "any",
                "all",
                "next",
                "iter",
                "dict",
                "set",
                "divmod",
                "round",
                "hash",
                "id",
                "isinstance",
                "callable"
            ]),
            {
                let (a, b) = (expr(rng, d), expr(rng, d));
                match rng.below(5) {
                    0 => a,
                    1 => format!("{a}, {b}"),
                    2 => format!("{a}, key=lambda v: -v"),
                    3 => format!("*{a}"),
                    _ => format!("**{a}"),
                }
            }
        ),
        25 => format!(
            "{}.{}({})",
            rng.pick(NAMES),
            rng.pick(&[
                "append",
                "pop",
                "insert",
                "remove",
                "index",
                "sort",
                "extend",
                "get",
                "items",
                "keys",
                "setdefault",
                "update",
                "add",
                "discard",
                "register",
                "unregister",
                "select",
                "modify",
                "get_map",
                "close",
                "send",
                "partition",
                "splitlines",
                "zfill",
                "ljust",
                "rsplit",
                "center",
                "rindex"
            ]),
            {
                let (a, b) = (expr(rng, d), expr(rng, d));
                match rng.below(6) {
                    0 => String::new(),
                    1 => a,
                    2 => format!("{a}, {b}"),
                    3 => "key=len, reverse=True".to_string(),
                    4 => format!("{}, selectors.EVENT_READ, data={a}", rng.pick(NAMES)),
                    _ => "timeout=0".to_string(),
                }
            }
        ),
        26 => rng
            .pick(&[
                "types.SimpleNamespace(a=1, b=[])",
                "selectors.DefaultSelector()",
                "selectors.EVENT_READ | selectors.EVENT_WRITE",
                "errno.ECONNRESET",
                "errno.errorcode[104]",
                "sys.argv",
                "sys.exit(1)",
                "types.SimpleNamespace(1)",
                "{}.fromkeys('ab')",
            ])
            .to_string(),
        _ => format!(
            "select.select([{}], [{}], [], {})",
            rng.pick(NAMES),
            rng.pick(NAMES),
            rng.pick(&["0", "0.0", "1e300", "-1", "None"])
        ),
    }
}

fn atom(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => rng.pick(INTS).to_string(),
        1 => rng.pick(FLOATS).to_string(),
        2 => rng.pick(STRS).to_string(),
        3 => rng.pick(BYTES).to_string(),
        4 => rng.pick(NAMES).to_string(),
        _ => rng
            .pick(&["None", "socket.AF_INET", "socket.MSG_PEEK", "[]", "()"])
            .to_string(),
    }
}

/// A statement from the grammar: an expression, an assignment, an
/// unpacking, or a compound statement (SPEC 2.3) around such statements.
pub fn statement(rng: &mut Rng) -> String {
    match rng.below(8) {
        0..=4 => simple(rng),
        _ => compound(rng, 2),
    }
}

fn simple(rng: &mut Rng) -> String {
    let depth = 1 + rng.below(4);
    let e = expr(rng, depth);
    match rng.below(12) {
        0 | 1 => e,
        2 => format!("{} = {e}", rng.pick(NAMES)),
        3 => format!("{}, {} = {e}", rng.pick(NAMES), rng.pick(NAMES)),
        4 => format!("raise {e}"),
        5 => rng
            .pick(&["pass", "break", "continue", "raise"])
            .to_string(),
        6 => format!("{}[{}] = {e}", rng.pick(NAMES), atom(rng)),
        7 => format!(
            "{}.{} {} {e}",
            rng.pick(NAMES),
            rng.pick(&["a", "outb", "data"]),
            rng.pick(&["=", "+=", "|="])
        ),
        8 => format!("del {}[{}]", rng.pick(NAMES), atom(rng)),
        9 => format!("{}, *{} = {e}", rng.pick(NAMES), rng.pick(NAMES)),
        10 => rng
            .pick(&[
                "import types, selectors, sys, errno",
                "yield",
                "yield from x",
                "x = yield 1",
            ])
            .to_string(),
        _ => format!("{} += {e}", rng.pick(NAMES)),
    }
}

/// A compound statement whose blocks hold simple statements or, `depth`
/// allowing, compound ones; indentation is sometimes wrong on purpose.
fn compound(rng: &mut Rng, depth: usize) -> String {
    let indent = *rng.pick(&["    ", "    ", "  ", "\t", "     "]);
    let body = |rng: &mut Rng| -> String {
        let lines = 1 + rng.below(3);
        (0..lines)
            .map(|_| {
                let stmt = if depth > 0 && rng.below(4) == 0 {
                    compound(rng, depth - 1)
                } else {
                    simple(rng)
                };
                stmt.lines()
                    .map(|l| format!("{indent}{l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let depth_e = 1 + rng.below(2);
    let e = expr(rng, depth_e);
    let class = *rng.pick(&[
        "OSError",
        "Exception",
        "(ValueError, TypeError)",
        "BaseException",
        "ZeroDivisionError",
        "x",
        "1",
        "socket.timeout",
    ]);
    let first = body(rng);
    let second = body(rng);
    match rng.below(10) {
        9 => format!(
            "def {}({}):\n{indent}for v in {e}:\n{indent}{indent}{}\n{first}",
            rng.pick(NAMES),
            rng.pick(&["", "a", "a, b=1"]),
            rng.pick(&[
                "yield v",
                "x = yield v",
                "yield from v",
                "yield",
                "return v"
            ])
        ),
        7 => format!(
            "def {}({}):\n{first}\n{indent}return {e}",
            rng.pick(NAMES),
            rng.pick(&[
                "",
                "a",
                "a, b=1",
                "a=s",
                "a, a",
                "a=1, b",
                "*a, **k",
                "a, *, b=1",
                "*, b",
                "**k, a"
            ])
        ),
        8 => format!(
            "{} = lambda {}: {e}",
            rng.pick(NAMES),
            rng.pick(&["", "x", "x, y=2", "*x"])
        ),
        0 => format!("if {e}:\n{first}\nelif {e}: pass\nelse:\n{second}"),
        1 => format!("for {} in {e}:\n{first}\nelse:\n{second}", rng.pick(NAMES)),
        2 => format!("while {e}:\n{first}\n{indent}break"),
        3 => format!("try:\n{first}\nexcept {class} as e:\n{second}\nfinally:\n{indent}pass"),
        4 => format!("with {e} as {}:\n{first}", rng.pick(NAMES)),
        5 => format!("if {e}: {}", simple(rng)),
        _ => format!("try:\n{first}\nexcept:\n{indent}raise\nelse:\n{second}"),
    }
}

/// Characters a mutation inserts: brackets, quotes, operators, digits, escapes.
const NOISE: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "\\",
    ",",
    ":",
    ".",
    "-",
    "+",
    "*",
    "**",
    "0",
    "9",
    "99999999999999999999",
    "\\x",
    "\\u",
    "\\N{",
    "b'",
    "r'",
    " ",
    "not ",
    "\u{feff}",
    "\u{2028}",
    "é",
    "\0",
    "\x1b",
    "\n",
    "\r\n",
    "\n... ",
    "=",
    "==",
    ";",
    "#",
    "...",
    "lambda",
    "if",
    "for",
    "s.",
    "2**63",
];

/// A line of `corpus` with a few random edits.
pub fn mutate(rng: &mut Rng, corpus: &[String]) -> String {
    let mut chars: Vec<char> = rng.pick(corpus).chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 if !chars.is_empty() => {
                let end = (at + 1 + rng.below(4)).min(chars.len());
                chars.drain(at.min(chars.len())..end);
            }
            1 => {
                let noise: Vec<char> = rng.pick(NOISE).chars().collect();
                chars.splice(at..at, noise);
            }
            _ => {
                let n = 2 + rng.below(200);
                let piece = rng.pick(NOISE).repeat(n);
                chars.splice(at..at, piece.chars());
            }
        }
    }
    chars.into_iter().collect()
}

/// What one statement did that counts as a finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The step ended in SystemError: a panic inside sockplay.
    Panic(String),
    /// The step did not finish even after an interrupt.
    Hang,
}

/// Runs statements through a session and reports findings.
pub struct Fuzzer {
    session: Session,
    run: u64,
    /// How long a step may run before it is interrupted.
    pub patience: Duration,
}

impl Default for Fuzzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Fuzzer {
    pub fn new() -> Fuzzer {
        Fuzzer {
            session: Session::new(),
            run: 0,
            patience: Duration::from_millis(10),
        }
    }

    /// Runs one statement in pane `f` (a fresh session every 2,000 statements,
    /// so names and sockets do not pile up).
    pub fn run(&mut self, line: &str) -> Option<Finding> {
        self.run += 1;
        if self.run.is_multiple_of(2000) {
            // Dropping the session ends its panes, whose sockets close with them.
            self.session = Session::new();
        }
        let Ok(Submitted::Step(info)) = self.session.submit("f", line) else {
            return None;
        };
        let started = Instant::now();
        let mut interrupted = false;
        loop {
            if let Some(Event::Finished {
                info: done,
                outcome,
                ..
            }) = self.session.next_event(Duration::from_millis(50))
                && done.step == info.step
            {
                return match outcome {
                    Outcome::Error(e) if e.class == "SystemError" => {
                        Some(Finding::Panic(e.message))
                    }
                    _ => None,
                };
            }
            if !interrupted && started.elapsed() > self.patience {
                self.session.interrupt("f");
                interrupted = true;
            }
            if started.elapsed() > self.patience + Duration::from_secs(10) {
                // The pane is stuck: start again with a new session. The old
                // one is left as it is: ending it would wait for its stuck pane.
                std::mem::forget(std::mem::replace(&mut self.session, Session::new()));
                return Some(Finding::Hang);
            }
        }
    }

    /// The shortest statement, found by removing characters, that still panics.
    pub fn minimise(&mut self, line: &str) -> String {
        let mut best: Vec<char> = line.chars().collect();
        let mut chunk = best.len() / 2;
        while chunk >= 1 {
            let mut at = 0;
            while at + chunk <= best.len() {
                let mut candidate = best.clone();
                candidate.drain(at..at + chunk);
                let text: String = candidate.iter().collect();
                if matches!(self.run(&text), Some(Finding::Panic(_))) {
                    best = candidate;
                } else {
                    at += chunk;
                }
            }
            chunk /= 2;
        }
        best.into_iter().collect()
    }
}

/// The corpus for mutations: every step line of the golden scripts and lessons.
pub fn corpus(texts: &[&str]) -> Vec<String> {
    texts
        .iter()
        .flat_map(|t| t.lines())
        .filter_map(crate::script::split_pane_line)
        .map(|(_, stmt)| stmt.to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_statements() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            assert_eq!(statement(&mut a), statement(&mut b));
        }
    }
}
