//! Events: public reads; creation by any signed-in user (who becomes the organiser); edits
//! by the organiser or an admin; seed 000's booking through `updateEvent`.

use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{by_parent_key, connection, tickets as ticket_handlers};
use crate::appsync::Caller;
use crate::config::App;
use crate::domain::authz::{can_manage_event, require_user};
use crate::domain::event::{
    apply_update, new_event, ticket_diff, touches_room, validate_total_tickets, CreateEventInput,
    Event, Schedule, TicketDiff, UpdateEventInput, MAX_EVENT_MINUTES,
};
use crate::domain::room::{validate_id, Room};
use crate::domain::{page_limit, time};
use crate::error::{AppError, AppResult};
use crate::store::bookings::{self, Booking};
use crate::store::events::{self, StartRange};
use crate::store::tickets::{self, Ticket};
use crate::store::{self, rooms, TxOutcome};

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum When {
    /// Not yet ended, soonest first.
    Upcoming,
    /// Ended, most recent first.
    Past,
    /// Everything by start time: what seed 000's client lists and splits itself.
    #[default]
    All,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListEventsArgs {
    pub when: Option<When>,
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

pub async fn list(app: &App, args: ListEventsArgs) -> AppResult<Value> {
    let when = args.when.unwrap_or_default();
    let context = format!("listEvents|{when:?}");
    let start = app.tokens.open_opt(&context, args.next_token.as_deref())?;
    let now = Utc::now();
    let now_s = time::format(now);
    let range = match when {
        When::Upcoming => StartRange {
            condition: Some((
                "event_datetime_start >= :lo",
                vec![(
                    ":lo",
                    time::format(now - Duration::minutes(MAX_EVENT_MINUTES)),
                )],
            )),
            filter: Some(("event_datetime_end > :now", now_s)),
            ascending: true,
        },
        When::Past => StartRange {
            condition: Some(("event_datetime_start < :hi", vec![(":hi", now_s.clone())])),
            filter: Some(("event_datetime_end <= :now", now_s)),
            ascending: false,
        },
        When::All => StartRange {
            condition: None,
            filter: None,
            ascending: true,
        },
    };
    let (items, last) = events::list_by_start(app, &range, page_limit(args.limit)?, start).await?;
    connection(
        app,
        &context,
        items.iter().map(Event::to_graphql).collect(),
        last,
    )
}

pub async fn get(app: &App, id: &str) -> AppResult<Value> {
    Ok(events::get(app, id)
        .await?
        .as_ref()
        .map(Event::to_graphql)
        .unwrap_or(Value::Null))
}

async fn existing(app: &App, id: &str) -> AppResult<Event> {
    events::get(app, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("event {id:?} does not exist")))
}

async fn room_of(app: &App, room_id: &str) -> AppResult<Room> {
    rooms::get(app, room_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("room {room_id:?} does not exist")))
}

/// Checks that `event` may take its room at its time, and returns the room it locks.
async fn claim_room(app: &App, event: &Event, s: &Schedule) -> AppResult<Room> {
    let room = room_of(app, &event.room_id).await?;
    validate_total_tickets(event.total_tickets, room.capacity)?;
    let clash = bookings::window(app, &room.id, s.start, Some(s.end), None)
        .await?
        .into_iter()
        .find(|b| b.event_id != event.id);
    if let Some(b) = clash {
        return Err(AppError::Conflict(format!(
            "room {:?} is already booked from {} to {} by another event; choose another time or room",
            room.id, b.datetime_start, b.datetime_end
        )));
    }
    Ok(room)
}

/// A room lock lost to a concurrent change is retried from a fresh read, so the caller gets
/// the true answer (usually: the other request took the slot) instead of a spurious error.
const ROOM_ATTEMPTS: usize = 3;

pub async fn create(app: &App, caller: &Caller, input: CreateEventInput) -> AppResult<Value> {
    let owner = require_user(caller)?;
    let id = match &input.id {
        Some(id) => validate_id("id", id)?,
        None => uuid::Uuid::new_v4().to_string(),
    };
    let (event, schedule) = new_event(input, id, owner, caller.display_name().unwrap_or(owner))?;
    for _ in 0..ROOM_ATTEMPTS {
        let room = claim_room(app, &event, &schedule).await?;
        let items = vec![
            events::put_new(app, &event)?,
            bookings::put(app, &Booking::of(&event))?,
            rooms::lock(app, &room, event.total_tickets)?,
        ];
        match store::transact(app, items).await? {
            TxOutcome::Committed => return Ok(event.to_graphql()),
            o if o.failed_at(0) => {
                return Err(AppError::Conflict(format!(
                    "an event with id {:?} already exists; choose another id",
                    event.id
                )))
            }
            _ => continue,
        }
    }
    Err(AppError::Conflict(
        "the room is being booked by others right now; please retry".into(),
    ))
}

pub async fn update(app: &App, caller: &Caller, input: UpdateEventInput) -> AppResult<Value> {
    let user = require_user(caller)?;
    for _ in 0..ROOM_ATTEMPTS {
        let current = existing(app, &input.id).await?;
        let manages = can_manage_event(caller, &current.owner_id);
        let (mut next, changed) = apply_update(&current, &input)?;
        if !manages && !changed.is_empty() {
            return Err(AppError::Unauthorized(format!(
                "only the organiser or an admin may change {}; you may only book or cancel your own ticket",
                changed.join(", ")
            )));
        }
        let diff = match &input.tickets {
            None => TicketDiff::default(),
            Some(requested) => {
                let visible = if manages {
                    tickets::holders(app, &current.id).await?
                } else {
                    tickets::get(app, &current.id, user)
                        .await?
                        .map(|t| t.user_id)
                        .into_iter()
                        .collect()
                };
                ticket_diff(user, manages, &visible, requested)?
            }
        };
        if changed.is_empty() && diff.is_empty() {
            return Ok(current.to_graphql());
        }
        if changed.is_empty() && !manages {
            // Seed 000's booking call: exactly the caller's own ticket, atomically.
            let mut event = current;
            if diff.add.is_empty() {
                ticket_handlers::cancel_own(app, &event.id, user).await?;
                event.tickets_left += 1;
            } else {
                ticket_handlers::book_own(app, &event.id, user).await?;
                event.tickets_left -= 1;
            }
            return Ok(event.to_graphql());
        }
        let added = diff.add.len() as i64 - diff.remove.len() as i64;
        let mut items = vec![if changed.is_empty() {
            events::take_tickets(app, &current.id, added, None)?
        } else {
            events::update(
                app,
                &current,
                &next,
                (next.total_tickets - current.total_tickets) - added,
            )?
        }];
        let tickets_from = items.len();
        let now = time::format(Utc::now());
        for u in &diff.add {
            let t = Ticket {
                event_id: current.id.clone(),
                user_id: u.clone(),
                booked_at: now.clone(),
            };
            items.push(tickets::put_new(app, &t)?);
        }
        for u in &diff.remove {
            items.push(tickets::delete(app, &current.id, u)?);
        }
        let lock_at = items.len();
        if touches_room(&current, &next) {
            let s = crate::domain::event::schedule(
                &next.room_id,
                &next.event_datetime_start,
                &next.event_datetime_end,
                Some(next.event_duration),
            )?;
            let room = claim_room(app, &next, &s).await?;
            items.push(rooms::lock(app, &room, next.total_tickets)?);
            let (old, new) = (Booking::of(&current), Booking::of(&next));
            if old.room_id == new.room_id && old.slot == new.slot {
                items.push(store::rooms::put_item(
                    &app.tables.room_bookings,
                    store::to_item(&new)?,
                    "attribute_exists(slot)",
                )?);
            } else {
                items.push(bookings::delete(app, &old)?);
                items.push(bookings::put(app, &new)?);
            }
        }
        match store::transact(app, items).await? {
            TxOutcome::Committed => {
                next.tickets_left -= added;
                next.version += i64::from(!changed.is_empty());
                return Ok(next.to_graphql());
            }
            o => {
                if (tickets_from..lock_at).any(|i| o.failed_at(i)) {
                    return Err(AppError::Conflict(
                        "the tickets changed while this request ran; reload the event and retry"
                            .into(),
                    ));
                }
                if o.failed_at(0) {
                    let fresh = existing(app, &current.id).await?;
                    if fresh.version == current.version && fresh.tickets_left < added {
                        return Err(sold_out(&fresh));
                    }
                }
                continue;
            }
        }
    }
    Err(AppError::Conflict(
        "the event or its room changed while this request ran; reload and retry".into(),
    ))
}

pub fn sold_out(event: &Event) -> AppError {
    AppError::SoldOut(format!(
        "event {:?} is sold out: all {} tickets are taken",
        event.id, event.total_tickets
    ))
}

pub async fn delete(app: &App, caller: &Caller, id: &str) -> AppResult<Value> {
    require_user(caller)?;
    let current = existing(app, id).await?;
    if !can_manage_event(caller, &current.owner_id) {
        return Err(AppError::Unauthorized(
            "only the organiser of this event or an admin may delete it".into(),
        ));
    }
    let items = vec![
        events::delete(app, &current)?,
        bookings::delete(app, &Booking::of(&current))?,
    ];
    match store::transact(app, items).await? {
        TxOutcome::Committed => {}
        TxOutcome::Cancelled(_) => {
            return Err(AppError::Conflict(format!(
                "event {id:?} changed while this request ran; reload and retry"
            )))
        }
    }
    if let Err(e) = tickets::delete_all(app, id).await {
        // The event is gone; its tickets are unreachable and skipped by every reader.
        tracing::warn!(event_id = id, error = %e, "tickets of a deleted event were not all removed");
    }
    Ok(current.to_graphql())
}

/// `Event.room` for a whole page in one BatchGetItem: each item gets its room, or its own
/// NotFound while the others resolve.
pub async fn rooms_of(app: &App, sources: &[Value]) -> Vec<AppResult<Value>> {
    let fetch = |ids: Vec<String>| async move {
        let rooms = rooms::get_many(app, &ids).await?;
        Ok(rooms.into_iter().map(|r| (r.id.clone(), r)).collect())
    };
    by_parent_key(sources, "room_id", fetch, super::rooms::to_graphql, |id| {
        AppError::NotFound(format!("room {id:?} of this event does not exist"))
    })
    .await
}
