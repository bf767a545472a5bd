//! Hostile statements (issue: the engine can be trusted with anything typed):
//! each ends with CPython's outcome or a clean Python error, the pane still
//! answers afterwards, and nothing of sockplay's memory is shown as data.

use std::time::{Duration, Instant};

use sockplay::outcome::Outcome;
use sockplay::session::{Event, Session, Submitted};

/// Submits a line to pane `a` and waits (at most 60 s: a debug build on a
/// busy machine) for its outcome, with the repr's `truncated` flag.
fn run(session: &mut Session, line: &str) -> (Outcome, bool) {
    let Ok(Submitted::Step(info)) = session.submit("a", line) else {
        panic!("{} did not start a step", &line[..line.len().min(60)])
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(Event::Finished {
            info: done,
            outcome,
            truncated,
            ..
        }) = session.next_event(Duration::from_millis(100))
            && done.step == info.step
        {
            return (outcome, truncated);
        }
    }
    panic!("{} did not finish", &line[..line.len().min(60)])
}

fn outcome(session: &mut Session, line: &str) -> String {
    run(session, line).0.display_line()
}

/// The pane still works: a name bound before is still there.
fn still_usable(session: &mut Session) {
    assert_eq!(outcome(session, "canary"), "'alive'");
}

#[test]
fn nesting_and_long_chains_end_as_in_cpython_never_in_a_stack_overflow() {
    let mut s = Session::new();
    outcome(&mut s, "canary = 'alive'");
    let cases: Vec<(String, &str)> = vec![
        ("(".repeat(3000), "SyntaxError: too many nested parentheses"),
        ("[".repeat(3000), "SyntaxError: too many nested parentheses"),
        (
            format!("{}1{}", "(".repeat(201), ")".repeat(201)),
            "SyntaxError: too many nested parentheses",
        ),
        (format!("{}1", "not ".repeat(30000)), "MemoryError"),
        (format!("{}1", "-".repeat(100_000)), "MemoryError"),
        (
            vec!["1"; 30000].join("+"),
            "RecursionError: maximum recursion depth exceeded while traversing 'expr' node",
        ),
        (
            format!("{}1", "-".repeat(1200)),
            "RecursionError: maximum recursion depth exceeded while traversing 'expr' node",
        ),
        (
            format!("canary{}", ".upper()".repeat(3000)),
            "RecursionError: maximum recursion depth exceeded while traversing 'expr' node",
        ),
        (vec!["1"; 30000].join(" and "), "1"),
        (format!("{}1", "-".repeat(990)), "1"),
        (format!("x = {}1{}", "(".repeat(199), ")".repeat(199)), "1"),
    ];
    for (line, want) in cases {
        let got = outcome(&mut s, &line);
        assert!(
            got.starts_with(want),
            "{}...: got {got}",
            &line[..line.len().min(40)]
        );
        still_usable(&mut s);
    }
}

#[test]
fn memory_is_a_budget_in_bytes_checked_before_allocating() {
    let mut s = Session::new();
    outcome(&mut s, "canary = 'alive'");
    for line in [
        "[1] * 500000000",
        "b'x' * 10**12",
        "'x' * 10**12",
        "bytes(10**12)",
        "(1, 2) * 10**12",
        "list(range(10**12))",
    ] {
        assert_eq!(outcome(&mut s, line), "MemoryError", "{line}");
        still_usable(&mut s);
    }
}

#[test]
fn a_huge_repr_is_cut_and_never_built() {
    let mut s = Session::new();
    outcome(&mut s, "canary = 'alive'");
    // 10**9 items to show: the repr would be about 3 GB.
    run(&mut s, "a = [[0] * 1000] * 1000");
    let (b, truncated) = run(&mut s, "b = [a] * 1000");
    let Outcome::Ok(text) = b else {
        panic!("b = ... failed: {b:?}")
    };
    assert!(truncated, "the repr is marked cut");
    assert_eq!(text.chars().count(), 65_536);
    assert!(text.starts_with("[[[0, 0"));
    assert_eq!(outcome(&mut s, "len(b)"), "1000");
    let (_, small) = run(&mut s, "b[0][0][:3]");
    assert!(!small);
    still_usable(&mut s);
}

#[test]
fn slices_and_ranges_with_bounds_near_2_63_do_not_overflow() {
    let mut s = Session::new();
    outcome(&mut s, "canary = 'alive'");
    for (line, want) in [
        ("b'abc'[1:10:9223372036854775807]", "b'b'"),
        ("b'abcdef'[::-9223372036854775807]", "b'f'"),
        (
            "[1, 2, 3][-9223372036854775807::9223372036854775807]",
            "[1]",
        ),
        ("'abc'[9223372036854775807:-9223372036854775807:-2]", "'ca'"),
        (
            "len(range(-2**62, 2**62))",
            "OverflowError: Python int too large to convert to C ssize_t",
        ),
        (
            "range(-9223372036854775807, 9223372036854775807, 5)[-1]",
            "9223372036854775803",
        ),
    ] {
        assert_eq!(outcome(&mut s, line), want, "{line}");
    }
    still_usable(&mut s);
}

#[test]
fn msg_trunc_keeps_the_datagrams_length_and_shows_no_memory() {
    let mut s = Session::new();
    outcome(
        &mut s,
        "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    );
    outcome(&mut s, "u.bind(('127.0.0.1', 0))");
    outcome(
        &mut s,
        "v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    );
    assert_eq!(
        outcome(
            &mut s,
            "v.sendto(b'abcd' + b'\\xff' * 4996, u.getsockname())"
        ),
        "5000"
    );
    outcome(&mut s, "d = u.recv(4, socket.MSG_TRUNC)");
    assert_eq!(outcome(&mut s, "len(d)"), "5000", "CPython's length");
    assert_eq!(outcome(&mut s, "d[:4]"), "b'abcd'");
    assert_eq!(
        outcome(&mut s, "d[4:] == bytes(4996)"),
        "True",
        "what was not received is zeros, not heap memory"
    );
    // Its why: line is a row of the why-table (tests/why.rs).
}

#[test]
fn a_socket_held_a_million_times_stays_open_until_nothing_holds_it() {
    let mut s = Session::new();
    outcome(&mut s, "sock = socket.socket()");
    outcome(&mut s, "c = [[sock]] * 1000");
    outcome(&mut s, "d = [c] * 1000");
    outcome(&mut s, "del sock");
    assert!(!outcome(&mut s, "d[999][999][0]").contains("[closed]"));
    outcome(&mut s, "keep = d[0][0][0]");
    outcome(&mut s, "del c, d");
    assert!(!outcome(&mut s, "keep").contains("[closed]"));
    let fd = outcome(&mut s, "keep.fileno()");
    // Nothing refers to it any more: closed at the end of that step, as
    // CPython's refcount does. (Not checked by the next socket's fd number:
    // the tests of this file run in parallel, in one process's fd table.)
    let closed = closed_by(&mut s, "keep = 1");
    assert!(
        closed.len() == 1 && closed[0].contains(&format!("fd {fd})")),
        "{closed:?}"
    );
}

/// Runs `line` in pane `a`: the notes of the sockets its step closed.
fn closed_by(session: &mut Session, line: &str) -> Vec<String> {
    let Ok(Submitted::Step(info)) = session.submit("a", line) else {
        panic!("{line} did not start a step")
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(Event::Finished {
            info: done, closed, ..
        }) = session.next_event(Duration::from_millis(100))
            && done.step == info.step
        {
            return closed;
        }
    }
    panic!("{line} did not finish")
}
