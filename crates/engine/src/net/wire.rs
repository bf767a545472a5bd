//! The wire: the TCP and UDP packets the loopback interface carries, read
//! from an `AF_PACKET` socket on a thread of its own, parsed with etherparse,
//! and cut into the stretches between markers (a datagram the session sends
//! itself after a step: every packet a step's system calls sent is before it).

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};

use super::sys;

/// Whether a session watches the wire: panes then note the ports their
/// sockets use (`pane::note_ports`); nothing is noted otherwise.
pub static WATCHING: AtomicBool = AtomicBool::new(false);

/// How much of each packet is copied: the headers and the first bytes of
/// the payload (a flood's 64 KiB segments are not copied whole).
const SNAP: u32 = 192;
/// How many payload bytes a segment keeps, for its repr.
pub const HEAD: usize = 16;
/// Packets kept between two fences; past it they are counted, not kept, so a
/// flood that nobody fences leaves memory flat.
const KEPT: usize = 50_000;
/// How long a fence waits for its marker (the capture thread is behind).
const FENCE_WAIT: Duration = Duration::from_millis(500);

/// TCP flags, as the header has them.
pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

/// One packet as captured: addresses, and for TCP the raw header fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub tcp: bool,
    pub flags: u8,
    pub seq: u32,
    pub ack: u32,
    pub window: u16,
    /// The window scale option of a SYN.
    pub wscale: Option<u8>,
    /// The payload's length (from the IP header: the copy is cut at SNAP).
    pub len: usize,
    pub head: Vec<u8>,
    /// When the capture thread read it (within microseconds of its sending).
    pub when: Instant,
}

impl Packet {
    /// A TCP packet between two ports of 127.0.0.1, as captured now (for
    /// tests and examples): window 65495, no payload bytes kept.
    pub fn tcp(src: u16, dst: u16, flags: u8, seq: u32, ack: u32, len: usize) -> Packet {
        Packet {
            src: SocketAddr::from(([127, 0, 0, 1], src)),
            dst: SocketAddr::from(([127, 0, 0, 1], dst)),
            tcp: true,
            flags,
            seq,
            ack,
            window: 65495,
            wscale: None,
            len,
            head: Vec::new(),
            when: Instant::now(),
        }
    }
}

/// What the capture thread has read since the last take.
#[derive(Default)]
struct Captured {
    packets: VecDeque<Packet>,
    /// Packets not kept (past KEPT) or dropped by the kernel for want of room.
    lost: u64,
    /// The last marker seen.
    marker: u64,
}

impl Captured {
    /// Everything queued, and how many were lost, both emptied.
    fn take(&mut self) -> (Vec<Packet>, u64) {
        let lost = std::mem::take(&mut self.lost);
        (self.packets.drain(..).collect(), lost)
    }
}

struct Shared {
    /// The packet socket is read only with this lock held, by the thread
    /// or by a fence, so that packets are queued in the order sent.
    captured: Mutex<Captured>,
    seen: Condvar,
    stop: AtomicBool,
    sock: socket2::Socket,
    marker_port: u16,
}

impl Shared {
    /// Reads every packet waiting in the socket (never blocks), with the lock held.
    fn drain(&self, c: &mut Captured, buf: &mut [u8]) {
        let fd = self.sock.as_raw_fd();
        while let Ok(n) = sys::recv(fd, buf, libc::MSG_DONTWAIT) {
            let n = n.min(buf.len());
            let Some(p) = parse(&buf[..n]) else { continue };
            if p.dst.port() == self.marker_port && !p.tcp {
                if p.head.len() >= 8 {
                    let mut id = [0u8; 8];
                    id.copy_from_slice(&p.head[..8]);
                    c.marker = c.marker.max(u64::from_be_bytes(id));
                }
                continue;
            }
            if c.packets.len() >= KEPT {
                c.lost += 1;
            } else {
                c.packets.push_back(p);
            }
        }
        c.lost += u64::from(sys::packets_dropped(fd));
    }
}

/// A running capture. Dropping it stops the thread.
pub struct Capture {
    shared: Arc<Shared>,
    marker: std::net::UdpSocket,
    marker_addr: SocketAddr,
    next_marker: u64,
}

/// A capture socket opened before the session started (`keep_opened`): the
/// first capture uses it (closing a packet socket waits for the kernel's
/// RCU grace period, tens of milliseconds, so the probe is not thrown away).
static OPENED: Mutex<Option<socket2::Socket>> = Mutex::new(None);

/// Opens the capture socket now (the command line's probe, before threads
/// start), keeping it for the session's capture.
pub fn open_early() -> std::io::Result<()> {
    let sock = sys::loopback_capture(SNAP)?;
    if let Ok(mut opened) = OPENED.lock() {
        *opened = Some(sock);
    }
    Ok(())
}

/// The process tried to enter a private user and network namespace (for
/// `--wire` without CAP_NET_RAW) and the system refused it.
pub static NAMESPACE_REFUSED: AtomicBool = AtomicBool::new(false);

/// Why the wire cannot be captured, in one line with what to do.
pub fn refusal(e: &std::io::Error) -> String {
    if e.raw_os_error() == Some(libc::EPERM) {
        let me = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "sockplay".into());
        if NAMESPACE_REFUSED.load(Ordering::Relaxed) {
            format!(
                "the wire view needs CAP_NET_RAW and this system allows no private namespace: \
                 run as root, or `sudo setcap cap_net_raw+ep {me}`"
            )
        } else {
            format!(
                "the wire view needs CAP_NET_RAW: start `sockplay --wire` (a private \
                 namespace, where the system allows it), run as root, or `sudo setcap cap_net_raw+ep {me}`"
            )
        }
    } else {
        format!("the wire view cannot capture on lo: {e}")
    }
}

impl Capture {
    /// Opens the packet socket and starts the thread that reads it.
    pub fn start() -> std::io::Result<Capture> {
        let early = OPENED.lock().ok().and_then(|mut o| o.take());
        let sock = match early {
            Some(sock) => sock,
            None => sys::loopback_capture(SNAP)?,
        };
        let marker = sys::above_low_fds(|| std::net::UdpSocket::bind("127.0.0.1:0"))?;
        // Markers are never read: a small buffer that overflows is fine (the
        // packet socket saw them on the way out).
        let marker_addr = marker.local_addr()?;
        marker.connect(marker_addr)?;
        let shared = Arc::new(Shared {
            captured: Mutex::new(Captured::default()),
            seen: Condvar::new(),
            stop: AtomicBool::new(false),
            sock,
            marker_port: marker_addr.port(),
        });
        let reader = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("sockplay-wire".into())
            .spawn(move || read_packets(&reader))?;
        Ok(Capture {
            shared,
            marker,
            marker_addr,
            next_marker: 0,
        })
    }

    /// Everything captured up to now: sends a marker and reads the socket
    /// up to it (the marker's outgoing copy is queued before `send` returns,
    /// so it is there, after every packet sent before the call; should it
    /// not be, it waits at most half a second for the thread). Returns the
    /// packets and how many were lost.
    pub fn fence(&mut self) -> (Vec<Packet>, u64) {
        self.next_marker += 1;
        let id = self.next_marker;
        let sent = self.marker.send(&id.to_be_bytes()).is_ok();
        let Ok(mut c) = self.shared.captured.lock() else {
            return (Vec::new(), 0);
        };
        let mut buf = vec![0u8; SNAP as usize + 64];
        self.shared.drain(&mut c, &mut buf);
        let deadline = Instant::now() + FENCE_WAIT;
        while sent && c.marker < id {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            c = match self.shared.seen.wait_timeout(c, left) {
                Ok((c, _)) => c,
                Err(_) => return (Vec::new(), 0),
            };
        }
        c.take()
    }

    /// What the thread has read so far, without a marker (a blocked step's
    /// packets, as they come).
    pub fn take(&self) -> (Vec<Packet>, u64) {
        match self.shared.captured.lock() {
            Ok(mut c) => c.take(),
            Err(_) => (Vec::new(), 0),
        }
    }

    /// The address markers go to, which no step's packet has.
    pub fn marker_port(&self) -> u16 {
        self.marker_addr.port()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }
}

/// The capture thread: waits for packets (outside the lock) and drains them
/// (inside it), so the socket's buffer never fills while no fence reads it
/// (a flood, a blocked step's segments).
fn read_packets(shared: &Shared) {
    let mut buf = vec![0u8; SNAP as usize + 64];
    let fd = shared.sock.as_raw_fd();
    while !shared.stop.load(Ordering::Relaxed) {
        if !sys::poll_one(fd, false, Duration::from_millis(100)).unwrap_or(false) {
            continue;
        }
        // A step's own few packets are read by its fence: the thread waits a
        // little before it takes the lock, so it does not contend with the
        // step for it packet by packet; a flood is read in batches.
        std::thread::sleep(Duration::from_millis(2));
        let Ok(mut c) = shared.captured.lock() else {
            return;
        };
        let marker = c.marker;
        shared.drain(&mut c, &mut buf);
        // Only a fence that missed its marker waits for it.
        let seen = c.marker != marker;
        drop(c);
        if seen {
            shared.seen.notify_all();
        }
    }
}

/// A TCP or UDP packet over IPv4 or IPv6, from its (cut) Ethernet frame.
pub fn parse(frame: &[u8]) -> Option<Packet> {
    let sliced = LaxSlicedPacket::from_ethernet(frame).ok()?;
    let (src, dst, total) = match sliced.net.as_ref()? {
        LaxNetSlice::Ipv4(ip) => {
            let h = ip.header();
            let payload = usize::from(h.total_len()).saturating_sub(usize::from(h.ihl()) * 4);
            (
                IpAddr::from(h.source_addr()),
                IpAddr::from(h.destination_addr()),
                payload,
            )
        }
        LaxNetSlice::Ipv6(ip) => {
            let h = ip.header();
            // The transport's length: the IP payload less extension headers.
            let ext = ip.extensions().slice().len();
            (
                IpAddr::from(h.source_addr()),
                IpAddr::from(h.destination_addr()),
                usize::from(h.payload_length()).saturating_sub(ext),
            )
        }
        LaxNetSlice::Arp(_) => return None,
    };
    match sliced.transport.as_ref()? {
        TransportSlice::Tcp(t) => {
            let mut flags = 0;
            for (on, bit) in [
                (t.fin(), FIN),
                (t.syn(), SYN),
                (t.rst(), RST),
                (t.psh(), PSH),
                (t.ack(), ACK),
            ] {
                if on {
                    flags |= bit;
                }
            }
            let wscale = t.options_iterator().find_map(|o| match o {
                Ok(etherparse::TcpOptionElement::WindowScale(s)) => Some(s),
                _ => None,
            });
            let header = usize::from(t.data_offset()) * 4;
            let payload = t.payload();
            Some(Packet {
                src: SocketAddr::new(src, t.source_port()),
                dst: SocketAddr::new(dst, t.destination_port()),
                tcp: true,
                flags,
                seq: t.sequence_number(),
                ack: t.acknowledgment_number(),
                window: t.window_size(),
                wscale,
                len: total.saturating_sub(header),
                head: payload[..payload.len().min(HEAD)].to_vec(),
                when: Instant::now(),
            })
        }
        TransportSlice::Udp(u) => {
            let payload = u.payload();
            Some(Packet {
                src: SocketAddr::new(src, u.source_port()),
                dst: SocketAddr::new(dst, u.destination_port()),
                tcp: false,
                flags: 0,
                seq: 0,
                ack: 0,
                window: 0,
                wscale: None,
                len: total.saturating_sub(8),
                head: payload[..payload.len().min(HEAD)].to_vec(),
                when: Instant::now(),
            })
        }
        _ => None,
    }
}

/// A packet as the session shows it: numbered, with sequence and
/// acknowledgment numbers relative to the connection's first, the window in
/// bytes, attributed to a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Its number in the session, from 1 (a why-line cites it).
    pub number: u64,
    /// Who sent it and to whom: a pane's name, or the address outside the
    /// session's sockets.
    pub from: String,
    pub to: String,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub tcp: bool,
    pub flags: u8,
    /// Relative to the sender's first sequence number (its SYN's).
    pub seq: u32,
    /// Relative to the receiver's first sequence number; None without ACK.
    pub ack: Option<u32>,
    /// The receive window it announces, in bytes (scaled when the handshake
    /// was seen).
    pub window: u32,
    pub len: usize,
    pub head: Vec<u8>,
    /// It came when no step was running: after the step it is listed under
    /// had finished (a delayed ACK, a retransmission, a timer's FIN).
    pub late: bool,
    /// It carries what the sender had sent already (its SYN, FIN or bytes
    /// again): the first was not acknowledged in time.
    pub retransmitted: bool,
    /// When it was sent.
    pub when: Instant,
    /// How long after its step started it was sent, when that is long
    /// enough to tell (a delayed ACK's 40 ms, a retransmission's second).
    pub after: Option<Duration>,
    /// A summary of this many segments like it (a flood), 1 for one segment;
    /// `len` is then their bytes together and `number` the first one's.
    pub count: u64,
}

impl Segment {
    /// Its flags in words: SYN, SYN-ACK, ACK, PSH-ACK, FIN-ACK, RST, RST-ACK;
    /// UDP for a datagram.
    pub fn flag_names(&self) -> String {
        if !self.tcp {
            return "UDP".into();
        }
        let names: Vec<&str> = [
            (SYN, "SYN"),
            (FIN, "FIN"),
            (RST, "RST"),
            (PSH, "PSH"),
            (ACK, "ACK"),
        ]
        .iter()
        .filter(|(bit, _)| self.flags & bit != 0)
        .map(|(_, name)| *name)
        .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join("-")
        }
    }

    pub fn has(&self, flag: u8) -> bool {
        self.tcp && self.flags & flag != 0
    }

    /// The payload's first bytes as a Python bytes repr, `…` when longer.
    pub fn head_repr(&self) -> String {
        let mut s = String::from("b'");
        for &b in &self.head {
            match b {
                b'\\' => s.push_str("\\\\"),
                b'\'' => s.push_str("\\'"),
                b'\n' => s.push_str("\\n"),
                b'\r' => s.push_str("\\r"),
                b'\t' => s.push_str("\\t"),
                0x20..=0x7e => s.push(char::from(b)),
                _ => s.push_str(&format!("\\x{b:02x}")),
            }
        }
        s.push('\'');
        if self.len > self.head.len() {
            s.push('…');
        }
        s
    }

    /// The segment in one line: `#1 client → server SYN seq 0 win 65495`.
    pub fn line(&self) -> String {
        let number = if self.count > 1 {
            format!("#{}…", self.number)
        } else {
            format!("#{}", self.number)
        };
        format!("{number} {} → {} {}", self.from, self.to, self.fields())
    }

    /// The fields after the direction: `SYN-ACK seq 0 ack 1 win 65483`, and
    /// for data `len 5 b'hello'`.
    pub fn fields(&self) -> String {
        let mut s = self.flag_names();
        if self.count > 1 {
            s = format!("{} ×{}", s, self.count);
        }
        if self.tcp {
            s.push_str(&format!(" seq {}", self.seq));
            if let Some(a) = self.ack {
                s.push_str(&format!(" ack {a}"));
            }
            s.push_str(&format!(" win {}", self.window));
        }
        if self.len > 0 || !self.tcp {
            s.push_str(&format!(" len {}", self.len));
            if self.count == 1 {
                s.push(' ');
                s.push_str(&self.head_repr());
            }
        }
        if let Some(after) = self.after {
            s.push_str(&format!(" +{} ms", after.as_millis()));
        }
        if self.retransmitted {
            s.push_str(" (retransmitted)");
        }
        if self.late {
            s.push_str(" (later)");
        }
        s
    }
}

/// The state of each connection the session has seen, to make numbers
/// relative: each direction's first sequence number and window scale.
#[derive(Default)]
pub struct Numbering {
    next: u64,
    /// By (sender, receiver): the sender's initial sequence number, the
    /// window scale it announced, and the end of what it has sent (a segment
    /// that ends at or before it is a retransmission).
    sides: HashMap<(SocketAddr, SocketAddr), (u32, Option<u8>, u32)>,
}

impl Numbering {
    /// How many connection sides are remembered at most (then it starts afresh).
    const MAX_SIDES: usize = 4096;

    pub fn segment(&mut self, p: Packet, late: bool) -> Segment {
        self.next += 1;
        let key = (p.src, p.dst);
        let syn = p.flags & SYN != 0;
        let known = self.sides.get(&key).copied();
        // A SYN starts the side afresh (a port used again), unless it is the
        // same SYN again.
        let fresh = p.tcp && (known.is_none() || (syn && known.is_some_and(|k| k.0 != p.seq)));
        if fresh {
            if self.sides.len() >= Self::MAX_SIDES {
                self.sides.clear();
            }
            let wscale = if syn { p.wscale } else { None };
            self.sides.insert(key, (p.seq, wscale, p.seq));
        }
        let carries = p.len > 0 || p.flags & (SYN | FIN) != 0;
        let end = p
            .seq
            .wrapping_add(p.len as u32)
            .wrapping_add(u32::from(p.flags & SYN != 0) + u32::from(p.flags & FIN != 0));
        let mut retransmitted = false;
        if p.tcp
            && carries
            && let Some(side) = self.sides.get_mut(&key)
        {
            // Sent before: its end is not past what the side had sent.
            retransmitted = !fresh && (end.wrapping_sub(side.2) as i32) <= 0;
            if (end.wrapping_sub(side.2) as i32) > 0 {
                side.2 = end;
            }
        }
        let mine = self.sides.get(&key).map(|s| (s.0, s.1));
        let theirs = self.sides.get(&(p.dst, p.src)).map(|s| (s.0, s.1));
        let base = mine.map_or(p.seq, |m| m.0);
        let ack = (p.tcp && p.flags & ACK != 0)
            .then(|| p.ack.wrapping_sub(theirs.map_or(p.ack, |t| t.0)));
        // A window is scaled once both SYNs carried the option, never in a SYN.
        let scale = match (mine, theirs) {
            (Some((_, Some(m))), Some((_, Some(_)))) if p.flags & SYN == 0 => m.min(14),
            _ => 0,
        };
        Segment {
            number: self.next,
            from: p.src.to_string(),
            to: p.dst.to_string(),
            src: p.src,
            dst: p.dst,
            tcp: p.tcp,
            flags: p.flags,
            seq: p.seq.wrapping_sub(base),
            ack,
            window: u32::from(p.window) << scale,
            len: p.len,
            head: p.head,
            late,
            retransmitted,
            when: p.when,
            after: None,
            count: 1,
        }
    }
}

/// A step's segments kept bounded: past `MAX_SHOWN`, the first and last few
/// stay and those between become one summary per direction and flags.
pub fn bounded(segments: Vec<Segment>) -> Vec<Segment> {
    const MAX_SHOWN: usize = 16;
    const FIRST: usize = 8;
    const LAST: usize = 4;
    if segments.len() <= MAX_SHOWN {
        return segments;
    }
    let n = segments.len();
    let mut out: Vec<Segment> = Vec::with_capacity(MAX_SHOWN);
    let mut summaries: Vec<Segment> = Vec::new();
    for (i, s) in segments.into_iter().enumerate() {
        if i < FIRST || i >= n - LAST {
            if i == n - LAST {
                out.append(&mut summaries);
            }
            out.push(s);
            continue;
        }
        match summaries.iter_mut().find(|m| {
            m.src == s.src
                && m.dst == s.dst
                && m.flags == s.flags
                && m.late == s.late
                && m.retransmitted == s.retransmitted
        }) {
            Some(m) => {
                m.count += s.count;
                m.len += s.len;
                m.head.clear();
            }
            None => summaries.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(src: u16, dst: u16, flags: u8, seq: u32, ack: u32, len: usize) -> Packet {
        Packet {
            window: 512,
            wscale: (flags & SYN != 0).then_some(7),
            ..Packet::tcp(src, dst, flags, seq, ack, len)
        }
    }

    #[test]
    fn a_handshake_is_numbered_from_zero_on_each_side_and_windows_scale_after_it() {
        let mut n = Numbering::default();
        let syn = n.segment(tcp(40000, 5000, SYN, 1_000_000, 0, 0), false);
        let syn_ack = n.segment(tcp(5000, 40000, SYN | ACK, 77, 1_000_001, 0), false);
        let ack = n.segment(tcp(40000, 5000, ACK, 1_000_001, 78, 0), false);
        assert_eq!(
            (syn.seq, syn.ack, syn.flag_names()),
            (0, None, "SYN".into())
        );
        assert_eq!((syn_ack.seq, syn_ack.ack), (0, Some(1)));
        assert_eq!(syn_ack.flag_names(), "SYN-ACK");
        assert_eq!((ack.seq, ack.ack, ack.window), (1, Some(1), 512 << 7));
        assert_eq!((syn.window, syn.number, ack.number), (512, 1, 3));
    }

    #[test]
    fn a_segment_sent_again_is_marked_retransmitted() {
        let mut n = Numbering::default();
        let first = n.segment(tcp(40000, 5000, SYN, 500, 0, 0), false);
        let again = n.segment(tcp(40000, 5000, SYN, 500, 0, 0), false);
        assert!(!first.retransmitted);
        assert!(again.retransmitted && again.fields().contains("(retransmitted)"));
        let data = n.segment(tcp(40000, 5000, ACK | PSH, 501, 1, 10), false);
        let ack = n.segment(tcp(40000, 5000, ACK, 511, 1, 0), false);
        let resent = n.segment(tcp(40000, 5000, ACK | PSH, 501, 1, 10), false);
        assert!(!data.retransmitted && !ack.retransmitted && resent.retransmitted);
        assert_eq!(resent.seq, 1);
    }

    #[test]
    fn a_flood_is_summarised_per_direction_and_flags() {
        let mut n = Numbering::default();
        let segs: Vec<Segment> = (0..1000)
            .map(|i| {
                let p = if i % 2 == 0 {
                    tcp(40000, 5000, ACK | PSH, i * 100, 1, 65483)
                } else {
                    tcp(5000, 40000, ACK, 1, i * 100, 0)
                };
                n.segment(p, false)
            })
            .collect();
        let shown = bounded(segs);
        assert!(shown.len() <= 16, "{}", shown.len());
        let total: u64 = shown.iter().map(|s| s.count).sum();
        assert_eq!(total, 1000);
        let bytes: usize = shown.iter().map(|s| s.len).sum();
        assert_eq!(bytes, 500 * 65483);
        assert!(
            shown
                .iter()
                .any(|s| s.count > 1 && s.fields().contains('×'))
        );
        // Bounded again (a step's batches put together), nothing is lost.
        let mut twice = shown.clone();
        twice.extend(shown);
        let again = bounded(twice);
        assert_eq!(again.iter().map(|s| s.count).sum::<u64>(), 2000);
        assert!(again.len() <= 16, "{}", again.len());
    }

    #[test]
    fn a_payload_shows_its_first_bytes_as_a_repr() {
        let mut p = tcp(1, 2, PSH | ACK, 5, 5, 40);
        p.head = b"hello\n\x00'world...".to_vec();
        let s = Numbering::default().segment(p, true);
        assert_eq!(s.head_repr(), "b'hello\\n\\x00\\'world...'…");
        assert!(s.fields().ends_with("(later)"));
    }
}
