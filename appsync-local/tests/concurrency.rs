//! Many people booking the last tickets at once, over HTTP: never more bookings than tickets.

mod support;

use std::time::Instant;

use serde_json::{json, Value};
use support::{data, gql, stack, user, Client};

/// `n` distinct users book `event` at the same moment, each on a connection of its own;
/// returns how many got a ticket and the error types of the others.
async fn rush(
    stack: &appsync_local::Stack,
    event: &str,
    n: usize,
    via_update_event: bool,
) -> (usize, Vec<String>) {
    let mut clients = Vec::with_capacity(n);
    for i in 0..n {
        // Signed in before the rush: the rush is the bookings, not the sign-ins.
        let who = user(stack, &format!("rush-{i}"), &[]).await;
        clients.push((Client::new(stack.addr), who));
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|(c, who)| {
            let barrier = barrier.clone();
            let event = event.to_string();
            tokio::spawn(async move {
                let me = who.sub.clone();
                let who = who.who;
                let (query, vars) = if via_update_event {
                    (
                        "mutation($i: UpdateEventInput!) { updateEvent(input: $i) { id tickets_left } }",
                        json!({ "i": { "id": event, "tickets": [me] } }),
                    )
                } else {
                    (
                        "mutation($e: ID!) { bookTicket(event_id: $e) { event_id user_id } }",
                        json!({ "e": event }),
                    )
                };
                barrier.wait().await;
                let (status, body) = c.graphql(&who, query, vars).await.expect("answered");
                assert_eq!(status, 200, "{body}");
                body
            })
        })
        .collect();
    let mut ok = 0;
    let mut refused = Vec::new();
    for t in tasks {
        let body: Value = t.await.expect("task");
        match body.get("errors") {
            None => ok += 1,
            Some(errs) => refused.push(errs[0]["errorType"].as_str().unwrap_or("?").to_string()),
        }
    }
    (ok, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_bookings_for_five_tickets_sell_exactly_five() {
    let stack = stack(false).await;
    let addr = stack.addr;
    let event = support::event_with_tickets(&stack, 5).await;
    let started = Instant::now();
    let (ok, refused) = rush(&stack, &event, 100, false).await;
    eprintln!("100 bookings answered in {:?}", started.elapsed());
    assert_eq!(ok, 5, "refused: {refused:?}");
    assert_eq!(refused.len(), 95);
    assert!(
        refused.iter().all(|t| t == "SoldOut" || t == "Conflict"),
        "{refused:?}"
    );
    assert!(refused.iter().any(|t| t == "SoldOut"), "{refused:?}");
    let body = gql(
        addr,
        &support::admin(&stack).await,
        "query($id: ID!) { getEvent(id: $id) { total_tickets tickets_sold tickets_left tickets } }",
        json!({ "id": event }),
    )
    .await;
    let e = &data(&body)["getEvent"];
    assert_eq!(
        (e["tickets_sold"].as_i64(), e["tickets_left"].as_i64()),
        (Some(5), Some(0)),
        "{e}"
    );
    assert_eq!(e["tickets"].as_array().map(Vec::len), Some(5), "{e}");
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_clients_update_event_booking_never_overbooks_either() {
    let stack = stack(false).await;
    let addr = stack.addr;
    let event = support::event_with_tickets(&stack, 3).await;
    let (ok, refused) = rush(&stack, &event, 40, true).await;
    assert_eq!(ok, 3, "refused: {refused:?}");
    assert_eq!(refused.len(), 37);
    let body = gql(
        addr,
        &support::admin(&stack).await,
        "query($id: ID!) { getEvent(id: $id) { tickets_sold tickets_left tickets } }",
        json!({ "id": event }),
    )
    .await;
    let e = &data(&body)["getEvent"];
    assert_eq!(
        (e["tickets_sold"].as_i64(), e["tickets_left"].as_i64()),
        (Some(3), Some(0)),
        "{e}"
    );
    assert_eq!(e["tickets"].as_array().map(Vec::len), Some(3), "{e}");
    stack.stop().await;
}
