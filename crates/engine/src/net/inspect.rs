//! The kernel's view of a socket, read without touching its data: addresses,
//! TCP state (TCP_INFO), queued bytes (FIONREAD/TIOCOUTQ), the accept queue of
//! a listener, and whether a read or write would return at once (poll).

use std::os::fd::RawFd;

use super::sys;

/// What the kernel says of one socket right now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KernelView {
    pub local: Option<String>,
    pub remote: Option<String>,
    /// `LISTEN`, `ESTABLISHED`, `CLOSE_WAIT`... (TCP_CLOSE is shown as RFC 793's
    /// `CLOSED`); for Unix sockets `LISTEN`,
    /// `CONNECTED` or `UNCONNECTED`; None for datagram sockets.
    pub state: Option<&'static str>,
    /// Bytes waiting to be read.
    pub recv_q: Option<u32>,
    /// Bytes sent but not yet acknowledged (TCP) or not yet read (Unix).
    pub send_q: Option<u32>,
    /// For a listener: connections waiting to be accepted, and the backlog.
    pub accept_q: Option<(u32, u32)>,
    pub readable: bool,
    pub writable: bool,
}

/// Linux's TCP states, by their number in `tcp_states.h`.
const TCP_STATES: [&str; 12] = [
    "?",
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSED",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
];

/// Formats an address the way `ss` does: `127.0.0.1:5000`, `[::1]:5000`, a path.
pub fn show_addr(addr: &socket2::SockAddr) -> String {
    if let Some(sa) = addr.as_socket() {
        return sa.to_string();
    }
    if let Some(path) = addr.as_pathname() {
        return path.display().to_string();
    }
    if addr.is_unnamed() {
        return "(unnamed)".into();
    }
    "?".into()
}

/// Whether `fd` is a listening socket (SO_ACCEPTCONN).
pub fn listening(fd: RawFd) -> bool {
    sys::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ACCEPTCONN, 4)
        .ok()
        .and_then(|b| {
            b.get(..4)
                .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        })
        .is_some_and(|v| v != 0)
}

/// The connection state of `fd` and, for a TCP listener, its accept queue and
/// backlog: the TCP state from TCP_INFO, or for other stream sockets
/// `LISTEN`, `CONNECTED` or `UNCONNECTED`; None for datagram sockets.
pub fn state(
    fd: RawFd,
    family: i32,
    kind: i32,
    connected: bool,
) -> (Option<&'static str>, Option<(u32, u32)>) {
    let stream = kind == libc::SOCK_STREAM;
    if stream && (family == libc::AF_INET || family == libc::AF_INET6) {
        // struct tcp_info: tcpi_state is byte 0; tcpi_unacked (bytes 24..28)
        // and tcpi_sacked (28..32) are the accept queue and backlog of a listener.
        if let Ok(info) = sys::getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_INFO, 104)
            && info.len() >= 32
        {
            let word = |at: usize| {
                u32::from_ne_bytes([info[at], info[at + 1], info[at + 2], info[at + 3]])
            };
            let queue = (info[0] == 10).then(|| (word(24), word(28)));
            return (TCP_STATES.get(info[0] as usize).copied(), queue);
        }
        (None, None)
    } else if stream || kind == libc::SOCK_SEQPACKET {
        let state = if listening(fd) {
            "LISTEN"
        } else if connected {
            "CONNECTED"
        } else {
            "UNCONNECTED"
        };
        (Some(state), None)
    } else {
        (None, None)
    }
}

/// Reads the kernel's view of `fd`, a socket of this `family` and `kind`.
pub fn inspect(fd: RawFd, family: i32, kind: i32) -> KernelView {
    let local = sys::sock_name(fd, false).map(|a| show_addr(&a));
    let remote = sys::sock_name(fd, true).map(|a| show_addr(&a));
    let (readable, writable) = sys::readiness(fd);
    let (state, accept_q) = state(fd, family, kind, remote.is_some());
    let mut view = KernelView {
        local,
        remote,
        state,
        accept_q,
        readable,
        writable,
        ..KernelView::default()
    };
    if state != Some("LISTEN") {
        view.recv_q = sys::ioctl_int(fd, libc::FIONREAD).map(|n| n.max(0) as u32);
        view.send_q = sys::ioctl_int(fd, libc::TIOCOUTQ).map(|n| n.max(0) as u32);
    }
    view
}

#[cfg(test)]
mod tests {
    use super::inspect;
    use std::io::Write;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_peer_close_shows_as_close_wait_and_queued_bytes_show() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback bind");
        let addr = listener.local_addr().expect("bound");
        let lv = inspect(listener.as_raw_fd(), libc::AF_INET, libc::SOCK_STREAM);
        assert_eq!(lv.state, Some("LISTEN"));
        let client = std::net::TcpStream::connect(addr).expect("connect");
        let (mut server, _) = listener.accept().expect("accept");
        server.write_all(b"hello").expect("write");
        std::thread::sleep(std::time::Duration::from_millis(50));
        let cv = inspect(client.as_raw_fd(), libc::AF_INET, libc::SOCK_STREAM);
        assert_eq!(cv.state, Some("ESTABLISHED"));
        assert_eq!(cv.recv_q, Some(5));
        assert!(cv.readable);
        assert_eq!(cv.remote.as_deref(), Some(addr.to_string().as_str()));
        drop(server);
        std::thread::sleep(std::time::Duration::from_millis(50));
        let cv = inspect(client.as_raw_fd(), libc::AF_INET, libc::SOCK_STREAM);
        assert_eq!(cv.state, Some("CLOSE_WAIT"));
    }
}
