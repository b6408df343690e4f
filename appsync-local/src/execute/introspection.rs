//! `__schema` and `__type` at the root, answered from the schema by apollo-compiler; the
//! executor puts the results in place by response key.

use serde_json::{Map, Value};

use crate::graphql::schema::Api;
use crate::graphql::validate::Prepared;
use crate::response::GraphQLError;

/// The root introspection fields' values by response key, and any errors.
pub fn run(api: &Api, prepared: &Prepared) -> (Map<String, Value>, Vec<GraphQLError>) {
    match apollo_compiler::introspection::partial_execute(
        &api.schema,
        &api.implementers,
        &prepared.doc,
        &prepared.operation,
        &prepared.coerced,
    ) {
        Ok(response) => {
            let data = match serde_json::to_value(response.data.unwrap_or_default()) {
                Ok(Value::Object(data)) => data,
                _ => Map::new(),
            };
            let errors = response
                .errors
                .iter()
                .filter_map(|e| serde_json::to_value(e).ok())
                .map(GraphQLError::Shaped)
                .collect();
            (data, errors)
        }
        Err(e) => (
            Map::new(),
            vec![GraphQLError::request(e.message().to_string(), None)],
        ),
    }
}
