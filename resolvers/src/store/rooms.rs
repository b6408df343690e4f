//! The rooms table.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};

use super::{from_item, key, n, s, to_item, Item};
use crate::config::App;
use crate::domain::room::{Room, ROOM_KIND};
use crate::error::{AppError, AppResult};

pub async fn get(app: &App, id: &str) -> AppResult<Option<Room>> {
    let resp = app
        .db
        .get_item()
        .table_name(&app.tables.rooms)
        .set_key(Some(key(&[("id", id)])))
        .consistent_read(true)
        .send()
        .await?;
    resp.item.map(from_item).transpose()
}

pub async fn get_many(app: &App, ids: &[String]) -> AppResult<Vec<Room>> {
    let keys = ids.iter().map(|id| key(&[("id", id)])).collect();
    super::batch_get(app, &app.tables.rooms, keys)
        .await?
        .into_iter()
        .map(from_item)
        .collect()
}

pub async fn list(
    app: &App,
    limit: i32,
    start: Option<Item>,
) -> AppResult<(Vec<Room>, Option<Item>)> {
    let query = app
        .db
        .query()
        .table_name(&app.tables.rooms)
        .index_name("byKind")
        .key_condition_expression("kind = :k")
        .expression_attribute_values(":k", s(ROOM_KIND));
    super::query_page(query, limit, start).await
}

pub async fn create(app: &App, room: &Room) -> AppResult<()> {
    let result = app
        .db
        .put_item()
        .table_name(&app.tables.rooms)
        .set_item(Some(to_item(room)?))
        .condition_expression("attribute_not_exists(id)")
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(super::is_condition_failure) =>
        {
            Err(AppError::Conflict(format!(
                "a room with id {:?} already exists; choose another id",
                room.id
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Takes the room's lock inside a transaction: it commits only if nobody changed the room
/// since we read `version`, and only if the room holds `tickets` people.
pub fn lock(app: &App, room: &Room, tickets: i64) -> AppResult<TransactWriteItem> {
    let update = Update::builder()
        .table_name(&app.tables.rooms)
        .set_key(Some(key(&[("id", &room.id)])))
        .update_expression("SET version = version + :one")
        .condition_expression("version = :v AND #capacity >= :t")
        .expression_attribute_names("#capacity", "capacity")
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":v", n(room.version))
        .expression_attribute_values(":t", n(tickets))
        .build()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// Name and capacity changes, under the room's lock.
pub fn update(app: &App, current: &Room, next: &Room) -> AppResult<TransactWriteItem> {
    let update = Update::builder()
        .table_name(&app.tables.rooms)
        .set_key(Some(key(&[("id", &current.id)])))
        .update_expression("SET #name = :name, #capacity = :capacity, version = version + :one")
        .condition_expression("version = :v")
        .expression_attribute_names("#name", "name")
        .expression_attribute_names("#capacity", "capacity")
        .expression_attribute_values(":name", s(&next.name))
        .expression_attribute_values(":capacity", n(next.capacity))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":v", n(current.version))
        .build()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

pub fn delete(app: &App, room: &Room) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&app.tables.rooms)
        .set_key(Some(key(&[("id", &room.id)])))
        .condition_expression("version = :v")
        .expression_attribute_values(":v", n(room.version))
        .build()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// A plain conditional put as a transaction item (for composing with others).
pub fn put_item(table: &str, item: Item, condition: &str) -> AppResult<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression(condition)
        .build()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(TransactWriteItem::builder().put(put).build())
}
