//! Lambda's DynamoDB event source mapping, locally (the I/O side): polls the table's stream on
//! DynamoDB Local (the DynamoDB Streams API), each shard after its parent and through
//! `stack_template::stream::ShardReader` (as Lambda reads one), gathers records into batches as the template's mapping says
//! (`BatchSize`, `MaximumBatchingWindowInSeconds`), hands each batch to the function in
//! Lambda's event shape and honours its reply:
//!
//! * `batchItemFailures` (with `ReportBatchItemFailures`): the records before the lowest
//!   reported sequence number are done; delivery resumes from that record, which heads the
//!   next batch. An empty, null or unknown identifier fails the whole batch.
//! * a function error: the whole batch again (halved first with `BisectBatchOnFunctionError`).
//! * past `MaximumRetryAttempts` the batch is dropped and logged (on AWS it would go to the
//!   on-failure destination).
//!
//! Where each shard stands is kept in [`Checkpoints`], which outlive a poller: one started
//! again goes on after the last record done.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::json;
use stack_template::stream::ShardReader;
use tokio::sync::watch;
use tracing::{debug, error, info, warn};

use super::mapping::StreamMapping;
use super::reply::{verdict, Verdict};
use super::shard::{seq_of, Checkpoints, Shard};
use crate::error::{Error, Result};
use crate::invoke::Invoker;

#[derive(Debug, Default)]
pub struct StreamStats {
    /// Batches handed to the function.
    pub batches: AtomicU64,
    /// Records read from the stream.
    pub records_read: AtomicU64,
    /// Records the function finished with (not redelivered).
    pub records_done: AtomicU64,
    /// Deliveries answered with batchItemFailures.
    pub partial_failures: AtomicU64,
    /// Deliveries that ended in a function error.
    pub function_errors: AtomicU64,
    /// Records dropped after MaximumRetryAttempts.
    pub records_dropped: AtomicU64,
}

pub struct Poller {
    pub ddb: aws_sdk_dynamodb::Client,
    pub streams: aws_sdk_dynamodbstreams::Client,
    pub table: String,
    pub mapping: StreamMapping,
    pub target: Arc<dyn Invoker>,
    pub poll_interval: Duration,
    pub stats: Arc<StreamStats>,
    pub checkpoints: Arc<Checkpoints>,
}

impl Poller {
    /// Polls until `shutdown` turns true; the batch in flight is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let stream_arn = loop {
            let found = tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => return,
                r = self.stream_arn() => r,
            };
            match found {
                Ok(arn) => break arn,
                Err(e) => {
                    warn!(table = %self.table, error = %e, "stream not readable yet");
                    tokio::select! {
                        _ = shutdown.changed() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        };
        info!(table = %self.table, stream = %stream_arn, function = %self.mapping.function, "polling the stream");
        let mut shards: Vec<Shard> = Vec::new();
        let mut last_discovery: Option<Instant> = None;
        let mut discovery_failures = 0u32;
        loop {
            if *shutdown.borrow() {
                break;
            }
            let rediscover = last_discovery.is_none_or(|t| t.elapsed() > Duration::from_secs(5))
                || shards.iter().all(Shard::finished);
            if rediscover {
                last_discovery = Some(Instant::now());
                let discovered = tokio::select! {
                    _ = shutdown.wait_for(|stop| *stop) => break,
                    r = self.discover(&stream_arn, &mut shards) => r,
                };
                match discovered {
                    Ok(()) => discovery_failures = 0,
                    Err(e) => {
                        discovery_failures += 1;
                        if discovery_failures.is_power_of_two() {
                            warn!(error = %e, failures = discovery_failures, "DescribeStream failed");
                        }
                    }
                }
            }
            // A child shard is read once its parent is done with (Lambda's order per key).
            let unfinished: Vec<String> = shards.iter().map(|s| s.id().to_string()).collect();
            for shard in shards.iter_mut() {
                if shard
                    .reader
                    .parent
                    .as_ref()
                    .is_some_and(|p| unfinished.contains(p))
                {
                    continue;
                }
                // A read is dropped at shutdown (nothing is lost: the records stay in the
                // stream); a delivery in flight is finished.
                tokio::select! {
                    _ = shutdown.wait_for(|stop| *stop) => break,
                    _ = self.poll(&stream_arn, shard) => {}
                }
                while shard.due(&self.mapping) {
                    self.deliver(shard).await;
                }
                self.checkpoints.keep(shard);
            }
            if *shutdown.borrow() {
                break;
            }
            shards.retain(|s| !s.finished());
            tokio::select! {
                _ = shutdown.changed() => break,
                _ = tokio::time::sleep(self.poll_interval) => {}
            }
        }
        debug!("stream poller stopped");
    }

    async fn stream_arn(&self) -> Result<String> {
        let desc = self
            .ddb
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| {
                Error::Engine(format!(
                    "DescribeTable {}: {}",
                    self.table,
                    DisplayErrorContext(&e)
                ))
            })?;
        desc.table()
            .and_then(|t| t.latest_stream_arn())
            .map(str::to_string)
            .ok_or_else(|| Error::Engine(format!("{} has no stream", self.table)))
    }

    async fn discover(&self, stream_arn: &str, shards: &mut Vec<Shard>) -> Result<()> {
        let start = if self.mapping.starting_position == "LATEST" {
            ShardIteratorType::Latest
        } else {
            ShardIteratorType::TrimHorizon
        };
        for (id, parent) in stack_template::stream::shards(&self.streams, stream_arn)
            .await
            .map_err(Error::Engine)?
        {
            let checkpoint = self.checkpoints.get(&id);
            if checkpoint.finished || shards.iter().any(|known| known.id() == id) {
                continue;
            }
            debug!(shard = %id, after = ?checkpoint.done, "reading shard");
            let reader = ShardReader::new(id, parent, start.clone(), checkpoint.done);
            shards.push(Shard::new(reader, self.mapping.batch_size));
        }
        Ok(())
    }

    /// Reads what the shard has (up to the batch size ahead of what is pending).
    async fn poll(&self, stream_arn: &str, shard: &mut Shard) {
        if shard.reader.closed || shard.pending.len() >= self.mapping.batch_size {
            return;
        }
        if shard.read_again_at.is_some_and(|t| Instant::now() < t) {
            return;
        }
        let records = match shard.reader.read(&self.streams, stream_arn, 1000).await {
            Ok(records) => records,
            Err(e) => {
                if shard.read_failed() {
                    warn!(shard = %shard.id(), error = %e, failures = shard.read_errors, "reading the stream failed");
                }
                return;
            }
        };
        shard.read_errors = 0;
        shard.read_again_at = None;
        if records.is_empty() {
            return;
        }
        self.stats
            .records_read
            .fetch_add(records.len() as u64, Ordering::Relaxed);
        let region = self.region();
        shard.pending.extend(
            records
                .iter()
                .map(|r| stack_template::stream::lambda_record(r, stream_arn, &region)),
        );
        shard.first_pending_at.get_or_insert_with(Instant::now);
    }

    fn region(&self) -> String {
        self.ddb
            .config()
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".into())
    }

    async fn deliver(&self, shard: &mut Shard) {
        let records = shard.next_batch(&self.mapping);
        let n = records.len();
        let seqs: Vec<String> = records
            .iter()
            .map(|r| seq_of(r).unwrap_or("").to_string())
            .collect();
        let payload = json!({ "Records": records });
        self.stats.batches.fetch_add(1, Ordering::Relaxed);
        let reply = self.target.invoke(&self.mapping.function, payload).await;

        // How many records from the front are done, or None for "the whole batch failed".
        let done: Option<usize> = match &reply {
            Ok(response) if self.mapping.report_batch_item_failures => {
                match verdict(response, &seqs) {
                    Verdict::AllDone => Some(n),
                    Verdict::ResumeAt { done, from } => {
                        self.stats.partial_failures.fetch_add(1, Ordering::Relaxed);
                        warn!(shard = %shard.id(), resume_from = %from, done, "partial batch failure; redelivering from the reported record");
                        Some(done)
                    }
                    Verdict::Unusable => {
                        self.stats.partial_failures.fetch_add(1, Ordering::Relaxed);
                        warn!(shard = %shard.id(), reply = %response, "batchItemFailures names no record of the batch; the whole batch fails");
                        None
                    }
                }
            }
            Ok(_) => Some(n),
            Err(e) => {
                self.stats.function_errors.fetch_add(1, Ordering::Relaxed);
                error!(shard = %shard.id(), error_type = %e.error_type, message = %e.error_message, records = n, "function error; the batch is retried");
                None
            }
        };

        match done {
            Some(k) if k == n => {
                shard.all_done(n, &self.mapping);
                self.stats
                    .records_done
                    .fetch_add(n as u64, Ordering::Relaxed);
                debug!(shard = %shard.id(), records = n, first = seqs.first().map_or("", String::as_str), last = seqs.last().map_or("", String::as_str), "batch done");
            }
            other => {
                let k = other.unwrap_or(0);
                self.stats
                    .records_done
                    .fetch_add(k as u64, Ordering::Relaxed);
                let dropped = shard.failed(n, k, reply.is_err(), &self.mapping);
                if !dropped.is_empty() {
                    self.stats
                        .records_dropped
                        .fetch_add(dropped.len() as u64, Ordering::Relaxed);
                    error!(
                        shard = %shard.id(),
                        records = dropped.len(),
                        first = dropped.first().and_then(seq_of).unwrap_or(""),
                        last = dropped.last().and_then(seq_of).unwrap_or(""),
                        "retries exhausted: dropping the records (on AWS: the on-failure destination)"
                    );
                }
            }
        }
    }
}
