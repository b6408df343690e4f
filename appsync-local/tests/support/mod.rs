//! Shared set-up: a local stack of the test's own (unique table prefix, any free port) on the
//! engines `scripts/engines` started, and HTTP clients for it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub mod client;
pub mod hostile;
pub mod realtime;

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
    let mut config = StackConfig::new(testkit::endpoint(), testkit::user_pool_endpoint());
    config.prefix = testkit::unique_prefix();
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    config.seed = seed;
    config.poll_interval = Duration::from_millis(100);
    Stack::start(config).await.expect("the stack starts")
}

/// A user of the stack's pool, signed in through moto.
#[derive(Debug, Clone)]
pub struct User {
    pub who: Credential,
    /// The access token's `sub`: the user's id as the resolvers see it.
    pub sub: String,
    pub token: String,
}

/// Signs `name` in to the stack's user pool (created on first use) with exactly `groups`.
pub async fn user(stack: &Stack, name: &str, groups: &[&str]) -> User {
    let tokens = stack
        .sign_in(name, groups)
        .await
        .unwrap_or_else(|e| panic!("{name} signs in: {e}"));
    User {
        sub: claims_of(&tokens.access)["sub"]
            .as_str()
            .expect("a sub")
            .to_string(),
        who: Credential::Token(tokens.access.clone()),
        token: tokens.access,
    }
}

/// An admin's credential.
pub async fn admin(stack: &Stack) -> Credential {
    user(stack, "admin", &["Admin"]).await.who
}

/// A JWT's claims, unverified (what a test wants to know about its own token).
pub fn claims_of(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
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
pub async fn event_with_tickets(stack: &Stack, tickets: i64) -> String {
    let addr = stack.addr;
    let admin = admin(stack).await;
    let room = format!("r{}", &testkit::unique_prefix()[1..9]);
    let body = gql(
        addr,
        &admin,
        "mutation($i: CreateRoomInput!) { createRoom(input: $i) { id } }",
        json!({ "i": { "id": room, "name": "Test room", "capacity": tickets.max(1) } }),
    )
    .await;
    data(&body);
    let start = chrono::Utc::now() + chrono::Duration::days(3);
    let end = start + chrono::Duration::hours(2);
    let body = gql(
        addr,
        &admin,
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
