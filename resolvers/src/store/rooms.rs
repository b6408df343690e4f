//! The rooms table and its `byKind` index (rooms listed without a Scan).

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};

use super::{key, n, query_page, s, Page, Read};
use crate::config::{Db, Tables};
use crate::domain::room::{Room, ROOM_KIND};
use crate::error::AppResult;
use crate::paging::PageKey;

pub async fn get(db: &Db, id: &str) -> AppResult<Option<Room>> {
    db.get(&db.tables.rooms, key(&[("id", id)]), Read::Latest)
        .await
}

pub async fn get_many(db: &Db, ids: &[String]) -> AppResult<Vec<Room>> {
    let keys = ids.iter().map(|id| key(&[("id", id)])).collect();
    db.batch_get(&db.tables.rooms, keys).await
}

pub async fn list(db: &Db, limit: i32, start: Option<PageKey>) -> AppResult<Page<Room>> {
    let query = db
        .client
        .query()
        .table_name(&db.tables.rooms)
        .index_name("byKind")
        .key_condition_expression("kind = :k")
        .expression_attribute_values(":k", s(ROOM_KIND));
    query_page(query, limit, start).await
}

/// A new room: one conditional PutItem (a room is never written together with anything).
pub async fn create(db: &Db, room: &Room) -> AppResult<()> {
    let new_if = "attribute_not_exists(id)";
    db.put_new(&db.tables.rooms, room, new_if, "a room", &room.id)
        .await
}

/// Takes the room's lock inside a transaction. `Check::RoomAsRead`: nobody changed the room
/// since `version` was read, and it holds `tickets` people.
pub fn lock(
    tables: &Tables,
    room_id: &str,
    version: i64,
    tickets: i64,
) -> AppResult<TransactWriteItem> {
    let update = Update::builder()
        .table_name(&tables.rooms)
        .set_key(Some(key(&[("id", room_id)])))
        .update_expression("SET version = version + :one")
        .condition_expression("version = :v AND #capacity >= :t")
        .expression_attribute_names("#capacity", "capacity")
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":v", n(version))
        .expression_attribute_values(":t", n(tickets))
        .build()?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// Name and capacity changes. `Check::RoomAsRead`: the version unchanged.
pub fn edit(tables: &Tables, version: i64, next: &Room) -> AppResult<TransactWriteItem> {
    let update = Update::builder()
        .table_name(&tables.rooms)
        .set_key(Some(key(&[("id", &next.id)])))
        .update_expression("SET #name = :name, #capacity = :capacity, version = version + :one")
        .condition_expression("version = :v")
        .expression_attribute_names("#name", "name")
        .expression_attribute_names("#capacity", "capacity")
        .expression_attribute_values(":name", s(&next.name))
        .expression_attribute_values(":capacity", n(next.capacity))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":v", n(version))
        .build()?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// `Check::RoomAsRead`: the version unchanged.
pub fn delete(tables: &Tables, id: &str, version: i64) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&tables.rooms)
        .set_key(Some(key(&[("id", id)])))
        .condition_expression("version = :v")
        .expression_attribute_values(":v", n(version))
        .build()?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}
