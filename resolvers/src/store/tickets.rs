//! The tickets table: one item per (event, holder). Its key makes "one ticket per user per
//! event" a plain `attribute_not_exists` condition; `byUser` lists a user's bookings.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::{Delete, DeleteRequest, TransactWriteItem, WriteRequest};
use serde::Deserialize;

use super::{key, put_item, query_all, query_page, s, to_item, Page, Read};
use crate::config::{Db, Tables};
use crate::domain::ticket::Ticket;
use crate::error::AppResult;
use crate::paging::PageKey;

/// `Check::NoTicketYet`.
pub fn put_new(tables: &Tables, ticket: &Ticket) -> AppResult<TransactWriteItem> {
    put_item(
        &tables.tickets,
        to_item(ticket)?,
        "attribute_not_exists(user_id)",
    )
}

/// `Check::TicketHeld`.
pub fn delete(tables: &Tables, event_id: &str, user_id: &str) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&tables.tickets)
        .set_key(Some(key(&[("event_id", event_id), ("user_id", user_id)])))
        .condition_expression("attribute_exists(user_id)")
        .build()?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

#[derive(Deserialize)]
struct Holder {
    user_id: String,
}

/// Every holder of an event's tickets (only the organiser and admins are shown this).
pub async fn holders(db: &Db, event_id: &str) -> AppResult<BTreeSet<String>> {
    let query = db
        .client
        .query()
        .table_name(&db.tables.tickets)
        .key_condition_expression("event_id = :e")
        .expression_attribute_values(":e", s(event_id))
        .projection_expression("user_id")
        .consistent_read(true);
    let holders: Vec<Holder> = query_all(query).await?;
    Ok(holders.into_iter().map(|h| h.user_id).collect())
}

/// Which of the (event, user) pairs hold a ticket, in one BatchGetItem: a page of events
/// and who is asking.
pub async fn held(db: &Db, pairs: &[(String, String)]) -> AppResult<BTreeSet<(String, String)>> {
    let keys = pairs
        .iter()
        .map(|(e, u)| key(&[("event_id", e), ("user_id", u)]))
        .collect();
    let found: Vec<Ticket> = db.batch_get(&db.tables.tickets, keys).await?;
    Ok(found.into_iter().map(|t| (t.event_id, t.user_id)).collect())
}

pub async fn get(db: &Db, event_id: &str, user_id: &str) -> AppResult<Option<Ticket>> {
    let key = key(&[("event_id", event_id), ("user_id", user_id)]);
    db.get(&db.tables.tickets, key, Read::Latest).await
}

/// A user's tickets, most recently booked first.
pub async fn of_user(
    db: &Db,
    user_id: &str,
    limit: i32,
    start: Option<PageKey>,
) -> AppResult<Page<Ticket>> {
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

/// Removes the tickets of a deleted event, 25 at a time. Best effort after the event is
/// gone: a ticket left behind points at no event and is skipped by every reader.
pub async fn delete_all(db: &Db, event_id: &str) -> AppResult<()> {
    let holders: Vec<String> = holders(db, event_id).await?.into_iter().collect();
    for chunk in holders.chunks(25) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|u| {
                let del = DeleteRequest::builder()
                    .set_key(Some(key(&[("event_id", event_id), ("user_id", u)])))
                    .build()?;
                Ok(WriteRequest::builder().delete_request(del).build())
            })
            .collect::<AppResult<_>>()?;
        for _ in 0..8 {
            let resp = db
                .client
                .batch_write_item()
                .request_items(&db.tables.tickets, requests.clone())
                .send()
                .await?;
            requests = resp
                .unprocessed_items
                .and_then(|mut u| u.remove(&db.tables.tickets))
                .unwrap_or_default();
            if requests.is_empty() {
                break;
            }
        }
    }
    Ok(())
}
