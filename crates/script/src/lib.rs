//! sockplay's scripts (SPEC section 4): reading them (`script`), checking
//! outcomes against `=>` lines (`check`, `normalize`), recording a session as
//! one (`record`), stepping through one (`stepper`), the built-in lessons,
//! the exports, and the fuzzer that plays the golden scripts. On the engine;
//! no terminal.

#![forbid(unsafe_op_in_unsafe_fn)]

// The engine's modules, at this crate's root as they were in one crate.
pub(crate) use sockplay_engine::{display, interp, lang, net, outcome, session, value};

pub mod check;
pub mod export;
pub mod fuzz;
pub mod lessons;
pub mod normalize;
pub mod record;
pub mod script;
pub mod stepper;
