//! The command line (SPEC section 5), parsed with clap; dispatches to the front ends.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::runner::{self, RunOptions};

#[derive(Parser, Debug)]
#[command(
    name = "sockplay",
    version,
    about = "A socket playground for the terminal: two Python REPLs side by side, on real sockets."
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A script to step through in the interface.
    pub script: Option<PathBuf>,
    /// Write the session's recording to FILE as it goes.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a script without the interface and print its transcript.
    Run {
        /// The script to run (`PANE> statement` lines).
        script: PathBuf,
        /// Print the transcript as JSON Lines (SPEC section 6).
        #[arg(long)]
        json: bool,
        /// Compare each step with its `=>` line; exit 1 when one differs.
        #[arg(long)]
        check: bool,
        /// How long (ms) a step may take before it is reported as blocked.
        #[arg(long, value_name = "MS", default_value_t = 250)]
        settle: u64,
        /// How long (s) a step sent to a blocked pane waits for it.
        #[arg(long, value_name = "SECONDS", default_value_t = 5.0, value_parser = parse_seconds)]
        step_timeout: f64,
    },
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=86_400.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "'{text}' is not a number of seconds from 0 to 86400"
        )),
    }
}

/// Runs the program; returns the exit status.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Run {
            script,
            json,
            check,
            settle,
            step_timeout,
        }) => {
            let opts = RunOptions {
                json,
                check,
                settle: Duration::from_millis(settle.min(3_600_000)),
                step_timeout: Duration::from_secs_f64(step_timeout),
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let mut err = std::io::stderr();
            match runner::run(&script, opts, &mut out, &mut err) {
                Ok(status) => {
                    let _ = out.flush();
                    status
                }
                Err(e) => {
                    let _ = out.flush();
                    eprintln!("sockplay: {e}");
                    2
                }
            }
        }
        None if cli.script.is_some() => {
            eprintln!(
                "sockplay: stepping through a script in the interface is not built yet; \
                 run it headless with  sockplay run SCRIPT"
            );
            2
        }
        None => crate::tui::main(cli.record.as_deref()),
    }
}
