//! sockplay: a socket playground for the terminal.
//!
//! The engine (`lang`, `value`, `interp`, `net`, `pane`, `session`) knows
//! nothing of terminals; `runner` is the headless front end, `cli` the command line.

#![forbid(unsafe_op_in_unsafe_fn)]

/// Every allocation is counted, so that the memory budget (`mem`) holds.
#[global_allocator]
static ALLOCATOR: mem::Counting = mem::Counting;

#[macro_use]
mod lines;
pub mod check;
pub mod cli;
pub mod complete;
pub mod console;
pub mod display;
pub mod explain;
pub mod export;
pub mod fuzz;
pub mod interp;
pub mod lang;
pub mod lessons;
pub mod mem;
pub mod net;
pub mod normalize;
pub mod outcome;
pub mod pane;
pub mod record;
pub mod repl;
pub mod runner;
pub mod script;
pub mod session;
pub mod signals;
pub mod stepper;
pub mod tui;
pub mod value;
