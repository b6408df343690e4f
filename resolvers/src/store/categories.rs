//! The activity categories table: reference data in one partition, read only, and only as a
//! whole (a container keeps it a minute: `cache`).

use super::{query_all, s};
use crate::config::Db;
use crate::domain::activity::{Category, CATEGORY_PK};
use crate::error::AppResult;

pub async fn list(db: &Db) -> AppResult<Vec<Category>> {
    let query = db
        .client
        .query()
        .table_name(&db.tables.activity_categories)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", s(CATEGORY_PK));
    query_all(query).await
}
