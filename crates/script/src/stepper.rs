//! Stepping through a script (a lesson or a recording): which step comes
//! next, the narration to show before it, `#?` predictions and their score,
//! and whether an outcome matched the script's `=>` line. No screen here: the
//! interface asks what to show and reports what happened.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::check::{Observed, satisfies};
use crate::net::wire::Segment;
use crate::normalize::ports_named;
use crate::outcome::Outcome;
use crate::script::{Narration, Released, Script, ScriptStep, is_interrupt};

/// What a user may predict a step will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prediction {
    Error,
    EmptyBytes,
    Value,
    Blocks,
    /// Of a `#?~` question: what the step puts on the wire.
    Nothing,
    Syn,
    Data,
    Fin,
    Rst,
}

impl Prediction {
    /// The choices in the order they are offered, with their keys.
    pub const CHOICES: [(char, Prediction); 4] = [
        ('1', Prediction::Error),
        ('2', Prediction::EmptyBytes),
        ('3', Prediction::Value),
        ('4', Prediction::Blocks),
    ];

    /// The choices of a `#?~` question about the wire.
    pub const WIRE_CHOICES: [(char, Prediction); 5] = [
        ('1', Prediction::Nothing),
        ('2', Prediction::Syn),
        ('3', Prediction::Data),
        ('4', Prediction::Fin),
        ('5', Prediction::Rst),
    ];

    pub fn label(self) -> &'static str {
        match self {
            Prediction::Error => "an error",
            Prediction::EmptyBytes => "empty bytes",
            Prediction::Value => "a value",
            Prediction::Blocks => "it blocks",
            Prediction::Nothing => "nothing on the wire",
            Prediction::Syn => "a SYN",
            Prediction::Data => "data",
            Prediction::Fin => "a FIN",
            Prediction::Rst => "an RST",
        }
    }

    /// The prediction a key stands for in a question about the wire (`1`..`5`).
    pub fn from_wire_key(c: char) -> Option<Prediction> {
        Prediction::WIRE_CHOICES
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, p)| *p)
    }

    fn about_wire(self) -> bool {
        Prediction::WIRE_CHOICES.iter().any(|(_, p)| *p == self)
    }

    /// The prediction a key stands for (`1`..`4`, or `e` `b` `v` `w`).
    pub fn from_key(c: char) -> Option<Prediction> {
        match c.to_ascii_lowercase() {
            '1' | 'e' => Some(Prediction::Error),
            '2' | 'b' => Some(Prediction::EmptyBytes),
            '3' | 'v' => Some(Prediction::Value),
            '4' | 'w' => Some(Prediction::Blocks),
            _ => None,
        }
    }
}

/// What became of a prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub predicted: Prediction,
    pub right: bool,
    /// What the step did, in words (`raised BlockingIOError`, `returned b''`).
    pub actual: String,
}

/// A step sent from the script, not finished yet.
#[derive(Debug, Clone)]
struct Sent {
    step: u64,
    index: usize,
    prediction: Option<Prediction>,
    blocked: bool,
}

/// A script being stepped through.
#[derive(Debug, Clone)]
pub struct Stepper {
    /// The script's name, as shown (`lesson reverse`, `demo.sp`).
    pub title: String,
    script: Script,
    next: usize,
    /// The question of the next step, once asked and until answered.
    asking: bool,
    sent: Vec<Sent>,
    ports: HashSet<u32>,
    /// For a step a later `PANE =>` line speaks of (it blocked, then was
    /// released or interrupted), that line: its outcome is the step's.
    released: HashMap<usize, Released>,
    /// Panes the script interrupts (`=> KeyboardInterrupt`) before its next step.
    interrupts: VecDeque<String>,
    pub right: usize,
    pub asked: usize,
}

/// What finished step `step` meant for the script.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Finished {
    pub verdict: Option<Verdict>,
    /// The script's `=>` line, when the outcome does not satisfy it.
    pub expected_instead: Option<String>,
}

impl Stepper {
    pub fn new(title: impl Into<String>, script: Script) -> Stepper {
        let statements: Vec<&str> = script.steps.iter().map(|s| s.statement.as_str()).collect();
        let ports = ports_named(&statements);
        let released = script
            .released_steps()
            .into_iter()
            .map(|(i, r)| (i, r.clone()))
            .collect();
        Stepper {
            title: title.into(),
            script,
            next: 0,
            asking: false,
            sent: Vec::new(),
            ports,
            released,
            interrupts: VecDeque::new(),
            right: 0,
            asked: 0,
        }
    }

    /// How many steps the script has, and how many were sent.
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.script.steps.len())
    }

    pub fn done(&self) -> bool {
        self.next >= self.script.steps.len()
    }

    /// The step that runs next.
    pub fn next_step(&self) -> Option<&ScriptStep> {
        self.script.steps.get(self.next)
    }

    /// The narration to show now: what precedes the next step, or what ends the script.
    pub fn narration(&self) -> Vec<&str> {
        let lines = match self.next_step() {
            Some(s) => &s.before,
            None => &self.script.after,
        };
        lines
            .iter()
            .filter_map(|n| match n {
                Narration::Note(t) => Some(t.as_str()),
                Narration::Question(_) | Narration::WireQuestion(_) => None,
            })
            .collect()
    }

    /// The `#?` question before the next step, if it has one.
    pub fn question(&self) -> Option<&str> {
        self.next_step()?.before.iter().rev().find_map(|n| match n {
            Narration::Question(q) | Narration::WireQuestion(q) => Some(q.as_str()),
            Narration::Note(_) => None,
        })
    }

    /// Whether the next step's question is about the wire (`#?~`).
    pub fn wire_question(&self) -> bool {
        self.next_step().is_some_and(|s| {
            s.before
                .iter()
                .rev()
                .find(|n| !matches!(n, Narration::Note(_)))
                .is_some_and(|n| matches!(n, Narration::WireQuestion(_)))
        })
    }

    /// Whether the script asks about the wire anywhere (it needs the wire view).
    pub fn asks_about_wire(&self) -> bool {
        self.script
            .steps
            .iter()
            .flat_map(|s| &s.before)
            .any(|n| matches!(n, Narration::WireQuestion(_)))
    }

    /// Whether the question of the next step waits for an answer.
    pub fn asking(&self) -> Option<&str> {
        if self.asking { self.question() } else { None }
    }

    /// The user asked for the next step. If it has a question not yet
    /// asked, it is asked now and nothing runs (returns None); otherwise the
    /// step is taken: (pane, statement).
    pub fn advance(&mut self) -> Option<(String, String)> {
        if self.question().is_some() && !self.asking {
            self.asking = true;
            return None;
        }
        self.take(None)
    }

    /// Answers the pending question and takes the step it was about.
    pub fn answer(&mut self, prediction: Option<Prediction>) -> Option<(String, String)> {
        if !self.asking {
            return None;
        }
        self.take(prediction)
    }

    /// The pane the script interrupts now, before its next step, as Ctrl-C
    /// was pressed there when it was recorded. The front end interrupts it if
    /// it is still running (a pane already idle needs nothing).
    pub fn take_interrupt(&mut self) -> Option<String> {
        self.interrupts.pop_front()
    }

    fn take(&mut self, prediction: Option<Prediction>) -> Option<(String, String)> {
        let step = self.script.steps.get(self.next)?;
        let taken = (step.pane.clone(), step.statement.clone());
        // Ctrl-C on this step, then on the panes its `PANE =>` lines interrupt.
        if step.expected.as_ref().is_some_and(|(_, e)| is_interrupt(e)) {
            self.interrupts.push_back(step.pane.clone());
        }
        self.interrupts.extend(
            step.released
                .iter()
                .filter(|r| is_interrupt(&r.expected))
                .map(|r| r.pane.clone()),
        );
        self.asking = false;
        self.sent.push(Sent {
            step: 0,
            index: self.next,
            prediction,
            blocked: false,
        });
        if prediction.is_some() {
            self.asked += 1;
        }
        self.next += 1;
        Some(taken)
    }

    /// The step taken last was not sent after all (its pane was blocked):
    /// it stays next.
    pub fn put_back(&mut self) {
        if let Some(s) = self.sent.pop_if(|s| s.step == 0) {
            self.next = s.index;
            self.interrupts.clear();
            if s.prediction.is_some() {
                self.asked -= 1;
                self.asking = true;
            }
        }
    }

    /// The narration before the step taken last, as script lines (`# ...`, `#? ...`).
    pub fn taken_narration(&self) -> Vec<String> {
        let Some(sent) = self.sent.last().filter(|s| s.step == 0) else {
            return Vec::new();
        };
        self.script.steps[sent.index]
            .before
            .iter()
            .map(|n| match n {
                Narration::Note(t) => format!("# {t}"),
                Narration::Question(t) => format!("#? {t}"),
                Narration::WireQuestion(t) => format!("#?~ {t}"),
            })
            .collect()
    }

    /// The step taken last did not run as a step (a `use` line, a refused
    /// short form): it is done with.
    pub fn discard(&mut self) {
        if let Some(s) = self.sent.pop_if(|s| s.step == 0)
            && s.prediction.is_some()
        {
            self.asked -= 1;
        }
    }

    /// The step taken last runs as session step `step`.
    pub fn sent_as(&mut self, step: u64) {
        if let Some(s) = self.sent.last_mut().filter(|s| s.step == 0) {
            s.step = step;
        }
    }

    /// Step `step` has been running long enough to count as blocked.
    pub fn blocked(&mut self, step: u64) {
        if let Some(s) = self.sent.iter_mut().find(|s| s.step == step) {
            s.blocked = true;
        }
    }

    /// Step `step` finished with `outcome`, having been sent as `input`, and
    /// printed `stdout`; `wire`: the segments it sent, when the wire is
    /// watched (a question about the wire is judged by them, and not judged
    /// without them).
    pub fn finished(
        &mut self,
        step: u64,
        input: &str,
        outcome: &Outcome,
        stdout: &str,
        wire: Option<&[&Segment]>,
    ) -> Finished {
        let Some(at) = self.sent.iter().position(|s| s.step == step) else {
            return Finished::default();
        };
        let sent = self.sent.remove(at);
        let judged = sent.prediction.and_then(|predicted| {
            if !predicted.about_wire() {
                return Some((
                    predicted,
                    category_matches(predicted, sent.blocked, outcome),
                    describe(sent.blocked, outcome),
                ));
            }
            let Some(segments) = wire else {
                // Asked, but the wire was not watched: not counted.
                self.asked -= 1;
                return None;
            };
            Some((
                predicted,
                wire_matches(predicted, segments),
                describe_wire(segments),
            ))
        });
        let verdict = judged.map(|(predicted, right, actual)| {
            if right {
                self.right += 1;
            }
            Verdict {
                predicted,
                right,
                actual,
            }
        });
        // The script's word on the step: its `PANE =>` line when one speaks
        // of it (the outcome after it blocked), else its own `=>` line.
        let s = &self.script.steps[sent.index];
        let (expected, printed) = match self.released.get(&sent.index) {
            Some(r) => (Some(&r.expected), &r.printed),
            None => (s.expected.as_ref().map(|(_, e)| e), &s.printed),
        };
        let outcome_ok = expected.is_none_or(|expected| {
            satisfies(
                expected,
                &Observed {
                    input,
                    blocked: sent.blocked,
                    outcome: Some(outcome),
                },
                &self.ports,
            )
        });
        let printed_ok =
            printed.is_empty() || stdout.lines().eq(printed.iter().map(|p| p.as_str()));
        let expected_instead = (!outcome_ok || !printed_ok).then(|| {
            let mut said = expected.cloned().unwrap_or_default();
            if !printed_ok {
                if !said.is_empty() {
                    said.push_str(", ");
                }
                said.push_str(&format!("printing {:?}", printed.join("\n")));
            }
            said
        });
        Finished {
            verdict,
            expected_instead,
        }
    }

    /// `3 of 4 predictions right`, once something was asked.
    pub fn score(&self) -> Option<String> {
        (self.asked > 0).then(|| {
            format!(
                "{} of {} {} right",
                self.right,
                self.asked,
                if self.asked == 1 {
                    "prediction"
                } else {
                    "predictions"
                }
            )
        })
    }
}

/// Whether the outcome is what was predicted. A step that blocked and then
/// finished did both, so "blocks" and the kind of its outcome are both right.
fn category_matches(predicted: Prediction, blocked: bool, outcome: &Outcome) -> bool {
    if blocked && predicted == Prediction::Blocks {
        return true;
    }
    match outcome {
        Outcome::Error(e) if e.class == "KeyboardInterrupt" => predicted == Prediction::Blocks,
        Outcome::Error(_) => predicted == Prediction::Error,
        Outcome::Ok(repr) if repr == "b''" => predicted == Prediction::EmptyBytes,
        Outcome::Ok(_) => predicted == Prediction::Value,
    }
}

/// Whether the step's segments have what was predicted: none at all, or
/// one with a SYN, with data, with a FIN, with an RST.
fn wire_matches(predicted: Prediction, segments: &[&Segment]) -> bool {
    use crate::net::wire::{FIN, RST, SYN};
    match predicted {
        Prediction::Nothing => segments.is_empty(),
        Prediction::Syn => segments.iter().any(|s| s.has(SYN)),
        Prediction::Data => segments.iter().any(|s| s.len > 0),
        Prediction::Fin => segments.iter().any(|s| s.has(FIN)),
        Prediction::Rst => segments.iter().any(|s| s.has(RST)),
        _ => false,
    }
}

/// `sent nothing on the wire`, `put SYN, SYN-ACK, ACK on the wire`.
fn describe_wire(segments: &[&Segment]) -> String {
    if segments.is_empty() {
        return "sent nothing on the wire".into();
    }
    let mut kinds: Vec<String> = Vec::new();
    for s in segments {
        let mut name = s.flag_names();
        if s.len > 0 {
            name.push_str(&format!(" ({} bytes)", s.len));
        }
        if kinds.len() < 6 {
            kinds.push(name);
        }
    }
    let more = if segments.len() > kinds.len() {
        ", ..."
    } else {
        ""
    };
    format!("put {}{more} on the wire", kinds.join(", "))
}

fn describe(blocked: bool, outcome: &Outcome) -> String {
    let what = match outcome {
        Outcome::Error(e) if e.class == "KeyboardInterrupt" => "was interrupted".to_string(),
        Outcome::Error(e) => format!("raised {}", e.class),
        Outcome::Ok(repr) if repr == "b''" => "returned empty bytes".to_string(),
        Outcome::Ok(repr) => {
            let short: String = repr.chars().take(40).collect();
            let more = if short.len() < repr.len() { "..." } else { "" };
            format!("returned {short}{more}")
        }
    };
    if blocked {
        format!("blocked, then {what}")
    } else {
        what
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Exception;
    use crate::script::parse;

    fn lesson() -> Stepper {
        let script = parse(
            "# intro\nserver> s = 1\n# before\n#? error or b''?\nclient> c.recv(1)\n=> b''\n# the end\n",
        )
        .expect("valid");
        Stepper::new("t", script)
    }

    #[test]
    fn narration_question_and_score() {
        let mut s = lesson();
        assert_eq!(s.narration(), vec!["intro"]);
        assert_eq!(s.question(), None);
        assert_eq!(s.advance(), Some(("server".into(), "s = 1".into())));
        s.sent_as(1);
        assert_eq!(s.narration(), vec!["before"]);
        // The question stops the step until it is answered.
        assert_eq!(s.advance(), None);
        assert_eq!(s.asking(), Some("error or b''?"));
        assert_eq!(
            s.answer(Some(Prediction::Error)),
            Some(("client".into(), "c.recv(1)".into()))
        );
        s.sent_as(2);
        assert!(s.done());
        assert_eq!(s.narration(), vec!["the end"]);
        let f = s.finished(2, "c.recv(1)", &Outcome::Ok("b''".into()), "", None);
        let v = f.verdict.expect("a prediction was made");
        assert!(!v.right);
        assert_eq!(v.actual, "returned empty bytes");
        assert_eq!(f.expected_instead, None);
        assert_eq!(s.score().as_deref(), Some("0 of 1 prediction right"));
    }

    #[test]
    fn blocking_counts_for_blocks_and_for_the_final_outcome() {
        let timeout = Outcome::Error(Exception::new("TimeoutError", "timed out"));
        assert!(category_matches(Prediction::Blocks, true, &timeout));
        assert!(category_matches(Prediction::Error, true, &timeout));
        assert!(!category_matches(Prediction::Blocks, false, &timeout));
        let ki = Outcome::Error(Exception::keyboard_interrupt());
        assert!(category_matches(Prediction::Blocks, false, &ki));
    }

    #[test]
    fn an_outcome_other_than_the_script_says_is_reported() {
        let mut s = lesson();
        s.advance();
        s.sent_as(1);
        s.advance();
        s.answer(None);
        s.sent_as(2);
        let f = s.finished(2, "c.recv(1)", &Outcome::Ok("b'x'".into()), "", None);
        assert_eq!(f.verdict, None);
        assert_eq!(f.expected_instead.as_deref(), Some("b''"));
        assert_eq!(s.score(), None);
    }

    #[test]
    fn a_step_put_back_stays_next_with_its_question() {
        let mut s = lesson();
        s.advance();
        s.sent_as(1);
        s.advance();
        s.answer(Some(Prediction::Value));
        s.put_back();
        assert_eq!(s.progress(), (1, 2));
        assert_eq!(s.asking(), Some("error or b''?"));
        assert_eq!(s.asked, 0);
    }

    #[test]
    fn a_recording_is_stepped_with_its_released_outcomes_prints_and_interrupts() {
        let script = parse(
            "server> conn, addr = s.accept()\n=> blocked\nclient> c.connect(('127.0.0.1', 5000))\n=> None\nserver => (<socket.socket fd=4>, ('127.0.0.1', 40000))\nserver> print('got', 1)\n| got 1\n=> None\nclient> c.recv(10)\n=> blocked\nclient => KeyboardInterrupt\nserver> x = 1\n",
        )
        .expect("a recording per SPEC 4.1");
        let mut s = Stepper::new("rec.sp", script);
        assert_eq!(s.take_interrupt(), None);
        s.advance();
        s.sent_as(1);
        s.blocked(1);
        s.advance();
        s.sent_as(2);
        assert_eq!(
            s.finished(
                2,
                "c.connect(('127.0.0.1', 5000))",
                &Outcome::Ok("None".into()),
                "",
                None
            )
            .expected_instead,
            None
        );
        // The accept is judged by the `server =>` line that released it.
        let accepted = Outcome::Ok("(<socket.socket fd=5>, ('127.0.0.1', 40001))".into());
        assert_eq!(
            s.finished(1, "conn, addr = s.accept()", &accepted, "", None)
                .expected_instead,
            None
        );
        let f = s.finished(
            1,
            "conn, addr = s.accept()",
            &Outcome::Ok("None".into()),
            "",
            None,
        );
        assert_eq!(f, Finished::default(), "a step is judged once");
        // Printed text is compared with the `|` lines.
        s.advance();
        s.sent_as(3);
        let f = s.finished(
            3,
            "print('got', 1)",
            &Outcome::Ok("None".into()),
            "got 2\n",
            None,
        );
        assert_eq!(
            f.expected_instead.as_deref(),
            Some("None, printing \"got 1\"")
        );
        // The recv was interrupted: the script presses Ctrl-C before its next step.
        s.advance();
        s.sent_as(4);
        assert_eq!(s.take_interrupt().as_deref(), Some("client"));
        assert_eq!(s.take_interrupt(), None);
        let ki = Outcome::Error(Exception::keyboard_interrupt());
        assert_eq!(
            s.finished(4, "c.recv(10)", &ki, "", None).expected_instead,
            None
        );
    }

    fn segment(flags: u8, len: usize) -> Segment {
        use crate::net::wire::{Numbering, Packet};
        Numbering::default().segment(Packet::tcp(40000, 5000, flags, 1, 1, len), false)
    }

    #[test]
    fn a_question_about_the_wire_is_judged_by_the_steps_segments() {
        use crate::net::wire::{ACK, FIN, SYN};
        let script = parse(
            "server> s = 1\n#?~ what goes out?\nserver> c.connect(a)\n#?~ and now?\nserver> conn.close()\n#?~ and then?\nserver> x = 2\n",
        )
        .expect("parses");
        let mut s = Stepper::new("t", script);
        assert!(s.asks_about_wire());
        s.advance();
        s.sent_as(1);
        assert!(s.wire_question());
        assert_eq!(s.advance(), None);
        s.answer(Some(Prediction::Syn));
        s.sent_as(2);
        let (syn, syn_ack) = (segment(SYN, 0), segment(SYN | ACK, 0));
        let f = s.finished(
            2,
            "c.connect(a)",
            &Outcome::Ok("None".into()),
            "",
            Some(&[&syn, &syn_ack]),
        );
        let v = f.verdict.expect("judged");
        assert!(v.right);
        assert_eq!(v.actual, "put SYN, SYN-ACK on the wire");
        // Predicted nothing; a FIN went out.
        s.advance();
        s.answer(Some(Prediction::Nothing));
        s.sent_as(3);
        let fin = segment(FIN | ACK, 0);
        let v = s
            .finished(
                3,
                "conn.close()",
                &Outcome::Ok("None".into()),
                "",
                Some(&[&fin]),
            )
            .verdict
            .expect("judged");
        assert!(!v.right);
        // Without the wire view the question is not counted.
        s.advance();
        s.answer(Some(Prediction::Data));
        s.sent_as(4);
        let f = s.finished(4, "x = 2", &Outcome::Ok("None".into()), "", None);
        assert_eq!(f.verdict, None);
        assert_eq!(s.score().as_deref(), Some("1 of 2 predictions right"));
        assert_eq!(Prediction::from_wire_key('5'), Some(Prediction::Rst));
        assert_eq!(Prediction::from_wire_key('6'), None);
    }
}
