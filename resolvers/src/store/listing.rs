//! The listing table (`domain::listing`): each event copied into the partition of its start
//! month, in `REPLICAS` replicas, with a directory of months. A page reads one replica
//! picked at random, month by month (at most [`MAX_READS_PER_PAGE`] Queries, usually one),
//! guided by the directory ([`months`]: one Query, which a container keeps a while).

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::{from_item, key, s, to_item, Item, Page};
use crate::config::{Db, Tables};
use crate::domain::event::{Event, When, MAX_EVENT_MINUTES};
use crate::domain::listing::{bucket_of, directory_pk, entry_pk, sort_key, Listed, REPLICAS};
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::paging::PageKey;

/// Queries of months per page, at most; filtered pages are filled by reading on, so a client
/// rarely sees a short page (the upcoming list would otherwise open with events that just
/// ended).
pub const MAX_READS_PER_PAGE: usize = 8;

fn put(tables: &Tables, item: Item) -> AppResult<TransactWriteItem> {
    let put = Put::builder()
        .table_name(&tables.listing)
        .set_item(Some(item))
        .build()?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// One replica of an event's entry: the event's fields under the listing's keys.
pub fn put_entry(tables: &Tables, event: &Event, replica: i64) -> AppResult<TransactWriteItem> {
    let mut item = to_item(event)?;
    let listed = Listed::of(event);
    item.insert("pk".into(), s(entry_pk(&listed.bucket, replica)));
    item.insert("sk".into(), s(listed.sk));
    put(tables, item)
}

pub fn delete_entry(
    tables: &Tables,
    listed: &Listed,
    replica: i64,
) -> AppResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(&tables.listing)
        .set_key(Some(key(&[
            ("pk", &entry_pk(&listed.bucket, replica)),
            ("sk", &listed.sk),
        ])))
        .build()?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// A month in one replica of the directory. Written with every event of that month
/// (overwriting the same item), never removed: an empty month costs a page one Query.
pub fn put_directory(tables: &Tables, bucket: &str, replica: i64) -> AppResult<TransactWriteItem> {
    put(
        tables,
        key(&[("pk", &directory_pk(replica)), ("sk", bucket)]),
    )
}

#[derive(Deserialize)]
struct Month {
    sk: String,
}

/// Where a page resumes: in `bucket` after the entry `after`, or, with `after` empty, after
/// the whole of `bucket`.
fn position(bucket: &str, after: &str) -> PageKey {
    PageKey::from([
        ("bucket".to_string(), bucket.to_string()),
        ("after".to_string(), after.to_string()),
    ])
}

fn opened(start: &PageKey) -> AppResult<(String, String)> {
    match (start.get("bucket"), start.get("after")) {
        (Some(b), Some(a)) => Ok((b.clone(), a.clone())),
        _ => Err(AppError::BadRequest(
            "nextToken is from another version of this list; start again without it".into(),
        )),
    }
}

/// A page of events by start time from replica `replica`, walking the months of `directory`
/// (ascending, as [`months`] reads them): upcoming (not ended at `now`,
/// soonest first; an event lasts at most MAX_EVENT_MINUTES, so only starts from `now` minus
/// that are read), past (ended, most recent first) or all (ascending).
pub async fn page(
    db: &Db,
    directory: &[String],
    when: When,
    now: DateTime<Utc>,
    limit: i32,
    start: Option<PageKey>,
    replica: i64,
) -> AppResult<Page<Event>> {
    let replica = replica.rem_euclid(REPLICAS);
    let forward = when != When::Past;
    let now_s = time::format(now);
    let lo = time::format(now - Duration::minutes(MAX_EVENT_MINUTES));
    // The first month to read, whether it is read whole, and where in it to start.
    let (first, inclusive, mut cursor) = match &start {
        None => {
            let first = match when {
                When::Upcoming => bucket_of(&lo).to_string(),
                When::Past => bucket_of(&now_s).to_string(),
                When::All => String::new(),
            };
            (first, true, None)
        }
        Some(p) => {
            let (bucket, after) = opened(p)?;
            if after.is_empty() {
                (bucket, false, None)
            } else {
                (bucket, true, Some(after))
            }
        }
    };
    let (months, more) = walk(directory, &first, inclusive, forward, cursor.is_some());
    let limit = limit.max(1) as usize;
    let mut events: Vec<Event> = Vec::new();
    let mut reads = 0;
    let mut before: Option<&String> = None;
    for month in &months {
        loop {
            if reads == MAX_READS_PER_PAGE {
                // Out of reads: resume where this month stopped, or after the one before it.
                let next = match (&cursor, before) {
                    (Some(after), _) => position(month, after),
                    (None, Some(prev)) => position(prev, ""),
                    (None, None) => position(month, ""),
                };
                return Ok(Page {
                    items: events,
                    next: Some(next),
                });
            }
            reads += 1;
            let mut q = db
                .client
                .query()
                .table_name(&db.tables.listing)
                .expression_attribute_values(":pk", s(entry_pk(month, replica)))
                .scan_index_forward(forward)
                .limit((limit - events.len()) as i32);
            q = match (&cursor, when) {
                (Some(after), _) => q
                    .key_condition_expression(if forward {
                        "pk = :pk AND sk > :after"
                    } else {
                        "pk = :pk AND sk < :after"
                    })
                    .expression_attribute_values(":after", s(after)),
                (None, When::Upcoming) => q
                    .key_condition_expression("pk = :pk AND sk >= :lo")
                    .expression_attribute_values(":lo", s(&lo)),
                (None, When::Past) => q
                    .key_condition_expression("pk = :pk AND sk < :hi")
                    .expression_attribute_values(":hi", s(&now_s)),
                (None, When::All) => q.key_condition_expression("pk = :pk"),
            };
            q = match when {
                When::Upcoming => q
                    .filter_expression("event_datetime_end > :now")
                    .expression_attribute_values(":now", s(&now_s)),
                When::Past => q
                    .filter_expression("event_datetime_end <= :now")
                    .expression_attribute_values(":now", s(&now_s)),
                When::All => q,
            };
            let resp = q.send().await?;
            for item in resp.items.unwrap_or_default() {
                events.push(from_item(item)?);
            }
            let more_here = resp
                .last_evaluated_key
                .and_then(|k| k.get("sk").and_then(|v| v.as_s().ok()).cloned());
            if events.len() >= limit {
                let last = events.last().map(sort_key).unwrap_or_default();
                let last_month = months.last() == Some(month);
                let done = more_here.is_none() && last_month && !more;
                let next = (!done).then(|| position(month, &last));
                return Ok(Page {
                    items: events,
                    next,
                });
            }
            match more_here {
                Some(after) => cursor = Some(after),
                None => break,
            }
        }
        cursor = None;
        before = Some(month);
    }
    // Every month given was read; the page resumes after the last if more follow.
    let next = more
        .then(|| months.last().map(|m| position(m, "")))
        .flatten();
    Ok(Page {
        items: events,
        next,
    })
}

/// Months of the directory a page may walk, at most.
const DIRECTORY_PAGE: usize = MAX_READS_PER_PAGE;

/// Up to [`DIRECTORY_PAGE`] months of `directory` from `first` (itself too when `inclusive`)
/// in the page's direction, and whether more follow. A page resuming inside `first`
/// (`resuming`) reads it even if `directory` is older than the month.
fn walk(
    directory: &[String],
    first: &str,
    inclusive: bool,
    forward: bool,
    resuming: bool,
) -> (Vec<String>, bool) {
    let wanted = |m: &&String| match (forward, inclusive) {
        (true, true) => m.as_str() >= first,
        (true, false) => m.as_str() > first,
        (false, true) => m.as_str() <= first,
        (false, false) => m.as_str() < first,
    };
    let mut months: Vec<String> = if forward {
        directory.iter().filter(wanted).cloned().collect()
    } else {
        directory.iter().rev().filter(wanted).cloned().collect()
    };
    if resuming && months.first().map(String::as_str) != Some(first) {
        months.insert(0, first.to_string());
    }
    let more = months.len() > DIRECTORY_PAGE;
    months.truncate(DIRECTORY_PAGE);
    (months, more)
}

/// The directory of replica `replica`: every month that ever held an event, ascending (one
/// Query of a small partition: a month is one small item).
pub async fn months(db: &Db, replica: i64) -> AppResult<Vec<String>> {
    db.client
        .query()
        .table_name(&db.tables.listing)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", s(directory_pk(replica.rem_euclid(REPLICAS))))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?
        .into_iter()
        .map(|i| from_item::<Month>(i).map(|m| m.sk))
        .collect()
}
