//! `sockplay export`: a script as runnable Python (one program per pane, to
//! run in terminals side by side) or as a two-column Markdown write-up.
//! Nothing runs here; the outcomes shown are the script's `=>` lines.

use std::collections::{BTreeSet, HashMap};

use crate::check::expected_exception;
use crate::lang::parser::parse_statement;
use crate::lang::shortform::{self, Context, Line};
use crate::lang::{ast::Stmt, lexer::Tok, lexer::tokenize};
use crate::script::{Narration, Script, ScriptStep};
use crate::value::repr::str_repr;

/// One step as exported: its pane, its Python form (or why it has none), and
/// its recorded outcome.
struct Step<'a> {
    number: usize,
    pane: &'a str,
    python: Result<String, String>,
    expected: Option<&'a str>,
    before: &'a [Narration],
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
            Stmt::AugAssign(name, ..) => {
                self.names.insert(name.clone());
            }
            Stmt::Import(mods) => self.names.extend(mods.iter().cloned()),
            Stmt::FromImport(_, items) => {
                self.names
                    .extend(items.iter().map(|(_, alias)| alias.clone()));
            }
            Stmt::Del(names) => {
                for n in names {
                    self.names.remove(n);
                }
            }
            Stmt::Expr(_) | Stmt::Pass => {}
        }
    }
}

/// The Python form of every step, short forms expanded as far as the script
/// alone tells.
fn steps(script: &Script) -> Vec<Step<'_>> {
    let mut panes: HashMap<&str, PaneState> = HashMap::new();
    let mut out = Vec::new();
    for (i, s) in script.steps.iter().enumerate() {
        let state = panes.entry(s.pane.as_str()).or_default();
        let python = python_form(s, state);
        if let Ok(p) = &python
            && let Ok(stmt) = parse_statement(p)
        {
            state.follow(&stmt, p);
        }
        out.push(Step {
            number: i + 1,
            pane: &s.pane,
            python,
            expected: s.expected.as_ref().map(|(_, e)| e.as_str()),
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
        Stmt::AugAssign(name, ..) => format!("{python}\nshow({name})"),
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
                    Narration::Note(t) => out.push_str(&format!("# {t}\n")),
                    Narration::Question(t) => out.push_str(&format!("# Question: {t}\n")),
                }
            }
            previous = Some(step);
            let python = match &step.python {
                Ok(p) => p,
                Err(why) => {
                    out.push_str(&format!(
                        "# step {}: {} (left out: {why})\n",
                        step.number,
                        step_text(script, step)
                    ));
                    continue;
                }
            };
            out.push_str(&format!("print({})\n", str_repr(&format!(">>> {python}"))));
            let body = shown(python);
            match step.expected.and_then(expected_exception) {
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
                out.push_str(&format!("# => {e}\n"));
            }
        }
        if !script.after.is_empty() && panes.last() == Some(pane) {
            out.push('\n');
            for n in &script.after {
                let (Narration::Note(t) | Narration::Question(t)) = n;
                out.push_str(&format!("# {t}\n"));
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
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
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
                Narration::Note(t) => t.clone(),
                Narration::Question(t) => format!("**Question:** {t}"),
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
        if let Some(e) = step.expected {
            cell.push_str(&format!("<br>→ {}", code(e)));
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
            let (Narration::Note(t) | Narration::Question(t)) = n;
            out.push_str(&format!("{t}\n\n"));
        }
    }
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
}
