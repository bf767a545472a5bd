//! Why an outcome happened, in plain words. The facts of the socket call
//! that produced it choose the text first (`by_facts`); a table of texts that
//! are true whatever the socket's state, tied to an operation and an outcome,
//! covers the rest. Front ends show `short` under a step and `long` for
//! `:explain`. Nothing here knows of a screen.

mod by_facts;

use crate::lang::ast::{Expr, Stmt};
use crate::lang::parse_statement;
use crate::net::facts::CallFacts;
use crate::outcome::{Exception, Outcome};

/// An explanation of one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// One line, shown under the outcome.
    pub short: String,
    /// A few sentences, for `:explain`.
    pub long: String,
}

/// What an entry of the table matches.
enum When {
    /// An exception of this class, with this errno when given.
    Error(&'static str, Option<i32>),
    /// The value `b''`.
    EmptyBytes,
}

struct Entry {
    /// Calls the statement must make (method or function names); empty: any.
    ops: &'static [&'static str],
    when: When,
    short: &'static str,
    long: &'static str,
}

const RECV: &[&str] = &["recv", "recvfrom", "recv_into", "recvfrom_into"];
const SEND: &[&str] = &["send", "sendall", "sendto"];
const CONNECT: &[&str] = &["connect", "create_connection"];

/// The table: the first entry that matches wins, so specific ones come first.
const TABLE: &[Entry] = &[
    Entry {
        ops: RECV,
        when: When::Error("BlockingIOError", Some(libc::EAGAIN)),
        short: "the socket is non-blocking and its receive buffer is empty, so the kernel returns EAGAIN instead of waiting",
        long: "A non-blocking socket never waits. recv() asked the kernel for data, the receive buffer held none, and the peer has not closed, so the kernel answered EAGAIN (\"try again later\") and Python raised BlockingIOError. Compare with b'', which means the peer has closed: an empty buffer and an ended stream are different things. Wait with select() or make the socket blocking to wait for data.",
    },
    Entry {
        ops: &["accept"],
        when: When::Error("BlockingIOError", Some(libc::EAGAIN)),
        short: "the listener is non-blocking and no connection is waiting in its accept queue",
        long: "accept() takes a finished connection from the listener's accept queue. The queue was empty and the socket is non-blocking, so instead of waiting for a client the kernel returned EAGAIN. select() reports the listener readable when a connection is waiting.",
    },
    Entry {
        ops: SEND,
        when: When::Error("BlockingIOError", Some(libc::EAGAIN)),
        short: "the send buffer is full (the peer has not read fast enough), and a non-blocking send cannot wait for room",
        long: "Data you send goes into your socket's send buffer and then into the peer's receive buffer. When the peer does not read, both fill up. A blocking send would wait for room; a non-blocking one fails with EAGAIN. The queues in the socket table show where the bytes are.",
    },
    Entry {
        ops: &["connect"],
        when: When::Error("BlockingIOError", Some(libc::EINPROGRESS)),
        short: "a non-blocking connect starts the handshake and returns at once; the socket becomes writable when it completes",
        long: "connect() on a non-blocking socket sends the SYN and returns EINPROGRESS instead of waiting for the answer. The connection completes in the background: select() reports the socket writable when it is done, and getsockopt(SOL_SOCKET, SO_ERROR) tells whether it succeeded.",
    },
    Entry {
        ops: &["connect"],
        when: When::Error("BlockingIOError", Some(libc::EALREADY)),
        short: "a connection attempt is already in progress on this socket (an earlier non-blocking connect); wait until it is writable",
        long: "A non-blocking connect() returns EINPROGRESS and goes on in the background. Calling connect() again before it finishes fails with EALREADY. select() reports the socket writable when the handshake has ended; getsockopt(SOL_SOCKET, SO_ERROR) then says how.",
    },
    Entry {
        ops: &[],
        when: When::Error("BlockingIOError", None),
        short: "the socket is non-blocking and the call would have had to wait, so the kernel returned EAGAIN",
        long: "On a non-blocking socket every call that would wait fails at once with EAGAIN (BlockingIOError) instead.",
    },
    Entry {
        ops: RECV,
        when: When::EmptyBytes,
        short: "b'' means end of stream: the peer will send nothing more, and everything it sent has been read",
        long: "On a stream socket recv() returns b'' only when the connection has ended in this direction and no data is left in the receive buffer. It is not an error, and further recv() calls return b'' again.",
    },
    Entry {
        ops: CONNECT,
        when: When::Error("ConnectionRefusedError", None),
        short: "nothing listens on that port: the other side's kernel answered the SYN with a reset",
        long: "connect() sends a SYN to the address. No socket was listening there (or its accept queue overflowed), so the kernel answered with RST and connect() failed with ECONNREFUSED. Start the server (bind, listen) first, and check the port.",
    },
    Entry {
        ops: SEND,
        when: When::Error("BrokenPipeError", None),
        short: "writing is no longer possible on this socket, so the kernel answers EPIPE",
        long: "EPIPE (BrokenPipeError) means this socket can no longer send: it was shut down for writing, the connection was reset, or it has no connection. Python ignores the SIGPIPE that would otherwise kill the process.",
    },
    Entry {
        ops: &[],
        when: When::Error("ConnectionResetError", None),
        short: "the peer reset the connection: it closed with unread data in its buffer, or it received data after closing",
        long: "A connection is reset (RST) instead of closed normally (FIN) when a socket is closed while unread data sits in its receive buffer, or when data arrives for a socket that is already gone. The next call on the other side fails with ECONNRESET, and any data still in flight is lost.",
    },
    Entry {
        ops: &["bind"],
        when: When::Error("OSError", Some(libc::EADDRINUSE)),
        short: "another socket holds this address: a listener, or a connection left in TIME_WAIT by an earlier run",
        long: "Only one socket may be bound to an address and port. Either something still listens there, or a connection that used the port is in TIME_WAIT (the side that closed first keeps it for about a minute). setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) before bind() allows binding over TIME_WAIT; it does not allow two listeners.",
    },
    Entry {
        ops: &["bind"],
        when: When::Error("OSError", Some(libc::EINVAL)),
        short: "the socket is already bound (a socket is bound once), or the address does not fit the socket",
        long: "bind() gives a socket its local address, once. A second bind(), or a bind() after connect() has bound it implicitly, fails with EINVAL.",
    },
    Entry {
        ops: &["bind"],
        when: When::Error("OSError", Some(libc::EADDRNOTAVAIL)),
        short: "that address does not belong to any interface of this machine",
        long: "You can only bind to an address this machine has: 127.0.0.1, 0.0.0.0 (all) or one of its interfaces' addresses.",
    },
    Entry {
        ops: &["bind"],
        when: When::Error("PermissionError", None),
        short: "ports below 1024 are privileged: only root may bind them",
        long: "Ports below 1024 are reserved for the system's services; binding one needs privileges. Use a port above 1024.",
    },
    Entry {
        ops: &["accept"],
        when: When::Error("OSError", Some(libc::EINVAL)),
        short: "accept() needs a listening socket: call listen() first",
        long: "Only a socket in LISTEN state has an accept queue. bind() then listen() make one.",
    },
    Entry {
        ops: &[],
        when: When::Error("OSError", Some(libc::ENOTCONN)),
        short: "the socket is not connected: a TCP socket must connect or be accepted before it can send or receive",
        long: "A stream socket has no peer until connect() succeeds or accept() returns it. Calls that need a peer (send, recv, getpeername, shutdown) fail with ENOTCONN.",
    },
    Entry {
        ops: &[],
        when: When::Error("OSError", Some(libc::EISCONN)),
        short: "the socket is already connected; a socket connects once",
        long: "A connected socket stays connected to its peer until it is closed; make a new socket to connect elsewhere.",
    },
    Entry {
        ops: &[],
        when: When::Error("OSError", Some(libc::EBADF)),
        short: "the socket is closed: its file descriptor was released, so no call can use it",
        long: "close() released the file descriptor (fd=-1 in the repr). Every later call on the socket fails with EBADF.",
    },
    Entry {
        ops: &["listen"],
        when: When::Error("OSError", Some(libc::EOPNOTSUPP)),
        short: "UDP sockets have no connections, so there is nothing to listen for",
        long: "listen() and accept() exist for connection-oriented sockets (SOCK_STREAM). A datagram socket receives with recvfrom() directly.",
    },
    Entry {
        ops: &[],
        when: When::Error("TimeoutError", Some(libc::ETIMEDOUT)),
        short: "the other side never answered: the kernel retried for minutes, then gave up",
        long: "ETIMEDOUT comes from the kernel itself, not from a socket timeout: it sent a SYN or data again and again without any answer (a host that is down, or a firewall that drops packets), and gave up.",
    },
    Entry {
        ops: SEND,
        when: When::Error("OSError", Some(libc::EMSGSIZE)),
        short: "the datagram is too long to send in one piece: UDP carries at most 65,507 bytes of data over IPv4",
        long: "A datagram is sent whole or not at all. Its size is limited by the IP packet (65,535 bytes minus the headers) and, for a Unix socket, by the send buffer. Split the data, or use a stream socket.",
    },
    Entry {
        ops: SEND,
        when: When::Error("OSError", Some(libc::EDESTADDRREQ)),
        short: "the datagram socket has no destination: use sendto(data, address), or connect() it first",
        long: "send() on a datagram socket sends to the address given to connect(). Without one, the kernel does not know where the datagram goes and fails with EDESTADDRREQ.",
    },
    Entry {
        ops: &[],
        when: When::Error("OSError", Some(libc::ENETUNREACH)),
        short: "this machine has no route to that network",
        long: "The kernel found no route for the destination address: no interface or gateway leads there.",
    },
    Entry {
        ops: &[],
        when: When::Error("OSError", Some(libc::EHOSTUNREACH)),
        short: "no route to that host: it did not answer on its network",
        long: "The destination could not be reached: the host is down, or a router reported it unreachable.",
    },
    Entry {
        ops: &[],
        when: When::Error("ConnectionAbortedError", None),
        short: "this machine's kernel aborted the connection before it could be used",
        long: "ECONNABORTED: the connection ended in the kernel (a timeout, or a reset while it waited in the accept queue) before the call could use it.",
    },
    Entry {
        ops: &[],
        when: When::Error("TimeoutError", None),
        short: "the socket has a timeout (settimeout), and it expired before the call could complete",
        long: "A socket with a timeout waits at most that long in each call, then raises TimeoutError ('timed out').",
    },
    Entry {
        ops: &[],
        when: When::Error("KeyboardInterrupt", None),
        short: "you pressed Ctrl-C: the running statement stopped with KeyboardInterrupt",
        long: "Ctrl-C interrupts the system call the pane was blocked in (EINTR), and Python raises KeyboardInterrupt.",
    },
    Entry {
        ops: &[],
        when: When::Error("gaierror", None),
        short: "the host name could not be resolved to an address",
        long: "getaddrinfo() turns host names into addresses. It failed: the name is unknown, or it has no address of the socket's family.",
    },
    Entry {
        ops: SEND,
        when: When::Error("TypeError", None),
        short: "sockets carry bytes: write b'...' or encode text with .encode()",
        long: "A socket moves bytes, not text. Use a bytes literal (b'hello') or turn a str into bytes with 'hello'.encode().",
    },
];

/// The names of every function or method the statement calls.
fn calls(stmt: &Stmt) -> Vec<String> {
    fn walk(e: &Expr, out: &mut Vec<String>) {
        if let Expr::Call { func, .. } = e {
            match func.as_ref() {
                Expr::Name(n) | Expr::Attr(_, n) => out.push(n.clone()),
                _ => {}
            }
        }
        e.children().into_iter().for_each(|c| walk(c, out));
    }
    let mut out = Vec::new();
    if let Some(e) = stmt.expr() {
        walk(e, &mut out);
    }
    out
}

fn matches(when: &When, outcome: &Outcome) -> bool {
    match (when, outcome) {
        (
            When::Error(class, errno),
            Outcome::Error(Exception {
                class: c, errno: e, ..
            }),
        ) => c == class && (errno.is_none() || errno == e),
        (When::EmptyBytes, Outcome::Ok(repr)) => repr == "b''",
        _ => false,
    }
}

/// Explains the outcome of the step `input` (its Python form), when it is an
/// error or a value that surprises (`b''`, a cut datagram, a short send, an
/// errno from connect_ex), from `facts`, the last socket call the step made.
pub fn explain(input: &str, outcome: &Outcome, facts: Option<&CallFacts>) -> Option<Explanation> {
    if let Outcome::Error(e) = outcome
        && e.class == "SyntaxError"
    {
        return None;
    }
    if let Some(why) = facts.and_then(|f| by_facts::explain(f, outcome)) {
        return Some(why);
    }
    // A value only surprises for what the call did: without its facts, say nothing.
    if let Outcome::Ok(repr) = outcome
        && (repr == "b''" || repr.starts_with("(b'',"))
        && facts.is_some_and(|f| f.raised.is_none() && f.received != Some(0))
    {
        return None;
    }
    // The call the outcome came from: the facts name it; a statement whose
    // socket calls recorded no facts (module functions) is read for its calls.
    let called = match facts {
        Some(f) => vec![f.method.to_string()],
        None => parse_statement(input)
            .ok()
            .as_ref()
            .map(calls)
            .unwrap_or_default(),
    };
    if called.iter().any(|c| c == "connect_ex")
        && let Outcome::Ok(repr) = outcome
        && let Ok(errno) = repr.parse::<i32>()
        && errno != 0
    {
        let name = crate::outcome::errno::name(errno).unwrap_or("an error");
        let message = crate::outcome::errno::strerror(errno);
        return Some(Explanation {
            short: format!(
                "connect_ex returns the errno instead of raising: {errno} is {name} ({message})"
            ),
            long: format!(
                "connect_ex() does what connect() does but returns the error number instead of raising an exception; 0 means connected. {errno} is {name}: {message}. connect() would have raised {}.",
                crate::outcome::errno::class_for(errno)
            ),
        });
    }
    TABLE
        .iter()
        .find(|entry| {
            (entry.ops.is_empty() || entry.ops.iter().any(|op| called.iter().any(|c| c == op)))
                && matches(&entry.when, outcome)
        })
        .map(|entry| Explanation {
            short: entry.short.to_string(),
            long: entry.long.to_string(),
        })
}

#[cfg(test)]
mod tests {
    //! The texts that need a state loopback cannot produce (a handshake still
    //! in SYN_SENT, an unprivileged bind); every other row is played on real
    //! sockets in tests/why.rs.
    use super::explain;
    use crate::net::facts::{CallFacts, State};
    use crate::outcome::{Exception, Outcome};

    fn os_error(class: &'static str, errno: i32) -> Outcome {
        Outcome::Error(Exception {
            class: class.into(),
            errno: Some(errno),
            message: crate::outcome::errno::strerror(errno),
            column: None,
        })
    }

    fn facts(method: &'static str, outcome: &Outcome) -> CallFacts {
        CallFacts {
            method,
            family: libc::AF_INET,
            kind: libc::SOCK_STREAM,
            before: State::default(),
            after: Some(State::default()),
            flags: 0,
            asked: None,
            received: None,
            datagram: None,
            sent: None,
            raised: match outcome {
                Outcome::Error(e) => Some((e.class.clone(), e.errno)),
                Outcome::Ok(_) => None,
            },
            local: None,
            cited: None,
        }
    }

    #[test]
    fn an_interrupted_connect_says_whether_the_handshake_goes_on() {
        let outcome = Outcome::Error(Exception::keyboard_interrupt());
        let mut f = facts("connect", &outcome);
        f.after = Some(State {
            state: Some("SYN_SENT"),
            ..State::default()
        });
        let why = explain("t.connect(('10.0.0.1', 80))", &outcome, Some(&f)).expect("explained");
        assert!(why.short.contains("the handshake goes on"), "{}", why.short);
        f.after = Some(State {
            state: Some("ESTABLISHED"),
            ..State::default()
        });
        let why = explain("t.connect(('10.0.0.1', 80))", &outcome, Some(&f)).expect("explained");
        assert!(why.short.contains("made anyway"), "{}", why.short);
    }

    #[test]
    fn facts_of_another_call_are_not_used() {
        // The statement raised KeyboardInterrupt after a recv that returned:
        // the recv's facts say nothing of the interrupt.
        let outcome = Outcome::Error(Exception::keyboard_interrupt());
        let mut f = facts("recv", &Outcome::Ok("b'x'".into()));
        f.asked = Some(10);
        f.received = Some(1);
        let why = explain("x", &outcome, Some(&f)).expect("explained");
        assert_eq!(
            why.short,
            "you pressed Ctrl-C: the running statement stopped with KeyboardInterrupt"
        );
    }

    #[test]
    fn an_unprivileged_bind_of_a_low_port() {
        let outcome = os_error("PermissionError", libc::EACCES);
        let f = facts("bind", &outcome);
        let why = explain("s.bind(('127.0.0.1', 80))", &outcome, Some(&f)).expect("explained");
        assert!(why.short.contains("below 1024"), "{}", why.short);
        let mut f = f;
        f.family = libc::AF_UNIX;
        let why = explain("s.bind('/x')", &outcome, Some(&f)).expect("explained");
        assert!(why.short.contains("permissions"), "{}", why.short);
    }

    #[test]
    fn without_facts_only_what_is_always_true_is_said() {
        let eof = explain(
            "packet = client.recv(1024)",
            &Outcome::Ok("b''".into()),
            None,
        )
        .expect("b'' after recv is explained");
        assert!(!eof.short.contains("CLOSE_WAIT"), "{}", eof.short);
        assert_eq!(explain("x = b''", &Outcome::Ok("b''".into()), None), None);
        let pipe = explain(
            "c.send(b'x')",
            &os_error("BrokenPipeError", libc::EPIPE),
            None,
        )
        .expect("EPIPE");
        assert!(!pipe.short.contains("reset"), "{}", pipe.short);
        let already = explain(
            "t.connect(('10.0.0.1', 80))",
            &os_error("BlockingIOError", libc::EALREADY),
            None,
        )
        .expect("EALREADY");
        assert!(already.short.contains("already in progress"));
    }
}
