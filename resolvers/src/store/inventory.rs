//! The inventory table: an event's unsold tickets on its counters (`domain::inventory`), one
//! item per counter, each its own partition key `{event_id}#{shard}`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};

use super::{from_item, key, n, put_item, s, to_item, Item, Read};
use crate::config::{Db, Tables};
use crate::domain::inventory::{counter_key, total_left, Counter};
use crate::domain::plan::Take;
use crate::error::AppResult;

fn counter(tables: &Tables, event_id: &str, shard: i64) -> (String, Item) {
    (
        tables.inventory.clone(),
        key(&[("pk", &counter_key(event_id, shard))]),
    )
}

/// `Check::CounterIsNew`.
pub fn put_new(tables: &Tables, c: &Counter) -> AppResult<TransactWriteItem> {
    put_item(&tables.inventory, to_item(c)?, "attribute_not_exists(pk)")
}

/// `Check::TicketsLeft`: the counter exists and holds what is taken; with `open_at`, the
/// event has not ended by then; with `unless_organiser`, that user does not organise it.
pub fn take(tables: &Tables, t: &Take) -> AppResult<TransactWriteItem> {
    let mut set = vec!["#left = #left - :take"];
    let mut condition = "attribute_exists(pk) AND #left >= :need".to_string();
    let mut b = Update::builder()
        .table_name(&tables.inventory)
        .set_key(Some(key(&[("pk", &counter_key(&t.event_id, t.shard))])))
        .expression_attribute_names("#left", "left")
        .expression_attribute_values(":take", n(t.count))
        .expression_attribute_values(":need", n(t.count.max(0)));
    if let Some(at) = &t.open_at {
        condition.push_str(" AND ends_at > :at");
        b = b.expression_attribute_values(":at", s(at));
    }
    if let Some(user) = &t.unless_organiser {
        condition.push_str(" AND owner_id <> :user");
        b = b.expression_attribute_values(":user", s(user));
    }
    if let Some(end) = &t.ends_at {
        set.push("ends_at = :end");
        b = b.expression_attribute_values(":end", s(end));
    }
    if let Some(shards) = t.shards {
        set.push("shards = :shards");
        b = b.expression_attribute_values(":shards", n(shards));
    }
    let update = b
        .update_expression(format!("SET {}", set.join(", ")))
        .condition_expression(condition)
        .build()?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// Unconditional.
pub fn delete(tables: &Tables, event_id: &str, shard: i64) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&tables.inventory)
        .set_key(Some(key(&[("pk", &counter_key(event_id, shard))])))
        .build()?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

fn counters_in(found: Vec<(String, Item)>) -> AppResult<Vec<Counter>> {
    found.into_iter().map(|(_, item)| from_item(item)).collect()
}

/// Every counter of an event, in shard order, read with `read`: `shards` of them as the
/// caller believes, then any more counter 0 says there are. Empty: the event does not exist.
pub async fn read(db: &Db, event_id: &str, shards: i64, read: Read) -> AppResult<Vec<Counter>> {
    let keys = (0..shards.max(1))
        .map(|k| counter(&db.tables, event_id, k))
        .collect();
    let mut counters = counters_in(db.batch_read(keys, read).await?)?;
    let known = counters
        .iter()
        .find(|c| c.shard == 0)
        .and_then(|c| c.shards)
        .unwrap_or(0);
    if known > shards {
        let more = (shards..known)
            .map(|k| counter(&db.tables, event_id, k))
            .collect();
        counters.extend(counters_in(db.batch_read(more, read).await?)?);
    }
    counters.sort_by_key(|c| c.shard);
    Ok(counters)
}

/// The unsold tickets of many events (`(event id, counters)`), in one BatchGetItem per 100
/// counters. An event whose counters are missing is absent from the answer.
pub async fn left_of(
    db: &Db,
    events: &[(String, i64)],
    read: Read,
) -> AppResult<HashMap<String, i64>> {
    let keys = events
        .iter()
        .flat_map(|(id, shards)| (0..*shards).map(|k| counter(&db.tables, id, k)))
        .collect();
    let mut by_event: HashMap<String, Vec<Counter>> = HashMap::new();
    for c in counters_in(db.batch_read(keys, read).await?)? {
        by_event.entry(c.event_id.clone()).or_default().push(c);
    }
    by_event
        .into_iter()
        .map(|(id, counters)| Ok((id.clone(), total_left(&id, &counters)?)))
        .collect()
}
