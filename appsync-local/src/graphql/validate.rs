//! Everything AppSync checks before any resolver runs: the query parses and is valid against
//! the schema (apollo-compiler; messages in graphql-java's words, which AppSync uses), the
//! operation exists, variables coerce to their types, AWS scalars in variables and literal
//! arguments are well-formed, introspection is not too deep. What comes out is a
//! [`Prepared`] request the executor can run without checking anything again.

use std::collections::HashSet;

use apollo_compiler::executable::{Operation, Selection, SelectionSet};
use apollo_compiler::response::JsonMap;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Name, Node};
use serde_json::{Map, Value};

use super::input::Inputs;
use super::request::GraphQLRequest;
use super::schema::Api;
use crate::response::{GraphQLError, Location};

/// A request that passed validation.
pub struct Prepared {
    pub doc: Valid<ExecutableDocument>,
    pub operation: Node<Operation>,
    /// The variables after coercion, in apollo-compiler's form (for introspection)...
    pub coerced: Valid<JsonMap>,
    /// ...and as JSON (the events' `info.variables`).
    pub variables: Map<String, Value>,
    /// Whether the operation asks for `__schema` or `__type` anywhere.
    pub introspection: bool,
}

impl Prepared {
    /// The name of the operation's first root field (for logs).
    pub fn root_field(&self) -> Option<String> {
        self.operation
            .root_fields(&self.doc)
            .next()
            .map(|f| f.name.to_string())
    }

    pub fn inputs<'a>(&'a self, api: &'a Api) -> Inputs<'a> {
        Inputs {
            schema: &api.schema,
            doc: &self.doc,
            variables: &self.variables,
        }
    }
}

/// Validates one request; `Err` holds the errors AppSync answers with (no data).
pub fn prepare(api: &Api, request: &GraphQLRequest) -> Result<Prepared, Vec<GraphQLError>> {
    let doc = ExecutableDocument::parse_and_validate(&api.schema, &request.query, "query.graphql")
        .map_err(|with_errors| {
            with_errors
                .errors
                .iter()
                .map(|d| {
                    let location = d.line_column_range().map(|r| Location::from(r.start));
                    let message = d.error.to_string();
                    let message = match d.error.unstable_error_name() {
                        Some(kind) => format!("Validation error of type {kind}: {message}"),
                        None => format!("Invalid Syntax : {message}"),
                    };
                    GraphQLError::request(message, location)
                })
                .collect::<Vec<_>>()
        })?;
    let operation = doc
        .operations
        .get(request.operation_name.as_deref())
        .map_err(|e| vec![GraphQLError::request(e.message().to_string(), None)])?
        .clone();

    // Variables: coerced by apollo-compiler, then the AWS scalars it passes through unchecked.
    let raw: JsonMap =
        serde_json::from_value(Value::Object(request.variables.clone().unwrap_or_default()))
            .map_err(|e| {
                vec![GraphQLError::request(
                    format!("Variables are not a JSON object: {e}"),
                    None,
                )]
            })?;
    let coerced = apollo_compiler::request::coerce_variable_values(&api.schema, &operation, &raw)
        .map_err(|e| {
        let at = e
            .location()
            .and_then(|l| l.line_column(&doc.sources))
            .map(Location::from);
        vec![GraphQLError::request(e.message().to_string(), at)]
    })?;
    let variables = match serde_json::to_value(coerced.clone().into_inner()) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let prepared = Prepared {
        introspection: operation.operation_type.is_query()
            && has_introspection(&doc, &operation.selection_set),
        doc,
        operation,
        coerced,
        variables,
    };
    let inputs = prepared.inputs(api);
    let mut problems = inputs.check_variables(&prepared.operation);
    problems.extend(inputs.check_arguments(&prepared.operation));
    if !problems.is_empty() {
        return Err(problems);
    }
    if prepared.introspection {
        apollo_compiler::introspection::check_max_depth(&prepared.doc, &prepared.operation)
            .map_err(|e| {
                let at = e
                    .location()
                    .and_then(|l| l.line_column(&prepared.doc.sources))
                    .map(Location::from);
                vec![GraphQLError::request(e.message().to_string(), at)]
            })?;
    }
    Ok(prepared)
}

/// Whether the root selection asks for `__schema` or `__type` (they exist on Query only). Each fragment is looked into once: a
/// chain of fragments each spreading the next twice would otherwise take 2^n steps.
fn has_introspection(doc: &ExecutableDocument, set: &SelectionSet) -> bool {
    fn walk<'d>(
        doc: &'d ExecutableDocument,
        set: &'d SelectionSet,
        seen: &mut HashSet<&'d Name>,
    ) -> bool {
        set.selections.iter().any(|s| match s {
            Selection::Field(f) => matches!(f.name.as_str(), "__schema" | "__type"),
            Selection::InlineFragment(i) => walk(doc, &i.selection_set, seen),
            Selection::FragmentSpread(s) => {
                seen.insert(&s.fragment_name)
                    && doc
                        .fragments
                        .get(&s.fragment_name)
                        .is_some_and(|f| walk(doc, &f.selection_set, seen))
            }
        })
    }
    walk(doc, set, &mut HashSet::new())
}
