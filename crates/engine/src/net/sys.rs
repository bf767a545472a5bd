//! The few system calls socket2 does not wrap: signals to interrupt a pane's
//! thread, select(2), getaddrinfo(3), raw getsockopt/setsockopt, shutdown(2),
//! inet_ntop(3) and gethostname(2); the REPL's Ctrl-C flag; keeping
//! sockplay's own files off the low fd numbers. Every `unsafe` block but the
//! counting allocator's (`mem.rs`) is here, each with a SAFETY note.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::RawFd;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The signal that interrupts a pane blocked in a system call.
const INTERRUPT_SIGNAL: libc::c_int = libc::SIGUSR1;

extern "C" fn on_interrupt(_: libc::c_int) {}

/// Sets `handler` for `signal`, with `flags` (SA_RESTART or none).
/// `handler` must be async-signal-safe.
fn set_handler(signal: libc::c_int, handler: extern "C" fn(libc::c_int), flags: libc::c_int) {
    // SAFETY: sigaction is given a zeroed, then filled, sigaction struct whose
    // handler is an `extern "C"` function; callers pass only handlers that do
    // nothing or store to an atomic (async-signal-safe).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler as *const () as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = flags;
        libc::sigaction(signal, &action, std::ptr::null_mut());
    }
}

/// Installs a do-nothing handler for the interrupt signal, without SA_RESTART,
/// so that a blocking call in the signalled thread fails with EINTR.
pub fn install_interrupt_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| set_handler(INTERRUPT_SIGNAL, on_interrupt, 0));
}

/// Set when SIGINT arrives, once `install_sigint_flag` has run.
pub static SIGINT: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    SIGINT.store(true, Ordering::SeqCst);
}

/// Makes SIGINT (Ctrl-C on a terminal in cooked mode) set `SIGINT` instead
/// of killing the process. SA_RESTART, and the panes' retry on EINTR, keep
/// other threads' calls going if the signal lands on them.
pub fn install_sigint_flag() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| set_handler(libc::SIGINT, on_sigint, libc::SA_RESTART));
}

/// The fd numbers kept free for the user's sockets.
const LOW_FDS: RawFd = 16;

/// Runs `open` while the free fd numbers below 16 are held, so the files it
/// opens for sockplay itself (a recording, the line editor's pipe, the
/// terminal's event queue) get higher numbers: the user's first socket is
/// then `fd=3`, as in CPython's REPL.
pub fn above_low_fds<T>(open: impl FnOnce() -> T) -> T {
    let mut held = Vec::new();
    while let Ok(file) = std::fs::File::open("/dev/null") {
        let low = std::os::fd::AsRawFd::as_raw_fd(&file) < LOW_FDS;
        held.push(file);
        if !low || held.len() >= LOW_FDS as usize {
            break;
        }
    }
    let value = open();
    drop(held);
    value
}

/// A handle on the calling thread, for `interrupt_thread`.
pub fn current_thread() -> u64 {
    // SAFETY: pthread_self has no preconditions.
    unsafe { libc::pthread_self() as u64 }
}

/// Sends the interrupt signal to a thread of this process.
pub fn interrupt_thread(thread: u64) {
    // SAFETY: `thread` comes from `current_thread` of a pane thread that lives
    // as long as its pane (pane threads are never joined while panes exist);
    // the signal has a do-nothing handler installed.
    unsafe {
        libc::pthread_kill(thread as libc::pthread_t, INTERRUPT_SIGNAL);
    }
}

/// select(2) on read, write and exceptional fd lists; returns which are ready.
/// `timeout` None waits forever. Fails with EINTR when the thread is interrupted.
pub fn select(
    read: &[RawFd],
    write: &[RawFd],
    except: &[RawFd],
    timeout: Option<Duration>,
) -> io::Result<(Vec<bool>, Vec<bool>, Vec<bool>)> {
    let all = read.iter().chain(write).chain(except);
    if let Some(&bad) = all
        .clone()
        .find(|&&fd| fd < 0 || fd >= libc::FD_SETSIZE as RawFd)
    {
        return Err(if bad < 0 {
            io::Error::from_raw_os_error(libc::EBADF)
        } else {
            io::Error::from_raw_os_error(libc::EINVAL)
        });
    }
    let max_fd = all.copied().max().unwrap_or(-1);
    // SAFETY: fd_set is plain data; zeroed is its empty state (FD_ZERO).
    let mut sets: [libc::fd_set; 3] = unsafe { std::mem::zeroed() };
    for (set, fds) in sets.iter_mut().zip([read, write, except]) {
        for &fd in fds {
            // SAFETY: fd was checked above to be in 0..FD_SETSIZE.
            unsafe { libc::FD_SET(fd, set) };
        }
    }
    let mut tv = timeout.map(|t| libc::timeval {
        tv_sec: t.as_secs() as libc::time_t,
        tv_usec: t.subsec_micros() as libc::suseconds_t,
    });
    let tv_ptr = tv
        .as_mut()
        .map_or(std::ptr::null_mut(), |t| t as *mut libc::timeval);
    let [r, w, x] = &mut sets;
    // SAFETY: the three sets and the optional timeval are valid for the call.
    let n = unsafe { libc::select(max_fd + 1, r, w, x, tv_ptr) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let ready = |set: &libc::fd_set, fds: &[RawFd]| -> Vec<bool> {
        // SAFETY: fds were checked to be in 0..FD_SETSIZE.
        fds.iter()
            .map(|&fd| unsafe { libc::FD_ISSET(fd, set) })
            .collect()
    };
    Ok((
        ready(&sets[0], read),
        ready(&sets[1], write),
        ready(&sets[2], except),
    ))
}

/// poll(2) on one fd, for readiness before a call in timeout mode.
/// Returns whether it is ready; fails with EINTR when interrupted.
pub fn poll_one(fd: RawFd, writing: bool, timeout: Duration) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd,
        events: if writing { libc::POLLOUT } else { libc::POLLIN },
        revents: 0,
    };
    // ppoll: a timeout finer than poll's milliseconds (see `announce_wait`).
    let ts = libc::timespec {
        tv_sec: timeout.as_secs().min(i32::MAX as u64) as libc::time_t,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: one valid pollfd, a valid timespec, no signal mask.
    let n = unsafe { libc::ppoll(&mut pfd, 1, &ts, std::ptr::null()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n > 0)
    }
}

/// An error of getaddrinfo: its EAI code and gai_strerror's message.
#[derive(Debug, Clone, PartialEq)]
pub struct GaiError {
    pub code: i32,
    pub message: String,
}

/// One result of getaddrinfo.
#[derive(Debug, Clone, PartialEq)]
pub struct AddrInfo {
    pub family: i32,
    pub socktype: i32,
    pub proto: i32,
    pub addr: SocketAddr,
}

/// getaddrinfo(3) for `host` (None: the loopback or any address, as C does) and `port`.
pub fn getaddrinfo(
    host: Option<&str>,
    port: Option<&str>,
    family: i32,
    socktype: i32,
    flags: i32,
) -> Result<Vec<AddrInfo>, GaiError> {
    let to_c = |s: &str| {
        CString::new(s).map_err(|_| GaiError {
            code: libc::EAI_NONAME,
            message: "embedded null character".into(),
        })
    };
    let host_c = host.map(to_c).transpose()?;
    let port_c = port.map(to_c).transpose()?;
    // SAFETY: addrinfo is plain data; zeroed is a valid hints value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_flags = flags;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: pointers are valid C strings or null, hints is initialised, and
    // res receives a list we free below.
    let code = unsafe {
        libc::getaddrinfo(
            host_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            port_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            &hints,
            &mut res,
        )
    };
    if code != 0 {
        // SAFETY: gai_strerror returns a static NUL-terminated string.
        let message = unsafe { CStr::from_ptr(libc::gai_strerror(code)) }
            .to_string_lossy()
            .into_owned();
        return Err(GaiError { code, message });
    }
    let mut out = Vec::new();
    let mut cur = res;
    while !cur.is_null() {
        // SAFETY: cur is a node of the list getaddrinfo returned, not yet freed.
        let ai = unsafe { &*cur };
        let addr = match ai.ai_family {
            // SAFETY: for AF_INET, ai_addr points at a sockaddr_in.
            libc::AF_INET => Some(SocketAddr::V4(unsafe {
                from_sockaddr_in(&*(ai.ai_addr as *const libc::sockaddr_in))
            })),
            // SAFETY: for AF_INET6, ai_addr points at a sockaddr_in6.
            libc::AF_INET6 => Some(SocketAddr::V6(unsafe {
                from_sockaddr_in6(&*(ai.ai_addr as *const libc::sockaddr_in6))
            })),
            _ => None,
        };
        if let Some(addr) = addr {
            out.push(AddrInfo {
                family: ai.ai_family,
                socktype: ai.ai_socktype,
                proto: ai.ai_protocol,
                addr,
            });
        }
        cur = ai.ai_next;
    }
    // SAFETY: res came from a successful getaddrinfo and is freed once.
    unsafe { libc::freeaddrinfo(res) };
    Ok(out)
}

fn from_sockaddr_in(sin: &libc::sockaddr_in) -> SocketAddrV4 {
    SocketAddrV4::new(
        Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)),
        u16::from_be(sin.sin_port),
    )
}

fn from_sockaddr_in6(sin6: &libc::sockaddr_in6) -> SocketAddrV6 {
    SocketAddrV6::new(
        Ipv6Addr::from(sin6.sin6_addr.s6_addr),
        u16::from_be(sin6.sin6_port),
        sin6.sin6_flowinfo,
        sin6.sin6_scope_id,
    )
}

unsafe extern "C" {
    /// inet_ntop(3), which the libc crate does not declare.
    fn inet_ntop(
        af: libc::c_int,
        src: *const libc::c_void,
        dst: *mut libc::c_char,
        size: libc::socklen_t,
    ) -> *const libc::c_char;
}

/// inet_ntop(3) for an IPv6 address, so `::ffff:1.2.3.4` reads as glibc writes it.
pub fn inet_ntop6(ip: &Ipv6Addr) -> String {
    let octets = ip.octets();
    let mut buf = [0 as libc::c_char; 64];
    // SAFETY: octets is a 16-byte in6_addr; buf has room for INET6_ADDRSTRLEN.
    let p = unsafe {
        inet_ntop(
            libc::AF_INET6,
            octets.as_ptr().cast(),
            buf.as_mut_ptr(),
            buf.len() as libc::socklen_t,
        )
    };
    if p.is_null() {
        return ip.to_string();
    }
    // SAFETY: inet_ntop wrote a NUL-terminated string into buf.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

/// getsockopt(2) with a buffer of `len` bytes; returns the bytes the kernel wrote.
pub fn getsockopt(fd: RawFd, level: i32, name: i32, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    let mut size = len as libc::socklen_t;
    // SAFETY: buf has `size` writable bytes.
    let r = unsafe { libc::getsockopt(fd, level, name, buf.as_mut_ptr().cast(), &mut size) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(size as usize);
    Ok(buf)
}

/// setsockopt(2) with raw bytes, or with a null value of `len` bytes.
pub fn setsockopt(
    fd: RawFd,
    level: i32,
    name: i32,
    value: Option<&[u8]>,
    len: usize,
) -> io::Result<()> {
    let ptr = value.map_or(std::ptr::null(), |v| v.as_ptr().cast());
    // SAFETY: ptr is null or points at `len` readable bytes.
    let r = unsafe { libc::setsockopt(fd, level, name, ptr, len as libc::socklen_t) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// shutdown(2) with Python's raw `how`, so that invalid values fail as in C.
pub fn shutdown(fd: RawFd, how: i32) -> io::Result<()> {
    // SAFETY: shutdown on any integer fd is memory-safe.
    let r = unsafe { libc::shutdown(fd, how) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// gethostname(2).
pub fn gethostname() -> io::Result<String> {
    let mut buf = [0u8; 256];
    // SAFETY: buf has 256 writable bytes; gethostname NUL-terminates within it.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
}

/// Closes `fds` in ascending order, as Linux closes a process's files when it
/// exits; for a process about to exit (the sockets' owners never run again).
pub fn close_in_fd_order_before_exit(mut fds: Vec<RawFd>) {
    fds.sort_unstable();
    fds.dedup();
    for fd in fds {
        // SAFETY: close on an integer is memory-safe; the caller exits right after,
        // so no owner of these fds uses them (or a reused number) again.
        unsafe { libc::close(fd) };
    }
}

/// getsockname(2) or getpeername(2) of a raw fd, as socket2's address.
pub fn sock_name(fd: RawFd, peer: bool) -> Option<socket2::SockAddr> {
    // SAFETY: try_init hands a zeroed sockaddr_storage and its length; the
    // call writes at most that many bytes and the new length.
    let (_, addr) = unsafe {
        socket2::SockAddr::try_init(|storage, len| {
            let r = if peer {
                libc::getpeername(fd, storage.cast(), len)
            } else {
                libc::getsockname(fd, storage.cast(), len)
            };
            if r < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(())
            }
        })
    }
    .ok()?;
    Some(addr)
}

/// An int-valued ioctl such as FIONREAD (bytes in the receive queue) or
/// TIOCOUTQ (bytes in the send queue).
pub fn ioctl_int(fd: RawFd, request: libc::c_ulong) -> Option<i32> {
    let mut value: libc::c_int = 0;
    // SAFETY: the request writes one c_int through the pointer.
    let r = unsafe { libc::ioctl(fd, request as _, &mut value) };
    (r >= 0).then_some(value)
}

/// poll(2) with a zero timeout: (readable, writable), counting hang-ups and
/// errors as readable, since a read then returns at once.
pub fn readiness(fd: RawFd) -> (bool, bool) {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN | libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd, zero timeout.
    let n = unsafe { libc::poll(&mut pfd, 1, 0) };
    if n <= 0 {
        return (false, false);
    }
    let r = pfd.revents;
    (
        r & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0,
        r & libc::POLLOUT != 0,
    )
}

/// poll(2) with a zero timeout for `events`: the events that are pending
/// (POLLRDHUP: reading has been shut down; POLLERR: an error waits in SO_ERROR).
pub fn pending_events(fd: RawFd, events: libc::c_short) -> libc::c_short {
    let mut pfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: one valid pollfd, zero timeout.
    let n = unsafe { libc::poll(&mut pfd, 1, 0) };
    if n <= 0 { 0 } else { pfd.revents }
}

/// The machine's physical memory in bytes (sysconf), for the memory budget.
pub fn physical_memory() -> Option<usize> {
    // SAFETY: sysconf reads a configuration value; it has no memory effects.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    let pages = usize::try_from(pages).ok()?;
    let size = usize::try_from(size).ok()?;
    pages.checked_mul(size)
}

/// recv(2) into an initialised buffer. The count may exceed `buf.len()` with
/// MSG_TRUNC (the datagram's real length); only `buf` is ever written.
pub fn recv(fd: RawFd, buf: &mut [u8], flags: libc::c_int) -> io::Result<usize> {
    // SAFETY: the kernel writes at most buf.len() bytes into buf, which is
    // valid for writes of that length for the duration of the call.
    let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), flags) };
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}

/// recvfrom(2) into an initialised buffer, with the sender's address.
pub fn recvfrom(
    fd: RawFd,
    buf: &mut [u8],
    flags: libc::c_int,
) -> io::Result<(usize, socket2::SockAddr)> {
    let mut n = 0;
    // SAFETY: the kernel writes at most buf.len() bytes into buf (valid for
    // writes), and at most `len` bytes of address into the zeroed storage that
    // try_init provides, updating `len`.
    let (_, from) = unsafe {
        socket2::SockAddr::try_init(|storage, len| {
            let r = libc::recvfrom(
                fd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                flags,
                storage.cast(),
                len,
            );
            n = usize::try_from(r).map_err(|_| io::Error::last_os_error())?;
            Ok(())
        })
    }?;
    Ok((n, from))
}

/// The terminal settings of `fd` (tcgetattr), to put back on the way out.
pub fn terminal_settings(fd: RawFd) -> Option<libc::termios> {
    // SAFETY: a zeroed termios is a valid buffer; tcgetattr fills it or fails.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: `t` is a valid, writable termios for the call's duration.
    let r = unsafe { libc::tcgetattr(fd, &mut t) };
    (r == 0).then_some(t)
}

/// Puts back terminal settings read by `terminal_settings` (tcsetattr, TCSANOW).
pub fn restore_terminal_settings(fd: RawFd, settings: &libc::termios) {
    // SAFETY: `settings` is a termios read by tcgetattr; tcsetattr only reads it.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, settings) };
}

/// CLOCK_MONOTONIC as a duration since an unspecified start (`time.monotonic()`).
pub fn monotonic() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to write to.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    Duration::new(
        ts.tv_sec.max(0) as u64,
        ts.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}

/// epoll_create1(EPOLL_CLOEXEC): a new epoll instance (`selectors.EpollSelector`).
pub fn epoll_create() -> io::Result<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    // SAFETY: epoll_create1 takes no pointers.
    let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd was just returned by epoll_create1 and belongs to no one else.
    Ok(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) })
}

/// epoll_ctl(ep, op, fd, {events, data: fd}).
pub fn epoll_ctl(ep: RawFd, op: i32, fd: RawFd, events: u32) -> io::Result<()> {
    let mut ev = libc::epoll_event {
        events,
        u64: fd as u64,
    };
    // SAFETY: a valid epoll_event that outlives the call.
    if unsafe { libc::epoll_ctl(ep, op, fd, &mut ev) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// epoll_wait(ep, max, timeout_ms): the (fd, events) ready, in the kernel's order.
pub fn epoll_wait(ep: RawFd, max: usize, timeout_ms: i32) -> io::Result<Vec<(RawFd, u32)>> {
    let max = max.clamp(1, i32::MAX as usize);
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; max];
    // SAFETY: `events` has room for `max` entries.
    let n = unsafe { libc::epoll_wait(ep, events.as_mut_ptr(), max as i32, timeout_ms) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(events[..n as usize]
        .iter()
        .map(|e| (e.u64 as RawFd, e.events))
        .collect())
}

/// A raw packet socket (AF_PACKET) on the loopback interface that receives
/// the packets lo sends: each packet on lo is seen twice, going out and
/// coming in, and the outgoing copy is handed over synchronously inside the
/// system call that sent it, so a marker sent after a step comes after all of
/// the step's packets. A socket filter keeps only the outgoing copies and
/// their first `snap` bytes (the headers and the start of the payload), so a
/// flood of 64 KiB segments costs little. Needs CAP_NET_RAW (EPERM without).
pub fn loopback_capture(snap: u32) -> io::Result<socket2::Socket> {
    let all = i32::from((libc::ETH_P_ALL as u16).to_be());
    let sock = above_low_fds(|| {
        socket2::Socket::new(
            socket2::Domain::PACKET,
            socket2::Type::RAW,
            Some(socket2::Protocol::from(all)),
        )
    })?;
    let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
    // BPF: A = pkttype; if A == PACKET_OUTGOING return snap else return 0.
    let filter = [
        libc::sock_filter {
            code: (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16,
            jt: 0,
            jf: 0,
            k: (libc::SKF_AD_OFF + libc::SKF_AD_PKTTYPE) as u32,
        },
        libc::sock_filter {
            code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
            jt: 0,
            jf: 1,
            k: libc::PACKET_OUTGOING as u32,
        },
        libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: snap,
        },
        libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: 0,
        },
    ];
    let prog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr().cast_mut(),
    };
    // SAFETY: prog points at `filter`, alive for the call; the kernel copies it.
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ATTACH_FILTER,
            (&raw const prog).cast(),
            std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // A flood's segments arrive faster than a thread reads them: a large
    // buffer (forced where the process may, else as large as allowed).
    let big = 32i32 << 20;
    if setsockopt(
        fd,
        libc::SOL_SOCKET,
        libc::SO_RCVBUFFORCE,
        Some(&big.to_ne_bytes()),
        4,
    )
    .is_err()
    {
        let _ = sock.set_recv_buffer_size(big as usize);
    }
    // SAFETY: the name is a NUL-terminated C string.
    let lo = unsafe { libc::if_nametoindex(c"lo".as_ptr()) };
    if lo == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: sockaddr_ll is plain data; all-zero is a valid value.
    let mut ll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    ll.sll_family = libc::AF_PACKET as u16;
    ll.sll_protocol = all as u16;
    ll.sll_ifindex = lo as i32;
    // SAFETY: ll is a valid sockaddr_ll of the size given.
    let r = unsafe {
        libc::bind(
            fd,
            (&raw const ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(sock)
}

/// How many packets a packet socket's buffer had no room for since the last
/// call (PACKET_STATISTICS, which resets on reading).
pub fn packets_dropped(fd: RawFd) -> u32 {
    getsockopt(
        fd,
        libc::SOL_PACKET,
        libc::PACKET_STATISTICS,
        std::mem::size_of::<libc::tpacket_stats>(),
    )
    .ok()
    .and_then(|b| {
        b.get(4..8)
            .map(|d| u32::from_ne_bytes([d[0], d[1], d[2], d[3]]))
    })
    .unwrap_or(0)
}

/// Moves the process into a new user namespace (where it is root, mapped to
/// its own uid) and a new network namespace with its loopback up: there it
/// may capture its own packets without CAP_NET_RAW outside. It must be called
/// while the process has a single thread (unshare(2) refuses otherwise).
/// The namespace's loopback is the only interface: no outside address.
pub fn enter_private_network() -> io::Result<()> {
    // SAFETY: plain system calls without pointers.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    // SAFETY: unshare takes flags only.
    if unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) } < 0 {
        return Err(io::Error::last_os_error());
    }
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1"))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1"))?;
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
    let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
    // SAFETY: ifreq is plain data; all-zero is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (d, s) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *d = *s as libc::c_char;
    }
    req.ifr_ifru.ifru_flags = (libc::IFF_UP | libc::IFF_LOOPBACK | libc::IFF_RUNNING) as i16;
    // SAFETY: req is a valid ifreq naming lo, for the duration of the call.
    if unsafe { libc::ioctl(fd, libc::SIOCSIFFLAGS, &raw mut req) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
