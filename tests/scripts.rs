//! Golden scripts: every `tests/scripts/*.sp` is played by the built binary
//! (`sockplay run --json`) on fresh ports, normalized, and compared step by step
//! with its `.expected` file, which CPython made (`compare.py --expected`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;
use sockplay::normalize::normalize_repr;
use sockplay::value::surrogate::{from_code_point, surrogate_of};

/// The ports a script names, found as `shared/oracle/compare.py` finds them.
fn script_ports(text: &str) -> HashSet<u32> {
    let patterns = [
        r",\s*(\d{4,5})\s*[,)]",
        r"\bPORT\s*=\s*(\d{4,5})\b",
        r"(?m)^\s*[\w-]+>\s*(?:bind|connect|connect_ex|sendto)\b.*?\b(\d{4,5})\s*$",
    ];
    let mut ports = HashSet::new();
    for p in patterns {
        for c in Regex::new(p).expect("valid pattern").captures_iter(text) {
            if let Ok(n) = c[1].parse::<u32>()
                && (1024..=65535).contains(&n)
            {
                ports.insert(n);
            }
        }
    }
    ports
}

/// A port free on 127.0.0.1 and ::1 in 20000-29999, not yet taken (as compare.py picks them).
fn free_port(taken: &mut HashSet<u32>) -> u32 {
    let mut candidate = 20000 + (std::process::id() * 7919) % 10000;
    loop {
        candidate = 20000 + (candidate + 37) % 10000;
        if taken.contains(&candidate) {
            continue;
        }
        let v4 = std::net::TcpListener::bind(("127.0.0.1", candidate as u16));
        let v6 = std::net::TcpListener::bind(("::1", candidate as u16));
        let udp = std::net::UdpSocket::bind(("127.0.0.1", candidate as u16));
        if v4.is_ok() && v6.is_ok() && udp.is_ok() {
            taken.insert(candidate);
            return candidate;
        }
    }
}

/// JSON string encoding as Python's json.dumps (ASCII only).
fn json_ascii(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            c if surrogate_of(c).is_some() => {
                out.push_str(&format!("\\u{:04x}", surrogate_of(c).unwrap_or(0)));
            }
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Per step: (blocked first, final outcome line), as compare.py compares.
type Steps = BTreeMap<u64, (bool, String)>;

fn steps_of_expected(text: &str) -> Steps {
    let mut steps = Steps::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.splitn(4, ' ');
        let step: u64 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .expect("step number");
        let _pane = parts.next();
        let status = parts.next().unwrap_or("");
        let rest = parts.next().unwrap_or("");
        let slot = steps.entry(step).or_insert((false, String::new()));
        if status == "blocked" {
            slot.0 = true;
        } else {
            slot.1 = format!("{status} {rest}").trim_end().to_string();
        }
    }
    steps
}

/// A JSON line with its lone-surrogate escapes (`"\ud800"`, as CPython's json
/// and sockplay write a printed surrogate) turned into sockplay's stand-in
/// characters, which a Rust string can hold; `json_ascii` writes them back.
fn with_stand_ins(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            let hex: String = chars[i + 2..(i + 6).min(chars.len())].iter().collect();
            if chars[i + 1] == 'u'
                && let Ok(n) = u32::from_str_radix(&hex, 16)
                && (0xd800..=0xdfff).contains(&n)
                && let Some(c) = from_code_point(n)
            {
                out.push(c);
                i += 6;
                continue;
            }
            out.push(chars[i]);
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn steps_of_transcript(out: &str, ports: &HashSet<u32>) -> Steps {
    let mut steps = Steps::new();
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        let line = with_stand_ins(line);
        let e: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"));
        let step = e["step"].as_u64().expect("step");
        let status = e["status"].as_str().unwrap_or("");
        let slot = steps.entry(step).or_insert((false, String::new()));
        let input = e["input"].as_str().unwrap_or("");
        let value = match status {
            "blocked" => {
                slot.0 = true;
                continue;
            }
            "ok" => {
                let repr = e["repr"].as_str().unwrap_or("");
                if input.trim_end().ends_with(".fileno()") && repr != "-1" {
                    "FD".to_string()
                } else {
                    normalize_repr(repr, ports)
                }
            }
            "error" => format!(
                "{}[{}]",
                e["exception"].as_str().unwrap_or(""),
                e["errno"]
                    .as_i64()
                    .map_or("None".to_string(), |n| n.to_string())
            ),
            other => other.to_string(),
        };
        let mut line = format!("{status} {value}").trim_end().to_string();
        if let Some(stdout) = e["stdout"].as_str() {
            line.push_str(&format!(
                " | stdout={}",
                json_ascii(&normalize_repr(stdout, ports))
            ));
        }
        slot.1 = line;
    }
    steps
}

/// The ports handed out so far, for every script: a port a script left in
/// TIME_WAIT (its server closed first) binds again for the check above
/// (std's listener sets SO_REUSEADDR) but not for the next script's socket.
static TAKEN: std::sync::Mutex<Option<HashSet<u32>>> = std::sync::Mutex::new(None);

fn play(script: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(script).map_err(|e| e.to_string())?;
    let ports = script_ports(&text);
    let mut guard = TAKEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let taken = guard.get_or_insert_with(HashSet::new);
    let mut mapping: HashMap<u32, u32> = HashMap::new();
    let mut sorted: Vec<u32> = ports.iter().copied().collect();
    sorted.sort();
    let mut mapped = text.clone();
    for p in &sorted {
        let fresh = free_port(taken);
        mapping.insert(fresh, *p);
        mapped = Regex::new(&format!(r"\b{p}\b"))
            .expect("valid")
            .replace_all(&mapped, fresh.to_string())
            .into_owned();
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let tmp_paths = Regex::new(r#"(?:['"])(/tmp/[^'"]+)(?:['"])"#).expect("valid");
    let mut path_map = Vec::new();
    for c in tmp_paths.captures_iter(&text) {
        let original = c[1].to_string();
        let fresh = dir
            .path()
            .join(Path::new(&original).file_name().expect("file name"))
            .display()
            .to_string();
        path_map.push((original, fresh));
    }
    for (original, fresh) in &path_map {
        mapped = mapped.replace(original, fresh);
    }
    drop(guard);
    let path = dir.path().join("script.sp");
    std::fs::write(&path, mapped).map_err(|e| e.to_string())?;
    let output = Command::new(env!("CARGO_BIN_EXE_sockplay"))
        .args(["run", "--json"])
        .arg(&path)
        .output()
        .map_err(|e| e.to_string())?;
    let mut out = String::from_utf8_lossy(&output.stdout).into_owned();
    for (original, fresh) in &path_map {
        out = out.replace(fresh, original);
    }
    let back = Regex::new(r"\b(2\d{4})\b").expect("valid");
    let out = back
        .replace_all(&out, |c: &regex::Captures| {
            let n: u32 = c[1].parse().unwrap_or(0);
            mapping.get(&n).map_or(c[1].to_string(), |p| p.to_string())
        })
        .into_owned();
    let want = steps_of_expected(
        &std::fs::read_to_string(script.with_extension("expected")).map_err(|e| e.to_string())?,
    );
    let got = steps_of_transcript(&out, &ports);
    let mut problems = Vec::new();
    for (step, w) in &want {
        match got.get(step) {
            Some(g) if g == w => {}
            g => problems.push(format!("  step {step}: CPython {w:?}, sockplay {g:?}")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}:\n{}", script.display(), problems.join("\n")))
    }
}

#[test]
fn every_script_agrees_with_its_cpython_expected_file() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scripts exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sp"))
        .collect();
    scripts.sort();
    assert!(
        scripts.len() >= 10,
        "expected the golden scripts in {}",
        dir.display()
    );
    // A script whose step races a segment of the peer's kernel (brokenpipe:
    // the second send after the peer's RST) can see it late on a loaded
    // machine, where the loopback's softirq runs after the sending call
    // returned, as CPython would. Such a script is played a second time on
    // fresh ports; two disagreements are a failure.
    let failures: Vec<String> = scripts
        .iter()
        .filter_map(|s| {
            let first = play(s).err()?;
            eprintln!("the first play disagreed, playing again:\n{first}");
            play(s).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
