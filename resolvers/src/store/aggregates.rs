//! The user aggregates table, written only by the aggregator; the resolvers read it.

use serde::{Deserialize, Serialize};

use super::{from_item, key, s, Item};
use crate::config::App;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Aggregate {
    pub userid: String,
    pub date: String,
    #[serde(default)]
    pub calories_consumed: i64,
    #[serde(default)]
    pub calories_burned: i64,
}

pub async fn get(app: &App, userid: &str, date: &str) -> AppResult<Option<Aggregate>> {
    let resp = app
        .db
        .get_item()
        .table_name(&app.tables.user_aggregates)
        .set_key(Some(key(&[("userid", userid), ("date", date)])))
        .send()
        .await?;
    resp.item.map(from_item).transpose()
}

pub async fn list(
    app: &App,
    userid: &str,
    from: &str,
    to: &str,
    limit: i32,
    start: Option<Item>,
) -> AppResult<(Vec<Aggregate>, Option<Item>)> {
    let query = app
        .db
        .query()
        .table_name(&app.tables.user_aggregates)
        .key_condition_expression("userid = :u AND #date BETWEEN :from AND :to")
        .expression_attribute_names("#date", "date")
        .expression_attribute_values(":u", s(userid))
        .expression_attribute_values(":from", s(from))
        .expression_attribute_values(":to", s(to));
    super::query_page(query, limit, start).await
}
