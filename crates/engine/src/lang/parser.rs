//! Recursive-descent parser for one Python statement, with CPython's precedence.
//!
//! Handles expressions (conditional expressions and f-strings included),
//! assignment (chained, tuple unpacking), `+=`, `import`, `from ... import`,
//! `del`, `pass`, and the compound statements `if`, `while`, `for`, `with`,
//! `try` with `break`, `continue` and `raise`, their blocks by indentation as
//! CPython reads them. Functions, lambdas, comprehensions and the like are
//! refused as not supported in the playground.

use super::ast::{
    BinOp, Block, CmpOp, Comp, CompFor, CompKind, Expr, FStrPart, Handler, Located, MAX_DEPTH,
    Params, Stmt, Target, UnaryOp,
};
use super::lexer::{FPart, Tok, Token, tokenize};
use std::sync::Arc;

use crate::outcome::Exception;
use crate::value::Value;

const UNSUPPORTED_KEYWORDS: [(&str, &str); 7] = [
    ("class", "defining a class"),
    ("async", "'async'"),
    ("await", "'await'"),
    ("global", "'global'"),
    ("nonlocal", "'nonlocal'"),
    ("assert", "'assert'"),
    ("match", "a 'match' statement"),
];

/// Keywords that are not names (besides the unsupported ones).
const KEYWORDS: [&str; 27] = [
    "and", "as", "del", "from", "import", "in", "is", "not", "or", "pass", "if", "elif", "else",
    "while", "for", "with", "try", "except", "finally", "raise", "break", "continue", "None",
    "def", "return", "lambda", "yield",
];

/// Parses one line into a statement; empty lines are `Stmt::Pass`.
pub fn parse_statement(line: &str) -> Result<Stmt, Exception> {
    let tokens = tokenize(line)?;
    // A tree has at most as many levels as the line has tokens: most lines
    // cannot come near CPython's limit, and their depth is never measured.
    let shallow = tokens.len() < MAX_DEPTH;
    let mut parser = Parser::new(tokens);
    let stmt = parser.statement()?;
    // A `;` may end the one statement (`x = 1;`), as in Python.
    if matches!(parser.peek(), Tok::Op(";")) && matches!(parser.peek_at(1), Tok::End) {
        parser.skip();
    }
    if !matches!(parser.peek(), Tok::End) {
        if matches!(parser.peek(), Tok::Op(";") | Tok::Newline) {
            return Err(Exception::syntax("one statement per line", parser.col()));
        }
        return Err(parser.invalid());
    }
    // CPython parses first (SyntaxError, MemoryError), then compiles the tree,
    // which is where a tree too deep gives RecursionError.
    if parser.too_deep || !shallow && stmt.expr().is_some_and(|e| e.depth() >= MAX_DEPTH) {
        return Err(too_deep());
    }
    Ok(stmt)
}

/// Parses the expression of an f-string's field (`{addr!r}` gives `addr`).
fn parse_field(source: &str) -> Result<Expr, Exception> {
    let tokens = tokenize(&format!("({})", source.trim()))?;
    let mut parser = Parser::new(tokens);
    let e = parser.expr()?;
    if !matches!(parser.peek(), Tok::End) {
        return Err(Exception::syntax("f-string: invalid syntax", 1));
    }
    Ok(e)
}

/// What CPython calls a compound statement's header in IndentationErrors.
fn header_name(keyword: &str) -> String {
    match keyword {
        "if" | "while" | "for" | "with" | "try" => format!("'{keyword}' statement"),
        other => format!("'{other}' statement"),
    }
}

/// How deep CPython's parser may nest its rules before it gives up with
/// MemoryError (its MAXSTACK, less what a statement costs before the
/// expression: measured with the reference runner on chains of `not`, `-`, `**`).
const MAX_PARSER_LEVEL: usize = 5970;

/// What a bracket costs in parser levels, roughly (CPython: 4 for a call, more for a list).
const BRACKET_LEVELS: usize = 6;

fn too_deep() -> Exception {
    Exception::new(
        "RecursionError",
        "maximum recursion depth exceeded while traversing 'expr' node",
    )
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// The line the current statement starts on (1-based).
    line: usize,
    /// The indentation of the blocks the parser is in, outermost first.
    indents: Vec<usize>,
    /// How many loops the parser is in (`break` and `continue` need one).
    loops: usize,
    /// How many function bodies the parser is in (`return` needs one).
    functions: usize,
    /// An estimate of how deep CPython's parser would be here (MemoryError past `MAX_PARSER_LEVEL`).
    level: usize,
    /// A chain grew deeper than CPython compiles; the rest of the tree was not built.
    too_deep: bool,
    /// The line has fewer tokens than `MAX_DEPTH`: no depth can reach it.
    shallow: bool,
}

impl Parser {
    fn new(tokens: Vec<Token>) -> Parser {
        let shallow = tokens.len() < MAX_DEPTH;
        Parser {
            tokens,
            pos: 0,
            line: 1,
            indents: vec![0],
            loops: 0,
            functions: 0,
            level: 0,
            too_deep: false,
            shallow,
        }
    }

    /// Whether the current simple statement ends here.
    fn at_end(&self) -> bool {
        matches!(self.peek(), Tok::End | Tok::Newline)
    }

    /// If the next line is at the indentation of the current block and
    /// starts with `keyword` (an `elif`, `else`, `except`, `finally` clause),
    /// moves to it.
    fn next_clause(&mut self, keywords: &[&str]) -> Option<String> {
        let here = *self.indents.last().unwrap_or(&0);
        let Tok::Indent { width, line } = *self.peek_at(1) else {
            return None;
        };
        if !matches!(self.peek(), Tok::Newline) || width != here {
            return None;
        }
        match self.peek_at(2) {
            Tok::Name(n) if keywords.contains(&n.as_str()) => {
                let n = n.clone();
                self.skip();
                self.skip();
                self.skip();
                self.line = line;
                Some(n)
            }
            _ => None,
        }
    }

    /// A statement, simple or compound.
    fn statement(&mut self) -> Result<Stmt, Exception> {
        let Tok::Name(word) = self.peek() else {
            return self.simple_statement();
        };
        let header = self.line;
        match word.as_str() {
            "if" => {
                self.skip();
                let mut branches = Vec::new();
                let test = self.expr_list()?;
                let body = self.suite("if", header)?;
                branches.push((test, body));
                let mut orelse = Block::default();
                while let Some(clause) = self.next_clause(&["elif", "else"]) {
                    let at = self.line;
                    if clause == "else" {
                        orelse = self.suite("else", at)?;
                        break;
                    }
                    let test = self.expr_list()?;
                    let body = self.suite("elif", at)?;
                    branches.push((test, body));
                }
                Ok(Stmt::If(branches, orelse))
            }
            "while" => {
                self.skip();
                let test = self.expr_list()?;
                self.loops += 1;
                let body = self.suite("while", header);
                self.loops -= 1;
                let body = body?;
                let orelse = self.else_clause()?;
                Ok(Stmt::While(test, body, orelse))
            }
            "for" => {
                self.skip();
                let col = self.col();
                let target = self.target_list()?;
                let target = to_target(&target, col)?;
                if !self.is_keyword("in") {
                    return Err(self.invalid());
                }
                self.skip();
                let iter = self.expr_list()?;
                self.loops += 1;
                let body = self.suite("for", header);
                self.loops -= 1;
                let body = body?;
                let orelse = self.else_clause()?;
                Ok(Stmt::For(target, iter, body, orelse))
            }
            "with" => {
                self.skip();
                let mut items = Vec::new();
                loop {
                    let e = self.expr()?;
                    let target = if self.is_keyword("as") {
                        self.skip();
                        let col = self.col();
                        let t = self.primary()?;
                        Some(to_target(&t, col)?)
                    } else {
                        None
                    };
                    items.push((e, target));
                    if !self.eat_op(",") {
                        break;
                    }
                }
                let body = self.suite("with", header)?;
                Ok(Stmt::With(items, body))
            }
            "try" => {
                self.skip();
                let body = self.suite("try", header)?;
                let mut handlers = Vec::new();
                let mut orelse = Block::default();
                let mut finally = Block::default();
                while let Some(clause) = self.next_clause(&["except", "else", "finally"]) {
                    let at = self.line;
                    match clause.as_str() {
                        "except" if orelse.is_empty() && finally.is_empty() => {
                            let (class, name) = if self.is_op(":") {
                                (None, None)
                            } else {
                                let class = self.expr()?;
                                let name = if self.is_keyword("as") {
                                    self.skip();
                                    Some(self.identifier()?)
                                } else {
                                    None
                                };
                                (Some(class), name)
                            };
                            let body = self.suite("except", at)?;
                            handlers.push(Handler { class, name, body });
                        }
                        "else" if !handlers.is_empty() && orelse.is_empty() => {
                            orelse = self.suite("else", at)?;
                        }
                        "finally" => {
                            finally = self.suite("finally", at)?;
                            break;
                        }
                        _ => return Err(Exception::syntax("invalid syntax", 1)),
                    }
                }
                if handlers.is_empty() && finally.is_empty() {
                    return Err(Exception::syntax("expected 'except' or 'finally' block", 1));
                }
                Ok(Stmt::Try {
                    body,
                    handlers,
                    orelse,
                    finally,
                })
            }
            "def" => {
                self.skip();
                let name = self.identifier()?;
                self.expect_op("(")?;
                let params = self.params(")")?;
                self.expect_op(")")?;
                // A loop around the def does not reach into its body.
                let loops = std::mem::take(&mut self.loops);
                self.functions += 1;
                let body = self.suite("def", header);
                self.functions -= 1;
                self.loops = loops;
                Ok(Stmt::Def(name, Arc::new(params), Arc::new(body?)))
            }
            "elif" | "else" | "except" | "finally" => {
                Err(Exception::syntax("invalid syntax", self.col()))
            }
            _ => self.simple_statement(),
        }
    }

    /// A name that is not a keyword (a function's, a parameter's, `as e`'s).
    fn identifier(&mut self) -> Result<String, Exception> {
        match self.take() {
            Tok::Name(n) if !is_keyword(&n) => Ok(n),
            // `take` does not move past the end: nothing to put back.
            Tok::End => Err(self.invalid()),
            other => {
                self.untake(other);
                Err(self.invalid())
            }
        }
    }

    /// A function's parameters, up to `end` (`)` for a def, `:` for a lambda).
    fn params(&mut self, end: &'static str) -> Result<Params, Exception> {
        let mut params: Vec<(String, Option<Expr>)> = Vec::new();
        let (mut star, mut kwstar): (Option<String>, Option<String>) = (None, None);
        // The count of positional parameters, once a `*` is seen.
        let mut positional: Option<usize> = None;
        while !self.is_op(end) {
            if self.is_op("/") || kwstar.is_some() {
                return Err(Exception::unsupported(
                    "'/', keyword-only parameters and parameters after '**kwargs'",
                ));
            }
            if self.eat_op("**") {
                kwstar = Some(self.identifier()?);
                if !self.eat_op(",") {
                    break;
                }
                continue;
            }
            if self.eat_op("*") {
                if positional.is_some() {
                    return Err(Exception::syntax(
                        "* argument may appear only once",
                        self.col(),
                    ));
                }
                positional = Some(params.len());
                if !self.is_op(",") {
                    star = Some(self.identifier()?);
                }
                if !self.eat_op(",") {
                    break;
                }
                continue;
            }
            let col = self.col();
            let name = self.identifier()?;
            if params.iter().any(|(n, _)| *n == name) || star.as_ref() == Some(&name) {
                return Err(Exception::syntax(
                    format!("duplicate argument '{name}' in function definition"),
                    col,
                ));
            }
            let default = if self.eat_op("=") {
                Some(self.expr()?)
            } else {
                if positional.is_some() {
                    return Err(Exception::unsupported(
                        "a keyword-only parameter without a default",
                    ));
                }
                if params.iter().any(|(_, d)| d.is_some()) {
                    return Err(Exception::syntax(
                        "non-default argument follows default argument",
                        col,
                    ));
                }
                None
            };
            params.push((name, default));
            if !self.eat_op(",") {
                break;
            }
        }
        let positional = positional.unwrap_or(params.len());
        Ok(Params(params, star, kwstar, positional))
    }

    /// The `else:` block of a loop, if it has one.
    fn else_clause(&mut self) -> Result<Block, Exception> {
        match self.next_clause(&["else"]) {
            Some(_) => {
                let at = self.line;
                self.suite("else", at)
            }
            None => Ok(Block::default()),
        }
    }

    /// `a, b` before `in` in a `for`: targets, not comparisons.
    fn target_list(&mut self) -> Result<Expr, Exception> {
        let first = self.primary()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_keyword("in") {
                break;
            }
            items.push(self.primary()?);
        }
        Ok(Expr::Tuple(items))
    }

    /// The block after a header's `:`: simple statements on the same line
    /// (`if not data: break`), or indented lines.
    fn suite(&mut self, keyword: &str, header: usize) -> Result<Block, Exception> {
        if !self.eat_op(":") {
            return Err(Exception::syntax("expected ':'", self.col()));
        }
        if !self.at_end() {
            let mut block = Vec::new();
            loop {
                let stmt = self.simple_statement()?;
                block.push(Located {
                    line: self.line,
                    stmt,
                });
                if !self.eat_op(";") || self.at_end() {
                    break;
                }
            }
            return Ok(Arc::new(block));
        }
        let outer = *self.indents.last().unwrap_or(&0);
        let expected = || {
            Exception::new(
                "IndentationError",
                format!(
                    "expected an indented block after {} on line {header}",
                    header_name(keyword)
                ),
            )
        };
        let width = match (self.peek(), self.peek_at(1)) {
            (Tok::Newline, Tok::Indent { width, .. }) if *width > outer => *width,
            _ => return Err(expected()),
        };
        self.indents.push(width);
        let mut block = Vec::new();
        let result = loop {
            // At a Newline, then this block's Indent.
            let Tok::Indent { line, .. } = *self.peek_at(1) else {
                break Ok(());
            };
            self.skip();
            self.skip();
            self.line = line;
            match self.statement() {
                Ok(stmt) => block.push(Located { line, stmt }),
                Err(e) => break Err(e),
            }
            if self.eat_op(";") && !self.at_end() {
                break Err(Exception::syntax("one statement per line", self.col()));
            }
            match (self.peek(), self.peek_at(1)) {
                (Tok::End, _) => break Ok(()),
                (Tok::Newline, Tok::Indent { width: w, .. }) => {
                    let w = *w;
                    if w == width {
                        continue;
                    }
                    if w > width {
                        break Err(Exception::new("IndentationError", "unexpected indent"));
                    }
                    if !self.indents.contains(&w) {
                        break Err(Exception::new(
                            "IndentationError",
                            "unindent does not match any outer indentation level",
                        ));
                    }
                    break Ok(());
                }
                _ => break Err(self.invalid()),
            }
        };
        self.indents.pop();
        result.map(|()| Arc::new(block))
    }

    fn peek(&self) -> &Tok {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].kind
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)].kind
    }

    fn col(&self) -> usize {
        self.tokens[self.pos.min(self.tokens.len() - 1)].col
    }

    fn advance(&mut self) -> Tok {
        let tok = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        tok
    }

    /// Moves past the current token and hands it over (a name or a literal
    /// is not copied); `untake` puts it back before an error is built from it.
    fn take(&mut self) -> Tok {
        let at = self.pos.min(self.tokens.len() - 1);
        let tok = std::mem::replace(&mut self.tokens[at].kind, Tok::End);
        if matches!(tok, Tok::End) {
            return tok;
        }
        self.pos = at + 1;
        tok
    }

    /// Steps back over the token `take` handed over, and restores it.
    fn untake(&mut self, tok: Tok) {
        self.pos -= 1;
        self.tokens[self.pos].kind = tok;
    }

    /// Moves past the current token without copying it.
    fn skip(&mut self) {
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
    }

    fn is_op(&self, op: &str) -> bool {
        // The first byte settles most comparisons without a call to memcmp.
        matches!(self.peek(), Tok::Op(o) if o.as_bytes().first() == op.as_bytes().first() && *o == op)
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == word)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.skip();
        }
        yes
    }

    fn expect_op(&mut self, op: &str) -> Result<(), Exception> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.invalid())
        }
    }

    fn invalid(&self) -> Exception {
        if let Tok::Name(n) = self.peek()
            && let Some((_, what)) = UNSUPPORTED_KEYWORDS.iter().find(|(k, _)| k == n)
        {
            return Exception::unsupported(what);
        }
        Exception::syntax("invalid syntax", self.col())
    }

    fn simple_statement(&mut self) -> Result<Stmt, Exception> {
        if let Tok::Name(word) = self.peek() {
            if let Some((_, what)) = UNSUPPORTED_KEYWORDS.iter().find(|(k, _)| k == word) {
                return Err(Exception::unsupported(what));
            }
            match word.as_str() {
                "pass" => {
                    self.skip();
                    return Ok(Stmt::Pass);
                }
                "break" | "continue" => {
                    let brk = word == "break";
                    if self.loops == 0 {
                        let message = if brk {
                            "'break' outside loop"
                        } else {
                            "'continue' not properly in loop"
                        };
                        return Err(Exception::syntax(message, self.col()));
                    }
                    self.skip();
                    return Ok(if brk { Stmt::Break } else { Stmt::Continue });
                }
                "return" => {
                    if self.functions == 0 {
                        return Err(Exception::syntax("'return' outside function", self.col()));
                    }
                    self.skip();
                    if self.at_end() || self.is_op(";") {
                        return Ok(Stmt::Return(None));
                    }
                    return Ok(Stmt::Return(Some(self.expr_list()?)));
                }
                "raise" => {
                    self.skip();
                    if self.at_end() || self.is_op(";") {
                        return Ok(Stmt::Raise(None, None));
                    }
                    let exc = self.expr()?;
                    let cause = if self.is_keyword("from") {
                        self.skip();
                        Some(self.expr()?)
                    } else {
                        None
                    };
                    return Ok(Stmt::Raise(Some(exc), cause));
                }
                "import" => {
                    self.skip();
                    return self.import();
                }
                "yield" => return Ok(Stmt::Expr(self.yield_expr()?)),
                "from" => {
                    self.skip();
                    return self.import_from();
                }
                "del" => {
                    self.skip();
                    return self.del();
                }
                _ => {}
            }
        }
        if self.at_end() {
            return Ok(Stmt::Pass);
        }
        let first_col = self.col();
        let first = self.expr_list()?;
        if self.is_op("=") {
            let mut targets = vec![to_target(&first, first_col)?];
            let mut value;
            loop {
                self.skip();
                if self.is_keyword("yield") {
                    value = self.yield_expr()?;
                    break;
                }
                let col = self.col();
                value = self.expr_list()?;
                if self.is_op("=") {
                    targets.push(to_target(&value, col)?);
                } else {
                    break;
                }
            }
            return Ok(Stmt::Assign(targets, value));
        }
        let aug = match self.peek() {
            Tok::Op("+=") => Some(BinOp::Add),
            Tok::Op("-=") => Some(BinOp::Sub),
            Tok::Op("*=") => Some(BinOp::Mul),
            Tok::Op("/=") => Some(BinOp::Div),
            Tok::Op("//=") => Some(BinOp::FloorDiv),
            Tok::Op("%=") => Some(BinOp::Mod),
            Tok::Op("|=") => Some(BinOp::BitOr),
            Tok::Op("&=") => Some(BinOp::BitAnd),
            Tok::Op("^=") => Some(BinOp::BitXor),
            Tok::Op("<<=") => Some(BinOp::Shl),
            Tok::Op(">>=") => Some(BinOp::Shr),
            Tok::Op("**=") => Some(BinOp::Pow),
            _ => None,
        };
        if let Some(op) = aug {
            let (Expr::Name(_) | Expr::Attr(..) | Expr::Index(..)) = first else {
                return Err(Exception::syntax(
                    format!(
                        "'{}' is an illegal expression for augmented assignment",
                        describe(&first)
                    ),
                    first_col,
                ));
            };
            self.skip();
            let target = to_target(&first, first_col)?;
            let value = if self.is_keyword("yield") {
                self.yield_expr()?
            } else {
                self.expr_list()?
            };
            return Ok(Stmt::AugAssign(target, op, value));
        }
        if matches!(self.peek(), Tok::Op(":")) {
            return Err(Exception::unsupported(
                "an annotation or a compound statement",
            ));
        }
        if matches!(self.peek(), Tok::Op(":=")) {
            return Err(Exception::unsupported("the walrus operator ':='"));
        }
        if !self.at_end() && starts_expression(self.peek()) {
            return Err(Exception::syntax(
                "invalid syntax. Perhaps you forgot a comma?",
                first_col,
            ));
        }
        Ok(Stmt::Expr(first))
    }

    fn dotted_name(&mut self) -> Result<String, Exception> {
        match self.advance() {
            Tok::Name(n) => Ok(n),
            _ => Err(Exception::syntax("invalid syntax", self.col())),
        }
    }

    fn import(&mut self) -> Result<Stmt, Exception> {
        let mut names = vec![self.dotted_name()?];
        while self.eat_op(",") {
            names.push(self.dotted_name()?);
        }
        if self.is_keyword("as") {
            return Err(Exception::unsupported("'import ... as'"));
        }
        Ok(Stmt::Import(names))
    }

    fn import_from(&mut self) -> Result<Stmt, Exception> {
        let module = self.dotted_name()?;
        if !self.is_keyword("import") {
            return Err(self.invalid());
        }
        self.skip();
        let paren = self.eat_op("(");
        let mut names = Vec::new();
        loop {
            if self.is_op("*") {
                return Err(Exception::unsupported("'from ... import *'"));
            }
            let name = self.dotted_name()?;
            let alias = if self.is_keyword("as") {
                self.skip();
                self.dotted_name()?
            } else {
                name.clone()
            };
            names.push((name, alias));
            if !self.eat_op(",") {
                break;
            }
            if paren && self.is_op(")") {
                break;
            }
        }
        if paren {
            self.expect_op(")")?;
        }
        Ok(Stmt::FromImport(module, names))
    }

    fn del(&mut self) -> Result<Stmt, Exception> {
        let mut names = Vec::new();
        loop {
            let col = self.col();
            match self.expr()? {
                e @ (Expr::Name(_) | Expr::Index(..) | Expr::Attr(..)) => {
                    names.push(to_target(&e, col)?)
                }
                other => {
                    return Err(match other {
                        Expr::Slice { .. } => Exception::unsupported("deleting a slice"),
                        e => Exception::syntax(format!("cannot delete {}", describe(&e)), col),
                    });
                }
            }
            if !self.eat_op(",") {
                break;
            }
        }
        Ok(Stmt::Del(names))
    }

    /// `a, b, c` (a tuple when there is a comma) or a single expression.
    fn expr_list(&mut self) -> Result<Expr, Exception> {
        let first = self.expr()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if !starts_expression(self.peek()) && !self.is_op("*") {
                break;
            }
            items.push(self.expr()?);
        }
        Ok(Expr::Tuple(items))
    }

    fn expr(&mut self) -> Result<Expr, Exception> {
        if self.is_keyword("lambda") {
            self.skip();
            let params = self.params(":")?;
            self.expect_op(":")?;
            let body = self.expr()?;
            return Ok(Expr::Lambda(Arc::new(params), Arc::new(body)));
        }
        if self.eat_op("*") {
            return Ok(Expr::Starred(Box::new(self.or_test()?)));
        }
        let e = self.or_test()?;
        if self.is_keyword("if") {
            self.skip();
            let test = self.or_test()?;
            if !self.is_keyword("else") {
                return Err(Exception::syntax(
                    "expected 'else' after 'if' expression",
                    self.col(),
                ));
            }
            self.skip();
            let orelse = self.expr()?;
            return Ok(Expr::IfElse {
                test: Box::new(test),
                body: Box::new(e),
                orelse: Box::new(orelse),
            });
        }
        Ok(e)
    }

    /// `yield`, `yield a, b`, `yield from x` (the keyword is next).
    fn yield_expr(&mut self) -> Result<Expr, Exception> {
        if self.functions == 0 {
            return Err(Exception::syntax("'yield' outside function", self.col()));
        }
        self.skip();
        if self.is_keyword("from") {
            self.skip();
            return Ok(Expr::YieldFrom(Box::new(self.expr()?)));
        }
        if self.at_end() || self.is_op(";") || self.is_op(")") {
            return Ok(Expr::Yield(None));
        }
        Ok(Expr::Yield(Some(Box::new(self.expr_list()?))))
    }

    /// The `for ... in ... if ...` clauses after a comprehension's first
    /// expression (the keyword `for` is next).
    fn comprehension(
        &mut self,
        kind: CompKind,
        elt: Expr,
        value: Option<Expr>,
    ) -> Result<Expr, Exception> {
        let mut clauses = Vec::new();
        while self.is_keyword("for") {
            self.skip();
            let col = self.col();
            let target = to_target(&self.target_list()?, col)?;
            if !self.is_keyword("in") {
                return Err(Exception::syntax("invalid syntax", self.col()));
            }
            self.skip();
            let iter = self.or_test()?;
            let mut ifs = Vec::new();
            while self.is_keyword("if") {
                self.skip();
                ifs.push(self.or_test()?);
            }
            clauses.push(CompFor { target, iter, ifs });
        }
        let body = (kind == CompKind::Generator).then(|| generator_body(&elt, &clauses));
        Ok(Expr::Comp(Arc::new(Comp {
            kind,
            elt,
            value,
            clauses,
            body,
        })))
    }

    /// The rest of a dict display after `pairs` (and their comma): `k: v`
    /// items and `**mapping` items (kept as a `*mapping` key), to the `}`.
    fn dict_display(
        &mut self,
        mut pairs: Vec<(Expr, Expr)>,
        more: bool,
        col: usize,
    ) -> Result<Expr, Exception> {
        while more && !self.is_op("}") {
            if self.eat_op("**") {
                let mapping = self.or_test()?;
                pairs.push((Expr::Starred(Box::new(mapping)), Expr::Lit(Value::None)));
            } else {
                let k = self.expr()?;
                self.expect_op(":")?;
                pairs.push((k, self.expr()?));
            }
            if !self.eat_op(",") {
                break;
            }
        }
        if !self.is_op("}") && starts_expression(self.peek()) {
            return Err(Exception::syntax(
                "invalid syntax. Perhaps you forgot a comma?",
                col + 1,
            ));
        }
        self.expect_op("}")?;
        Ok(Expr::Dict(pairs))
    }

    /// `{}`, `{k: v, ...}`, `{a, b}` and their comprehensions (after the `{`).
    fn brace_display(&mut self, col: usize) -> Result<Expr, Exception> {
        if self.eat_op("}") {
            return Ok(Expr::Dict(Vec::new()));
        }
        if self.is_op("**") {
            return self.dict_display(Vec::new(), true, col);
        }
        let first = self.expr()?;
        if self.eat_op(":") {
            let value = self.expr()?;
            if self.is_keyword("for") {
                let e = self.comprehension(CompKind::Dict, first, Some(value))?;
                self.expect_op("}")?;
                return Ok(e);
            }
            let more = self.eat_op(",");
            return self.dict_display(vec![(first, value)], more, col);
        }
        if self.is_keyword("for") {
            let e = self.comprehension(CompKind::Set, first, None)?;
            self.expect_op("}")?;
            return Ok(e);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_op("}") {
                break;
            }
            items.push(self.expr()?);
        }
        if !self.is_op("}") && starts_expression(self.peek()) {
            return Err(Exception::syntax(
                "invalid syntax. Perhaps you forgot a comma?",
                col + 1,
            ));
        }
        self.expect_op("}")?;
        Ok(Expr::Set(items))
    }

    fn or_test(&mut self) -> Result<Expr, Exception> {
        let first = self.and_test()?;
        if !self.is_keyword("or") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.is_keyword("or") {
            self.skip();
            items.push(self.and_test()?);
        }
        Ok(Expr::Or(items))
    }

    fn and_test(&mut self) -> Result<Expr, Exception> {
        let first = self.not_test()?;
        if !self.is_keyword("and") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.is_keyword("and") {
            self.skip();
            items.push(self.not_test()?);
        }
        Ok(Expr::And(items))
    }

    /// Enters `n` more levels of CPython's parser: MemoryError past its limit.
    fn descend(&mut self, n: usize) -> Result<(), Exception> {
        self.level += n;
        if self.level >= MAX_PARSER_LEVEL {
            return Err(Exception::new("MemoryError", ""));
        }
        Ok(())
    }

    /// Whether `count` prefix operators over `operand` stay within what
    /// CPython compiles; if not, the statement is marked too deep.
    fn chain_fits(&mut self, count: usize, operand: &Expr) -> bool {
        if !self.shallow && count > 0 && count + operand.depth() >= MAX_DEPTH {
            self.too_deep = true;
            return false;
        }
        true
    }

    /// `not* comparison`, without recursion: a chain of 30,000 `not` is data, not stack.
    fn not_test(&mut self) -> Result<Expr, Exception> {
        let outer = self.level;
        let mut count = 0;
        while self.is_keyword("not") {
            self.skip();
            count += 1;
            self.descend(1)?;
        }
        let operand = self.comparison()?;
        self.level = outer;
        if !self.chain_fits(count, &operand) {
            return Ok(Expr::Lit(Value::None));
        }
        Ok((0..count).fold(operand, |e, _| Expr::Not(Box::new(e))))
    }

    fn comp_op(&mut self) -> Option<CmpOp> {
        let op = match self.peek() {
            Tok::Op("==") => CmpOp::Eq,
            Tok::Op("!=") => CmpOp::Ne,
            Tok::Op("<") => CmpOp::Lt,
            Tok::Op("<=") => CmpOp::Le,
            Tok::Op(">") => CmpOp::Gt,
            Tok::Op(">=") => CmpOp::Ge,
            Tok::Name(n) if n == "in" => CmpOp::In,
            Tok::Name(n) if n == "is" => {
                if matches!(self.peek_at(1), Tok::Name(m) if m == "not") {
                    self.skip();
                    CmpOp::IsNot
                } else {
                    CmpOp::Is
                }
            }
            Tok::Name(n) if n == "not" && matches!(self.peek_at(1), Tok::Name(m) if m == "in") => {
                self.skip();
                CmpOp::NotIn
            }
            _ => return None,
        };
        self.skip();
        Some(op)
    }

    fn comparison(&mut self) -> Result<Expr, Exception> {
        let left = self.binary(0)?;
        let mut rest = Vec::new();
        while let Some(op) = self.comp_op() {
            rest.push((op, self.binary(0)?));
        }
        Ok(if rest.is_empty() {
            left
        } else {
            Expr::Compare(Box::new(left), rest)
        })
    }

    /// Binary operators by precedence level: | ^ & << >> + - * / // % @.
    fn binary(&mut self, level: usize) -> Result<Expr, Exception> {
        const LEVELS: [&[(&str, BinOp)]; 6] = [
            &[("|", BinOp::BitOr)],
            &[("^", BinOp::BitXor)],
            &[("&", BinOp::BitAnd)],
            &[("<<", BinOp::Shl), (">>", BinOp::Shr)],
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
            &[
                ("*", BinOp::Mul),
                ("/", BinOp::Div),
                ("//", BinOp::FloorDiv),
                ("%", BinOp::Mod),
            ],
        ];
        if level == LEVELS.len() {
            return self.factor();
        }
        let mut left = self.binary(level + 1)?;
        let mut depth = 0;
        loop {
            let Some(&(_, op)) = LEVELS[level].iter().find(|(sym, _)| self.is_op(sym)) else {
                if level == LEVELS.len() - 1 && self.is_op("@") {
                    return Err(Exception::unsupported("the '@' operator"));
                }
                return Ok(left);
            };
            self.skip();
            let right = self.binary(level + 1)?;
            if self.shallow {
                left = Expr::Binary(op, Box::new(left), Box::new(right));
                continue;
            }
            if depth == 0 {
                depth = left.depth();
            }
            depth = 1 + depth.max(right.depth());
            left = self.bounded(
                Expr::Binary(op, Box::new(left), Box::new(right)),
                &mut depth,
            );
        }
    }

    /// Keeps a chain built in a loop (`1+1+...`, `a.b.c...`) from growing past
    /// what CPython compiles: past `MAX_DEPTH` it is marked too deep and cut.
    fn bounded(&mut self, e: Expr, depth: &mut usize) -> Expr {
        if !self.shallow && *depth >= MAX_DEPTH {
            self.too_deep = true;
            *depth = 1;
            return Expr::Lit(Value::None);
        }
        e
    }

    /// `factor := ('-'|'+'|'~') factor | primary ['**' factor]`, read as a
    /// sequence of (prefix operators, primary) joined by `**` and folded from
    /// the right, so that neither `-` × 100,000 nor `2**2**...` recurses.
    fn factor(&mut self) -> Result<Expr, Exception> {
        // The common case, a primary with no prefix and no `**`, allocates nothing more.
        if !matches!(self.peek(), Tok::Op("-" | "+" | "~")) {
            let e = self.primary()?;
            if !self.is_op("**") {
                return Ok(e);
            }
            return self.factor_chain(Some(e));
        }
        self.factor_chain(None)
    }

    /// `factor` past its first primary, when it has prefix operators or `**`
    /// (`first`: that primary, when it was read already, with no prefix).
    fn factor_chain(&mut self, mut first: Option<Expr>) -> Result<Expr, Exception> {
        let outer = self.level;
        let mut segments: Vec<(Vec<UnaryOp>, Expr)> = Vec::new();
        loop {
            let mut ops = Vec::new();
            if let Some(e) = first.take() {
                segments.push((ops, e));
                if !self.eat_op("**") {
                    break;
                }
                self.descend(2)?;
                continue;
            }
            loop {
                let op = match self.peek() {
                    Tok::Op("-") => UnaryOp::Neg,
                    Tok::Op("+") => UnaryOp::Pos,
                    Tok::Op("~") => UnaryOp::Invert,
                    _ => break,
                };
                self.skip();
                self.descend(1)?;
                ops.push(op);
            }
            segments.push((ops, self.primary()?));
            if !self.eat_op("**") {
                break;
            }
            self.descend(2)?;
        }
        self.level = outer;
        let mut result: Option<Expr> = None;
        for (ops, base) in segments.into_iter().rev() {
            let operand = match result.take() {
                None => base,
                Some(exponent) => {
                    if base.depth().max(exponent.depth()) + 1 >= MAX_DEPTH {
                        self.too_deep = true;
                        Expr::Lit(Value::None)
                    } else {
                        Expr::Binary(BinOp::Pow, Box::new(base), Box::new(exponent))
                    }
                }
            };
            result = Some(self.prefixed(ops, operand));
        }
        Ok(result.unwrap_or(Expr::Lit(Value::None)))
    }

    /// Applies prefix operators (innermost last in `ops`) to `operand`.
    fn prefixed(&mut self, ops: Vec<UnaryOp>, operand: Expr) -> Expr {
        if !self.chain_fits(ops.len(), &operand) {
            return Expr::Lit(Value::None);
        }
        let mut e = operand;
        for op in ops.into_iter().rev() {
            // Fold `-5` into a literal so that `-5` is a constant like in CPython.
            e = match (op, e) {
                (UnaryOp::Neg, Expr::Lit(Value::Int(n))) if n >= 0 => {
                    Expr::Lit(Value::Int(n.wrapping_neg()))
                }
                (op, e) => Expr::Unary(op, Box::new(e)),
            };
        }
        e
    }

    fn primary(&mut self) -> Result<Expr, Exception> {
        let mut e = self.atom()?;
        let mut depth = 0;
        loop {
            if depth == 0 && !self.shallow {
                depth = e.depth();
            }
            if self.eat_op(".") {
                match self.take() {
                    Tok::Name(attr) => {
                        depth += 1;
                        e = self.bounded(Expr::Attr(Box::new(e), attr), &mut depth);
                    }
                    Tok::End => {
                        // As before `take`: the error points at the dot.
                        self.pos -= 1;
                        return Err(self.invalid());
                    }
                    other => {
                        self.untake(other);
                        return Err(self.invalid());
                    }
                }
            } else if self.eat_op("(") {
                self.descend(BRACKET_LEVELS)?;
                e = self.call(e)?;
                self.level -= BRACKET_LEVELS;
                if !self.shallow {
                    depth = e.depth();
                    e = self.bounded(e, &mut depth);
                }
            } else if self.eat_op("[") {
                self.descend(BRACKET_LEVELS)?;
                e = self.subscript(e)?;
                self.level -= BRACKET_LEVELS;
                if !self.shallow {
                    depth = e.depth();
                    e = self.bounded(e, &mut depth);
                }
            } else {
                return Ok(e);
            }
        }
    }

    fn call(&mut self, func: Expr) -> Result<Expr, Exception> {
        let mut args = Vec::new();
        let mut kwargs: Vec<(String, Expr)> = Vec::new();
        while !self.is_op(")") {
            if self.eat_op("**") {
                // `f(**d)`: its items are keyword arguments.
                kwargs.push(("**".to_string(), self.expr()?));
                if !self.eat_op(",") {
                    break;
                }
                continue;
            }
            let is_keyword =
                matches!(self.peek(), Tok::Name(_)) && matches!(self.peek_at(1), Tok::Op("="));
            if is_keyword {
                let col = self.col();
                let Tok::Name(name) = self.advance() else {
                    unreachable!("checked above")
                };
                self.skip();
                if kwargs.iter().any(|(n, _)| *n == name) {
                    return Err(Exception::syntax(
                        format!("keyword argument repeated: {name}"),
                        col,
                    ));
                }
                kwargs.push((name, self.expr()?));
            } else {
                let col = self.col();
                let mut arg = self.expr()?;
                if self.is_keyword("for") {
                    // `sum(len(m) for m in messages)`: the sole argument.
                    arg = self.comprehension(CompKind::Generator, arg, None)?;
                    if !args.is_empty() || !kwargs.is_empty() || self.is_op(",") {
                        return Err(Exception::syntax(
                            "Generator expression must be parenthesized",
                            col,
                        ));
                    }
                }
                if !kwargs.is_empty() {
                    return Err(Exception::syntax(
                        "positional argument follows keyword argument",
                        col,
                    ));
                }
                if self.is_op("=") {
                    return Err(Exception::syntax(
                        "expression cannot contain assignment, perhaps you meant \"==\"?",
                        col,
                    ));
                }
                args.push(arg);
            }
            if !self.eat_op(",") {
                break;
            }
        }
        if !self.is_op(")") && starts_expression(self.peek()) {
            return Err(Exception::syntax(
                "invalid syntax. Perhaps you forgot a comma?",
                self.col(),
            ));
        }
        self.expect_op(")")?;
        Ok(Expr::Call {
            func: Box::new(func),
            args,
            kwargs,
        })
    }

    fn subscript(&mut self, target: Expr) -> Result<Expr, Exception> {
        let mut parts: [Option<Box<Expr>>; 3] = [None, None, None];
        let mut colons = 0;
        loop {
            if self.is_op("]") {
                break;
            }
            if self.eat_op(":") {
                colons += 1;
                if colons > 2 {
                    return Err(self.invalid());
                }
                continue;
            }
            if parts[colons].is_some() {
                return Err(self.invalid());
            }
            parts[colons] = Some(Box::new(self.expr()?));
            if self.is_op(",") {
                return Err(Exception::unsupported("a tuple index"));
            }
        }
        self.expect_op("]")?;
        let [lower, upper, step] = parts;
        if colons == 0 {
            let Some(index) = lower else {
                return Err(Exception::syntax("invalid syntax", self.col()));
            };
            return Ok(Expr::Index(Box::new(target), index));
        }
        Ok(Expr::Slice {
            target: Box::new(target),
            lower,
            upper,
            step,
        })
    }

    fn atom(&mut self) -> Result<Expr, Exception> {
        let outer = self.level;
        if matches!(self.peek(), Tok::Op("(" | "[")) {
            self.descend(BRACKET_LEVELS)?;
        }
        // Brackets nest at most 200 deep (the lexer's limit), each a few frames.
        let e = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.atom_inner());
        self.level = outer;
        e
    }

    fn atom_inner(&mut self) -> Result<Expr, Exception> {
        let col = self.col();
        match self.take() {
            Tok::Name(n) => match n.as_str() {
                "True" => Ok(Expr::Lit(Value::Bool(true))),
                "False" => Ok(Expr::Lit(Value::Bool(false))),
                "None" => Ok(Expr::Lit(Value::None)),
                _ if is_keyword(&n) => {
                    self.untake(Tok::Name(n));
                    Err(self.invalid())
                }
                _ => Ok(Expr::Name(n)),
            },
            Tok::Int(v) => Ok(Expr::Lit(Value::Int(v))),
            Tok::BigInt(v) => Ok(Expr::Lit(Value::int(v))),
            Tok::Float(v) => Ok(Expr::Lit(Value::Float(v))),
            Tok::Str(s) => self.concat_strings(Value::str(s), col),
            Tok::FString(parts) => {
                let parts = fstring_expr(parts)?;
                self.fstring_tail(parts, col)
            }
            Tok::Bytes(b) => self.concat_strings(Value::bytes(b), col),
            Tok::Op("(") => {
                if self.eat_op(")") {
                    return Ok(Expr::Tuple(Vec::new()));
                }
                if self.is_keyword("yield") {
                    let e = self.yield_expr()?;
                    self.expect_op(")")?;
                    return Ok(e);
                }
                let first = self.expr()?;
                if self.eat_op(")") {
                    return Ok(first);
                }
                if self.is_keyword("for") {
                    let e = self.comprehension(CompKind::Generator, first, None)?;
                    self.expect_op(")")?;
                    return Ok(e);
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op(")") {
                        break;
                    }
                    items.push(self.expr()?);
                }
                if !self.is_op(")") && starts_expression(self.peek()) {
                    return Err(Exception::syntax(
                        "invalid syntax. Perhaps you forgot a comma?",
                        col + 1,
                    ));
                }
                self.expect_op(")")?;
                Ok(Expr::Tuple(items))
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                while !self.is_op("]") {
                    items.push(self.expr()?);
                    if items.len() == 1 && self.is_keyword("for") {
                        let elt = items.pop().unwrap_or(Expr::Lit(Value::None));
                        let e = self.comprehension(CompKind::List, elt, None)?;
                        self.expect_op("]")?;
                        return Ok(e);
                    }
                    if !self.eat_op(",") {
                        break;
                    }
                }
                if !self.is_op("]") && starts_expression(self.peek()) {
                    return Err(Exception::syntax(
                        "invalid syntax. Perhaps you forgot a comma?",
                        col + 1,
                    ));
                }
                self.expect_op("]")?;
                Ok(Expr::List(items))
            }
            Tok::Op("{") => self.brace_display(col),
            Tok::Op("...") => Err(Exception::unsupported("Ellipsis")),
            Tok::End => {
                self.pos = self.tokens.len() - 1;
                Err(Exception::syntax("invalid syntax", col))
            }
            other => {
                self.untake(other);
                Err(self.invalid())
            }
        }
    }

    /// The literals after an f-string, joined to it (`f'{a}' 'b'`).
    fn fstring_tail(&mut self, mut parts: Vec<FStrPart>, col: usize) -> Result<Expr, Exception> {
        loop {
            match self.peek() {
                Tok::Str(_) => {
                    if let Tok::Str(s) = self.take() {
                        parts.push(FStrPart::Lit(s));
                    }
                }
                Tok::FString(_) => {
                    if let Tok::FString(more) = self.take() {
                        parts.extend(fstring_expr(more)?);
                    }
                }
                Tok::Bytes(_) => {
                    return Err(Exception::syntax(
                        "cannot mix bytes and nonbytes literals",
                        col,
                    ));
                }
                _ => return Ok(Expr::FString(parts)),
            }
        }
    }

    /// Adjacent literals concatenate (`'a' 'b'`); bytes and str do not mix.
    fn concat_strings(&mut self, first: Value, col: usize) -> Result<Expr, Exception> {
        let mut value = first;
        loop {
            let next = match (self.peek(), &value) {
                (Tok::Str(s), Value::Str(acc)) => Value::str(format!("{acc}{s}")),
                (Tok::FString(_), Value::Str(acc)) => {
                    let parts = vec![FStrPart::Lit(acc.to_string())];
                    return self.fstring_tail(parts, col);
                }
                (Tok::FString(_), _) => {
                    return Err(Exception::syntax(
                        "cannot mix bytes and nonbytes literals",
                        col,
                    ));
                }
                (Tok::Bytes(b), Value::Bytes(acc)) => {
                    Value::bytes([acc.as_ref(), b.as_slice()].concat())
                }
                (Tok::Str(_), _) | (Tok::Bytes(_), _) => {
                    return Err(Exception::syntax(
                        "cannot mix bytes and nonbytes literals",
                        col,
                    ));
                }
                _ => return Ok(Expr::Lit(value)),
            };
            self.skip();
            value = next;
        }
    }
}

fn is_keyword(word: &str) -> bool {
    (KEYWORDS.contains(&word) && word != "None")
        || UNSUPPORTED_KEYWORDS
            .iter()
            .any(|(k, _)| *k == word && *k != "match")
}

fn starts_expression(tok: &Tok) -> bool {
    match tok {
        Tok::Name(n) => !is_keyword(n) || n == "not" || n == "lambda",
        Tok::Int(_)
        | Tok::BigInt(_)
        | Tok::Float(_)
        | Tok::Str(_)
        | Tok::Bytes(_)
        | Tok::FString(_) => true,
        Tok::Op(op) => matches!(*op, "(" | "[" | "{" | "-" | "+" | "~"),
        Tok::End | Tok::Newline | Tok::Indent { .. } => false,
    }
}

/// An f-string's pieces as expressions.
fn fstring_expr(parts: Vec<FPart>) -> Result<Vec<FStrPart>, Exception> {
    parts
        .into_iter()
        .map(|p| match p {
            FPart::Lit(s) => Ok(FStrPart::Lit(s)),
            FPart::Field {
                expr, conv, spec, ..
            } => Ok(FStrPart::Field {
                value: Box::new(parse_field(&expr)?),
                conv,
                spec: fstring_expr(spec)?,
            }),
        })
        .collect()
}

/// What CPython calls an expression in "cannot assign to ..." messages.
fn describe(e: &Expr) -> &'static str {
    match e {
        Expr::Call { .. } => "function call",
        Expr::Lit(Value::None) | Expr::Lit(Value::Bool(_)) => "literal",
        Expr::Lit(_) => "literal",
        Expr::Binary(..) | Expr::Unary(..) => "expression",
        Expr::Compare(..) => "comparison",
        Expr::Not(..) => "expression",
        Expr::And(..) | Expr::Or(..) => "expression",
        Expr::Attr(..) => "attribute",
        Expr::Index(..) | Expr::Slice { .. } => "subscript",
        Expr::Tuple(_) => "tuple",
        Expr::List(_) => "list",
        Expr::Name(_) => "name",
        Expr::IfElse { .. } => "conditional expression",
        Expr::Lambda(..) => "lambda",
        Expr::FString(_) => "f-string expression",
        Expr::Dict(_) => "dict literal",
        Expr::Set(_) => "set display",
        Expr::Comp(c) => match c.kind {
            CompKind::List => "list comprehension",
            CompKind::Set => "set comprehension",
            CompKind::Dict => "dict comprehension",
            CompKind::Generator => "generator expression",
        },
        Expr::Yield(_) | Expr::YieldFrom(_) => "yield expression",
        Expr::Starred(_) => "starred",
    }
}

fn to_target(e: &Expr, col: usize) -> Result<Target, Exception> {
    match e {
        Expr::Name(n) => Ok(Target::Name(n.clone())),
        Expr::Tuple(items) | Expr::List(items) => items
            .iter()
            .map(|item| to_target(item, col))
            .collect::<Result<_, _>>()
            .map(Target::Tuple),
        Expr::Starred(inner) => match inner.as_ref() {
            Expr::Name(n) => Ok(Target::Starred(n.clone())),
            _ => Err(Exception::unsupported(
                "a starred target that is not a name",
            )),
        },
        Expr::Attr(obj, name) => Ok(Target::Attr(obj.clone(), name.clone())),
        Expr::Index(obj, index) => Ok(Target::Index(obj.clone(), index.clone())),
        Expr::Slice { .. } => Err(Exception::unsupported("assigning to a slice")),
        Expr::Lit(Value::None) => Err(Exception::syntax("cannot assign to None", col)),
        Expr::Lit(Value::Bool(b)) => Err(Exception::syntax(
            format!("cannot assign to {}", if *b { "True" } else { "False" }),
            col,
        )),
        other => Err(Exception::syntax(
            format!(
                "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                describe(other)
            ),
            col,
        )),
    }
}

/// A generator expression's body: `for` and `if` statements, innermost
/// `yield elt`, the first iterable read from the name `.0`.
fn generator_body(elt: &Expr, clauses: &[CompFor]) -> Arc<Block> {
    let mut inner = vec![Located {
        line: 1,
        stmt: Stmt::Expr(Expr::Yield(Some(Box::new(elt.clone())))),
    }];
    for (i, clause) in clauses.iter().enumerate().rev() {
        for test in clause.ifs.iter().rev() {
            inner = vec![Located {
                line: 1,
                stmt: Stmt::If(vec![(test.clone(), Arc::new(inner))], Block::default()),
            }];
        }
        let iter = if i == 0 {
            Expr::Name(".0".to_string())
        } else {
            clause.iter.clone()
        };
        inner = vec![Located {
            line: 1,
            stmt: Stmt::For(
                clause.target.clone(),
                iter,
                Arc::new(inner),
                Block::default(),
            ),
        }];
    }
    Arc::new(Arc::new(inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> Exception {
        parse_statement(src).expect_err("should fail")
    }

    #[test]
    fn statements_of_every_form() {
        assert!(
            matches!(parse_statement("s = socket.socket()").unwrap(), Stmt::Assign(t, _) if matches!(t.as_slice(), [Target::Name(n)] if n == "s"))
        );
        let Stmt::Assign(t, _) = parse_statement("conn, (a, _) = x").unwrap() else {
            panic!()
        };
        assert_eq!(t[0].names(), vec!["conn", "a", "_"]);
        assert!(
            matches!(parse_statement("a = b = 1").unwrap(), Stmt::Assign(t, _) if t.len() == 2)
        );
        assert!(
            matches!(parse_statement("import socket, select").unwrap(), Stmt::Import(n) if n.len() == 2)
        );
        assert!(
            matches!(parse_statement("from socket import AF_INET as I, socket").unwrap(), Stmt::FromImport(m, n) if m == "socket" && n[0].1 == "I")
        );
        assert!(matches!(parse_statement("del a, b").unwrap(), Stmt::Del(n) if n.len() == 2));
        assert!(matches!(
            parse_statement("n += 1").unwrap(),
            Stmt::AugAssign(..)
        ));
        assert!(matches!(parse_statement("").unwrap(), Stmt::Pass));
        assert!(
            matches!(parse_statement("x is not None").unwrap(), Stmt::Expr(Expr::Compare(_, ops)) if ops[0].0 == CmpOp::IsNot)
        );
        assert!(matches!(
            parse_statement("data[-3:]").unwrap(),
            Stmt::Expr(Expr::Slice { .. })
        ));
        assert!(
            matches!(parse_statement("(1,)").unwrap(), Stmt::Expr(Expr::Tuple(v)) if v.len() == 1)
        );
        assert!(
            matches!(parse_statement("f(a, b=2)").unwrap(), Stmt::Expr(Expr::Call { args, kwargs, .. }) if args.len() == 1 && kwargs.len() == 1)
        );
    }

    #[test]
    fn precedence_is_pythons() {
        let Stmt::Expr(Expr::Binary(BinOp::Add, _, right)) = parse_statement("1 + 2 * 3").unwrap()
        else {
            panic!()
        };
        assert!(matches!(*right, Expr::Binary(BinOp::Mul, ..)));
        let Stmt::Expr(Expr::Not(inner)) = parse_statement("not a == b").unwrap() else {
            panic!()
        };
        assert!(matches!(*inner, Expr::Compare(..)));
    }

    #[test]
    fn syntax_errors_are_cpythons() {
        let e = err("s.recv(1024");
        assert_eq!(
            (e.class.as_ref(), e.message.as_str(), e.column),
            ("SyntaxError", "'(' was never closed", Some(7))
        );
        assert_eq!(err("x = = 1").message, "invalid syntax");
        assert_eq!(
            err("f() = 1").message,
            "cannot assign to function call here. Maybe you meant '==' instead of '='?"
        );
        assert_eq!(
            err("1 = x").message,
            "cannot assign to literal here. Maybe you meant '==' instead of '='?"
        );
        assert_eq!(err("None = 1").message, "cannot assign to None");
        assert_eq!(
            err("f(a=1, 2)").message,
            "positional argument follows keyword argument"
        );
        assert_eq!(
            err("print('a' 1)").message,
            "invalid syntax. Perhaps you forgot a comma?"
        );
        assert_eq!(
            err("'a' b'b'").message,
            "cannot mix bytes and nonbytes literals"
        );
        assert_eq!(err("x = ").column, Some(5));
        assert_eq!(err("x = 1; y = 2").message, "one statement per line");
    }

    #[test]
    fn blocks_are_read_by_indentation_as_cpython_reads_them() {
        let Stmt::If(branches, orelse) =
            parse_statement("if a:\n    x = 1\n    y = 2\nelif b: pass\nelse:\n  z = 3").unwrap()
        else {
            panic!("an if")
        };
        assert_eq!(branches.len(), 2);
        assert_eq!(branches[0].1.len(), 2);
        assert_eq!(branches[0].1[1].line, 3);
        assert_eq!(orelse[0].line, 6);
        let Stmt::While(_, body, _) =
            parse_statement("while True:\n    data = c.recv(1)\n    if not data:\n        break\n    # a comment\n\n    c.sendall(data)").unwrap()
        else {
            panic!("a while")
        };
        assert_eq!(body.len(), 3);
        for (src, class, message) in [
            (
                "if a:",
                "IndentationError",
                "expected an indented block after 'if' statement on line 1",
            ),
            (
                "if a:\nx = 1",
                "IndentationError",
                "expected an indented block after 'if' statement on line 1",
            ),
            (
                "for x in y:\n    a\n        b",
                "IndentationError",
                "unexpected indent",
            ),
            (
                "if a:\n    b\n  c",
                "IndentationError",
                "unindent does not match any outer indentation level",
            ),
            ("break", "SyntaxError", "'break' outside loop"),
            (
                "try:\n    x\ny = 1",
                "SyntaxError",
                "expected 'except' or 'finally' block",
            ),
            ("x = 1\ny = 2", "SyntaxError", "one statement per line"),
        ] {
            let e = err(src);
            assert_eq!(
                (e.class.as_ref(), e.message.as_str()),
                (class, message),
                "{src:?}"
            );
        }
    }

    #[test]
    fn unsupported_is_named() {
        for (src, what) in [
            ("s[1:2] = b''", "assigning to a slice"),
            ("def f(a, /): pass", "'/'"),
            ("class A: pass", "defining a class"),
        ] {
            let e = err(src);
            assert_eq!(e.class, "NotImplementedError", "{src}");
            assert!(
                e.message.contains(what) && e.message.ends_with("not supported in the playground"),
                "{src}: {}",
                e.message
            );
        }
    }
}
