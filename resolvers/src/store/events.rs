//! The events table and its `byStart` index.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};

use super::rooms::put_item;
use super::{from_item, key, n, s, to_item, Item};
use crate::config::App;
use crate::domain::event::{Event, EVENT_KIND};
use crate::error::{AppError, AppResult};

pub async fn get(app: &App, id: &str) -> AppResult<Option<Event>> {
    let resp = app
        .db
        .get_item()
        .table_name(&app.tables.events)
        .set_key(Some(key(&[("id", id)])))
        .consistent_read(true)
        .send()
        .await?;
    resp.item.map(from_item).transpose()
}

pub async fn get_many(app: &App, ids: &[String]) -> AppResult<Vec<Event>> {
    let keys = ids.iter().map(|id| key(&[("id", id)])).collect();
    super::batch_get(app, &app.tables.events, keys)
        .await?
        .into_iter()
        .map(from_item)
        .collect()
}

/// Which slice of the start-time index a list reads.
#[derive(Debug, Clone)]
pub struct StartRange {
    /// Key condition on `event_datetime_start` (after `kind = :k`), with its values.
    pub condition: Option<(&'static str, Vec<(&'static str, String)>)>,
    /// Filter on the event's end, with its value.
    pub filter: Option<(&'static str, String)>,
    pub ascending: bool,
}

/// Filtered pages are filled by reading on (bounded), so a client rarely sees a short page:
/// the upcoming list would otherwise open with empty pages of events that just ended.
const MAX_READS_PER_PAGE: usize = 8;

pub async fn list_by_start(
    app: &App,
    range: &StartRange,
    limit: i32,
    mut start: Option<Item>,
) -> AppResult<(Vec<Event>, Option<Item>)> {
    let mut events: Vec<Event> = Vec::new();
    for _ in 0..MAX_READS_PER_PAGE {
        let mut q = app
            .db
            .query()
            .table_name(&app.tables.events)
            .index_name("byStart")
            .expression_attribute_values(":k", s(EVENT_KIND))
            .scan_index_forward(range.ascending)
            .limit(limit - events.len() as i32)
            .set_exclusive_start_key(start.take());
        let mut condition = "kind = :k".to_string();
        if let Some((expr, values)) = &range.condition {
            condition = format!("{condition} AND {expr}");
            for (name, value) in values {
                q = q.expression_attribute_values(*name, s(value));
            }
        }
        q = q.key_condition_expression(condition);
        if let Some((expr, value)) = &range.filter {
            q = q
                .filter_expression(*expr)
                .expression_attribute_values(":now", s(value));
        }
        let resp = q.send().await?;
        for item in resp.items.unwrap_or_default() {
            events.push(from_item(item)?);
        }
        match resp.last_evaluated_key {
            None => return Ok((events, None)),
            Some(last) if events.len() as i32 >= limit => {
                // Resume after the last event returned, which may precede `last` when the
                // filter dropped the page's tail.
                let e = events.last().expect("a full page");
                let mut key = last;
                key.insert("id".into(), s(&e.id));
                key.insert("kind".into(), s(&e.kind));
                key.insert("event_datetime_start".into(), s(&e.event_datetime_start));
                return Ok((events, Some(key)));
            }
            Some(last) => start = Some(last),
        }
    }
    Ok((events, start))
}

pub fn put_new(app: &App, event: &Event) -> AppResult<TransactWriteItem> {
    put_item(
        &app.tables.events,
        to_item(event)?,
        "attribute_not_exists(id)",
    )
}

/// An edit by the organiser or an admin, plus `left_delta` tickets returned to (positive) or
/// taken from (negative) the pool. Only edited fields are written: bookings change
/// `tickets_left` concurrently and a whole-item put would undo them.
pub fn update(
    app: &App,
    current: &Event,
    next: &Event,
    left_delta: i64,
) -> AppResult<TransactWriteItem> {
    let mut set = vec![
        "#name = :name",
        "event_owner = :owner",
        "room_id = :room",
        "event_datetime_start = :start",
        "event_datetime_end = :end",
        "event_duration = :duration",
        "total_tickets = :total",
        "tickets_left = tickets_left + :delta",
        "version = version + :one",
    ];
    let mut remove = Vec::new();
    let mut b = Update::builder()
        .table_name(&app.tables.events)
        .set_key(Some(key(&[("id", &current.id)])))
        .expression_attribute_names("#name", "name")
        .expression_attribute_values(":name", s(&next.name))
        .expression_attribute_values(":owner", s(&next.event_owner))
        .expression_attribute_values(":room", s(&next.room_id))
        .expression_attribute_values(":start", s(&next.event_datetime_start))
        .expression_attribute_values(":end", s(&next.event_datetime_end))
        .expression_attribute_values(":duration", n(next.event_duration))
        .expression_attribute_values(":total", n(next.total_tickets))
        .expression_attribute_values(":delta", n(left_delta))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":v", n(current.version))
        .expression_attribute_values(":need", n((-left_delta).max(0)));
    match &next.description {
        Some(d) => {
            set.push("description = :description");
            b = b.expression_attribute_values(":description", s(d));
        }
        None => remove.push("description"),
    }
    match &next.image_file_name {
        Some(f) => {
            set.push("image_file_name = :image");
            b = b.expression_attribute_values(":image", s(f));
        }
        None => remove.push("image_file_name"),
    }
    let mut expr = format!("SET {}", set.join(", "));
    if !remove.is_empty() {
        expr = format!("{expr} REMOVE {}", remove.join(", "));
    }
    let update = b
        .update_expression(expr)
        .condition_expression("version = :v AND tickets_left >= :need")
        .build()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// Takes (`taken` > 0) or returns (`taken` < 0) tickets without touching anything else.
/// Taking is conditional on enough being left, so no race can oversell; with `open_at`, also
/// on the event not having ended by then.
pub fn take_tickets(
    app: &App,
    event_id: &str,
    taken: i64,
    open_at: Option<&str>,
) -> AppResult<TransactWriteItem> {
    let mut condition = "attribute_exists(id) AND tickets_left >= :need".to_string();
    let mut b = Update::builder()
        .table_name(&app.tables.events)
        .set_key(Some(key(&[("id", event_id)])))
        .update_expression("SET tickets_left = tickets_left - :taken")
        .expression_attribute_values(":taken", n(taken))
        .expression_attribute_values(":need", n(taken.max(0)));
    if let Some(at) = open_at {
        condition.push_str(" AND event_datetime_end > :at");
        b = b.expression_attribute_values(":at", s(at));
    }
    let update = b
        .condition_expression(condition)
        .build()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

pub fn delete(app: &App, event: &Event) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&app.tables.events)
        .set_key(Some(key(&[("id", &event.id)])))
        .condition_expression("version = :v")
        .expression_attribute_values(":v", n(event.version))
        .build()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}
