//! Lessons, stepping and export through the built binary: `sockplay lessons`,
//! `lesson NAME --print` on fresh ports, `export --to python|markdown`, and
//! the one-line errors for bad scripts and paths.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

fn sockplay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .args(args)
        .output()
        .expect("runs")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn lesson_names() -> Vec<String> {
    let out = sockplay(&["lessons"]);
    assert_eq!(out.status.code(), Some(0));
    text(&out.stdout)
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().expect("a name").to_string())
        .collect()
}

#[test]
fn lessons_are_listed_with_a_summary_and_print_on_fresh_ports() {
    let names = lesson_names();
    assert!(names.len() >= 10, "{names:?}");
    assert!(names.contains(&"nonblocking-recv".to_string()));
    let a = text(&sockplay(&["lesson", "reverse", "--print"]).stdout);
    let b = text(&sockplay(&["lesson", "reverse", "--print"]).stdout);
    assert!(a.starts_with("# The reverse server"), "{a}");
    assert!(a.contains("=> b'!dlrow ,olleH'"));
    assert!(!a.contains("47202"), "the port is picked at start: {a}");
    assert_ne!(a, b, "each start picks its own port");
    let out = sockplay(&["lesson", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no lesson called 'nope'"));
}

#[test]
fn a_printed_lesson_checks_even_when_another_program_holds_its_ports() {
    // Hold a few ports in the range lessons pick from; the lesson must avoid them.
    let _held: Vec<TcpListener> = (0..20)
        .filter_map(|i| TcpListener::bind(("127.0.0.1", 20_000 + i * 500)).ok())
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["nonblocking-recv", "udp-boundaries"] {
        for round in 0..2 {
            let out = sockplay(&["lesson", name, "--print"]);
            let path = dir.path().join(format!("{name}-{round}.sp"));
            std::fs::write(&path, &out.stdout).expect("write");
            let run = sockplay(&["run", "--check", path.to_str().expect("utf-8")]);
            assert_eq!(run.status.code(), Some(0), "{name}: {}", text(&run.stderr));
        }
    }
}

fn py_compiles(path: &Path) -> bool {
    Command::new("python3")
        .args(["-m", "py_compile"])
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

fn export(script: &Path, to: &str, dir: &Path) -> Output {
    let path = |p: &Path| p.to_str().expect("utf-8").to_string();
    sockplay(&["export", &path(script), "--to", to, "-o", &path(dir)])
}

#[test]
fn every_lesson_exports_to_python_that_compiles_and_to_markdown() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in lesson_names() {
        let script = dir.path().join(format!("{name}.sp"));
        std::fs::write(&script, sockplay(&["lesson", &name, "--print"]).stdout).expect("write");
        let out_dir = dir.path().join("out");
        let out = export(&script, "python", &out_dir);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let written: Vec<String> = text(&out.stdout).lines().map(String::from).collect();
        assert_eq!(written.len(), 2, "one program per pane: {written:?}");
        for file in &written {
            assert!(py_compiles(Path::new(file)), "{file} does not compile");
        }
        let md = export(&script, "markdown", &out_dir);
        assert_eq!(md.status.code(), Some(0));
        let md_text = std::fs::read_to_string(out_dir.join(format!("{name}.md"))).expect("md");
        assert!(md_text.contains("| step | server | client |"), "{md_text}");
    }
    let client = std::fs::read_to_string(dir.path().join("out/nonblocking-recv-client.py"))
        .expect("client program");
    assert!(client.contains("input('[client] press Enter once server is blocked in step 4: conn, addr = srv.accept() ')"), "{client}");
    assert!(client.contains("except BlockingIOError as e:"), "{client}");
    assert!(client.contains("# => b''"), "{client}");
}

#[test]
fn bad_scripts_and_paths_get_one_line_errors_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p.to_str().expect("utf-8").to_string()
    };
    let unknown = write("pane.sp", b"server> x = 1\nworker> y = 2\n");
    let malformed = write("arrow.sp", b"server> x = 1\n=> b'abc\n");
    let latin1 = write("latin1.sp", b"server> x = 1\nserver> y = '\xe9'\n");
    let cases: Vec<(Vec<&str>, String)> = vec![
        // The interface has two panes; the error comes before it needs a terminal.
        (
            vec![unknown.as_str()],
            format!("{unknown}:2: unknown pane 'worker'"),
        ),
        (
            vec!["run", malformed.as_str()],
            format!("{malformed}:2: malformed '=>' line"),
        ),
        (
            vec![malformed.as_str()],
            format!("{malformed}:2: malformed '=>' line"),
        ),
        (
            vec!["export", malformed.as_str(), "--to", "python"],
            format!("{malformed}:2: malformed"),
        ),
        (
            vec!["run", latin1.as_str()],
            format!("{latin1}:2: not valid UTF-8"),
        ),
        (vec!["missing.sp"], "missing.sp: no such file".to_string()),
        (
            vec!["export", "missing.sp", "--to", "markdown"],
            "missing.sp: no such file".to_string(),
        ),
    ];
    for (args, wanted) in cases {
        let out = sockplay(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(&wanted), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = sockplay(&["lesson", "reverse", "--record", "/proc/nope/rec.sp"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "sockplay: /proc/nope/rec.sp: No such file or directory\n",
        "the file is named, the reason in words"
    );
}
