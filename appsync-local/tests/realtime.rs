//! AppSync's real-time protocol at `/graphql/realtime` (issue 11 item 1), driven as Amplify v6
//! drives it: `wss://` to the endpoint's own port, the user-pool token in a `header-`
//! subprotocol, `connection_init`, `start` per subscription, mutations over HTTP.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::realtime::{amplify, connect, token_headers, Conn, Via};
use support::{data, gql, user};

const ON_CREATE: &str = "subscription OnCreate($userid: ID!) { onCreateActivity(userid: $userid) { __typename id userid category caloriesConsumed } }";
const CREATE: &str = "mutation Create($input: CreateActivityInput!) { createActivity(input: $input) { id userid category type caloriesConsumed creationDateTime } }";

async fn stack_with(keep_alive: Duration) -> appsync_local::Stack {
    support::init_logs();
    let mut config =
        appsync_local::StackConfig::new(testkit::endpoint(), testkit::user_pool_endpoint());
    config.prefix = testkit::unique_prefix();
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config.seed = true;
    config.streams = false;
    config.realtime.keep_alive = keep_alive;
    appsync_local::Stack::start(config)
        .await
        .expect("the stack starts")
}

/// `start` of `onCreateActivity(userid)` with a user-pool token; the answer.
async fn subscribe(ws: &mut Conn, id: &str, userid: &str, token: &str) -> Value {
    ws.start(
        id,
        ON_CREATE,
        json!({ "userid": userid }),
        token_headers(token),
    )
    .await
}

fn lunch() -> Value {
    json!({ "input": { "category": "Food", "type": "Lunch", "caloriesConsumed": 650 } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_gets_its_users_mutations_with_its_own_selection() {
    let stack = stack_with(Duration::from_secs(30)).await;
    let alice = user(&stack, "alice", &[]).await;
    let bob = user(&stack, "bob", &[]).await;

    // As Amplify: wss://, graphql-ws plus the header subprotocol.
    let mut ws = connect(
        &stack,
        true,
        Via::Subprotocol,
        token_headers(&alice.token),
        None,
    )
    .await
    .expect("connected over wss");
    assert_eq!(ws.protocol.as_deref(), Some("graphql-ws"));
    let ack = ws.init().await;
    assert_eq!(ack["payload"]["connectionTimeoutMs"], 300_000);
    let first = ws.next_within(Duration::from_secs(2)).await.expect("a ka");
    assert_eq!(first["type"], "ka", "a keep-alive right after the ack");

    let started = subscribe(&mut ws, "s-1", &alice.sub, &alice.token).await;
    assert_eq!(started, json!({ "type": "start_ack", "id": "s-1" }));
    assert_eq!(stack.hub.len(), 1);

    // alice's mutation: the subscriber gets it, through the subscription's selection.
    let sent = Instant::now();
    let body = gql(stack.addr, &alice.who, CREATE, lunch()).await;
    let created = data(&body)["createActivity"].clone();
    let message = ws.next().await;
    let took = sent.elapsed();
    assert_eq!(message["type"], "data", "{message}");
    assert_eq!(message["id"], "s-1");
    assert_eq!(
        message["payload"],
        json!({ "data": { "onCreateActivity": {
            "__typename": "Activity",
            "id": created["id"],
            "userid": alice.sub,
            "category": "Food",
            "caloriesConsumed": 650,
        } } }),
        "the subscription's fields, in its order; `type` (not selected) is not sent"
    );
    assert!(took < Duration::from_secs(2), "delivered in {took:?}");

    // bob's activity does not match alice's filter.
    let _ = gql(stack.addr, &bob.who, CREATE, lunch()).await;
    ws.quiet_for(Duration::from_millis(300)).await;

    // stop -> complete, and nothing more.
    ws.send(json!({ "type": "stop", "id": "s-1" })).await;
    assert_eq!(ws.next().await, json!({ "type": "complete", "id": "s-1" }));
    assert_eq!(stack.hub.len(), 0);
    let _ = gql(stack.addr, &alice.who, CREATE, lunch()).await;
    ws.quiet_for(Duration::from_millis(300)).await;
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_appsync_refuses_get_an_error_for_their_id() {
    let stack = stack_with(Duration::from_secs(30)).await;
    let alice = user(&stack, "alice", &[]).await;
    let bob = user(&stack, "bob", &[]).await;
    let mut ws = amplify(&stack, &bob.token).await;
    let calls = || {
        stack
            .functions
            .counters
            .invocations
            .load(std::sync::atomic::Ordering::SeqCst)
    };

    // bob asks for alice's activities: the subscription's resolver refuses, with its errorType.
    let before = calls();
    let refused = subscribe(&mut ws, "theirs", &alice.sub, &bob.token).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "theirs");
    assert_eq!(
        refused["payload"]["errors"][0]["errorType"], "Unauthorized",
        "{refused}"
    );
    assert_eq!(
        calls(),
        before + 1,
        "the subscription field's Lambda ran, once"
    );
    assert_eq!(stack.hub.len(), 0);

    // The API key may not subscribe (the fields have no @aws_api_key): refused before any Lambda.
    let before = calls();
    let key = ws
        .start(
            "key",
            ON_CREATE,
            json!({ "userid": bob.sub }),
            json!({ "x-api-key": stack.api_key }),
        )
        .await;
    assert_eq!(
        key["payload"]["errors"][0]["errorType"], "Unauthorized",
        "{key}"
    );
    assert_eq!(calls(), before);

    // A bad token in start's own authorization: UnauthorizedException for that id.
    let bad = ws
        .start(
            "bad",
            ON_CREATE,
            json!({ "userid": bob.sub }),
            token_headers("x.y.z"),
        )
        .await;
    assert_eq!(bad["id"], "bad");
    assert_eq!(
        bad["payload"]["errors"][0]["errorType"], "UnauthorizedException",
        "{bad}"
    );

    // A query is not carried by the real-time channel; an invalid subscription is refused.
    let query = ws
        .start(
            "q",
            "{ listRooms { items { id } } }",
            json!({}),
            token_headers(&bob.token),
        )
        .await;
    assert_eq!(
        query["payload"]["errors"][0]["errorType"], "UnsupportedOperation",
        "{query}"
    );
    assert_eq!(
        query["payload"]["errors"][0]["message"],
        "query not supported through the realtime channel"
    );
    let invalid = ws
        .start(
            "v",
            "subscription { onCreateActivity { id } }",
            json!({}),
            token_headers(&bob.token),
        )
        .await;
    assert_eq!(invalid["type"], "error");
    assert!(
        invalid["payload"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Validation error"),
        "{invalid}"
    );

    // bob's own: allowed. The same id again: DuplicatedOperationError.
    let mine = subscribe(&mut ws, "mine", &bob.sub, &bob.token).await;
    assert_eq!(mine["type"], "start_ack", "{mine}");
    let again = subscribe(&mut ws, "mine", &bob.sub, &bob.token).await;
    assert_eq!(
        again["payload"]["errors"][0]["errorType"],
        "DuplicatedOperationError"
    );

    // At most 100 subscriptions on one connection (AppSync's quota).
    for i in 1..100 {
        let ok = subscribe(&mut ws, &format!("n{i}"), &bob.sub, &bob.token).await;
        assert_eq!(ok["type"], "start_ack", "{i}: {ok}");
    }
    assert_eq!(stack.hub.len(), 100);
    let over = subscribe(&mut ws, "n100", &bob.sub, &bob.token).await;
    assert_eq!(
        over["payload"]["errors"][0]["errorType"], "LimitExceededError",
        "{over}"
    );

    // One mutation reaches all 100 of bob's subscriptions.
    let _ = gql(stack.addr, &bob.who, CREATE, lunch()).await;
    let mut ids = Vec::new();
    for _ in 0..100 {
        let m = ws.next().await;
        assert_eq!(m["type"], "data", "{m}");
        ids.push(m["id"].as_str().unwrap().to_string());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 100);

    // Closing the connection ends its subscriptions.
    drop(ws);
    let started = Instant::now();
    while !stack.hub.is_empty() && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(stack.hub.len(), 0);
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_get_what_the_mutation_selected_and_nothing_else() {
    let stack = stack_with(Duration::from_secs(30)).await;
    let alice = user(&stack, "alice", &[]).await;
    let mut ws = amplify(&stack, &alice.token).await;
    let ack = subscribe(&mut ws, "s", &alice.sub, &alice.token).await;
    assert_eq!(ack["type"], "start_ack");

    // The mutation does not select `userid`, the subscription's filter: nothing is sent.
    let _ = gql(
        stack.addr,
        &alice.who,
        "mutation($input: CreateActivityInput!) { createActivity(input: $input) { id } }",
        lunch(),
    )
    .await;
    ws.quiet_for(Duration::from_millis(300)).await;

    // It selects `userid` (aliased) but not `category`, non-null in Activity: the null is
    // propagated with its error, as AppSync sends it.
    let body = gql(
        stack.addr,
        &alice.who,
        "mutation($input: CreateActivityInput!) { createActivity(input: $input) { id who: userid caloriesConsumed } }",
        lunch(),
    )
    .await;
    assert!(!data(&body)["createActivity"]["id"].is_null());
    let m = ws.next().await;
    assert_eq!(m["type"], "data");
    assert_eq!(
        m["payload"]["data"],
        json!({ "onCreateActivity": null }),
        "{m}"
    );
    let err = &m["payload"]["errors"][0];
    assert_eq!(err["path"], json!(["onCreateActivity", "category"]), "{m}");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("Cannot return null for non-nullable type"));
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_is_authenticated_kept_alive_bounded_and_closed() {
    let stack = stack_with(Duration::from_millis(200)).await;
    let alice = user(&stack, "alice", &[]).await;

    // A bad token at the handshake: connection_error after connection_init, then closed.
    let mut ws = connect(
        &stack,
        true,
        Via::Subprotocol,
        token_headers("not-a-token"),
        None,
    )
    .await
    .unwrap();
    ws.send(json!({ "type": "connection_init" })).await;
    let m = ws.next().await;
    assert_eq!(m["type"], "connection_error", "{m}");
    assert_eq!(
        m["payload"]["errors"][0]["errorType"],
        "UnauthorizedException"
    );
    assert_eq!(
        m["payload"]["errors"][0]["errorCode"], 401,
        "Amplify does not retry a 401"
    );
    assert!(
        ws.next_within(Duration::from_secs(2)).await.is_err(),
        "closed"
    );

    // No graphql-ws: AppSync's NoProtocolError.
    let mut ws = connect(&stack, false, Via::Nothing, json!({}), None)
        .await
        .unwrap();
    ws.send(json!({ "type": "connection_init" })).await;
    let m = ws.next().await;
    assert_eq!(m["type"], "connection_error");
    assert_eq!(m["payload"]["errors"][0]["message"], "NoProtocolError");
    assert_eq!(m["payload"]["errors"][0]["errorCode"], 400);

    // The older form, ?header=...&payload=e30=, over ws:// with the API key; ka keeps coming.
    let mut ws = connect(
        &stack,
        false,
        Via::Query,
        json!({ "x-api-key": stack.api_key }),
        None,
    )
    .await
    .unwrap();
    ws.init().await;
    let started = Instant::now();
    for _ in 0..3 {
        let m = ws.next_within(Duration::from_secs(2)).await.expect("a ka");
        assert_eq!(m["type"], "ka");
    }
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A message over AppSync's 240 KB closes the connection (1009, message too big).
    let mut ws = amplify(&stack, &alice.token).await;
    let sent = ws
        .try_send(
            json!({ "type": "start", "id": "big", "payload": { "data": "x".repeat(300 * 1024) } }),
        )
        .await;
    // The server stops reading at the frame's header: the write itself may fail, or the
    // connection ends right after it.
    if sent.is_ok() {
        let mut closed = None;
        for _ in 0..20 {
            match ws.next_within(Duration::from_secs(2)).await {
                Ok(m) if m["type"] == "ka" => continue,
                Ok(m) => panic!("expected the connection closed, got {m}"),
                Err(e) => {
                    closed = Some(e);
                    break;
                }
            }
        }
        let closed = closed.expect("closed");
        assert!(closed != "nothing", "{closed}");
    }
    // Either way the connection is gone.
    assert!(
        ws.try_send(json!({ "type": "ka" })).await.is_err()
            || ws.next_within(Duration::from_secs(2)).await.is_err()
    );

    // A page of another origin may not open it (the origin check, before the upgrade).
    let refused = connect(
        &stack,
        true,
        Via::Subprotocol,
        token_headers(&alice.token),
        Some("http://evil.example"),
    )
    .await;
    assert!(
        refused.as_ref().is_err_and(|e| e.contains("403")),
        "{:?}",
        refused.err()
    );

    // Stopping the stack closes its connections (1001, going away), promptly.
    let mut ws = amplify(&stack, &alice.token).await;
    let stopping = tokio::spawn(async move {
        for _ in 0..100 {
            if let Err(e) = ws.next_within(Duration::from_secs(5)).await {
                return e;
            }
        }
        "still open".to_string()
    });
    let started = Instant::now();
    stack.stop().await;
    assert_eq!(stopping.await.unwrap(), "close 1001");
    assert!(started.elapsed() < Duration::from_secs(5));
}
