//! Printing a line to stdout or stderr that never panics: `println!` and
//! `eprintln!` panic when the stream is gone (a closed terminal, a pipe whose
//! reader quit: `sockplay lessons | head -1`), and sockplay must end cleanly
//! then, not with a panic. What cannot be written is dropped.

/// `println!` that ignores a closed stdout.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that ignores a closed stderr.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
