//! The wire view end to end: `sockplay run --wire` (text and JSON) on the
//! lessons' experiments, as root (CAP_NET_RAW) and as an unprivileged user
//! (the binary moves into a private user and network namespace itself).
//! Each run is in a network namespace of its own, so that other tests'
//! floods on the machine's loopback are not in its capture.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sockplay")
}

fn is_root() -> bool {
    // SAFETY: getuid has no preconditions.
    #[allow(unsafe_code)]
    unsafe {
        libc::getuid() == 0
    }
}

/// A lesson's script on fresh ports, in a directory anyone may read (the
/// unprivileged run reads it too).
fn lesson(name: &str) -> (tempfile::TempDir, PathBuf) {
    let out = Command::new(bin())
        .args(["lesson", name, "--print"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    script(&String::from_utf8_lossy(&out.stdout))
}

fn script(text: &str) -> (tempfile::TempDir, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = dir.path().join("s.sp");
    std::fs::write(&path, text).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    (dir, path)
}

/// `sockplay run --wire ARGS SCRIPT` as root in a network namespace of its
/// own (its loopback up), or as it is when that cannot be made.
fn run_wire(args: &[&str], path: &Path) -> Output {
    let mut line = vec![bin().to_string(), "run".into(), "--wire".into()];
    line.extend(args.iter().map(|a| a.to_string()));
    line.push(path.display().to_string());
    let quoted: Vec<String> = line.iter().map(|a| format!("'{a}'")).collect();
    let isolated = is_root()
        && Command::new("unshare")
            .args(["--net", "--", "true"])
            .status()
            .is_ok_and(|s| s.success());
    if isolated {
        Command::new("unshare")
            .args(["--net", "--", "sh", "-c"])
            .arg(format!("ip link set lo up && exec {}", quoted.join(" ")))
            .output()
            .expect("runs")
    } else {
        Command::new(&line[0])
            .args(&line[1..])
            .output()
            .expect("runs")
    }
}

/// `run --wire --json SCRIPT`: its text and its objects (it must succeed).
fn run_json(path: &Path) -> (String, Vec<serde_json::Value>) {
    let out = run_wire(&["--json"], path);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    let steps = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    (text, steps)
}

/// The lines under each step's first line (`[N] pane >>> ...`), by its statement.
fn blocks(out: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks: Vec<(String, Vec<String>)> = Vec::new();
    for line in out.lines() {
        // A step released meanwhile (`[4] server <<< ...`) is printed inside
        // the block of the step that released it.
        if line.starts_with('[') && line.contains(" >>> ") {
            blocks.push((line.to_string(), Vec::new()));
        } else if line.starts_with('#') {
            continue;
        } else if let Some(b) = blocks.last_mut() {
            b.1.push(line.to_string());
        }
    }
    blocks
}

fn block<'a>(blocks: &'a [(String, Vec<String>)], statement: &str) -> &'a [String] {
    &blocks
        .iter()
        .find(|(head, _)| head.ends_with(statement))
        .unwrap_or_else(|| panic!("no step {statement}"))
        .1
}

fn segments(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .filter_map(|l| l.trim().strip_prefix("~ "))
        .collect()
}

/// The flags of a segment line `#1 client → server SYN seq 0 ...`.
fn flags(segment: &str) -> &str {
    segment.split(' ').nth(4).unwrap_or("")
}

fn number(segment: &str) -> &str {
    segment
        .split(' ')
        .next()
        .unwrap_or("")
        .trim_start_matches('#')
}

/// What acceptance asks of the non-blocking recv experiment.
fn check_nonblocking_recv(out: &Output) {
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = blocks(&text);
    let connect: Vec<&str> = segments(block(&b, "client.connect(('127.0.0.1', PORT))"))
        .into_iter()
        .map(flags)
        .collect();
    assert_eq!(connect, ["SYN", "SYN-ACK", "ACK"], "{text}");
    let under_connect = segments(block(&b, "client.connect(('127.0.0.1', PORT))"));
    assert!(under_connect[0].contains("client → server"), "{text}");
    assert!(under_connect[1].contains("server → client"), "{text}");
    // The released accept sent nothing: the kernel had finished the handshake.
    assert!(segments(block(&b, "srv.accept()")).is_empty(), "{text}");
    let eagain = block(&b, "packet = client.recv(1024)");
    assert!(eagain[0].contains("BlockingIOError"), "{text}");
    assert!(segments(eagain).is_empty(), "{text}");
    let close = segments(block(&b, "conn.close()"));
    let fin = close
        .iter()
        .find(|s| flags(s).starts_with("FIN"))
        .unwrap_or_else(|| panic!("no FIN under close: {text}"));
    assert!(fin.contains("server → client"), "{text}");
    let eof = b
        .iter()
        .filter(|(h, _)| h.ends_with("packet = client.recv(1024)"))
        .nth(1)
        .expect("the second recv");
    assert_eq!(eof.1[0].trim(), "b''", "{text}");
    let why = format!("(a FIN arrived: segment {})", number(fin));
    assert!(eof.1.iter().any(|l| l.contains(&why)), "{why}\n{text}");
}

/// The ports of a fresh-ports script differ each run: blocks are found by
/// their statement with the port replaced.
fn with_port_masked(out: Output) -> Output {
    let re = regex::Regex::new(r"'127\.0\.0\.1', \d+\)\)").expect("regex");
    let text = String::from_utf8_lossy(&out.stdout);
    Output {
        stdout: re
            .replace_all(&text, "'127.0.0.1', PORT))")
            .into_owned()
            .into_bytes(),
        ..out
    }
}

#[test]
fn run_wire_shows_the_handshake_under_connect_nothing_under_eagain_and_the_fin_it_cites() {
    let (_dir, path) = lesson("nonblocking-recv");
    check_nonblocking_recv(&with_port_masked(run_wire(&[], &path)));
}

#[test]
fn the_reset_lesson_shows_an_rst_under_the_close_that_left_data_unread() {
    let (_dir, path) = lesson("reset");
    let out = run_wire(&[], &path);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let b = blocks(&text);
    let close = segments(block(&b, "conn.close()"));
    let rst = close
        .iter()
        .find(|s| flags(s).starts_with("RST"))
        .unwrap_or_else(|| panic!("no RST under close: {text}"));
    assert!(!close.iter().any(|s| flags(s).starts_with("FIN")), "{text}");
    let reset = block(&b, "c.recv(100)");
    assert!(reset[0].contains("ConnectionResetError"), "{text}");
    let why = format!("(an RST arrived: segment {})", number(rst));
    assert!(reset.iter().any(|l| l.contains(&why)), "{why}\n{text}");
    // The 11 bytes went out as one segment with their first bytes shown.
    let send = segments(block(&b, "c.send(b'unread data')"));
    assert!(
        send.iter().any(|s| s.contains("len 11 b'unread data'")),
        "{text}"
    );
}

#[test]
fn json_wire_gives_each_step_a_list_of_segments() {
    let (_dir, path) = lesson("nonblocking-recv");
    let (text, steps) = run_json(&path);
    let finished: Vec<&serde_json::Value> =
        steps.iter().filter(|s| s["status"] != "blocked").collect();
    assert!(finished.iter().all(|s| s["wire"].is_array()), "{text}");
    let connect = finished
        .iter()
        .find(|s| s["input"].as_str().is_some_and(|i| i.contains("connect")))
        .expect("connect");
    let wire = connect["wire"].as_array().expect("list");
    let flags: Vec<&str> = wire.iter().filter_map(|s| s["flags"].as_str()).collect();
    assert_eq!(flags, ["SYN", "SYN-ACK", "ACK"], "{text}");
    let syn = &wire[0];
    assert_eq!(syn["from"], "client");
    assert_eq!(syn["to"], "server");
    assert_eq!(syn["proto"], "tcp");
    assert_eq!(syn["seq"], 0);
    assert_eq!(syn["n"], 1);
    assert_eq!(syn["len"], 0);
    assert_eq!(syn["late"], false);
    assert_eq!(wire[1]["ack"], 1);
}

#[test]
fn a_flood_is_summarised_under_its_step() {
    let port = common::free_port();
    let (_dir, path) = script(&format!(
        "server> s = socket.create_server(('127.0.0.1', {port}))\n\
         client> c = socket.create_connection(('127.0.0.1', {port}))\n\
         server> conn, addr = s.accept()\n\
         server> n = 0\n\
         server> while n < 20_000_000:\n\
         ...     n += len(conn.recv(1 << 20))\n\
         client> c.sendall(bytes(20_000_000))\n\
         server> n\n"
    ));
    let (text, steps) = run_json(&path);
    let lists: Vec<&Vec<serde_json::Value>> =
        steps.iter().filter_map(|s| s["wire"].as_array()).collect();
    // Each step's list is bounded (the first 8, the last 4, one line per
    // direction and kind between); the summaries count what they stand for.
    assert!(lists.iter().all(|l| l.len() <= 24), "{text}");
    let segments: u64 = lists
        .iter()
        .flat_map(|l| l.iter())
        .map(|s| s["count"].as_u64().unwrap_or(0))
        .sum();
    assert!(segments > 100, "{segments} segments: {text}");
    assert!(
        lists
            .iter()
            .flat_map(|l| l.iter())
            .any(|s| s["count"].as_u64() > Some(1)),
        "no summary: {text}"
    );
    // Every byte went out (some perhaps twice: a busy loopback drops and
    // TCP sends again).
    let bytes: u64 = lists
        .iter()
        .flat_map(|l| l.iter())
        .filter(|s| s["from"] == "client")
        .map(|s| s["len"].as_u64().unwrap_or(0))
        .sum();
    assert!(bytes >= 20_000_000, "{bytes} bytes: {text}");
    assert!(text.contains(r#""repr":"20000000""#), "{text}");
}

#[test]
fn an_unprivileged_user_gets_the_wire_through_a_private_namespace() {
    if !is_root() {
        // Not root: this run is the unprivileged one.
        let (_dir, path) = lesson("nonblocking-recv");
        let out = Command::new(bin())
            .args(["run", "--wire"])
            .arg(&path)
            .output()
            .expect("runs");
        check_nonblocking_recv(&with_port_masked(out));
        return;
    }
    // As root: drop to nobody, without capabilities.
    let refused = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "unshare",
            "--user",
            "--net",
            "true",
        ])
        .status()
        .map_or(true, |s| !s.success());
    if refused {
        eprintln!(
            "skipped: this kernel refuses unprivileged user namespaces (or setpriv is missing)"
        );
        return;
    }
    let (_dir, path) = lesson("nonblocking-recv");
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin())
        .args(["run", "--wire"])
        .arg(&path)
        .output()
        .expect("runs");
    check_nonblocking_recv(&with_port_masked(out));
}

/// The text of pane `index` (0: left) on a screen, its rows joined by spaces
/// (words a narrow pane wrapped read whole again).
fn pane_text(screen: &str, index: usize) -> String {
    let rows: Vec<&str> = screen
        .lines()
        .filter_map(|l| {
            l.split(['┃', '│'])
                .filter(|part| !part.is_empty())
                .nth(index)
        })
        .collect();
    rows.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_interface_draws_the_wire_lane_and_its_why_cites_the_fin() {
    use common::Tty;
    let port = common::free_port();
    // As root, in a network namespace of its own (its loopback up).
    let isolated = is_root()
        && Command::new("unshare")
            .args(["--net", "--", "true"])
            .status()
            .is_ok_and(|s| s.success());
    let wrapped = format!("ip link set lo up && exec '{}' --wire", bin());
    let mut tty = if isolated {
        Tty::start_program("unshare", &["--net", "--", "sh", "-c", &wrapped], &[])
    } else {
        Tty::start_with(&["--wire"], &[])
    };
    tty.wait_for("server>>>");
    tty.wait_for("nothing on the wire yet");
    tty.line(
        &format!("server> srv = socket.create_server(('127.0.0.1', {port}))"),
        "LISTEN",
    );
    tty.line("server> conn, addr = srv.accept()", "blocked in accept()");
    tty.line(
        "client> client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "client [client]>>>",
    );
    let screen = tty.line(
        &format!("client> client.connect(('127.0.0.1', {port}))"),
        "ACK seq 1 ack 1",
    );
    // Arrows in the direction of travel, the left pane (server) on the left.
    assert!(
        screen.contains("#1 server ◀") && screen.contains(" SYN seq 0 "),
        "{screen}"
    );
    assert!(
        screen.contains(" SYN-ACK seq 0 ack 1 ") && screen.contains("▶ client"),
        "{screen}"
    );
    tty.line("client> client.setblocking(False)", "non-blocking");
    let screen = tty.line("client> packet = client.recv(1024)", "BlockingIOError");
    let lane = &screen[screen.find(" wire: ").expect("the lane")..];
    let eagain = &lane[lane.rfind("packet = client.recv(1024)").expect("the step")..];
    assert!(eagain.contains("nothing on the wire"), "{screen}");
    tty.line("server> conn.close()", "FIN-ACK");
    let screen = tty.line("client> packet = client.recv(1024)", "b''");
    let screen = if pane_text(&screen, 1).contains("arrived: segment") {
        screen
    } else {
        tty.wait_for("arrived: segment")
    };
    let client = pane_text(&screen, 1);
    assert!(
        client.contains("why: b'' means end of stream")
            && client.contains("(a FIN arrived: segment 4)"),
        "{client}"
    );
    // F3 hides the lane; the footer says so.
    tty.keys(b"\x1bOR");
    let screen = tty.wait_for("wire view off");
    assert!(!screen.contains(" wire: segments"), "{screen}");
    tty.keys(b"\x11");
    assert_eq!(tty.wait_exit(), 0);
}

#[test]
fn without_the_privilege_or_a_namespace_one_line_says_what_to_do() {
    // A user namespace where sockplay is root but owns no network namespace
    // (no CAP_NET_RAW over the loopback) and may make no namespace either.
    let (_dir, path) = lesson("nonblocking-recv");
    let inner = format!(
        "echo 0 > /proc/sys/user/max_user_namespaces && exec '{}' run --wire '{}'",
        bin(),
        path.display()
    );
    let Ok(out) = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c", &inner])
        .output()
    else {
        eprintln!("skipped: unshare is missing");
        return;
    };
    let err = String::from_utf8_lossy(&out.stderr);
    if !err.contains("sockplay") {
        eprintln!("skipped: this kernel refuses user namespaces ({err})");
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("needs CAP_NET_RAW") && err.contains("sudo setcap cap_net_raw+ep"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing ran");
}

#[test]
fn a_refused_connect_shows_its_syn_answered_by_an_rst_and_cites_it() {
    let port = common::free_port();
    let (_dir, path) = script(&format!(
        "client> c = socket.socket()\nclient> c.connect(('127.0.0.1', {port}))\n"
    ));
    let out = run_wire(&[], &path);
    let text = String::from_utf8_lossy(&out.stdout);
    let b = blocks(&text);
    let connect = block(&b, &format!("c.connect(('127.0.0.1', {port}))"));
    assert!(connect[0].contains("ConnectionRefusedError"), "{text}");
    let sent = segments(connect);
    assert_eq!(sent.len(), 2, "{text}");
    // Nothing listens there: the other end is an address, not a pane.
    assert!(
        sent[0].contains(&format!("client → 127.0.0.1:{port} SYN")),
        "{text}"
    );
    assert!(flags(sent[1]).starts_with("RST"), "{text}");
    let why = format!("(an RST arrived: segment {})", number(sent[1]));
    assert!(connect.iter().any(|l| l.contains(&why)), "{why}\n{text}");
}

#[test]
fn the_repl_prints_and_records_each_steps_segments() {
    let port = common::free_port();
    let (dir, input) = script(&format!(
        "s = socket.create_server(('127.0.0.1', {port}))\n\
         client> c = socket.create_connection(('127.0.0.1', {port}))\n\
         conn, addr = s.accept()\n\
         conn.close()\n\
         client> c.recv(10)\n"
    ));
    let record = dir.path().join("rec.sp");
    let mut line = [
        bin().to_string(),
        "repl".into(),
        "--wire".into(),
        "--record".into(),
        record.display().to_string(),
    ];
    let isolated = is_root()
        && Command::new("unshare")
            .args(["--net", "--", "true"])
            .status()
            .is_ok_and(|s| s.success());
    let stdin = std::fs::File::open(&input).expect("input");
    let out = if isolated {
        line.iter_mut().for_each(|a| *a = format!("'{a}'"));
        Command::new("unshare")
            .args(["--net", "--", "sh", "-c"])
            .arg(format!("ip link set lo up && exec {}", line.join(" ")))
            .stdin(stdin)
            .output()
    } else {
        Command::new(&line[0])
            .args(&line[1..])
            .stdin(stdin)
            .output()
    }
    .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let syn = text
        .find("~ #1 client → server SYN seq 0")
        .expect("the SYN");
    let fin = text.find("~ #4 server → client FIN-ACK").expect("the FIN");
    assert!(syn < fin, "{text}");
    assert!(text.contains("(a FIN arrived: segment 4)"), "{text}");
    let recorded = std::fs::read_to_string(&record).expect("recorded");
    assert!(
        recorded.contains("=> None\n#~ #4 server → client FIN-ACK"),
        "{recorded}"
    );
}
