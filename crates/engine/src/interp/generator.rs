//! Generators: a function with `yield` runs lazily, as in CPython. Its body
//! is run by a resumable walker (a stack of frames, one per open block), so
//! that it can stop at a `yield` and go on from there at the next `next()`;
//! statements that hold no `yield` run on the interpreter's ordinary path.

use std::sync::Arc;

use super::function::Locals;
use super::{Flow, Interp, iter};
use crate::lang::ast::{Block, Expr, Handler, Stmt, Target};
use crate::net::Waiter;
use crate::net::sock::PySocket;
use crate::outcome::Exception;
use crate::value::{Value, locked};

/// A generator's state between two `next()`s.
#[derive(Debug)]
pub struct Generator {
    pub locals: Locals,
    stack: Vec<Frame>,
    /// Where the value sent by the next resume goes (`line = yield x`).
    assign: Vec<Target>,
}

/// One open block of a generator's body.
#[derive(Debug)]
enum Frame {
    /// Statements run in order: the next is `block[pc]`.
    Block { block: Block, pc: usize },
    /// The `while` statement `block[idx]`, between two turns.
    While { block: Block, idx: usize },
    /// The `for` statement `block[idx]`, with its iterator.
    For {
        block: Block,
        idx: usize,
        iter: Value,
    },
    /// The `try` statement `block[idx]`, in one of its parts.
    Try {
        block: Block,
        idx: usize,
        phase: Phase,
    },
    /// A `with` block: the socket it closes when it ends.
    With(Arc<PySocket>),
    /// `yield from it`: each of its items is yielded in turn.
    YieldFrom(Value),
}

#[derive(Debug)]
enum Phase {
    Body,
    /// An `except` clause runs: the exception it handles, the name bound to it.
    Handler(Option<String>),
    Else,
    /// `finally` runs; then what was going on goes on.
    Finally(Signal),
}

/// What the walker does next.
#[derive(Debug)]
enum Signal {
    /// Run the next statement of the innermost block.
    Step,
    /// The innermost frame's block ended so.
    Done(Flow),
    Raise(Exception),
}

impl Generator {
    /// A generator that will run `body` with `locals`.
    pub fn new(body: Block, locals: Locals) -> Generator {
        Generator {
            locals,
            stack: vec![Frame::Block { block: body, pc: 0 }],
            assign: Vec::new(),
        }
    }
}

impl Generator {
    /// The values its locals and open frames hold.
    pub fn held(&self) -> Vec<Value> {
        let mut out: Vec<Value> = self.locals.values().cloned().collect();
        for frame in &self.stack {
            match frame {
                Frame::For { iter, .. } | Frame::YieldFrom(iter) => out.push(iter.clone()),
                Frame::With(sock) => out.push(Value::Socket(sock.clone())),
                _ => {}
            }
        }
        out
    }
}

/// Whether a function's body makes it a generator (a `yield` outside any
/// nested `def` or `lambda`).
pub fn has_yield(block: &Block) -> bool {
    block.iter().any(|l| stmt_yields(&l.stmt))
}

fn stmt_yields(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Expr(e) | Stmt::Assign(_, e) | Stmt::AugAssign(_, _, e) => expr_yields(e),
        Stmt::Return(Some(e)) => expr_yields(e),
        Stmt::If(branches, orelse) => {
            branches.iter().any(|(t, b)| expr_yields(t) || has_yield(b)) || has_yield(orelse)
        }
        Stmt::While(t, body, orelse) => expr_yields(t) || has_yield(body) || has_yield(orelse),
        Stmt::For(_, it, body, orelse) => expr_yields(it) || has_yield(body) || has_yield(orelse),
        Stmt::With(items, body) => items.iter().any(|(e, _)| expr_yields(e)) || has_yield(body),
        Stmt::Try {
            body,
            handlers,
            orelse,
            finally,
        } => {
            has_yield(body)
                || handlers.iter().any(|h| has_yield(&h.body))
                || has_yield(orelse)
                || has_yield(finally)
        }
        _ => false,
    }
}

fn expr_yields(e: &Expr) -> bool {
    match e {
        Expr::Yield(_) | Expr::YieldFrom(_) => true,
        Expr::Lambda(..) | Expr::Comp(_) => false,
        other => other.children().into_iter().any(expr_yields),
    }
}

impl Interp {
    /// `next(g)` (or `g.send(value)`): runs the generator to its next
    /// `yield`; None when it has finished (StopIteration).
    pub(super) fn resume(
        &mut self,
        cell: &Arc<std::sync::Mutex<iter::PyIter>>,
        sent: Value,
        w: &dyn Waiter,
    ) -> Result<Option<Value>, Exception> {
        let mut g = {
            let mut it = locked(cell);
            let iter::PyIter::Generator(slot, _) = &mut *it else {
                return Ok(None);
            };
            match slot.take() {
                Some(g) => g,
                None => return Err(Exception::value_error("generator already executing")),
            }
        };
        if g.stack.is_empty() {
            Self::park(cell, g);
            return Ok(None);
        }
        self.frames.push(std::mem::take(&mut g.locals));
        self.in_block += 1;
        let assign = std::mem::take(&mut g.assign);
        let mut signal = Signal::Step;
        for t in &assign {
            if let Err(e) = self.assign(t, sent.clone(), w) {
                signal = Signal::Raise(e);
                break;
            }
        }
        let result = self.walk(&mut g, signal, w);
        self.in_block -= 1;
        g.locals = self.frames.pop().unwrap_or_default();
        if result.is_err() {
            // The body's lines are not the step's: the caller's line stands.
            self.error_line = None;
            g.stack.clear();
        }
        Self::park(cell, g);
        result
    }

    /// Puts a generator back in its cell once it has stopped running.
    fn park(cell: &Arc<std::sync::Mutex<iter::PyIter>>, g: Box<Generator>) {
        if let iter::PyIter::Generator(slot, _) = &mut *locked(cell) {
            *slot = Some(g);
        }
    }

    /// Runs the generator's frames from `signal` to the next yield.
    fn walk(
        &mut self,
        g: &mut Generator,
        mut signal: Signal,
        w: &dyn Waiter,
    ) -> Result<Option<Value>, Exception> {
        loop {
            signal = match signal {
                Signal::Step => match self.step(g, w) {
                    Ok(Ok(next)) => next,
                    Ok(Err(yielded)) => return Ok(Some(yielded)),
                    Err(e) => Signal::Raise(e),
                },
                Signal::Done(flow) => match g.stack.last_mut() {
                    None => return Ok(None),
                    Some(_) => self.finish(g, flow, w),
                },
                Signal::Raise(e) => match g.stack.last() {
                    None => return Err(e),
                    Some(_) => self.unwind(g, e, w),
                },
            };
        }
    }

    /// Runs the next statement of the innermost block. Ok(Err(v)): it yielded v.
    fn step(
        &mut self,
        g: &mut Generator,
        w: &dyn Waiter,
    ) -> Result<Result<Signal, Value>, Exception> {
        let (block, idx) = match g.stack.last_mut() {
            Some(Frame::Block { block, pc }) => {
                if *pc >= block.len() {
                    g.stack.pop();
                    return Ok(Ok(Signal::Done(Flow::Next)));
                }
                *pc += 1;
                (block.clone(), *pc - 1)
            }
            Some(Frame::YieldFrom(it)) => {
                let it = it.clone();
                return match self.next_of(&it, w)? {
                    Some(v) => Ok(Err(v)),
                    None => {
                        g.stack.pop();
                        Ok(Ok(Signal::Step))
                    }
                };
            }
            // Only blocks and `yield from` are stepped; the others get signals.
            _ => return Ok(Ok(Signal::Done(Flow::Next))),
        };
        let stmt = &block[idx].stmt;
        if !stmt_yields(stmt) {
            let flow = match stmt {
                Stmt::Break => Flow::Break,
                Stmt::Continue => Flow::Continue,
                Stmt::Return(None) => Flow::Return(Value::None),
                Stmt::Return(Some(e)) => Flow::Return(self.eval(e, w)?),
                s if s.is_compound() => self.exec_compound(s, w)?,
                s => {
                    self.exec(s, w)?;
                    Flow::Next
                }
            };
            return Ok(Ok(match flow {
                Flow::Next => Signal::Step,
                other => Signal::Done(other),
            }));
        }
        match stmt {
            Stmt::Expr(Expr::Yield(value)) => Ok(Err(self.yielded(value.as_deref(), w)?)),
            Stmt::Assign(targets, Expr::Yield(value)) => {
                let v = self.yielded(value.as_deref(), w)?;
                g.assign = targets.clone();
                Ok(Err(v))
            }
            Stmt::Expr(Expr::YieldFrom(e)) => {
                let it = self.eval(e, w)?;
                g.stack.push(Frame::YieldFrom(iter::iter_of(&it)?));
                Ok(Ok(Signal::Step))
            }
            Stmt::If(branches, orelse) => {
                let mut chosen = orelse.clone();
                for (test, body) in branches {
                    if self.eval(test, w)?.truthy() {
                        chosen = body.clone();
                        break;
                    }
                }
                g.stack.push(Frame::Block {
                    block: chosen,
                    pc: 0,
                });
                Ok(Ok(Signal::Step))
            }
            Stmt::While(..) => {
                g.stack.push(Frame::While { block, idx });
                Ok(Ok(Signal::Done(Flow::Next)))
            }
            Stmt::For(_, it, _, _) => {
                let it = self.eval(it, w)?;
                let iter = iter::iter_of(&it)?;
                g.stack.push(Frame::For { block, idx, iter });
                Ok(Ok(Signal::Done(Flow::Next)))
            }
            Stmt::Try { body, .. } => {
                let body = body.clone();
                g.stack.push(Frame::Try {
                    block,
                    idx,
                    phase: Phase::Body,
                });
                g.stack.push(Frame::Block { block: body, pc: 0 });
                Ok(Ok(Signal::Step))
            }
            Stmt::With(items, body) if items.len() == 1 => {
                let (expr, target) = &items[0];
                let value = self.eval(expr, w)?;
                let Value::Socket(sock) = &value else {
                    return Err(Exception::type_error(format!(
                        "'{}' object does not support the context manager protocol",
                        value.type_name()
                    )));
                };
                if let Some(t) = target {
                    self.assign(t, value.clone(), w)?;
                }
                g.stack.push(Frame::With(sock.clone()));
                g.stack.push(Frame::Block {
                    block: body.clone(),
                    pc: 0,
                });
                Ok(Ok(Signal::Step))
            }
            _ => Err(Exception::unsupported(
                "'yield' there (it may stand as a statement, or as the value of an assignment)",
            )),
        }
    }

    fn yielded(&mut self, value: Option<&Expr>, w: &dyn Waiter) -> Result<Value, Exception> {
        match value {
            None => Ok(Value::None),
            Some(e) => self.eval(e, w),
        }
    }

    /// The innermost frame's block ended with `flow`: what its frame does next.
    fn finish(&mut self, g: &mut Generator, flow: Flow, w: &dyn Waiter) -> Signal {
        let Some(frame) = g.stack.last_mut() else {
            return Signal::Done(flow);
        };
        match frame {
            Frame::Block { .. } => match flow {
                Flow::Next => Signal::Step,
                other => {
                    g.stack.pop();
                    Signal::Done(other)
                }
            },
            Frame::While { block, idx } => {
                let (block, idx) = (block.clone(), *idx);
                let Stmt::While(test, body, orelse) = &block[idx].stmt else {
                    return Signal::Raise(Exception::new("SystemError", "lost a while loop"));
                };
                match flow {
                    Flow::Next | Flow::Continue => {
                        let go_on = self
                            .check_interrupt(w)
                            .and_then(|()| self.eval(test, w).map(|v| v.truthy()));
                        match go_on {
                            Ok(again) => Self::turn(g, again, body, orelse),
                            Err(e) => Signal::Raise(e),
                        }
                    }
                    exit @ (Flow::Break | Flow::Return(_)) => Self::leave_loop(g, exit),
                }
            }
            Frame::For { block, idx, iter } => {
                let (block, idx, it) = (block.clone(), *idx, iter.clone());
                let Stmt::For(target, _, body, orelse) = &block[idx].stmt else {
                    return Signal::Raise(Exception::new("SystemError", "lost a for loop"));
                };
                match flow {
                    Flow::Next | Flow::Continue => {
                        let item = self.check_interrupt(w).and_then(|()| self.next_of(&it, w));
                        match item {
                            Ok(Some(item)) => match self.assign(target, item, w) {
                                Ok(()) => Self::turn(g, true, body, orelse),
                                Err(e) => Signal::Raise(e),
                            },
                            Ok(None) => Self::turn(g, false, body, orelse),
                            Err(e) => Signal::Raise(e),
                        }
                    }
                    exit @ (Flow::Break | Flow::Return(_)) => Self::leave_loop(g, exit),
                }
            }
            Frame::Try { block, idx, phase } => {
                let (block, idx) = (block.clone(), *idx);
                let Stmt::Try { orelse, .. } = &block[idx].stmt else {
                    return Signal::Raise(Exception::new("SystemError", "lost a try"));
                };
                match std::mem::replace(phase, Phase::Body) {
                    Phase::Body if matches!(flow, Flow::Next) && !orelse.is_empty() => {
                        *phase = Phase::Else;
                        g.stack.push(Frame::Block {
                            block: orelse.clone(),
                            pc: 0,
                        });
                        Signal::Step
                    }
                    Phase::Finally(pending) => {
                        g.stack.pop();
                        match flow {
                            Flow::Next => match pending {
                                Signal::Step => Signal::Step,
                                other => other,
                            },
                            // A break or return in `finally` wins.
                            other => Signal::Done(other),
                        }
                    }
                    Phase::Handler(name) => {
                        self.leave_handler(name);
                        self.finally(g, Self::pending(flow))
                    }
                    Phase::Body | Phase::Else => self.finally(g, Self::pending(flow)),
                }
            }
            Frame::With(sock) => {
                sock.close();
                self.observe_due = true;
                g.stack.pop();
                Self::pending(flow)
            }
            Frame::YieldFrom(_) => {
                g.stack.pop();
                Self::pending(flow)
            }
        }
    }

    /// A loop goes round again (its body runs) or ends (its frame goes and
    /// its `else:` block runs).
    fn turn(g: &mut Generator, again: bool, body: &Block, orelse: &Block) -> Signal {
        if !again {
            g.stack.pop();
        }
        g.stack.push(Frame::Block {
            block: if again { body.clone() } else { orelse.clone() },
            pc: 0,
        });
        Signal::Step
    }

    /// A loop's turn ended with a `break` or a `return`: the loop ends
    /// (its `else:` skipped); a break goes on after it, a return goes out.
    fn leave_loop(g: &mut Generator, exit: Flow) -> Signal {
        g.stack.pop();
        match exit {
            Flow::Break => Signal::Step,
            other => Signal::Done(other),
        }
    }

    /// What a frame's parent gets when the frame ends with `flow`.
    fn pending(flow: Flow) -> Signal {
        match flow {
            Flow::Next => Signal::Step,
            other => Signal::Done(other),
        }
    }

    /// The innermost `try` is done with its body and handlers: its `finally`
    /// runs (when it has one), then `pending` goes on.
    fn finally(&mut self, g: &mut Generator, pending: Signal) -> Signal {
        let Some(Frame::Try { block, idx, phase }) = g.stack.last_mut() else {
            return pending;
        };
        let Stmt::Try { finally, .. } = &block[*idx].stmt else {
            return pending;
        };
        if finally.is_empty() {
            g.stack.pop();
            return pending;
        }
        let finally = finally.clone();
        *phase = Phase::Finally(pending);
        g.stack.push(Frame::Block {
            block: finally,
            pc: 0,
        });
        Signal::Step
    }

    fn leave_handler(&mut self, name: Option<String>) {
        self.handling.pop();
        if let Some(name) = name {
            self.unbind(&name);
        }
    }

    /// `e` is raised inside the innermost frame: the frames it leaves end,
    /// until a `try` handles it.
    fn unwind(&mut self, g: &mut Generator, e: Exception, w: &dyn Waiter) -> Signal {
        let Some(frame) = g.stack.last_mut() else {
            return Signal::Raise(e);
        };
        match frame {
            Frame::Try { block, idx, phase } => {
                let (block, idx) = (block.clone(), *idx);
                let Stmt::Try { handlers, .. } = &block[idx].stmt else {
                    return Signal::Raise(e);
                };
                match std::mem::replace(phase, Phase::Body) {
                    Phase::Body => match self.find_handler(&e, handlers, w) {
                        Ok(Some(h)) => {
                            if let Some(name) = &h.name {
                                self.bind(name, Value::Exception(Arc::new(e.clone())));
                            }
                            self.handling.push(e);
                            if let Some(Frame::Try { phase, .. }) = g.stack.last_mut() {
                                *phase = Phase::Handler(h.name.clone());
                            }
                            g.stack.push(Frame::Block {
                                block: h.body.clone(),
                                pc: 0,
                            });
                            Signal::Step
                        }
                        Ok(None) => self.finally(g, Signal::Raise(e)),
                        Err(other) => self.finally(g, Signal::Raise(other)),
                    },
                    Phase::Handler(name) => {
                        self.leave_handler(name);
                        self.finally(g, Signal::Raise(e))
                    }
                    Phase::Else => self.finally(g, Signal::Raise(e)),
                    Phase::Finally(_) => {
                        g.stack.pop();
                        Signal::Raise(e)
                    }
                }
            }
            Frame::With(sock) => {
                sock.close();
                self.observe_due = true;
                g.stack.pop();
                Signal::Raise(e)
            }
            _ => {
                g.stack.pop();
                Signal::Raise(e)
            }
        }
    }

    /// The `except` clause of `handlers` that matches `e`.
    pub(super) fn find_handler<'h>(
        &mut self,
        e: &Exception,
        handlers: &'h [Handler],
        w: &dyn Waiter,
    ) -> Result<Option<&'h Handler>, Exception> {
        for h in handlers {
            let matches = match &h.class {
                None => true,
                Some(class) => {
                    let class = self.eval(class, w)?;
                    super::exception_matches(e, &class)?
                }
            };
            if matches {
                return Ok(Some(h));
            }
        }
        Ok(None)
    }
}
