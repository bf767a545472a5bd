//! The socket model: Python socket objects on socket2, with CPython's semantics
//! for blocking, non-blocking and timeout modes, errors and addresses.
//!
//! Blocking calls are real blocking system calls, as in CPython; a pane is
//! interrupted by a signal aimed at its thread (`sys::interrupt_thread`), which
//! makes the call fail with EINTR, turned into `KeyboardInterrupt`.

pub mod error;
pub mod facts;
pub mod inspect;
pub mod sock;
pub mod sys;
pub mod wire;

pub use error::NetError;

/// What a call that waits is waiting for: the kernel condition that releases
/// it, asked of the kernel before the call waits (SPEC section 5).
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    /// The call, as `accept()`.
    pub call: &'static str,
    /// The fds and poll(2) events, any one of which releases it.
    pub on: Vec<(std::os::fd::RawFd, libc::c_short)>,
    /// A recv with MSG_WAITALL: the bytes it needs before it returns.
    pub bytes: Option<usize>,
    /// Whether it gives up by itself after a timeout (a socket timeout, select's).
    pub timeout: bool,
    /// For a receive on a connected stream: its (local, remote) addresses, so
    /// that bytes its peer still holds back (Nagle's algorithm waits for an
    /// ACK) count as coming: they release it without another step.
    pub from: Option<(String, String)>,
}

impl Wait {
    /// Whether the kernel ends this wait by itself, with no step of any pane:
    /// a TCP handshake in progress (a blocking `connect`, answered by the
    /// peer's kernel even before `accept`). Its "unmet" lasts microseconds on
    /// loopback, or longer when the machine is busy: it is paced like a wait
    /// with a timeout. (A Unix connect waiting for room in a full backlog
    /// waits on no fd: another step must accept.)
    pub fn paced(&self) -> bool {
        self.call == "connect()" && !self.on.is_empty()
    }

    /// What it waits for, in words.
    pub fn condition(&self) -> &'static str {
        match self.call {
            "accept()" => "a connection to accept",
            "connect()" => "the connection to be made",
            "select()" => "a socket to be ready",
            c if c.starts_with("send") => "room in the send buffer",
            _ => "data to read",
        }
    }

    /// Whether the kernel says the condition is met now (so the call returns
    /// at once). An end of stream, a hang-up or an error releases any wait.
    pub fn met(&self) -> bool {
        let released = libc::POLLHUP | libc::POLLERR | libc::POLLRDHUP;
        self.on.iter().any(|&(fd, events)| {
            let ready = sys::pending_events(fd, events | libc::POLLRDHUP);
            if ready & released != 0 {
                return true;
            }
            match self.bytes {
                Some(n) if ready & events != 0 => {
                    sys::ioctl_int(fd, libc::FIONREAD).is_some_and(|q| q.max(0) as usize >= n)
                }
                _ => ready & events != 0,
            }
        })
    }
}

/// Whether a socket among `fds` is the peer of the connection `(local,
/// remote)` and has bytes on their way to it: bytes it holds back (Nagle's
/// algorithm waits for an ACK) or bytes sent but not yet acknowledged
/// (SIOCOUTQ), which on loopback are in flight for microseconds (or longer,
/// when the machine is busy and the kernel defers their delivery). Either way
/// they arrive without any step: the wait for them is not blocked.
pub fn peer_holds_bytes(fds: &[std::os::fd::RawFd], (local, remote): &(String, String)) -> bool {
    const SIOCOUTQ: libc::c_ulong = 0x5411;
    fds.iter().any(|&fd| {
        let name = |peer| sys::sock_name(fd, peer).map(|a| inspect::show_addr(&a));
        name(false).as_deref() == Some(remote.as_str())
            && name(true).as_deref() == Some(local.as_str())
            && sys::ioctl_int(fd, SIOCOUTQ).is_some_and(|n| n > 0)
    })
}

/// What a blocking call tells its pane, and asks it.
pub trait Waiter {
    /// The pane is about to make `call`, which may block (`accept()`).
    fn entering(&self, call: &'static str);
    /// Whether an interrupt was requested; reading it clears it.
    fn take_interrupt(&self) -> bool;
    /// The call is about to wait for `wait` (the kernel said its condition is
    /// unmet); None: it waits no more.
    fn waiting(&self, _wait: Option<Wait>) {}
    /// Whether waits are to be asked of the kernel and announced; a step run
    /// inline was shown not to wait, and skips the question.
    fn announces(&self) -> bool {
        true
    }
    /// Whether a call that would wait is to be tried once without waiting
    /// (MSG_DONTWAIT) instead of asking poll first: a step tried on the front
    /// end's thread. If it would wait, the call says so with `would_wait`,
    /// and the step runs again on the pane's thread, where it may wait.
    fn attempt_only(&self) -> bool {
        false
    }
    /// The attempt found that the call would wait: nothing was done.
    fn would_wait(&self) {}
    /// The step printed `text` (a `print` call), while it goes on running.
    fn printed(&self, _text: &str) {}
    /// The step's block is now at line `line` of its text.
    fn at_line(&self, _line: usize) {}
}

/// A waiter for code that is never interrupted (tests, one-off calls).
pub struct NoWaiter;

impl Waiter for NoWaiter {
    fn entering(&self, _call: &'static str) {}
    fn take_interrupt(&self) -> bool {
        false
    }
}
