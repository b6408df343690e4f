//! BatchInvoke: one Lambda call and one read for a whole page of nested fields, with an
//! error only on the item that has one.

mod support;

use resolvers::handle;
use serde_json::{json, Value};
use support::{at, user};

fn room_item(event: &str, room: &str) -> Value {
    devtools::appsync_event(
        "Event",
        "room",
        json!({}),
        user("u"),
        json!({ "id": event, "room_id": room, "owner_id": "o" }),
    )
}

#[tokio::test]
async fn a_missing_room_fails_its_item_only() {
    let env = support::seeded().await;
    let payload = json!([
        room_item("a", "1"),
        room_item("b", "gone"),
        room_item("c", "3"),
        room_item("d", "1")
    ]);
    let reply = handle(&env.app, payload).await.unwrap();
    let items = reply.as_array().unwrap();
    assert_eq!(items.len(), 4, "one reply per item, in order");
    assert_eq!(items[0]["data"]["name"], "Lecture Hall 1");
    assert_eq!(items[1]["data"], Value::Null);
    assert_eq!(items[1]["errorType"], "NotFound");
    assert!(items[1]["errorMessage"].as_str().unwrap().contains("gone"));
    assert_eq!(items[2]["data"]["name"], "Sports Arena");
    assert_eq!(items[3]["data"]["id"], "1");
    assert_eq!(items[0]["errorType"], Value::Null);
    assert_eq!(
        env.counter.snapshot().get("BatchGetItem"),
        Some(&1),
        "{:?}",
        env.counter.snapshot()
    );
    assert_eq!(env.counter.total(), 1);
}

#[tokio::test]
async fn a_malformed_item_fails_alone() {
    let env = support::seeded().await;
    let mut bad = room_item("b", "2");
    bad["source"] = Value::Null;
    let mut no_info = room_item("c", "3");
    no_info.as_object_mut().unwrap().remove("info");
    let reply = handle(&env.app, json!([room_item("a", "1"), bad, no_info]))
        .await
        .unwrap();
    let items = reply.as_array().unwrap();
    assert_eq!(items[0]["data"]["id"], "1");
    assert_eq!(items[1]["errorType"], "BadRequest");
    assert_eq!(items[2]["errorType"], "BadRequest");
}

#[tokio::test]
async fn ticket_holders_for_a_page_cost_one_read() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    for (i, id) in ["x", "y", "z"].iter().enumerate() {
        env.create_event("org", id, "r", &at(2, 8 + 2 * i as u32), 60, 5)
            .await
            .unwrap();
    }
    env.mutate("bookTicket", json!({ "event_id": "y" }), user("me"))
        .await
        .unwrap();
    env.counter.reset();
    let item = |id: &str| {
        devtools::appsync_event(
            "Event",
            "tickets",
            json!({}),
            user("me"),
            json!({ "id": id, "owner_id": "org" }),
        )
    };
    let reply = handle(&env.app, json!([item("x"), item("y"), item("z")]))
        .await
        .unwrap();
    let data: Vec<&Value> = reply
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["data"])
        .collect();
    assert_eq!(data, vec![&json!([]), &json!(["me"]), &json!([])]);
    assert_eq!(env.counter.total(), 1, "{:?}", env.counter.snapshot());
}
