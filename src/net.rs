//! The socket model: Python socket objects on socket2, with CPython's semantics
//! for blocking, non-blocking and timeout modes, errors and addresses.
//!
//! Blocking calls are real blocking system calls, as in CPython; a pane is
//! interrupted by a signal aimed at its thread (`sys::interrupt_thread`), which
//! makes the call fail with EINTR, turned into `KeyboardInterrupt`.

pub mod addr;
pub mod errno;
pub mod facts;
pub mod inspect;
pub mod select;
pub mod sock;
pub mod sys;

/// What a blocking call tells its pane, and asks it.
pub trait Waiter {
    /// The pane is about to make `call`, which may block (`accept()`).
    fn entering(&self, call: &'static str);
    /// Whether an interrupt was requested; reading it clears it.
    fn take_interrupt(&self) -> bool;
}

/// A waiter for code that is never interrupted (tests, one-off calls).
pub struct NoWaiter;

impl Waiter for NoWaiter {
    fn entering(&self, _call: &'static str) {}
    fn take_interrupt(&self) -> bool {
        false
    }
}
