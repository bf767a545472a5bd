//! Tab completion for the front ends: verbs at the start of a line, names of
//! the pane, socket methods after `name.`, the socket module's functions and
//! constants after `socket.`. It reads a pane's snapshot, never the pane
//! itself, so it never waits on a pane that is blocked.

use crate::interp::python_names::SOCKET_CONSTANTS;
use crate::interp::sockets::{SOCKET_FUNCTIONS, SOCKET_METHODS};
use crate::lang::shortform::{VERBS, short_usage};
use crate::pane::PaneSnapshot;
use crate::value::Builtin;

/// What completes the word before the cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// Byte offset in the line where the replaced word starts.
    pub start: usize,
    /// The candidates, sorted, without duplicates.
    pub candidates: Vec<String>,
}

fn is_word(c: char) -> bool {
    c == '_' || c == '.' || c.is_alphanumeric()
}

/// Completes the word that ends at byte `cursor` of `line`.
pub fn complete(line: &str, cursor: usize, snap: &PaneSnapshot) -> Completion {
    let cursor = cursor.min(line.len());
    let before = line.get(..cursor).unwrap_or(line);
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(cursor, |(i, _)| i);
    let word = &before[start..];
    // A `PANE> ` prefix does not count as the start of the statement.
    let head = before[..start].trim_start();
    let head = match head.split_once("> ") {
        Some((pane, rest)) if crate::session::is_pane_name(pane) => rest.trim_start(),
        _ => head,
    };
    let mut pool: Vec<String> = Vec::new();
    let (prefix, partial) = match word.rsplit_once('.') {
        Some((obj, partial)) => {
            let members: Vec<&str> = if obj == "socket" {
                SOCKET_FUNCTIONS
                    .iter()
                    .copied()
                    .chain(SOCKET_CONSTANTS.iter().map(|(n, _, _)| *n))
                    .collect()
            } else if obj == "select" {
                vec!["select"]
            } else if snap.sockets.iter().any(|s| s.name == obj) {
                SOCKET_METHODS.to_vec()
            } else {
                Vec::new()
            };
            pool.extend(members.into_iter().map(String::from));
            (format!("{obj}."), partial)
        }
        None => {
            if head.is_empty() {
                pool.extend(VERBS.iter().map(|v| v.to_string()));
            }
            pool.extend(snap.names.iter().cloned());
            pool.extend(Builtin::BARE.iter().map(|b| b.name().to_string()));
            (String::new(), word)
        }
    };
    let mut candidates: Vec<String> = pool
        .into_iter()
        .filter(|c| c.starts_with(partial))
        .map(|c| format!("{prefix}{c}"))
        .collect();
    candidates.sort();
    candidates.dedup();
    Completion { start, candidates }
}

/// The longest prefix every candidate shares.
pub fn common_prefix(candidates: &[String]) -> &str {
    let Some(first) = candidates.first() else {
        return "";
    };
    let mut len = first.len();
    for c in &candidates[1..] {
        len = first
            .char_indices()
            .zip(c.chars())
            .find(|((_, a), b)| a != b)
            .map_or(len.min(c.len()), |((i, _), _)| i.min(len));
    }
    &first[..len]
}

/// The usage hint for a statement (no `PANE> ` prefix) whose cursor is at
/// its end, as both front ends show it: the rest of a short form's verb being
/// typed and its arguments (`bi` → `nd [HOST] PORT`), or the arguments after
/// `verb ` (`[HOST] PORT`). Returns the text to show and, for a verb's
/// beginning, the rest of the verb (what accepting the hint inserts).
pub fn verb_hint(stmt: &str) -> Option<(String, Option<String>)> {
    let stmt = stmt.trim_start();
    if stmt.is_empty() {
        return None;
    }
    if let Some(verb) = stmt.strip_suffix(' ').map(str::trim_end) {
        // `verb ` with nothing after it yet: the arguments.
        let usage = short_usage(verb).filter(|_| !verb.contains(' '))?;
        let args = usage[verb.len()..].trim_start();
        return (!args.is_empty()).then(|| (args.to_string(), None));
    }
    if stmt.contains(char::is_whitespace) {
        return None;
    }
    // A verb being typed: the one it can only be, or the one it already is.
    let verb = if VERBS.contains(&stmt) {
        stmt
    } else {
        let mut found = VERBS.iter().filter(|v| v.starts_with(stmt));
        let only = found.next()?;
        if found.next().is_some() {
            return None;
        }
        only
    };
    let usage = short_usage(verb)?;
    let rest = &verb[stmt.len()..];
    let display = format!("{rest}{}", &usage[verb.len()..]);
    (!display.is_empty()).then(|| (display, (!rest.is_empty()).then(|| rest.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pane::SocketView;

    fn snap() -> PaneSnapshot {
        PaneSnapshot {
            names: vec![
                "conn".into(),
                "count".into(),
                "server".into(),
                "socket".into(),
                "select".into(),
            ],
            current: None,
            held: 0,
            sockets: vec![SocketView {
                name: "server".into(),
                fd: Some(3),
                family: 2,
                kind: 1,
                timeout: None,
            }],
        }
    }

    #[test]
    fn verbs_names_methods_and_constants() {
        let s = snap();
        let c = complete("acc", 3, &s);
        assert_eq!(c.candidates, vec!["accept"]);
        let c = complete("x = co", 6, &s);
        assert_eq!(
            (c.start, c.candidates.clone()),
            (4, vec!["conn".to_string(), "count".into()])
        );
        assert_eq!(common_prefix(&c.candidates), "co");
        let c = complete("server.set", 10, &s);
        assert!(c.candidates.contains(&"server.setblocking".to_string()));
        assert!(c.candidates.contains(&"server.settimeout".to_string()));
        let c = complete("s.setsockopt(socket.SO_REUSE", 28, &s);
        assert_eq!(
            c.candidates,
            vec!["socket.SO_REUSEADDR", "socket.SO_REUSEPORT"]
        );
        assert_eq!(c.start, 13);
        let c = complete("client> rec", 11, &s);
        assert_eq!(c.candidates, vec!["recv", "recvfrom"]);
    }
}
