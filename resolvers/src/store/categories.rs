//! The activity categories table: reference data in one partition, read only.

use super::{key, query_all, s, Read};
use crate::config::Db;
use crate::domain::activity::{Category, CATEGORY_PK};
use crate::error::AppResult;

pub async fn get(db: &Db, category: &str) -> AppResult<Option<Category>> {
    let key = key(&[("pk", CATEGORY_PK), ("category", category)]);
    db.get(&db.tables.activity_categories, key, Read::Eventual)
        .await
}

pub async fn list(db: &Db) -> AppResult<Vec<Category>> {
    let query = db
        .client
        .query()
        .table_name(&db.tables.activity_categories)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", s(CATEGORY_PK));
    query_all(query).await
}
