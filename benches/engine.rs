//! Where a replayed step's time goes: parsing, interpreting (with real
//! send/recv system calls), and the round trip to a pane's thread.
//! Run with `cargo bench --bench engine`; prints microseconds per step.

use std::time::{Duration, Instant};

use sockplay::interp::Interp;
use sockplay::lang::parse_statement;
use sockplay::net::NoWaiter;
use sockplay::session::{Event, Session, Submitted};

const STEPS: u32 = 10_000;

fn per_step(label: &str, start: Instant) {
    let us = start.elapsed().as_secs_f64() * 1e6 / STEPS as f64;
    println!("{label:<44} {us:8.2} us/step");
}

fn main() {
    let send = "c.send(b'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx1')";
    let start = Instant::now();
    for _ in 0..STEPS {
        std::hint::black_box(parse_statement(send).ok());
    }
    per_step("parse a send statement", start);

    let mut interp = Interp::new();
    interp.run(
        &parse_statement("c, conn = socket.socketpair()").expect("parses"),
        &NoWaiter,
    );
    let (send_stmt, recv_stmt) = (
        parse_statement(send).expect("parses"),
        parse_statement("conn.recv(65)").expect("parses"),
    );
    let start = Instant::now();
    for i in 0..STEPS {
        let stmt = if i % 2 == 0 { &send_stmt } else { &recv_stmt };
        std::hint::black_box(interp.run(stmt, &NoWaiter));
    }
    per_step("interpret send/recv (no threads)", start);

    for (label, line) in [
        ("session round trip: `1`", "1"),
        ("session round trip: send/recv", ""),
    ] {
        let mut session = Session::new();
        let submit = |session: &mut Session, pane: &str, line: &str| {
            let Ok(Submitted::Step(info)) = session.submit(pane, line) else {
                panic!("{line}")
            };
            loop {
                if let Some(Event::Finished { info: done, .. }) =
                    session.next_event(Duration::from_secs(5))
                    && done.step == info.step
                {
                    break;
                }
            }
        };
        submit(&mut session, "a", "c, conn = socket.socketpair()");
        let start = Instant::now();
        for i in 0..STEPS {
            let stmt = if !line.is_empty() {
                line
            } else if i % 2 == 0 {
                send
            } else {
                "conn.recv(65)"
            };
            submit(&mut session, "a", stmt);
        }
        per_step(label, start);
    }
}
