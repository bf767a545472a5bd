//! A Python socket object on socket2: its mode (blocking, non-blocking,
//! timeout), its methods with CPython's semantics, and its repr.
//!
//! As in CPython, a blocking socket makes blocking system calls; a socket with
//! a timeout is O_NONBLOCK and waits for readiness with poll(2) first, then
//! retries (`sock_call_ex` in socketmodule.c); EINTR turns into
//! `KeyboardInterrupt` when the pane was interrupted, else the call is retried.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::facts::{History, State};
use super::{Waiter, sys};
use crate::net::NetError;

/// A mutex's value, also after a panic elsewhere (the value stays valid).
fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A socket option's value: an int, or the bytes asked for with a length.
#[derive(Debug, Clone, PartialEq)]
pub enum SockOpt {
    Int(i32),
    Bytes(Vec<u8>),
}

/// The largest buffer `recv` allocates, whatever size it is asked for.
pub const MAX_RECV: usize = 64 * 1024 * 1024;

/// A receive buffer of `size` zero bytes, within the memory budget.
fn zeroed(op: &'static str, size: usize) -> Result<Vec<u8>, NetError> {
    crate::mem::reserve(size, 1).map_err(|_| NetError::NoMemory { op })?;
    Ok(vec![0; size])
}

/// Sets the buffer to the length the kernel reported: shorter when less
/// arrived, longer (zero-filled) when MSG_TRUNC reported a longer datagram.
fn fit(op: &'static str, buf: &mut Vec<u8>, n: usize) -> Result<(), NetError> {
    if n > buf.len() {
        crate::mem::reserve(n - buf.len(), 1).map_err(|_| NetError::NoMemory { op })?;
    }
    buf.resize(n, 0);
    Ok(())
}

/// A socket object as Python sees it.
#[derive(Debug)]
pub struct PySocket {
    pub family: i32,
    pub kind: i32,
    pub proto: i32,
    /// Read-locked by every call (one thread uses a pane's sockets at a time), written by `close`.
    sock: RwLock<Option<Socket>>,
    /// None: blocking; Some(0.0): non-blocking; Some(t): timeout of t seconds.
    timeout: Mutex<Option<f64>>,
    /// What this side did to the socket (shutdown, connected), for `why:` lines.
    history: History,
    /// A blocking send attempted on the front end's thread that sent part of
    /// its data before it would wait: (bytes sent, bytes in all). The step
    /// runs again on the pane's thread, whose send goes on from there.
    carried: Mutex<Option<(usize, usize)>>,
}

impl PySocket {
    /// `socket.socket(family, type, proto)`: socket(2).
    pub fn new(family: i32, kind: i32, proto: i32) -> Result<PySocket, NetError> {
        let sock = Socket::new(
            Domain::from(family),
            Type::from(kind),
            Some(Protocol::from(proto)),
        )
        .map_err(|e| NetError::io("socket()", e))?;
        Ok(Self::wrap(sock, family, kind, proto, History::default()))
    }

    /// `socket.socketpair(family, type, proto)`: socketpair(2).
    pub fn pair(family: i32, kind: i32, proto: i32) -> Result<(PySocket, PySocket), NetError> {
        let (a, b) = Socket::pair(
            Domain::from(family),
            Type::from(kind),
            Some(Protocol::from(proto)),
        )
        .map_err(|e| NetError::io("socketpair()", e))?;
        Ok((
            Self::wrap(a, family, kind, proto, History::connected()),
            Self::wrap(b, family, kind, proto, History::connected()),
        ))
    }

    fn wrap(sock: Socket, family: i32, kind: i32, proto: i32, history: History) -> PySocket {
        PySocket {
            family,
            kind,
            proto,
            sock: RwLock::new(Some(sock)),
            timeout: Mutex::new(None),
            history,
            carried: Mutex::new(None),
        }
    }

    /// The socket's state now, as the kernel and this side's history tell it.
    pub fn state(&self) -> State {
        match self.open().as_ref() {
            Some(sock) => State::read(sock.as_raw_fd(), self.family, self.kind, &self.history),
            None => State::closed(&self.history),
        }
    }

    /// What this side has done to the socket, without asking the kernel.
    pub fn remembered(&self) -> State {
        State::remembered(&self.history)
    }

    /// Keeps what a call's result says that the kernel will not say later:
    /// a shutdown, a peer (a stream that sent or received has one; `connect`
    /// records its own), a reset reported. `outcome`: Ok, or the errno it
    /// failed with (None: not an OS error).
    pub fn remember(&self, method: &str, how: Option<i32>, outcome: Result<(), Option<i32>>) {
        let moves = matches!(method, "send" | "sendall" | "recv" | "recvfrom");
        match (method, outcome) {
            ("shutdown", Ok(())) => self.history.shut_down(how.unwrap_or(-1)),
            (_, Ok(())) if moves && self.kind == libc::SOCK_STREAM => self.history.saw_peer(),
            (_, Err(Some(libc::ECONNRESET))) => self.history.saw_reset(),
            _ => {}
        }
    }

    /// The socket, or None once closed. A poisoned lock (a panic caught as a
    /// SystemError outcome) still holds a valid socket.
    fn open(&self) -> RwLockReadGuard<'_, Option<Socket>> {
        self.sock
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `fileno()`: the fd, or -1 once closed.
    pub fn fileno(&self) -> RawFd {
        self.open().as_ref().map_or(-1, |s| s.as_raw_fd())
    }

    pub fn is_closed(&self) -> bool {
        self.open().is_none()
    }

    /// `gettimeout()`.
    pub fn timeout(&self) -> Option<f64> {
        *locked(&self.timeout)
    }

    /// Runs `f` on the open socket, or fails with EBADF as CPython does on fd -1.
    fn with<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Socket) -> Result<T, NetError>,
    ) -> Result<T, NetError> {
        match self.open().as_ref() {
            Some(sock) => f(sock),
            None => Err(NetError::os(op, libc::EBADF)),
        }
    }

    /// `settimeout(t)` / `setblocking(flag)`: the timeout is stored first, then
    /// O_NONBLOCK is set, so on a closed socket the value changes and EBADF follows.
    pub fn set_timeout(&self, timeout: Option<f64>) -> Result<(), NetError> {
        *locked(&self.timeout) = timeout;
        self.with("settimeout()", |s| {
            s.set_nonblocking(timeout.is_some())
                .map_err(|e| NetError::io("settimeout()", e))
        })
    }

    /// The deadline of a call starting now, in timeout mode.
    fn deadline(&self) -> Option<Instant> {
        match *locked(&self.timeout) {
            Some(t) if t > 0.0 => Some(Instant::now() + Duration::from_secs_f64(t.min(1e9))),
            _ => None,
        }
    }

    /// CPython's `sock_call_ex`: in timeout mode wait for readiness then call,
    /// retrying on EINTR (unless interrupted) and on a false readiness. In
    /// blocking mode the kernel is asked first whether the call would wait
    /// (poll with no timeout); if so the pane is told (`Waiter::waiting`)
    /// before the call waits in the kernel, so that "blocked" is a fact.
    fn call<T>(
        &self,
        w: &dyn Waiter,
        name: &'static str,
        writing: bool,
        deadline: Option<Instant>,
        f: impl FnMut(&Socket, i32) -> io::Result<T>,
    ) -> Result<T, NetError> {
        // accept(2) has no MSG_DONTWAIT: it is never attempted.
        self.call_for(&NoAttempt(w), name, writing, Some(1), deadline, f)
    }

    /// `call` for a call that needs `bytes` before it returns (all of them
    /// for MSG_WAITALL); None: it never waits (MSG_DONTWAIT).
    fn call_for<T>(
        &self,
        w: &dyn Waiter,
        name: &'static str,
        writing: bool,
        bytes: Option<usize>,
        deadline: Option<Instant>,
        mut f: impl FnMut(&Socket, i32) -> io::Result<T>,
    ) -> Result<T, NetError> {
        let blocking = self.timeout().is_none();
        // `f` adds these flags to its own: MSG_DONTWAIT for an attempt (not
        // with MSG_WAITALL, which an attempt would cut short).
        let attempt = blocking && deadline.is_none() && bytes == Some(1) && w.attempt_only();
        let extra = if attempt { libc::MSG_DONTWAIT } else { 0 };
        self.with(name, |sock| {
            w.entering(name);
            let fd = sock.as_raw_fd();
            let result = loop {
                if let Some(deadline) = deadline {
                    if let Err(e) = wait_ready(fd, writing, deadline, w, name) {
                        break Err(e);
                    }
                } else if blocking
                    && !attempt
                    && w.announces()
                    && let Some(bytes) = bytes
                    && announce_wait(fd, writing, (bytes > 1).then_some(bytes), w, name)
                    && bytes == 1
                {
                    // Waited for in poll(2), then called: while the wait is
                    // announced, what it waits for has not been taken by this
                    // thread yet, so the session never sees a wait that is
                    // over as one that is not (MSG_WAITALL waits in the call).
                    if let Err(e) = poll_until_ready(fd, writing, w, name) {
                        break Err(e);
                    }
                    w.waiting(None);
                }
                if w.take_interrupt() {
                    break Err(NetError::Interrupted { op: name });
                }
                match f(sock, extra) {
                    Ok(v) => break Ok(v),
                    Err(e) if attempt && e.raw_os_error() == Some(libc::EAGAIN) => {
                        w.would_wait();
                        break Err(NetError::io(name, e));
                    }
                    Err(e) => match e.raw_os_error() {
                        Some(libc::EINTR) => {
                            if w.take_interrupt() {
                                break Err(NetError::Interrupted { op: name });
                            }
                        }
                        Some(libc::EAGAIN) if deadline.is_some() => {}
                        _ => break Err(NetError::io(name, e)),
                    },
                }
            };
            w.waiting(None);
            result
        })
    }

    /// `bind(address)`.
    pub fn bind(&self, address: &SockAddr) -> Result<(), NetError> {
        self.with("bind()", |s| {
            s.bind(address).map_err(|e| NetError::io("bind()", e))
        })
    }

    /// `listen(backlog)`.
    pub fn listen(&self, backlog: i32) -> Result<(), NetError> {
        self.with("listen()", |s| {
            s.listen(backlog.max(0))
                .map_err(|e| NetError::io("listen()", e))
        })
    }

    /// `accept()`: the new socket is blocking, like CPython's.
    pub fn accept(&self, w: &dyn Waiter) -> Result<(PySocket, SockAddr), NetError> {
        let (sock, peer) = self.call(w, "accept()", false, self.deadline(), |s, _| s.accept())?;
        Ok((
            Self::wrap(
                sock,
                self.family,
                self.kind,
                self.proto,
                History::connected(),
            ),
            peer,
        ))
    }

    /// CPython's `internal_connect`: Ok(0) on success, Ok(errno) for an OS
    /// error when `raise` is false (connect_ex), Err for everything else.
    pub fn connect(
        &self,
        w: &dyn Waiter,
        address: &SockAddr,
        raise: bool,
    ) -> Result<i32, NetError> {
        let fail = |errno: i32| {
            if raise {
                Err(NetError::os("connect()", errno))
            } else {
                Ok(errno)
            }
        };
        let timeout = *locked(&self.timeout);
        let deadline = self.deadline();
        // On a closed socket CPython calls connect(-1): EBADF, which
        // connect_ex returns as a number like any other errno.
        if self.is_closed() {
            return fail(libc::EBADF);
        }
        let blocking = timeout.is_none();
        let first = self.with("connect()", |s| {
            w.entering("connect()");
            if !blocking {
                return Ok(s.connect(address));
            }
            // Blocking: started without waiting, so that a wait is known
            // (EINPROGRESS) and announced; the outcome is the same errno.
            if let Err(e) = s.set_nonblocking(true) {
                return Ok(Err(e));
            }
            let started = s.connect(address);
            let restored = s.set_nonblocking(false);
            match (started, restored) {
                // A Unix listener's full backlog: only a blocking connect waits for room.
                (Err(e), Ok(())) if e.raw_os_error() == Some(libc::EAGAIN) => {
                    w.waiting(Some(crate::net::Wait {
                        call: "connect()",
                        on: Vec::new(),
                        bytes: None,
                        timeout: false,
                        from: None,
                    }));
                    let r = s.connect(address);
                    w.waiting(None);
                    Ok(r)
                }
                (started, Ok(())) => Ok(started),
                (_, Err(e)) => Ok(Err(e)),
            }
        })?;
        let errno = match first {
            Ok(()) => {
                self.history.saw_peer();
                return Ok(0);
            }
            Err(e) => e.raw_os_error().unwrap_or(libc::EIO),
        };
        let wait = if errno == libc::EINTR {
            if w.take_interrupt() {
                return Err(NetError::Interrupted { op: "connect()" });
            }
            timeout != Some(0.0)
        } else {
            (blocking || deadline.is_some()) && errno == libc::EINPROGRESS
        };
        if !wait {
            return fail(errno);
        }
        // The connection goes on in the kernel: wait until it is writable, then read SO_ERROR.
        let result = self.with("connect()", |s| {
            let fd = s.as_raw_fd();
            loop {
                let waited = match deadline {
                    Some(deadline) => wait_ready(fd, true, deadline, w, "connect()"),
                    None => wait_forever(fd, true, w, "connect()"),
                };
                w.waiting(None);
                waited?;
                match s.take_error() {
                    Ok(None) => return Ok(0),
                    Ok(Some(e)) => match e.raw_os_error() {
                        Some(libc::EINTR) if !w.take_interrupt() => continue,
                        Some(libc::EINTR) => {
                            return Err(NetError::Interrupted { op: "connect()" });
                        }
                        Some(n) => return Ok(n),
                        None => return Ok(libc::EIO),
                    },
                    Err(e) => return Ok(e.raw_os_error().unwrap_or(libc::EIO)),
                }
            }
        });
        // A blocking connect leaves the socket marked connected (a second
        // connect() fails with EISCONN) or, when it failed, unconnected (a
        // second one starts afresh). One started without waiting is marked so
        // by the next connect(), made here; an interrupted one goes on.
        if blocking && !matches!(&result, Err(NetError::Interrupted { .. })) {
            let _ = self.with("connect()", |s| Ok(s.connect(address)));
        }
        match result {
            Ok(0) => {
                self.history.saw_peer();
                Ok(0)
            }
            Ok(errno) => fail(errno),
            Err(NetError::TimedOut { .. }) if !raise => Ok(libc::EWOULDBLOCK),
            Err(e) => Err(e),
        }
    }

    /// `recv(bufsize, flags)`. As in CPython, `recv(0)` returns `b''` without
    /// a system call. With MSG_TRUNC the kernel may report a datagram longer
    /// than the buffer: CPython then returns that many bytes, garbage after
    /// the received ones; sockplay keeps the length and fills the rest with zeros.
    /// The second value is a datagram's real length when it did not fit.
    pub fn recv(
        &self,
        w: &dyn Waiter,
        size: usize,
        flags: i32,
    ) -> Result<(Vec<u8>, Option<usize>), NetError> {
        if size == 0 {
            return Ok((Vec::new(), None));
        }
        let mut buf = zeroed("recv()", size.min(MAX_RECV))?;
        let n = self.call_for(
            w,
            "recv()",
            false,
            needs(flags, size),
            self.deadline(),
            |s, extra| sys::recv(s.as_raw_fd(), &mut buf, self.trunc_flags(flags) | extra),
        )?;
        let datagram = self.fit_datagram(&mut buf, n, flags)?;
        Ok((buf, datagram))
    }

    /// A datagram socket is read with MSG_TRUNC, so that the kernel tells the
    /// datagram's real length; on a stream MSG_TRUNC would discard data.
    fn trunc_flags(&self, flags: i32) -> i32 {
        if self.kind == libc::SOCK_STREAM {
            flags
        } else {
            flags | libc::MSG_TRUNC
        }
    }

    /// Sets `buf` to what the caller sees of `n` received bytes: the datagram's
    /// real length with the caller's MSG_TRUNC, otherwise at most the buffer.
    /// Returns the datagram's real length when it was longer than the buffer.
    fn fit_datagram(
        &self,
        buf: &mut Vec<u8>,
        n: usize,
        flags: i32,
    ) -> Result<Option<usize>, NetError> {
        let room = buf.len();
        let longer = (n > room).then_some(n);
        if flags & libc::MSG_TRUNC != 0 {
            fit("recv()", buf, n)?;
        } else {
            fit("recv()", buf, n.min(room))?;
        }
        Ok(longer)
    }

    /// `recvfrom(bufsize, flags)`: the data and the sender's address (None on
    /// TCP), and a datagram's real length when it did not fit.
    pub fn recvfrom(
        &self,
        w: &dyn Waiter,
        size: usize,
        flags: i32,
    ) -> Result<(Vec<u8>, SockAddr, Option<usize>), NetError> {
        let mut buf = zeroed("recvfrom()", size.min(MAX_RECV))?;
        let needs = needs(flags, size);
        let (n, from) = self.call_for(
            w,
            "recvfrom()",
            false,
            needs,
            self.deadline(),
            |s, extra| sys::recvfrom(s.as_raw_fd(), &mut buf, self.trunc_flags(flags) | extra),
        )?;
        let datagram = self.fit_datagram(&mut buf, n, flags)?;
        Ok((buf, from, datagram))
    }

    /// `send(data, flags)`: the number of bytes the kernel took. On a blocking
    /// socket that is all of them (or an error before any byte), as the
    /// kernel's blocking send does.
    pub fn send(&self, w: &dyn Waiter, data: &[u8], flags: i32) -> Result<usize, NetError> {
        if self.timeout().is_none() && flags & libc::MSG_DONTWAIT == 0 {
            return self.send_blocking(w, "send()", data, true, &mut 0, |s, rest| {
                s.send_with_flags(rest, flags | libc::MSG_DONTWAIT)
            });
        }
        self.call_for(
            w,
            "send()",
            true,
            needs(flags, 1),
            self.deadline(),
            |s, _| s.send_with_flags(data, flags),
        )
    }

    /// `sendall(data, flags)`: sends until everything is sent; one deadline
    /// for all. `sent` counts the bytes sent, also when the call fails part way.
    pub fn sendall(
        &self,
        w: &dyn Waiter,
        data: &[u8],
        flags: i32,
        sent: &mut usize,
    ) -> Result<(), NetError> {
        *sent = 0;
        if self.timeout().is_none() && flags & libc::MSG_DONTWAIT == 0 {
            return self
                .send_blocking(w, "sendall()", data, false, sent, |s, rest| {
                    s.send_with_flags(rest, flags | libc::MSG_DONTWAIT)
                })
                .map(|_| ());
        }
        let deadline = self.deadline();
        loop {
            let n = self.call_for(w, "sendall()", true, needs(flags, 1), deadline, |s, _| {
                s.send_with_flags(&data[*sent..], flags)
            })?;
            *sent += n;
            if *sent >= data.len() {
                return Ok(());
            }
            if w.take_interrupt() {
                return Err(NetError::Interrupted { op: "sendall()" });
            }
        }
    }

    /// `sendto(data, flags, address)`.
    pub fn sendto(
        &self,
        w: &dyn Waiter,
        data: &[u8],
        flags: i32,
        to: &SockAddr,
    ) -> Result<usize, NetError> {
        if self.timeout().is_none() && flags & libc::MSG_DONTWAIT == 0 {
            return self.send_blocking(w, "sendto()", data, true, &mut 0, |s, rest| {
                s.send_to_with_flags(rest, to, flags | libc::MSG_DONTWAIT)
            });
        }
        self.call_for(
            w,
            "sendto()",
            true,
            needs(flags, 1),
            self.deadline(),
            |s, _| s.send_to_with_flags(data, to, flags),
        )
    }

    /// A send on a blocking socket, as the kernel's blocking send behaves
    /// (everything is sent before it returns), made of sends that never wait
    /// in the kernel: each wait for room is announced to the pane and made in
    /// poll(2), interruptibly. `sent` counts the bytes sent. With `partial`
    /// (send, sendto), an error after some bytes returns their count, as the
    /// kernel does; otherwise (sendall) the error is raised.
    fn send_blocking(
        &self,
        w: &dyn Waiter,
        call: &'static str,
        data: &[u8],
        partial: bool,
        sent: &mut usize,
        mut f: impl FnMut(&Socket, &[u8]) -> io::Result<usize>,
    ) -> Result<usize, NetError> {
        // The part an attempt sent of this very data (see `carried`).
        if let Some((done, all)) = locked(&self.carried).take()
            && all == data.len()
        {
            *sent = done;
        }
        self.with(call, |sock| {
            w.entering(call);
            let fd = sock.as_raw_fd();
            let result = loop {
                if w.take_interrupt() {
                    break Err(NetError::Interrupted { op: call });
                }
                match f(sock, &data[*sent..]) {
                    Ok(n) => {
                        *sent += n;
                        if *sent >= data.len() {
                            break Ok(*sent);
                        }
                    }
                    Err(e) => match e.raw_os_error() {
                        // An attempt waits nowhere: what it sent is carried
                        // to the pane's thread, which sends the rest.
                        Some(libc::EAGAIN) if w.attempt_only() => {
                            if *sent > 0 {
                                *locked(&self.carried) = Some((*sent, data.len()));
                            }
                            w.would_wait();
                            break Err(NetError::io(call, e));
                        }
                        Some(libc::EAGAIN) => {
                            let waited = wait_forever(fd, true, w, call);
                            w.waiting(None);
                            if let Err(e) = waited {
                                break Err(e);
                            }
                        }
                        Some(libc::EINTR) => {
                            if w.take_interrupt() {
                                break Err(NetError::Interrupted { op: call });
                            }
                        }
                        _ if partial && *sent > 0 => break Ok(*sent),
                        _ => break Err(NetError::io(call, e)),
                    },
                }
            };
            w.waiting(None);
            result
        })
    }

    /// `shutdown(how)`.
    pub fn shutdown(&self, how: i32) -> Result<(), NetError> {
        self.with("shutdown()", |s| {
            sys::shutdown(s.as_raw_fd(), how).map_err(|e| NetError::io("shutdown()", e))
        })
    }

    /// `close()`: close(2); errors of close are ignored, like ECONNRESET in CPython.
    pub fn close(&self) {
        self.sock
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
    }

    /// `getsockname()`.
    pub fn getsockname(&self) -> Result<SockAddr, NetError> {
        self.with("getsockname()", |s| {
            s.local_addr().map_err(|e| NetError::io("getsockname()", e))
        })
    }

    /// `getpeername()`.
    pub fn getpeername(&self) -> Result<SockAddr, NetError> {
        self.with("getpeername()", |s| {
            s.peer_addr().map_err(|e| NetError::io("getpeername()", e))
        })
    }

    /// `getsockopt(level, name)` as an int, or with `buflen` as bytes.
    pub fn getsockopt(
        &self,
        level: i32,
        name: i32,
        buflen: Option<usize>,
    ) -> Result<SockOpt, NetError> {
        self.with("getsockopt()", |s| {
            let fd = s.as_raw_fd();
            match buflen {
                None => {
                    let raw = sys::getsockopt(fd, level, name, 4)
                        .map_err(|e| NetError::io("getsockopt()", e))?;
                    let mut word = [0u8; 4];
                    word[..raw.len().min(4)].copy_from_slice(&raw[..raw.len().min(4)]);
                    Ok(SockOpt::Int(i32::from_ne_bytes(word)))
                }
                Some(len) => sys::getsockopt(fd, level, name, len)
                    .map(SockOpt::Bytes)
                    .map_err(|e| NetError::io("getsockopt()", e)),
            }
        })
    }

    /// `setsockopt(level, name, value)` with an int, bytes, or None and a length.
    pub fn setsockopt(
        &self,
        level: i32,
        name: i32,
        value: Option<&[u8]>,
        len: usize,
    ) -> Result<(), NetError> {
        self.with("setsockopt()", |s| {
            sys::setsockopt(s.as_raw_fd(), level, name, value, len)
                .map_err(|e| NetError::io("setsockopt()", e))
        })
    }

    /// The raw socket, for the kernel's view of front ends.
    pub fn raw_fd(&self) -> Option<RawFd> {
        self.open().as_ref().map(|s| s.as_raw_fd())
    }
}

/// What a receive needs before it returns: any byte (Some(1)), all it asked
/// for with MSG_WAITALL, or nothing with MSG_DONTWAIT (None: it never waits).
fn needs(flags: i32, size: usize) -> Option<usize> {
    if flags & libc::MSG_DONTWAIT != 0 {
        None
    } else if flags & libc::MSG_WAITALL != 0 {
        Some(size)
    } else {
        Some(1)
    }
}

/// A waiter whose calls are never attempted: for calls that take no flags (accept).
struct NoAttempt<'a>(&'a dyn Waiter);

impl Waiter for NoAttempt<'_> {
    fn entering(&self, call: &'static str) {
        self.0.entering(call);
    }
    fn take_interrupt(&self) -> bool {
        self.0.take_interrupt()
    }
    fn waiting(&self, wait: Option<crate::net::Wait>) {
        self.0.waiting(wait);
    }
    fn announces(&self) -> bool {
        self.0.announces()
    }
}

/// Tells the pane that a call on `fd` is about to wait, when the kernel says
/// its condition is unmet (nothing to read or accept, no room to write).
/// How long a blocking call waits before it announces the wait (`announce_wait`).
const ANNOUNCE_GRACE: Duration = Duration::from_micros(200);

fn announce_wait(
    fd: RawFd,
    writing: bool,
    bytes: Option<usize>,
    w: &dyn Waiter,
    call: &'static str,
) -> bool {
    let mut wait = crate::net::Wait {
        call,
        on: vec![(fd, if writing { libc::POLLOUT } else { libc::POLLIN })],
        bytes,
        timeout: false,
        from: None,
    };
    // A wait over within a moment (the other end of a ping-pong answering)
    // is not announced: announcing wakes the front end, which costs more
    // than the wait. 200 µs keeps a wait's report well within 1 ms.
    let unmet = !wait.met() && !sys::poll_one(fd, writing, ANNOUNCE_GRACE).unwrap_or(false);
    if unmet {
        if !writing {
            let name = |peer| sys::sock_name(fd, peer).map(|a| super::inspect::show_addr(&a));
            wait.from = name(false).zip(name(true));
        }
        w.waiting(Some(wait));
    }
    unmet
}

/// Waits until `fd` is ready or the deadline passes (`TimeoutError: timed out`).
/// A wait that is not over at once is announced to the pane, with its timeout.
fn wait_ready(
    fd: RawFd,
    writing: bool,
    deadline: Instant,
    w: &dyn Waiter,
    call: &'static str,
) -> Result<(), NetError> {
    let mut announced = false;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(NetError::TimedOut { op: call });
        }
        if !announced {
            announced = true;
            if sys::poll_one(fd, writing, Duration::ZERO).unwrap_or(false) {
                return Ok(());
            }
            w.waiting(Some(crate::net::Wait {
                call,
                on: vec![(fd, if writing { libc::POLLOUT } else { libc::POLLIN })],
                bytes: None,
                timeout: true,
                from: None,
            }));
            continue;
        }
        match sys::poll_one(fd, writing, deadline - now) {
            Ok(true) => return Ok(()),
            Ok(false) => return Err(NetError::TimedOut { op: call }),
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => {
                if w.take_interrupt() {
                    return Err(NetError::Interrupted { op: call });
                }
            }
            Err(e) => return Err(NetError::io(call, e)),
        }
    }
}

/// Waits without a deadline until `fd` is ready (writable: a blocking connect
/// in progress, room to send), announcing the wait to the pane.
fn wait_forever(
    fd: RawFd,
    writing: bool,
    w: &dyn Waiter,
    call: &'static str,
) -> Result<(), NetError> {
    announce_wait(fd, writing, None, w, call);
    poll_until_ready(fd, writing, w, call)
}

/// Waits in poll(2), with no timeout, until `fd` is ready; Ctrl-C ends it.
fn poll_until_ready(
    fd: RawFd,
    writing: bool,
    w: &dyn Waiter,
    call: &'static str,
) -> Result<(), NetError> {
    loop {
        match sys::poll_one(fd, writing, Duration::from_secs(3600)) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => {
                if w.take_interrupt() {
                    return Err(NetError::Interrupted { op: call });
                }
            }
            Err(e) => return Err(NetError::io(call, e)),
        }
    }
}
