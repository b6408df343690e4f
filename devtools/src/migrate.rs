//! Moves a deployed stack's events and tickets from the layout before issue 9 to today's
//! (README.md, "Moving a deployed stack's data"):
//! - before: an event item held `kind` (the `byStart` index's constant partition) and
//!   `tickets_left`; tickets were keyed (`event_id`, `user_id`) in a table CloudFormation
//!   replaces on deploy (the old one is retained, and read here);
//! - after: the event item holds `shards` and no count; its unsold tickets sit on its
//!   inventory counters; its tickets are keyed by holder with their `byEvent` shard; the
//!   listing holds its entries.
//!
//! Per event, in this order, so that the command is idempotent and can be stopped and run
//! again at any point:
//! 1. its tickets are copied from the old table (a plain overwrite: until step 2 commits no
//!    booking or cancellation can touch them, as the event has no counters yet), each to the
//!    holder shard its position in the old table gives (the same on every run);
//! 2. one transaction writes the event in the new layout (only if it is still in the old one
//!    at the version read), its counters (only if none exist) and its listing entries.
//!
//! An event already in the new layout (no `tickets_left`) is skipped with one read, so a
//! second run, or a run after an interruption, finishes what is left and changes nothing else.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, PutRequest, TransactWriteItem, WriteRequest};
use resolvers::config::Db;
use resolvers::domain::event::Event;
use resolvers::domain::inventory::{counters_holding, shards_for};
use resolvers::domain::plan::{self, Write};
use resolvers::domain::ticket::Ticket;
use resolvers::error::AppResult;
use resolvers::store::write::transact_item;
use resolvers::store::{from_item, n, query_all, s, to_item};

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Events moved to the new layout by this run.
    pub migrated: usize,
    /// Events found already in the new layout.
    pub already: usize,
    /// Tickets copied by this run.
    pub tickets: usize,
    /// Events left in the old layout, with why (they are tried again by the next run).
    pub refused: Vec<(String, String)>,
    /// The run stopped at `max_events` before the end of the table.
    pub stopped_early: bool,
}

type Item = HashMap<String, AttributeValue>;

/// Migrates every event of `db.tables.events` still in the old layout, reading its tickets
/// from `old_tickets`; stops after `max_events` migrated events when given.
pub async fn run(db: &Db, old_tickets: &str, max_events: Option<usize>) -> AppResult<Report> {
    let mut report = Report::default();
    let mut items = db
        .client
        .scan()
        .table_name(&db.tables.events)
        .consistent_read(true)
        .into_paginator()
        .items()
        .send();
    while let Some(item) = items.next().await {
        let item = item?;
        if !item.contains_key("tickets_left") {
            report.already += 1;
            continue;
        }
        if max_events.is_some_and(|max| report.migrated >= max) {
            report.stopped_early = true;
            break;
        }
        match event(db, old_tickets, item).await? {
            Ok(copied) => {
                report.migrated += 1;
                report.tickets += copied;
            }
            Err(refusal) => report.refused.push(refusal),
        }
    }
    Ok(report)
}

/// One event; `Err((id, why))` when it stays in the old layout.
async fn event(
    db: &Db,
    old_tickets: &str,
    mut item: Item,
) -> AppResult<Result<usize, (String, String)>> {
    item.remove("kind");
    item.remove("tickets_left");
    let mut event: Event = from_item(item)?;
    let id = event.id.clone();
    let refused = |why: String| Ok(Err((id.clone(), why)));
    let holders = old_holders(db, old_tickets, &event.id).await?;
    let sold = holders.len() as i64;
    if sold > event.total_tickets {
        return refused(format!(
            "{sold} tickets held but total_tickets is {}; fix by hand, then run again",
            event.total_tickets
        ));
    }
    let shards = shards_for(event.total_tickets).max(event.shards);
    let tickets: Vec<Ticket> = holders
        .iter()
        .enumerate()
        .map(|(i, (user, booked_at))| Ticket::new(&event.id, user, booked_at, i as i64 % shards))
        .collect();
    copy_tickets(db, &tickets).await?;

    let read_version = event.version;
    event.shards = shards;
    event.version = read_version + 1;
    let counters = counters_holding(
        &event.id,
        shards,
        event.total_tickets - sold,
        &event.event_datetime_end,
        &event.owner_id,
    );
    let writes = counters
        .into_iter()
        .map(Write::PutCounter)
        .chain(plan::list(&event));
    let mut items = vec![put_event(db, &event, read_version)?];
    for w in writes {
        items.push(transact_item(&db.tables, &w)?);
    }
    match db
        .client
        .transact_write_items()
        .set_transact_items(Some(items))
        .send()
        .await
    {
        Ok(_) => Ok(Ok(tickets.len())),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_transaction_canceled_exception()) =>
        {
            refused(
                "changed while it was migrated (or its counters exist already); run again".into(),
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// The event in the new layout, replacing the old item only if it is still the one read.
fn put_event(db: &Db, event: &Event, read_version: i64) -> AppResult<TransactWriteItem> {
    let put = Put::builder()
        .table_name(&db.tables.events)
        .set_item(Some(to_item(event)?))
        .condition_expression("attribute_exists(tickets_left) AND version = :v")
        .expression_attribute_values(":v", n(read_version))
        .build()?;
    Ok(TransactWriteItem::builder().put(put).build())
}

#[derive(serde::Deserialize)]
struct OldTicket {
    user_id: String,
    booked_at: String,
}

/// The event's holders in the old table, in its order (user id): (user, booked_at).
async fn old_holders(
    db: &Db,
    old_tickets: &str,
    event_id: &str,
) -> AppResult<Vec<(String, String)>> {
    let query = db
        .client
        .query()
        .table_name(old_tickets)
        .key_condition_expression("event_id = :e")
        .expression_attribute_values(":e", s(event_id))
        .consistent_read(true);
    let held: Vec<OldTicket> = query_all(query).await?;
    Ok(held.into_iter().map(|t| (t.user_id, t.booked_at)).collect())
}

/// Writes the tickets (25 a request, unprocessed ones retried).
async fn copy_tickets(db: &Db, tickets: &[Ticket]) -> AppResult<()> {
    let requests = tickets
        .iter()
        .map(|t| {
            let put = PutRequest::builder().set_item(Some(to_item(t)?)).build()?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .collect::<AppResult<Vec<_>>>()?;
    db.batch_write(&db.tables.tickets, requests).await
}
