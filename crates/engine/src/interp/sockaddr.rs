//! Socket addresses between Python values and the kernel, as CPython's
//! `getsockaddrarg`, `setipaddr` and `makesockaddr` do them: tuples for
//! AF_INET and AF_INET6, path strings for AF_UNIX, names resolved by getaddrinfo.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::unix::ffi::OsStrExt;

use socket2::SockAddr;

use crate::net::sys;
use crate::outcome::Exception;
use crate::value::Value;

/// The `gaierror` CPython raises for a getaddrinfo failure.
pub fn gaierror(e: sys::GaiError) -> Exception {
    Exception {
        errno: Some(e.code),
        ..Exception::new("gaierror", e.message)
    }
}

/// The host of an address tuple: str, bytes or bytearray, as `idna_converter` takes it.
fn host_of(value: &Value) -> Result<String, Exception> {
    match value {
        Value::Str(s) => Ok(s.to_string()),
        Value::Bytes(b) => Ok(String::from_utf8_lossy(b).into_owned()),
        other => Err(Exception::type_error(format!(
            "str, bytes or bytearray expected, not {}",
            other.type_name()
        ))),
    }
}

/// `setipaddr`: a host name or numeric address to an IP address of family `af`.
pub fn resolve_host(name: &str, af: i32) -> Result<IpAddr, Exception> {
    if name.is_empty() {
        let found = sys::getaddrinfo(None, Some("0"), af, libc::SOCK_DGRAM, libc::AI_PASSIVE)
            .map_err(gaierror)?;
        if found.len() > 1 {
            return Err(Exception::new(
                "OSError",
                "wildcard resolved to multiple address",
            ));
        }
        return found
            .first()
            .map(|a| a.addr.ip())
            .ok_or_else(|| Exception::new("OSError", "getaddrinfo returned no address"));
    }
    if name == "255.255.255.255" || name == "<broadcast>" {
        if af != libc::AF_INET && af != libc::AF_UNSPEC {
            return Err(Exception::new("OSError", "address family mismatched"));
        }
        return Ok(IpAddr::V4(Ipv4Addr::BROADCAST));
    }
    if (af == libc::AF_INET || af == libc::AF_UNSPEC)
        && let Ok(ip) = name.parse::<Ipv4Addr>()
    {
        return Ok(IpAddr::V4(ip));
    }
    if (af == libc::AF_INET6 || af == libc::AF_UNSPEC)
        && !name.contains('%')
        && let Ok(ip) = name.parse::<Ipv6Addr>()
    {
        return Ok(IpAddr::V6(ip));
    }
    let found = sys::getaddrinfo(Some(name), None, af, 0, 0).map_err(gaierror)?;
    found
        .first()
        .map(|a| a.addr.ip())
        .ok_or_else(|| Exception::new("OSError", "getaddrinfo returned no address"))
}

/// An int argument of an address tuple (`i` or `I` in PyArg_ParseTuple).
fn port_of(value: &Value, caller: &str) -> Result<i64, Exception> {
    let port = value.index()?;
    if i32::try_from(port).is_err() {
        return Err(port_range(caller));
    }
    Ok(port)
}

fn port_range(caller: &str) -> Exception {
    Exception::new(
        "OverflowError",
        format!("{caller}(): port must be 0-65535."),
    )
}

/// Turns the Python address argument of `caller` (bind, connect, sendto...) into a kernel address.
pub fn parse(family: i32, value: &Value, caller: &str) -> Result<SockAddr, Exception> {
    match family {
        libc::AF_INET => {
            let Value::Tuple(items) = value else {
                return Err(Exception::type_error(format!(
                    "{caller}(): AF_INET address must be tuple, not {}",
                    value.type_name()
                )));
            };
            if items.len() != 2 {
                return Err(Exception::type_error(
                    "AF_INET address must be a pair (host, port)",
                ));
            }
            let host = host_of(&items[0])?;
            let port = port_of(&items[1], caller)?;
            let ip = resolve_host(&host, libc::AF_INET)?;
            if !(0..=0xffff).contains(&port) {
                return Err(port_range(caller));
            }
            let IpAddr::V4(ip) = ip else {
                return Err(Exception::new("OSError", "address family mismatched"));
            };
            Ok(SockAddr::from(SocketAddrV4::new(ip, port as u16)))
        }
        libc::AF_INET6 => {
            let Value::Tuple(items) = value else {
                return Err(Exception::type_error(format!(
                    "{caller}(): AF_INET6 address must be tuple, not {}",
                    value.type_name()
                )));
            };
            if !(2..=4).contains(&items.len()) {
                return Err(Exception::type_error(
                    "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
                ));
            }
            let host = host_of(&items[0])?;
            let port = port_of(&items[1], caller)?;
            let unsigned = |v: Option<&Value>| -> Result<u32, Exception> {
                match v {
                    None => Ok(0),
                    Some(v) => u32::try_from(v.index()?).map_err(|_| port_range(caller)),
                }
            };
            let flowinfo = unsigned(items.get(2))?;
            let scope_id = unsigned(items.get(3))?;
            let ip = resolve_host(&host, libc::AF_INET6)?;
            if !(0..=0xffff).contains(&port) {
                return Err(port_range(caller));
            }
            if flowinfo > 0xfffff {
                return Err(Exception::new(
                    "OverflowError",
                    format!("{caller}(): flowinfo must be 0-1048575."),
                ));
            }
            let ip = match ip {
                IpAddr::V6(ip) => ip,
                IpAddr::V4(v4) => v4.to_ipv6_mapped(),
            };
            Ok(SockAddr::from(SocketAddrV6::new(
                ip,
                port as u16,
                flowinfo,
                scope_id,
            )))
        }
        libc::AF_UNIX => {
            let path: Vec<u8> = match value {
                Value::Str(s) => s.as_bytes().to_vec(),
                Value::Bytes(b) => b.to_vec(),
                other => {
                    return Err(Exception::type_error(format!(
                        "a bytes-like object is required, not '{}'",
                        other.type_name()
                    )));
                }
            };
            let limit = 108;
            let too_long = if path.first() == Some(&0) {
                path.len() > limit
            } else {
                path.len() >= limit
            };
            if too_long {
                return Err(Exception::new("OSError", "AF_UNIX path too long"));
            }
            SockAddr::unix(std::ffi::OsStr::from_bytes(&path))
                .map_err(|e| Exception::os(e.raw_os_error().unwrap_or(libc::EINVAL)))
        }
        _ => Err(Exception::new("OSError", format!("{caller}(): bad family"))),
    }
}

/// The Python value of a kernel address: a tuple, a path, or None when empty.
pub fn to_value(addr: &SockAddr) -> Value {
    if addr.len() == 0 {
        return Value::None;
    }
    match addr.as_socket() {
        Some(SocketAddr::V4(a)) => Value::tuple(vec![
            Value::str(a.ip().to_string()),
            Value::Int(a.port() as i64),
        ]),
        Some(SocketAddr::V6(a)) => Value::tuple(vec![
            Value::str(sys::inet_ntop6(a.ip())),
            Value::Int(a.port() as i64),
            Value::Int(a.flowinfo() as i64),
            Value::Int(a.scope_id() as i64),
        ]),
        None if addr.is_unix() => {
            if let Some(name) = addr.as_abstract_namespace() {
                let mut bytes = vec![0u8];
                bytes.extend_from_slice(name);
                Value::bytes(bytes)
            } else if let Some(path) = addr.as_pathname() {
                Value::str(String::from_utf8_lossy(path.as_os_str().as_bytes()).into_owned())
            } else {
                Value::str("")
            }
        }
        None => Value::None,
    }
}

/// Whether an address value is truthy, as `socket.__repr__` asks before showing it.
pub fn shows_in_repr(value: &Value) -> bool {
    value.truthy()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(host: &str, port: i64) -> Value {
        Value::tuple(vec![Value::str(host), Value::Int(port)])
    }

    #[test]
    fn inet_addresses_and_their_errors() {
        let a = parse(libc::AF_INET, &addr("127.0.0.1", 5678), "bind").unwrap();
        assert_eq!(
            crate::value::repr::repr(&to_value(&a)),
            "('127.0.0.1', 5678)"
        );
        let a = parse(libc::AF_INET, &addr("", 0), "bind").unwrap();
        assert_eq!(crate::value::repr::repr(&to_value(&a)), "('0.0.0.0', 0)");
        let a = parse(libc::AF_INET, &addr("localhost", 80), "connect").unwrap();
        assert_eq!(crate::value::repr::repr(&to_value(&a)), "('127.0.0.1', 80)");
        let e = parse(libc::AF_INET, &addr("127.0.0.1", 70000), "bind").unwrap_err();
        assert_eq!(
            e.display_line(),
            "OverflowError: bind(): port must be 0-65535."
        );
        let e = parse(libc::AF_INET, &Value::str("x"), "bind").unwrap_err();
        assert_eq!(
            e.display_line(),
            "TypeError: bind(): AF_INET address must be tuple, not str"
        );
        let e = parse(libc::AF_INET, &Value::tuple(vec![Value::str("h")]), "bind").unwrap_err();
        assert_eq!(
            e.display_line(),
            "TypeError: AF_INET address must be a pair (host, port)"
        );
        let e = parse(
            libc::AF_INET,
            &Value::tuple(vec![Value::Int(1), Value::Int(80)]),
            "bind",
        )
        .unwrap_err();
        assert_eq!(
            e.display_line(),
            "TypeError: str, bytes or bytearray expected, not int"
        );
        let e = parse(libc::AF_INET, &addr("no-such-host.invalid", 80), "connect").unwrap_err();
        assert_eq!((e.class.as_ref(), e.errno), ("gaierror", Some(-2)));
    }

    #[test]
    fn inet6_and_unix_addresses() {
        let a = parse(libc::AF_INET6, &addr("::1", 8080), "bind").unwrap();
        assert_eq!(
            crate::value::repr::repr(&to_value(&a)),
            "('::1', 8080, 0, 0)"
        );
        let a = parse(libc::AF_UNIX, &Value::str("/tmp/x.sock"), "bind").unwrap();
        assert_eq!(crate::value::repr::repr(&to_value(&a)), "'/tmp/x.sock'");
        let e = parse(libc::AF_UNIX, &addr("a", 1), "bind").unwrap_err();
        assert_eq!(
            e.display_line(),
            "TypeError: a bytes-like object is required, not 'tuple'"
        );
        let e = parse(libc::AF_UNIX, &Value::str("x".repeat(200)), "bind").unwrap_err();
        assert_eq!(e.display_line(), "OSError: AF_UNIX path too long");
    }
}
