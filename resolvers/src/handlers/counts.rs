//! Events as answered, with `tickets_left` / `tickets_sold` summed from their counters when
//! the query selects them (`Wants`): one BatchGetItem for a page of events, and for a single
//! event read with them, one BatchGetItem of the event and its counters when this container
//! knows how many there are.

use std::collections::HashMap;

use crate::config::App;
use crate::domain::event::Event;
use crate::domain::inventory::{counter_key, total_left, Counter};
use crate::error::{AppError, AppResult};
use crate::output::{EventOut, Wants};
use crate::store::{events, from_item, inventory, key, Read};

fn without_inventory(id: &str) -> AppError {
    AppError::internal(format!("event {id:?} has no inventory counters"))
}

/// The public list's events with their counts if wanted: eventually consistent, and those
/// this container read within its `READ_CACHE_TTL_MS` not read again.
pub async fn listed(app: &App, events: Vec<Event>, wants: Wants) -> AppResult<Vec<EventOut>> {
    if !wants.counts {
        return outs(app, events, wants, Read::Eventual).await;
    }
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let mut left = app.cache.counts(&ids);
    let missing: Vec<(String, i64)> = events
        .iter()
        .filter(|e| !left.contains_key(&e.id))
        .map(|e| (e.id.clone(), e.shards))
        .collect();
    if !missing.is_empty() {
        let read = inventory::left_of(&app.db, &missing, Read::Eventual).await?;
        app.cache.keep_counts(&read);
        left.extend(read);
    }
    with_left(events, &left)
}

/// The events with the tickets left on their counters.
fn with_left(events: Vec<Event>, left: &HashMap<String, i64>) -> AppResult<Vec<EventOut>> {
    events
        .into_iter()
        .map(|e| {
            let l = *left.get(&e.id).ok_or_else(|| without_inventory(&e.id))?;
            EventOut::new(e, Some(l))
        })
        .collect()
}

/// The events in order, with their counts if wanted (`read`: how fresh).
pub async fn outs(
    app: &App,
    events: Vec<Event>,
    wants: Wants,
    read: Read,
) -> AppResult<Vec<EventOut>> {
    if !wants.counts {
        return events.into_iter().map(|e| EventOut::new(e, None)).collect();
    }
    let shards: Vec<(String, i64)> = events.iter().map(|e| (e.id.clone(), e.shards)).collect();
    let left: HashMap<String, i64> = inventory::left_of(&app.db, &shards, read).await?;
    with_left(events, &left)
}

/// One event, strongly consistent, with its counts if wanted.
pub async fn one(app: &App, id: &str, wants: Wants) -> AppResult<Option<EventOut>> {
    let hint = app.cache.shards(id).filter(|_| wants.counts);
    let Some(n) = hint else {
        let Some(event) = events::get(&app.db, id).await? else {
            return Ok(None);
        };
        return Ok(outs(app, vec![event], wants, Read::Latest).await?.pop());
    };
    let tables = &app.db.tables;
    let mut reads = vec![(tables.events.clone(), key(&[("id", id)]))];
    reads.extend((0..n).map(|k| {
        (
            tables.inventory.clone(),
            key(&[("pk", &counter_key(id, k))]),
        )
    }));
    let mut event = None;
    let mut counters: Vec<Counter> = Vec::new();
    for (table, item) in app.db.batch_read(reads, Read::Latest).await? {
        if table == tables.events {
            event = Some(from_item::<Event>(item)?);
        } else {
            counters.push(from_item(item)?);
        }
    }
    let Some(event) = event else {
        return Ok(None);
    };
    if event.shards != counters.len() as i64 {
        // The event grew since this container learned its size.
        app.cache.learn_shards(id, event.shards);
        return Ok(outs(app, vec![event], wants, Read::Latest).await?.pop());
    }
    let left = total_left(id, &counters)?;
    EventOut::new(event, Some(left)).map(Some)
}
