//! An event's inventory spread over counters (issue 9), under concurrency: exactly the tickets
//! there are, one per person, and every count exact whatever interleaves (bookings,
//! cancellations, re-bookings, the organiser changing `total_tickets`).

mod support;

use std::collections::BTreeSet;

use resolvers::cache::Clock;
use resolvers::domain::inventory::Counter;
use resolvers::store::{inventory, tickets, Read};
use resolvers::App;
use serde_json::{json, Value};
use support::{at, user};

/// Runs the tasks at once, at most 100 in flight: more open connections than the local
/// server accepts at a time would fail on connect, which is not what these tests are about.
async fn at_once<T, F>(tasks: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    use futures::StreamExt;
    let spawned = tasks
        .into_iter()
        .map(|f| async move { tokio::spawn(f).await.unwrap() });
    futures::stream::iter(spawned)
        .buffer_unordered(100)
        .collect()
        .await
}

/// `n` Lambda containers over the same tables, each with a cache of its own.
fn containers(env: &support::Env, n: usize) -> Vec<App> {
    (0..n).map(|_| env.app.container(Clock::system())).collect()
}

async fn call(
    app: &App,
    field: &str,
    args: Value,
    who: &str,
) -> Result<Value, resolvers::AppError> {
    let ev = devtools::appsync_event("Mutation", field, args, user(who), Value::Null);
    resolvers::handle(app, ev).await
}

/// Every holder, through the `byEvent` index, page by page.
async fn holders(app: &App, event_id: &str, shards: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = None;
    for _ in 0..1000 {
        let page = tickets::holders_page(&app.db, event_id, shards, 7, start)
            .await
            .unwrap();
        out.extend(page.items.into_iter().map(|t| t.user_id));
        match page.next {
            Some(n) => start = Some(n),
            None => return out,
        }
    }
    panic!("holders do not end")
}

/// The event's counts, checked against each other: the counters' sum is `total - sold`,
/// sold is the number of holders (each once), and getEvent says the same. Returns
/// (total, holders).
async fn exact(env: &support::Env, event_id: &str) -> (i64, BTreeSet<String>) {
    let e = env.event(event_id).await;
    let total = e["total_tickets"].as_i64().unwrap();
    let shards = e["shards"].as_i64().unwrap();
    let counters: Vec<Counter> = inventory::read(&env.app.db, event_id, shards, Read::Latest)
        .await
        .unwrap();
    assert_eq!(counters.len() as i64, shards, "every counter is there");
    assert!(counters.iter().all(|c| c.left >= 0), "{counters:?}");
    let left: i64 = counters.iter().map(|c| c.left).sum();
    let listed = holders(&env.app, event_id, shards).await;
    let distinct: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(listed.len(), distinct.len(), "nobody holds two tickets");
    let sold = distinct.len() as i64;
    assert_eq!(left, total - sold, "counters: {counters:?}");
    assert_eq!(
        (e["tickets_left"].as_i64(), e["tickets_sold"].as_i64()),
        (Some(left), Some(sold))
    );
    (total, distinct)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_hundred_people_book_a_spread_three_hundred_ticket_event() {
    let env = support::empty().await;
    env.create_room("r", 1000).await;
    env.create_event("org", "spread", "r", &at(2, 18), 120, 300)
        .await
        .unwrap();
    assert_eq!(
        env.event("spread").await["shards"],
        2,
        "300 tickets: 2 counters"
    );
    let apps = containers(&env, 8);
    let tasks = (0..400).map(|i| {
        let app = apps[i % apps.len()].clone();
        async move {
            let who = format!("fan-{i}");
            let r = call(&app, "bookTicket", json!({ "event_id": "spread" }), &who).await;
            (who, r)
        }
    });
    let mut booked = BTreeSet::new();
    let mut sold_out = 0;
    for (who, r) in at_once(tasks).await {
        match r {
            Ok(t) => {
                assert_eq!(t["user_id"], who.as_str());
                booked.insert(who);
            }
            Err(e) if e.error_type() == "SoldOut" => sold_out += 1,
            Err(e) => panic!("{who}: {} {e}", e.error_type()),
        }
    }
    assert_eq!(booked.len(), 300, "exactly the tickets there were");
    assert_eq!(sold_out, 100, "everyone else is told SoldOut");
    let (total, holders) = exact(&env, "spread").await;
    assert_eq!(total, 300);
    assert_eq!(holders, booked, "the stored tickets are the confirmed ones");
    // Sold out: a further attempt writes nothing.
    env.counter.reset();
    let late = call(
        &env.app,
        "bookTicket",
        json!({ "event_id": "spread" }),
        "late",
    )
    .await;
    assert_eq!(late.unwrap_err().error_type(), "SoldOut");
    let late = call(
        &env.app,
        "bookTicket",
        json!({ "event_id": "spread" }),
        "later",
    )
    .await;
    assert_eq!(late.unwrap_err().error_type(), "SoldOut");
    let counts = env.counter.snapshot();
    assert_eq!(
        counts.get("TransactWriteItems"),
        Some(&1),
        "a container that saw it sold out reads instead of trying to write: {counts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_cancellations_and_rebookings_end_exact() {
    let env = support::empty().await;
    env.create_room("r", 1000).await;
    env.create_event("org", "churn", "r", &at(2, 18), 120, 400)
        .await
        .unwrap();
    let apps = containers(&env, 6);
    // 400 tickets over 2 counters; 370 sold first, so counters run dry during the churn.
    let first: Vec<String> = (0..370).map(|i| format!("first-{i}")).collect();
    let booking = first.iter().enumerate().map(|(i, who)| {
        let (app, who) = (apps[i % apps.len()].clone(), who.clone());
        async move { call(&app, "bookTicket", json!({ "event_id": "churn" }), &who).await }
    });
    for r in at_once(booking).await {
        r.unwrap();
    }
    // At once: 120 of them cancel, 60 of those book again, 100 newcomers book, and 30 of
    // the holders try to book a second ticket.
    let mut jobs: Vec<(&str, String)> = Vec::new();
    jobs.extend((0..120).map(|i| ("cancelTicket", format!("first-{i}"))));
    jobs.extend((0..60).map(|i| ("bookTicket", format!("first-{i}"))));
    jobs.extend((0..100).map(|i| ("bookTicket", format!("new-{i}"))));
    jobs.extend((300..330).map(|i| ("bookTicket", format!("first-{i}"))));
    let tasks = jobs.into_iter().enumerate().map(|(i, (field, who))| {
        let app = apps[i % apps.len()].clone();
        async move {
            let r = call(&app, field, json!({ "event_id": "churn" }), &who).await;
            (field, who, r.map_err(|e| e.error_type().to_string()))
        }
    });
    let mut holders: BTreeSet<String> = first.iter().cloned().collect();
    let outcomes: Vec<_> = at_once(tasks).await;
    for (field, who, r) in &outcomes {
        match (*field, r) {
            ("cancelTicket", Ok(_)) => {}
            ("cancelTicket", Err(e)) => {
                assert_eq!(
                    e, "NotFound",
                    "{who}: a cancel of a ticket not yet rebooked"
                );
            }
            ("bookTicket", Ok(_)) => {}
            ("bookTicket", Err(e)) => assert!(e == "SoldOut" || e == "Conflict", "{who}: {e}"),
            _ => unreachable!(),
        }
    }
    // Replay the answers: cancels remove, bookings that succeeded add (a re-booking of
    // first-0..99 may land before or after its own cancellation).
    for (field, who, r) in &outcomes {
        if *field == "cancelTicket" && r.is_ok() {
            holders.remove(who);
        }
    }
    let (total, stored) = exact(&env, "churn").await;
    assert_eq!(total, 400);
    for (field, who, r) in &outcomes {
        if *field == "bookTicket" && r.is_ok() {
            assert!(stored.contains(who), "{who} was told booked");
            holders.insert(who.clone());
        }
    }
    // Everyone stored was first or told booked; nobody told booked is missing unless they
    // cancelled afterwards (first-0..59 only).
    for who in &stored {
        assert!(
            holders.contains(who),
            "{who} holds a ticket nobody confirmed"
        );
    }
    for i in 300..330 {
        let who = format!("first-{i}");
        assert!(stored.contains(&who), "{who}'s first ticket stays");
        let second = outcomes
            .iter()
            .find(|(f, w, _)| *f == "bookTicket" && *w == who);
        assert!(
            matches!(second, Some((_, _, Err(_)))),
            "{who} got no second ticket: {second:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn total_tickets_raised_and_lowered_during_bookings_stays_exact() {
    let env = support::empty().await;
    env.create_room("r", 1000).await;
    env.create_event("org", "moving", "r", &at(3, 18), 120, 100)
        .await
        .unwrap();
    let apps = containers(&env, 6);
    let bookings = (0..250).map(|i| {
        let app = apps[i % apps.len()].clone();
        async move {
            let who = format!("fan-{i}");
            call(&app, "bookTicket", json!({ "event_id": "moving" }), &who)
                .await
                .map_err(|e| e.error_type().to_string())
        }
    });
    let organiser = {
        let app = env.app.clone();
        tokio::spawn(async move {
            let mut applied = vec![100];
            for total in [300, 120, 700, 150, 90, 400] {
                let input = json!({ "input": { "id": "moving", "total_tickets": total } });
                match call(&app, "updateEvent", input, "org").await {
                    Ok(e) => {
                        assert_eq!(e["total_tickets"], total);
                        applied.push(total);
                    }
                    Err(e) => assert!(
                        matches!(e.error_type(), "ValidationError" | "Conflict"),
                        "{total}: {} {e}",
                        e.error_type()
                    ),
                }
                tokio::task::yield_now().await;
            }
            applied
        })
    };
    let mut booked = 0;
    for r in at_once(bookings).await {
        match r {
            Ok(_) => booked += 1,
            Err(e) => assert!(e == "SoldOut" || e == "Conflict", "{e}"),
        }
    }
    let applied = organiser.await.unwrap();
    assert!(applied.len() > 2, "most changes apply: {applied:?}");
    let (total, holders) = exact(&env, "moving").await;
    assert_eq!(
        total,
        *applied.last().unwrap(),
        "the last change that applied holds"
    );
    assert_eq!(
        holders.len(),
        booked,
        "every confirmed booking, nothing else"
    );
    assert!(booked as i64 <= total);
    // Lowering below what is sold is refused and changes nothing.
    let below = json!({ "input": { "id": "moving", "total_tickets": booked as i64 - 1 } });
    if booked > 0 {
        let err = call(&env.app, "updateEvent", below, "org")
            .await
            .unwrap_err();
        assert_eq!(err.error_type(), "ValidationError");
        assert!(err.to_string().contains("already sold"), "{err}");
        assert_eq!(exact(&env, "moving").await.0, total);
    }
}
