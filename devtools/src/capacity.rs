//! The capacity benchmark's workloads (issue 9): each scenario runs through the real
//! resolvers handler against moto, every DynamoDB request recorded by the request-counting
//! interceptor into `testkit::capacity`'s model, and prints what the hottest partitions take
//! per second against DynamoDB's per-partition limits.
//!
//! moto cannot serve thousands of requests a second, so each scenario runs a sample of its
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

use crate::{app, appsync_event, cognito_identity};

const SECRET: &str = "capacity-benchmark-page-token-secret-0123456789";
/// Requests in flight at once against moto (which applies them one at a time anyway).
const IN_FLIGHT: usize = 8;

/// Fresh tables on moto, a client that records every request, and the model.
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
/// room from tomorrow, each with a seed-sized description.
async fn create_events(app: &App, prefix: &str, count: usize, rooms: usize, tickets: i64) {
    for r in 0..rooms {
        create_room(app, &format!("{prefix}-room-{r}"), tickets.max(1)).await;
    }
    let day = Utc::now().date_naive() + Duration::days(1);
    let calls: Vec<(App, Call)> = (0..count)
        .map(|i| {
            let start = (day + Duration::days((i / rooms) as i64))
                .and_hms_opt(18, 0, 0)
                .unwrap()
                .and_utc();
            let input = json!({
                "id": format!("{prefix}-{i}"),
                "name": format!("Event {i}"),
                "description": "A talk and a drink in the student union, open to everyone.",
                "room_id": format!("{prefix}-room-{}", i % rooms),
                "image_file_name": "event.png",
                "event_datetime_start": start.to_rfc3339(),
                "event_datetime_end": (start + Duration::hours(2)).to_rfc3339(),
                "total_tickets": tickets,
            });
            (
                app.clone(),
                mutation(
                    "createEvent",
                    json!({ "input": input }),
                    user("capacity-org"),
                ),
            )
        })
        .collect();
    // One at a time: creations in one room take its lock in turn.
    let outcomes = run_with(calls, 1).await;
    assert_eq!(
        outcomes.get("ok"),
        Some(&count),
        "events created: {outcomes:?}"
    );
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
    let app = bench.container();
    create_events(&app, "s1", 1000, 50, 100).await;
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
    let containers: Vec<App> = (0..CONTAINERS).map(|_| bench.container()).collect();
    let book = |from: usize, n: usize, tag: &str| -> Vec<(App, Call)> {
        (from..from + n)
            .map(|i| {
                let call = mutation(
                    "bookTicket",
                    json!({ "event_id": "hot" }),
                    user(&format!("s2-{tag}-{i}")),
                );
                (containers[i % CONTAINERS].clone(), call)
            })
            .collect()
    };
    // Each container has served a buyer before the sample (a warm container).
    run(book(0, CONTAINERS, "warm")).await;
    let seconds = 0.5;
    let arrivals = (2_000.0 * seconds) as usize;
    bench.measure(true);
    let selling = run(book(0, arrivals, "a")).await;
    bench.measure(false);
    let selling = Phase::of(&bench, "selling (first 10 s)", seconds, 1.0, selling);

    // Sold out: the organiser closes the sale at what is sold (the same state as after the
    // last of the 20,000 tickets, without booking them all through moto).
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
    run(book(0, CONTAINERS, "warm2")).await;
    bench.measure(true);
    let refused = run(book(0, arrivals, "b")).await;
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
    let containers: Vec<App> = (0..SAMPLED).map(|_| bench.container()).collect();
    let per_container = 5_000 / CONTAINERS;
    let page = |n: usize| -> Vec<(App, Call)> {
        (0..n)
            .map(|i| {
                let call = Call {
                    parent: "Query",
                    field: "listEvents",
                    arguments: json!({ "when": "UPCOMING", "limit": 20 }),
                    identity: Value::Null,
                };
                (containers[i % SAMPLED].clone(), call)
            })
            .collect()
    };
    run(page(SAMPLED * per_container)).await;
    let seconds = 2.0;
    let pages = SAMPLED * per_container * seconds as usize;
    bench.measure(true);
    let answers = run(page(pages)).await;
    bench.measure(false);
    let scale = (CONTAINERS / SAMPLED) as f64;
    Outcome {
        title: "3. 5,000 public `listEvents` pages/s".into(),
        parameters: vec![
            "the first page of UPCOMING (20 events, with `tickets_left`), anonymous, over 300 \
             upcoming events"
                .into(),
            format!(
                "{CONTAINERS} containers modelled, {SAMPLED} run ({per_container} pages/s each, \
                 {seconds} s after 1 s of warm-up: {pages} pages), scaled x{scale}"
            ),
        ],
        phases: vec![Phase::of(&bench, "pages", seconds, scale, answers)],
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
