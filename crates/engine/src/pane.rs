//! A pane: one worker thread with its own interpreter, so that a step that
//! blocks in a system call blocks only its pane. The front end talks to it
//! through a channel and reads a snapshot of its names and sockets.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use crate::interp::{Executed, Interp};
use crate::lang::ast::Stmt;
use crate::net::{Wait, Waiter, sys};
use crate::outcome::Exception;
use crate::value::Value;

mod inline;

/// A pane's interpreter, shared by its thread and the front end's thread
/// (which runs steps that cannot block inline). `Interp` is `Send` by
/// construction (its values use `Arc` and locks), so this needs no `unsafe`.
type Local = Interp;

/// How long a waiting side spins before it parks: steps sent back to back
/// (a replayed script) then hand over without a futex wake-up, which costs
/// more than the step itself on some kernels.
pub(crate) const SPIN: Duration = Duration::from_micros(300);

/// Receives from `rx`, spinning for up to `SPIN` before blocking for `timeout`.
/// `polite` spinners yield the core between tries (pane threads, which may
/// outnumber cores); the session's own thread spins without yielding.
pub(crate) fn spin_recv<T>(rx: &Receiver<T>, timeout: Option<Duration>, polite: bool) -> Option<T> {
    let start = Instant::now();
    let mut spins = 0u32;
    loop {
        match rx.try_recv() {
            Ok(v) => return Some(v),
            Err(crossbeam_channel::TryRecvError::Disconnected) => return None,
            Err(crossbeam_channel::TryRecvError::Empty) => {}
        }
        spins += 1;
        if spins.is_multiple_of(32) && start.elapsed() >= SPIN {
            break;
        }
        if polite {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
    match timeout {
        Some(t) => rx.recv_timeout(t.saturating_sub(start.elapsed())).ok(),
        None => rx.recv().ok(),
    }
}

/// Work for a pane's thread: run a Python-form statement as step `step`.
pub(crate) struct Job {
    pub step: u64,
    /// The statement, parsed once when it was submitted (a SyntaxError is
    /// the step's outcome).
    pub parsed: Parsed,
}

/// What a pane's thread reports back (the session turns it into an `Event`).
pub struct Done {
    pub(crate) pane: Arc<str>,
    pub(crate) step: u64,
    pub(crate) executed: Executed,
}

/// A message from a pane's thread to the session, which a front end that
/// waits on `Session::finished_steps` hands back to `Session::event_of`.
pub enum Msg {
    /// A step finished.
    Finished(Box<Done>),
    /// A step started to wait in a call whose condition the kernel says is
    /// unmet (the wait itself is in the pane's `Shared::wait`).
    Waiting { pane: Arc<str>, step: u64 },
    /// A running step printed this text.
    Printed {
        pane: Arc<str>,
        step: u64,
        text: String,
    },
    /// Segments the wire carried while `step` ran (None: while no step ran),
    /// sent by the session itself when a step starts.
    Wire {
        step: Option<(Arc<str>, u64)>,
        segments: Vec<crate::net::wire::Segment>,
    },
}

/// One socket of a pane as the front ends see it.
#[derive(Debug, Clone, PartialEq)]
pub struct SocketView {
    pub name: String,
    /// The fd, or None once closed.
    pub fd: Option<i32>,
    pub family: i32,
    pub kind: i32,
    /// None: blocking; Some(0.0): non-blocking; Some(t): timeout.
    pub timeout: Option<f64>,
}

/// What the front ends may know of a pane without waiting for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PaneSnapshot {
    /// Every name bound in the pane, sorted.
    pub names: Vec<String>,
    /// The current socket of the short forms: name and family.
    pub current: Option<(String, i32)>,
    /// The named sockets, then the `held` last ones: open sockets no name
    /// holds itself, found through a name's containers (`in sel`: a
    /// selector's connections).
    pub sockets: Vec<SocketView>,
    pub held: usize,
}

/// A statement parsed once, shared by every step that runs the same line
/// (see `Session::parse`), or the SyntaxError it raises.
pub type Parsed = Result<Arc<Stmt>, Exception>;

/// State shared between a pane's thread and the front end.
pub(crate) struct Shared {
    interrupt: AtomicBool,
    /// The step the last interrupt was aimed at: an interrupt that comes
    /// before its step has started is kept for it, not dropped.
    interrupt_for: AtomicU64,
    /// The step being run, 0 when idle.
    running: AtomicU64,
    /// The last step that finished.
    finished: AtomicU64,
    call: Mutex<&'static str>,
    /// A block went on to its next line since `call` was entered: the call
    /// returned (a loop that spins is running, not blocked in its last call).
    call_done: AtomicBool,
    /// What the running step waits for, and since when; None while it runs.
    pub wait: Mutex<Option<(Wait, Instant)>>,
    thread: AtomicU64,
    /// What the front ends read; replaced (not edited) when it changes.
    pub snapshot: Mutex<Arc<PaneSnapshot>>,
    /// The interpreter's `generation()` when the snapshot was taken.
    snapshot_of: AtomicU64,
    /// The pane's name, shared with every message that names it.
    pub(crate) name: Arc<str>,
    /// The line of its block the running step is on (0: none yet).
    pub(crate) line: std::sync::atomic::AtomicUsize,
    /// Where a wait is announced (the session's channel).
    notify: Sender<Msg>,
    /// The local ports of the pane's inet sockets, and the ports they
    /// connected or sent to, while the wire is watched (sorted; see
    /// `note_ports`): the wire view keeps the packets of these ports.
    ports: Mutex<Vec<u16>>,
    /// Of those, the ports of the pane's own sockets (a segment from one is
    /// the pane's).
    own_ports: Mutex<Vec<u16>>,
}

/// At most this many ports are remembered per pane (the oldest go first).
const PORTS_KEPT: usize = 4096;

impl Shared {
    fn note_port(&self, port: u16, own: bool) {
        if port == 0 {
            return;
        }
        if own {
            note_in(&self.own_ports, port);
        }
        note_in(&self.ports, port);
    }
}

/// Adds `port` to a sorted list of at most PORTS_KEPT.
fn note_in(list: &Mutex<Vec<u16>>, port: u16) {
    {
        if let Ok(mut ports) = list.lock()
            && let Err(at) = ports.binary_search(&port)
        {
            let at = if ports.len() >= PORTS_KEPT {
                ports.remove(0);
                at.saturating_sub(1)
            } else {
                at
            };
            ports.insert(at, port);
        }
    }
}

/// Notes ports the running step's socket call used (its local port, the
/// port it connected or sent to), for the wire view; nothing unless the wire
/// is watched.
pub fn note_ports(local: u16, aimed: u16) {
    if !crate::net::wire::WATCHING.load(Ordering::Relaxed) {
        return;
    }
    RUNNING.with(|r| {
        if let Some(shared) = r.borrow().as_ref() {
            shared.note_port(local, true);
            shared.note_port(aimed, false);
        }
    });
}

/// The local and peer ports of the pane's open inet sockets, noted after
/// each step while the wire is watched (sockets made by create_connection,
/// accepted connections).
fn note_socket_ports(shared: &Shared, interp: &Interp) {
    if !crate::net::wire::WATCHING.load(Ordering::Relaxed) {
        return;
    }
    for (_, sock) in interp
        .named_sockets()
        .into_iter()
        .chain(interp.held_sockets())
    {
        if sock.family != libc::AF_INET && sock.family != libc::AF_INET6 {
            continue;
        }
        let Some(fd) = sock.raw_fd() else { continue };
        for peer in [false, true] {
            if let Some(port) = sys::sock_name(fd, peer)
                .and_then(|a| a.as_socket())
                .map(|a| a.port())
            {
                shared.note_port(port, !peer);
            }
        }
    }
}

impl Waiter for Shared {
    fn entering(&self, call: &'static str) {
        if let Ok(mut c) = self.call.lock() {
            *c = call;
        }
        self.call_done.store(false, Ordering::Relaxed);
    }

    fn take_interrupt(&self) -> bool {
        self.interrupt.swap(false, Ordering::SeqCst)
    }

    fn waiting(&self, wait: Option<Wait>) {
        let announce = wait.is_some();
        if let Ok(mut w) = self.wait.lock() {
            *w = wait.map(|w| (w, Instant::now()));
        }
        let step = self.running.load(Ordering::SeqCst);
        if announce && step != 0 {
            let _ = self.notify.send(Msg::Waiting {
                pane: self.name.clone(),
                step,
            });
        }
    }

    fn at_line(&self, line: usize) {
        self.line.store(line, Ordering::Relaxed);
        self.call_done.store(true, Ordering::Relaxed);
    }

    fn printed(&self, text: &str) {
        let step = self.running.load(Ordering::SeqCst);
        if step != 0 {
            let _ = self.notify.send(Msg::Printed {
                pane: self.name.clone(),
                step,
                text: text.to_string(),
            });
        }
    }
}

/// The waiter of a step run inline: it was shown not to wait (`inline`),
/// so the kernel is not asked again before each call.
struct Inline<'a> {
    shared: &'a Shared,
    /// The step it runs.
    step: u64,
    /// The step is an attempt (`inline::Verdict::Attempt`).
    attempt: bool,
    /// The attempt's call would have waited.
    missed: std::cell::Cell<bool>,
}

impl Waiter for Inline<'_> {
    fn entering(&self, call: &'static str) {
        self.shared.entering(call);
    }

    fn take_interrupt(&self) -> bool {
        self.shared.take_interrupt()
    }

    fn announces(&self) -> bool {
        false
    }

    fn attempt_only(&self) -> bool {
        self.attempt
    }

    fn would_wait(&self) {
        self.missed.set(true);
    }

    fn printed(&self, text: &str) {
        let _ = self.shared.notify.send(Msg::Printed {
            pane: self.shared.name.clone(),
            step: self.step,
            text: text.to_string(),
        });
    }
}

/// The front end's handle on a pane.
pub(crate) struct PaneHandle {
    jobs: Sender<Job>,
    interp: Arc<Mutex<Local>>,
    pub shared: Arc<Shared>,
}

impl PaneHandle {
    /// Starts the pane's thread; it reports finished steps on `done`.
    pub fn spawn(name: &str, done: Sender<Msg>) -> std::io::Result<PaneHandle> {
        let (jobs, inbox) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            interrupt: AtomicBool::new(false),
            interrupt_for: AtomicU64::new(0),
            running: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            call: Mutex::new(""),
            call_done: AtomicBool::new(false),
            wait: Mutex::new(None),
            thread: AtomicU64::new(0),
            snapshot: Mutex::new(Arc::default()),
            snapshot_of: AtomicU64::new(u64::MAX),
            name: Arc::from(name),
            line: std::sync::atomic::AtomicUsize::new(0),
            notify: done.clone(),
            ports: Mutex::new(Vec::new()),
            own_ports: Mutex::new(Vec::new()),
        });
        let interp = Arc::new(Mutex::new(Interp::new()));
        if let Ok(mut local) = interp.lock() {
            refresh(&shared, &local);
            let watched = shared.clone();
            local.observe(Arc::new(move |interp| refresh(&watched, interp)));
        }
        let worker_shared = shared.clone();
        let worker_interp = interp.clone();
        let pane = shared.name.clone();
        thread::Builder::new()
            .name(format!("pane-{name}"))
            .spawn(move || work(pane, inbox, done, worker_shared, worker_interp))?;
        while shared.thread.load(Ordering::SeqCst) == 0 {
            thread::yield_now();
        }
        Ok(PaneHandle {
            jobs,
            interp,
            shared,
        })
    }

    /// Hands a step to the pane's thread. Until the thread starts it, the
    /// step is in no call yet (not in the last step's).
    pub fn send(&self, job: Job) -> bool {
        self.shared.entering("");
        self.jobs.send(job).is_ok()
    }

    /// Runs a step on the caller's thread when it cannot block (see `inline`),
    /// which saves the hand-over to the pane's thread. The pane must be idle.
    /// Gives the statement back when the step must go to the thread.
    pub fn run_inline(&self, step: u64, parsed: Parsed) -> Result<Executed, Parsed> {
        let Ok(mut local) = self.interp.try_lock() else {
            return Err(parsed);
        };
        let verdict = match &parsed {
            Ok(stmt) => inline::verdict(stmt, &local),
            Err(_) => inline::Verdict::Inline,
        };
        if verdict == inline::Verdict::Thread {
            return Err(parsed);
        }
        self.shared.entering("");
        let waiter = Inline {
            shared: self.shared.as_ref(),
            step,
            attempt: verdict == inline::Verdict::Attempt,
            missed: std::cell::Cell::new(false),
        };
        let executed = as_running(&self.shared, || execute(&mut local, &parsed, &waiter));
        if waiter.missed.get() {
            // Nothing happened: the step runs again where it may wait.
            return Err(parsed);
        }
        refresh(&self.shared, &local);
        Ok(executed)
    }

    /// The ports the pane's sockets used while the wire was watched.
    pub fn ports(&self) -> Vec<u16> {
        self.shared
            .ports
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default()
    }

    /// Whether one of the pane's own sockets had `port` as its local port.
    pub fn owns_port(&self, port: u16) -> bool {
        self.shared
            .own_ports
            .lock()
            .is_ok_and(|p| p.binary_search(&port).is_ok())
    }

    /// `use NAME`: makes NAME the current socket. The pane must be idle.
    pub fn use_socket(&self, name: &str) -> Result<(), String> {
        let mut local = self
            .interp
            .lock()
            .map_err(|_| "the pane is broken".to_string())?;
        local.set_current(name)?;
        refresh(&self.shared, &local);
        Ok(())
    }

    /// The call the running step is in (or was last in), like `accept()`.
    pub fn call(&self) -> &'static str {
        if self.shared.call_done.load(Ordering::Relaxed) {
            return "";
        }
        self.shared.call.lock().map(|c| *c).unwrap_or("")
    }

    /// Interrupts step `step` if it is still running: sets the flag and signals
    /// the thread until the step notices (a signal sent just before the thread
    /// enters its system call would be lost, so it is repeated).
    pub fn interrupt(&self, step: u64) {
        let shared = self.shared.clone();
        shared.interrupt_for.store(step, Ordering::SeqCst);
        shared.interrupt.store(true, Ordering::SeqCst);
        let _ = thread::Builder::new()
            .name("interrupt".into())
            .spawn(move || {
                let until = Instant::now() + Duration::from_secs(5);
                // Until the step notices, or it has finished (it may not have started yet).
                while shared.interrupt.load(Ordering::SeqCst)
                    && shared.finished.load(Ordering::SeqCst) < step
                    && Instant::now() < until
                {
                    sys::interrupt_thread(shared.thread.load(Ordering::SeqCst));
                    thread::sleep(Duration::from_millis(20));
                }
            });
    }
}

/// Takes a new snapshot of the pane when what it shows has changed: a name
/// bound or unbound, the current socket, a socket's fd or timeout. Most steps
/// (a send, a recv) change none of these and cost no allocation here.
fn refresh(shared: &Shared, interp: &Interp) {
    note_socket_ports(shared, interp);
    let Ok(mut s) = shared.snapshot.lock() else {
        return;
    };
    let same_names = shared.snapshot_of.load(Ordering::Relaxed) == interp.generation();
    let same_current = match (&s.current, interp.current()) {
        (None, None) => true,
        (Some((name, family)), Some((n, sock))) => name == n && *family == sock.family,
        _ => false,
    };
    let same_sockets = || {
        let held = interp.held_sockets();
        let (named, shown_held) = s
            .sockets
            .split_at(s.sockets.len() - s.held.min(s.sockets.len()));
        named.iter().all(|v| match interp.get(&v.name) {
            Some(Value::Socket(sock)) => sock.raw_fd() == v.fd && sock.timeout() == v.timeout,
            _ => false,
        }) && held.len() == shown_held.len()
            && held.iter().zip(shown_held).all(|((name, sock), v)| {
                *name == v.name && sock.raw_fd() == v.fd && sock.timeout() == v.timeout
            })
    };
    if same_names && same_current && same_sockets() {
        return;
    }
    *s = Arc::new(snapshot(interp));
    shared
        .snapshot_of
        .store(interp.generation(), Ordering::Relaxed);
}

fn snapshot(interp: &Interp) -> PaneSnapshot {
    let held = interp.held_sockets();
    PaneSnapshot {
        names: interp.names(),
        current: interp.current().map(|(n, s)| (n.to_string(), s.family)),
        held: held.len(),
        sockets: interp
            .named_sockets()
            .into_iter()
            .chain(held)
            .map(|(name, s)| SocketView {
                name,
                fd: s.raw_fd(),
                family: s.family,
                kind: s.kind,
                timeout: s.timeout(),
            })
            .collect(),
    }
}

thread_local! {
    /// The pane whose step runs on this thread, so that a long computation
    /// can see an interrupt (`interrupted`) as a socket call does.
    static RUNNING: std::cell::RefCell<Option<Arc<Shared>>> = const { std::cell::RefCell::new(None) };
}

/// Whether the step running on this thread was interrupted (Ctrl-C); reading
/// it clears it. Long computations (making millions of items) ask it now and
/// then and end with KeyboardInterrupt, as CPython checks for signals.
pub fn interrupted() -> bool {
    RUNNING.with(|r| r.borrow().as_ref().is_some_and(|s| s.take_interrupt()))
}

/// Runs `f` with `shared` as this thread's running pane.
fn as_running<T>(shared: &Arc<Shared>, f: impl FnOnce() -> T) -> T {
    let was = RUNNING.with(|r| r.replace(Some(shared.clone())));
    let out = f();
    RUNNING.with(|r| *r.borrow_mut() = was);
    out
}

thread_local! {
    /// Set while this thread runs a step, whose panic `execute` catches.
    static IN_STEP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is running a step: a panic here is caught and becomes
/// the step's SystemError outcome, so panic hooks must leave the screen alone
/// (the interface keeps its terminal and keys) and print nothing.
pub fn in_step() -> bool {
    IN_STEP.with(|s| s.get())
}

/// Installs a panic hook that stays silent for panics `execute` catches
/// (their message is the step's outcome) and reports the others as usual.
pub fn quiet_step_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !in_step() {
            previous(info);
        }
    }));
}

/// Runs a parsed statement. A bug in sockplay must not take the pane down with
/// it: a panic becomes the step's outcome, and the pane goes on with its names.
fn execute(interp: &mut Interp, parsed: &Parsed, waiter: &dyn Waiter) -> Executed {
    let stmt = match parsed {
        Ok(stmt) => stmt,
        Err(e) => {
            return Executed::error(e.clone());
        }
    };
    let was = IN_STEP.with(|s| s.replace(true));
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| interp.run(stmt, waiter)));
    IN_STEP.with(|s| s.set(was));
    result.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let message = format!("internal error in sockplay: {why} (please report it)");
        Executed::error(Exception::new("SystemError", message))
    })
}

fn work(
    pane: Arc<str>,
    inbox: Receiver<Job>,
    done: Sender<Msg>,
    shared: Arc<Shared>,
    interp: Arc<Mutex<Local>>,
) {
    shared.thread.store(sys::current_thread(), Ordering::SeqCst);
    while let Some(Job { step, parsed }) = spin_recv(&inbox, None, true) {
        let Ok(mut local) = interp.lock() else {
            return;
        };
        shared.running.store(step, Ordering::SeqCst);
        // An interrupt for an earlier step is void; one for this step, sent
        // before it started, stands.
        let for_this = shared.interrupt_for.load(Ordering::SeqCst) == step;
        shared.interrupt.fetch_and(for_this, Ordering::SeqCst);
        shared.entering("");
        shared.line.store(0, Ordering::Relaxed);
        let executed = as_running(&shared, || execute(&mut local, &parsed, shared.as_ref()));
        refresh(&shared, &local);
        drop(local);
        shared.waiting(None);
        shared.running.store(0, Ordering::SeqCst);
        shared.finished.store(step, Ordering::SeqCst);
        if done
            .send(Msg::Finished(Box::new(Done {
                pane: pane.clone(),
                step,
                executed,
            })))
            .is_err()
        {
            return;
        }
    }
}
