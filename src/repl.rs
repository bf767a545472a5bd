//! `sockplay repl`: the line-mode front end, for plain terminals, screen
//! readers and pipes. On a terminal it reads lines with rustyline (prompt,
//! completion, hints, validation, history in the user's data directory)
//! while a watcher thread prints each step as it finishes, above the line
//! being typed (rustyline's external printer). With standard input not a
//! terminal it reads statements line by line and prints outcomes, without
//! prompts or colours. The engine, the outcomes, the explanations and the
//! recording are the interface's.
//!
//! It does not draw panes side by side or show the kernel's view of sockets:
//! that is the interface's job (`:panes` lists what each pane is doing).

pub mod helper;
pub mod shared;

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor, ExternalPrinter};

use crate::display::Kind;
use crate::net::sys;
use crate::record::Recorder;
use helper::ReplHelper;
use shared::{Entered, Shared};

/// Where the REPL's history lives: `sockplay/history` in the user's data
/// directory.
fn history_path() -> Option<PathBuf> {
    Some(dirs::data_dir()?.join("sockplay").join("history"))
}

/// Runs the REPL; returns the exit status. With piped input, a line for a
/// blocked pane waits at most `step_timeout` for it, and so does the end of
/// the input for steps still blocked.
pub fn main(record: Option<&Path>, force: bool, step_timeout: Duration, wire: bool) -> i32 {
    use crate::record::Open;
    let interactive = io::stdin().is_terminal();
    let recorder = match record {
        Some(path) => Recorder::to_file(path, if force { Open::Force } else { Open::New }),
        // At a terminal a session is always recorded, as in the interface;
        // a pipeline's input is its own script, so it is kept in memory.
        None if interactive => Recorder::to_file(&crate::record::default_path(), Open::Default),
        None => Ok(Recorder::in_memory()),
    };
    let recorder = match recorder {
        Ok(r) => r,
        Err(e) => {
            errln!("sockplay: {e}");
            return 2;
        }
    };
    let color = interactive
        && io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // SIGTERM, SIGHUP, SIGQUIT: the terminal's settings back (the line
    // editor may be in raw mode), and where the recording is.
    let settings = sys::terminal_settings(0).filter(|_| interactive);
    let restore = move || {
        if let Some(s) = &settings {
            sys::restore_terminal_settings(0, s);
            errln!();
        }
    };
    if let Err(e) = crate::signals::on_terminate(restore, recorder.path().map(Into::into)) {
        errln!("sockplay: cannot watch for signals: {e}");
        return 1;
    }
    let shared = Arc::new(Shared::new(recorder, color, interactive, &sys::SIGINT));
    if wire && let Err(why) = shared.lock().session.watch_wire() {
        errln!("sockplay: {why}");
        return 2;
    }
    let mut status = if interactive {
        at_terminal(&shared)
    } else {
        piped(&shared, io::stdin().lock(), step_timeout)
    };
    let _ = io::stdout().flush();
    let session = {
        let mut st = shared.lock();
        if let Some(failed) = st.recorder.failed() {
            errln!("sockplay: {failed}");
            status = status.max(1);
        } else if interactive && let Some(path) = st.recorder.path() {
            shared.write_out(&format!(
                "sockplay: session recorded in {}\n",
                path.display()
            ));
        }
        std::mem::take(&mut st.session)
    };
    session.close_all_before_exit();
    status
}

/// The interactive REPL on a terminal.
fn at_terminal(shared: &Arc<Shared>) -> i32 {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .max_history_size(1000)
        .and_then(|c| c.history_ignore_dups(true))
        .map(|c| c.history_ignore_space(true).build())
        .unwrap_or_default();
    let mut rl: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(rl) => rl,
        Err(e) => {
            errln!("sockplay: cannot read lines from the terminal: {e}");
            return 1;
        }
    };
    rl.set_helper(Some(ReplHelper::new(shared.clone(), shared.color)));
    let history = history_path();
    if let Some(path) = &history {
        let _ = rl.load_history(path);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    match sys::above_low_fds(|| rl.create_external_printer()) {
        Ok(mut printer) => Shared::start_watcher(shared, move |text| {
            let _ = printer.print(text);
        }),
        Err(_) => {
            let out = shared.clone();
            Shared::start_watcher(shared, move |text| out.write_out(&text));
        }
    }
    sys::install_sigint_flag();
    shared.write_out(
        "sockplay repl: Python statements or short forms; PANE> line or :pane NAME for another pane; :help; Ctrl-D quits.\n",
    );
    let mut initial = String::new();
    // The lines of an unfinished statement so far (a block, an open bracket).
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() {
            shared.prompt()
        } else {
            "... ".to_string()
        };
        let read = if initial.is_empty() {
            rl.readline(&prompt)
        } else {
            rl.readline_with_initial(&prompt, (&std::mem::take(&mut initial), ""))
        };
        // On a terminal rustyline cannot drive (TERM=dumb), Ctrl-C arrives as
        // SIGINT during the read: it interrupts and drops the line, as the key would.
        let read = match read {
            Ok(_) if shared.take_sigint() => Err(ReadlineError::Interrupted),
            read => read,
        };
        match read {
            Ok(line) => {
                let input = std::mem::take(&mut pending) + &line;
                // An unfinished statement goes on at the `...` prompt, as in
                // Python's REPL; an empty line ends a block.
                if helper::needs_more(&input)
                    && crate::console::paste_refused(input.len()).is_none()
                {
                    pending = input + "\n";
                    continue;
                }
                if let Some(refused) = crate::console::paste_refused(input.len()) {
                    shared.say(Kind::Error, &refused);
                    continue;
                }
                let entries = crate::lang::statements(&input);
                for entry in &entries {
                    let _ = rl.add_history_entry(entry.as_str());
                }
                if let Some(path) = history.as_ref().filter(|_| !entries.is_empty()) {
                    let _ = rl.append_history(path);
                }
                match enter_all(shared, &entries) {
                    Entered::Done | Entered::Raised { .. } => {}
                    Entered::Busy { blocked, .. } => {
                        let message = format!(
                            "{blocked}: Ctrl-C interrupts it, or send the line to another pane (client> ... or :pane client)"
                        );
                        shared.say(Kind::Error, &message);
                        // The line comes back, to send when the pane is free.
                        initial = entries.concat();
                    }
                    Entered::Quit => return 0,
                }
            }
            Err(ReadlineError::Interrupted) if !pending.is_empty() => {
                // Ctrl-C drops the unfinished statement, as in Python's REPL.
                pending.clear();
                shared.say(Kind::Error, "KeyboardInterrupt");
            }
            Err(ReadlineError::Interrupted) => {
                shared.interrupt_current();
            }
            Err(e) => {
                // A closed terminal reads as end-of-file or fails: SIGHUP's
                // thread ends the session (exit 129), if that is what happened.
                crate::signals::let_the_signal_end_it(0);
                if matches!(e, ReadlineError::Eof) {
                    return 0;
                }
                errln!("sockplay: the terminal failed: {e}");
                return 1;
            }
        }
    }
}

/// Sends the statements of one input. Several (a paste) are sent in turn,
/// each waiting for its pane as a piped line does; a pane still blocked then
/// stops the rest, with a message. A single line for a blocked pane comes
/// back as `Busy`, to be put back in the editor.
fn enter_all(shared: &Shared, entries: &[String]) -> Entered {
    if let [one] = entries {
        return shared.enter(one, false);
    }
    for (i, entry) in entries.iter().enumerate() {
        // Each pasted line shows again with its prompt, by its outcome.
        // A statement over several lines shows as the REPL's `...` lines.
        for (i, line) in entry.lines().enumerate() {
            let prompt = if i == 0 {
                shared.prompt()
            } else {
                "... ".to_string()
            };
            shared.say(Kind::Input, &format!("{prompt}{line}"));
        }
        match shared.enter_waiting(entry, PASTE_WAIT) {
            Entered::Done => {}
            Entered::Quit => return Entered::Quit,
            Entered::Raised { step } => {
                // The names the rest uses may not exist: it is not run.
                let not_run = entries.len() - i - 1;
                if not_run > 0 {
                    shared.say(Kind::Error, &crate::console::paste_stopped(step, not_run));
                }
                return Entered::Done;
            }
            Entered::Busy { blocked, .. } => {
                shared.say(
                    Kind::Error,
                    &format!(
                        "{blocked}: {} pasted line(s) not sent, from: {entry}",
                        entries.len() - i
                    ),
                );
                return Entered::Done;
            }
        }
    }
    Entered::Done
}

/// How long a pasted line waits for its pane (as `run --step-timeout`).
const PASTE_WAIT: Duration = Duration::from_secs(5);

/// Statements from a pipe or a file, one per line; `#` lines are narration
/// for the recording and `=>` lines are skipped, so a script can be piped in.
/// Exits 1 when a line was skipped because its pane stayed blocked.
/// What `read_line_bounded` read.
enum Line {
    Whole,
    /// Longer than the limit (an endless line from /dev/zero, say): reading stopped.
    TooLong,
    End,
}

/// Reads one line into `buf`, but never more than `limit` bytes of it, so
/// that an endless line costs no more memory than that.
fn read_line_bounded(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Line> {
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok(if buf.is_empty() {
                Line::End
            } else {
                Line::Whole
            });
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if buf.len() + take > limit + 1 {
            return Ok(Line::TooLong);
        }
        buf.extend_from_slice(&chunk[..take]);
        input.consume(take);
        if done {
            return Ok(Line::Whole);
        }
    }
}

/// Whether a line is `PANE> statement` (a name, `>`, then a space or nothing).
fn for_a_pane(line: &str) -> bool {
    crate::script::split_pane_line(line).is_some()
        && line
            .split_once('>')
            .is_some_and(|(_, rest)| rest.is_empty() || rest.starts_with(' '))
}

/// Runs one statement of piped input (`number`: its last line); returns
/// whether it ended the session (`:quit`).
fn run_piped_line(
    shared: &Arc<Shared>,
    line: &str,
    number: usize,
    step_timeout: Duration,
    skipped: &mut bool,
) -> bool {
    // A pipe cannot interrupt: a line waits for its pane, as `run` does.
    match shared.enter_waiting(line, step_timeout) {
        Entered::Done | Entered::Raised { .. } => false,
        Entered::Quit => true,
        Entered::Busy { blocked, .. } => {
            shared.say(
                Kind::Error,
                &format!(
                    "sockplay: line {number}: {blocked} after {} s; skipped: {line}",
                    crate::value::repr::float_repr(step_timeout.as_secs_f64())
                ),
            );
            *skipped = true;
            false
        }
    }
}

fn piped(shared: &Arc<Shared>, mut input: impl BufRead, step_timeout: Duration) -> i32 {
    let out = shared.clone();
    Shared::start_watcher(shared, move |text| out.write_out(&text));
    let mut buf = Vec::new();
    let mut number = 0;
    let mut skipped = false;
    let mut pending = String::new();
    while !shared.output_closed() {
        buf.clear();
        match read_line_bounded(&mut input, &mut buf, crate::script::MAX_LINE) {
            Ok(Line::End) => {
                // A statement still open at the end runs as it is (its SyntaxError).
                if !pending.is_empty() {
                    let text = std::mem::take(&mut pending);
                    if run_piped_line(shared, &text, number, step_timeout, &mut skipped) {
                        return 0;
                    }
                }
                break;
            }
            Ok(Line::Whole) => {}
            Ok(Line::TooLong) => {
                shared.say(
                    Kind::Error,
                    &format!(
                        "sockplay: line {} is longer than {} bytes; stopped reading",
                        number + 1,
                        crate::script::MAX_LINE
                    ),
                );
                return 1;
            }
            Err(e) => {
                errln!("sockplay: cannot read the input: {e}");
                return 1;
            }
        }
        number += 1;
        let Ok(line) = std::str::from_utf8(&buf) else {
            shared.say(
                Kind::Error,
                &format!("sockplay: line {number} is not UTF-8; skipped"),
            );
            continue;
        };
        // A bracket left open continues the statement on the next line,
        // unless the line is for a pane (`client> ...`) or a `:` command,
        // which no statement continues with: the open one runs as it is.
        let trimmed = line.trim();
        if !pending.is_empty() && (trimmed.starts_with(':') || for_a_pane(trimmed)) {
            let text = std::mem::take(&mut pending);
            if run_piped_line(shared, &text, number - 1, step_timeout, &mut skipped) {
                return 0;
            }
        }
        let text = if pending.is_empty() {
            let line = line.trim();
            if line.is_empty() || line.starts_with("=>") {
                continue;
            }
            if line.starts_with('#') {
                shared.narration(line);
                continue;
            }
            line.to_string()
        } else {
            format!("{pending}\n{}", line.trim_end())
        };
        if !text.starts_with(':') && crate::lang::continues(&text) {
            pending = text;
            continue;
        }
        pending.clear();
        if run_piped_line(shared, &text, number, step_timeout, &mut skipped) {
            return 0;
        }
    }
    // Steps still running, or waiting with a timeout, may yet finish; those
    // that wait for another step never will, and are not waited for.
    shared.wait_settled(step_timeout);
    for blocked in shared.blocked() {
        let painted = shared.paint(&[(Kind::Info, format!("{blocked} at the end of the input"))]);
        let _ = io::stdout().write_all(painted.as_bytes());
    }
    i32::from(skipped)
}
