//! One person's own ticket, booked or cancelled in one planned transaction, with a failure
//! explained by the check that failed. Shared by `bookTicket` / `cancelTicket` and seed
//! 000's booking through `updateEvent`.

use crate::config::Db;
use crate::domain::event::sold_out;
use crate::domain::plan::{self, Check, Outcome};
use crate::domain::ticket::Ticket;
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::store::events;
use crate::telemetry;

/// Creates the caller's ticket only if they hold none, and takes one only if one is left and
/// the event has not ended.
pub async fn book_own(db: &Db, event_id: &str, user: &str) -> AppResult<Ticket> {
    let ticket = Ticket {
        event_id: event_id.to_string(),
        user_id: user.to_string(),
        booked_at: time::now(),
    };
    let outcome = db.transact(plan::book(&ticket)).await?;
    if matches!(outcome, Outcome::Committed) {
        telemetry::booked();
        return Ok(ticket);
    }
    if outcome.refused(Check::NoTicketYet) {
        return Err(AppError::Conflict(format!(
            "you already hold a ticket for event {event_id:?}; each person may hold one"
        )));
    }
    // Only the failure path reads, to say which part of `TicketsLeft` failed.
    match events::get(db, event_id).await? {
        None => Err(AppError::NotFound(format!(
            "event {event_id:?} does not exist"
        ))),
        Some(e) if e.event_datetime_end <= ticket.booked_at => Err(AppError::Validation(format!(
            "event {event_id:?} ended at {}; tickets can no longer be booked",
            e.event_datetime_end
        ))),
        Some(e) => Err(sold_out(&e)),
    }
}

/// Deletes the caller's ticket and returns it to the pool.
pub async fn cancel_own(db: &Db, event_id: &str, user: &str) -> AppResult<()> {
    let outcome = db.transact(plan::cancel(event_id, user)).await?;
    if matches!(outcome, Outcome::Committed) {
        Ok(())
    } else if outcome.refused(Check::TicketHeld) {
        Err(AppError::NotFound(format!(
            "you hold no ticket for event {event_id:?}"
        )))
    } else {
        Err(AppError::NotFound(format!(
            "event {event_id:?} does not exist"
        )))
    }
}
