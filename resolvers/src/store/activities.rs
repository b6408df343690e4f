//! The activity table. Every key includes the caller's user id, so no request can reach
//! another user's activity; its stream feeds the aggregator.

use aws_sdk_dynamodb::types::ReturnValue;
use model::Activity;

use super::{from_item, is_condition_failure, key, n, s, to_item, Item};
use crate::config::App;
use crate::error::{AppError, AppResult};

pub async fn get(app: &App, userid: &str, id: &str) -> AppResult<Option<Activity>> {
    let resp = app
        .db
        .get_item()
        .table_name(&app.tables.activities)
        .set_key(Some(key(&[("userid", userid), ("id", id)])))
        .consistent_read(true)
        .send()
        .await?;
    resp.item.map(from_item).transpose()
}

pub async fn create(app: &App, activity: &Activity) -> AppResult<()> {
    let result = app
        .db
        .put_item()
        .table_name(&app.tables.activities)
        .set_item(Some(to_item(activity)?))
        .condition_expression("attribute_not_exists(id)")
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(is_condition_failure) => {
            Err(AppError::Conflict(format!(
                "an activity with id {:?} already exists; choose another id",
                activity.id
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes `next` over `current` only if the item still holds `current`'s category and type
/// (the pair validated together) and still exists. An update never creates an item, so the
/// stream never sees an activity without all its fields.
pub async fn replace(app: &App, current: &Activity, next: &Activity) -> AppResult<Activity> {
    let result = app
        .db
        .update_item()
        .table_name(&app.tables.activities)
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

pub async fn delete(app: &App, userid: &str, id: &str) -> AppResult<Activity> {
    let result = app
        .db
        .delete_item()
        .table_name(&app.tables.activities)
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
    app: &App,
    userid: &str,
    from: &str,
    to: &str,
    limit: i32,
    start: Option<Item>,
) -> AppResult<(Vec<Activity>, Option<Item>)> {
    let query = app
        .db
        .query()
        .table_name(&app.tables.activities)
        .index_name("byTime")
        .key_condition_expression("userid = :u AND creationDateTime BETWEEN :from AND :to")
        .expression_attribute_values(":u", s(userid))
        .expression_attribute_values(":from", s(from))
        .expression_attribute_values(":to", s(to))
        .scan_index_forward(false);
    super::query_page(query, limit, start).await
}
