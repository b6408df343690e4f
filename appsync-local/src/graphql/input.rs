//! Input values: a field's arguments coerced as the Lambda receives them (literals and
//! variables, defaults applied, left-out arguments absent), and the AWS scalar checks on
//! arguments and variables that apollo-compiler passes through like any custom scalar.
//! Validation runs them over the whole operation before anything executes; the executor
//! uses [`coerce_arguments`] again to build each event.

use std::collections::HashSet;

use apollo_compiler::ast::{self, Type};
use apollo_compiler::executable::{Field, Operation, Selection, SelectionSet};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Name, Node, Schema};
use serde_json::{json, Map, Value};

use super::scalars;
use crate::error::{Error, Result};
use crate::response::{GraphQLError, Location};

/// What input coercion reads besides the value itself.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    pub schema: &'a Valid<Schema>,
    pub doc: &'a Valid<ExecutableDocument>,
    /// The request's coerced variables.
    pub variables: &'a Map<String, Value>,
}

/// A problem with an argument or variable, found before anything runs.
#[derive(Debug, Clone)]
pub struct InputProblem {
    pub message: String,
    pub location: Option<Location>,
}

impl From<InputProblem> for GraphQLError {
    fn from(p: InputProblem) -> Self {
        GraphQLError::request(p.message, p.location)
    }
}

impl<'a> Inputs<'a> {
    fn location(&self, node: &Node<ast::Value>) -> Option<Location> {
        node.location()
            .and_then(|l| l.line_column(&self.doc.sources))
            .map(Location::from)
    }

    /// The field's arguments as the Lambda receives them.
    pub fn coerce_arguments(&self, field: &Field) -> Result<Map<String, Value>, InputProblem> {
        let mut out = Map::new();
        for def in &field.definition.arguments {
            let given = field.arguments.iter().find(|a| a.name == def.name);
            let value = match given {
                Some(arg) => self.coerce_literal(&arg.value, &def.ty, &def.name, field)?,
                None => None,
            };
            let value = match value {
                Some(v) => Some(v),
                None => match &def.default_value {
                    Some(d) => self.coerce_literal(d, &def.ty, &def.name, field)?,
                    None => None,
                },
            };
            if let Some(v) = value {
                out.insert(def.name.to_string(), v);
            }
        }
        Ok(out)
    }

    /// One literal (or variable) of type `ty`; `None` when it is an unset variable.
    fn coerce_literal(
        &self,
        value: &Node<ast::Value>,
        ty: &Type,
        arg_path: &str,
        field: &Field,
    ) -> Result<Option<Value>, InputProblem> {
        let problem = |scalar: &str| {
            InputProblem {
            message: format!(
                "Validation error of type WrongType: argument '{arg_path}' with value '{value}' is not a valid '{scalar}' @ '{}'",
                field.response_key()
            ),
            location: self.location(value),
        }
        };
        let named = ty.inner_named_type().as_str();
        let out = match value.as_ref() {
            ast::Value::Variable(v) => return Ok(self.variables.get(v.as_str()).cloned()),
            ast::Value::Null => Value::Null,
            ast::Value::List(items) if ty.is_list() => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{arg_path}[{i}]");
                    out.push(
                        self.coerce_literal(item, ty.item_type(), &p, field)?
                            .unwrap_or(Value::Null),
                    );
                }
                Value::Array(out)
            }
            // A single value where a list is expected is a list of one.
            _ if ty.is_list() => {
                return Ok(self
                    .coerce_literal(value, ty.item_type(), arg_path, field)?
                    .map(|v| Value::Array(vec![v])))
            }
            ast::Value::Object(entries) => {
                let mut out = Map::new();
                if let Some(input) = self.schema.get_input_object(named) {
                    for (name, def) in &input.fields {
                        let p = format!("{arg_path}.{name}");
                        let given = entries.iter().find(|(n, _)| n == name).map(|(_, v)| v);
                        let v = match given {
                            Some(v) => self.coerce_literal(v, &def.ty, &p, field)?,
                            None => None,
                        };
                        let v = match (v, &def.default_value) {
                            (Some(v), _) => Some(v),
                            (None, Some(d)) => self.coerce_literal(d, &def.ty, &p, field)?,
                            (None, None) => None,
                        };
                        if let Some(v) = v {
                            out.insert(name.to_string(), v);
                        }
                    }
                }
                Value::Object(out)
            }
            ast::Value::List(_) => return Err(problem(named)),
            ast::Value::Enum(e) => json!(e.as_str()),
            ast::Value::String(s) => json!(s),
            ast::Value::Boolean(b) => json!(b),
            ast::Value::Int(i) => match named {
                "Float" => json!(i.try_to_f64().unwrap_or_default()),
                "ID" | "String" => json!(i.as_str()),
                _ => match i.as_str().parse::<i64>() {
                    Ok(n) => json!(n),
                    Err(_) => return Err(problem(named)),
                },
            },
            ast::Value::Float(f) => json!(f.try_to_f64().unwrap_or_default()),
        };
        if scalars::is_aws_scalar(named) && !out.is_null() && !scalars::check(named, &out) {
            return Err(problem(named));
        }
        Ok(Some(out))
    }

    /// Every field's literal arguments in the operation (AppSync refuses a request with a
    /// malformed AWS scalar before calling any resolver). Each fragment is walked once, however
    /// often it is spread: its arguments do not depend on where.
    pub fn check_arguments(&self, op: &Operation) -> Vec<GraphQLError> {
        let mut problems = Vec::new();
        let mut visited = HashSet::new();
        self.walk_fields(&op.selection_set, &mut visited, &mut |field| {
            if let Err(p) = self.coerce_arguments(field) {
                problems.push(p.into());
            }
        });
        problems
    }

    fn walk_fields<'d>(
        &self,
        set: &'d SelectionSet,
        visited: &mut HashSet<&'d Name>,
        f: &mut dyn FnMut(&'d Node<Field>),
    ) where
        'a: 'd,
    {
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    f(field);
                    self.walk_fields(&field.selection_set, visited, f);
                }
                Selection::InlineFragment(i) => self.walk_fields(&i.selection_set, visited, f),
                Selection::FragmentSpread(s) => {
                    if visited.insert(&s.fragment_name) {
                        if let Some(fragment) = self.doc.fragments.get(&s.fragment_name) {
                            self.walk_fields(&fragment.selection_set, visited, f);
                        }
                    }
                }
            }
        }
    }

    /// The variables' values against their declared types: the AWS scalars.
    pub fn check_variables(&self, op: &Operation) -> Vec<GraphQLError> {
        let mut problems = Vec::new();
        for def in &op.variables {
            let Some(value) = self.variables.get(def.name.as_str()) else {
                continue;
            };
            if let Err(detail) = self.check_json(value, &def.ty) {
                problems.push(GraphQLError::request(
                    format!("Variable '{}' has an invalid value: {detail}", def.name),
                    def.location()
                        .and_then(|l| l.line_column(&self.doc.sources))
                        .map(Location::from),
                ));
            }
        }
        problems
    }

    fn check_json(&self, value: &Value, ty: &Type) -> Result<()> {
        if value.is_null() {
            return Ok(());
        }
        if ty.is_list() {
            return match value {
                Value::Array(items) => items
                    .iter()
                    .try_for_each(|v| self.check_json(v, ty.item_type())),
                single => self.check_json(single, ty.item_type()),
            };
        }
        let named = ty.inner_named_type().as_str();
        if scalars::is_aws_scalar(named) {
            return match scalars::check(named, value) {
                true => Ok(()),
                false => Err(Error::Invalid(format!(
                    "Unable to parse {value} as a valid {} Object.",
                    scalars::described(named)
                ))),
            };
        }
        if let (Some(input), Value::Object(map)) = (self.schema.get_input_object(named), value) {
            for (name, def) in &input.fields {
                if let Some(v) = map.get(name.as_str()) {
                    self.check_json(v, &def.ty)?;
                }
            }
        }
        Ok(())
    }
}
