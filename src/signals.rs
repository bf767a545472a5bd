//! Ending on a signal: SIGTERM, SIGHUP and SIGQUIT (a closed terminal, `kill`,
//! Ctrl-\) end sockplay as cleanly as quitting does. The front end says how
//! to put the terminal back; a thread of signal-hook's waits for the signal,
//! runs that, says where the recording is (each of its lines is already
//! flushed), and exits with 128 + the signal's number, as a shell reports it.

use std::path::PathBuf;

use signal_hook::consts::{SIGHUP, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;

/// Installs the handler. `restore` puts the terminal back; `recording` is the
/// recording's file, if the session has one. An error (no thread could be
/// started) leaves the signals' default action, and is returned.
pub fn on_terminate(
    restore: impl Fn() + Send + 'static,
    recording: Option<PathBuf>,
) -> std::io::Result<()> {
    // Its wake-up pipe is kept above the fd numbers the user's sockets get.
    let mut signals = crate::net::sys::above_low_fds(|| Signals::new([SIGTERM, SIGHUP, SIGQUIT]))?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                restore();
                let name = match signal {
                    SIGTERM => "SIGTERM",
                    SIGHUP => "SIGHUP",
                    _ => "SIGQUIT",
                };
                match &recording {
                    Some(path) => eprintln!(
                        "sockplay: ended by {name}; session recorded in {}",
                        crate::display::escape(&path.display().to_string())
                    ),
                    None => eprintln!("sockplay: ended by {name}"),
                }
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}
