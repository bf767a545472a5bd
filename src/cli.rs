//! The command line (SPEC section 5), parsed with clap; dispatches to the front ends.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::lessons::{self, LESSONS};
use crate::runner::{self, RunOptions};
use crate::script::{self, Script, ScriptError};
use crate::stepper::Stepper;
use crate::tui::Recording;
use crate::tui::app::PANES;

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
    /// Let --record write over an existing FILE.
    #[arg(long, requires = "record")]
    pub force: bool,
    /// Show the wire: the segments each step put on the loopback (F3 hides
    /// it; needs CAP_NET_RAW, or a private namespace: docs/wire.md).
    #[arg(long)]
    pub wire: bool,
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
        /// Play on fresh free ports instead of the ports the script names (as
        /// compare.py does), e.g. to replay a recording at once.
        #[arg(long)]
        fresh_ports: bool,
        /// Capture the loopback wire and print the segments each step sent
        /// under it (needs CAP_NET_RAW, or a private namespace: docs/wire.md).
        #[arg(long)]
        wire: bool,
    },
    /// A line-mode REPL (rustyline) for plain terminals, screen readers and
    /// pipes: `sockplay repl < steps.txt` prints the outcomes.
    Repl {
        /// Write the session's recording to FILE as it goes.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// Let --record write over an existing FILE.
        #[arg(long, requires = "record")]
        force: bool,
        /// With piped input: how long (s) a line for a blocked pane waits for
        /// it, and the end of the input for blocked steps, before going on.
        #[arg(long, value_name = "SECONDS", default_value_t = 5.0, value_parser = parse_seconds)]
        step_timeout: f64,
        /// Print the segments each step put on the loopback under it (see
        /// `sockplay --wire`).
        #[arg(long)]
        wire: bool,
    },
    /// List the built-in lessons.
    Lessons,
    /// Open a built-in lesson in the interface (or print its script).
    Lesson {
        /// The lesson's name (`sockplay lessons` lists them).
        name: String,
        /// Print the lesson's script, on fresh ports, instead of opening it.
        #[arg(long)]
        print: bool,
        /// Write the session's recording to FILE as it goes.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// Let --record write over an existing FILE.
        #[arg(long, requires = "record")]
        force: bool,
        /// Show the wire view (see `sockplay --wire`).
        #[arg(long)]
        wire: bool,
    },
    /// Turn a script into runnable Python (one program per pane) or Markdown.
    Export {
        /// The script to export.
        script: PathBuf,
        /// What to write.
        #[arg(long, value_enum)]
        to: ExportFormat,
        /// The folder the files go to (created if needed).
        #[arg(short = 'o', long = "output", value_name = "DIR", default_value = ".")]
        output: PathBuf,
        /// Write over files that exist already.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell's completions for sockplay (`sockplay completions bash >
    /// ~/.local/share/bash-completion/completions/sockplay`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Print sockplay's manual page (roff: `sockplay manpage | man -l -`).
    Manpage,
}

/// The subcommands' names, for "did you mean".
const COMMANDS: &[&str] = &[
    "run",
    "repl",
    "lessons",
    "lesson",
    "export",
    "completions",
    "manpage",
];

/// When a script that does not exist is named like a subcommand mistyped
/// (`sockplay lesons`): the subcommand it most likely meant.
fn meant_command(arg: &Path) -> Option<&'static str> {
    let word = arg.to_str()?;
    if arg.exists() || word.contains(['/', '.']) {
        return None;
    }
    COMMANDS
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(distance, c)| *distance <= 2 && *distance < c.len())
        .min()
        .map(|(_, c)| c)
}

/// The shells `completions` writes for.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// What `export` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum ExportFormat {
    Python,
    Markdown,
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=86_400.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "'{text}' is not a number of seconds from 0 to 86400"
        )),
    }
}

/// Before the wire view starts, while the process has one thread: without
/// CAP_NET_RAW, the process moves into a private user and network namespace
/// (its own loopback, where it may capture) when the system allows it. When
/// it does not, `Session::watch_wire` says what to do.
fn may_capture() {
    use crate::net::{sys, wire};
    if let Err(e) = wire::open_early()
        && e.raw_os_error() == Some(libc::EPERM)
    {
        if sys::enter_private_network().is_err() {
            wire::NAMESPACE_REFUSED.store(true, std::sync::atomic::Ordering::Relaxed);
        } else {
            // In the namespace now: the capture socket opens there.
            let _ = wire::open_early();
        }
    }
}

/// Runs the program; returns the exit status.
pub fn main() -> i32 {
    crate::pane::quiet_step_panics();
    let cli = Cli::parse();
    // A lesson or script that asks about the wire (`#?~`) wants it too.
    let asks_about_wire = |text: Option<String>| {
        text.is_some_and(|t| t.lines().any(|l| l.trim_start().starts_with("#?~")))
    };
    let wants_wire = match &cli.command {
        None => {
            cli.wire
                || asks_about_wire(
                    cli.script
                        .as_ref()
                        .and_then(|p| std::fs::read_to_string(p).ok()),
                )
        }
        Some(Command::Run { wire, .. }) | Some(Command::Repl { wire, .. }) => *wire,
        Some(Command::Lesson {
            wire, name, print, ..
        }) => {
            *wire || (!*print && asks_about_wire(lessons::find(name).map(|l| l.text.to_string())))
        }
        Some(_) => false,
    };
    if wants_wire {
        may_capture();
    }
    match cli.command {
        Some(Command::Run {
            script,
            json,
            check,
            settle,
            step_timeout,
            fresh_ports,
            wire,
        }) => {
            let opts = RunOptions {
                json,
                check,
                settle: Duration::from_millis(settle.min(3_600_000)),
                step_timeout: Duration::from_secs_f64(step_timeout),
                fresh_ports,
                wire,
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
                    errln!("sockplay: {e}");
                    2
                }
            }
        }
        Some(Command::Repl {
            record,
            force,
            step_timeout,
            wire,
        }) => crate::repl::main(
            record.as_deref(),
            force,
            Duration::from_secs_f64(step_timeout),
            wire,
        ),
        Some(Command::Lessons) => {
            let width = LESSONS.iter().map(|l| l.name.len()).max().unwrap_or(0);
            for l in LESSONS {
                outln!("{:width$}  {}", l.name, l.summary());
            }
            outln!("\nOpen one with  sockplay lesson NAME  (--print shows its script).");
            0
        }
        Some(Command::Lesson {
            name,
            print,
            record,
            force,
            wire,
        }) => lesson(
            &name,
            print,
            &Recording {
                path: record,
                force,
                script: None,
                wire,
            },
        ),
        Some(Command::Export {
            script,
            to,
            output,
            force,
        }) => export(&script, to, &output, force),
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            let shell = match shell {
                CompletionShell::Bash => clap_complete::Shell::Bash,
                CompletionShell::Zsh => clap_complete::Shell::Zsh,
                CompletionShell::Fish => clap_complete::Shell::Fish,
            };
            // Made in memory first: clap_complete panics when its writer fails
            // (`sockplay completions bash | head`).
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "sockplay", &mut text);
            print_all(&text)
        }
        Some(Command::Manpage) => {
            use clap::CommandFactory;
            let mut text = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut text) {
                Ok(()) => print_all(&text),
                Err(e) => {
                    errln!("sockplay: cannot make the manual page: {e}");
                    1
                }
            }
        }
        None => {
            let recording = Recording {
                path: cli.record,
                force: cli.force,
                script: cli.script.clone(),
                wire: cli.wire,
            };
            match cli.script {
                Some(path) if meant_command(&path).is_some() => {
                    errln!(
                        "sockplay: '{}' is neither a script nor a command; did you mean `sockplay {}`?",
                        crate::display::escape(&path.display().to_string()),
                        meant_command(&path).unwrap_or_default()
                    );
                    2
                }
                Some(path) => {
                    // The recording never goes over the script it steps through.
                    if let Some(record) = &recording.path
                        && crate::record::same_file(record, &path)
                    {
                        errln!(
                            "sockplay: {}: is the script being stepped through; record to another file",
                            record.display()
                        );
                        return 2;
                    }
                    match read_for_interface(&path) {
                        Ok(script) => {
                            let title = path.display().to_string();
                            crate::tui::main(&recording, Some(Stepper::new(title, script)))
                        }
                        Err(e) => {
                            errln!("sockplay: {e}");
                            2
                        }
                    }
                }
                None => crate::tui::main(&recording, None),
            }
        }
    }
}

/// Writes generated text to stdout: 0, or 1 with a message when it cannot
/// be written (a reader that stops early, as `| head` does, is not an error).
fn print_all(text: &[u8]) -> i32 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            errln!("sockplay: cannot write to the standard output: {e}");
            1
        }
    }
}

/// Reads a script to step through in the interface, whose panes it must use.
fn read_for_interface(path: &Path) -> Result<Script, ScriptError> {
    let script = script::read(path)?;
    script::check_panes(&script, &PANES).map_err(|(line, message)| ScriptError {
        file: path.display().to_string(),
        line: Some(line),
        message,
    })?;
    Ok(script)
}

fn lesson(name: &str, print: bool, record: &Recording) -> i32 {
    let Some(lesson) = lessons::find(name) else {
        errln!(
            "sockplay: no lesson called '{}'; `sockplay lessons` lists them",
            crate::display::escape(name)
        );
        return 2;
    };
    let text = match lessons::with_fresh_ports(lesson.text) {
        Ok(t) => t,
        Err(e) => {
            errln!("sockplay: lesson {name}: {e}");
            return 1;
        }
    };
    if print {
        print!("{text}");
        return 0;
    }
    match script::parse(&text) {
        Ok(script) => {
            crate::tui::main(record, Some(Stepper::new(format!("lesson {name}"), script)))
        }
        Err((line, e)) => {
            errln!("sockplay: lesson {name}:{line}: {e}");
            2
        }
    }
}

fn export(path: &Path, to: ExportFormat, dir: &Path, force: bool) -> i32 {
    let script = match script::read(path) {
        Ok(s) => s,
        Err(e) => {
            errln!("sockplay: {e}");
            return 2;
        }
    };
    let name = path
        .file_name()
        .map_or_else(|| "script".into(), |n| n.to_string_lossy().into_owned());
    let stem = path
        .file_stem()
        .map_or_else(|| "script".into(), |n| n.to_string_lossy().into_owned());
    if to == ExportFormat::Python {
        let refused = crate::export::refused_steps(&script);
        if !refused.is_empty() {
            for (line, statement, why) in &refused {
                errln!(
                    "sockplay: {}:{line}: `{}`: {why}; it is not exported into a program",
                    crate::display::escape(&path.display().to_string()),
                    crate::display::escape(statement)
                );
            }
            errln!("sockplay: nothing was exported");
            return 1;
        }
    }
    let files: Vec<(PathBuf, String)> = match to {
        ExportFormat::Python => crate::export::to_python(&script, &name)
            .into_iter()
            .map(|(pane, text)| (dir.join(format!("{stem}-{pane}.py")), text))
            .collect(),
        ExportFormat::Markdown => vec![(
            dir.join(format!("{stem}.md")),
            crate::export::to_markdown(&script, &name),
        )],
    };
    // Nothing is written unless every file may be: no half-done export.
    for (file, _) in &files {
        if let Err(e) = crate::record::refuse_existing(file, force) {
            errln!("sockplay: {e}");
            return 1;
        }
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        errln!(
            "sockplay: {}: cannot create the folder: {}",
            dir.display(),
            crate::record::say(&e)
        );
        return 1;
    }
    for (file, text) in files {
        if let Err(e) = std::fs::write(&file, text) {
            errln!(
                "sockplay: {}: cannot write: {}",
                file.display(),
                crate::record::say(&e)
            );
            return 1;
        }
        outln!("{}", file.display());
    }
    0
}
