//! Ending on a signal: SIGTERM, SIGHUP and SIGQUIT (a closed terminal, `kill`,
//! Ctrl-\) end sockplay as cleanly as quitting does. The front end says how
//! to put the terminal back; a thread of signal-hook's waits for the signal,
//! runs that, says where the recording is (each of its lines is already
//! flushed), and exits with 128 + the signal's number, as a shell reports it.

use std::io::Write;
use std::path::PathBuf;

use signal_hook::consts::{SIGHUP, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;

/// Set by the signal handler itself, at once, when one of the signals came.
static ENDING: std::sync::LazyLock<std::sync::Arc<std::sync::atomic::AtomicBool>> =
    std::sync::LazyLock::new(Default::default);

/// Whether a terminating signal came: the front end's own reading may fail
/// at the same moment (a hung-up terminal), and then leaves the ending to
/// the signal's thread, which exits with 128 + signal.
pub fn ending() -> bool {
    ENDING.load(std::sync::atomic::Ordering::SeqCst)
}

/// When the terminal on `fd` is gone (a terminating signal came, or the
/// terminal reports a hang-up: its other side was closed, so SIGHUP is on its
/// way), waits for the signal's thread to end the process, at most 5 s, then
/// returns and the caller ends as it would have. A front end calls this when
/// reading or drawing fails, or reads end-of-file (which Ctrl-D also gives,
/// on a terminal that is still there).
pub fn let_the_signal_end_it(fd: std::os::fd::RawFd) {
    let hung_up = crate::net::sys::pending_events(fd, libc::POLLIN) & libc::POLLHUP != 0;
    let gone = hung_up || crate::net::sys::terminal_settings(fd).is_none();
    if !ending() && !gone {
        return;
    }
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < until {
        std::thread::park_timeout(std::time::Duration::from_millis(50));
    }
}

/// Installs the handler. `restore` puts the terminal back; `recording` is the
/// recording's file, if the session has one. An error (no thread could be
/// started) leaves the signals' default action, and is returned.
pub fn on_terminate(
    restore: impl Fn() + Send + 'static,
    recording: Option<PathBuf>,
) -> std::io::Result<()> {
    // Its wake-up pipe is kept above the fd numbers the user's sockets get.
    let mut signals = crate::net::sys::above_low_fds(|| Signals::new([SIGTERM, SIGHUP, SIGQUIT]))?;
    for signal in [SIGTERM, SIGHUP, SIGQUIT] {
        signal_hook::flag::register(signal, ENDING.clone())?;
    }
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // The terminal may be gone (SIGHUP): writing to it fails, and
                // nothing here may stop the exit (eprintln! would panic).
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(restore));
                let name = match signal {
                    SIGTERM => "SIGTERM",
                    SIGHUP => "SIGHUP",
                    _ => "SIGQUIT",
                };
                let said = match &recording {
                    Some(path) => format!(
                        "sockplay: ended by {name}; session recorded in {}",
                        crate::display::escape(&path.display().to_string())
                    ),
                    None => format!("sockplay: ended by {name}"),
                };
                let _ = writeln!(std::io::stderr(), "{said}");
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}
