//! What a socket operation fails with, in the kernel's terms and naming the
//! operation; the interpreter raises it as CPython's exception
//! (`outcome::Exception::from`, where errno → exception class lives).

use std::io;

/// A failed socket operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// The system call failed with this errno.
    #[error("{op}: errno {errno}")]
    Os { op: &'static str, errno: i32 },
    /// The system reported an error without an errno.
    #[error("{op}: {message}")]
    Other { op: &'static str, message: String },
    /// The socket's timeout passed before the call could be made.
    #[error("{op}: timed out")]
    TimedOut { op: &'static str },
    /// An interrupt (Ctrl-C) ended the call.
    #[error("{op}: interrupted")]
    Interrupted { op: &'static str },
    /// The buffer the call needs would pass the memory budget (`mem`).
    #[error("{op}: out of memory")]
    NoMemory { op: &'static str },
}

impl NetError {
    pub fn os(op: &'static str, errno: i32) -> NetError {
        NetError::Os { op, errno }
    }

    /// The error of a system call, by its errno when it has one.
    pub fn io(op: &'static str, e: io::Error) -> NetError {
        match e.raw_os_error() {
            Some(errno) => NetError::Os { op, errno },
            None => NetError::Other {
                op,
                message: e.to_string(),
            },
        }
    }

    /// The errno, when the kernel gave one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            NetError::Os { errno, .. } => Some(*errno),
            _ => None,
        }
    }

    /// The operation that failed (`recv()`).
    pub fn op(&self) -> &'static str {
        match self {
            NetError::Os { op, .. }
            | NetError::Other { op, .. }
            | NetError::TimedOut { op }
            | NetError::Interrupted { op }
            | NetError::NoMemory { op } => op,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NetError;
    use crate::net::NoWaiter;
    use crate::net::sock::PySocket;
    use crate::outcome::Exception;

    #[test]
    fn a_failed_call_names_its_operation_and_raises_as_cpython_does() {
        let sock = PySocket::new(libc::AF_INET, libc::SOCK_STREAM, 0).expect("a TCP socket");
        sock.close();
        let e = sock.recv(&NoWaiter, 10, 0).expect_err("a closed socket");
        assert_eq!(
            e,
            NetError::Os {
                op: "recv()",
                errno: libc::EBADF
            }
        );
        assert_eq!(e.to_string(), "recv(): errno 9");
        let raised = Exception::from(e);
        assert_eq!(raised.class, "OSError");
        assert_eq!(raised.errno, Some(libc::EBADF));
        assert_eq!(raised.message, "Bad file descriptor");
        let listen = sock.listen(1).expect_err("closed");
        assert_eq!(listen.op(), "listen()");

        let timed_out = Exception::from(NetError::TimedOut { op: "accept()" });
        assert_eq!(
            (timed_out.class.as_ref(), timed_out.message.as_str()),
            ("TimeoutError", "timed out")
        );
        let interrupted = Exception::from(NetError::Interrupted { op: "accept()" });
        assert_eq!(interrupted.class, "KeyboardInterrupt");
        let refused = Exception::from(NetError::os("connect()", libc::ECONNREFUSED));
        assert_eq!(refused.class, "ConnectionRefusedError");
    }
}
