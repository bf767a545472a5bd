//! Signals end sockplay cleanly (issue: sessions that tell the truth, item 6):
//! SIGTERM, SIGHUP and SIGQUIT, sent to the interface and to the REPL in a
//! pseudo-terminal, give the terminal back (screen, mouse, paste mode, cursor,
//! termios), say where the recording is, keep it, and exit with 128 + signal.

// The checks call libc (kill, tcgetattr), each with a SAFETY note.
#![allow(unsafe_code)]

mod common;

use common::Tty;

fn send(tty: &Tty, signal: libc::c_int) {
    let pid = tty.child.process_id().expect("a pid") as i32;
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

/// The terminal is as a shell needs it: canonical mode and echo.
fn assert_cooked(tty: &Tty) {
    let fd = tty.master.as_raw_fd().expect("the pty's fd");
    // SAFETY: a zeroed termios is a valid buffer for tcgetattr to fill.
    let mut termios: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: fd is the open master of the pty; termios is writable.
    assert_eq!(unsafe { libc::tcgetattr(fd, &mut termios) }, 0);
    assert_ne!(termios.c_lflag & libc::ICANON, 0, "canonical mode restored");
    assert_ne!(termios.c_lflag & libc::ECHO, 0, "echo restored");
}

const SIGNALS: [(libc::c_int, &str); 3] = [
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGHUP, "SIGHUP"),
    (libc::SIGQUIT, "SIGQUIT"),
];

#[test]
fn the_interface_gives_the_terminal_back_on_each_signal() {
    for (signal, name) in SIGNALS {
        let dir = tempfile::tempdir().expect("temp dir");
        let rec = dir.path().join("rec.sp");
        let mut tty = Tty::start_with(&["--record", rec.to_str().expect("utf-8")], &[]);
        tty.wait_for("server>>>");
        tty.line("x = 6 * 7", "42");
        {
            let p = tty.screen.lock().expect("screen lock");
            assert!(p.screen().alternate_screen());
        }
        send(&tty, signal);
        assert_eq!(tty.wait_exit(), 128 + signal as u32, "{name}");
        let text = tty.wait_for(&format!("ended by {name}; session recorded in"));
        {
            let p = tty.screen.lock().expect("screen lock");
            let s = p.screen();
            assert!(
                !s.alternate_screen(),
                "{name}: left the alternate screen\n{text}"
            );
            assert!(!s.bracketed_paste(), "{name}");
            assert!(!s.hide_cursor(), "{name}");
            assert_eq!(s.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
        }
        assert_cooked(&tty);
        let recorded = std::fs::read_to_string(&rec).expect("the recording is kept");
        assert_eq!(recorded, "server> x = 6 * 7\n=> 42\n", "{name}");
    }
}

#[test]
fn the_repl_gives_the_terminal_back_on_each_signal() {
    for (signal, name) in SIGNALS {
        let dir = tempfile::tempdir().expect("temp dir");
        let rec = dir.path().join("rec.sp");
        let mut tty = Tty::start_with(&["repl", "--record", rec.to_str().expect("utf-8")], &[]);
        tty.wait_for("server>>>");
        tty.line("x = 6 * 7", "42");
        // Half a line typed: the line editor is in raw mode now.
        tty.keys(b"y = ");
        tty.wait_for("server>>> y = ");
        send(&tty, signal);
        assert_eq!(tty.wait_exit(), 128 + signal as u32, "{name}");
        tty.wait_for(&format!("ended by {name}; session recorded in"));
        assert_cooked(&tty);
        let recorded = std::fs::read_to_string(&rec).expect("the recording is kept");
        assert_eq!(recorded, "server> x = 6 * 7\n=> 42\n", "{name}");
    }
}

#[test]
fn closing_the_terminal_ends_either_front_end_and_keeps_the_recording() {
    for front in [&[][..], &["repl"][..]] {
        let dir = tempfile::tempdir().expect("temp dir");
        let rec = dir.path().join("rec.sp");
        let mut args = front.to_vec();
        args.extend(["--record", rec.to_str().expect("utf-8")]);
        let mut tty = Tty::start_with(&args, &[]);
        tty.wait_for("server>>>");
        tty.line("x = 6 * 7", "42");
        // The terminal goes away, as when its window is closed: the kernel
        // hangs it up. Writing to it now fails, and sockplay must still exit
        // (it used to stay, reading end-of-file forever at full speed).
        let mut child = tty.hang_up();
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().expect("child status") {
                break status;
            }
            if std::time::Instant::now() > until {
                let _ = child.kill();
                panic!("{front:?}: sockplay stayed after its terminal was closed");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(status.exit_code(), 128 + libc::SIGHUP as u32, "{front:?}");
        let recorded = std::fs::read_to_string(&rec).expect("the recording is kept");
        assert_eq!(recorded, "server> x = 6 * 7\n=> 42\n", "{front:?}");
    }
}
