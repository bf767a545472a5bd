//! Functions defined in a pane (`def`, `lambda`): their parameters and
//! defaults, the names they closed over, and how a call's arguments bind to
//! the parameters, with CPython's errors.

use std::sync::Arc;

use crate::lang::ast::{Block, Expr};
use crate::outcome::Exception;
use crate::value::Value;

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
}

/// The words CPython joins names with: `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`.
fn listed(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
        [] => String::new(),
    }
}

impl Function {
    /// The locals of a call: each parameter bound to its argument or default.
    pub fn bind(
        &self,
        pos: &[Value],
        kw: &[(String, Value)],
    ) -> Result<Vec<(String, Value)>, Exception> {
        let name = &self.name;
        let n = self.params.len();
        let required = n - self.defaults.len();
        if pos.len() > n {
            let takes = if self.defaults.is_empty() {
                format!("{n} positional argument{}", if n == 1 { "" } else { "s" })
            } else {
                format!("from {required} to {n} positional arguments")
            };
            let given = pos.len();
            return Err(Exception::type_error(format!(
                "{name}() takes {takes} but {given} {} given",
                if given == 1 { "was" } else { "were" }
            )));
        }
        let mut slots: Vec<Option<Value>> = vec![None; n];
        for (slot, v) in slots.iter_mut().zip(pos) {
            *slot = Some(v.clone());
        }
        for (k, v) in kw {
            let Some(i) = self.params.iter().position(|p| p == k) else {
                return Err(Exception::type_error(format!(
                    "{name}() got an unexpected keyword argument '{k}'"
                )));
            };
            if slots[i].is_some() {
                return Err(Exception::type_error(format!(
                    "{name}() got multiple values for argument '{k}'"
                )));
            }
            slots[i] = Some(v.clone());
        }
        let missing: Vec<&str> = (0..required)
            .filter(|&i| slots[i].is_none())
            .map(|i| self.params[i].as_str())
            .collect();
        if !missing.is_empty() {
            let count = missing.len();
            return Err(Exception::type_error(format!(
                "{name}() missing {count} required positional argument{}: {}",
                if count == 1 { "" } else { "s" },
                listed(&missing)
            )));
        }
        let mut locals = self.closure.clone();
        for (i, (param, slot)) in self.params.iter().zip(slots).enumerate() {
            let value = match slot {
                Some(v) => v,
                None => self.defaults[i - required].clone(),
            };
            locals.push((param.clone(), value));
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
