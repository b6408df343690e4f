//! Queries built to pin the endpoint (aliases by the thousand, fragment chains). Each case runs on a thread of its
//! own and fails if it is still running after a generous limit, so a regression fails the
//! test instead of hanging it. How fast the endpoint is lives in `benches/hostile.rs`.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use appsync_local::answer::{answer, Channel};
use appsync_local::caller::Caller;
use appsync_local::execute::execute;
use appsync_local::graphql::request::GraphQLRequest;
use appsync_local::graphql::validate::prepare;
use serde_json::{json, Value};
use support::hostile::{
    aliases_under_one_resolver, api, fragment_chain, root_resolvers, root_typenames, Rooms,
};

/// The response body for `query` (API key), computed on a thread of its own within `limit`.
fn answered_within(limit: Duration, query: String) -> Value {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let body = runtime.block_on(async {
            let caller = Caller::api_key(BTreeMap::new());
            let answered = answer(
                &api(),
                &Rooms,
                GraphQLRequest::new(query, json!({})),
                &caller,
                Channel::Http,
            )
            .await;
            serde_json::to_value(&answered.response).expect("serialisable")
        });
        let _ = tx.send(body);
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("still not answered after {limit:?}"))
}

#[test]
fn fragment_chains_are_answered_at_once() {
    // At the root, ending in introspection (its own walk) and a resolver.
    let chain = fragment_chain(
        "{ <spread> }",
        "Query",
        40,
        "__typename __schema { queryType { name } } listRooms { items { id } }",
    );
    assert!(chain.len() < 2000, "a small request: {} bytes", chain.len());
    let body = answered_within(Duration::from_secs(20), chain);
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["__typename"], "Query");
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    assert_eq!(body["data"]["listRooms"]["items"][2]["id"], "3");

    // Inside a resolver's selection: field collection and selectionSetList walk it.
    let nested = fragment_chain(
        "{ listRooms { <spread> } }",
        "RoomConnection",
        40,
        "items { id name } nextToken",
    );
    let body = answered_within(Duration::from_secs(20), nested);
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["listRooms"]["items"][0],
        json!({ "id": "1", "name": "Room 1" })
    );
}

#[test]
fn forty_thousand_aliases_are_all_answered_in_order() {
    let n = 40_000;
    let body = answered_within(Duration::from_secs(300), root_typenames(n));
    let data = body["data"].as_object().expect("data");
    assert_eq!(data.len(), n);
    assert!(data
        .iter()
        .enumerate()
        .all(|(i, (k, v))| *k == format!("a{i}") && v == "Query"));

    let body = answered_within(Duration::from_secs(300), aliases_under_one_resolver(n));
    let items = body["data"]["listRooms"]["items"]
        .as_array()
        .expect("items");
    assert_eq!(items.len(), 3);
    let last = items[2].as_object().expect("a room");
    assert_eq!(last.len(), n);
    assert_eq!(last[&format!("a{}", n - 1)], "Room 3");
}

/// While a long query executes, other tasks on the same (single) worker thread still run:
/// the executor yields, so AppSync's 30 s limit can stop it and other requests are served.
/// (Validation of a long query runs on the blocking pool: `answer::INLINE_VALIDATION_BYTES`.)
#[test]
fn a_long_query_lets_other_requests_run() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let ticks = Arc::new(AtomicUsize::new(0));
    let api = api();
    let request = GraphQLRequest::new(root_resolvers(20_000), json!({}));
    let prepared = prepare(&api, &request).unwrap_or_else(|e| panic!("{e:?}"));
    let during = runtime.block_on(async {
        let counter = ticks.clone();
        let other = tokio::spawn(async move {
            for _ in 0..100_000_000u64 {
                counter.fetch_add(1, Ordering::Relaxed);
                tokio::task::yield_now().await;
            }
        });
        tokio::task::yield_now().await;
        let before = ticks.load(Ordering::Relaxed);
        let caller = Caller::api_key(BTreeMap::new());
        let response = execute(&api, &Rooms, &prepared, &caller).await.response;
        assert!(response.errors.is_empty(), "{:?}", response.errors.first());
        assert_eq!(response.data.as_object().map(|d| d.len()), Some(20_000));
        let during = ticks.load(Ordering::Relaxed) - before;
        other.abort();
        during
    });
    assert!(
        during >= 100,
        "the other task ran only {during} times while 20,000 fields executed"
    );
}
