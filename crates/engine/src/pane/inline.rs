//! Which statements cannot block, so that a pane may run them on the caller's
//! thread instead of handing them to its own: a thread hand-over costs more
//! than most steps do. Whatever this module cannot show to be harmless goes to
//! the pane's thread, where blocking is allowed.

use crate::interp::Interp;
use crate::lang::ast::{Expr, Stmt};
use crate::net::sys;
use crate::value::{Builtin, Value};

/// Socket methods that wait for data or a connection to arrive.
const READING: &[&str] = &[
    "recv",
    "recvfrom",
    "recv_into",
    "recvfrom_into",
    "recvmsg",
    "accept",
];
/// Socket methods that wait for room in the send buffer.
const WRITING: &[&str] = &["send", "sendall", "sendto", "sendmsg"];
/// Calls that may wait for other reasons: a handshake, a linger on close, a
/// name lookup, a select.
const OTHER: &[&str] = &[
    "connect",
    "connect_ex",
    "close",
    "detach",
    "makefile",
    "sendfile",
    "create_connection",
    "select",
    "poll",
    "getaddrinfo",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostbyaddr",
    "getnameinfo",
    "getfqdn",
    "sleep",
];

/// The longest literal payload a send on a writable socket may carry and still
/// run inline. A socket reported writable has room for at least one more
/// buffer of this size (TCP, Unix and UDP alike), so such a send returns at once.
const SMALL_SEND: usize = 1024;

/// The most sockets one statement run inline may rely on (see `Check::used`).
const MAX_USED: usize = 4;

fn may_wait(method: &str) -> bool {
    READING.contains(&method) || WRITING.contains(&method) || OTHER.contains(&method)
}

/// Where a step may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// On the pane's thread: it may wait.
    Thread,
    /// On the caller's thread: it calls nothing that waits, or only calls
    /// that the sockets' current state lets return at once.
    Inline,
    /// On the caller's thread as an attempt: its one call that may wait (a
    /// `recv`, `recvfrom`, `send` or `sendall` that is the
    /// statement's first effect) is made with MSG_DONTWAIT; if it would wait,
    /// the step goes to the pane's thread, which sends what an attempted send
    /// had not sent yet (`PySocket::carried`). This saves asking poll(2) first.
    Attempt,
}

/// Where running `stmt` in `interp` now may happen.
pub fn verdict(stmt: &Stmt, interp: &Interp) -> Verdict {
    // A block may loop for ever or wait anywhere: it runs where it can be
    // interrupted and where its waits are announced.
    if stmt.is_compound() || matches!(stmt, Stmt::Raise(..)) {
        return Verdict::Thread;
    }
    let mut check = Check {
        interp,
        used: [""; MAX_USED],
        n_used: 0,
        may_attempt: stmt.expr().is_some_and(first_effect_is_the_call),
        attempted: false,
    };
    match stmt.expr().is_none_or(|e| check.expr(e)) {
        false => Verdict::Thread,
        true if check.attempted => Verdict::Attempt,
        true => Verdict::Inline,
    }
}

/// Whether `e` is `NAME.method(ARGS)` with names and literals for arguments:
/// nothing with an effect runs before the call.
fn first_effect_is_the_call(e: &Expr) -> bool {
    match e {
        Expr::Call { func, args, kwargs } => {
            matches!(func.as_ref(), Expr::Attr(obj, _) if matches!(obj.as_ref(), Expr::Name(_)))
                && kwargs.is_empty()
                && args
                    .iter()
                    .all(|a| matches!(a, Expr::Name(_) | Expr::Lit(_)))
        }
        _ => false,
    }
}

struct Check<'a> {
    interp: &'a Interp,
    /// Sockets already relied on for readiness: a second call on one of them
    /// may find the data or room taken by the first. A statement that relies
    /// on more than `MAX_USED` goes to the thread.
    used: [&'a str; MAX_USED],
    /// How many of `used` are filled.
    n_used: usize,
    /// The statement is one call with no effect before it (see `Verdict::Attempt`).
    may_attempt: bool,
    /// The call is to be attempted rather than asked about.
    attempted: bool,
}

impl<'a> Check<'a> {
    /// Notes that the statement relies on socket `name`; false when it
    /// relies on too many to keep track of.
    fn relies_on(&mut self, name: &'a str) -> bool {
        match self.used.get_mut(self.n_used) {
            Some(slot) => {
                *slot = name;
                self.n_used += 1;
                true
            }
            None => false,
        }
    }

    fn expr(&mut self, e: &'a Expr) -> bool {
        match e {
            // The callee is judged by `callee`, which recurses where it must.
            Expr::Call { func, args, kwargs } => {
                args.iter().all(|a| self.expr(a))
                    && kwargs.iter().all(|(_, a)| self.expr(a))
                    && self.callee(func, args, kwargs.is_empty())
            }
            // A generator runs the pane's code wherever it is used; a
            // namespace or a selector may hold anything.
            Expr::Name(name) => !matches!(
                self.interp.get(name),
                Some(
                    Value::Iter(_) | Value::Namespace(_) | Value::Selector(_) | Value::Function(_)
                )
            ),
            Expr::Lit(_) | Expr::Lambda(..) => true,
            Expr::Attr(obj, _) => self.expr(obj),
            // A comprehension's items are made by code that runs inside it.
            Expr::Comp(_) | Expr::Yield(_) | Expr::YieldFrom(_) => false,
            other => other.children().into_iter().all(|c| self.expr(c)),
        }
    }

    /// Whether calling `func` with these arguments returns at once.
    fn callee(&mut self, func: &'a Expr, args: &[Expr], no_kwargs: bool) -> bool {
        match func {
            Expr::Name(name) => match self.interp.get(name) {
                Some(Value::Builtin(
                    Builtin::CreateConnection | Builtin::Select | Builtin::TimeSleep,
                )) => false,
                // Builtins that walk their argument may take seconds (a list of
                // ten million items): on the pane's thread they can be
                // interrupted, and the front end goes on drawing.
                Some(Value::Builtin(b)) if walks(*b) => false,
                Some(Value::Method(_, method)) => !may_wait(method) && method.as_ref() != "sort",
                // The pane's own functions may do anything, wait included.
                Some(Value::Function(_)) => false,
                None => !Builtin::by_name(name).is_some_and(walks),
                _ => true,
            },
            Expr::Attr(obj, method) if may_wait(method) => {
                let Expr::Name(name) = obj.as_ref() else {
                    return false;
                };
                match self.interp.get(name) {
                    Some(Value::Socket(sock)) => {
                        let Some(fd) = sock.raw_fd() else {
                            return true; // a closed socket raises at once
                        };
                        if OTHER.contains(&method.as_str()) {
                            // A connect or close on a non-blocking socket does not
                            // wait, except a close that lingers: leave both to the thread.
                            return false;
                        }
                        if sock.timeout() == Some(0.0) {
                            return true;
                        }
                        if self.used[..self.n_used].contains(&name.as_str()) || !no_kwargs {
                            return false;
                        }
                        let writing = WRITING.contains(&method.as_str());
                        // Only a blocking socket's call is attempted: one
                        // with a timeout waits in poll, never with MSG_DONTWAIT.
                        if self.may_attempt
                            && sock.timeout().is_none()
                            && (method == "recv"
                                || method == "recvfrom"
                                || method == "send"
                                || method == "sendall")
                            && args.len() <= 1
                        {
                            self.attempted = true;
                            return self.relies_on(name);
                        }
                        let plain = if writing {
                            small_payload(method, args)
                        } else {
                            // No flags: MSG_WAITALL could wait on a readable socket.
                            method != "recv_into" && method != "recvfrom_into" && args.len() <= 1
                        };
                        let ready = plain
                            && sys::poll_one(fd, writing, std::time::Duration::ZERO)
                                .unwrap_or(false);
                        ready && self.relies_on(name)
                    }
                    Some(
                        Value::Module(_)
                        | Value::Selector(_)
                        | Value::Iter(_)
                        | Value::Namespace(_)
                        | Value::Function(_),
                    ) => false,
                    _ => true, // not a socket: the call fails at once or is not a socket call
                }
            }
            // `sort` may call a key function, and take long.
            Expr::Attr(_, method) if method == "sort" => false,
            Expr::Attr(obj, _) => self.expr(obj),
            _ => false,
        }
    }
}

/// Whether a builtin walks the items of its argument.
fn walks(b: Builtin) -> bool {
    matches!(
        b,
        Builtin::List
            | Builtin::Tuple
            | Builtin::Bytes
            | Builtin::Sum
            | Builtin::Max
            | Builtin::Min
            | Builtin::Sorted
            | Builtin::Any
            | Builtin::All
            | Builtin::Next
            | Builtin::Dict
            | Builtin::Set
    )
}

/// Whether a send's arguments are a short bytes literal and nothing else but
/// sendto's address.
fn small_payload(method: &str, args: &[Expr]) -> bool {
    let expected = if method == "sendto" { 2 } else { 1 };
    match args.first() {
        Some(Expr::Lit(Value::Bytes(b))) => args.len() == expected && b.len() <= SMALL_SEND,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{Verdict, verdict};
    use crate::interp::Interp;
    use crate::lang::parse_statement;
    use crate::net::NoWaiter;

    fn run(interp: &mut Interp, line: &str) {
        let stmt = parse_statement(line).expect("test statements parse");
        interp.run(&stmt, &NoWaiter);
    }

    fn inline(interp: &Interp, line: &str) -> bool {
        verdict(
            &parse_statement(line).expect("test statements parse"),
            interp,
        ) != Verdict::Thread
    }

    fn attempted(interp: &Interp, line: &str) -> bool {
        verdict(
            &parse_statement(line).expect("test statements parse"),
            interp,
        ) == Verdict::Attempt
    }

    #[test]
    fn a_call_that_would_wait_goes_to_the_thread() {
        let mut i = Interp::new();
        run(&mut i, "a, b = socket.socketpair()");
        assert!(
            attempted(&i, "a.recv(10)"),
            "a lone recv is attempted: the kernel says at once whether it would wait"
        );
        assert!(
            !inline(&i, "print(a.recv(10))"),
            "print is no effect, but only a lone call is attempted"
        );
        assert!(inline(&i, "a.send(b'hi')"));
        run(&mut i, "a.send(b'hi')");
        assert!(inline(&i, "x = b.recv(10)"), "data is waiting");
        run(&mut i, "b.settimeout(5)");
        assert!(
            !attempted(&i, "b.recv(10)"),
            "a recv with a timeout waits in poll: it is not attempted"
        );
        run(&mut i, "b.settimeout(None)");
        assert!(
            !attempted(&i, "b.recv(len(b'ab'))") && inline(&i, "b.recv(len(b'ab'))"),
            "a call in the arguments runs before the recv: asked with poll, not attempted"
        );
        assert!(
            !inline(&i, "b.recv(1) + b.recv(1)"),
            "the second may find nothing"
        );
        assert!(!inline(&i, "b.recv(10, socket.MSG_WAITALL)"));
        assert!(
            !inline(&i, "a.sendall(b'x' * 100)"),
            "not a literal payload"
        );
        assert!(!inline(&i, "a.sendall(bytes(10000000))"));
        run(&mut i, "r = a.recv");
        assert!(!inline(&i, "r(1)"), "a bound method is still a recv");
        assert!(!inline(&i, "socket.create_connection(('127.0.0.1', 9))"));
        assert!(!inline(&i, "a.close()"), "a close may linger");
        assert!(!inline(&i, "select.select([a], [], [])"));
    }

    #[test]
    fn the_panes_own_code_runs_on_the_thread() {
        let mut i = Interp::new();
        run(&mut i, "import selectors");
        run(&mut i, "sel = selectors.DefaultSelector()");
        assert!(!inline(&i, "sel.select()"), "a selector's select waits");
        run(&mut i, "def f():\n    return 1");
        assert!(!inline(&i, "f()"), "a function may accept or recv");
        run(&mut i, "g = (x for x in range(3))");
        assert!(!inline(&i, "next(g)"), "a generator runs the pane's code");
        assert!(!inline(&i, "list(g)"));
        assert!(
            !inline(&i, "[f() for x in range(3)]"),
            "a comprehension's items run code"
        );
        run(&mut i, "l = [3, 1]");
        assert!(!inline(&i, "l.sort(key=f)"), "sort may call a key function");
        assert!(inline(&i, "l.append(2)"));
        assert!(inline(&i, "d = {'a': 1}"));
    }

    #[test]
    fn non_blocking_and_plain_statements_run_inline() {
        let mut i = Interp::new();
        run(&mut i, "a, b = socket.socketpair()");
        run(&mut i, "a.setblocking(False)");
        assert!(inline(&i, "a.recv(10)"), "raises BlockingIOError at once");
        assert!(inline(&i, "x = len(b'abc') + 1"));
        assert!(inline(&i, "s = socket.socket()"));
        assert!(inline(&i, "undefined.recv(1)"), "NameError at once");
        run(&mut i, "b.close()");
        assert!(inline(&i, "b.recv(1)"), "a closed socket raises at once");
    }
}
