//! Misuse gets the one-line error CPython gives: `tests/scripts/misuse.sp` is
//! played by the built binary and every error message is compared with the one
//! CPython printed for it (`misuse.cpython.jsonl`, made by pyoracle.py).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn misuse_messages_are_cpythons() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let out = Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .args(["run", "--json"])
        .arg(dir.join("misuse.sp"))
        .output()
        .expect("runs");
    let ours: HashMap<u64, serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON"))
        .map(|e| (e["step"].as_u64().expect("step"), e))
        .collect();
    let cpython =
        std::fs::read_to_string(dir.join("misuse.cpython.jsonl")).expect("CPython transcript");
    let mut errors = 0;
    let mut problems = Vec::new();
    for line in cpython.lines() {
        let want: serde_json::Value = serde_json::from_str(line).expect("JSON");
        if want["status"] != "error" {
            continue;
        }
        errors += 1;
        let step = want["step"].as_u64().expect("step");
        let got = &ours[&step];
        // CPython's str(SyntaxError) adds the reference runner's file name; the REPL line does not.
        let want_message = want["message"]
            .as_str()
            .unwrap_or("")
            .replace(" (<unknown>, line 1)", "");
        let same = got["exception"] == want["exception"]
            && got["errno"] == want["errno"]
            && got["message"].as_str() == Some(want_message.as_str());
        if !same {
            problems.push(format!(
                "step {step} `{}`: CPython {} {want_message:?}, sockplay {} {}",
                want["input"], want["exception"], got["exception"], got["message"]
            ));
        }
    }
    assert!(
        errors >= 30,
        "misuse.sp should hold at least 30 misuses, has {errors}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The pane goes on working: the last step shows the socket, closed.
    let last = ours
        .values()
        .max_by_key(|e| e["step"].as_u64())
        .expect("steps");
    assert_eq!(
        last["repr"],
        "<socket.socket [closed] fd=-1, family=2, type=1, proto=0>"
    );
}

fn sockplay(args: &[&str], stdin: Option<std::fs::File>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sockplay"));
    cmd.args(args);
    if let Some(f) = stdin {
        cmd.stdin(f);
    }
    cmd.output().expect("runs")
}

#[test]
fn endless_or_huge_input_gets_one_line_and_bounded_memory() {
    // A device that never ends, a folder, a line of 2 MB: each one line, exit 2.
    let dir = tempfile::tempdir().expect("temp dir");
    let long = dir.path().join("long.sp");
    std::fs::write(&long, format!("a> x = '{}'\n", "a".repeat(2_000_000))).expect("write");
    for (path, says) in [
        ("/dev/zero", "is not a regular file"),
        (dir.path().to_str().expect("utf-8"), "is a folder"),
        (
            long.to_str().expect("utf-8"),
            "long.sp:1: a line of more than",
        ),
    ] {
        let out = sockplay(&["run", path], None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path}: {err}");
        assert_eq!(err.lines().count(), 1, "{path}: {err}");
        assert!(err.contains(says), "{path}: {err}");
    }
    // Piped into the REPL, an endless line stops the reading with one line.
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let out = sockplay(&["repl"], Some(zero));
    // Piped, the REPL says everything on standard output, in order with the outcomes.
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        said.contains("line 1 is longer than 1048576 bytes"),
        "{said}"
    );
}

#[test]
fn a_byte_order_mark_and_an_empty_step_are_accepted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("bom.sp");
    std::fs::write(&script, "\u{feff}a> x = 1\na>\na> x\n").expect("write");
    let out = sockplay(&["run", script.to_str().expect("utf-8")], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("[1] a >>> x = 1"), "{text}");
    assert!(text.contains("[2] a >>> x\n    1"), "{text}");
}

#[test]
fn a_pane_prompt_alone_does_nothing_in_the_repl() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .arg("repl")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"server>\nserver>   \nx = 2\nx>1\n")
        .expect("write");
    let out = child.wait_with_output().expect("ends");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "= 2\nTrue\n");
}

#[test]
fn script_text_quoted_on_stderr_is_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("esc.sp");
    std::fs::write(&script, "a> x = 1\n\x1b[31mred\x07\n").expect("write");
    let out = sockplay(&["run", script.to_str().expect("utf-8")], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains(r"got '\x1b[31mred\x07'"), "{err}");
    assert!(
        !err.contains('\x1b') && !err.contains('\x07'),
        "nothing raw reaches the terminal"
    );
}
