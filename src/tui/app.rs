//! The interface's state and how it changes: keys and pasted text in, steps
//! to the session, finished steps back into the panes' transcripts. No
//! terminal here: tests drive an `App` directly.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tui_input::{Input, InputRequest};

use super::keys::Action;
use super::transcript::{Kind, Transcript, shorten};
use crate::console::{Console, Route, Said, Sent, route};
use crate::net::inspect::{KernelView, inspect};
use crate::net::wire::Segment;
use crate::record::Recorder;
pub use crate::session::split_pane;
use crate::session::{Event, Session};
use crate::stepper::{Prediction, Stepper, Verdict};

/// The panes of the interface, left to right.
pub const PANES: [&str; 2] = ["server", "client"];

/// A pasted step waits until no step sent before it is younger than this, so
/// that a step that blocks is seen blocking before the next one runs.
use crate::session::SETTLE;

/// One socket of a pane, as the kernel sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SocketRow {
    pub name: String,
    pub fd: Option<i32>,
    /// `TCP/v4`, `UDP/v6`, `Unix/stream`...
    pub kind: String,
    /// `blocking`, `non-blocking`, `timeout 2.0 s`.
    pub mode: String,
    /// None once the socket is closed.
    pub view: Option<KernelView>,
}

/// One pane as the interface shows it.
#[derive(Debug)]
pub struct PaneView {
    pub name: String,
    pub transcript: Transcript,
    pub input: Input,
    pub history: Vec<String>,
    history_pos: Option<usize>,
    draft: String,
    /// Lines scrolled up from the bottom.
    pub scroll: usize,
    /// The most `scroll` may be, as the last frame drawn found it (the first
    /// line at the top of the view): scrolling stops there.
    pub max_scroll: std::cell::Cell<usize>,
    pub sockets: Vec<SocketRow>,
    /// The current socket of the short forms.
    pub current: Option<String>,
    /// The lines typed so far of a statement that leaves a bracket open.
    pub continued: Vec<String>,
    /// Ctrl-R's search of the history, while it is on.
    pub search: Option<Search>,
    /// The last value shown folded (`b'xxxx...' (5,000 bytes)`), whole (as
    /// the step's outcome has it, at most 64 Ki characters): `:unfold` shows it.
    pub folded: Option<String>,
}

/// A reverse search of a pane's history, as readline's Ctrl-R.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Search {
    /// What was typed to look for.
    pub query: String,
    /// The history entry that matches, newest first.
    pub found: Option<usize>,
}

impl PaneView {
    /// The newest history entry before `before` that contains `query`.
    fn find(&self, query: &str, before: usize) -> Option<usize> {
        self.history[..before.min(self.history.len())]
            .iter()
            .rposition(|h| h.contains(query))
    }

    /// The line the search shows: `(reverse-i-search)`query': match`.
    pub fn search_line(&self) -> Option<String> {
        let s = self.search.as_ref()?;
        let found = s.found.map_or("", |i| self.history[i].as_str());
        let failed = if s.found.is_none() && !s.query.is_empty() {
            "failed "
        } else {
            ""
        };
        Some(format!("({failed}reverse-i-search)`{}': {found}", s.query))
    }
}

impl PaneView {
    fn new(name: &str) -> PaneView {
        PaneView {
            name: name.to_string(),
            transcript: Transcript::default(),
            input: Input::default(),
            history: Vec::new(),
            history_pos: None,
            draft: String::new(),
            scroll: 0,
            max_scroll: std::cell::Cell::new(0),
            sockets: Vec::new(),
            current: None,
            continued: Vec::new(),
            search: None,
            folded: None,
        }
    }

    /// The usage hint for the line being typed, when the cursor is at its end
    /// (`bind` → ` [HOST] PORT`): the text shown, and what Right inserts.
    pub fn hint(&self) -> Option<(String, Option<String>)> {
        let value = self.input.value();
        if self.input.cursor() < value.chars().count() || value.starts_with(':') {
            return None;
        }
        let stmt = crate::session::split_pane(value).map_or(value, |(_, rest)| rest);
        crate::complete::verb_hint(stmt)
    }

    /// The prompt: the pane and its current socket, `server [conn]>>> `.
    pub fn prompt(&self) -> String {
        if self.continued.is_empty() {
            crate::session::prompt(&self.name, self.current.as_deref())
        } else {
            // Python's continuation prompt, as wide as the first one.
            let first = crate::session::prompt(&self.name, self.current.as_deref());
            format!("{:>width$}", "... ", width = first.chars().count())
        }
    }

    fn set_line(&mut self, text: &str) {
        self.input = Input::new(text.to_string());
    }
}

/// The whole interface.
pub struct App {
    /// The session, its recording and the shared settings (`explanations`,
    /// the last explanation); `App` derefs to it.
    pub console: Console,
    pub panes: Vec<PaneView>,
    pub focus: usize,
    pub help: bool,
    pub quit: bool,
    /// A one-line message in the footer.
    pub status: Option<String>,
    pub color: bool,
    /// The number of the last step sent.
    pub last_step: u64,
    /// Rows a page scroll moves (set from the screen's size).
    pub page: usize,
    /// The screen's width in columns (set from its size): what the footer holds.
    pub width: usize,
    /// The statement being entered was echoed line by line as it was typed.
    echoed: bool,
    /// When the last step was sent (quiescence is waited for from then).
    sent_at: Instant,
    queue: VecDeque<String>,
    /// The pasted block's steps in flight: an error in one stops the block.
    pasted_steps: std::collections::HashSet<u64>,
    /// A queued line is being sent (its step goes into `pasted_steps`).
    sending_queued: bool,
    kernel_at: Option<Instant>,
    /// The script being stepped through (`sockplay SCRIPT`, `sockplay lesson NAME`).
    pub stepper: Option<Stepper>,
    /// The last prediction's verdict, shown in the banner until the next step.
    pub verdict: Option<Verdict>,
    /// `:panic` forces a panic (tests of the terminal's restoration only).
    allow_panic: bool,
    /// Where each pane's history is kept across sessions (`keep_history`).
    history_dir: Option<std::path::PathBuf>,
    /// The footer's message as first seen, and when: it goes after
    /// `STATUS_FOR`, so the footer never keeps a message that is no longer true.
    status_seen: Option<(String, Instant)>,
    /// The wire lane (F3, `--wire`).
    pub wire: super::wire::Lane,
    /// The lane's rows on screen at the last draw.
    pub wire_visible: std::cell::Cell<usize>,
}

/// The most panes the interface shows (a grid of two rows past three).
pub const MAX_PANES: usize = 4;

/// How many lines of a pane's history are loaded at start.
const HISTORY_KEPT: usize = 1000;

/// How long a message stays in the footer (a key clears it sooner).
const STATUS_FOR: Duration = Duration::from_secs(6);

impl std::ops::Deref for App {
    type Target = Console;
    fn deref(&self) -> &Console {
        &self.console
    }
}

impl std::ops::DerefMut for App {
    fn deref_mut(&mut self) -> &mut Console {
        &mut self.console
    }
}

impl App {
    /// An interface whose session is recorded in memory only.
    pub fn new(color: bool) -> App {
        App::with_recorder(color, Recorder::in_memory())
    }

    /// An interface recording its session with `recorder`.
    pub fn with_recorder(color: bool, recorder: Recorder) -> App {
        let mut session = Session::new();
        for name in PANES {
            // A pane that cannot start says so when the user first sends to it.
            let _ = session.open_pane(name);
        }
        let mut app = App {
            console: Console::new(session, recorder),
            panes: PANES.iter().map(|n| PaneView::new(n)).collect(),
            focus: 0,
            help: false,
            quit: false,
            status: None,
            color,
            last_step: 0,
            page: 10,
            width: 100,
            echoed: false,
            sent_at: Instant::now(),
            queue: VecDeque::new(),
            pasted_steps: std::collections::HashSet::new(),
            sending_queued: false,
            kernel_at: None,
            stepper: None,
            verdict: None,
            allow_panic: std::env::var_os("SOCKPLAY_TEST_PANIC").is_some(),
            status_seen: None,
            history_dir: None,
            wire: super::wire::Lane::default(),
            wire_visible: std::cell::Cell::new(0),
        };
        app.refresh_kernel();
        app
    }

    fn pane_index(&self, name: &str) -> Option<usize> {
        self.panes.iter().position(|p| p.name == name)
    }

    /// Whether `PANE> ...` opens a new pane: a name that no pane has and the
    /// focused pane has not bound either.
    fn opens(&self, name: &str) -> bool {
        let focused = &self.panes[self.focus].name;
        let bound = self
            .console
            .session
            .snapshot(focused)
            .is_some_and(|s| s.names.iter().any(|n| n == name));
        crate::session::is_pane_name(name) && !bound
    }

    /// Opens pane `name` beside the others (at most `MAX_PANES`); its index,
    /// or None with a message when it cannot be.
    fn open_pane(&mut self, name: &str) -> Option<usize> {
        if self.panes.len() >= MAX_PANES {
            self.status = Some(format!(
                "at most {MAX_PANES} panes: :close one first (the line for {name} was not run)"
            ));
            return None;
        }
        if let Err(e) = self.console.session.open_pane(name) {
            self.status = Some(e.to_string());
            return None;
        }
        let mut pane = PaneView::new(name);
        if let Some(dir) = &self.history_dir {
            pane.history = load_history(dir, name);
        }
        self.panes.push(pane);
        self.status = Some(format!(
            "opened pane {name} ({} of {MAX_PANES}; :close {name} closes it)",
            self.panes.len()
        ));
        Some(self.panes.len() - 1)
    }

    /// `:close PANE`: closes a pane opened with a line for it, its sockets
    /// with it. `server` and `client` stay, and a busy pane is not closed.
    fn close_pane(&mut self, name: &str) {
        let Some(index) = self.pane_index(name) else {
            self.status = Some(format!("no pane called '{name}'"));
            return;
        };
        if PANES.contains(&name) {
            self.status = Some(format!("{name} is one of the two panes that stay"));
            return;
        }
        match self.console.session.close_pane(name) {
            Ok(()) => {
                self.panes.remove(index);
                self.focus = self.focus.min(self.panes.len() - 1);
                self.status = Some(format!("closed pane {name} and its sockets"));
            }
            Err(why) => self.status = Some(why),
        }
    }

    /// Applies one action of the user.
    pub fn handle(&mut self, action: Action) {
        if self.help && !matches!(action, Action::Quit) {
            if matches!(action, Action::ToggleHelp | Action::Close | Action::Submit) {
                self.help = false;
            }
            return;
        }
        if self.stepper.as_ref().is_some_and(|s| s.asking().is_some()) {
            self.answer(action);
            return;
        }
        if self.panes[self.focus].search.is_some() && self.searching(&action) {
            return;
        }
        let pane = &mut self.panes[self.focus];
        match action {
            Action::NextStep => self.next_step(),
            Action::Search => {
                let found = pane.find("", pane.history.len());
                pane.search = Some(Search {
                    query: String::new(),
                    found,
                });
            }
            Action::Submit if pane.input.value().trim().is_empty() && self.stepper.is_some() => {
                self.next_step();
            }
            Action::Submit => {
                let typed = pane.input.value().to_string();
                // A statement with a bracket open goes on on the next line.
                let line = if pane.continued.is_empty() {
                    typed.clone()
                } else {
                    format!("{}\n{typed}", pane.continued.join("\n"))
                };
                let command = line.trim_start().starts_with(':');
                if !command && crate::lang::continues(&line) {
                    // Shown as typed, under Python's prompts.
                    let prompt = if pane.continued.is_empty() {
                        ">>>"
                    } else {
                        "..."
                    };
                    pane.transcript
                        .push(Kind::Input, &format!("{prompt} {typed}"));
                    pane.scroll = 0;
                    pane.continued.push(typed);
                    pane.input.reset();
                    self.status = Some(if crate::lang::starts_block(&line) {
                        "a block: indent its lines; an empty line runs it (Ctrl-C drops it)".into()
                    } else {
                        "a bracket is open: the statement goes on (Ctrl-C drops it)".into()
                    });
                } else if !line.trim().is_empty() && !self.busy_refusal(&line) {
                    let pane = &mut self.panes[self.focus];
                    pane.input.reset();
                    if !pane.continued.is_empty() {
                        pane.transcript.push(Kind::Input, &format!("... {typed}"));
                        pane.continued.clear();
                        self.echoed = true;
                    }
                    self.status = None;
                    self.enter(&line);
                    self.echoed = false;
                }
            }
            // Ctrl-D on an empty line ends the session, as in Python's REPL;
            // on a line being typed it deletes, as readline's does.
            Action::EndOfInput if pane.input.value().is_empty() && pane.continued.is_empty() => {
                self.quit = true;
            }
            Action::EndOfInput => {
                pane.input.handle(InputRequest::DeleteNextChar);
            }
            // On an empty line Home and End have nothing to move: they go
            // to the transcript's first and last lines.
            Action::Edit(InputRequest::GoToStart) if pane.input.value().is_empty() => {
                pane.scroll = pane.max_scroll.get();
            }
            Action::Edit(InputRequest::GoToEnd) if pane.input.value().is_empty() => {
                pane.scroll = 0;
            }
            // Right at the end of the line takes the hint's rest of a verb.
            Action::Edit(InputRequest::GoToNextChar) => match pane.hint() {
                Some((_, Some(rest))) => {
                    for c in rest.chars() {
                        pane.input.handle(InputRequest::InsertChar(c));
                    }
                }
                _ => {
                    pane.input.handle(InputRequest::GoToNextChar);
                    pane.history_pos = None;
                }
            },
            Action::Edit(req) => {
                pane.input.handle(req);
                pane.history_pos = None;
            }
            Action::HistoryPrev => {
                let pos = match pane.history_pos {
                    None if pane.history.is_empty() => return,
                    None => {
                        pane.draft = pane.input.value().to_string();
                        pane.history.len() - 1
                    }
                    Some(p) => p.saturating_sub(1),
                };
                pane.history_pos = Some(pos);
                let text = pane.history[pos].clone();
                pane.set_line(&text);
            }
            Action::HistoryNext => {
                if let Some(p) = pane.history_pos {
                    if p + 1 < pane.history.len() {
                        pane.history_pos = Some(p + 1);
                        let text = pane.history[p + 1].clone();
                        pane.set_line(&text);
                    } else {
                        pane.history_pos = None;
                        let draft = std::mem::take(&mut pane.draft);
                        pane.set_line(&draft);
                    }
                }
            }
            Action::Complete => self.complete(),
            Action::FocusOther => self.focus = (self.focus + 1) % self.panes.len(),
            Action::Interrupt => {
                let name = pane.name.clone();
                if !pane.continued.is_empty() {
                    pane.continued.clear();
                    pane.input.reset();
                    self.status = Some("the unfinished statement was dropped".into());
                } else if self.console.session.interrupt(&name) {
                    self.status = Some(format!("interrupting {name}..."));
                } else if !pane.input.value().is_empty() {
                    pane.input.reset();
                    pane.history_pos = None;
                } else {
                    self.status = Some("nothing to interrupt (Ctrl-Q quits)".into());
                }
            }
            Action::PageUp => {
                pane.scroll = (pane.scroll + self.page).min(pane.max_scroll.get());
            }
            Action::PageDown => pane.scroll = pane.scroll.saturating_sub(self.page),
            Action::Top => pane.scroll = pane.max_scroll.get(),
            Action::Bottom => pane.scroll = 0,
            Action::Clear => self.clear(self.focus),
            Action::ToggleHelp => self.help = true,
            Action::ToggleWhy => {
                self.console.explanations = !self.console.explanations;
                self.status = Some(format!(
                    "explanations {}",
                    if self.console.explanations {
                        "on"
                    } else {
                        "off"
                    }
                ));
            }
            Action::ToggleWire => self.toggle_wire(),
            Action::Close => self.status = None,
            Action::Quit => self.quit = true,
        }
    }

    /// While a question waits: a prediction key answers it and runs the step,
    /// Esc runs it unanswered; quitting and help still work.
    fn answer(&mut self, action: Action) {
        let wire = self.stepper.as_ref().is_some_and(|s| s.wire_question());
        let prediction = match action {
            Action::Quit => {
                self.quit = true;
                return;
            }
            Action::ToggleHelp => {
                self.help = true;
                return;
            }
            Action::Close => None,
            Action::Edit(InputRequest::InsertChar(c))
                if wire && Prediction::from_wire_key(c).is_some() =>
            {
                Prediction::from_wire_key(c)
            }
            Action::Edit(InputRequest::InsertChar(c))
                if !wire && Prediction::from_key(c).is_some() =>
            {
                Prediction::from_key(c)
            }
            _ => {
                self.status = Some(if wire {
                    "answer with 1, 2, 3, 4 or 5 (Esc runs the step without answering)".into()
                } else {
                    "answer with 1, 2, 3 or 4 (Esc runs the step without answering)".into()
                });
                return;
            }
        };
        self.status = None;
        let taken = self.stepper.as_mut().and_then(|s| s.answer(prediction));
        if let Some((pane, statement)) = taken {
            self.send_script_step(&pane, &statement);
        }
    }

    /// F5, or Enter on an empty line: the script's next step (or its question).
    pub fn next_step(&mut self) {
        let Some(stepper) = &mut self.stepper else {
            self.status =
                Some("no script is loaded (sockplay SCRIPT or sockplay lesson NAME)".into());
            return;
        };
        // Ctrl-C where the recording pressed it, before the next step.
        while let Some(pane) = stepper.take_interrupt() {
            if self.console.session.interrupt(&pane) {
                self.status = Some(format!("Ctrl-C to {pane}, as the script does (F5 goes on)"));
                return;
            }
        }
        let Some(next) = stepper.next_step() else {
            let score = stepper.score().map_or(String::new(), |s| format!(": {s}"));
            self.status = Some(format!(
                "the script is over{score}; go on typing, or Ctrl-Q to quit"
            ));
            return;
        };
        let pane = next.pane.clone();
        if let Some((info, call, _)) = self.console.session.running(&pane) {
            self.status = Some(format!(
                "the next step goes to {pane}, which is {}: act in the other pane, or Ctrl-C there",
                crate::session::doing(call, info.step)
            ));
            return;
        }
        self.verdict = None;
        if let Some((pane, statement)) = stepper.advance() {
            self.send_script_step(&pane, &statement);
        }
    }

    fn send_script_step(&mut self, pane: &str, statement: &str) {
        // The narration that led to the step goes into the recording before it.
        let narration: Vec<String> = self
            .stepper
            .as_ref()
            .map(|s| s.taken_narration())
            .unwrap_or_default();
        for line in narration {
            if let Err(e) = self.console.recorder.narration(&line) {
                self.status = Some(format!("the recording failed: {e}"));
            }
        }
        // Sent explicitly, and the stepper told what became of it.
        let sent = match self.pane_index(pane) {
            Some(index) => self.send(index, statement, &format!("{pane}> {statement}")),
            None => Sent::Failed(format!("{pane}: not a pane of the interface")),
        };
        if let Some(stepper) = &mut self.stepper {
            match sent {
                Sent::Step(info) => stepper.sent_as(info.step),
                // Its pane is blocked: back to the script, still next.
                Sent::Busy(_) => stepper.put_back(),
                _ => stepper.discard(),
            }
        }
        self.pump();
    }

    /// An action while Ctrl-R searches: typing refines the query, Ctrl-R
    /// looks further back, Esc and Ctrl-C give the line back as it was, and
    /// anything else takes the match into the line (Enter also runs it).
    /// Returns whether the action was used up.
    fn searching(&mut self, action: &Action) -> bool {
        let pane = &mut self.panes[self.focus];
        let Some(search) = pane.search.clone() else {
            return false;
        };
        match action {
            Action::Edit(InputRequest::InsertChar(c)) => {
                let query = format!("{}{c}", search.query);
                let found = pane.find(&query, pane.history.len());
                pane.search = Some(Search { query, found });
                true
            }
            Action::Edit(InputRequest::DeletePrevChar) => {
                let mut query = search.query;
                query.pop();
                let found = pane.find(&query, pane.history.len());
                pane.search = Some(Search { query, found });
                true
            }
            Action::Search => {
                let before = search.found.unwrap_or(pane.history.len());
                if let Some(found) = pane.find(&search.query, before) {
                    pane.search = Some(Search {
                        found: Some(found),
                        ..search
                    });
                }
                true
            }
            Action::Close | Action::Interrupt => {
                pane.search = None;
                true
            }
            _ => {
                // The match becomes the line; the action then applies to it.
                if let Some(i) = search.found {
                    let line = pane.history[i].clone();
                    pane.set_line(&line);
                }
                pane.search = None;
                false
            }
        }
    }

    /// Keeps each pane's history in `dir` (`history-PANE`, one line each), as
    /// the REPL keeps its own: what is there is loaded now, and every line
    /// sent is added. The last `HISTORY_KEPT` lines are loaded.
    pub fn keep_history(&mut self, dir: std::path::PathBuf) {
        for pane in &mut self.panes {
            pane.history = load_history(&dir, &pane.name);
        }
        let _ = std::fs::create_dir_all(&dir);
        self.history_dir = Some(dir);
    }

    /// Clears pane `index`'s transcript; its names, sockets and history stay.
    fn clear(&mut self, index: usize) {
        let pane = &mut self.panes[index];
        pane.transcript = Default::default();
        pane.scroll = 0;
        self.status = Some(format!(
            "cleared {}'s transcript; its names and sockets stay",
            pane.name
        ));
    }

    /// Scrolls pane `index` by `lines` (positive: back in history).
    pub fn scroll(&mut self, index: usize, lines: isize) {
        if let Some(p) = self.panes.get_mut(index) {
            p.scroll = p
                .scroll
                .saturating_add_signed(lines)
                .min(p.max_scroll.get());
        }
        // The wire lane scrolls with the panes.
        self.wire.scroll_by(lines, self.wire_visible.get());
    }

    /// Segments outside a finished step: into the lane and the recording.
    fn wire_event(&mut self, info: Option<&crate::session::StepInfo>, segments: &[Segment]) {
        self.wire.add(info, segments);
        if let Some(e) = self.console.wire(segments) {
            self.status = Some(format!("the recording failed: {e}"));
        }
    }

    /// F3: shows or hides the wire lane; the first time, starts the capture
    /// (which may be refused: the footer says why and what to do).
    pub fn toggle_wire(&mut self) {
        if !self.wire.shown
            && let Err(why) = self.console.session.watch_wire()
        {
            self.status = Some(why);
            return;
        }
        self.wire.shown = !self.wire.shown;
        self.status = Some(format!(
            "wire view {}",
            if self.wire.shown { "on" } else { "off" }
        ));
    }

    /// Refuses Enter in a blocked pane, with a line that says why (the typed
    /// line stays, to be sent when the pane is free).
    fn busy_refusal(&mut self, line: &str) -> bool {
        if line.trim_start().starts_with(':') || split_pane(line).is_some() {
            return false;
        }
        match self.console.busy(&self.panes[self.focus].name) {
            Some(blocked) => {
                self.status = Some(format!(
                    "{blocked}: Ctrl-C interrupts it, or act in the other pane (Ctrl-O)"
                ));
                true
            }
            None => false,
        }
    }

    /// A line typed or pasted: a command, a `PANE> ` line, or a statement for
    /// the focused pane.
    pub fn enter(&mut self, line: &str) {
        let (index, statement) = match route(line) {
            Route::Nothing => return,
            Route::Command { name, arg } => {
                self.command(name, arg);
                return;
            }
            Route::Statement { pane, statement } => match pane.map(|p| self.pane_index(p)) {
                None => (self.focus, statement),
                Some(Some(i)) => (i, statement),
                // A new pane's name opens it, as the REPL does, unless it is a
                // name of the focused pane (`x> 5` compares x).
                Some(None) if pane.is_some_and(|p| self.opens(p)) => {
                    match self.open_pane(pane.unwrap_or_default()) {
                        Some(i) => (i, statement),
                        None => return,
                    }
                }
                // Not one of the panes: the whole line is the focused pane's.
                Some(None) => (self.focus, line.trim()),
            },
        };
        self.send(index, statement, line);
        self.pump();
    }

    /// Sends `statement` to pane `index` (`line` as typed, for its history)
    /// and shows what became of it; returns that.
    fn send(&mut self, index: usize, statement: &str, line: &str) -> Sent {
        self.focus = index;
        let pane = &mut self.panes[index];
        // The one-line input recalls a statement of several lines as one.
        let remembered = line.trim().replace('\n', " ");
        if pane.history.last() != Some(&remembered) {
            if let Some(dir) = &self.history_dir {
                use std::io::Write;
                // A history that cannot be written is no reason to stop.
                let _ = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(dir.join(format!("history-{}", pane.name)))
                    .and_then(|mut f| writeln!(f, "{remembered}"));
            }
            pane.history.push(remembered);
        }
        pane.history_pos = None;
        pane.scroll = 0;
        let name = pane.name.clone();
        // What the wire carried since the last step shows before this one's.
        if let Some(Event::Wire { info, segments }) = self.console.session.wire_checkpoint() {
            self.wire_event(info.as_ref(), &segments);
        }
        let (sent, record_failed) = self.console.send(&name, statement);
        if let Some(e) = record_failed {
            self.status = Some(format!("the recording failed: {e}"));
        }
        if self.sending_queued {
            match &sent {
                Sent::Step(info) => {
                    self.pasted_steps.insert(info.step);
                }
                // A pasted line refused: the block stops there too.
                Sent::Refused(_) | Sent::Failed(_) => self.stop_paste(None, index),
                Sent::Used(_) | Sent::Busy(_) => {}
            }
        }
        match &sent {
            Sent::Step(info) => {
                self.last_step = info.step;
                self.sent_at = Instant::now();
                let pane = &mut self.panes[index];
                let shown = info.typed.as_deref().unwrap_or(&info.input);
                // A statement typed over several lines is on screen already.
                for (i, line) in shown.lines().enumerate().filter(|_| !self.echoed) {
                    let prompt = if i == 0 { ">>>" } else { "..." };
                    pane.transcript
                        .push(Kind::Input, &format!("{prompt} {line}"));
                }
                if info.typed.is_some() {
                    pane.transcript
                        .push(Kind::Expanded, &format!("  = {}", info.input));
                }
            }
            Sent::Used(socket) => {
                let pane = &mut self.panes[index];
                pane.transcript
                    .push(Kind::Input, &format!(">>> {statement}"));
                pane.transcript
                    .push(Kind::Info, &format!("{socket} is now the current socket"));
            }
            Sent::Refused(reason) => {
                let pane = &mut self.panes[index];
                pane.transcript
                    .push(Kind::Input, &format!(">>> {statement}"));
                pane.transcript.push(Kind::Error, reason);
            }
            Sent::Busy(blocked) => {
                // Keeps the line: it goes back to the input of its pane.
                self.panes[index].set_line(statement);
                self.status = Some(format!("{blocked}; interrupt it or act in the other pane"));
            }
            Sent::Failed(reason) => self.status = Some(reason.clone()),
        }
        sent
    }

    fn command(&mut self, name: &str, arg: &str) {
        if name == "panic" && self.allow_panic {
            panic!("a panic forced with :panic");
        }
        match self.console.command(name, arg) {
            Said::Line(kind, text) if name == "note" && kind == Kind::Info => {
                // The note is shown where it was written, as the recording has it.
                self.panes[self.focus].transcript.push(Kind::Info, &text);
            }
            Said::Line(_, text) => self.status = Some(text),
            Said::InPane(pane, kind, text) => match self.pane_index(&pane) {
                Some(index) => {
                    self.panes[index].transcript.push(kind, &text);
                    self.panes[index].scroll = 0;
                    if !self.console.explanations {
                        self.status = Some(text);
                    }
                }
                None => self.status = Some(text),
            },
            Said::Help => self.help = true,
            Said::Quit => self.quit = true,
            Said::Clear => self.clear(self.focus),
            Said::NotMine if name == "close" => self.close_pane(arg),
            Said::NotMine if name == "unfold" => {
                let pane = &mut self.panes[self.focus];
                match pane.folded.take() {
                    Some(whole) => {
                        pane.transcript.push(Kind::Value, &whole);
                        pane.scroll = 0;
                    }
                    None => {
                        self.status = Some("no folded value in this pane to unfold".into());
                    }
                }
            }
            Said::NotMine if name == "hex" => {
                let on = !self.panes[0].transcript.hex();
                for pane in &mut self.panes {
                    pane.transcript.set_hex(on);
                }
                self.status = Some(if on {
                    "hex view on: bytes values as offset, hex and ASCII, 16 per row (:hex again for reprs)".into()
                } else {
                    "hex view off: bytes values as reprs".into()
                });
            }
            Said::NotMine => {
                self.status = Some(format!("unknown command :{name} (F1 lists the commands)"))
            }
        }
    }

    /// Pasted text: one line is typed into the input; several lines are queued
    /// as steps (`#` narration and `=>` lines are skipped).
    pub fn paste(&mut self, text: &str) {
        if let Some(refused) = crate::console::paste_refused(text.len()) {
            // In the pane, where it stays: the footer's copy goes with the next key.
            self.panes[self.focus]
                .transcript
                .push(Kind::Error, &refused);
            self.status = Some(refused);
            return;
        }
        // Lines end at \n, \r\n or \r (tmux pastes with \r); a statement
        // whose bracket is open goes on over the next lines.
        let mut statements = crate::lang::statements(text);
        if statements.len() <= 1 && !statements.first().is_some_and(|s| s.contains('\n')) {
            // Inserted at the cursor at once (key by key is quadratic).
            let text = statements.pop().unwrap_or_default();
            let input = &self.panes[self.focus].input;
            let cursor = input.cursor();
            let value = input.value();
            let at = value
                .char_indices()
                .nth(cursor)
                .map_or(value.len(), |(i, _)| i);
            let joined = format!("{}{text}{}", &value[..at], &value[at..]);
            self.panes[self.focus].input =
                Input::new(joined).with_cursor(cursor + text.chars().count());
            return;
        }
        self.queue.extend(statements);
        self.pump();
    }

    /// A message of the engine, received by the interface's loop.
    pub(crate) fn engine(&mut self, msg: crate::pane::Msg) {
        if let Some(event) = self.console.session.event_of(msg) {
            self.event(event);
            self.refresh_kernel();
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Blocked { info, timeout, .. } => {
                // Waiting for another step: a prediction of "blocks" is right.
                if let Some(stepper) = self.stepper.as_mut().filter(|_| !timeout) {
                    stepper.blocked(info.step);
                }
            }
            Event::Wire { info, segments } => self.wire_event(info.as_ref(), &segments),
            Event::Printed { .. } => {
                // Shown as it is printed, before the step's outcome.
                let Some(printed) = self.console.printed(&event) else {
                    return;
                };
                if let Some(index) = self.pane_index(&printed.info.pane) {
                    for (kind, text) in &printed.lines {
                        self.panes[index].transcript.push(*kind, text);
                    }
                }
            }
            finished => self.finished(finished),
        }
    }

    /// Clears the footer's message once it has been shown for `STATUS_FOR`.
    pub fn expire_status(&mut self) {
        self.expire_status_at(Instant::now());
    }

    /// `expire_status` as of `now` (tests pass their own clock).
    pub fn expire_status_at(&mut self, now: Instant) {
        match (&self.status, &self.status_seen) {
            (Some(text), Some((seen, at))) if text == seen => {
                if now.saturating_duration_since(*at) >= STATUS_FOR {
                    self.status = None;
                    self.status_seen = None;
                }
            }
            (Some(text), _) => self.status_seen = Some((text.clone(), now)),
            (None, _) => self.status_seen = None,
        }
    }

    /// How many pasted lines wait to run.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Takes in finished steps, sends queued lines whose pane is free, and
    /// refreshes the kernel's view when it is due. Called after every input
    /// and on every tick.
    pub fn pump(&mut self) {
        let mut changed = false;
        // A blocked step's segments, as they come.
        if let Some(Event::Wire { info, segments }) = self.console.session.wire_event() {
            self.wire_event(info.as_ref(), &segments);
        }
        loop {
            while let Some(event) = self.console.session.try_event() {
                self.event(event);
                changed = true;
            }
            if !self.send_queued() {
                break;
            }
        }
        let due = self.kernel_at.is_none_or(|at| {
            at.elapsed()
                >= if self.console.session.any_busy() {
                    Duration::from_millis(250)
                } else {
                    Duration::from_secs(1)
                }
        });
        if changed || due {
            self.refresh_kernel();
        }
    }

    /// Sends the next queued line if its pane is free and nothing sent before
    /// it is still settling; returns whether one was sent.
    fn send_queued(&mut self) -> bool {
        let Some(line) = self.queue.front() else {
            return false;
        };
        let index = split_pane(line)
            .and_then(|(p, _)| self.pane_index(p))
            .unwrap_or(self.focus);
        if self.console.session.is_busy(&self.panes[index].name) {
            return false;
        }
        // Sent once the session is quiescent, as `run` sends its next step.
        if !self
            .console
            .session
            .quiescent(SETTLE, self.sent_at, &|_| false)
        {
            return false;
        }
        let Some(line) = self.queue.pop_front() else {
            return false;
        };
        self.sending_queued = true;
        self.enter(&line);
        self.sending_queued = false;
        true
    }

    /// Ends the pasted block after an error in `step`: the lines left are
    /// not run, and the pane says how many.
    fn stop_paste(&mut self, step: Option<u64>, index: usize) {
        self.pasted_steps.clear();
        let not_run = self.queue.len();
        if not_run == 0 {
            return;
        }
        self.queue.clear();
        let message = crate::console::paste_stopped(step, not_run);
        self.panes[index].transcript.push(Kind::Error, &message);
        self.status = Some(message);
    }

    fn finished(&mut self, event: Event) {
        let Some(done) = self.console.finished(&event) else {
            return;
        };
        let Event::Finished {
            info,
            outcome,
            stdout,
            elapsed,
            wire,
            facts,
            ..
        } = event
        else {
            return;
        };
        if self.console.session.watches_wire() {
            self.wire.add(Some(&info), &wire);
            if facts.as_ref().is_some_and(|f| f.unix()) {
                self.wire.note(
                    &info,
                    "a Unix socket: no wire (its bytes never leave the kernel)",
                );
            } else if facts.is_some() && !self.wire.has_segments(info.step) {
                // A socket call that sent nothing (a BlockingIOError, a
                // recv of queued bytes) is as telling as one that did.
                self.wire.note(&info, "nothing on the wire");
            }
        }
        if let Some(e) = done.record_error {
            self.status = Some(format!("the recording failed: {e}"));
        }
        if done.exits {
            self.quit = true;
        }
        let Some(index) = self.pane_index(&info.pane) else {
            return;
        };
        let snapshot = self.console.session.snapshot(&info.pane);
        let pane = &mut self.panes[index];
        if let crate::outcome::Outcome::Ok(repr) = &outcome
            && shorten(repr) != *repr
        {
            pane.folded = Some(repr.clone());
        }
        for (kind, text) in &done.lines {
            pane.transcript.push(*kind, text);
        }
        // The short forms' socket changed under the user (an accept bound
        // `conn`): the pane says so, under the step that changed it.
        let current = snapshot.and_then(|s| s.current.as_ref().map(|(n, _)| n.clone()));
        if let (Some(old), Some(new)) = (&pane.current, &current)
            && old != new
        {
            pane.transcript.push(
                Kind::Info,
                &format!("short forms now act on {new} (was {old})"),
            );
        }
        if current.is_some() {
            pane.current = current;
        }
        if let Some(stepper) = &mut self.stepper {
            if elapsed >= SETTLE {
                stepper.blocked(info.step);
            }
            let watched = self.console.session.watches_wire();
            let segments = self.wire.segments_of(info.step);
            let f = stepper.finished(
                info.step,
                &info.input,
                &outcome,
                &stdout,
                watched.then_some(segments.as_slice()),
            );
            if let Some(v) = &f.verdict {
                let text = if v.right {
                    format!("you said {}: right, it {}", v.predicted.label(), v.actual)
                } else {
                    format!("you said {}, but it {}", v.predicted.label(), v.actual)
                };
                pane.transcript.push(Kind::Info, &text);
            }
            if let Some(expected) = f.expected_instead {
                pane.transcript.push(
                    Kind::Info,
                    &shorten(&format!("(the script expected: {expected})")),
                );
            }
            if f.verdict.is_some() {
                self.verdict = f.verdict;
            }
        }
        if self.pasted_steps.remove(&info.step)
            && matches!(outcome, crate::outcome::Outcome::Error(_))
        {
            self.stop_paste(Some(info.step), index);
        }
    }

    /// Reads every pane's sockets from its snapshot and asks the kernel about each.
    pub fn refresh_kernel(&mut self) {
        self.kernel_at = Some(Instant::now());
        for pane in &mut self.panes {
            let Some(snap) = self.console.session.snapshot(&pane.name) else {
                continue;
            };
            pane.current = snap.current.as_ref().map(|(n, _)| n.clone());
            pane.sockets = snap
                .sockets
                .iter()
                .map(|s| SocketRow {
                    name: s.name.clone(),
                    fd: s.fd,
                    kind: kind_label(s.family, s.kind),
                    mode: match s.timeout {
                        None => "blocking".into(),
                        Some(0.0) => "non-blocking".into(),
                        Some(t) => format!("timeout {} s", crate::value::repr::float_repr(t)),
                    },
                    view: s.fd.map(|fd| inspect(fd, s.family, s.kind)),
                })
                .collect();
        }
    }

    fn complete(&mut self) {
        let pane = &mut self.panes[self.focus];
        let Some(snap) = self.console.session.snapshot(&pane.name) else {
            return;
        };
        let value = pane.input.value().to_string();
        let cursor = value
            .char_indices()
            .nth(pane.input.cursor())
            .map_or(value.len(), |(i, _)| i);
        let c = crate::complete::complete(&value, cursor, &snap);
        let insert = match c.candidates.as_slice() {
            [] => return,
            [one] => one.clone(),
            many => {
                self.status = Some(candidates_line(many, self.width.saturating_sub(2)));
                crate::complete::common_prefix(many).to_string()
            }
        };
        let new = format!("{}{insert}{}", &value[..c.start], &value[cursor..]);
        let at = value[..c.start].chars().count() + insert.chars().count();
        pane.input = Input::new(new).with_cursor(at);
    }
}

/// The last `HISTORY_KEPT` lines of pane `name`'s history kept in `dir`.
fn load_history(dir: &std::path::Path, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(format!("history-{name}"))).unwrap_or_default();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let from = lines.len().saturating_sub(HISTORY_KEPT);
    lines[from..].to_vec()
}

/// Tab's candidates for the footer: their count, then as many whole names as
/// fit in `width` columns, and how many more there are. A name is never cut.
fn candidates_line(names: &[String], width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut line = format!("{} candidates:", names.len());
    for (i, name) in names.iter().enumerate() {
        let rest = names.len() - i - 1;
        let more = if rest > 0 {
            format!("  +{rest} more")
        } else {
            String::new()
        };
        // Room for this name and, if others follow, for the count of them.
        if line.width() + 2 + name.width() + more.width() > width && rest + 1 < names.len() {
            line.push_str(&format!("  +{} more", rest + 1));
            return line;
        }
        line.push_str("  ");
        line.push_str(name);
    }
    line
}

fn kind_label(family: i32, kind: i32) -> String {
    let proto = match kind {
        libc::SOCK_STREAM => "TCP",
        libc::SOCK_DGRAM => "UDP",
        _ => "raw",
    };
    match family {
        libc::AF_INET => format!("{proto}/v4"),
        libc::AF_INET6 => format!("{proto}/v6"),
        libc::AF_UNIX => match kind {
            libc::SOCK_STREAM => "Unix/stream".into(),
            libc::SOCK_DGRAM => "Unix/dgram".into(),
            _ => "Unix".into(),
        },
        _ => format!("{proto}/af{family}"),
    }
}
