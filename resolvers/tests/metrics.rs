//! The metric records a booking writes, read back as CloudWatch would read them: EMF lines
//! from the recorder the Lambda installs, after real bookings against DynamoDB Local. And the
//! span of
//! an operation, as it appears on its log lines.
//!
//! One test in its own binary: the metrics recorder is process-wide.

mod support;

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use support::{admin, at, error_type, user};

fn flushed(emf: &startup::metrics::Emf) -> Vec<Value> {
    emf.flush_documents()
        .expect("each line is one JSON document")
}

/// Log lines written while the test runs, as the Lambda writes them (JSON, current span).
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_booking_and_the_refusals_around_it_are_counted_once_each() {
    let emf = startup::metrics::Emf::install("resolvers", |k| {
        (k == "POWERTOOLS_METRICS_NAMESPACE").then(|| "test-stack".to_string())
    })
    .expect("the recorder installs");
    resolvers::telemetry::describe();

    let env = support::empty().await;
    env.create_room("r", 100).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 2)
        .await
        .unwrap();
    // Setting up wrote no booking and refused nothing.
    assert_eq!(flushed(&emf), Vec::<Value>::new(), "nothing counted yet");

    let book = |who: &str| env.mutate("bookTicket", json!({ "event_id": "e" }), user(who));
    book("a").await.unwrap();
    assert_eq!(error_type(book("a").await), "Conflict");
    // Seed 000's client books through updateEvent: a booking too.
    env.mutate(
        "updateEvent",
        json!({ "input": { "id": "e", "tickets": ["b"] } }),
        user("b"),
    )
    .await
    .unwrap();
    assert_eq!(error_type(book("c").await), "SoldOut");
    let invalid = env
        .mutate(
            "createRoom",
            json!({ "input": { "name": "x", "capacity": -1 } }),
            admin(),
        )
        .await;
    assert_eq!(error_type(invalid), "ValidationError");

    let docs = flushed(&emf);
    for (name, value) in [
        (resolvers::telemetry::BOOKINGS, 2),
        (resolvers::telemetry::SOLD_OUT, 1),
        (resolvers::telemetry::CONFLICTS, 1),
        (resolvers::telemetry::VALIDATION_ERRORS, 1),
    ] {
        let (unit, got, doc) =
            startup::metrics::find(&docs, name).unwrap_or_else(|| panic!("no {name} in {docs:#?}"));
        assert_eq!((unit, got), ("Count", &json!(value)), "{name}");
        let ns = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(ns["Namespace"], "test-stack");
        assert_eq!(ns["Dimensions"], json!([["service"]]));
        assert_eq!(doc["service"], "resolvers");
        assert!(doc["_aws"]["Timestamp"].as_u64().is_some(), "a timestamp");
    }
    assert_eq!(
        resolvers::telemetry::METRICS.len(),
        docs.iter()
            .map(|d| d["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .unwrap()
                .len())
            .sum::<usize>(),
        "exactly the four metrics: {docs:#?}"
    );
    // Counters start again from zero after a flush (one flush per invocation).
    assert_eq!(flushed(&emf), Vec::<Value>::new());

    // The span: every line logged inside an operation names AppSync's request id.
    let lines = Lines::default();
    let sink = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut event = devtools::appsync_event(
        "Mutation",
        "bookTicket",
        json!({ "event_id": "e" }),
        user("d"),
        Value::Null,
    );
    event["request"]["headers"]["x-amzn-requestid"] = json!("req-42");
    assert_eq!(
        resolvers::handle(&env.app, event)
            .await
            .unwrap_err()
            .error_type(),
        "SoldOut"
    );
    let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    let logged: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON log lines"))
        .collect();
    let refusal = logged
        .iter()
        .find(|l| l["fields"]["error_type"] == "SoldOut")
        .unwrap_or_else(|| panic!("the refusal is logged: {text}"));
    assert_eq!(
        refusal["span"],
        json!({
            "name": "operation",
            "parent_type": "Mutation",
            "field": "bookTicket",
            "items": 1,
            "appsync_request_id": "req-42",
        })
    );
}
