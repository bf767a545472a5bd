//! The headless runner (`sockplay run`): plays a script step by step in the
//! order of the reference runner, and prints a readable transcript, the JSON
//! Lines transcript of SPEC section 6, or a `--check` verdict.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::check::{Observed, satisfies};
use crate::net::wire::Segment;
use crate::normalize::ports_named;
use crate::outcome::Outcome;
use crate::script::{self, Narration, ScriptError};

mod report;
use crate::session::{Event, Session, StepInfo, Submitted};
pub use report::escape_controls;
use report::{Done, Json, Report, Text};

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
    /// Capture the wire and print each step's segments under it.
    pub wire: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            json: false,
            check: false,
            settle: Duration::from_millis(250),
            step_timeout: Duration::from_secs(5),
            fresh_ports: false,
            wire: false,
        }
    }
}

/// What happened to a step, for `--check`.
#[derive(Default)]
struct Record {
    blocked: bool,
    input: String,
    outcome: Option<Outcome>,
    /// What it printed, as a recording's `| text` lines have it.
    printed: Vec<String>,
    /// The step's own `=> EXPECTED` line (number, text), checked as soon as
    /// it finishes, so that a mismatch is shown under it.
    expected: Option<(usize, String)>,
}

/// The most a running step's printed text is held before it is known
/// whether the step blocks (see `Runner::printing`).
const PRINT_HELD: usize = 1 << 20;

struct Runner<'w> {
    opts: RunOptions,
    session: Session,
    /// The transcript's format: readable text or JSON Lines.
    report: Box<dyn Report + 'w>,
    /// When the output was last flushed: it is flushed when the runner is
    /// about to wait, and otherwise at least every `FLUSH_EVERY`.
    flushed: Instant,
    /// Steps reported blocked that have not finished yet.
    blocked: HashSet<u64>,
    /// What running steps printed so far: (bytes shown as printed, text
    /// not shown yet). A blocked step's printing is shown as it comes.
    printing: HashMap<u64, (usize, String)>,
    /// The last step sent to each pane (what a `PANE =>` line speaks of).
    last_of_pane: HashMap<String, u64>,
    /// Only the steps `--check` compares, so a long run of big values does
    /// not grow memory.
    records: HashMap<u64, Record>,
    last_step: u64,
    /// The `=>` line of the step about to be sent (see `Record::expected`).
    expecting: Option<(usize, String)>,
    /// The ports the script names (`--check` compares them; others are masked).
    ports: HashSet<u32>,
}

impl Runner<'_> {
    #[allow(clippy::too_many_arguments)]
    fn report_finished(
        &mut self,
        info: &StepInfo,
        outcome: &Outcome,
        stdout: &str,
        truncated: bool,
        closed: &[String],
        elapsed: Duration,
        wire: Option<(&[Segment], Option<String>)>,
    ) {
        let was_blocked = self.blocked.remove(&info.step);
        let shown = match self.printing.remove(&info.step) {
            Some((n, _)) if n != usize::MAX => n,
            _ => 0,
        };
        let mut mismatch = None;
        if let Some(record) = self.records.get_mut(&info.step) {
            record.outcome = Some(outcome.clone());
            record.printed = stdout.lines().map(escape_controls).collect();
            if let Some((line, expected)) = &record.expected {
                let observed = Observed {
                    input: &record.input,
                    blocked: record.blocked,
                    outcome: record.outcome.as_ref(),
                };
                if !satisfies(expected, &observed, &self.ports) {
                    mismatch = Some((*line, expected.clone()));
                }
            }
        }
        let released_after = self.last_step;
        self.report.finished(&Done {
            info,
            outcome,
            stdout,
            truncated,
            closed,
            elapsed,
            was_blocked,
            released_after,
            shown,
            wire: wire.as_ref().map(|w| w.0),
            why: wire.and_then(|w| w.1),
        });
        if let Some((line, expected)) = mismatch {
            self.report.mismatch(line, &expected);
        }
    }

    /// Reports a finished step (one destructuring for every place that
    /// waits); a step that starts to wait needs no line of its own: the
    /// runner says "blocked" when the session is quiescent.
    fn report(&mut self, event: Event) {
        if let Event::Printed { info, text } = &event {
            let (shown, held) = self.printing.entry(info.step).or_default();
            if self.blocked.contains(&info.step) && *shown != usize::MAX {
                *shown += text.len();
                self.report.printed(info, text);
            } else if *shown != usize::MAX {
                held.push_str(text);
                // A step that prints much before it blocks (if it does) shows
                // it all when it finishes instead: nothing is held twice.
                if held.len() > PRINT_HELD {
                    *shown = usize::MAX;
                    *held = String::new();
                }
            }
            return;
        }
        if let Event::Wire { info, segments } = &event {
            self.report.wire(info.as_ref(), segments);
            return;
        }
        if let Event::Finished {
            info,
            outcome,
            stdout,
            truncated,
            closed,
            elapsed,
            wire,
            facts,
            ..
        } = event
        {
            // With --wire, a why-line that cites a segment is printed too.
            let why = facts.as_ref().filter(|f| f.cited.is_some()).and_then(|f| {
                crate::display::finished(&info.input, &outcome, "", &[], Some(f), false, None)
                    .lines
                    .into_iter()
                    .find(|(kind, _)| *kind == crate::display::Kind::Why)
                    .map(|(_, line)| line)
            });
            let wire = self.opts.wire.then_some((wire.as_slice(), why));
            self.report_finished(&info, &outcome, &stdout, truncated, &closed, elapsed, wire);
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
                    self.report.flush();
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
            self.report.flush();
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
                    self.report.flush();
                    self.session
                        .next_event(deadline.saturating_duration_since(Instant::now()))
                }
            };
            // None: the time is up (checked above), or a message that was
            // no event any more (a wait over before it was read).
            if let Some(event) = event {
                self.report(event);
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
            self.report.flush();
            if let Some(event) = self.session.next_event(until - now) {
                self.report(event);
            }
        }
        self.drain();
    }

    fn narrate(&mut self, narration: &[Narration]) {
        self.report.narration(narration);
    }

    /// Plays one step line; returns false when the run must stop (a pane stayed blocked).
    fn step(
        &mut self,
        index: usize,
        pane: &str,
        statement: &str,
        checked: bool,
        expected_blocked: bool,
        steps: &mut [Option<u64>],
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
                let waited = self.opts.step_timeout;
                self.report
                    .still_blocked(self.last_step + 1, pane, statement, &message, waited);
                return false;
            }
        }
        // Segments since the last step (late ones, a blocked step's) show
        // before this step's line.
        if let Some(event) = self.session.wire_checkpoint() {
            self.report(event);
        }
        match self.session.submit(pane, statement) {
            Ok(Submitted::Step(info)) => {
                steps[index] = Some(info.step);
                self.last_step = info.step;
                match self.last_of_pane.get_mut(&*info.pane) {
                    Some(last) => *last = info.step,
                    None => {
                        self.last_of_pane.insert(info.pane.to_string(), info.step);
                    }
                }
                if checked {
                    self.records.insert(
                        info.step,
                        Record {
                            input: info.input.to_string(),
                            expected: self.expecting.take(),
                            ..Record::default()
                        },
                    );
                }
                self.report.sent(&info);
                self.settle(expected_blocked.then_some(info.step));
                if self.session.is_busy(pane) {
                    self.blocked.insert(info.step);
                    if let Some(r) = self.records.get_mut(&info.step) {
                        r.blocked = true;
                    }
                    let call = self.session.running(pane).map_or("", |(_, c, _)| c);
                    // In a block, the line it waits on.
                    let call = match self.session.line(pane) {
                        Some(n) => format!("{call} at line {n}"),
                        None => call.to_string(),
                    };
                    self.report.blocked(&info, &call);
                    // What it printed before it blocked shows now; the rest as it comes.
                    if let Some((shown, held)) = self.printing.get_mut(&info.step)
                        && !held.is_empty()
                        && *shown != usize::MAX
                    {
                        let text = std::mem::take(held);
                        *shown += text.len();
                        self.report.printed(&info, &text);
                    }
                    self.report.flush();
                }
            }
            Ok(Submitted::Used(name)) => self.report.used(pane, statement, &name),
            Ok(Submitted::Refused(reason)) => self.report.refused(None, pane, statement, &reason),
            Err(e) => self.report.refused(None, pane, statement, &e.to_string()),
        }
        if self.flushed.elapsed() >= FLUSH_EVERY {
            self.report.flush();
            self.flushed = Instant::now();
        }
        true
    }
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
    let report: Box<dyn Report> = if opts.json {
        Box::new(Json::new(out))
    } else {
        Box::new(Text { out })
    };
    let mut session = Session::new();
    if opts.wire
        && let Err(why) = session.watch_wire()
    {
        let _ = writeln!(err, "sockplay: {why}");
        return Ok(2);
    }
    let mut runner = Runner {
        opts,
        session,
        report,
        flushed: Instant::now(),
        blocked: HashSet::new(),
        printing: HashMap::new(),
        last_of_pane: HashMap::new(),
        records: HashMap::new(),
        last_step: 0,
        expecting: None,
        ports: {
            let statements: Vec<&str> = script.steps.iter().map(|s| s.statement.as_str()).collect();
            ports_named(&statements)
        },
    };
    // The session's step number of each script step that was sent.
    let mut steps: Vec<Option<u64>> = vec![None; script.steps.len()];
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
        // Checked as soon as it finishes; a blocked or interrupted step's
        // line is checked at the end, with the rest.
        runner.expecting = s
            .expected
            .clone()
            .filter(|(_, e)| checked && e.trim() != "blocked" && !script::is_interrupt(e));
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
                    step: steps[index],
                });
            }
        }
        for (r, target) in &releases {
            let statement = script
                .steps
                .iter()
                .enumerate()
                .find(|(i, _)| steps[*i] == *target)
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
                // Printed text is compared as outcomes are: fds and the
                // ports the script does not name are masked (SPEC 4).
                let same_print = || {
                    r.printed.len() == printed.len()
                        && r.printed.iter().zip(printed.iter()).all(|(a, b)| {
                            crate::normalize::normalize_repr(a, &ports)
                                == crate::normalize::normalize_repr(b, &ports)
                        })
                };
                outcome_ok && (printed.is_empty() || blocked_then_released || same_print())
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
                    !printed.is_empty()
                        && !blocked_then_released
                        && (r.printed.len() != printed.len()
                            || r.printed.iter().zip(printed.iter()).any(|(a, b)| {
                                crate::normalize::normalize_repr(a, &ports)
                                    != crate::normalize::normalize_repr(b, &ports)
                            }))
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
    runner.report.flush();
    runner.session.close_all_before_exit();
    Ok(status)
}
