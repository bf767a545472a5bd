//! The real binary in a pseudo-terminal, read through a terminal emulator
//! (vt100): a user typing the non-blocking recv experiment, and a forced
//! panic that must give the terminal back.

// The terminal checks call libc (tcgetattr, kill), each with a SAFETY note.
#![allow(unsafe_code)]

mod common;

use std::time::{Duration, Instant};

use common::{Tty, free_port};

#[test]
fn typing_the_nonblocking_recv_experiment() {
    let port = free_port();
    let mut tty = Tty::start(&[]);
    tty.wait_for("server>>>");
    tty.line("HOST = '127.0.0.1'", "'127.0.0.1'");
    tty.line(&format!("PORT = {port}"), &format!("\n┃= {port}"));
    tty.line(
        "server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "server [server]>>>",
    );
    // None shows nothing, as in Python's REPL: the kernel's view shows the bind.
    tty.line("server.bind((HOST, PORT))", &format!("127.0.0.1:{port}"));
    tty.line("server.listen(1)", "LISTEN");
    let screen = tty.line("server, _ = server.accept()", "blocked in accept() for");
    assert!(screen.contains("Ctrl-C interrupts"));
    // A click on the right half focuses the client pane (SGR mouse report).
    tty.keys(b"\x1b[<0;100;10M\x1b[<0;100;10m");
    tty.line(
        "client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "client [client]>>>",
    );
    tty.line(
        &format!("client.connect(('127.0.0.1', {port}))"),
        "ESTABLISHED",
    );
    // The accept was released in place: its tuple follows its statement.
    tty.wait_for("raddr=('127.0.0.1'");
    tty.line("client.setblocking(False)", "non-blocking");
    let screen = tty.line(
        "packet = client.recv(1024)",
        "BlockingIOError: [Errno 11] Resource temporarily",
    );
    assert!(
        screen.contains("why: the socket is non-blocking"),
        "{screen}"
    );
    tty.keys(b"\x0f");
    tty.line("server.close()", "closed (fd=-1)");
    let screen = tty.wait_for("CLOSE_WAIT");
    assert!(screen.contains("CLOSE_WAIT"));
    tty.keys(b"\x0f");
    let screen = tty.line("packet = client.recv(1024)", "b''");
    assert!(screen.contains("why: b'' means end of stream"), "{screen}");
    tty.keys(b"\x11"); // Ctrl-Q
    assert_eq!(tty.wait_exit(), 0);
}

#[test]
fn quitting_while_blocked_is_immediate() {
    let mut tty = Tty::start(&[]);
    tty.wait_for("server>>>");
    tty.line("a, b = socket.socketpair()", "Unix/stream");
    tty.line("a.recv(1)", "blocked in recv()");
    let start = Instant::now();
    tty.keys(b"\x11");
    assert_eq!(tty.wait_exit(), 0);
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_panic_inside_a_step_keeps_the_screen_and_the_keys() {
    let mut tty = Tty::start(&[("SOCKPLAY_TEST_PANIC", "1")]);
    tty.wait_for("server>>>");
    // Runs inline, on the interface's own thread: the panic is the step's outcome.
    tty.line(
        "_sockplay_test_panic",
        "SystemError: internal error in sockplay",
    );
    {
        let p = tty.screen.lock().expect("screen lock");
        let s = p.screen();
        assert!(s.alternate_screen(), "the interface keeps its screen");
        assert!(s.bracketed_paste());
    }
    tty.line("x = 6 * 7", "42");
    tty.keys(b"\x11");
    assert_eq!(tty.wait_exit(), 0, "Ctrl-Q still quits");
}

#[test]
fn a_panic_gives_the_terminal_back_and_prints_its_message() {
    let mut tty = Tty::start(&[("SOCKPLAY_TEST_PANIC", "1")]);
    tty.wait_for("server>>>");
    {
        let p = tty.screen.lock().expect("screen lock");
        let s = p.screen();
        assert!(s.alternate_screen() && s.bracketed_paste());
    }
    tty.keys(b":panic\r");
    let status = tty.wait_exit();
    assert_ne!(status, 0);
    let text = tty.wait_for("a panic forced with :panic");
    let p = tty.screen.lock().expect("screen lock");
    let s = p.screen();
    assert!(!s.alternate_screen(), "left the alternate screen:\n{text}");
    assert!(!s.bracketed_paste());
    assert!(!s.hide_cursor());
    assert_eq!(s.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
    // Cooked mode again: the terminal echoes and edits lines.
    let fd = tty.master.as_raw_fd().expect("the pty's fd");
    // SAFETY: a zeroed termios is a valid buffer for tcgetattr to fill.
    let mut termios: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: fd is the open master of the pty; termios is writable.
    assert_eq!(unsafe { libc::tcgetattr(fd, &mut termios) }, 0);
    assert_ne!(termios.c_lflag & libc::ICANON, 0, "canonical mode restored");
    assert_ne!(termios.c_lflag & libc::ECHO, 0, "echo restored");
}

#[test]
fn a_recording_survives_kill_9_and_replays_with_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rec = dir.path().join("reverse.sp");
    let rec_arg = rec.to_str().expect("utf-8 temp path");
    let port = free_port();
    let mut tty = Tty::start_with(&["--record", rec_arg], &[]);
    tty.wait_for("server>>>");
    tty.line(
        &format!("s = socket.create_server(('127.0.0.1', {port}))"),
        "LISTEN",
    );
    tty.line("conn, addr = s.accept()", "blocked in accept()");
    tty.keys(b"\x0f");
    tty.line(
        &format!("c = socket.create_connection(('127.0.0.1', {port}))"),
        "ESTABLISHED",
    );
    tty.line("c.sendall(b'hello')", "recv-q 5");
    tty.keys(b"\x0f");
    tty.line(
        ":note the server reverses what it reads",
        "# the server reverses",
    );
    tty.line("conn.recv(1024)[::-1]", "b'olleh'");
    let pid = tty.child.process_id().expect("a pid") as i32;
    // SAFETY: kill(2) on the child we started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    tty.wait_exit();
    let text = std::fs::read_to_string(&rec).expect("the recording is on disk");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[2], "server> conn, addr = s.accept()");
    assert_eq!(lines[3], "=> blocked");
    assert!(lines.contains(&"# the server reverses what it reads"));
    assert_eq!(
        lines[lines.len() - 2..],
        ["server> conn.recv(1024)[::-1]", "=> b'olleh'"]
    );
    let replay = std::process::Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .args(["run", "--check", rec_arg])
        .output()
        .expect("sockplay run");
    assert_eq!(
        replay.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&replay.stdout),
        String::from_utf8_lossy(&replay.stderr)
    );
}

/// The Python habits of issue 14, in the real interface: a seed experiment
/// pasted with `\r` line endings and a statement over two lines, scrolling to
/// the top, Ctrl-R, `:hex`, a third pane, Ctrl-L, and `exit()`.
#[test]
fn pasting_scrolling_searching_hex_a_third_pane_clearing_and_exit() {
    let port = free_port();
    let mut tty = Tty::start(&[]);
    tty.wait_for("server>>>");
    // Pasted as tmux pastes: \r between lines; one statement goes on over two.
    let paste = format!(
        "\x1b[200~server> srv = socket.create_server(('127.0.0.1', {port}))\rserver> conn, addr = srv.accept()\r\
         client> c = socket.create_connection(\r    ('127.0.0.1', {port}))\rclient> c.sendall(b'hi\\x00\\xff')\r\
         server> conn.recv(10)\r\x1b[201~"
    );
    tty.keys(paste.as_bytes());
    tty.wait_for("b'hi\\x00\\xff'");
    // :hex shows the received bytes as offset, hex and ASCII.
    tty.line(":hex", "0000  68 69 00 ff");
    tty.wait_for("|hi..|");
    tty.line(":hex", "hex view off");
    // Enough lines to scroll: the view stops with the first line at the top.
    for i in 0..20 {
        tty.line(&format!("{i} * 111"), &format!("{}", i * 111));
    }
    tty.keys(b"\x1b[5~\x1b[5~\x1b[5~\x1b[5~\x1b[5~");
    let top = tty.wait_for("lines up");
    assert!(
        top.contains(&format!(
            "┃>>> srv = socket.create_server(('127.0.0.1', {port}))"
        )),
        "{top}"
    );
    tty.keys(b"\x1b[1;5F"); // Ctrl-End
    // Ctrl-R finds a line typed before; Enter runs it again.
    tty.keys(b"\x12");
    tty.keys(b"13 *");
    tty.wait_for("(reverse-i-search)`13 *': 13 * 111");
    tty.keys(b"\r");
    // Run again: one step more (26), and its outcome at the bottom.
    tty.wait_for("step 26 ");
    tty.wait_for("1443");
    // A line for a third pane opens it.
    tty.line("watcher> 6 * 7", "▶ watcher");
    tty.wait_for("42");
    // Ctrl-L clears the focused pane's transcript; its names stay.
    tty.keys(b"\x0c");
    tty.wait_for("cleared watcher's transcript");
    // exit() ends the session, as in Python's REPL.
    tty.keys(b"exit()\r");
    assert_eq!(tty.wait_exit(), 0);
}

/// SPEC 2.3 as a learner meets it: Real Python's echo server pasted into the
/// server pane as one block (a terminal pastes with `\r`), a client typed in
/// the other pane, the loop's prints shown as they happen; then an endless
/// loop ended with Ctrl-C.
#[test]
fn a_pasted_echo_server_serves_a_typed_client_and_ctrl_c_ends_a_loop() {
    let port = free_port();
    let mut tty = Tty::start(&[]);
    tty.wait_for("server>>>");
    let server = format!(
        "with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:\r\
         \x20   s.bind(('127.0.0.1', {port}))\r\
         \x20   s.listen()\r\
         \x20   conn, addr = s.accept()\r\
         \r\
         \x20   with conn:\r\
         \x20       print(f\"Connected by {{addr}}\")\r\
         \x20       while True:\r\
         \x20           data = conn.recv(1024)\r\
         \x20           if not data:\r\
         \x20               break\r\
         \x20           print(f\"echo {{data!r}}\")\r\
         \x20           conn.sendall(data)\r"
    );
    tty.keys(format!("\x1b[200~{server}\x1b[201~").as_bytes());
    tty.wait_for("blocked in accept()");
    tty.keys(b"\x0f"); // Ctrl-O: the client pane
    tty.line(
        &format!("c = socket.create_connection(('127.0.0.1', {port}))"),
        "Connected by ('127.0.0.1'",
    );
    tty.line("c.sendall(b'Hello, world')", "echo b'Hello, world'");
    tty.line("c.recv(1024)", "┃b'Hello, world'");
    // The server's loop ends when the client closes: its step finishes.
    tty.line("c.close()", "c closed");
    tty.keys(b"\x0f");
    tty.wait_for("server>>>");
    tty.line("n = 0", "= 0");
    tty.keys(b"while True:\r    n += 1\r\r");
    tty.wait_for("running");
    tty.keys(b"\x03"); // Ctrl-C
    let screen = tty.wait_for("KeyboardInterrupt");
    assert!(screen.contains("why: you pressed Ctrl-C"), "{screen}");
    tty.line("n > 0", "┃True");
    tty.keys(b"\x11");
    assert_eq!(tty.wait_exit(), 0);
}
