//! `sockplay run` end to end through the built binary: the readable transcript,
//! `--check`, `--step-timeout`, and the exit statuses of SPEC section 5.

use std::net::TcpListener;
use std::process::{Command, Output};

fn sockplay(args: &[&str], script: &str) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s.sp");
    std::fs::write(&path, script).expect("write script");
    Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .args(args)
        .arg(&path)
        .output()
        .expect("runs")
}

fn port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn the_readable_transcript_shows_steps_blocks_and_releases() {
    let p = port();
    let script = format!(
        "# narration\nserver> s = socket.create_server(('127.0.0.1', {p}))\nserver> conn, addr = s.accept()\nclient> c = socket.create_connection(('127.0.0.1', {p}))\nclient> c.setblocking(False)\nclient> c.recv(10)\nserver> print('hi\\x1b[2J')\n"
    );
    let out = sockplay(&["run"], &script);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("# narration"));
    assert!(
        stdout.contains("[2] server >>> conn, addr = s.accept()\n    ... blocked in accept()"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[2] server <<< conn, addr = s.accept()    (released after step 3"),
        "{stdout}"
    );
    assert!(stdout.contains("BlockingIOError: [Errno 11] Resource temporarily unavailable"));
    // What a step prints is shown with control characters escaped.
    assert!(stdout.contains("    | hi\\x1b[2J"), "{stdout}");
    assert!(!stdout.contains('\x1b'));
}

#[test]
fn short_forms_show_their_expansion() {
    let p = port();
    let out = sockplay(
        &["run"],
        &format!("server> socket\nserver> bind {p}\nserver> listen\nclient> recv\n"),
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("[1] server >>> socket\n    = server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)"), "{stdout}");
    assert!(stdout.contains(&format!("    = server.bind(('127.0.0.1', {p}))")));
    assert!(
        stdout.contains("client >>> recv\n    refused: recv: this pane has no current socket"),
        "{stdout}"
    );
    let json = text(&sockplay(&["run", "--json"], "a> socket\n").stdout);
    assert!(json.contains(r#""input":"a = socket.socket(socket.AF_INET, socket.SOCK_STREAM)","typed":"socket","status":"ok""#), "{json}");
}

#[test]
fn check_passes_and_fails_on_expected_lines() {
    let p = port();
    let good = format!(
        "a> s = socket.socket()\n=> <socket.socket fd=9, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)>\na> s.connect(('127.0.0.1', {p}))\n=> ConnectionRefusedError: [Errno 111]\na> s.send('x')\n=> TypeError\na> s.fileno()\n=> 3\n"
    );
    let out = sockplay(&["run", "--check"], &good);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("check: 4/4 outcomes as expected"));
    let bad = "a> b'x' * 2\n=> b'xxx'\n";
    let out = sockplay(&["run", "--check"], bad);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("s.sp:2: step `a> b'x' * 2`: expected b'xxx', got b'xx'"),
        "{err}"
    );
    // The transcript shows the mismatch under its step, where it happened.
    assert_eq!(
        text(&out.stdout),
        "[1] a >>> b'x' * 2\n    b'xx'\n    ✗ the script expects (line 2): b'xxx'\n"
    );
}

#[test]
fn a_pane_that_stays_blocked_stops_the_run_with_status_1() {
    let p = port();
    let script = format!("a> s = socket.create_server(('127.0.0.1', {p}))\na> s.accept()\na> 1\n");
    let out = sockplay(&["run", "--json", "--step-timeout", "0.5"], &script);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(r#""status":"blocked""#));
    assert!(
        stdout.contains(
            r#""status":"refused","message":"pane 'a' is still blocked in step 2 (accept())""#
        ),
        "{stdout}"
    );
}

#[test]
fn unreadable_scripts_and_arguments_exit_2_naming_file_and_line() {
    let out = sockplay(&["run"], "a> x = 1\nthis is not a step\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("s.sp:2: expected 'PANE> statement', got 'this is not a step'"),
        "{}",
        text(&out.stderr)
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("latin1.sp");
    std::fs::write(&path, b"a> x = 1\na> y = '\xe9'\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .arg("run")
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("latin1.sp:2: not valid UTF-8"),
        "{}",
        text(&out.stderr)
    );

    let out = Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .args(["run", "/no/such/file.sp"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/no/such/file.sp: no such file"));

    let out = sockplay(&["run", "--settle", "soon"], "a> 1\n");
    assert_eq!(out.status.code(), Some(2));
    let out = sockplay(&["run", "--step-timeout", "-1"], "a> 1\n");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_error_outcome_is_not_a_failure_of_the_run() {
    let out = sockplay(&["run"], "a> 1 / 0\na> nosuch\n");
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("ZeroDivisionError: division by zero"));
    assert!(stdout.contains("NameError: name 'nosuch' is not defined"));
}

#[test]
fn the_interface_without_a_terminal_says_what_to_use_instead() {
    let out = Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("needs a terminal")
            && err.contains("sockplay run")
            && err.contains("sockplay repl"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn a_mistyped_command_gets_did_you_mean_and_a_missing_script_does_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["lesons"], "");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "sockplay: 'lesons' is neither a script nor a command; did you mean `sockplay lessons`?\n"
    );
    let out = run_in(dir.path(), &["repll"], "");
    assert!(text(&out.stderr).contains("did you mean `sockplay repl`?"));
    // A name that is no command's, or a path, is a script that is missing.
    let out = run_in(dir.path(), &["echo.sp"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !text(&out.stderr).contains("did you mean"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn completions_and_a_manual_page_come_from_the_command_line_definitions() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (shell, marker) in [
        ("bash", "_sockplay()"),
        ("zsh", "#compdef sockplay"),
        ("fish", "complete -c sockplay"),
    ] {
        let out = run_in(dir.path(), &["completions", shell], "");
        assert!(out.status.success(), "{shell}");
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("lessons") && script.contains("export"),
            "{shell}"
        );
    }
    let man = run_in(dir.path(), &["manpage"], "");
    assert!(man.status.success());
    let page = text(&man.stdout);
    assert!(page.contains(".TH sockplay 1"), "{page}");
    assert!(page.contains("socket playground"), "{page}");
    // A reader that stops early is no error (and nothing panics).
    let mut child = Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(0));
}

fn run_in(dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .current_dir(dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("ends")
}

#[test]
fn files_are_refused_rather_than_written_over() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("mine.sp"), "server> x = 1\n").expect("write");
    // Stepping a script and recording over it: refused, even with --force.
    for args in [
        &["mine.sp", "--record", "mine.sp"][..],
        &["mine.sp", "--record", "./mine.sp", "--force"][..],
    ] {
        let out = run_in(d, args, "");
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("mine.sp: is the script being stepped through"),
            "{}",
            text(&out.stderr)
        );
    }
    // --record over an existing file: refused, one line naming it.
    let out = run_in(d, &["repl", "--record", "mine.sp"], "x = 2\n");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("mine.sp: already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("mine.sp")).expect("kept"),
        "server> x = 1\n"
    );
    // With --force it is written.
    let out = run_in(d, &["repl", "--record", "mine.sp", "--force"], "x = 2\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        std::fs::read_to_string(d.join("mine.sp"))
            .expect("read")
            .contains("x = 2")
    );
    // export refuses to overwrite without --force, and writes nothing then.
    let out = run_in(d, &["export", "mine.sp", "--to", "markdown"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    std::fs::write(d.join("mine.md"), "my notes\n").expect("write");
    let out = run_in(d, &["export", "mine.sp", "--to", "markdown"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("mine.md: already exists"));
    assert_eq!(
        std::fs::read_to_string(d.join("mine.md")).expect("kept"),
        "my notes\n"
    );
    let out = run_in(d, &["export", "mine.sp", "--to", "markdown", "--force"], "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_full_disk_is_reported_once_and_the_exit_status_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(
        dir.path(),
        &["repl", "--record", "/dev/full"],
        "x = 1\ny = 2\nz = 3\n",
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.matches("/dev/full: the recording stopped: No space left on device")
            .count(),
        1,
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn a_socket_closed_by_rebinding_is_named_on_screen_and_in_the_recording() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = port();
    let steps = format!(
        "server> server = socket.create_server(('127.0.0.1', {p}))\nserver> server = socket.socket()\nserver> server.close()\nserver> server = 1\n"
    );
    let out = run_in(dir.path(), &["repl", "--record", "rec.sp"], &steps);
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("# closed server (fd 3): no name refers to it any more"),
        "{said}"
    );
    // A socket already closed by the user closes silently.
    assert_eq!(said.matches("# closed").count(), 1, "{said}");
    let recorded = std::fs::read_to_string(dir.path().join("rec.sp")).expect("recorded");
    assert!(recorded.ends_with('\n'), "every line ends with a newline");
    let lines: Vec<&str> = recorded.lines().collect();
    assert!(lines[4].starts_with("# closed server (fd 3)"), "{recorded}");
    // The narration does not stop the recording from replaying.
    let out = run_in(
        dir.path(),
        &["run", "--check", "--fresh-ports", "rec.sp"],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn released_outcomes_printed_text_and_interrupts_replay_and_check() {
    let p = port();
    let script = format!(
        "server> srv = socket.create_server(('127.0.0.1', {p}))
server> conn, addr = srv.accept()
=> blocked
client> c = socket.create_connection(('127.0.0.1', {p}))
server => (<socket.socket fd=4, family=2, type=1, proto=0, laddr=('127.0.0.1', {p}), raddr=('127.0.0.1', 40312)>, ('127.0.0.1', 40312))
server> print('got', addr[0])
=> None
| got 127.0.0.1
client> c.recv(10)
=> KeyboardInterrupt
server> conn.recv(10)
=> blocked
client> c.setblocking(False)
=> None
server => KeyboardInterrupt
client> print('a',
...       'b')
=> None
| a b
"
    );
    let out = sockplay(&["run", "--check"], &script);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}\n{}", text(&out.stdout));
    assert!(err.contains("check: 8/8 outcomes as expected"), "{err}");
    // The transcript shows the interrupts where the recording had them.
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches("KeyboardInterrupt").count(), 2, "{stdout}");
    // Printed text that differs fails the check, naming what was printed.
    let wrong = script.replace("| got 127.0.0.1", "| got nothing");
    let out = sockplay(&["run", "--check"], &wrong);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("printing \"got 127.0.0.1\""), "{err}");
}

#[test]
fn export_refuses_a_statement_the_playground_refuses_naming_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("evil.sp"),
        "server> x = 1\nserver> __import__('os').system('true')\n",
    )
    .expect("write");
    let out = run_in(dir.path(), &["export", "evil.sp", "--to", "python"], "");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("evil.sp:2: `__import__('os').system('true')`"),
        "{err}"
    );
    assert!(
        !dir.path().join("evil-server.py").exists(),
        "nothing was written"
    );
}

#[test]
fn a_blocked_loop_shows_what_it_prints_as_it_prints_it() {
    let p = port();
    let script = format!(
        "server> srv = socket.create_server(('127.0.0.1', {p}))\nclient> c = socket.create_connection(('127.0.0.1', {p}))\nserver> conn, addr = srv.accept()\nserver> while True:\n...     data = conn.recv(10)\n...     if not data:\n...         break\n...     print('got', data)\nclient> c.send(b'one')\nclient> c.close()\n"
    );
    let out = sockplay(&["run"], &script);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let live = stdout
        .find("[4] server | got b'one'")
        .unwrap_or_else(|| panic!("the loop's print shows while it runs: {stdout}"));
    let close = stdout.find("client >>> c.close()").expect("the close step");
    assert!(live < close, "printed before the next step: {stdout}");
    // Shown once: not again when the loop ends.
    assert_eq!(stdout.matches("got b'one'").count(), 1, "{stdout}");
}
