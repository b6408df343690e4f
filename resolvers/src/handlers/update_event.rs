//! `updateEvent`, which means one of three things depending on who sends what:
//! - [`echo`]: the fields sent back unchanged and the tickets the caller was shown: nothing
//!   to write (clients echo whole objects);
//! - [`own_ticket`]: seed 000's booking: someone who does not manage the event sends the
//!   tickets they saw plus (or minus) their own id: exactly their own ticket is booked
//!   (or cancelled), as `bookTicket` / `cancelTicket` would;
//! - [`organiser_edit`]: the organiser or an admin changes fields and/or anyone's tickets,
//!   in one planned transaction (`domain::plan::edit_event`).

use std::collections::BTreeSet;

use super::booking::{book_own, cancel_own};
use super::events::{claim_room, existing, ROOM_ATTEMPTS};
use crate::config::{App, Db};
use crate::domain::authz::{
    can_manage_event, may_change_tickets, may_edit_event_fields, require_user,
};
use crate::domain::caller::Caller;
use crate::domain::event::{
    apply_update, sold_out, ticket_diff, touches_room, Event, TicketDiff, UpdateEventInput,
};
use crate::domain::plan::{self, Check, Outcome};
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::output::EventOut;
use crate::store::tickets;

pub async fn update(app: &App, caller: &Caller, input: UpdateEventInput) -> AppResult<EventOut> {
    let user = require_user(caller)?;
    for _ in 0..ROOM_ATTEMPTS {
        let current = existing(&app.db, &input.id).await?;
        let manages = can_manage_event(caller, &current.owner_id);
        let (next, changed) = apply_update(&current, &input)?;
        may_edit_event_fields(manages, &changed)?;
        let diff = match &input.tickets {
            None => TicketDiff::default(),
            Some(requested) => {
                let visible = visible_holders(&app.db, &current.id, user, manages).await?;
                let diff = ticket_diff(&visible, requested)?;
                may_change_tickets(user, manages, &diff)?;
                diff.bounded()?
            }
        };
        if changed.is_empty() && diff.is_empty() {
            return echo(current);
        }
        if changed.is_empty() && !manages {
            return own_ticket(&app.db, current, user, &diff).await;
        }
        if let Some(done) =
            organiser_edit(&app.db, &current, next, !changed.is_empty(), &diff).await?
        {
            return Ok(done);
        }
    }
    Err(AppError::Conflict(
        "the event or its room changed while this request ran; reload and retry".into(),
    ))
}

/// What the caller was shown of the holders (`Event.tickets`), against which the list it
/// sends back is compared.
async fn visible_holders(
    db: &Db,
    event_id: &str,
    user: &str,
    manages: bool,
) -> AppResult<BTreeSet<String>> {
    if manages {
        tickets::holders(db, event_id).await
    } else {
        Ok(tickets::get(db, event_id, user)
            .await?
            .map(|t| t.user_id)
            .into_iter()
            .collect())
    }
}

fn echo(current: Event) -> AppResult<EventOut> {
    EventOut::try_from(current)
}

/// The diff holds only the caller's own id (authz made sure): one booking or cancellation.
async fn own_ticket(
    db: &Db,
    mut event: Event,
    user: &str,
    diff: &TicketDiff,
) -> AppResult<EventOut> {
    if diff.add.is_empty() {
        cancel_own(db, &event.id, user).await?;
        event.tickets_left = event.left_after(-1)?;
    } else {
        book_own(db, &event.id, user).await?;
        event.tickets_left = event.left_after(1)?;
    }
    EventOut::try_from(event)
}

/// The edit as one transaction. `None`: a concurrent change won the race (the event's or the
/// room's version moved), so the update is decided again from a fresh read.
async fn organiser_edit(
    db: &Db,
    current: &Event,
    mut next: Event,
    fields_changed: bool,
    diff: &TicketDiff,
) -> AppResult<Option<EventOut>> {
    let room = if touches_room(current, &next) {
        Some(claim_room(db, &next).await?)
    } else {
        None
    };
    let plan = plan::edit_event(
        current,
        &next,
        fields_changed,
        diff,
        room.as_ref(),
        &time::now(),
    )?;
    let outcome = db.transact(plan).await?;
    if matches!(outcome, Outcome::Committed) {
        next.tickets_left = next.left_after(diff.taken())?;
        if fields_changed {
            next.version = next.next_version()?;
        }
        return EventOut::try_from(next).map(Some);
    }
    if outcome.refused(Check::NoTicketYet) || outcome.refused(Check::TicketHeld) {
        return Err(AppError::Conflict(
            "the tickets changed while this request ran; reload the event and retry".into(),
        ));
    }
    if outcome.refused(Check::EventAsRead) || outcome.refused(Check::TicketsLeft) {
        let fresh = existing(db, &current.id).await?;
        if fresh.version == current.version && fresh.tickets_left < diff.taken() {
            return Err(sold_out(&fresh));
        }
    }
    Ok(None)
}
