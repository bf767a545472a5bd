//! The wire lane under the panes: each step's segments in the order they
//! were sent, drawn as arrows from the pane that sent them to the other
//! (left pane on the left). Bounded; no terminal here.

use std::collections::VecDeque;

use crate::net::wire::Segment;
use crate::session::StepInfo;

/// Rows kept: past it the oldest go (a step's flood is summarised already).
const ROWS_KEPT: usize = 2000;

/// One row of the lane.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// The step the segments under it belong to: `5 client  c.connect(...)`.
    Step {
        step: u64,
        pane: String,
        input: String,
    },
    /// Segments that came while no step ran (a delayed ACK, a timer).
    Later,
    Segment(Segment),
    /// A line of its own: `(a Unix socket: no wire)`.
    Note(String),
}

#[derive(Debug, Default)]
pub struct Lane {
    /// Shown under the panes (F3).
    pub shown: bool,
    pub rows: VecDeque<Row>,
    /// Rows scrolled back from the newest (the panes' scroll keys move it too).
    pub scroll: usize,
    /// The step whose header is the last row group, so that segments of the
    /// same step that come in pieces (a blocked step's) share it.
    last_step: Option<u64>,
}

impl Lane {
    fn push(&mut self, row: Row) {
        if self.rows.len() >= ROWS_KEPT {
            self.rows.pop_front();
        }
        self.rows.push_back(row);
    }

    /// Segments of step `info` (None: late ones, sent while no step ran).
    pub fn add(&mut self, info: Option<&StepInfo>, segments: &[Segment]) {
        if segments.is_empty() {
            return;
        }
        match info {
            Some(i) if self.last_step != Some(i.step) => {
                let input = i.input.lines().next().unwrap_or("").to_string();
                self.push(Row::Step {
                    step: i.step,
                    pane: i.pane.to_string(),
                    input,
                });
                self.last_step = Some(i.step);
            }
            Some(_) => {}
            None => {
                self.push(Row::Later);
                self.last_step = None;
            }
        }
        for s in segments {
            self.push(Row::Segment(s.clone()));
        }
    }

    /// A note under step `info` (`(a Unix socket: no wire)`).
    pub fn note(&mut self, info: &StepInfo, text: &str) {
        if self.last_step != Some(info.step) {
            self.push(Row::Step {
                step: info.step,
                pane: info.pane.to_string(),
                input: info.input.lines().next().unwrap_or("").to_string(),
            });
            self.last_step = Some(info.step);
        }
        self.push(Row::Note(text.to_string()));
    }

    /// The segments of `step` in the lane (the last group's, if it is `step`'s).
    pub fn segments_of(&self, step: u64) -> Vec<&Segment> {
        if self.last_step != Some(step) {
            return Vec::new();
        }
        let mut segments: Vec<&Segment> = self
            .rows
            .iter()
            .rev()
            .take_while(|r| !matches!(r, Row::Step { .. }))
            .filter_map(|r| match r {
                Row::Segment(s) => Some(s),
                _ => None,
            })
            .collect();
        // In the order sent.
        segments.reverse();
        segments
    }

    /// Whether segments of `step` are in the lane (the last group's).
    pub fn has_segments(&self, step: u64) -> bool {
        self.last_step == Some(step)
            && self
                .rows
                .iter()
                .rev()
                .take_while(|r| !matches!(r, Row::Step { .. }))
                .any(|r| matches!(r, Row::Segment(_)))
    }

    pub fn scroll_by(&mut self, lines: isize, visible: usize) {
        let max = self.rows.len().saturating_sub(visible);
        self.scroll = self.scroll.saturating_add_signed(lines).min(max);
    }
}

/// A segment as an arrow `width` columns wide between the left pane and the
/// other end: `#1 server ◀──── SYN seq 0 win 65495 ───── client`.
pub fn arrow(s: &Segment, left: &str, width: usize) -> String {
    let number = if s.count > 1 {
        format!("#{}…", s.number)
    } else {
        format!("#{}", s.number)
    };
    let rightward = s.from == left || (s.to != left && s.from < s.to);
    let (l, r) = if rightward {
        (&s.from, &s.to)
    } else {
        (&s.to, &s.from)
    };
    let label = format!(" {} ", s.fields());
    let used = number.chars().count() + l.chars().count() + r.chars().count() + 4;
    let room = width.saturating_sub(used);
    let label_len = label.chars().count();
    let dashes = room.saturating_sub(label_len).max(4);
    let (before, after) = (dashes / 2, dashes - dashes / 2);
    let line = |n: usize| "─".repeat(n);
    if rightward {
        format!(
            "{number} {l} {}{label}{}▶ {r}",
            line(before.max(2)),
            line(after.max(2))
        )
    } else {
        format!(
            "{number} {l} ◀{}{label}{} {r}",
            line(before.max(2)),
            line(after.max(2))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::wire::{Numbering, Packet, SYN};

    fn syn(from: &str, to: &str) -> Segment {
        let mut s = Numbering::default().segment(Packet::tcp(40000, 5000, SYN, 9, 0, 0), false);
        s.from = from.into();
        s.to = to.into();
        s
    }

    #[test]
    fn an_arrow_points_the_way_the_segment_went() {
        let to_left = arrow(&syn("client", "server"), "server", 70);
        assert!(to_left.starts_with("#1 server ◀"), "{to_left}");
        assert!(to_left.ends_with(" client"), "{to_left}");
        assert!(to_left.contains(" SYN seq 0 win 65495 "), "{to_left}");
        let to_right = arrow(&syn("server", "client"), "server", 70);
        assert!(to_right.contains("▶ client"), "{to_right}");
        assert_eq!(to_right.chars().count(), 70, "{to_right}");
    }

    #[test]
    fn the_lane_heads_each_steps_segments_once_and_keeps_a_bounded_history() {
        let mut lane = Lane::default();
        let info = StepInfo {
            step: 5,
            pane: "client".into(),
            input: "c.connect(('127.0.0.1', 5000))".into(),
            typed: None,
        };
        lane.add(Some(&info), &[syn("client", "server")]);
        lane.add(Some(&info), &[syn("server", "client")]);
        let of_5: Vec<&str> = lane
            .segments_of(5)
            .iter()
            .map(|s| s.from.as_str())
            .collect();
        assert_eq!(of_5, ["client", "server"], "in the order sent");
        assert!(lane.has_segments(5) && lane.segments_of(4).is_empty());
        lane.add(None, &[syn("client", "server")]);
        let heads = lane
            .rows
            .iter()
            .filter(|r| matches!(r, Row::Step { .. }))
            .count();
        assert_eq!(heads, 1);
        assert!(lane.rows.contains(&Row::Later));
        for _ in 0..3000 {
            lane.add(None, &[syn("client", "server")]);
        }
        assert_eq!(lane.rows.len(), ROWS_KEPT);
    }
}
