//! The `socket` and `select` modules as a pane sees them: module attributes and
//! constants, `socket.socket()`, `create_connection`, `create_server`,
//! `socketpair`, `select.select`, and the methods of socket objects, each
//! parsing its arguments the way CPython 3.11 does before calling `net`.

use std::sync::Arc;

use super::args::{Args, bytes_like, c_int};
use super::python_names;
use super::select;
use super::sockaddr as addr;
use crate::net::facts::{CallFacts, Moved};
use crate::net::sock::{PySocket, SockOpt};
use crate::net::{Waiter, sys};
use crate::outcome::Exception;
use crate::value::repr::repr;
use crate::value::{Builtin, EnumKind, Module, Value};

/// The socket methods sockplay implements.
pub const SOCKET_METHODS: &[&str] = &[
    "accept",
    "bind",
    "close",
    "connect",
    "connect_ex",
    "fileno",
    "getblocking",
    "getpeername",
    "getsockname",
    "getsockopt",
    "gettimeout",
    "listen",
    "recv",
    "recvfrom",
    "send",
    "sendall",
    "sendto",
    "setblocking",
    "setsockopt",
    "settimeout",
    "shutdown",
];

/// The functions of the socket module sockplay implements.
pub const SOCKET_FUNCTIONS: &[&str] = &[
    "socket",
    "create_connection",
    "create_server",
    "socketpair",
    "gethostname",
];

/// A socket option's value as Python has it: an int, or bytes.
fn sockopt_value(v: SockOpt) -> Value {
    match v {
        SockOpt::Int(n) => Value::Int(n as i64),
        SockOpt::Bytes(b) => Value::bytes(b),
    }
}

/// `repr(sock)` as CPython 3.11's `socket.__repr__`: its addresses appear
/// as Python values, converted here (the socket model speaks `SockAddr`).
pub fn socket_repr(sock: &PySocket) -> String {
    let closed = sock.is_closed();
    let mut s = format!(
        "<socket.socket{} fd={}, family={}, type={}, proto={}",
        if closed { " [closed]" } else { "" },
        sock.fileno(),
        sock.family,
        sock.kind,
        sock.proto
    );
    if !closed {
        for (name, address) in [("laddr", sock.getsockname()), ("raddr", sock.getpeername())] {
            if let Ok(address) = address {
                let value = addr::to_value(&address);
                if addr::shows_in_repr(&value) {
                    s.push_str(&format!(", {name}="));
                    s.push_str(&crate::value::repr::str_of(&value));
                }
            }
        }
    }
    s.push('>');
    s
}

/// Where new sockets are registered, so that unreferenced ones are closed at the end of the step.
pub type Registry = Vec<Arc<PySocket>>;

fn register(reg: &mut Registry, sock: PySocket) -> Value {
    let sock = Arc::new(sock);
    reg.push(sock.clone());
    Value::Socket(sock)
}

/// A constant of the socket module, as the enum member CPython gives when it is one.
pub fn constant(name: &str) -> Option<Value> {
    python_names::SOCKET_CONSTANTS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, v, kind)| match kind {
            Some(kind) => Value::Enum(*kind, *v),
            None => Value::Int(*v),
        })
}

/// An int from one of CPython's enums when the value is a member (`s.family`).
fn as_enum(kind: EnumKind, n: i32) -> Value {
    if kind.members().iter().any(|(_, v)| *v == n as i64) {
        Value::Enum(kind, n as i64)
    } else {
        Value::Int(n as i64)
    }
}

/// `socket.NAME` or `select.NAME`.
pub fn module_attr(m: Module, name: &str) -> Result<Value, Exception> {
    match m {
        Module::Socket => {
            if let Some(v) = constant(name) {
                return Ok(v);
            }
            let b = match name {
                "socket" => Some(Builtin::SocketClass),
                "create_connection" => Some(Builtin::CreateConnection),
                "create_server" => Some(Builtin::CreateServer),
                "socketpair" => Some(Builtin::Socketpair),
                "gethostname" => Some(Builtin::Gethostname),
                "has_ipv6" => return Ok(Value::Bool(true)),
                _ => None,
            };
            if let Some(b) = b {
                return Ok(Value::Builtin(b));
            }
            if super::dir_names::SOCKET_MODULE.contains(&name) {
                return Err(Exception::unsupported(format!("socket.{name}")));
            }
            Err(Exception::new(
                "AttributeError",
                format!("module 'socket' has no attribute '{name}'"),
            ))
        }
        Module::Select => {
            if name == "select" {
                return Ok(Value::Builtin(Builtin::Select));
            }
            if super::dir_names::SELECT_MODULE.contains(&name) {
                return Err(Exception::unsupported(format!("select.{name}")));
            }
            Err(Exception::new(
                "AttributeError",
                format!("module 'select' has no attribute '{name}'"),
            ))
        }
        Module::Struct => match name {
            "pack" => Ok(Value::Builtin(Builtin::StructPack)),
            "unpack" => Ok(Value::Builtin(Builtin::StructUnpack)),
            "unpack_from" => Ok(Value::Builtin(Builtin::StructUnpackFrom)),
            "calcsize" => Ok(Value::Builtin(Builtin::StructCalcsize)),
            "error" => Ok(Value::ExcClass("error")),
            "Struct" | "iter_unpack" | "pack_into" => {
                Err(Exception::unsupported(format!("struct.{name}")))
            }
            _ => Err(Exception::new(
                "AttributeError",
                format!("module 'struct' has no attribute '{name}'"),
            )),
        },
        Module::Time => match name {
            "time" => Ok(Value::Builtin(Builtin::TimeTime)),
            "monotonic" => Ok(Value::Builtin(Builtin::TimeMonotonic)),
            "perf_counter" => Ok(Value::Builtin(Builtin::TimePerfCounter)),
            "sleep" => Ok(Value::Builtin(Builtin::TimeSleep)),
            _ if super::dir_names::TIME_MODULE.contains(&name) => {
                Err(Exception::unsupported(format!("time.{name}")))
            }
            _ => Err(Exception::new(
                "AttributeError",
                format!("module 'time' has no attribute '{name}'"),
            )),
        },
        Module::Types => match name {
            "SimpleNamespace" => Ok(Value::Builtin(Builtin::Namespace)),
            _ => Err(Exception::unsupported(format!("types.{name}"))),
        },
        Module::Selectors => match name {
            "DefaultSelector" | "EpollSelector" => Ok(Value::Builtin(Builtin::DefaultSelector)),
            "EVENT_READ" => Ok(Value::Int(super::selectors::EVENT_READ)),
            "EVENT_WRITE" => Ok(Value::Int(super::selectors::EVENT_WRITE)),
            _ if super::dir_names::SELECTORS_MODULE.contains(&name) => {
                Err(Exception::unsupported(format!("selectors.{name}")))
            }
            _ => Err(Exception::new(
                "AttributeError",
                format!("module 'selectors' has no attribute '{name}'"),
            )),
        },
        Module::Sys => match name {
            "exit" => Ok(Value::Builtin(Builtin::SysExit)),
            // What the REPL's sys.argv is.
            "argv" => Ok(Value::List(crate::value::containers::List::new(vec![
                Value::str(""),
            ]))),
            "platform" => Ok(Value::str("linux")),
            "byteorder" => Ok(Value::str(if cfg!(target_endian = "little") {
                "little"
            } else {
                "big"
            })),
            "maxsize" => Ok(Value::Int(i64::MAX)),
            _ => Err(Exception::unsupported(format!("sys.{name}"))),
        },
        Module::Errno => {
            if name == "errorcode" {
                let pairs = crate::outcome::errno::NAMES
                    .iter()
                    .filter(|(n, v)| {
                        crate::outcome::errno::name(*v as i32) == Some(*n)
                            || !matches!(*n, "EWOULDBLOCK" | "EDEADLOCK" | "ENOTSUP")
                    })
                    .map(|(n, v)| (Value::Int(*v), Value::str(*n)));
                return Ok(Value::Dict(crate::value::containers::dict_of(pairs)?));
            }
            crate::outcome::errno::NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| Value::Int(*v))
                .ok_or_else(|| {
                    Exception::new(
                        "AttributeError",
                        format!("module 'errno' has no attribute '{name}'"),
                    )
                })
        }
    }
}

/// `sock.NAME`: an attribute or a bound method.
pub fn socket_attr(obj: &Value, sock: &PySocket, name: &str) -> Result<Value, Exception> {
    match name {
        "family" => return Ok(as_enum(EnumKind::AddressFamily, sock.family)),
        "type" => return Ok(as_enum(EnumKind::SocketKind, sock.kind)),
        "proto" => return Ok(Value::Int(sock.proto as i64)),
        "timeout" => return Ok(sock.timeout().map_or(Value::None, Value::Float)),
        _ => {}
    }
    if SOCKET_METHODS.contains(&name) {
        return Ok(Value::Method(Arc::new(obj.clone()), name.into()));
    }
    if super::dir_names::SOCKET.contains(&name) {
        return Err(Exception::unsupported(format!("socket.{name}()")));
    }
    Err(Exception::new(
        "AttributeError",
        format!("'socket' object has no attribute '{name}'"),
    ))
}

/// CPython's `socket_parse_timeout`: None, or a non-negative number of
/// seconds, kept as CPython keeps it: whole nanoseconds, rounded up
/// (`settimeout(0.1 + 0.2)` then `gettimeout()` is `0.300000001`).
fn parse_timeout(v: &Value) -> Result<Option<f64>, Exception> {
    if let Value::None = v {
        return Ok(None);
    }
    let ns = pytime_ns(v)?;
    if ns < 0 {
        return Err(Exception::value_error("Timeout value out of range"));
    }
    Ok(Some(ns_to_seconds(ns)))
}

/// CPython's `_PyTime_FromSecondsObject(..., _PyTime_ROUND_TIMEOUT)`: seconds
/// (int or float) as nanoseconds in an i64, rounded away from zero, with
/// its errors for NaN and for what does not fit.
pub fn pytime_ns(v: &Value) -> Result<i64, Exception> {
    match v {
        Value::Float(f) => {
            if f.is_nan() {
                return Err(Exception::value_error("Invalid value NaN (not a number)"));
            }
            let d = f * 1e9;
            let d = if d >= 0.0 { d.ceil() } else { d.floor() };
            if !((i64::MIN as f64) <= d && d < -(i64::MIN as f64)) {
                return Err(Exception::new(
                    "OverflowError",
                    "timestamp out of range for platform time_t",
                ));
            }
            Ok(d as i64)
        }
        other => other.index()?.checked_mul(1_000_000_000).ok_or_else(|| {
            Exception::new(
                "OverflowError",
                "timestamp too large to convert to C _PyTime_t",
            )
        }),
    }
}

/// CPython's `_PyTime_AsSecondsDouble`.
pub fn ns_to_seconds(ns: i64) -> f64 {
    if ns % 1_000_000_000 == 0 {
        (ns / 1_000_000_000) as f64
    } else {
        ns as f64 / 1e9
    }
}

/// Python's `a, b = value` for a pair, with its messages.
fn unpack_pair(v: &Value) -> Result<(Value, Value), Exception> {
    let items = match v {
        Value::Tuple(items) => items.to_vec(),
        Value::List(items) => items.snapshot(),
        // Any iterable unpacks: `host, port = '127.0.0.1'` is too many values.
        Value::Str(_) | Value::Bytes(_) | Value::Range(..) | Value::Reversed(_) => {
            if let Ok(n) = super::builtins::len(v)
                && n > 2
            {
                return Err(Exception::value_error(
                    "too many values to unpack (expected 2)",
                ));
            }
            super::builtins::iterate(v)?
        }
        other => {
            return Err(Exception::type_error(format!(
                "cannot unpack non-iterable {} object",
                other.type_name()
            )));
        }
    };
    match items.as_slice() {
        [a, b] => Ok((a.clone(), b.clone())),
        [_, _, ..] => Err(Exception::value_error(
            "too many values to unpack (expected 2)",
        )),
        short => Err(Exception::value_error(format!(
            "not enough values to unpack (expected 2, got {})",
            short.len()
        ))),
    }
}

/// Calls a function of the socket or select module.
pub fn call_function(
    b: Builtin,
    args: &Args,
    reg: &mut Registry,
    w: &dyn Waiter,
) -> Result<Value, Exception> {
    match b {
        Builtin::SocketClass => {
            let p = args.def(
                "socket.__init__",
                &["family", "type", "proto", "fileno"],
                4,
                0,
                1,
            )?;
            if p[3].as_ref().is_some_and(|v| !matches!(v, Value::None)) {
                return Err(Exception::unsupported("socket.socket(fileno=...)"));
            }
            let int_or = |v: &Option<Value>, default: i32| -> Result<i32, Exception> {
                match v {
                    None => Ok(default),
                    Some(v) => match c_int(v)? {
                        -1 => Ok(default),
                        n => Ok(n),
                    },
                }
            };
            let family = int_or(&p[0], libc::AF_INET)?;
            let kind = int_or(&p[1], libc::SOCK_STREAM)?;
            let proto = int_or(&p[2], 0)?;
            Ok(register(reg, PySocket::new(family, kind, proto)?))
        }
        Builtin::Socketpair => {
            let p = args.def("socketpair", &["family", "type", "proto"], 3, 0, 0)?;
            let int_or = |v: &Option<Value>, default: i32| -> Result<i32, Exception> {
                match v {
                    None | Some(Value::None) => Ok(default),
                    Some(v) => c_int(v),
                }
            };
            let (a, b) = PySocket::pair(
                int_or(&p[0], libc::AF_UNIX)?,
                int_or(&p[1], libc::SOCK_STREAM)?,
                int_or(&p[2], 0)?,
            )?;
            Ok(Value::tuple(vec![register(reg, a), register(reg, b)]))
        }
        Builtin::Gethostname => {
            args.none("gethostname")?;
            sys::gethostname()
                .map(Value::str)
                .map_err(|e| Exception::os(e.raw_os_error().unwrap_or(libc::EIO)))
        }
        Builtin::CreateConnection => create_connection(args, reg, w),
        Builtin::CreateServer => create_server(args, reg),
        Builtin::Select => {
            if !args.kw.is_empty() {
                return Err(Exception::type_error("select() takes no keyword arguments"));
            }
            let n = args.pos.len();
            if n < 3 {
                return Err(Exception::type_error(format!(
                    "select expected at least 3 arguments, got {n}"
                )));
            }
            if n > 4 {
                return Err(Exception::type_error(format!(
                    "select expected at most 4 arguments, got {n}"
                )));
            }
            let timeout = select::timeout_arg(args.pos.get(3).unwrap_or(&Value::None))?;
            select::select(w, [&args.pos[0], &args.pos[1], &args.pos[2]], timeout)
        }
        other => unreachable!("{} is not a socket or select function", other.name()),
    }
}

/// `socket.create_connection(address, timeout=None, source_address=None)`, as socket.py does it.
fn create_connection(args: &Args, reg: &mut Registry, w: &dyn Waiter) -> Result<Value, Exception> {
    let p = args.def(
        "create_connection",
        &["address", "timeout", "source_address", "all_errors"],
        3,
        1,
        0,
    )?;
    let address = p[0].clone().unwrap_or(Value::None);
    let (host, port) = unpack_pair(&address)?;
    let timeout = p[1].as_ref().map(parse_timeout).transpose()?;
    let host = match &host {
        Value::None => None,
        Value::Str(s) => Some(s.to_string()),
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => {
            return Err(Exception::type_error(
                "getaddrinfo() argument 1 must be string or None",
            ));
        }
    };
    let port = match &port {
        Value::None => None,
        Value::Str(s) => Some(s.to_string()),
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        v => match v.as_int() {
            Some(n) => Some(n.to_string()),
            None => return Err(Exception::new("OSError", "Int or String expected")),
        },
    };
    let infos = sys::getaddrinfo(
        host.as_deref(),
        port.as_deref(),
        libc::AF_UNSPEC,
        libc::SOCK_STREAM,
        0,
    )
    .map_err(addr::gaierror)?;
    let mut last = None;
    for info in infos {
        let sock = PySocket::new(info.family, info.socktype, info.proto)?;
        let attempt = (|| -> Result<i32, Exception> {
            if let Some(t) = timeout {
                sock.set_timeout(t)?;
            }
            if let Some(source) = &p[2]
                && !matches!(source, Value::None)
            {
                sock.bind(&addr::parse(info.family, source, "bind")?)?;
            }
            Ok(sock.connect(w, &socket2::SockAddr::from(info.addr), true)?)
        })();
        match attempt {
            Ok(_) => return Ok(register(reg, sock)),
            Err(e) if e.class == "KeyboardInterrupt" => return Err(e),
            Err(e) => {
                sock.close();
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or_else(|| Exception::new("OSError", "getaddrinfo returns an empty list")))
}

/// `socket.create_server(address, *, family=AF_INET, backlog=None, reuse_port=False)`.
fn create_server(args: &Args, reg: &mut Registry) -> Result<Value, Exception> {
    let p = args.def(
        "create_server",
        &[
            "address",
            "family",
            "backlog",
            "reuse_port",
            "dualstack_ipv6",
        ],
        1,
        1,
        0,
    )?;
    let address = p[0].clone().unwrap_or(Value::None);
    let family = match &p[1] {
        None => libc::AF_INET,
        Some(v) => c_int(v)?,
    };
    let reuse_port = p[3].as_ref().is_some_and(Value::truthy);
    let dualstack = p[4].as_ref().is_some_and(Value::truthy);
    if dualstack && family != libc::AF_INET6 {
        return Err(Exception::value_error(
            "dualstack_ipv6 requires AF_INET6 family",
        ));
    }
    let sock = PySocket::new(family, libc::SOCK_STREAM, 0)?;
    let one = 1i32.to_ne_bytes();
    let result = (|| {
        let _ = sock.setsockopt(libc::SOL_SOCKET, libc::SO_REUSEADDR, Some(&one), 4);
        if reuse_port {
            sock.setsockopt(libc::SOL_SOCKET, libc::SO_REUSEPORT, Some(&one), 4)?;
        }
        if family == libc::AF_INET6 {
            let v6only = if dualstack { 0i32 } else { 1i32 }.to_ne_bytes();
            sock.setsockopt(libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, Some(&v6only), 4)?;
        }
        let bound = addr::parse(family, &address, "bind").and_then(|a| Ok(sock.bind(&a)?));
        if let Err(e) = bound {
            let Some(errno) = e.errno else { return Err(e) };
            // socket.py re-raises as error(errno, msg): the class follows the errno,
            // and a gaierror becomes a plain OSError.
            let mut err = Exception::os(errno);
            if errno < 0 {
                err.class = "OSError".into();
            }
            err.message = format!(
                "{} (while attempting to bind on address {})",
                e.message,
                repr(&address)
            );
            return Err(err);
        }
        match &p[2] {
            None | Some(Value::None) => Ok(sock.listen(libc::SOMAXCONN.min(128))?),
            Some(v) => Ok(sock.listen(c_int(v)?)?),
        }
    })();
    match result {
        Ok(()) => Ok(register(reg, sock)),
        Err(e) => {
            sock.close();
            Err(e)
        }
    }
}

/// Calls method `name` of a socket object. For a call that connects, moves
/// data or ends a connection, `facts` receives the socket's state before and
/// after it and what it moved.
pub fn call_method(
    sock: &PySocket,
    name: &str,
    args: &Args,
    reg: &mut Registry,
    w: &dyn Waiter,
    facts: &mut Option<CallFacts>,
) -> Result<Value, Exception> {
    let Some(method) = crate::net::facts::tracked(name) else {
        return call(sock, name, args, reg, w, &mut Moved::default());
    };
    let before = sock.remembered();
    let mut moved = Moved::default();
    let result = call(sock, name, args, reg, w, &mut moved);
    let watching = crate::net::wire::WATCHING.load(std::sync::atomic::Ordering::Relaxed);
    if watching {
        note_ports(sock, name, args);
    }
    let how = args.pos.first().and_then(Value::as_int).map(|n| n as i32);
    sock.remember(
        method,
        how,
        result.as_ref().map(|_| ()).map_err(|e| e.errno),
    );
    // The kernel is asked only when the outcome may need its state.
    let short_waitall = moved.flags & libc::MSG_WAITALL != 0 && moved.received < moved.asked;
    let after =
        (result.is_err() || moved.received == Some(0) || short_waitall).then(|| sock.state());
    *facts = Some(CallFacts {
        method,
        family: sock.family,
        kind: sock.kind,
        before,
        after,
        flags: moved.flags,
        asked: moved.asked,
        received: moved.received,
        datagram: moved.datagram,
        sent: moved.sent,
        raised: result.as_ref().err().map(|e| (e.class.clone(), e.errno)),
        local: watching
            .then(|| sock.raw_fd())
            .flatten()
            .and_then(|fd| crate::net::sys::sock_name(fd, false))
            .and_then(|a| a.as_socket()),
        cited: None,
    });
    result
}

/// For the wire view: the socket's local port after a call, and the port a
/// connect or sendto aimed at (a refused connect leaves no local port).
fn note_ports(sock: &PySocket, name: &str, args: &Args) {
    if sock.family != libc::AF_INET && sock.family != libc::AF_INET6 {
        return;
    }
    let local = sock
        .raw_fd()
        .and_then(|fd| crate::net::sys::sock_name(fd, false))
        .and_then(|a| a.as_socket())
        .map_or(0, |a| a.port());
    let target = match name {
        "connect" | "connect_ex" => args.pos.first(),
        "sendto" => args.pos.last(),
        _ => None,
    };
    let aimed = target
        .and_then(|a| addr::parse(sock.family, a, name).ok())
        .and_then(|a| a.as_socket())
        .map_or(0, |a| a.port());
    crate::pane::note_ports(local, aimed);
}

/// The methods themselves; `moved` receives the bytes a call moved.
fn call(
    sock: &PySocket,
    name: &str,
    args: &Args,
    reg: &mut Registry,
    w: &dyn Waiter,
    moved: &mut Moved,
) -> Result<Value, Exception> {
    // Formatted only for an error's message.
    let qual = Qualified(name);
    match name {
        "accept" => {
            args.def(qual, &[], 0, 0, 1)?;
            let (conn, peer) = sock.accept(w)?;
            Ok(Value::tuple(vec![
                register(reg, conn),
                addr::to_value(&peer),
            ]))
        }
        "close" => {
            args.def(qual, &[], 0, 0, 1)?;
            sock.close();
            Ok(Value::None)
        }
        "bind" => {
            let address = addr::parse(sock.family, args.one(qual)?, "bind")?;
            sock.bind(&address)?;
            Ok(Value::None)
        }
        "connect" | "connect_ex" => {
            let address = addr::parse(sock.family, args.one(qual)?, name)?;
            let errno = sock.connect(w, &address, name == "connect")?;
            Ok(if name == "connect" {
                Value::None
            } else {
                Value::Int(errno as i64)
            })
        }
        "listen" => {
            let a = args.tuple("listen", qual, 0, 1)?;
            let backlog = match a.first() {
                Some(v) => c_int(v)?,
                None => libc::SOMAXCONN.min(128),
            };
            sock.listen(backlog)?;
            Ok(Value::None)
        }
        "recv" | "recvfrom" => {
            let a = args.tuple(name, qual, 1, 2)?;
            let size = a[0].index()?;
            let flags = a.get(1).map(c_int).transpose()?.unwrap_or(0);
            if size < 0 {
                return Err(Exception::value_error(format!(
                    "negative buffersize in {name}"
                )));
            }
            moved.flags = flags;
            moved.asked = Some(size as usize);
            let (data, from, datagram) = if name == "recv" {
                let (data, datagram) = sock.recv(w, size as usize, flags)?;
                (data, None, datagram)
            } else {
                let (data, from, datagram) = sock.recvfrom(w, size as usize, flags)?;
                (data, Some(addr::to_value(&from)), datagram)
            };
            moved.received = Some(data.len());
            moved.datagram = datagram;
            Ok(match from {
                None => Value::bytes(data),
                Some(from) => Value::tuple(vec![Value::bytes(data), from]),
            })
        }
        "send" | "sendall" => {
            let a = args.tuple(name, qual, 1, 2)?;
            let data = bytes_like(&a[0])?;
            let flags = a.get(1).map(c_int).transpose()?.unwrap_or(0);
            moved.flags = flags;
            // A send that fails or is interrupted has sent nothing: a blocking
            // send interrupted part way returns the count instead.
            moved.sent = Some((0, data.len()));
            if name == "send" {
                let n = sock.send(w, data, flags)?;
                moved.sent = Some((n, data.len()));
                Ok(Value::Int(n as i64))
            } else {
                let mut sent = 0;
                let result = sock.sendall(w, data, flags, &mut sent);
                moved.sent = Some((sent, data.len()));
                result?;
                Ok(Value::None)
            }
        }
        "sendto" => {
            if !args.kw.is_empty() {
                return Err(Exception::type_error(
                    "socket.sendto() takes no keyword arguments",
                ));
            }
            let (data, flags, address) = match args.pos.as_slice() {
                [data, address] => (data, None, address),
                [data, flags, address] => (data, Some(flags), address),
                other => {
                    return Err(Exception::type_error(format!(
                        "sendto() takes 2 or 3 arguments ({} given)",
                        other.len()
                    )));
                }
            };
            let data = bytes_like(data)?;
            let flags = flags.map(c_int).transpose()?.unwrap_or(0);
            let to = addr::parse(sock.family, address, "sendto")?;
            moved.flags = flags;
            let n = sock.sendto(w, data, flags, &to)?;
            moved.sent = Some((n, data.len()));
            Ok(Value::Int(n as i64))
        }
        "shutdown" => {
            let how = c_int(args.one(qual)?)?;
            sock.shutdown(how)?;
            Ok(Value::None)
        }
        "fileno" => {
            args.none(qual)?;
            Ok(Value::Int(sock.fileno() as i64))
        }
        "getsockname" => {
            args.none(qual)?;
            Ok(addr::to_value(&sock.getsockname()?))
        }
        "getpeername" => {
            args.none(qual)?;
            Ok(addr::to_value(&sock.getpeername()?))
        }
        "gettimeout" => {
            args.none(qual)?;
            Ok(sock.timeout().map_or(Value::None, Value::Float))
        }
        "getblocking" => {
            args.none(qual)?;
            Ok(Value::Bool(sock.timeout() != Some(0.0)))
        }
        "setblocking" => {
            let flag = args.one(qual)?.index()?;
            sock.set_timeout(if flag != 0 { None } else { Some(0.0) })?;
            Ok(Value::None)
        }
        "settimeout" => {
            let timeout = parse_timeout(args.one(qual)?)?;
            sock.set_timeout(timeout)?;
            Ok(Value::None)
        }
        "getsockopt" => {
            let a = args.tuple("getsockopt", qual, 2, 3)?;
            let (level, opt) = (c_int(&a[0])?, c_int(&a[1])?);
            match a.get(2).map(c_int).transpose()? {
                None | Some(0) => Ok(sockopt_value(sock.getsockopt(level, opt, None)?)),
                Some(len) if !(1..=1024).contains(&len) => {
                    Err(Exception::new("OSError", "getsockopt buflen out of range"))
                }
                Some(len) => Ok(sockopt_value(sock.getsockopt(
                    level,
                    opt,
                    Some(len as usize),
                )?)),
            }
        }
        "setsockopt" => {
            if !args.kw.is_empty() {
                return Err(Exception::type_error(
                    "socket.setsockopt() takes no keyword arguments",
                ));
            }
            match args.pos.as_slice() {
                [level, opt, Value::None, len] => {
                    let len = len.index()?;
                    let len = u32::try_from(len).map_err(|_| {
                        Exception::new(
                            "OverflowError",
                            "Python int too large to convert to C unsigned long",
                        )
                    })?;
                    sock.setsockopt(c_int(level)?, c_int(opt)?, None, len as usize)?;
                }
                [level, opt, value] => {
                    let (level, opt) = (c_int(level)?, c_int(opt)?);
                    match value.as_int() {
                        Some(_) => {
                            sock.setsockopt(level, opt, Some(&c_int(value)?.to_ne_bytes()), 4)?
                        }
                        None => {
                            let data = bytes_like(value)?;
                            sock.setsockopt(level, opt, Some(data), data.len())?;
                        }
                    }
                }
                other => {
                    return Err(Exception::type_error(format!(
                        "setsockopt() takes exactly 3 arguments ({} given)",
                        other.len()
                    )));
                }
            }
            Ok(Value::None)
        }
        _ => Err(Exception::new(
            "AttributeError",
            format!("'socket' object has no attribute '{name}'"),
        )),
    }
}

/// `socket.NAME`, as CPython's messages name a socket method.
#[derive(Clone, Copy)]
struct Qualified<'a>(&'a str);

impl std::fmt::Display for Qualified<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "socket.{}", self.0)
    }
}
