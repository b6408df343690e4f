//! DynamoDB at the edge: item conversion, the requests each entity needs, and the retry
//! rules for transactions and batch reads. Handlers compose these; nothing here decides
//! who may do what.

pub mod activities;
pub mod aggregates;
pub mod bookings;
pub mod categories;
pub mod events;
pub mod page;
pub mod profiles;
pub mod rooms;
pub mod tickets;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, TransactWriteItem};

use crate::config::App;
use crate::error::{AppError, AppResult};

pub type Item = HashMap<String, AttributeValue>;

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn key(pairs: &[(&str, &str)]) -> Item {
    pairs.iter().map(|(k, v)| (k.to_string(), s(*v))).collect()
}

pub fn to_item<T: serde::Serialize>(value: &T) -> AppResult<Item> {
    Ok(serde_dynamo::to_item(value)?)
}

pub fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> AppResult<T> {
    Ok(serde_dynamo::from_item(item)?)
}

/// Whether a single-item write failed its condition expression.
pub fn is_condition_failure<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(e: &E) -> bool {
    e.code() == Some("ConditionalCheckFailedException")
}

/// One page of a Query: the items as `T` and where the next page starts.
pub async fn query_page<T: serde::de::DeserializeOwned>(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    limit: i32,
    start: Option<Item>,
) -> AppResult<(Vec<T>, Option<Item>)> {
    let resp = query
        .limit(limit)
        .set_exclusive_start_key(start)
        .send()
        .await?;
    let items = resp
        .items
        .unwrap_or_default()
        .into_iter()
        .map(from_item)
        .collect::<AppResult<_>>()?;
    Ok((items, resp.last_evaluated_key))
}

/// How DynamoDB answered a transaction whose conditions did not all hold.
#[derive(Debug)]
pub enum TxOutcome {
    Committed,
    /// One reason code per transaction item ("None", "ConditionalCheckFailed", ...).
    Cancelled(Vec<String>),
}

impl TxOutcome {
    /// Whether the condition of item `i` is what failed.
    pub fn failed_at(&self, i: usize) -> bool {
        matches!(self, Self::Cancelled(codes) if codes.get(i).map(String::as_str) == Some("ConditionalCheckFailed"))
    }
}

const TX_ATTEMPTS: u32 = 6;

/// One TransactWriteItems. A cancellation caused only by a conflicting concurrent transaction
/// (hundreds of people booking one event) is retried with jittered backoff; what is left is
/// either committed, cancelled by our conditions, or a Conflict the client may retry.
pub async fn transact(app: &App, items: Vec<TransactWriteItem>) -> AppResult<TxOutcome> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = app
            .db
            .transact_write_items()
            .set_transact_items(Some(items.clone()))
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(TxOutcome::Committed),
            Err(err) => err,
        };
        let retry_conflict = match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                let codes: Vec<String> = e
                    .cancellation_reasons()
                    .iter()
                    .map(|r| r.code().unwrap_or("None").to_string())
                    .collect();
                if codes.iter().any(|c| c == "ConditionalCheckFailed") {
                    return Ok(TxOutcome::Cancelled(codes));
                }
                codes.iter().any(|c| c == "TransactionConflict")
            }
            Some(TransactWriteItemsError::TransactionInProgressException(_)) => true,
            _ => false,
        };
        if !retry_conflict {
            return Err(err.into());
        }
        if attempt >= TX_ATTEMPTS {
            return Err(AppError::Conflict(
                "too many people are changing this at the same moment; please retry".into(),
            ));
        }
        backoff(attempt).await;
    }
}

async fn backoff(attempt: u32) {
    let cap = 10u64 << attempt.min(6);
    tokio::time::sleep(Duration::from_millis(fastrand::u64(1..=cap))).await;
}

/// BatchGetItem over any number of keys, retrying unprocessed keys until all are read.
/// Missing items are simply absent from the result.
pub async fn batch_get(app: &App, table: &str, keys: Vec<Item>) -> AppResult<Vec<Item>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(100) {
        let mut pending = KeysAndAttributes::builder()
            .set_keys(Some(chunk.to_vec()))
            .build()
            .map_err(|e| AppError::internal(e.to_string()))?;
        let mut attempt = 0;
        loop {
            let resp = app
                .db
                .batch_get_item()
                .request_items(table, pending)
                .send()
                .await?;
            if let Some(items) = resp.responses.and_then(|mut r| r.remove(table)) {
                out.extend(items);
            }
            match resp.unprocessed_keys.and_then(|mut u| u.remove(table)) {
                Some(rest) if !rest.keys().is_empty() => {
                    attempt += 1;
                    if attempt > 8 {
                        return Err(AppError::internal(
                            "BatchGetItem kept returning unprocessed keys",
                        ));
                    }
                    backoff(attempt).await;
                    pending = rest;
                }
                _ => break,
            }
        }
    }
    Ok(out)
}
