//! At-least-once delivery: duplicates, retries from the middle, failures mid-batch, and
//! records that can never be applied.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;

use crate::support::{
    activity, at, date, interleaved, seq_of, transact_writes, user_of, users, Env,
};

#[tokio::test]
async fn the_same_batch_delivered_twice_counts_once() {
    let mut env = Env::new().await;
    interleaved(&env).await;
    env.update(&activity("a", "a0", "Food", 99, &at(22, 9, 0)))
        .await; // a move, two aggregates
    env.delete("c", "c1").await;
    let records = env.records().await;

    let first = env.deliver(&records).await;
    assert_eq!(first.failure(), None);
    let before: Vec<_> = all_aggregates(&env).await;

    let second = env.deliver(&records).await;
    assert_eq!(second.failure(), None);
    assert_eq!(second.stats.applied_entries, 0);
    assert_eq!(second.stats.duplicate_entries, first.stats.applied_entries);
    assert_eq!(all_aggregates(&env).await, before);
    env.assert_exact(&users(&["a", "b", "c"])).await;
}

async fn all_aggregates(env: &Env) -> Vec<(String, String, (i64, i64))> {
    let mut out = Vec::new();
    for u in ["a", "b", "c"] {
        for (d, t) in env.aggregates(u).await {
            out.push((u.to_string(), d, t));
        }
    }
    out
}

#[tokio::test]
async fn a_batch_retried_from_its_middle_counts_once() {
    let mut env = Env::new().await;
    interleaved(&env).await;
    let records = env.records().await;
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), None);

    // Lambda resumes from record 5 and, the shard having moved on, brings newer ones along.
    env.put(&activity("a", "a9", "Drink", 7, &at(21, 23, 0)))
        .await;
    env.update(&activity("b", "b2", "Exercise", 1, &at(21, 8, 2)))
        .await;
    let newer = env.records().await;
    let mut retry = records[5..].to_vec();
    retry.extend(newer.iter().cloned());
    let outcome = env.deliver(&retry).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(outcome.stats.duplicate_entries, records.len() - 5);
    assert_eq!(outcome.stats.applied_entries, newer.len());
    env.assert_exact(&users(&["a", "b", "c"])).await;
}

#[tokio::test]
async fn a_failure_mid_batch_names_the_lowest_unapplied_record_and_redelivery_is_exact() {
    let mut env = Env::new().await;
    interleaved(&env).await;
    let records = env.records().await;
    let first_b = records.iter().position(|r| user_of(r) == "b").unwrap();
    assert!(first_b > 0, "a record of another user comes first");

    // Every transaction on b's aggregates fails, retries included.
    env.faults.fail(Some("b"), None);
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), Some(seq_of(&records[first_b])));
    assert_eq!(
        serde_json::to_value(&outcome.response).unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": seq_of(&records[first_b])}]})
    );
    assert!(
        env.faults.injected() >= 2,
        "b's two aggregates, each tried until the retries ran out"
    );
    assert_eq!(outcome.stats.failed_entries, 4);
    assert!(env.aggregates("b").await.is_empty(), "nothing of b applied");
    assert_eq!(env.aggregate("a", &date(21)).await, Some((10 + 30, 0)));
    assert_eq!(env.aggregate("c", &date(22)).await, Some((20 + 40, 0)));

    // Lambda redelivers from the reported record; a and c's later records are duplicates.
    env.faults.clear();
    let retry = &records[first_b..];
    let outcome = env.deliver(retry).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(outcome.stats.applied_entries, 4);
    assert_eq!(outcome.stats.duplicate_entries, retry.len() - 4);
    env.assert_exact(&users(&["a", "b", "c"])).await;
}

#[tokio::test]
async fn the_lowest_failure_wins_across_aggregates_and_moves() {
    let mut env = Env::new().await;
    env.put(&activity("a", "a1", "Food", 10, &at(21, 8, 0)))
        .await;
    env.put(&activity("b", "b1", "Food", 20, &at(21, 8, 0)))
        .await;
    env.sync().await;
    // a's move touches days 21 and 22; then b changes; then a new activity of a on day 23.
    env.update(&activity("a", "a1", "Food", 10, &at(22, 8, 0)))
        .await;
    env.update(&activity("b", "b1", "Food", 25, &at(21, 8, 0)))
        .await;
    env.put(&activity("a", "a2", "Food", 5, &at(23, 8, 0)))
        .await;
    let records = env.records().await;

    env.faults.fail(Some("a"), None);
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), Some(seq_of(&records[0])));
    assert_eq!(env.aggregate("b", &date(21)).await, Some((25, 0)));
    assert_eq!(
        env.aggregate("a", &date(21)).await,
        Some((10, 0)),
        "a's move not applied"
    );

    env.faults.clear();
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(outcome.stats.duplicate_entries, 1);
    env.assert_exact(&users(&["a", "b"])).await;
}

#[tokio::test]
async fn a_transient_failure_is_retried_within_the_invocation() {
    let mut env = Env::new().await;
    interleaved(&env).await;
    let records = env.records().await;
    env.faults.fail(None, Some(1));
    env.counter.reset();
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(env.faults.injected(), 1);
    // 3 users x 2 days, plus the one retry.
    assert_eq!(outcome.stats.transactions, 7);
    assert_eq!(transact_writes(&env.counter), 7);
    env.assert_exact(&users(&["a", "b", "c"])).await;
}

#[tokio::test]
async fn a_permanent_refusal_fails_the_records_without_losing_or_retrying_them() {
    let mut env = Env::with_config(|c| c.processed_table = "no-such-table".into()).await;
    interleaved(&env).await;
    let records = env.records().await;
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), Some(seq_of(&records[0])));
    assert_eq!(outcome.stats.transactions, 6, "no retry of a refusal");
    assert_eq!(outcome.stats.failed_entries, records.len());
    for u in ["a", "b", "c"] {
        assert!(
            env.aggregates(u).await.is_empty(),
            "the update and markers are one transaction"
        );
    }
}

#[tokio::test]
async fn malformed_records_are_skipped_without_stalling_the_shard() {
    let mut env = Env::new().await;
    env.put(&activity("u1", "ok1", "Food", 100, &at(21, 8, 0)))
        .await;
    env.put(&activity("u1", "bad1", "Sleep", 100, &at(21, 8, 0)))
        .await;
    env.put(&activity("u1", "bad2", "Food", -40, &at(21, 8, 0)))
        .await;
    env.put(&activity("u1", "bad3", "Food", 1_000_000, &at(21, 8, 0)))
        .await;
    env.put(&activity("u1", "bad4", "Food", 10, "21/11/2026 08:00"))
        .await;
    let mut no_calories: HashMap<String, AttributeValue> =
        serde_dynamo::to_item(activity("u1", "bad5", "Food", 10, &at(21, 8, 0))).unwrap();
    no_calories.remove("caloriesConsumed");
    env.put_raw(no_calories).await;
    env.put_raw(HashMap::from([
        ("userid".to_string(), AttributeValue::S("u1".into())),
        ("id".to_string(), AttributeValue::S("bad6".into())),
        ("colour".to_string(), AttributeValue::S("red".into())),
    ]))
    .await;
    env.put(&activity("u1", "ok2", "Exercise", 30, &at(21, 9, 0)))
        .await;
    let mut records = env.records().await;

    // And records no stream would send: an unknown event, a broken image, no images.
    let mut unknown = records[0].clone();
    unknown["eventName"] = json!("UPSERT");
    unknown["eventID"] = json!("unknown-event");
    let mut broken = records[0].clone();
    broken["dynamodb"]["NewImage"]["caloriesConsumed"] = json!({"N": 12});
    broken["eventID"] = json!("broken-image");
    let mut bare = records[0].clone();
    bare["dynamodb"].as_object_mut().unwrap().remove("NewImage");
    bare["eventID"] = json!("no-image");
    records.splice(1..1, [unknown, broken, bare]);

    let outcome = env.deliver(&records).await;
    assert_eq!(
        outcome.failure(),
        None,
        "a bad record never stalls the shard"
    );
    assert_eq!(outcome.stats.skipped_records, 6 + 3);
    assert_eq!(outcome.stats.applied_entries, 2);
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((100, 30)));
    assert_eq!(
        env.marker_count().await,
        2,
        "skipped records leave no markers"
    );
    env.assert_exact(&users(&["u1"])).await;
}

#[tokio::test]
async fn an_activity_edited_into_and_out_of_validity_stays_exact() {
    let mut env = Env::new().await;
    let u = users(&["u1"]);
    env.put(&activity("u1", "a1", "Food", 300, &at(21, 8, 0)))
        .await;
    env.put(&activity("u1", "a2", "Food", 5, &at(21, 8, 0)))
        .await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((305, 0)));

    // Valid -> invalid: the old calories leave, the invalid new image counts as nothing.
    env.put(&activity("u1", "a1", "Food", -5, &at(21, 8, 0)))
        .await;
    let outcome = env.sync().await;
    assert_eq!(outcome.stats.ignored_images, 1);
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((5, 0)));
    env.assert_exact(&u).await;

    // Invalid -> invalid: nothing to do.
    env.put(&activity("u1", "a1", "Nap", 30, &at(21, 8, 0)))
        .await;
    let outcome = env.sync().await;
    assert_eq!(outcome.stats.skipped_records, 1);

    // Invalid -> valid on another day: the new calories arrive.
    env.update(&activity("u1", "a1", "Exercise", 80, &at(22, 8, 0)))
        .await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(22)).await, Some((0, 80)));
    env.assert_exact(&u).await;

    env.delete("u1", "a1").await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(22)).await, Some((0, 0)));
    env.assert_exact(&u).await;
}
