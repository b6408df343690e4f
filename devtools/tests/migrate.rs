//! The migration to issue 9's layout against moto: events and tickets written in the old
//! layout go in, the new layout comes out with every count exact, the resolvers serve it
//! (lists, counts, holders, bookings, cancellations), and running it again (after an
//! interruption or not) finishes what is left and changes nothing else.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use chrono::{Duration, SecondsFormat, Utc};
use devtools::migrate::{self, Report};
use resolvers::{handle, App, AppError};
use serde_json::{json, Value};

const SECRET: &str = "migration-test-page-token-secret-0123456789";

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn at(days: i64) -> String {
    (Utc::now() + Duration::days(days)).to_rfc3339_opts(SecondsFormat::Millis, true)
}

async fn call(
    app: &App,
    parent: &str,
    field: &str,
    args: Value,
    who: &str,
) -> Result<Value, AppError> {
    let identity = if who.is_empty() {
        Value::Null
    } else {
        devtools::cognito_identity(who, who, &[])
    };
    handle(
        app,
        devtools::appsync_event(parent, field, args, identity, Value::Null),
    )
    .await
}

/// The tickets table of the old layout: keyed (event_id, user_id).
async fn old_tickets_table(db: &aws_sdk_dynamodb::Client, name: &str) {
    let attr = |a: &str| {
        AttributeDefinition::builder()
            .attribute_name(a)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    let key = |a: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(a)
            .key_type(t)
            .build()
            .unwrap()
    };
    db.create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("event_id"))
        .attribute_definitions(attr("user_id"))
        .key_schema(key("event_id", KeyType::Hash))
        .key_schema(key("user_id", KeyType::Range))
        .send()
        .await
        .unwrap();
}

/// An event item as the resolvers of issue 8 stored it, and its holders.
async fn old_event(
    db: &aws_sdk_dynamodb::Client,
    tables: &BTreeMap<String, String>,
    old_tickets: &str,
    (id, days, total, holders): (&str, i64, i64, usize),
) {
    let start = Utc::now() + Duration::days(days);
    let end = (start + Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let start = start.to_rfc3339_opts(SecondsFormat::Millis, true);
    let sold = holders as i64;
    db.put_item()
        .table_name(&tables["EVENTS_TABLE"])
        .item("id", s(id))
        .item("kind", s("EVENT"))
        .item("name", s(&format!("Event {id}")))
        .item("event_owner", s("Org"))
        .item("owner_id", s("org"))
        .item("room_id", s("r"))
        .item("event_datetime_start", s(&start))
        .item("event_datetime_end", s(&end))
        .item("event_duration", n(120))
        .item("total_tickets", n(total))
        .item("tickets_left", n((total - sold).max(0)))
        .item("version", n(3))
        .send()
        .await
        .unwrap();
    for i in 0..holders {
        db.put_item()
            .table_name(old_tickets)
            .item("event_id", s(id))
            .item("user_id", s(&format!("u{i:03}")))
            .item("booked_at", s(&at(-1)))
            .send()
            .await
            .unwrap();
    }
}

/// Every item of the four tables the migration writes, as text, for comparing runs.
async fn snapshot(app: &App) -> BTreeSet<String> {
    let t = &app.db.tables;
    let mut out = BTreeSet::new();
    for table in [&t.events, &t.inventory, &t.listing, &t.tickets] {
        let items = app.db.client.scan().table_name(table).send().await.unwrap();
        for item in items.items() {
            let sorted: BTreeMap<_, _> = item
                .iter()
                .map(|(k, v)| (k.clone(), format!("{v:?}")))
                .collect();
            out.insert(format!("{table} {sorted:?}"));
        }
    }
    out
}

#[tokio::test]
async fn old_layout_in_new_layout_out_exact_and_idempotent() {
    let db = testkit::client(None).await;
    let prefix = testkit::unique_prefix();
    let tables = testkit::create_tables(&db, &prefix).await;
    let old = format!("{prefix}-OldTickets");
    old_tickets_table(&db, &old).await;
    for e in [
        ("big", 2, 600, 40),
        ("full", 3, 10, 10),
        ("past", -3, 5, 0),
        ("over", 4, 2, 3),
    ] {
        old_event(&db, &tables, &old, e).await;
    }
    let app = devtools::app(db, &tables, SECRET);

    // An interrupted run: one event moved, then stopped.
    let first = migrate::run(&app.db, &old, Some(1)).await.unwrap();
    assert_eq!(
        (first.migrated, first.stopped_early),
        (1, true),
        "{first:?}"
    );
    let rest = migrate::run(&app.db, &old, None).await.unwrap();
    assert_eq!((rest.migrated, rest.already), (2, 1), "{rest:?}");
    assert_eq!(first.tickets + rest.tickets, 50, "40 + 10 tickets copied");
    assert_eq!(rest.refused.len(), 1, "{rest:?}");
    assert_eq!(
        rest.refused[0].0, "over",
        "3 holders of 2 tickets: left for a person"
    );

    // Again: nothing changes.
    let before = snapshot(&app).await;
    let again = migrate::run(&app.db, &old, None).await.unwrap();
    assert_eq!(
        again,
        Report {
            migrated: 0,
            already: 3,
            tickets: 0,
            refused: rest.refused.clone(),
            stopped_early: false,
        }
    );
    assert_eq!(snapshot(&app).await, before, "a second run writes nothing");

    // The new layout, through the resolvers.
    let get = |id: &'static str| {
        let app = app.clone();
        async move {
            call(&app, "Query", "getEvent", json!({ "id": id }), "")
                .await
                .unwrap()
        }
    };
    let big = get("big").await;
    assert_eq!(
        (big["tickets_left"].as_i64(), big["tickets_sold"].as_i64()),
        (Some(560), Some(40))
    );
    assert_eq!(get("full").await["tickets_left"], 0);
    assert_eq!(get("past").await["tickets_left"], 5);
    let items = app
        .db
        .client
        .get_item()
        .table_name(&app.db.tables.events)
        .key("id", s("big"))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert!(!items.contains_key("kind") && !items.contains_key("tickets_left"));
    assert_eq!(items["shards"], n(3), "600 tickets: 3 counters");
    assert_eq!(items["version"], n(4));

    let all = call(&app, "Query", "listEvents", json!({ "when": "ALL" }), "")
        .await
        .unwrap();
    let listed: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        vec!["past", "big", "full"],
        "the listing, in start order"
    );
    let past = call(&app, "Query", "listEvents", json!({ "when": "PAST" }), "")
        .await
        .unwrap();
    assert_eq!(past["items"][0]["id"], "past");

    let mut holders = BTreeSet::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let mut args = json!({ "event_id": "big", "limit": 15 });
        if let Some(t) = &token {
            args["nextToken"] = json!(t);
        }
        let page = call(&app, "Query", "listTicketHolders", args, "org")
            .await
            .unwrap();
        for t in page["items"].as_array().unwrap() {
            assert!(
                holders.insert(t["user_id"].as_str().unwrap().to_string()),
                "once each"
            );
        }
        token = page["nextToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let expected: BTreeSet<String> = (0..40).map(|i| format!("u{i:03}")).collect();
    assert_eq!(holders, expected);
    let mine = call(&app, "Query", "listMyEvents", json!({}), "u020")
        .await
        .unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["id"], "big");

    // Bookings and cancellations on migrated events keep the counts exact.
    let sold_out = call(
        &app,
        "Mutation",
        "bookTicket",
        json!({ "event_id": "full" }),
        "new",
    )
    .await
    .unwrap_err();
    assert_eq!(sold_out.error_type(), "SoldOut");
    let again = call(
        &app,
        "Mutation",
        "bookTicket",
        json!({ "event_id": "big" }),
        "u001",
    )
    .await
    .unwrap_err();
    assert_eq!(
        again.error_type(),
        "Conflict",
        "a migrated holder holds their ticket"
    );
    for (field, event, who) in [
        ("bookTicket", "big", "new"),
        ("cancelTicket", "big", "u002"),
        ("cancelTicket", "full", "u003"),
    ] {
        call(&app, "Mutation", field, json!({ "event_id": event }), who)
            .await
            .unwrap_or_else(|e| panic!("{field} {event} by {who}: {e}"));
    }
    assert_eq!(get("big").await["tickets_left"], 560);
    assert_eq!(get("full").await["tickets_left"], 1);
}
