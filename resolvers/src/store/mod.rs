//! DynamoDB at the edge, behind a small interface: a module per table with the reads and
//! the writes it needs, the generic helpers they share (here: item conversion, GetItem,
//! conditional PutItem, BatchGetItem, Query pages, the paginator), and
//! `write`, which runs the domain's planned writes as one transaction (`Db::transact`).
//! Everything takes the small `Db` (a client and the table names); nothing here decides who
//! may do what.

pub mod activities;
pub mod aggregates;
pub mod bookings;
pub mod categories;
pub mod events;
pub mod inventory;
pub mod listing;
pub mod profiles;
pub mod rooms;
pub mod tickets;
pub mod write;

use std::collections::HashMap;
use std::time::Duration;

use model::retry::RetryPolicy;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, Put, TransactWriteItem, WriteRequest,
};
use serde::de::DeserializeOwned;

use crate::config::Db;
use crate::error::{AppError, AppResult};
use crate::paging::PageKey;

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

pub fn from_item<T: DeserializeOwned>(item: Item) -> AppResult<T> {
    Ok(serde_dynamo::from_item(item)?)
}

/// Whether a single-item write failed its condition expression.
pub fn is_condition_failure<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(e: &E) -> bool {
    e.code() == Some("ConditionalCheckFailedException")
}

/// One page of a list and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<PageKey>,
}

/// A LastEvaluatedKey as a page position: every key attribute of our tables is a string.
fn page_key(item: Item) -> AppResult<PageKey> {
    item.into_iter()
        .map(|(name, value)| match value {
            AttributeValue::S(v) => Ok((name, v)),
            _ => Err(AppError::internal(format!(
                "non-string key attribute {name}"
            ))),
        })
        .collect()
}

fn start_key(key: PageKey) -> Item {
    key.into_iter().map(|(k, v)| (k, s(v))).collect()
}

/// One page of a Query (one request), from `start`.
pub async fn query_page<T: DeserializeOwned>(
    query: QueryFluentBuilder,
    limit: i32,
    start: Option<PageKey>,
) -> AppResult<Page<T>> {
    let resp = query
        .limit(limit)
        .set_exclusive_start_key(start.map(start_key))
        .send()
        .await?;
    Ok(Page {
        items: resp
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_item)
            .collect::<AppResult<_>>()?,
        next: resp.last_evaluated_key.map(page_key).transpose()?,
    })
}

/// Every item a Query matches, through the SDK's paginator.
pub async fn query_all<T: DeserializeOwned>(query: QueryFluentBuilder) -> AppResult<Vec<T>> {
    let mut items = query.into_paginator().items().send();
    let mut out = Vec::new();
    while let Some(item) = items.next().await {
        out.push(from_item(item?)?);
    }
    Ok(out)
}

/// Which read a GetItem makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Strongly consistent: what a check before a write needs.
    Latest,
    /// Eventually consistent (half the cost): reference data and the aggregator's totals.
    Eventual,
}

/// A plain conditional put as a transaction item.
pub fn put_item(table: &str, item: Item, condition: &str) -> AppResult<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression(condition)
        .build()?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Unprocessed keys are read again (the SDK does not): the first try and up to 8 more, the
/// waits from 10 ms doubling to at most 640 ms.
const BATCH_GET_RETRY: RetryPolicy =
    RetryPolicy::new(9, Duration::from_millis(10), Duration::from_millis(640));

impl Db {
    /// One item by key.
    pub async fn get<T: DeserializeOwned>(
        &self,
        table: &str,
        key: Item,
        read: Read,
    ) -> AppResult<Option<T>> {
        let resp = self
            .client
            .get_item()
            .table_name(table)
            .set_key(Some(key))
            .consistent_read(read == Read::Latest)
            .send()
            .await?;
        resp.item.map(from_item).transpose()
    }

    /// One new item through a single conditional PutItem (no transaction): a Conflict
    /// naming `what` (e.g. "a room") and its `id` when an item with that key exists.
    pub async fn put_new<T: serde::Serialize>(
        &self,
        table: &str,
        value: &T,
        new_if: &str,
        what: &str,
        id: &str,
    ) -> AppResult<()> {
        let result = self
            .client
            .put_item()
            .table_name(table)
            .set_item(Some(to_item(value)?))
            .condition_expression(new_if)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(is_condition_failure) => {
                Err(AppError::Conflict(format!(
                    "{what} with id {id:?} already exists; choose another id"
                )))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// BatchGetItem over any number of keys, retrying unprocessed keys until all are read.
    /// Missing items are simply absent from the result.
    pub async fn batch_get<T: DeserializeOwned>(
        &self,
        table: &str,
        keys: Vec<Item>,
    ) -> AppResult<Vec<T>> {
        let reads = keys.into_iter().map(|k| (table.to_string(), k)).collect();
        self.batch_read(reads, Read::Eventual)
            .await?
            .into_iter()
            .map(|(_, item)| from_item(item))
            .collect()
    }

    /// BatchGetItem over keys of any tables (100 keys a request, requests in parallel),
    /// retrying unprocessed keys until all are read; each item comes back with its table.
    pub async fn batch_read(
        &self,
        reads: Vec<(String, Item)>,
        read: Read,
    ) -> AppResult<Vec<(String, Item)>> {
        let chunks = reads
            .chunks(100)
            .map(|chunk| self.batch_read_chunk(chunk, read));
        let found = futures::future::try_join_all(chunks).await?;
        Ok(found.into_iter().flatten().collect())
    }

    async fn batch_read_chunk(
        &self,
        chunk: &[(String, Item)],
        read: Read,
    ) -> AppResult<Vec<(String, Item)>> {
        let mut pending: HashMap<String, KeysAndAttributes> = HashMap::new();
        let mut by_table: HashMap<&str, Vec<Item>> = HashMap::new();
        for (table, key) in chunk {
            by_table.entry(table).or_default().push(key.clone());
        }
        for (table, keys) in by_table {
            let ka = KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(read == Read::Latest)
                .build()?;
            pending.insert(table.to_string(), ka);
        }
        let mut out = Vec::with_capacity(chunk.len());
        let mut failures = 0;
        loop {
            let resp = self
                .client
                .batch_get_item()
                .set_request_items(Some(pending))
                .send()
                .await?;
            for (table, items) in resp.responses.unwrap_or_default() {
                out.extend(items.into_iter().map(|i| (table.clone(), i)));
            }
            match resp.unprocessed_keys {
                Some(rest) if rest.values().any(|k| !k.keys().is_empty()) => {
                    failures += 1;
                    if !BATCH_GET_RETRY.allows_retry(failures) {
                        return Err(AppError::internal(
                            "BatchGetItem kept returning unprocessed keys",
                        ));
                    }
                    tokio::time::sleep(BATCH_GET_RETRY.delay(failures)).await;
                    pending = rest;
                }
                _ => return Ok(out),
            }
        }
    }

    /// BatchWriteItem on one table, 25 requests at a time, retrying what DynamoDB leaves
    /// unprocessed (with `model::retry`'s backoff, bounded). Not atomic: for writes each of
    /// which stands alone (removing a deleted event's tickets, the migration's copies).
    pub async fn batch_write(&self, table: &str, requests: Vec<WriteRequest>) -> AppResult<()> {
        for chunk in requests.chunks(25) {
            let mut pending = chunk.to_vec();
            let mut failures = 0;
            while !pending.is_empty() {
                let resp = self
                    .client
                    .batch_write_item()
                    .request_items(table, pending)
                    .send()
                    .await?;
                pending = resp
                    .unprocessed_items
                    .and_then(|mut u| u.remove(table))
                    .unwrap_or_default();
                if !pending.is_empty() {
                    failures += 1;
                    if !BATCH_GET_RETRY.allows_retry(failures) {
                        return Err(AppError::internal(
                            "BatchWriteItem kept returning unprocessed items",
                        ));
                    }
                    tokio::time::sleep(BATCH_GET_RETRY.delay(failures)).await;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_keys_round_trip_and_refuse_non_string_attributes() {
        let item = key(&[("id", "e1"), ("kind", "EVENT")]);
        let pk = page_key(item.clone()).unwrap();
        assert_eq!(pk.get("id").map(String::as_str), Some("e1"));
        assert_eq!(start_key(pk), item);
        let odd = Item::from([("n".to_string(), n(1))]);
        assert_eq!(page_key(odd).unwrap_err().error_type(), "Internal");
    }
}
