//! `help(x)` and `help('name')`: short texts of sockplay's own for every
//! socket method, socket module function and constant of SPEC 2.1: the
//! signature, and what the kernel does. (CPython's help() pages pydoc's long
//! text; in a playground the point is the kernel, so the texts differ.)

/// (name, signature, what it does).
const METHODS: &[(&str, &str, &str)] = &[
    (
        "accept",
        "accept() -> (socket, address)",
        "Takes the next connection the kernel completed on a listening socket (the handshake happened before: accept() sends nothing). Blocks while the accept queue is empty; non-blocking: BlockingIOError.",
    ),
    (
        "bind",
        "bind(address)",
        "Gives the socket its local address ((host, port), or a path for AF_UNIX). Port 0: the kernel picks a free one. Fails with EADDRINUSE while another socket holds the port (or a connection of it is in TIME_WAIT, without SO_REUSEADDR).",
    ),
    (
        "close",
        "close()",
        "Releases the file descriptor. With unread data the kernel answers the peer with RST (ConnectionResetError there), otherwise with FIN (b'' there). A closed socket's calls fail with EBADF.",
    ),
    (
        "connect",
        "connect(address)",
        "Starts the handshake (SYN) and waits for its end. Refused: ConnectionRefusedError (the peer's RST). Non-blocking: BlockingIOError (EINPROGRESS) while the handshake goes on.",
    ),
    (
        "connect_ex",
        "connect_ex(address) -> errno",
        "connect(), but the error comes back as a number (0: connected; 111: refused; 115: in progress) instead of an exception.",
    ),
    (
        "fileno",
        "fileno() -> int",
        "The file descriptor (-1 once closed).",
    ),
    (
        "getblocking",
        "getblocking() -> bool",
        "Whether calls wait (True) or fail at once with BlockingIOError (False).",
    ),
    (
        "getpeername",
        "getpeername() -> address",
        "The address of the connected peer; OSError ENOTCONN when there is none.",
    ),
    (
        "getsockname",
        "getsockname() -> address",
        "The socket's own address (after bind or connect; ('0.0.0.0', 0) before).",
    ),
    (
        "getsockopt",
        "getsockopt(level, option[, buflen])",
        "Reads a socket option from the kernel: an int, or bytes with buflen (SO_ERROR reads and clears a pending error).",
    ),
    (
        "gettimeout",
        "gettimeout() -> float or None",
        "None: blocking; 0.0: non-blocking; t: calls wait at most t seconds.",
    ),
    (
        "listen",
        "listen([backlog])",
        "Makes a bound TCP socket accept connections: the kernel completes handshakes by itself into a queue of at most backlog (the accept queue).",
    ),
    (
        "recv",
        "recv(bufsize[, flags]) -> bytes",
        "Takes up to bufsize bytes from the receive buffer. Blocks while it is empty; b'' means the peer finished sending (FIN) and everything was read; non-blocking with nothing to read: BlockingIOError. Flags: MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL.",
    ),
    (
        "recvfrom",
        "recvfrom(bufsize[, flags]) -> (bytes, address)",
        "recv() and the sender's address: for datagrams, one datagram per call (cut to bufsize; the rest is lost).",
    ),
    (
        "send",
        "send(bytes[, flags]) -> int",
        "Copies bytes into the send buffer and says how many it took: blocking, all of them once there is room; non-blocking, what fits (BlockingIOError when nothing does). After the peer is gone: BrokenPipeError, or ConnectionResetError after its RST.",
    ),
    (
        "sendall",
        "sendall(bytes[, flags])",
        "send() until every byte is in the send buffer; None when done. With a timeout it may fail part way (TimeoutError).",
    ),
    (
        "sendto",
        "sendto(bytes[, flags], address) -> int",
        "Sends one datagram to address (UDP, or an AF_UNIX datagram socket).",
    ),
    (
        "setblocking",
        "setblocking(flag)",
        "False: calls never wait (BlockingIOError instead); True: they wait (the same as settimeout(None)).",
    ),
    (
        "setsockopt",
        "setsockopt(level, option, value)",
        "Sets a socket option in the kernel: SO_REUSEADDR (bind over TIME_WAIT), SO_RCVBUF/SO_SNDBUF (buffer sizes), TCP_NODELAY (no Nagle), SO_LINGER (close with RST), SO_BROADCAST, SO_KEEPALIVE.",
    ),
    (
        "settimeout",
        "settimeout(seconds)",
        "None: blocking; 0: non-blocking; t: each call waits at most t seconds, then TimeoutError (no errno).",
    ),
    (
        "shutdown",
        "shutdown(how)",
        "Ends one direction without closing: SHUT_WR sends FIN (the peer reads b''), SHUT_RD stops reading, SHUT_RDWR both.",
    ),
];

const FUNCTIONS: &[(&str, &str, &str)] = &[
    (
        "socket",
        "socket.socket(family=AF_INET, type=SOCK_STREAM, proto=0)",
        "A new socket: socket(2). AF_INET/AF_INET6/AF_UNIX; SOCK_STREAM (TCP) or SOCK_DGRAM (UDP).",
    ),
    (
        "create_connection",
        "socket.create_connection(address, timeout=None)",
        "Resolves address, then socket() and connect() to the first address that answers; the socket keeps the timeout.",
    ),
    (
        "create_server",
        "socket.create_server(address, family=AF_INET, backlog=None, reuse_port=False)",
        "socket(), SO_REUSEADDR, bind() and listen() in one call: a listening TCP socket.",
    ),
    (
        "socketpair",
        "socket.socketpair()",
        "Two AF_UNIX stream sockets already connected to each other: a peer without a port.",
    ),
    (
        "gethostname",
        "socket.gethostname()",
        "The machine's host name.",
    ),
    (
        "select",
        "select.select(rlist, wlist, xlist[, timeout])",
        "Waits until a socket is readable (data, a connection to accept, or end of stream), writable (room in the send buffer) or in error; returns the three lists of those that are. timeout 0: just asks.",
    ),
];

const CONSTANTS: &[(&str, &str)] = &[
    (
        "AF_INET",
        "address family: IPv4, addresses ('127.0.0.1', port)",
    ),
    (
        "AF_INET6",
        "address family: IPv6, addresses ('::1', port[, flowinfo[, scope_id]])",
    ),
    ("AF_UNIX", "address family: a path on this machine"),
    (
        "SOCK_STREAM",
        "socket type: a byte stream (TCP): no message boundaries",
    ),
    (
        "SOCK_DGRAM",
        "socket type: datagrams (UDP): one recv, one datagram",
    ),
    (
        "SOL_SOCKET",
        "setsockopt/getsockopt level of the socket options",
    ),
    (
        "SO_REUSEADDR",
        "option: bind a port whose connections are still in TIME_WAIT",
    ),
    (
        "SO_REUSEPORT",
        "option: several sockets bound to one port share its connections",
    ),
    (
        "SO_KEEPALIVE",
        "option: probe an idle connection to find a peer that is gone",
    ),
    (
        "SO_RCVBUF",
        "option: the receive buffer's size (the kernel doubles what is set)",
    ),
    (
        "SO_SNDBUF",
        "option: the send buffer's size (the kernel doubles what is set)",
    ),
    (
        "SO_ERROR",
        "option: read and clear a pending error (after a non-blocking connect)",
    ),
    ("SO_TYPE", "option: the socket's type"),
    (
        "SO_BROADCAST",
        "option: allow sending datagrams to a broadcast address",
    ),
    (
        "SO_LINGER",
        "option: (on, seconds); on with 0 seconds makes close() send RST",
    ),
    (
        "IPPROTO_TCP",
        "setsockopt/getsockopt level of TCP's options",
    ),
    ("IPPROTO_UDP", "the UDP protocol number"),
    (
        "TCP_NODELAY",
        "option: send small writes at once (no Nagle)",
    ),
    ("SHUT_RD", "shutdown(): stop reading"),
    ("SHUT_WR", "shutdown(): send FIN: the peer reads b''"),
    ("SHUT_RDWR", "shutdown(): both directions"),
    ("MSG_PEEK", "recv flag: look at the data without taking it"),
    (
        "MSG_DONTWAIT",
        "recv/send flag: do not wait, this call only",
    ),
    (
        "MSG_WAITALL",
        "recv flag: wait for all bufsize bytes (or end of stream)",
    ),
    (
        "SOMAXCONN",
        "the largest listen() backlog the kernel allows",
    ),
];

/// Where the why-table is: the kernel states behind each surprising outcome.
const MORE: &str = "More: docs/why.md (why each surprising outcome happens), docs/language.md.";

/// The help text for a name (`recv`, `socket.recv`, `create_connection`,
/// `AF_INET`), or None when sockplay has none.
pub fn text_for(name: &str) -> Option<String> {
    let name = name
        .trim()
        .trim_start_matches("socket.socket.")
        .trim_start_matches("socket.")
        .trim_start_matches("select.");
    if let Some((_, sig, what)) = METHODS.iter().find(|(n, _, _)| *n == name) {
        return Some(format!("socket.{sig}\n    {what}\n{MORE}\n"));
    }
    if let Some((_, sig, what)) = FUNCTIONS.iter().find(|(n, _, _)| *n == name) {
        return Some(format!("{sig}\n    {what}\n{MORE}\n"));
    }
    let (_, what) = CONSTANTS.iter().find(|(n, _)| *n == name)?;
    Some(format!("socket.{name}: {what}\n{MORE}\n"))
}

/// The help text for a socket object: its methods, one line each.
pub fn socket_text() -> String {
    let mut out = String::from("A socket. Its methods (help('recv') and so on for one):\n");
    for (_, sig, _) in METHODS {
        out.push_str(&format!("    {sig}\n"));
    }
    out.push_str(MORE);
    out.push('\n');
    out
}

/// The help text for the socket module: its functions and constants.
pub fn module_text() -> String {
    let mut out = String::from("The socket module. Functions:\n");
    for (_, sig, _) in FUNCTIONS {
        out.push_str(&format!("    {sig}\n"));
    }
    out.push_str("Constants: ");
    let names: Vec<&str> = CONSTANTS.iter().map(|(n, _)| *n).collect();
    out.push_str(&names.join(" "));
    out.push('\n');
    out.push_str(MORE);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_socket_method_function_and_constant_has_a_text() {
        for m in crate::interp::sockets::SOCKET_METHODS {
            assert!(text_for(m).is_some(), "method {m}");
        }
        for f in crate::interp::sockets::SOCKET_FUNCTIONS {
            assert!(text_for(f).is_some(), "function {f}");
        }
        for c in [
            "AF_INET",
            "AF_INET6",
            "AF_UNIX",
            "SOCK_STREAM",
            "SOCK_DGRAM",
            "SOL_SOCKET",
            "SO_REUSEADDR",
            "SO_REUSEPORT",
            "SO_KEEPALIVE",
            "SO_RCVBUF",
            "SO_SNDBUF",
            "SO_ERROR",
            "SO_TYPE",
            "SO_BROADCAST",
            "SO_LINGER",
            "IPPROTO_TCP",
            "IPPROTO_UDP",
            "TCP_NODELAY",
            "SHUT_RD",
            "SHUT_WR",
            "SHUT_RDWR",
            "MSG_PEEK",
            "MSG_DONTWAIT",
            "MSG_WAITALL",
            "SOMAXCONN",
        ] {
            assert!(text_for(c).is_some(), "constant {c}");
        }
        assert!(text_for("socket.recv").is_some_and(|t| t.starts_with("socket.recv(bufsize")));
        assert_eq!(text_for("nosuch"), None);
    }
}
