//! Events: public reads; creation by any signed-in user (who becomes the organiser);
//! deletion by the organiser or an admin. `updateEvent` is `update_event`'s.

use std::sync::Arc;

use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;

use super::{by_parent_key, connection, counts};
use crate::config::{App, Db};
use crate::domain::authz::{require_event_manager, require_user};
use crate::domain::caller::Caller;
use crate::domain::event::{new_event, validate_total_tickets, CreateEventInput, Event, When};
use crate::domain::listing::REPLICAS;
use crate::domain::plan::{self, Check, Outcome};
use crate::domain::room::Room;
use crate::domain::{page_limit, validate_id};
use crate::error::{AppError, AppResult};
use crate::output::{Connection, EventOut, RoomOut, Wants};
use crate::store::{bookings, events, listing, rooms, tickets, Page, Read};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListEventsArgs {
    pub when: Option<When>,
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

pub async fn list(
    app: &App,
    args: ListEventsArgs,
    wants: Wants,
) -> AppResult<Connection<EventOut>> {
    let when = args.when.unwrap_or_default();
    let context = format!("listEvents|{when:?}");
    let start = app.tokens.open_opt(&context, args.next_token.as_deref())?;
    let limit = page_limit(args.limit)?;
    // The same for every caller: kept by this container for READ_CACHE_TTL_MS.
    let key = format!(
        "{when:?}|{limit}|{}",
        args.next_token.as_deref().unwrap_or_default()
    );
    let page = match app.cache.page(&key) {
        Some(page) => page,
        None => {
            let replica = fastrand::i64(0..REPLICAS);
            let months = match app.cache.months() {
                Some(months) => months,
                None => {
                    let months = Arc::new(listing::months(&app.db, replica).await?);
                    app.cache.keep_months(months.clone());
                    months
                }
            };
            let now = Utc::now();
            let read = listing::page(&app.db, &months, when, now, limit, start, replica).await?;
            let page = Arc::new((read.items, read.next));
            app.cache.keep_page(&key, page.clone());
            page
        }
    };
    let page = Page {
        items: counts::listed(app, page.0.clone(), wants).await?,
        next: page.1.clone(),
    };
    connection(app, &context, page, Ok)
}

pub async fn get(app: &App, id: &str, wants: Wants) -> AppResult<Option<EventOut>> {
    counts::one(app, id, wants).await
}

/// An event about to be changed: it exists and its counts are sound.
pub(super) async fn existing(db: &Db, id: &str) -> AppResult<Event> {
    events::get(db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("event {id:?} does not exist")))?
        .sound()
}

/// Checks that `event` may take its room at its time (capacity, no other event overlapping),
/// and returns the room as read: its version is the lock the plan takes.
pub(super) async fn claim_room(db: &Db, event: &Event) -> AppResult<Room> {
    let room = rooms::get(db, &event.room_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("room {:?} does not exist", event.room_id)))?;
    validate_total_tickets(event.total_tickets, room.capacity)?;
    let (start, end) = event.times()?;
    let clash = bookings::window(db, &room.id, start, Some(end), None)
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
pub(super) const ROOM_ATTEMPTS: usize = 3;

pub async fn create(app: &App, caller: &Caller, input: CreateEventInput) -> AppResult<EventOut> {
    let owner = require_user(caller)?;
    let id = match &input.id {
        Some(id) => validate_id("id", id)?,
        None => uuid::Uuid::new_v4().to_string(),
    };
    let event = new_event(input, id, owner, caller.display_name().unwrap_or(owner))?;
    for _ in 0..ROOM_ATTEMPTS {
        let room = claim_room(&app.db, &event).await?;
        let outcome = app.db.transact(plan::create_event(&event, &room)).await?;
        if matches!(outcome, Outcome::Committed) {
            app.cache.learn_shards(&event.id, event.shards);
            let left = event.total_tickets;
            return EventOut::new(event, Some(left));
        }
        if outcome.refused(Check::EventIsNew) {
            return Err(AppError::Conflict(format!(
                "an event with id {:?} already exists; choose another id",
                event.id
            )));
        }
    }
    Err(AppError::Conflict(
        "the room is being booked by others right now; please retry".into(),
    ))
}

pub async fn delete(app: &App, caller: &Caller, id: &str, wants: Wants) -> AppResult<EventOut> {
    require_user(caller)?;
    let current = existing(&app.db, id).await?;
    require_event_manager(caller, &current.owner_id)?;
    // What it held as it goes, if asked.
    let out = counts::outs(app, vec![current.clone()], wants, Read::Latest)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal("no event to answer"))?;
    if let Outcome::Refused(_) = app.db.transact(plan::delete_event(&current)).await? {
        return Err(AppError::Conflict(format!(
            "event {id:?} changed while this request ran; reload and retry"
        )));
    }
    if let Err(e) = tickets::delete_all(&app.db, id, current.shards).await {
        // The event is gone; its tickets are unreachable and skipped by every reader.
        tracing::warn!(event_id = id, error = %e, "tickets of a deleted event were not all removed");
    }
    Ok(out)
}

/// `Event.room` for a whole page in one BatchGetItem: each item gets its room, or its own
/// NotFound while the others resolve.
pub async fn rooms_of(app: &App, sources: &[Value]) -> Vec<AppResult<Value>> {
    let fetch = |ids: Vec<String>| async move {
        let rooms = rooms::get_many(&app.db, &ids).await?;
        Ok(rooms.into_iter().map(|r| (r.id.clone(), r)).collect())
    };
    let render = |r: &Room| Ok(RoomOut::from(r.clone()));
    by_parent_key(sources, "room_id", fetch, render, |id| {
        AppError::NotFound(format!("room {id:?} of this event does not exist"))
    })
    .await
}
