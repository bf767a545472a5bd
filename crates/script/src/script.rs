//! Scripts (SPEC section 4): `PANE> statement` steps, `# narration`,
//! `#? questions` and `=> expected` outcomes, read with errors that name the line.

use crate::display::escape;
use std::path::Path;

/// What a narration line is.
#[derive(Debug, Clone, PartialEq)]
pub enum Narration {
    /// `# text`
    Note(String),
    /// `#? question`: what the step's outcome will be.
    Question(String),
    /// `#?~ question`: what the step will put on the wire (docs/wire.md).
    WireQuestion(String),
}

impl Narration {
    /// The text, whatever the kind.
    pub fn text(&self) -> &str {
        match self {
            Narration::Note(t) | Narration::Question(t) | Narration::WireQuestion(t) => t,
        }
    }
}

/// One step line of a script, with what precedes and follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptStep {
    /// 1-based line number in the file.
    pub line: usize,
    pub pane: String,
    pub statement: String,
    /// Narration and questions between the previous step and this one.
    pub before: Vec<Narration>,
    /// The `=>` line after it, with its line number.
    pub expected: Option<(usize, String)>,
    /// `| text` lines under its `=>` line: what it printed (escaped as in a repr).
    pub printed: Vec<String>,
    /// `PANE => EXPECTED` lines after it: outcomes of other panes' blocked
    /// steps that this step released (or that were interrupted then).
    pub released: Vec<Released>,
    /// `#~ segment` lines after it: what the wire view showed (docs/wire.md).
    pub wire: Vec<String>,
}

/// A `PANE => EXPECTED` line (SPEC 4.1): the outcome a blocked step of PANE
/// reached at this point of the session, with the text it printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Released {
    pub line: usize,
    pub pane: String,
    pub expected: String,
    pub printed: Vec<String>,
}

/// A parsed script.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    pub steps: Vec<ScriptStep>,
    /// Narration after the last step.
    pub after: Vec<Narration>,
}

/// Why a script could not be read. The message can quote the script's text:
/// it is escaped, never raw on a terminal.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}:{} {}", escape(file), line.map_or(String::new(), |l| format!("{l}:")), escape(message))]
pub struct ScriptError {
    pub file: String,
    /// The 1-based line, when the problem is on one.
    pub line: Option<usize>,
    pub message: String,
}

impl Script {
    /// For each `PANE =>` line, the step it speaks of: the last step of PANE
    /// at or before the step it follows. Keyed by that step's index.
    pub fn released_steps(&self) -> std::collections::HashMap<usize, &Released> {
        let mut out = std::collections::HashMap::new();
        for (k, s) in self.steps.iter().enumerate() {
            for r in &s.released {
                if let Some(i) = (0..=k).rev().find(|&i| self.steps[i].pane == r.pane) {
                    out.insert(i, r);
                }
            }
        }
        out
    }
}

/// Whether a `=>` line states an interrupt (Ctrl-C when it was recorded).
pub fn is_interrupt(expected: &str) -> bool {
    expected.trim() == "KeyboardInterrupt"
}

/// Splits `PANE> statement` into its parts, as the reference runner does.
pub fn split_pane_line(line: &str) -> Option<(&str, &str)> {
    let (pane, rest) = line.split_once('>')?;
    if !crate::session::is_pane_name(pane) {
        return None;
    }
    Some((pane, rest.trim()))
}

/// Checks that every step goes to one of `panes`; an error names the first line that does not.
pub fn check_panes(script: &Script, panes: &[&str]) -> Result<(), (usize, String)> {
    match script
        .steps
        .iter()
        .find(|s| !panes.contains(&s.pane.as_str()))
    {
        Some(s) => Err((
            s.line,
            format!(
                "unknown pane '{}' (the interface has the panes {})",
                s.pane,
                panes.join(" and ")
            ),
        )),
        None => Ok(()),
    }
}

/// The largest script `read` takes, in bytes.
pub const MAX_SCRIPT: u64 = 16 * 1024 * 1024;

/// The longest line a script (or the REPL's input) may have, in bytes.
pub const MAX_LINE: usize = 1024 * 1024;

/// Reads a regular file of at most `MAX_SCRIPT` bytes; anything else (a
/// folder, a device such as /dev/zero, a pipe) is refused with one line.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let why = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        _ => crate::outcome::errno::strerror(e.raw_os_error().unwrap_or(0)),
    };
    let meta = std::fs::metadata(path).map_err(why)?;
    if meta.is_dir() {
        return Err("is a folder, not a script".into());
    }
    if !meta.is_file() {
        return Err(
            "is not a regular file (a device, a pipe or a socket); scripts are files".into(),
        );
    }
    // Sized from the file at once: no regrowing, nothing copied twice.
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_SCRIPT) as usize + 1);
    std::fs::File::open(path)
        .map_err(why)?
        .take(MAX_SCRIPT + 1)
        .read_to_end(&mut bytes)
        .map_err(why)?;
    if bytes.len() as u64 > MAX_SCRIPT {
        return Err(format!(
            "longer than {} MiB; a script may be at most that",
            MAX_SCRIPT >> 20
        ));
    }
    Ok(bytes)
}

/// Reads and parses a script file.
pub fn read(path: &Path) -> Result<Script, ScriptError> {
    let text = read_text(path)?;
    parse(&text).map_err(|(line, message)| ScriptError {
        file: path.display().to_string(),
        line: Some(line),
        message,
    })
}

/// Reads a script file, rewrites its text with `rewrite` (e.g. fresh ports),
/// and parses it.
pub fn read_with(
    path: &Path,
    rewrite: impl Fn(&str) -> Result<String, String>,
) -> Result<Script, ScriptError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    let text = rewrite(&text).map_err(|message| ScriptError {
        file: file.clone(),
        line: None,
        message,
    })?;
    parse(&text).map_err(|(line, message)| ScriptError {
        file,
        line: Some(line),
        message,
    })
}

/// A script file's text: at most MAX_SCRIPT bytes of UTF-8 (a BOM dropped),
/// no line longer than MAX_LINE.
fn read_text(path: &Path) -> Result<String, ScriptError> {
    let file = path.display().to_string();
    let fail = |message: String| ScriptError {
        file: file.clone(),
        line: None,
        message,
    };
    let bytes = read_bounded(path).map_err(fail)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            return Err(ScriptError {
                file,
                line: Some(line),
                message: "not valid UTF-8 (scripts are UTF-8 text)".into(),
            });
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if let Some((i, _)) = text
        .split('\n')
        .enumerate()
        .find(|(_, l)| l.len() > MAX_LINE)
    {
        return Err(ScriptError {
            file,
            line: Some(i + 1),
            message: format!("a line of more than {} bytes", MAX_LINE),
        });
    }
    Ok(text)
}

/// Parses script text; an error is (line, message).
pub fn parse(text: &str) -> Result<Script, (usize, String)> {
    let mut script = Script::default();
    // At most one step a line: reserved once (pages are touched only when used).
    script
        .steps
        .reserve(text.bytes().filter(|&b| b == b'\n').count() + 1);
    let mut pending: Vec<Narration> = Vec::new();
    let mut last_was_step = false;
    // Where a `|` line goes: the last step's printed text, or the last released outcome's.
    let mut printing_released = false;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        // `... more`: the statement above goes on (SPEC 4), as the REPL's prompt shows it.
        if let Some(rest) = raw.trim_start().strip_prefix("...") {
            let Some(step) = script.steps.last_mut().filter(|s| {
                last_was_step
                    && s.expected.is_none()
                    && s.printed.is_empty()
                    && s.released.is_empty()
            }) else {
                return Err((number, "'...' must continue the statement above it".into()));
            };
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            step.statement.push('\n');
            step.statement.push_str(rest.trim_end());
            continue;
        }
        if let Some(text) = line.strip_prefix('|') {
            let text = text.strip_prefix(' ').unwrap_or(text).to_string();
            let Some(step) = script.steps.last_mut() else {
                return Err((number, "'|' must follow the step that printed it".into()));
            };
            match step.released.last_mut().filter(|_| printing_released) {
                Some(r) => r.printed.push(text),
                None => step.printed.push(text),
            }
            continue;
        }
        // (A line without '=' is settled by memchr, not a substring search.)
        if line.as_bytes().contains(&b'=')
            && let Some((pane, expected)) = line.split_once("=>")
            && crate::session::is_pane_name(pane.trim())
            && !pane.trim().is_empty()
            && pane.ends_with(char::is_whitespace)
        {
            let expected = expected.trim();
            let Some(step) = script.steps.last_mut() else {
                return Err((
                    number,
                    "'PANE =>' must follow the step that released it".into(),
                ));
            };
            if let Err(why) = crate::check::validate(expected) {
                return Err((number, why));
            }
            step.released.push(Released {
                line: number,
                pane: pane.trim().to_string(),
                expected: expected.to_string(),
                printed: Vec::new(),
            });
            printing_released = true;
            last_was_step = false;
            continue;
        }
        if let Some(expected) = line.strip_prefix("=>") {
            let expected = expected.trim();
            let Some(step) = script.steps.last_mut().filter(|_| last_was_step) else {
                return Err((
                    number,
                    "'=>' must follow the step whose outcome it states".into(),
                ));
            };
            if expected.is_empty() {
                return Err((
                    number,
                    "'=>' without an expected outcome (e.g. `=> b''` or `=> BlockingIOError`)"
                        .into(),
                ));
            }
            if let Err(why) = crate::check::validate(expected) {
                return Err((number, why));
            }
            if step.expected.is_some() {
                return Err((number, "a second '=>' line for the same step".into()));
            }
            step.expected = Some((number, expected.to_string()));
            printing_released = false;
            continue;
        }
        // `#~` lines: a recorded wire view's segments, under their step
        // (narration to CPython's runner).
        if let Some(segment) = line.strip_prefix("#~") {
            if let Some(step) = script.steps.last_mut() {
                step.wire.push(segment.trim().to_string());
            }
            continue;
        }
        if let Some(question) = line.strip_prefix("#?~") {
            pending.push(Narration::WireQuestion(question.trim().to_string()));
            last_was_step = false;
            continue;
        }
        if let Some(question) = line.strip_prefix("#?") {
            pending.push(Narration::Question(question.trim().to_string()));
            last_was_step = false;
            continue;
        }
        if let Some(note) = line.strip_prefix('#') {
            pending.push(Narration::Note(note.trim().to_string()));
            continue;
        }
        let Some((pane, statement)) = split_pane_line(line) else {
            let shown: String = line.chars().take(60).collect();
            return Err((number, format!("expected 'PANE> statement', got '{shown}'")));
        };
        if statement.is_empty() {
            // `server>` alone does nothing, as Enter on an empty line in the REPL.
            continue;
        }
        script.steps.push(ScriptStep {
            line: number,
            pane: pane.to_string(),
            statement: statement.to_string(),
            before: std::mem::take(&mut pending),
            expected: None,
            printed: Vec::new(),
            released: Vec::new(),
            wire: Vec::new(),
        });
        printing_released = false;
        last_was_step = true;
    }
    script.after = pending;
    Ok(script)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_example() {
        let s = parse("# intro\nserver> s = 1\n=> 1\n#? guess\n\nclient> c.recv(1)\n=> BlockingIOError\n# end\n").unwrap();
        assert_eq!(s.steps.len(), 2);
        assert_eq!(s.steps[0].before, vec![Narration::Note("intro".into())]);
        assert_eq!(s.steps[0].expected, Some((3, "1".into())));
        assert_eq!(s.steps[1].before, vec![Narration::Question("guess".into())]);
        assert_eq!(s.steps[1].pane, "client");
        assert_eq!(s.after, vec![Narration::Note("end".into())]);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse("server> x = 1\nhello\n").unwrap_err().0, 2);
        assert_eq!(parse("=> 1\n").unwrap_err().0, 1);
        assert_eq!(parse("a> x\n=>\n").unwrap_err().0, 2);
        assert_eq!(parse("a> x\n=> 1\n=> 2\n").unwrap_err().0, 3);
        assert!(parse("9pane> x\n").is_err());
        // Malformed expectations: an unterminated repr, a bad errno.
        let (line, why) = parse("a> x\n=> b'abc\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(why.starts_with("malformed '=>' line"), "{why}");
        assert!(parse("a> x\n=> OSError: [Errno x] y\n").is_err());
        assert!(
            parse("a> x\n=> (<socket.socket fd=3, laddr=('127.0.0.1', 5)>, 1)\n=> \n").is_err()
        );
        assert!(parse("a> x\n=> (<socket.socket fd=3, laddr=('127.0.0.1', 5)>, 1)\n").is_ok());
        assert!(parse("a> x\n=> OSError: [Errno 98] Address already in use\n").is_ok());
    }

    #[test]
    fn recordings_keep_printed_text_released_outcomes_and_continuations() {
        let s = parse(
            "server> conn, addr = srv.accept()\n=> blocked\nclient> c.connect(('127.0.0.1', 5678))\n=> None\nserver => (1, 2)\n| from the server\nserver> print('a',\n...       'b')\n=> None\n| a b\nclient> c.recv(1)\n=> blocked\nclient => KeyboardInterrupt\n",
        )
        .unwrap();
        assert_eq!(s.steps.len(), 4);
        let r = &s.steps[1].released[0];
        assert_eq!((r.pane.as_str(), r.expected.as_str()), ("server", "(1, 2)"));
        assert_eq!(r.printed, vec!["from the server".to_string()]);
        assert_eq!(s.steps[2].statement, "print('a',\n      'b')");
        assert_eq!(s.steps[2].printed, vec!["a b".to_string()]);
        assert_eq!(s.steps[3].released[0].expected, "KeyboardInterrupt");
        assert!(
            parse("a> x\n=> 1\n... y\n").is_err(),
            "'...' continues a statement only"
        );
    }

    #[test]
    fn an_empty_step_does_nothing() {
        let s = parse("server>\nserver>   \nserver> x = 1\n").unwrap();
        assert_eq!(s.steps.len(), 1);
        assert_eq!(s.steps[0].statement, "x = 1");
    }
}
