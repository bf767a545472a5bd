//! The mutable containers of the language (list, dict, set, and
//! `types.SimpleNamespace`), shared by every name that holds them as in
//! Python, and the hash keys that dicts and sets use (Python's equality:
//! `1`, `1.0` and `True` are one key).

use std::sync::{Arc, Mutex, MutexGuard};

use indexmap::IndexMap;
use num_bigint::BigInt;

use super::{Value, locked};
use crate::outcome::Exception;

/// A list: one shared, mutable vector of values.
#[derive(Clone, Default)]
pub struct List(Arc<Mutex<Vec<Value>>>);

impl List {
    pub fn new(items: Vec<Value>) -> List {
        List(Arc::new(Mutex::new(items)))
    }

    /// The items, locked. Never held across a call that may run user code
    /// (the same list could be locked again): take a `snapshot` for that.
    pub fn lock(&self) -> MutexGuard<'_, Vec<Value>> {
        locked(&self.0)
    }

    /// A copy of the items as they are now.
    pub fn snapshot(&self) -> Vec<Value> {
        self.lock().clone()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The item at `i`, if the list is that long now.
    pub fn get(&self, i: usize) -> Option<Value> {
        self.lock().get(i).cloned()
    }

    /// Identity: `id(x)` and `x is y`.
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as *const u8 as usize
    }

    pub fn ptr_eq(&self, other: &List) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for List {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "List({:#x})", self.id())
    }
}

/// What a dict or a set is keyed by: a value reduced to its Python equality.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Key {
    None,
    /// ints, bools, enum members and floats with an integral value.
    Int(i64),
    Big(BigInt),
    /// A float that is no integer, by its bits.
    Float(u64),
    Str(Arc<str>),
    Bytes(Arc<[u8]>),
    Tuple(Vec<Key>),
    Range(i64, i64, i64),
    /// An object hashed by identity (a socket, a function, a class).
    Id(usize),
    /// A builtin or a class, by name.
    Name(&'static str),
}

/// `hash(v)` as a key, or CPython's TypeError for a mutable container.
pub fn key(v: &Value) -> Result<Key, Exception> {
    Ok(match v {
        Value::None => Key::None,
        Value::Bool(b) => Key::Int(*b as i64),
        Value::Int(n) | Value::Enum(_, n) => Key::Int(*n),
        Value::BigInt(n) => Key::Big(n.as_ref().clone()),
        // An integral float is the int it equals (`d[1.0]` is `d[1]`).
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Key::Int(*f as i64),
        Value::Float(f) => Key::Float(f.to_bits()),
        Value::Str(s) => Key::Str(s.clone()),
        Value::Bytes(b) => Key::Bytes(b.clone()),
        Value::Tuple(items) => Key::Tuple(items.iter().map(key).collect::<Result<_, _>>()?),
        Value::Range(a, b, c) => Key::Range(*a, *b, *c),
        Value::Socket(s) => Key::Id(Arc::as_ptr(s) as usize),
        Value::Function(f) => Key::Id(Arc::as_ptr(f) as usize),
        Value::Exception(e) => Key::Id(Arc::as_ptr(e) as usize),
        Value::Selector(s) => Key::Id(Arc::as_ptr(s) as *const u8 as usize),
        Value::Iter(i) => Key::Id(Arc::as_ptr(i) as *const u8 as usize),
        Value::Record(r) => Key::Tuple(r.values.iter().map(key).collect::<Result<_, _>>()?),
        Value::Builtin(b) => Key::Name(b.name()),
        Value::Class(c) | Value::ExcClass(c) => Key::Name(c),
        Value::Module(m) => Key::Name(m.name()),
        Value::Method(obj, name) => Key::Tuple(vec![key(obj)?, Key::Str(name.clone())]),
        Value::Reversed(r) => Key::Id(Arc::as_ptr(r) as *const u8 as usize),
        Value::List(_)
        | Value::Dict(_)
        | Value::Set(_)
        | Value::DictView(..)
        | Value::Namespace(_) => {
            return Err(Exception::type_error(format!(
                "unhashable type: '{}'",
                v.type_name()
            )));
        }
    })
}

/// The entries of a dict: key to (the key as first given, the value), in
/// insertion order.
pub type DictMap = IndexMap<Key, (Value, Value), foldhash::fast::RandomState>;

/// A dict: shared and mutable, in insertion order as in CPython.
#[derive(Clone, Default)]
pub struct Dict(Arc<Mutex<DictMap>>);

impl Dict {
    pub fn new(map: DictMap) -> Dict {
        Dict(Arc::new(Mutex::new(map)))
    }

    pub fn lock(&self) -> MutexGuard<'_, DictMap> {
        locked(&self.0)
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the entries, the lock released on return (so that `(a.map(),
    /// b.map())` is safe when `a` and `b` are the same dict).
    pub fn map(&self) -> DictMap {
        self.lock().clone()
    }

    /// `d[k] = v`: a key already there keeps its first form (`d[1] = a; d[1.0] = b` gives `{1: b}`).
    pub fn set(&self, k: Value, v: Value) -> Result<(), Exception> {
        let h = key(&k)?;
        let mut map = self.lock();
        match map.get_mut(&h) {
            Some(slot) => slot.1 = v,
            None => {
                map.insert(h, (k, v));
            }
        }
        Ok(())
    }

    pub fn get(&self, k: &Value) -> Result<Option<Value>, Exception> {
        let h = key(k)?;
        Ok(self.lock().get(&h).map(|(_, v)| v.clone()))
    }

    /// The (key, value) pairs as they are now.
    pub fn items(&self) -> Vec<(Value, Value)> {
        self.lock().values().cloned().collect()
    }

    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as *const u8 as usize
    }

    pub fn ptr_eq(&self, other: &Dict) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Dict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dict({:#x})", self.id())
    }
}

/// The members of a set, with the value each key was first given as.
pub type SetMap = IndexMap<Key, Value, foldhash::fast::RandomState>;

/// A set: shared and mutable. Iterated in CPython's order where that order
/// is fixed (ints: their hash table's slots), else in insertion order (a
/// Choice: CPython's order for strings changes with every run).
#[derive(Clone, Default)]
pub struct Set(Arc<Mutex<SetMap>>);

impl Set {
    pub fn new(map: SetMap) -> Set {
        Set(Arc::new(Mutex::new(map)))
    }

    pub fn lock(&self) -> MutexGuard<'_, SetMap> {
        locked(&self.0)
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the members, the lock released on return (so that `(a.map(),
    /// b.map())` is safe when `a` and `b` are the same set).
    pub fn map(&self) -> SetMap {
        self.lock().clone()
    }

    pub fn add(&self, v: Value) -> Result<(), Exception> {
        let h = key(&v)?;
        self.lock().entry(h).or_insert(v);
        Ok(())
    }

    pub fn contains(&self, v: &Value) -> Result<bool, Exception> {
        Ok(self.lock().contains_key(&key(v)?))
    }

    /// The members in CPython's iteration order (see `table_order`).
    pub fn snapshot(&self) -> Vec<Value> {
        let map = self.lock();
        match table_order(&map) {
            Some(order) => order
                .into_iter()
                .filter_map(|i| map.get_index(i).map(|(_, v)| v.clone()))
                .collect(),
            None => map.values().cloned().collect(),
        }
    }

    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as *const u8 as usize
    }

    pub fn ptr_eq(&self, other: &Set) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Set {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Set({:#x})", self.id())
    }
}

/// A set built from values, with CPython's TypeError for an unhashable one.
pub fn set_of(items: impl IntoIterator<Item = Value>) -> Result<Set, Exception> {
    let mut map = SetMap::default();
    for v in items {
        map.entry(key(&v)?).or_insert(v);
    }
    Ok(Set::new(map))
}

/// A dict built from pairs, later pairs winning.
pub fn dict_of(pairs: impl IntoIterator<Item = (Value, Value)>) -> Result<Dict, Exception> {
    let d = Dict::default();
    for (k, v) in pairs {
        d.set(k, v)?;
    }
    Ok(d)
}

/// A `types.SimpleNamespace`: attributes in the order they were first set.
#[derive(Clone, Default)]
pub struct Namespace(Arc<Mutex<Vec<(String, Value)>>>);

impl Namespace {
    pub fn new(attrs: Vec<(String, Value)>) -> Namespace {
        Namespace(Arc::new(Mutex::new(attrs)))
    }

    pub fn lock(&self) -> MutexGuard<'_, Vec<(String, Value)>> {
        locked(&self.0)
    }

    pub fn get(&self, name: &str) -> Option<Value> {
        self.lock()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    pub fn set(&self, name: &str, v: Value) {
        let mut attrs = self.lock();
        match attrs.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = v,
            None => attrs.push((name.to_string(), v)),
        }
    }

    /// `del ns.name`: whether it was there.
    pub fn remove(&self, name: &str) -> bool {
        let mut attrs = self.lock();
        let before = attrs.len();
        attrs.retain(|(n, _)| n != name);
        attrs.len() != before
    }

    pub fn snapshot(&self) -> Vec<(String, Value)> {
        self.lock().clone()
    }

    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as *const u8 as usize
    }

    pub fn ptr_eq(&self, other: &Namespace) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Namespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Namespace({:#x})", self.id())
    }
}

/// A named tuple of a module (`selectors.SelectorKey`): a tuple whose items
/// are also attributes.
#[derive(Debug)]
pub struct Record {
    /// `SelectorKey`.
    pub class: &'static str,
    pub fields: &'static [&'static str],
    pub values: Vec<Value>,
}

impl Record {
    pub fn get(&self, name: &str) -> Option<Value> {
        let i = self.fields.iter().position(|f| *f == name)?;
        self.values.get(i).cloned()
    }
}

/// Which view of a dict `keys()`, `values()` and `items()` give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Keys,
    Values,
    Items,
}

impl View {
    pub fn type_name(self) -> &'static str {
        match self {
            View::Keys => "dict_keys",
            View::Values => "dict_values",
            View::Items => "dict_items",
        }
    }

    /// The view's items now.
    pub fn items(self, d: &Dict) -> Vec<Value> {
        let map = d.lock();
        match self {
            View::Keys => map.values().map(|(k, _)| k.clone()).collect(),
            View::Values => map.values().map(|(_, v)| v.clone()).collect(),
            View::Items => map
                .values()
                .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
                .collect(),
        }
    }
}

/// The order CPython 3.11 iterates a set of ints in: the slots of its hash
/// table (setobject.c: linear probes of 9, then perturbation), built by
/// inserting the members in the order they came, growing as CPython grows
/// it. None when a member's hash is not an int's (strings hash differently
/// in every run). Members removed earlier leave no trace here (in CPython a
/// removed member's slot stays taken until the table is rebuilt).
pub fn table_order(map: &SetMap) -> Option<Vec<usize>> {
    const LINEAR_PROBES: usize = 9;
    const MODULUS: i128 = (1 << 61) - 1;
    let mut hashes = Vec::with_capacity(map.len());
    for k in map.keys() {
        let Key::Int(n) = k else { return None };
        let h = (i128::from(n.unsigned_abs()) % MODULUS) as i64;
        let h = if *n < 0 { -h } else { h };
        hashes.push(if h == -1 { -2 } else { h } as u64 as usize);
    }
    // Each slot holds the index of a member.
    fn insert(table: &mut [Option<usize>], hash: usize, member: usize) {
        let mask = table.len() - 1;
        let mut perturb = hash;
        let mut i = hash & mask;
        loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for j in 0..=probes {
                if table[i + j].is_none() {
                    table[i + j] = Some(member);
                    return;
                }
            }
            perturb >>= 5;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb)) & mask;
        }
    }
    let mut table: Vec<Option<usize>> = vec![None; 8];
    let mut used = 0usize;
    for (member, &hash) in hashes.iter().enumerate() {
        insert(&mut table, hash, member);
        used += 1;
        let mask = table.len() - 1;
        if used * 5 >= mask * 3 {
            let minused = if used > 50_000 { used * 2 } else { used * 4 };
            let mut size = 8;
            while size <= minused {
                size <<= 1;
            }
            let old = std::mem::replace(&mut table, vec![None; size]);
            for m in old.into_iter().flatten() {
                insert(&mut table, hashes[m], m);
            }
        }
    }
    Some(table.into_iter().flatten().collect())
}
