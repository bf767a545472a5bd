//! The engine through its public API, as front ends use it: blocking that
//! blocks only its pane, interrupts, busy panes, and bad input that never
//! panics and leaves the pane usable.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use sockplay::outcome::Outcome;
use sockplay::session::{Event, Session, SubmitError, Submitted};

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("local addr").port()
}

/// Submits a line and waits for its outcome (at most 5 s).
fn run(session: &mut Session, pane: &str, line: &str) -> Outcome {
    let Ok(Submitted::Step(info)) = session.submit(pane, line) else {
        panic!("{line} did not start a step")
    };
    wait_for(session, info.step, Duration::from_secs(5))
        .unwrap_or_else(|| panic!("{line} did not finish"))
}

thread_local! {
    /// Outcomes of steps that finished while a test waited for another one.
    static FINISHED: std::cell::RefCell<std::collections::HashMap<u64, Outcome>> = Default::default();
}

fn wait_for(session: &mut Session, step: u64, limit: Duration) -> Option<Outcome> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(outcome) = FINISHED.with(|f| f.borrow_mut().remove(&step)) {
            return Some(outcome);
        }
        if Instant::now() >= deadline {
            return None;
        }
        if let Some(Event::Finished { info, outcome, .. }) =
            session.next_event(Duration::from_millis(50))
        {
            FINISHED.with(|f| f.borrow_mut().insert(info.step, outcome));
        }
    }
}

#[test]
fn a_blocked_pane_blocks_only_itself_and_can_be_interrupted() {
    let mut s = Session::new();
    let port = free_port();
    run(&mut s, "server", "s = socket.socket()");
    run(&mut s, "server", &format!("s.bind(('127.0.0.1', {port}))"));
    run(&mut s, "server", "s.listen()");
    let Ok(Submitted::Step(accept)) = s.submit("server", "conn, addr = s.accept()") else {
        panic!()
    };
    std::thread::sleep(Duration::from_millis(200));
    assert!(s.is_busy("server"));
    let (_, call, _) = s.running("server").expect("running");
    assert_eq!(call, "accept()");
    // The other pane is fully usable meanwhile.
    assert_eq!(run(&mut s, "client", "1 + 1"), Outcome::Ok("2".into()));
    // A statement sent to the blocked pane is refused with a clear reason.
    match s.submit("server", "s.getsockname()") {
        Err(e @ SubmitError::Busy { .. }) => {
            assert!(e.to_string().contains("blocked in accept()"), "{e}")
        }
        other => panic!("expected Busy, got {other:?}"),
    }
    assert!(s.interrupt("server"));
    let outcome =
        wait_for(&mut s, accept.step, Duration::from_secs(3)).expect("interrupt ends the step");
    assert!(
        matches!(&outcome, Outcome::Error(e) if e.class == "KeyboardInterrupt"),
        "{outcome:?}"
    );
    // The socket stays usable, as in Python.
    assert_eq!(
        run(&mut s, "server", "s.getsockname()"),
        Outcome::Ok(format!("('127.0.0.1', {port})"))
    );
    let Ok(Submitted::Step(accept)) = s.submit("server", "conn, addr = s.accept()") else {
        panic!()
    };
    run(
        &mut s,
        "client",
        &format!("c = socket.create_connection(('127.0.0.1', {port}))"),
    );
    let outcome = wait_for(&mut s, accept.step, Duration::from_secs(3)).unwrap_or_else(|| {
        panic!(
            "accept not released: running {:?}, finished {:?}",
            s.running("server").map(|(i, c, _)| (i.step, c)),
            FINISHED.with(|f| f.borrow().clone())
        )
    });
    assert!(
        matches!(&outcome, Outcome::Ok(r) if r.starts_with("(<socket.socket fd=")),
        "{outcome:?}"
    );
}

#[test]
fn interrupting_recv_with_a_timeout_and_select() {
    let mut s = Session::new();
    run(&mut s, "a", "x, y = socket.socketpair()");
    for line in [
        "x.recv(10)",
        "select.select([x], [], [])",
        "x.settimeout(30)",
        "x.recv(10)",
    ] {
        let Ok(Submitted::Step(step)) = s.submit("a", line) else {
            panic!()
        };
        if let Some(outcome) = wait_for(&mut s, step.step, Duration::from_millis(150)) {
            assert_eq!(
                (line, outcome),
                ("x.settimeout(30)", Outcome::Ok("None".into())),
                "only settimeout finishes at once"
            );
            continue;
        }
        assert!(s.interrupt("a"));
        let outcome = wait_for(&mut s, step.step, Duration::from_secs(3)).expect("interrupted");
        assert!(
            matches!(&outcome, Outcome::Error(e) if e.class == "KeyboardInterrupt"),
            "{line}: {outcome:?}"
        );
    }
    assert_eq!(run(&mut s, "a", "y.send(b'ok')"), Outcome::Ok("2".into()));
    assert_eq!(run(&mut s, "a", "x.recv(10)"), Outcome::Ok("b'ok'".into()));
}

#[test]
fn unreferenced_sockets_are_closed_at_the_end_of_the_step() {
    let mut s = Session::new();
    let port = free_port();
    run(&mut s, "server", "l = socket.socket()");
    run(&mut s, "server", &format!("l.bind(('127.0.0.1', {port}))"));
    run(&mut s, "server", "l.listen()");
    run(
        &mut s,
        "client",
        &format!("c = socket.create_connection(('127.0.0.1', {port}))"),
    );
    run(&mut s, "server", "keep = l");
    // Rebinding `l` to the accepted socket leaves the listener reachable through `keep`...
    run(&mut s, "server", "l, _ = l.accept()");
    assert_eq!(
        run(&mut s, "server", "keep.fileno() > 0"),
        Outcome::Ok("True".into())
    );
    // ...and dropping the last name closes the connection: the peer reads EOF.
    run(&mut s, "server", "del l");
    assert_eq!(
        run(&mut s, "client", "c.recv(10)"),
        Outcome::Ok("b''".into())
    );
}

#[test]
fn short_forms_expand_against_the_panes_state() {
    let mut s = Session::new();
    let port = free_port();
    let Ok(Submitted::Step(info)) = s.submit("server", "socket") else {
        panic!()
    };
    assert_eq!(
        &*info.input,
        "server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)"
    );
    assert_eq!(info.typed.as_deref(), Some("socket"));
    wait_for(&mut s, info.step, Duration::from_secs(2));
    let Ok(Submitted::Step(info)) = s.submit("server", &format!("bind {port}")) else {
        panic!()
    };
    assert_eq!(
        &*info.input,
        format!("server.bind(('127.0.0.1', {port}))").as_str()
    );
    wait_for(&mut s, info.step, Duration::from_secs(2));
    assert!(
        matches!(s.submit("client", "recv"), Ok(Submitted::Refused(r)) if r.contains("type `socket` first"))
    );
    assert!(matches!(
        s.submit("server", "use nothing"),
        Ok(Submitted::Refused(_))
    ));
    assert!(matches!(
        s.submit("bad pane", "1"),
        Err(SubmitError::BadPaneName(_))
    ));
}

#[test]
fn malformed_input_never_panics_and_the_pane_goes_on() {
    let mut s = Session::new();
    let seeds = [
        "s = socket.socket()",
        "s.bind(('127.0.0.1', 70000))",
        "conn, addr = s.accept()",
        "print(b'\\x00' * 3, sep='')",
        "b'abc'[1:2:0]",
        "x = [1, (2, 3), 'é', b\"q\"]",
        "select.select([s], [], [], 0.0)",
        "socket.create_server(('127.0.0.1', 0), backlog=1)",
        "'%s' % 1",
        "range(10**18)[5]",
        "-9223372036854775808 - 1",
        "2 ** 64",
        "1 << 70",
        "bytes(10**12)",
        "b'x' * 10**12",
        "list(range(10**12))",
        "s.recv(10**15)",
        "socket.socket(socket.AF_INET, socket.SOCK_STREAM, 999)",
        "s.setsockopt(1, 2, None, 99999999999)",
        "'\\N{DASH}'",
        "'\\ud800'",
    ];
    let mut lines: Vec<String> = Vec::new();
    for seed in seeds {
        let chars: Vec<char> = seed.chars().collect();
        for cut in 0..=chars.len() {
            lines.push(chars[..cut].iter().collect());
        }
    }
    lines.extend(
        [
            "\u{0}",
            "\u{7f}\u{1b}[2J",
            ")))",
            "(((",
            "]",
            "'",
            "\"\"\"",
            "0x",
            "1e",
            "1_",
            "a.",
            ".a",
            "a..b",
            "=",
            "==",
            "not",
            "is",
            "lambda",
            "@",
            "`",
            "$",
            "\\",
            "\t",
        ]
        .map(String::from),
    );
    for line in &lines {
        match s.submit("p", line) {
            Ok(Submitted::Step(info)) => {
                let outcome =
                    wait_for(&mut s, info.step, Duration::from_secs(5)).unwrap_or_else(|| {
                        assert!(s.interrupt("p"));
                        wait_for(&mut s, info.step, Duration::from_secs(3)).expect("interruptible")
                    });
                if let Outcome::Error(e) = &outcome {
                    assert_ne!(
                        e.class, "SystemError",
                        "internal error on {line:?}: {}",
                        e.message
                    );
                    assert!(
                        !e.display_line().contains('\n'),
                        "error is not one line: {line:?}"
                    );
                }
            }
            Ok(_) => {}
            Err(e) => panic!("{line:?}: {e}"),
        }
    }
    assert_eq!(run(&mut s, "p", "1 + 1"), Outcome::Ok("2".into()));
}

#[test]
fn ctrl_c_stops_a_long_computation_as_it_stops_a_blocked_call() {
    let mut s = Session::new();
    // Ten million items take a while to make; the interrupt comes at once.
    let Ok(Submitted::Step(info)) = s.submit("server", "x = list(range(10**7))") else {
        panic!("the step did not start")
    };
    assert!(s.interrupt("server"));
    let outcome = wait_for(&mut s, info.step, Duration::from_secs(30)).expect("it ends");
    // (The outcome is not printed whole: a list of ten million items.)
    let shown: String = format!("{outcome:?}").chars().take(200).collect();
    assert!(
        matches!(&outcome, Outcome::Error(e) if e.class == "KeyboardInterrupt"),
        "{shown}"
    );
    // The pane goes on, and the name was not bound.
    assert!(matches!(run(&mut s, "server", "x"), Outcome::Error(e) if e.class == "NameError"));
}

/// A blocking send is first tried without waiting on the caller's thread; one
/// bigger than the buffers sends part there and the rest on the pane's thread.
/// Python's outcome: the whole length, and the reader gets each byte once.
#[test]
fn a_send_bigger_than_the_buffers_sends_every_byte_once() {
    let mut s = Session::new();
    let port = free_port();
    run(&mut s, "server", "s = socket.socket()");
    run(&mut s, "server", &format!("s.bind(('127.0.0.1', {port}))"));
    run(&mut s, "server", "s.listen()");
    run(
        &mut s,
        "client",
        &format!("c = socket.create_connection(('127.0.0.1', {port}))"),
    );
    run(&mut s, "server", "conn, addr = s.accept()");
    run(&mut s, "client", "data = bytes(range(250)) * 40_000");
    for call in ["c.send(data)", "c.sendall(data)"] {
        let Ok(Submitted::Step(send)) = s.submit("client", call) else {
            panic!("{call} did not start")
        };
        // The buffers hold far less than 10 MB: the send waits for the reader.
        let received = run(
            &mut s,
            "server",
            "conn.recv(10_000_000, socket.MSG_WAITALL) == bytes(range(250)) * 40_000",
        );
        assert_eq!(received, Outcome::Ok("True".into()), "after {call}");
        let sent = wait_for(&mut s, send.step, Duration::from_secs(5)).expect("the send ends");
        let whole = if call == "c.send(data)" {
            "10000000"
        } else {
            "None"
        };
        assert_eq!(sent, Outcome::Ok(whole.into()), "{call}");
    }
    // Nothing was sent twice.
    run(&mut s, "server", "conn.setblocking(False)");
    let more = run(&mut s, "server", "conn.recv(10)");
    assert!(
        matches!(&more, Outcome::Error(e) if e.class == "BlockingIOError"),
        "{more:?}"
    );
}

#[test]
fn a_selector_waits_is_interrupted_and_its_connections_stay_open_and_shown() {
    let mut s = Session::new();
    for line in [
        "import selectors",
        "sel = selectors.DefaultSelector()",
        "a, b = socket.socketpair()",
        "key = sel.register(a, selectors.EVENT_READ, data='a')",
        "del a, key",
    ] {
        run(&mut s, "p", line);
    }
    // The selector holds the socket: it stays open, and the kernel view shows it.
    let snap = s.snapshot("p").expect("a snapshot");
    let held: Vec<&str> = snap.sockets[snap.sockets.len() - snap.held..]
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(held, vec!["in sel"], "{snap:?}");
    assert!(snap.sockets.last().is_some_and(|v| v.fd.is_some()));
    // select() waits in epoll_wait, and Ctrl-C ends it.
    let Ok(Submitted::Step(step)) = s.submit("p", "sel.select()") else {
        panic!("select did not start")
    };
    assert!(wait_for(&mut s, step.step, Duration::from_millis(150)).is_none());
    assert!(s.interrupt("p"));
    let outcome = wait_for(&mut s, step.step, Duration::from_secs(3)).expect("interrupted");
    assert!(
        matches!(&outcome, Outcome::Error(e) if e.class == "KeyboardInterrupt"),
        "{outcome:?}"
    );
    // The pane is usable after it.
    assert_eq!(run(&mut s, "p", "b.send(b'x')"), Outcome::Ok("1".into()));
    assert_eq!(
        run(&mut s, "p", "[(k.data, m) for k, m in sel.select(0)]"),
        Outcome::Ok("[('a', 1)]".into())
    );
}
