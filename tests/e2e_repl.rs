//! `sockplay repl` in a pseudo-terminal, read through a terminal emulator
//! (vt100): a user types the echo experiment with Tab completion and a hint,
//! releases the blocked accept from the other pane, interrupts a blocked
//! recv with Ctrl-C, and quits with Ctrl-D; history and recording are on disk.

mod common;

use common::{Tty, free_port};

/// The row the cursor is on, as the screen shows it.
fn cursor_row(tty: &Tty) -> String {
    let parser = tty.screen.lock().expect("screen lock");
    let screen = parser.screen();
    let (row, _) = screen.cursor_position();
    screen
        .rows(0, 140)
        .nth(usize::from(row))
        .unwrap_or_default()
}

#[test]
fn typing_the_echo_experiment_in_the_repl() {
    let port = free_port();
    let data = tempfile::tempdir().expect("temp dir");
    let data_dir = data.path().to_str().expect("utf-8 path");
    let rec = data.path().join("echo.sp");
    let rec_arg = rec.to_str().expect("utf-8 path");
    let mut tty = Tty::start_with(
        &["repl", "--record", rec_arg],
        &[("XDG_DATA_HOME", data_dir)],
    );
    tty.wait_for("server>>> ");
    // Each wait names the typed line and its outcome, so that it cannot be
    // met by an earlier line: keys typed ahead of the prompt are kept anyway.
    tty.line(
        "HOST = '127.0.0.1'",
        "server>>> HOST = '127.0.0.1'\n= '127.0.0.1'",
    );
    tty.line(&format!("PORT = {port}"), &format!("\n= {port}"));
    // Tab completes the constant; the line is then finished by hand.
    tty.keys(b"s = socket.socket(socket.AF_INET, socket.SOCK_STR\t");
    tty.wait_for("socket.SOCK_STREAM");
    tty.line(")", "server [s]>>> ");
    // A short form's usage shows as a hint while it is typed.
    tty.keys(b"bind");
    tty.wait_for("server [s]>>> bind [HOST] PORT");
    tty.keys(b"\x15"); // Ctrl-U clears the line
    tty.line(
        "s.bind((HOST, PORT))",
        "server [s]>>> s.bind((HOST, PORT))\nserver [s]>>> ",
    );
    tty.line("s.listen()", "server [s]>>> s.listen()\nserver [s]>>> ");
    tty.line(
        "conn, addr = s.accept()",
        "... server is blocked in accept() (step 6)",
    );
    // The prompt comes back under it: the client pane acts while the server
    // waits. (Waited for: the prompt is drawn just after the message.)
    tty.wait_for("(step 6)\nserver [s]>>> ");
    tty.line(
        "client> s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "client> s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n= <socket.socket fd=",
    );
    let screen = tty.line(
        &format!("client> s.connect(('127.0.0.1', {port}))"),
        "[server step 6] conn, addr = s.accept()",
    );
    assert!(screen.contains(&format!("laddr=('127.0.0.1', {port}), raddr=('127.0.0.1'")));
    // Two lines pasted at once (bracketed paste), then Enter: both run.
    tty.keys(b"\x1b[200~client> s.sendall(b'Hello, world')\ndata = conn.recv(1024)\x1b[201~");
    // Each shows again with its prompt, by its outcome.
    let screen = tty.line("", "]>>> data = conn.recv(1024)\n= b'Hello, world'");
    assert!(
        screen.contains("]>>> client> s.sendall(b'Hello, world')\nserver ["),
        "{screen}"
    );
    tty.line("conn.sendall(data)", "]>>> conn.sendall(data)\nserver [");
    tty.line(
        "client> data = s.recv(1024)",
        "client> data = s.recv(1024)\n= b'Hello, world'",
    );
    tty.line(
        "client> print('Received', repr(data))",
        "Received b'Hello, world'\nserver [",
    );
    tty.line("client> s.close()", "client> s.close()\nserver [");
    let screen = tty.line(
        "data = conn.recv(1024)",
        "b''\nwhy: b'' means end of stream",
    );
    assert!(screen.contains("data = conn.recv(1024)\n= b''"), "{screen}");
    tty.line("not data", "not data\nTrue");
    // Lines typed ahead, before the prompt is back, are kept and run in turn.
    tty.keys(b"a = 41\rb = a + 1\r");
    tty.wait_for("b = a + 1\n= 42");

    // A recv nobody answers blocks; typing goes on above the outcome; Ctrl-C
    // interrupts it.
    tty.line(
        "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
        "type=2, proto=0, laddr=('0.0.0.0', 0)>",
    );
    tty.line(
        "u.bind(('127.0.0.1', 0))",
        "u.bind(('127.0.0.1', 0))\nserver [",
    );
    tty.line("u.recv(1024)", "... server is blocked in recv() (step 21)");
    tty.keys(b"x = 4");
    tty.wait_for(">>> x = 4");
    tty.keys(b"\x03");
    let screen = tty.wait_for("[server step 21] u.recv(1024)\nKeyboardInterrupt");
    assert!(
        screen.contains("KeyboardInterrupt sent to server (step 21)"),
        "{screen}"
    );
    // Ctrl-C cleared the half-typed line too.
    tty.wait_for("why: ");
    assert!(cursor_row(&tty).ends_with(">>> "), "{}", cursor_row(&tty));

    // An unclosed quote is refused with a message; the line stays to be fixed.
    tty.keys(b"conn.send(b'hi)\r");
    tty.wait_for("unterminated string literal");
    tty.keys(b"\x15");
    tty.line(":pane client", "client [s]>>> ");
    tty.line(":explain", "nothing was removed from the socket's queue");
    // Ctrl-D only once the editor reads again: typed between two reads, the
    // terminal's own line discipline takes ^D as end-of-file and the editor
    // never sees it (the test raced there about once in ten runs).
    tty.wait_for("it waits again.\nclient [s]>>> ");
    tty.keys(b"\x04"); // Ctrl-D on an empty line quits
    assert_eq!(tty.wait_exit(), 0);

    let history = std::fs::read_to_string(data.path().join("sockplay").join("history"))
        .expect("the history is in the data directory");
    assert!(history.contains("conn, addr = s.accept()"), "{history}");
    assert!(history.contains("client> s.close()"), "{history}");
    let text = std::fs::read_to_string(&rec).expect("the recording");
    assert!(
        text.contains("server> conn, addr = s.accept()\n=> blocked\n"),
        "{text}"
    );
    // Nothing was sent while the recv waited: its outcome follows it.
    assert!(
        text.contains("server> u.recv(1024)\n=> KeyboardInterrupt\n"),
        "{text}"
    );
    // Right after, the recording replays: the Ctrl-C at the same point.
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .args(["run", "--check", "--fresh-ports", rec_arg])
        .output()
        .expect("run --check");
    assert!(
        check.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn a_pasted_block_stops_at_its_first_error_and_a_huge_paste_is_refused() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_dir = data.path().to_str().expect("utf-8 path");
    let mut tty = Tty::start_with(&["repl"], &[("XDG_DATA_HOME", data_dir)]);
    tty.wait_for("server>>> ");
    // A statement over two lines, pasted with \r endings: one step.
    tty.keys(b"\x1b[200~pair = socket.socketpair(\r    socket.AF_UNIX)\rlen(pair)\x1b[201~");
    let screen = tty.line("", ">>> len(pair)\n2");
    assert!(
        screen.contains(">>> pair = socket.socketpair(\n...     socket.AF_UNIX)\n= (<socket.socket fd=3, family=1"),
        "{screen}"
    );
    // Pasted with \r between lines, as tmux pastes; the third line raises.
    tty.keys(b"\x1b[200~a, b = socket.socketpair()\ra.send(b'hi')\rsrv.listen()\rconn, addr = srv.accept()\rb.recv(10)\x1b[201~");
    let screen = tty.line(
        "",
        "the pasted block stopped at its first error (step 5): 2 lines not run",
    );
    assert!(
        screen.contains("NameError: name 'srv' is not defined"),
        "{screen}"
    );
    assert!(
        !screen.contains(">>> conn, addr = srv.accept()"),
        "not run: {screen}"
    );
    // The pane goes on: what was not run can be typed now.
    tty.line("b.recv(10)", "b.recv(10)\nb'hi'");
    // More than a paste may bring is refused with its size, and nothing runs.
    let mut huge = b"\x1b[200~".to_vec();
    huge.extend(b"x = 1\r".repeat(12_000));
    huge.extend(b"\x1b[201~");
    tty.keys(&huge);
    tty.keys(b"\r");
    tty.wait_for("paste refused: 72,000 bytes, more than the 65,536 a paste may bring");
    tty.line("x = 2", "x = 2\n= 2");
    // exit() ends the session, as in Python's REPL.
    tty.keys(b"exit()\r");
    assert_eq!(tty.wait_exit(), 0);
}
