//! The events table: one item per event, changed only by its organiser or an admin (never by
//! a booking); lists read the listing table instead.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};

use super::{key, n, put_item, s, to_item, Read};
use crate::config::{Db, Tables};
use crate::domain::event::Event;
use crate::error::AppResult;

pub async fn get(db: &Db, id: &str) -> AppResult<Option<Event>> {
    db.get(&db.tables.events, key(&[("id", id)]), Read::Latest)
        .await
}

pub async fn get_many(db: &Db, ids: &[String]) -> AppResult<Vec<Event>> {
    let keys = ids.iter().map(|id| key(&[("id", id)])).collect();
    db.batch_get(&db.tables.events, keys).await
}

/// `Check::EventIsNew`.
pub fn put_new(tables: &Tables, event: &Event) -> AppResult<TransactWriteItem> {
    put_item(&tables.events, to_item(event)?, "attribute_not_exists(id)")
}

/// An edit by the organiser or an admin. Only edited fields are written.
/// `Check::EventAsRead`: `version` unchanged.
pub fn edit(tables: &Tables, version: i64, next: &Event) -> AppResult<TransactWriteItem> {
    let mut set = vec![
        "#name = :name",
        "event_owner = :owner",
        "room_id = :room",
        "event_datetime_start = :start",
        "event_datetime_end = :end",
        "event_duration = :duration",
        "total_tickets = :total",
        "shards = :shards",
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
        .expression_attribute_values(":shards", n(next.shards))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":v", n(version));
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
        .condition_expression("version = :v")
        .build()?;
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
