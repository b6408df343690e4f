//! The Lambda events in fixtures/stream/ (also usable with `cargo lambda invoke aggregator
//! --data-file ...`) run through the handler against DynamoDB Local.

use std::path::PathBuf;

use crate::support::{date, Env};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/stream")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn insert_then_modify_then_remove() {
    let env = Env::new().await;
    let user = "fixture-user-1";

    let outcome = env.deliver_raw(&fixture("insert.json")).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(outcome.stats.applied_entries, 1);
    assert_eq!(env.aggregate(user, &date(21)).await, Some((650, 0)));

    let outcome = env.deliver_raw(&fixture("modify.json")).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(env.aggregate(user, &date(21)).await, Some((720, 0)));

    let outcome = env.deliver_raw(&fixture("remove.json")).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(env.aggregate(user, &date(21)).await, Some((0, 0)));

    // Lambda may hand any of them over again: nothing changes.
    for name in ["insert.json", "modify.json", "remove.json"] {
        let outcome = env.deliver_raw(&fixture(name)).await;
        assert_eq!(outcome.stats.applied_entries, 0, "{name}");
        assert_eq!(outcome.stats.duplicate_entries, 1, "{name}");
    }
    assert_eq!(env.aggregate(user, &date(21)).await, Some((0, 0)));
}

#[tokio::test]
async fn mixed_batch() {
    let env = Env::new().await;
    env.counter.reset();
    let outcome = env.deliver_raw(&fixture("mixed-batch.json")).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(outcome.stats.records, 8);
    assert_eq!(outcome.stats.skipped_records, 0);
    assert_eq!(outcome.stats.transactions, 4, "two users x two days");
    assert_eq!(env.counter.total(), 4);
    // Coffee (5) became a shake (250); the run (300) was logged then removed; weights at
    // 23:59:59 stay on the 22nd.
    assert_eq!(
        env.aggregate("fixture-user-2", &date(21)).await,
        Some((250, 0))
    );
    assert_eq!(
        env.aggregate("fixture-user-2", &date(22)).await,
        Some((0, 200))
    );
    // Breakfast (400, 21st) became a walk (120 burned, 22nd); dinner at 19:30+01:00 is the
    // 22nd in UTC.
    assert_eq!(
        env.aggregate("fixture-user-3", &date(21)).await,
        Some((0, 0))
    );
    assert_eq!(
        env.aggregate("fixture-user-3", &date(22)).await,
        Some((800, 120))
    );
}

#[tokio::test]
async fn malformed_records_are_skipped_and_nothing_changes() {
    let env = Env::new().await;
    let outcome = env.deliver_raw(&fixture("malformed.json")).await;
    assert_eq!(
        outcome.failure(),
        None,
        "no failure reported: the shard moves on"
    );
    assert!(outcome.response.batch_item_failures.is_empty());
    assert_eq!(outcome.stats.records, 10);
    assert_eq!(outcome.stats.skipped_records, 10);
    assert_eq!(outcome.stats.transactions, 0);
    assert!(env.aggregates("fixture-user-9").await.is_empty());
    assert_eq!(env.marker_count().await, 0);
}

#[test]
fn the_reply_is_exactly_a_partial_batch_response() {
    let outcome = aggregator::Outcome::default();
    assert_eq!(
        serde_json::to_value(&outcome.response).unwrap(),
        serde_json::json!({"batchItemFailures": []})
    );
}
