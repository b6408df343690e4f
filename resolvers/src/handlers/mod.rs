//! Entry points: one function per GraphQL field, composing the domain rules with the store.

pub mod activities;
pub mod events;
pub mod profile;
pub mod rooms;
pub mod tickets;

use std::collections::{BTreeSet, HashMap};
use std::future::Future;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::App;
use crate::error::{AppError, AppResult};
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
    source
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::BadRequest(format!("the parent object has no {field}")))
}

/// A nested field for a batch of parents with one read: `fetch` gets the distinct values of
/// each parent's `key`; a parent without one, or whose value is missing, gets its own error
/// while the others resolve.
pub async fn by_parent_key<T, Fut>(
    sources: &[Value],
    key: &str,
    fetch: impl FnOnce(Vec<String>) -> Fut,
    render: impl Fn(&T) -> Value,
    missing: impl Fn(&str) -> AppError,
) -> Vec<AppResult<Value>>
where
    Fut: Future<Output = AppResult<HashMap<String, T>>>,
{
    let keys: Vec<AppResult<&str>> = sources.iter().map(|s| source_str(s, key)).collect();
    let wanted: BTreeSet<String> = keys
        .iter()
        .filter_map(|k| k.as_ref().ok())
        .map(|k| k.to_string())
        .collect();
    let found = match fetch(wanted.into_iter().collect()).await {
        Ok(found) => found,
        Err(e) => return sources.iter().map(|_| Err(e.clone())).collect(),
    };
    keys.into_iter()
        .map(|k| {
            let k = k?;
            found.get(k).map(&render).ok_or_else(|| missing(k))
        })
        .collect()
}
