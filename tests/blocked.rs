//! Blocked is a fact of the engine (SPEC section 5): a call that would wait
//! asks the kernel first and announces the wait (`Event::Blocked`, with the
//! call and what it waits for), so a front end knows at once, with no timer;
//! the outcome stays CPython's in every mode. These tests wait for events,
//! never for a guessed time.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use sockplay::outcome::Outcome;
use sockplay::session::{Activity, Event, SETTLE, Session, Submitted};

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("local addr").port()
}

fn submit(s: &mut Session, pane: &str, line: &str) -> u64 {
    match s.submit(pane, line) {
        Ok(Submitted::Step(info)) => info.step,
        other => panic!("{line}: {other:?}"),
    }
}

thread_local! {
    /// Events of other steps that arrived while a test waited for one step.
    static SEEN: std::cell::RefCell<Vec<Event>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The next event for `step` (at most 10 s); events of other steps are kept
/// for when they are asked for.
fn event_of(s: &mut Session, step: u64) -> Event {
    let kept = SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        let at = seen.iter().position(|e| step_of(e) == step)?;
        Some(seen.remove(at))
    });
    if let Some(e) = kept {
        return e;
    }
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if let Some(e) = s.next_event(Duration::from_millis(100)) {
            if step_of(&e) == step {
                return e;
            }
            SEEN.with(|seen| seen.borrow_mut().push(e));
        }
    }
    panic!("no event for step {step}")
}

fn step_of(e: &Event) -> u64 {
    match e {
        Event::Finished { info, .. }
        | Event::Blocked { info, .. }
        | Event::Printed { info, .. } => info.step,
        Event::Wire { info, .. } => info.as_ref().map_or(0, |i| i.step),
    }
}

/// The outcome of `step`, once it finishes (its `Blocked` and `Printed` events are passed over).
fn outcome_of(s: &mut Session, step: u64) -> Outcome {
    loop {
        if let Event::Finished { outcome, .. } = event_of(s, step) {
            return outcome;
        }
    }
}

/// Runs a line that must finish; returns its outcome.
fn run(s: &mut Session, pane: &str, line: &str) -> Outcome {
    let step = submit(s, pane, line);
    outcome_of(s, step)
}

fn connected(s: &mut Session) -> u16 {
    let port = free_port();
    run(s, "server", "srv = socket.socket()");
    run(s, "server", &format!("srv.bind(('127.0.0.1', {port}))"));
    run(s, "server", "srv.listen()");
    run(
        s,
        "client",
        &format!("c = socket.create_connection(('127.0.0.1', {port}))"),
    );
    run(s, "server", "conn, addr = srv.accept()");
    port
}

#[test]
fn an_accept_with_nothing_to_accept_is_reported_blocked_at_once() {
    let mut s = Session::new();
    let port = free_port();
    run(&mut s, "server", "srv = socket.socket()");
    run(
        &mut s,
        "server",
        &format!("srv.bind(('127.0.0.1', {port}))"),
    );
    run(&mut s, "server", "srv.listen()");
    let started = Instant::now();
    let step = submit(&mut s, "server", "conn, addr = srv.accept()");
    match event_of(&mut s, step) {
        Event::Blocked {
            call,
            condition,
            timeout,
            ..
        } => {
            assert_eq!(call, "accept()");
            assert_eq!(condition, "a connection to accept");
            assert!(!timeout);
        }
        other => panic!("{other:?}"),
    }
    // Known without a timer: blocked before the settle time could have passed
    // (on a machine this busy, the figure is benches/blocked_latency.sh's).
    assert!(s.blocked("server", SETTLE).is_some());
    assert!(s.quiescent(SETTLE, Instant::now(), &|_| false));
    if started.elapsed() < SETTLE {
        assert!(matches!(
            s.activity("server"),
            Some(Activity::Waiting { met: false, .. })
        ));
    }
    // The other pane releases it.
    run(
        &mut s,
        "client",
        &format!("c = socket.create_connection(('127.0.0.1', {port}))"),
    );
    let outcome = outcome_of(&mut s, step);
    assert!(
        matches!(&outcome, Outcome::Ok(r) if r.starts_with("(<socket.socket")),
        "{outcome:?}"
    );
}

#[test]
fn what_a_step_prints_is_told_before_it_blocks_and_kept_in_its_outcome() {
    let mut s = Session::new();
    connected(&mut s);
    let step = submit(&mut s, "server", "(print('waiting'), conn.recv(10))");
    match event_of(&mut s, step) {
        Event::Printed { text, .. } => assert_eq!(text, "waiting\n"),
        other => panic!("expected the printed text first, got {other:?}"),
    }
    match event_of(&mut s, step) {
        Event::Blocked { call, .. } => assert_eq!(call, "recv()"),
        other => panic!("expected the step to block in recv, got {other:?}"),
    }
    run(&mut s, "client", "c.send(b'hi')");
    match event_of(&mut s, step) {
        Event::Finished {
            outcome, stdout, ..
        } => {
            assert_eq!(outcome, Outcome::Ok("(None, b'hi')".into()));
            assert_eq!(stdout, "waiting\n", "the outcome keeps all it printed");
        }
        other => panic!("expected the step to finish, got {other:?}"),
    }
    // A step run inline tells its printing too, before its outcome.
    let inline = submit(&mut s, "server", "print('a', end=''), print('b')");
    match event_of(&mut s, inline) {
        Event::Printed { text, .. } => assert_eq!(text, "a"),
        other => panic!("expected printed text, got {other:?}"),
    }
}

#[test]
fn a_call_that_returns_at_once_is_not_reported_blocked() {
    let mut s = Session::new();
    connected(&mut s);
    run(&mut s, "client", "c.sendall(b'ready')");
    let step = submit(&mut s, "server", "conn.recv(10)");
    match event_of(&mut s, step) {
        Event::Finished { outcome, .. } => assert_eq!(outcome, Outcome::Ok("b'ready'".into())),
        other => panic!("data was there: {other:?}"),
    }
    // MSG_DONTWAIT on a blocking socket never waits: CPython's EAGAIN.
    let step = submit(&mut s, "server", "conn.recv(10, socket.MSG_DONTWAIT)");
    match event_of(&mut s, step) {
        Event::Finished { outcome, .. } => assert!(
            matches!(&outcome, Outcome::Error(e) if e.class == "BlockingIOError"),
            "{outcome:?}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_blocking_sendall_waits_for_room_and_still_sends_everything() {
    let mut s = Session::new();
    connected(&mut s);
    let send = submit(&mut s, "client", "c.sendall(b'x' * 10000000)");
    match event_of(&mut s, send) {
        Event::Blocked {
            call, condition, ..
        } => {
            assert_eq!(call, "sendall()");
            assert_eq!(condition, "room in the send buffer");
        }
        other => panic!("the peer reads nothing: {other:?}"),
    }
    // The server reads it all: the sendall is released and sent everything.
    let read = submit(
        &mut s,
        "server",
        "len(conn.recv(10000000, socket.MSG_WAITALL))",
    );
    let mut got = None;
    let mut sent = None;
    while got.is_none() || sent.is_none() {
        let step = if got.is_none() { read } else { send };
        if let Event::Finished { outcome, .. } = event_of(&mut s, step) {
            if step == read {
                got = Some(outcome);
            } else {
                sent = Some(outcome);
            }
        }
    }
    assert_eq!(got, Some(Outcome::Ok("10000000".into())));
    assert_eq!(sent, Some(Outcome::Ok("None".into())));
}

#[test]
fn a_wait_with_a_timeout_is_announced_as_such_and_settles_by_time() {
    let mut s = Session::new();
    connected(&mut s);
    run(&mut s, "client", "c.settimeout(5)");
    let step = submit(&mut s, "client", "c.recv(10)");
    match event_of(&mut s, step) {
        Event::Blocked { timeout, .. } => assert!(timeout),
        other => panic!("{other:?}"),
    }
    // Not blocked for good: the runner gives it the settle time...
    let since = Instant::now();
    assert!(!s.quiescent(SETTLE, since, &|_| false) || since.elapsed() >= SETTLE);
    // ...unless the script says it was blocked when recorded.
    assert!(s.quiescent(SETTLE, since, &|n| n == step));
    assert!(s.interrupt("client"));
    let outcome = outcome_of(&mut s, step);
    assert!(
        matches!(&outcome, Outcome::Error(e) if e.class == "KeyboardInterrupt"),
        "{outcome:?}"
    );
}

#[test]
fn a_select_with_no_timeout_waits_for_a_socket_to_be_ready() {
    let mut s = Session::new();
    connected(&mut s);
    let step = submit(&mut s, "server", "select.select([conn], [], [])");
    match event_of(&mut s, step) {
        Event::Blocked {
            call,
            condition,
            timeout,
            ..
        } => {
            assert_eq!(
                (call, condition, timeout),
                ("select()", "a socket to be ready", false)
            );
        }
        other => panic!("{other:?}"),
    }
    run(&mut s, "client", "c.send(b'!')");
    let outcome = outcome_of(&mut s, step);
    assert!(
        matches!(&outcome, Outcome::Ok(r) if r.starts_with("([<socket.socket")),
        "{outcome:?}"
    );
}

#[test]
fn a_blocking_connect_leaves_the_socket_as_the_kernels_blocking_connect_does() {
    let mut s = Session::new();
    let port = connected(&mut s);
    // Connected: a second connect is EISCONN, as after a blocking connect(2).
    let again = run(
        &mut s,
        "client",
        &format!("c.connect(('127.0.0.1', {port}))"),
    );
    assert!(
        matches!(&again, Outcome::Error(e) if e.errno == Some(libc::EISCONN)),
        "{again:?}"
    );
    // Refused: each attempt starts afresh and is refused again (not ECONNABORTED).
    let free = free_port();
    run(&mut s, "client", "t = socket.socket()");
    for _ in 0..2 {
        assert_eq!(
            run(
                &mut s,
                "client",
                &format!("t.connect_ex(('127.0.0.1', {free}))")
            ),
            Outcome::Ok("111".into())
        );
    }
}
