//! Explanations chosen from the facts of the socket call that produced an
//! outcome (its socket's kind, state before and after, bytes moved), for the
//! outcomes whose cause the exception class alone does not tell.
//! Every text here is true of every state that reaches it; when the facts do
//! not settle a cause, the text names only what is sure.

use super::Explanation;
use crate::net::facts::{CallFacts, State};
use crate::outcome::{Exception, Outcome};

fn why(short: impl Into<String>, long: impl Into<String>) -> Option<Explanation> {
    Some(Explanation {
        short: short.into(),
        long: long.into(),
    })
}

/// Whether the outcome is the one the call produced: the exception it raised,
/// or its value when it returned.
fn produced(facts: &CallFacts, outcome: &Outcome) -> bool {
    match (outcome, &facts.raised) {
        (Outcome::Error(e), Some((class, errno))) => e.class == *class && e.errno == *errno,
        (Outcome::Ok(_), None) => true,
        _ => false,
    }
}

fn receives(facts: &CallFacts) -> bool {
    matches!(facts.method, "recv" | "recvfrom")
}

fn sends(facts: &CallFacts) -> bool {
    matches!(facts.method, "send" | "sendall" | "sendto")
}

/// The state's name for a sentence: ` (your socket is in CLOSE_WAIT)`.
fn in_state(state: &State) -> String {
    match state.state {
        Some(name) if !state.closed => format!(" (your socket is in {name})"),
        _ => String::new(),
    }
}

/// The explanation the facts give for `outcome`, if they settle one.
pub fn explain(facts: &CallFacts, outcome: &Outcome) -> Option<Explanation> {
    if !produced(facts, outcome) {
        return None;
    }
    match outcome {
        Outcome::Ok(repr) => value(facts, repr),
        Outcome::Error(e) => error(facts, e),
    }
}

/// Values that surprise: `b''`, a cut datagram, a short send or MSG_WAITALL read.
fn value(f: &CallFacts, repr: &str) -> Option<Explanation> {
    if receives(f) {
        let (asked, received) = (f.asked?, f.received?);
        if let Some(length) = f.datagram {
            if f.flags & libc::MSG_TRUNC != 0 {
                return why(
                    format!(
                        "MSG_TRUNC returns the datagram's real length ({length}): the {} bytes past your buffer were not received, and sockplay shows them as zero bytes",
                        length - asked.min(length)
                    ),
                    "With MSG_TRUNC the kernel reports how long the datagram really was, even when it was longer than the buffer you asked for; the part that did not fit is discarded. CPython returns a bytes object of that full length whose tail is whatever was in its memory; sockplay keeps the length (it is how you see the datagram's size) and fills the bytes that were not received with zeros.",
                );
            }
            return why(
                format!(
                    "the datagram was {length} bytes long and the buffer {asked}: the other {} bytes were discarded, for a datagram is read whole or cut, never in pieces",
                    length - asked
                ),
                "Each recv() on a datagram socket takes exactly one datagram. When the buffer is smaller than the datagram, the kernel copies what fits and throws the rest away: the next recv() returns the next datagram, not the rest of this one. Ask for at least the largest datagram you expect (65,507 bytes covers any UDP datagram over IPv4).",
            );
        }
        if received == 0 && (repr == "b''" || repr.starts_with("(b'',")) {
            return empty(f, asked);
        }
        if f.flags & libc::MSG_WAITALL != 0 && received < asked && f.stream() {
            return if f.after.as_ref().is_some_and(|a| a.peer_fin) {
                why(
                    format!(
                        "MSG_WAITALL waits for all {asked} bytes, but the peer ended the stream after {received}"
                    ),
                    "MSG_WAITALL makes recv() wait until the whole buffer is filled. It returns less when the stream ends first (the peer closed or shut down writing), as here, or when an error, a timeout or a signal ends the wait.",
                )
            } else {
                why(
                    format!(
                        "MSG_WAITALL returned {received} of {asked} bytes: the wait ends early at end of stream, on an error, a timeout or a signal"
                    ),
                    "MSG_WAITALL makes recv() wait until the whole buffer is filled, but the kernel still returns what it has when the stream ends, an error or a timeout occurs, or a signal interrupts the wait.",
                )
            };
        }
        return None;
    }
    if f.method == "send"
        && let Some((n, total)) = f.sent
        && n < total
    {
        return why(
            format!("only {n} of {total} bytes fit in the send buffer; the rest was not sent"),
            format!(
                "send() copies what fits into the socket's send buffer and returns how many bytes that was: {n} of {total}. The other {} bytes were not sent; your program must send them again. sendall() loops until everything is sent (or fails).",
                total - n
            ),
        );
    }
    None
}

/// Why a receive returned `b''`: one of five different things.
fn empty(f: &CallFacts, asked: usize) -> Option<Explanation> {
    if asked == 0 {
        return why(
            "you asked for 0 bytes: recv(0) returns b'' without reading anything, whatever is waiting",
            "CPython answers a request for zero bytes with b'' before any system call. It says nothing about the connection: data may be waiting, and the peer may still be sending.",
        );
    }
    if f.kind == libc::SOCK_DGRAM {
        return why(
            "an empty datagram arrived: on a datagram socket b'' is a message of length zero, not an end of stream",
            "Datagram sockets have no connection to end, so b'' never means \"closed\" there: someone sent a datagram with no data (sendto(b'', address)), and this recv() took it. The next recv() waits for the next datagram.",
        );
    }
    let b = &f.before;
    if b.shut_rd {
        return why(
            "you shut down reading on this socket (SHUT_RD): recv() returns b'' instead of waiting, whatever the peer sends",
            "shutdown(SHUT_RD) tells the kernel this side will not read any more. recv() then returns b'' as soon as the buffer is empty, as at end of stream, though the peer has closed nothing.",
        );
    }
    let a = f.after.as_ref()?;
    if b.reset || a.reset {
        return why(
            "the connection was reset, and an earlier call reported it: after that, recv() returns b''",
            "A reset (RST) ends a connection at once. The first call after it fails (ConnectionResetError, or BrokenPipeError for a send); from then on the connection is simply over, and recv() returns b'' like at end of stream.",
        );
    }
    if a.peer_fin && b.shut_wr {
        return why(
            format!(
                "end of stream: the peer has finished sending too, after you shut down writing, so the connection is over in both directions{}",
                in_state(a)
            ),
            "You had called shutdown(SHUT_WR) (your FIN), and now the peer's FIN has arrived and everything it sent has been read. Both directions are finished: nothing more can be sent or received on this connection; close() the socket.",
        );
    }
    if a.peer_fin && f.tcp() {
        return why(
            format!(
                "b'' means end of stream: the peer has finished sending (close() or shutdown(SHUT_WR)) and everything it sent has been read{}",
                in_state(a)
            ),
            "recv() returns b'' only when the connection has ended in this direction: the peer called close() or shutdown(SHUT_WR), its FIN arrived, and no data is left in the receive buffer. In CLOSE_WAIT the kernel waits for you to close your side too. It is not an error, and further recv() calls return b'' again.",
        );
    }
    if a.peer_fin {
        return why(
            "b'' means end of stream: the peer has finished sending (close() or shutdown(SHUT_WR)) and everything it sent has been read",
            "recv() returns b'' only when the peer will send nothing more and no data is left in the receive buffer. It is not an error, and further recv() calls return b'' again.",
        );
    }
    None
}

fn error(f: &CallFacts, e: &Exception) -> Option<Explanation> {
    let b = &f.before;
    let a = f.after.clone().unwrap_or_default();
    match (e.class.as_ref(), e.errno) {
        ("BrokenPipeError", _) if sends(f) => broken_pipe(f),
        ("ConnectionResetError", _) if f.unix() => why(
            "the peer closed while data you had sent was still unread in its buffer, so the kernel reports a reset instead of an end of stream",
            "A Unix stream socket closed with unread data in its receive buffer makes its peer's next call fail with ECONNRESET: what was sent was never read, and the kernel says so instead of returning b''.",
        ),
        ("ConnectionRefusedError", _) if f.kind == libc::SOCK_DGRAM => why(
            "an earlier datagram to that port was answered with \"port unreachable\": nothing listens there, and a connected UDP socket reports it on its next call",
            "UDP has no handshake, so sending succeeds even to a port where nothing listens. The other machine's kernel answers with an ICMP port-unreachable message; a connected UDP socket keeps it as a pending error, and the next call fails with ECONNREFUSED.",
        ),
        ("ConnectionRefusedError", _) if f.unix() => why(
            "a socket file exists at that path, but no socket listens on it (its server closed; the file stays until it is removed)",
            "A Unix socket's address is a file. It stays after the server closes, and a connect() to it then fails with ECONNREFUSED. The server removes it (os.unlink) before binding again.",
        ),
        ("FileNotFoundError", _) if f.unix() && f.method == "bind" => why(
            "a folder in that path does not exist, so the socket's file cannot be created",
            "bind() on a Unix socket creates a file at the path; the folders leading to it must exist.",
        ),
        ("FileNotFoundError", _) if f.unix() => why(
            "no socket file exists at that path: the server has not bound it yet, or it was removed",
            "A Unix socket's address is a file created by the server's bind(). Until it exists, connecting to it fails with ENOENT.",
        ),
        ("OSError", Some(libc::EADDRINUSE)) if f.unix() && f.method == "bind" => why(
            "a file already exists at that path: a Unix socket's file stays after close() until it is removed (os.unlink)",
            "bind() on a Unix socket creates its file, and fails with EADDRINUSE when any file is already there, including the file of a socket that has since been closed. Remove it before binding again.",
        ),
        ("PermissionError", _) if f.unix() => why(
            "you may not create or use a file at that path (the folder's permissions)",
            "A Unix socket's address is a file, so the file system's permissions decide who may bind or connect to it.",
        ),
        ("PermissionError", _) if f.kind == libc::SOCK_DGRAM && sends(f) => why(
            "sending to a broadcast address needs setsockopt(SOL_SOCKET, SO_BROADCAST, 1) first",
            "The kernel refuses a datagram to a broadcast address (EACCES) unless the socket says it means it, with the SO_BROADCAST option.",
        ),
        ("PermissionError", _) if f.method == "bind" => why(
            "ports below 1024 are privileged: only root may bind them",
            "Ports below 1024 are reserved for the system's services; binding one needs privileges. Use a port above 1024.",
        ),
        ("OSError", Some(libc::ENOTCONN)) if b.was_connected && f.stream() => why(
            "the connection is over (reset, or closed in both directions), so the socket has no peer any more",
            "A stream socket's connection ends with a reset or when both sides have finished; the socket then has no peer, and calls that need one (shutdown, getpeername, a receive) fail with ENOTCONN. Close it.",
        ),
        ("OSError", Some(libc::EINVAL)) if f.method == "bind" && a.connected => why(
            "the socket is already bound: connect() gave it a local address, and a socket is bound once",
            "connect() binds a socket to a local address implicitly (an ephemeral port). bind() afterwards fails with EINVAL.",
        ),
        ("OSError", Some(libc::EINVAL)) if f.method == "listen" && a.connected => why(
            "a connected socket cannot listen: listen() is for a socket that waits for connections",
            "A socket either connects to a peer or listens for peers, not both. Make another socket to listen.",
        ),
        ("OSError", Some(libc::EINVAL)) if f.method == "accept" && f.stream() => why(
            "accept() needs a listening socket: call listen() first",
            "Only a socket in LISTEN state has an accept queue. bind() then listen() make one.",
        ),
        ("BlockingIOError", Some(libc::EAGAIN)) if receives(f) && f.kind == libc::SOCK_DGRAM => {
            why(
                "the socket is non-blocking and no datagram is waiting, so the kernel returns EAGAIN instead of waiting",
                "A non-blocking socket never waits: recv() on a datagram socket with an empty queue fails with EAGAIN (BlockingIOError). Wait with select() or make the socket blocking.",
            )
        }
        ("KeyboardInterrupt", _) => interrupted(f),
        ("TimeoutError", None) => timed_out(f),
        _ => None,
    }
}

/// EPIPE has four different causes, which this side's history and the
/// socket's state tell apart (a failed send leaves the state as it found it).
fn broken_pipe(f: &CallFacts) -> Option<Explanation> {
    let b = &f.before;
    let a = f.after.as_ref()?;
    if b.shut_wr {
        return why(
            "you shut down writing on this socket (shutdown(SHUT_WR)): it can still receive, but every send fails with EPIPE",
            "shutdown(SHUT_WR) sent your FIN: it told the peer you have finished sending. The socket stays open for reading, but the kernel refuses any further send with EPIPE (BrokenPipeError).",
        );
    }
    if a.listening {
        return why(
            "a listening socket has no peer to send to: send on the socket that accept() returned",
            "A listener only accepts connections; each accepted connection is a new socket (the first item of accept()'s tuple), and that is the one to send and receive on. On Linux a send on the listener fails with EPIPE.",
        );
    }
    if f.unix() {
        return why(
            "the peer closed its end: on a Unix socket a send to a closed peer fails at once with EPIPE",
            "A Unix stream socket knows at once when its peer is closed: there is no network in between, so the first send after the peer's close fails with EPIPE (BrokenPipeError). Python ignores the SIGPIPE that would otherwise kill the process.",
        );
    }
    if a.reset {
        return why(
            "the connection was reset by the peer: after it closed, its kernel answered with RST, so every send now fails with EPIPE",
            "After the peer closes, a send still succeeds: the bytes leave, and the peer's kernel, having no socket to give them to, answers with RST (it does so too when it closes with unread data). From then on the connection is reset and every send fails with EPIPE (BrokenPipeError). Python ignores the SIGPIPE that would otherwise kill the process.",
        );
    }
    if !a.connected {
        return why(
            "this socket has no connection: on Linux, a send on a TCP socket that is not connected fails with EPIPE (not ENOTCONN)",
            "A TCP socket sends only over a connection made by connect() or accept(). Linux answers a send on a socket that never connected, whose connection failed, or whose connection is over, with EPIPE (BrokenPipeError).",
        );
    }
    None
}

/// What Ctrl-C left behind depends on the call it stopped.
fn interrupted(f: &CallFacts) -> Option<Explanation> {
    let long = "Ctrl-C interrupts the system call the pane was blocked in (EINTR), and Python raises KeyboardInterrupt.";
    match f.method {
        "sendall" | "send" | "sendto" => match f.sent {
            Some((n, total)) if n > 0 => why(
                format!(
                    "the interrupt stopped {}() after {n} of {total} bytes: those {n} bytes are on their way to the peer, the other {} were not sent, and the exception does not say how many went",
                    f.method,
                    total - n
                ),
                format!(
                    "{}() sends in pieces, as fast as the peer reads. Ctrl-C stopped it after {n} bytes had been handed to the kernel: they will reach the peer, and the rest will not. The peer therefore receives a cut message; a program that must resend cannot know from KeyboardInterrupt where to start.",
                    f.method
                ),
            ),
            _ => why(
                format!(
                    "you interrupted the blocked {}() before any byte was sent; the socket is still usable",
                    f.method
                ),
                long,
            ),
        },
        "recv" | "recvfrom" | "accept" => why(
            format!(
                "you interrupted the blocked {}(): nothing was taken from the socket, which is still usable",
                f.method
            ),
            format!(
                "{long} The {}() had not returned, so nothing was removed from the socket's queue: call it again and it waits again.",
                f.method
            ),
        ),
        "connect" => match f.after.as_ref().and_then(|a| a.state) {
            Some("SYN_SENT") => why(
                "you interrupted connect(), but the handshake goes on in the kernel (SYN_SENT): connecting again fails with EALREADY",
                format!(
                    "{long} The kernel does not cancel the connection attempt: the SYN was sent and the socket stays in SYN_SENT until an answer or a timeout. Close the socket to give up."
                ),
            ),
            Some("ESTABLISHED") => why(
                "you interrupted connect(), but the connection was made anyway (ESTABLISHED)",
                format!("{long} The handshake had completed by then: the socket is connected."),
            ),
            _ => why("you interrupted connect()", long),
        },
        _ => None,
    }
}

/// What a socket timeout left behind depends on the call it stopped.
fn timed_out(f: &CallFacts) -> Option<Explanation> {
    match f.method {
        "sendall" => match f.sent {
            Some((n, total)) if n > 0 => why(
                format!(
                    "the timeout expired after {n} of {total} bytes had been sent: those are on their way to the peer, the rest was not sent"
                ),
                "sendall() with a timeout gives up when the peer does not read fast enough. What it had handed to the kernel reaches the peer anyway; TimeoutError does not say how much that was.",
            ),
            _ => why(
                "the send buffer stayed full for the whole timeout (the peer is not reading), and nothing was sent",
                "sendall() waits for room in the send buffer; the peer did not read within the socket's timeout.",
            ),
        },
        "send" | "sendto" => why(
            "the send buffer stayed full for the whole timeout (the peer is not reading), and nothing was sent",
            "send() with a timeout waits for room in the send buffer at most that long.",
        ),
        "recv" | "recvfrom" | "accept" => why(
            format!(
                "nothing arrived within the socket's timeout (settimeout): the socket stays usable, and {}() may be called again",
                f.method
            ),
            "A socket with a timeout waits at most that long in each call, then raises TimeoutError ('timed out'). Nothing changed on the socket.",
        ),
        "connect" => why(
            "the handshake did not complete within the socket's timeout",
            "connect() with a timeout sends the SYN and waits that long for the answer. The other side did not answer in time (or dropped the SYN).",
        ),
        _ => None,
    }
}
