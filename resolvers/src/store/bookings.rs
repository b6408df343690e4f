//! The room bookings table: one item per event, keyed by room and start time, so overlap
//! checks read only a bounded window of one partition, strongly consistent.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::rooms::put_item;
use super::{from_item, key, s, to_item, Item};
use crate::config::App;
use crate::domain::event::{Event, MAX_EVENT_MINUTES};
use crate::domain::time;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub room_id: String,
    /// `{start}#{event_id}`: start-time order, unique per event.
    pub slot: String,
    pub event_id: String,
    pub datetime_start: String,
    pub datetime_end: String,
    /// Kept here so a capacity change can check the room's events without reading them.
    pub total_tickets: i64,
}

impl Booking {
    pub fn of(event: &Event) -> Self {
        Self {
            room_id: event.room_id.clone(),
            slot: format!("{}#{}", event.event_datetime_start, event.id),
            event_id: event.id.clone(),
            datetime_start: event.event_datetime_start.clone(),
            datetime_end: event.event_datetime_end.clone(),
            total_tickets: event.total_tickets,
        }
    }

    pub fn to_graphql(&self) -> serde_json::Value {
        serde_json::json!({
            "event_id": self.event_id,
            "datetime_start": self.datetime_start,
            "datetime_end": self.datetime_end,
        })
    }
}

/// Bookings of `room_id` that end after `from` and start before `to` (when given), in start
/// order. Events last at most MAX_EVENT_MINUTES, so one that ends after `from` starts after
/// `from - MAX_EVENT_MINUTES`: the key range is bounded and the filter drops little.
pub async fn window(
    app: &App,
    room_id: &str,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
    limit: Option<usize>,
) -> AppResult<Vec<Booking>> {
    let lo = time::format(from - Duration::minutes(MAX_EVENT_MINUTES));
    // '#' sorts after the end of any timestamp, so a slot starting exactly at `to` is excluded.
    let hi = to.map(time::format).unwrap_or_else(|| "~".into());
    let from_s = time::format(from);
    let mut out = Vec::new();
    let mut start: Option<Item> = None;
    loop {
        let resp = app
            .db
            .query()
            .table_name(&app.tables.room_bookings)
            .key_condition_expression("room_id = :r AND slot BETWEEN :lo AND :hi")
            .expression_attribute_values(":r", s(room_id))
            .expression_attribute_values(":lo", s(&lo))
            .expression_attribute_values(":hi", s(&hi))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        for item in resp.items.unwrap_or_default() {
            let b: Booking = from_item(item)?;
            if b.datetime_end > from_s {
                out.push(b);
                if limit.is_some_and(|l| out.len() >= l) {
                    return Ok(out);
                }
            }
        }
        match resp.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return Ok(out),
        }
    }
}

/// Whether the room has any booking at all (a room with events cannot be deleted).
pub async fn any(app: &App, room_id: &str) -> AppResult<bool> {
    let resp = app
        .db
        .query()
        .table_name(&app.tables.room_bookings)
        .key_condition_expression("room_id = :r")
        .expression_attribute_values(":r", s(room_id))
        .consistent_read(true)
        .limit(1)
        .send()
        .await?;
    Ok(resp.count > 0)
}

pub fn put(app: &App, booking: &Booking) -> AppResult<TransactWriteItem> {
    put_item(
        &app.tables.room_bookings,
        to_item(booking)?,
        "attribute_not_exists(slot)",
    )
}

pub fn delete(app: &App, booking: &Booking) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&app.tables.room_bookings)
        .set_key(Some(key(&[
            ("room_id", &booking.room_id),
            ("slot", &booking.slot),
        ])))
        .build()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}
