//! The built-in lessons (`lessons/*.sp`, compiled into the binary), and
//! giving a script fresh ports when it starts, so that a lesson runs twice in
//! a row, or beside a program that holds the port it names.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::sync::LazyLock;

use regex::Regex;

/// A built-in lesson: its name and its script.
pub struct Lesson {
    pub name: &'static str,
    pub text: &'static str,
}

macro_rules! lessons {
    ($($name:literal),* $(,)?) => {
        &[$(Lesson { name: $name, text: include_str!(concat!("../../../lessons/", $name, ".sp")) }),*]
    };
}

/// Every lesson, in the order a course would take them.
pub const LESSONS: &[Lesson] = lessons![
    "nonblocking-recv",
    "reverse",
    "short-read",
    "echo-loop",
    "refused",
    "broken-pipe",
    "half-close",
    "reset",
    "full-buffers",
    "timeouts",
    "udp-boundaries",
    "address-in-use",
    "select",
    "select-loop",
    "selectors",
    "send-sendall",
    "readlines",
    "framing",
    "handshake",
    "fin-or-rst",
    "nagle",
];

impl Lesson {
    /// The first narration line: what the lesson is about.
    pub fn summary(&self) -> &'static str {
        self.text
            .lines()
            .find_map(|l| l.trim().strip_prefix('#'))
            .map_or("", str::trim)
    }
}

/// The lesson called `name`.
pub fn find(name: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.name == name)
}

/// Where a script names a port: `('127.0.0.1', 5678)`, `PORT = 5678`, and the
/// short forms `bind 5678`, `connect host 5678` (the contexts the CPython
/// comparison remaps too).
static PORT_CONTEXTS: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    // The patterns are literals, checked by the tests below.
    [
        Regex::new(r",\s*(\d{4,5})\s*[,)]").expect("valid pattern"),
        Regex::new(r"\bPORT\s*=\s*(\d{4,5})\b").expect("valid pattern"),
        Regex::new(r"(?m)^\s*[\w-]+>\s*(?:bind|connect|connect_ex|sendto)\b.*?\b(\d{4,5})\s*$")
            .expect("valid pattern"),
    ]
});

/// The ports a script names.
pub fn script_ports(text: &str) -> BTreeSet<u16> {
    PORT_CONTEXTS
        .iter()
        .flat_map(|re| re.captures_iter(text))
        .filter_map(|c| c.get(1)?.as_str().parse::<u16>().ok())
        .filter(|p| *p >= 1024)
        .collect()
}

/// Whether `port` is free for a new server on loopback, IPv4 and IPv6: a port
/// held by a program, or by a connection in TIME_WAIT, is not.
fn is_free(port: u16) -> bool {
    let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    let v6 = TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port)));
    // An IPv6 loopback that does not exist does not make the port busy.
    v4.is_ok()
        && v6
            .as_ref()
            .map_or_else(|e| e.kind() != std::io::ErrorKind::AddrInUse, |_| true)
}

/// A free port in 20000..30000 (below the kernel's ephemeral range, so a
/// client's own port never lands on it), not in `taken`.
fn free_port(taken: &BTreeSet<u16>, seed: &mut u64) -> Option<u16> {
    for _ in 0..2000 {
        // xorshift: the ports need to differ from run to run, not to be secret.
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let port = 20_000 + (*seed % 10_000) as u16;
        if !taken.contains(&port) && is_free(port) {
            return Some(port);
        }
    }
    None
}

/// `text` with every port it names replaced by a free one, the same port
/// for the same number throughout. Fails only when no free port is found.
pub fn with_fresh_ports(text: &str) -> Result<String, String> {
    // Only the statements name ports: a port in printed text (`| Accepted
    // connection from ('127.0.0.1', 58150)`) or in an outcome is the kernel's.
    let statements: String = text
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            let released = t.split_once(" =>").is_some_and(|(pane, _)| {
                !pane.is_empty()
                    && pane
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            });
            let noted = t.starts_with('#') || t.starts_with('|') || t.starts_with("=>");
            !(noted || released)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let named = script_ports(&statements);
    if named.is_empty() {
        return Ok(text.to_string());
    }
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id()) << 32
        | 1;
    let mut taken = BTreeSet::new();
    let mut mapping = std::collections::HashMap::new();
    for port in &named {
        let fresh = free_port(&taken, &mut seed)
            .ok_or_else(|| "no free port found on 127.0.0.1 in 20000-29999".to_string())?;
        taken.insert(fresh);
        mapping.insert(port.to_string(), fresh.to_string());
    }
    let alternatives: Vec<String> = named.iter().map(u16::to_string).collect();
    let word = Regex::new(&format!(r"\b({})\b", alternatives.join("|")))
        .map_err(|e| format!("internal error: {e}"))?;
    Ok(word
        .replace_all(text, |c: &regex::Captures| {
            mapping
                .get(&c[1])
                .cloned()
                .unwrap_or_else(|| c[1].to_string())
        })
        .into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_parses_and_has_questions_and_expectations() {
        assert!(LESSONS.len() >= 10);
        for lesson in LESSONS {
            let script = crate::script::parse(lesson.text)
                .unwrap_or_else(|(line, e)| panic!("{}:{line}: {e}", lesson.name));
            assert!(!lesson.summary().is_empty(), "{}", lesson.name);
            let questions = script
                .steps
                .iter()
                .flat_map(|s| &s.before)
                .filter(|n| {
                    matches!(
                        n,
                        crate::script::Narration::Question(_)
                            | crate::script::Narration::WireQuestion(_)
                    )
                })
                .count();
            let expectations = script.steps.iter().filter(|s| s.expected.is_some()).count();
            assert!(questions >= 1 && expectations >= 2, "{}", lesson.name);
            assert!(
                script
                    .steps
                    .iter()
                    .all(|s| ["server", "client"].contains(&s.pane.as_str())),
                "{} uses the interface's panes",
                lesson.name
            );
        }
    }

    #[test]
    fn ports_are_found_in_their_contexts_only() {
        let text = "server> s.bind(('127.0.0.1', 47001))\nserver> PORT = 5678\nclient> bind 8080\nserver> s.recv(1024)\nserver> x = (1, 2048)\n";
        let ports: Vec<u16> = script_ports(text).into_iter().collect();
        assert_eq!(ports, vec![2048, 5678, 8080, 47001]);
    }

    #[test]
    fn ports_in_printed_text_and_outcomes_are_not_the_scripts() {
        let text = "server> s.bind(('127.0.0.1', 47001))\nserver> print(addr)\n| ('127.0.0.1', 58150)\n=> ('127.0.0.1', 58151)\nserver => ('127.0.0.1', 58152)\n";
        let fresh = with_fresh_ports(text).expect("free ports");
        assert!(
            !fresh.contains("47001"),
            "the bound port is replaced: {fresh}"
        );
        for kernel_port in ["58150", "58151", "58152"] {
            assert!(fresh.contains(kernel_port), "{kernel_port} stays: {fresh}");
        }
    }

    #[test]
    fn fresh_ports_are_free_consistent_and_leave_other_numbers_alone() {
        // A port held by another program is not picked, and its number is replaced.
        let held = TcpListener::bind("127.0.0.1:0").expect("loopback");
        let port = held.local_addr().expect("bound").port();
        let text = format!(
            "server> s.bind(('127.0.0.1', {port}))\nclient> c.connect(('127.0.0.1', {port}))\nclient> c.recv(1024)\n"
        );
        let fresh = with_fresh_ports(&text).expect("a free port");
        let ports = script_ports(&fresh);
        assert_eq!(ports.len(), 1, "{fresh}");
        let new = *ports.iter().next().expect("one port");
        assert_ne!(new, port);
        assert!((20_000..30_000).contains(&new));
        assert!(fresh.contains("c.recv(1024)"));
        assert_eq!(fresh.matches(&new.to_string()).count(), 2);
    }
}
