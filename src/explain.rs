//! Why an outcome happened, in plain words: one table of explanations, each
//! tied to an operation and an outcome. Front ends show `short` under a step
//! and `long` for `:explain`. Nothing here knows of a screen.

use crate::lang::ast::{Expr, Stmt};
use crate::lang::parse_statement;
use crate::outcome::{Exception, Outcome};
use crate::value::Value;

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
        short: "the send buffer is full (the peer is not reading), and a non-blocking send cannot wait for room",
        long: "Data you send goes into your socket's send buffer and then into the peer's receive buffer. When the peer does not read, both fill up. A blocking send would wait for room; a non-blocking one fails with EAGAIN. The queues in the socket table show where the bytes are.",
    },
    Entry {
        ops: &["connect"],
        when: When::Error("BlockingIOError", Some(libc::EINPROGRESS)),
        short: "a non-blocking connect starts the handshake and returns at once; the socket becomes writable when it completes",
        long: "connect() on a non-blocking socket sends the SYN and returns EINPROGRESS instead of waiting for the answer. The connection completes in the background: select() reports the socket writable when it is done, and getsockopt(SOL_SOCKET, SO_ERROR) tells whether it succeeded.",
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
        short: "b'' means end of stream: the peer closed and everything it sent has been read (your socket is in CLOSE_WAIT)",
        long: "recv() returns b'' only when the connection has ended in this direction: the peer called close() or shutdown(SHUT_WR), its FIN arrived, and no data is left in the receive buffer. Your socket is now in CLOSE_WAIT: the kernel waits for you to close it too. It is not an error, and further recv() calls return b'' again.",
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
        short: "the peer is gone: an earlier send was answered with a reset, so writing now fails with EPIPE",
        long: "After the peer closes, the first send() still succeeds: the bytes leave, and the peer's kernel, having no socket to give them to, answers with RST. From then on the connection is reset and every send fails with EPIPE (BrokenPipeError). Python ignores the SIGPIPE that would otherwise kill the process.",
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
        when: When::Error("TimeoutError", None),
        short: "the socket has a timeout (settimeout): the call waited that long and nothing happened",
        long: "A socket with a timeout waits at most that long in each call, then raises TimeoutError ('timed out'). The socket stays usable: you may call again.",
    },
    Entry {
        ops: &[],
        when: When::Error("KeyboardInterrupt", None),
        short: "you interrupted the blocked call; the socket is unchanged and still usable",
        long: "Ctrl-C interrupts the system call the pane was blocked in (EINTR), and Python raises KeyboardInterrupt. Nothing happened to the socket.",
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

/// The length of the literal payload of a `send` in the statement, if any.
fn send_payload(stmt: &Stmt) -> Option<usize> {
    let (Stmt::Expr(e) | Stmt::Assign(_, e)) = stmt else {
        return None;
    };
    match e {
        Expr::Call { func, args, .. } => match (func.as_ref(), args.first()) {
            (Expr::Attr(_, m), Some(Expr::Lit(Value::Bytes(b)))) if m == "send" => Some(b.len()),
            _ => None,
        },
        _ => None,
    }
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
/// error or a value that surprises: `b''`, a short send, an errno from connect_ex.
pub fn explain(input: &str, outcome: &Outcome) -> Option<Explanation> {
    let stmt = parse_statement(input).ok();
    let called = stmt.as_ref().map(calls).unwrap_or_default();
    if let Some(stmt) = &stmt {
        if let (Some(sent), Outcome::Ok(repr)) = (send_payload(stmt), outcome)
            && let Ok(n) = repr.parse::<usize>()
            && n < sent
        {
            return Some(Explanation {
                short: format!(
                    "only {n} of {sent} bytes fit in the send buffer; the rest was not sent"
                ),
                long: format!(
                    "send() copies what fits into the socket's send buffer and returns how many bytes that was: {n} of {sent}. The other {} bytes were not sent; your program must send them again. sendall() loops until everything is sent (or fails).",
                    sent - n
                ),
            });
        }
        if called.iter().any(|c| RECV.contains(&c.as_str()))
            && input.contains("MSG_TRUNC")
            && matches!(outcome, Outcome::Ok(_))
        {
            return Some(Explanation {
                short: "MSG_TRUNC returns the datagram's real length: bytes past your buffer were not received, and sockplay shows them as zero bytes".into(),
                long: "With MSG_TRUNC the kernel reports how long the datagram really was, even when it was longer than the buffer you asked for; the part that did not fit is discarded. CPython returns a bytes object of that full length whose tail is whatever was in its memory; sockplay keeps the length (it is how you see the datagram's size) and fills the bytes that were not received with zeros.".into(),
            });
        }
        if called.iter().any(|c| c == "connect_ex")
            && let Outcome::Ok(repr) = outcome
            && let Ok(errno) = repr.parse::<i32>()
            && errno != 0
        {
            let name = crate::net::errno::name(errno).unwrap_or("an error");
            let message = crate::net::errno::strerror(errno);
            return Some(Explanation {
                short: format!(
                    "connect_ex returns the errno instead of raising: {errno} is {name} ({message})"
                ),
                long: format!(
                    "connect_ex() does what connect() does but returns the error number instead of raising an exception; 0 means connected. {errno} is {name}: {message}. connect() would have raised {}.",
                    crate::net::errno::class_for(errno)
                ),
            });
        }
    }
    if let Outcome::Error(e) = outcome
        && e.class == "SyntaxError"
    {
        return None;
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
    use super::explain;
    use crate::outcome::{Exception, Outcome};

    fn os_error(class: &'static str, errno: i32) -> Outcome {
        Outcome::Error(Exception {
            class: class.into(),
            errno: Some(errno),
            message: crate::net::errno::strerror(errno),
            column: None,
        })
    }

    #[test]
    fn the_two_answers_of_the_nonblocking_experiment_are_told_apart() {
        let eagain = explain(
            "packet = client.recv(1024)",
            &os_error("BlockingIOError", libc::EAGAIN),
        )
        .expect("EAGAIN on recv is explained");
        assert!(
            eagain.short.contains("receive buffer is empty"),
            "{}",
            eagain.short
        );
        let eof = explain("packet = client.recv(1024)", &Outcome::Ok("b''".into()))
            .expect("b'' is explained");
        assert!(eof.short.contains("peer closed"), "{}", eof.short);
        assert!(eof.short.contains("CLOSE_WAIT"));
        assert!(eof.long.contains("CLOSE_WAIT"));
        assert_eq!(
            explain("client.recv(1024)", &Outcome::Ok("b'hi'".into())),
            None
        );
    }

    #[test]
    fn values_that_surprise_are_explained_too() {
        let short = explain("c.send(b'abcdef')", &Outcome::Ok("4".into())).expect("short send");
        assert!(short.short.contains("only 4 of 6 bytes"));
        assert_eq!(explain("c.send(b'abcdef')", &Outcome::Ok("6".into())), None);
        let ex = explain("c.connect_ex(('127.0.0.1', 9))", &Outcome::Ok("111".into()))
            .expect("connect_ex errno");
        assert!(ex.short.contains("ECONNREFUSED"), "{}", ex.short);
        assert_eq!(
            explain("c.connect_ex(('127.0.0.1', 9))", &Outcome::Ok("0".into())),
            None
        );
        let inuse = explain(
            "s.bind(('127.0.0.1', 5000))",
            &os_error("OSError", libc::EADDRINUSE),
        )
        .expect("EADDRINUSE");
        assert!(inuse.short.contains("TIME_WAIT"));
    }
}
