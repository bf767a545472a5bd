//! The syntax tree of one statement: what the parser produces and the interpreter walks.

use std::sync::Arc;

use crate::value::Value;

/// A binary operator on numbers, strings and bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    BitOr,
    BitAnd,
    BitXor,
    Shl,
    Shr,
}

impl BinOp {
    /// The operator as Python spells it, for error messages.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "** or pow()",
            BinOp::BitOr => "|",
            BinOp::BitAnd => "&",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Is,
    IsNot,
    In,
    NotIn,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        }
    }
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Invert,
}

/// An expression.
#[derive(Debug, Clone)]
pub enum Expr {
    Name(String),
    Lit(Value),
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Attr(Box<Expr>, String),
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        kwargs: Vec<(String, Expr)>,
    },
    Index(Box<Expr>, Box<Expr>),
    Slice {
        target: Box<Expr>,
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    Not(Box<Expr>),
    /// `a and b and c`: one node, as CPython's `BoolOp`, so long chains stay shallow.
    And(Vec<Expr>),
    Or(Vec<Expr>),
    /// `body if test else orelse`.
    IfElse {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    /// An f-string: text and formatted fields, joined.
    FString(Vec<FStrPart>),
    /// `lambda a, b=1: body`.
    Lambda(Arc<Params>, Arc<Expr>),
    /// `{k: v, ...}`.
    Dict(Vec<(Expr, Expr)>),
    /// `{a, b}`.
    Set(Vec<Expr>),
    /// `[x for x in xs if c]` and the set, dict and generator forms.
    Comp(Arc<Comp>),
    /// `yield`, `yield value`: only as a statement of a function (or the
    /// value of an assignment), where it makes the function a generator.
    Yield(Option<Box<Expr>>),
    /// `yield from iterable`.
    YieldFrom(Box<Expr>),
    /// `*items` in a display, a call's arguments or an assignment's targets.
    Starred(Box<Expr>),
}

/// Which display a comprehension builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
    Generator,
}

/// A comprehension: `elt` (with `value`, for a dict) for each item of the
/// `for` clauses, where every `if` holds.
#[derive(Debug, Clone)]
pub struct Comp {
    pub kind: CompKind,
    pub elt: Expr,
    pub value: Option<Expr>,
    pub clauses: Vec<CompFor>,
    /// For a generator expression, its body as a generator function's:
    /// nested `for`/`if` statements around `yield elt`, over the name `.0`
    /// (the first iterable, evaluated where the expression stands, as in CPython).
    pub body: Option<Arc<Block>>,
}

/// `for target in iter if a if b` of a comprehension.
#[derive(Debug, Clone)]
pub struct CompFor {
    pub target: Target,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
}

/// A function's parameters: names, and the default of each that has one.
#[derive(Debug, Clone)]
pub struct Params(
    pub Vec<(String, Option<Expr>)>,
    /// `*args`: the name that takes the positional arguments left over.
    pub Option<String>,
    /// `**kwargs`: the name that takes the keyword arguments left over.
    pub Option<String>,
    /// How many of the names may be given by position: those before a `*`
    /// (the others are keyword-only).
    pub usize,
);

/// A piece of an f-string (see `Expr::FString`).
#[derive(Debug, Clone)]
pub enum FStrPart {
    Lit(String),
    /// `{value!conv:spec}`.
    Field {
        value: Box<Expr>,
        conv: Option<char>,
        spec: Vec<FStrPart>,
    },
}

impl Expr {
    /// The expressions directly inside this one, left to right (a call's
    /// function, then its arguments and keyword values). Walks of the tree
    /// that look for something (calls, waiting calls) recurse through this.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Name(_) | Expr::Lit(_) | Expr::Yield(None) => Vec::new(),
            Expr::Tuple(items)
            | Expr::List(items)
            | Expr::Set(items)
            | Expr::And(items)
            | Expr::Or(items) => items.iter().collect(),
            Expr::Dict(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
            // What runs where the comprehension stands: its first iterable
            // (the rest runs inside it, item by item).
            Expr::Comp(c) => c.clauses.iter().take(1).map(|f| &f.iter).collect(),
            Expr::Attr(obj, _)
            | Expr::Unary(_, obj)
            | Expr::Not(obj)
            | Expr::Yield(Some(obj))
            | Expr::Starred(obj)
            | Expr::YieldFrom(obj) => vec![obj],
            Expr::Index(a, b) | Expr::Binary(_, a, b) => vec![a, b],
            Expr::IfElse { test, body, orelse } => vec![body, test, orelse],
            // The body runs when the lambda is called, not here: only the defaults.
            Expr::Lambda(params, _) => params.0.iter().filter_map(|(_, d)| d.as_ref()).collect(),
            Expr::FString(parts) => {
                fn fields<'e>(parts: &'e [FStrPart], out: &mut Vec<&'e Expr>) {
                    for p in parts {
                        if let FStrPart::Field { value, spec, .. } = p {
                            out.push(value);
                            fields(spec, out);
                        }
                    }
                }
                let mut out = Vec::new();
                fields(parts, &mut out);
                out
            }
            Expr::Slice {
                target,
                lower,
                upper,
                step,
            } => std::iter::once(target)
                .chain([lower, upper, step].into_iter().flatten())
                .map(|b| b.as_ref())
                .collect(),
            Expr::Compare(first, rest) => std::iter::once(first.as_ref())
                .chain(rest.iter().map(|(_, x)| x))
                .collect(),
            Expr::Call { func, args, kwargs } => std::iter::once(func.as_ref())
                .chain(args.iter())
                .chain(kwargs.iter().map(|(_, x)| x))
                .collect(),
        }
    }
}

impl Expr {
    /// The depth of the tree as CPython's AST would have it (a `BoolOp` is
    /// one node, `-1` is a `UnaryOp` over a constant, a slice is a node of its
    /// own): CPython raises RecursionError when this reaches `MAX_DEPTH`.
    pub fn depth(&self) -> usize {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            let deepest = |items: &mut dyn Iterator<Item = &Expr>| -> usize {
                items.map(Expr::depth).max().unwrap_or(0)
            };
            1 + match self {
                Expr::Name(_) => 0,
                Expr::Lit(Value::Int(n)) if *n < 0 => 1,
                Expr::Lit(Value::Float(f)) if f.is_sign_negative() => 1,
                Expr::Lit(_) => 0,
                Expr::Slice {
                    target,
                    lower,
                    upper,
                    step,
                } => target.depth().max(
                    1 + deepest(&mut [lower, upper, step].into_iter().flatten().map(|b| &**b)),
                ),
                Expr::Call { func, args, kwargs } => func
                    .depth()
                    .max(deepest(&mut args.iter()))
                    .max(1 + deepest(&mut kwargs.iter().map(|(_, v)| v))),
                other => deepest(&mut other.children().into_iter()),
            }
        })
    }
}

/// The depth of expression tree at which CPython 3.11 gives up compiling a
/// statement of a pane (`RecursionError`), as measured with the reference runner.
pub const MAX_DEPTH: usize = 995;

/// The left side of an assignment.
#[derive(Debug, Clone)]
pub enum Target {
    Name(String),
    Tuple(Vec<Target>),
    /// `*rest` among the targets of an unpacking: a list of what is left.
    Starred(String),
    /// `obj.name = ...` (a `types.SimpleNamespace`).
    Attr(Box<Expr>, String),
    /// `obj[index] = ...` (a list or a dict).
    Index(Box<Expr>, Box<Expr>),
}

impl Target {
    /// Every name bound by this target, left to right.
    pub fn names(&self) -> Vec<&str> {
        match self {
            Target::Name(n) => vec![n.as_str()],
            Target::Tuple(items) => items.iter().flat_map(|t| t.names()).collect(),
            Target::Starred(n) => vec![n.as_str()],
            Target::Attr(..) | Target::Index(..) => Vec::new(),
        }
    }
}

/// A statement of a block and the line of the step's text it starts on.
#[derive(Debug, Clone)]
pub struct Located {
    pub line: usize,
    pub stmt: Stmt,
}

/// The statements of a block, in order.
pub type Block = Arc<Vec<Located>>;

/// `except CLASS as NAME:` and its body.
#[derive(Debug, Clone)]
pub struct Handler {
    /// None: a bare `except:`.
    pub class: Option<Expr>,
    pub name: Option<String>,
    pub body: Block,
}

/// One statement: what a step executes.
#[derive(Debug, Clone)]
pub enum Stmt {
    Expr(Expr),
    /// `a = b = value`, targets left to right.
    Assign(Vec<Target>, Expr),
    /// `name += value`, `ns.attr += value`, `d[k] += value`.
    AugAssign(Target, BinOp, Expr),
    /// `import socket, select`.
    Import(Vec<String>),
    /// `from socket import a, b as c`.
    FromImport(String, Vec<(String, String)>),
    /// `del a, b`, `del d[k]`.
    Del(Vec<Target>),
    Pass,
    /// `if`/`elif` branches in order, then `else`.
    If(Vec<(Expr, Block)>, Block),
    While(Expr, Block, Block),
    /// `for target in iter:` body, `else:` block.
    For(Target, Expr, Block, Block),
    Break,
    Continue,
    /// `with a as x, b:` body.
    With(Vec<(Expr, Option<Target>)>, Block),
    Try {
        body: Block,
        handlers: Vec<Handler>,
        orelse: Block,
        finally: Block,
    },
    /// `raise`, `raise exc`, `raise exc from cause`.
    Raise(Option<Expr>, Option<Expr>),
    /// `def name(params):` body.
    Def(String, Arc<Params>, Arc<Block>),
    /// `return`, `return value`.
    Return(Option<Expr>),
}

impl Stmt {
    /// The expression the statement evaluates, if it evaluates one.
    pub fn expr(&self) -> Option<&Expr> {
        match self {
            Stmt::Expr(e) | Stmt::Assign(_, e) | Stmt::AugAssign(_, _, e) => Some(e),
            _ => None,
        }
    }

    /// Whether this is a compound statement (it holds blocks: a loop may run
    /// for ever, and any call in it may wait).
    pub fn is_compound(&self) -> bool {
        matches!(
            self,
            Stmt::If(..)
                | Stmt::While(..)
                | Stmt::For(..)
                | Stmt::With(..)
                | Stmt::Try { .. }
                | Stmt::Def(..)
        )
    }
}
