//! The API's per-request limits, read from template.yaml (`QueryDepthLimit: 6`,
//! `ResolverCountLimit: 400`) and applied as AWS documents them ("Configuring GraphQL run
//! complexity, query depth, and introspection"): a field past the depth limit, or a resolver
//! execution past the count limit, is not run and gets `QueryDepthLimitReached` /
//! `ResolverExecutionLimitReached` at its path, the null going to the nearest nullable parent;
//! what came before it runs. Resolver executions are counted one per field per parent object,
//! a BatchInvoke's items each.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use appsync_local::answer::{answer, Channel};
use appsync_local::caller::Caller;
use appsync_local::graphql::request::GraphQLRequest;
use appsync_local::graphql::schema::{Api, Limits};
use appsync_local::invoke::{FunctionError, Invoker};
use futures::future::{BoxFuture, FutureExt};
use serde_json::{json, Value};
use support::{api_key, client, stack};
use testkit::template::Template;

/// A costly request: 200 aliases of a page of events with their rooms' bookings.
fn two_hundred_aliases() -> String {
    let fields: Vec<String> = (0..200)
        .map(|i| {
            format!(
                "a{i}: listEvents(limit: 100) {{ items {{ room {{ bookings {{ event_id }} }} }} }}"
            )
        })
        .collect();
    format!("{{ {} }}", fields.join(" "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_200_alias_query_stops_at_the_templates_400_resolver_executions() {
    let stack = stack(true).await;
    let counters = &stack.functions.counters;
    let (events, calls) = (
        counters.events.load(Ordering::SeqCst),
        counters.invocations.load(Ordering::SeqCst),
    );
    let started = Instant::now();
    let (status, body) = client(stack.addr)
        .await
        .graphql(&api_key(&stack), &two_hundred_aliases(), json!({}))
        .await
        .expect("answered");
    let took = started.elapsed();
    assert_eq!(status, 200);
    let executions = counters.events.load(Ordering::SeqCst) - events;
    let invocations = counters.invocations.load(Ordering::SeqCst) - calls;
    eprintln!("200 aliases: {executions} resolver executions in {invocations} Lambda calls, answered in {took:?}");

    // Exactly the limit ran: all 200 root fields (planned first, as AppSync dispatches a level
    // before the levels under it), then nested fields until the count ran out. Without the
    // limit this request is 200 + 200 x 15 + 200 x 15 = 6,200 executions on the seed data.
    assert_eq!(executions, 400, "{body}");
    assert!(invocations < 400, "BatchInvoke groups them: {invocations}");

    // Every error is AppSync's limit error, at a field's path.
    let errors = body["errors"].as_array().expect("errors");
    assert!(!errors.is_empty());
    for e in errors {
        assert_eq!(e["errorType"], "ResolverExecutionLimitReached", "{e}");
        assert!(e["path"].as_array().is_some_and(|p| p.len() >= 3), "{e}");
        assert!(e["message"].as_str().unwrap().contains("400"), "{e}");
    }
    // The root fields all ran: every alias has its page.
    let data = body["data"].as_object().expect("partial data");
    assert_eq!(data.len(), 200);
    assert!(data.values().all(|page| page["items"].is_array()));
    stack.stop().await;
}

/// Records what it is asked; answers a page of `n` events, and each BatchInvoke item a room.
struct Recorder {
    events: Mutex<Vec<Value>>,
    n: usize,
}

impl Invoker for Recorder {
    fn invoke<'a>(
        &'a self,
        _function: &'a str,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, FunctionError>> {
        let reply = match &payload {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|e| json!({ "data": { "id": e["source"]["room_id"], "name": "R", "capacity": 1 } }))
                    .collect(),
            ),
            _ => json!({ "items": (0..self.n).map(|i| json!({
                "id": format!("e{i}"), "name": "E", "room_id": format!("r{i}"),
            })).collect::<Vec<_>>() }),
        };
        self.events.lock().unwrap().push(payload);
        async move { Ok(reply) }.boxed()
    }
}

fn api(limits: Limits) -> Arc<Api> {
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let mut api = Api::load(&schema, Template::repository()).unwrap();
    assert_eq!(
        api.limits,
        Limits {
            query_depth: Some(6),
            resolver_count: 400
        },
        "the template's"
    );
    api.limits = limits;
    Arc::new(api)
}

async fn run(api: &Arc<Api>, rec: &Recorder, query: &str) -> Value {
    let caller = Caller::api_key(BTreeMap::new());
    let answered = answer(
        api,
        rec,
        GraphQLRequest::new(query, json!({})),
        &caller,
        Channel::Http,
    )
    .await;
    serde_json::to_value(&answered.response).unwrap()
}

#[tokio::test]
async fn a_batch_invokes_items_each_count_and_the_rest_are_refused() {
    let api = api(Limits {
        query_depth: None,
        resolver_count: 5,
    });
    let rec = Recorder {
        events: Mutex::new(Vec::new()),
        n: 10,
    };
    let body = run(&api, &rec, "{ listEvents { items { id room { id } } } }").await;
    let events = rec.events.lock().unwrap().clone();
    // listEvents (1), then Event.room for the first 4 parents: one BatchInvoke of 4 items.
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].as_array().map(Vec::len), Some(4));
    let items = body["data"]["listEvents"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    assert_eq!(items[3]["room"]["id"], "r3");
    assert!(items[4]["room"].is_null(), "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 6);
    assert_eq!(errors[0]["path"], json!(["listEvents", "items", 4, "room"]));
    assert_eq!(errors[0]["errorType"], "ResolverExecutionLimitReached");
    // AppSync's field error shape.
    assert!(errors[0].get("data").is_some() && errors[0].get("errorInfo").is_some());
}

#[tokio::test]
async fn fields_past_the_depth_limit_are_not_resolved() {
    let api = api(Limits {
        query_depth: Some(3),
        resolver_count: 10_000,
    });
    let rec = Recorder {
        events: Mutex::new(Vec::new()),
        n: 2,
    };
    // listEvents 1, items 2, room 3, bookings 4 (a resolver, not run), event_id 5.
    let body = run(
        &api,
        &rec,
        "{ listEvents { items { id room { id bookings { event_id } } } } }",
    )
    .await;
    let events = rec.events.lock().unwrap().clone();
    assert_eq!(
        events.len(),
        2,
        "listEvents and Event.room; no Room.bookings"
    );
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 4, "id and bookings of each room: {body}");
    assert!(errors
        .iter()
        .all(|e| e["errorType"] == "QueryDepthLimitReached"));
    assert_eq!(
        errors[0]["path"],
        json!(["listEvents", "items", 0, "room", "id"])
    );
    // Room.id and Room.bookings are non-null: the nulls go to the nullable `room`.
    let items = body["data"]["listEvents"]["items"].as_array().unwrap();
    assert_eq!(items[0], json!({ "id": "e0", "room": null }));

    // Within the limit, the same query runs whole.
    let api = api_with_depth(6);
    let rec = Recorder {
        events: Mutex::new(Vec::new()),
        n: 2,
    };
    let body = run(&api, &rec, "{ listEvents { items { id room { id } } } }").await;
    assert!(body.get("errors").is_none(), "{body}");
}

fn api_with_depth(depth: usize) -> Arc<Api> {
    api(Limits {
        query_depth: Some(depth),
        resolver_count: 400,
    })
}
