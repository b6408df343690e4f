//! The metric records an aggregator batch writes, read back as CloudWatch would read them:
//! EMF lines from the recorder the Lambda installs, after a real batch from DynamoDB Local's stream in
//! which one record can never be applied and one user's aggregates cannot be written.
//!
//! One test in its own binary: the metrics recorder is process-wide.

#[path = "support/mod.rs"]
mod support;

use serde_json::{json, Value};
use support::{activity, at, lambda_event, seq_of, user_of, Env};

fn flushed(emf: &startup::metrics::Emf) -> Vec<Value> {
    emf.flush_documents()
        .expect("each line is one JSON document")
}

/// (unit, value) of a metric in a flush, which must be the aggregator's, in the test's
/// namespace.
fn metric(docs: &[Value], name: &str) -> Option<(String, Value)> {
    let (unit, value, doc) = startup::metrics::find(docs, name)?;
    assert_eq!(
        doc["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "test-stack"
    );
    assert_eq!(doc["service"], "aggregator");
    Some((unit.to_string(), value.clone()))
}

#[tokio::test]
async fn a_batch_counts_its_records_applied_skipped_and_failed_and_its_lag() {
    let emf = startup::metrics::Emf::install("aggregator", |k| {
        (k == "POWERTOOLS_METRICS_NAMESPACE").then(|| "test-stack".to_string())
    })
    .expect("the recorder installs");
    aggregator::telemetry::describe();

    let mut env = Env::new().await;
    for (user, id) in [("a", "a1"), ("a", "a2"), ("b", "b1"), ("b", "b2")] {
        env.put(&activity(user, id, "Food", 100, &at(21, 12, 0)))
            .await;
    }
    let mut records = env.records().await;
    assert_eq!(records.len(), 4);
    let first_b = records.iter().position(|r| user_of(r) == "b").unwrap();
    assert_eq!(first_b, 2, "a's records come first");
    // A record no reader can make sense of, before the others: skipped for good.
    let mut garbled = records[0].clone();
    garbled["dynamodb"]["Keys"] = json!("not a key map");
    garbled["dynamodb"]["NewImage"] = json!(42);
    garbled["dynamodb"]["SequenceNumber"] = json!("1");
    records.insert(0, garbled);

    // b's aggregates cannot be written: Lambda is told to resume from b's first record.
    env.faults.fail(Some("b"), None);
    let raw = lambda_event(&records).to_string();
    let outcome = env.deliver_raw(&raw).await;
    assert_eq!(outcome.failure(), Some(seq_of(&records[first_b + 1])));
    assert_eq!(outcome.stats.skipped_records, 1);
    aggregator::telemetry::record(&outcome);

    let docs = flushed(&emf);
    let count = |n: u64| ("Count".to_string(), json!(n));
    assert_eq!(metric(&docs, "RecordsApplied"), Some(count(2)), "{docs:#?}");
    assert_eq!(metric(&docs, "RecordsSkipped"), Some(count(1)), "{docs:#?}");
    assert_eq!(metric(&docs, "RecordsFailed"), Some(count(2)), "{docs:#?}");
    let (unit, ages) = metric(&docs, "NewestRecordAge").expect("the batch's lag");
    assert_eq!(unit, "Milliseconds");
    let ages = ages.as_array().expect("a histogram is a list of values");
    assert_eq!(ages.len(), 1, "one value per batch");
    let age = ages[0].as_f64().unwrap();
    assert!(
        (0.0..600_000.0).contains(&age),
        "DynamoDB stamps records with the time it wrote them: {age} ms"
    );
    assert_eq!(
        docs.iter()
            .map(|d| d["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .unwrap()
                .len())
            .sum::<usize>(),
        aggregator::telemetry::METRICS.len(),
        "exactly the four metrics"
    );

    // The redelivery applies what was left; nothing was counted twice in between.
    env.faults.clear();
    let again = lambda_event(&records[first_b + 1..]).to_string();
    let outcome = env.deliver_raw(&again).await;
    assert_eq!(outcome.failure(), None);
    aggregator::telemetry::record(&outcome);
    let docs = flushed(&emf);
    assert_eq!(metric(&docs, "RecordsApplied"), Some(count(2)));
    assert_eq!(
        metric(&docs, "RecordsFailed"),
        None,
        "no failure, no datapoint"
    );
    assert_eq!(metric(&docs, "RecordsSkipped"), None);
}
