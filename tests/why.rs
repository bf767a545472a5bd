//! The why-table: for each (operation, socket state) that a lesson, a seed
//! experiment or SPEC section 3's exceptions reach, the `why:` line a learner
//! reads under the outcome. Every row is played on real sockets through the
//! engine, so the kernel itself produces the state and the outcome each text
//! must be true of: a row whose state cannot be reached, or whose outcome the
//! kernel does not give, fails here.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use sockplay::display::{self, Kind};
use sockplay::session::{Event, Session, Submitted};

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("local addr").port()
}

/// How the step under test ends.
#[derive(Clone, Copy)]
enum End {
    /// It finishes by itself.
    Finishes,
    /// It blocks in `call`; then `release` runs in the other pane (if any), and Ctrl-C stops it.
    Interrupted {
        call: &'static str,
        release: Option<(&'static str, &'static str)>,
    },
}

struct Row {
    name: &'static str,
    setup: &'static [(&'static str, &'static str)],
    step: (&'static str, &'static str),
    end: End,
    /// The outcome line; `{n}` stands for any number.
    outcome: &'static str,
    /// The why line, without `why: `; `{n}` stands for any number.
    why: Option<&'static str>,
}

/// A server and a client, connected: `srv` listens, `conn` and `c` are the two ends.
const TCP: &[(&str, &str)] = &[
    ("server", "srv = socket.socket()"),
    ("server", "srv.bind(('127.0.0.1', {port}))"),
    ("server", "srv.listen()"),
    (
        "client",
        "c = socket.create_connection(('127.0.0.1', {port}))",
    ),
    ("server", "conn, addr = srv.accept()"),
];

/// A bound UDP socket `u` and an unbound one `v`.
const UDP: &[(&str, &str)] = &[
    (
        "server",
        "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    ),
    ("server", "u.bind(('127.0.0.1', {port}))"),
    (
        "client",
        "v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    ),
];

const EAGAIN: &str = "BlockingIOError: [Errno 11] Resource temporarily unavailable";
const EPIPE: &str = "BrokenPipeError: [Errno 32] Broken pipe";
const ENOTCONN: &str = "OSError: [Errno 107] Transport endpoint is not connected";
const EOF_CLOSE_WAIT: &str = "b'' means end of stream: the peer has finished sending (close() or shutdown(SHUT_WR)) and everything it sent has been read (your socket is in CLOSE_WAIT)";

fn rows() -> Vec<Row> {
    fn with(
        prelude: &'static [(&'static str, &'static str)],
        more: &[(&'static str, &'static str)],
    ) -> &'static [(&'static str, &'static str)] {
        let mut all = prelude.to_vec();
        all.extend_from_slice(more);
        all.leak()
    }
    vec![
        // recv: the two answers of the non-blocking experiment, and b'' in each of its meanings.
        Row {
            name: "non-blocking recv, nothing queued",
            setup: with(TCP, &[("client", "c.setblocking(False)")]),
            step: ("client", "c.recv(10)"),
            end: End::Finishes,
            outcome: EAGAIN,
            why: Some(
                "the socket is non-blocking and its receive buffer is empty, so the kernel returns EAGAIN instead of waiting",
            ),
        },
        Row {
            name: "recv after the peer closed",
            setup: with(TCP, &[("server", "conn.close()")]),
            step: ("client", "c.recv(10)"),
            end: End::Finishes,
            outcome: "b''",
            why: Some(EOF_CLOSE_WAIT),
        },
        Row {
            name: "recv after the peer shut down writing only (half-close)",
            setup: with(
                TCP,
                &[
                    ("client", "c.sendall(b'request')"),
                    ("client", "c.shutdown(socket.SHUT_WR)"),
                    ("server", "conn.recv(1024)"),
                ],
            ),
            step: ("server", "conn.recv(1024)"),
            end: End::Finishes,
            outcome: "b''",
            why: Some(EOF_CLOSE_WAIT),
        },
        Row {
            name: "recv after this side shut down reading",
            setup: with(TCP, &[("client", "c.shutdown(socket.SHUT_RD)")]),
            step: ("client", "c.recv(10)"),
            end: End::Finishes,
            outcome: "b''",
            why: Some(
                "you shut down reading on this socket (SHUT_RD): recv() returns b'' instead of waiting, whatever the peer sends",
            ),
        },
        Row {
            name: "recv(0)",
            setup: with(TCP, &[("server", "conn.sendall(b'waiting')")]),
            step: ("client", "c.recv(0)"),
            end: End::Finishes,
            outcome: "b''",
            why: Some(
                "you asked for 0 bytes: recv(0) returns b'' without reading anything, whatever is waiting",
            ),
        },
        Row {
            name: "recv after both sides finished (own SHUT_WR, then the peer closed)",
            setup: with(
                TCP,
                &[
                    ("client", "c.shutdown(socket.SHUT_WR)"),
                    ("server", "conn.close()"),
                ],
            ),
            step: ("client", "c.recv(10)"),
            end: End::Finishes,
            outcome: "b''",
            why: Some(
                "end of stream: the peer has finished sending too, after you shut down writing, so the connection is over in both directions (your socket is in CLOSED)",
            ),
        },
        Row {
            name: "recv of data that is there: nothing to explain",
            setup: with(TCP, &[("server", "conn.sendall(b'hello')")]),
            step: ("client", "c.recv(1)"),
            end: End::Finishes,
            outcome: "b'h'",
            why: None,
        },
        Row {
            name: "MSG_WAITALL cut short by the peer's end of stream",
            setup: with(
                TCP,
                &[
                    ("client", "c.sendall(b'abc')"),
                    ("client", "c.shutdown(socket.SHUT_WR)"),
                ],
            ),
            step: ("server", "conn.recv(10, socket.MSG_WAITALL)"),
            end: End::Finishes,
            outcome: "b'abc'",
            why: Some("MSG_WAITALL waits for all 10 bytes, but the peer ended the stream after 3"),
        },
        // send: EPIPE has four causes, told apart by the state before the call.
        Row {
            name: "send after this side shut down writing",
            setup: with(TCP, &[("client", "c.shutdown(socket.SHUT_WR)")]),
            step: ("client", "c.send(b'more')"),
            end: End::Finishes,
            outcome: EPIPE,
            why: Some(
                "you shut down writing on this socket (shutdown(SHUT_WR)): it can still receive, but every send fails with EPIPE",
            ),
        },
        Row {
            name: "send on the listening socket",
            setup: TCP,
            step: ("server", "srv.send(b'x')"),
            end: End::Finishes,
            outcome: EPIPE,
            why: Some(
                "a listening socket has no peer to send to: send on the socket that accept() returned",
            ),
        },
        Row {
            name: "send on a socket that never connected",
            setup: &[("client", "t = socket.socket()")],
            step: ("client", "t.send(b'x')"),
            end: End::Finishes,
            outcome: EPIPE,
            why: Some(
                "this socket has no connection: on Linux, a send on a TCP socket that is not connected fails with EPIPE (not ENOTCONN)",
            ),
        },
        Row {
            name: "send after a refused connect_ex",
            setup: &[
                ("client", "t = socket.socket()"),
                ("client", "t.connect_ex(('127.0.0.1', {free}))"),
            ],
            step: ("client", "t.send(b'x')"),
            end: End::Finishes,
            outcome: EPIPE,
            why: Some(
                "this socket has no connection: on Linux, a send on a TCP socket that is not connected fails with EPIPE (not ENOTCONN)",
            ),
        },
        Row {
            name: "the first send after the peer closed succeeds",
            setup: with(TCP, &[("server", "conn.close()")]),
            step: ("client", "c.send(b'a')"),
            end: End::Finishes,
            outcome: "1",
            why: None,
        },
        Row {
            name: "the second send after the peer closed: it answered with a reset",
            setup: with(
                TCP,
                &[
                    ("server", "conn.close()"),
                    ("client", "c.send(b'a')"),
                    ("client", RESET_IN),
                ],
            ),
            step: ("client", "c.send(b'b')"),
            end: End::Finishes,
            outcome: EPIPE,
            why: Some(
                "the connection was reset by the peer: after it closed, its kernel answered with RST, so every send now fails with EPIPE",
            ),
        },
        Row {
            name: "recv once the reset was reported",
            setup: with(
                TCP,
                &[
                    ("server", "conn.close()"),
                    ("client", "c.send(b'a')"),
                    ("client", RESET_IN),
                    ("client", "c.send(b'b')"),
                ],
            ),
            step: ("client", "c.recv(10)"),
            end: End::Finishes,
            outcome: "b''",
            why: Some(
                "the connection was reset, and an earlier call reported it: after that, recv() returns b''",
            ),
        },
        Row {
            name: "recv when the peer closed with unread data",
            setup: with(
                TCP,
                &[
                    ("client", "c.sendall(b'unread')"),
                    ("server", "conn.close()"),
                    ("client", RESET_IN),
                ],
            ),
            step: ("client", "c.recv(10)"),
            end: End::Finishes,
            outcome: "ConnectionResetError: [Errno 104] Connection reset by peer",
            why: Some(
                "the peer reset the connection: it closed with unread data in its buffer, or it received data after closing",
            ),
        },
        Row {
            name: "shutdown after the reset",
            setup: with(
                TCP,
                &[
                    ("client", "c.sendall(b'unread')"),
                    ("server", "conn.close()"),
                    ("client", "c.recv(10)"),
                ],
            ),
            step: ("client", "c.shutdown(socket.SHUT_RDWR)"),
            end: End::Finishes,
            outcome: ENOTCONN,
            why: Some(
                "the connection is over (reset, or closed in both directions), so the socket has no peer any more",
            ),
        },
        Row {
            name: "recv on a socket that never connected",
            setup: &[("client", "t = socket.socket()")],
            step: ("client", "t.recv(1)"),
            end: End::Finishes,
            outcome: ENOTCONN,
            why: Some(
                "the socket is not connected: a TCP socket must connect or be accepted before it can send or receive",
            ),
        },
        Row {
            name: "send of text",
            setup: TCP,
            step: ("client", "c.send('text')"),
            end: End::Finishes,
            outcome: "TypeError: a bytes-like object is required, not 'str'",
            why: Some("sockets carry bytes: write b'...' or encode text with .encode()"),
        },
        // Full buffers (the full-buffers lesson).
        Row {
            name: "sendall with a timeout to a peer that does not read",
            setup: with(TCP, &[("client", "c.settimeout(0.5)")]),
            step: ("client", "c.sendall(b'x' * 10000000)"),
            end: End::Finishes,
            outcome: "TimeoutError: timed out",
            why: Some(
                "the timeout expired after {n} of 10000000 bytes had been sent: those are on their way to the peer, the rest was not sent",
            ),
        },
        Row {
            name: "a non-blocking send that only partly fits",
            setup: with(TCP, &[("client", "c.setblocking(False)")]),
            step: ("client", "c.send(b'x' * 10000000)"),
            end: End::Finishes,
            outcome: "{n}",
            why: Some("only {n} of 10000000 bytes fit in the send buffer; the rest was not sent"),
        },
        Row {
            name: "a non-blocking send into full buffers",
            setup: with(
                TCP,
                &[
                    ("client", "c.settimeout(0.5)"),
                    ("client", "c.sendall(b'x' * 10000000)"),
                    ("client", "c.setblocking(False)"),
                    ("client", "n = c.send(b'x' * 1000000)"),
                ],
            ),
            step: ("client", "c.send(b'x' * 1000000)"),
            end: End::Finishes,
            outcome: EAGAIN,
            why: Some(
                "the send buffer is full (the peer has not read fast enough), and a non-blocking send cannot wait for room",
            ),
        },
        // Ctrl-C: what it leaves behind depends on the call it stopped.
        Row {
            name: "Ctrl-C on a blocked recv",
            setup: TCP,
            step: ("client", "c.recv(10)"),
            end: End::Interrupted {
                call: "recv()",
                release: None,
            },
            outcome: "KeyboardInterrupt",
            why: Some(
                "you interrupted the blocked recv(): nothing was taken from the socket, which is still usable",
            ),
        },
        Row {
            name: "Ctrl-C on a blocked accept",
            setup: TCP,
            step: ("server", "srv.accept()"),
            end: End::Interrupted {
                call: "accept()",
                release: None,
            },
            outcome: "KeyboardInterrupt",
            why: Some(
                "you interrupted the blocked accept(): nothing was taken from the socket, which is still usable",
            ),
        },
        Row {
            name: "Ctrl-C on a sendall part way",
            setup: TCP,
            step: ("client", "c.sendall(b'x' * 10000000)"),
            end: End::Interrupted {
                call: "sendall()",
                release: Some(("server", "select.select([conn], [], [], 5)")),
            },
            outcome: "KeyboardInterrupt",
            why: Some(
                "the interrupt stopped sendall() after {n} of 10000000 bytes: those {n} bytes are on their way to the peer, the other {n} were not sent, and the exception does not say how many went",
            ),
        },
        Row {
            name: "Ctrl-C on a select (no socket call)",
            setup: TCP,
            step: ("client", "select.select([c], [], [], 30)"),
            end: End::Interrupted {
                call: "select()",
                release: None,
            },
            outcome: "KeyboardInterrupt",
            why: Some("you pressed Ctrl-C: the running statement stopped with KeyboardInterrupt"),
        },
        Row {
            name: "a recv timeout",
            setup: with(TCP, &[("client", "c.settimeout(0.05)")]),
            step: ("client", "c.recv(10)"),
            end: End::Finishes,
            outcome: "TimeoutError: timed out",
            why: Some(
                "nothing arrived within the socket's timeout (settimeout): the socket stays usable, and recv() may be called again",
            ),
        },
        // Connections.
        Row {
            name: "connect where nothing listens",
            setup: &[("client", "t = socket.socket()")],
            step: ("client", "t.connect(('127.0.0.1', {free}))"),
            end: End::Finishes,
            outcome: "ConnectionRefusedError: [Errno 111] Connection refused",
            why: Some(
                "nothing listens on that port: the other side's kernel answered the SYN with a reset",
            ),
        },
        Row {
            name: "connect_ex where nothing listens",
            setup: &[("client", "t = socket.socket()")],
            step: ("client", "t.connect_ex(('127.0.0.1', {free}))"),
            end: End::Finishes,
            outcome: "111",
            why: Some(
                "connect_ex returns the errno instead of raising: 111 is ECONNREFUSED (Connection refused)",
            ),
        },
        Row {
            name: "a non-blocking connect",
            setup: with(
                TCP,
                &[
                    ("client", "t = socket.socket()"),
                    ("client", "t.setblocking(False)"),
                ],
            ),
            step: ("client", "t.connect(('127.0.0.1', {port}))"),
            end: End::Finishes,
            outcome: "BlockingIOError: [Errno 115] Operation now in progress",
            why: Some(
                "a non-blocking connect starts the handshake and returns at once; the socket becomes writable when it completes",
            ),
        },
        Row {
            name: "connect on a connected socket",
            setup: TCP,
            step: ("client", "c.connect(('127.0.0.1', {port}))"),
            end: End::Finishes,
            outcome: "OSError: [Errno 106] Transport endpoint is already connected",
            why: Some("the socket is already connected; a socket connects once"),
        },
        Row {
            name: "bind where a listener is",
            setup: TCP,
            step: ("client", "socket.socket().bind(('127.0.0.1', {port}))"),
            end: End::Finishes,
            outcome: "OSError: [Errno 98] Address already in use",
            why: Some(
                "another socket holds this address: a listener, or a connection left in TIME_WAIT by an earlier run",
            ),
        },
        Row {
            name: "bind twice",
            setup: TCP,
            step: ("server", "srv.bind(('127.0.0.1', {free}))"),
            end: End::Finishes,
            outcome: "OSError: [Errno 22] Invalid argument",
            why: Some(
                "the socket is already bound (a socket is bound once), or the address does not fit the socket",
            ),
        },
        Row {
            name: "bind after connect",
            setup: TCP,
            step: ("client", "c.bind(('127.0.0.1', {free}))"),
            end: End::Finishes,
            outcome: "OSError: [Errno 22] Invalid argument",
            why: Some(
                "the socket is already bound: connect() gave it a local address, and a socket is bound once",
            ),
        },
        Row {
            name: "accept on a socket that does not listen",
            setup: &[("server", "t = socket.socket()")],
            step: ("server", "t.accept()"),
            end: End::Finishes,
            outcome: "OSError: [Errno 22] Invalid argument",
            why: Some("accept() needs a listening socket: call listen() first"),
        },
        Row {
            name: "a non-blocking accept with an empty queue",
            setup: with(TCP, &[("server", "srv.setblocking(False)")]),
            step: ("server", "srv.accept()"),
            end: End::Finishes,
            outcome: EAGAIN,
            why: Some(
                "the listener is non-blocking and no connection is waiting in its accept queue",
            ),
        },
        Row {
            name: "a call on a closed socket",
            setup: with(TCP, &[("client", "c.close()")]),
            step: ("client", "c.recv(1)"),
            end: End::Finishes,
            outcome: "OSError: [Errno 9] Bad file descriptor",
            why: Some(
                "the socket is closed: its file descriptor was released, so no call can use it",
            ),
        },
        // UDP (the udp-boundaries lesson).
        Row {
            name: "an empty datagram",
            setup: with(UDP, &[("client", "v.sendto(b'', ('127.0.0.1', {port}))")]),
            step: ("server", "u.recv(10)"),
            end: End::Finishes,
            outcome: "b''",
            why: Some(
                "an empty datagram arrived: on a datagram socket b'' is a message of length zero, not an end of stream",
            ),
        },
        Row {
            name: "a datagram longer than the buffer",
            setup: with(
                UDP,
                &[("client", "v.sendto(b'0123456789', ('127.0.0.1', {port}))")],
            ),
            step: ("server", "u.recv(4)"),
            end: End::Finishes,
            outcome: "b'0123'",
            why: Some(
                "the datagram was 10 bytes long and the buffer 4: the other 6 bytes were discarded, for a datagram is read whole or cut, never in pieces",
            ),
        },
        Row {
            name: "a datagram longer than the buffer, by recvfrom",
            setup: with(
                UDP,
                &[("client", "v.sendto(b'0123456789', ('127.0.0.1', {port}))")],
            ),
            step: ("server", "u.recvfrom(4)[0]"),
            end: End::Finishes,
            outcome: "b'0123'",
            why: Some(
                "the datagram was 10 bytes long and the buffer 4: the other 6 bytes were discarded, for a datagram is read whole or cut, never in pieces",
            ),
        },
        Row {
            name: "a datagram that fits: nothing to explain",
            setup: with(
                UDP,
                &[("client", "v.sendto(b'0123', ('127.0.0.1', {port}))")],
            ),
            step: ("server", "u.recv(4)"),
            end: End::Finishes,
            outcome: "b'0123'",
            why: None,
        },
        Row {
            name: "MSG_TRUNC on a long datagram",
            setup: with(
                UDP,
                &[("client", "v.sendto(b'0123456789', ('127.0.0.1', {port}))")],
            ),
            step: ("server", "u.recv(4, socket.MSG_TRUNC)"),
            end: End::Finishes,
            outcome: "b'0123\\x00\\x00\\x00\\x00\\x00\\x00'",
            why: Some(
                "MSG_TRUNC returns the datagram's real length (10): the 6 bytes past your buffer were not received, and sockplay shows them as zero bytes",
            ),
        },
        Row {
            name: "non-blocking recv on an empty UDP socket",
            setup: with(UDP, &[("server", "u.setblocking(False)")]),
            step: ("server", "u.recv(10)"),
            end: End::Finishes,
            outcome: EAGAIN,
            why: Some(
                "the socket is non-blocking and no datagram is waiting, so the kernel returns EAGAIN instead of waiting",
            ),
        },
        Row {
            name: "listen on UDP",
            setup: UDP,
            step: ("server", "u.listen()"),
            end: End::Finishes,
            outcome: "OSError: [Errno 95] Operation not supported",
            why: Some("UDP sockets have no connections, so there is nothing to listen for"),
        },
        Row {
            name: "a connected UDP socket after sending where nothing listens",
            setup: &[
                (
                    "client",
                    "w = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                ),
                ("client", "w.connect(('127.0.0.1', {free}))"),
                ("client", "w.send(b'x')"),
            ],
            step: ("client", "w.recv(10)"),
            end: End::Finishes,
            outcome: "ConnectionRefusedError: [Errno 111] Connection refused",
            why: Some(
                "an earlier datagram to that port was answered with \"port unreachable\": nothing listens there, and a connected UDP socket reports it on its next call",
            ),
        },
        Row {
            name: "a datagram too long",
            setup: UDP,
            step: ("client", "v.sendto(b'x' * 70000, ('127.0.0.1', {port}))"),
            end: End::Finishes,
            outcome: "OSError: [Errno 90] Message too long",
            why: Some(
                "the datagram is too long to send in one piece: UDP carries at most 65,507 bytes of data over IPv4",
            ),
        },
        Row {
            name: "send on an unconnected UDP socket",
            setup: UDP,
            step: ("client", "v.send(b'x')"),
            end: End::Finishes,
            outcome: "OSError: [Errno 89] Destination address required",
            why: Some(
                "the datagram socket has no destination: use sendto(data, address), or connect() it first",
            ),
        },
        Row {
            name: "a broadcast without SO_BROADCAST",
            setup: UDP,
            step: ("client", "v.sendto(b'x', ('255.255.255.255', {port}))"),
            end: End::Finishes,
            outcome: "PermissionError: [Errno 13] Permission denied",
            why: Some(
                "sending to a broadcast address needs setsockopt(SOL_SOCKET, SO_BROADCAST, 1) first",
            ),
        },
        // Unix sockets: no network in between, and addresses that are files.
        Row {
            name: "Unix: send after the peer closed",
            setup: &[
                ("client", "a, b = socket.socketpair()"),
                ("client", "b.close()"),
            ],
            step: ("client", "a.send(b'x')"),
            end: End::Finishes,
            outcome: EPIPE,
            why: Some(
                "the peer closed its end: on a Unix socket a send to a closed peer fails at once with EPIPE",
            ),
        },
        Row {
            name: "Unix: recv after the peer closed",
            setup: &[
                ("client", "a, b = socket.socketpair()"),
                ("client", "b.close()"),
            ],
            step: ("client", "a.recv(10)"),
            end: End::Finishes,
            outcome: "b''",
            why: Some(
                "b'' means end of stream: the peer has finished sending (close() or shutdown(SHUT_WR)) and everything it sent has been read",
            ),
        },
        Row {
            name: "Unix: recv after the peer closed with unread data",
            setup: &[
                ("client", "a, b = socket.socketpair()"),
                ("client", "a.send(b'unread')"),
                ("client", "b.close()"),
            ],
            step: ("client", "a.recv(10)"),
            end: End::Finishes,
            outcome: "ConnectionResetError: [Errno 104] Connection reset by peer",
            why: Some(
                "the peer closed while data you had sent was still unread in its buffer, so the kernel reports a reset instead of an end of stream",
            ),
        },
        Row {
            name: "Unix: connect to a path with no file",
            setup: &[("client", "t = socket.socket(socket.AF_UNIX)")],
            step: ("client", "t.connect('{dir}/none.sock')"),
            end: End::Finishes,
            outcome: "FileNotFoundError: [Errno 2] No such file or directory",
            why: Some(
                "no socket file exists at that path: the server has not bound it yet, or it was removed",
            ),
        },
        Row {
            name: "Unix: bind in a folder that does not exist",
            setup: &[("server", "t = socket.socket(socket.AF_UNIX)")],
            step: ("server", "t.bind('{dir}/no/such/s.sock')"),
            end: End::Finishes,
            outcome: "FileNotFoundError: [Errno 2] No such file or directory",
            why: Some(
                "a folder in that path does not exist, so the socket's file cannot be created",
            ),
        },
        Row {
            name: "Unix: bind where a closed socket's file stays",
            setup: &[
                ("server", "us = socket.socket(socket.AF_UNIX)"),
                ("server", "us.bind('{dir}/s.sock')"),
                ("server", "us.close()"),
                ("server", "t = socket.socket(socket.AF_UNIX)"),
            ],
            step: ("server", "t.bind('{dir}/s.sock')"),
            end: End::Finishes,
            outcome: "OSError: [Errno 98] Address already in use",
            why: Some(
                "a file already exists at that path: a Unix socket's file stays after close() until it is removed (os.unlink)",
            ),
        },
        Row {
            name: "Unix: connect to a file nothing listens on",
            setup: &[
                ("server", "us = socket.socket(socket.AF_UNIX)"),
                ("server", "us.bind('{dir}/s.sock')"),
                ("server", "us.close()"),
                ("client", "t = socket.socket(socket.AF_UNIX)"),
            ],
            step: ("client", "t.connect('{dir}/s.sock')"),
            end: End::Finishes,
            outcome: "ConnectionRefusedError: [Errno 111] Connection refused",
            why: Some(
                "a socket file exists at that path, but no socket listens on it (its server closed; the file stays until it is removed)",
            ),
        },
    ]
}

/// Whether `text` matches `pattern`, where `{n}` stands for a number.
fn matches(pattern: &str, text: &str) -> bool {
    let mut rest = text;
    for (i, part) in pattern.split("{n}").enumerate() {
        if i > 0 {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits == 0 {
                return false;
            }
            rest = &rest[digits..];
        }
        match rest.strip_prefix(part) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

/// Waits for the step's event (at most 10 s); the events of other steps are dropped.
fn wait(session: &mut Session, step: u64, line: &str) -> Result<Event, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(event) = session.next_event(Duration::from_millis(100))
            && let Event::Finished { info, .. } = &event
            && info.step == step
        {
            return Ok(event);
        }
    }
    Err(format!("{line} did not finish"))
}

fn submit(session: &mut Session, pane: &str, line: &str) -> u64 {
    match session.submit(pane, line) {
        Ok(Submitted::Step(info)) => info.step,
        other => panic!("{line}: {other:?}"),
    }
}

/// Plays one row; returns what went wrong, if anything.
/// Waits (as a step of the client) until the peer's RST has been processed:
/// the kernel shows `c` CLOSED (TCP_INFO's first byte, 7). On a busy machine
/// the loopback's softirq may run after the call that sent the segment
/// returned, so a row about a reset waits for it instead of assuming it.
const RESET_IN: &str =
    "while c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1) != b'\\x07': pass";

fn play(row: &Row, dir: &str) -> Result<(), String> {
    let (port, free) = (free_port(), free_port());
    let fill = |line: &str| {
        line.replace("{port}", &port.to_string())
            .replace("{free}", &free.to_string())
            .replace("{dir}", dir)
    };
    let mut session = Session::new();
    for (pane, line) in row.setup {
        let line = fill(line);
        let step = submit(&mut session, pane, &line);
        wait(&mut session, step, &line)?;
    }
    let (pane, line) = row.step;
    let line = fill(line);
    let step = submit(&mut session, pane, &line);
    if let End::Interrupted { call, release } = row.end {
        let deadline = Instant::now() + Duration::from_secs(10);
        while session.running(pane).map(|(_, c, _)| c) != Some(call) {
            if Instant::now() > deadline {
                return Err(format!("never blocked in {call}"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if let Some((other, line)) = release {
            let step = submit(&mut session, other, line);
            wait(&mut session, step, line)?;
        }
        session.interrupt(pane);
    }
    let event = wait(&mut session, step, &line)?;
    let Event::Finished {
        outcome,
        stdout,
        closed,
        facts,
        ..
    } = &event
    else {
        return Err("not a finished step".into());
    };
    let shown = display::finished(&line, outcome, stdout, closed, facts.as_ref(), false, None);
    // None shows no line, as in Python's REPL: the row says "None".
    let outcome_line = shown
        .lines
        .iter()
        .find(|(k, _)| matches!(k, Kind::Value | Kind::Error))
        .map(|(_, t)| t.clone())
        .unwrap_or_else(|| "None".to_string());
    if !matches(row.outcome, &outcome_line) {
        return Err(format!(
            "outcome {outcome_line:?}, expected {:?}",
            row.outcome
        ));
    }
    let why = shown.why.map(|w| w.short);
    match (row.why, &why) {
        (None, None) => Ok(()),
        (Some(expected), Some(got)) if matches(expected, got) => Ok(()),
        _ => Err(format!("why {why:?}\n      expected {:?}", row.why)),
    }
}

/// With WHY_SCRIPTS=DIR, each row that needs no Ctrl-C is also written as a
/// script to DIR, so that `compare.py` can check its outcomes with CPython
/// (how the table was reviewed; see docs/why.md).
fn write_scripts() {
    let Some(out) = std::env::var_os("WHY_SCRIPTS") else {
        return;
    };
    // Unix sockets' files go beside the scripts.
    let dir = std::path::Path::new(&out).join("unix");
    let _ = std::fs::create_dir_all(&dir);
    let dir = dir.to_string_lossy();
    for (i, row) in rows().iter().enumerate() {
        if !matches!(row.end, End::Finishes) {
            continue;
        }
        let mut text = format!("# {}\n", row.name);
        for (pane, line) in row.setup.iter().chain([&row.step]) {
            let line = line
                .replace("{port}", "47301")
                .replace("{free}", "47302")
                .replace("{dir}", &dir);
            text.push_str(&format!("{pane}> {line}\n"));
        }
        let path = std::path::Path::new(&out).join(format!("why-{i:02}.sp"));
        std::fs::write(path, text).expect("a script written");
    }
}

#[test]
fn every_row_of_the_why_table_is_true_of_the_kernel() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path().to_str().expect("utf-8 temp path").to_string();
    write_scripts();
    let failures: Vec<String> = rows()
        .iter()
        .filter_map(|row| play(row, &dir).err().map(|e| format!("{}: {e}", row.name)))
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_pattern_matcher_stands_for_numbers_only() {
    assert!(matches("only {n} of 10 bytes", "only 4 of 10 bytes"));
    assert!(!matches("only {n} of 10 bytes", "only of 10 bytes"));
    assert!(!matches("only {n} of 10 bytes", "only 4 of 10 bytes!"));
    assert!(matches("{n}", "123"));
    assert!(!matches("{n}", "b''"));
}
