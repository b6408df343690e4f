//! Entry points: one function per GraphQL field, composing the domain rules with the store.

pub mod activities;
pub mod events;
pub mod profile;
pub mod rooms;
pub mod tickets;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::App;
use crate::error::AppResult;
use crate::store::Item;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageArgs {
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

/// `{items, nextToken}`, the connection shape of seed 000's client.
pub fn connection(
    app: &App,
    context: &str,
    items: Vec<Value>,
    last: Option<Item>,
) -> AppResult<Value> {
    let token = last.map(|k| app.tokens.seal(context, &k)).transpose()?;
    Ok(json!({ "items": items, "nextToken": token }))
}

/// The `id` of a parent object AppSync passes as `source` to a nested field.
pub fn source_str<'a>(source: &'a Value, field: &str) -> AppResult<&'a str> {
    source.get(field).and_then(Value::as_str).ok_or_else(|| {
        crate::error::AppError::BadRequest(format!("the parent object has no {field}"))
    })
}
