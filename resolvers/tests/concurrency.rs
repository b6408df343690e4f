//! Many people at the same moment: bookings never exceed the tickets, a user never holds two,
//! and a room never takes two overlapping events.

mod support;

use std::collections::BTreeSet;

use serde_json::json;
use support::{admin, at, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_bookings_of_ten_tickets() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    env.create_event("org", "hot", "r", &at(2, 18), 120, 10)
        .await
        .unwrap();

    // 200 attempts by 64 distinct users: each user tries three or four times.
    let attempts: Vec<String> = (0..200).map(|i| format!("fan-{}", i % 64)).collect();
    let tasks = attempts.iter().map(|who| {
        let app = env.app.clone();
        let who = who.clone();
        tokio::spawn(async move {
            let ev = devtools::appsync_event(
                "Mutation",
                "bookTicket",
                json!({ "event_id": "hot" }),
                user(&who),
                json!(null),
            );
            (who, resolvers::handle(&app, ev).await)
        })
    });
    let results = futures::future::join_all(tasks).await;

    let mut winners = Vec::new();
    for r in results {
        let (who, outcome) = r.unwrap();
        match outcome {
            Ok(ticket) => {
                assert_eq!(ticket["user_id"], who.as_str());
                winners.push(who);
            }
            Err(e) => assert!(
                matches!(e.error_type(), "SoldOut" | "Conflict"),
                "{who}: unexpected {} {e}",
                e.error_type()
            ),
        }
    }
    let distinct: BTreeSet<_> = winners.iter().cloned().collect();
    assert_eq!(
        winners.len(),
        10,
        "exactly the tickets there were: {winners:?}"
    );
    assert_eq!(distinct.len(), 10, "ten different people");

    let holders = env
        .nested(
            "Event",
            "tickets",
            json!({ "id": "hot", "owner_id": "org" }),
            admin(),
        )
        .await
        .unwrap();
    let holders: BTreeSet<String> = serde_json::from_value(holders).unwrap();
    assert_eq!(
        holders, distinct,
        "the stored tickets are the confirmed ones"
    );
    let e = env.event("hot").await;
    assert_eq!(
        (e["tickets_left"].as_i64(), e["tickets_sold"].as_i64()),
        (Some(0), Some(10))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_overlapping_events_created_at_once_one_wins() {
    for round in 0..5 {
        let env = support::empty().await;
        env.create_room("r", 100).await;
        let (ta, tb) = (at(4, 10), at(4, 11));
        let a = env.create_event("alice", "a", "r", &ta, 120, 10);
        let b = env.create_event("bob", "b", "r", &tb, 120, 10);
        let (a, b) = tokio::join!(a, b);
        let ok = [a.is_ok(), b.is_ok()];
        assert_eq!(
            ok.iter().filter(|x| **x).count(),
            1,
            "round {round}: {a:?} / {b:?}"
        );
        let loser = if a.is_ok() { b } else { a };
        assert_eq!(loser.unwrap_err().error_type(), "Conflict");
        let bookings = env
            .nested("Room", "bookings", json!({ "id": "r" }), admin())
            .await
            .unwrap();
        assert_eq!(bookings.as_array().unwrap().len(), 1, "round {round}");
    }
}
