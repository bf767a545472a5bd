//! The REPL's line-editor helper for rustyline: Tab completion (verbs, a
//! pane's names, socket methods after `name.`, the module's functions and
//! constants after `socket.`, the REPL's `:` commands), usage hints for the
//! short forms (`bind` → ` [HOST] PORT`), validation of unclosed brackets
//! (continued on the next line, as in Python) and quotes (refused with a
//! message), and the dim colour of hints.
//!
//! It reads pane snapshots through `Panes`, never a pane itself, so it never
//! waits on a pane that is blocked in `accept()`.

use std::borrow::Cow;
use std::sync::Arc;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use crate::lang::lexer::tokenize;
use crate::lang::shortform::is_short_form;
use crate::pane::PaneSnapshot;
use crate::session::split_pane;

/// The REPL's own commands, with their usage.
pub const COMMANDS: &[(&str, &str)] = &[
    (":pane", ":pane NAME"),
    (":panes", ":panes"),
    (":explain", ":explain"),
    (":why", ":why on|off"),
    (":note", ":note TEXT"),
    (":save", ":save FILE"),
    (":help", ":help"),
    (":clear", ":clear"),
    (":hex", ":hex"),
    (":unfold", ":unfold"),
    (":close", ":close NAME"),
    (":quit", ":quit"),
];

/// What the helper needs of the session: the current pane and snapshots.
pub trait Panes: Send + Sync {
    /// The pane lines without a `PANE> ` prefix go to.
    fn current(&self) -> String;
    /// A pane's names and sockets after its last step (None: no such pane).
    fn snapshot(&self, pane: &str) -> Option<Arc<PaneSnapshot>>;
}

/// The rustyline helper of `sockplay repl`.
pub struct ReplHelper {
    panes: Arc<dyn Panes>,
    color: bool,
}

impl ReplHelper {
    pub fn new(panes: Arc<dyn Panes>, color: bool) -> ReplHelper {
        ReplHelper { panes, color }
    }
}

/// A hint: what shows after the cursor, and what the right arrow inserts.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageHint {
    pub display: String,
    /// The rest of the verb, when the line is a verb's beginning.
    pub insert: Option<String>,
}

impl Hint for UsageHint {
    fn display(&self) -> &str {
        &self.display
    }

    fn completion(&self) -> Option<&str> {
        self.insert.as_deref()
    }
}

/// The statement part of a line, after a `PANE> ` prefix, and the pane it names.
fn statement(line: &str) -> (Option<&str>, &str, usize) {
    match split_pane(line) {
        Some((pane, rest)) => (Some(pane), rest, line.len() - rest.len()),
        None => (None, line, 0),
    }
}

/// Candidates for the word before byte `pos`: the start of the word and the
/// whole words that may replace it.
pub fn candidates(panes: &dyn Panes, line: &str, pos: usize) -> (usize, Vec<String>) {
    let pos = pos.min(line.len());
    if line.starts_with(':') && !line[..pos].contains(' ') {
        let typed = &line[..pos];
        let found = COMMANDS
            .iter()
            .map(|(c, _)| c.to_string())
            .filter(|c| c.starts_with(typed))
            .collect();
        return (0, found);
    }
    let pane = statement(line)
        .0
        .map_or_else(|| panes.current(), str::to_string);
    let snap = panes.snapshot(&pane).unwrap_or_default();
    let c = crate::complete::complete(line, pos, &snap);
    (c.start, c.candidates)
}

/// The usage hint for a line whose cursor is at its end: the rest of a verb
/// being typed and the verb's arguments, or the arguments after `verb `.
pub fn usage_hint(line: &str, pos: usize) -> Option<UsageHint> {
    if pos < line.len() {
        return None;
    }
    if let Some(typed) = line.strip_prefix(':') {
        if typed.is_empty() || typed.contains(' ') {
            return None;
        }
        let mut found = COMMANDS.iter().filter(|(c, _)| c[1..].starts_with(typed));
        let (command, usage) = found.next()?;
        if found.next().is_some() && command[1..] != *typed {
            return None;
        }
        let rest = &command[1 + typed.len()..];
        return Some(UsageHint {
            display: format!("{rest}{}", &usage[command.len()..]),
            insert: (!rest.is_empty()).then(|| rest.to_string()),
        });
    }
    let (display, insert) = crate::complete::verb_hint(statement(line).1)?;
    Some(UsageHint { display, insert })
}

/// Whether the input is ready to run: an unclosed bracket continues on the
/// next line (as in Python's REPL); an unclosed quote is refused with its
/// message, since a string cannot go on to the next line. Short forms, `:`
/// commands and everything else are left to the engine, whose SyntaxError
/// is CPython's.
pub fn validate_input(input: &str) -> ValidationResult {
    let (_, whole, _) = statement(input.trim_start());
    let stmt = whole.trim();
    if stmt.is_empty() || stmt.starts_with(':') || stmt.starts_with('#') || is_short_form(stmt) {
        return ValidationResult::Valid(None);
    }
    // An unfinished statement is taken line by line, at the `...` prompt
    // (see `needs_more`); only an unclosed quote is refused here.
    if crate::lang::continues(whole.trim_start()) {
        return ValidationResult::Valid(None);
    }
    match tokenize(&stmt.replace('\n', " ")) {
        Err(e) if e.message.starts_with("unterminated") => {
            ValidationResult::Invalid(Some(format!(
                "  <- {}: close the quote (Ctrl-C clears the line)",
                e.message
            )))
        }
        _ => ValidationResult::Valid(None),
    }
}

/// Whether the text typed so far is an unfinished statement (a bracket
/// open, or a block not yet ended by an empty line): the REPL then asks for
/// the next line at the `...` prompt, as Python's REPL does.
pub fn needs_more(text: &str) -> bool {
    let (_, whole, _) = statement(text.trim_start());
    let stmt = whole.trim();
    !(stmt.is_empty() || stmt.starts_with(':') || stmt.starts_with('#') || is_short_form(stmt))
        && crate::lang::continues(whole.trim_start())
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = candidates(self.panes.as_ref(), line, pos);
        let pairs = found
            .into_iter()
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = UsageHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<UsageHint> {
        usage_hint(line, pos)
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(validate_input(ctx.input()))
    }
}

impl Highlighter for ReplHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        false
    }
}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pane::SocketView;

    struct Fixed;

    impl Panes for Fixed {
        fn current(&self) -> String {
            "server".into()
        }
        fn snapshot(&self, pane: &str) -> Option<Arc<PaneSnapshot>> {
            let names: &[&str] = match pane {
                "server" => &["conn", "count", "server", "socket"],
                "client" => &["client", "socket"],
                _ => return None,
            };
            Some(Arc::new(PaneSnapshot {
                names: names.iter().map(|n| n.to_string()).collect(),
                current: None,
                held: 0,
                sockets: vec![SocketView {
                    name: names[names.len() - 2].to_string(),
                    fd: Some(3),
                    family: libc::AF_INET,
                    kind: libc::SOCK_STREAM,
                    timeout: None,
                }],
            }))
        }
    }

    #[test]
    fn completion_reads_the_pane_the_line_names() {
        // At the start of a line verbs count too; after `x = ` only names.
        assert_eq!(
            candidates(&Fixed, "co", 2).1,
            vec!["conn", "connect", "connect_ex", "count"]
        );
        assert_eq!(
            candidates(&Fixed, "x = co", 6),
            (4, vec!["conn".into(), "count".into()])
        );
        assert_eq!(
            candidates(&Fixed, "client> cl", 10),
            (8, vec!["client".into(), "close".into()])
        );
        let (start, found) = candidates(&Fixed, "server.setb", 11);
        assert_eq!((start, found), (0, vec!["server.setblocking".to_string()]));
        // client has no socket called server.
        assert_eq!(
            candidates(&Fixed, "client> server.setb", 19).1,
            Vec::<String>::new()
        );
        assert_eq!(
            candidates(&Fixed, "s.setsockopt(socket.SOL_SO", 26).1,
            vec!["socket.SOL_SOCKET".to_string()]
        );
        assert_eq!(
            candidates(&Fixed, ":pa", 3),
            (0, vec![":pane".into(), ":panes".into()])
        );
    }

    #[test]
    fn hints_give_the_usage_of_short_forms() {
        let hint = |line: &str| usage_hint(line, line.len());
        assert_eq!(
            hint("bind"),
            Some(UsageHint {
                display: " [HOST] PORT".into(),
                insert: None
            })
        );
        assert_eq!(hint("bind ").map(|h| h.display), Some("[HOST] PORT".into()));
        assert_eq!(
            hint("client> liste"),
            Some(UsageHint {
                display: "n [N]".into(),
                insert: Some("n".into())
            })
        );
        assert_eq!(hint("acc").map(|h| h.display), Some("ept".into()));
        // Typed arguments, a plain name, an ambiguous start: nothing.
        assert_eq!(hint("bind 5000"), None);
        assert_eq!(hint("s"), None);
        assert_eq!(hint("conne"), None);
        assert_eq!(hint("accept"), None);
        assert_eq!(hint("x = sock"), None);
        assert_eq!(usage_hint("bind", 2), None);
        assert_eq!(hint(":sa").map(|h| h.display), Some("ve FILE".into()));
    }

    #[test]
    fn brackets_continue_and_quotes_are_refused() {
        assert!(needs_more("s.bind(('127.0.0.1', 5000)"));
        assert!(needs_more("client> while True:\n    pass"));
        assert!(
            !needs_more("while True:\n    pass\n"),
            "an empty line ends a block"
        );
        assert!(!needs_more(":help"));
        assert!(matches!(
            validate_input("s.bind(('127.0.0.1',\n 5000))"),
            ValidationResult::Valid(None)
        ));
        assert!(matches!(
            validate_input("client> s.send(b'hello)"),
            ValidationResult::Invalid(Some(m)) if m.contains("unterminated string literal")
        ));
        // Short forms take free text; other errors are CPython's to report.
        assert!(matches!(
            validate_input("send don't"),
            ValidationResult::Valid(None)
        ));
        assert!(matches!(
            validate_input("x = )"),
            ValidationResult::Valid(None)
        ));
        assert!(matches!(
            validate_input(":note it's"),
            ValidationResult::Valid(None)
        ));
    }
}
