//! Functions defined in a pane (`def`, `lambda`): their parameters and
//! defaults, the names they closed over, and how a call's arguments bind to
//! the parameters, with CPython's errors.

use std::sync::Arc;

use super::args::Args;
use crate::lang::ast::{Block, Expr};
use crate::outcome::Exception;
use crate::value::Value;

/// The local names of a function call.
pub type Locals = std::collections::HashMap<String, Value, foldhash::fast::RandomState>;

/// What a function runs: a `def`'s block or a lambda's expression.
#[derive(Debug)]
pub enum Body {
    Block(Arc<Block>),
    Lambda(Arc<Expr>),
}

/// A function value.
#[derive(Debug)]
pub struct Function {
    /// `f`, or `<lambda>`.
    pub name: String,
    pub params: Vec<String>,
    /// The defaults of the last `defaults.len()` parameters, evaluated once,
    /// when the `def` ran (as in CPython).
    pub defaults: Vec<Value>,
    pub body: Body,
    /// The local names of the function it was defined in, as they were then.
    pub closure: Vec<(String, Value)>,
    /// `*args` and `**kwargs`, when it has them.
    pub star: Option<String>,
    /// How many parameters may be given by position (the rest are keyword-only).
    pub positional: usize,
    pub kwstar: Option<String>,
    /// Its body has a `yield`: a call makes a generator.
    pub generator: bool,
}

impl Function {
    /// The locals of a call: each parameter bound to its argument or default.
    pub fn bind(
        &self,
        pos: &[Value],
        kw: &[(String, Value)],
    ) -> Result<Vec<(String, Value)>, Exception> {
        let params: Vec<&str> = self.params.iter().map(String::as_str).collect();
        let required = params.len() - self.defaults.len();
        // `*args` takes the positional arguments past the parameters, and
        // `**kwargs` the keywords that name none of them.
        let (pos, extra) = match &self.star {
            Some(_) if pos.len() > self.positional => pos.split_at(self.positional),
            _ => (pos, &[][..]),
        };
        let (kw, extra_kw): (Vec<_>, Vec<_>) = match &self.kwstar {
            Some(_) => kw
                .iter()
                .cloned()
                .partition(|(k, _)| params.contains(&k.as_str())),
            None => (kw.to_vec(), Vec::new()),
        };
        let args = Args {
            pos: pos.to_vec(),
            kw,
        };
        let slots = args.def(
            &self.name,
            &params,
            self.positional,
            required.min(self.positional),
            0,
        )?;
        let mut locals = self.closure.clone();
        for (i, (param, slot)) in self.params.iter().zip(slots).enumerate() {
            let value = match slot {
                Some(v) => v,
                None => self.defaults[i - required].clone(),
            };
            locals.push((param.clone(), value));
        }
        if let Some(star) = &self.star {
            locals.push((star.clone(), Value::tuple(extra.to_vec())));
        }
        if let Some(kwstar) = &self.kwstar {
            let d = crate::value::containers::dict_of(
                extra_kw.into_iter().map(|(k, v)| (Value::str(k), v)),
            )?;
            locals.push((kwstar.clone(), Value::Dict(d)));
        }
        Ok(locals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(params: &[&str], defaults: Vec<Value>) -> Function {
        Function {
            name: "f".into(),
            params: params.iter().map(|p| p.to_string()).collect(),
            defaults,
            body: Body::Lambda(Arc::new(Expr::Lit(Value::None))),
            closure: Vec::new(),
            star: None,
            kwstar: None,
            positional: params.len(),
            generator: false,
        }
    }

    fn error(func: &Function, pos: &[Value], kw: &[(String, Value)]) -> String {
        func.bind(pos, kw).expect_err("fails").message
    }

    #[test]
    fn arguments_bind_with_cpythons_errors() {
        let two = f(&["a", "b"], Vec::new());
        assert_eq!(
            error(&two, &[], &[]),
            "f() missing 2 required positional arguments: 'a' and 'b'"
        );
        assert_eq!(
            error(&f(&["a", "b", "c"], Vec::new()), &[], &[]),
            "f() missing 3 required positional arguments: 'a', 'b', and 'c'"
        );
        assert_eq!(
            error(&two, &[Value::Int(1), Value::Int(2), Value::Int(3)], &[]),
            "f() takes 2 positional arguments but 3 were given"
        );
        let with_default = f(&["a", "b"], vec![Value::Int(9)]);
        assert_eq!(
            error(
                &with_default,
                &[Value::Int(1), Value::Int(2), Value::Int(3)],
                &[]
            ),
            "f() takes from 1 to 2 positional arguments but 3 were given"
        );
        assert_eq!(
            error(&two, &[Value::Int(1)], &[("a".into(), Value::Int(1))]),
            "f() got multiple values for argument 'a'"
        );
        assert_eq!(
            error(&two, &[], &[("z".into(), Value::Int(1))]),
            "f() got an unexpected keyword argument 'z'"
        );
        let locals = with_default.bind(&[Value::Int(1)], &[]).expect("binds");
        assert!(matches!(&locals[1], (b, Value::Int(9)) if b == "b"));
    }
}
