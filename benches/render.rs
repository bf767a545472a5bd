//! The cost of a frame of the interface with short and with very long
//! transcripts: drawing must not grow with history, nor must a keypress.
//! Run with `cargo bench --bench render`; prints microseconds per frame.

use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockplay::tui::app::App;
use sockplay::tui::keys::Action;
use sockplay::tui::render;
use sockplay::tui::transcript::Kind;
use tui_input::InputRequest;

const FRAMES: u32 = 2_000;

fn app_with(lines: usize) -> App {
    let mut app = App::new(true);
    for pane in &mut app.panes {
        for i in 0..lines {
            let (kind, text) = match i % 3 {
                0 => (Kind::Input, format!(">>> conn.send(b'message number {i}')")),
                1 => (Kind::Value, format!("{}", 17 + i % 7)),
                _ => (
                    Kind::Why,
                    "why: a fairly long explanation line that wraps on a narrow pane".to_string(),
                ),
            };
            pane.transcript.push(kind, &text);
        }
    }
    app
}

/// Median microseconds of `FRAMES` runs of `frame`, in batches of 100.
fn measure(mut frame: impl FnMut()) -> f64 {
    let mut batches = Vec::new();
    for _ in 0..FRAMES / 100 {
        let start = Instant::now();
        for _ in 0..100 {
            frame();
        }
        batches.push(start.elapsed().as_secs_f64() * 1e6 / 100.0);
    }
    batches.sort_by(f64::total_cmp);
    batches[batches.len() / 2]
}

fn main() {
    let mut results = Vec::new();
    for lines in [100, 100_000] {
        let mut app = app_with(lines);
        let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
        let draw = measure(|| {
            terminal
                .draw(|f| render::draw(f, &app))
                .expect("drawing on a test backend");
        });
        // A keypress to its frame: the edit, then the redraw.
        let key = measure(|| {
            app.handle(Action::Edit(InputRequest::InsertChar('x')));
            if app.panes[0].input.value().len() > 60 {
                app.handle(Action::Edit(InputRequest::DeleteLine));
            }
            terminal
                .draw(|f| render::draw(f, &app))
                .expect("drawing on a test backend");
        });
        println!("{lines:>7} lines per pane: frame {draw:8.1} us, keypress to frame {key:8.1} us");
        results.push((draw, key));
    }
    let (small, large) = (results[0], results[1]);
    println!(
        "ratio 100,000 / 100 lines: frame {:.2}, keypress {:.2} (goal: at most 1.5)",
        large.0 / small.0,
        large.1 / small.1
    );
}
