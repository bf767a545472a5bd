//! Masks what differs between two honest runs of a script, as
//! `shared/oracle/normalize.py` does: fd numbers, ephemeral ports, enum names.
//! `--check` compares outcomes through it.

use std::collections::HashSet;

const ENUM_NAMES: [(&str, &str); 6] = [
    ("AddressFamily.AF_INET6", "10"),
    ("AddressFamily.AF_INET", "2"),
    ("AddressFamily.AF_UNIX", "1"),
    ("SocketKind.SOCK_STREAM", "1"),
    ("SocketKind.SOCK_DGRAM", "2"),
    ("SocketKind.SOCK_RAW", "3"),
];

/// The port numbers (1024-65535) a statement names, which normalization keeps.
pub fn ports_named(statements: &[&str]) -> HashSet<u32> {
    let mut ports = HashSet::new();
    for s in statements {
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let len = i - start;
                let word_ends = i == bytes.len() || !bytes[i].is_ascii_alphanumeric();
                if (4..=5).contains(&len)
                    && word_ends
                    && let Ok(n) = s[start..i].parse::<u32>()
                    && (1024..=65535).contains(&n)
                {
                    ports.insert(n);
                }
            } else {
                i += 1;
            }
        }
    }
    ports
}

/// Normalizes a repr: `fd=N`, `EPHEMERAL` for ports not in `ports` (and not 0).
pub fn normalize_repr(text: &str, ports: &HashSet<u32>) -> String {
    let mut s = mask_addresses(&mask_fds(text));
    for (name, number) in ENUM_NAMES {
        s = s.replace(name, number);
    }
    mask_ports(&s, ports)
}

/// ` at 0x7f3a...>` → ` at 0xADDR>`: an object's address differs from run to run.
fn mask_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" at 0x") {
        out.push_str(&rest[..i + 6]);
        rest = &rest[i + 6..];
        let hex = rest
            .find(|c: char| !c.is_ascii_hexdigit() || c.is_ascii_uppercase())
            .unwrap_or(rest.len());
        if hex > 0 && rest[hex..].starts_with('>') {
            out.push_str("ADDR");
            rest = &rest[hex..];
        }
    }
    out.push_str(rest);
    out
}

fn mask_fds(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("fd=") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let digits = rest.strip_prefix('-').unwrap_or(rest);
        let n = digits.chars().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            continue;
        }
        let taken = n + (rest.len() - digits.len());
        out.push_str(if &rest[..taken] == "-1" { "-1" } else { "N" });
        rest = &rest[taken..];
    }
    out.push_str(rest);
    out
}

/// Replaces the port of every `('host', port...)` tuple not in `ports`.
fn mask_ports(text: &str, ports: &HashSet<u32>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("('") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        let Some(end_host) = rest.find('\'') else {
            continue;
        };
        let host = &rest[..end_host];
        let after = &rest[end_host + 1..];
        let Some(num_part) = after.strip_prefix(", ") else {
            continue;
        };
        let n = num_part.chars().take_while(|c| c.is_ascii_digit()).count();
        // As normalize.py's pattern: the port, at most two more ints, `)`.
        let mut tail = &num_part[n..];
        for _ in 0..2 {
            let Some(more) = tail.strip_prefix(", ") else {
                break;
            };
            let digits = more.chars().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                break;
            }
            tail = &more[digits..];
        }
        if n == 0 || !tail.starts_with(')') || host.contains('(') {
            continue;
        }
        let number = &num_part[..n];
        out.push_str(host);
        out.push_str("', ");
        let keep = number == "0" || number.parse::<u32>().is_ok_and(|p| ports.contains(&p));
        out.push_str(if keep { number } else { "EPHEMERAL" });
        rest = &num_part[n..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked_as_normalize_py_masks_them() {
        assert_eq!(
            mask_addresses("<function f at 0x55c7c7ff7790> and <x at 0xZZ>"),
            "<function f at 0xADDR> and <x at 0xZZ>"
        );
    }

    #[test]
    fn masks_like_normalize_py() {
        let ports: HashSet<u32> = [5678].into();
        let repr = "(<socket.socket fd=4, family=2, type=1, proto=0, laddr=('127.0.0.1', 5678), raddr=('127.0.0.1', 56939)>, ('127.0.0.1', 56939))";
        assert_eq!(
            normalize_repr(repr, &ports),
            "(<socket.socket fd=N, family=2, type=1, proto=0, laddr=('127.0.0.1', 5678), raddr=('127.0.0.1', EPHEMERAL)>, ('127.0.0.1', EPHEMERAL))"
        );
        assert_eq!(
            normalize_repr("<socket.socket [closed] fd=-1, family=2>", &ports),
            "<socket.socket [closed] fd=-1, family=2>"
        );
        assert_eq!(
            normalize_repr("('::1', 40000, 0, 0)", &ports),
            "('::1', EPHEMERAL, 0, 0)"
        );
        assert_eq!(
            normalize_repr("('a', 5, True, True)", &HashSet::new()),
            "('a', 5, True, True)",
            "not an address: normalize.py's pattern needs ints to the `)`"
        );
        assert_eq!(normalize_repr("('0.0.0.0', 0)", &ports), "('0.0.0.0', 0)");
        assert_eq!(normalize_repr("('a', 'b')", &ports), "('a', 'b')");
    }

    #[test]
    fn finds_named_ports() {
        let p = ports_named(&[
            "s.bind(('127.0.0.1', 47001))",
            "PORT = 5678",
            "x = 123",
            "bind 8080",
            "s.recv(1024)",
        ]);
        assert!(p.contains(&47001) && p.contains(&5678) && p.contains(&8080) && p.contains(&1024));
        assert!(!p.contains(&123));
    }
}
