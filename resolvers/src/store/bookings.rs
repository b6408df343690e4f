//! The room bookings table: one item per event, keyed by room and start time, so overlap
//! checks read only a bounded window of one partition, strongly consistent.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use chrono::{DateTime, Duration, Utc};

use super::{from_item, key, put_item, s, to_item};
use crate::config::{Db, Tables};
use crate::domain::booking::Booking;
use crate::domain::event::MAX_EVENT_MINUTES;
use crate::domain::time;
use crate::error::AppResult;

/// Bookings of `room_id` that end after `from` and start before `to` (when given), in start
/// order, at most `limit`. Events last at most MAX_EVENT_MINUTES, so one that ends after
/// `from` starts after `from - MAX_EVENT_MINUTES`: the key range is bounded and the filter
/// drops little.
pub async fn window(
    db: &Db,
    room_id: &str,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
    limit: Option<usize>,
) -> AppResult<Vec<Booking>> {
    let lo = time::format(from - Duration::minutes(MAX_EVENT_MINUTES));
    // '#' sorts after the end of any timestamp, so a slot starting exactly at `to` is excluded.
    let hi = to.map(time::format).unwrap_or_else(|| "~".into());
    let from_s = time::format(from);
    let mut items = db
        .client
        .query()
        .table_name(&db.tables.room_bookings)
        .key_condition_expression("room_id = :r AND slot BETWEEN :lo AND :hi")
        .expression_attribute_values(":r", s(room_id))
        .expression_attribute_values(":lo", s(lo))
        .expression_attribute_values(":hi", s(hi))
        .consistent_read(true)
        .into_paginator()
        .items()
        .send();
    let mut out = Vec::new();
    while let Some(item) = items.next().await {
        let b: Booking = from_item(item?)?;
        if b.datetime_end > from_s {
            out.push(b);
            if limit.is_some_and(|l| out.len() >= l) {
                break;
            }
        }
    }
    Ok(out)
}

/// Whether the room has any booking at all (a room with events cannot be deleted).
pub async fn any(db: &Db, room_id: &str) -> AppResult<bool> {
    let resp = db
        .client
        .query()
        .table_name(&db.tables.room_bookings)
        .key_condition_expression("room_id = :r")
        .expression_attribute_values(":r", s(room_id))
        .consistent_read(true)
        .limit(1)
        .send()
        .await?;
    Ok(resp.count > 0)
}

/// `Check::SlotFree`.
pub fn put_new(tables: &Tables, booking: &Booking) -> AppResult<TransactWriteItem> {
    put_item(
        &tables.room_bookings,
        to_item(booking)?,
        "attribute_not_exists(slot)",
    )
}

/// `Check::SlotHeld`.
pub fn replace(tables: &Tables, booking: &Booking) -> AppResult<TransactWriteItem> {
    put_item(
        &tables.room_bookings,
        to_item(booking)?,
        "attribute_exists(slot)",
    )
}

/// Unconditional.
pub fn delete(tables: &Tables, booking: &Booking) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&tables.room_bookings)
        .set_key(Some(key(&[
            ("room_id", &booking.room_id),
            ("slot", &booking.slot),
        ])))
        .build()?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}
