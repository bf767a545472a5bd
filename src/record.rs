//! Recording a session as a script (SPEC section 4) while it happens: each
//! step's Python form as `PANE> statement`, then its outcome as a `=>` line
//! (`=> blocked` when the next step was sent while it was still running),
//! narration as `#` lines. Every line is written and flushed at once, so a
//! crash loses nothing that had finished.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::outcome::Outcome;
use crate::session::StepInfo;

/// A session's recording: in its file, or in memory when it has none (only
/// then are the lines kept, so a flood of data does not grow memory).
pub struct Recorder {
    file: Option<(PathBuf, File)>,
    /// The lines, for `:save`, when there is no file.
    lines: Vec<String>,
    /// The step whose `=>` line is still to come.
    pending: Option<u64>,
}

/// Why a recording could not be written: the file and the system's reason.
#[derive(Debug)]
pub struct RecordError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: cannot write the recording: {}",
            self.path.display(),
            self.error
        )
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Where a recording goes without `--record`: the user's data directory,
/// `sockplay/sessions/session-YYYYMMDD-HHMMSS.sp` (UTC).
pub fn default_path() -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    let name = format!(
        "session-{y:04}{m:02}{d:02}-{:02}{:02}{:02}.sp",
        t / 3600,
        t / 60 % 60,
        t % 60
    );
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("sockplay")
        .join("sessions")
        .join(name)
}

/// The `=>` line of an outcome. A repr cut at the transcript's cap (SPEC
/// section 6) is no longer a repr a script can state: it is kept as
/// narration, so that the recording still replays and checks.
pub fn expected_line(outcome: &Outcome) -> String {
    let line = match outcome {
        Outcome::Ok(repr) => format!("=> {repr}"),
        Outcome::Error(e) => format!("=> {}", e.display_line()),
    };
    match crate::check::validate(&line[3..]) {
        Ok(()) => line,
        Err(_) => {
            let start: String = line[3..].chars().take(60).collect();
            format!("# outcome not checked: a value too long to state ({start}...)")
        }
    }
}

impl Recorder {
    /// A recording kept in memory only.
    pub fn in_memory() -> Recorder {
        Recorder {
            file: None,
            lines: Vec::new(),
            pending: None,
        }
    }

    /// A recording written to `path` as it goes (its folder is created).
    pub fn to_file(path: &Path) -> Result<Recorder, RecordError> {
        let error = |error| RecordError {
            path: path.to_path_buf(),
            error,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(error)?;
        }
        let file = crate::net::sys::above_low_fds(|| {
            OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .open(path)
        })
        .map_err(error)?;
        Ok(Recorder {
            file: Some((path.to_path_buf(), file)),
            lines: Vec::new(),
            pending: None,
        })
    }

    /// The file being written, if any.
    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(|(p, _)| p.as_path())
    }

    fn write(&mut self, line: String) -> io::Result<()> {
        match &mut self.file {
            Some((_, f)) => writeln!(f, "{line}").and_then(|()| f.flush()),
            None => {
                self.lines.push(line);
                Ok(())
            }
        }
    }

    /// Closes the pending step as blocked: something else happens while it runs.
    fn settle(&mut self) -> io::Result<()> {
        if self.pending.take().is_some() {
            self.write("=> blocked".into())?;
        }
        Ok(())
    }

    /// `:note TEXT`: a narration line. Newlines become separate notes.
    pub fn note(&mut self, text: &str) -> io::Result<()> {
        self.settle()?;
        for line in text.lines() {
            self.write(format!("# {line}"))?;
        }
        Ok(())
    }

    /// A narration line of a script being stepped through, as it is (`# ...`, `#? ...`).
    pub fn narration(&mut self, line: &str) -> io::Result<()> {
        self.settle()?;
        self.write(line.to_string())
    }

    /// A step was sent.
    pub fn sent(&mut self, info: &StepInfo) -> io::Result<()> {
        self.settle()?;
        self.write(format!("{}> {}", info.pane, info.input))?;
        self.pending = Some(info.step);
        Ok(())
    }

    /// A step finished: its `=>` line follows it if nothing came between.
    pub fn finished(&mut self, step: u64, outcome: &Outcome) -> io::Result<()> {
        if self.pending == Some(step) {
            self.pending = None;
            self.write(expected_line(outcome))?;
        }
        Ok(())
    }

    /// `:save FILE`: the session so far.
    pub fn save(&self, path: &Path) -> Result<(), RecordError> {
        let error = |error| RecordError {
            path: path.to_path_buf(),
            error,
        };
        match &self.file {
            Some((recording, _)) => std::fs::copy(recording, path).map(|_| ()).map_err(error),
            None => {
                let mut text = self.lines.join("\n");
                text.push('\n');
                std::fs::write(path, text).map_err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Exception;

    fn info(step: u64, pane: &str, input: &str) -> StepInfo {
        StepInfo {
            step,
            pane: pane.into(),
            input: input.into(),
            typed: None,
        }
    }

    #[test]
    fn steps_outcomes_blocked_and_notes_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("deep/er/rec.sp");
        let mut r = Recorder::to_file(&path).expect("writable");
        r.note("the experiment").expect("write");
        r.sent(&info(1, "server", "conn, addr = s.accept()"))
            .expect("write");
        r.sent(&info(2, "client", "c.recv(1)")).expect("write");
        r.finished(2, &Outcome::Error(Exception::new("KeyboardInterrupt", "")))
            .expect("write");
        r.finished(1, &Outcome::Ok("(1, 2)".into())).expect("write");
        let text = std::fs::read_to_string(&path).expect("written as it goes");
        assert_eq!(
            text,
            "# the experiment\nserver> conn, addr = s.accept()\n=> blocked\nclient> c.recv(1)\n=> KeyboardInterrupt\n"
        );
        let copy = dir.path().join("saved.sp");
        r.save(&copy).expect(":save");
        assert_eq!(std::fs::read_to_string(&copy).expect("saved"), text);
    }

    #[test]
    fn a_cut_repr_is_kept_as_narration_so_the_recording_still_reads() {
        let cut = Outcome::Ok(format!("[{}", "0, ".repeat(30_000)));
        let line = expected_line(&cut);
        assert!(line.starts_with("# outcome not checked"), "{}", &line[..80]);
        assert!(line.len() < 200);
        assert_eq!(expected_line(&Outcome::Ok("[0, 0]".into())), "=> [0, 0]");
        let script = format!("a> x\n{line}\n");
        assert!(crate::script::parse(&script).is_ok());
    }

    #[test]
    fn a_recording_in_a_file_keeps_no_outcomes_in_memory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("flood.sp");
        let mut r = Recorder::to_file(&path).expect("writable");
        let big = Outcome::Ok(format!("b'{}'", "x".repeat(100_000)));
        for step in 1..=50 {
            r.sent(&info(step, "server", "x = conn.recv(200000)"))
                .expect("write");
            r.finished(step, &big).expect("write");
        }
        assert!(r.lines.is_empty(), "the file holds the lines, not memory");
        let text = std::fs::read_to_string(&path).expect("written");
        assert_eq!(text.lines().count(), 100);
        assert!(text.ends_with("xxx'\n"));
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(20_413), (2025, 11, 21));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }

    #[test]
    fn an_unwritable_path_names_the_file() {
        let e = Recorder::to_file(Path::new("/proc/nope/rec.sp"))
            .err()
            .expect("refused");
        assert!(
            e.to_string()
                .starts_with("/proc/nope/rec.sp: cannot write the recording")
        );
    }
}
