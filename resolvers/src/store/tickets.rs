//! The tickets table: one item per (holder, event), keyed by the holder (`user_id`,
//! `event_id`), so "one ticket per user per event" is a plain `attribute_not_exists`
//! condition and an event's buyers land on as many partitions as there are buyers. The local
//! index `byUser` orders a user's tickets by booking time; the global index `byEvent` lists an
//! event's holders, write-sharded like its counters (`holders` = `{event_id}#{shard}`).

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::{Delete, DeleteRequest, TransactWriteItem, WriteRequest};

use super::{key, put_item, query_page, s, to_item, Page, Read};
use crate::config::{Db, Tables};
use crate::domain::inventory::counter_key;
use crate::domain::ticket::Ticket;
use crate::error::{AppError, AppResult};
use crate::paging::PageKey;

fn ticket_key(event_id: &str, user_id: &str) -> super::Item {
    key(&[("user_id", user_id), ("event_id", event_id)])
}

/// `Check::NoTicketYet`.
pub fn put_new(tables: &Tables, ticket: &Ticket) -> AppResult<TransactWriteItem> {
    put_item(
        &tables.tickets,
        to_item(ticket)?,
        "attribute_not_exists(event_id)",
    )
}

/// `Check::TicketHeld`.
pub fn delete(tables: &Tables, event_id: &str, user_id: &str) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&tables.tickets)
        .set_key(Some(ticket_key(event_id, user_id)))
        .condition_expression("attribute_exists(event_id)")
        .build()?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// Which of the (event, user) pairs hold a ticket, in one BatchGetItem: a page of events
/// and who is asking.
pub async fn held(db: &Db, pairs: &[(String, String)]) -> AppResult<BTreeSet<(String, String)>> {
    let keys = pairs.iter().map(|(e, u)| ticket_key(e, u)).collect();
    let found: Vec<Ticket> = db.batch_get(&db.tables.tickets, keys).await?;
    Ok(found.into_iter().map(|t| (t.event_id, t.user_id)).collect())
}

/// Whether the user holds a ticket for the event, strongly consistent (through BatchGetItem,
/// the one read of single tickets the function is granted).
pub async fn holds(db: &Db, event_id: &str, user_id: &str) -> AppResult<bool> {
    let read = vec![(db.tables.tickets.clone(), ticket_key(event_id, user_id))];
    Ok(!db.batch_read(read, Read::Latest).await?.is_empty())
}

/// Key attributes of `byUser` entries: the table's and the index's.
#[derive(serde::Deserialize)]
pub struct Booked {
    pub event_id: String,
}

/// A user's tickets, most recently booked first (one Query of their own partition).
pub async fn of_user(
    db: &Db,
    user_id: &str,
    limit: i32,
    start: Option<PageKey>,
) -> AppResult<Page<Booked>> {
    let query = db
        .client
        .query()
        .table_name(&db.tables.tickets)
        .index_name("byUser")
        .key_condition_expression("user_id = :u")
        .expression_attribute_values(":u", s(user_id))
        .scan_index_forward(false);
    query_page(query, limit, start).await
}

/// Where a page of holders starts: a counter's shard of `byEvent`, after a user id.
fn position(shard: i64, after: &str) -> PageKey {
    PageKey::from([
        ("shard".to_string(), shard.to_string()),
        ("after".to_string(), after.to_string()),
    ])
}

fn opened(start: Option<PageKey>, shards: i64) -> AppResult<(i64, String)> {
    let Some(p) = start else {
        return Ok((0, String::new()));
    };
    let shard = p
        .get("shard")
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|s| (0..shards).contains(s));
    match (shard, p.get("after")) {
        (Some(shard), Some(after)) => Ok((shard, after.clone())),
        // A token sealed by this service that does not fit the event's counters: a stale
        // position.
        _ => Err(AppError::BadRequest(
            "nextToken does not fit this event's holders any more; start again without it".into(),
        )),
    }
}

/// Up to `limit` holders of an event, by shard then user id, from `start`: each of the
/// event's `shards` partitions of `byEvent` in turn, so a page costs at most `shards`
/// Queries (one when the first shard has enough).
pub async fn holders_page(
    db: &Db,
    event_id: &str,
    shards: i64,
    limit: usize,
    start: Option<PageKey>,
) -> AppResult<Page<Ticket>> {
    let (mut shard, mut after) = opened(start, shards)?;
    let mut items: Vec<Ticket> = Vec::new();
    while shard < shards {
        let want = limit - items.len();
        let mut query = db
            .client
            .query()
            .table_name(&db.tables.tickets)
            .index_name("byEvent")
            .expression_attribute_values(":h", s(counter_key(event_id, shard)))
            .limit(want as i32);
        query = if after.is_empty() {
            query.key_condition_expression("holders = :h")
        } else {
            query
                .key_condition_expression("holders = :h AND user_id > :after")
                .expression_attribute_values(":after", s(&after))
        };
        let resp = query.send().await?;
        for item in resp.items.unwrap_or_default() {
            items.push(super::from_item(item)?);
        }
        let more_here = resp.last_evaluated_key.is_some();
        if items.len() >= limit {
            let last = items.last().map(|t| t.user_id.clone()).unwrap_or_default();
            let next = if more_here || shard + 1 < shards {
                Some(if more_here {
                    position(shard, &last)
                } else {
                    position(shard + 1, "")
                })
            } else {
                None
            };
            return Ok(Page { items, next });
        }
        if !more_here {
            shard += 1;
            after.clear();
        } else {
            after = items.last().map(|t| t.user_id.clone()).unwrap_or_default();
        }
    }
    Ok(Page { items, next: None })
}

/// Removes the tickets of a deleted event, 25 at a time. Best effort after the event is
/// gone: a ticket left behind points at no event and is skipped by every reader.
pub async fn delete_all(db: &Db, event_id: &str, shards: i64) -> AppResult<()> {
    let mut start = None;
    loop {
        let page = holders_page(db, event_id, shards, 100, start).await?;
        let requests: Vec<WriteRequest> = page
            .items
            .iter()
            .map(|t| {
                let del = DeleteRequest::builder()
                    .set_key(Some(ticket_key(event_id, &t.user_id)))
                    .build()?;
                Ok(WriteRequest::builder().delete_request(del).build())
            })
            .collect::<AppResult<_>>()?;
        db.batch_write(&db.tables.tickets, requests).await?;
        match page.next {
            Some(next) => start = Some(next),
            None => return Ok(()),
        }
    }
}
