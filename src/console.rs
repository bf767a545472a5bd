//! The core that both interactive front ends drive, the interface and the
//! REPL: where a typed line goes (`:command`, `PANE> statement`, or the
//! current pane), the refusal of a line for a blocked pane, the `:` commands
//! they share, the recording, and the lines of a finished step. It owns the
//! session and the recorder and knows no terminal: each front end shows what
//! it returns, in its own way (a pane's transcript and the footer, or lines
//! printed above the prompt).

use crate::display::{self, Kind};
use crate::explain::Explanation;
use crate::outcome::Outcome;
use crate::record::Recorder;
use crate::session::{Event, Session, StepInfo, SubmitError, Submitted, split_pane};

/// Where a typed line goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Route<'a> {
    /// Blank, or `PANE>` alone: nothing to do.
    Nothing,
    /// `:name arg`.
    Command { name: &'a str, arg: &'a str },
    /// A statement, for `pane` (`PANE> ...`) or for the current pane (None).
    Statement {
        pane: Option<&'a str>,
        statement: &'a str,
    },
}

/// Where `line` goes. A statement over several lines keeps them (it is
/// recorded with `...` lines).
pub fn route(line: &str) -> Route<'_> {
    let trimmed = line.trim();
    if let Some(command) = trimmed.strip_prefix(':') {
        let command = command.trim();
        let (name, arg) = command.split_once(' ').unwrap_or((command, ""));
        return Route::Command {
            name,
            arg: arg.trim(),
        };
    }
    let (pane, statement) = match split_pane(trimmed) {
        Some((pane, rest)) => (Some(pane), rest.trim()),
        None => (None, trimmed),
    };
    if statement.is_empty() {
        Route::Nothing
    } else {
        Route::Statement { pane, statement }
    }
}

/// What became of a statement sent to a pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// It runs as a step (and the recording has its line).
    Step(StepInfo),
    /// `use NAME`: the socket is now the current one; nothing runs.
    Used(String),
    /// A short form that cannot be expanded: why.
    Refused(String),
    /// The pane is blocked: nothing ran. Says in what:
    /// `server is blocked in accept() (step 6)`.
    Busy(String),
    /// The pane could not take it (a bad name, no thread): why.
    Failed(String),
}

/// What a command asks the front end to show or do.
#[derive(Debug, Clone, PartialEq)]
pub enum Said {
    /// A line of information or an error, for wherever the front end says things.
    Line(Kind, String),
    /// A line that belongs in a pane's transcript (an explanation, a note).
    InPane(String, Kind, String),
    /// Show the help.
    Help,
    /// End the session.
    Quit,
    /// Clear the screen of the current pane's transcript (not its names).
    Clear,
    /// Not a shared command: the front end's own, or unknown.
    NotMine,
}

/// A finished step, as lines for people.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub info: StepInfo,
    /// What it printed, its value or exception, `why:`, and the sockets it
    /// closed. A front end leaves the `why:` line out while `explanations` is off.
    pub lines: Vec<(Kind, String)>,
    /// The recording could not be written: why (once).
    pub record_error: Option<String>,
    /// The step raised SystemExit (`exit()`, `quit()`): the session ends, as
    /// Python's REPL does.
    pub exits: bool,
}

/// The session, its recording, and the settings both front ends share.
pub struct Console {
    pub session: Session,
    pub recorder: Recorder,
    /// Whether `why:` lines follow outcomes.
    pub explanations: bool,
    /// The last explanation, and the pane of its step.
    pub last_why: Option<(String, Explanation)>,
    /// Per pane, printed text that does not end a line yet (`print(x, end='')`).
    partial: std::collections::HashMap<String, String>,
}

/// The most text one paste may bring (bytes). A paste is for the blog's
/// snippets; more than this is a program, which `sockplay run FILE` runs, and
/// taking it key by key would keep the screen busy for long.
pub const MAX_PASTE: usize = 64 * 1024;

/// Why a paste of `bytes` bytes is refused (more than `MAX_PASTE`), or None.
pub fn paste_refused(bytes: usize) -> Option<String> {
    (bytes > MAX_PASTE).then(|| {
        format!(
            "paste refused: {} bytes, more than the {} a paste may bring; save it in a file and run it with `sockplay run FILE`",
            display::thousands(bytes),
            display::thousands(MAX_PASTE)
        )
    })
}

/// What a pasted block says when a step of it raised: the lines after it
/// are not run, as the names they use may not exist.
/// `step`: the step that raised; None for a line refused before it ran.
pub fn paste_stopped(step: Option<u64>, not_run: usize) -> String {
    let at = match step {
        Some(step) => format!("its first error (step {step})"),
        None => "a line it could not run".to_string(),
    };
    format!(
        "the pasted block stopped at {at}: {not_run} line{} not run",
        if not_run == 1 { "" } else { "s" }
    )
}

/// Lines a running step printed, for people.
#[derive(Debug)]
pub struct Printed {
    pub info: StepInfo,
    pub lines: Vec<(Kind, String)>,
}

impl Console {
    pub fn new(session: Session, recorder: Recorder) -> Console {
        Console {
            session,
            recorder,
            explanations: true,
            last_why: None,
            partial: std::collections::HashMap::new(),
        }
    }

    /// Sends `statement` to `pane` and records it when it runs.
    pub fn send(&mut self, pane: &str, statement: &str) -> (Sent, Option<String>) {
        match self.session.submit(pane, statement) {
            Ok(Submitted::Step(info)) => {
                let failed = self.recorder.sent(&info).err().map(|e| e.to_string());
                (Sent::Step(info), failed)
            }
            Ok(Submitted::Used(socket)) => (Sent::Used(socket), None),
            Ok(Submitted::Refused(reason)) => (Sent::Refused(reason), None),
            Err(SubmitError::Busy { step, call }) => (
                Sent::Busy(format!("{pane} is {}", crate::session::doing(call, step))),
                None,
            ),
            Err(e) => (Sent::Failed(format!("{pane}: {e}")), None),
        }
    }

    /// Why a line typed for `pane` is refused now: the pane is blocked (the
    /// line stays, to be sent when the pane is free).
    pub fn busy(&self, pane: &str) -> Option<String> {
        self.session
            .running(pane)
            .map(|(info, call, _)| format!("{pane} is {}", crate::session::doing(call, info.step)))
    }

    /// Runs a command both front ends have; `pane` is the current one.
    pub fn command(&mut self, name: &str, arg: &str) -> Said {
        match name {
            "note" if !arg.is_empty() => match self.recorder.note(arg) {
                Ok(()) => Said::Line(Kind::Info, format!("# {arg}")),
                Err(e) => Said::Line(Kind::Error, format!("the recording failed: {e}")),
            },
            "note" => Said::Line(Kind::Error, "usage: :note TEXT".into()),
            "save" | "save!" if !arg.is_empty() => {
                match self
                    .recorder
                    .save(std::path::Path::new(arg), name == "save!")
                {
                    Ok(()) => Said::Line(Kind::Info, format!("session saved to {arg}")),
                    Err(e) => Said::Line(Kind::Error, e.to_string()),
                }
            }
            "save" | "save!" => Said::Line(
                Kind::Error,
                "usage: :save FILE (or :save! FILE to write over it)".into(),
            ),
            "explain" => match &self.last_why {
                Some((pane, why)) => {
                    Said::InPane(pane.clone(), Kind::Why, format!("why: {}", why.long))
                }
                None => Said::Line(Kind::Info, "nothing to explain yet".into()),
            },
            "why" => match arg {
                "on" | "" => {
                    self.explanations = true;
                    Said::Line(Kind::Info, "explanations on".into())
                }
                "off" => {
                    self.explanations = false;
                    Said::Line(Kind::Info, "explanations off (:explain still works)".into())
                }
                _ => Said::Line(Kind::Error, "usage: :why on|off".into()),
            },
            "help" | "h" | "?" => Said::Help,
            "clear" => Said::Clear,
            "quit" | "q" | "exit" => Said::Quit,
            _ => Said::NotMine,
        }
    }

    /// Narration (a script's `#` line, a stepped lesson's): into the recording.
    pub fn narration(&mut self, line: &str) -> Result<(), String> {
        self.recorder.narration(line).map_err(|e| e.to_string())
    }

    /// What a running step printed, as whole lines for people (shown as it
    /// is printed, before the step finishes). None for another event.
    pub fn printed(&mut self, event: &Event) -> Option<Printed> {
        let Event::Printed { info, text } = event else {
            return None;
        };
        let partial = self.partial.entry(info.pane.to_string()).or_default();
        partial.push_str(text);
        let whole = partial.rfind('\n').map_or(0, |at| at + 1);
        let lines = partial[..whole]
            .lines()
            .map(|line| (Kind::Printed, display::escape(line)))
            .collect();
        partial.drain(..whole);
        Some(Printed {
            info: info.clone(),
            lines,
        })
    }

    /// Segments of the wire outside a finished step (a blocked step's, late
    /// ones): recorded where they came. The recording's error, if any.
    pub fn wire(&mut self, segments: &[crate::net::wire::Segment]) -> Option<String> {
        self.recorder.wire(segments).err().map(|e| e.to_string())
    }

    /// A finished step: recorded, and turned into lines for people. None for
    /// an event that is not a finished step. What it printed was shown by
    /// `printed` already, but for a last line without its newline.
    pub fn finished(&mut self, event: &Event) -> Option<Finished> {
        let Event::Finished {
            info,
            outcome,
            stdout,
            closed,
            facts,
            assigned,
            line,
            wire,
            ..
        } = event
        else {
            return None;
        };
        let record_error = self
            .recorder
            .finished(info.step, &info.pane, outcome, stdout, closed)
            .and_then(|()| self.recorder.wire(wire))
            .err()
            .map(|e| e.to_string());
        let rest = self.partial.remove(&*info.pane).unwrap_or_default();
        let shown = display::finished(
            &info.input,
            outcome,
            &rest,
            closed,
            facts.as_ref(),
            *assigned,
            *line,
        );
        let lines = shown.lines;
        if let Some(why) = shown.why {
            self.last_why = Some((info.pane.to_string(), why));
        }
        Some(Finished {
            info: info.clone(),
            lines,
            record_error,
            exits: matches!(outcome, Outcome::Error(e) if e.class == "SystemExit"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_routed_as_both_front_ends_route_them() {
        assert_eq!(
            route(":save  out.sp "),
            Route::Command {
                name: "save",
                arg: "out.sp"
            }
        );
        assert_eq!(
            route("client> c.recv(10)"),
            Route::Statement {
                pane: Some("client"),
                statement: "c.recv(10)"
            }
        );
        assert_eq!(
            route("x>5"),
            Route::Statement {
                pane: None,
                statement: "x>5"
            }
        );
        assert_eq!(route("server>"), Route::Nothing);
        assert_eq!(route("   "), Route::Nothing);
    }

    #[test]
    fn printed_text_is_shown_line_by_line_as_it_comes_and_not_again_at_the_end() {
        let mut c = Console::new(Session::new(), Recorder::in_memory());
        let (sent, _) = c.send(
            "server",
            "print('a', end=''), print('b'), print('c', end='')",
        );
        assert!(matches!(sent, Sent::Step(_)));
        let mut shown: Vec<String> = Vec::new();
        loop {
            let Some(e) = c.session.next_event(std::time::Duration::from_millis(100)) else {
                continue;
            };
            if let Some(p) = c.printed(&e) {
                shown.extend(p.lines.into_iter().map(|(_, l)| format!("printed {l}")));
            }
            if let Some(f) = c.finished(&e) {
                shown.extend(f.lines.into_iter().map(|(_, l)| l));
                break;
            }
        }
        assert_eq!(
            shown,
            ["printed ab", "c", "(None, None, None)"],
            "a line shows once it is whole; the last, unended, with the outcome"
        );
    }

    #[test]
    fn a_busy_pane_refuses_with_what_it_is_blocked_in() {
        let mut c = Console::new(Session::new(), Recorder::in_memory());
        let (sent, _) = c.send("server", "a, b = socket.socketpair()");
        assert!(matches!(sent, Sent::Step(_)));
        // Waits for the step to finish, by its event.
        while c.session.is_busy("server") {
            if let Some(e) = c.session.next_event(std::time::Duration::from_millis(100)) {
                c.finished(&e);
            }
        }
        let (sent, _) = c.send("server", "a.recv(1)");
        let Sent::Step(info) = sent else {
            panic!("{sent:?}")
        };
        while c
            .session
            .blocked("server", crate::session::SETTLE)
            .is_none()
        {
            let _ = c.session.next_event(std::time::Duration::from_millis(20));
        }
        let expected = format!("server is blocked in recv() (step {})", info.step);
        assert_eq!(c.busy("server").as_deref(), Some(expected.as_str()));
        assert_eq!(c.send("server", "1").0, Sent::Busy(expected));
        assert!(c.session.interrupt("server"));
    }
}
