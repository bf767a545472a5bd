//! The fuzz driver: `cargo run --release --bin sockplay-fuzz -- [--seed N]
//! [--statements N] [--seconds N]`. It runs the fuzzer in a child process
//! and watches it: a panic caught in a step is minimised and printed; a
//! crash of the child (stack overflow, abort) is replayed with the same seed
//! in a child that names each statement first, to find the culprit.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use sockplay::fuzz::{Finding, Fuzzer, Rng, corpus, mutate, statement};

struct Options {
    seed: u64,
    statements: u64,
    seconds: u64,
    child: bool,
    trace: bool,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        seed: 1,
        statements: 100_000,
        seconds: 0,
        child: false,
        trace: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .ok_or(format!("{name} takes a number"))
        };
        match a.as_str() {
            "--seed" => o.seed = number("--seed")?,
            "--statements" => o.statements = number("--statements")?,
            "--seconds" => o.seconds = number("--seconds")?,
            "--child" => o.child = true,
            "--trace" => o.trace = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

/// The golden scripts and lessons, compiled in, to mutate.
const SCRIPTS: &[&str] = &[
    include_str!("../../tests/scripts/misuse.sp"),
    include_str!("../../tests/scripts/bytes-repr.sp"),
    include_str!("../../tests/scripts/ints.sp"),
    include_str!("../../tests/scripts/bigints.sp"),
    include_str!("../../tests/scripts/edges.sp"),
    include_str!("../../tests/scripts/udp.sp"),
    include_str!("../../tests/scripts/select.sp"),
    include_str!("../../tests/scripts/blocks.sp"),
    include_str!("../../tests/scripts/echo-program.sp"),
    include_str!("../../tests/scripts/send-loop.sp"),
    include_str!("../../tests/scripts/time.sp"),
    include_str!("../../tests/scripts/functions.sp"),
    include_str!("../../tests/scripts/struct.sp"),
    include_str!("../../lessons/framing.sp"),
    include_str!("../../lessons/nonblocking-recv.sp"),
];

/// The child: runs statements, one line per finding on stdout, a summary at the end.
fn child(o: &Options) -> i32 {
    let corpus = corpus(SCRIPTS);
    let mut rng = Rng::new(o.seed);
    let mut fuzzer = Fuzzer::new();
    let started = Instant::now();
    let mut done = 0u64;
    let mut findings = 0u64;
    let stdout = std::io::stdout();
    while done < o.statements && (o.seconds == 0 || started.elapsed().as_secs() < o.seconds) {
        let line = if rng.below(2) == 0 {
            statement(&mut rng)
        } else {
            mutate(&mut rng, &corpus)
        };
        if o.trace {
            eprintln!("{done}: {line:?}");
        }
        match fuzzer.run(&line) {
            None => {}
            Some(Finding::Panic(message)) => {
                findings += 1;
                let small = fuzzer.minimise(&line);
                let _ = writeln!(
                    stdout.lock(),
                    "panic: {message}\n  statement: {line:?}\n  minimised: {small:?}"
                );
            }
            Some(Finding::Hang) => {
                findings += 1;
                let _ = writeln!(stdout.lock(), "hang: {line:?}");
            }
        }
        done += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    let _ = writeln!(
        stdout.lock(),
        "{done} statements in {secs:.1} s ({:.0} per second), seed {}, {findings} findings",
        done as f64 / secs.max(1e-9),
        o.seed
    );
    i32::from(findings > 0)
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("sockplay-fuzz: {e}");
            std::process::exit(2);
        }
    };
    if o.child {
        std::process::exit(child(&o));
    }
    let me = std::env::current_exe().expect("the fuzzer's own path");
    let args = |trace: bool| {
        let mut a = vec![
            "--child".to_string(),
            "--seed".into(),
            o.seed.to_string(),
            "--statements".into(),
            o.statements.to_string(),
            "--seconds".into(),
            o.seconds.to_string(),
        ];
        if trace {
            a.push("--trace".into());
        }
        a
    };
    // The statements bind Unix sockets to mutated paths ("127.0.0.1:80" and
    // worse): the children work in a scratch directory, removed at the end,
    // so no socket file is left in the user's directory.
    let scratch = std::env::temp_dir().join(format!("sockplay-fuzz-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&scratch) {
        eprintln!("sockplay-fuzz: cannot make {}: {e}", scratch.display());
        std::process::exit(2);
    }
    let finish = |code: i32| -> ! {
        let _ = std::fs::remove_dir_all(&scratch);
        std::process::exit(code)
    };
    // A tighter memory budget than a session's, so a runaway allocation shows quickly.
    let status = Command::new(&me)
        .args(args(false))
        .current_dir(&scratch)
        .env("SOCKPLAY_MEMORY_MB", "1024")
        .status()
        .expect("the child runs");
    if let Some(code) = status.code() {
        finish(code);
    }
    println!(
        "the child crashed ({status}); replaying seed {} to find the statement",
        o.seed
    );
    let out = Command::new(&me)
        .args(args(true))
        .current_dir(&scratch)
        .env("SOCKPLAY_MEMORY_MB", "1024")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .output()
        .expect("the child runs");
    let trace = String::from_utf8_lossy(&out.stderr);
    let last = trace.lines().rev().find(|l| l.contains(": \""));
    println!("crash: {}", last.unwrap_or("(no statement named)"));
    finish(1);
}
