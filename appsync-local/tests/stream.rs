//! The event source mapping on DynamoDB Local's real stream, with a scripted function in place of the
//! aggregator: what Lambda does with batchItemFailures, function errors and retries.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use appsync_local::invoke::{FunctionError, Invoker};
use appsync_local::stream::StreamMapping;
use appsync_local::stream::{Checkpoints, Poller, StreamStats};
use futures::future::{BoxFuture, FutureExt};
use serde_json::{json, Value};
use tokio::sync::watch;

/// One scripted reply, given the delivery's sequence numbers.
type Step = Box<dyn Fn(&[String]) -> Result<Value, FunctionError> + Send>;

/// Records each delivery's sequence numbers and answers from a script (then succeeds).
struct Scripted {
    deliveries: Mutex<Vec<Vec<String>>>,
    script: Mutex<Vec<Step>>,
}

impl Invoker for Scripted {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, FunctionError>> {
        assert_eq!(function, "aggregator");
        let seqs: Vec<String> = payload["Records"]
            .as_array()
            .expect("Records")
            .iter()
            .map(|r| {
                assert_eq!(r["eventSource"], "aws:dynamodb");
                assert!(r["eventSourceARN"].as_str().unwrap().contains("/stream/"));
                assert_eq!(r["dynamodb"]["StreamViewType"], "NEW_AND_OLD_IMAGES");
                r["dynamodb"]["SequenceNumber"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        self.deliveries.lock().unwrap().push(seqs.clone());
        let mut script = self.script.lock().unwrap();
        let reply = if script.is_empty() {
            Ok(json!({ "batchItemFailures": [] }))
        } else {
            script.remove(0)(&seqs)
        };
        async move { reply }.boxed()
    }
}

struct Setup {
    db: aws_sdk_dynamodb::Client,
    streams: aws_sdk_dynamodbstreams::Client,
    table: String,
    mapping: StreamMapping,
    target: Arc<Scripted>,
    stats: Arc<StreamStats>,
    checkpoints: Arc<Checkpoints>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

async fn setup(mapping: impl FnOnce(&mut StreamMapping), script: Vec<Step>) -> Setup {
    support::init_logs();
    let sdk = testkit::sdk_config().await;
    let db = aws_sdk_dynamodb::Client::new(&sdk);
    let tables = testkit::create_tables(&db, &testkit::unique_prefix()).await;
    let table = tables["ACTIVITIES_TABLE"].clone();
    let mut m = StreamMapping::all(testkit::Template::repository()).unwrap()[0].clone();
    m.batching_window = Duration::ZERO;
    mapping(&mut m);
    let target = Arc::new(Scripted {
        deliveries: Mutex::new(Vec::new()),
        script: Mutex::new(script),
    });
    let (stop, _) = watch::channel(false);
    let mut s = Setup {
        db,
        streams: aws_sdk_dynamodbstreams::Client::new(&sdk),
        table,
        mapping: m,
        target,
        stats: Arc::default(),
        checkpoints: Arc::default(),
        stop,
        task: tokio::spawn(async {}),
    };
    s.start();
    s
}

impl Setup {
    /// A poller of its own on the table, with the setup's checkpoints.
    fn start(&mut self) {
        let poller = Poller {
            ddb: self.db.clone(),
            streams: self.streams.clone(),
            table: self.table.clone(),
            mapping: self.mapping.clone(),
            target: self.target.clone(),
            poll_interval: Duration::from_millis(50),
            stats: self.stats.clone(),
            checkpoints: self.checkpoints.clone(),
        };
        let (stop, rx) = watch::channel(false);
        self.stop = stop;
        self.task = tokio::spawn(poller.run(rx));
    }

    /// Activities `ids` of one user.
    async fn put(&self, ids: std::ops::Range<usize>) {
        // One request for all: the stream then has them before the first poll reads any.
        let writes: Vec<_> = ids
            .map(|i| {
                let item = [
                    ("userid", "u-stream"),
                    ("id", &format!("a{i:03}")),
                    ("category", "Food"),
                    ("type", "Tea"),
                    ("creationDateTime", "2026-11-21T10:00:00.000Z"),
                ]
                .into_iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        aws_sdk_dynamodb::types::AttributeValue::S(v.to_string()),
                    )
                })
                .chain([(
                    "caloriesConsumed".to_string(),
                    aws_sdk_dynamodb::types::AttributeValue::N("10".into()),
                )])
                .collect();
                aws_sdk_dynamodb::types::WriteRequest::builder()
                    .put_request(
                        aws_sdk_dynamodb::types::PutRequest::builder()
                            .set_item(Some(item))
                            .build()
                            .unwrap(),
                    )
                    .build()
            })
            .collect();
        self.db
            .batch_write_item()
            .request_items(&self.table, writes)
            .send()
            .await
            .expect("BatchWriteItem");
    }

    async fn wait_done(&self, records: u64) {
        let stats = self.stats.clone();
        let done = support::eventually(Duration::from_secs(10), || {
            let stats = stats.clone();
            async move {
                let s = &*stats;
                let settled = s.records_done.load(std::sync::atomic::Ordering::SeqCst)
                    + s.records_dropped.load(std::sync::atomic::Ordering::SeqCst);
                (settled >= records).then_some(())
            }
        })
        .await;
        assert!(done.is_some(), "deliveries: {:?}", self.deliveries());
    }

    fn deliveries(&self) -> Vec<Vec<String>> {
        self.target.deliveries.lock().unwrap().clone()
    }

    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Stops the poller and starts another on the same checkpoints.
    async fn restart(&mut self) {
        let _ = self.stop.send(true);
        (&mut self.task).await.expect("the poller stops");
        self.start();
    }
}

fn failure(id: &str) -> Result<Value, FunctionError> {
    Ok(json!({ "batchItemFailures": [{ "itemIdentifier": id }] }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redelivery_resumes_from_the_lowest_reported_record() {
    let s = setup(
        |_| {},
        vec![Box::new(|seqs: &[String]| {
            // Report the third and the second record: delivery resumes from the second.
            Ok(json!({ "batchItemFailures": [{ "itemIdentifier": seqs[2] }, { "itemIdentifier": seqs[1] }] }))
        })],
    )
    .await;
    s.put(0..4).await;
    s.wait_done(4).await;
    let d = s.deliveries();
    assert_eq!(d[0].len(), 4, "{d:?}");
    assert_eq!(
        d[1],
        d[0][1..].to_vec(),
        "the second delivery starts at the reported record"
    );
    assert_eq!(d.len(), 2, "{d:?}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_or_empty_identifier_or_an_error_retries_the_whole_batch() {
    let s = setup(
        |m| m.bisect_on_error = false,
        vec![
            Box::new(|_: &[String]| failure("")),
            Box::new(|_: &[String]| failure("12345")),
            Box::new(|_: &[String]| {
                Err(FunctionError {
                    error_type: "Aggregator.DynamoDb".into(),
                    error_message: "throttled".into(),
                })
            }),
        ],
    )
    .await;
    s.put(0..3).await;
    s.wait_done(3).await;
    let d = s.deliveries();
    assert_eq!(d.len(), 4, "{d:?}");
    assert!(
        d.iter().all(|b| *b == d[0]),
        "the same batch each time: {d:?}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_error_bisects_and_retries_stop_at_the_maximum() {
    let always_failing: Vec<Step> = (0..50)
        .map(|_| {
            Box::new(|_: &[String]| {
                Err(FunctionError {
                    error_type: "Runtime.ExitError".into(),
                    error_message: "boom".into(),
                })
            }) as Step
        })
        .collect();
    let s = setup(
        |m| {
            m.bisect_on_error = true;
            m.maximum_retry_attempts = Some(2);
        },
        always_failing,
    )
    .await;
    s.put(0..4).await;
    s.wait_done(4).await;
    let d = s.deliveries();
    // 4 records, then halves: [4], [2], [1] dropped after 2 retries; and so on for the rest.
    assert_eq!(d[0].len(), 4, "{d:?}");
    assert_eq!(d[1].len(), 2, "{d:?}");
    assert_eq!(d[2].len(), 1, "{d:?}");
    let dropped = s
        .stats
        .records_dropped
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(dropped, 4, "every record is eventually dropped: {d:?}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_poller_goes_on_after_the_last_record_done() {
    let mut s = setup(|_| {}, Vec::new()).await;
    s.put(0..3).await;
    s.wait_done(3).await;
    s.restart().await;
    s.put(3..5).await;
    s.wait_done(5).await;
    // Another restart with nothing new: nothing is delivered again.
    s.restart().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let d = s.deliveries();
    let seqs: Vec<u128> = d.concat().iter().map(|q| q.parse().unwrap()).collect();
    assert_eq!(seqs.len(), 5, "each record once: {d:?}");
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "in stream order: {d:?}"
    );
    s.stop().await;
}
