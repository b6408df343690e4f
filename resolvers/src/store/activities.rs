//! The activity table. Every key includes the caller's user id, so no request can reach
//! another user's activity; its stream feeds the aggregator.

use aws_sdk_dynamodb::types::ReturnValue;
use model::Activity;

use super::{from_item, is_condition_failure, key, n, query_page, s, Page, Read};
use crate::config::Db;
use crate::error::{AppError, AppResult};
use crate::paging::PageKey;

pub async fn get(db: &Db, userid: &str, id: &str) -> AppResult<Option<Activity>> {
    let key = key(&[("userid", userid), ("id", id)]);
    db.get(&db.tables.activities, key, Read::Latest).await
}

/// A new activity: one conditional PutItem, so the stream sees one INSERT.
pub async fn create(db: &Db, activity: &Activity) -> AppResult<()> {
    let new_if = "attribute_not_exists(id)";
    db.put_new(
        &db.tables.activities,
        activity,
        new_if,
        "an activity",
        &activity.id,
    )
    .await
}

/// Writes `next` over `current` only if the item still holds `current`'s category and type
/// (the pair validated together) and still exists. An update never creates an item, so the
/// stream never sees an activity without all its fields.
pub async fn replace(db: &Db, current: &Activity, next: &Activity) -> AppResult<Activity> {
    let result = db
        .client
        .update_item()
        .table_name(&db.tables.activities)
        .set_key(Some(key(&[
            ("userid", &current.userid),
            ("id", &current.id),
        ])))
        .update_expression(
            "SET category = :c, #type = :t, caloriesConsumed = :cal, creationDateTime = :at",
        )
        .condition_expression("attribute_exists(id) AND category = :c0 AND #type = :t0")
        .expression_attribute_names("#type", "type")
        .expression_attribute_values(":c", s(&next.category))
        .expression_attribute_values(":t", s(&next.activity_type))
        .expression_attribute_values(":cal", n(next.calories))
        .expression_attribute_values(":at", s(&next.creation_date_time))
        .expression_attribute_values(":c0", s(&current.category))
        .expression_attribute_values(":t0", s(&current.activity_type))
        .return_values(ReturnValue::AllNew)
        .send()
        .await;
    match result {
        Ok(out) => from_item(out.attributes.unwrap_or_default()),
        Err(e) if e.as_service_error().is_some_and(is_condition_failure) => {
            Err(AppError::Conflict(format!(
                "activity {:?} changed or was deleted while this request ran; reload and retry",
                current.id
            )))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(db: &Db, userid: &str, id: &str) -> AppResult<Activity> {
    let result = db
        .client
        .delete_item()
        .table_name(&db.tables.activities)
        .set_key(Some(key(&[("userid", userid), ("id", id)])))
        .condition_expression("attribute_exists(id)")
        .return_values(ReturnValue::AllOld)
        .send()
        .await;
    match result {
        Ok(out) => from_item(out.attributes.unwrap_or_default()),
        Err(e) if e.as_service_error().is_some_and(is_condition_failure) => {
            Err(AppError::NotFound(format!("you have no activity {id:?}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// A user's activities between two instants (inclusive), newest first, on the `byTime` index.
pub async fn list(
    db: &Db,
    userid: &str,
    from: &str,
    to: &str,
    limit: i32,
    start: Option<PageKey>,
) -> AppResult<Page<Activity>> {
    let query = db
        .client
        .query()
        .table_name(&db.tables.activities)
        .index_name("byTime")
        .key_condition_expression("userid = :u AND creationDateTime BETWEEN :from AND :to")
        .expression_attribute_values(":u", s(userid))
        .expression_attribute_values(":from", s(from))
        .expression_attribute_values(":to", s(to))
        .scan_index_forward(false);
    query_page(query, limit, start).await
}
