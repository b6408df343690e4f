//! The tickets table: one item per (event, holder). Its key makes "one ticket per user per
//! event" a plain `attribute_not_exists` condition; `byUser` lists a user's bookings.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::{Delete, DeleteRequest, TransactWriteItem, WriteRequest};
use serde::{Deserialize, Serialize};

use super::rooms::put_item;
use super::{from_item, key, s, to_item, Item};
use crate::config::App;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub event_id: String,
    pub user_id: String,
    pub booked_at: String,
}

impl Ticket {
    pub fn to_graphql(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

pub fn put_new(app: &App, ticket: &Ticket) -> AppResult<TransactWriteItem> {
    put_item(
        &app.tables.tickets,
        to_item(ticket)?,
        "attribute_not_exists(user_id)",
    )
}

pub fn delete(app: &App, event_id: &str, user_id: &str) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&app.tables.tickets)
        .set_key(Some(key(&[("event_id", event_id), ("user_id", user_id)])))
        .condition_expression("attribute_exists(user_id)")
        .build()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// Every holder of an event's tickets (only the organiser and admins are shown this).
pub async fn holders(app: &App, event_id: &str) -> AppResult<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let mut start: Option<Item> = None;
    loop {
        let resp = app
            .db
            .query()
            .table_name(&app.tables.tickets)
            .key_condition_expression("event_id = :e")
            .expression_attribute_values(":e", s(event_id))
            .projection_expression("user_id")
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        for item in resp.items.unwrap_or_default() {
            if let Some(Ok(id)) = item.get("user_id").map(|v| v.as_s()) {
                out.insert(id.clone());
            }
        }
        match resp.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return Ok(out),
        }
    }
}

/// Which of the (event, user) pairs hold a ticket, in one BatchGetItem: a page of events
/// and who is asking.
pub async fn held(app: &App, pairs: &[(String, String)]) -> AppResult<BTreeSet<(String, String)>> {
    let keys = pairs
        .iter()
        .map(|(e, u)| key(&[("event_id", e), ("user_id", u)]))
        .collect();
    let items = super::batch_get(app, &app.tables.tickets, keys).await?;
    items
        .into_iter()
        .map(|i| from_item::<Ticket>(i).map(|t| (t.event_id, t.user_id)))
        .collect()
}

pub async fn get(app: &App, event_id: &str, user_id: &str) -> AppResult<Option<Ticket>> {
    let resp = app
        .db
        .get_item()
        .table_name(&app.tables.tickets)
        .set_key(Some(key(&[("event_id", event_id), ("user_id", user_id)])))
        .consistent_read(true)
        .send()
        .await?;
    resp.item.map(from_item).transpose()
}

/// A user's tickets, most recently booked first.
pub async fn of_user(
    app: &App,
    user_id: &str,
    limit: i32,
    start: Option<Item>,
) -> AppResult<(Vec<Ticket>, Option<Item>)> {
    let query = app
        .db
        .query()
        .table_name(&app.tables.tickets)
        .index_name("byUser")
        .key_condition_expression("user_id = :u")
        .expression_attribute_values(":u", s(user_id))
        .scan_index_forward(false);
    super::query_page(query, limit, start).await
}

/// Removes the tickets of a deleted event, 25 at a time. Best effort after the event is
/// gone: a ticket left behind points at no event and is skipped by every reader.
pub async fn delete_all(app: &App, event_id: &str) -> AppResult<()> {
    let holders: Vec<String> = holders(app, event_id).await?.into_iter().collect();
    for chunk in holders.chunks(25) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|u| {
                let del = DeleteRequest::builder()
                    .set_key(Some(key(&[("event_id", event_id), ("user_id", u)])))
                    .build()
                    .map_err(|e| AppError::internal(e.to_string()))?;
                Ok(WriteRequest::builder().delete_request(del).build())
            })
            .collect::<AppResult<_>>()?;
        for _ in 0..8 {
            let resp = app
                .db
                .batch_write_item()
                .request_items(&app.tables.tickets, requests.clone())
                .send()
                .await?;
            requests = resp
                .unprocessed_items
                .and_then(|mut u| u.remove(&app.tables.tickets))
                .unwrap_or_default();
            if requests.is_empty() {
                break;
            }
        }
    }
    Ok(())
}
