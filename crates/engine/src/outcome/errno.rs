//! The errno to exception class mapping of CPython (PEP 3151) and the C library's messages.

/// The OSError subclass CPython raises for `errno`.
pub fn class_for(errno: i32) -> &'static str {
    match errno {
        libc::EAGAIN | libc::EALREADY | libc::EINPROGRESS => "BlockingIOError",
        libc::ECHILD => "ChildProcessError",
        libc::EPIPE | libc::ESHUTDOWN => "BrokenPipeError",
        libc::ECONNABORTED => "ConnectionAbortedError",
        libc::ECONNREFUSED => "ConnectionRefusedError",
        libc::ECONNRESET => "ConnectionResetError",
        libc::EEXIST => "FileExistsError",
        libc::ENOENT => "FileNotFoundError",
        libc::EISDIR => "IsADirectoryError",
        libc::ENOTDIR => "NotADirectoryError",
        libc::EINTR => "InterruptedError",
        libc::EACCES | libc::EPERM => "PermissionError",
        libc::ESRCH => "ProcessLookupError",
        libc::ETIMEDOUT => "TimeoutError",
        _ => "OSError",
    }
}

/// The symbolic name of a socket-related errno (`ECONNREFUSED`), as Python's
/// `errno.errorcode` gives it.
pub fn name(errno: i32) -> Option<&'static str> {
    Some(match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EINTR => "EINTR",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EINVAL => "EINVAL",
        libc::EPIPE => "EPIPE",
        libc::ENOTSOCK => "ENOTSOCK",
        libc::EDESTADDRREQ => "EDESTADDRREQ",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::EPROTOTYPE => "EPROTOTYPE",
        libc::ENOPROTOOPT => "ENOPROTOOPT",
        libc::EPROTONOSUPPORT => "EPROTONOSUPPORT",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::EAFNOSUPPORT => "EAFNOSUPPORT",
        libc::EADDRINUSE => "EADDRINUSE",
        libc::EADDRNOTAVAIL => "EADDRNOTAVAIL",
        libc::ENETDOWN => "ENETDOWN",
        libc::ENETUNREACH => "ENETUNREACH",
        libc::ECONNABORTED => "ECONNABORTED",
        libc::ECONNRESET => "ECONNRESET",
        libc::ENOBUFS => "ENOBUFS",
        libc::EISCONN => "EISCONN",
        libc::ENOTCONN => "ENOTCONN",
        libc::ESHUTDOWN => "ESHUTDOWN",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::EHOSTUNREACH => "EHOSTUNREACH",
        libc::EALREADY => "EALREADY",
        libc::EINPROGRESS => "EINPROGRESS",
        _ => return None,
    })
}

/// `strerror(errno)`, as CPython puts in `OSError.strerror`.
pub fn strerror(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    match text.rfind(" (os error ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_follows_pep_3151() {
        for (errno, class) in [
            (11, "BlockingIOError"),
            (114, "BlockingIOError"),
            (115, "BlockingIOError"),
            (32, "BrokenPipeError"),
            (108, "BrokenPipeError"),
            (103, "ConnectionAbortedError"),
            (111, "ConnectionRefusedError"),
            (104, "ConnectionResetError"),
            (17, "FileExistsError"),
            (2, "FileNotFoundError"),
            (4, "InterruptedError"),
            (13, "PermissionError"),
            (1, "PermissionError"),
            (110, "TimeoutError"),
            (98, "OSError"),
            (9, "OSError"),
            (107, "OSError"),
        ] {
            assert_eq!(class_for(errno), class, "errno {errno}");
        }
    }

    #[test]
    fn messages_are_the_c_librarys() {
        assert_eq!(strerror(11), "Resource temporarily unavailable");
        assert_eq!(strerror(111), "Connection refused");
        assert_eq!(strerror(98), "Address already in use");
        assert_eq!(strerror(32), "Broken pipe");
    }
}
