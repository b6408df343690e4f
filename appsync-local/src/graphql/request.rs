//! One GraphQL request as a client POSTs it.

use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphQLRequest {
    pub query: String,
    #[serde(default)]
    pub operation_name: Option<String>,
    #[serde(default)]
    pub variables: Option<Map<String, Value>>,
}

impl GraphQLRequest {
    pub fn new(query: impl Into<String>, variables: Value) -> Self {
        Self {
            query: query.into(),
            operation_name: None,
            variables: variables.as_object().cloned(),
        }
    }
}
