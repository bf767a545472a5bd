//! A pane: one worker thread with its own interpreter, so that a step that
//! blocks in a system call blocks only its pane. The front end talks to it
//! through a channel and reads a snapshot of its names and sockets.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use crate::interp::{Executed, Interp};
use crate::lang::parse_statement;
use crate::net::{Waiter, sys};
use crate::outcome::{Exception, Outcome};

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

/// Work for a pane's thread.
pub(crate) enum Job {
    /// Run a Python-form statement as step `step`.
    Step { step: u64, input: String },
    /// `use NAME`: change the current socket.
    Use(String),
}

/// What a pane's thread reports back.
pub(crate) struct Done {
    pub pane: String,
    pub step: u64,
    pub executed: Executed,
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
    pub sockets: Vec<SocketView>,
}

/// State shared between a pane's thread and the front end.
pub(crate) struct Shared {
    interrupt: AtomicBool,
    /// The step being run, 0 when idle.
    running: AtomicU64,
    call: Mutex<&'static str>,
    thread: AtomicU64,
    pub snapshot: Mutex<PaneSnapshot>,
}

impl Waiter for Shared {
    fn entering(&self, call: &'static str) {
        if let Ok(mut c) = self.call.lock() {
            *c = call;
        }
    }

    fn take_interrupt(&self) -> bool {
        self.interrupt.swap(false, Ordering::SeqCst)
    }
}

/// The front end's handle on a pane.
pub(crate) struct PaneHandle {
    jobs: Sender<Job>,
    pub shared: Arc<Shared>,
}

impl PaneHandle {
    /// Starts the pane's thread; it reports finished steps on `done`.
    pub fn spawn(name: &str, done: Sender<Done>) -> std::io::Result<PaneHandle> {
        let (jobs, inbox) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            interrupt: AtomicBool::new(false),
            running: AtomicU64::new(0),
            call: Mutex::new(""),
            thread: AtomicU64::new(0),
            snapshot: Mutex::new(PaneSnapshot::default()),
        });
        let worker_shared = shared.clone();
        let pane = name.to_string();
        thread::Builder::new()
            .name(format!("pane-{name}"))
            .spawn(move || work(pane, inbox, done, worker_shared))?;
        while shared.thread.load(Ordering::SeqCst) == 0 {
            thread::yield_now();
        }
        Ok(PaneHandle { jobs, shared })
    }

    pub fn send(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }

    /// The call the running step is in (or was last in), like `accept()`.
    pub fn call(&self) -> &'static str {
        self.shared.call.lock().map(|c| *c).unwrap_or("")
    }

    /// Interrupts step `step` if it is still running: sets the flag and signals
    /// the thread until the step notices (a signal sent just before the thread
    /// enters its system call would be lost, so it is repeated).
    pub fn interrupt(&self, step: u64) {
        let shared = self.shared.clone();
        shared.interrupt.store(true, Ordering::SeqCst);
        let _ = thread::Builder::new()
            .name("interrupt".into())
            .spawn(move || {
                let until = Instant::now() + Duration::from_secs(5);
                while shared.interrupt.load(Ordering::SeqCst)
                    && shared.running.load(Ordering::SeqCst) == step
                    && Instant::now() < until
                {
                    sys::interrupt_thread(shared.thread.load(Ordering::SeqCst));
                    thread::sleep(Duration::from_millis(20));
                }
            });
    }
}

fn snapshot(interp: &Interp) -> PaneSnapshot {
    PaneSnapshot {
        names: interp.names(),
        current: interp.current().map(|(n, s)| (n.to_string(), s.family)),
        sockets: interp
            .named_sockets()
            .into_iter()
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

fn work(pane: String, inbox: Receiver<Job>, done: Sender<Done>, shared: Arc<Shared>) {
    shared.thread.store(sys::current_thread(), Ordering::SeqCst);
    let mut interp = Interp::new();
    if let Ok(mut s) = shared.snapshot.lock() {
        *s = snapshot(&interp);
    }
    while let Some(job) = spin_recv(&inbox, None, true) {
        match job {
            Job::Use(name) => {
                let _ = interp.set_current(&name);
            }
            Job::Step { step, input } => {
                shared.running.store(step, Ordering::SeqCst);
                shared.interrupt.store(false, Ordering::SeqCst);
                shared.entering("");
                // A bug in sockplay must not take the pane down with it: it becomes
                // the step's outcome, and the pane goes on with its namespace.
                let executed =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(
                        || match parse_statement(&input) {
                            Ok(stmt) => interp.run(&stmt, shared.as_ref()),
                            Err(e) => Executed {
                                outcome: Outcome::Error(e),
                                stdout: String::new(),
                            },
                        },
                    ))
                    .unwrap_or_else(|panic| {
                        let why = panic
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_default();
                        let message =
                            format!("internal error in sockplay: {why} (please report it)");
                        Executed {
                            outcome: Outcome::Error(Exception::new("SystemError", message)),
                            stdout: String::new(),
                        }
                    });
                if let Ok(mut s) = shared.snapshot.lock() {
                    *s = snapshot(&interp);
                }
                shared.running.store(0, Ordering::SeqCst);
                if done
                    .send(Done {
                        pane: pane.clone(),
                        step,
                        executed,
                    })
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}
