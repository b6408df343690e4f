//! Entry points: one function per GraphQL field, composing the domain's rules and plans with
//! the store, and answering with `output` types. Shared here: page arguments and
//! connections, and the parent lookups of nested fields.

pub mod activities;
pub mod booking;
pub mod events;
pub mod profile;
pub mod rooms;
pub mod tickets;
pub mod update_event;

use std::collections::{BTreeSet, HashMap};
use std::future::Future;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::App;
use crate::error::{AppError, AppResult};
use crate::output::{to_value, Connection};
use crate::store::Page;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageArgs {
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

/// A store page as a connection: each item through `out`, the next position sealed into a
/// `nextToken` for the query named by `context`.
pub fn connection<T, O>(
    app: &App,
    context: &str,
    page: Page<T>,
    out: impl FnMut(T) -> AppResult<O>,
) -> AppResult<Connection<O>> {
    Ok(Connection {
        items: page.items.into_iter().map(out).collect::<AppResult<_>>()?,
        next_token: page
            .next
            .map(|k| app.tokens.seal(context, &k))
            .transpose()?,
    })
}

/// A string field of the parent object AppSync passes as `source` to a nested field.
pub fn source_str<'a>(source: &'a Value, field: &str) -> AppResult<&'a str> {
    source
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::BadRequest(format!("the parent object has no {field}")))
}

/// A nested field for a batch of parents with one read: `fetch` gets the distinct values of
/// each parent's `key`; a parent without one, or whose value is missing, gets its own error
/// while the others resolve.
pub async fn by_parent_key<T, O, Fut>(
    sources: &[Value],
    key: &str,
    fetch: impl FnOnce(Vec<String>) -> Fut,
    render: impl Fn(&T) -> AppResult<O>,
    missing: impl Fn(&str) -> AppError,
) -> Vec<AppResult<Value>>
where
    O: Serialize,
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
            let item = found.get(k).ok_or_else(|| missing(k))?;
            to_value(render(item)?)
        })
        .collect()
}
