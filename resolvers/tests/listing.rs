//! The public listing: events copied by start month into replicated partitions
//! that bookings never write; pages walk months through a directory, in every order, and a
//! container may keep a page for `READ_CACHE_TTL_MS`.

mod support;

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, Months, Utc};
use resolvers::cache::{Cache, Clock, MONTHS_TTL_MS};
use resolvers::domain::listing::REPLICAS;
use resolvers::App;
use serde_json::{json, Value};
use support::{anonymous, at, user};

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

/// The first of the month `offset` months from now, at `day` (1-based) 18:00 UTC.
fn in_month(offset: i32, day: u64) -> String {
    let first = Utc::now().date_naive().with_day(1).unwrap();
    let month = if offset >= 0 {
        first + Months::new(offset as u32)
    } else {
        first - Months::new(offset.unsigned_abs())
    };
    (month + chrono::Days::new(day - 1))
        .and_hms_opt(18, 0, 0)
        .unwrap()
        .and_utc()
        .to_rfc3339()
}

/// Entries of `event_id` in the listing table, by replica partition.
async fn entries(env: &support::Env, event_id: &str) -> Vec<String> {
    let all = env
        .app
        .db
        .client
        .scan()
        .table_name(&env.app.db.tables.listing)
        .send()
        .await
        .unwrap();
    let mut pks: Vec<String> = all
        .items()
        .iter()
        .filter(|i| i.get("id").and_then(|v| v.as_s().ok()) == Some(&event_id.to_string()))
        .map(|i| i["pk"].as_s().unwrap().clone())
        .collect();
    pks.sort();
    pks
}

#[tokio::test]
async fn pages_cross_months_and_the_directory_in_every_order() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    // Two past months and eleven to come (more than one page of the directory), one or two
    // events each; two months in between hold none.
    let mut expected = Vec::new();
    for m in -2..13 {
        if m == 3 || m == 7 {
            continue;
        }
        for day in [3, 17].into_iter().take(if m % 2 == 0 { 2 } else { 1 }) {
            let id = format!("m{m}-d{day}");
            env.create_event("org", &id, "r", &in_month(m, day), 60, 10)
                .await
                .unwrap();
            expected.push((in_month(m, day), id));
        }
    }
    expected.sort();
    let all: Vec<String> = expected.iter().map(|(_, id)| id.clone()).collect();
    let (items, pages) = env
        .all_pages(
            "listEvents",
            json!({ "when": "ALL", "limit": 3 }),
            anonymous(),
        )
        .await;
    assert_eq!(ids(&items), all, "ALL: every event once, in start order");
    assert!(pages >= all.len() / 3, "{pages}");
    let now = Utc::now().to_rfc3339();
    let (items, _) = env
        .all_pages(
            "listEvents",
            json!({ "when": "UPCOMING", "limit": 4 }),
            anonymous(),
        )
        .await;
    let upcoming: Vec<String> = expected
        .iter()
        .filter(|(start, _)| {
            let end = chrono::DateTime::parse_from_rfc3339(start).unwrap() + Duration::hours(1);
            end.to_rfc3339() > now
        })
        .map(|(_, id)| id.clone())
        .collect();
    assert_eq!(ids(&items), upcoming, "UPCOMING: not ended, soonest first");
    let (items, _) = env
        .all_pages(
            "listEvents",
            json!({ "when": "PAST", "limit": 2 }),
            anonymous(),
        )
        .await;
    let mut past: Vec<String> = all
        .iter()
        .filter(|id| !upcoming.contains(id))
        .cloned()
        .collect();
    past.reverse();
    assert_eq!(ids(&items), past, "PAST: ended, most recent first");
}

#[tokio::test]
async fn an_edit_moves_its_entries_and_a_delete_removes_them() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    env.create_event("org", "e", "r", &in_month(1, 5), 60, 10)
        .await
        .unwrap();
    let first = entries(&env, "e").await;
    assert_eq!(
        first.len() as i64,
        REPLICAS,
        "one entry per replica: {first:?}"
    );
    let moved = json!({ "input": {
        "id": "e", "name": "Moved", "event_datetime_start": in_month(4, 9),
        "event_datetime_end": (chrono::DateTime::parse_from_rfc3339(&in_month(4, 9)).unwrap()
            + Duration::hours(1)).to_rfc3339()
    } });
    env.mutate("updateEvent", moved, user("org")).await.unwrap();
    let now = entries(&env, "e").await;
    assert_eq!(now.len() as i64, REPLICAS);
    assert!(
        now.iter().all(|pk| !first.contains(pk)),
        "moved: {first:?} -> {now:?}"
    );
    let (items, _) = env
        .all_pages("listEvents", json!({ "when": "ALL" }), anonymous())
        .await;
    assert_eq!(ids(&items), vec!["e"]);
    assert_eq!(items[0]["name"], "Moved");
    env.mutate(
        "deleteEvent",
        json!({ "input": { "id": "e" } }),
        user("org"),
    )
    .await
    .unwrap();
    assert!(entries(&env, "e").await.is_empty());
    let (items, _) = env
        .all_pages("listEvents", json!({ "when": "ALL" }), anonymous())
        .await;
    assert!(items.is_empty());
}

/// No write on the booking or cancelling path touches a partition other events'
/// bookings also write: not the event, not the listing; only the booker's ticket, and one
/// counter of the event.
#[tokio::test]
async fn bookings_write_only_the_ticket_and_one_counter() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 10)
        .await
        .unwrap();
    env.counter.reset();
    for (field, who) in [
        ("bookTicket", "a"),
        ("bookTicket", "b"),
        ("cancelTicket", "a"),
    ] {
        env.mutate(field, json!({ "event_id": "e" }), user(who))
            .await
            .unwrap();
    }
    let seed = json!({ "input": { "id": "e", "tickets": ["c"] } });
    env.mutate("updateEvent", seed, user("c")).await.unwrap();
    let written: BTreeSet<String> = env
        .counter
        .accesses()
        .into_keys()
        .filter(|a| !a.action.ends_with("GetItem") && !a.action.ends_with("Query"))
        .filter_map(|a| a.table)
        .collect();
    let tables = &env.app.db.tables;
    assert_eq!(
        written,
        BTreeSet::from([tables.inventory.clone(), tables.tickets.clone()])
    );
}

#[tokio::test]
async fn a_container_keeps_public_pages_for_its_ttl() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 10)
        .await
        .unwrap();
    let tables = testkit::template::Template::repository()
        .tables
        .iter()
        .map(|t| t.env_var())
        .collect::<Vec<_>>();
    let names: std::collections::BTreeMap<String, String> = tables
        .iter()
        .map(|var| {
            let name = match var.as_str() {
                "EVENTS_TABLE" => env.app.db.tables.events.clone(),
                "INVENTORY_TABLE" => env.app.db.tables.inventory.clone(),
                "LISTING_TABLE" => env.app.db.tables.listing.clone(),
                "TICKETS_TABLE" => env.app.db.tables.tickets.clone(),
                "ROOMS_TABLE" => env.app.db.tables.rooms.clone(),
                "ROOM_BOOKINGS_TABLE" => env.app.db.tables.room_bookings.clone(),
                _ => format!("unused-{var}"),
            };
            (var.clone(), name)
        })
        .collect();
    let lookup = |k: &str| match k {
        "READ_CACHE_TTL_MS" => Some("1000".to_string()),
        resolvers::config::PAGE_TOKEN_SECRET => Some(support::SECRET.to_string()),
        _ => names.get(k).cloned(),
    };
    let clock = Clock::manual();
    let app = App::from_lookup(env.app.db.client.clone(), lookup)
        .unwrap()
        .container(clock.clone());
    let page = |app: App| async move {
        let ev =
            devtools::appsync_event("Query", "listEvents", json!({}), anonymous(), Value::Null);
        resolvers::handle(&app, ev).await.unwrap()
    };
    let rooms = |app: App| async move {
        let ev = devtools::appsync_event("Query", "listRooms", json!({}), anonymous(), Value::Null);
        let page = resolvers::handle(&app, ev).await.unwrap();
        page["items"].as_array().unwrap().len()
    };
    let first = page(app.clone()).await;
    assert_eq!(first["items"][0]["tickets_left"], 10);
    assert_eq!(rooms(app.clone()).await, 1);
    env.mutate("bookTicket", json!({ "event_id": "e" }), user("a"))
        .await
        .unwrap();
    env.create_room("r2", 50).await;
    env.counter.reset();
    clock.set_ms(999);
    let cached = page(app.clone()).await;
    assert_eq!(rooms(app.clone()).await, 1, "the rooms' list as read");
    assert_eq!(env.counter.total(), 0, "served from the container's memory");
    assert_eq!(
        cached["items"][0]["tickets_left"], 10,
        "up to a second stale"
    );
    clock.set_ms(1000);
    let fresh = page(app.clone()).await;
    assert!(env.counter.total() > 0);
    assert_eq!(fresh["items"][0]["tickets_left"], 9);
    assert_eq!(rooms(app).await, 2, "read again after the TTL");
}

/// With the read cache on, a container keeps the directory of months a minute: an event in a
/// month it lists shows once the page expires, one in a month new to it within that minute.
#[tokio::test]
async fn a_new_month_reaches_a_warm_container_within_the_directory_ttl() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    env.create_event("org", "a", "r", &in_month(1, 5), 60, 10)
        .await
        .unwrap();
    let clock = Clock::manual();
    let mut app = env.app.clone();
    app.cache = Cache::new(clock.clone(), 1000);
    let listed = |app: &App| {
        let ev =
            devtools::appsync_event("Query", "listEvents", json!({}), anonymous(), Value::Null);
        let app = app.clone();
        async move {
            ids(resolvers::handle(&app, ev).await.unwrap()["items"]
                .as_array()
                .unwrap())
        }
    };
    assert_eq!(listed(&app).await, ["a"]);
    env.create_event("org", "b", "r", &in_month(1, 9), 60, 10)
        .await
        .unwrap();
    env.create_event("org", "c", "r", &in_month(2, 5), 60, 10)
        .await
        .unwrap();
    clock.set_ms(1000);
    assert_eq!(
        listed(&app).await,
        ["a", "b"],
        "the month of c not yet known"
    );
    clock.set_ms(MONTHS_TTL_MS);
    assert_eq!(listed(&app).await, ["a", "b", "c"]);
}
