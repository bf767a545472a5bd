//! Values of the playground language and Python's rules for them: type names,
//! truth, equality, ordering. `repr` holds the byte-exact CPython 3.11 reprs.

pub mod containers;
pub mod repr;
pub mod surrogate;

use std::sync::Arc;
use std::sync::Mutex;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::net::sock::PySocket;
use crate::outcome::Exception;

/// A value held by a name in a pane, or produced by an expression.
#[derive(Debug, Clone)]
pub enum Value {
    None,
    Bool(bool),
    /// An int that fits 64 bits: the fast path every small value takes.
    Int(i64),
    /// An int that does not fit 64 bits. Never holds a value that would fit
    /// (`Value::int` normalizes), so `Int` and `BigInt` never mean the same number.
    BigInt(Arc<BigInt>),
    Float(f64),
    Str(Arc<str>),
    Bytes(Arc<[u8]>),
    Tuple(Arc<[Value]>),
    /// A list, shared by every name that holds it (`b = a; b.append(1)` changes `a`).
    List(containers::List),
    Dict(containers::Dict),
    Set(containers::Set),
    /// `d.keys()`, `d.values()`, `d.items()`: live views of a dict.
    DictView(containers::Dict, containers::View),
    /// A `types.SimpleNamespace`.
    Namespace(containers::Namespace),
    /// A named tuple of a module (`selectors.SelectorKey`).
    Record(Arc<containers::Record>),
    /// An iterator (`iter(x)`, `enumerate`, `zip`) or a generator.
    Iter(Arc<Mutex<crate::interp::iter::PyIter>>),
    /// A `selectors.DefaultSelector()`.
    Selector(Arc<crate::interp::selectors::Selector>),
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
    /// A class with no builtin of its own here, as `type()` returns it: its
    /// whole repr (`<class 'NoneType'>`, `<enum 'AddressFamily'>`).
    Class(&'static str),
    /// A builtin exception class (`OSError`, `socket.timeout`).
    ExcClass(&'static str),
    /// An exception object (`except OSError as e`, `ValueError('bad')`).
    Exception(Arc<crate::outcome::Exception>),
    /// A function defined in the pane (`def`, `lambda`).
    Function(Arc<crate::interp::function::Function>),
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
    /// `time`: `time`, `monotonic`, `perf_counter`, `sleep`.
    Time,
    /// `struct`: `pack`, `unpack`, `unpack_from`, `calcsize`, `error`.
    Struct,
    /// `types`: `SimpleNamespace`.
    Types,
    /// `selectors`: `DefaultSelector`, `EVENT_READ`, `EVENT_WRITE`.
    Selectors,
    /// `sys`: `exit`, `argv`.
    Sys,
    /// `errno`: the constants.
    Errno,
}

impl Module {
    pub fn name(self) -> &'static str {
        match self {
            Module::Socket => "socket",
            Module::Select => "select",
            Module::Time => "time",
            Module::Struct => "struct",
            Module::Types => "types",
            Module::Selectors => "selectors",
            Module::Sys => "sys",
            Module::Errno => "errno",
        }
    }

    /// The module `import name` brings in.
    pub fn by_name(name: &str) -> Option<Module> {
        [
            Module::Socket,
            Module::Select,
            Module::Time,
            Module::Struct,
            Module::Types,
            Module::Selectors,
            Module::Sys,
            Module::Errno,
        ]
        .into_iter()
        .find(|m| m.name() == name)
    }
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
    /// `exit` and `quit`: CPython's `Quitter` objects; calling one raises SystemExit.
    Exit,
    Quit,
    /// `type`: `type(x)` is x's class.
    Type,
    /// `dir()`, `dir(x)`: names.
    Dir,
    /// `help(x)`, `help('recv')`: sockplay's own short texts.
    Help,
    /// The `time` module's functions.
    TimeTime,
    TimeMonotonic,
    TimePerfCounter,
    TimeSleep,
    /// The `struct` module's functions.
    StructPack,
    StructUnpack,
    StructUnpackFrom,
    StructCalcsize,
    Dict,
    Set,
    Sorted,
    Enumerate,
    Zip,
    Isinstance,
    Any,
    All,
    Next,
    Iter,
    Id,
    Hash,
    Divmod,
    Round,
    Callable,
    /// `types.SimpleNamespace`.
    Namespace,
    /// `selectors.DefaultSelector` (an `EpollSelector`, as on Linux).
    DefaultSelector,
    /// `sys.exit`.
    SysExit,
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
            Builtin::Exit => "exit",
            Builtin::Quit => "quit",
            Builtin::Type => "type",
            Builtin::Dir => "dir",
            Builtin::Help => "help",
            Builtin::TimeTime => "time",
            Builtin::TimeMonotonic => "monotonic",
            Builtin::TimePerfCounter => "perf_counter",
            Builtin::TimeSleep => "sleep",
            Builtin::StructPack => "pack",
            Builtin::StructUnpack => "unpack",
            Builtin::StructUnpackFrom => "unpack_from",
            Builtin::StructCalcsize => "calcsize",
            Builtin::Dict => "dict",
            Builtin::Set => "set",
            Builtin::Sorted => "sorted",
            Builtin::Enumerate => "enumerate",
            Builtin::Zip => "zip",
            Builtin::Isinstance => "isinstance",
            Builtin::Any => "any",
            Builtin::All => "all",
            Builtin::Next => "next",
            Builtin::Iter => "iter",
            Builtin::Id => "id",
            Builtin::Hash => "hash",
            Builtin::Divmod => "divmod",
            Builtin::Round => "round",
            Builtin::Callable => "callable",
            Builtin::Namespace => "SimpleNamespace",
            Builtin::DefaultSelector => "EpollSelector",
            Builtin::SysExit => "exit",
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
                | Builtin::Type
                | Builtin::Dict
                | Builtin::Set
                | Builtin::Enumerate
                | Builtin::Zip
                | Builtin::Namespace
                | Builtin::DefaultSelector
        )
    }

    /// The builtins reachable by bare name in every pane.
    pub const BARE: [Builtin; 39] = [
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
        Builtin::Exit,
        Builtin::Quit,
        Builtin::Type,
        Builtin::Dir,
        Builtin::Help,
        Builtin::Dict,
        Builtin::Set,
        Builtin::Sorted,
        Builtin::Enumerate,
        Builtin::Zip,
        Builtin::Isinstance,
        Builtin::Any,
        Builtin::All,
        Builtin::Next,
        Builtin::Iter,
        Builtin::Id,
        Builtin::Hash,
        Builtin::Divmod,
        Builtin::Round,
        Builtin::Callable,
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

    /// An int of any size: `Int` when it fits 64 bits, else `BigInt`.
    pub fn int(n: BigInt) -> Value {
        match n.to_i64() {
            Some(small) => Value::Int(small),
            None => Value::BigInt(Arc::new(n)),
        }
    }

    /// The value as an int of any size, if it is an int (bool and enum members are).
    pub fn as_bigint(&self) -> Option<BigInt> {
        match self {
            Value::BigInt(n) => Some(n.as_ref().clone()),
            other => other.as_int().map(BigInt::from),
        }
    }

    /// Whether the value is an int (of any size), a bool, or an enum member.
    pub fn is_int(&self) -> bool {
        matches!(
            self,
            Value::Int(_) | Value::BigInt(_) | Value::Bool(_) | Value::Enum(..)
        )
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
            Value::Int(_) | Value::BigInt(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::DictView(_, view) => view.type_name(),
            Value::Namespace(_) => "types.SimpleNamespace",
            Value::Record(r) => r.class,
            Value::Iter(it) => locked(it).type_name(),
            Value::Selector(_) => "EpollSelector",
            Value::Enum(kind, _) => kind.name(),
            Value::Socket(_) => "socket",
            Value::Module(_) => "module",
            Value::Builtin(b) if b.is_class() => "type",
            Value::Builtin(Builtin::Exit | Builtin::Quit) => "Quitter",
            Value::Builtin(_) | Value::Method(..) => "builtin_function_or_method",
            Value::Range(..) => "range",
            Value::Reversed(_) => "reversed",
            Value::Class(_) | Value::ExcClass(_) => "type",
            Value::Function(_) => "function",
            Value::Exception(e) => match e.class {
                std::borrow::Cow::Borrowed(c) => c,
                std::borrow::Cow::Owned(_) => "Exception",
            },
        }
    }

    /// Python's truth value.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(n) | Value::Enum(_, n) => *n != 0,
            Value::BigInt(n) => !n.is_zero(),
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::Tuple(items) => !items.is_empty(),
            Value::List(items) => !items.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Set(s) => !s.is_empty(),
            Value::DictView(d, _) => !d.is_empty(),
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

    /// `operator.index(v)` as a C `Py_ssize_t`: an int, CPython's TypeError
    /// for what is not one, and its OverflowError for an int that does not fit.
    pub fn index(&self) -> Result<i64, Exception> {
        if let Value::BigInt(_) = self {
            return Err(Exception::new(
                "OverflowError",
                "Python int too large to convert to C ssize_t",
            ));
        }
        self.as_int().ok_or_else(|| {
            Exception::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                self.type_name()
            ))
        })
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
            (Value::List(a), Value::List(b)) => a.ptr_eq(b),
            (Value::Dict(a), Value::Dict(b)) => a.ptr_eq(b),
            (Value::Set(a), Value::Set(b)) => a.ptr_eq(b),
            (Value::Namespace(a), Value::Namespace(b)) => a.ptr_eq(b),
            (Value::Record(a), Value::Record(b)) => Arc::ptr_eq(a, b),
            (Value::Iter(a), Value::Iter(b)) => Arc::ptr_eq(a, b),
            (Value::Selector(a), Value::Selector(b)) => Arc::ptr_eq(a, b),
            (Value::Function(a), Value::Function(b)) => Arc::ptr_eq(a, b),
            (Value::Exception(a), Value::Exception(b)) => Arc::ptr_eq(a, b),
            (Value::ExcClass(a), Value::ExcClass(b)) => a == b,
            (Value::Class(a), Value::Class(b)) => a == b,
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
            (Value::List(a), Value::List(b)) => a.ptr_eq(b) || seq_eq(&a.snapshot(), &b.snapshot()),
            (Value::Dict(a), Value::Dict(b)) => a.ptr_eq(b) || dict_eq(a, b),
            (Value::Set(a), Value::Set(b)) => {
                a.ptr_eq(b) || {
                    let (x, y) = (a.map(), b.map());
                    x.len() == y.len() && x.keys().all(|k| y.contains_key(k))
                }
            }
            (Value::Namespace(a), Value::Namespace(b)) => {
                a.ptr_eq(b) || {
                    let (x, y) = (a.snapshot(), b.snapshot());
                    x.len() == y.len()
                        && x.iter().all(|(n, v)| {
                            y.iter()
                                .any(|(m, w)| n == m && (same_object(v, w) || v.py_eq(w)))
                        })
                }
            }
            (Value::Record(a), Value::Record(b)) => seq_eq(&a.values, &b.values),
            (Value::Record(a), Value::Tuple(b)) | (Value::Tuple(b), Value::Record(a)) => {
                seq_eq(&a.values, b)
            }
            (Value::Range(a, b, c), Value::Range(d, e, f)) => (a, b, c) == (d, e, f),
            _ => match self.number_cmp(other) {
                Some(order) => order == Some(std::cmp::Ordering::Equal),
                None => self.is(other),
            },
        }
    }

    /// Compares two numbers exactly, as CPython does (an int with a float is
    /// compared without rounding the int: `2**53 + 1 == 2.0**53` is False).
    /// None when either is not a number; Some(None) when unordered (NaN).
    pub fn number_cmp(&self, other: &Value) -> Option<Option<std::cmp::Ordering>> {
        match (self, other) {
            (Value::Float(a), Value::Float(b)) => Some(a.partial_cmp(b)),
            (Value::Float(f), i) if i.is_int() => {
                Some(int_float_cmp(i, *f).map(std::cmp::Ordering::reverse))
            }
            (i, Value::Float(f)) if i.is_int() => Some(int_float_cmp(i, *f)),
            (a, b) if a.is_int() && b.is_int() => Some(match (a.as_int(), b.as_int()) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ => Some(a.as_bigint()?.cmp(&b.as_bigint()?)),
            }),
            _ => None,
        }
    }

    /// `a < b` and friends: Some(ordering), or None when Python raises TypeError.
    pub fn py_cmp(&self, other: &Value) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            (Value::Bytes(a), Value::Bytes(b)) => Some(a.cmp(b)),
            (Value::Tuple(a), Value::Tuple(b)) => seq_cmp(a, b),
            (Value::List(a), Value::List(b)) => seq_cmp(&a.snapshot(), &b.snapshot()),
            _ => self.number_cmp(other)?,
        }
    }
}

/// An int (of any size) against a float, exactly.
fn int_float_cmp(i: &Value, f: f64) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering;
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    // Small ints convert to f64 exactly.
    if let Some(n) = i.as_int()
        && n.unsigned_abs() <= 1 << 53
    {
        return (n as f64).partial_cmp(&f);
    }
    let n = i.as_bigint()?;
    let whole = f.floor();
    // A finite float's integral part converts to an int exactly.
    let whole_int: BigInt = num_traits::FromPrimitive::from_f64(whole).unwrap_or_else(BigInt::zero);
    Some(match n.cmp(&whole_int) {
        Ordering::Equal if f > whole => Ordering::Less,
        order => order,
    })
}

/// A big int as a float, or CPython's OverflowError when it is too large.
pub fn bigint_to_f64(n: &BigInt) -> Result<f64, Exception> {
    match n.to_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(Exception::new(
            "OverflowError",
            "int too large to convert to float",
        )),
    }
}

/// Whether a big int is negative (for callers that only need the sign).
pub fn bigint_negative(n: &BigInt) -> bool {
    n.is_negative()
}

/// Items compare as CPython's `PyObject_RichCompareBool`: identity first,
/// so a list holding one object many times compares in one pass.
fn seq_eq(a: &[Value], b: &[Value]) -> bool {
    std::ptr::eq(a, b)
        || a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| same_object(x, y) || x.py_eq(y))
}

/// Two dicts hold the same keys with equal values.
fn dict_eq(a: &containers::Dict, b: &containers::Dict) -> bool {
    let (x, y) = (a.map(), b.map());
    x.len() == y.len()
        && x.iter().all(|(k, (_, v))| {
            y.get(k)
                .is_some_and(|(_, w)| same_object(v, w) || v.py_eq(w))
        })
}

/// `x is y` for containers (the shortcut of element comparisons).
fn same_object(x: &Value, y: &Value) -> bool {
    match (x, y) {
        (Value::List(a), Value::List(b)) => a.ptr_eq(b),
        (Value::Dict(a), Value::Dict(b)) => a.ptr_eq(b),
        (Value::Tuple(a), Value::Tuple(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
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
