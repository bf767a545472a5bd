//! `select.select(rlist, wlist, xlist[, timeout])` on select(2), as CPython's selectmodule.

use std::time::{Duration, Instant};

use crate::net::{Waiter, sys};
use crate::outcome::Exception;
use crate::value::Value;

/// The fd of one item of a select list: a socket (its fileno) or an int.
fn fd_of(item: &Value) -> Result<i32, Exception> {
    let fd = match item {
        Value::Socket(s) => s.fileno() as i64,
        Value::Int(_) | Value::Bool(_) | Value::Enum(..) => item.index()?,
        _ => {
            return Err(Exception::type_error(
                "argument must be an int, or have a fileno() method.",
            ));
        }
    };
    if fd < 0 {
        return Err(Exception::value_error(format!(
            "file descriptor cannot be a negative integer ({fd})"
        )));
    }
    i32::try_from(fd)
        .map_err(|_| Exception::new("OverflowError", "Python int too large to convert to C int"))
}

fn items(list: &Value) -> Result<Vec<Value>, Exception> {
    match list {
        Value::List(items) => Ok(items.snapshot()),
        Value::Tuple(items) => Ok(items.to_vec()),
        _ => Err(Exception::type_error("arguments 1-3 must be sequences")),
    }
}

/// The timeout argument: None (wait forever) or a non-negative number of seconds.
pub fn timeout_arg(value: &Value) -> Result<Option<Duration>, Exception> {
    if let Value::None = value {
        return Ok(None);
    }
    let ns = crate::interp::sockets::pytime_ns(value).map_err(|e| {
        if e.class == "TypeError" {
            Exception::type_error("timeout must be a float or None")
        } else {
            e
        }
    })?;
    let ns =
        u64::try_from(ns).map_err(|_| Exception::value_error("timeout must be non-negative"))?;
    Ok(Some(Duration::from_nanos(ns)))
}

/// Announces the wait of a `select()` (of the select module or of a
/// selector) on `on`, unless the kernel says it is met already.
pub fn announce(w: &dyn Waiter, on: Vec<(i32, libc::c_short)>, timeout: bool) {
    let wait = crate::net::Wait {
        call: "select()",
        on,
        bytes: None,
        timeout,
        from: None,
    };
    if !wait.met() {
        w.waiting(Some(wait));
    }
}

/// Runs select and returns the three lists of ready items, in their input order.
pub fn select(
    w: &dyn Waiter,
    lists: [&Value; 3],
    timeout: Option<Duration>,
) -> Result<Value, Exception> {
    let lists = [items(lists[0])?, items(lists[1])?, items(lists[2])?];
    let mut fds: [Vec<i32>; 3] = Default::default();
    for (fds, list) in fds.iter_mut().zip(lists.iter()) {
        for item in list {
            fds.push(fd_of(item)?);
        }
    }
    let deadline = timeout.map(|t| Instant::now() + t);
    w.entering("select()");
    // A select that will wait is announced, with what it waits for.
    if timeout != Some(Duration::ZERO) {
        let on: Vec<(i32, libc::c_short)> = fds[0]
            .iter()
            .map(|&fd| (fd, libc::POLLIN))
            .chain(fds[1].iter().map(|&fd| (fd, libc::POLLOUT)))
            .chain(fds[2].iter().map(|&fd| (fd, libc::POLLPRI)))
            .collect();
        announce(w, on, timeout.is_some());
    }
    let result = select_loop(w, &lists, &fds, deadline);
    w.waiting(None);
    result
}

fn select_loop(
    w: &dyn Waiter,
    lists: &[Vec<Value>; 3],
    fds: &[Vec<i32>; 3],
    deadline: Option<Instant>,
) -> Result<Value, Exception> {
    loop {
        let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        match sys::select(&fds[0], &fds[1], &fds[2], remaining) {
            Ok(ready) => {
                let pick = |list: &[Value], ready: &[bool]| -> Value {
                    Value::List(crate::value::containers::List::new(
                        list.iter()
                            .zip(ready)
                            .filter(|(_, r)| **r)
                            .map(|(v, _)| v.clone())
                            .collect::<Vec<_>>(),
                    ))
                };
                return Ok(Value::tuple(vec![
                    pick(&lists[0], &ready.0),
                    pick(&lists[1], &ready.1),
                    pick(&lists[2], &ready.2),
                ]));
            }
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => {
                if w.take_interrupt() {
                    return Err(Exception::keyboard_interrupt());
                }
            }
            Err(e) => return Err(Exception::os(e.raw_os_error().unwrap_or(libc::EIO))),
        }
    }
}
