//! The facts that explain an outcome: the socket call a step made, the
//! socket's kind, its state before and after the call as the kernel and this
//! side's own history tell them, and how many bytes the call moved.
//! `explain` chooses its words from these, never from the exception class alone.

use std::sync::atomic::{AtomicU8, Ordering};

/// What this side did to a socket, which the kernel does not say afterwards.
#[derive(Debug, Default)]
pub struct History(AtomicU8);

const SHUT_RD: u8 = 1;
const SHUT_WR: u8 = 2;
const CONNECTED: u8 = 4;
const RESET: u8 = 8;

impl History {
    /// A socket that has a peer from the start (accepted, or one of a pair).
    pub fn connected() -> History {
        History(AtomicU8::new(CONNECTED))
    }

    fn set(&self, bit: u8) {
        self.0.fetch_or(bit, Ordering::Relaxed);
    }

    fn has(&self, bit: u8) -> bool {
        self.0.load(Ordering::Relaxed) & bit != 0
    }

    /// `shutdown(how)` succeeded.
    pub fn shut_down(&self, how: i32) {
        match how {
            libc::SHUT_RD => self.set(SHUT_RD),
            libc::SHUT_WR => self.set(SHUT_WR),
            libc::SHUT_RDWR => self.set(SHUT_RD | SHUT_WR),
            _ => {}
        }
    }

    /// The socket had a peer.
    pub fn saw_peer(&self) {
        self.set(CONNECTED);
    }

    /// A call reported ECONNRESET.
    pub fn saw_reset(&self) {
        self.set(RESET);
    }
}

/// A socket as it was just before or just after a call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// close() released it.
    pub closed: bool,
    /// The kernel's connection state, as the socket table names it
    /// (`ESTABLISHED`, `CLOSE_WAIT`, `CONNECTED`...); None for datagram sockets.
    pub state: Option<&'static str>,
    pub listening: bool,
    /// It has a peer address now.
    pub connected: bool,
    /// It had a peer at some time: connected, accepted, or seen connected.
    pub was_connected: bool,
    /// This side shut down reading (SHUT_RD or SHUT_RDWR).
    pub shut_rd: bool,
    /// This side shut down writing (SHUT_WR or SHUT_RDWR).
    pub shut_wr: bool,
    /// The peer's end of stream has arrived: its FIN (TCP), its close or
    /// SHUT_WR (Unix), and not a reset.
    pub peer_fin: bool,
    /// An error waits in SO_ERROR for the next call (a reset, a refusal).
    pub error_pending: bool,
    /// The connection was reset: the error is pending or was reported, or the
    /// TCP connection is CLOSED though this side never finished sending.
    pub reset: bool,
}

impl State {
    /// What `history` says, without asking the kernel.
    pub fn remembered(history: &History) -> State {
        State {
            was_connected: history.has(CONNECTED),
            shut_rd: history.has(SHUT_RD),
            shut_wr: history.has(SHUT_WR),
            reset: history.has(RESET),
            ..State::default()
        }
    }

    /// A closed socket: only this side's history is left.
    pub fn closed(history: &History) -> State {
        State {
            closed: true,
            was_connected: history.has(CONNECTED),
            shut_rd: history.has(SHUT_RD),
            shut_wr: history.has(SHUT_WR),
            reset: history.has(RESET),
            ..State::default()
        }
    }

    /// Reads an open socket's state: `fd` of `family` and `kind`, with what
    /// this side did to it.
    pub fn read(fd: std::os::fd::RawFd, family: i32, kind: i32, history: &History) -> State {
        let connected = super::sys::sock_name(fd, true).is_some();
        if connected {
            history.saw_peer();
        }
        let (state, _) = super::inspect::state(fd, family, kind, connected);
        let events = super::sys::pending_events(fd, libc::POLLRDHUP);
        let mut s = State {
            state,
            listening: state == Some("LISTEN"),
            connected,
            error_pending: events & libc::POLLERR != 0,
            ..State::closed(history)
        };
        s.closed = false;
        let tcp = family == libc::AF_INET || family == libc::AF_INET6;
        // A TCP connection that this side did not finish is CLOSED only after a reset.
        s.reset = kind != libc::SOCK_DGRAM
            && (s.reset
                || s.error_pending && s.was_connected
                || tcp && state == Some("CLOSED") && s.was_connected && !s.shut_wr);
        // POLLRDHUP means reading is over: by this side's SHUT_RD, a reset, or the peer's FIN.
        let fin_state = matches!(
            state,
            Some("CLOSE_WAIT" | "LAST_ACK" | "CLOSING" | "TIME_WAIT")
        );
        s.peer_fin = kind != libc::SOCK_DGRAM
            && !s.reset
            && (fin_state || (events & libc::POLLRDHUP != 0 && !s.shut_rd));
        s
    }
}

/// The facts of the last socket call a step made.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFacts {
    /// The method called (`recv`, `sendall`...).
    pub method: &'static str,
    pub family: i32,
    pub kind: i32,
    /// What this side had done to the socket before the call (its history
    /// only: the kernel is not asked before a call, which would cost every call).
    pub before: State,
    /// The socket's state after the call, as the kernel and the history tell
    /// it; read only when the outcome may need it (an exception, `b''`, a short
    /// MSG_WAITALL read), None otherwise. A call that fails leaves the
    /// connection's state as it found it, so this is also its state before.
    pub after: Option<State>,
    /// The flags passed to a send or receive (MSG_WAITALL, MSG_TRUNC...).
    pub flags: i32,
    /// For a receive: the bytes asked for, and received.
    pub asked: Option<usize>,
    pub received: Option<usize>,
    /// A datagram longer than the buffer: its real length (the rest was discarded).
    pub datagram: Option<usize>,
    /// For a send: the bytes the kernel took, of how many (also when the call
    /// failed or was interrupted part way).
    pub sent: Option<(usize, usize)>,
    /// The exception the call raised, as (class, errno); None when it returned.
    pub raised: Option<(std::borrow::Cow<'static, str>, Option<i32>)>,
    /// The socket's local address, read only while the wire is watched.
    pub local: Option<std::net::SocketAddr>,
    /// The segment on the wire that explains the outcome (the peer's FIN for
    /// `b''`, its RST for a reset): its number and flags, set by the session
    /// while the wire is watched.
    pub cited: Option<(u64, &'static str)>,
}

impl CallFacts {
    pub fn stream(&self) -> bool {
        self.kind == libc::SOCK_STREAM
    }

    pub fn tcp(&self) -> bool {
        self.stream() && (self.family == libc::AF_INET || self.family == libc::AF_INET6)
    }

    pub fn unix(&self) -> bool {
        self.family == libc::AF_UNIX
    }
}

/// What a call moved, filled in by the call as it goes.
#[derive(Debug, Default, Clone, Copy)]
pub struct Moved {
    pub flags: i32,
    pub asked: Option<usize>,
    pub received: Option<usize>,
    pub datagram: Option<usize>,
    pub sent: Option<(usize, usize)>,
}

/// The methods whose facts are worth reading the kernel for: those that
/// connect, move data or end a connection. Others record no facts.
pub fn tracked(method: &str) -> Option<&'static str> {
    const TRACKED: &[&str] = &[
        "accept",
        "bind",
        "connect",
        "connect_ex",
        "listen",
        "recv",
        "recvfrom",
        "send",
        "sendall",
        "sendto",
        "shutdown",
        "getpeername",
    ];
    TRACKED.iter().find(|m| **m == method).copied()
}
