//! The user aggregates table, written only by the aggregator; the resolvers read it.

use super::{key, query_page, s, Page, Read};
use crate::config::Db;
use crate::domain::profile::Aggregate;
use crate::error::AppResult;
use crate::paging::PageKey;

pub async fn get(db: &Db, userid: &str, date: &str) -> AppResult<Option<Aggregate>> {
    let key = key(&[("userid", userid), ("date", date)]);
    db.get(&db.tables.user_aggregates, key, Read::Eventual)
        .await
}

/// The days from `from` to `to` (inclusive, `YYYY-MM-DD`) that have an aggregate, oldest first.
pub async fn list(
    db: &Db,
    userid: &str,
    from: &str,
    to: &str,
    limit: i32,
    start: Option<PageKey>,
) -> AppResult<Page<Aggregate>> {
    let query = db
        .client
        .query()
        .table_name(&db.tables.user_aggregates)
        .key_condition_expression("userid = :u AND #date BETWEEN :from AND :to")
        .expression_attribute_names("#date", "date")
        .expression_attribute_values(":u", s(userid))
        .expression_attribute_values(":from", s(from))
        .expression_attribute_values(":to", s(to));
    query_page(query, limit, start).await
}
