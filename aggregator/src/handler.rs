//! One invocation: prepare the batch, run its transactions, answer with the lowest sequence
//! number whose effect is not durably applied.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use tracing::{debug, error, info, warn};

use crate::batch::{self, Prepared};
use crate::error::Error;
use crate::plan::Transaction;
use crate::seq::SequenceNumber;
use crate::store::{Applied, Store};

/// Markers must outlive every possible redelivery: stream retention (24 h) plus the event
/// source's maximum record age. A week leaves room for both.
pub const DEFAULT_DEDUPE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

pub use model::retry::RetryPolicy;

#[derive(Debug, Clone)]
pub struct Config {
    pub aggregates_table: String,
    pub processed_table: String,
    pub dedupe_ttl: Duration,
    /// Retries within one invocation of a cancelled transaction (`model::retry`); past them
    /// the records are reported, and Lambda's redelivery is the longer-term retry.
    pub retry: RetryPolicy,
    /// Transactions in flight at once. They touch distinct aggregate items, so their order
    /// does not matter.
    pub concurrency: usize,
}

pub const AGGREGATES_TABLE_ENV: &str = "USER_AGGREGATES_TABLE";
pub const PROCESSED_TABLE_ENV: &str = "PROCESSED_RECORDS_TABLE";
pub const CONCURRENCY_ENV: &str = "AGGREGATOR_CONCURRENCY";
pub const DEFAULT_CONCURRENCY: usize = 8;

impl Config {
    pub fn new(aggregates_table: impl Into<String>, processed_table: impl Into<String>) -> Self {
        Self {
            aggregates_table: aggregates_table.into(),
            processed_table: processed_table.into(),
            dedupe_ttl: DEFAULT_DEDUPE_TTL,
            retry: model::retry::CANCELLED_TRANSACTION,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let table = |name: &str| {
            lookup(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Error::Config(format!("environment variable {name} is not set")))
        };
        let mut config = Self::new(table(AGGREGATES_TABLE_ENV)?, table(PROCESSED_TABLE_ENV)?);
        if let Some(raw) = lookup(CONCURRENCY_ENV) {
            config.concurrency = raw
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    Error::Config(format!(
                        "{CONCURRENCY_ENV}={raw:?} is not a positive integer"
                    ))
                })?;
        }
        Ok(config)
    }
}

/// What one invocation did. `response` is the whole reply to Lambda; the counts go to the
/// log and the metrics (Lambda's reply has no place for them).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub response: DynamoDbEventResponse,
    pub stats: Stats,
    /// The newest record's `ApproximateCreationDateTime` (seconds since the epoch).
    pub newest_created: Option<f64>,
}

impl Outcome {
    /// The sequence number Lambda will resume from, if any.
    pub fn failure(&self) -> Option<&str> {
        self.response
            .batch_item_failures
            .first()
            .and_then(|f| f.item_identifier.as_deref())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub records: usize,
    /// Records passed over for good (logged one by one).
    pub skipped_records: usize,
    /// Records Lambda delivers again: the reported one and every later one.
    pub failed_records: usize,
    /// Invalid images counted as nothing in records that were applied.
    pub ignored_images: usize,
    /// (record, aggregate) entries written by this invocation.
    pub applied_entries: usize,
    /// Entries found already applied by an earlier delivery.
    pub duplicate_entries: usize,
    /// Entries left unapplied; their records are redelivered.
    pub failed_entries: usize,
    /// TransactWriteItems requests made, retries included.
    pub transactions: usize,
}

#[derive(Debug, Clone)]
pub struct Aggregator {
    store: Store,
    config: Config,
}

#[derive(Debug, Default)]
struct TxReport {
    applied: usize,
    duplicates: usize,
    requests: usize,
    /// Lowest sequence number among entries left unapplied.
    failed: Option<SequenceNumber>,
    failed_entries: usize,
}

impl Aggregator {
    pub fn new(client: aws_sdk_dynamodb::Client, config: Config) -> Self {
        let store = Store::new(
            client,
            config.aggregates_table.clone(),
            config.processed_table.clone(),
        );
        Self { store, config }
    }

    /// The Lambda entry point: the payload exactly as delivered.
    pub async fn handle_payload(&self, raw: &str) -> Result<Outcome, Error> {
        let prepared =
            batch::prepare(raw).inspect_err(|e| error!(error = %e, "unusable payload"))?;
        Ok(self.run(prepared).await)
    }

    async fn run(&self, prepared: Prepared) -> Outcome {
        let mut stats = Stats {
            records: prepared.records,
            skipped_records: prepared.skipped.len(),
            ignored_images: prepared.ignored_images.len(),
            ..Stats::default()
        };
        for s in &prepared.skipped {
            warn!(
                sequence_number = s.sequence_number.as_deref().unwrap_or(""),
                event_id = %s.event_id,
                keys = %s.keys,
                reason = %s.reason,
                "skipping a record that can never be applied"
            );
        }
        for i in &prepared.ignored_images {
            warn!(
                sequence_number = %i.sequence_number,
                event_id = %i.event_id,
                keys = %i.keys,
                image = i.side.as_str(),
                reason = %i.reason,
                "invalid image counted as contributing nothing"
            );
        }

        let expires_at = epoch_seconds(SystemTime::now() + self.config.dedupe_ttl);
        let Prepared {
            transactions,
            sequence_numbers,
            newest_created,
            ..
        } = prepared;
        let reports: Vec<TxReport> = stream::iter(transactions)
            .map(|tx| self.execute(tx, expires_at))
            .buffer_unordered(self.config.concurrency.max(1))
            .collect()
            .await;

        for r in &reports {
            stats.applied_entries += r.applied;
            stats.duplicate_entries += r.duplicates;
            stats.failed_entries += r.failed_entries;
            stats.transactions += r.requests;
        }
        // Lambda resumes from the reported record and everything after it comes again:
        // applied records there find their markers, skipped ones are skipped again.
        let lowest = reports.into_iter().filter_map(|r| r.failed).min();
        if let Some(lowest) = &lowest {
            stats.failed_records = sequence_numbers.iter().filter(|s| *s >= lowest).count();
        }

        let mut response = DynamoDbEventResponse::default();
        if let Some(seq) = &lowest {
            response.batch_item_failures.push({
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = Some(seq.to_string());
                failure
            });
        }
        info!(
            records = stats.records,
            skipped_records = stats.skipped_records,
            failed_records = stats.failed_records,
            ignored_images = stats.ignored_images,
            applied_entries = stats.applied_entries,
            duplicate_entries = stats.duplicate_entries,
            failed_entries = stats.failed_entries,
            transactions = stats.transactions,
            resume_from = lowest.as_ref().map(SequenceNumber::as_str).unwrap_or(""),
            "batch done"
        );
        Outcome {
            response,
            stats,
            newest_created,
        }
    }

    async fn execute(&self, mut tx: Transaction, expires_at: i64) -> TxReport {
        let mut report = TxReport::default();
        let mut failures = 0u32;
        while !tx.entries.is_empty() {
            report.requests += 1;
            match self.store.apply(&tx, expires_at).await {
                Ok(Applied::Committed) => {
                    report.applied += tx.entries.len();
                    return report;
                }
                Ok(Applied::AlreadyApplied(positions)) => {
                    debug!(
                        userid = %tx.group.userid,
                        date = %tx.group.day,
                        already_applied = positions.len(),
                        "dropping redelivered entries"
                    );
                    report.duplicates += positions.len();
                    // Each round removes at least one entry, so this loop ends.
                    tx.drop_entries(&positions);
                }
                Err(e)
                    if e.retry_in_invocation() && self.config.retry.allows_retry(failures + 1) =>
                {
                    failures += 1;
                    let delay = self.config.retry.delay(failures);
                    warn!(userid = %tx.group.userid, date = %tx.group.day, error = %e, attempt = failures, ?delay, "retrying a cancelled transaction");
                    tokio::time::sleep(delay).await;
                }
                Err(e) => {
                    let lowest = tx.entries.iter().map(|e| &e.seq).min().cloned();
                    error!(
                        userid = %tx.group.userid,
                        date = %tx.group.day,
                        entries = tx.entries.len(),
                        lowest_sequence_number = lowest.as_ref().map(SequenceNumber::as_str).unwrap_or(""),
                        error = %e,
                        "transaction not applied; its records will be redelivered"
                    );
                    report.failed_entries = tx.entries.len();
                    report.failed = lowest;
                    return report;
                }
            }
        }
        report
    }
}

fn epoch_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_reads_tables_and_rejects_bad_concurrency() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let c = Config::from_lookup(env(&[
            (AGGREGATES_TABLE_ENV, "agg"),
            (PROCESSED_TABLE_ENV, "proc"),
        ]))
        .unwrap();
        assert_eq!(
            (c.aggregates_table.as_str(), c.processed_table.as_str()),
            ("agg", "proc")
        );
        assert_eq!(c.concurrency, DEFAULT_CONCURRENCY);
        assert!(Config::from_lookup(env(&[(AGGREGATES_TABLE_ENV, "agg")])).is_err());
        assert!(Config::from_lookup(env(&[
            (AGGREGATES_TABLE_ENV, "agg"),
            (PROCESSED_TABLE_ENV, "proc"),
            (CONCURRENCY_ENV, "0"),
        ]))
        .is_err());
    }
}
