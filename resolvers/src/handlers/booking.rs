//! One person's own ticket, booked or cancelled in one planned transaction on one of the
//! event's inventory counters, with a failure explained by what the counters hold. Shared by
//! `bookTicket` / `cancelTicket` and the events app's list-echo booking through `updateEvent`
//! (`OwnTicketCall`).
//!
//! A booking costs one round trip when this container already knows how many counters the
//! event has: a transaction on a counter picked at random. Only when that counter turns out
//! empty (or the number is not known) are the counters read, all in one BatchGetItem,
//! strongly consistent; then the non-empty ones are tried in random order. When every counter
//! reads empty the answer is SoldOut, and nothing is written; a container that has just seen
//! the event sold out reads first instead of trying a write.

use crate::config::App;
use crate::domain::event::sold_out;
use crate::domain::inventory::Counter;
use crate::domain::plan::{self, Check, Outcome};
use crate::domain::ticket::{OwnTicketCall, Ticket};
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::store::{inventory, Read};
use crate::telemetry;

/// Reads of the counters (each followed by attempts on the non-empty ones) before a booking
/// gives up as contended.
const READ_ROUNDS: usize = 3;

/// What a cancellation did.
#[derive(Debug, PartialEq, Eq)]
pub enum Cancelled {
    Returned,
    /// The caller holds no ticket (the event exists).
    NotHeld,
    /// A list echo from the event's organiser, for whom it is an edit of the holder list:
    /// nothing is written.
    ByOrganiser,
}

/// How one attempt on one counter ended.
enum Attempt {
    Booked,
    AlreadyHeld,
    /// The counter had no ticket, the event ended, the organiser sent a list echo, or the
    /// counter is gone: the counters as read say which.
    Refused,
}

async fn attempt(
    app: &App,
    ticket: &Ticket,
    shard: i64,
    call: OwnTicketCall,
) -> AppResult<Attempt> {
    let outcome = app.db.transact(plan::book(ticket, shard, call)).await?;
    Ok(match outcome {
        Outcome::Committed => Attempt::Booked,
        o if o.refused(Check::NoTicketYet) => Attempt::AlreadyHeld,
        _ => Attempt::Refused,
    })
}

/// A booking repeated by someone who holds a ticket.
pub fn already_held(event_id: &str) -> AppError {
    AppError::Conflict(format!(
        "you already hold a ticket for event {event_id:?}; each person may hold one"
    ))
}

/// Creates the caller's ticket only if they hold none, taking it from a counter that has
/// one, only if the event has not ended. `None`: a list echo from the event's organiser,
/// which is an edit of the holder list (nothing written).
pub async fn book_own(
    app: &App,
    event_id: &str,
    user: &str,
    call: OwnTicketCall,
) -> AppResult<Option<Ticket>> {
    let now = time::now();
    let ticket_on = |shard| Ticket::new(event_id, user, &now, shard);
    let mut known = app.cache.shards(event_id);
    if let Some(n) = known.filter(|_| !app.cache.seen_sold_out(event_id)) {
        let shard = fastrand::i64(0..n.max(1));
        match attempt(app, &ticket_on(shard), shard, call).await? {
            Attempt::Booked => return Ok(booked(ticket_on(shard))),
            Attempt::AlreadyHeld => return Err(already_held(event_id)),
            Attempt::Refused => {}
        }
    }
    for _ in 0..READ_ROUNDS {
        let counters = inventory::read(&app.db, event_id, known.unwrap_or(1), Read::Latest).await?;
        let Some(first) = counters.first() else {
            return Err(AppError::not_found("event", event_id));
        };
        known = Some(counters.len() as i64);
        app.cache.learn_shards(event_id, counters.len() as i64);
        if first.ends_at <= now {
            return Err(AppError::Validation(format!(
                "event {event_id:?} ended at {}; its tickets cannot be booked",
                first.ends_at
            )));
        }
        if call == OwnTicketCall::ListEcho && first.owner_id == user {
            return Ok(None);
        }
        let mut open: Vec<&Counter> = counters.iter().filter(|c| c.left > 0).collect();
        app.cache.saw_sold_out(event_id, open.is_empty());
        if open.is_empty() {
            return Err(sold_out(event_id));
        }
        fastrand::shuffle(&mut open);
        for c in open {
            match attempt(app, &ticket_on(c.shard), c.shard, call).await? {
                Attempt::Booked => return Ok(booked(ticket_on(c.shard))),
                Attempt::AlreadyHeld => return Err(already_held(event_id)),
                Attempt::Refused => {}
            }
        }
    }
    Err(AppError::Conflict(
        "too many people are booking this event at the same moment; please retry".into(),
    ))
}

fn booked(ticket: Ticket) -> Option<Ticket> {
    telemetry::booked();
    Some(ticket)
}

/// Deletes the caller's ticket and returns it to one of the event's counters.
pub async fn cancel_own(
    app: &App,
    event_id: &str,
    user: &str,
    call: OwnTicketCall,
) -> AppResult<Cancelled> {
    let shard = app
        .cache
        .shards(event_id)
        .map_or(0, |n| fastrand::i64(0..n.max(1)));
    let outcome = app
        .db
        .transact(plan::cancel(event_id, user, shard, call))
        .await?;
    if matches!(outcome, Outcome::Committed) {
        app.cache.saw_sold_out(event_id, false);
        return Ok(Cancelled::Returned);
    }
    // Only the failure path reads, to say why.
    let counters = inventory::read(&app.db, event_id, 1, Read::Latest).await?;
    match counters.first() {
        None => Err(AppError::not_found("event", event_id)),
        Some(c) if call == OwnTicketCall::ListEcho && c.owner_id == user => {
            Ok(Cancelled::ByOrganiser)
        }
        Some(_) if outcome.refused(Check::TicketHeld) => Ok(Cancelled::NotHeld),
        // The counter picked is gone while the event is not (it never shrinks): stale data.
        Some(_) => Err(AppError::internal(format!(
            "event {event_id:?}: counter {shard} refused a returned ticket"
        ))),
    }
}
