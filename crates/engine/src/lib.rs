//! sockplay's engine: the statement language (`lang`), Python values
//! (`value`), outcomes (`outcome`), the interpreter (`interp`), the socket
//! model (`net`), panes and sessions (`pane`, `session`), and the words for
//! people (`explain`, `display`). It knows nothing of terminals: its
//! Cargo.toml has no terminal crate, so the layering holds by construction.

#![forbid(unsafe_op_in_unsafe_fn)]

/// The engine's own tests count allocations as the program does (the
/// program's crate installs the allocator for itself).
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: mem::Counting = mem::Counting;

pub mod display;
pub mod explain;
pub mod interp;
pub mod lang;
pub mod mem;
pub mod net;
pub mod outcome;
pub mod pane;
pub mod session;
pub mod value;
