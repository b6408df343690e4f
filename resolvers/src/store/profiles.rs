//! The users table: one profile per user, keyed by the identity's user id.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::{from_item, key, n, s, Read};
use crate::config::Db;
use crate::domain::profile::{Profile, UpdateUserInput};
use crate::error::AppResult;

pub async fn get(db: &Db, id: &str) -> AppResult<Option<Profile>> {
    db.get(&db.tables.users, key(&[("id", id)]), Read::Latest)
        .await
}

/// Sets only the fields given (an upsert on first use), so concurrent edits of different
/// fields never undo each other.
pub async fn update(db: &Db, id: &str, input: &UpdateUserInput) -> AppResult<Profile> {
    let mut sets: Vec<(&str, AttributeValue)> = Vec::new();
    if let Some(u) = &input.username {
        sets.push(("username", s(u)));
    }
    if let Some(h) = input.height {
        sets.push(("height", AttributeValue::N(h.to_string())));
    }
    if let Some(w) = input.weight {
        sets.push(("weight", AttributeValue::N(w.to_string())));
    }
    if let Some(c) = input.calories_target_per_day {
        sets.push(("caloriesTargetPerDay", n(c)));
    }
    if sets.is_empty() {
        return Ok(get(db, id).await?.unwrap_or_else(|| Profile::empty(id)));
    }
    let mut req = db
        .client
        .update_item()
        .table_name(&db.tables.users)
        .set_key(Some(key(&[("id", id)])))
        .return_values(ReturnValue::AllNew);
    let mut parts = Vec::new();
    for (i, (name, value)) in sets.into_iter().enumerate() {
        parts.push(format!("#f{i} = :v{i}"));
        req = req
            .expression_attribute_names(format!("#f{i}"), name)
            .expression_attribute_values(format!(":v{i}"), value);
    }
    let out = req
        .update_expression(format!("SET {}", parts.join(", ")))
        .send()
        .await?;
    from_item(out.attributes.unwrap_or_default())
}
