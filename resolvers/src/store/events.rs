//! The events table and its `byStart` index.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};
use chrono::{DateTime, Duration, Utc};

use super::{from_item, key, n, page_key, put_item, s, start_key, to_item, Page, Read};
use crate::config::{Db, Tables};
use crate::domain::event::{Event, When, EVENT_KIND, MAX_EVENT_MINUTES};
use crate::domain::time;
use crate::error::AppResult;
use crate::paging::PageKey;

pub async fn get(db: &Db, id: &str) -> AppResult<Option<Event>> {
    db.get(&db.tables.events, key(&[("id", id)]), Read::Latest)
        .await
}

pub async fn get_many(db: &Db, ids: &[String]) -> AppResult<Vec<Event>> {
    let keys = ids.iter().map(|id| key(&[("id", id)])).collect();
    db.batch_get(&db.tables.events, keys).await
}

/// Filtered pages are filled by reading on (bounded), so a client rarely sees a short page:
/// the upcoming list would otherwise open with empty pages of events that just ended.
const MAX_READS_PER_PAGE: usize = 8;

/// A page of events by start time: upcoming (not ended at `now`, soonest first; an event
/// lasts at most MAX_EVENT_MINUTES, so only starts from `now` minus that are read), past
/// (ended, most recent first) or all (ascending).
pub async fn list(
    db: &Db,
    when: When,
    now: DateTime<Utc>,
    limit: i32,
    start: Option<PageKey>,
) -> AppResult<Page<Event>> {
    let now_s = time::format(now);
    let query = db
        .client
        .query()
        .table_name(&db.tables.events)
        .index_name("byStart")
        .expression_attribute_values(":k", s(EVENT_KIND));
    let query = match when {
        When::Upcoming => query
            .key_condition_expression("kind = :k AND event_datetime_start >= :lo")
            .expression_attribute_values(
                ":lo",
                s(time::format(now - Duration::minutes(MAX_EVENT_MINUTES))),
            )
            .filter_expression("event_datetime_end > :now")
            .expression_attribute_values(":now", s(now_s))
            .scan_index_forward(true),
        When::Past => query
            .key_condition_expression("kind = :k AND event_datetime_start < :hi")
            .expression_attribute_values(":hi", s(&now_s))
            .filter_expression("event_datetime_end <= :now")
            .expression_attribute_values(":now", s(now_s))
            .scan_index_forward(false),
        When::All => query
            .key_condition_expression("kind = :k")
            .scan_index_forward(true),
    };
    let mut pages = query
        .limit(limit)
        .set_exclusive_start_key(start.map(start_key))
        .into_paginator()
        .send();
    let limit = limit.max(0) as usize;
    let mut events: Vec<Event> = Vec::new();
    let mut resume = None;
    for _ in 0..MAX_READS_PER_PAGE {
        let Some(page) = pages.next().await else {
            break;
        };
        let page = page?;
        for item in page.items.unwrap_or_default() {
            events.push(from_item(item)?);
        }
        resume = page.last_evaluated_key;
        if events.len() >= limit {
            let more = events.len() > limit || resume.is_some();
            events.truncate(limit);
            // Resume after the last event returned, which may precede the page's end when
            // the filter dropped its tail or the page held more than was asked for.
            let next = match events.last() {
                Some(e) if more => Some(position_of(e)),
                _ => None,
            };
            return Ok(Page {
                items: events,
                next,
            });
        }
        if resume.is_none() {
            break;
        }
    }
    Ok(Page {
        items: events,
        next: resume.map(page_key).transpose()?,
    })
}

/// An event's position in `byStart`: the index's key and the table's.
fn position_of(e: &Event) -> PageKey {
    PageKey::from([
        ("id".to_string(), e.id.clone()),
        ("kind".to_string(), e.kind.clone()),
        (
            "event_datetime_start".to_string(),
            e.event_datetime_start.clone(),
        ),
    ])
}

/// `Check::EventIsNew`.
pub fn put_new(tables: &Tables, event: &Event) -> AppResult<TransactWriteItem> {
    put_item(&tables.events, to_item(event)?, "attribute_not_exists(id)")
}

/// An edit by the organiser or an admin, plus `left_delta` tickets returned to (positive) or
/// taken from (negative) the pool. Only edited fields are written: bookings change
/// `tickets_left` concurrently and a whole-item put would undo them.
/// `Check::EventAsRead`: `version` unchanged and the tickets taken are left.
pub fn edit(
    tables: &Tables,
    version: i64,
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
        .table_name(&tables.events)
        .set_key(Some(key(&[("id", &next.id)])))
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
        .expression_attribute_values(":v", n(version))
        .expression_attribute_values(":need", n(left_delta.saturating_neg().max(0)));
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
        .build()?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// Takes (`taken` > 0) or returns (`taken` < 0) tickets without touching anything else.
/// `Check::TicketsLeft`: the event exists and enough are left, so no race can oversell;
/// with `open_at`, also the event has not ended by then.
pub fn take_tickets(
    tables: &Tables,
    event_id: &str,
    taken: i64,
    open_at: Option<&str>,
) -> AppResult<TransactWriteItem> {
    let mut condition = "attribute_exists(id) AND tickets_left >= :need".to_string();
    let mut b = Update::builder()
        .table_name(&tables.events)
        .set_key(Some(key(&[("id", event_id)])))
        .update_expression("SET tickets_left = tickets_left - :taken")
        .expression_attribute_values(":taken", n(taken))
        .expression_attribute_values(":need", n(taken.max(0)));
    if let Some(at) = open_at {
        condition.push_str(" AND event_datetime_end > :at");
        b = b.expression_attribute_values(":at", s(at));
    }
    let update = b.condition_expression(condition).build()?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// `Check::EventAsRead`: the version unchanged.
pub fn delete(tables: &Tables, id: &str, version: i64) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&tables.events)
        .set_key(Some(key(&[("id", id)])))
        .condition_expression("version = :v")
        .expression_attribute_values(":v", n(version))
        .build()?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}
