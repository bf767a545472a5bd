//! A session: the panes, step numbering, and the events front ends listen to.
//!
//! A line sent to a pane is classified (Python or short form) against the
//! pane's snapshot, numbered, and handed to the pane's thread; finished steps
//! come back as events. The session knows nothing of terminals.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use crate::lang::shortform::{self, Context, Line};
use crate::net::facts::CallFacts;
use crate::net::sys;
use crate::net::wire::{self, Capture, Numbering, Segment};
use crate::outcome::Outcome;
use crate::pane::{Done, Job, Msg, PaneHandle, PaneSnapshot};

/// A step as it was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct StepInfo {
    pub step: u64,
    /// The pane's name (shared: a step's info is copied to every event).
    pub pane: Arc<str>,
    /// The Python form, as executed.
    pub input: Arc<str>,
    /// What was typed, when it was a short form.
    pub typed: Option<String>,
}

/// What happened to a line sent to a pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// It runs as a step.
    Step(StepInfo),
    /// `use NAME` changed the current socket; nothing runs.
    Used(String),
    /// A short form that could not be expanded, with the reason.
    Refused(String),
}

/// What a busy pane is doing, in the words every front end uses: `blocked
/// in accept() (step 4)`, or `running step 4` when the step is in no call
/// (it computes).
pub fn doing(call: &str, step: u64) -> String {
    if call.is_empty() {
        format!("running step {step}")
    } else {
        format!("blocked in {call} (step {step})")
    }
}

/// Why a line could not be sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SubmitError {
    /// The pane is still running (blocked in) this step.
    #[error(
        "the pane is {}; interrupt it or act in the other pane",
        doing(call, *step)
    )]
    Busy { step: u64, call: &'static str },
    /// The pane name is not `[A-Za-z_][A-Za-z0-9_-]*`.
    #[error("'{0}' is not a pane name (letters, digits, _ and -)")]
    BadPaneName(String),
    /// The pane's thread could not be started.
    #[error("could not start the pane: {0}")]
    NoThread(String),
}

/// What the engine reports to front ends.
// One event per step or wait, moved once: the size of Finished costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A step finished, with its outcome and what it printed.
    Finished {
        info: StepInfo,
        outcome: Outcome,
        stdout: String,
        /// The repr in `outcome` was cut after `value::repr::REPR_CAP` characters.
        truncated: bool,
        /// Sockets the step closed because nothing refers to them any more.
        closed: Vec<String>,
        /// The facts of the last socket call the step made, for its `why:` line.
        facts: Option<CallFacts>,
        /// It was an assignment (`x = ...`), whose value Python's REPL does not show.
        assigned: bool,
        /// For a block that raised: the line of its text it stopped on.
        line: Option<usize>,
        elapsed: Duration,
        /// The segments the wire carried while it ran, when the wire is
        /// watched (a flood's summarised; see `net::wire::bounded`).
        wire: Vec<Segment>,
    },
    /// Segments the wire carried outside a finished step: while `info` (a
    /// step still running: blocked) ran, or with no step running (`None`:
    /// each is marked `late`, a delayed ACK or a timer's segment).
    Wire {
        info: Option<StepInfo>,
        segments: Vec<Segment>,
    },
    /// A step started to wait in `call` for `condition`, which the kernel
    /// says is unmet (SPEC section 5): only another step, or its timeout when
    /// it has one, releases it. It is reported within a system call of the
    /// wait's start.
    Blocked {
        info: StepInfo,
        call: &'static str,
        condition: &'static str,
        timeout: bool,
    },
    /// A running step printed `text`; its `Finished` carries everything it
    /// printed again, in `stdout`, for transcripts and recordings.
    Printed { info: StepInfo, text: String },
}

struct Running {
    info: StepInfo,
    started: Instant,
}

struct Pane {
    handle: PaneHandle,
    running: Option<Running>,
}

/// How long a step that runs (computes, or waits with a timeout) may take
/// before it counts as blocked: SPEC section 5's `--settle`, a person's pace.
/// A step that waits with no timeout on an unmet condition is blocked at once.
pub const SETTLE: Duration = Duration::from_millis(250);

/// What a busy pane's step is doing (SPEC section 5).
#[derive(Debug, Clone, PartialEq)]
pub enum Activity {
    /// It waits in `call` for `condition`; `met`: the kernel says the
    /// condition holds now, so the call is about to return.
    Waiting {
        step: u64,
        call: &'static str,
        condition: &'static str,
        /// It gives up by itself after a timeout.
        timeout: bool,
        /// The kernel ends it by itself (`net::Wait::paced`).
        paced: bool,
        met: bool,
        /// Since the wait began, and since the step began.
        waited: Duration,
        elapsed: Duration,
    },
    /// It runs: it computes, or is in a call that does not wait.
    Running {
        step: u64,
        call: &'static str,
        elapsed: Duration,
    },
}

/// All panes of one session.
pub struct Session {
    panes: BTreeMap<String, Pane>,
    next_step: u64,
    done_tx: Sender<Msg>,
    done_rx: Receiver<Msg>,
    /// Statements parsed already, by their text (see `parse`).
    parsed: ParseCache,
    /// The wire view's capture, once `watch_wire` started it.
    wire: Option<Wire>,
}

/// The wire as the session sees it: the capture, the numbering of its
/// segments, and the last FIN or RST each address received (a why-line
/// cites it).
struct Wire {
    capture: Capture,
    numbering: Numbering,
    ended: std::collections::HashMap<std::net::SocketAddr, (u64, &'static str)>,
    /// Packets the capture could not keep (a flood faster than its reader).
    lost: u64,
    /// Segments of steps still running, fenced when an earlier step
    /// finished (a blocked accept released by a connect: the handshake is
    /// the connect's); given to them when they finish.
    held: std::collections::HashMap<u64, Vec<Segment>>,
    /// A front end fenced just before its next submit (`wire_checkpoint`).
    checkpointed: bool,
}

/// The statements a session has parsed, by text: a replayed session sends
/// the same lines again and again (`conn.recv(1024)`), and a parsed tree does
/// not depend on anything but its text. At most `ParseCache::MAX` of them; the
/// cache starts afresh when full. Only statements that parse are kept.
#[derive(Default)]
struct ParseCache {
    trees:
        std::collections::HashMap<String, Arc<crate::lang::ast::Stmt>, foldhash::fast::RandomState>,
}

impl ParseCache {
    const MAX: usize = 1024;
    /// Longer statements are rarely sent twice and are parsed each time.
    const LONGEST: usize = 512;

    fn parse(&mut self, text: &str) -> crate::pane::Parsed {
        if let Some(tree) = self.trees.get(text) {
            return Ok(Arc::clone(tree));
        }
        let tree = Arc::new(crate::lang::parse_statement(text)?);
        if text.len() <= Self::LONGEST {
            if self.trees.len() >= Self::MAX {
                self.trees.clear();
            }
            self.trees.insert(text.to_string(), Arc::clone(&tree));
        }
        Ok(tree)
    }
}

/// The segment a why-line cites: for `b''` the FIN, for a reset or a broken
/// pipe the RST, that last came to the socket's address.
fn cite(facts: &mut Option<CallFacts>, outcome: &Outcome, wire: Option<&Wire>, sent: &[Segment]) {
    let (Some(f), Some(w)) = (facts.as_mut(), wire) else {
        return;
    };
    // A refused connect: the RST that answered its SYN, in the step's own
    // segments (the socket has no local port left to look it up by).
    if let Outcome::Error(e) = outcome
        && e.errno == Some(libc::ECONNREFUSED)
    {
        f.cited = sent
            .iter()
            .find(|s| s.has(wire::RST))
            .map(|s| (s.number, "RST"));
        return;
    }
    let Some(local) = f.local else { return };
    let wanted = match outcome {
        Outcome::Ok(_) if f.received == Some(0) && f.asked != Some(0) => "FIN",
        Outcome::Error(e) if matches!(e.errno, Some(libc::ECONNRESET) | Some(libc::EPIPE)) => "RST",
        _ => return,
    };
    if let Some(&(n, flags)) = w.ended.get(&local)
        && flags == wanted
    {
        f.cited = Some((n, flags));
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether `name` is a valid pane name.
pub fn is_pane_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c == '-' || c.is_ascii_alphanumeric())
}

/// `server> x = 1` → (`server`, `x = 1`), for a valid pane name; `server>`
/// alone → (`server`, ``). A `>` followed by anything but a space or the
/// end (`x>1`) is Python, not a pane.
pub fn split_pane(line: &str) -> Option<(&str, &str)> {
    let (pane, rest) = line.split_once('>')?;
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    is_pane_name(pane).then_some((pane, rest.strip_prefix(' ').unwrap_or(rest)))
}

/// The prompt of a pane: its name and its current socket, `server [conn]>>> `.
pub fn prompt(pane: &str, current: Option<&str>) -> String {
    match current {
        Some(s) => format!("{pane} [{s}]>>> "),
        None => format!("{pane}>>> "),
    }
}

impl Session {
    pub fn new() -> Session {
        sys::install_interrupt_handler();
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        Session {
            panes: BTreeMap::new(),
            next_step: 1,
            done_tx,
            done_rx,
            parsed: ParseCache::default(),
            wire: None,
        }
    }

    /// Starts the wire view: from now on every step's segments come with it.
    /// The error says in one line why it cannot (and what to do).
    pub fn watch_wire(&mut self) -> Result<(), String> {
        if self.wire.is_some() {
            return Ok(());
        }
        let capture = Capture::start().map_err(|e| wire::refusal(&e))?;
        wire::WATCHING.store(true, std::sync::atomic::Ordering::Relaxed);
        self.wire = Some(Wire {
            capture,
            numbering: Numbering::default(),
            ended: std::collections::HashMap::new(),
            lost: 0,
            held: std::collections::HashMap::new(),
            checkpointed: false,
        });
        Ok(())
    }

    /// Whether the wire view captures.
    pub fn watches_wire(&self) -> bool {
        self.wire.is_some()
    }

    /// Packets the capture lost so far (none unless a flood outran it).
    pub fn wire_lost(&self) -> u64 {
        self.wire.as_ref().map_or(0, |w| w.lost)
    }

    /// The segments of the session's sockets captured since the last call:
    /// with `fence`, every packet sent before the call is in.
    fn wire_segments(&mut self, fence: bool, late: bool) -> Vec<Segment> {
        let Some(w) = self.wire.as_mut() else {
            return Vec::new();
        };
        let (packets, lost) = if fence {
            w.capture.fence()
        } else {
            w.capture.take()
        };
        w.lost += lost;
        if packets.is_empty() {
            return Vec::new();
        }
        let mut ports: Vec<u16> = self.panes.values().flat_map(|p| p.handle.ports()).collect();
        ports.sort_unstable();
        let ours = |p: u16| ports.binary_search(&p).is_ok();
        let mut out = Vec::new();
        for p in packets {
            if !ours(p.src.port()) && !ours(p.dst.port()) {
                continue;
            }
            let seg = w.numbering.segment(p, late);
            for (flag, name) in [(wire::RST, "RST"), (wire::FIN, "FIN")] {
                if seg.has(flag) {
                    if w.ended.len() >= 4096 {
                        w.ended.clear();
                    }
                    w.ended.insert(seg.dst, (seg.number, name));
                    break;
                }
            }
            out.push(seg);
        }
        out
    }

    /// Segments as front ends get them: their ends named after the panes
    /// whose sockets have those ports (known once the steps that made the
    /// sockets have finished, so named when handed out, not when captured),
    /// a flood summarised.
    fn hand_out(&self, segments: Vec<Segment>) -> Vec<Segment> {
        let name_of = |port: u16| {
            let mut owners = self.panes.iter().filter(|(_, p)| p.handle.owns_port(port));
            match (owners.next(), owners.next()) {
                (Some((name, _)), None) => Some(name.clone()),
                _ => None,
            }
        };
        let mut segments = wire::bounded(segments);
        for seg in &mut segments {
            if let Some(name) = name_of(seg.src.port()) {
                seg.from = name;
            }
            if let Some(name) = name_of(seg.dst.port()) {
                seg.to = name;
            }
        }
        segments
    }

    /// The running step that segments captured now belong to: the one
    /// started last (another pane's blocked step is released by it).
    fn running_step(&self) -> Option<StepInfo> {
        self.latest_running().map(|r| r.info.clone())
    }

    fn latest_running(&self) -> Option<&Running> {
        self.panes
            .values()
            .filter_map(|p| p.running.as_ref())
            .max_by_key(|r| r.info.step)
    }

    /// What the wire carried since the last look, while a step runs (a
    /// blocked step's segments as they happen): for a front end's tick.
    pub fn wire_event(&mut self) -> Option<Event> {
        self.wire.as_ref()?;
        // A step that runs briefly gets its segments when it finishes (fenced).
        let running = self.latest_running()?;
        if running.started.elapsed() < Duration::from_millis(100) {
            return None;
        }
        let info = running.info.clone();
        let segments = self.wire_segments(false, false);
        let segments = self.hand_out(segments);
        (!segments.is_empty()).then_some(Event::Wire {
            info: Some(info),
            segments,
        })
    }

    /// What the wire carried since the last step: for the step still
    /// running (blocked), or marked late when none runs. A front end calls it
    /// just before it submits a step, to show them in order; `submit` itself
    /// sends what is left as an event (so none is given to the new step).
    pub fn wire_checkpoint(&mut self) -> Option<Event> {
        let w = self.wire.as_mut()?;
        w.checkpointed = true;
        let info = self.running_step();
        let segments = self.wire_segments(true, info.is_none());
        let segments = self.hand_out(segments);
        (!segments.is_empty()).then_some(Event::Wire { info, segments })
    }

    fn wire_before_step(&mut self) {
        // Fenced already by the front end's checkpoint just before.
        if let Some(w) = self.wire.as_mut()
            && std::mem::take(&mut w.checkpointed)
        {
            return;
        }
        let event = self.wire_checkpoint();
        if let Some(w) = self.wire.as_mut() {
            w.checkpointed = false;
        }
        if let Some(Event::Wire { info, segments }) = event {
            let _ = self.done_tx.send(Msg::Wire {
                step: info.map(|i| (i.pane, i.step)),
                segments,
            });
        }
    }

    fn pane(&mut self, name: &str) -> Result<&mut Pane, SubmitError> {
        if !self.panes.contains_key(name) {
            if !is_pane_name(name) {
                return Err(SubmitError::BadPaneName(name.to_string()));
            }
            let handle = PaneHandle::spawn(name, self.done_tx.clone())
                .map_err(|e| SubmitError::NoThread(e.to_string()))?;
            self.panes.insert(
                name.to_string(),
                Pane {
                    handle,
                    running: None,
                },
            );
        }
        self.panes
            .get_mut(name)
            .ok_or_else(|| SubmitError::NoThread(name.to_string()))
    }

    /// Creates the pane if it does not exist yet.
    pub fn open_pane(&mut self, name: &str) -> Result<(), SubmitError> {
        self.pane(name).map(|_| ())
    }

    /// Closes pane `name`: its thread ends and its sockets close (nothing
    /// refers to its namespace any more). A busy pane is refused: its step
    /// would be lost.
    pub fn close_pane(&mut self, name: &str) -> Result<(), String> {
        match self.panes.get(name) {
            None => Err(format!("no pane called '{name}'")),
            Some(p) if p.running.is_some() => Err(format!(
                "{name} is busy: interrupt its step (Ctrl-C) before closing it"
            )),
            Some(_) => {
                self.panes.remove(name);
                Ok(())
            }
        }
    }

    /// Sends one typed line to a pane (created on first use).
    pub fn submit(&mut self, pane_name: &str, line: &str) -> Result<Submitted, SubmitError> {
        self.wire_before_step();
        let step = self.next_step;
        let done_tx = self.done_tx.clone();
        let pane = self.pane(pane_name)?;
        if let Some(r) = &pane.running {
            return Err(SubmitError::Busy {
                step: r.info.step,
                call: pane.handle.call(),
            });
        }
        let snap = pane
            .handle
            .shared
            .snapshot
            .lock()
            .map(|s| Arc::clone(&s))
            .unwrap_or_default();
        let is_bound = |n: &str| snap.names.binary_search_by(|x| x.as_str().cmp(n)).is_ok();
        let ctx = Context {
            pane: pane_name,
            current: snap.current.as_ref().map(|(n, f)| (n.as_str(), *f)),
            is_bound: &is_bound,
        };
        // Python as it is (most lines) is shared from here on, never copied.
        let trimmed = line.trim();
        let expanded = match shortform::is_short_form(trimmed) {
            false => Line::Python(String::new()),
            true => shortform::expand(trimmed, &ctx),
        };
        let (input, typed): (Arc<str>, _) = match expanded {
            Line::Python(s) if s.is_empty() => (Arc::from(trimmed), None),
            Line::Python(s) => (Arc::from(s), None),
            Line::Expanded { python, typed } => (Arc::from(python), Some(typed)),
            Line::Refused(reason) => return Ok(Submitted::Refused(reason)),
            Line::Use(name) => {
                let is_socket = snap.sockets.iter().any(|s| s.name == name);
                if !is_socket {
                    let why = if is_bound(&name) {
                        "is not a socket"
                    } else {
                        "is not defined"
                    };
                    return Ok(Submitted::Refused(format!(
                        "use: '{name}' {why} in pane {pane_name}"
                    )));
                }
                return Ok(match pane.handle.use_socket(&name) {
                    Ok(()) => Submitted::Used(name),
                    Err(why) => Submitted::Refused(format!("use: {why}")),
                });
            }
        };
        let info = StepInfo {
            step,
            pane: pane.handle.shared.name.clone(),
            input: input.clone(),
            typed,
        };
        // Parsed once: the parsed form goes inline or with the job.
        let parsed = self.parsed.parse(&input);
        let Some(pane) = self.panes.get_mut(pane_name) else {
            return Err(SubmitError::NoThread(pane_name.to_string()));
        };
        match pane.handle.run_inline(step, parsed) {
            Ok(executed) => {
                // Reported like a step of the thread, so every front end sees one path.
                let _ = done_tx.send(Msg::Finished(Box::new(Done {
                    pane: info.pane.clone(),
                    step,
                    executed,
                })));
            }
            Err(parsed) => {
                if !pane.handle.send(Job { step, parsed }) {
                    return Err(SubmitError::NoThread(pane_name.to_string()));
                }
            }
        }
        pane.running = Some(Running {
            info: info.clone(),
            started: Instant::now(),
        });
        self.next_step += 1;
        Ok(Submitted::Step(info))
    }

    fn finish(&mut self, msg: Msg) -> Option<Event> {
        let done = match msg {
            Msg::Finished(done) => *done,
            Msg::Waiting { pane, step } => {
                let p = self.panes.get(&*pane)?;
                let running = p.running.as_ref().filter(|r| r.info.step == step)?;
                let wait = p.handle.shared.wait.lock().ok()?.as_ref()?.0.clone();
                return Some(Event::Blocked {
                    info: running.info.clone(),
                    call: wait.call,
                    condition: wait.condition(),
                    timeout: wait.timeout,
                });
            }
            Msg::Wire { step, segments } => {
                let info = step.and_then(|(pane, step)| {
                    let p = self.panes.get(&*pane)?;
                    p.running
                        .as_ref()
                        .filter(|r| r.info.step == step)
                        .map(|r| r.info.clone())
                });
                return Some(Event::Wire { info, segments });
            }
            Msg::Printed { pane, step, text } => {
                let p = self.panes.get(&*pane)?;
                let running = p.running.as_ref().filter(|r| r.info.step == step)?;
                return Some(Event::Printed {
                    info: running.info.clone(),
                    text,
                });
            }
        };
        let pane = self.panes.get_mut(&*done.pane)?;
        // A pane runs one step at a time, so what finished is what was running.
        if pane.running.as_ref().map(|r| r.info.step) != Some(done.step) {
            return None;
        }
        let running = pane.running.take()?;
        let mut facts = done.executed.facts;
        let mut segments = Vec::new();
        if self.wire.is_some() {
            let fenced = self.wire_segments(true, false);
            // They belong to the step started last, which may still run.
            let later = self.running_step().filter(|i| i.step > running.info.step);
            if let Some(w) = self.wire.as_mut() {
                segments = w.held.remove(&running.info.step).unwrap_or_default();
                match later {
                    Some(i) => {
                        // Kept bounded while that step runs on (a flood).
                        let held = w.held.entry(i.step).or_default();
                        held.extend(fenced);
                        if held.len() > 64 {
                            *held = wire::bounded(std::mem::take(held));
                        }
                    }
                    None => segments.extend(fenced),
                }
            }
            // A segment sent well after its step began says so (+41 ms).
            for s in &mut segments {
                let after = s.when.saturating_duration_since(running.started);
                if after >= Duration::from_millis(5) {
                    s.after = Some(after);
                }
            }
            segments = self.hand_out(segments);
            cite(
                &mut facts,
                &done.executed.outcome,
                self.wire.as_ref(),
                &segments,
            );
        }
        Some(Event::Finished {
            info: running.info,
            outcome: done.executed.outcome,
            stdout: done.executed.stdout,
            truncated: done.executed.truncated,
            closed: done.executed.closed,
            facts,
            assigned: done.executed.assigned,
            line: done.executed.line,
            elapsed: running.started.elapsed(),
            wire: segments,
        })
    }

    /// Where finished steps arrive, for a front end that waits for them on a
    /// thread of its own (without holding the session); each one it receives
    /// goes back through `event_of`.
    pub fn finished_steps(&self) -> Receiver<Msg> {
        self.done_rx.clone()
    }

    /// The event of a finished step received from `finished_steps`.
    pub fn event_of(&mut self, done: Msg) -> Option<Event> {
        self.finish(done)
    }

    /// The next event, waiting at most `timeout`.
    pub fn next_event(&mut self, timeout: Duration) -> Option<Event> {
        let done = crate::pane::spin_recv(&self.done_rx, Some(timeout), true)?;
        self.finish(done)
    }

    /// The next event if one comes within the short spin that precedes parking
    /// (a step that does not block usually finishes within it).
    pub fn next_event_soon(&mut self) -> Option<Event> {
        let done = crate::pane::spin_recv(&self.done_rx, Some(Duration::ZERO), true)?;
        self.finish(done)
    }

    /// The next event if one is ready now.
    pub fn try_event(&mut self) -> Option<Event> {
        let done = self.done_rx.try_recv().ok()?;
        self.finish(done)
    }

    /// Whether a pane is running a step.
    pub fn is_busy(&self, pane: &str) -> bool {
        self.panes.get(pane).is_some_and(|p| p.running.is_some())
    }

    pub fn any_busy(&self) -> bool {
        self.panes.values().any(|p| p.running.is_some())
    }

    /// The step a pane is running, the call it is in, and for how long.
    /// The line of a running block that its step is on (1-based); None for
    /// a one-line statement.
    pub fn line(&self, pane: &str) -> Option<usize> {
        let p = self.panes.get(pane)?;
        let r = p.running.as_ref()?;
        let line = p
            .handle
            .shared
            .line
            .load(std::sync::atomic::Ordering::Relaxed);
        (line > 0 && r.info.input.contains('\n')).then_some(line)
    }

    pub fn running(&self, pane: &str) -> Option<(&StepInfo, &'static str, Duration)> {
        let p = self.panes.get(pane)?;
        let r = p.running.as_ref()?;
        let call = match self.activity(pane)? {
            Activity::Waiting { call, .. } | Activity::Running { call, .. } => call,
        };
        Some((&r.info, call, r.started.elapsed()))
    }

    /// The call a busy pane is in, with no wait announced: in a block (a
    /// loop), a call that announced no wait is one it goes through (a select
    /// that found a socket ready), so the block is running, in no call.
    fn running_call(&self, p: &Pane) -> &'static str {
        let in_block = p
            .running
            .as_ref()
            .is_some_and(|r| r.info.input.contains('\n'))
            && p.handle
                .shared
                .line
                .load(std::sync::atomic::Ordering::Relaxed)
                > 0;
        if in_block { "" } else { p.handle.call() }
    }

    /// What a busy pane's step is doing now; None when the pane is idle.
    pub fn activity(&self, pane: &str) -> Option<Activity> {
        let p = self.panes.get(pane)?;
        let r = p.running.as_ref()?;
        let wait = p.handle.shared.wait.lock().ok().and_then(|w| w.clone());
        Some(match wait {
            Some((wait, since)) => Activity::Waiting {
                step: r.info.step,
                call: wait.call,
                condition: wait.condition(),
                timeout: wait.timeout,
                paced: wait.paced(),
                met: wait.met() || wait.from.as_ref().is_some_and(|c| self.peer_holds_bytes(c)),
                waited: since.elapsed(),
                elapsed: r.started.elapsed(),
            },
            None => Activity::Running {
                step: r.info.step,
                call: self.running_call(p),
                elapsed: r.started.elapsed(),
            },
        })
    }

    /// Whether a socket of the session is the peer of connection `c` and
    /// holds back bytes for it (they arrive without another step).
    fn peer_holds_bytes(&self, c: &(String, String)) -> bool {
        let fds: Vec<i32> = self
            .panes
            .values()
            .filter_map(|p| p.handle.shared.snapshot.lock().ok())
            .flat_map(|s| s.sockets.iter().filter_map(|v| v.fd).collect::<Vec<_>>())
            .collect();
        crate::net::peer_holds_bytes(&fds, c)
    }

    /// The step a pane is blocked in, by SPEC section 5's one definition: it
    /// waits with no timeout on a condition the kernel says is unmet, or it
    /// has been running for `settle` (a wait with a timeout, a long loop).
    /// Every front end asks this; none guesses.
    pub fn blocked(&self, pane: &str, settle: Duration) -> Option<(u64, &'static str)> {
        match self.activity(pane)? {
            Activity::Waiting {
                step,
                call,
                timeout: false,
                paced: false,
                met: false,
                ..
            } => Some((step, call)),
            Activity::Waiting {
                step,
                call,
                elapsed,
                ..
            }
            | Activity::Running {
                step,
                call,
                elapsed,
            } => (elapsed >= settle).then_some((step, call)),
        }
    }

    /// Whether the session is quiescent (SPEC section 5), so that the next
    /// step may be sent: every pane is idle, or waits with no timeout on a
    /// condition the kernel says is unmet, or waits with a timeout for a step
    /// that `expected_blocked` says was blocked when recorded, or has been
    /// running for `settle`. A wait whose condition is met is about to end:
    /// it is waited for, at most `settle` from `since` (when the caller began
    /// to wait for quiescence).
    pub fn quiescent(
        &self,
        settle: Duration,
        since: Instant,
        expected_blocked: &dyn Fn(u64) -> bool,
    ) -> bool {
        self.panes.keys().all(|pane| match self.activity(pane) {
            None => true,
            Some(Activity::Waiting {
                step,
                timeout,
                paced,
                met: false,
                elapsed,
                ..
            }) => !(timeout || paced) || expected_blocked(step) || elapsed >= settle,
            Some(Activity::Waiting { met: true, .. }) => since.elapsed() >= settle,
            // A step running since before this settle began (a loop between
            // two waits, its condition just met) is given the settle time
            // from now, not from when it started.
            Some(Activity::Running { elapsed, .. }) => elapsed.min(since.elapsed()) >= settle,
        })
    }

    /// Whether every busy pane waits for good: with no timeout, on a
    /// condition the kernel says is unmet (only a step could release it).
    pub fn waiting_for_good(&self) -> bool {
        self.panes.keys().all(|pane| {
            matches!(
                self.activity(pane),
                None | Some(Activity::Waiting {
                    timeout: false,
                    paced: false,
                    met: false,
                    ..
                })
            )
        })
    }

    /// How long a caller waiting for quiescence may sleep before it must look
    /// again (the next `settle` deadline of a running pane); events wake it sooner.
    pub fn next_look(&self, settle: Duration, since: Instant) -> Duration {
        self.panes
            .keys()
            .filter_map(|pane| match self.activity(pane)? {
                Activity::Waiting { met: true, .. } => Some(settle.saturating_sub(since.elapsed())),
                Activity::Waiting {
                    timeout: false,
                    paced: false,
                    ..
                } => None,
                Activity::Waiting { elapsed, .. } => Some(settle.saturating_sub(elapsed)),
                Activity::Running { elapsed, .. } => {
                    Some(settle.saturating_sub(elapsed.min(since.elapsed())))
                }
            })
            .min()
            .unwrap_or(settle)
            // A condition met by something outside the session is seen within this.
            .min(Duration::from_millis(50))
    }

    /// Interrupts the step a pane is running (it ends with KeyboardInterrupt).
    /// Returns false when the pane is idle.
    pub fn interrupt(&self, pane: &str) -> bool {
        match self.panes.get(pane) {
            Some(Pane {
                handle,
                running: Some(r),
            }) => {
                handle.interrupt(r.info.step);
                true
            }
            _ => false,
        }
    }

    /// What a pane's names and sockets were after its last step.
    pub fn snapshot(&self, pane: &str) -> Option<Arc<PaneSnapshot>> {
        self.panes
            .get(pane)
            .and_then(|p| p.handle.shared.snapshot.lock().ok().map(|s| Arc::clone(&s)))
    }

    /// Ends the session of a process that is about to exit: closes every open
    /// socket of every pane in ascending fd order (what Linux does at exit), so
    /// which side of a connection is left in TIME_WAIT does not depend on the
    /// order a kernel happens to close files in. The process must exit next.
    pub fn close_all_before_exit(self) {
        let fds: Vec<i32> = self
            .panes
            .values()
            .filter_map(|p| {
                p.handle
                    .shared
                    .snapshot
                    .lock()
                    .ok()
                    .map(|s| s.sockets.iter().filter_map(|v| v.fd).collect::<Vec<_>>())
            })
            .flatten()
            .collect();
        sys::close_in_fd_order_before_exit(fds);
        // The pane threads own sockets whose fds are now closed: they must never
        // drop them (that would close numbers the process may have reused), so
        // the session is not dropped and the threads stay parked until exit.
        std::mem::forget(self);
    }

    /// The panes, by name.
    pub fn pane_names(&self) -> Vec<String> {
        self.panes.keys().cloned().collect()
    }
}
