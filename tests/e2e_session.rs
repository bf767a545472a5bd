//! A session typed in the interface, in a pseudo-terminal, and what is made
//! of it: a blocked accept released by the other pane, a `print`, a
//! statement over two lines, Ctrl-C on a blocked recv. The recording must
//! replay with `run --check --fresh-ports`, its Markdown export must show the
//! released accept and the printed text, and its Python export must run as
//! two programs side by side, as the blog posts' two terminals.

// The driver reads /proc and sends SIGINT (kill), with SAFETY notes.
#![allow(unsafe_code)]

mod common;

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Tty, free_port};

fn sockplay(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("sockplay runs")
}

/// Types the session; returns the recording's path.
fn type_session(dir: &Path, port: u16) -> std::path::PathBuf {
    let rec = dir.join("session.sp");
    let mut tty = Tty::start_with(&["--record", rec.to_str().expect("utf-8")], &[]);
    tty.wait_for("server>>>");
    tty.line("srv = socket.socket()", "server [srv]>>>");
    // None shows nothing, as in Python's REPL: the kernel's view shows the bind.
    tty.line(
        &format!("srv.bind(('127.0.0.1', {port}))"),
        &format!("127.0.0.1:{port}"),
    );
    tty.line("srv.listen()", "LISTEN");
    tty.line("conn, addr = srv.accept()", "blocked in accept()");
    tty.keys(b"\x0f"); // Ctrl-O: the client pane
    tty.line("c = socket.create_connection(", "a bracket is open");
    tty.line(&format!("    ('127.0.0.1', {port}))"), "client [c]>>>");
    // The accept was released in place, in the server pane.
    tty.wait_for("raddr=('127.0.0.1', ");
    // The five bytes wait in the server's receive queue.
    tty.line("c.sendall(b'hello')", "recv-q 5");
    tty.keys(b"\x0f");
    tty.line("data = conn.recv(1024)", "b'hello'");
    tty.line("print('Received', data)", "Received b'hello'");
    tty.line("conn.recv(1024)", "blocked in recv()");
    tty.keys(b"\x03"); // Ctrl-C
    tty.wait_for("KeyboardInterrupt");
    tty.keys(b"\x11"); // Ctrl-Q
    assert_eq!(tty.wait_exit(), 0);
    rec
}

/// A program of the Python export, running, with what it printed so far.
struct Program {
    child: Child,
    out: Arc<Mutex<String>>,
}

impl Program {
    fn start(path: &Path) -> Program {
        let mut command = Command::new("python3");
        // CPython turns Ctrl-C into KeyboardInterrupt only if SIGINT is not
        // ignored when it starts, and a test run in the background of a
        // shell inherits it ignored: the program gets the default back.
        // SAFETY: signal(2) is async-signal-safe, as pre_exec requires.
        unsafe {
            command.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                Ok(())
            });
        }
        let mut child = command
            .arg("-u")
            .arg(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs");
        let out = Arc::new(Mutex::new(String::new()));
        let mut stdout = child.stdout.take().expect("piped stdout");
        let feed = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut o) = feed.lock() {
                    o.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        Program { child, out }
    }

    fn output(&self) -> String {
        self.out.lock().expect("output lock").clone()
    }

    /// Whether the process sleeps in a system call (blocked, or waiting for Enter).
    fn sleeping(&self) -> bool {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // The state follows the command name, which is in parentheses.
        stat.rsplit(')')
            .next()
            .and_then(|r| r.split_whitespace().next())
            == Some("S")
    }

    /// Whether the process waits in recvfrom(2) (CPython's recv), as
    /// /proc/PID/syscall tells: only then is Ctrl-C sure to land inside the
    /// program's `try`. (Sleeping alone is not enough: on a busy machine it
    /// also sleeps writing the line printed just before.)
    fn in_recv(&self) -> bool {
        let syscall = std::fs::read_to_string(format!("/proc/{}/syscall", self.child.id()))
            .unwrap_or_default();
        syscall.split_whitespace().next() == Some(&libc::SYS_recvfrom.to_string())
    }

    /// The prompt it waits on (`input(...)`): the text after its last newline.
    fn prompt(&self) -> Option<String> {
        let out = self.output();
        let tail = out.rsplit('\n').next().unwrap_or("");
        tail.contains("press Enter once").then(|| tail.to_string())
    }

    /// Presses Enter. A program that has just finished (its last prompt is
    /// still the tail of its output) has closed its stdin: that is no error,
    /// its exit status is checked by the caller.
    fn enter(&mut self) {
        let stdin = self.child.stdin.as_mut().expect("piped stdin");
        match stdin.write_all(b"\n").and_then(|()| stdin.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.expect("Enter"),
        }
    }
}

/// Whether `other` has reached what `prompt` waits for: it printed the step
/// (`>>> STATEMENT`) and then its outcome ("has run"), or sleeps in it ("is
/// blocked in").
fn reached(prompt: &str, other: &Program) -> bool {
    let Some((_, statement)) = prompt.split_once(": ") else {
        return false;
    };
    let echo = format!(">>> {}\n", statement.trim_end());
    let out = other.output();
    let Some(at) = out.rfind(&echo) else {
        return false;
    };
    let after = &out[at + echo.len()..];
    if prompt.contains("is blocked in") {
        after.is_empty() && other.sleeping()
    } else {
        after.contains('\n')
    }
}

#[test]
fn a_typed_session_replays_and_exports_to_markdown_and_two_programs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let rec = type_session(dir.path(), port);
    let recorded = std::fs::read_to_string(&rec).expect("the recording");
    for line in [
        "server> conn, addr = srv.accept()\n=> blocked\n",
        "client> c = socket.create_connection(\n...     ('127.0.0.1', ",
        "server => (<socket.socket ",
        "| Received b'hello'\n",
        "server> conn.recv(1024)\n=> KeyboardInterrupt\n",
    ] {
        assert!(recorded.contains(line), "{line:?} in\n{recorded}");
    }

    // It replays, checking every outcome, the released one and the print included.
    let run = sockplay(
        &["run", "--check", "--fresh-ports", "session.sp"],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("check: 10/10 outcomes as expected"),
        "{stderr}"
    );

    // The Markdown shows the accept's tuple and the printed text.
    let md = sockplay(&["export", "session.sp", "--to", "markdown"], dir.path());
    assert!(
        md.status.success(),
        "{}",
        String::from_utf8_lossy(&md.stderr)
    );
    let md = std::fs::read_to_string(dir.path().join("session.md")).expect("the write-up");
    assert!(md.contains("→ blocked, then `(<socket.socket fd="), "{md}");
    assert!(md.contains("prints `Received b'hello'`"), "{md}");
    assert!(md.contains("```mermaid"), "{md}");
    assert!(
        md.lines().filter(|l| l.starts_with("| ")).count() >= 10,
        "a table row per step, none broken by the two-line statement:\n{md}"
    );

    // The Python export runs as two programs, on a port of their own.
    let py = sockplay(&["export", "session.sp", "--to", "python"], dir.path());
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let fresh = free_port().to_string();
    for pane in ["server", "client"] {
        let path = dir.path().join(format!("session-{pane}.py"));
        let text = std::fs::read_to_string(&path).expect("a program per pane");
        std::fs::write(&path, text.replace(&port.to_string(), &fresh)).expect("rewritten");
    }
    let mut server = Program::start(&dir.path().join("session-server.py"));
    let mut client = Program::start(&dir.path().join("session-client.py"));
    let mut interrupted = false;
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let (s, c) = (server.child.try_wait(), client.child.try_wait());
        if let (Ok(Some(s)), Ok(Some(c))) = (&s, &c) {
            assert!(s.success() && c.success(), "server {s}, client {c}");
            break;
        }
        assert!(
            Instant::now() < until,
            "the programs did not finish:\n--- server\n{}\n--- client\n{}",
            server.output(),
            client.output()
        );
        if let Some(p) = server.prompt()
            && reached(&p, &client)
        {
            server.enter();
        }
        if let Some(p) = client.prompt()
            && reached(&p, &server)
        {
            client.enter();
        }
        // Ctrl-C where the session pressed it: the recv the export marks so.
        if !interrupted && server.output().ends_with(">>> conn.recv(1024)\n") && server.in_recv() {
            // SAFETY: kill(2) on the child this test started.
            assert_eq!(
                unsafe { libc::kill(server.child.id() as i32, libc::SIGINT) },
                0
            );
            interrupted = true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = server.output();
    assert!(out.contains("Received b'hello'\n"), "{out}");
    assert!(out.ends_with("KeyboardInterrupt\n"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let accepted = lines
        .iter()
        .position(|l| *l == ">>> conn, addr = srv.accept()")
        .and_then(|i| lines.get(i + 1))
        .expect("the accept's outcome");
    assert!(accepted.starts_with("(<socket.socket fd="), "{out}");
    let out = client.output();
    assert!(
        out.contains(">>> c = socket.create_connection(\n...     ('127.0.0.1', "),
        "{out}"
    );
}
