//! DynamoDB at the edge: one planned transaction in, committed / already applied / error out;
//! and how the DynamoDB client retries.

use std::time::Duration;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;

use crate::error::Error;
use crate::plan::Transaction;

const OPERATION: &str = "TransactWriteItems";

/// The SDK's retries, for everything it can classify: throttling, 5xx, timeouts and network
/// failures, in standard mode (exponential backoff with full jitter, and a retry quota that
/// stops retrying when most calls fail). 5 attempts with backoff ceilings of 0.1, 0.2, 0.4
/// and 0.8 s: under 1.5 s of waiting per call, far inside the 60 s timeout, and a throttled
/// partition gets a few seconds to recover before Lambda redelivers the records. Retrying a
/// transaction whose answer was lost is safe: if it did commit, its markers cancel the retry
/// as already applied. The handler adds only what the SDK cannot retry: cancellations.
pub const SDK_MAX_ATTEMPTS: u32 = 5;

pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(SDK_MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(2))
}

/// A transaction takes tens of milliseconds; an attempt still unanswered after 5 s is a
/// stuck connection, which only a timeout turns into something the SDK retries.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .operation_attempt_timeout(Duration::from_secs(5))
        .build()
}

/// The aggregator's DynamoDB client: the shared SDK configuration with the retries and
/// timeouts above. Built once, in `main`.
pub fn client(sdk: &aws_config::SdkConfig) -> Client {
    Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(sdk)
            .retry_config(retry_config())
            .timeout_config(timeout_config())
            .build(),
    )
}

/// What a transaction attempt achieved, when DynamoDB answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Committed,
    /// Cancelled because the markers of these entries (positions in `Transaction::entries`)
    /// already exist: those entries were applied by an earlier delivery. Nothing of this
    /// attempt was written.
    AlreadyApplied(Vec<usize>),
}

#[derive(Debug, Clone)]
pub struct Store {
    client: Client,
    aggregates_table: String,
    processed_table: String,
}

impl Store {
    pub fn new(client: Client, aggregates_table: String, processed_table: String) -> Self {
        Self {
            client,
            aggregates_table,
            processed_table,
        }
    }

    pub async fn apply(&self, tx: &Transaction, expires_at: i64) -> Result<Applied, Error> {
        let items = self.items(tx, expires_at)?;
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(Applied::Committed),
            Err(err) => classify(err, tx.entries.len()),
        }
    }

    fn items(&self, tx: &Transaction, expires_at: i64) -> Result<Vec<TransactWriteItem>, Error> {
        let total = tx.total();
        // ADD creates the item and both attributes on first use, so the aggregate needs no
        // separate initialisation and never exists with only one of the two counters.
        let update = Update::builder()
            .table_name(&self.aggregates_table)
            .key("userid", AttributeValue::S(tx.group.userid.clone()))
            .key("date", AttributeValue::S(tx.group.date()))
            .update_expression("ADD caloriesConsumed :c, caloriesBurned :b")
            .expression_attribute_values(":c", AttributeValue::N(total.consumed.to_string()))
            .expression_attribute_values(":b", AttributeValue::N(total.burned.to_string()))
            .build()
            .map_err(build_error)?;
        let mut items = Vec::with_capacity(tx.entries.len() + 1);
        items.push(TransactWriteItem::builder().update(update).build());
        let expires_at = AttributeValue::N(expires_at.to_string());
        for entry in &tx.entries {
            let put = Put::builder()
                .table_name(&self.processed_table)
                .item("id", AttributeValue::S(entry.dedupe_id.clone()))
                .item("expires_at", expires_at.clone())
                .item("seq", AttributeValue::S(entry.seq.to_string()))
                .condition_expression("attribute_not_exists(id)")
                .build()
                .map_err(build_error)?;
            items.push(TransactWriteItem::builder().put(put).build());
        }
        Ok(items)
    }
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> Error {
    Error::DynamoDb {
        operation: OPERATION,
        retryable: false,
        message: e.to_string(),
    }
}

/// Only a cancellation is ours to retry (`model::retry`): every other error has had the
/// SDK's retries already (see [`retry_config`]).
fn classify(err: SdkError<TransactWriteItemsError>, entries: usize) -> Result<Applied, Error> {
    let mut retryable = false;
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        err.as_service_error()
    {
        let codes: Vec<Option<&str>> = cancelled
            .cancellation_reasons()
            .iter()
            .map(CancellationReason::code)
            .collect();
        match judge_cancellation(&codes, entries) {
            Cancellation::AlreadyApplied(positions) => {
                return Ok(Applied::AlreadyApplied(positions))
            }
            Cancellation::Transient => retryable = true,
            Cancellation::Permanent => {}
        }
    }
    Err(Error::DynamoDb {
        operation: OPERATION,
        retryable,
        message: DisplayErrorContext(&err).to_string(),
    })
}

/// What a TransactionCanceledException's reasons mean for our transaction: item 0 is the
/// aggregate update, item i > 0 the marker of entry i - 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancellation {
    AlreadyApplied(Vec<usize>),
    Transient,
    Permanent,
}

pub fn judge_cancellation(codes: &[Option<&str>], entries: usize) -> Cancellation {
    // Markers that exist are applied whatever else went wrong: dropping them first means the
    // next attempt only has the other causes left.
    let applied: Vec<usize> = (1..=entries)
        .filter(|&i| codes.get(i) == Some(&Some("ConditionalCheckFailed")))
        .map(|i| i - 1)
        .collect();
    if !applied.is_empty() {
        Cancellation::AlreadyApplied(applied)
    } else if model::retry::cancellation_may_pass(codes.iter().copied()) {
        Cancellation::Transient
    } else {
        Cancellation::Permanent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existing_markers_mean_already_applied() {
        let codes = [
            Some("None"),
            Some("ConditionalCheckFailed"),
            Some("None"),
            Some("ConditionalCheckFailed"),
        ];
        assert_eq!(
            judge_cancellation(&codes, 3),
            Cancellation::AlreadyApplied(vec![0, 2])
        );
    }

    #[test]
    fn conflicts_and_throttling_are_transient() {
        let codes = [Some("TransactionConflict"), Some("None")];
        assert_eq!(judge_cancellation(&codes, 1), Cancellation::Transient);
        assert_eq!(judge_cancellation(&[], 1), Cancellation::Transient);
        let codes = [Some("None"), Some("ThrottlingError")];
        assert_eq!(judge_cancellation(&codes, 1), Cancellation::Transient);
    }

    #[test]
    fn applied_markers_are_dropped_whatever_else_failed() {
        for other in ["TransactionConflict", "ValidationError"] {
            let codes = [Some(other), Some("ConditionalCheckFailed")];
            assert_eq!(
                judge_cancellation(&codes, 1),
                Cancellation::AlreadyApplied(vec![0]),
                "{other}"
            );
        }
    }

    #[test]
    fn validation_or_a_failed_update_is_permanent() {
        assert_eq!(
            judge_cancellation(&[Some("ValidationError"), Some("None")], 1),
            Cancellation::Permanent
        );
        // The update carries no condition: a failed check there is not ours to explain away.
        assert_eq!(
            judge_cancellation(&[Some("ConditionalCheckFailed"), Some("None")], 1),
            Cancellation::Permanent
        );
        assert_eq!(
            judge_cancellation(&[Some("None"), Some("None")], 1),
            Cancellation::Permanent
        );
    }
}
