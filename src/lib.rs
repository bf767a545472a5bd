//! sockplay: a socket playground for the terminal. The engine
//! (`sockplay-engine`: language, values, interpreter, sockets, panes,
//! session) and the scripts (`sockplay-script`: scripts, checks, recordings,
//! stepping, lessons, export) are crates of their own; this one holds the
//! front ends: the interface (`tui`), the REPL (`repl`), the runner
//! (`runner`), the command line (`cli`), and what they share (`console`).

#![forbid(unsafe_op_in_unsafe_fn)]

// The crates' modules at this crate's root, as when sockplay was one crate.
pub use sockplay_engine::{
    display, explain, interp, lang, mem, net, outcome, pane, session, value,
};
pub use sockplay_script::{check, export, fuzz, lessons, normalize, record, script, stepper};

/// Every allocation is counted, so that the memory budget (`mem`) holds.
#[global_allocator]
static ALLOCATOR: mem::Counting = mem::Counting;

#[macro_use]
mod lines;
pub mod cli;
pub mod complete;
pub mod console;
pub mod repl;
pub mod runner;
pub mod signals;
pub mod tui;
