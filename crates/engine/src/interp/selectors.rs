//! `selectors.DefaultSelector()`: CPython's `EpollSelector` on a real
//! epoll(7) instance, with its keys (`SelectorKey`), its event mapping and
//! its errors, as `Lib/selectors.py` has them.

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indexmap::IndexMap;

use super::args::Args;
use crate::net::{Waiter, sys};
use crate::outcome::Exception;
use crate::value::containers::Record;
use crate::value::repr::repr;
use crate::value::{Value, locked};

pub const EVENT_READ: i64 = 1;
pub const EVENT_WRITE: i64 = 2;

/// The methods of a selector the playground runs.
pub const SELECTOR_METHODS: &[&str] = &[
    "close",
    "get_key",
    "get_map",
    "modify",
    "register",
    "select",
    "unregister",
];

const KEY_FIELDS: &[&str] = &["fileobj", "fd", "events", "data"];

/// An epoll selector.
#[derive(Debug)]
pub struct Selector {
    /// The epoll instance; None once closed.
    epoll: Mutex<Option<OwnedFd>>,
    /// fd to its key, in the order registered (`get_map()`'s order).
    keys: Mutex<IndexMap<i32, Arc<Record>>>,
}

impl Selector {
    /// The keys registered, for the walk that finds the sockets still reachable.
    pub fn held(&self) -> Vec<Value> {
        locked(&self.keys)
            .values()
            .map(|k| Value::Record(k.clone()))
            .collect()
    }

    pub fn close(&self) {
        *locked(&self.epoll) = None;
        locked(&self.keys).clear();
    }
}

/// `selectors.DefaultSelector()`.
pub fn new(args: &Args) -> Result<Value, Exception> {
    args.def("EpollSelector", &[], 0, 0, 0)?;
    let fd =
        sys::epoll_create().map_err(|e| Exception::os(e.raw_os_error().unwrap_or(libc::EMFILE)))?;
    Ok(Value::Selector(Arc::new(Selector {
        epoll: Mutex::new(Some(fd)),
        keys: Mutex::new(IndexMap::new()),
    })))
}

pub fn repr_of(sel: &Arc<Selector>) -> String {
    format!(
        "<selectors.EpollSelector object at {:#x}>",
        Arc::as_ptr(sel) as usize
    )
}

/// `_fileobj_to_fd`: an int, or the result of `fileobj.fileno()`.
fn fd_of(fileobj: &Value) -> Result<i32, Exception> {
    let fd = match fileobj {
        Value::Socket(s) => s.fileno() as i64,
        v if v.is_int() => v.index()?,
        other => {
            return Err(Exception::value_error(format!(
                "Invalid file object: {}",
                repr(other)
            )));
        }
    };
    if fd < 0 {
        return Err(Exception::value_error(format!(
            "Invalid file descriptor: {fd}"
        )));
    }
    i32::try_from(fd)
        .map_err(|_| Exception::new("OverflowError", "Python int too large to convert to C int"))
}

/// `_fileobj_lookup`: the fd of a file object, or of the registered key that
/// holds this very object (a socket closed since it was registered).
fn lookup(sel: &Selector, fileobj: &Value) -> Result<i32, Exception> {
    match fd_of(fileobj) {
        Ok(fd) => Ok(fd),
        Err(e) if e.class == "ValueError" => locked(&sel.keys)
            .iter()
            .find(|(_, k)| k.values[0].is(fileobj))
            .map(|(fd, _)| *fd)
            .ok_or(e),
        Err(e) => Err(e),
    }
}

fn epoll_mask(events: i64) -> u32 {
    let mut mask = 0;
    if events & EVENT_READ != 0 {
        mask |= libc::EPOLLIN as u32;
    }
    if events & EVENT_WRITE != 0 {
        mask |= libc::EPOLLOUT as u32;
    }
    mask
}

fn epoll_ctl(sel: &Selector, op: i32, fd: i32, events: i64) -> Result<(), Exception> {
    let guard = locked(&sel.epoll);
    let Some(ep) = guard.as_ref() else {
        return Err(Exception::value_error(
            "I/O operation on closed epoll object",
        ));
    };
    sys::epoll_ctl(ep.as_raw_fd(), op, fd, epoll_mask(events))
        .map_err(|e| Exception::os(e.raw_os_error().unwrap_or(libc::EBADF)))
}

fn not_registered(fileobj: &Value) -> Exception {
    super::exceptions::key_error(&Value::str(format!("{} is not registered", repr(fileobj))))
}

fn events_arg(events: &Value) -> Result<i64, Exception> {
    let n = events.as_int();
    match n {
        Some(n) if n != 0 && n & !(EVENT_READ | EVENT_WRITE) == 0 => Ok(n),
        _ => Err(Exception::value_error(format!(
            "Invalid events: {}",
            repr(events)
        ))),
    }
}

/// The slots `Args::def` filled, one per parameter.
fn slots<const N: usize>(v: Vec<Option<Value>>) -> [Option<Value>; N] {
    v.try_into()
        .unwrap_or_else(|_| std::array::from_fn(|_| None))
}

fn key(fileobj: Value, fd: i32, events: i64, data: Value) -> Arc<Record> {
    Arc::new(Record {
        class: "SelectorKey",
        fields: KEY_FIELDS,
        values: vec![fileobj, Value::Int(fd as i64), Value::Int(events), data],
    })
}

/// `sel.method(...)`.
pub fn call_method(
    sel: &Arc<Selector>,
    name: &str,
    args: &Args,
    w: &dyn Waiter,
) -> Result<Value, Exception> {
    match name {
        "register" => {
            let [fileobj, events, data] =
                slots(args.def("register", &["fileobj", "events", "data"], 3, 2, 0)?);
            let (fileobj, events) = (
                fileobj.unwrap_or(Value::None),
                events.unwrap_or(Value::None),
            );
            let events = events_arg(&events)?;
            let fd = lookup(sel, &fileobj)?;
            if locked(&sel.keys).contains_key(&fd) {
                return Err(super::exceptions::key_error(&Value::str(format!(
                    "{} (FD {fd}) is already registered",
                    repr(&fileobj)
                ))));
            }
            let k = key(fileobj, fd, events, data.unwrap_or(Value::None));
            locked(&sel.keys).insert(fd, k.clone());
            if let Err(e) = epoll_ctl(sel, libc::EPOLL_CTL_ADD, fd, events) {
                locked(&sel.keys).shift_remove(&fd);
                return Err(e);
            }
            Ok(Value::Record(k))
        }
        "unregister" => {
            let [fileobj] = slots(args.def("unregister", &["fileobj"], 1, 1, 0)?);
            let fileobj = fileobj.unwrap_or(Value::None);
            let fd = lookup(sel, &fileobj)?;
            let Some(k) = locked(&sel.keys).shift_remove(&fd) else {
                return Err(not_registered(&fileobj));
            };
            // The fd may have been closed since it was registered: no matter.
            let _ = epoll_ctl(sel, libc::EPOLL_CTL_DEL, fd, 0);
            Ok(Value::Record(k))
        }
        "modify" => {
            let [fileobj, events, data] =
                slots(args.def("modify", &["fileobj", "events", "data"], 3, 2, 0)?);
            let (fileobj, events) = (
                fileobj.unwrap_or(Value::None),
                events.unwrap_or(Value::None),
            );
            let data = data.unwrap_or(Value::None);
            let fd = lookup(sel, &fileobj)?;
            let Some(old) = locked(&sel.keys).get(&fd).cloned() else {
                return Err(not_registered(&fileobj));
            };
            let events = events_arg(&events)?;
            let old_events = old.values[2].as_int().unwrap_or(0);
            if events != old_events {
                epoll_ctl(sel, libc::EPOLL_CTL_MOD, fd, events)?;
            }
            let k = if events != old_events || !data.is(&old.values[3]) {
                key(old.values[0].clone(), fd, events, data)
            } else {
                old
            };
            locked(&sel.keys).insert(fd, k.clone());
            Ok(Value::Record(k))
        }
        "get_key" => {
            let [fileobj] = slots(args.def("get_key", &["fileobj"], 1, 1, 0)?);
            let fileobj = fileobj.unwrap_or(Value::None);
            let fd = lookup(sel, &fileobj)?;
            locked(&sel.keys)
                .get(&fd)
                .map(|k| Value::Record(k.clone()))
                .ok_or_else(|| not_registered(&fileobj))
        }
        "get_map" => {
            args.def("get_map", &[], 0, 0, 0)?;
            // A closed selector has no map any more.
            if locked(&sel.epoll).is_none() {
                return Ok(Value::None);
            }
            let pairs: Vec<(Value, Value)> = locked(&sel.keys)
                .iter()
                .map(|(fd, k)| (Value::Int(*fd as i64), Value::Record(k.clone())))
                .collect();
            Ok(Value::Dict(crate::value::containers::dict_of(pairs)?))
        }
        "close" => {
            args.def("close", &[], 0, 0, 0)?;
            sel.close();
            Ok(Value::None)
        }
        "select" => {
            let [timeout] = slots(args.def("select", &["timeout"], 1, 0, 0)?);
            select(sel, timeout.unwrap_or(Value::None), w)
        }
        "__enter__" => Ok(Value::Selector(sel.clone())),
        _ => Err(Exception::new(
            "AttributeError",
            format!("'EpollSelector' object has no attribute '{name}'"),
        )),
    }
}

/// `sel.select(timeout)`: epoll_wait, and each ready key with the events it
/// asked for, mapped as CPython maps them (anything but EPOLLIN counts as
/// writable, anything but EPOLLOUT as readable).
fn select(sel: &Arc<Selector>, timeout: Value, w: &dyn Waiter) -> Result<Value, Exception> {
    // None waits for ever; a timeout of 0 or less polls; else whole milliseconds, rounded up.
    let timeout = match &timeout {
        Value::None => None,
        v => {
            let secs = match v {
                Value::Float(f) => *f,
                v if v.is_int() => v.as_int().unwrap_or(i64::MAX) as f64,
                other => {
                    return Err(Exception::type_error(format!(
                        "'<=' not supported between instances of '{}' and 'int'",
                        other.type_name()
                    )));
                }
            };
            if secs <= 0.0 {
                Some(Duration::ZERO)
            } else {
                Some(Duration::from_millis((secs * 1e3).ceil().min(1e12) as u64))
            }
        }
    };
    let (ep, fds): (i32, Vec<(i32, i64)>) = {
        let guard = locked(&sel.epoll);
        let Some(ep) = guard.as_ref() else {
            return Err(Exception::value_error(
                "I/O operation on closed epoll object",
            ));
        };
        let fds = locked(&sel.keys)
            .iter()
            .map(|(fd, k)| (*fd, k.values[2].as_int().unwrap_or(0)))
            .collect();
        (ep.as_raw_fd(), fds)
    };
    let max_events = fds.len().max(1);
    w.entering("select()");
    if timeout != Some(Duration::ZERO) {
        let on: Vec<(i32, libc::c_short)> = fds
            .iter()
            .map(|&(fd, ev)| {
                let mut events = 0;
                if ev & EVENT_READ != 0 {
                    events |= libc::POLLIN;
                }
                if ev & EVENT_WRITE != 0 {
                    events |= libc::POLLOUT;
                }
                (fd, events)
            })
            .collect();
        super::select::announce(w, on, timeout.is_some());
    }
    let deadline = timeout.map(|t| Instant::now() + t);
    let ready_fds = loop {
        let ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                left.as_millis().min(i32::MAX as u128) as i32
                    + i32::from(left.subsec_nanos() % 1_000_000 != 0)
            }
        };
        let err = match sys::epoll_wait(ep, max_events, ms) {
            Ok(ready) => break ready,
            Err(e) => e,
        };
        if err.raw_os_error() == Some(libc::EINTR) {
            if w.take_interrupt() {
                w.waiting(None);
                return Err(Exception::keyboard_interrupt());
            }
            continue;
        }
        w.waiting(None);
        return Err(Exception::os(err.raw_os_error().unwrap_or(libc::EIO)));
    };
    w.waiting(None);
    let keys = locked(&sel.keys);
    let mut ready = Vec::with_capacity(ready_fds.len());
    for (fd, got) in ready_fds {
        let mut mask = 0;
        if got & !(libc::EPOLLIN as u32) != 0 {
            mask |= EVENT_WRITE;
        }
        if got & !(libc::EPOLLOUT as u32) != 0 {
            mask |= EVENT_READ;
        }
        if let Some(k) = keys.get(&fd) {
            let asked = k.values[2].as_int().unwrap_or(0);
            ready.push(Value::tuple(vec![
                Value::Record(k.clone()),
                Value::Int(mask & asked),
            ]));
        }
    }
    Ok(Value::List(crate::value::containers::List::new(ready)))
}
