//! The resolver's own work per AppSync event, without any network I/O.
//!
//! Groups (each named `resolvers.<group>` in criterion's output):
//! - `parse`: payload bytes -> JSON value (what lambda_runtime hands `handle`) -> `appsync_contract::Event`
//!   -> Caller (identity) -> typed `Operation`. The same three steps as `resolvers::handle`.
//! - `request`: building the DynamoDB request a handler would send (the booking transaction,
//!   a BatchGetItem for `Event.room`), up to the fluent builder, not the wire.
//! - `reply`: domain values -> GraphQL value -> the JSON bytes posted back to Lambda.
//! - `pipeline`: parse + request + reply for one fixture: the per-event figure that the
//!   50 µs target in BENCHMARKS.md is about.
//! - `handle_in_memory`: `resolvers::handle` end to end with an in-process HTTP client that
//!   answers every DynamoDB call with a canned body. This adds what the SDK does per call
//!   (endpoint resolution, request serialization, SigV4 signing, response parsing); nothing
//!   leaves the process.
//!
//! Run: `cargo bench -p resolvers --bench handler_overhead`, then
//! `python3 bench/criterion_medians.py resolvers.` for the medians BENCHMARKS.md quotes.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{KeysAndAttributes, TransactWriteItem};
use aws_smithy_runtime_api::client::http::{
    http_client_fn, HttpConnector, HttpConnectorFuture, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};

use resolvers::appsync::fields::{Batch, BookTicketArgs, Operation};
use resolvers::appsync::Call;
use resolvers::appsync::{batch_item, Caller};
use resolvers::domain::event::Event;
use resolvers::domain::inventory::Counter;
use resolvers::domain::plan;
use resolvers::domain::room::{Room, ROOM_KIND};
use resolvers::domain::ticket::{OwnTicketCall, Ticket};
use resolvers::output::{to_value, Connection, EventOut, RoomOut, TicketOut};
use resolvers::paging::PageKey;
use resolvers::store::{self, Item};
use resolvers::{handle, prepare, App, Prepared, Tables};

const SECRET: &str = "bench-page-token-secret-0123456789abcdef";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/appsync")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn setting(k: &str) -> Option<String> {
    Some(match k {
        resolvers::config::PAGE_TOKEN_SECRET => SECRET.to_string(),
        // No container cache: every call does its work.
        resolvers::config::READ_CACHE_TTL_MS => return None,
        table => format!("bench-{}", table.to_ascii_lowercase()),
    })
}

fn app_over(client: aws_sdk_dynamodb::Client) -> App {
    App::from_lookup(client, setting).expect("every setting is given")
}

/// A DynamoDB client that can never reach anything: static credentials, a closed port.
fn offline_app() -> App {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDBENCH",
            "bench-secret",
            None,
            None,
            "bench",
        ))
        .endpoint_url("http://127.0.0.1:1")
        .build();
    app_over(aws_sdk_dynamodb::Client::from_conf(config))
}

/// Answers each DynamoDB operation (by its X-Amz-Target) from canned items: a Query of the
/// listing's directory with the sample events' month, any other Query with the events; a
/// BatchGetItem with the rooms and the inventory counters it asks for (42 tickets left).
#[derive(Debug, Clone)]
struct Canned {
    directory: String,
    events: String,
    rooms: Vec<Value>,
    tables: Tables,
}

impl Canned {
    fn batch_get(&self, request: &Value) -> String {
        let mut responses = serde_json::Map::new();
        for (table, asked) in request["RequestItems"].as_object().into_iter().flatten() {
            let items: Vec<Value> = if *table == self.tables.rooms {
                self.rooms.clone()
            } else if *table == self.tables.inventory {
                let keys = asked["Keys"].as_array().cloned().unwrap_or_default();
                keys.iter()
                    .filter_map(|k| k["pk"]["S"].as_str())
                    .map(|pk| {
                        let (event_id, shard) = pk.rsplit_once('#').unwrap_or((pk, "0"));
                        let mut c = Counter::new(
                            event_id,
                            shard.parse().unwrap_or(0),
                            42,
                            "2099-05-01T19:00:00.000Z",
                            "user-seed-organiser",
                        );
                        c.shards = Some(1);
                        wire_item(&serde_json::to_value(c).expect("serializable"))
                    })
                    .collect()
            } else {
                vec![]
            };
            responses.insert(table.clone(), Value::Array(items));
        }
        json!({ "Responses": responses, "UnprocessedKeys": {} }).to_string()
    }
}

impl HttpConnector for Canned {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let target = request.headers().get("x-amz-target").unwrap_or("");
        let sent: Value = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null);
        let body = match target.rsplit('.').next().unwrap_or("") {
            "Query" => {
                let pk = sent["ExpressionAttributeValues"][":pk"]["S"].as_str();
                if pk.is_some_and(|p| p.starts_with("DIR#")) {
                    self.directory.clone()
                } else {
                    self.events.clone()
                }
            }
            "BatchGetItem" => self.batch_get(&sent),
            // TransactWriteItems (committed), PutItem, UpdateItem...
            _ => "{}".to_string(),
        };
        let status = StatusCode::try_from(200u16).expect("valid status");
        HttpConnectorFuture::ready(Ok(HttpResponse::new(status, SdkBody::from(body))))
    }
}

/// DynamoDB wire JSON ({"S": ..} / {"N": ..}) of a flat JSON object of strings and numbers.
fn wire_item(v: &Value) -> Value {
    let obj = v.as_object().expect("an object");
    obj.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let attr = match v {
                Value::String(s) => json!({ "S": s }),
                Value::Number(n) => json!({ "N": n.to_string() }),
                other => panic!("unsupported attribute {other}"),
            };
            (k.clone(), attr)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn in_memory_app() -> App {
    let t = Tables::from_lookup(setting).expect("every table is named");
    let events: Vec<Value> = (0..5)
        .map(|i| serde_json::to_value(sample_event(i)).expect("serializable"))
        .map(|e| wire_item(&e))
        .collect();
    let rooms: Vec<Value> = (1..=3)
        .map(|i| wire_item(&serde_json::to_value(sample_room(i)).expect("serializable")))
        .collect();
    let month = json!({ "pk": { "S": "DIR#0" }, "sk": { "S": "2026-05" } });
    let canned = Canned {
        directory: json!({ "Items": [month], "Count": 1, "ScannedCount": 1 }).to_string(),
        events: json!({ "Items": events, "Count": 5, "ScannedCount": 5 }).to_string(),
        rooms,
        tables: t,
    };
    let client: SharedHttpClient =
        http_client_fn(move |_, _| SharedHttpConnector::new(canned.clone()));
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDBENCH",
            "bench-secret",
            None,
            None,
            "bench",
        ))
        .endpoint_url("http://127.0.0.1:1")
        .http_client(client)
        .build();
    app_over(aws_sdk_dynamodb::Client::from_conf(config))
}

fn sample_event(i: i64) -> Event {
    Event {
        id: format!("evt-p1-{}", 17 + 2 * i),
        name: format!("Seed event number {i}"),
        description: Some("A two-hour evening event from the seed data.".to_string()),
        event_owner: "Seed Organiser".to_string(),
        owner_id: "user-seed-organiser".to_string(),
        room_id: ((i % 3) + 1).to_string(),
        image_file_name: Some("event.png".to_string()),
        event_datetime_start: "2026-05-01T17:00:00Z".to_string(),
        event_datetime_end: "2099-05-01T19:00:00Z".to_string(),
        event_duration: 120,
        total_tickets: 100,
        shards: 1,
        version: 3,
    }
}

fn sample_room(i: i64) -> Room {
    Room {
        id: i.to_string(),
        kind: ROOM_KIND.to_string(),
        name: format!("Lecture Hall {i}"),
        capacity: 100,
        version: 1,
    }
}

fn parse_one(bytes: &[u8]) -> resolvers::Prepared {
    let payload: Value = serde_json::from_slice(bytes).expect("valid JSON");
    prepare(payload).expect("a valid event")
}

/// A field resolved alone, parsed.
fn one(prepared: Prepared) -> Call<Operation> {
    match prepared {
        Prepared::One(item) => *item,
        other => panic!("unexpected {other:?}"),
    }
}

/// The parent of an `Event.room` item.
fn room_source(prepared: &Prepared) -> &Value {
    match prepared {
        Prepared::Batch(Batch::EventRoom(items)) => &items[0].source,
        other => panic!("unexpected {other:?}"),
    }
}

fn parse_batch(bytes: &[u8]) -> Vec<resolvers::Prepared> {
    let payload: Value = serde_json::from_slice(bytes).expect("valid JSON");
    match payload {
        Value::Array(items) => items
            .into_iter()
            .map(|i| prepare(i).expect("a valid event"))
            .collect(),
        _ => panic!("a batch is an array"),
    }
}

/// The bookTicket transaction, as `handlers::booking::book_own` plans it and
/// `Db::transact` builds it.
fn book_request(app: &App, caller: &Caller, event_id: &str) -> Vec<TransactWriteItem> {
    let ticket = Ticket::new(
        event_id,
        caller.user_id().expect("a user"),
        "2026-05-01T12:00:00.000Z",
        0,
    );
    let items = plan::book(&ticket, 0, OwnTicketCall::TicketMutation)
        .writes()
        .iter()
        .map(|w| store::write::transact_item(&app.db.tables, w).expect("builds"))
        .collect();
    let fluent = app
        .db
        .client
        .transact_write_items()
        .set_transact_items(Some(items));
    fluent.get_transact_items().clone().expect("items set")
}

/// The one BatchGetItem of `Event.room` for a whole batch.
fn rooms_request(app: &App, sources: &[&Value]) -> KeysAndAttributes {
    let mut ids: Vec<&str> = sources
        .iter()
        .filter_map(|s| s.get("room_id").and_then(Value::as_str))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let keys: Vec<Item> = ids.iter().map(|id| store::key(&[("id", id)])).collect();
    let ka = KeysAndAttributes::builder()
        .set_keys(Some(keys))
        .build()
        .expect("keys set");
    let _ = app
        .db
        .client
        .batch_get_item()
        .request_items(&app.db.tables.rooms, ka.clone());
    ka
}

fn list_reply(app: &App, events: &[Event]) -> Vec<u8> {
    let last = events.last().expect("a page");
    let after = format!("{}#{}", last.event_datetime_start, last.id);
    let key: PageKey = [
        ("bucket", &last.event_datetime_start[..7]),
        ("after", after.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let token = app.tokens.seal("listEvents|Upcoming", &key).expect("seals");
    let items = events
        .iter()
        .map(|e| EventOut::new(e.clone(), Some(42)).expect("sound counts"))
        .collect();
    let page = Connection {
        items,
        next_token: Some(token),
    };
    serde_json::to_vec(&to_value(page).expect("serializes")).expect("serializes")
}

fn rooms_reply(n: usize) -> Vec<u8> {
    let rooms: Vec<Room> = (1..=3).map(sample_room).collect();
    let out: Vec<_> = (0..n)
        .map(|i| batch_item(to_value(RoomOut::from(rooms[i % 3].clone()))))
        .collect();
    serde_json::to_vec(&out).expect("serializes")
}

/// The batch fixture's first event repeated `n` times over varying parents.
fn big_batch(n: usize) -> Vec<u8> {
    let items: Vec<Value> = serde_json::from_slice(&fixture("batch-event-room.json")).unwrap();
    let out: Vec<Value> = (0..n)
        .map(|i| {
            let mut e = items[i % items.len()].clone();
            e["source"]["id"] = json!(format!("evt-{i}"));
            e
        })
        .collect();
    serde_json::to_vec(&out).unwrap()
}

fn bench(c: &mut Criterion) {
    let app = offline_app();
    let list_events = fixture("query-listEvents.json");
    let book_ticket = fixture("mutation-bookTicket.json");
    let batch_room = fixture("batch-event-room.json");
    let batch_100 = big_batch(100);
    let page: Vec<Event> = (0..5).map(sample_event).collect();

    let mut g = c.benchmark_group("resolvers.parse");
    for (name, bytes) in [
        ("query-listEvents", &list_events),
        ("mutation-bookTicket", &book_ticket),
    ] {
        g.bench_function(name, |b| b.iter(|| parse_one(black_box(bytes))));
    }
    g.throughput(Throughput::Elements(3));
    g.bench_function("batch-event-room (3 items)", |b| {
        b.iter(|| parse_batch(black_box(&batch_room)))
    });
    g.finish();

    let mut g = c.benchmark_group("resolvers.request");
    let caller = one(parse_one(&book_ticket)).caller;
    g.bench_function("bookTicket TransactWriteItems", |b| {
        b.iter(|| book_request(&app, black_box(&caller), black_box("evt-alice-talk")))
    });
    let sources: Vec<Value> = parse_batch(&batch_room)
        .iter()
        .map(|p| room_source(p).clone())
        .collect();
    let refs: Vec<&Value> = sources.iter().collect();
    g.bench_function("Event.room BatchGetItem (3 items)", |b| {
        b.iter(|| rooms_request(&app, black_box(&refs)))
    });
    g.finish();

    let mut g = c.benchmark_group("resolvers.reply");
    g.bench_function("EventOut to_value + to_vec", |b| {
        b.iter(|| {
            let out = EventOut::new(black_box(&page[0]).clone(), Some(42)).unwrap();
            serde_json::to_vec(&to_value(out).unwrap()).unwrap()
        })
    });
    g.bench_function("listEvents page of 5 + sealed token", |b| {
        b.iter(|| list_reply(&app, black_box(&page)))
    });
    g.finish();

    let mut g = c.benchmark_group("resolvers.pipeline");
    g.bench_function("mutation-bookTicket", |b| {
        b.iter(|| {
            let Call {
                caller, args: op, ..
            } = one(parse_one(black_box(&book_ticket)));
            let event_id = match op {
                Operation::BookTicket(BookTicketArgs { event_id }) => event_id,
                other => panic!("unexpected {other:?}"),
            };
            let items = book_request(&app, &caller, &event_id);
            let ticket = Ticket::new(
                &event_id,
                caller.user_id().unwrap_or_default(),
                "2026-05-01T12:00:00.000Z",
                0,
            );
            let reply = to_value(TicketOut::from(ticket)).unwrap();
            (items, serde_json::to_vec(&reply).unwrap())
        })
    });
    g.bench_function("query-listEvents", |b| {
        b.iter(|| {
            let parsed = parse_one(black_box(&list_events));
            (parsed, list_reply(&app, &page))
        })
    });
    for (name, bytes, n) in [
        ("batch-event-room (3 items)", &batch_room, 3usize),
        ("batch-event-room x100", &batch_100, 100),
    ] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                let parsed = parse_batch(black_box(bytes));
                let sources: Vec<&Value> = parsed.iter().map(room_source).collect();
                (rooms_request(&app, &sources), rooms_reply(n))
            })
        });
    }
    g.finish();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mem = in_memory_app();
    let mut g = c.benchmark_group("resolvers.handle_in_memory");
    for (name, bytes, n) in [
        ("mutation-bookTicket", &book_ticket, 1u64),
        ("query-listEvents", &list_events, 1),
        ("batch-event-room (3 items)", &batch_room, 3),
        ("batch-event-room x100", &batch_100, 100),
    ] {
        // Fail loudly if the canned replies stop satisfying a handler.
        let payload: Value = serde_json::from_slice(bytes).unwrap();
        let reply = rt.block_on(handle(&mem, payload)).expect("handled");
        if let Value::Array(items) = &reply {
            assert!(items.iter().all(|i| i["errorType"].is_null()), "{reply}");
        }
        g.throughput(Throughput::Elements(n));
        g.bench_function(name, |b| {
            b.iter(|| {
                let payload: Value = serde_json::from_slice(black_box(bytes)).unwrap();
                let reply = rt.block_on(handle(&mem, payload)).expect("handled");
                serde_json::to_vec(&reply).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
