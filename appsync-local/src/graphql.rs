//! The GraphQL endpoint as AppSync runs it: the schema (schema.graphql plus AppSync's predefined
//! scalars and directives), request validation by apollo-compiler, variable coercion, the AWS
//! scalar checks, introspection, then execution ([`crate::exec`]) where every field with a
//! resolver in template.yaml becomes a Direct Lambda invocation.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use apollo_compiler::executable::{Operation, Selection, SelectionSet};
use apollo_compiler::response::JsonMap;
use apollo_compiler::schema::Implementers;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Name, Schema};
use futures::future::BoxFuture;
use serde_json::{json, Map, Value};

use crate::auth::Auth;
use crate::exec::{self, locations, Invocation};
use crate::out::Out;
use crate::scalars;
use crate::template::Template;

/// A Direct Lambda resolver as the template declares it.
#[derive(Debug, Clone)]
pub struct LambdaResolver {
    pub function: String,
    pub max_batch_size: usize,
}

/// Calls a function with a payload, as the Lambda service would: `Ok` is the function's
/// reply, `Err` a function error (`errorType`, `errorMessage`).
pub trait Invoker: Send + Sync {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, FunctionError>>;
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionError {
    pub error_type: String,
    pub error_message: String,
}

/// The API: schema and resolvers, built once at start.
pub struct Api {
    pub schema: Valid<Schema>,
    pub implementers: apollo_compiler::collections::HashMap<Name, Implementers>,
    resolvers: HashMap<(String, String), LambdaResolver>,
}

impl Api {
    /// Reads schema.graphql and the resolvers of template.yaml.
    pub fn load(schema_path: &Path, template: &Template) -> Result<Self, String> {
        let sdl = std::fs::read_to_string(schema_path)
            .map_err(|e| format!("cannot read {}: {e}", schema_path.display()))?;
        let resolvers = template
            .resolvers
            .iter()
            .map(|r| {
                (
                    (r.type_name.clone(), r.field_name.clone()),
                    LambdaResolver {
                        function: r.function.clone(),
                        max_batch_size: r.max_batch_size,
                    },
                )
            })
            .collect();
        Self::new(&sdl, &schema_path.display().to_string(), resolvers)
    }

    pub fn new(
        sdl: &str,
        source_name: &str,
        resolvers: HashMap<(String, String), LambdaResolver>,
    ) -> Result<Self, String> {
        let schema = Schema::builder()
            .adopt_orphan_extensions()
            .parse(scalars::prelude_for(sdl), "appsync-predefined.graphql")
            .parse(sdl, source_name)
            .build()
            .and_then(Schema::validate)
            .map_err(|e| format!("{source_name} is not a valid AppSync schema:\n{}", e.errors))?;
        for (ty, field) in resolvers.keys() {
            let known = schema
                .get_object(ty)
                .is_some_and(|o| o.fields.contains_key(field.as_str()));
            if !known {
                return Err(format!(
                    "template.yaml has a resolver for {ty}.{field}, which {source_name} does not declare"
                ));
            }
        }
        Ok(Self {
            implementers: schema.implementers_map(),
            schema,
            resolvers,
        })
    }

    pub fn resolver(&self, type_name: &str, field: &str) -> Option<&LambdaResolver> {
        self.resolvers
            .get(&(type_name.to_string(), field.to_string()))
    }
}

/// One POST /graphql body.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphQLRequest {
    pub query: String,
    #[serde(default)]
    pub operation_name: Option<String>,
    #[serde(default)]
    pub variables: Option<Map<String, Value>>,
}

/// Who called and with which headers (names lower-case).
pub struct Caller {
    pub auth: Auth,
    pub headers: BTreeMap<String, String>,
}

/// What a request did, for logs and tests.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Entries in `errors`.
    pub errors: usize,
    /// The name of the operation's first root field (for the log line).
    pub root_field: Option<String>,
    /// Refused by validation: no resolver ran.
    pub rejected: bool,
}

/// Runs one GraphQL request; the reply is the response body (always HTTP 200 here), its keys
/// in the order the query asked for them.
pub async fn execute(
    api: &Api,
    invoker: &dyn Invoker,
    request: GraphQLRequest,
    caller: &Caller,
) -> (Out, Outcome) {
    let (body, mut outcome) = execute_inner(api, invoker, request, caller).await;
    if let Out::Object(entries) = &body {
        outcome.errors = entries
            .iter()
            .find(|(k, _)| k == "errors")
            .map_or(0, |(_, e)| match e {
                Out::List(l) => l.len(),
                _ => 0,
            });
    }
    (body, outcome)
}

fn response(data: Out, errors: Vec<Out>) -> Out {
    let mut entries = vec![("data".to_string(), data)];
    if !errors.is_empty() {
        entries.push(("errors".to_string(), Out::List(errors)));
    }
    Out::Object(entries)
}

async fn execute_inner(
    api: &Api,
    invoker: &dyn Invoker,
    request: GraphQLRequest,
    caller: &Caller,
) -> (Out, Outcome) {
    let mut outcome = Outcome::default();
    let doc = match ExecutableDocument::parse_and_validate(
        &api.schema,
        &request.query,
        "query.graphql",
    ) {
        Ok(doc) => doc,
        Err(with_errors) => {
            outcome.rejected = true;
            let errors: Vec<Out> = with_errors
                .errors
                .iter()
                .map(|d| {
                    let location = d.line_column_range().map(|r| r.start);
                    let message = d.error.to_string();
                    let message = match d.error.unstable_error_name() {
                        Some(kind) => format!("Validation error of type {kind}: {message}"),
                        None => format!("Invalid Syntax : {message}"),
                    };
                    request_error_entry(message, location)
                })
                .collect();
            return (response(Out::NULL, errors), outcome);
        }
    };
    let operation = match doc.operations.get(request.operation_name.as_deref()) {
        Ok(op) => op,
        Err(e) => {
            outcome.rejected = true;
            return (request_error(e.message().to_string(), None), outcome);
        }
    };
    outcome.root_field = operation
        .root_fields(&doc)
        .next()
        .map(|f| f.name.to_string());

    // Variables: coerced by apollo-compiler, then the AWS scalars it passes through unchecked.
    let raw: JsonMap = match serde_json::from_value(Value::Object(
        request.variables.clone().unwrap_or_default(),
    )) {
        Ok(m) => m,
        Err(e) => {
            outcome.rejected = true;
            return (
                request_error(format!("Variables are not a JSON object: {e}"), None),
                outcome,
            );
        }
    };
    let coerced =
        match apollo_compiler::request::coerce_variable_values(&api.schema, operation, &raw) {
            Ok(v) => v,
            Err(e) => {
                outcome.rejected = true;
                let loc = e.location().and_then(|l| l.line_column(&doc.sources));
                return (request_error(e.message().to_string(), loc), outcome);
            }
        };
    let variables: Map<String, Value> = serde_json::to_value(coerced.clone().into_inner())
        .ok()
        .and_then(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .unwrap_or_default();
    let mut problems = exec::check_variables(api, &doc, operation, &variables);
    problems.extend(exec::check_arguments(api, &doc, operation, &variables));
    if !problems.is_empty() {
        outcome.rejected = true;
        return (response(Out::NULL, problems), outcome);
    }

    // Introspection (__schema, __type, root __typename) by apollo-compiler.
    let mut introspection = Map::new();
    let mut errors = Vec::new();
    if operation.operation_type.is_query() && has_introspection(&doc, &operation.selection_set) {
        if let Err(e) = apollo_compiler::introspection::check_max_depth(&doc, operation) {
            outcome.rejected = true;
            let loc = e.location().and_then(|l| l.line_column(&doc.sources));
            return (request_error(e.message().to_string(), loc), outcome);
        }
        match apollo_compiler::introspection::partial_execute(
            &api.schema,
            &api.implementers,
            &doc,
            operation,
            &coerced,
        ) {
            Ok(resp) => {
                if let Ok(Value::Object(data)) = serde_json::to_value(resp.data.unwrap_or_default())
                {
                    introspection = data;
                }
                errors.extend(
                    resp.errors
                        .iter()
                        .filter_map(|e| serde_json::to_value(e).ok())
                        .map(Out::from),
                );
            }
            Err(e) => {
                outcome.rejected = true;
                return (request_error(e.message().to_string(), None), outcome);
            }
        }
    }

    let invocation = Invocation {
        api,
        invoker,
        doc: &doc,
        variables: &variables,
        auth: &caller.auth,
        request: json!({
            "headers": caller.headers,
            "domainName": null,
        }),
        introspection,
        errors: std::sync::Mutex::new(errors),
    };
    let data = exec::run_operation(&invocation, operation).await;
    let errors = invocation.errors.into_inner().unwrap_or_default();
    (response(data, errors), outcome)
}

fn request_error_entry(
    message: String,
    location: Option<apollo_compiler::parser::LineColumn>,
) -> Out {
    Out::object([
        ("path", Out::NULL),
        ("locations", locations(location)),
        ("message", Out::from(json!(message))),
    ])
}

/// A request error: no data, one error.
fn request_error(message: String, location: Option<apollo_compiler::parser::LineColumn>) -> Out {
    response(Out::NULL, vec![request_error_entry(message, location)])
}

fn has_introspection(doc: &ExecutableDocument, set: &SelectionSet) -> bool {
    set.selections.iter().any(|s| match s {
        Selection::Field(f) => matches!(f.name.as_str(), "__schema" | "__type"),
        Selection::InlineFragment(i) => has_introspection(doc, &i.selection_set),
        Selection::FragmentSpread(s) => doc
            .fragments
            .get(&s.fragment_name)
            .is_some_and(|f| has_introspection(doc, &f.selection_set)),
    })
}

/// The operation's type, for messages.
pub fn operation_kind(op: &Operation) -> &'static str {
    if op.operation_type.is_mutation() {
        "mutation"
    } else if op.operation_type.is_subscription() {
        "subscription"
    } else {
        "query"
    }
}

/// Shared, cheaply cloned handle on the API.
pub type SharedApi = Arc<Api>;
