//! The calorie tracker end to end against moto: activities written through the resolvers
//! handler, their real stream records handed to the aggregator handler (twice, as Lambda may),
//! aggregates read back through the resolvers handler.

use aggregator::{Aggregator, Config};
use resolvers::{handle, App};
use serde_json::{json, Value};
use testkit::stream::{lambda_event, StreamTail};

async fn call(app: &App, parent: &str, field: &str, args: Value, who: &str) -> Value {
    let identity = devtools::cognito_identity(who, who, &[]);
    let event = devtools::appsync_event(parent, field, args, identity, Value::Null);
    handle(app, event)
        .await
        .unwrap_or_else(|e| panic!("{field}: {} {e}", e.error_type()))
}

async fn totals(app: &App, who: &str, date: &str) -> (i64, i64) {
    let a = call(
        app,
        "Query",
        "getUserAggregate",
        json!({ "date": date }),
        who,
    )
    .await;
    (
        a["caloriesConsumed"].as_i64().unwrap(),
        a["caloriesBurned"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn aggregates_follow_activities_written_through_the_api() {
    let db = testkit::client(None).await;
    let tables = testkit::create_tables(&db, &testkit::unique_prefix()).await;
    let app = devtools::app(
        db.clone(),
        &tables,
        "end-to-end-page-token-secret-0123456789",
    );
    devtools::seed::load_categories(&app, &devtools::seed::categories_path())
        .await
        .unwrap();
    let aggregator = Aggregator::new(
        db.clone(),
        Config::from_lookup(|k| tables.get(k).cloned()).unwrap(),
    );
    let streams = aws_sdk_dynamodbstreams::Client::new(&testkit::sdk_config().await);
    let mut tail = StreamTail::open(&db, streams, &tables["ACTIVITIES_TABLE"]).await;

    let create = |id: &str, category: &str, kind: &str, calories: i64, at: &str| json!({ "input": { "id": id, "category": category, "type": kind, "caloriesConsumed": calories, "creationDateTime": at } });
    call(
        &app,
        "Mutation",
        "createActivity",
        create("lunch", "Food", "Lunch", 500, "2026-11-20T12:00:00Z"),
        "alice",
    )
    .await;
    call(
        &app,
        "Mutation",
        "createActivity",
        create("run", "Exercise", "Run", 300, "2026-11-20T07:00:00Z"),
        "alice",
    )
    .await;
    call(
        &app,
        "Mutation",
        "createActivity",
        create("tea", "Drink", "Tea", 100, "2026-11-21T09:00:00Z"),
        "alice",
    )
    .await;
    call(
        &app,
        "Mutation",
        "createActivity",
        create("snack", "Food", "Snacks", 50, "2026-11-20T16:00:00Z"),
        "bob",
    )
    .await;
    // An edit, a move to another day, a late-evening activity in another offset, a delete.
    call(
        &app,
        "Mutation",
        "updateActivity",
        json!({ "input": { "id": "lunch", "caloriesConsumed": 600 } }),
        "alice",
    )
    .await;
    call(
        &app,
        "Mutation",
        "updateActivity",
        json!({ "input": { "id": "tea", "creationDateTime": "2026-11-20T22:30:00-01:00" } }),
        "alice",
    )
    .await;
    call(
        &app,
        "Mutation",
        "createActivity",
        create("walk", "Exercise", "Walk", 120, "2026-11-20T23:30:00Z"),
        "alice",
    )
    .await;
    call(
        &app,
        "Mutation",
        "deleteActivity",
        json!({ "input": { "id": "run" } }),
        "alice",
    )
    .await;

    let records = tail.read().await;
    assert!(
        records.len() >= 8,
        "every write is a stream record: {}",
        records.len()
    );
    let payload = lambda_event(&records).to_string();
    for delivery in 1..=2 {
        let outcome = aggregator.handle_payload(&payload).await.unwrap();
        assert_eq!(outcome.failure(), None, "delivery {delivery}");
    }

    // Alice on the 20th: lunch 600 + tea 100 consumed (22:30 at -01:00 is 23:30 UTC on the
    // 20th), walk 120 burned; the run was deleted.
    assert_eq!(totals(&app, "alice", "2026-11-20").await, (700, 120));
    assert_eq!(
        totals(&app, "alice", "2026-11-21").await,
        (0, 0),
        "the tea moved away"
    );
    assert_eq!(
        totals(&app, "bob", "2026-11-20").await,
        (50, 0),
        "bob's own, not alice's"
    );

    let listed = call(
        &app,
        "Query",
        "listUserAggregates",
        json!({ "from": "2026-11-19", "to": "2026-11-22" }),
        "alice",
    )
    .await;
    let days: Vec<(String, i64)> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_string(),
                d["caloriesConsumed"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        vec![
            ("2026-11-20".to_string(), 700),
            ("2026-11-21".to_string(), 0)
        ]
    );
}
