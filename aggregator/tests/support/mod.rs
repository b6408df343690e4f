//! Shared set-up for the aggregator's tests against DynamoDB Local: tables from template.yaml, the
//! activity table's real stream, the handler wired to a counting and fault-injecting client.
#![allow(dead_code)] // each test binary uses a different part

pub mod faults;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aggregator::seq::SequenceNumber;
use aggregator::{Aggregator, Config, Outcome, RetryPolicy};
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, WriteRequest};
use model::Activity;
use serde_json::Value;
use testkit::RequestCounter;

pub use faults::Faults;
pub use testkit::stream::{lambda_event, seq_of, user_of, StreamTail};

pub const ACTIVITIES: &str = "ACTIVITIES_TABLE";
pub const AGGREGATES: &str = "USER_AGGREGATES_TABLE";
pub const PROCESSED: &str = "PROCESSED_RECORDS_TABLE";

/// (caloriesConsumed, caloriesBurned) of one aggregate.
pub type Totals = (i64, i64);

pub struct Env {
    /// A plain client for the tests' own reads and writes (never counted, never failed).
    pub ddb: aws_sdk_dynamodb::Client,
    pub tables: BTreeMap<String, String>,
    /// Counts the aggregator's requests only.
    pub counter: RequestCounter,
    pub faults: Faults,
    pub aggregator: Aggregator,
    pub tail: StreamTail,
}

/// The handler's configuration for tests: the deployed one (its concurrency too), with fast
/// retries of cancelled transactions.
pub fn test_config(tables: &BTreeMap<String, String>) -> Config {
    let mut config = Config::new(&tables[AGGREGATES], &tables[PROCESSED]);
    config.retry = RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(10),
    };
    config
}

impl Env {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        let ddb = testkit::client(None).await;
        let tables = testkit::create_tables(&ddb, &testkit::unique_prefix()).await;
        let sdk = testkit::sdk_config().await;
        let counter = RequestCounter::new();
        let faults = Faults::default();
        // The retries main configures, with waits short enough for tests.
        let retries = aggregator::store::retry_config()
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(10));
        let builder = aws_sdk_dynamodb::config::Builder::from(&sdk)
            .retry_config(retries)
            .interceptor(counter.clone());
        let instrumented =
            aws_sdk_dynamodb::Client::from_conf(faults.0.install(builder, &sdk).build());
        let mut config = test_config(&tables);
        adjust(&mut config);
        let aggregator = Aggregator::new(instrumented, config);
        let tail = StreamTail::open(
            &ddb,
            aws_sdk_dynamodbstreams::Client::new(&sdk),
            &tables[ACTIVITIES],
        )
        .await;
        Self {
            ddb,
            tables,
            counter,
            faults,
            aggregator,
            tail,
        }
    }

    pub fn table(&self, env: &str) -> &str {
        &self.tables[env]
    }

    // ---- writes to the activity table, as the resolvers would make them ----

    pub async fn put(&self, a: &Activity) {
        self.ddb
            .put_item()
            .table_name(self.table(ACTIVITIES))
            .set_item(Some(serde_dynamo::to_item(a).expect("activity item")))
            .send()
            .await
            .expect("PutItem");
    }

    /// An arbitrary item, e.g. one the model would reject.
    pub async fn put_raw(&self, item: HashMap<String, AttributeValue>) {
        self.ddb
            .put_item()
            .table_name(self.table(ACTIVITIES))
            .set_item(Some(item))
            .send()
            .await
            .expect("PutItem");
    }

    /// Many activities, 25 to a BatchWriteItem.
    pub async fn put_all(&self, activities: &[Activity]) {
        for chunk in activities.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|a| {
                    WriteRequest::builder()
                        .put_request(
                            PutRequest::builder()
                                .set_item(Some(serde_dynamo::to_item(a).expect("item")))
                                .build()
                                .expect("put request"),
                        )
                        .build()
                })
                .collect();
            while !requests.is_empty() {
                let out = self
                    .ddb
                    .batch_write_item()
                    .request_items(self.table(ACTIVITIES), requests)
                    .send()
                    .await
                    .expect("BatchWriteItem");
                requests = out
                    .unprocessed_items()
                    .and_then(|u| u.get(self.table(ACTIVITIES)).cloned())
                    .unwrap_or_default();
            }
        }
    }

    /// UpdateItem setting every attribute: creates the item when missing (an INSERT),
    /// otherwise a MODIFY.
    pub async fn update(&self, a: &Activity) {
        self.ddb
            .update_item()
            .table_name(self.table(ACTIVITIES))
            .key("userid", AttributeValue::S(a.userid.clone()))
            .key("id", AttributeValue::S(a.id.clone()))
            .update_expression(
                "SET category = :c, #t = :t, caloriesConsumed = :n, creationDateTime = :d",
            )
            .expression_attribute_names("#t", "type")
            .expression_attribute_values(":c", AttributeValue::S(a.category.clone()))
            .expression_attribute_values(":t", AttributeValue::S(a.activity_type.clone()))
            .expression_attribute_values(":n", AttributeValue::N(a.calories.to_string()))
            .expression_attribute_values(":d", AttributeValue::S(a.creation_date_time.clone()))
            .send()
            .await
            .expect("UpdateItem");
    }

    pub async fn delete(&self, userid: &str, id: &str) {
        self.ddb
            .delete_item()
            .table_name(self.table(ACTIVITIES))
            .key("userid", AttributeValue::S(userid.into()))
            .key("id", AttributeValue::S(id.into()))
            .send()
            .await
            .expect("DeleteItem");
    }

    // ---- the stream and the handler ----

    /// Stream records written since the last call, as Lambda would deliver them.
    pub async fn records(&mut self) -> Vec<Value> {
        self.tail.read().await
    }

    /// Hands these records to the handler as one Lambda invocation (JSON payload).
    pub async fn deliver(&self, records: &[Value]) -> Outcome {
        self.deliver_raw(&lambda_event(records).to_string()).await
    }

    pub async fn deliver_raw(&self, payload: &str) -> Outcome {
        self.aggregator
            .handle_payload(payload)
            .await
            .expect("the payload is a stream batch")
    }

    /// Reads the new records and delivers them as one batch, expecting full success.
    pub async fn sync(&mut self) -> Outcome {
        let records = self.records().await;
        let outcome = self.deliver(&records).await;
        assert_eq!(outcome.failure(), None, "{:?}", outcome.stats);
        outcome
    }

    // ---- reading the results ----

    /// Every aggregate of a user: date -> totals.
    pub async fn aggregates(&self, userid: &str) -> BTreeMap<String, Totals> {
        let mut out = BTreeMap::new();
        for item in self.query(self.table(AGGREGATES), userid).await {
            let date = item["date"].as_s().expect("date").clone();
            let n = |name: &str| -> i64 {
                item.get(name)
                    .unwrap_or_else(|| panic!("aggregate {userid}/{date} lacks {name}: {item:?}"))
                    .as_n()
                    .expect("number")
                    .parse()
                    .expect("integer")
            };
            out.insert(date.clone(), (n("caloriesConsumed"), n("caloriesBurned")));
        }
        out
    }

    pub async fn aggregate(&self, userid: &str, date: &str) -> Option<Totals> {
        self.aggregates(userid).await.get(date).copied()
    }

    /// What the aggregates must be, recomputed from the activity table: every activity the
    /// model accepts, by its own UTC day.
    pub async fn expected(&self, userid: &str) -> BTreeMap<String, Totals> {
        let mut out: BTreeMap<String, Totals> = BTreeMap::new();
        for item in self.query(self.table(ACTIVITIES), userid).await {
            let Ok(a) = serde_dynamo::from_item::<_, Activity>(item) else {
                continue;
            };
            let Ok(c) = a.contribution() else { continue };
            let e = out.entry(c.day.to_string()).or_default();
            match c.kind {
                model::CalorieKind::Consumed => e.0 += c.calories,
                model::CalorieKind::Burned => e.1 += c.calories,
            }
        }
        out
    }

    /// Every aggregate equals the recomputation; days with no activity left are zero.
    pub async fn assert_exact(&self, users: &[String]) {
        for user in users {
            let actual = self.aggregates(user).await;
            let expected = self.expected(user).await;
            for (date, want) in &expected {
                assert_eq!(
                    actual.get(date),
                    Some(want),
                    "aggregate of {user} on {date}"
                );
            }
            for (date, got) in &actual {
                if !expected.contains_key(date) {
                    assert_eq!(
                        *got,
                        (0, 0),
                        "aggregate of {user} on {date} with no activity left"
                    );
                }
            }
        }
    }

    async fn query(&self, table: &str, userid: &str) -> Vec<HashMap<String, AttributeValue>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .ddb
                .query()
                .table_name(table)
                .key_condition_expression("userid = :u")
                .expression_attribute_values(":u", AttributeValue::S(userid.into()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("Query");
            items.extend(page.items().iter().cloned());
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return items;
            }
        }
    }

    /// Deletes the dedupe markers of records before `seq`, as TTL eventually would: only for
    /// records the test will never deliver again. Keeps the table, and what each
    /// transaction's checks read, from growing with the run.
    pub async fn expire_markers_before(&self, seq: &SequenceNumber) -> usize {
        let table = self.table(PROCESSED);
        let mut doomed = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .ddb
                .scan()
                .table_name(table)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("Scan");
            for item in page.items() {
                let marker_seq = SequenceNumber::new(item["seq"].as_s().expect("seq").clone());
                if marker_seq < *seq {
                    doomed.push(item["id"].clone());
                }
            }
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                break;
            }
        }
        for chunk in doomed.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|id| {
                    WriteRequest::builder()
                        .delete_request(
                            DeleteRequest::builder()
                                .key("id", id.clone())
                                .build()
                                .expect("delete"),
                        )
                        .build()
                })
                .collect();
            while !requests.is_empty() {
                let out = self
                    .ddb
                    .batch_write_item()
                    .request_items(table, requests)
                    .send()
                    .await
                    .expect("BatchWriteItem");
                requests = out
                    .unprocessed_items()
                    .and_then(|u| u.get(table).cloned())
                    .unwrap_or_default();
            }
        }
        doomed.len()
    }

    pub async fn marker_count(&self) -> usize {
        let mut n = 0;
        let mut start = None;
        loop {
            let page = self
                .ddb
                .scan()
                .table_name(self.table(PROCESSED))
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("Scan");
            n += page.items().len();
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return n;
            }
        }
    }
}

/// The aggregator's TransactWriteItems requests since the counter's last reset, checking
/// that it made no other kind of request.
pub fn transact_writes(counter: &RequestCounter) -> usize {
    let snapshot = counter.snapshot();
    assert!(
        snapshot.keys().all(|k| k == "TransactWriteItems"),
        "the aggregator made other requests: {snapshot:?}"
    );
    snapshot.values().sum()
}

pub fn activity(user: &str, id: &str, category: &str, calories: i64, at: &str) -> Activity {
    let activity_type = match category {
        "Food" => "Lunch",
        "Drink" => "Coffee",
        "Exercise" => "Run",
        _ => "Other",
    };
    Activity {
        userid: user.into(),
        id: id.into(),
        category: category.into(),
        activity_type: activity_type.into(),
        calories,
        creation_date_time: at.into(),
    }
}

pub fn users(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Three users' activities, interleaved in the stream, two days each.
pub async fn interleaved(env: &Env) {
    for i in 0..4u32 {
        for (n, u) in ["a", "b", "c"].iter().enumerate() {
            let day = 21 + (i % 2);
            let category = if n == 1 { "Exercise" } else { "Food" };
            env.put(&activity(
                u,
                &format!("{u}{i}"),
                category,
                10 * (i as i64 + 1),
                &at(day, 8, i),
            ))
            .await;
        }
    }
}

/// `2026-11-{day}T{hour}:{minute}:00.000Z`
pub fn at(day: u32, hour: u32, minute: u32) -> String {
    format!("2026-11-{day:02}T{hour:02}:{minute:02}:00.000Z")
}

pub fn date(day: u32) -> String {
    format!("2026-11-{day:02}")
}

/// A small, seeded, reproducible generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
