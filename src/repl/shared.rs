//! The REPL's state, shared by its two threads: the reader, which sends each
//! line to a pane and waits a moment for its outcome, and the watcher, which
//! prints every step as it finishes (a step that blocked is printed later,
//! under a `[pane step N]` header). It holds the session, the recording, the
//! current pane and the `:` commands. No line editor here: tests and the
//! pipe mode use it as it is.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

use super::helper::{COMMANDS, Panes};
use crate::console::{Console, Route, Said, Sent, route};
use crate::display::{self, Kind};
use crate::pane::{Msg, PaneSnapshot};
use crate::record::Recorder;
use crate::session::{self, Event, Session, SubmitError, is_pane_name};

/// How long a step may take before the REPL says it is blocked and gives the
/// prompt back (the interface's and `run`'s default too).
pub use crate::session::SETTLE;

/// What became of a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Entered {
    /// It ran (or was a command, or was refused with a message).
    Done,
    /// It ran and raised (`step`), or was refused (None): a pasted block stops there.
    Raised { step: Option<u64> },
    /// Its pane is blocked: nothing ran. `blocked` says in what:
    /// `server is blocked in accept() (step 6)`.
    Busy { pane: String, blocked: String },
    /// `:quit`.
    Quit,
}

/// Everything behind the lock.
pub struct State {
    /// The session, its recording and the shared settings (`console`).
    pub console: Console,
    /// The pane lines without a `PANE> ` prefix go to.
    pub pane: String,
    /// The step the reader waits for, and whether its outcome is printed.
    awaited: Option<(u64, bool)>,
    /// The step whose `[pane step N]` header is printed already (it printed
    /// text before it finished).
    headed: Option<u64>,
    /// The last step that finished with an exception.
    raised: Option<u64>,
    /// A step raised SystemExit (`exit()`): the session ends.
    exiting: bool,
    /// Bytes values show as offset, hex and ASCII rows (`:hex`).
    hex: bool,
    /// The last value shown folded, whole (`:unfold` prints it).
    folded: Option<String>,
}

impl std::ops::Deref for State {
    type Target = Console;
    fn deref(&self) -> &Console {
        &self.console
    }
}

impl std::ops::DerefMut for State {
    fn deref_mut(&mut self) -> &mut Console {
        &mut self.console
    }
}

/// The state and how to show things.
pub struct Shared {
    state: Mutex<State>,
    /// Signalled each time the watcher has printed a step.
    changed: Condvar,
    /// ANSI colours on the output.
    pub color: bool,
    /// A person at a terminal: short forms show their Python form.
    pub interactive: bool,
    /// Set by Ctrl-C outside the line editor (see `sys::install_sigint_flag`).
    sigint: &'static AtomicBool,
    output_closed: AtomicBool,
}

/// The help of `:help`.
const HELP: &str = "\
Type Python statements (import socket, select are done) or short forms (socket, bind 5000,
listen, accept, connect 5000, send hello, recv, close...). Panes are created on first use.
  PANE> statement   runs in PANE without switching to it
  :pane NAME        switches to pane NAME        :panes     lists the panes
  :explain          explains the last surprise   :why on|off   the why: lines
  :note TEXT        writes narration into the recording
  :save FILE        writes the session so far as a script
  :clear, Ctrl-L    clears the screen (the panes keep their names)
  :hex              bytes values as offset, hex and ASCII (again: reprs)
  :unfold           the last folded value, whole   :close NAME   closes a pane
  :quit, Ctrl-D     quits
Tab completes, the right arrow takes a hint, Up/Down walk the history.
A step that blocks gives the prompt back; its outcome is printed when it finishes.
Ctrl-C interrupts the current pane's blocked step (KeyboardInterrupt) or clears the line.";

impl Shared {
    pub fn new(
        recorder: Recorder,
        color: bool,
        interactive: bool,
        sigint: &'static AtomicBool,
    ) -> Shared {
        let mut session = Session::new();
        let pane = "server".to_string();
        // A pane that cannot start says so when the user first sends to it.
        let _ = session.open_pane(&pane);
        Shared {
            state: Mutex::new(State {
                console: Console::new(session, recorder),
                pane,
                awaited: None,
                headed: None,
                raised: None,
                exiting: false,
                hex: false,
                folded: None,
            }),
            changed: Condvar::new(),
            color,
            interactive,
            sigint,
            output_closed: AtomicBool::new(false),
        }
    }

    /// The state; a thread that panicked while holding it left it usable.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the watcher thread, which prints finished steps through `sink`.
    pub fn start_watcher(shared: &Arc<Shared>, sink: impl FnMut(String) + Send + 'static) {
        let steps = shared.lock().session.finished_steps();
        let shared = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("watcher".into())
            .spawn(move || watch(shared, steps, sink));
        if let Err(e) = spawned {
            errln!("sockplay: cannot start the thread that prints outcomes: {e}");
        }
    }

    /// The prompt of the current pane, `server [conn]>>> `.
    pub fn prompt(&self) -> String {
        let st = self.lock();
        let current = st
            .session
            .snapshot(&st.pane)
            .and_then(|s| s.current.as_ref().map(|(n, _)| n.clone()));
        session::prompt(&st.pane, current.as_deref())
    }

    /// Lines as they go to the terminal: escaped, coloured when asked.
    pub fn paint(&self, lines: &[(Kind, String)]) -> String {
        let mut out = String::new();
        for (kind, text) in lines {
            let text = display::escape(text);
            let style = match kind {
                Kind::Error => "31",
                Kind::Assigned | Kind::Why | Kind::Expanded => "2",
                Kind::Info => "33",
                Kind::Input | Kind::Value | Kind::Printed => "",
            };
            if self.color && !style.is_empty() {
                out.push_str(&format!("\x1b[{style}m{text}\x1b[0m\n"));
            } else {
                out.push_str(&text);
                out.push('\n');
            }
        }
        out
    }

    /// Prints a line of the reader's (never while the line editor is
    /// active). A closed standard output (`| head`) is noted, not a panic.
    pub fn say(&self, kind: Kind, text: &str) {
        self.write_out(&self.paint(&[(kind, text.to_string())]));
    }

    /// Writes to standard output; notes when it is closed.
    pub fn write_out(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        if out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            self.output_closed.store(true, Ordering::SeqCst);
        }
    }

    /// Whether standard output was found closed.
    pub fn output_closed(&self) -> bool {
        self.output_closed.load(Ordering::SeqCst)
    }

    /// Whether Ctrl-C was pressed outside the line editor since the last call.
    pub fn take_sigint(&self) -> bool {
        self.sigint.swap(false, Ordering::SeqCst)
    }

    /// Sends a line: a `:` command, a `PANE> statement`, or a statement for
    /// the current pane. A step is waited for until it finishes (the watcher
    /// prints it) or has run for `SETTLE`, when it is reported blocked; with
    /// `settle_others` (piped and pasted lines), blocked steps of other panes
    /// get the same time to finish.
    pub fn enter(&self, line: &str, settle_others: bool) -> Entered {
        let (pane, statement) = match route(line) {
            Route::Nothing => return Entered::Done,
            Route::Command { name, arg } => return self.command(name, arg),
            Route::Statement { pane, statement } => (pane.map(str::to_string), statement),
        };
        let mut st = self.lock();
        let pane = pane.unwrap_or_else(|| st.pane.clone());
        let (sent, record_failed) = st.console.send(&pane, statement);
        if let Some(e) = record_failed {
            self.say(Kind::Error, &format!("sockplay: {e}"));
        }
        match sent {
            Sent::Step(info) => {
                if self.interactive && info.typed.is_some() {
                    self.say(Kind::Expanded, &format!("  = {}", info.input));
                }
                st.awaited = Some((info.step, false));
                self.wait_for(st, &pane, info.step, settle_others);
                if self.lock().exiting {
                    return Entered::Quit;
                }
                if self.lock().raised == Some(info.step) {
                    return Entered::Raised {
                        step: Some(info.step),
                    };
                }
            }
            Sent::Used(socket) => {
                self.say(Kind::Info, &format!("{socket} is now the current socket"));
            }
            Sent::Refused(reason) | Sent::Failed(reason) => {
                self.say(Kind::Error, &reason);
                return Entered::Raised { step: None };
            }
            Sent::Busy(blocked) => return Entered::Busy { pane, blocked },
        }
        Entered::Done
    }

    /// Sends a piped or pasted line: if its pane is blocked, waits for it (at
    /// most `limit`, or until Ctrl-C) and sends the line then. `Busy` means
    /// the pane was still blocked and nothing ran.
    pub fn enter_waiting(&self, line: &str, limit: Duration) -> Entered {
        loop {
            match self.enter(line, true) {
                Entered::Busy { pane, blocked } if !self.wait_idle(&pane, limit) => {
                    return Entered::Busy { pane, blocked };
                }
                Entered::Busy { .. } => {}
                other => return other,
            }
        }
    }

    /// Waits until step `step` of `pane` is printed, or says it is blocked.
    /// With `settle_others`, the other panes' running steps get the same
    /// time to finish (as `run` gives them), so that what a step released
    /// is printed before the next line runs.
    fn wait_for(&self, mut st: MutexGuard<'_, State>, pane: &str, step: u64, settle_others: bool) {
        let start = Instant::now();
        loop {
            let printed = st.awaited == Some((step, true));
            let waited = start.elapsed();
            // Other panes' steps released by this one get to finish first.
            let others = settle_others && !st.session.quiescent(SETTLE, start, &|_| false);
            if printed && !others {
                st.awaited = None;
                return;
            }
            let running = st
                .session
                .running(pane)
                .filter(|(info, _, _)| info.step == step)
                .map(|(_, call, _)| call);
            let blocked = st
                .session
                .blocked(pane, SETTLE)
                .is_some_and(|(s, _)| s == step);
            match running {
                Some(call) if blocked && !others => {
                    st.awaited = None;
                    self.say(
                        Kind::Info,
                        &format!("... {pane} is {}", crate::session::doing(call, step)),
                    );
                    return;
                }
                // Finished but not printed: the watcher is printing it (the
                // bound only guards against a watcher that died).
                None if !printed && waited >= SETTLE * 20 => {
                    st.awaited = None;
                    return;
                }
                _ => {}
            }
            if self.take_sigint() {
                st.session.interrupt(pane);
            }
            st = self
                .changed
                .wait_timeout(st, Duration::from_millis(20))
                .map_or_else(|e| e.into_inner().0, |(g, _)| g);
        }
    }

    /// Waits until `pane` is idle, at most `limit` (Ctrl-C stops waiting);
    /// returns whether it is.
    pub fn wait_idle(&self, pane: &str, limit: Duration) -> bool {
        let start = Instant::now();
        let mut st = self.lock();
        while st.session.is_busy(pane) {
            let left = limit.saturating_sub(start.elapsed());
            if left.is_zero() || self.take_sigint() {
                return false;
            }
            st = self
                .changed
                .wait_timeout(st, left.min(Duration::from_millis(50)))
                .map_or_else(|e| e.into_inner().0, |(g, _)| g);
        }
        true
    }

    /// Waits, at most `limit`, until no pane runs a step that may still
    /// finish by itself (every busy pane waits for another step).
    pub fn wait_settled(&self, limit: Duration) {
        let start = Instant::now();
        let mut st = self.lock();
        while st.session.any_busy() && !st.session.waiting_for_good() {
            let left = limit.saturating_sub(start.elapsed());
            if left.is_zero() || self.take_sigint() {
                return;
            }
            st = self
                .changed
                .wait_timeout(st, left.min(Duration::from_millis(20)))
                .map_or_else(|e| e.into_inner().0, |(g, _)| g);
        }
    }

    /// Panes still running a step: `server is blocked in recv() (step 9)`.
    pub fn blocked(&self) -> Vec<String> {
        let st = self.lock();
        st.session
            .pane_names()
            .into_iter()
            .filter_map(|p| {
                let (info, call, _) = st.session.running(&p)?;
                Some(format!("{p} is {}", crate::session::doing(call, info.step)))
            })
            .collect()
    }

    /// Ctrl-C in the line editor: interrupts the current pane's step, if it
    /// has one running (returns false when it has none).
    pub fn interrupt_current(&self) -> bool {
        let st = self.lock();
        let pane = st.pane.clone();
        let running = st.session.running(&pane).map(|(i, _, _)| i.step);
        match running {
            Some(step) if st.session.interrupt(&pane) => {
                self.say(
                    Kind::Info,
                    &format!("KeyboardInterrupt sent to {pane} (step {step})"),
                );
                true
            }
            _ => false,
        }
    }

    /// Narration from a piped script: into the recording, not on the screen.
    pub fn narration(&self, text: &str) {
        if let Err(e) = self.lock().recorder.narration(text) {
            self.say(Kind::Error, &format!("sockplay: {e}"));
        }
    }

    fn command(&self, name: &str, arg: &str) -> Entered {
        let mut st = self.lock();
        match name {
            "pane" if is_pane_name(arg) => match st.session.open_pane(arg) {
                Ok(()) => st.pane = arg.to_string(),
                Err(e) => self.say(Kind::Error, &e.to_string()),
            },
            "pane" if arg.is_empty() => self.say(
                Kind::Info,
                &format!("in pane {} (usage: :pane NAME)", st.pane),
            ),
            "pane" => self.say(
                Kind::Error,
                &SubmitError::BadPaneName(arg.to_string()).to_string(),
            ),
            "hex" => {
                st.hex = !st.hex;
                let said = if st.hex {
                    "hex view on: bytes values as offset, hex and ASCII, 16 per row (:hex again for reprs)"
                } else {
                    "hex view off: bytes values as reprs"
                };
                self.say(Kind::Info, said);
            }
            "unfold" => match st.folded.take() {
                Some(whole) => {
                    let line = (Kind::Value, whole);
                    let lines = if st.hex { hex_lines(line) } else { vec![line] };
                    drop(st);
                    self.write_out(&self.paint(&lines));
                }
                None => self.say(Kind::Info, "no folded value to unfold"),
            },
            "close" => {
                let result = st.session.close_pane(arg);
                if result.is_ok() && st.pane == arg {
                    st.pane = "server".to_string();
                }
                match result {
                    Ok(()) => self.say(Kind::Info, &format!("closed pane {arg} and its sockets")),
                    Err(why) => self.say(Kind::Error, &why),
                }
            }
            "panes" => {
                for p in st.session.pane_names() {
                    let mark = if p == st.pane { "*" } else { " " };
                    let doing = match st.session.running(&p) {
                        Some((info, call, t)) => format!(
                            "{}, {:.1} s",
                            crate::session::doing(call, info.step),
                            t.as_secs_f64()
                        ),
                        None => "idle".to_string(),
                    };
                    let sockets = st
                        .session
                        .snapshot(&p)
                        .map(|s| {
                            s.sockets
                                .iter()
                                .map(|v| match v.fd {
                                    Some(_) => v.name.clone(),
                                    None => format!("{} (closed)", v.name),
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    let sockets = if sockets.is_empty() {
                        "no sockets".to_string()
                    } else {
                        format!("sockets: {sockets}")
                    };
                    self.say(Kind::Info, &format!("{mark} {p}: {doing}; {sockets}"));
                }
            }
            _ => match st.console.command(name, arg) {
                // A note is in the recording; the REPL does not echo it.
                Said::Line(Kind::Info, text) if name == "note" && text.starts_with('#') => {}
                Said::Line(kind, text) | Said::InPane(_, kind, text) => self.say(kind, &text),
                Said::Help => self.write_out(&format!("{HELP}\n")),
                Said::Quit => return Entered::Quit,
                // As Ctrl-L: the terminal's screen and scrollback (the panes keep their names).
                Said::Clear if self.interactive => self.write_out("\x1b[H\x1b[2J\x1b[3J"),
                Said::Clear => {}
                Said::NotMine => {
                    let known: Vec<&str> = COMMANDS.iter().map(|(c, _)| *c).collect();
                    self.say(
                        Kind::Error,
                        &format!(
                            "unknown command :{name} (the commands: {})",
                            known.join(" ")
                        ),
                    );
                }
            },
        }
        Entered::Done
    }

    /// The `[pane step N]` header a step's lines go under, once per step:
    /// when the reader is not waiting for it (it was reported blocked), and,
    /// with piped input, whenever more than one pane is in use (nothing else
    /// says which pane an outcome is from).
    fn header(&self, st: &mut State, info: &crate::session::StepInfo) -> Option<(Kind, String)> {
        let awaited = st.awaited.map(|(s, _)| s) == Some(info.step);
        let several = !self.interactive && st.session.pane_names().len() > 1;
        if (awaited && !several) || st.headed == Some(info.step) {
            return None;
        }
        st.headed = Some(info.step);
        Some((
            Kind::Info,
            format!(
                "[{} step {}] {}",
                info.pane,
                info.step,
                info.typed.as_deref().unwrap_or(&info.input)
            ),
        ))
    }

    /// What a running step printed, under its header when the reader is not
    /// waiting for it.
    fn printed_lines(&self, st: &mut State, event: &Event) -> Vec<(Kind, String)> {
        let Some(printed) = st.console.printed(event) else {
            return Vec::new();
        };
        if printed.lines.is_empty() {
            return Vec::new();
        }
        let mut lines: Vec<(Kind, String)> = self.header(st, &printed.info).into_iter().collect();
        lines.extend(printed.lines);
        lines
    }

    /// The lines of a finished step, under a `[pane step N]` header when the
    /// reader is not waiting for it (it was reported blocked).
    fn finished_lines(&self, st: &mut State, event: Event) -> (u64, Vec<(Kind, String)>) {
        if let Event::Finished {
            info,
            outcome: crate::outcome::Outcome::Error(_),
            ..
        } = &event
        {
            st.raised = Some(info.step);
        }
        let Some(done) = st.console.finished(&event) else {
            return (0, Vec::new());
        };
        let wire: Vec<(Kind, String)> = match &event {
            Event::Finished { wire, .. } => wire
                .iter()
                .map(|s| (Kind::Info, format!("~ {}", s.line())))
                .collect(),
            _ => Vec::new(),
        };
        st.exiting |= done.exits;
        if let Event::Finished {
            outcome: crate::outcome::Outcome::Ok(repr),
            ..
        } = &event
            && display::shorten(repr) != *repr
        {
            st.folded = Some(repr.clone());
        }
        if done.exits {
            // The session ends without a word, as Python's REPL does on exit().
            return (done.info.step, Vec::new());
        }
        let info = &done.info;
        let mut lines = Vec::new();
        if let Some(e) = done.record_error {
            lines.push((Kind::Error, format!("sockplay: {e}")));
        }
        if let Some(header) = self.header(st, info) {
            lines.push(header);
        }
        let explanations = st.explanations;
        let hex = st.hex;
        lines.extend(
            done.lines
                .into_iter()
                .filter(|(kind, _)| *kind != Kind::Why || explanations)
                .flat_map(|line| if hex { hex_lines(line) } else { vec![line] }),
        );
        lines.extend(wire);
        (info.step, lines)
    }
}

impl Panes for Shared {
    fn current(&self) -> String {
        self.lock().pane.clone()
    }

    fn snapshot(&self, pane: &str) -> Option<std::sync::Arc<PaneSnapshot>> {
        self.lock().session.snapshot(pane)
    }
}

/// The watcher thread's loop: each finished step is turned into lines under
/// the lock, printed through `sink` outside it (so a line editor that waits
/// for the lock, to complete a word, never waits on the printing), then the
/// reader is told.
fn watch(shared: Arc<Shared>, steps: Receiver<Msg>, mut sink: impl FnMut(String)) {
    while let Ok(msg) = steps.recv() {
        let printed = {
            let mut st = shared.lock();
            let Some(event) = st.session.event_of(msg) else {
                continue;
            };
            // A step that started to wait: the reader says so, at once.
            if let Event::Blocked { .. } = event {
                drop(st);
                shared.changed.notify_all();
                continue;
            }
            // Segments of a blocked step, or sent while no step ran.
            if let Event::Wire { info, segments } = &event {
                let mut lines: Vec<(Kind, String)> = Vec::new();
                if let Some(e) = st.console.wire(segments) {
                    lines.push((Kind::Error, format!("sockplay: {e}")));
                }
                lines.extend(segments.iter().map(|s| {
                    let prefix = info
                        .as_ref()
                        .map_or(String::new(), |i| format!("[{} step {}] ", i.pane, i.step));
                    (Kind::Info, format!("{prefix}~ {}", s.line()))
                }));
                drop(st);
                sink(shared.paint(&lines));
                continue;
            }
            // Printed text shows as it is printed, before the step's outcome.
            if let Event::Printed { .. } = event {
                let lines = shared.printed_lines(&mut st, &event);
                drop(st);
                if !lines.is_empty() {
                    sink(shared.paint(&lines));
                }
                continue;
            }
            let (step, lines) = shared.finished_lines(&mut st, event);
            (step, shared.paint(&lines))
        };
        sink(printed.1);
        let mut st = shared.lock();
        if st.awaited == Some((printed.0, false)) {
            st.awaited = Some((printed.0, true));
        }
        drop(st);
        shared.changed.notify_all();
    }
}

/// A value line as hex rows when it is a whole bytes value (`:hex`), else as it is.
fn hex_lines(line: (Kind, String)) -> Vec<(Kind, String)> {
    match display::hex_view(line.0, &line.1) {
        Some(rows) => rows.into_iter().map(|row| (line.0, row)).collect(),
        None => vec![line],
    }
}
