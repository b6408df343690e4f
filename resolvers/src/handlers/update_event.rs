//! `updateEvent`, which means one of three things depending on who sends what:
//! - the events app's list-echo booking ([`list_echo`]): someone sends `{id, tickets}`
//!   naming only themselves (to book) or nobody (to cancel): exactly their own ticket is
//!   booked or cancelled, as `bookTicket` / `cancelTicket` would, in one transaction with no
//!   read before it, and repeating a booking while holding a ticket is a Conflict. The same
//!   call from the organiser means an edit of the holder list: the transaction's condition
//!   refuses it (the counters carry the organiser) and it is decided below;
//! - an echo: the fields sent back unchanged and the tickets the caller was shown: nothing
//!   to write (clients echo whole objects);
//! - an organiser's (or admin's) edit of fields and/or anyone's tickets, in one planned
//!   transaction (`domain::plan::edit_event`).

use std::collections::BTreeSet;

use super::booking::{already_held, book_own, cancel_own, Cancelled};
use super::counts;
use super::events::{claim_room, existing, ROOM_ATTEMPTS};
use super::tickets::HOLDERS_SHOWN;
use crate::config::App;
use crate::domain::authz::{
    can_manage_event, may_change_tickets, may_edit_event_fields, require_user,
};
use crate::domain::caller::Caller;
use crate::domain::event::{
    apply_update, sold_out, ticket_diff, touches_room, Event, TicketDiff, UpdateEventInput,
};
use crate::domain::inventory::total_left;
use crate::domain::plan::{self, Check, Outcome};
use crate::domain::ticket::OwnTicketCall;
use crate::domain::{time, validate_id};
use crate::error::{AppError, AppResult};
use crate::output::{EventOut, Wants};
use crate::store::{inventory, tickets, Read};

pub async fn update(
    app: &App,
    caller: &Caller,
    input: UpdateEventInput,
    wants: Wants,
) -> AppResult<EventOut> {
    let user = require_user(caller)?;
    if let Some(echo) = list_echo(caller, user, &input)? {
        if let Some(done) = own_ticket(app, &input.id, user, echo, wants).await? {
            return Ok(done);
        }
    }
    for _ in 0..ROOM_ATTEMPTS {
        let current = existing(&app.db, &input.id).await?;
        let counters = inventory::read(&app.db, &current.id, current.shards, Read::Latest).await?;
        let left_by_shard: Vec<i64> = counters.iter().map(|c| c.left).collect();
        if counters
            .iter()
            .enumerate()
            .any(|(k, c)| c.shard != k as i64)
        {
            return Err(AppError::internal(format!(
                "event {:?}: its counters are not numbered 0..{}",
                current.id,
                counters.len()
            )));
        }
        let left = total_left(&current.id, &counters)?;
        let sold = current.sold_with(left)?;
        let manages = can_manage_event(caller, &current.owner_id);
        let (next, changed) = apply_update(&current, sold, &input)?;
        may_edit_event_fields(manages, &changed)?;
        let (diff, visible) = match &input.tickets {
            None => (TicketDiff::default(), BTreeSet::new()),
            Some(requested) => {
                let visible = visible_holders(app, &current, user, manages).await?;
                let diff = ticket_diff(&visible, requested)?;
                may_change_tickets(user, manages, &diff)?;
                (diff.bounded()?, visible)
            }
        };
        if changed.is_empty() && diff.is_empty() {
            if !manages && visible.contains(user) {
                // Sent with their own id while holding a ticket: a booking repeated.
                return Err(already_held(&current.id));
            }
            return EventOut::new(current, wants.counts.then_some(left));
        }
        let fields_changed = !changed.is_empty();
        if let Some(done) = organiser_edit(
            app,
            &current,
            next,
            fields_changed,
            &diff,
            &left_by_shard,
            wants,
        )
        .await?
        {
            return Ok(done);
        }
    }
    Err(AppError::Conflict(
        "the event or its room changed while this request ran; reload and retry".into(),
    ))
}

/// What a list echo asks for the caller's own ticket.
#[derive(Debug, Clone, Copy)]
enum ListEcho {
    /// The tickets name the caller alone.
    Book,
    /// The tickets name nobody.
    Cancel,
}

/// The list-echo booking or cancellation: only `id` and `tickets` sent, the tickets naming
/// nobody but the caller, and the caller no admin (who manages every event).
fn list_echo(caller: &Caller, user: &str, input: &UpdateEventInput) -> AppResult<Option<ListEcho>> {
    let UpdateEventInput {
        id: _,
        name: None,
        description: None,
        event_owner: None,
        room_id: None,
        image_file_name: None,
        event_datetime_start: None,
        event_datetime_end: None,
        event_duration: None,
        total_tickets: None,
        tickets: Some(requested),
    } = input
    else {
        return Ok(None);
    };
    if caller.is_admin() {
        return Ok(None);
    }
    let mut named = BTreeSet::new();
    for id in requested {
        named.insert(validate_id("tickets[]", id)?);
    }
    Ok(match named.iter().next() {
        None => Some(ListEcho::Cancel),
        Some(only) if named.len() == 1 && only == user => Some(ListEcho::Book),
        _ => None,
    })
}

/// The caller's own ticket booked or cancelled, then the event as it is. `None`: the
/// caller organises the event, so the call is an edit.
async fn own_ticket(
    app: &App,
    event_id: &str,
    user: &str,
    echo: ListEcho,
    wants: Wants,
) -> AppResult<Option<EventOut>> {
    let event_id = validate_id("id", event_id)?;
    let by_organiser = match echo {
        ListEcho::Book => book_own(app, &event_id, user, OwnTicketCall::ListEcho)
            .await?
            .is_none(),
        // Holding no ticket and sending none back is an echo.
        ListEcho::Cancel => {
            cancel_own(app, &event_id, user, OwnTicketCall::ListEcho).await?
                == Cancelled::ByOrganiser
        }
    };
    if by_organiser {
        return Ok(None);
    }
    counts::one(app, &event_id, wants)
        .await?
        .ok_or_else(|| AppError::not_found("event", &event_id))
        .map(Some)
}

/// What the caller was shown of the holders (`Event.tickets`), against which the list it
/// sends back is compared: the first page for the organiser and admins, their own ticket
/// for anyone else.
async fn visible_holders(
    app: &App,
    event: &Event,
    user: &str,
    manages: bool,
) -> AppResult<BTreeSet<String>> {
    if manages {
        let page =
            tickets::holders_page(&app.db, &event.id, event.shards, HOLDERS_SHOWN, None).await?;
        Ok(page.items.into_iter().map(|t| t.user_id).collect())
    } else {
        let holds = tickets::holds(&app.db, &event.id, user).await?;
        Ok(holds.then(|| user.to_string()).into_iter().collect())
    }
}

/// The edit as one transaction. `None`: a concurrent change won the race (the event's,
/// a counter's or the room's), so the update is decided again from a fresh read.
async fn organiser_edit(
    app: &App,
    current: &Event,
    mut next: Event,
    fields_changed: bool,
    diff: &TicketDiff,
    left: &[i64],
    wants: Wants,
) -> AppResult<Option<EventOut>> {
    let room = if touches_room(current, &next) {
        Some(claim_room(&app.db, &next).await?)
    } else {
        None
    };
    let planned = plan::edit_event(
        current,
        &next,
        fields_changed,
        diff,
        left,
        room.as_ref(),
        &time::now(),
    )?;
    // A new total below what is sold was refused by `apply_update`; what is left here is
    // more tickets handed out than the counters hold.
    let Some(plan) = planned else {
        return Err(sold_out(&current.id));
    };
    let outcome = app.db.transact(plan).await?;
    if matches!(outcome, Outcome::Committed) {
        app.cache.learn_shards(&next.id, next.shards);
        if wants.counts {
            return counts::one(app, &next.id, wants)
                .await?
                .ok_or_else(|| AppError::not_found("event", &next.id))
                .map(Some);
        }
        if fields_changed {
            next.version = next.next_version()?;
        }
        return EventOut::new(next, None).map(Some);
    }
    if outcome.refused(Check::NoTicketYet) || outcome.refused(Check::TicketHeld) {
        return Err(AppError::Conflict(
            "the tickets changed while this request ran; reload the event and retry".into(),
        ));
    }
    Ok(None)
}
