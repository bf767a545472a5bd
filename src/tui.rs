//! The two-pane terminal interface (ratatui + crossterm): sets the terminal
//! up and always gives it back (on quit, on error, on panic), and runs the
//! loop that feeds keys, mouse, pasted text and ticks to the `App`.

pub mod app;
pub mod keys;
pub mod render;
pub mod transcript;
pub mod wire;

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, MouseButton, MouseEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::layout::{Position, Rect};
use ratatui::{DefaultTerminal, Terminal, backend::CrosstermBackend};

use crate::net::sys::above_low_fds as sys_above_low_fds;
use app::App;

/// Gives the terminal back: cooked mode, main screen, no mouse capture, a
/// visible cursor. Safe to call more than once.
fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
}

/// Any panic first restores the terminal, then prints its message as usual.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A step's panic (on a pane's thread, or inline on this one) is caught
        // and becomes a SystemError outcome: the screen and keys stay as they are.
        if crate::pane::in_step() {
            return;
        }
        // Only the main thread owns the screen.
        if std::thread::current().name() == Some("main") {
            restore();
        }
        previous(info);
    }));
}

fn setup() -> io::Result<DefaultTerminal> {
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(e) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    ) {
        restore();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout)).inspect_err(|_| restore())
}

/// Where the interface records, and what it must not write over.
#[derive(Debug, Default, Clone)]
pub struct Recording {
    /// `--record FILE`; None: a new file in the user's data directory.
    pub path: Option<std::path::PathBuf>,
    /// `--force`: write over an existing FILE.
    pub force: bool,
    /// The script being stepped through, which `:save` never writes over.
    pub script: Option<std::path::PathBuf>,
    /// `--wire`: the wire view shown from the start.
    pub wire: bool,
}

/// Opens the interface, recording as `recording` says; returns the exit status.
pub fn main(recording: &Recording, stepper: Option<crate::stepper::Stepper>) -> i32 {
    use crate::record::{Open, Recorder};
    let open = |path: &std::path::Path, how: Open| {
        let mut r = Recorder::to_file(path, how).inspect_err(|e| errln!("sockplay: {e}"))?;
        if let Some(script) = &recording.script {
            r.protect(script);
        }
        Ok::<_, crate::record::RecordError>(r)
    };
    let how = if recording.force {
        Open::Force
    } else {
        Open::New
    };
    // An explicit --record path is checked first: its error is the one to see.
    let explicit = match recording.path.as_deref().map(|p| open(p, how)) {
        Some(Err(_)) => return 2,
        Some(Ok(r)) => Some(r),
        None => None,
    };
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        errln!(
            "sockplay: the two-pane interface needs a terminal; without one, use `sockplay run SCRIPT` (a script) or `sockplay repl` (line by line, also from a pipe)"
        );
        return 2;
    }
    let recorder =
        match explicit.map_or_else(|| open(&crate::record::default_path(), Open::Default), Ok) {
            Ok(r) => r,
            Err(_) => return 2,
        };
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    install_panic_hook();
    // The terminal's files (its event queue) are opened here, above the fd
    // numbers the user's sockets get.
    let mut terminal = match sys_above_low_fds(|| {
        let terminal = setup()?;
        event::poll(Duration::ZERO)?;
        Ok::<_, io::Error>(terminal)
    }) {
        Ok(t) => t,
        Err(e) => {
            errln!("sockplay: cannot open the terminal interface: {e}");
            return 1;
        }
    };
    let mut app = App::with_recorder(color, recorder);
    // Each pane's history, kept across sessions as the REPL keeps its own.
    if let Some(dir) = dirs::data_dir() {
        app.keep_history(dir.join("sockplay"));
    }
    // A script that asks about the wire (`#?~`) shows it too; if it cannot
    // be captured, the footer says why and those questions are not counted.
    let asks = stepper.as_ref().is_some_and(|s| s.asks_about_wire());
    app.stepper = stepper;
    if recording.wire || asks {
        match app.console.session.watch_wire() {
            Ok(()) => app.wire.shown = true,
            Err(why) if !recording.wire => app.status = Some(why),
            Err(why) => {
                restore();
                errln!("sockplay: {why}");
                return 2;
            }
        }
    }
    // SIGTERM, SIGHUP, SIGQUIT: the terminal back as quitting leaves it.
    if let Err(e) = crate::signals::on_terminate(restore, app.recorder.path().map(Into::into)) {
        restore();
        errln!("sockplay: cannot watch for signals: {e}");
        return 1;
    }
    let result = run(&mut terminal, &mut app);
    if result.is_err() {
        // A closed terminal fails: SIGHUP's thread ends the session (exit 129).
        crate::signals::let_the_signal_end_it(0);
    }
    restore();
    let _ = io::stdout().flush();
    let mut status = match result {
        Ok(()) => 0,
        Err(e) => {
            errln!("sockplay: the terminal failed: {e}");
            1
        }
    };
    if let Some(failed) = app.recorder.failed() {
        errln!("sockplay: {failed}");
        status = status.max(1);
    } else if let Some(path) = app.recorder.path() {
        outln!("sockplay: session recorded in {}", path.display());
    }
    if let Some(stepper) = &app.stepper {
        let (done, total) = stepper.progress();
        let score = stepper.score().map_or(String::new(), |s| format!("; {s}"));
        outln!(
            "sockplay: {}: {done} of {total} steps{score}",
            stepper.title
        );
    }
    std::mem::take(&mut app.console.session).close_all_before_exit();
    status
}

/// The interface's loop on the real terminal: terminal input comes from a
/// thread of its own (crossterm's blocking read), and `run_loop` does the rest.
fn run(terminal: &mut DefaultTerminal, app: &mut App) -> io::Result<()> {
    let (input_tx, input) = crossbeam_channel::unbounded();
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                let event = event::read();
                let failed = event.is_err();
                if input_tx.send(event).is_err() || failed {
                    break;
                }
            }
        })?;
    run_loop(terminal, app, &input, TICK, |_| {})
}

/// How often the screen is redrawn with no event, for the live timers: while
/// a step runs (its "for 1.2 s" counts), and rarely otherwise.
pub const TICK: (Duration, Duration) = (Duration::from_millis(100), Duration::from_millis(500));

/// The interface's loop, gitui's way, over any ratatui backend (tests drive
/// it with a `TestBackend` and a channel of events): one `select!` waits on
/// terminal input, on the engine's messages (a step that starts to wait or
/// finishes is drawn at once) and on a tick for the live timers (`ticks`:
/// while a step runs, otherwise). `drawn` sees each frame. Returns when the
/// user quits.
pub fn run_loop<B: ratatui::backend::Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    input: &crossbeam_channel::Receiver<io::Result<Event>>,
    ticks: (Duration, Duration),
    mut drawn: impl FnMut(&ratatui::buffer::Buffer),
) -> io::Result<()> {
    let failed = |e: B::Error| io::Error::other(e.to_string());
    let engine = app.session.finished_steps();
    loop {
        let size = terminal.size().map_err(failed)?;
        app.page = (size.height / 2).max(1) as usize;
        app.width = size.width as usize;
        let frame = terminal
            .draw(|frame| render::draw(frame, app))
            .map_err(failed)?;
        drawn(frame.buffer);
        if app.quit {
            return Ok(());
        }
        let tick = if app.session.any_busy() || app.queued() > 0 {
            ticks.0
        } else {
            ticks.1
        };
        let area = Rect::new(0, 0, size.width, size.height);
        crossbeam_channel::select! {
            recv(input) -> event => {
                let event = event.map_err(|_| io::Error::other("the terminal's input ended"))?;
                on_event(app, event?, area);
                // Keys typed or pasted together are applied before one redraw.
                while let Ok(event) = input.try_recv() {
                    on_event(app, event?, area);
                    if app.quit {
                        break;
                    }
                }
            }
            recv(engine) -> msg => {
                if let Ok(msg) = msg {
                    app.engine(msg);
                }
            }
            default(tick) => {}
        }
        app.pump();
        app.expire_status();
    }
}

/// Applies one terminal event; `area` is the screen, for mouse positions.
fn on_event(app: &mut App, event: Event, area: Rect) {
    match event {
        Event::Key(key) => {
            if let Some(action) = keys::action(key) {
                app.status = None;
                app.handle(action);
            }
        }
        Event::Paste(text) => app.paste(&text),
        Event::Mouse(mouse) => {
            let (_, _, panes, wire, _) = render::areas(
                area,
                render::banner_height(app, area.width),
                app.panes.len(),
                render::wire_height(app, area.height),
            );
            let at = Position::new(mouse.column, mouse.row);
            // The wheel over the wire lane scrolls the lane alone.
            if wire.contains(at) {
                let visible = app.wire_visible.get();
                match mouse.kind {
                    MouseEventKind::ScrollUp => app.wire.scroll_by(3, visible),
                    MouseEventKind::ScrollDown => app.wire.scroll_by(-3, visible),
                    _ => {}
                }
                return;
            }
            let Some(index) = panes.iter().position(|r| r.contains(at)) else {
                return;
            };
            match mouse.kind {
                MouseEventKind::Down(MouseButton::Left) => app.focus = index,
                MouseEventKind::ScrollUp => app.scroll(index, 3),
                MouseEventKind::ScrollDown => app.scroll(index, -3),
                _ => {}
            }
        }
        _ => {}
    }
}
