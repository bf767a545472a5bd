//! The interface without a terminal: App state changes driven by actions, and
//! screens drawn on ratatui's TestBackend compared with reviewed snapshots.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockplay::tui::app::App;
use sockplay::tui::keys::Action;
use sockplay::tui::render;
use tui_input::InputRequest;
use unicode_width::UnicodeWidthStr;

fn type_line(app: &mut App, line: &str) {
    for c in line.chars() {
        app.handle(Action::Edit(InputRequest::InsertChar(c)));
    }
}

fn enter(app: &mut App, line: &str) {
    type_line(app, line);
    app.handle(Action::Submit);
}

/// Pumps the app until `done` holds (steps on pane threads take a moment).
fn wait_for(app: &mut App, what: &str, done: impl Fn(&App) -> bool) {
    let until = Instant::now() + Duration::from_secs(5);
    while !done(app) {
        assert!(
            Instant::now() < until,
            "timed out waiting for {what}: {:?} / {:?} / {:?}",
            app.panes[0]
                .transcript
                .lines()
                .map(|l| &l.text)
                .collect::<Vec<_>>(),
            app.panes[1]
                .transcript
                .lines()
                .map(|l| &l.text)
                .collect::<Vec<_>>(),
            app.status
        );
        std::thread::sleep(Duration::from_millis(10));
        app.pump();
    }
}

fn texts(app: &App, pane: usize) -> Vec<String> {
    app.panes[pane]
        .transcript
        .lines()
        .map(|l| l.text.clone())
        .collect()
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|f| render::draw(f, app))
        .expect("drawing on a test backend");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut row = String::new();
        for x in 0..buffer.area.width {
            row.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

/// Masks what changes from run to run: fds, ports, times.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"fd=\d+", "fd=N");
    s.add_filter(r"fd \d+ ", "fd N ");
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT");
    s.add_filter(r"'127\.0\.0\.1', \d{4,5}\)", "'127.0.0.1', PORT)");
    s.add_filter(r"for \d+\.\d s", "for T s");
    s
}

fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback");
    probe.local_addr().expect("bound").port()
}

#[test]
fn idle_screen() {
    let app = App::new(true);
    settings().bind(|| insta::assert_snapshot!("idle", screen(&app, 100, 24)));
}

#[test]
fn a_blocked_accept_is_shown_then_released_in_place() {
    let mut app = App::new(true);
    enter(&mut app, "s = socket.create_server(('127.0.0.1', 0))");
    enter(&mut app, "conn, addr = s.accept()");
    wait_for(&mut app, "the accept to show as blocked", |a| {
        a.session
            .running("server")
            .is_some_and(|(_, call, t)| call == "accept()" && t > Duration::from_millis(200))
    });
    let blocked = screen(&app, 100, 24);
    assert!(blocked.contains("blocked in accept() for"), "{blocked}");
    assert!(blocked.contains("LISTEN"));
    settings().bind(|| insta::assert_snapshot!("blocked", blocked));

    // Enter in the blocked pane says why instead of losing the line.
    enter(&mut app, "s.getsockname()");
    assert!(
        app.status
            .as_deref()
            .unwrap_or("")
            .contains("blocked in accept()")
    );
    assert_eq!(app.panes[0].input.value(), "s.getsockname()");

    // The port, read off the kernel's view as a user would.
    let local = app.panes[0].sockets[0]
        .view
        .as_ref()
        .and_then(|v| v.local.clone())
        .expect("the listener's address is shown");
    app.handle(Action::FocusOther);
    enter(
        &mut app,
        &format!(
            "c = socket.create_connection(('127.0.0.1', {}))",
            &local[10..]
        ),
    );
    wait_for(&mut app, "the accept to return", |a| !a.session.any_busy());
    app.pump();
    let server = texts(&app, 0);
    let accept_at = server
        .iter()
        .position(|l| l == ">>> conn, addr = s.accept()")
        .expect("the accept line");
    assert!(
        server[accept_at + 1].starts_with("= (<socket.socket fd="),
        "the outcome follows its statement: {server:?}"
    );
}

#[test]
fn an_error_comes_with_its_explanation_and_the_key_toggles_it() {
    let mut app = App::new(true);
    enter(&mut app, "a, b = socket.socketpair()");
    enter(&mut app, "a.setblocking(False)");
    enter(&mut app, "a.recv(1024)");
    wait_for(&mut app, "the recv outcome", |a| {
        texts(a, 0).iter().any(|l| l.starts_with("BlockingIOError"))
    });
    let lines = texts(&app, 0);
    assert!(
        lines.contains(&"BlockingIOError: [Errno 11] Resource temporarily unavailable".to_string())
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("why: the socket is non-blocking"))
    );
    settings().bind(|| insta::assert_snapshot!("error_with_why", screen(&app, 100, 24)));
    app.handle(Action::ToggleWhy);
    assert!(!screen(&app, 100, 24).contains("why: the socket"));
    enter(&mut app, ":explain");
    assert!(
        texts(&app, 0)
            .last()
            .is_some_and(|l| l.contains("Compare with b''"))
    );
}

#[test]
fn help_and_small_terminal_screens() {
    let mut app = App::new(false);
    app.handle(Action::ToggleHelp);
    insta::assert_snapshot!("help", screen(&app, 100, 24));
    app.handle(Action::Close);
    assert!(!app.help);
    insta::assert_snapshot!("too_small", screen(&app, 40, 10));
}

#[test]
fn short_forms_show_their_python_form_and_the_prompt_names_the_socket() {
    let mut app = App::new(true);
    enter(&mut app, "socket udp");
    wait_for(&mut app, "the socket", |a| a.panes[0].current.is_some());
    let lines = texts(&app, 0);
    assert_eq!(lines[0], ">>> socket udp");
    assert_eq!(
        lines[1],
        "  = server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
    );
    assert_eq!(app.panes[0].prompt(), "server [server]>>> ");
    assert_eq!(app.panes[0].sockets[0].kind, "UDP/v4");
}

#[test]
fn pane_prefix_routes_and_moves_the_focus() {
    let mut app = App::new(true);
    enter(&mut app, "client> x = 40 + 2");
    wait_for(&mut app, "the client's outcome", |a| texts(a, 1).len() >= 2);
    assert_eq!(app.focus, 1);
    assert_eq!(texts(&app, 1), [">>> x = 40 + 2", "= 42"]);
    assert!(texts(&app, 0).is_empty());
    // A comparison written without a space is not taken for an unknown pane.
    enter(&mut app, "x> 5");
    wait_for(&mut app, "the comparison", |a| texts(a, 1).len() >= 4);
    assert_eq!(texts(&app, 1)[3], "True");
}

#[test]
fn a_pasted_script_runs_step_by_step_across_panes() {
    let mut app = App::new(true);
    let port = free_port();
    app.paste(&format!(
        "# a comment\nserver> s = socket.create_server(('127.0.0.1', {port}))\n\
         server> conn, addr = s.accept()\nclient> c = socket.create_connection(('127.0.0.1', {port}))\n\
         client> c.send(b'hi')\nserver> conn.recv(10)\n"
    ));
    wait_for(&mut app, "the pasted steps", |a| {
        a.queued() == 0 && !a.session.any_busy() && texts(a, 0).last().is_some_and(|l| l == "b'hi'")
    });
    assert_eq!(texts(&app, 1).last().map(String::as_str), Some("2"));
    assert_eq!(app.last_step, 5);
}

#[test]
fn a_pasted_block_stops_at_its_first_error_and_says_what_was_not_run() {
    let mut app = App::new(true);
    app.paste(
        "server> a, b = socket.socketpair()\nserver> a.send(b'hi')\n\
         server> srv.listen()\nserver> conn, addr = srv.accept()\nserver> b.recv(10)\n",
    );
    wait_for(&mut app, "the pasted block to stop", |a| {
        a.queued() == 0
            && !a.session.any_busy()
            && texts(a, 0).iter().any(|l| l.contains("not run"))
    });
    let server = texts(&app, 0);
    assert!(
        server
            .iter()
            .any(|l| l == "NameError: name 'srv' is not defined"),
        "{server:?}"
    );
    assert_eq!(
        server.last().map(String::as_str),
        Some("the pasted block stopped at its first error (step 3): 2 lines not run")
    );
    assert!(
        !server.iter().any(|l| l.contains("accept")),
        "nothing after the error ran: {server:?}"
    );
    assert_eq!(app.last_step, 3);
}

#[test]
fn a_paste_too_big_is_refused_with_its_size_and_a_long_line_goes_in_at_once() {
    let mut app = App::new(true);
    app.paste(&"x = 1\n".repeat(1024 * 1024 / 6 + 1));
    assert_eq!(app.queued(), 0, "nothing of it is queued");
    assert!(
        texts(&app, 0)
            .last()
            .is_some_and(|l| l.starts_with("paste refused: 1,048,578 bytes")),
        "the pane keeps the refusal: {:?}",
        texts(&app, 0)
    );
    assert_eq!(
        app.status.as_deref(),
        Some(
            "paste refused: 1,048,578 bytes, more than the 65,536 a paste may bring; save it in a file and run it with `sockplay run FILE`"
        )
    );
    // One long line is inserted where the cursor is, in one piece.
    type_line(&mut app, "()");
    app.handle(Action::Edit(InputRequest::GoToPrevChar));
    let long = format!("b'{}'", "y".repeat(60_000));
    app.paste(&long);
    let input = app.panes[0].input.value().to_string();
    assert_eq!(input, format!("({long})"));
    assert_eq!(app.panes[0].input.cursor(), long.len() + 1);
    app.handle(Action::Edit(InputRequest::GoToEnd));
    app.handle(Action::Submit);
    wait_for(&mut app, "the long line's outcome", |a| {
        texts(a, 0)
            .last()
            .is_some_and(|l| l.ends_with("(60,000 bytes)"))
    });
}

#[test]
fn scrolling_stops_at_the_first_line_and_a_scrollbar_shows_where_the_view_is() {
    let mut app = App::new(true);
    for i in 0..30 {
        enter(&mut app, &format!("{i} * 1000"));
    }
    wait_for(&mut app, "30 outcomes", |a| {
        texts(a, 0).last().is_some_and(|l| l == "29000")
    });
    let bottom = screen(&app, 100, 24);
    assert!(bottom.contains("29000"), "{bottom}");
    // Far more PageUps than there are lines: the view stops at the top.
    for _ in 0..20 {
        app.handle(Action::PageUp);
        screen(&app, 100, 24);
    }
    let top = screen(&app, 100, 24);
    let first_row = top.lines().nth(2).unwrap_or_default();
    assert!(
        first_row.starts_with("┃>>> 0 * 1000"),
        "the first line at the top, no empty rows above it:\n{top}"
    );
    settings().bind(|| insta::assert_snapshot!("scrolled_to_the_top", top));
    // Home on an empty line and Ctrl-End: the first line, the last line.
    app.handle(Action::Bottom);
    assert_eq!(app.panes[0].scroll, 0);
    app.handle(Action::Edit(InputRequest::GoToStart));
    assert_eq!(app.panes[0].scroll, app.panes[0].max_scroll.get());
    assert!(app.panes[0].scroll > 0);
}

#[test]
fn ctrl_l_and_clear_empty_a_transcript_but_keep_its_names() {
    let mut app = App::new(true);
    enter(&mut app, "x = 5");
    wait_for(&mut app, "x = 5", |a| {
        texts(a, 0).last().is_some_and(|l| l == "= 5")
    });
    app.handle(Action::Clear);
    assert!(texts(&app, 0).is_empty(), "{:?}", texts(&app, 0));
    assert_eq!(
        app.status.as_deref(),
        Some("cleared server's transcript; its names and sockets stay")
    );
    enter(&mut app, "x + 1");
    wait_for(&mut app, "x + 1", |a| texts(a, 0) == [">>> x + 1", "6"]);
    enter(&mut app, ":clear");
    assert!(texts(&app, 0).is_empty());
}

#[test]
fn the_kernel_table_counts_sockets_in_natural_order_and_says_how_many_more() {
    let mut app = App::new(true);
    for i in (1..=11).step_by(2) {
        enter(
            &mut app,
            &format!("s{}, s{} = socket.socketpair()", i + 1, i),
        );
    }
    wait_for(&mut app, "twelve sockets", |a| {
        a.panes[0].sockets.len() == 12
    });
    let names: Vec<&str> = app.panes[0]
        .sockets
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12"
        ],
        "s2 before s10"
    );
    let shown = screen(&app, 100, 30);
    let more = shown
        .lines()
        .find(|l| l.contains(" more: "))
        .unwrap_or_else(|| panic!("no +N more line:\n{shown}"));
    assert!(more.contains("s12"), "{more}");
    // The server's kernel table, as drawn (fds vary in width from run to run).
    let table: String = shown
        .lines()
        .skip_while(|l| !l.contains(" kernel: "))
        .take_while(|l| !l.starts_with('└'))
        .map(|l| l.split("││").next().unwrap_or(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut s = settings();
    s.add_filter(r"fd N +", "fd N ");
    s.bind(|| insta::assert_snapshot!("kernel_table_more", table));
}

#[test]
fn the_footer_lets_a_message_go_after_a_while_and_names_help() {
    let mut app = App::new(true);
    assert!(screen(&app, 120, 24).contains("F1/:help"));
    enter(&mut app, ":why off");
    assert_eq!(
        app.status.as_deref(),
        Some("explanations off (:explain still works)")
    );
    let t0 = Instant::now();
    app.expire_status_at(t0);
    app.expire_status_at(t0 + Duration::from_secs(3));
    assert!(app.status.is_some(), "still fresh");
    app.expire_status_at(t0 + Duration::from_secs(7));
    assert_eq!(app.status, None, "no stale message");
    assert!(screen(&app, 120, 24).contains("F1/:help"));
}

#[test]
fn the_focus_shows_without_colour_and_a_new_current_socket_is_said() {
    let mut app = App::new(false);
    enter(&mut app, "a, b = socket.socketpair()");
    wait_for(&mut app, "the pair", |a| a.panes[0].current.is_some());
    enter(&mut app, "c, d = socket.socketpair()");
    wait_for(&mut app, "the second pair", |a| {
        a.panes[0].current.as_deref() == Some("d")
    });
    assert!(
        texts(&app, 0).contains(&"short forms now act on d (was b)".to_string()),
        "{:?}",
        texts(&app, 0)
    );
    let shown = screen(&app, 100, 24);
    assert!(shown.contains("┏ ▶ server [d] ━"), "{shown}");
    assert!(shown.contains("┌ client ─"), "{shown}");
    settings().bind(|| insta::assert_snapshot!("focus_without_colour", shown));
}

#[test]
fn a_short_form_being_typed_shows_its_usage_and_right_takes_the_verb() {
    let mut app = App::new(true);
    type_line(&mut app, "bi");
    assert_eq!(
        app.panes[0].hint(),
        Some(("nd [HOST] PORT".to_string(), Some("nd".to_string())))
    );
    assert!(screen(&app, 100, 24).contains("server>>> bind [HOST] PORT"));
    app.handle(Action::Edit(InputRequest::GoToNextChar));
    assert_eq!(app.panes[0].input.value(), "bind");
    app.handle(Action::Edit(InputRequest::InsertChar(' ')));
    assert_eq!(
        app.panes[0].hint().map(|h| h.0),
        Some("[HOST] PORT".to_string())
    );
    // Python is not hinted, nor is the middle of a line.
    app.handle(Action::Interrupt);
    type_line(&mut app, "client> x = 1");
    assert_eq!(app.panes[0].hint(), None);
    app.handle(Action::Interrupt);
    type_line(&mut app, "client> liste");
    assert_eq!(app.panes[0].hint().map(|h| h.0), Some("n [N]".to_string()));
    app.handle(Action::Edit(InputRequest::GoToStart));
    assert_eq!(app.panes[0].hint(), None);
}

#[test]
fn each_panes_history_is_kept_across_sessions_and_ctrl_r_searches_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let mut app = App::new(true);
        app.keep_history(dir.path().to_path_buf());
        enter(&mut app, "s = socket.socket()");
        enter(&mut app, "x = 1");
        enter(&mut app, "client> y = 2");
        wait_for(&mut app, "the steps", |a| {
            !a.session.any_busy() && a.last_step == 3
        });
    }
    // A new session: each pane has its own lines back.
    let mut app = App::new(true);
    app.keep_history(dir.path().to_path_buf());
    assert_eq!(app.panes[0].history, ["s = socket.socket()", "x = 1"]);
    assert_eq!(app.panes[1].history, ["client> y = 2"]);
    app.handle(Action::HistoryPrev);
    assert_eq!(app.panes[0].input.value(), "x = 1");
    app.handle(Action::Interrupt);
    // Ctrl-R: type to search back; Ctrl-R again goes further back; Enter runs it.
    app.handle(Action::Search);
    type_line(&mut app, "so");
    assert_eq!(
        app.panes[0].search_line().as_deref(),
        Some("(reverse-i-search)`so': s = socket.socket()")
    );
    assert!(screen(&app, 100, 24).contains("(reverse-i-search)`so': s = socket.socket()"));
    type_line(&mut app, "zz");
    assert_eq!(
        app.panes[0].search_line().as_deref(),
        Some("(failed reverse-i-search)`sozz': ")
    );
    app.handle(Action::Close);
    assert_eq!(app.panes[0].search, None, "Esc gives the line back");
    assert_eq!(app.panes[0].input.value(), "");
    app.handle(Action::Search);
    type_line(&mut app, "=");
    app.handle(Action::Search);
    assert_eq!(
        app.panes[0].search_line().as_deref(),
        Some("(reverse-i-search)`=': s = socket.socket()"),
        "the older match"
    );
    app.handle(Action::Submit);
    wait_for(&mut app, "the found line run", |a| {
        texts(a, 0).iter().any(|l| l == ">>> s = socket.socket()")
    });
}

#[test]
fn hex_shows_bytes_values_as_offset_hex_and_ascii_and_back() {
    let mut app = App::new(true);
    enter(&mut app, "a, b = socket.socketpair()");
    enter(&mut app, "a.send(b'Hello, world\\x00\\xff' * 2)");
    wait_for(&mut app, "the send", |a| {
        texts(a, 0).last().is_some_and(|l| l == "28")
    });
    enter(&mut app, "data = b.recv(100)");
    wait_for(&mut app, "the bytes", |a| {
        texts(a, 0)
            .last()
            .is_some_and(|l| l.starts_with("= b'Hello"))
    });
    enter(&mut app, ":hex");
    // 16 bytes a row: a pane of a 200-column screen holds it whole.
    let shown = screen(&app, 200, 24);
    assert!(
        shown.contains(
            "= 0000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 00 ff 48 65  |Hello, world..He|"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("  0010  6c 6c 6f 2c 20 77 6f 72  6c 64 00 ff"),
        "{shown}"
    );
    assert!(
        shown.contains(">>> a.send(b'Hello, world\\x00\\xff' * 2)"),
        "only values change: {shown}"
    );
    settings().bind(|| insta::assert_snapshot!("hex_view", shown));
    enter(&mut app, ":hex");
    assert!(screen(&app, 200, 24).contains("= b'Hello, world\\x00\\xffHello"));
}

#[test]
fn a_line_for_a_new_pane_opens_it_up_to_four_and_close_closes_it() {
    let mut app = App::new(true);
    enter(&mut app, "client2> c2 = socket.socket()");
    wait_for(&mut app, "the third pane's step", |a| {
        a.panes.len() == 3 && texts(a, 2).len() >= 2
    });
    assert_eq!(app.panes[2].name, "client2");
    assert_eq!(app.focus, 2, "the focus goes with the line");
    let three = screen(&app, 150, 24);
    assert!(three.contains("▶ client2 [c2]"), "{three}");
    settings().bind(|| insta::assert_snapshot!("three_panes", three));
    enter(&mut app, "watcher> 1 + 1");
    wait_for(&mut app, "the fourth pane", |a| {
        a.panes.len() == 4 && texts(a, 3).len() >= 2
    });
    let grid = screen(&app, 150, 30);
    assert!(grid.contains("watcher"), "{grid}");
    // A fifth is refused, and nothing runs.
    enter(&mut app, "extra> 2 + 2");
    assert_eq!(app.panes.len(), 4);
    assert!(
        app.status
            .as_deref()
            .unwrap_or("")
            .starts_with("at most 4 panes")
    );
    // A name the focused pane has bound is a comparison, not a pane.
    enter(&mut app, "n = 5");
    wait_for(&mut app, "n", |a| {
        texts(a, 3).last().is_some_and(|l| l == "= 5")
    });
    enter(&mut app, "n> 3");
    wait_for(&mut app, "the comparison", |a| {
        texts(a, 3).last().is_some_and(|l| l == "True")
    });
    // :close takes a pane away with its sockets; server and client stay.
    enter(&mut app, ":close client2");
    assert_eq!(app.panes.len(), 3);
    assert!(!app.session.pane_names().contains(&"client2".to_string()));
    enter(&mut app, ":close server");
    assert_eq!(app.panes.len(), 3, "{:?}", app.status);
}

#[test]
fn a_folded_value_unfolds_whole_and_in_hex() {
    let mut app = App::new(true);
    enter(&mut app, "a, b = socket.socketpair()");
    enter(&mut app, "a.sendall(bytes(range(256)) * 4)");
    wait_for(&mut app, "the send", |a| {
        !a.session.any_busy() && a.last_step == 2
    });
    enter(&mut app, "b.recv(4096)");
    wait_for(&mut app, "the folded value", |a| {
        texts(a, 0)
            .last()
            .is_some_and(|l| l.ends_with("(1,024 bytes)"))
    });
    enter(&mut app, ":unfold");
    let whole = texts(&app, 0).last().cloned().unwrap_or_default();
    assert!(
        whole.starts_with("b'\\x00\\x01") && whole.ends_with("\\xfe\\xff'"),
        "{whole:.60}"
    );
    assert_eq!(app.panes[0].folded, None, "unfolded once");
    enter(&mut app, ":unfold");
    assert_eq!(
        app.status.as_deref(),
        Some("no folded value in this pane to unfold")
    );
    // In the hex view, the whole value is 64 rows of 16 bytes.
    enter(&mut app, ":hex");
    let last = app.panes[0]
        .transcript
        .lines()
        .last()
        .cloned()
        .expect("a line");
    let rows = last.hex.expect("hex rows");
    assert_eq!(rows.len(), 64);
    assert!(rows[63].starts_with("03f0  f0 f1 f2"), "{}", rows[63]);
}

#[test]
fn exit_and_quit_behave_as_in_python() {
    let mut app = App::new(true);
    enter(&mut app, "exit");
    wait_for(&mut app, "exit's repr", |a| {
        texts(a, 0)
            .last()
            .is_some_and(|l| l == "Use exit() or Ctrl-D (i.e. EOF) to exit")
    });
    assert!(!app.quit, "a bare exit only says how to leave");
    enter(&mut app, "client> quit()");
    wait_for(&mut app, "quit() to end the session", |a| a.quit);
    // Ctrl-D deletes on a line being typed and quits on an empty one.
    let mut app = App::new(true);
    type_line(&mut app, "ab");
    app.handle(Action::Edit(InputRequest::GoToStart));
    app.handle(Action::EndOfInput);
    assert_eq!(app.panes[0].input.value(), "b");
    assert!(!app.quit);
    app.handle(Action::Edit(InputRequest::DeleteNextChar));
    app.handle(Action::Edit(InputRequest::DeleteNextChar));
    assert!(!app.quit, "Delete on an empty line does nothing");
    app.handle(Action::EndOfInput);
    assert!(app.quit, "Ctrl-D on an empty line quits");
}

#[test]
fn a_paste_with_carriage_returns_and_a_statement_over_two_lines() {
    // tmux and many terminals paste with \r between lines.
    let mut app = App::new(true);
    let port = free_port();
    app.paste(&format!(
        "server> s = socket.create_server(('127.0.0.1', {port}))\rserver> conn, addr = s.accept()\r\
         client> c = socket.create_connection(\r    ('127.0.0.1', {port}))\r\nclient> c.send(b'hi')\rserver> conn.recv(10)\r"
    ));
    wait_for(&mut app, "the pasted steps", |a| {
        a.queued() == 0 && !a.session.any_busy() && texts(a, 0).last().is_some_and(|l| l == "b'hi'")
    });
    let client = texts(&app, 1);
    assert_eq!(client[0], ">>> c = socket.create_connection(");
    assert_eq!(
        client[1],
        "...     ('127.0.0.1', {port}))".replace("{port}", &port.to_string())
    );
    assert_eq!(
        app.last_step, 5,
        "five statements, one of them over two lines"
    );
}

#[test]
fn editing_history_and_ctrl_c_behave_like_a_shell() {
    let mut app = App::new(true);
    enter(&mut app, "1 + 1");
    enter(&mut app, "'é' * 2");
    type_line(&mut app, "draft");
    app.handle(Action::HistoryPrev);
    assert_eq!(app.panes[0].input.value(), "'é' * 2");
    app.handle(Action::HistoryPrev);
    assert_eq!(app.panes[0].input.value(), "1 + 1");
    app.handle(Action::HistoryNext);
    app.handle(Action::HistoryNext);
    assert_eq!(
        app.panes[0].input.value(),
        "draft",
        "Down past the newest restores the draft"
    );
    app.handle(Action::Edit(InputRequest::DeletePrevWord));
    assert_eq!(app.panes[0].input.value(), "");
    type_line(&mut app, "abc");
    app.handle(Action::Interrupt);
    assert_eq!(
        app.panes[0].input.value(),
        "",
        "Ctrl-C on an idle line clears it"
    );
    // Each pane has its own history.
    app.handle(Action::FocusOther);
    app.handle(Action::HistoryPrev);
    assert_eq!(app.panes[1].input.value(), "");
}

#[test]
fn tab_completes_verbs_methods_and_constants() {
    let mut app = App::new(true);
    type_line(&mut app, "acc");
    app.handle(Action::Complete);
    assert_eq!(app.panes[0].input.value(), "accept");
    app.handle(Action::Interrupt);
    enter(&mut app, "sock = socket.socket()");
    wait_for(&mut app, "the socket", |a| !a.panes[0].sockets.is_empty());
    type_line(&mut app, "sock.setsockopt(socket.SOL_SO");
    app.handle(Action::Complete);
    assert_eq!(
        app.panes[0].input.value(),
        "sock.setsockopt(socket.SOL_SOCKET"
    );
    app.handle(Action::Interrupt);
    type_line(&mut app, "sock.set");
    app.handle(Action::Complete);
    assert_eq!(
        app.panes[0].input.value(),
        "sock.set",
        "several candidates: they are listed"
    );
    let status = app.status.clone().unwrap_or_default();
    assert!(status.starts_with("3 candidates:"), "{status}");
    assert!(status.contains("sock.settimeout"), "{status}");
    // Many candidates in a narrow footer: whole names and a count of the rest.
    app.handle(Action::Interrupt);
    app.width = 60;
    type_line(&mut app, "socket.");
    app.handle(Action::Complete);
    let status = app.status.clone().unwrap_or_default();
    assert!(status.width() <= 58, "{status}");
    let (shown, more) = status.rsplit_once("  +").expect("a count of the rest");
    assert!(more.ends_with(" more"), "{status}");
    let total: usize = status
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("the count first");
    let listed = shown.split("  ").skip(1).count();
    let rest: usize = more.trim_end_matches(" more").parse().expect("a number");
    assert_eq!(listed + rest, total, "every candidate counted: {status}");
    assert!(
        shown.split("  ").skip(1).all(|n| n.starts_with("socket.")),
        "no name is cut: {status}"
    );
}

#[test]
fn peer_bytes_are_escaped_and_floods_are_shortened() {
    let mut app = App::new(true);
    let port = free_port();
    enter(
        &mut app,
        &format!("s = socket.create_server(('127.0.0.1', {port}))"),
    );
    enter(&mut app, "conn, addr = s.accept()");
    app.handle(Action::FocusOther);
    enter(
        &mut app,
        &format!("c = socket.create_connection(('127.0.0.1', {port}))"),
    );
    wait_for(&mut app, "the connect", |a| !a.session.is_busy("client"));
    enter(&mut app, "c.sendall(b'\\x1b[2J\\x07' + b'x' * 3000000)");
    app.handle(Action::FocusOther);
    wait_for(&mut app, "the accept", |a| !a.session.is_busy("server"));
    enter(&mut app, "print(conn.recv(5).decode())");
    wait_for(&mut app, "the print", |a| !a.session.is_busy("server"));
    enter(&mut app, "conn.recv(5000000)");
    wait_for(&mut app, "the flood", |a| {
        texts(a, 0).iter().any(|l| l.contains("bytes)"))
    });
    let lines = texts(&app, 0);
    assert!(lines.contains(&"\\x1b[2J\\x07".to_string()), "{lines:?}");
    let flood = lines
        .iter()
        .find(|l| l.contains("bytes)"))
        .expect("shortened");
    assert!(flood.starts_with("b'xxx") && flood.len() < 300, "{flood}");
    assert!(!screen(&app, 100, 24).contains('\x1b'));
    app.handle(Action::Interrupt);
}

#[test]
fn stepping_a_script_asks_scores_and_reports_other_outcomes() {
    let p = free_port();
    let text = format!(
        "# A lesson in two steps.\nserver> s = socket.socket()\n=> 1\nclient> c = socket.socket()\n# Now guess.\n#? Error, empty bytes, a value, or blocks?\nclient> c.settimeout(2)\nclient> c.connect(('127.0.0.1', {p}))\n=> ConnectionRefusedError\n# The end.\n"
    );
    let script = sockplay::script::parse(&text).expect("valid");
    let mut app = App::new(false);
    app.stepper = Some(sockplay::stepper::Stepper::new("lesson t", script));
    // Enter on an empty line runs the next step, in its pane.
    app.handle(Action::Submit);
    wait_for(&mut app, "step 1", |a| {
        texts(a, 0)
            .iter()
            .any(|t| t.starts_with("= <socket.socket"))
    });
    // The script said `=> 1`: the pane says what it expected instead.
    assert!(texts(&app, 0).contains(&"(the script expected: 1)".to_string()));
    app.handle(Action::NextStep);
    wait_for(&mut app, "step 2", |a| texts(a, 1).len() >= 2);
    assert_eq!(app.focus, 1, "the focus follows the step");
    // The question stops the next step until it is answered.
    app.handle(Action::NextStep);
    let asked = screen(&app, 100, 24);
    assert!(
        asked.contains("? Error, empty bytes, a value, or blocks?"),
        "{asked}"
    );
    assert!(!texts(&app, 1).iter().any(|t| t.contains("settimeout")));
    // Other keys do not run it; a prediction key does.
    app.handle(Action::Edit(InputRequest::InsertChar('x')));
    assert!(
        app.status
            .as_deref()
            .is_some_and(|s| s.starts_with("answer with"))
    );
    app.handle(Action::Edit(InputRequest::InsertChar('3')));
    wait_for(&mut app, "the verdict", |a| a.verdict.is_some());
    let v = app.verdict.clone().expect("a verdict");
    assert!(v.right, "settimeout returns None, a value: {v:?}");
    // Step 4 has no question of its own and runs at once.
    app.handle(Action::NextStep);
    wait_for(&mut app, "the refused connect", |a| {
        texts(a, 1)
            .iter()
            .any(|t| t.starts_with("ConnectionRefusedError"))
    });
    let end = screen(&app, 100, 24);
    assert!(
        end.contains("End of the script. 1 of 1 prediction right."),
        "{end}"
    );
    assert!(end.contains("The end."), "{end}");
    app.handle(Action::NextStep);
    assert!(
        app.status
            .as_deref()
            .is_some_and(|s| s.starts_with("the script is over"))
    );
}

#[test]
fn stepping_banner_with_a_question() {
    let script = sockplay::script::parse(
        "# Error or empty bytes?\n#? Nothing was sent yet: what does recv() do?\nclient> c = 1\n",
    )
    .expect("valid");
    let mut app = App::new(false);
    app.stepper = Some(sockplay::stepper::Stepper::new("lesson demo", script));
    app.handle(Action::NextStep);
    settings().bind(|| insta::assert_snapshot!("stepping_question", screen(&app, 100, 24)));
}

/// Steps through `text` as a learner does, answering every question with
/// `answer`, into a recording at `path`; waits for each step to finish or to
/// block before the next, as someone reading the screen does.
fn step_through(text: &str, path: &std::path::Path, answer: char) {
    let script = sockplay::script::parse(text).expect("a valid lesson");
    let recorder = sockplay::record::Recorder::to_file(path, sockplay::record::Open::New)
        .expect("a new recording");
    let mut app = App::with_recorder(false, recorder);
    app.stepper = Some(sockplay::stepper::Stepper::new("lesson", script));
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            Instant::now() < until,
            "{path:?}: stepping took over a minute"
        );
        app.pump();
        let stepper = app.stepper.as_ref().expect("still stepping");
        if stepper.asking().is_some() {
            app.handle(Action::Edit(InputRequest::InsertChar(answer)));
            continue;
        }
        // A step still running for less than the interface's settle time is
        // not yet seen as blocked: wait for it, as a reader would.
        let settling = ["server", "client"].iter().any(|p| {
            app.session
                .running(p)
                .is_some_and(|(_, _, t)| t < Duration::from_millis(300))
        });
        if settling {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        if app.stepper.as_ref().is_some_and(|s| s.done())
            && app
                .status
                .as_deref()
                .is_some_and(|s| s.starts_with("the script is over"))
        {
            break;
        }
        app.handle(Action::NextStep);
        std::thread::sleep(Duration::from_millis(5));
    }
    // Whatever still runs is part of the recording as it stands (`=> blocked`).
    drop(app);
}

#[test]
fn every_lesson_stepped_through_records_a_script_that_replays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for lesson in sockplay::lessons::LESSONS {
        let text = sockplay::lessons::with_fresh_ports(lesson.text).expect("free ports");
        let path = dir.path().join(format!("{}.sp", lesson.name));
        step_through(&text, &path, '1');
        // Every step of the lesson is in the recording, with its narration.
        let recorded = sockplay::script::read(&path).expect("the recording parses");
        let lesson_script = sockplay::script::parse(&text).expect("valid");
        assert_eq!(
            recorded.steps.len(),
            lesson_script.steps.len(),
            "{}: {}",
            lesson.name,
            std::fs::read_to_string(&path).unwrap_or_default()
        );
        if std::env::var_os("SHOW_RECORDING").is_some() {
            eprintln!("{}", std::fs::read_to_string(&path).unwrap_or_default());
        }
        let replay = || {
            std::process::Command::new(env!("CARGO_BIN_EXE_sockplay"))
                .args(["run", "--check", "--fresh-ports"])
                .arg(&path)
                .output()
                .expect("sockplay runs")
        };
        let mut out = replay();
        // A replay at machine speed races the kernel where a lesson's next
        // step needs a segment the peer's kernel sent (broken-pipe: the RST
        // after the first send): on a loaded machine the loopback's softirq
        // may run only after that step, as it would under CPython. A second
        // replay must agree; two failures are a failure.
        if !out.status.success() {
            eprintln!(
                "{}: the first replay differed, replaying again:\n{}",
                lesson.name,
                String::from_utf8_lossy(&out.stderr)
            );
            out = replay();
        }
        if !out.status.success() {
            failures.push(format!(
                "{}: {}\n{}",
                lesson.name,
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(&path).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The real loop (`tui::run_loop`) on a test backend, fed keys through a
/// channel, with a tick of an hour: any frame drawn after a key's own frame
/// was drawn because the engine said something.
#[test]
fn the_loop_draws_a_wait_and_an_outcome_as_the_engine_reports_them() {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let (keys, input) = crossbeam_channel::unbounded();
    let (frames_tx, frames) = crossbeam_channel::unbounded::<String>();
    let looping = std::thread::spawn(move || {
        let mut terminal = Terminal::new(TestBackend::new(100, 24)).expect("test backend");
        let mut app = App::new(false);
        let hour = Duration::from_secs(3600);
        sockplay::tui::run_loop(&mut terminal, &mut app, &input, (hour, hour), |buffer| {
            let mut text = String::new();
            for y in 0..buffer.area.height {
                for x in 0..buffer.area.width {
                    text.push_str(buffer[(x, y)].symbol());
                }
                text.push('\n');
            }
            let _ = frames_tx.send(text);
        })
    });
    let key = |code: KeyCode, modifiers: KeyModifiers| {
        keys.send(Ok(Event::Key(KeyEvent::new(code, modifiers))))
            .expect("the loop reads keys");
    };
    let line = |text: &str| {
        for c in text.chars() {
            key(KeyCode::Char(c), KeyModifiers::NONE);
        }
        key(KeyCode::Enter, KeyModifiers::NONE);
    };
    let until = |what: &str| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let frame = frames
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("no frame showed {what:?}"));
            if frame.contains(what) {
                return frame;
            }
        }
    };
    line("a, b = socket.socketpair()");
    until("Unix/stream");
    line("a.recv(5)");
    // Waiting for data with no timeout: drawn as blocked with no tick.
    until("blocked in recv() for");
    // Ctrl-C ends it: the outcome is drawn as the engine reports it.
    key(KeyCode::Char('c'), KeyModifiers::CONTROL);
    until("why: you interrupted the blocked recv()");
    key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    looping
        .join()
        .expect("the loop does not panic")
        .expect("the loop ends without error");
}
