//! The headless runner (`sockplay run`): plays a script step by step in the
//! order of the reference runner, and prints a readable transcript, the JSON
//! Lines transcript of SPEC section 6, or a `--check` verdict.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::check::{Observed, satisfies};
use crate::normalize::ports_named;
use crate::outcome::Outcome;
use crate::script::{self, Narration, ScriptError};
use crate::session::{Event, Session, StepInfo, Submitted};

/// The longest a finished step's lines wait in the output buffer while the
/// runner keeps going (it flushes whenever it is about to wait): a reader of
/// the transcript (`| tee`, a terminal) sees each step within this, and a
/// process killed loses at most this much, without a write per step.
const FLUSH_EVERY: Duration = Duration::from_millis(20);

/// How `run` plays and reports.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub json: bool,
    pub check: bool,
    /// How long a step may take before it is reported as blocked.
    pub settle: Duration,
    /// How long a step sent to a blocked pane waits for it.
    pub step_timeout: Duration,
    /// Play the script on fresh ports instead of the ones it names.
    pub fresh_ports: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            json: false,
            check: false,
            settle: Duration::from_millis(250),
            step_timeout: Duration::from_secs(5),
            fresh_ports: false,
        }
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
}

impl<'a> JsonEvent<'a> {
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
        }
    }
}

/// Makes text safe for a terminal: control characters are shown escaped.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\n' || crate::value::repr::is_printable(c) {
            out.push(c);
        } else {
            let r = crate::value::repr::str_repr(&c.to_string());
            out.push_str(&r[1..r.len() - 1]);
        }
    }
    out
}

/// What happened to a step, for `--check`.
#[derive(Default)]
struct Record {
    blocked: bool,
    input: String,
    outcome: Option<Outcome>,
    /// What it printed, as a recording's `| text` lines have it.
    printed: Vec<String>,
}

struct Runner<'w> {
    opts: RunOptions,
    session: Session,
    out: &'w mut dyn Write,
    /// When the output was last flushed: it is flushed when the runner is
    /// about to wait, and otherwise at least every `FLUSH_EVERY`.
    flushed: Instant,
    /// Steps reported blocked that have not finished yet.
    blocked: HashSet<u64>,
    /// The last step sent to each pane (what a `PANE =>` line speaks of).
    last_of_pane: HashMap<String, u64>,
    /// Only the steps `--check` compares, so a long run of big values does
    /// not grow memory.
    records: HashMap<u64, Record>,
    last_step: u64,
}

impl Runner<'_> {
    fn write_line(&mut self, line: &str) {
        let _ = writeln!(self.out, "{line}");
    }

    fn json(&mut self, e: &JsonEvent) {
        if let Ok(line) = serde_json::to_string(e) {
            self.write_line(&json_surrogates(&line));
        }
    }

    fn report_finished(
        &mut self,
        info: &StepInfo,
        outcome: &Outcome,
        stdout: &str,
        truncated: bool,
        closed: &[String],
        elapsed: Duration,
    ) {
        let was_blocked = self.blocked.remove(&info.step);
        if let Some(record) = self.records.get_mut(&info.step) {
            record.outcome = Some(outcome.clone());
            record.printed = stdout.lines().map(escape_controls).collect();
        }
        if self.opts.json {
            let mut e = JsonEvent::new(
                Some(info.step),
                &info.pane,
                &info.input,
                info.typed.as_deref(),
                "ok",
            );
            match outcome {
                Outcome::Ok(repr) => e.repr = Some(repr),
                Outcome::Error(x) => {
                    e.status = "error";
                    e.exception = Some(&x.class);
                    e.errno = Some(x.errno);
                    e.message = Some(&x.message);
                }
            }
            if !stdout.is_empty() {
                e.stdout = Some(stdout);
            }
            e.truncated = truncated.then_some(true);
            self.json(&e);
            return;
        }
        if was_blocked {
            let line = format!(
                "[{}] {} <<< {}    (released after step {}, {:.2} s)",
                info.step,
                info.pane,
                info.input,
                self.last_step,
                elapsed.as_secs_f64()
            );
            self.write_line(&escape_controls(&line));
        }
        for printed in stdout.lines() {
            self.write_line(&format!("    | {}", escape_controls(printed)));
        }
        let cut = if truncated {
            "... (cut after 65,536 characters)"
        } else {
            ""
        };
        self.write_line(&format!(
            "    {}{cut}",
            escape_controls(&outcome.display_line())
        ));
        for note in closed {
            self.write_line(&format!("    # {}", escape_controls(note)));
        }
    }

    /// Reports a finished step (one destructuring for every place that
    /// waits); a step that starts to wait needs no line of its own: the
    /// runner says "blocked" when the session is quiescent.
    fn report(&mut self, event: Event) {
        if let Event::Finished {
            info,
            outcome,
            stdout,
            truncated,
            closed,
            elapsed,
            ..
        } = event
        {
            self.report_finished(&info, &outcome, &stdout, truncated, &closed, elapsed);
        }
    }

    /// Reports finished steps until the session is quiescent (SPEC section
    /// 5): a step that waits with no timeout on an unmet condition costs no
    /// timer; one that waits with a timeout or runs gets `--settle`, unless
    /// it is `expected_blocked` (its `=> blocked` line).
    fn settle(&mut self, expected_blocked: Option<u64>) {
        let since = Instant::now();
        let settle = self.opts.settle;
        loop {
            self.drain();
            if self
                .session
                .quiescent(settle, since, &|step| Some(step) == expected_blocked)
            {
                return;
            }
            let event = match self.session.next_event_soon() {
                Some(e) => Some(e),
                None => {
                    // About to wait for real: show what we have first.
                    let _ = self.out.flush();
                    let look = self.session.next_look(settle, since);
                    self.session.next_event(look)
                }
            };
            if let Some(event) = event {
                self.report(event);
            }
        }
    }

    /// At the end of the script: steps that wait with a timeout are waited
    /// for (their timeout ends them, as the reference runner sees it end),
    /// at most `--step-timeout`; steps that wait for another step stay blocked.
    fn finish_timed_waits(&mut self) {
        let until = Instant::now() + self.opts.step_timeout;
        loop {
            self.settle(None);
            let timed = self.session.pane_names().iter().any(|p| {
                matches!(
                    self.session.activity(p),
                    Some(crate::session::Activity::Waiting { timeout: true, .. })
                )
            });
            let now = Instant::now();
            if !timed || now >= until {
                return;
            }
            let _ = self.out.flush();
            let look = (until - now).min(Duration::from_millis(50));
            if let Some(event) = self.session.next_event(look) {
                self.report(event);
            }
        }
    }

    fn drain(&mut self) {
        while let Some(event) = self.session.try_event() {
            self.report(event);
        }
    }

    /// Reports finished steps until no pane is busy or the deadline passes (the
    /// reference runner's `collect`).
    fn collect(&mut self, deadline: Instant) {
        while self.session.any_busy() {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let event = match self.session.next_event_soon() {
                Some(e) => Some(e),
                None => {
                    // About to wait for real: show what we have first.
                    let _ = self.out.flush();
                    self.session
                        .next_event(deadline.saturating_duration_since(Instant::now()))
                }
            };
            match event {
                Some(event) => self.report(event),
                None => break,
            }
        }
        self.drain();
    }

    /// Ctrl-C, as the recording's user pressed it: interrupts the pane's
    /// blocked step and waits (at most `--step-timeout`) for it to end.
    fn interrupt(&mut self, pane: &str) {
        if !self.session.is_busy(pane) {
            return;
        }
        self.session.interrupt(pane);
        self.wait_for_pane(pane);
    }

    /// Reports finished steps until `pane` is free (other panes may stay
    /// blocked), at most `--step-timeout`.
    fn wait_for_pane(&mut self, pane: &str) {
        let until = Instant::now() + self.opts.step_timeout;
        while self.session.is_busy(pane) {
            let now = Instant::now();
            if now >= until {
                break;
            }
            let _ = self.out.flush();
            if let Some(event) = self.session.next_event(until - now) {
                self.report(event);
            }
        }
        self.drain();
    }

    fn narrate(&mut self, narration: &[Narration]) {
        if self.opts.json {
            return;
        }
        for n in narration {
            let line = match n {
                Narration::Note(t) => format!("# {t}"),
                Narration::Question(t) => format!("#? {t}"),
            };
            self.write_line(&escape_controls(&line));
        }
    }

    /// Plays one step line; returns false when the run must stop (a pane stayed blocked).
    fn step(
        &mut self,
        index: usize,
        pane: &str,
        statement: &str,
        checked: bool,
        expected_blocked: bool,
        steps: &mut HashMap<usize, u64>,
    ) -> bool {
        if self.session.is_busy(pane) {
            self.collect(Instant::now() + self.opts.step_timeout);
            if self.session.is_busy(pane) {
                let (blocked_step, call) = self
                    .session
                    .running(pane)
                    .map_or((0, ""), |(i, c, _)| (i.step, c));
                let message =
                    format!("pane '{pane}' is still blocked in step {blocked_step} ({call})");
                if self.opts.json {
                    let mut e =
                        JsonEvent::new(Some(self.last_step + 1), pane, statement, None, "refused");
                    e.message = Some(&message);
                    self.json(&e);
                } else {
                    self.write_line(&escape_controls(&format!(
                        "[{}] {pane} >>> {statement}",
                        self.last_step + 1
                    )));
                    self.write_line(&format!(
                        "    refused: {message} after {:.1} s",
                        self.opts.step_timeout.as_secs_f64()
                    ));
                }
                return false;
            }
        }
        match self.session.submit(pane, statement) {
            Ok(Submitted::Step(info)) => {
                steps.insert(index, info.step);
                self.last_step = info.step;
                self.last_of_pane.insert(info.pane.clone(), info.step);
                if checked {
                    self.records.insert(
                        info.step,
                        Record {
                            input: info.input.clone(),
                            ..Record::default()
                        },
                    );
                }
                if !self.opts.json {
                    self.write_line(&escape_controls(&format!(
                        "[{}] {} >>> {}",
                        info.step,
                        info.pane,
                        info.typed.as_deref().unwrap_or(&info.input)
                    )));
                    if info.typed.is_some() {
                        self.write_line(&escape_controls(&format!("    = {}", info.input)));
                    }
                }
                self.settle(expected_blocked.then_some(info.step));
                if self.session.is_busy(pane) {
                    self.blocked.insert(info.step);
                    if let Some(r) = self.records.get_mut(&info.step) {
                        r.blocked = true;
                    }
                    if self.opts.json {
                        self.json(&JsonEvent::new(
                            Some(info.step),
                            pane,
                            &info.input,
                            info.typed.as_deref(),
                            "blocked",
                        ));
                    } else {
                        let call = self.session.running(pane).map_or("", |(_, c, _)| c);
                        self.write_line(&format!("    ... blocked in {call}"));
                    }
                    let _ = self.out.flush();
                }
            }
            Ok(Submitted::Used(name)) => {
                if !self.opts.json {
                    self.write_line(&escape_controls(&format!(
                        "{pane} >>> {statement}\n    (current socket: {name})"
                    )));
                }
            }
            Ok(Submitted::Refused(reason)) => {
                if self.opts.json {
                    let mut e = JsonEvent::new(None, pane, statement, Some(statement), "refused");
                    e.message = Some(&reason);
                    self.json(&e);
                } else {
                    self.write_line(&escape_controls(&format!(
                        "{pane} >>> {statement}\n    refused: {reason}"
                    )));
                }
            }
            Err(e) => {
                self.write_line(&escape_controls(&format!(
                    "{pane} >>> {statement}\n    refused: {e}"
                )));
            }
        }
        if self.flushed.elapsed() >= FLUSH_EVERY {
            let _ = self.out.flush();
            self.flushed = Instant::now();
        }
        true
    }
}

/// A JSON line with each lone-surrogate stand-in (`value::surrogate`) written
/// as the escape CPython's json writes for it (`"\ud800"`), so that a
/// printed surrogate reads back as the same string.
fn json_surrogates(line: &str) -> std::borrow::Cow<'_, str> {
    use crate::value::surrogate::surrogate_of;
    if !line.chars().any(|c| surrogate_of(c).is_some()) {
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

/// What `--check` compares: a `=>` or `PANE =>` line and the step it speaks of.
struct Expectation<'a> {
    line: usize,
    pane: &'a str,
    statement: &'a str,
    expected: &'a str,
    /// `=> blocked`: only that it was blocked is checked here.
    only_blocked: bool,
    /// The `| text` lines the script states.
    printed: &'a [String],
    step: Option<u64>,
}

/// Runs the script at `path`, writing the transcript to `out`. Returns the exit
/// status: 0, or 1 when a pane stayed blocked or (with --check) an outcome differs.
pub fn run(
    path: &Path,
    opts: RunOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, ScriptError> {
    let script = if opts.fresh_ports {
        script::read_with(path, crate::lessons::with_fresh_ports)?
    } else {
        script::read(path)?
    };
    let mut runner = Runner {
        opts,
        session: Session::new(),
        out,
        flushed: Instant::now(),
        blocked: HashSet::new(),
        last_of_pane: HashMap::new(),
        records: HashMap::new(),
        last_step: 0,
    };
    let mut steps: HashMap<usize, u64> = HashMap::new();
    let mut completed = true;
    // The steps a later `PANE =>` line speaks of: their outcomes are kept too.
    let spoken_of = script.released_steps();
    // Each `PANE =>` line, with the step it speaks of (filled as the run goes).
    let mut releases: Vec<(&script::Released, Option<u64>)> = Vec::new();
    for (index, s) in script.steps.iter().enumerate() {
        runner.narrate(&s.before);
        let checked = runner.opts.check && (s.expected.is_some() || spoken_of.contains_key(&index));
        let expected_blocked = s
            .expected
            .as_ref()
            .is_some_and(|(_, e)| e.trim() == "blocked");
        if !runner.step(
            index,
            &s.pane,
            &s.statement,
            checked,
            expected_blocked,
            &mut steps,
        ) {
            completed = false;
            break;
        }
        // Interrupted when it was recorded, with nothing in between: interrupt it now.
        if s.expected
            .as_ref()
            .is_some_and(|(_, e)| script::is_interrupt(e))
        {
            runner.interrupt(&s.pane);
        }
        for r in &s.released {
            let target = runner.last_of_pane.get(&r.pane).copied();
            if script::is_interrupt(&r.expected) {
                runner.interrupt(&r.pane);
            } else {
                // Released by this step: wait for it, as the recording saw it finish here.
                runner.wait_for_pane(&r.pane);
            }
            releases.push((r, target));
        }
    }
    if completed {
        runner.finish_timed_waits();
        runner.narrate(&script.after);
    }
    let mut status = if completed { 0 } else { 1 };
    if runner.opts.check {
        let statements: Vec<&str> = script.steps.iter().map(|s| s.statement.as_str()).collect();
        let ports: HashSet<u32> = ports_named(&statements);
        let (mut checked, mut failed) = (0, 0);
        // A step's own `=>` line, and each `PANE =>` line of the released steps.
        let mut expectations: Vec<Expectation> = Vec::new();
        for (index, s) in script.steps.iter().enumerate() {
            if let Some((line, expected)) = &s.expected {
                expectations.push(Expectation {
                    line: *line,
                    pane: &s.pane,
                    statement: &s.statement,
                    expected,
                    // A step recorded as blocked is checked by its `PANE =>` line, if it has one.
                    only_blocked: expected == "blocked",
                    printed: &s.printed,
                    step: steps.get(&index).copied(),
                });
            }
        }
        for (r, target) in &releases {
            let statement = script
                .steps
                .iter()
                .enumerate()
                .find(|(i, _)| steps.get(i).copied() == *target)
                .map_or("", |(_, s)| s.statement.as_str());
            expectations.push(Expectation {
                line: r.line,
                pane: &r.pane,
                statement,
                expected: &r.expected,
                only_blocked: false,
                printed: &r.printed,
                step: *target,
            });
        }
        for Expectation {
            line,
            pane,
            statement,
            expected,
            only_blocked: blocked_then_released,
            printed,
            step,
        } in expectations
        {
            checked += 1;
            let record = step.and_then(|n| runner.records.get(&n));
            let ok = record.is_some_and(|r| {
                let outcome_ok = satisfies(
                    expected,
                    &Observed {
                        input: &r.input,
                        blocked: r.blocked,
                        outcome: if blocked_then_released {
                            None
                        } else {
                            r.outcome.as_ref()
                        },
                    },
                    &ports,
                );
                // Printed text is compared where the script states it.
                outcome_ok && (printed.is_empty() || blocked_then_released || r.printed == printed)
            });
            if !ok {
                failed += 1;
                let got = match record {
                    None => "no outcome (the step did not run)".to_string(),
                    Some(Record {
                        outcome: Some(o), ..
                    }) => o.display_line(),
                    Some(Record { blocked: true, .. }) => "still blocked".to_string(),
                    Some(_) => "no outcome".to_string(),
                };
                let printed_differs = record.is_some_and(|r| {
                    !printed.is_empty() && !blocked_then_released && r.printed != printed
                });
                let got = if printed_differs {
                    format!(
                        "{got}, printing {:?} (the script says {:?})",
                        record.map(|r| r.printed.join("\n")).unwrap_or_default(),
                        printed.join("\n")
                    )
                } else {
                    got
                };
                let _ = writeln!(
                    err,
                    "{}:{line}: step `{pane}> {statement}`: expected {expected}, got {}",
                    path.display(),
                    escape_controls(&got)
                );
            }
        }
        let _ = writeln!(
            err,
            "check: {}/{checked} outcomes as expected",
            checked - failed
        );
        let port_in_use = runner.records.values().any(
            |r| matches!(&r.outcome, Some(Outcome::Error(e)) if e.errno == Some(libc::EADDRINUSE)),
        );
        if failed > 0 && port_in_use && !runner.opts.fresh_ports {
            let _ = writeln!(
                err,
                "hint: a port the script names was in use (left in TIME_WAIT by the session that was recorded?): wait a minute, or replay with --fresh-ports"
            );
        }
        if failed > 0 {
            status = 1;
        }
    }
    let _ = runner.out.flush();
    runner.session.close_all_before_exit();
    Ok(status)
}
