//! Events against DynamoDB Local: listing and paging, validation, room overlap, who may change what.

mod support;

use serde_json::json;
use support::{admin, anonymous, at, error_type, user};

fn ids(items: &[serde_json::Value]) -> Vec<String> {
    items
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn all_events_page_to_the_end_in_start_order() {
    let env = support::seeded().await;
    let (items, pages) = env
        .all_pages("listEvents", json!({ "limit": 4 }), anonymous())
        .await;
    assert_eq!(items.len(), 15, "seed 000 has 15 events");
    assert_eq!(pages, 4);
    let starts: Vec<&str> = items
        .iter()
        .map(|e| e["event_datetime_start"].as_str().unwrap())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
    let unique: std::collections::BTreeSet<_> = ids(&items).into_iter().collect();
    assert_eq!(unique.len(), 15, "no event twice across pages");
    assert_eq!(items[0]["tickets_left"], items[0]["total_tickets"]);
    assert!(
        items[0].get("owner_id").is_some(),
        "kept for nested resolvers; the schema hides it"
    );
}

#[tokio::test]
async fn upcoming_and_past_split_all_events_and_order_each_way() {
    let env = support::seeded().await;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (upcoming, _) = env
        .all_pages(
            "listEvents",
            json!({ "when": "UPCOMING", "limit": 2 }),
            anonymous(),
        )
        .await;
    let (past, _) = env
        .all_pages(
            "listEvents",
            json!({ "when": "PAST", "limit": 2 }),
            anonymous(),
        )
        .await;
    assert_eq!(upcoming.len() + past.len(), 15);
    assert!(upcoming
        .iter()
        .all(|e| e["event_datetime_end"].as_str().unwrap() > now.as_str()));
    assert!(past
        .iter()
        .all(|e| e["event_datetime_end"].as_str().unwrap() <= now.as_str()));
    let up: Vec<&str> = upcoming
        .iter()
        .map(|e| e["event_datetime_start"].as_str().unwrap())
        .collect();
    assert!(
        up.windows(2).all(|w| w[0] <= w[1]),
        "upcoming: soonest first"
    );
    let pa: Vec<&str> = past
        .iter()
        .map(|e| e["event_datetime_start"].as_str().unwrap())
        .collect();
    assert!(
        pa.windows(2).all(|w| w[0] >= w[1]),
        "past: most recent first"
    );
    assert!(ids(&upcoming).contains(&"evt-p2-21".to_string()));
    assert!(ids(&past).contains(&"evt-m2-17".to_string()));
}

#[tokio::test]
async fn forged_garbled_or_borrowed_tokens_are_bad_requests() {
    let env = support::seeded().await;
    let page = env
        .query("listEvents", json!({ "limit": 2 }), anonymous())
        .await
        .unwrap();
    let token = page["nextToken"].as_str().unwrap().to_string();
    for t in ["garbage", "eyJpZCI6ImV2dCJ9.AAAA"] {
        assert_eq!(
            error_type(
                env.query("listEvents", json!({ "nextToken": t }), anonymous())
                    .await
            ),
            "BadRequest"
        );
    }
    let mut flipped = token.clone().into_bytes();
    flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    assert_eq!(
        error_type(
            env.query("listEvents", json!({ "nextToken": flipped }), anonymous())
                .await
        ),
        "BadRequest"
    );
    let other_query = json!({ "when": "PAST", "nextToken": token });
    assert_eq!(
        error_type(env.query("listEvents", other_query, anonymous()).await),
        "BadRequest"
    );
    let err = env
        .query("listEvents", json!({ "nextToken": "x.y" }), anonymous())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nextToken"), "{err}");
}

#[tokio::test]
async fn limits_out_of_range_are_validation_errors() {
    let env = support::seeded().await;
    for limit in [0, -1, 101] {
        let r = env
            .query("listEvents", json!({ "limit": limit }), anonymous())
            .await;
        assert_eq!(error_type(r), "ValidationError");
    }
    assert_eq!(
        env.query("getEvent", json!({ "id": "nope" }), anonymous())
            .await
            .unwrap(),
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn create_validates_and_writes_nothing_when_refused() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    let base = json!({
        "id": "e1", "name": "Talk", "room_id": "r",
        "event_datetime_start": at(3, 10), "event_datetime_end": at(3, 12), "total_tickets": 5
    });
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        (
            "end before start",
            json!({ "event_datetime_end": at(3, 9) }),
            "ValidationError",
        ),
        (
            "duration mismatch",
            json!({ "event_duration": 60 }),
            "ValidationError",
        ),
        (
            "over capacity",
            json!({ "total_tickets": 11 }),
            "ValidationError",
        ),
        (
            "negative tickets",
            json!({ "total_tickets": -1 }),
            "ValidationError",
        ),
        ("unknown room", json!({ "room_id": "nowhere" }), "NotFound"),
        ("empty name", json!({ "name": "  " }), "ValidationError"),
        (
            "huge name",
            json!({ "name": "x".repeat(201) }),
            "ValidationError",
        ),
        (
            "eight days",
            json!({ "event_datetime_end": at(11, 10) }),
            "ValidationError",
        ),
        (
            "not a datetime",
            json!({ "event_datetime_start": "next tuesday" }),
            "ValidationError",
        ),
        ("id with #", json!({ "id": "a#b" }), "ValidationError"),
    ];
    for (what, patch, want) in cases {
        let mut input = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            input[k] = v.clone();
        }
        let r = env
            .mutate("createEvent", json!({ "input": input }), user("org"))
            .await;
        let err = r.expect_err(what);
        assert_eq!(err.error_type(), want, "{what}: {err}");
        assert!(!err.to_string().is_empty());
    }
    assert_eq!(
        env.event("e1").await,
        serde_json::Value::Null,
        "nothing written"
    );
    let ok = env
        .mutate("createEvent", json!({ "input": base }), user("org"))
        .await
        .unwrap();
    assert_eq!(ok["event_duration"], 120);
    assert_eq!(
        ok["event_owner"], "org-name",
        "defaults to the caller's username"
    );
}

#[tokio::test]
async fn only_signed_in_users_create_events() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    let input = json!({ "input": { "name": "x", "room_id": "r", "event_datetime_start": at(1, 10),
                                   "event_datetime_end": at(1, 11), "total_tickets": 1 } });
    assert_eq!(
        error_type(env.mutate("createEvent", input.clone(), anonymous()).await),
        "Unauthorized"
    );
    let iam = json!({ "accountId": "1", "userArn": "arn:aws:iam::1:user/x", "username": "x", "sourceIp": ["1.1.1.1"] });
    assert_eq!(
        error_type(env.mutate("createEvent", input.clone(), iam).await),
        "Unauthorized"
    );
    assert!(env.mutate("createEvent", input, user("u")).await.is_ok());
}

#[tokio::test]
async fn a_room_never_holds_two_overlapping_events() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    env.create_room("s", 10).await;
    env.create_event("o", "a", "r", &at(2, 10), 120, 5)
        .await
        .unwrap();
    let clash = env.create_event("o", "b", "r", &at(2, 11), 120, 5).await;
    assert_eq!(error_type(clash), "Conflict");
    let inside = env.create_event("o", "c", "r", &at(2, 10), 30, 5).await;
    assert_eq!(error_type(inside), "Conflict");
    env.create_event("o", "d", "r", &at(2, 12), 60, 5)
        .await
        .expect("back to back is fine");
    env.create_event("o", "e", "s", &at(2, 11), 60, 5)
        .await
        .expect("another room is fine");
    // Moving an event onto another's time is refused too, and changes nothing.
    let moved = env
        .mutate("updateEvent", json!({ "input": { "id": "d", "event_datetime_start": at(2, 11), "event_datetime_end": at(2, 13) } }), user("o"))
        .await;
    assert_eq!(error_type(moved), "Conflict");
    assert_eq!(
        env.event("d").await["event_datetime_start"]
            .as_str()
            .unwrap()[..13],
        at(2, 12)[..13]
    );
}

#[tokio::test]
async fn organiser_and_admin_edit_an_event_others_may_not() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    env.create_room("big", 500).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 50)
        .await
        .unwrap();

    let rename = |name: &str| json!({ "input": { "id": "e", "name": name } });
    assert_eq!(
        error_type(
            env.mutate("updateEvent", rename("Hijacked"), user("mallory"))
                .await
        ),
        "Unauthorized"
    );
    assert_eq!(
        error_type(
            env.mutate("updateEvent", rename("Hijacked"), anonymous())
                .await
        ),
        "Unauthorized"
    );
    assert_eq!(env.event("e").await["name"], "Event e", "nothing written");

    assert_eq!(
        env.mutate("updateEvent", rename("By organiser"), user("org"))
            .await
            .unwrap()["name"],
        "By organiser"
    );
    assert_eq!(
        env.mutate("updateEvent", rename("By admin"), admin())
            .await
            .unwrap()["name"],
        "By admin"
    );

    let over = json!({ "input": { "id": "e", "total_tickets": 101 } });
    assert_eq!(
        error_type(env.mutate("updateEvent", over, user("org")).await),
        "ValidationError"
    );
    let moved = json!({ "input": { "id": "e", "room_id": "big", "total_tickets": 300 } });
    let e = env.mutate("updateEvent", moved, user("org")).await.unwrap();
    assert_eq!(
        (e["room_id"].as_str(), e["tickets_left"].as_i64()),
        (Some("big"), Some(300))
    );
    let bookings = env
        .nested("Room", "bookings", json!({ "id": "r" }), anonymous())
        .await
        .unwrap();
    assert_eq!(bookings, json!([]), "the old room is free again");
    let bookings = env
        .nested("Room", "bookings", json!({ "id": "big" }), anonymous())
        .await
        .unwrap();
    assert_eq!(bookings[0]["event_id"], "e");

    env.mutate("bookTicket", json!({ "event_id": "e" }), user("fan"))
        .await
        .unwrap();
    let below_sold = json!({ "input": { "id": "e", "total_tickets": 0 } });
    assert_eq!(
        error_type(env.mutate("updateEvent", below_sold, user("org")).await),
        "ValidationError"
    );
    let e = env
        .mutate(
            "updateEvent",
            json!({ "input": { "id": "e", "total_tickets": 1 } }),
            user("org"),
        )
        .await
        .unwrap();
    assert_eq!(
        (e["tickets_sold"].as_i64(), e["tickets_left"].as_i64()),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn delete_by_organiser_frees_the_room_and_removes_tickets() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 5)
        .await
        .unwrap();
    env.mutate("bookTicket", json!({ "event_id": "e" }), user("fan"))
        .await
        .unwrap();
    let del = json!({ "input": { "id": "e" } });
    assert_eq!(
        error_type(env.mutate("deleteEvent", del.clone(), user("fan")).await),
        "Unauthorized"
    );
    assert_eq!(env.event("e").await["id"], "e", "still there");
    assert_eq!(
        env.mutate("deleteEvent", del.clone(), user("org"))
            .await
            .unwrap()["id"],
        "e"
    );
    assert_eq!(env.event("e").await, serde_json::Value::Null);
    assert_eq!(
        error_type(env.mutate("deleteEvent", del, admin()).await),
        "NotFound"
    );
    let mine = env
        .query("listMyEvents", json!({}), user("fan"))
        .await
        .unwrap();
    assert_eq!(mine["items"], json!([]));
    env.mutate("deleteRoom", json!({ "input": { "id": "r" } }), admin())
        .await
        .expect("room is empty now");
}
