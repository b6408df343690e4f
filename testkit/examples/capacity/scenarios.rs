//! The capacity benchmark's workloads: each scenario runs through the real
//! resolvers handler against DynamoDB Local, every DynamoDB request recorded by the request-counting
//! interceptor into `testkit::capacity`'s model, and prints what the hottest partitions take
//! per second against DynamoDB's per-partition limits.
//!
//! One local engine cannot serve thousands of requests a second, so each scenario runs a sample of its
//! traffic and scales it:
//! - a *time sample*: the full mix of the scenario (every event, every kind of request) for a
//!   fraction of a second of its arrival schedule, divided by that fraction: a partition's
//!   rate is its share of the sample over the sample's length;
//! - a *container sample* where a request depends on per-container state (a cache): a few
//!   of the modelled containers, each at its own share of the rate, scaled by how many
//!   containers they stand for.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, Utc};
use futures::StreamExt;
use resolvers::{handle, App};
use serde_json::{json, Value};
use testkit::capacity::{Recorder, Report};
use testkit::{RequestCounter, Template};

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use resolvers::cache::Clock;
use resolvers::domain::event::{new_event, CreateEventInput};
use resolvers::domain::plan;
use resolvers::store::write::transact_item;

use devtools::{app, appsync_event, cognito_identity};

const SECRET: &str = "capacity-benchmark-page-token-secret-0123456789";
/// Requests in flight at once against the local engine.
const IN_FLIGHT: usize = 8;

/// The resolvers function's `READ_CACHE_TTL_MS` as template.yaml sets it.
pub fn template_read_cache_ttl() -> String {
    let t = Template::repository();
    let f = t.function("resolvers").expect("the resolvers function");
    match f
        .properties
        .variables()
        .find(|(k, _)| *k == resolvers::config::READ_CACHE_TTL_MS)
    {
        Some((_, testkit::template::Expr::Literal(v))) => v.clone(),
        other => panic!("READ_CACHE_TTL_MS is {other:?}; the benchmark needs a number"),
    }
}

/// Fresh tables on DynamoDB Local, a client that records every request, and the model.
pub struct Bench {
    pub recorder: Recorder,
    pub client: aws_sdk_dynamodb::Client,
    pub tables: BTreeMap<String, String>,
}

impl Bench {
    pub async fn new() -> Self {
        let plain = testkit::client(None).await;
        let tables = testkit::create_tables(&plain, &testkit::unique_prefix()).await;
        let recorder = Recorder::new(Template::repository(), &tables);
        let counter = RequestCounter::observed(Arc::new(recorder.clone()));
        let client = testkit::client(Some(&counter)).await;
        Self {
            recorder,
            client,
            tables,
        }
    }

    /// One Lambda container: an `App` of its own over the shared client.
    pub fn container(&self) -> App {
        app(self.client.clone(), &self.tables, SECRET)
    }

    /// A container with the template's `READ_CACHE_TTL_MS`, on a clock the scenario moves.
    pub fn cached_container(&self, clock: Clock) -> App {
        let ttl = template_read_cache_ttl();
        let lookup = |k: &str| match k {
            resolvers::config::READ_CACHE_TTL_MS => Some(ttl.clone()),
            resolvers::config::PAGE_TOKEN_SECRET => Some(SECRET.to_string()),
            _ => self.tables.get(k).cloned(),
        };
        App::from_lookup(self.client.clone(), lookup)
            .expect("every table and a secret")
            .container(clock)
    }

    /// Units counted from here on.
    pub fn measure(&self, on: bool) {
        self.recorder.with_model(|m| {
            if on {
                m.clear();
            }
            m.measure(on);
        });
    }

    /// What the measured sample cost per second: `seconds` of the schedule, standing for
    /// `1 / scale` of the traffic.
    pub fn report(&self, seconds: f64, scale: f64) -> (Report, BTreeMap<String, usize>) {
        self.recorder
            .with_model(|m| (Report::new(m.load(), seconds, scale), m.requests().clone()))
    }
}

/// One resolver call as AppSync makes it.
#[derive(Debug, Clone)]
pub struct Call {
    pub parent: &'static str,
    pub field: &'static str,
    pub arguments: Value,
    pub identity: Value,
}

impl Call {
    fn event(&self) -> Value {
        appsync_event(
            self.parent,
            self.field,
            self.arguments.clone(),
            self.identity.clone(),
            Value::Null,
        )
    }
}

fn user(sub: &str) -> Value {
    cognito_identity(sub, sub, &[])
}

fn admin() -> Value {
    cognito_identity("capacity-admin", "admin", &["Admin"])
}

/// Containers on clocks of their own, which [`run_on_schedule`] moves.
pub fn containers_on_clocks(bench: &Bench, n: usize) -> Vec<(App, Clock)> {
    (0..n)
        .map(|_| {
            let clock = Clock::manual();
            (bench.container().container(clock.clone()), clock)
        })
        .collect()
}

/// Runs `calls` in arrival order at `rate` a second from `start_ms` of the schedule, call
/// `i` on container `i % n` with that container's clock set to the call's arrival time:
/// what a container remembers expires in the schedule's time, not in the (much longer) time
/// the engine takes. One call per container at a time, the containers' calls together.
pub async fn run_on_schedule(
    containers: &[(App, Clock)],
    calls: Vec<Call>,
    rate: f64,
    start_ms: f64,
) -> BTreeMap<String, usize> {
    let n = containers.len().max(1);
    let mut out: BTreeMap<String, usize> = BTreeMap::new();
    let mut calls = calls.into_iter().enumerate().peekable();
    while calls.peek().is_some() {
        let tick: Vec<(App, Call)> = calls
            .by_ref()
            .take(n)
            .map(|(i, call)| {
                let (app, clock) = &containers[i % n];
                clock.set_ms((start_ms + i as f64 * 1000.0 / rate) as u64);
                (app.clone(), call)
            })
            .collect();
        for (kind, k) in run(tick).await {
            *out.entry(kind).or_default() += k;
        }
    }
    out
}

/// Runs calls (each on the container it names), `IN_FLIGHT` at a time; returns how many
/// ended with each errorType ("ok" for success).
pub async fn run(calls: Vec<(App, Call)>) -> BTreeMap<String, usize> {
    run_with(calls, IN_FLIGHT).await
}

async fn run_with(calls: Vec<(App, Call)>, in_flight: usize) -> BTreeMap<String, usize> {
    let results: Vec<String> = futures::stream::iter(calls)
        .map(|(app, call)| async move {
            match handle(&app, call.event()).await {
                Ok(_) => "ok".to_string(),
                Err(e) => e.error_type().to_string(),
            }
        })
        .buffer_unordered(in_flight)
        .collect()
        .await;
    let mut out = BTreeMap::new();
    for r in results {
        *out.entry(r).or_default() += 1;
    }
    out
}

async fn must(app: &App, call: Call) -> Value {
    handle(app, call.event())
        .await
        .unwrap_or_else(|e| panic!("{}.{}: {} {e}", call.parent, call.field, e.error_type()))
}

fn mutation(field: &'static str, arguments: Value, identity: Value) -> Call {
    Call {
        parent: "Mutation",
        field,
        arguments,
        identity,
    }
}

async fn create_room(app: &App, id: &str, capacity: i64) {
    let input = json!({ "id": id, "name": format!("Room {id}"), "capacity": capacity });
    must(
        app,
        mutation("createRoom", json!({ "input": input }), admin()),
    )
    .await;
}

/// Creates `count` events of `tickets` tickets, spread over `rooms` rooms, one a day per
/// room from tomorrow, each with a seed-sized description. Set-up, not measured: each event
/// is made by the domain's own rules (`new_event`, `plan::create_event`) and its items put
/// with BatchWriteItem, 25 at a time, without the transaction `createEvent` runs (set-up
/// is not what the scenarios measure, and 1,000 transactions of 16 items are slow locally). The room's lock is not taken: rooms are not edited in these workloads.
async fn create_events(
    app: &App,
    prefix: &str,
    count: usize,
    rooms: usize,
    tickets: i64,
) -> Vec<(String, i64)> {
    let mut room_items = Vec::new();
    for r in 0..rooms {
        let id = format!("{prefix}-room-{r}");
        create_room(app, &id, tickets.max(1)).await;
        let room = resolvers::store::rooms::get(&app.db, &id)
            .await
            .expect("read the room")
            .expect("the room exists");
        room_items.push(room);
    }
    let day = Utc::now().date_naive() + Duration::days(1);
    let mut created = Vec::with_capacity(count);
    // (table, key) -> item: one put per item, the directory's months only once.
    let mut puts: BTreeMap<(String, String), (String, resolvers::store::Item)> = BTreeMap::new();
    for i in 0..count {
        let start = (day + Duration::days((i / rooms) as i64))
            .and_hms_opt(18, 0, 0)
            .unwrap()
            .and_utc();
        let input: CreateEventInput = serde_json::from_value(json!({
            "id": format!("{prefix}-{i}"),
            "name": format!("Event {i}"),
            "description": "A talk and a drink in the student union, open to everyone.",
            "room_id": format!("{prefix}-room-{}", i % rooms),
            "image_file_name": "event.png",
            "event_datetime_start": start.to_rfc3339(),
            "event_datetime_end": (start + Duration::hours(2)).to_rfc3339(),
            "total_tickets": tickets,
        }))
        .expect("an event input");
        let event = new_event(input, format!("{prefix}-{i}"), "capacity-org", "Org")
            .expect("a valid event");
        created.push((event.id.clone(), event.shards));
        for write in plan::create_event(&event, &room_items[i % rooms]).writes() {
            let item = transact_item(&app.db.tables, write).expect("a write");
            if let Some(put) = item.put() {
                let table = put.table_name().to_string();
                let mut key: Vec<String> = put
                    .item()
                    .iter()
                    .filter(|(k, _)| ["id", "pk", "sk", "room_id", "slot"].contains(&k.as_str()))
                    .map(|(k, v)| format!("{k}={v:?}"))
                    .collect();
                key.sort();
                puts.insert((table.clone(), key.join(",")), (table, put.item().clone()));
            }
        }
    }
    let puts: Vec<(String, resolvers::store::Item)> = puts.into_values().collect();
    for chunk in puts.chunks(25) {
        let mut requests: BTreeMap<String, Vec<WriteRequest>> = BTreeMap::new();
        for (table, item) in chunk {
            let put = PutRequest::builder()
                .set_item(Some(item.clone()))
                .build()
                .expect("a put");
            requests
                .entry(table.clone())
                .or_default()
                .push(WriteRequest::builder().put_request(put).build());
        }
        let resp = app
            .db
            .client
            .batch_write_item()
            .set_request_items(Some(requests.into_iter().collect()))
            .send()
            .await
            .expect("set-up writes");
        assert!(
            resp.unprocessed_items().is_none_or(|u| u.is_empty()),
            "set-up writes left unprocessed"
        );
    }
    created
}

/// A warm container: it has booked each event before and so knows its number of counters
/// (for `cache::SHARDS_TTL_MS`), as `createEvent` or an earlier booking would have taught it.
fn warm(app: &App, events: &[(String, i64)]) {
    for (id, shards) in events {
        app.cache.learn_shards(id, *shards);
    }
}

/// One scenario's result, ready to print.
pub struct Outcome {
    pub title: String,
    pub parameters: Vec<String>,
    pub phases: Vec<Phase>,
}

pub struct Phase {
    pub name: String,
    pub report: Report,
    pub requests: BTreeMap<String, usize>,
    pub answers: BTreeMap<String, usize>,
    pub calls: usize,
    pub scale: f64,
}

impl Phase {
    fn of(
        bench: &Bench,
        name: &str,
        seconds: f64,
        scale: f64,
        answers: BTreeMap<String, usize>,
    ) -> Self {
        let (report, requests) = bench.report(seconds, scale);
        let calls = answers.values().sum();
        Self {
            name: name.to_string(),
            report,
            requests,
            answers,
            calls,
            scale,
        }
    }
}

/// Scenario 1: 10,000 bookings a second spread evenly over 1,000 events. A time sample:
/// 0.2 s of the schedule (2,000 bookings, two per event, each by a new user).
pub async fn spread_bookings() -> Outcome {
    let bench = Bench::new().await;
    // Its clock stands still: the sample is 0.2 s of the schedule, however long the engine takes.
    let app = bench.container().container(Clock::manual());
    let events = create_events(&app, "s1", 1000, 50, 100).await;
    let seconds = 0.2;
    let bookings = (10_000.0 * seconds) as usize;
    let calls = (0..bookings)
        .map(|i| {
            let call = mutation(
                "bookTicket",
                json!({ "event_id": format!("s1-{}", i % 1000) }),
                user(&format!("s1-fan-{i}")),
            );
            (app.clone(), call)
        })
        .collect();
    warm(&app, &events);
    bench.measure(true);
    let answers = run(calls).await;
    bench.measure(false);
    Outcome {
        title: "1. 10,000 bookings/s spread evenly over 1,000 events".into(),
        parameters: vec![format!(
            "1,000 events of 100 tickets; a time sample of {seconds} s: {bookings} bookings \
             (`bookTicket`, each by a different user), 2 per event"
        )],
        phases: vec![Phase::of(&bench, "bookings", seconds, 1.0, answers)],
    }
}

/// Scenario 2: one 20,000-ticket event and 100,000 buyers arriving at 2,000 a second (the
/// last arrives after 50 s): it sells out after 10 s if nothing throttles, then every later
/// buyer is told SoldOut. Two time samples of 0.5 s (1,000 arrivals each): while it sells,
/// and once it is sold out. Buyers are served by `CONTAINERS` Lambda containers.
pub async fn one_hot_event() -> Outcome {
    const CONTAINERS: usize = 60;
    let bench = Bench::new().await;
    let setup = bench.container();
    create_room(&setup, "arena", 20_000).await;
    let start = Utc::now() + Duration::days(5);
    let input = json!({
        "id": "hot", "name": "The big one", "description": "Everyone wants to be there.",
        "room_id": "arena", "event_datetime_start": start.to_rfc3339(),
        "event_datetime_end": (start + Duration::hours(3)).to_rfc3339(), "total_tickets": 20_000,
    });
    must(
        &setup,
        mutation(
            "createEvent",
            json!({ "input": input }),
            user("capacity-org"),
        ),
    )
    .await;
    let containers = containers_on_clocks(&bench, CONTAINERS);
    let book = |from: usize, n: usize, tag: &str| -> Vec<Call> {
        (from..from + n)
            .map(|i| {
                mutation(
                    "bookTicket",
                    json!({ "event_id": "hot" }),
                    user(&format!("s2-{tag}-{i}")),
                )
            })
            .collect()
    };
    const RATE: f64 = 2_000.0;
    // Each container has served a buyer before the sample (a warm container).
    run_on_schedule(&containers, book(0, CONTAINERS, "warm"), RATE, 0.0).await;
    let seconds = 0.5;
    let arrivals = (RATE * seconds) as usize;
    bench.measure(true);
    let selling = run_on_schedule(&containers, book(0, arrivals, "a"), RATE, 1_000.0).await;
    bench.measure(false);
    let selling = Phase::of(&bench, "selling (first 10 s)", seconds, 1.0, selling);

    // Sold out: the organiser closes the sale at what is sold (the same state as after the
    // last of the 20,000 tickets, without booking them all locally).
    let event = must(
        &setup,
        Call {
            parent: "Query",
            field: "getEvent",
            arguments: json!({ "id": "hot" }),
            identity: admin(),
        },
    )
    .await;
    let sold = event["tickets_sold"].as_i64().expect("tickets_sold");
    let close = json!({ "input": { "id": "hot", "total_tickets": sold } });
    must(&setup, mutation("updateEvent", close, user("capacity-org"))).await;
    // The first buyers after the last ticket, one per container, then the sample.
    run_on_schedule(&containers, book(0, CONTAINERS, "warm2"), RATE, 10_000.0).await;
    bench.measure(true);
    let refused = run_on_schedule(&containers, book(0, arrivals, "b"), RATE, 10_100.0).await;
    bench.measure(false);
    let sold_out = Phase::of(&bench, "sold out (10 s to 50 s)", seconds, 1.0, refused);
    Outcome {
        title: "2. One 20,000-ticket event, 100,000 buyers within 60 s".into(),
        parameters: vec![
            "buyers arrive at 2,000/s (`bookTicket`, each a different user) for 50 s; the \
             first 20,000 get tickets (10 s), the rest SoldOut"
                .into(),
            format!(
                "{CONTAINERS} Lambda containers (2,000/s x ~30 ms), each warm; time samples of \
                 {seconds} s ({arrivals} arrivals) in each phase"
            ),
        ],
        phases: vec![selling, sold_out],
    }
}

/// Scenario 3: 5,000 public `listEvents` pages a second (the first page of UPCOMING, 20
/// events with `tickets_left`, as the seed client asks), over 300 upcoming events. A
/// container sample: `SAMPLED` of the `CONTAINERS` modelled containers (5,000/s x ~50 ms),
/// each at its share of the rate (20 pages/s) for 2 s after 1 s of warm-up.
pub async fn listing_pages() -> Outcome {
    const CONTAINERS: usize = 250;
    const SAMPLED: usize = 10;
    let bench = Bench::new().await;
    let setup = bench.container();
    create_events(&setup, "s3", 300, 5, 100).await;
    let per_container = 5_000 / CONTAINERS;
    let seconds = 2.0;
    let pages = SAMPLED * per_container * seconds as usize;
    let scale = (CONTAINERS / SAMPLED) as f64;
    let call = || Call {
        parent: "Query",
        field: "listEvents",
        arguments: json!({ "when": "UPCOMING", "limit": 20 }),
        identity: Value::Null,
    };

    // Without the container cache (READ_CACHE_TTL_MS absent): every page reads.
    let containers: Vec<App> = (0..SAMPLED).map(|_| bench.container()).collect();
    let page = |n: usize| -> Vec<(App, Call)> {
        (0..n)
            .map(|i| (containers[i % SAMPLED].clone(), call()))
            .collect()
    };
    run(page(SAMPLED * per_container)).await;
    bench.measure(true);
    let answers = run(page(pages)).await;
    bench.measure(false);
    let uncached = Phase::of(&bench, "no container cache", seconds, scale, answers);

    // As deployed: each container on its own clock, moved along the arrival schedule (one
    // page every 1000 / per_container ms), so the TTL is counted in the schedule's time,
    // not in the time the engine takes to answer.
    let clocks: Vec<Clock> = (0..SAMPLED).map(|_| Clock::manual()).collect();
    let cached: Vec<App> = clocks
        .iter()
        .map(|c| bench.cached_container(c.clone()))
        .collect();
    let step_ms = 1_000 / per_container as u64;
    let tick = |k: u64| {
        for c in &clocks {
            c.set_ms(k * step_ms);
        }
        cached
            .iter()
            .map(|app| (app.clone(), call()))
            .collect::<Vec<_>>()
    };
    let warm_up = per_container as u64;
    for k in 0..warm_up {
        run(tick(k)).await;
    }
    bench.measure(true);
    let mut answers: BTreeMap<String, usize> = BTreeMap::new();
    for k in warm_up..warm_up + (per_container as f64 * seconds) as u64 {
        for (kind, n) in run(tick(k)).await {
            *answers.entry(kind).or_default() += n;
        }
    }
    bench.measure(false);
    let ttl = template_read_cache_ttl();
    let deployed = Phase::of(
        &bench,
        &format!("as deployed (READ_CACHE_TTL_MS = {ttl})"),
        seconds,
        scale,
        answers,
    );
    Outcome {
        title: "3. 5,000 public `listEvents` pages/s".into(),
        parameters: vec![
            "the first page of UPCOMING (20 events, with `tickets_left`), anonymous, over 300 \
             upcoming events"
                .into(),
            format!(
                "{CONTAINERS} containers modelled, {SAMPLED} run ({per_container} pages/s each, \
                 {seconds} s after 1 s of warm-up: {pages} pages), scaled x{scale}; once \
                 without the container cache, once with the template's, in schedule time"
            ),
        ],
        phases: vec![uncached, deployed],
    }
}

/// The outcome as Markdown.
pub fn markdown(o: &Outcome) -> String {
    let mut out = format!("#### {}\n\n", o.title);
    for p in &o.parameters {
        out.push_str(&format!("- {p}\n"));
    }
    for phase in &o.phases {
        let per_call = |n: usize| n as f64 / phase.calls.max(1) as f64;
        let requests: Vec<String> = phase
            .requests
            .iter()
            .map(|(k, n)| format!("{k} {:.2}", per_call(*n)))
            .collect();
        let answers: Vec<String> = phase
            .answers
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let share = phase.report.peak_share();
        out.push_str(&format!(
            "\n*{}*: {} calls answered {}; DynamoDB requests per call: {}; hottest partition at \
             **{:.0}%** of its limit{}.\n\n{}",
            phase.name,
            phase.calls,
            answers.join(", "),
            requests.join(", "),
            100.0 * share,
            if phase.scale > 1.0 {
                format!(" (scaled x{})", phase.scale)
            } else {
                String::new()
            },
            phase.report.table(6)
        ));
    }
    out
}
