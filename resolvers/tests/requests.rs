//! The DynamoDB request budget of the hot operations, counted by an SDK interceptor.

mod support;

use resolvers::handle;
use serde_json::json;
use support::{anonymous, at, user};

#[tokio::test]
async fn a_page_of_events_with_rooms_is_one_query_and_one_batch_get() {
    let env = support::seeded().await;
    let page = env
        .query("listEvents", json!({ "limit": 10 }), anonymous())
        .await
        .unwrap();
    assert_eq!(
        env.counter.snapshot(),
        [("Query".to_string(), 1)].into_iter().collect()
    );
    let batch: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| devtools::appsync_event("Event", "room", json!({}), anonymous(), e.clone()))
        .collect();
    assert_eq!(batch.len(), 10);
    let rooms = handle(&env.app, json!(batch)).await.unwrap();
    assert!(rooms
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["errorType"].is_null()));
    let counts = env.counter.snapshot();
    assert_eq!(counts.get("Query"), Some(&1));
    assert_eq!(counts.get("BatchGetItem"), Some(&1));
    assert_eq!(env.counter.total(), 2, "{counts:?}");
}

#[tokio::test]
async fn a_booking_is_one_transaction() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 5)
        .await
        .unwrap();
    env.counter.reset();
    env.mutate("bookTicket", json!({ "event_id": "e" }), user("u"))
        .await
        .unwrap();
    assert_eq!(
        env.counter.snapshot(),
        [("TransactWriteItems".to_string(), 1)]
            .into_iter()
            .collect()
    );
    env.counter.reset();
    env.mutate("cancelTicket", json!({ "event_id": "e" }), user("u"))
        .await
        .unwrap();
    assert_eq!(
        env.counter.snapshot(),
        [("TransactWriteItems".to_string(), 1)]
            .into_iter()
            .collect()
    );
}

#[tokio::test]
async fn the_seed_clients_booking_reads_once_and_writes_once() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 5)
        .await
        .unwrap();
    env.counter.reset();
    let input = json!({ "input": { "id": "e", "tickets": ["u"] } });
    env.mutate("updateEvent", input, user("u")).await.unwrap();
    let counts = env.counter.snapshot();
    // The event (who organises it, what changed) and the caller's ticket, then the booking.
    assert_eq!(counts.get("TransactWriteItems"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("GetItem"), Some(&2), "{counts:?}");
    assert_eq!(env.counter.total(), 3);
}
