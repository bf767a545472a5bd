//! Values of the playground language and Python's rules for them: type names,
//! truth, equality, ordering. `repr` holds the byte-exact CPython 3.11 reprs.

pub mod repr;

use std::sync::Arc;
use std::sync::Mutex;

use crate::net::sock::PySocket;
use crate::outcome::Exception;

/// A value held by a name in a pane, or produced by an expression.
#[derive(Debug, Clone)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    Bytes(Arc<[u8]>),
    Tuple(Arc<[Value]>),
    List(Arc<Vec<Value>>),
    /// A member of one of the socket module's enums (`AF_INET`, `SOCK_STREAM`, `MSG_PEEK`).
    Enum(EnumKind, i64),
    Socket(Arc<PySocket>),
    Module(Module),
    Builtin(Builtin),
    /// A method bound to its object (`s.recv`, `data.decode`).
    Method(Arc<Value>, Arc<str>),
    Range(i64, i64, i64),
    /// `reversed(x)`: an iterator; iterating consumes it, like in Python.
    Reversed(Arc<Mutex<Vec<Value>>>),
}

/// The contents of a value's mutex. A panic while it was held (caught as a
/// SystemError outcome) leaves the data as it was, so a poisoned lock is used as is.
pub fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The int-like enums of the socket module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumKind {
    AddressFamily,
    SocketKind,
    MsgFlag,
    AddressInfo,
}

impl EnumKind {
    pub fn name(self) -> &'static str {
        match self {
            EnumKind::AddressFamily => "AddressFamily",
            EnumKind::SocketKind => "SocketKind",
            EnumKind::MsgFlag => "MsgFlag",
            EnumKind::AddressInfo => "AddressInfo",
        }
    }

    /// The members of the enum, as (name, value), by value (CPython's tables).
    pub fn members(self) -> &'static [(&'static str, i64)] {
        use crate::interp::python_names as names;
        match self {
            EnumKind::AddressFamily => names::ADDRESSFAMILY_MEMBERS,
            EnumKind::SocketKind => names::SOCKETKIND_MEMBERS,
            EnumKind::MsgFlag => names::MSGFLAG_MEMBERS,
            EnumKind::AddressInfo => names::ADDRESSINFO_MEMBERS,
        }
    }

    /// Flags combine with `|` and repr as `A|B`; the others are plain IntEnums.
    pub fn is_flag(self) -> bool {
        matches!(self, EnumKind::MsgFlag | EnumKind::AddressInfo)
    }
}

/// The two modules a pane has imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    Socket,
    Select,
}

/// Built-in functions and classes the language knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    Print,
    Len,
    Repr,
    Reversed,
    Range,
    Str,
    Bytes,
    List,
    Tuple,
    Int,
    Float,
    Bool,
    Min,
    Max,
    Sum,
    Abs,
    Ord,
    Chr,
    Hex,
    SocketClass,
    CreateConnection,
    CreateServer,
    Socketpair,
    Gethostname,
    Select,
}

impl Builtin {
    /// The name Python gives it (`socket.create_connection` has `create_connection`).
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Print => "print",
            Builtin::Len => "len",
            Builtin::Repr => "repr",
            Builtin::Reversed => "reversed",
            Builtin::Range => "range",
            Builtin::Str => "str",
            Builtin::Bytes => "bytes",
            Builtin::List => "list",
            Builtin::Tuple => "tuple",
            Builtin::Int => "int",
            Builtin::Float => "float",
            Builtin::Bool => "bool",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Sum => "sum",
            Builtin::Abs => "abs",
            Builtin::Ord => "ord",
            Builtin::Chr => "chr",
            Builtin::Hex => "hex",
            Builtin::SocketClass => "socket",
            Builtin::CreateConnection => "create_connection",
            Builtin::CreateServer => "create_server",
            Builtin::Socketpair => "socketpair",
            Builtin::Gethostname => "gethostname",
            Builtin::Select => "select",
        }
    }

    /// Classes repr as `<class 'bytes'>`; functions as `<built-in function len>`.
    pub fn is_class(self) -> bool {
        matches!(
            self,
            Builtin::Reversed
                | Builtin::Range
                | Builtin::Str
                | Builtin::Bytes
                | Builtin::List
                | Builtin::Tuple
                | Builtin::Int
                | Builtin::Float
                | Builtin::Bool
                | Builtin::SocketClass
        )
    }

    /// The builtins reachable by bare name in every pane.
    pub const BARE: [Builtin; 19] = [
        Builtin::Print,
        Builtin::Len,
        Builtin::Repr,
        Builtin::Reversed,
        Builtin::Range,
        Builtin::Str,
        Builtin::Bytes,
        Builtin::List,
        Builtin::Tuple,
        Builtin::Int,
        Builtin::Float,
        Builtin::Bool,
        Builtin::Min,
        Builtin::Max,
        Builtin::Sum,
        Builtin::Abs,
        Builtin::Ord,
        Builtin::Chr,
        Builtin::Hex,
    ];

    /// The builtin of that bare name.
    pub fn by_name(name: &str) -> Option<Builtin> {
        Builtin::BARE.into_iter().find(|b| b.name() == name)
    }
}

impl Value {
    pub fn str(s: impl Into<Arc<str>>) -> Value {
        Value::Str(s.into())
    }

    pub fn bytes(b: impl Into<Arc<[u8]>>) -> Value {
        Value::Bytes(b.into())
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(items.into())
    }

    /// `type(v).__name__`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Enum(kind, _) => kind.name(),
            Value::Socket(_) => "socket",
            Value::Module(_) => "module",
            Value::Builtin(b) if b.is_class() => "type",
            Value::Builtin(_) | Value::Method(..) => "builtin_function_or_method",
            Value::Range(..) => "range",
            Value::Reversed(_) => "reversed",
        }
    }

    /// Python's truth value.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(n) | Value::Enum(_, n) => *n != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::Tuple(items) => !items.is_empty(),
            Value::List(items) => !items.is_empty(),
            Value::Range(start, stop, step) => range_len(*start, *stop, *step) > 0,
            _ => true,
        }
    }

    /// The value as an integer, if it is one (bool and enum members are ints).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) | Value::Enum(_, n) => Some(*n),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }

    /// `operator.index(v)`: an int, or CPython's TypeError.
    pub fn index(&self) -> Result<i64, Exception> {
        self.as_int().ok_or_else(|| {
            Exception::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                self.type_name()
            ))
        })
    }

    fn as_number(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            other => other.as_int().map(|n| n as f64),
        }
    }

    /// `a is b`.
    pub fn is(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Socket(a), Value::Socket(b)) => Arc::ptr_eq(a, b),
            (Value::Str(a), Value::Str(b)) => Arc::ptr_eq(a, b),
            (Value::Bytes(a), Value::Bytes(b)) => Arc::ptr_eq(a, b),
            (Value::Tuple(a), Value::Tuple(b)) => Arc::ptr_eq(a, b),
            (Value::List(a), Value::List(b)) => Arc::ptr_eq(a, b),
            (Value::Int(a), Value::Int(b)) => a == b && (-5..=256).contains(a),
            (Value::Enum(k, a), Value::Enum(l, b)) => k == l && a == b,
            (Value::Module(a), Value::Module(b)) => a == b,
            (Value::Builtin(a), Value::Builtin(b)) => a == b,
            _ => false,
        }
    }

    /// `a == b`.
    pub fn py_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Tuple(a), Value::Tuple(b)) => seq_eq(a, b),
            (Value::List(a), Value::List(b)) => seq_eq(a, b),
            (Value::Range(a, b, c), Value::Range(d, e, f)) => (a, b, c) == (d, e, f),
            (Value::Float(_), _) | (_, Value::Float(_)) => {
                match (self.as_number(), other.as_number()) {
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                }
            }
            _ => match (self.as_int(), other.as_int()) {
                (Some(a), Some(b)) => a == b,
                _ => self.is(other),
            },
        }
    }

    /// `a < b` and friends: Some(ordering), or None when Python raises TypeError.
    pub fn py_cmp(&self, other: &Value) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            (Value::Bytes(a), Value::Bytes(b)) => Some(a.cmp(b)),
            (Value::Tuple(a), Value::Tuple(b)) => seq_cmp(a, b),
            (Value::List(a), Value::List(b)) => seq_cmp(a, b),
            _ => match (self.as_int(), other.as_int()) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => self.as_number()?.partial_cmp(&other.as_number()?),
            },
        }
    }
}

fn seq_eq(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y))
}

fn seq_cmp(a: &[Value], b: &[Value]) -> Option<std::cmp::Ordering> {
    for (x, y) in a.iter().zip(b) {
        if !x.py_eq(y) {
            return x.py_cmp(y);
        }
    }
    Some(a.len().cmp(&b.len()))
}

/// The number of items in `range(start, stop, step)` (in i128: the length
/// of `range(-2**63, 2**63 - 1)` does not fit an i64, nor a C ssize_t).
pub fn range_len(start: i64, stop: i64, step: i64) -> i128 {
    let (start, stop, step) = (i128::from(start), i128::from(stop), i128::from(step));
    if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else if step < 0 && start > stop {
        (start - stop - 1) / (-step) + 1
    } else {
        0
    }
}
