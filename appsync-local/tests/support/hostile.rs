//! Hostile queries and an in-memory function to run them against, so that only the endpoint's
//! own work is measured. Shared by `tests/hostile.rs` and `benches/hostile.rs`.

use std::sync::Arc;

use appsync_local::graphql::schema::{Api, Limits};
use appsync_local::invoke::{FunctionError, Invoker};
use futures::future::{BoxFuture, FutureExt};
use serde_json::{json, Value};
use testkit::template::Template;

/// Answers any field with a page of three rooms, and a BatchInvoke with a room per item.
pub struct Rooms;

impl Invoker for Rooms {
    fn invoke<'a>(
        &'a self,
        _function: &'a str,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, FunctionError>> {
        let room =
            |i: usize| json!({ "id": i.to_string(), "name": format!("Room {i}"), "capacity": 10 });
        let reply = match payload {
            Value::Array(items) => Value::Array(
                (0..items.len())
                    .map(|i| json!({ "data": room(i) }))
                    .collect(),
            ),
            _ => json!({ "items": [room(1), room(2), room(3)], "nextToken": null }),
        };
        async move { Ok(reply) }.boxed()
    }
}

/// The repository's schema and resolvers, without the template's per-request limits: what is
/// measured here is the executor's own work on queries of any size (`tests/limits.rs` tests
/// the limits that stop them first).
pub fn api() -> Arc<Api> {
    let template = Template::repository();
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let mut api = Api::load(&schema, template).expect("schema.graphql");
    api.limits = Limits {
        query_depth: None,
        resolver_count: usize::MAX,
    };
    Arc::new(api)
}

/// `{ a0: __typename a1: __typename ... }`: no resolver, only the executor.
pub fn root_typenames(n: usize) -> String {
    let fields: Vec<String> = (0..n).map(|i| format!("a{i}: __typename")).collect();
    format!("{{ {} }}", fields.join(" "))
}

/// One resolver whose selection holds `n` aliases: a long `selectionSetList`, and `n` leaves
/// completed for each of the three rooms.
pub fn aliases_under_one_resolver(n: usize) -> String {
    let fields: Vec<String> = (0..n).map(|i| format!("a{i}: name")).collect();
    format!("{{ listRooms {{ items {{ {} }} }} }}", fields.join(" "))
}

/// `n` aliases of a resolver field at the root: `n` Lambda events.
pub fn root_resolvers(n: usize) -> String {
    let fields: Vec<String> = (0..n)
        .map(|i| format!("a{i}: listRooms {{ items {{ id }} }}"))
        .collect();
    format!("{{ {} }}", fields.join(" "))
}

/// `depth` fragments on `on`, each spreading the next twice (2^depth paths for a walk that
/// does not remember where it has been), the last one selecting `last`; `{ <root> }` spreads
/// the first.
pub fn fragment_chain(root: &str, on: &str, depth: usize, last: &str) -> String {
    let mut q = root.replace("<spread>", "...F0");
    q.push('\n');
    for i in 0..depth {
        q.push_str(&format!(
            "fragment F{i} on {on} {{ ...F{next} ...F{next} }}\n",
            next = i + 1
        ));
    }
    q.push_str(&format!("fragment F{depth} on {on} {{ {last} }}\n"));
    q
}
