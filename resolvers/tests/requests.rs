//! The DynamoDB request budget of the hot operations, counted by SDK interceptors: how many
//! requests of each operation, and for the public list how many sequential round trips.

mod support;

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use chrono::Datelike;
use resolvers::cache::{Cache, Clock, MONTHS_TTL_MS};
use resolvers::{handle, App};
use serde_json::{json, Value};
use support::{admin, anonymous, at, user};

/// Sequential round trips: a request is one deeper than the deepest request that had
/// finished when it was made (any of those may be what it waited for); requests in flight
/// together share a depth. What a page waits for is the deepest.
#[derive(Debug, Clone, Default)]
struct RoundTrips(Arc<Mutex<Depths>>);

#[derive(Debug, Default)]
struct Depths {
    finished: usize,
    deepest: usize,
}

#[derive(Debug)]
struct Depth(usize);

impl Storable for Depth {
    type Storer = StoreReplace<Self>;
}

impl RoundTrips {
    /// `app` on a client that also counts round trips here.
    fn on(&self, mut app: App) -> App {
        let conf = app
            .db
            .client
            .config()
            .to_builder()
            .interceptor(self.clone());
        app.db.client = aws_sdk_dynamodb::Client::from_conf(conf.build());
        app
    }

    fn take(&self) -> usize {
        std::mem::take(&mut *self.0.lock().unwrap()).deepest
    }
}

impl Intercept for RoundTrips {
    fn name(&self) -> &'static str {
        "RoundTrips"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let mut d = self.0.lock().unwrap();
        let depth = d.finished + 1;
        d.deepest = d.deepest.max(depth);
        cfg.interceptor_state().store_put(Depth(depth));
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(Depth(depth)) = cfg.load::<Depth>() {
            let mut d = self.0.lock().unwrap();
            d.finished = d.finished.max(*depth);
        }
        Ok(())
    }
}

/// Twelve events in one month two months ahead, two days apart from the 1st: a page of ten
/// reads one month.
async fn twelve_events_in_one_month(env: &support::Env) {
    env.create_room("r", 100).await;
    let month = chrono::Utc::now().date_naive().with_day(1).unwrap() + chrono::Months::new(2);
    for i in 0..12u64 {
        let start = (month + chrono::Days::new(2 * i))
            .and_hms_opt(18, 0, 0)
            .unwrap();
        let start = start.and_utc().to_rfc3339();
        env.create_event("org", &format!("m{i}"), "r", &start, 60, 10)
            .await
            .unwrap();
    }
    env.counter.reset();
}

/// A page of events: one Query of the listing's directory and one per month it reads (at
/// most 8), and one BatchGetItem of their counters only when the query selects
/// `tickets_left` / `tickets_sold`; its rooms (BatchInvoke on `Event.room`) one more.
#[tokio::test]
async fn a_page_of_events_is_one_query_its_counts_and_rooms_one_batch_get_each() {
    let env = support::empty().await;
    twelve_events_in_one_month(&env).await;
    let page = env
        .query("listEvents", json!({ "limit": 10 }), anonymous())
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 10);
    assert_eq!(
        env.counter.snapshot(),
        [("Query".to_string(), 2), ("BatchGetItem".to_string(), 1)]
            .into_iter()
            .collect()
    );
    env.counter.reset();
    let plain = devtools::selecting(
        devtools::appsync_event(
            "Query",
            "listEvents",
            json!({ "limit": 10 }),
            anonymous(),
            Value::Null,
        ),
        &["items", "items/id", "items/name", "nextToken"],
    );
    let names = handle(&env.app, plain).await.unwrap();
    assert_eq!(names["items"].as_array().unwrap().len(), 10);
    assert!(names["items"][0].get("tickets_left").is_none());
    assert_eq!(
        env.counter.snapshot(),
        [("Query".to_string(), 2)].into_iter().collect(),
        "no counts selected, none read"
    );
    env.counter.reset();
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
    assert_eq!(counts.get("BatchGetItem"), Some(&1));
    assert_eq!(env.counter.total(), 1, "{counts:?}");
}

/// With the read cache on, a container keeps the listing's directory of months a minute: a
/// page it has not kept is then its month's Query and its counters' BatchGetItem, two
/// sequential round trips; in a container that has not read the directory for a minute, three.
#[tokio::test]
async fn a_page_in_a_warm_container_is_two_round_trips() {
    let env = support::empty().await;
    twelve_events_in_one_month(&env).await;
    let clock = Clock::manual();
    let trips = RoundTrips::default();
    let mut app = trips.on(env.app.clone());
    app.cache = Cache::new(clock.clone(), 1000);
    let page = || {
        let ev = devtools::appsync_event(
            "Query",
            "listEvents",
            json!({ "limit": 10 }),
            anonymous(),
            Value::Null,
        );
        handle(&app, ev)
    };
    let budget = |queries: usize| {
        [
            ("Query".to_string(), queries),
            ("BatchGetItem".to_string(), 1),
        ]
        .into_iter()
        .collect()
    };
    for (at, trips_then, queries) in [
        (0, 3, 2),
        (1_000, 2, 1),
        (MONTHS_TTL_MS - 1, 2, 1),
        (MONTHS_TTL_MS + 1_000, 3, 2),
    ] {
        clock.set_ms(at);
        env.counter.reset();
        let got = page().await.unwrap();
        assert_eq!(got["items"].as_array().unwrap().len(), 10);
        assert_eq!(env.counter.snapshot(), budget(queries), "at {at} ms");
        assert_eq!(trips.take(), trips_then, "round trips at {at} ms");
    }
}

/// Whatever the data, a page stays within its bound: the directory and at most 8 months.
#[tokio::test]
async fn a_seeded_page_of_each_kind_stays_within_its_bound() {
    let env = support::seeded().await;
    for when in ["UPCOMING", "PAST", "ALL"] {
        env.counter.reset();
        env.query("listEvents", json!({ "when": when }), anonymous())
            .await
            .unwrap();
        let counts = env.counter.snapshot();
        let queries = counts.get("Query").copied().unwrap_or_default();
        assert!(
            (1..=1 + resolvers::store::listing::MAX_READS_PER_PAGE).contains(&queries),
            "{when}: {counts:?}"
        );
        assert!(counts.get("BatchGetItem").copied().unwrap_or_default() <= 1);
    }
}

/// A booking in a container that knows the event is one transaction; in a fresh container
/// one BatchGetItem of the event's counters comes first.
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
    env.counter.reset();
    let cold = env.app.container(resolvers::cache::Clock::system());
    let ev = devtools::appsync_event(
        "Mutation",
        "bookTicket",
        json!({ "event_id": "e" }),
        user("v"),
        Value::Null,
    );
    handle(&cold, ev).await.unwrap();
    assert_eq!(
        env.counter.snapshot(),
        [
            ("BatchGetItem".to_string(), 1),
            ("TransactWriteItems".to_string(), 1)
        ]
        .into_iter()
        .collect()
    );
}

/// A booking through `updateEvent` (`tickets` naming the caller): the transaction first (no
/// read before it), then one read of what it answers: the event and its counters together
/// when `tickets_left` is selected (one BatchGetItem), the event alone otherwise. Two
/// round trips.
#[tokio::test]
async fn the_seed_clients_booking_writes_once_then_reads_once() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 5)
        .await
        .unwrap();
    env.counter.reset();
    let input = json!({ "input": { "id": "e", "tickets": ["u"] } });
    let e = env.mutate("updateEvent", input, user("u")).await.unwrap();
    assert_eq!(e["tickets_left"], 4);
    let counts = env.counter.snapshot();
    assert_eq!(counts.get("TransactWriteItems"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("BatchGetItem"), Some(&1), "{counts:?}");
    assert_eq!(env.counter.total(), 2);
    env.counter.reset();
    let ev = devtools::selecting(
        devtools::appsync_event(
            "Mutation",
            "updateEvent",
            json!({ "input": { "id": "e", "tickets": ["w"] } }),
            user("w"),
            Value::Null,
        ),
        &["id", "name", "tickets"],
    );
    handle(&env.app, ev).await.unwrap();
    assert_eq!(
        env.counter.snapshot(),
        [
            ("GetItem".to_string(), 1),
            ("TransactWriteItems".to_string(), 1)
        ]
        .into_iter()
        .collect()
    );
}

/// An organiser's page of holders: Event.tickets for a page of events reads at most the
/// first page of each event's holders, one Query per holder shard it needs (here one).
#[tokio::test]
async fn an_organisers_holders_are_one_query_per_event() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 50)
        .await
        .unwrap();
    for who in ["a", "b", "c"] {
        env.mutate("bookTicket", json!({ "event_id": "e" }), user(who))
            .await
            .unwrap();
    }
    env.counter.reset();
    let holders = env
        .nested(
            "Event",
            "tickets",
            json!({ "id": "e", "owner_id": "org", "shards": 1 }),
            admin(),
        )
        .await
        .unwrap();
    assert_eq!(holders, json!(["a", "b", "c"]));
    assert_eq!(
        env.counter.snapshot(),
        [("Query".to_string(), 1)].into_iter().collect()
    );
}

/// An organiser's page of holders: one GetItem of the event (owner, holder shards), then one
/// Query per holder shard it needs, at most the event's counters (8).
#[tokio::test]
async fn a_page_of_holders_is_one_get_and_a_query_per_shard_it_needs() {
    let env = support::empty().await;
    env.create_room("r", 1000).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 600)
        .await
        .unwrap();
    for i in 0..12 {
        env.mutate(
            "bookTicket",
            json!({ "event_id": "e" }),
            user(&format!("b{i}")),
        )
        .await
        .unwrap();
    }
    env.counter.reset();
    let page = env
        .query(
            "listTicketHolders",
            json!({ "event_id": "e", "limit": 100 }),
            user("org"),
        )
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 12);
    assert_eq!(
        env.counter.snapshot(),
        [("GetItem".to_string(), 1), ("Query".to_string(), 3)]
            .into_iter()
            .collect(),
        "the event's 3 holder shards, each read once"
    );
    // Bookings picked counters at random: a page of one reads the shards up to the first
    // that holds a ticket (each counter started with 200 of the 600).
    let counters =
        resolvers::store::inventory::read(&env.app.db, "e", 3, resolvers::store::Read::Latest)
            .await
            .unwrap();
    let first_sold = counters.iter().position(|c| c.left < 200).unwrap();
    env.counter.reset();
    env.query(
        "listTicketHolders",
        json!({ "event_id": "e", "limit": 1 }),
        user("org"),
    )
    .await
    .unwrap();
    assert_eq!(
        env.counter.snapshot(),
        [
            ("GetItem".to_string(), 1),
            ("Query".to_string(), first_sold + 1)
        ]
        .into_iter()
        .collect(),
        "a page the first shard holding a ticket fills"
    );
}

/// `Room.bookings` for a page of rooms is one BatchInvoke: one Query per room.
#[tokio::test]
async fn a_page_of_room_bookings_is_one_call_and_a_query_per_room() {
    let env = support::empty().await;
    for (i, room) in ["r1", "r2", "r3"].iter().enumerate() {
        env.create_room(room, 100).await;
        env.create_event("org", &format!("e{i}"), room, &at(2, 10), 60, 10)
            .await
            .unwrap();
    }
    env.counter.reset();
    let item = |room: &str, limit: i64| {
        devtools::appsync_event(
            "Room",
            "bookings",
            json!({ "limit": limit }),
            anonymous(),
            json!({ "id": room, "name": room, "capacity": 100 }),
        )
    };
    let reply = handle(
        &env.app,
        json!([item("r1", 5), item("r2", 5), item("r3", 5), item("r4", 5)]),
    )
    .await
    .unwrap();
    let items = reply.as_array().unwrap();
    let events: Vec<&Value> = items.iter().map(|i| &i["data"][0]["event_id"]).collect();
    assert_eq!(
        events,
        vec![&json!("e0"), &json!("e1"), &json!("e2"), &Value::Null]
    );
    assert_eq!(items[3]["data"], json!([]), "a room with no bookings");
    assert_eq!(
        env.counter.snapshot(),
        [("Query".to_string(), 4)].into_iter().collect()
    );
}

/// The categories every `createActivity` checks live in one partition key: a container reads
/// them once (one Query) and then keeps them a minute, so each activity afterwards is its one
/// PutItem, and users do not meet in the categories' partition.
#[tokio::test]
async fn activities_read_the_categories_once_per_container() {
    let env = support::seeded().await;
    for (i, who) in ["u", "v", "w"].into_iter().enumerate() {
        let input = json!({ "input": { "category": "Food", "type": "Lunch", "caloriesConsumed": 100 + i } });
        env.mutate("createActivity", input, user(who))
            .await
            .unwrap();
    }
    assert_eq!(
        env.counter.snapshot(),
        [("Query".to_string(), 1), ("PutItem".to_string(), 3)]
            .into_iter()
            .collect()
    );
    // What it refuses still names what is allowed, from the same memory.
    env.counter.reset();
    let refused = env
        .mutate(
            "createActivity",
            json!({ "input": { "category": "Naps", "type": "Lunch", "caloriesConsumed": 1 } }),
            user("u"),
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("allowed: "), "{refused}");
    assert_eq!(env.counter.total(), 0);
}
