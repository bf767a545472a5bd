//! `sockplay export`: a script as runnable Python (one program per pane, to
//! run in terminals side by side) or as a two-column Markdown write-up.
//! Nothing runs here; the outcomes shown are the script's `=>` lines.

use std::collections::{BTreeSet, HashMap};

use crate::check::expected_exception;
use crate::lang::parser::parse_statement;
use crate::lang::shortform::{self, Context, Line};
use crate::lang::{ast::Stmt, ast::Target, lexer::Tok, lexer::tokenize};
use crate::script::{Narration, Script, ScriptStep};
use crate::value::repr::str_repr;

/// One step as exported: its pane, its Python form (or why it has none), and
/// its recorded outcome.
struct Step<'a> {
    number: usize,
    pane: &'a str,
    python: Result<String, String>,
    expected: Option<&'a str>,
    /// The outcome it reached later (`PANE =>`), when it was recorded blocked.
    released: Option<&'a str>,
    /// What it printed (`|` lines), where it finished.
    printed: Vec<&'a str>,
    before: &'a [Narration],
}

impl Step<'_> {
    /// The outcome it ended with: the released one, else its `=>` line.
    fn outcome(&self) -> Option<&str> {
        self.released.or(self.expected)
    }
}

/// Text of a script (narration, statements, outcomes) as it may stand in a
/// comment or a cell: control characters, CR and U+2028 escaped, so that no
/// narration can become code.
fn inert(text: &str) -> String {
    crate::display::escape(text)
}

/// What the short forms need to know of a pane, followed through the script
/// without running it: the names it binds and its latest socket.
#[derive(Default)]
struct PaneState {
    names: BTreeSet<String>,
    current: Option<(String, i32)>,
}

impl PaneState {
    fn follow(&mut self, stmt: &Stmt, python: &str) {
        let makes_socket = [
            "socket(",
            "accept()",
            "create_connection(",
            "create_server(",
        ]
        .iter()
        .any(|m| python.contains(m));
        let family = if python.contains("AF_INET6") {
            libc::AF_INET6
        } else if python.contains("AF_UNIX") {
            libc::AF_UNIX
        } else {
            libc::AF_INET
        };
        match stmt {
            Stmt::Assign(targets, _) => {
                for t in targets {
                    let names = t.names();
                    if makes_socket && let Some(first) = names.first() {
                        self.current = Some((first.to_string(), family));
                    }
                    self.names.extend(names.iter().map(|n| n.to_string()));
                }
            }
            Stmt::AugAssign(target, ..) => {
                self.names
                    .extend(target.names().iter().map(|n| n.to_string()));
            }
            Stmt::Import(mods) => self.names.extend(mods.iter().cloned()),
            Stmt::FromImport(_, items) => {
                self.names
                    .extend(items.iter().map(|(_, alias)| alias.clone()));
            }
            Stmt::Del(targets) => {
                for n in targets.iter().flat_map(|t| t.names()) {
                    self.names.remove(n);
                }
            }
            // A block's names never change the current socket (SPEC 2.3).
            _ => {}
        }
    }
}

/// The Python form of every step, short forms expanded as far as the script
/// alone tells.
fn steps(script: &Script) -> Vec<Step<'_>> {
    let mut panes: HashMap<&str, PaneState> = HashMap::new();
    let mut out = Vec::new();
    // Each `PANE =>` line speaks of the last step of PANE before it.
    let released = script.released_steps();
    for (i, s) in script.steps.iter().enumerate() {
        let state = panes.entry(s.pane.as_str()).or_default();
        let python = python_form(s, state);
        if let Ok(p) = &python
            && let Ok(stmt) = parse_statement(p)
        {
            state.follow(&stmt, p);
        }
        let later = released.get(&i);
        out.push(Step {
            number: i + 1,
            pane: &s.pane,
            python,
            expected: s.expected.as_ref().map(|(_, e)| e.as_str()),
            released: later.map(|r| r.expected.as_str()),
            printed: s
                .printed
                .iter()
                .chain(later.iter().flat_map(|r| r.printed.iter()))
                .map(String::as_str)
                .collect(),
            before: &s.before,
        });
    }
    out
}

fn python_form(s: &ScriptStep, state: &mut PaneState) -> Result<String, String> {
    let is_bound = |n: &str| state.names.contains(n);
    let ctx = Context {
        pane: &s.pane,
        current: state.current.as_ref().map(|(n, f)| (n.as_str(), *f)),
        is_bound: &is_bound,
    };
    let python = match shortform::expand(&s.statement, &ctx) {
        Line::Python(p) | Line::Expanded { python: p, .. } => p,
        Line::Use(name) => {
            let family = state.current.as_ref().map_or(libc::AF_INET, |c| c.1);
            state.current = Some((name.clone(), family));
            return Err(format!("use {name}: the short forms now act on {name}"));
        }
        Line::Refused(reason) => return Err(reason),
    };
    match parse_statement(&python) {
        Ok(_) => Ok(python),
        Err(e) => Err(format!("{}: {}", e.class, e.message)),
    }
}

/// Why the playground would refuse a statement that Python would run (a
/// builtin it does not have, such as `open`, `exec` or `__import__`, or a
/// dunder attribute), if it would: such a statement is never exported into
/// a program the user will run.
fn refused_by_playground(python: &str, bound: &BTreeSet<String>) -> Option<String> {
    use crate::lang::ast::Expr;
    let stmt = parse_statement(python).ok()?;
    let mut todo: Vec<&Expr> = stmt.expr().into_iter().collect();
    while let Some(e) = todo.pop() {
        match e {
            Expr::Name(n)
                if !bound.contains(n)
                    && crate::value::Builtin::by_name(n).is_none()
                    && (n.starts_with("__")
                        || crate::interp::python_names::BUILTINS.contains(&n.as_str())) =>
            {
                return Some(format!(
                    "the builtin '{n}' is not supported in the playground"
                ));
            }
            Expr::Attr(_, a) if a.starts_with("__") => {
                return Some(format!(
                    "the attribute '{a}' is not supported in the playground"
                ));
            }
            _ => {}
        }
        todo.extend(e.children());
    }
    None
}

/// The steps a Python export must refuse: (line, statement, why).
pub fn refused_steps(script: &Script) -> Vec<(usize, String, String)> {
    let mut bound: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut out = Vec::new();
    for (s, step) in script.steps.iter().zip(steps(script)) {
        let names = bound.entry(s.pane.as_str()).or_default();
        if let Ok(python) = &step.python {
            if let Some(why) = refused_by_playground(python, names) {
                out.push((s.line, python.clone(), why));
            }
            if let Ok(Stmt::Assign(targets, _)) = parse_statement(python) {
                names.extend(targets.iter().flat_map(|t| t.names()).map(str::to_string));
            }
        }
    }
    out
}

/// The panes: server and client first, as in the interface, then the others
/// in the order they appear.
fn pane_names(script: &Script) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for s in &script.steps {
        if !names.contains(&s.pane.as_str()) {
            names.push(&s.pane);
        }
    }
    names.sort_by_key(|n| match *n {
        "server" => 0,
        "client" => 1,
        _ => 2,
    });
    names
}

/// How a program names an exception class.
fn python_class(class: &str) -> String {
    match class {
        "gaierror" | "herror" | "timeout" | "error" => format!("socket.{class}"),
        other => other.to_string(),
    }
}

/// The statement with its value shown: `x = show(expr)`, `show(expr)`.
fn shown(python: &str) -> String {
    let Ok(stmt) = parse_statement(python) else {
        return python.to_string();
    };
    match stmt {
        Stmt::Expr(_) => format!("show({python})"),
        Stmt::Assign(..) => match last_assignment(python) {
            Some(at) => format!(
                "{} = show({})",
                python[..at].trim_end(),
                python[at + 1..].trim()
            ),
            None => python.to_string(),
        },
        Stmt::AugAssign(Target::Name(name), ..) => format!("{python}\nshow({name})"),
        _ => python.to_string(),
    }
}

/// The byte offset of the `=` that ends the targets of an assignment.
fn last_assignment(python: &str) -> Option<usize> {
    let tokens = tokenize(python).ok()?;
    let mut depth = 0i32;
    let mut last = None;
    for t in &tokens {
        match &t.kind {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op(")" | "]" | "}") => depth -= 1,
            Tok::Op("=") if depth == 0 => last = Some(t.col),
            _ => {}
        }
    }
    // Columns count characters from 1.
    let col = last?;
    python.char_indices().nth(col - 1).map(|(i, _)| i)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One Python program per pane: (pane, program text).
pub fn to_python(script: &Script, name: &str) -> Vec<(String, String)> {
    let steps = steps(script);
    let panes = pane_names(script);
    let mut programs = Vec::new();
    for pane in &panes {
        let others: Vec<&str> = panes.iter().filter(|p| *p != pane).copied().collect();
        let mut out = String::new();
        out.push_str(&format!(
            "# {pane}.py: the {pane} pane of {name}, exported by sockplay.\n"
        ));
        if !others.is_empty() {
            out.push_str(&format!(
                "# Run it in one terminal and {} in another, side by side. Each step\n# prints its outcome; input() waits where another program must act first.\n",
                others
                    .iter()
                    .map(|o| format!("{o}.py"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out.push_str(
            "import select\nimport socket\n\n\ndef show(value):\n    \"\"\"Prints a step's value, as sockplay shows it.\"\"\"\n    print(repr(value))\n    return value\n\n",
        );
        let mut previous: Option<&Step> = None;
        for step in &steps {
            if step.pane != *pane {
                previous = Some(step);
                continue;
            }
            out.push('\n');
            if let Some(p) = previous.filter(|p| p.pane != *pane) {
                let what = p.python.as_deref().unwrap_or("its step");
                let reached = if p.expected == Some("blocked") {
                    "is blocked in"
                } else {
                    "has run"
                };
                let prompt = format!(
                    "[{pane}] press Enter once {} {reached} step {}: {what} ",
                    p.pane, p.number
                );
                out.push_str(&format!("input({})\n", str_repr(&prompt)));
            }
            for n in step.before {
                match n {
                    Narration::Note(t) => out.push_str(&format!("# {}\n", inert(t))),
                    Narration::Question(t) | Narration::WireQuestion(t) => {
                        out.push_str(&format!("# Question: {}\n", inert(t)))
                    }
                }
            }
            previous = Some(step);
            let python = match &step.python {
                Ok(p) => p,
                Err(why) => {
                    out.push_str(&format!(
                        "# step {}: {} (left out: {})\n",
                        step.number,
                        inert(step_text(script, step)),
                        inert(why)
                    ));
                    continue;
                }
            };
            // Echoed as Python's REPL shows it: `>>> ` then `... ` on each further line.
            let echo = format!(">>> {}", python.replace('\n', "\n... "));
            out.push_str(&format!("print({})\n", str_repr(&echo)));
            let body = shown(python);
            match step.outcome().and_then(expected_exception) {
                Some(class) => {
                    let class = python_class(class);
                    out.push_str(&format!("try:\n{}\n", indent(&body)));
                    if class == "KeyboardInterrupt" {
                        out.push_str("except KeyboardInterrupt:  # the session interrupted it: press Ctrl-C\n    print(\"KeyboardInterrupt\")\n");
                    } else {
                        out.push_str(&format!(
                            "except {class} as e:\n    print(f\"{{type(e).__name__}}: {{e}}\")\n"
                        ));
                    }
                }
                None => {
                    out.push_str(&body);
                    out.push('\n');
                }
            }
            if let Some(e) = step.expected {
                out.push_str(&format!("# => {}\n", inert(e)));
            }
            if let Some(r) = step.released {
                out.push_str(&format!("# => then: {}\n", inert(r)));
            }
            for p in &step.printed {
                out.push_str(&format!("# | {}\n", inert(p)));
            }
        }
        // Its sockets close when the program ends: it waits until the other
        // programs have done what the session did after its last step.
        if let Some(last) = steps.last().filter(|l| l.pane != *pane)
            && steps.iter().any(|s| s.pane == *pane)
        {
            let what = last.python.as_deref().unwrap_or("its step");
            let prompt = format!(
                "[{pane}] press Enter once {} has run step {}: {what} ",
                last.pane, last.number
            );
            out.push_str(&format!(
                "\n# The end: this program's sockets close when it ends, so it waits for {}.\ninput({})\n",
                last.pane,
                str_repr(&prompt)
            ));
        }
        if !script.after.is_empty() && panes.last() == Some(pane) {
            out.push('\n');
            for n in &script.after {
                out.push_str(&format!("# {}\n", inert(n.text())));
            }
        }
        programs.push((pane.to_string(), out));
    }
    programs
}

fn step_text<'a>(script: &'a Script, step: &Step) -> &'a str {
    &script.steps[step.number - 1].statement
}

/// A Markdown code span that survives a table cell.
fn code(text: &str) -> String {
    // A statement of several lines: a span per line, as a cell holds one row.
    if text.contains('\n') {
        return text.lines().map(code).collect::<Vec<_>>().join("<br>");
    }
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// A statement of several lines on one: its lines joined by a space.
fn one_line(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// The script as a Markdown write-up: a table with a column per pane, rows in
/// step order, each outcome under its statement, narration between the rows.
pub fn to_markdown(script: &Script, name: &str) -> String {
    let steps = steps(script);
    let panes = pane_names(script);
    let header = format!(
        "| step | {} |\n|---:|{}\n",
        panes.join(" | "),
        "---|".repeat(panes.len())
    );
    let mut out = format!("# {name}\n\n");
    let mut in_table = false;
    for step in &steps {
        let notes: Vec<String> = step
            .before
            .iter()
            .map(|n| match n {
                Narration::Note(t) => inert(t),
                Narration::Question(t) => format!("**Question:** {}", inert(t)),
                Narration::WireQuestion(t) => format!("**Question (the wire):** {}", inert(t)),
            })
            .collect();
        if !notes.is_empty() {
            if in_table {
                out.push('\n');
            }
            for n in notes {
                out.push_str(&format!("{n}\n\n"));
            }
            in_table = false;
        }
        if !in_table {
            out.push_str(&header);
            in_table = true;
        }
        let mut cell = match &step.python {
            Ok(p) => code(p),
            Err(_) => code(step_text(script, step)),
        };
        for p in &step.printed {
            cell.push_str(&format!("<br>prints {}", code(&inert(p))));
        }
        if let Some(e) = step.outcome() {
            let blocked = if step.released.is_some() {
                "blocked, then "
            } else {
                ""
            };
            cell.push_str(&format!("<br>→ {blocked}{}", code(&inert(e))));
        }
        let cells: Vec<String> = panes
            .iter()
            .map(|p| {
                if *p == step.pane {
                    cell.clone()
                } else {
                    String::new()
                }
            })
            .collect();
        out.push_str(&format!("| {} | {} |\n", step.number, cells.join(" | ")));
    }
    if !script.after.is_empty() {
        out.push('\n');
        for n in &script.after {
            out.push_str(&format!("{}\n\n", inert(n.text())));
        }
    }
    out.push_str("\n## Sequence\n\n");
    out.push_str(&sequence_diagram(script, &steps, &panes));
    out
}

/// The most events a diagram draws; the rest is cut with a note.
const MAX_EVENTS: usize = 60;

/// Text a Mermaid message can hold: one line, no `;` or `#`, at most 60 characters.
fn label(text: &str) -> String {
    let text: String = inert(&one_line(text)).replace(';', ",").replace('#', "");
    let text = if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    };
    // `<socket.socket ...>` would read as markup: Mermaid's entity codes instead.
    text.replace('<', "#60;").replace('>', "#62;")
}

/// The bytes a send-like statement sends, when its data is a literal.
fn literal_len(python: &str) -> Option<usize> {
    let stmt = parse_statement(python).ok()?;
    let mut todo: Vec<&crate::lang::ast::Expr> = stmt.expr().into_iter().collect();
    while let Some(e) = todo.pop() {
        if let crate::lang::ast::Expr::Lit(crate::value::Value::Bytes(b)) = e {
            return Some(b.len());
        }
        todo.extend(e.children());
    }
    None
}

/// A Mermaid sequence diagram of the session: a lifeline per pane, an arrow
/// for each step that reaches the other side (connect, send, close, a step
/// that releases a blocked one), what a receive got as a note (`b''` is the
/// peer's FIN, ConnectionResetError its RST), and blocked time as an
/// activation. Past `MAX_EVENTS` it is cut, with a note saying how much.
/// A recorded segment `#4 client → server PSH-ACK seq 1 ...` as (from, to,
/// `#4 PSH-ACK seq 1 ...`).
fn wire_segment(line: &str) -> Option<(&str, &str, String)> {
    let (number, rest) = line.split_once(' ')?;
    let (from, rest) = rest.split_once(" → ")?;
    let (to, fields) = rest.split_once(' ')?;
    let number = number.trim_start_matches('#');
    Some((from, to, format!("segment {number}: {fields}")))
}

fn sequence_diagram(script: &Script, steps: &[Step], panes: &[&str]) -> String {
    let mut events: Vec<String> = Vec::new();
    let other = |pane: &str, from: usize| -> Option<String> {
        // The pane that acts next, else the first other pane.
        steps[from..]
            .iter()
            .map(|s| s.pane)
            .chain(panes.iter().copied())
            .find(|p| *p != pane)
            .map(str::to_string)
    };
    let mut active: Vec<String> = Vec::new();
    // A recording made with the wire view draws the segments themselves
    // instead of what the calls imply.
    let has_wire = script.steps.iter().any(|s| !s.wire.is_empty());
    let mut outside = false;
    for (i, (step, s)) in steps.iter().zip(&script.steps).enumerate() {
        let Ok(python) = &step.python else { continue };
        let n = step.number;
        let pane = step.pane;
        let calls =
            |m: &str| python.contains(&format!(".{m}(")) || python.contains(&format!("{m}("));
        let outcome = step.outcome().unwrap_or("");
        for segment in &s.wire {
            if let Some((from, to, what)) = wire_segment(segment) {
                let end = |p: &str| {
                    if panes.contains(&p) {
                        p.to_string()
                    } else {
                        "outside".to_string()
                    }
                };
                outside |= !panes.contains(&from) || !panes.contains(&to);
                let arrow = if what.contains("SYN") || what.contains("FIN") || what.contains("RST")
                {
                    "-)"
                } else {
                    "->>"
                };
                events.push(format!(
                    "    {}{arrow}{}: {}",
                    end(from),
                    end(to),
                    label(&what)
                ));
            }
        }
        if has_wire {
            // Drawn from the segments above.
        } else if let Some(peer) = other(pane, i + 1) {
            if calls("connect") || calls("create_connection") {
                events.push(format!("    {pane}->>{peer}: {n}. {} (SYN)", label(python)));
            } else if calls("sendall") || calls("send") || calls("sendto") {
                let bytes = outcome
                    .parse::<usize>()
                    .ok()
                    .or_else(|| literal_len(python))
                    .map_or(String::new(), |b| format!(" ({b} bytes)"));
                events.push(format!(
                    "    {pane}->>{peer}: {n}. {}{bytes}",
                    label(python)
                ));
            } else if calls("close") || calls("shutdown") {
                events.push(format!(
                    "    {pane}-->>{peer}: {n}. {} (FIN)",
                    label(python)
                ));
            }
        }
        if calls("recv") || calls("recvfrom") {
            let what = if outcome == "b''" {
                "b'' - the peer closed (FIN)".to_string()
            } else if outcome.starts_with("ConnectionResetError") {
                "ConnectionResetError - the peer reset (RST)".to_string()
            } else if outcome.starts_with("b'") || outcome.starts_with("b\"") {
                format!("got {}", label(outcome))
            } else {
                String::new()
            };
            if !what.is_empty() {
                events.push(format!("    Note over {pane}: {n}. {what}"));
            }
        }
        if step.expected == Some("blocked") {
            events.push(format!("    activate {pane}"));
            events.push(format!(
                "    Note over {pane}: {n}. {} blocks",
                label(python)
            ));
            active.push(pane.to_string());
        }
        for r in &s.released {
            if active.contains(&r.pane) {
                events.push(format!(
                    "    {pane}->>{}: {n}. releases it: {}",
                    r.pane,
                    label(&r.expected)
                ));
                events.push(format!("    deactivate {}", r.pane));
                active.retain(|p| *p != r.pane);
            }
        }
    }
    let mut out = String::from("```mermaid\nsequenceDiagram\n");
    for p in panes {
        out.push_str(&format!("    participant {p}\n"));
    }
    if outside {
        out.push_str("    participant outside as an address outside the session\n");
    }
    let cut = events.len().saturating_sub(MAX_EVENTS);
    for e in events.iter().take(MAX_EVENTS) {
        out.push_str(e);
        out.push('\n');
    }
    if cut > 0 {
        // Close what the cut leaves open, so the diagram still renders.
        let open: Vec<&str> = events
            .iter()
            .take(MAX_EVENTS)
            .fold(Vec::new(), |mut open, e| {
                if let Some(p) = e.trim().strip_prefix("activate ") {
                    open.push(p);
                } else if let Some(p) = e.trim().strip_prefix("deactivate ")
                    && let Some(at) = open.iter().position(|o| *o == p)
                {
                    open.remove(at);
                }
                open
            });
        for p in open {
            out.push_str(&format!("    deactivate {p}\n"));
        }
        let span = if panes.len() > 1 {
            format!("{},{}", panes[0], panes[panes.len() - 1])
        } else {
            panes.first().copied().unwrap_or("server").to_string()
        };
        out.push_str(&format!(
            "    Note over {span}: {cut} more events not drawn (the table above has every step)\n"
        ));
    }
    out.push_str("```\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::parse;

    #[test]
    fn assignments_show_their_value_and_errors_are_caught() {
        let s = parse("# hi\nserver> a, b = s.accept()\nclient> c.recv(1)\n=> BlockingIOError\nclient> x = (1, [2])\n").expect("valid");
        let programs = to_python(&s, "t.sp");
        let (_, server) = &programs[0];
        assert!(server.contains("a, b = show(s.accept())"), "{server}");
        let (_, client) = &programs[1];
        assert!(
            client.contains(
                "input('[client] press Enter once server has run step 1: a, b = s.accept() ')"
            ),
            "{client}"
        );
        assert!(
            client.contains("try:\n    show(c.recv(1))\nexcept BlockingIOError as e:"),
            "{client}"
        );
        assert!(client.contains("# => BlockingIOError"));
        assert!(client.contains("x = show((1, [2]))"), "{client}");
    }

    #[test]
    fn short_forms_are_expanded_from_the_script_alone() {
        let s = parse("server> socket\nserver> bind 5678\nserver> listen\n").expect("valid");
        let (_, server) = &to_python(&s, "t.sp")[0];
        assert!(
            server.contains("server.bind(('127.0.0.1', 5678))"),
            "{server}"
        );
        assert!(server.contains("server.listen()"), "{server}");
    }

    #[test]
    fn markdown_has_a_column_per_pane_and_narration_between() {
        let s = parse("# intro\nserver> s.listen()\n=> None\n# then\nclient> x = a | b\n")
            .expect("valid");
        let md = to_markdown(&s, "t.sp");
        assert!(md.starts_with("# t.sp\n\nintro\n\n| step | server | client |\n|---:|---|---|\n| 1 | `s.listen()`<br>→ `None` |  |\n"), "{md}");
        assert!(md.contains("\nthen\n\n| step | server | client |"), "{md}");
        assert!(md.contains("| 2 |  | `x = a \\| b` |"), "{md}");
    }

    #[test]
    fn narration_never_becomes_code() {
        let s = parse("# one\rimport os; os.system('x')\u{2028}two\x1b[31m\nserver> x = 1\n")
            .expect("valid");
        let (_, server) = &to_python(&s, "t.sp")[0];
        for line in server.lines() {
            assert!(
                line.is_empty() || !line.starts_with("import os"),
                "a line of narration became code: {server}"
            );
        }
        assert!(!server.contains('\r') && !server.contains('\u{2028}') && !server.contains('\x1b'));
        assert!(server.contains("# one\\rimport os"), "{server}");
        let md = to_markdown(&s, "t.sp");
        assert!(!md.contains('\r') && !md.contains('\x1b'), "{md}");
    }

    #[test]
    fn refused_statements_are_named_with_their_line() {
        let s = parse("server> x = 1\nserver> open('/etc/passwd')\nserver> __import__('os')\nserver> x.__class__\nserver> open = 5\nserver> open\n")
            .expect("valid");
        let refused = refused_steps(&s);
        let lines: Vec<usize> = refused.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![2, 3, 4], "{refused:?}");
        assert!(refused[0].2.contains("'open'"));
    }

    #[test]
    fn released_outcomes_and_printed_text_are_shown() {
        let s = parse("server> conn, addr = srv.accept()\n=> blocked\nclient> c.connect(a)\n=> None\nserver => (1, 2)\nserver> print('Received', 5)\n=> None\n| Received 5\nclient> c.recv(1)\n=> blocked\nserver> conn.close()\n=> None\nclient => ConnectionResetError: [Errno 104] Connection reset by peer\n")
            .expect("valid");
        let programs = to_python(&s, "t.sp");
        let (_, server) = &programs[0];
        assert!(
            server.contains("# => blocked\n# => then: (1, 2)"),
            "{server}"
        );
        assert!(server.contains("# | Received 5"), "{server}");
        let (_, client) = &programs[1];
        assert!(
            client.contains("try:\n    show(c.recv(1))\nexcept ConnectionResetError as e:"),
            "the released exception is caught: {client}"
        );
        let md = to_markdown(&s, "t.sp");
        assert!(md.contains("→ blocked, then `(1, 2)`"), "{md}");
        assert!(md.contains("prints `Received 5`"), "{md}");
    }

    #[test]
    fn a_recording_with_the_wire_draws_its_segments() {
        let s = parse("server> srv = socket.create_server(('127.0.0.1', 5678))\n=> None\nclient> c = socket.create_connection(('127.0.0.1', 5678))\n=> None\n#~ #1 client → server SYN seq 0 win 65495\n#~ #2 server → client SYN-ACK seq 0 ack 1 win 65483\n#~ #3 client → server ACK seq 1 ack 1 win 65536\nclient> c2 = socket.create_connection(('127.0.0.1', 9))\n=> ConnectionRefusedError: [Errno 111] Connection refused\n#~ #4 client → 127.0.0.1:9 SYN seq 0 win 65495\n#~ #5 127.0.0.1:9 → client RST-ACK seq 0 ack 1 win 0\n")
            .expect("valid");
        assert_eq!(s.steps[1].wire.len(), 3);
        let md = to_markdown(&s, "t.sp");
        let diagram = &md[md.find("```mermaid\nsequenceDiagram\n").expect("a diagram")..];
        for line in [
            "    participant outside as an address outside the session\n",
            "    client-)server: segment 1: SYN seq 0 win 65495\n",
            "    server-)client: segment 2: SYN-ACK seq 0 ack 1 win 65483\n",
            "    client->>server: segment 3: ACK seq 1 ack 1 win 65536\n",
            "    client-)outside: segment 4: SYN seq 0 win 65495\n",
            "    outside-)client: segment 5: RST-ACK seq 0 ack 1 win 0\n",
        ] {
            assert!(diagram.contains(line), "{line:?} in:\n{diagram}");
        }
        // The segments replace the arrows guessed from the calls.
        assert!(!diagram.contains("(SYN)"), "{diagram}");
        // And the segment lines are no narration in the table.
        assert!(!md.contains("| #~"), "{md}");
    }

    #[test]
    fn the_markdown_ends_with_a_sequence_diagram_that_stays_readable() {
        let s = parse("server> conn, addr = srv.accept()\n=> blocked\nclient> c = socket.create_connection(('127.0.0.1', 5678))\n=> None\nserver => (1, 2)\nclient> c.sendall(b'hello')\n=> None\nserver> conn.recv(1024)\n=> b'hello'\nclient> c.close()\n=> None\nserver> conn.recv(1024)\n=> b''\n")
            .expect("valid");
        let md = to_markdown(&s, "t.sp");
        let diagram = &md[md.find("```mermaid\nsequenceDiagram\n").expect("a diagram")..];
        for line in [
            "    participant server\n    participant client\n",
            "    activate server\n",
            "    client->>server: 2. c = socket.create_connection(('127.0.0.1', 5678)) (SYN)\n",
            "    client->>server: 2. releases it: (1, 2)\n    deactivate server\n",
            "    client->>server: 3. c.sendall(b'hello') (5 bytes)\n",
            "    Note over server: 4. got b'hello'\n",
            "    client-->>server: 5. c.close() (FIN)\n",
            "    Note over server: 6. b'' - the peer closed (FIN)\n",
        ] {
            assert!(diagram.contains(line), "{line:?} in:\n{diagram}");
        }
        // 200 steps: cut, with a note, and no activation left open.
        let mut long = String::from("server> conn, addr = srv.accept()\n=> blocked\n");
        for _ in 0..200 {
            long.push_str("client> c.send(b'x')\n=> 1\n");
        }
        let md = to_markdown(&parse(&long).expect("valid"), "t.sp");
        assert!(md.contains("more events not drawn"), "{md}");
        let diagram = &md[md.find("```mermaid").expect("a diagram")..];
        assert!(diagram.lines().count() < 80);
        assert_eq!(
            diagram.matches("activate server").count(),
            2,
            "closed once: {diagram}"
        );
    }
}
