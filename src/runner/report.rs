//! What `sockplay run` writes as the script plays, one type per format (as
//! trippy's `report/` has one per output): the readable transcript and the
//! JSON Lines transcript of SPEC section 6. `--check` is judged at the end
//! from the steps' records, not written as they go.

use std::io::Write;
use std::time::Duration;

use serde::Serialize;

use crate::net::wire::Segment;
use crate::outcome::Outcome;
use crate::script::Narration;
use crate::session::StepInfo;

/// A finished step, as a report needs it.
pub struct Done<'a> {
    pub info: &'a StepInfo,
    pub outcome: &'a Outcome,
    pub stdout: &'a str,
    /// The repr was cut after 65,536 characters.
    pub truncated: bool,
    /// Sockets the step closed because nothing refers to them any more.
    pub closed: &'a [String],
    pub elapsed: Duration,
    /// It had been reported blocked, and was released after step `released_after`.
    pub was_blocked: bool,
    pub released_after: u64,
    /// How many bytes of `stdout` were shown already, as they were printed
    /// while the step was blocked (`Report::printed`).
    pub shown: usize,
    /// With `--wire`: the segments it sent, and its why-line when that
    /// cites one.
    pub wire: Option<&'a [Segment]>,
    pub why: Option<String>,
}

/// One output format of the runner.
pub trait Report {
    /// Narration lines before a step or at the end.
    fn narration(&mut self, _narration: &[Narration]) {}
    /// A step was sent.
    fn sent(&mut self, _info: &StepInfo) {}
    /// A step is blocked (the session is quiescent and it still runs), in `call`.
    fn blocked(&mut self, info: &StepInfo, call: &str);
    fn finished(&mut self, done: &Done);
    /// A blocked step printed `text` (a loop's `print`), while it goes on.
    fn printed(&mut self, _info: &StepInfo, _text: &str) {}
    /// With `--wire`: segments sent while `info` (a blocked step) ran, or
    /// while no step ran (None: late ones).
    fn wire(&mut self, _info: Option<&StepInfo>, _segments: &[Segment]) {}
    /// `use NAME` changed the current socket.
    fn used(&mut self, _pane: &str, _statement: &str, _socket: &str) {}
    /// With `--check`: the step that just finished is not what the script's
    /// `=>` line on `line` says. The JSON transcript has no field for it (SPEC
    /// section 6): the check's summary on stderr says it there.
    fn mismatch(&mut self, _line: usize, _expected: &str) {}
    /// A line that did not run: a short form refused, a pane that could not take it.
    fn refused(&mut self, step: Option<u64>, pane: &str, statement: &str, reason: &str);
    /// Step `step` went to a pane still blocked after `waited`: the run stops.
    fn still_blocked(
        &mut self,
        step: u64,
        pane: &str,
        statement: &str,
        message: &str,
        waited: Duration,
    );
    /// Writes what is buffered.
    fn flush(&mut self);
}

pub use crate::display::escape_controls;

/// The readable transcript: `[3] server >>> s.listen()` and its outcome
/// under it, `<<<` when a blocked step is released.
pub struct Text<'w> {
    pub out: &'w mut dyn Write,
}

impl Text<'_> {
    fn line(&mut self, line: &str) {
        let _ = writeln!(self.out, "{line}");
    }
}

impl Report for Text<'_> {
    fn narration(&mut self, narration: &[Narration]) {
        for n in narration {
            let line = match n {
                Narration::Note(t) => format!("# {t}"),
                Narration::Question(t) => format!("#? {t}"),
                Narration::WireQuestion(t) => format!("#?~ {t}"),
            };
            self.line(&escape_controls(&line));
        }
    }

    fn sent(&mut self, info: &StepInfo) {
        // A block's lines after the first under Python's `...` prompt.
        let typed = info.typed.as_deref().unwrap_or(&info.input);
        let mut lines = typed.lines();
        self.line(&escape_controls(&format!(
            "[{}] {} >>> {}",
            info.step,
            info.pane,
            lines.next().unwrap_or("")
        )));
        for more in lines {
            self.line(&escape_controls(&format!("    ... {more}")));
        }
        if info.typed.is_some() {
            self.line(&escape_controls(&format!("    = {}", info.input)));
        }
    }

    fn printed(&mut self, info: &StepInfo, text: &str) {
        for line in text.lines() {
            self.line(&format!(
                "[{}] {} | {}",
                info.step,
                info.pane,
                escape_controls(line)
            ));
        }
    }

    fn wire(&mut self, info: Option<&StepInfo>, segments: &[Segment]) {
        for s in segments {
            match info {
                Some(i) => self.line(&format!("[{}] {} ~ {}", i.step, i.pane, s.line())),
                None => self.line(&format!("    ~ {}", s.line())),
            }
        }
    }

    fn blocked(&mut self, _info: &StepInfo, call: &str) {
        // A block that runs (a loop between two calls) is in no call.
        match call.strip_prefix(" at line ") {
            Some(line) => self.line(&format!("    ... running at line {line}")),
            None if call.is_empty() => self.line("    ... running"),
            None => self.line(&format!("    ... blocked in {call}")),
        }
    }

    fn finished(&mut self, d: &Done) {
        if d.was_blocked {
            let line = format!(
                "[{}] {} <<< {}{}    (released after step {}, {:.2} s)",
                d.info.step,
                d.info.pane,
                d.info.input.lines().next().unwrap_or(""),
                if d.info.input.contains('\n') {
                    " ..."
                } else {
                    ""
                },
                d.released_after,
                d.elapsed.as_secs_f64()
            );
            self.line(&escape_controls(&line));
        }
        for printed in d.stdout.get(d.shown..).unwrap_or("").lines() {
            self.line(&format!("    | {}", escape_controls(printed)));
        }
        let cut = if d.truncated {
            "... (cut after 65,536 characters)"
        } else {
            ""
        };
        self.line(&format!(
            "    {}{cut}",
            escape_controls(&d.outcome.display_line())
        ));
        for note in d.closed {
            self.line(&format!("    # {}", escape_controls(note)));
        }
        if let Some(why) = &d.why {
            self.line(&format!("    {}", escape_controls(why)));
        }
        for s in d.wire.unwrap_or_default() {
            self.line(&format!("    ~ {}", s.line()));
        }
    }

    fn mismatch(&mut self, line: usize, expected: &str) {
        self.line(&escape_controls(&format!(
            "    ✗ the script expects (line {line}): {expected}"
        )));
    }

    fn used(&mut self, pane: &str, statement: &str, socket: &str) {
        self.line(&escape_controls(&format!(
            "{pane} >>> {statement}\n    (current socket: {socket})"
        )));
    }

    fn refused(&mut self, step: Option<u64>, pane: &str, statement: &str, reason: &str) {
        let head = match step {
            Some(n) => format!("[{n}] {pane} >>> {statement}"),
            None => format!("{pane} >>> {statement}"),
        };
        self.line(&escape_controls(&format!("{head}\n    refused: {reason}")));
    }

    fn still_blocked(
        &mut self,
        step: u64,
        pane: &str,
        statement: &str,
        message: &str,
        waited: Duration,
    ) {
        let message = format!("{message} after {:.1} s", waited.as_secs_f64());
        self.refused(Some(step), pane, statement, &message);
    }

    fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

/// One line of the JSON transcript, fields in the order of SPEC section 6.
#[derive(Serialize)]
struct JsonEvent<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<u64>,
    pane: &'a str,
    input: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    typed: Option<&'a str>,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    repr: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exception: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errno: Option<Option<i32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stdout: Option<&'a str>,
    /// The repr was cut after 65,536 characters (SPEC section 6).
    #[serde(skip_serializing_if = "Option::is_none")]
    truncated: Option<bool>,
    /// With `--wire`: the segments (docs/wire.md), written after the rest.
    #[serde(skip)]
    wire: Option<Vec<WireSegment>>,
}

/// A segment in the JSON transcript (docs/wire.md).
#[derive(Serialize)]
struct WireSegment {
    n: u64,
    from: String,
    to: String,
    src: String,
    dst: String,
    proto: &'static str,
    flags: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ack: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    win: Option<u32>,
    len: usize,
    data: String,
    late: bool,
    retransmitted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_ms: Option<u64>,
    count: u64,
}

impl WireSegment {
    fn of(s: &Segment) -> WireSegment {
        WireSegment {
            n: s.number,
            from: s.from.clone(),
            to: s.to.clone(),
            src: s.src.to_string(),
            dst: s.dst.to_string(),
            proto: if s.tcp { "tcp" } else { "udp" },
            flags: s.flag_names(),
            seq: s.tcp.then_some(s.seq),
            ack: s.ack,
            win: s.tcp.then_some(s.window),
            len: s.len,
            data: if s.count == 1 {
                s.head_repr()
            } else {
                String::new()
            },
            late: s.late,
            retransmitted: s.retransmitted,
            after_ms: s.after.map(|a| a.as_millis() as u64),
            count: s.count,
        }
    }
}

impl<'a> JsonEvent<'a> {
    /// The event as serde_json writes it (fields in order, the absent ones
    /// left out), with a string that needs no escape copied as it is: most
    /// of a transcript is such strings, and escaping byte by byte was the
    /// largest cost of `run --json` (tested against serde_json below).
    fn write(&self, out: &mut Vec<u8>) {
        fn string(out: &mut Vec<u8>, s: &str) {
            // No early exit: the fold over all bytes vectorizes.
            let needs_escape = s.bytes().fold(false, |any, b| {
                any | (b < 0x20) | (b == b'"') | (b == b'\\')
            });
            if needs_escape {
                let _ = serde_json::to_writer(&mut *out, s);
            } else {
                out.push(b'"');
                out.extend_from_slice(s.as_bytes());
                out.push(b'"');
            }
        }
        fn key(out: &mut Vec<u8>, first: &mut bool, name: &str) {
            if !*first {
                out.push(b',');
            }
            *first = false;
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
        }
        /// A string field, left out when absent.
        fn field(out: &mut Vec<u8>, first: &mut bool, name: &str, value: Option<&str>) {
            if let Some(v) = value {
                key(out, first, name);
                string(out, v);
            }
        }
        let mut first = true;
        out.push(b'{');
        if let Some(step) = self.step {
            key(out, &mut first, "step");
            let _ = write!(out, "{step}");
        }
        field(out, &mut first, "pane", Some(self.pane));
        field(out, &mut first, "input", Some(self.input));
        field(out, &mut first, "typed", self.typed);
        field(out, &mut first, "status", Some(self.status));
        field(out, &mut first, "repr", self.repr);
        field(out, &mut first, "exception", self.exception);
        if let Some(errno) = self.errno {
            key(out, &mut first, "errno");
            match errno {
                Some(n) => {
                    let _ = write!(out, "{n}");
                }
                None => out.extend_from_slice(b"null"),
            }
        }
        field(out, &mut first, "message", self.message);
        field(out, &mut first, "stdout", self.stdout);
        if let Some(truncated) = self.truncated {
            key(out, &mut first, "truncated");
            out.extend_from_slice(if truncated { b"true" } else { b"false" });
        }
        if let Some(wire) = &self.wire {
            key(out, &mut first, "wire");
            let _ = serde_json::to_writer(&mut *out, wire);
        }
        out.push(b'}');
    }

    fn new(
        step: Option<u64>,
        pane: &'a str,
        input: &'a str,
        typed: Option<&'a str>,
        status: &'a str,
    ) -> Self {
        JsonEvent {
            step,
            pane,
            input,
            typed,
            status,
            repr: None,
            exception: None,
            errno: None,
            message: None,
            stdout: None,
            truncated: None,
            wire: None,
        }
    }
}

/// The JSON Lines transcript of SPEC section 6.
pub struct Json<'w> {
    out: &'w mut dyn Write,
    /// One line's JSON, reused from line to line.
    line: Vec<u8>,
    /// With `--wire`: segments of running (blocked) steps, by step, and late
    /// ones, until the step (the next step) is written.
    wire_of: std::collections::HashMap<u64, Vec<WireSegment>>,
    late: Vec<WireSegment>,
}

impl<'w> Json<'w> {
    pub fn new(out: &'w mut dyn Write) -> Self {
        Json {
            out,
            line: Vec::with_capacity(512),
            wire_of: std::collections::HashMap::new(),
            late: Vec::new(),
        }
    }

    fn event(&mut self, e: &JsonEvent) {
        self.line.clear();
        e.write(&mut self.line);
        // An ASCII line (most) has no surrogate to spell.
        if self.line.is_ascii() {
            let _ = self.out.write_all(&self.line);
        } else if let Ok(text) = std::str::from_utf8(&self.line) {
            // serde_json writes valid UTF-8.
            let _ = self.out.write_all(json_surrogates(text).as_bytes());
        }
        let _ = self.out.write_all(b"\n");
    }
}

impl Report for Json<'_> {
    fn wire(&mut self, info: Option<&StepInfo>, segments: &[Segment]) {
        let list = match info {
            Some(i) => self.wire_of.entry(i.step).or_default(),
            None => &mut self.late,
        };
        list.extend(segments.iter().map(WireSegment::of));
    }

    fn blocked(&mut self, info: &StepInfo, _call: &str) {
        self.event(&JsonEvent::new(
            Some(info.step),
            &info.pane,
            &info.input,
            info.typed.as_deref(),
            "blocked",
        ));
    }

    fn finished(&mut self, d: &Done) {
        let info = d.info;
        let mut e = JsonEvent::new(
            Some(info.step),
            &info.pane,
            &info.input,
            info.typed.as_deref(),
            "ok",
        );
        match d.outcome {
            Outcome::Ok(repr) => e.repr = Some(repr),
            Outcome::Error(x) => {
                e.status = "error";
                e.exception = Some(&x.class);
                e.errno = Some(x.errno);
                e.message = Some(&x.message);
            }
        }
        if !d.stdout.is_empty() {
            e.stdout = Some(d.stdout);
        }
        e.truncated = d.truncated.then_some(true);
        if let Some(wire) = d.wire {
            // Late segments first (they came before it started), then those
            // it sent while blocked, then the rest.
            let mut list = std::mem::take(&mut self.late);
            list.extend(self.wire_of.remove(&info.step).unwrap_or_default());
            list.extend(wire.iter().map(WireSegment::of));
            e.wire = Some(list);
        }
        self.event(&e);
    }

    fn still_blocked(
        &mut self,
        step: u64,
        pane: &str,
        statement: &str,
        message: &str,
        _: Duration,
    ) {
        // SPEC section 6: the message names the blocked step; the wait is the text's.
        self.refused(Some(step), pane, statement, message);
    }

    fn refused(&mut self, step: Option<u64>, pane: &str, statement: &str, reason: &str) {
        // A refused short form has no step number and keeps what was typed.
        let typed = step.is_none().then_some(statement);
        let mut e = JsonEvent::new(step, pane, statement, typed, "refused");
        e.message = Some(reason);
        self.event(&e);
    }

    fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

/// A JSON line with each lone-surrogate stand-in (`value::surrogate`) written
/// as the escape CPython's json writes for it (`"\ud800"`), so that a
/// printed surrogate reads back as the same string.
fn json_surrogates(line: &str) -> std::borrow::Cow<'_, str> {
    use crate::value::surrogate::surrogate_of;
    if line.is_ascii() || !line.chars().any(|c| surrogate_of(c).is_some()) {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match surrogate_of(c) {
            Some(n) => out.push_str(&format!("\\u{n:04x}")),
            None => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::JsonEvent;

    #[test]
    fn a_json_event_is_written_exactly_as_serde_json_writes_it() {
        let tricky = [
            "c.send(b'xx')",
            "print(\"quoted\")",
            "b'\\\\x00\\\\n'",
            "tab\there\nnewline\u{1}",
            "café – ünïcode ✓",
            "\u{7f}\u{9f}",
            "",
        ];
        for (i, text) in tricky.iter().enumerate() {
            let mut e = JsonEvent::new(
                (i % 2 == 0).then_some(i as u64),
                "server",
                text,
                (i % 3 == 0).then_some(*text),
                if i % 2 == 0 { "ok" } else { "error" },
            );
            if i % 2 == 0 {
                e.repr = Some(text);
                e.stdout = Some(text);
                e.truncated = Some(i == 4);
            } else {
                e.exception = Some("TimeoutError");
                e.errno = Some(if i == 1 { None } else { Some(104) });
                e.message = Some(text);
            }
            let mut ours = Vec::new();
            e.write(&mut ours);
            let serde = serde_json::to_string(&e).expect("serializes");
            assert_eq!(String::from_utf8(ours).expect("utf-8"), serde, "{text:?}");
        }
    }
}
