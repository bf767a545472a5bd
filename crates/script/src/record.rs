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
    /// Lines of steps that finished while `pending` still ran (another
    /// pane's released outcome): they follow its `=>` line, which must come
    /// right under its statement.
    held: Vec<String>,
    /// Files `:save` must never write over (the script being stepped).
    protected: Vec<PathBuf>,
    /// The first write that failed: reported once, and the exit status says so.
    failed: Option<String>,
}

/// How a recording's file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// A new file; an existing regular file is refused (`--force` not given).
    New,
    /// Writes over an existing file (`--force`).
    Force,
    /// The default file in the user's data directory: its folders are created.
    Default,
}

/// Why a recording could not be written: the file (escaped: it may hold
/// control characters) and the reason, in words.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", crate::display::escape(&path.display().to_string()))]
pub struct RecordError {
    pub path: PathBuf,
    pub reason: String,
}

impl RecordError {
    fn io(path: &Path, error: &io::Error) -> RecordError {
        RecordError {
            path: path.to_path_buf(),
            reason: say(error),
        }
    }
}

/// An I/O error as words, without Rust's `(os error N)`.
pub fn say(error: &io::Error) -> String {
    match error.raw_os_error() {
        Some(n) => crate::outcome::errno::strerror(n),
        None => error.to_string(),
    }
}

/// Whether two paths name the same file (through links and relative paths).
pub fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Refuses to write over an existing regular file unless `force`.
pub fn refuse_existing(path: &Path, force: bool) -> Result<(), RecordError> {
    if !force && std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Err(RecordError {
            path: path.to_path_buf(),
            reason: "already exists; nothing was written (use --force to write over it)".into(),
        });
    }
    Ok(())
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
            held: Vec::new(),
            protected: Vec::new(),
            failed: None,
        }
    }

    /// A recording written to `path` as it goes. An existing regular file is
    /// refused unless `how` is `Force`; folders are created only for `Default`.
    pub fn to_file(path: &Path, how: Open) -> Result<Recorder, RecordError> {
        let error = |e: io::Error| RecordError::io(path, &e);
        if how == Open::Default {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(error)?;
            }
            return Self::to_new_default(path);
        }
        refuse_existing(path, how == Open::Force)?;
        let file = crate::net::sys::above_low_fds(|| {
            let mut options = OpenOptions::new();
            options.write(true).create(true);
            // Devices and pipes are written as they are; a regular file from its start.
            if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
                options.truncate(true);
            }
            options.open(path)
        })
        .map_err(error)?;
        Ok(Recorder {
            file: Some((path.to_path_buf(), file)),
            lines: Vec::new(),
            pending: None,
            held: Vec::new(),
            protected: Vec::new(),
            failed: None,
        })
    }

    /// The default file, or `NAME-2.sp`, `NAME-3.sp`... when sessions started
    /// in the same second: an earlier session's recording is never truncated.
    fn to_new_default(path: &Path) -> Result<Recorder, RecordError> {
        let stem = path
            .file_stem()
            .map_or_else(|| "session".into(), |s| s.to_string_lossy().into_owned());
        let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
        for n in 1..1000 {
            let candidate = if n == 1 {
                path.to_path_buf()
            } else {
                path.with_file_name(format!("{stem}-{n}.sp"))
            };
            let opened = crate::net::sys::above_low_fds(|| {
                OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&candidate)
            });
            match opened {
                Ok(file) => {
                    return Ok(Recorder {
                        file: Some((candidate, file)),
                        lines: Vec::new(),
                        pending: None,
                        held: Vec::new(),
                        protected: Vec::new(),
                        failed: None,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
                Err(e) => return Err(RecordError::io(&candidate, &e)),
            }
        }
        Err(RecordError::io(path, &last))
    }

    /// Files `:save` must never write over, such as the script being stepped.
    pub fn protect(&mut self, path: &Path) {
        self.protected.push(path.to_path_buf());
    }

    /// The first write error, once the recording has failed.
    pub fn failed(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// The file being written, if any.
    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(|(p, _)| p.as_path())
    }

    /// Writes one line. The first failure is returned (naming the file) and
    /// remembered; after it the recording stops, so the error shows once.
    fn write(&mut self, line: String) -> io::Result<()> {
        if self.failed.is_some() {
            return Ok(());
        }
        match &mut self.file {
            Some((path, f)) => writeln!(f, "{line}").and_then(|()| f.flush()).map_err(|e| {
                let message = format!("{}: the recording stopped: {}", path.display(), say(&e));
                self.failed = Some(message.clone());
                io::Error::other(message)
            }),
            None => {
                self.lines.push(line);
                Ok(())
            }
        }
    }

    /// Closes the pending step as blocked: something else happens while it
    /// runs. What was held for after its `=>` line follows.
    fn settle(&mut self) -> io::Result<()> {
        if self.pending.take().is_some() {
            self.write("=> blocked".into())?;
        }
        self.write_held()
    }

    fn write_held(&mut self) -> io::Result<()> {
        for line in std::mem::take(&mut self.held) {
            self.write(line)?;
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

    /// A step was sent. A statement of several lines goes on in `...` lines (SPEC 4).
    pub fn sent(&mut self, info: &StepInfo) -> io::Result<()> {
        self.settle()?;
        let mut lines = info.input.lines();
        self.write(format!("{}> {}", info.pane, lines.next().unwrap_or("")))?;
        for more in lines {
            self.write(format!("... {more}"))?;
        }
        self.pending = Some(info.step);
        Ok(())
    }

    /// A step finished (SPEC 4.1): its `=>` line follows it if nothing came
    /// between, else a `PANE => ...` line where it finished; then what it
    /// printed as `| text` lines; the sockets it closed as narration.
    pub fn finished(
        &mut self,
        step: u64,
        pane: &str,
        outcome: &Outcome,
        stdout: &str,
        closed: &[String],
    ) -> io::Result<()> {
        let line = expected_line(outcome);
        let mut lines = Vec::new();
        let own = self.pending == Some(step);
        if own {
            lines.push(line);
        } else {
            lines.push(match line.strip_prefix("=> ") {
                Some(expected) => format!("{pane} => {expected}"),
                None => line,
            });
        }
        lines.extend(
            stdout
                .lines()
                .map(|printed| format!("| {}", crate::display::escape_controls(printed))),
        );
        lines.extend(
            closed
                .iter()
                .map(|note| format!("# {}", crate::display::escape(note))),
        );
        if own {
            self.pending = None;
            for l in lines {
                self.write(l)?;
            }
            return self.write_held();
        }
        self.write_or_hold(lines)
    }

    /// Lines that follow a step's: held while another step runs whose `=>`
    /// line is still to come (they go after it), else written.
    fn write_or_hold(&mut self, lines: impl IntoIterator<Item = String>) -> io::Result<()> {
        if self.pending.is_some() {
            self.held.extend(lines);
            return Ok(());
        }
        for l in lines {
            self.write(l)?;
        }
        Ok(())
    }

    /// Segments the wire view showed (`#~ #1 client → server SYN ...`), after
    /// the lines of the step they belong to; narration to CPython's runner
    /// (docs/wire.md). Held, as a finished step's lines are, while another
    /// step's `=>` line is still to come.
    pub fn wire(&mut self, segments: &[crate::net::wire::Segment]) -> io::Result<()> {
        self.write_or_hold(
            segments
                .iter()
                .map(|s| format!("#~ {}", crate::display::escape(&s.line()))),
        )
    }

    /// `:save FILE` (`force`: `:save! FILE`): the session so far. Never over
    /// the recording in progress or a protected file; over any other
    /// existing file only when forced.
    pub fn save(&self, path: &Path, force: bool) -> Result<(), RecordError> {
        let error = |e: io::Error| RecordError::io(path, &e);
        let refuse = |reason: &str| RecordError {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        };
        if let Some((recording, _)) = &self.file
            && same_file(recording, path)
        {
            return Err(refuse(
                "is the recording in progress; nothing was written (choose another file)",
            ));
        }
        if self.protected.iter().any(|p| same_file(p, path)) {
            return Err(refuse(
                "is the script being stepped through; nothing was written (choose another file)",
            ));
        }
        if !force && std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return Err(refuse(
                "already exists; nothing was written (:save! FILE writes over it)",
            ));
        }
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
        let mut r = Recorder::to_file(&path, Open::Default).expect("writable");
        // A second session in the same second gets a file of its own.
        let second = Recorder::to_file(&path, Open::Default).expect("writable");
        assert_eq!(
            second.path(),
            Some(dir.path().join("deep/er/rec-2.sp").as_path())
        );
        r.note("the experiment").expect("write");
        r.sent(&info(1, "server", "conn, addr = s.accept()"))
            .expect("write");
        r.sent(&info(2, "client", "c.recv(1)")).expect("write");
        r.finished(
            2,
            "client",
            &Outcome::Error(Exception::new("KeyboardInterrupt", "")),
            "",
            &[],
        )
        .expect("write");
        r.finished(1, "server", &Outcome::Ok("(1, 2)".into()), "hi\n", &[])
            .expect("write");
        r.sent(&info(3, "server", "print('a',\n      'b')"))
            .expect("write");
        r.finished(3, "server", &Outcome::Ok("None".into()), "a b\n", &[])
            .expect("write");
        let text = std::fs::read_to_string(&path).expect("written as it goes");
        assert_eq!(
            text,
            "# the experiment\nserver> conn, addr = s.accept()\n=> blocked\nclient> c.recv(1)\n=> KeyboardInterrupt\nserver => (1, 2)\n| hi\nserver> print('a',\n...       'b')\n=> None\n| a b\n"
        );
        assert!(
            crate::script::parse(&text).is_ok(),
            "the recording is a script"
        );
        let copy = dir.path().join("saved.sp");
        r.save(&copy, false).expect(":save");
        assert_eq!(std::fs::read_to_string(&copy).expect("saved"), text);
    }

    #[test]
    fn a_released_outcome_and_segments_follow_the_line_of_the_step_that_ran() {
        use crate::net::wire::{Numbering, Packet, SYN};
        let syn = Numbering::default().segment(Packet::tcp(40000, 5000, SYN, 7, 0, 0), false);
        let mut r = Recorder::in_memory();
        r.sent(&info(1, "server", "conn, addr = srv.accept()"))
            .expect("write");
        r.sent(&info(2, "client", "c.connect(a)")).expect("write");
        // The accept's segments come while the connect's `=>` is to come.
        r.finished(1, "server", &Outcome::Ok("(1, 2)".into()), "", &[])
            .expect("write");
        r.wire(std::slice::from_ref(&syn)).expect("write");
        r.finished(2, "client", &Outcome::Ok("None".into()), "", &[])
            .expect("write");
        assert_eq!(
            r.lines,
            vec![
                "server> conn, addr = srv.accept()",
                "=> blocked",
                "client> c.connect(a)",
                "=> None",
                "server => (1, 2)",
                "#~ #1 127.0.0.1:40000 → 127.0.0.1:5000 SYN seq 0 win 65495",
            ]
        );
        let script = crate::script::parse(&r.lines.join("\n")).expect("a script");
        assert_eq!(
            script.steps[1].wire,
            vec!["#1 127.0.0.1:40000 → 127.0.0.1:5000 SYN seq 0 win 65495"]
        );
        assert!(script.steps[1].before.is_empty() && script.after.is_empty());
    }

    #[test]
    fn files_are_never_lost() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mine = dir.path().join("mine.sp");
        std::fs::write(&mine, "a> x = 1\n").expect("write");
        // --record refuses an existing file, and leaves it as it was.
        let e = Recorder::to_file(&mine, Open::New).err().expect("refused");
        assert!(e.to_string().contains("mine.sp: already exists"), "{e}");
        assert_eq!(std::fs::read_to_string(&mine).expect("kept"), "a> x = 1\n");
        // Missing folders are created only for the default file.
        let deep = dir.path().join("no/such/rec.sp");
        let e = Recorder::to_file(&deep, Open::New).err().expect("refused");
        assert!(e.to_string().ends_with("No such file or directory"), "{e}");
        // :save refuses the recording in progress and the stepped script, even forced.
        let rec = dir.path().join("rec.sp");
        let mut r = Recorder::to_file(&rec, Open::New).expect("writable");
        r.protect(&mine);
        r.note("hello").expect("write");
        let e = r.save(&rec, true).expect_err("refused");
        assert!(e.to_string().contains("recording in progress"), "{e}");
        assert_eq!(std::fs::read_to_string(&rec).expect("kept"), "# hello\n");
        let e = r.save(&mine, true).expect_err("refused");
        assert!(e.to_string().contains("script being stepped"), "{e}");
        // Any other existing file only with :save!.
        let other = dir.path().join("other.sp");
        std::fs::write(&other, "keep\n").expect("write");
        assert!(r.save(&other, false).is_err());
        assert_eq!(std::fs::read_to_string(&other).expect("kept"), "keep\n");
        r.save(&other, true).expect(":save!");
        assert_eq!(std::fs::read_to_string(&other).expect("saved"), "# hello\n");
        // --force writes over an existing file.
        assert!(Recorder::to_file(&mine, Open::Force).is_ok());
    }

    #[test]
    fn a_write_error_is_reported_once_naming_the_file() {
        let mut r = Recorder::to_file(Path::new("/dev/full"), Open::New).expect("opens");
        let first = r.note("one").expect_err("the disk is full");
        assert_eq!(
            first.to_string(),
            "/dev/full: the recording stopped: No space left on device"
        );
        assert!(r.note("two").is_ok(), "reported once");
        assert_eq!(r.failed(), Some(first.to_string().as_str()));
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
        let mut r = Recorder::to_file(&path, Open::New).expect("writable");
        let big = Outcome::Ok(format!("b'{}'", "x".repeat(100_000)));
        for step in 1..=50 {
            r.sent(&info(step, "server", "x = conn.recv(200000)"))
                .expect("write");
            r.finished(step, "server", &big, "", &[]).expect("write");
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
        let e = Recorder::to_file(Path::new("/proc/nope/rec.sp"), Open::New)
            .err()
            .expect("refused");
        assert_eq!(
            e.to_string(),
            "/proc/nope/rec.sp: No such file or directory",
            "the file is named, with no `os error N`"
        );
    }
}
