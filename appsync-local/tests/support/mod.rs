//! Shared set-up: a local stack of the test's own (unique table prefix, any free port) on the
//! moto server `scripts/moto` started, and HTTP clients for it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub mod client;
pub mod hostile;

use appsync_local::{Stack, StackConfig};
pub use client::{Client, Credential};
use serde_json::{json, Value};

pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
}

/// A stack on fresh tables; `seed`: seed 000's rooms and events, seed 001's categories.
pub async fn stack(seed: bool) -> Stack {
    init_logs();
    let mut config = StackConfig::new(testkit::endpoint());
    config.prefix = testkit::unique_prefix();
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    config.seed = seed;
    config.poll_interval = Duration::from_millis(100);
    Stack::start(config).await.expect("the stack starts")
}

pub fn token(sub: &str, groups: &[&str]) -> Credential {
    Credential::Token(appsync_local::auth::jwt::make_token(
        sub,
        &format!("{sub}-name"),
        groups,
        chrono::Utc::now().timestamp(),
    ))
}

pub fn admin() -> Credential {
    token("user-admin", &["Admin"])
}

pub fn api_key(stack: &Stack) -> Credential {
    Credential::ApiKey(stack.api_key.clone())
}

pub async fn client(addr: SocketAddr) -> Client {
    Client::new(addr)
}

/// POSTs a query; asserts HTTP 200 and returns the body.
pub async fn gql(addr: SocketAddr, who: &Credential, query: &str, variables: Value) -> Value {
    let (status, body) = client(addr)
        .await
        .graphql(who, query, variables)
        .await
        .expect("request answered");
    assert_eq!(status, 200, "{body}");
    body
}

/// The body's data, asserting there are no errors.
pub fn data(body: &Value) -> &Value {
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    &body["data"]
}

pub fn errors(body: &Value) -> &Vec<Value> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected errors: {body}"))
}

/// Retries `check` until it returns Some, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if started.elapsed() > limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An event of `tickets` tickets (and its room) created over HTTP by an admin; returns its id.
pub async fn event_with_tickets(addr: SocketAddr, tickets: i64) -> String {
    let room = format!("r{}", &testkit::unique_prefix()[1..9]);
    let body = gql(
        addr,
        &admin(),
        "mutation($i: CreateRoomInput!) { createRoom(input: $i) { id } }",
        json!({ "i": { "id": room, "name": "Test room", "capacity": tickets.max(1) } }),
    )
    .await;
    data(&body);
    let start = chrono::Utc::now() + chrono::Duration::days(3);
    let end = start + chrono::Duration::hours(2);
    let body = gql(
        addr,
        &admin(),
        "mutation($i: CreateEventInput!) { createEvent(input: $i) { id total_tickets tickets_left } }",
        json!({ "i": {
            "name": "Small concert", "room_id": room, "total_tickets": tickets,
            "event_datetime_start": start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "event_datetime_end": end.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        } }),
    )
    .await;
    let event = &data(&body)["createEvent"];
    assert_eq!(event["tickets_left"], tickets, "{body}");
    event["id"].as_str().expect("event id").to_string()
}
