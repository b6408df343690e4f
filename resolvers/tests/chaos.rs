//! Fault injection during a booking race (issue 12): many people book a small event at once,
//! half with `bookTicket`, half as seed 000's client does (`getEvent`, then `updateEvent`
//! with the tickets it saw plus its own id), through `resolvers::handle`, while a seeded share
//! of every DynamoDB attempt fails: throttling, 500, a reset connection, a transaction
//! conflict, or a timeout whose request was applied and whose answer was lost
//! (`testkit::faults`). The SDK retries what it retries (the client is configured as `main`
//! configures it, with shorter waits), `Db::transact` retries conflicts.
//!
//! Invariants, checked afterwards with a client without faults: never more tickets sold
//! than there are, and fewer only when some request answered an error other than SoldOut;
//! distinct holders; `tickets_left` equal to the tickets there are minus the holders (a
//! ticket and its count are written together or not at all); every confirmed booking held;
//! every failure a clean error (`errorType` and a message without internals); exactly-once
//! answers: whoever holds a ticket was answered as booked, even when the answer of the attempt
//! that booked it was lost (every retry carries the transaction's `ClientRequestToken`, and
//! DynamoDB answers the repeat of a committed transaction with success).
//!
//! Bounded for CI (two rounds of 40 people for 8 tickets, faults on 20% of attempts, a few
//! seconds). The larger run in BENCHMARKS.md: `CHAOS_ROUNDS=20 CHAOS_PEOPLE=100
//! CHAOS_PER_MILLE=300 scripts/engines cargo test -p resolvers --test chaos -- --nocapture`;
//! `CHAOS_SEED` picks other faults.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::ConfigBag;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use resolvers::{App, AppError};
use serde_json::{json, Value};
use support::{admin, at, user};
use testkit::faults::{Fault, Faults, Tally};

const TICKETS: i64 = 8;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Counts TransactWriteItems requests by their items: the same items sent again are a retry
/// by `Db::transact` (a booking's items name its user and its time, so two bookings never
/// share them).
#[derive(Debug, Clone, Default)]
struct Resends(Arc<Mutex<HashMap<String, usize>>>);

impl Intercept for Resends {
    fn name(&self) -> &'static str {
        "Resends"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(tx) = context.input().downcast_ref::<TransactWriteItemsInput>() {
            let key = format!("{:?}", tx.transact_items());
            *self.0.lock().unwrap().entry(key).or_default() += 1;
        }
        Ok(())
    }
}

impl Resends {
    fn retries(&self) -> usize {
        self.0.lock().unwrap().values().map(|n| n - 1).sum()
    }
}

/// The app as `main` builds it (standard retries, 3 attempts), with waits short enough for a
/// test, faults injected under it.
async fn faulty_app(base: &App, faults: &Faults, resends: &Resends) -> App {
    let sdk = testkit::sdk_config().await;
    let retries = aws_sdk_dynamodb::config::retry::RetryConfig::standard()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(100));
    let builder = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .retry_config(retries)
        .interceptor(resends.clone());
    let mut app = base.clone();
    app.db.client = aws_sdk_dynamodb::Client::from_conf(faults.install(builder, &sdk).build());
    app
}

/// One person's attempt: `bookTicket`, or seed 000's read-then-updateEvent.
async fn attempt(app: &App, event: &str, who: &str, seed_style: bool) -> Result<(), AppError> {
    let call = |parent: &str, field: &str, args: Value| {
        resolvers::handle(
            app,
            devtools::appsync_event(parent, field, args, user(who), Value::Null),
        )
    };
    if !seed_style {
        let ticket = call("Mutation", "bookTicket", json!({ "event_id": event })).await?;
        assert_eq!(ticket["user_id"], who);
        return Ok(());
    }
    let seen = call("Query", "getEvent", json!({ "id": event })).await?;
    let mut tickets: Vec<Value> = seen["tickets"].as_array().cloned().unwrap_or_default();
    tickets.push(json!(who));
    let input = json!({ "input": { "id": event, "tickets": tickets } });
    let updated = call("Mutation", "updateEvent", input).await?;
    assert_eq!(updated["id"], event);
    Ok(())
}

/// What a caller may be told: a type and a message that says what happened, nothing of the
/// store or the code.
fn assert_clean(e: &AppError) {
    let message = e.to_string();
    assert!(!message.trim().is_empty(), "{e:?}");
    for word in [
        "dynamodb",
        "DynamoDB",
        "Exception",
        "::",
        ".rs:",
        "panicked",
    ] {
        assert!(
            !message.contains(word),
            "{} leaks {word:?}: {message}",
            e.error_type()
        );
    }
}

#[derive(Debug, Default)]
struct Report {
    requests: usize,
    outcomes: BTreeMap<String, usize>,
    sold: i64,
    short_rounds: usize,
    own_retries: usize,
    tally: Tally,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_booking_race_under_injected_faults_sells_exactly_the_tickets() {
    let seed = setting("CHAOS_SEED", 0x0B00_C0DE);
    let rounds = setting("CHAOS_ROUNDS", 2);
    let people = setting("CHAOS_PEOPLE", 40) as usize;
    let per_mille = setting("CHAOS_PER_MILLE", 200) as u32;
    eprintln!(
        "CHAOS_SEED={seed} rounds {rounds}, {people} people, faults on {per_mille}/1000 attempts"
    );

    let env = support::empty().await;
    env.create_room("r", 1000).await;
    let faults = Faults::new();
    let resends = Resends::default();
    let app = faulty_app(&env.app, &faults, &resends).await;
    let mut report = Report::default();
    let started = Instant::now();

    for round in 0..rounds {
        let event = format!("hot-{round}");
        env.create_event("org", &event, "r", &at(2 + round as i64, 10), 60, TICKETS)
            .await
            .expect("event created");

        faults.chaos(seed.wrapping_add(round), per_mille, &Fault::ALL, |_| true);
        let tasks = (0..people).map(|i| {
            let (app, event) = (app.clone(), event.clone());
            tokio::spawn(async move {
                let who = format!("fan-{round}-{i:03}");
                let result = attempt(&app, &event, &who, i % 2 == 1).await;
                (who, result)
            })
        });
        let results = futures::future::join_all(tasks).await;
        faults.clear();

        // Afterwards, without faults: what is stored.
        let holders: BTreeSet<String> = serde_json::from_value(
            env.nested(
                "Event",
                "tickets",
                json!({ "id": event, "owner_id": "org" }),
                admin(),
            )
            .await
            .expect("holders"),
        )
        .expect("a list of user ids");
        let stored = env.event(&event).await;
        let sold = holders.len() as i64;
        assert!(
            sold <= TICKETS,
            "round {round}: {sold} tickets sold of {TICKETS}"
        );
        assert_eq!(
            stored["tickets_left"].as_i64(),
            Some(TICKETS - sold),
            "round {round}: the count matches the holders"
        );
        assert_eq!(stored["tickets_sold"].as_i64(), Some(sold));

        let (mut confirmed, mut sold_out, mut other_errors) = (BTreeSet::new(), 0, 0);
        for r in results {
            let (who, result) = r.expect("no task panicked");
            report.requests += 1;
            let kind = match &result {
                Ok(()) => "ok".to_string(),
                Err(e) => {
                    assert_clean(e);
                    assert!(
                        matches!(e.error_type(), "SoldOut" | "Conflict" | "Internal"),
                        "{who}: {} {e}",
                        e.error_type()
                    );
                    let message = e.to_string();
                    let why = if message.contains("already hold") {
                        " (already holds a ticket)"
                    } else if message.contains("too many people") {
                        " (still contended after its retries)"
                    } else {
                        ""
                    };
                    format!("{}{why}", e.error_type())
                }
            };
            *report.outcomes.entry(kind).or_default() += 1;
            match result {
                Ok(()) => {
                    assert!(
                        holders.contains(&who),
                        "round {round}: {who} was confirmed but holds nothing"
                    );
                    confirmed.insert(who);
                }
                Err(e) => {
                    if e.error_type() == "SoldOut" {
                        sold_out += 1;
                    } else {
                        other_errors += 1;
                    }
                    assert!(
                        !holders.contains(&who),
                        "round {round}: {who} holds a ticket but was told {} {e}",
                        e.error_type()
                    );
                }
            }
        }
        if sold_out > 0 {
            assert_eq!(
                sold, TICKETS,
                "round {round}: SoldOut was answered, so all are sold"
            );
        }
        if sold < TICKETS {
            assert!(
                other_errors as i64 >= (TICKETS - sold).min(people as i64 - sold),
                "round {round}: {sold} sold, yet only {other_errors} requests failed"
            );
            report.short_rounds += 1;
        }
        assert!(confirmed.is_subset(&holders));
        report.sold += sold;
    }
    report.own_retries = resends.retries();
    report.tally = faults.tally();
    eprintln!("{report:#?}\n{:.1} s", started.elapsed().as_secs_f64());
    let t = &report.tally;
    assert!(t.injected_total() > 0 && t.sdk_retries() > 0, "{t:?}");
    assert!(report.sold > 0, "some tickets were sold: {report:?}");
}
