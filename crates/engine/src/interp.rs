//! The interpreter of one pane: its namespace, the evaluation of statements,
//! and the end-of-step rule that closes sockets nothing refers to any more
//! (what CPython's reference counting does).

pub mod args;
pub mod builtins;
pub mod codecs;
pub mod collections;
pub mod dir_names;
pub mod exceptions;
pub mod format;
pub mod function;
pub mod generator;
pub mod help;
pub mod ints;
pub mod iter;
pub mod ops;
pub mod percent;
pub mod protocol;
pub mod python_names;
pub mod select;
pub mod selectors;
pub mod sockaddr;
pub mod sockets;
pub mod structs;
pub mod text;
pub mod text_more;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::lang::ast::{Block, Expr, FStrPart, Handler, Params, Stmt, Target};
use crate::net::Waiter;
use crate::net::facts::CallFacts;
use crate::net::sock::PySocket;
use crate::outcome::{Exception, Outcome};
use crate::value::containers::List;
use crate::value::repr::{REPR_CAP, repr_capped};
use crate::value::{Builtin, Module, Value};
use args::Args;

/// What one finished statement produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    pub outcome: Outcome,
    /// What `print` wrote during the step.
    pub stdout: String,
    /// The repr was cut after `REPR_CAP` characters (SPEC section 6).
    pub truncated: bool,
    /// One line for each socket the step closed because nothing refers to it.
    pub closed: Vec<String>,
    /// The facts of the last socket call the step made, which explain its outcome.
    pub facts: Option<CallFacts>,
    /// The statement bound its value to names (`x = ...`): Python's REPL
    /// shows nothing for it; the front ends show the value, marked.
    pub assigned: bool,
    /// For a compound statement that raised: the line of its text where the
    /// exception was raised (the line of CPython's traceback), 1-based.
    pub line: Option<usize>,
}

impl Executed {
    /// A step that ended with `e` before it ran (a SyntaxError, a caught panic).
    pub fn error(e: Exception) -> Executed {
        Executed {
            outcome: Outcome::Error(e),
            stdout: String::new(),
            truncated: false,
            closed: Vec::new(),
            facts: None,
            assigned: false,
            line: None,
        }
    }
}

/// How a block of statements ended.
#[derive(Debug, Clone)]
enum Flow {
    Next,
    Break,
    Continue,
    /// `return value`, on its way out of the function.
    Return(Value),
}

/// How deep calls of the pane's functions may nest: CPython's recursion
/// limit (1,000) less the frames its REPL stands on.
const MAX_CALLS: usize = 995;

/// One pane's interpreter.
pub struct Interp {
    names: HashMap<String, Value, foldhash::fast::RandomState>,
    /// See `generation()`.
    generation: u64,
    /// The sockets' names at `generation`: what `run` reports a closed socket by.
    named_before: (u64, Vec<(String, usize)>),
    sockets: sockets::Registry,
    stdout: String,
    current: Option<String>,
    /// How deep `eval` is in the expression being evaluated.
    depth: usize,
    /// The facts of the last socket call of the running step.
    facts: Option<CallFacts>,
    /// How many blocks the running statement is inside: a name bound in a
    /// block does not change the current socket of the short forms.
    in_block: usize,
    /// The exceptions being handled (`except:` blocks), innermost last: what
    /// a bare `raise` raises again.
    handling: Vec<Exception>,
    /// The line where the exception now propagating was raised.
    error_line: Option<usize>,
    /// Told of the pane's names while a block runs, when a socket was bound
    /// or closed: the front ends' view of the pane follows a running loop.
    observer: Option<Observer>,
    /// A socket was bound or closed since the observer was last told.
    observe_due: bool,
    /// The local names of the functions being called, innermost last.
    frames: Vec<function::Locals>,
}

/// See `Interp::observe`.
pub type Observer = Arc<dyn Fn(&Interp) + Send + Sync>;

impl Default for Interp {
    fn default() -> Self {
        Self::new()
    }
}

impl Interp {
    /// A namespace with `import socket, select` already done.
    pub fn new() -> Interp {
        let mut names = HashMap::with_hasher(foldhash::fast::RandomState::default());
        names.insert("socket".to_string(), Value::Module(Module::Socket));
        names.insert("select".to_string(), Value::Module(Module::Select));
        Interp {
            names,
            generation: 0,
            named_before: (u64::MAX, Vec::new()),
            sockets: Vec::new(),
            stdout: String::new(),
            current: None,
            depth: 0,
            facts: None,
            in_block: 0,
            handling: Vec::new(),
            error_line: None,
            observer: None,
            observe_due: false,
            frames: Vec::new(),
        }
    }

    /// Calls `observer` with the interpreter whenever a running block binds
    /// or closes a socket (between its statements).
    pub fn observe(&mut self, observer: Observer) {
        self.observer = Some(observer);
    }

    /// Executes one statement; the outcome is the repr of its value (of the
    /// assigned value for an assignment, None for other statements).
    pub fn run(&mut self, stmt: &Stmt, w: &dyn Waiter) -> Executed {
        self.stdout.clear();
        self.facts = None;
        self.in_block = 0;
        self.handling.clear();
        self.error_line = None;
        self.frames.clear();
        // Which names held which sockets before the step, to say what a step
        // closed: taken again only when a name was bound since.
        if self.named_before.0 != self.generation {
            let named = if self.sockets.is_empty() {
                Vec::new()
            } else {
                self.named_sockets()
                    .into_iter()
                    .map(|(n, s)| (n, Arc::as_ptr(&s) as usize))
                    .collect()
            };
            self.named_before = (self.generation, named);
        }
        let result = self.exec(stmt, w);
        // The repr is taken while the value still holds its sockets, as CPython's
        // REPL does before the value is released.
        // Only what a transcript shows is built: a repr of gigabytes costs its first 64 KiB.
        let (outcome, truncated) = match result.and_then(|v| repr_capped(&v, REPR_CAP)) {
            Ok((text, cut)) => (Outcome::Ok(text), cut),
            Err(e) => (Outcome::Error(e), false),
        };
        let outcome_is_error = matches!(outcome, Outcome::Error(_));
        let ended = self.end_step();
        let named_before = &self.named_before.1;
        let closed = ended
            .into_iter()
            .map(|(ptr, fd)| {
                let names: Vec<&str> = named_before
                    .iter()
                    .filter(|(_, p)| *p == ptr as usize)
                    .map(|(n, _)| n.as_str())
                    .collect();
                let what = if names.is_empty() {
                    format!("the socket with fd {fd}")
                } else {
                    format!("{} (fd {fd})", names.join(", "))
                };
                format!(
                    "closed {what}: no name refers to it any more, so it is closed at the end of the step, as CPython's reference counting closes it"
                )
            })
            .collect();
        Executed {
            outcome,
            stdout: std::mem::take(&mut self.stdout),
            truncated,
            closed,
            facts: self.facts.take(),
            assigned: matches!(stmt, Stmt::Assign(..)),
            line: match outcome_is_error {
                true => self.error_line.take(),
                false => None,
            },
        }
    }

    /// Binds `name` to `value` (a name already bound keeps its key: no allocation).
    fn bind(&mut self, name: &str, value: Value) {
        self.observe_due |= self.in_block > 0 && matches!(value, Value::Socket(_));
        // Inside a function, names are its locals.
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(name.to_string(), value);
            return;
        }
        self.generation += 1;
        if let Some(slot) = self.names.get_mut(name) {
            *slot = value;
        } else {
            self.names.insert(name.to_string(), value);
        }
    }

    /// Unbinds `name` where `bind` binds it (a function's locals, or the
    /// pane's names), if it is bound.
    fn unbind(&mut self, name: &str) {
        if let Some(frame) = self.frames.last_mut() {
            frame.remove(name);
        } else if self.names.remove(name).is_some() {
            self.generation += 1;
        }
    }

    /// Counts every binding and unbinding of a name: while it stays the same,
    /// every name refers to the same value as before.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The value bound to `name` in this pane, if any.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.names.get(name)
    }

    /// The names bound in this pane, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.names.keys().cloned().collect();
        names.sort();
        names
    }

    /// The current socket of the short forms: its name, if it still names a socket.
    pub fn current(&self) -> Option<(&str, &PySocket)> {
        let name = self.current.as_deref()?;
        match self.names.get(name) {
            Some(Value::Socket(s)) => Some((name, s)),
            _ => None,
        }
    }

    /// Makes `name` the current socket (`use NAME`).
    pub fn set_current(&mut self, name: &str) -> Result<(), String> {
        match self.names.get(name) {
            Some(Value::Socket(_)) => {
                self.current = Some(name.to_string());
                Ok(())
            }
            Some(other) => Err(format!("{name} is a {}, not a socket", other.type_name())),
            None => Err(format!("name '{name}' is not defined")),
        }
    }

    /// The sockets bound to names, with their names, sorted by name.
    pub fn named_sockets(&self) -> Vec<(String, Arc<PySocket>)> {
        let mut out: Vec<(String, Arc<PySocket>)> = self
            .names
            .iter()
            .filter_map(|(n, v)| match v {
                Value::Socket(s) => Some((n.clone(), s.clone())),
                _ => None,
            })
            .collect();
        out.sort_by(|a, b| natural_order(&a.0, &b.0));
        out
    }

    /// The open sockets no name holds itself but a name reaches through what
    /// it holds (a selector's connections, a list of clients), each with the
    /// name it was found through: what the kernel view shows besides the
    /// named sockets.
    pub fn held_sockets(&self) -> Vec<(String, Arc<PySocket>)> {
        let named: HashSet<*const PySocket, foldhash::fast::RandomState> = self
            .names
            .values()
            .filter_map(|v| match v {
                Value::Socket(s) => Some(Arc::as_ptr(s)),
                _ => None,
            })
            .collect();
        if self
            .sockets
            .iter()
            .all(|s| s.is_closed() || named.contains(&Arc::as_ptr(s)))
        {
            return Vec::new();
        }
        let mut holders: Vec<(&String, &Value)> = self
            .names
            .iter()
            .filter(|(_, v)| can_hold_socket(v) && !matches!(v, Value::Socket(_)))
            .collect();
        // A selector first: its connections are what it is for.
        holders.sort_by(|a, b| {
            let selector = |v: &Value| !matches!(v, Value::Selector(_));
            selector(a.1)
                .cmp(&selector(b.1))
                .then_with(|| natural_order(a.0, b.0))
        });
        let mut seen = named;
        let mut out = Vec::new();
        for (name, value) in holders {
            for s in reachable_sockets(vec![value.clone()]) {
                if !s.is_closed() && seen.insert(Arc::as_ptr(&s)) {
                    out.push((format!("in {name}"), s));
                }
            }
        }
        out
    }

    /// Closes every socket no name reaches any more.
    /// Closes the sockets nothing refers to; returns each one's identity and fd.
    fn end_step(&mut self) -> Vec<(*const PySocket, i32)> {
        // A socket held by anything besides the registry is held by a value
        // the pane can still reach (the step's temporaries are gone by now):
        // then no walk is needed. (A socket held only by a cycle of lists stays
        // open, as CPython's reference counting leaves it to the collector.)
        if self.sockets.iter().all(|s| Arc::strong_count(s) > 1) {
            return Vec::new();
        }
        let roots: Vec<Value> = self.names.values().cloned().collect();
        let reachable: HashSet<*const PySocket, foldhash::fast::RandomState> =
            reachable_sockets(roots).iter().map(Arc::as_ptr).collect();
        let mut closed = Vec::new();
        self.sockets.retain(|s| {
            let keep = reachable.contains(&Arc::as_ptr(s));
            if !keep {
                // A socket the user had closed already closes silently.
                if !s.is_closed() {
                    closed.push((Arc::as_ptr(s), s.fileno()));
                }
                s.close();
            }
            keep
        });
        closed
    }

    fn exec(&mut self, stmt: &Stmt, w: &dyn Waiter) -> Result<Value, Exception> {
        match stmt {
            Stmt::Expr(e) => self.eval(e, w),
            Stmt::Assign(targets, value) => {
                let v = self.eval(value, w)?;
                for t in targets {
                    self.assign(t, v.clone(), w)?;
                }
                // A name bound inside a block leaves the current socket as it was (SPEC 2.3).
                if self.in_block == 0
                    && let Some(name) = targets
                        .iter()
                        .flat_map(|t| t.names())
                        .rev()
                        .find(|n| matches!(self.names.get(*n), Some(Value::Socket(_))))
                {
                    self.current = Some(name.to_string());
                }
                Ok(v)
            }
            Stmt::AugAssign(target, op, value) => {
                self.aug_assign(target, *op, value, w)?;
                Ok(Value::None)
            }
            Stmt::Import(modules) => {
                for m in modules {
                    let Some(module) = Module::by_name(m) else {
                        return Err(Exception::unsupported(format!("importing '{m}'")));
                    };
                    self.bind(m, Value::Module(module));
                }
                Ok(Value::None)
            }
            Stmt::FromImport(module, names) => {
                let Some(m) = Module::by_name(module) else {
                    return Err(Exception::unsupported(format!("importing from '{module}'")));
                };
                for (name, alias) in names {
                    let v = sockets::module_attr(m, name).map_err(|e| {
                        if e.class == "AttributeError" {
                            Exception::new(
                                "ImportError",
                                format!("cannot import name '{name}' from '{module}' (/usr/lib/python3.11/{module}.py)"),
                            )
                        } else {
                            e
                        }
                    })?;
                    self.bind(alias, v);
                }
                Ok(Value::None)
            }
            Stmt::Del(targets) => {
                for target in targets {
                    let n = match target {
                        Target::Name(n) => n,
                        other => {
                            self.delete(other, w)?;
                            continue;
                        }
                    };
                    if let Some(frame) = self.frames.last_mut() {
                        if frame.remove(n).is_none() {
                            return Err(Exception::new(
                                "UnboundLocalError",
                                format!(
                                    "cannot access local variable '{n}' where it is not associated with a value"
                                ),
                            ));
                        }
                        continue;
                    }
                    if self.names.remove(n).is_none() {
                        return Err(name_error(n));
                    }
                    self.generation += 1;
                }
                Ok(Value::None)
            }
            Stmt::Pass | Stmt::Break | Stmt::Continue | Stmt::Return(_) => Ok(Value::None),
            Stmt::Raise(exc, cause) => Err(self.raise(exc.as_ref(), cause.as_ref(), w)),
            compound => {
                self.in_block += 1;
                let flow = self.exec_compound(compound, w);
                self.in_block -= 1;
                flow.map(|_| Value::None)
            }
        }
    }

    /// Whether Ctrl-C asked the running step to stop: loops ask at every
    /// turn, so that `while True: pass` ends with KeyboardInterrupt.
    fn check_interrupt(&self, w: &dyn Waiter) -> Result<(), Exception> {
        if w.take_interrupt() {
            return Err(Exception::keyboard_interrupt());
        }
        Ok(())
    }

    /// Runs a block's statements in order, until one breaks, continues or raises.
    fn exec_block(&mut self, block: &Block, w: &dyn Waiter) -> Result<Flow, Exception> {
        for located in block.iter() {
            // The step's own lines: inside a function, the line of the call stands.
            if self.frames.is_empty() {
                w.at_line(located.line);
            }
            let result = match &located.stmt {
                Stmt::Break => return Ok(Flow::Break),
                Stmt::Continue => return Ok(Flow::Continue),
                Stmt::Return(value) => match value {
                    None => return Ok(Flow::Return(Value::None)),
                    Some(e) => self.eval(e, w).map(Flow::Return),
                },
                stmt if stmt.is_compound() => self.exec_compound(stmt, w),
                stmt => self.exec(stmt, w).map(|_| Flow::Next),
            };
            match result {
                Ok(Flow::Return(v)) => return Ok(Flow::Return(v)),
                Ok(Flow::Next) => {
                    if self.observe_due {
                        self.observe_due = false;
                        if let Some(observer) = self.observer.clone() {
                            observer(self);
                        }
                    }
                }
                Ok(flow) => return Ok(flow),
                Err(e) => {
                    // The innermost line is the one CPython's traceback ends on.
                    self.error_line.get_or_insert(located.line);
                    return Err(e);
                }
            }
        }
        Ok(Flow::Next)
    }

    fn exec_compound(&mut self, stmt: &Stmt, w: &dyn Waiter) -> Result<Flow, Exception> {
        match stmt {
            Stmt::If(branches, orelse) => {
                for (test, body) in branches {
                    if self.eval(test, w)?.truthy() {
                        return self.exec_block(body, w);
                    }
                }
                self.exec_block(orelse, w)
            }
            Stmt::While(test, body, orelse) => loop {
                self.check_interrupt(w)?;
                if !self.eval(test, w)?.truthy() {
                    break self.exec_block(orelse, w);
                }
                match self.exec_block(body, w)? {
                    Flow::Break => break Ok(Flow::Next),
                    ret @ Flow::Return(_) => break Ok(ret),
                    Flow::Next | Flow::Continue => {}
                }
            },
            Stmt::For(target, iter, body, orelse) => {
                let iterable = self.eval(iter, w)?;
                // Some(flow): the loop ends (a break, or a return on its way out).
                let turn = |this: &mut Self, item: Value| -> Result<Option<Flow>, Exception> {
                    this.check_interrupt(w)?;
                    this.assign(target, item, w)?;
                    Ok(match this.exec_block(body, w)? {
                        Flow::Break => Some(Flow::Next),
                        ret @ Flow::Return(_) => Some(ret),
                        Flow::Next | Flow::Continue => None,
                    })
                };
                let broke = match iterable {
                    // A range is walked, never made: `range(10**9)` costs nothing up front.
                    Value::Range(start, stop, step) => {
                        let mut i = start;
                        let mut broke = None;
                        while (step > 0 && i < stop) || (step < 0 && i > stop) {
                            if let Some(flow) = turn(self, Value::Int(i))? {
                                broke = Some(flow);
                                break;
                            }
                            match i.checked_add(step) {
                                Some(next) => i = next,
                                None => break,
                            }
                        }
                        broke
                    }
                    // A list is read where it stands, item by item, as CPython's
                    // iterator does (items appended by the body are reached).
                    Value::List(list) => {
                        let mut broke = None;
                        let mut i = 0;
                        while let Some(item) = list.get(i) {
                            i += 1;
                            if let Some(flow) = turn(self, item)? {
                                broke = Some(flow);
                                break;
                            }
                        }
                        broke
                    }
                    other => {
                        let it = iter::iter_of(&other)?;
                        let mut broke = None;
                        while let Some(item) = self.next_of(&it, w)? {
                            if let Some(flow) = turn(self, item)? {
                                broke = Some(flow);
                                break;
                            }
                        }
                        broke
                    }
                };
                match broke {
                    Some(flow) => Ok(flow),
                    None => self.exec_block(orelse, w),
                }
            }
            Stmt::With(items, body) => self.exec_with(items, body, w),
            Stmt::Def(name, params, body) => {
                let f = self.function(name, params, function::Body::Block(body.clone()), w)?;
                self.bind(name, f);
                Ok(Flow::Next)
            }
            Stmt::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
                let result = match self.exec_block(body, w) {
                    Ok(Flow::Next) => self.exec_block(orelse, w),
                    Ok(flow) => Ok(flow),
                    Err(e) => self.handle(e, handlers, w),
                };
                if finally.is_empty() {
                    return result;
                }
                // `finally` runs whatever happened; a break or an exception
                // of its own takes the place of what was going on.
                let line = self.error_line.take();
                match self.exec_block(finally, w)? {
                    Flow::Next => {
                        self.error_line = line;
                        result
                    }
                    flow => Ok(flow),
                }
            }
            other => self.exec(other, w).map(|_| Flow::Next),
        }
    }

    /// A function value: the defaults evaluated now, the enclosing
    /// function's locals captured as they are now.
    fn function(
        &mut self,
        name: &str,
        params: &Params,
        body: function::Body,
        w: &dyn Waiter,
    ) -> Result<Value, Exception> {
        let mut defaults = Vec::new();
        for (_, default) in &params.0 {
            if let Some(e) = default {
                defaults.push(self.eval(e, w)?);
            }
        }
        let closure = self
            .frames
            .last()
            .map(|frame| frame.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let generator = matches!(&body, function::Body::Block(b) if generator::has_yield(b));
        Ok(Value::Function(Arc::new(function::Function {
            name: name.to_string(),
            params: params.0.iter().map(|(n, _)| n.clone()).collect(),
            star: params.1.clone(),
            kwstar: params.2.clone(),
            positional: params.3,
            defaults,
            body,
            closure,
            generator,
        })))
    }

    /// Calls a function of the pane: its parameters become the locals of a
    /// new frame; RecursionError past CPython's limit.
    fn call_function(
        &mut self,
        f: &Arc<function::Function>,
        args: &Args,
        w: &dyn Waiter,
    ) -> Result<Value, Exception> {
        if self.frames.len() >= MAX_CALLS {
            return Err(Exception::new(
                "RecursionError",
                "maximum recursion depth exceeded",
            ));
        }
        let locals = f.bind(&args.pos, &args.kw)?;
        if f.generator
            && let function::Body::Block(body) = &f.body
        {
            // A generator function's call runs nothing yet: next() does.
            let g = generator::Generator::new(body.as_ref().clone(), locals.into_iter().collect());
            return Ok(iter::new(iter::PyIter::Generator(
                Some(Box::new(g)),
                f.name.clone(),
            )));
        }
        self.frames.push(locals.into_iter().collect());
        self.in_block += 1;
        // Each call takes a few Rust frames: the stack grows as calls nest.
        let result = stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, || match &f.body {
            function::Body::Block(block) => self.exec_block(block, w).map(|flow| match flow {
                Flow::Return(v) => v,
                _ => Value::None,
            }),
            function::Body::Lambda(e) => self.eval(e, w),
        });
        self.in_block -= 1;
        self.frames.pop();
        if result.is_err() {
            // The body's lines are not the step's: the caller's line stands.
            self.error_line = None;
        }
        result
    }

    /// The `except` clause that matches `e` runs; none: `e` goes on.
    fn handle(
        &mut self,
        e: Exception,
        handlers: &[Handler],
        w: &dyn Waiter,
    ) -> Result<Flow, Exception> {
        if let Some(h) = self.find_handler(&e, handlers, w)? {
            self.error_line = None;
            if let Some(name) = &h.name {
                self.bind(name, Value::Exception(Arc::new(e.clone())));
            }
            self.handling.push(e);
            let result = self.exec_block(&h.body, w);
            self.handling.pop();
            // As CPython does, the name is deleted when the clause ends.
            if let Some(name) = &h.name {
                self.unbind(name);
            }
            return result;
        }
        Err(e)
    }

    /// `with a as x, b:`: each value is entered in turn, and left (a socket
    /// closed) when the block ends, however it ends.
    fn exec_with(
        &mut self,
        items: &[(Expr, Option<Target>)],
        body: &Block,
        w: &dyn Waiter,
    ) -> Result<Flow, Exception> {
        let Some(((expr, target), rest)) = items.split_first() else {
            return self.exec_block(body, w);
        };
        let value = self.eval(expr, w)?;
        if !matches!(value, Value::Socket(_) | Value::Selector(_)) {
            return Err(Exception::type_error(format!(
                "'{}' object does not support the context manager protocol",
                value.type_name()
            )));
        }
        let result = match target {
            Some(t) => self.assign(t, value.clone(), w),
            None => Ok(()),
        }
        .and_then(|()| self.exec_with(rest, body, w));
        match &value {
            Value::Socket(sock) => sock.close(),
            Value::Selector(sel) => sel.close(),
            _ => {}
        }
        self.observe_due = true;
        result
    }

    /// The exception a `raise` statement raises.
    fn raise(&mut self, exc: Option<&Expr>, cause: Option<&Expr>, w: &dyn Waiter) -> Exception {
        let Some(exc) = exc else {
            return self.handling.last().cloned().unwrap_or_else(|| {
                Exception::new("RuntimeError", "No active exception to reraise")
            });
        };
        let raised = match self.eval(exc, w) {
            Err(e) => return e,
            Ok(Value::ExcClass(c)) => Exception::new(c, ""),
            Ok(Value::Exception(e)) => (*e).clone(),
            Ok(_) => Exception::type_error("exceptions must derive from BaseException"),
        };
        if let Some(cause) = cause
            && let Err(e) = self.eval(cause, w)
        {
            return e;
        }
        raised
    }

    /// An f-string's text: each field's value, converted, then formatted by its spec.
    fn fstring(
        &mut self,
        parts: &[FStrPart],
        out: &mut String,
        w: &dyn Waiter,
    ) -> Result<(), Exception> {
        for part in parts {
            match part {
                FStrPart::Lit(text) => out.push_str(text),
                FStrPart::Field { value, conv, spec } => {
                    let v = self.eval(value, w)?;
                    let v = match conv {
                        Some('r') => Value::str(crate::value::repr::try_repr(&v)?),
                        Some('a') => Value::str(ascii(&crate::value::repr::try_repr(&v)?)),
                        Some(_) => Value::str(crate::value::repr::try_str(&v)?),
                        None => v,
                    };
                    let mut spec_text = String::new();
                    self.fstring(spec, &mut spec_text, w)?;
                    out.push_str(&format::format_value(&v, &spec_text)?);
                }
            }
        }
        Ok(())
    }

    fn assign(&mut self, target: &Target, value: Value, w: &dyn Waiter) -> Result<(), Exception> {
        match target {
            Target::Name(n) => {
                self.bind(n, value);
                Ok(())
            }
            Target::Attr(obj, name) => {
                let obj = self.eval(obj, w)?;
                self.set_attr(&obj, name, value)
            }
            Target::Index(obj, index) => {
                let obj = self.eval(obj, w)?;
                let index = self.eval(index, w)?;
                protocol::set_item(&obj, &index, value)
            }
            Target::Starred(n) => {
                self.bind(n, value);
                Ok(())
            }
            Target::Tuple(targets) if targets.iter().any(|t| matches!(t, Target::Starred(_))) => {
                let star = targets
                    .iter()
                    .position(|t| matches!(t, Target::Starred(_)))
                    .unwrap_or(0);
                if targets[star + 1..]
                    .iter()
                    .any(|t| matches!(t, Target::Starred(_)))
                {
                    return Err(Exception::syntax(
                        "multiple starred expressions in assignment",
                        1,
                    ));
                }
                let mut items = match &value {
                    Value::Iter(_) => self.collect(&value, w)?,
                    other => builtins::iterate(other).map_err(|_| {
                        Exception::type_error(format!(
                            "cannot unpack non-iterable {} object",
                            other.type_name()
                        ))
                    })?,
                };
                let after = targets.len() - star - 1;
                if items.len() < star + after {
                    return Err(Exception::value_error(format!(
                        "not enough values to unpack (expected at least {}, got {})",
                        star + after,
                        items.len()
                    )));
                }
                let tail = items.split_off(items.len() - after);
                let middle = items.split_off(star);
                for (t, v) in targets[..star].iter().zip(items) {
                    self.assign(t, v, w)?;
                }
                self.assign(&targets[star], Value::List(List::new(middle)), w)?;
                for (t, v) in targets[star + 1..].iter().zip(tail) {
                    self.assign(t, v, w)?;
                }
                Ok(())
            }
            Target::Tuple(targets) => {
                // A sized sequence is counted before its items are made, so
                // `a, b = bytes(10**9)` fails at once, as in CPython.
                if !matches!(value, Value::Reversed(_) | Value::Iter(_))
                    && let Ok(n) = builtins::len(&value)
                    && n > targets.len() as i64
                {
                    return Err(Exception::value_error(format!(
                        "too many values to unpack (expected {})",
                        targets.len()
                    )));
                }
                let items = match &value {
                    Value::Iter(_) => self.collect(&value, w)?,
                    Value::Tuple(_)
                    | Value::List(_)
                    | Value::Str(_)
                    | Value::Bytes(_)
                    | Value::Range(..)
                    | Value::Dict(_)
                    | Value::DictView(..)
                    | Value::Set(_)
                    | Value::Record(_)
                    | Value::Reversed(_) => builtins::iterate(&value)?,
                    other => {
                        return Err(Exception::type_error(format!(
                            "cannot unpack non-iterable {} object",
                            other.type_name()
                        )));
                    }
                };
                if items.len() > targets.len() {
                    return Err(Exception::value_error(format!(
                        "too many values to unpack (expected {})",
                        targets.len()
                    )));
                }
                if items.len() < targets.len() {
                    return Err(Exception::value_error(format!(
                        "not enough values to unpack (expected {}, got {})",
                        targets.len(),
                        items.len()
                    )));
                }
                for (t, v) in targets.iter().zip(items) {
                    self.assign(t, v, w)?;
                }
                Ok(())
            }
        }
    }

    fn lookup(&self, name: &str) -> Result<Value, Exception> {
        if let Some(v) = self.frames.last().and_then(|frame| frame.get(name)) {
            return Ok(v.clone());
        }
        if let Some(v) = self.names.get(name) {
            return Ok(v.clone());
        }
        // Tests of what a bug inside a step does to the front ends (never set by users).
        if name == "_sockplay_test_panic" && std::env::var_os("SOCKPLAY_TEST_PANIC").is_some() {
            panic!("a panic forced inside a step");
        }
        if let Some(b) = Builtin::by_name(name) {
            return Ok(Value::Builtin(b));
        }
        if let Some(class) = exceptions::class(name) {
            return Ok(Value::ExcClass(class));
        }
        if python_names::BUILTINS.contains(&name) {
            return Err(Exception::unsupported(format!("the builtin '{name}'")));
        }
        Err(name_error(name))
    }

    fn eval(&mut self, e: &Expr, w: &dyn Waiter) -> Result<Value, Exception> {
        // The parser bounds a tree's depth (CPython's RecursionError); the
        // stack grows on demand so that any thread can walk the deepest one.
        // Every 8th level checks for room: enough for the frames in between.
        self.depth += 1;
        let result = if self.depth.is_multiple_of(8) {
            stacker::maybe_grow(256 * 1024, 2 * 1024 * 1024, || self.eval_inner(e, w))
        } else {
            self.eval_inner(e, w)
        };
        self.depth -= 1;
        result
    }

    fn eval_inner(&mut self, e: &Expr, w: &dyn Waiter) -> Result<Value, Exception> {
        match e {
            Expr::Name(n) => self.lookup(n),
            Expr::Lit(v) => Ok(v.clone()),
            Expr::Lambda(params, body) => {
                self.function("<lambda>", params, function::Body::Lambda(body.clone()), w)
            }
            Expr::IfElse { test, body, orelse } => {
                if self.eval(test, w)?.truthy() {
                    self.eval(body, w)
                } else {
                    self.eval(orelse, w)
                }
            }
            Expr::FString(parts) => {
                let mut out = String::new();
                self.fstring(parts, &mut out, w)?;
                Ok(Value::str(out))
            }
            Expr::Tuple(items) => Ok(Value::tuple(self.eval_all(items, w)?)),
            Expr::List(items) => Ok(Value::List(List::new(self.eval_all(items, w)?))),
            Expr::Dict(pairs) => {
                let d = crate::value::containers::Dict::default();
                for (k, v) in pairs {
                    // `**mapping`: its items, in order.
                    if let Expr::Starred(mapping) = k {
                        let m = self.eval(mapping, w)?;
                        if !matches!(m, Value::Dict(_)) {
                            return Err(Exception::type_error(format!(
                                "'{}' object is not a mapping",
                                m.type_name()
                            )));
                        }
                        for (k, v) in collections::pairs_of(&m)? {
                            d.set(k, v)?;
                        }
                        continue;
                    }
                    let k = self.eval(k, w)?;
                    let v = self.eval(v, w)?;
                    d.set(k, v)?;
                }
                Ok(Value::Dict(d))
            }
            Expr::Set(items) => {
                let set = crate::value::containers::set_of(self.eval_all(items, w)?)?;
                // CPython compiles a display of more than two constants to a
                // frozenset constant that the set is then filled from: its
                // members go in twice, the second time in the first's order.
                if items.len() > 2 && items.iter().all(|e| matches!(e, Expr::Lit(_))) {
                    return Ok(Value::Set(crate::value::containers::set_of(
                        set.snapshot(),
                    )?));
                }
                Ok(Value::Set(set))
            }
            Expr::Comp(comp) => self.comprehension(comp, w),
            Expr::Starred(_) => Err(Exception::syntax("can't use starred expression here", 1)),
            Expr::Yield(_) | Expr::YieldFrom(_) => Err(Exception::unsupported(
                "'yield' there (it may stand as a statement, or as the value of an assignment)",
            )),
            Expr::Attr(obj, name) => {
                let obj = self.eval(obj, w)?;
                attribute(&obj, name)
            }
            Expr::Call { func, args, kwargs } => {
                // `sock.method(...)` calls the method without building the
                // bound method first (as CPython's LOAD_METHOD does); the
                // order is the same: the object, its attribute, the arguments.
                if let Expr::Attr(obj, name) = func.as_ref() {
                    let obj = self.eval(obj, w)?;
                    if let Value::Socket(sock) = &obj
                        && sockets::SOCKET_METHODS.contains(&name.as_str())
                    {
                        let call_args = self.eval_args(args, kwargs, w)?;
                        return sockets::call_method(
                            sock,
                            name,
                            &call_args,
                            &mut self.sockets,
                            w,
                            &mut self.facts,
                        );
                    }
                    let f = attribute(&obj, name)?;
                    let call_args = self.eval_args(args, kwargs, w)?;
                    return self.call(&f, &call_args, w);
                }
                let f = self.eval(func, w)?;
                let call_args = self.eval_args(args, kwargs, w)?;
                self.call(&f, &call_args, w)
            }
            Expr::Index(target, index) => {
                let t = self.eval(target, w)?;
                let i = self.eval(index, w)?;
                ops::index(&t, &i)
            }
            Expr::Slice {
                target,
                lower,
                upper,
                step,
            } => {
                let t = self.eval(target, w)?;
                let mut bound = |b: &Option<Box<Expr>>| -> Result<Option<i64>, Exception> {
                    let v = b.as_ref().map(|e| self.eval(e, w)).transpose()?;
                    ops::slice_bound(v)
                };
                let (lo, hi, st) = (bound(lower)?, bound(upper)?, bound(step)?);
                ops::slice(&t, lo, hi, st)
            }
            Expr::Unary(op, operand) => {
                let v = self.eval(operand, w)?;
                ops::unary(*op, &v)
            }
            Expr::Binary(op, a, b) => {
                let a = self.eval(a, w)?;
                let b = self.eval(b, w)?;
                ops::binary(*op, &a, &b)
            }
            Expr::Compare(first, rest) => {
                let mut left = self.eval(first, w)?;
                for (op, right) in rest {
                    let right = self.eval(right, w)?;
                    if !ops::compare(*op, &left, &right)? {
                        return Ok(Value::Bool(false));
                    }
                    left = right;
                }
                Ok(Value::Bool(true))
            }
            Expr::Not(v) => Ok(Value::Bool(!self.eval(v, w)?.truthy())),
            Expr::And(items) | Expr::Or(items) => {
                let stop_when = matches!(e, Expr::Or(_));
                let mut last = Value::None;
                for item in items {
                    last = self.eval(item, w)?;
                    if last.truthy() == stop_when {
                        break;
                    }
                }
                Ok(last)
            }
        }
    }

    /// The values of a display's items or a call's arguments, `*x` spliced in.
    fn eval_all(&mut self, items: &[Expr], w: &dyn Waiter) -> Result<Vec<Value>, Exception> {
        let mut out = Vec::with_capacity(items.len());
        for e in items {
            match e {
                Expr::Starred(inner) => {
                    let v = self.eval(inner, w)?;
                    if let Value::Iter(_) = v {
                        out.extend(self.collect(&v, w)?);
                    } else {
                        out.extend(builtins::iterate(&v)?);
                    }
                }
                e => out.push(self.eval(e, w)?),
            }
        }
        Ok(out)
    }

    /// `dir()`: the names of this pane, as Python's REPL lists its own (with
    /// the module attributes every REPL namespace has); `dir(x)`: what
    /// CPython 3.11 lists for x's kind (interp::dir_names).
    fn dir(&self, args: &Args) -> Result<Value, Exception> {
        use dir_names as d;
        if !args.kw.is_empty() {
            return Err(Exception::type_error("dir() takes no keyword arguments"));
        }
        let names: Vec<&str> = match args.pos.as_slice() {
            // Inside a function, its local names.
            [] if !self.frames.is_empty() => {
                let mut names: Vec<&str> = self
                    .frames
                    .last()
                    .map(|f| f.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                names.sort_unstable();
                names
            }
            [] => {
                let mut names: Vec<&str> = [
                    "__annotations__",
                    "__builtins__",
                    "__doc__",
                    "__loader__",
                    "__name__",
                    "__package__",
                    "__spec__",
                ]
                .into_iter()
                .chain(self.names.keys().map(String::as_str))
                .collect();
                names.sort_unstable();
                names
            }
            [v] => match v {
                Value::Socket(_) => d::SOCKET.to_vec(),
                Value::Module(Module::Socket) => d::SOCKET_MODULE.to_vec(),
                Value::Module(Module::Select) => d::SELECT_MODULE.to_vec(),
                Value::Module(Module::Time) => d::TIME_MODULE.to_vec(),
                Value::Module(Module::Struct) => d::STRUCT_MODULE.to_vec(),
                Value::Bytes(_) => d::BYTES.to_vec(),
                Value::Str(_) => d::STR.to_vec(),
                Value::Int(_) | Value::BigInt(_) => d::INT.to_vec(),
                Value::Bool(_) => d::BOOL.to_vec(),
                Value::Float(_) => d::FLOAT.to_vec(),
                Value::List(_) => d::LIST.to_vec(),
                Value::Dict(_) => d::DICT.to_vec(),
                Value::Set(_) => d::SET.to_vec(),
                Value::DictView(_, crate::value::containers::View::Keys) => d::DICT_KEYS.to_vec(),
                Value::DictView(_, crate::value::containers::View::Values) => {
                    d::DICT_VALUES.to_vec()
                }
                Value::DictView(_, crate::value::containers::View::Items) => d::DICT_ITEMS.to_vec(),
                Value::Namespace(ns) => {
                    let attrs = ns.snapshot();
                    let owned: Vec<String> = attrs.into_iter().map(|(n, _)| n).collect();
                    let mut names: Vec<&str> = d::NAMESPACE.to_vec();
                    names.extend(owned.iter().map(String::as_str));
                    names.sort_unstable();
                    names.dedup();
                    crate::mem::reserve(names.len(), std::mem::size_of::<Value>())?;
                    return Ok(Value::List(List::new(
                        names.into_iter().map(Value::str).collect(),
                    )));
                }
                Value::Record(_) => d::SELECTOR_KEY.to_vec(),
                Value::Iter(it)
                    if matches!(&*crate::value::locked(it), iter::PyIter::Generator(..)) =>
                {
                    d::GENERATOR.to_vec()
                }
                Value::Iter(_) => d::LIST_ITERATOR.to_vec(),
                Value::Selector(_) => d::SELECTOR.to_vec(),
                Value::Module(Module::Selectors) => d::SELECTORS_MODULE.to_vec(),
                Value::Module(Module::Types) => d::TYPES_MODULE.to_vec(),
                Value::Module(Module::Sys) => d::SYS_MODULE.to_vec(),
                Value::Module(Module::Errno) => d::ERRNO_MODULE.to_vec(),
                Value::Tuple(_) => d::TUPLE.to_vec(),
                Value::Range(..) => d::RANGE.to_vec(),
                Value::None => d::NONE.to_vec(),
                Value::Enum(crate::value::EnumKind::AddressFamily, _) => d::ADDRESS_FAMILY.to_vec(),
                Value::Enum(crate::value::EnumKind::SocketKind, _) => d::SOCKET_KIND.to_vec(),
                Value::Enum(..) => d::MSG_FLAG.to_vec(),
                Value::Reversed(_) => d::REVERSED.to_vec(),
                Value::Builtin(b) if b.is_class() => d::TYPE.to_vec(),
                Value::Class(_) | Value::ExcClass(_) => d::TYPE.to_vec(),
                Value::Exception(_) => vec!["args", "errno", "strerror", "with_traceback"],
                Value::Function(_) => d::FUNCTION.to_vec(),
                Value::Builtin(
                    Builtin::CreateConnection | Builtin::CreateServer | Builtin::Socketpair,
                ) => d::FUNCTION.to_vec(),
                Value::Builtin(_) | Value::Method(..) => d::BUILTIN_FUNCTION.to_vec(),
            },
            more => {
                return Err(Exception::type_error(format!(
                    "dir expected at most 1 argument, got {}",
                    more.len()
                )));
            }
        };
        crate::mem::reserve(names.len(), std::mem::size_of::<Value>())?;
        Ok(Value::List(List::new(
            names.into_iter().map(Value::str).collect(),
        )))
    }

    /// A call's arguments, evaluated in order: the positional ones, then the keywords.
    fn eval_args(
        &mut self,
        args: &[Expr],
        kwargs: &[(String, Expr)],
        w: &dyn Waiter,
    ) -> Result<Args, Exception> {
        let mut call_args = Args {
            pos: self.eval_all(args, w)?,
            kw: Vec::with_capacity(kwargs.len()),
        };
        for (k, v) in kwargs {
            let v = self.eval(v, w)?;
            if k == "**" {
                let Value::Dict(d) = &v else {
                    return Err(Exception::type_error(format!(
                        "argument after ** must be a mapping, not {}",
                        v.type_name()
                    )));
                };
                for (key, value) in d.items() {
                    let Value::Str(key) = key else {
                        return Err(Exception::type_error("keywords must be strings"));
                    };
                    call_args.kw.push((key.to_string(), value));
                }
                continue;
            }
            call_args.kw.push((k.clone(), v));
        }
        Ok(call_args)
    }

    fn call(&mut self, f: &Value, args: &Args, w: &dyn Waiter) -> Result<Value, Exception> {
        if let Value::Builtin(b) = f
            && let Some(v) = self.call_iterating(*b, args, w)?
        {
            return Ok(v);
        }
        // The builtins that take in a whole iterable get a generator's items.
        let collected;
        let args = if args.pos.iter().any(|a| matches!(a, Value::Iter(_))) && consumes_iterables(f)
        {
            let mut pos = Vec::with_capacity(args.pos.len());
            for a in &args.pos {
                pos.push(match a {
                    Value::Iter(_) => Value::List(List::new(self.collect(a, w)?)),
                    other => other.clone(),
                });
            }
            collected = Args {
                pos,
                kw: args.kw.clone(),
            };
            &collected
        } else {
            args
        };
        match f {
            Value::Builtin(Builtin::Dict) => collections::new_dict(args),
            Value::Builtin(Builtin::Set) => collections::new_set(args),
            Value::Builtin(Builtin::Namespace) => collections::new_namespace(args),
            Value::Builtin(Builtin::DefaultSelector) => selectors::new(args),
            Value::Builtin(Builtin::SysExit) => {
                let code = args.tuple("exit", "exit", 0, 1)?;
                Err(Exception::new(
                    "SystemExit",
                    match code.first() {
                        None | Some(Value::None) => String::new(),
                        Some(v) => crate::value::repr::try_str(v)?,
                    },
                ))
            }
            Value::Builtin(
                b @ (Builtin::SocketClass
                | Builtin::CreateConnection
                | Builtin::CreateServer
                | Builtin::Socketpair
                | Builtin::Gethostname
                | Builtin::Select),
            ) => sockets::call_function(*b, args, &mut self.sockets, w),
            Value::Builtin(Builtin::Dir) => self.dir(args),
            Value::Function(f) => self.call_function(f, args, w),
            Value::Builtin(Builtin::StructPack) => structs::pack(args),
            Value::Builtin(Builtin::StructUnpack) => structs::unpack(args),
            Value::Builtin(Builtin::StructUnpackFrom) => structs::unpack_from(args),
            Value::Builtin(Builtin::StructCalcsize) => structs::calcsize(args),
            Value::Builtin(
                b @ (Builtin::TimeTime
                | Builtin::TimeMonotonic
                | Builtin::TimePerfCounter
                | Builtin::TimeSleep),
            ) => time_call(*b, args, w),
            Value::ExcClass(class) => {
                if let Some((k, _)) = args.kw.first() {
                    return Err(Exception::type_error(format!(
                        "{class}() takes no keyword arguments (got '{k}')"
                    )));
                }
                exceptions::construct(class, &args.pos)
            }
            Value::Builtin(b) => {
                let before = self.stdout.len();
                let result = builtins::call(*b, args, &mut self.stdout);
                // What a print wrote is told at once (SPEC 2.3: a loop's
                // printing shows as it happens); the step's outcome keeps it all.
                if let Some(text) = self.stdout.get(before..).filter(|t| !t.is_empty()) {
                    w.printed(text);
                }
                result
            }
            Value::Method(obj, name) => match obj.as_ref() {
                Value::Socket(sock) => {
                    sockets::call_method(sock, name, args, &mut self.sockets, w, &mut self.facts)
                }
                Value::Str(s) if name.as_ref() == "format" => percent::format_method(s, args),
                Value::Str(_) | Value::Bytes(_) => text::call(obj, name, args),
                Value::List(l) if name.as_ref() == "sort" => {
                    if !args.pos.is_empty() {
                        return Err(Exception::type_error(
                            "sort() takes no positional arguments",
                        ));
                    }
                    let (key, reverse) = protocol::sort_options("sort", &args.kw)?;
                    let items = l.snapshot();
                    let sorted = self.sorted(items, key, reverse, w)?;
                    *l.lock() = sorted;
                    Ok(Value::None)
                }
                Value::List(l) => collections::list_method(l, name, args),
                Value::Dict(d) => collections::dict_method(d, name, args),
                Value::Set(s) => collections::set_method(s, name, args),
                Value::Selector(sel) => selectors::call_method(sel, name, args, w),
                Value::Iter(cell) => match name.as_ref() {
                    "send" => {
                        let v = args.one("generator.send")?;
                        self.resume(cell, v.clone(), w)?
                            .ok_or_else(|| Exception::new("StopIteration", ""))
                    }
                    "close" => {
                        args.none("generator.close")?;
                        if let iter::PyIter::Generator(Some(g), _) =
                            &mut *crate::value::locked(cell)
                        {
                            **g = generator::Generator::new(
                                crate::lang::ast::Block::default(),
                                Default::default(),
                            );
                        }
                        Ok(Value::None)
                    }
                    _ => {
                        let it = obj.as_ref().clone();
                        self.next_of(&it, w)?
                            .ok_or_else(|| Exception::new("StopIteration", ""))
                    }
                },
                Value::Int(_)
                | Value::BigInt(_)
                | Value::Bool(_)
                | Value::Builtin(Builtin::Int) => ints::call(obj, name, args),
                other => Err(Exception::new(
                    "AttributeError",
                    format!("'{}' object has no attribute '{name}'", other.type_name()),
                )),
            },
            other => Err(Exception::type_error(format!(
                "'{}' object is not callable",
                other.type_name()
            ))),
        }
    }
}

/// Names in the order people count: `s2` before `s10`, `c` before `conn`.
/// Runs of digits compare as numbers, everything else as text.
pub fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let run = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
                let (da, db) = (&a[..run(a)], &b[..run(b)]);
                let (ta, tb) = (da.trim_start_matches('0'), db.trim_start_matches('0'));
                let by_value = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                // Equal numbers: fewer leading zeros first (`s1` before `s01`).
                match by_value.then_with(|| da.len().cmp(&db.len())) {
                    Ordering::Equal => {
                        a = &a[da.len()..];
                        b = &b[db.len()..];
                    }
                    other => return other,
                }
            }
            (Some(x), Some(y)) if x == y => {
                a = &a[x.len_utf8()..];
                b = &b[y.len_utf8()..];
            }
            (Some(x), Some(y)) => return x.cmp(&y),
        }
    }
}

/// The sockets `roots` reach, through any container, in the order found. A
/// container held many times (`[a] * 1000`) is walked once, without recursion.
fn reachable_sockets(roots: Vec<Value>) -> Vec<Arc<PySocket>> {
    let mut found = Vec::new();
    let mut seen: HashSet<*const PySocket, foldhash::fast::RandomState> = HashSet::default();
    let mut containers: HashSet<usize, foldhash::fast::RandomState> = HashSet::default();
    let mut todo = roots;
    todo.reverse();
    while let Some(v) = todo.pop() {
        let container = match &v {
            Value::Tuple(items) => Some(items.as_ptr() as usize),
            Value::List(items) => Some(items.id()),
            Value::Dict(d) | Value::DictView(d, _) => Some(d.id()),
            Value::Set(s) => Some(s.id()),
            Value::Namespace(ns) => Some(ns.id()),
            Value::Record(r) => Some(Arc::as_ptr(r) as usize),
            Value::Iter(it) => Some(Arc::as_ptr(it) as *const u8 as usize),
            Value::Selector(sel) => Some(Arc::as_ptr(sel) as usize),
            Value::Reversed(items) => Some(Arc::as_ptr(items) as usize),
            _ => None,
        };
        if let Some(id) = container
            && !containers.insert(id)
        {
            continue;
        }
        match v {
            Value::Socket(s) if seen.insert(Arc::as_ptr(&s)) => found.push(s),
            Value::Tuple(items) => {
                todo.extend(items.iter().filter(|i| can_hold_socket(i)).cloned())
            }
            Value::List(items) => {
                todo.extend(items.lock().iter().filter(|i| can_hold_socket(i)).cloned())
            }
            Value::Dict(d) | Value::DictView(d, _) => todo.extend(
                d.lock()
                    .values()
                    .flat_map(|(k, v)| [k, v])
                    .filter(|i| can_hold_socket(i))
                    .cloned(),
            ),
            Value::Set(s) => todo.extend(s.snapshot().into_iter().filter(can_hold_socket)),
            Value::Namespace(ns) => todo.extend(
                ns.snapshot()
                    .into_iter()
                    .map(|(_, v)| v)
                    .filter(can_hold_socket),
            ),
            Value::Record(r) => {
                todo.extend(r.values.iter().filter(|i| can_hold_socket(i)).cloned())
            }
            Value::Selector(sel) => todo.extend(sel.held()),
            Value::Iter(it) => todo.extend(iter::held(&crate::value::locked(&it))),
            Value::Method(obj, _) => todo.push(obj.as_ref().clone()),
            Value::Function(f) => todo.extend(
                f.defaults
                    .iter()
                    .chain(f.closure.iter().map(|(_, v)| v))
                    .filter(|v| can_hold_socket(v))
                    .cloned(),
            ),
            Value::Reversed(items) => todo.extend(
                crate::value::locked(&items)
                    .iter()
                    .filter(|i| can_hold_socket(i))
                    .cloned(),
            ),
            _ => {}
        }
    }
    found
}

/// Whether a callable takes in whole iterables (`list(g)`, `sum(g)`,
/// `b''.join(g)`): a generator given to it is run to its end first.
fn consumes_iterables(f: &Value) -> bool {
    match f {
        Value::Builtin(b) => matches!(
            b,
            Builtin::List
                | Builtin::Tuple
                | Builtin::Sum
                | Builtin::Min
                | Builtin::Max
                | Builtin::Bytes
                | Builtin::Dict
                | Builtin::Set
                | Builtin::Reversed
        ),
        Value::Method(_, name) => matches!(
            name.as_ref(),
            "join"
                | "extend"
                | "update"
                | "union"
                | "intersection"
                | "difference"
                | "symmetric_difference"
                | "issubset"
                | "issuperset"
                | "isdisjoint"
                | "fromkeys"
        ),
        _ => false,
    }
}

/// Whether a value is, or may contain, a socket.
fn can_hold_socket(v: &Value) -> bool {
    matches!(
        v,
        Value::Socket(_)
            | Value::Tuple(_)
            | Value::List(_)
            | Value::Method(..)
            | Value::Reversed(_)
            | Value::Function(_)
            | Value::Dict(_)
            | Value::DictView(..)
            | Value::Set(_)
            | Value::Namespace(_)
            | Value::Record(_)
            | Value::Iter(_)
            | Value::Selector(_)
    )
}

fn name_error(name: &str) -> Exception {
    Exception::new("NameError", format!("name '{name}' is not defined"))
}

/// `obj.name`.
fn attribute(obj: &Value, name: &str) -> Result<Value, Exception> {
    if name == "__name__" {
        let n: Option<String> = match obj {
            Value::ExcClass(c) => Some(c.to_string()),
            Value::Builtin(b) => Some(b.name().to_string()),
            Value::Function(f) => Some(f.name.clone()),
            Value::Module(m) => Some(m.name().to_string()),
            // `<class 'selectors.SelectorKey'>`: the last part of the quoted name.
            Value::Class(repr) => repr
                .split('\'')
                .nth(1)
                .and_then(|q| q.rsplit('.').next())
                .map(str::to_string),
            _ => None,
        };
        if let Some(n) = n {
            return Ok(Value::str(n));
        }
    }
    match obj {
        Value::Module(crate::value::Module::Socket) if exceptions::socket_class(name).is_some() => {
            Ok(Value::ExcClass(
                exceptions::socket_class(name).unwrap_or("OSError"),
            ))
        }
        Value::Module(m) => sockets::module_attr(*m, name),
        Value::Exception(e) => exceptions::attribute(e, name),
        Value::Socket(sock) => sockets::socket_attr(obj, sock, name),
        Value::Str(_) | Value::Bytes(_) => text::attribute(obj, name),
        Value::List(_) | Value::Dict(_) | Value::Set(_) if collections::has_method(obj, name) => {
            Ok(Value::Method(Arc::new(obj.clone()), name.into()))
        }
        Value::Namespace(ns) => collections::namespace_attr(ns, name),
        Value::Record(r) => r.get(name).ok_or_else(|| {
            Exception::new(
                "AttributeError",
                format!("'{}' object has no attribute '{name}'", r.class),
            )
        }),
        Value::Selector(_) if selectors::SELECTOR_METHODS.contains(&name) => {
            Ok(Value::Method(Arc::new(obj.clone()), name.into()))
        }
        Value::Iter(it)
            if matches!(name, "send" | "close" | "__next__")
                && (name == "__next__"
                    || matches!(&*crate::value::locked(it), iter::PyIter::Generator(..))) =>
        {
            Ok(Value::Method(Arc::new(obj.clone()), name.into()))
        }
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) | Value::Builtin(Builtin::Int) => {
            ints::attribute(obj, name)
        }
        Value::Enum(kind, n) if name == "value" => {
            let _ = kind;
            Ok(Value::Int(*n))
        }
        Value::Enum(kind, n) if name == "name" => Ok(kind
            .members()
            .iter()
            .find(|(_, v)| v == n)
            .map_or(Value::None, |(member, _)| Value::str(*member))),
        other => Err(Exception::new(
            "AttributeError",
            format!("'{}' object has no attribute '{name}'", other.type_name()),
        )),
    }
}

/// `time.time()`, `time.monotonic()`, `time.perf_counter()`, `time.sleep(s)`
/// (which Ctrl-C ends with KeyboardInterrupt, as in CPython).
fn time_call(b: Builtin, args: &Args, w: &dyn Waiter) -> Result<Value, Exception> {
    let name = b.name();
    if let Some((k, _)) = args.kw.first() {
        return Err(Exception::type_error(format!(
            "{name}() takes no keyword arguments (got '{k}')"
        )));
    }
    if b != Builtin::TimeSleep {
        if !args.pos.is_empty() {
            return Err(Exception::type_error(format!(
                "time.{name}() takes no arguments ({} given)",
                args.pos.len()
            )));
        }
        let now = match b {
            Builtin::TimeTime => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
            _ => crate::net::sys::monotonic().as_secs_f64(),
        };
        return Ok(Value::Float(now));
    }
    let secs = match args.pos.as_slice() {
        [Value::Float(f)] => *f,
        [v] if v.is_int() => v.as_int().map_or(f64::INFINITY, |n| n as f64),
        [other] => {
            return Err(Exception::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                other.type_name()
            )));
        }
        more => {
            return Err(Exception::type_error(format!(
                "time.sleep() takes exactly one argument ({} given)",
                more.len()
            )));
        }
    };
    if secs.is_nan() {
        return Err(Exception::value_error("Invalid value NaN (not a number)"));
    }
    if secs < 0.0 {
        return Err(Exception::value_error("sleep length must be non-negative"));
    }
    if secs > 9.2e9 {
        return Err(Exception::new("OverflowError", "sleep length is too large"));
    }
    let until = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
    w.entering("sleep()");
    loop {
        if w.take_interrupt() {
            return Err(Exception::keyboard_interrupt());
        }
        let now = std::time::Instant::now();
        if now >= until {
            return Ok(Value::None);
        }
        std::thread::sleep((until - now).min(std::time::Duration::from_millis(10)));
    }
}

/// Whether `except class:` catches `e`: a class, or a tuple of classes.
fn exception_matches(e: &Exception, class: &Value) -> Result<bool, Exception> {
    match class {
        Value::ExcClass(c) => Ok(exceptions::is_subclass(&e.class, c)),
        Value::Tuple(items) => {
            for item in items.iter() {
                if exception_matches(e, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(Exception::type_error(
            "catching classes that do not inherit from BaseException is not allowed",
        )),
    }
}

/// `ascii(text)`: a repr with every non-ASCII character escaped.
pub(super) fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c as u32 {
            0..=0x7f => out.push(c),
            n @ 0x80..=0xff => out.push_str(&format!("\\x{n:02x}")),
            n @ 0x100..=0xffff => out.push_str(&format!("\\u{n:04x}")),
            n => out.push_str(&format!("\\U{n:08x}")),
        }
    }
    out
}

#[cfg(test)]
mod natural_order_tests {
    use super::natural_order;

    #[test]
    fn numbers_in_names_count_as_numbers() {
        let mut names = vec![
            "s10", "s2", "conn", "c", "s1", "s01", "a", "s", "srv2", "srv10",
        ];
        names.sort_by(|a, b| natural_order(a, b));
        assert_eq!(
            names,
            [
                "a", "c", "conn", "s", "s1", "s01", "s2", "s10", "srv2", "srv10"
            ]
        );
    }
}
