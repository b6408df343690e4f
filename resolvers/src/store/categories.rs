//! The activity categories table: one partition, read with a Query.

use super::{from_item, key, s};
use crate::config::App;
use crate::domain::activity::{Category, CATEGORY_PK};
use crate::error::AppResult;

pub async fn get(app: &App, category: &str) -> AppResult<Option<Category>> {
    let resp = app
        .db
        .get_item()
        .table_name(&app.tables.activity_categories)
        .set_key(Some(key(&[("pk", CATEGORY_PK), ("category", category)])))
        .send()
        .await?;
    resp.item.map(from_item).transpose()
}

pub async fn list(app: &App) -> AppResult<Vec<Category>> {
    let resp = app
        .db
        .query()
        .table_name(&app.tables.activity_categories)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", s(CATEGORY_PK))
        .send()
        .await?;
    resp.items
        .unwrap_or_default()
        .into_iter()
        .map(from_item)
        .collect()
}
