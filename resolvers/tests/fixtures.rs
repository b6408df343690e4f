//! Every AppSync fixture in fixtures/appsync works against seeded tables: the same files
//! `cargo lambda invoke --data-file` sends.

mod support;

use std::path::Path;

use resolvers::handle;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/appsync")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[tokio::test]
async fn every_fixture_resolves_in_a_realistic_order() {
    let env = support::seeded().await;
    let run = |name: &'static str| {
        let app = env.app.clone();
        async move {
            handle(&app, fixture(name))
                .await
                .unwrap_or_else(|e| panic!("{name}: {} {e}", e.error_type()))
        }
    };

    let rooms = run("query-listRooms.json").await;
    assert_eq!(rooms["items"].as_array().unwrap().len(), 3);
    assert_eq!(run("query-getRoom.json").await["name"], "Lecture Hall 1");

    let upcoming = run("query-listEvents.json").await;
    let items = upcoming["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.len() <= 5);
    assert_eq!(run("query-getEvent.json").await["id"], "evt-p1-19");

    assert_eq!(run("mutation-createRoom.json").await["capacity"], 30);
    assert_eq!(run("mutation-updateRoom.json").await["capacity"], 40);
    assert_eq!(run("mutation-deleteRoom.json").await["id"], "4");

    let created = run("mutation-createEvent.json").await;
    assert_eq!(
        (
            created["tickets_left"].as_i64(),
            created["event_duration"].as_i64()
        ),
        (Some(50), Some(90))
    );
    let updated = run("mutation-updateEvent.json").await;
    assert_eq!(updated["name"], "Rust on AWS Lambda");
    assert_eq!(updated["event_duration"], 120);
    assert_eq!(updated["total_tickets"], 60);

    let booked = run("mutation-updateEvent-seed-booking.json").await;
    assert_eq!(
        booked["tickets_left"], 49,
        "one ticket of room 2's 50 taken"
    );
    assert_eq!(
        run("event-tickets.json").await,
        serde_json::json!(["user-bob"])
    );
    assert_eq!(run("ticket-event.json").await["id"], "evt-p1-19");
    let holders = run("query-listTicketHolders.json").await;
    assert_eq!(
        holders["items"][0]["user_id"], "user-bob",
        "the organiser's view"
    );

    assert_eq!(run("mutation-bookTicket.json").await["user_id"], "user-bob");
    let mine = run("query-listMyEvents.json").await;
    let ids: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec!["evt-alice-talk", "evt-p1-19"],
        "most recently booked first"
    );
    assert_eq!(
        run("mutation-cancelTicket.json").await["event_id"],
        "evt-alice-talk"
    );

    let bookings = run("room-bookings.json").await;
    assert!(bookings
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["event_id"] == "evt-alice-talk"));
    assert_eq!(
        run("mutation-deleteEvent.json").await["id"],
        "evt-alice-talk"
    );

    // The calorie tracker, as alice.
    let categories = run("query-listActivityCategories.json").await;
    assert_eq!(categories.as_array().unwrap().len(), 3);
    assert_eq!(
        run("mutation-createActivity.json").await["caloriesConsumed"],
        650
    );
    assert_eq!(
        run("mutation-updateActivity.json").await["caloriesConsumed"],
        700
    );
    assert_eq!(run("query-getActivity.json").await["type"], "Lunch");
    assert_eq!(
        run("query-listActivities.json").await["items"][0]["id"],
        "act-alice-lunch"
    );
    assert_eq!(
        run("mutation-deleteActivity.json").await["id"],
        "act-alice-lunch"
    );
    assert_eq!(run("mutation-updateUser.json").await["bmi"], 21.8);
    assert_eq!(run("query-getUser.json").await["username"], "alice");
    // Aggregates are the aggregator's: with no stream processed here the day reads as zero.
    assert_eq!(
        run("query-getUserAggregate.json").await["caloriesConsumed"],
        0
    );
    assert_eq!(
        run("query-listUserAggregates.json").await["items"],
        serde_json::json!([])
    );
    for sub in [
        "subscription-onCreateActivity.json",
        "subscription-onUpdateActivity.json",
        "subscription-onDeleteActivity.json",
    ] {
        assert_eq!(
            run(sub).await,
            Value::Null,
            "{sub}: allowed, nothing to return"
        );
    }

    let batch = run("batch-event-room.json").await;
    let names: Vec<&str> = batch
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["data"]["name"].as_str().unwrap_or_else(|| panic!("{i}")))
        .collect();
    assert_eq!(
        names,
        vec![
            "Lecture Hall 1",
            "Student's Union Common Room",
            "Sports Arena"
        ]
    );
}

#[test]
fn every_fixture_is_an_appsync_event_for_a_routed_field() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/appsync");
    let mut seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let events = match v {
            Value::Array(a) => a,
            one => vec![one],
        };
        for e in events {
            let field = format!(
                "{}.{}",
                e["info"]["parentTypeName"].as_str().unwrap(),
                e["info"]["fieldName"].as_str().unwrap()
            );
            assert!(
                resolvers::appsync::fields::RESOLVED_FIELDS.contains(&field.as_str()),
                "{field}"
            );
            seen.insert(field);
        }
    }
    for f in resolvers::appsync::fields::RESOLVED_FIELDS {
        assert!(seen.contains(*f), "no fixture for {f}");
    }
}
