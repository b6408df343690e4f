//! Rooms: public reads, admin-only changes.

use std::sync::Arc;

use chrono::Utc;
use futures::StreamExt;
use serde::Deserialize;
use serde_json::Value;

use super::{connection, source_str, PageArgs};
use crate::config::{App, Db};
use crate::domain::authz::require_admin;
use crate::domain::caller::Caller;
use crate::domain::plan::{self, Outcome};
use crate::domain::room::{validate_capacity, CreateRoomInput, Room, UpdateRoomInput};
use crate::domain::{page_limit, required_text, time, MAX_NAME_LEN};
use crate::error::{AppError, AppResult};
use crate::output::{to_value, BookingOut, Connection, RoomOut};
use crate::store::{bookings, rooms, Page};

pub async fn list(app: &App, args: PageArgs) -> AppResult<Connection<RoomOut>> {
    let context = "listRooms";
    let start = app.tokens.open_opt(context, args.next_token.as_deref())?;
    let limit = page_limit(args.limit)?;
    // Public and the same for every caller, all under one partition key of `byKind`: kept by
    // this container for READ_CACHE_TTL_MS, as the events' list is.
    let key = format!("{limit}|{}", args.next_token.as_deref().unwrap_or_default());
    let page = match app.cache.rooms(&key) {
        Some(page) => page,
        None => {
            let read = rooms::list(&app.db, limit, start).await?;
            let page = Arc::new((read.items, read.next));
            app.cache.keep_rooms(&key, page.clone());
            page
        }
    };
    let page = Page {
        items: page.0.clone(),
        next: page.1.clone(),
    };
    connection(app, context, page, |r| Ok(RoomOut::from(r)))
}

pub async fn get(app: &App, id: &str) -> AppResult<Option<RoomOut>> {
    Ok(rooms::get(&app.db, id).await?.map(RoomOut::from))
}

pub async fn create(app: &App, caller: &Caller, input: CreateRoomInput) -> AppResult<RoomOut> {
    require_admin(caller, "create rooms")?;
    let room = input.into_room(|| uuid::Uuid::new_v4().to_string())?;
    rooms::create(&app.db, &room).await?;
    Ok(room.into())
}

async fn existing(db: &Db, id: &str) -> AppResult<Room> {
    rooms::get(db, id)
        .await?
        .ok_or_else(|| AppError::not_found("room", id))
}

pub async fn update(app: &App, caller: &Caller, input: UpdateRoomInput) -> AppResult<RoomOut> {
    require_admin(caller, "change rooms")?;
    let current = existing(&app.db, &input.id).await?;
    let mut next = current.clone();
    if let Some(name) = &input.name {
        next.name = required_text("name", name, MAX_NAME_LEN)?;
    }
    if let Some(capacity) = input.capacity {
        next.capacity = validate_capacity(capacity)?;
    }
    if next.capacity < current.capacity {
        let largest = bookings::window(&app.db, &current.id, Utc::now(), None, None)
            .await?
            .iter()
            .map(|b| b.total_tickets)
            .max()
            .unwrap_or(0);
        if largest > next.capacity {
            return Err(AppError::Conflict(format!(
                "room {:?} has an upcoming event with {largest} tickets; its capacity must stay at least {largest}",
                current.id
            )));
        }
    }
    match app.db.transact(plan::edit_room(&current, &next)).await? {
        Outcome::Committed => Ok(next.into()),
        Outcome::Refused(_) => Err(changed_meanwhile(&current.id)),
    }
}

pub async fn delete(app: &App, caller: &Caller, id: &str) -> AppResult<RoomOut> {
    require_admin(caller, "delete rooms")?;
    let current = existing(&app.db, id).await?;
    if bookings::any(&app.db, id).await? {
        return Err(AppError::Conflict(format!(
            "room {id:?} still has events; delete them or move them to another room first"
        )));
    }
    match app.db.transact(plan::delete_room(&current)).await? {
        Outcome::Committed => Ok(current.into()),
        Outcome::Refused(_) => Err(changed_meanwhile(id)),
    }
}

fn changed_meanwhile(id: &str) -> AppError {
    AppError::Conflict(format!(
        "room {id:?} changed while this request ran; please retry"
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct BookingsArgs {
    pub from: Option<String>,
    pub limit: Option<i32>,
}

/// How many rooms of a BatchInvoke read their bookings at once.
const ROOMS_AT_ONCE: usize = 8;

/// `Room.bookings` for a page of rooms (one BatchInvoke): one Query per room, a few at a
/// time (DynamoDB has no batched Query); each room with its own arguments.
pub async fn bookings_of_page(
    app: &App,
    pages: Vec<(Value, BookingsArgs)>,
) -> Vec<AppResult<Value>> {
    futures::stream::iter(pages)
        .map(|(source, args)| async move { to_value(bookings_of(app, &source, args).await?) })
        .buffered(ROOMS_AT_ONCE)
        .collect()
        .await
}

/// `Room.bookings`: the room's events that end after `from` (default now), in time order.
pub async fn bookings_of(
    app: &App,
    source: &Value,
    args: BookingsArgs,
) -> AppResult<Vec<BookingOut>> {
    let room_id = source_str(source, "id")?;
    let from = match &args.from {
        Some(f) => time::parse("from", f)?,
        None => Utc::now(),
    };
    let limit = page_limit(args.limit)? as usize;
    let list = bookings::window(&app.db, room_id, from, None, Some(limit)).await?;
    Ok(list.into_iter().map(BookingOut::from).collect())
}
