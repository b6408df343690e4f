//! Rooms against DynamoDB Local: public reads, admin-only changes, capacity and deletion guards.

mod support;

use serde_json::json;
use support::{admin, anonymous, at, error_type, user};

#[tokio::test]
async fn only_admins_create_change_or_delete_rooms() {
    let env = support::empty().await;
    let create = json!({ "input": { "id": "r", "name": "Hall", "capacity": 10 } });
    for who in [
        user("u"),
        anonymous(),
        devtools::cognito_identity("x", "x", &["admin"]),
    ] {
        assert_eq!(
            error_type(env.mutate("createRoom", create.clone(), who).await),
            "Unauthorized"
        );
    }
    assert_eq!(
        env.query("getRoom", json!({ "id": "r" }), anonymous())
            .await
            .unwrap(),
        serde_json::Value::Null
    );
    assert_eq!(
        env.mutate("createRoom", create.clone(), admin())
            .await
            .unwrap()["name"],
        "Hall"
    );
    assert_eq!(
        error_type(env.mutate("createRoom", create, admin()).await),
        "Conflict",
        "ids are unique"
    );

    let update = json!({ "input": { "id": "r", "name": "Great Hall" } });
    assert_eq!(
        error_type(env.mutate("updateRoom", update.clone(), user("u")).await),
        "Unauthorized"
    );
    assert_eq!(
        env.mutate("updateRoom", update, admin()).await.unwrap()["name"],
        "Great Hall"
    );
    let missing = json!({ "input": { "id": "nope", "name": "x" } });
    assert_eq!(
        error_type(env.mutate("updateRoom", missing, admin()).await),
        "NotFound"
    );

    let delete = json!({ "input": { "id": "r" } });
    assert_eq!(
        error_type(env.mutate("deleteRoom", delete.clone(), user("u")).await),
        "Unauthorized"
    );
    assert_eq!(
        env.mutate("deleteRoom", delete.clone(), admin())
            .await
            .unwrap()["id"],
        "r"
    );
    assert_eq!(
        error_type(env.mutate("deleteRoom", delete, admin()).await),
        "NotFound"
    );
}

#[tokio::test]
async fn room_input_is_validated() {
    let env = support::empty().await;
    for input in [
        json!({ "name": "", "capacity": 10 }),
        json!({ "name": "Hall", "capacity": 0 }),
        json!({ "name": "Hall", "capacity": 100_001 }),
        json!({ "name": "Hall" }),
    ] {
        let err = env
            .mutate("createRoom", json!({ "input": input }), admin())
            .await
            .unwrap_err();
        assert_eq!(err.error_type(), "ValidationError", "{input}: {err}");
    }
    let (rooms, _) = env.all_pages("listRooms", json!({}), anonymous()).await;
    assert!(rooms.is_empty(), "nothing written");
}

#[tokio::test]
async fn capacity_cannot_drop_below_an_upcoming_events_tickets() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    env.create_event("org", "e", "r", &at(3, 10), 60, 80)
        .await
        .unwrap();
    let shrink = |c: i64| json!({ "input": { "id": "r", "capacity": c } });
    let err = env
        .mutate("updateRoom", shrink(50), admin())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "Conflict");
    assert!(err.to_string().contains("80"), "{err}");
    assert_eq!(
        env.mutate("updateRoom", shrink(80), admin()).await.unwrap()["capacity"],
        80
    );
}

#[tokio::test]
async fn a_room_with_events_cannot_be_deleted() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    env.create_event("org", "e", "r", &at(3, 10), 60, 10)
        .await
        .unwrap();
    let err = env
        .mutate("deleteRoom", json!({ "input": { "id": "r" } }), admin())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "Conflict");
    assert_eq!(
        env.query("getRoom", json!({ "id": "r" }), anonymous())
            .await
            .unwrap()["id"],
        "r"
    );
}

#[tokio::test]
async fn rooms_page_and_list_their_bookings() {
    let env = support::seeded().await;
    let (rooms, pages) = env
        .all_pages("listRooms", json!({ "limit": 2 }), anonymous())
        .await;
    assert_eq!((rooms.len(), pages), (3, 2));
    let all = env
        .nested("Room", "bookings", json!({ "id": "1" }), anonymous())
        .await
        .unwrap();
    // With `from` three days back, the seed's past events in room 1 are included too.
    let with_past = resolvers::handle(
        &env.app,
        devtools::appsync_event(
            "Room",
            "bookings",
            json!({ "from": at(-3, 0), "limit": 100 }),
            anonymous(),
            json!({ "id": "1" }),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        with_past.as_array().unwrap().len(),
        5,
        "room 1 holds one seed event a day"
    );
    // Without a parent room there is nothing to list.
    let orphan = env
        .call("Room", "bookings", json!({ "limit": 5 }), anonymous())
        .await;
    assert_eq!(error_type(orphan), "BadRequest");
    let starts: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["datetime_start"].as_str().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]));
    assert!(
        !starts.is_empty() && starts.len() <= 5,
        "room 1's upcoming seed events: {starts:?}"
    );
}
