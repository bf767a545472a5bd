//! Drawing the interface from an `App`: the two panes with their transcripts,
//! input lines and kernel tables, the header, the footer and the help. No I/O
//! and no work proportional to history: only the visible tail is laid out.

use crate::session::Activity;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Borders, Clear, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState,
    Wrap,
};
use unicode_width::UnicodeWidthStr;

use super::app::{App, PaneView, SocketRow};
use super::keys::HELP;
use super::transcript::Kind;

/// The smallest screen the interface draws on.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// The styles, with or without colours (NO_COLOR).
struct Theme {
    color: bool,
}

impl Theme {
    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::default().fg(color)
        } else {
            Style::default()
        }
    }

    fn line(&self, kind: Kind) -> Style {
        match kind {
            Kind::Input => Style::default().add_modifier(Modifier::BOLD),
            Kind::Expanded => self.fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            Kind::Value | Kind::Printed => Style::default(),
            Kind::Assigned => self.fg(Color::DarkGray).add_modifier(Modifier::DIM),
            Kind::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Kind::Why => self.fg(Color::Yellow).add_modifier(Modifier::ITALIC),
            Kind::Info => self.fg(Color::Blue),
        }
    }

    fn state(&self, state: &str) -> Style {
        let color = match state {
            "LISTEN" => Color::Blue,
            "ESTABLISHED" | "CONNECTED" => Color::Green,
            "CLOSE_WAIT" | "FIN_WAIT1" | "FIN_WAIT2" | "LAST_ACK" | "CLOSING" | "TIME_WAIT" => {
                Color::Yellow
            }
            "CLOSED" => Color::Red,
            _ => Color::Reset,
        };
        self.fg(color).add_modifier(Modifier::BOLD)
    }
}

/// The header, the script's banner (`banner` rows, 0 without a script), the
/// `count` panes and the footer. Up to three panes stand side by side; four
/// make a grid of two rows.
/// With the wire lane shown, it takes the rows under the panes (see
/// `wire_height`): under, not between, so that each arrow has the screen's
/// width at 120 columns as at 200.
pub fn areas(
    area: Rect,
    banner: u16,
    count: usize,
    wire: u16,
) -> (Rect, Rect, Vec<Rect>, Rect, Rect) {
    let [header, banner, body, wire, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner),
        Constraint::Min(1),
        Constraint::Length(wire),
        Constraint::Length(1),
    ])
    .areas(area);
    let side_by_side = |area: Rect, n: usize| -> Vec<Rect> {
        let n = n.max(1) as u32;
        Layout::horizontal((0..n).map(|_| Constraint::Ratio(1, n)))
            .split(area)
            .to_vec()
    };
    let panes = if count >= 4 {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        let mut panes = side_by_side(top, 2);
        panes.extend(side_by_side(bottom, count - 2));
        panes
    } else {
        side_by_side(body, count)
    };
    (header, banner, panes, wire, footer)
}

/// The wire lane's rows: a third of the screen (at most 14), none when hidden.
pub fn wire_height(app: &App, height: u16) -> u16 {
    if app.wire.shown {
        (height / 3).clamp(4, 14)
    } else {
        0
    }
}

/// At most this many rows of narration show at once.
const BANNER_ROWS: usize = 7;

/// The banner's lines: narration, the question and its choices, the verdict,
/// and what runs next.
fn banner_lines(app: &App) -> Vec<(String, BannerKind)> {
    let Some(stepper) = &app.stepper else {
        return Vec::new();
    };
    let mut lines: Vec<(String, BannerKind)> = Vec::new();
    if let Some(v) = &app.verdict {
        let text = if v.right {
            format!(
                "✓ right: you said {}, and it {}",
                v.predicted.label(),
                v.actual
            )
        } else {
            format!("✗ you said {}, but it {}", v.predicted.label(), v.actual)
        };
        lines.push((
            text,
            if v.right {
                BannerKind::Right
            } else {
                BannerKind::Wrong
            },
        ));
    }
    for note in stepper.narration() {
        lines.push((note.to_string(), BannerKind::Note));
    }
    if let Some(question) = stepper.asking() {
        lines.push((format!("? {question}"), BannerKind::Question));
        let choices = if stepper.wire_question() {
            "  on the wire? press 1 nothing · 2 a SYN · 3 data · 4 a FIN · 5 an RST   (Esc: run it without answering)"
        } else {
            "  press 1 an error · 2 empty bytes · 3 a value · 4 it blocks   (Esc: run it without answering)"
        };
        lines.push((choices.into(), BannerKind::Question));
    }
    match stepper.next_step() {
        Some(next) => lines.push((
            format!(
                "next: {}> {}   (F5, or Enter on an empty line)",
                next.pane, next.statement
            ),
            BannerKind::Next,
        )),
        None => lines.push((
            format!(
                "End of the script.{}",
                stepper.score().map_or(String::new(), |s| format!(" {s}."))
            ),
            BannerKind::Next,
        )),
    }
    lines
}

#[derive(Clone, Copy)]
enum BannerKind {
    Note,
    Question,
    Right,
    Wrong,
    Next,
}

/// The banner's height on a screen `width` columns wide: its wrapped lines
/// and its border, or 0 without a script.
pub fn banner_height(app: &App, width: u16) -> u16 {
    let lines = banner_lines(app);
    if lines.is_empty() {
        return 0;
    }
    let inner = width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines
        .iter()
        .map(|(t, _)| t.width().div_ceil(inner).max(1))
        .sum();
    (rows.min(BANNER_ROWS) + 2) as u16
}

fn draw_banner(frame: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let Some(stepper) = &app.stepper else {
        return;
    };
    let (done, total) = stepper.progress();
    let mut title = format!(" {} · {done} of {total} steps run ", stepper.title);
    if let Some(score) = stepper.score() {
        title.push_str(&format!("· {score} "));
    }
    let lines: Vec<Line> = banner_lines(app)
        .into_iter()
        .map(|(text, kind)| {
            let style = match kind {
                BannerKind::Note => Style::default(),
                BannerKind::Question => theme.fg(Color::Magenta).add_modifier(Modifier::BOLD),
                BannerKind::Right => theme.fg(Color::Green).add_modifier(Modifier::BOLD),
                BannerKind::Wrong => theme.fg(Color::Red).add_modifier(Modifier::BOLD),
                BannerKind::Next => Style::default().add_modifier(Modifier::DIM),
            };
            Line::from(Span::styled(text, style))
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.fg(Color::Blue))
                .title(Span::styled(
                    title,
                    Style::default().add_modifier(Modifier::BOLD),
                )),
        ),
        area,
    );
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let theme = Theme { color: app.color };
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "The terminal is {}x{}: sockplay needs at least {MIN_WIDTH}x{MIN_HEIGHT}. Enlarge it, or press Ctrl-Q to quit.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let (header, banner, panes, wire, footer) = areas(
        area,
        banner_height(app, area.width),
        app.panes.len(),
        wire_height(app, area.height),
    );
    draw_header(frame, app, header, &theme);
    draw_banner(frame, app, banner, &theme);
    for (i, pane_area) in panes.into_iter().enumerate() {
        draw_pane(frame, app, i, pane_area, &theme);
    }
    draw_wire(frame, app, wire, &theme);
    draw_footer(frame, app, footer, &theme);
    if app.help {
        draw_help(frame, area, &theme);
    }
}

fn draw_header(frame: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let mut spans = vec![
        Span::styled(
            " sockplay ",
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        ),
        Span::raw(format!("  step {}", app.last_step)),
        Span::raw(format!(
            "  ·  explanations {} (F2)",
            if app.explanations { "on" } else { "off" }
        )),
    ];
    if app.queued() > 0 {
        spans.push(Span::styled(
            format!("  ·  {} pasted steps waiting", app.queued()),
            theme.fg(Color::Magenta),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_footer(frame: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let line = match &app.status {
        Some(status) => Line::from(Span::styled(
            format!(" {status}"),
            theme.fg(Color::Yellow).add_modifier(Modifier::BOLD),
        )),
        None => {
            let full = if app.stepper.is_some() {
                " F5 next step · Enter run · Ctrl-O other pane · Ctrl-C interrupt · F2 why · F3 wire · F1/:help · Ctrl-Q quit"
            } else {
                " Enter run · Ctrl-O other pane · Ctrl-C interrupt · Tab complete · F2 why · F3 wire · F1/:help · Ctrl-Q quit"
            };
            // F3 gives way first on a narrow screen (F1 lists it), so that
            // quitting is always said.
            let text = if full.width() > area.width as usize {
                full.replace(" · F3 wire", "")
            } else {
                full.to_string()
            };
            Line::from(vec![Span::styled(
                text,
                Style::default().add_modifier(Modifier::DIM),
            )])
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_pane(frame: &mut Frame, app: &App, index: usize, area: Rect, theme: &Theme) {
    let pane = &app.panes[index];
    let focused = index == app.focus;
    let border = if focused {
        theme.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    } else {
        Style::default().add_modifier(Modifier::DIM)
    };
    // Unmistakable without colour too: a thick border and a marked title.
    let mark = if focused { "▶ " } else { "" };
    let title = match &pane.current {
        Some(s) => format!(" {mark}{} [{s}] ", pane.name),
        None => format!(" {mark}{} ", pane.name),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(Span::styled(title, border));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // Blocked as the engine defines it: at once when the step waits for
    // another step, after the settle time when it waits with a timeout or runs.
    // In a block, the line it is on (`blocked in recv() at line 6`).
    let at = app
        .session
        .line(&pane.name)
        .map_or(String::new(), |n| format!(" at line {n}"));
    let blocked = app
        .session
        .blocked(&pane.name, crate::session::SETTLE)
        .and_then(|_| app.session.activity(&pane.name))
        .map(|activity| match activity {
            Activity::Waiting {
                step,
                call,
                condition,
                timeout,
                elapsed,
                ..
            } => format!(
                " step {step} blocked in {call}{at} for {:.1} s, waiting for {condition}{} · Ctrl-C interrupts ",
                elapsed.as_secs_f64(),
                if timeout { " (with a timeout)" } else { "" }
            ),
            Activity::Running {
                step,
                call: "",
                elapsed,
            } => format!(" step {step} running{at} for {:.1} s ", elapsed.as_secs_f64()),
            Activity::Running {
                step,
                call,
                elapsed,
            } => format!(
                " step {step} blocked in {call}{at} for {:.1} s · Ctrl-C interrupts ",
                elapsed.as_secs_f64(),
            ),
        });
    let blocked_rows = blocked.as_ref().map_or(0, |t| {
        t.width().div_ceil(inner.width.max(1) as usize) as u16
    });
    // As tall as the tallest pane's table, so that every prompt sits on the same row.
    let kernel_rows = app.panes.iter().map(kernel_rows).max().unwrap_or(2);
    let kernel_height = kernel_rows.min(inner.height / 2);
    let [transcript_area, blocked_area, input_area, kernel_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(blocked_rows),
        Constraint::Length(1),
        Constraint::Length(kernel_height),
    ])
    .areas(inner);

    draw_transcript(frame, app, pane, transcript_area, theme);
    if let Some(text) = blocked {
        frame.render_widget(
            Paragraph::new(Span::styled(
                text,
                theme
                    .fg(Color::Magenta)
                    .add_modifier(Modifier::BOLD | Modifier::REVERSED),
            ))
            .wrap(Wrap { trim: true }),
            blocked_area,
        );
    }
    draw_input(frame, pane, focused, input_area, theme);
    draw_kernel(frame, pane, kernel_area, theme);
}

fn draw_transcript(frame: &mut Frame, app: &App, pane: &PaneView, area: Rect, theme: &Theme) {
    let rows = area.height as usize;
    let show = |l: &super::transcript::Line| app.explanations || l.kind != Kind::Why;
    // The last column is the scrollbar's when the transcript does not fit.
    let overflows = pane.transcript.max_scroll(rows, area.width as usize, show) > 0;
    let width = if overflows {
        area.width.saturating_sub(1)
    } else {
        area.width
    } as usize;
    let max_scroll = pane.transcript.max_scroll(rows, width, show);
    pane.max_scroll.set(max_scroll);
    // Never past the first line, even if the pane got taller since the key.
    let scroll = pane.scroll.min(max_scroll);
    let tail = pane.transcript.tail(rows, width, scroll, show);
    let hex = pane.transcript.hex();
    let used: usize = tail.iter().map(|l| l.rows(width, hex)).sum();
    // Wrapped here, by display columns, exactly as `rows` counts them (the
    // widget's word wrapping could take more rows, and hide the last ones).
    let lines: Vec<Line> = tail
        .iter()
        .flat_map(|l| {
            l.shown(hex)
                .into_iter()
                .flat_map(move |text| super::transcript::wrap_columns(text, width))
                .map(|piece| Line::from(Span::styled(piece, theme.line(l.kind))))
        })
        .collect();
    let skip = used.saturating_sub(rows) as u16;
    let mut paragraph = Paragraph::new(lines).scroll((skip, 0));
    if scroll > 0 {
        paragraph = paragraph.block(Block::default().title_bottom(Span::styled(
            format!(" ↑ {scroll} lines up · PageDown ",),
            theme.fg(Color::Cyan),
        )));
    }
    let text_area = Rect {
        width: width as u16,
        ..area
    };
    frame.render_widget(paragraph, text_area);
    if overflows {
        // Where the view is in the transcript: the thumb at the bottom
        // shows the latest lines.
        let mut state = ScrollbarState::new(max_scroll + 1)
            .position(max_scroll - scroll)
            .viewport_content_length(rows);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .style(theme.fg(Color::Cyan)),
            area,
            &mut state,
        );
    }
}

fn draw_input(frame: &mut Frame, pane: &PaneView, focused: bool, area: Rect, theme: &Theme) {
    let prompt = pane.prompt();
    let prompt_width = prompt.width() as u16;
    let room = area.width.saturating_sub(prompt_width).max(1) as usize;
    let scroll = pane.input.visual_scroll(room.saturating_sub(1));
    let value = pane.input.value();
    // The visible part of the line, by display columns.
    let mut shown = String::new();
    let mut col = 0;
    for c in value.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if col >= scroll && col + w <= scroll + room {
            shown.push(c);
        }
        col += w;
    }
    let prompt_style = if focused {
        theme.fg(Color::Green).add_modifier(Modifier::BOLD)
    } else {
        Style::default().add_modifier(Modifier::DIM)
    };
    let mut spans = vec![
        Span::styled(prompt, prompt_style),
        Span::raw(crate::runner::escape_controls(&shown)),
    ];
    // Ctrl-R's search takes the line's place while it is on.
    if let Some(search) = pane.search_line() {
        spans = vec![Span::styled(
            crate::runner::escape_controls(&search),
            theme.fg(Color::Cyan),
        )];
    }
    // A short form's usage after the cursor, dimmed, as the REPL shows it.
    if focused && let Some(hint) = pane.hint() {
        spans.push(Span::styled(
            hint.0,
            Style::default().add_modifier(Modifier::DIM),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if focused {
        let x = area.x + prompt_width + (pane.input.visual_cursor().saturating_sub(scroll)) as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    }
}

/// The rows a socket takes in the kernel table: a closed one has no second line.
fn socket_rows(row: &SocketRow) -> usize {
    if row.view.is_some() { 2 } else { 1 }
}

/// The kernel table's height for a pane: its border and its sockets' rows.
fn kernel_rows(pane: &PaneView) -> u16 {
    let rows: usize = pane.sockets.iter().map(socket_rows).sum();
    (rows.max(1) + 1) as u16
}

fn socket_lines<'a>(row: &'a SocketRow, name_width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let Some(view) = &row.view else {
        return vec![Line::from(vec![
            Span::styled(
                format!("{:<name_width$}", row.name),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                " closed (fd=-1)",
                Style::default().add_modifier(Modifier::DIM),
            ),
        ])];
    };
    let state = view.state.unwrap_or("-");
    let ready = format!(
        "{}{}",
        if view.readable { "r" } else { "-" },
        if view.writable { "w" } else { "-" }
    );
    let first = Line::from(vec![
        Span::styled(
            format!("{:<name_width$}", row.name),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(" fd {:<2} {:<6} ", row.fd.unwrap_or(-1), row.kind)),
        Span::styled(format!("{state:<11}"), theme.state(state)),
        Span::raw(format!(" {ready} {}", row.mode)),
    ]);
    let queues = match view.accept_q {
        Some((waiting, backlog)) => format!("accept-q {waiting}/{backlog}"),
        None => format!(
            "recv-q {} send-q {}",
            view.recv_q.map_or("-".into(), |n| n.to_string()),
            view.send_q.map_or("-".into(), |n| n.to_string())
        ),
    };
    let second = Line::from(vec![Span::styled(
        format!(
            "  {} → {}  {queues}",
            view.local.as_deref().unwrap_or("-"),
            view.remote.as_deref().unwrap_or("-")
        ),
        Style::default().add_modifier(Modifier::DIM),
    )]);
    vec![first, second]
}

/// The wire lane: each step's segments as arrows between the left pane and
/// the other end, the newest at the bottom unless scrolled back.
fn draw_wire(frame: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    use super::wire::{Row, arrow};
    if area.height == 0 {
        return;
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(Style::default().add_modifier(Modifier::DIM))
        .title(" wire: segments each step sent · F3 hides ");
    let room = area.height.saturating_sub(1) as usize;
    app.wire_visible.set(room);
    let left = app.panes.first().map_or("", |p| p.name.as_str());
    let width = area.width as usize;
    let rows = &app.wire.rows;
    let end = rows.len().saturating_sub(app.wire.scroll.min(rows.len()));
    let start = end.saturating_sub(room);
    let lines: Vec<Line> = if rows.is_empty() {
        vec![Line::styled(
            "nothing on the wire yet: connect, send, close, and the segments show here",
            Style::default().add_modifier(Modifier::DIM),
        )]
    } else {
        rows.range(start..end)
            .map(|row| match row {
                Row::Step { step, pane, input } => Line::styled(
                    super::transcript::shorten(&format!("[{step}] {pane} >>> {input}")),
                    Style::default().add_modifier(Modifier::DIM),
                ),
                Row::Later => Line::styled(
                    "later, while no step ran:",
                    Style::default().add_modifier(Modifier::DIM),
                ),
                Row::Note(text) => Line::styled(
                    format!("  {text}"),
                    Style::default().add_modifier(Modifier::DIM),
                ),
                Row::Segment(s) => {
                    let style = if s.has(crate::net::wire::RST) {
                        theme.fg(Color::Red)
                    } else if s.has(crate::net::wire::FIN) || s.has(crate::net::wire::SYN) {
                        theme.fg(Color::Yellow)
                    } else {
                        Style::default()
                    };
                    Line::styled(
                        format!("  {}", arrow(s, left, width.saturating_sub(3))),
                        style,
                    )
                }
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_kernel(frame: &mut Frame, pane: &PaneView, area: Rect, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(Style::default().add_modifier(Modifier::DIM))
        .title(" kernel: r=readable w=writable ");
    let lines: Vec<Line> = if pane.sockets.is_empty() {
        vec![Line::styled(
            "no sockets yet: try  socket  or  s = socket.socket()",
            Style::default().add_modifier(Modifier::DIM),
        )]
    } else {
        let name_width = pane
            .sockets
            .iter()
            .map(|r| r.name.width())
            .max()
            .unwrap_or(1)
            .min(12);
        // As many sockets as fit, whole; the others are counted, never cut.
        let room = area.height.saturating_sub(1) as usize;
        let groups: Vec<Vec<Line>> = pane
            .sockets
            .iter()
            .map(|r| socket_lines(r, name_width, theme))
            .collect();
        let total: usize = groups.iter().map(Vec::len).sum();
        let room = if total > room {
            room.saturating_sub(1)
        } else {
            room
        };
        let mut lines = Vec::new();
        let mut shown = 0;
        for group in groups {
            if lines.len() + group.len() > room {
                break;
            }
            lines.extend(group);
            shown += 1;
        }
        let hidden = &pane.sockets[shown..];
        if !hidden.is_empty() {
            let names: Vec<&str> = hidden.iter().map(|r| r.name.as_str()).collect();
            lines.push(Line::styled(
                format!("+{} more: {}", hidden.len(), names.join(" ")),
                Style::default().add_modifier(Modifier::DIM),
            ));
        }
        lines
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_help(frame: &mut Frame, area: Rect, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(96);
    let height = (HELP.len() as u16 + 4).min(area.height.saturating_sub(2));
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    let mut lines: Vec<Line> = HELP
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(
                    format!("{keys:<26}"),
                    theme.fg(Color::Cyan).add_modifier(Modifier::BOLD),
                ),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Short forms: socket bind listen accept connect recv send close use ... (Tab lists them)",
        Style::default().add_modifier(Modifier::DIM),
    ));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" help: keys and commands (Esc closes) "),
        ),
        rect,
    );
}
