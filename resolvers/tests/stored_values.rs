//! Issue 12's defects 1 and 4 against DynamoDB Local: a time enters only if it can be stored fixed-width
//! and read back (by the resolvers and by the aggregator's reader), and a corrupt stored count
//! is an Internal error, never a panic or a wrapped number.

mod support;

use serde_json::{json, Value};
use support::{admin, anonymous, at, user};

/// UTC years 10000 and -1 once the offsets are applied.
const BEYOND: [&str; 2] = ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+14:00"];

fn assert_names_the_range(r: Result<Value, resolvers::AppError>, what: &str) {
    let err = r.expect_err(what);
    assert_eq!(err.error_type(), "ValidationError", "{what}: {err}");
    let msg = err.to_string();
    assert!(
        msg.contains("0000-01-01T00:00:00Z") && msg.contains("9999-12-31T23:59:59.999Z"),
        "{what}: {msg}"
    );
}

#[tokio::test]
async fn activity_times_outside_four_digit_utc_years_are_refused_and_nothing_is_written() {
    let env = support::seeded().await;
    for t in BEYOND {
        let input = json!({ "input": { "id": "x", "category": "Food", "type": "Lunch",
                                       "caloriesConsumed": 1, "creationDateTime": t } });
        assert_names_the_range(
            env.mutate("createActivity", input, user("u")).await,
            &format!("createActivity at {t}"),
        );
    }
    assert_eq!(
        env.query("getActivity", json!({ "id": "x" }), user("u"))
            .await
            .unwrap(),
        Value::Null,
        "nothing written"
    );
    let ok = json!({ "input": { "id": "a", "category": "Food", "type": "Lunch",
                                "caloriesConsumed": 1, "creationDateTime": "2026-11-20T12:00:00Z" } });
    env.mutate("createActivity", ok, user("u")).await.unwrap();
    for t in BEYOND {
        let input = json!({ "input": { "id": "a", "creationDateTime": t } });
        assert_names_the_range(
            env.mutate("updateActivity", input, user("u")).await,
            &format!("updateActivity to {t}"),
        );
        assert_names_the_range(
            env.query("listActivities", json!({ "from": t }), user("u"))
                .await,
            &format!("listActivities from {t}"),
        );
    }
    let a = env
        .query("getActivity", json!({ "id": "a" }), user("u"))
        .await
        .unwrap();
    assert_eq!(
        a["creationDateTime"], "2026-11-20T12:00:00.000Z",
        "unchanged"
    );
    let err = env
        .query(
            "getUserAggregate",
            json!({ "date": "+10000-01-01" }),
            user("u"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ValidationError");
}

/// The edges of the range are stored in the fixed width and the aggregator's reader buckets
/// them: what the resolvers accept, the aggregator counts.
#[tokio::test]
async fn the_edges_of_the_range_are_stored_fixed_width_and_the_aggregator_reads_them() {
    let env = support::seeded().await;
    for (id, given, stored, day) in [
        (
            "last",
            "9999-12-31T23:59:59.999+23:59",
            "9999-12-31T00:00:59.999Z",
            "9999-12-31",
        ),
        (
            "first",
            "0000-01-01T00:00:00-01:00",
            "0000-01-01T01:00:00.000Z",
            "0000-01-01",
        ),
    ] {
        let input = json!({ "input": { "id": id, "category": "Food", "type": "Lunch",
                                       "caloriesConsumed": 5, "creationDateTime": given } });
        let a = env
            .mutate("createActivity", input, user("u"))
            .await
            .unwrap();
        assert_eq!(a["creationDateTime"], stored);
        let read: model::Activity = serde_json::from_value(a).unwrap();
        let c = read.contribution().expect("the aggregator can count it");
        assert_eq!(c.day.to_string(), day);
    }
    let (items, _) = env
        .all_pages("listActivities", json!({ "limit": 1 }), user("u"))
        .await;
    let ids: Vec<&str> = items.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["last", "first"], "string order is time order");
}

#[tokio::test]
async fn event_times_outside_four_digit_utc_years_are_refused() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    let input = |start: &str, end: &str| {
        json!({ "input": { "id": "e", "name": "x", "room_id": "r",
                           "event_datetime_start": start, "event_datetime_end": end,
                           "total_tickets": 1 } })
    };
    assert_names_the_range(
        env.mutate(
            "createEvent",
            input("9999-12-31T20:00:00Z", BEYOND[0]),
            user("o"),
        )
        .await,
        "createEvent ending after 9999",
    );
    assert_names_the_range(
        env.mutate(
            "createEvent",
            input(BEYOND[1], "0000-01-02T00:00:00Z"),
            user("o"),
        )
        .await,
        "createEvent starting before 0000",
    );
    assert_eq!(env.event("e").await, Value::Null, "nothing written");
    env.create_event("o", "e", "r", &at(2, 10), 60, 1)
        .await
        .unwrap();
    let moved = json!({ "input": { "id": "e", "event_datetime_end": BEYOND[0] } });
    assert_names_the_range(
        env.mutate("updateEvent", moved, user("o")).await,
        "updateEvent ending after 9999",
    );
    for t in BEYOND {
        let bookings = devtools::appsync_event(
            "Room",
            "bookings",
            json!({ "from": t }),
            anonymous(),
            json!({ "id": "r" }),
        );
        assert_names_the_range(
            resolvers::handle(&env.app, bookings).await,
            &format!("Room.bookings from {t}"),
        );
    }
}

/// Counts the resolvers never write (stored by something else, or corrupted) are Internal
/// errors, logged; before, `tickets_sold` panicked in debug builds and wrapped in release.
#[tokio::test]
async fn a_corrupt_stored_count_is_an_internal_error_not_a_panic() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    env.create_event("o", "e", "r", &at(2, 10), 60, 5)
        .await
        .unwrap();
    env.app
        .db
        .client
        .update_item()
        .table_name(&env.app.db.tables.events)
        .key("id", resolvers::store::s("e"))
        .update_expression("SET total_tickets = :min")
        .expression_attribute_values(":min", resolvers::store::n(i64::MIN))
        .send()
        .await
        .unwrap();
    // The listing's copies of the event too (issue 9: lists read those).
    let copies = env
        .app
        .db
        .client
        .scan()
        .table_name(&env.app.db.tables.listing)
        .send()
        .await
        .unwrap();
    for item in copies.items() {
        if item.get("id") == Some(&resolvers::store::s("e")) {
            env.app
                .db
                .client
                .update_item()
                .table_name(&env.app.db.tables.listing)
                .key("pk", item["pk"].clone())
                .key("sk", item["sk"].clone())
                .update_expression("SET total_tickets = :min")
                .expression_attribute_values(":min", resolvers::store::n(i64::MIN))
                .send()
                .await
                .unwrap();
        }
    }
    for r in [
        env.query("getEvent", json!({ "id": "e" }), anonymous())
            .await,
        env.query("listEvents", json!({}), anonymous()).await,
        env.mutate(
            "updateEvent",
            json!({ "input": { "id": "e", "name": "Renamed" } }),
            user("o"),
        )
        .await,
        env.mutate(
            "updateEvent",
            json!({ "input": { "id": "e", "total_tickets": 3 } }),
            admin(),
        )
        .await,
    ] {
        let err = r.expect_err("a corrupt count");
        assert_eq!(err.error_type(), "Internal", "{err}");
        assert!(
            !err.to_string().contains("overflow"),
            "details stay in the log"
        );
    }
    let stored = env
        .app
        .db
        .client
        .get_item()
        .table_name(&env.app.db.tables.events)
        .key("id", resolvers::store::s("e"))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(
        stored["name"],
        resolvers::store::s("Event e"),
        "nothing built on corrupt counts"
    );
    assert_eq!(stored["version"], resolvers::store::n(0));
}
