//! Keys and mouse to actions: the one place that says which key does what.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::InputRequest;

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Run the input line (Enter).
    Submit,
    /// Edit the input line.
    Edit(InputRequest),
    HistoryPrev,
    HistoryNext,
    Complete,
    FocusOther,
    /// Ctrl-C: interrupt the focused pane's step, or clear the line.
    Interrupt,
    PageUp,
    PageDown,
    /// The transcript's first line (Ctrl-Home, or Home on an empty line).
    Top,
    /// The transcript's last line, where new outcomes show.
    Bottom,
    /// Ctrl-L: clear the focused pane's transcript (not its names).
    Clear,
    /// Ctrl-R: search this pane's history backwards (again: an older match).
    Search,
    /// Ctrl-D: quit on an empty line, else delete the next character.
    EndOfInput,
    ToggleHelp,
    ToggleWhy,
    /// F3: the wire lane under the panes (starts the capture the first time).
    ToggleWire,
    /// Esc: close the help (or skip a question).
    Close,
    /// F5: the script's next step.
    NextStep,
    Quit,
}

/// The action of a key, if any.
pub fn action(key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    use Action::*;
    use InputRequest as R;
    Some(match key.code {
        KeyCode::Enter => Submit,
        KeyCode::Tab => Complete,
        KeyCode::Up => HistoryPrev,
        KeyCode::Down => HistoryNext,
        KeyCode::PageUp => PageUp,
        KeyCode::PageDown => PageDown,
        KeyCode::F(1) => ToggleHelp,
        KeyCode::F(2) => ToggleWhy,
        KeyCode::F(3) => ToggleWire,
        KeyCode::F(5) => NextStep,
        KeyCode::Esc => Close,
        KeyCode::Left if ctrl || alt => Edit(R::GoToPrevWord),
        KeyCode::Right if ctrl || alt => Edit(R::GoToNextWord),
        KeyCode::Left => Edit(R::GoToPrevChar),
        KeyCode::Right => Edit(R::GoToNextChar),
        KeyCode::Home if ctrl => Top,
        KeyCode::End if ctrl => Bottom,
        KeyCode::Home => Edit(R::GoToStart),
        KeyCode::End => Edit(R::GoToEnd),
        KeyCode::Backspace if ctrl || alt => Edit(R::DeletePrevWord),
        KeyCode::Backspace => Edit(R::DeletePrevChar),
        KeyCode::Delete if ctrl || alt => Edit(R::DeleteNextWord),
        KeyCode::Delete => Edit(R::DeleteNextChar),
        KeyCode::Char(c) if ctrl => match c.to_ascii_lowercase() {
            'c' => Interrupt,
            'q' => Quit,
            'o' => FocusOther,
            'l' => Clear,
            'a' => Edit(R::GoToStart),
            'e' => Edit(R::GoToEnd),
            'b' => Edit(R::GoToPrevChar),
            'f' => Edit(R::GoToNextChar),
            'w' => Edit(R::DeletePrevWord),
            'u' => Edit(R::DeleteFromStart),
            'k' => Edit(R::DeleteTillEnd),
            'd' => EndOfInput,
            'p' => HistoryPrev,
            'r' => Search,
            'n' => HistoryNext,
            _ => return None,
        },
        KeyCode::Char(c) if alt => match c {
            'b' => Edit(R::GoToPrevWord),
            'f' => Edit(R::GoToNextWord),
            'd' => Edit(R::DeleteNextWord),
            _ => return None,
        },
        KeyCode::Char(c) => Edit(R::InsertChar(c)),
        _ => return None,
    })
}

/// The keys, for the help screen: (keys, what they do).
pub const HELP: &[(&str, &str)] = &[
    ("Enter", "run the line in the focused pane"),
    (
        "Ctrl-O / click",
        "focus the next pane (a PANE> line opens one, up to 4)",
    ),
    (
        "Ctrl-C",
        "interrupt a blocked step (KeyboardInterrupt); else clear the line",
    ),
    (
        "Tab",
        "complete verbs, names, name.methods, socket.CONSTANTS",
    ),
    (
        "Up / Down, Ctrl-R",
        "this pane's history, kept across sessions; Ctrl-R searches it",
    ),
    (
        "Left Right Home End",
        "move; Ctrl-Left/Right or Alt-B/F by word",
    ),
    (
        "Backspace Delete",
        "delete; Ctrl-W word back, Ctrl-U to start, Ctrl-K to end",
    ),
    (
        "PageUp / PageDown / wheel",
        "scroll; Ctrl-Home / Ctrl-End its first / last line",
    ),
    ("F2 / :why on|off", "explanations (why) on or off"),
    (
        "F3",
        "the wire: the segments each step sent, under the panes",
    ),
    (
        "Ctrl-L / :clear",
        "clear the pane's transcript (its names and sockets stay)",
    ),
    (
        "F5 / Enter on empty line",
        "with a script or lesson: run its next step (1-4 answer a question)",
    ),
    ("F1 / :help", "this help; Esc closes it"),
    ("Ctrl-Q / :quit", "quit, at once, even with a pane blocked"),
    (
        ":explain :hex :unfold",
        "last why at length; hex view (again: off); a folded value whole",
    ),
    (
        ":note TEXT / :save FILE",
        "add narration to the recording / save the session so far",
    ),
    (
        "PANE> statement",
        "send to that pane (server or client); pasted lines run as steps",
    ),
];
