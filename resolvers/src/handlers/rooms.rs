//! Rooms: public reads, admin-only changes.

use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;

use super::{connection, source_str, PageArgs};
use crate::appsync::Caller;
use crate::config::App;
use crate::domain::authz::require_admin;
use crate::domain::room::{validate_capacity, CreateRoomInput, Room, UpdateRoomInput};
use crate::domain::{page_limit, required_text, time, MAX_NAME_LEN};
use crate::error::{AppError, AppResult};
use crate::store::{self, bookings, rooms, TxOutcome};

pub async fn list(app: &App, args: PageArgs) -> AppResult<Value> {
    let context = "listRooms";
    let start = app.tokens.open_opt(context, args.next_token.as_deref())?;
    let (items, last) = rooms::list(app, page_limit(args.limit)?, start).await?;
    let items = items.iter().map(to_graphql).collect();
    connection(app, context, items, last)
}

pub async fn get(app: &App, id: &str) -> AppResult<Value> {
    Ok(rooms::get(app, id)
        .await?
        .as_ref()
        .map(to_graphql)
        .unwrap_or(Value::Null))
}

pub fn to_graphql(room: &Room) -> Value {
    serde_json::json!({ "id": room.id, "name": room.name, "capacity": room.capacity })
}

pub async fn create(app: &App, caller: &Caller, input: CreateRoomInput) -> AppResult<Value> {
    require_admin(caller, "create rooms")?;
    let room = input.into_room(|| uuid::Uuid::new_v4().to_string())?;
    rooms::create(app, &room).await?;
    Ok(to_graphql(&room))
}

async fn existing(app: &App, id: &str) -> AppResult<Room> {
    rooms::get(app, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("room {id:?} does not exist")))
}

pub async fn update(app: &App, caller: &Caller, input: UpdateRoomInput) -> AppResult<Value> {
    require_admin(caller, "change rooms")?;
    let current = existing(app, &input.id).await?;
    let mut next = current.clone();
    if let Some(name) = &input.name {
        next.name = required_text("name", name, MAX_NAME_LEN)?;
    }
    if let Some(capacity) = input.capacity {
        next.capacity = validate_capacity(capacity)?;
    }
    if next.capacity < current.capacity {
        let largest = bookings::window(app, &current.id, Utc::now(), None, None)
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
    match store::transact(app, vec![rooms::update(app, &current, &next)?]).await? {
        TxOutcome::Committed => {
            next.version += 1;
            Ok(to_graphql(&next))
        }
        TxOutcome::Cancelled(_) => Err(changed_meanwhile(&current.id)),
    }
}

pub async fn delete(app: &App, caller: &Caller, id: &str) -> AppResult<Value> {
    require_admin(caller, "delete rooms")?;
    let current = existing(app, id).await?;
    if bookings::any(app, id).await? {
        return Err(AppError::Conflict(format!(
            "room {id:?} still has events; delete them or move them to another room first"
        )));
    }
    match store::transact(app, vec![rooms::delete(app, &current)?]).await? {
        TxOutcome::Committed => Ok(to_graphql(&current)),
        TxOutcome::Cancelled(_) => Err(changed_meanwhile(id)),
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

/// `Room.bookings`: the room's events that end after `from` (default now), in time order.
pub async fn bookings_of(app: &App, source: &Value, args: BookingsArgs) -> AppResult<Value> {
    let room_id = source_str(source, "id")?;
    let from = match &args.from {
        Some(f) => time::parse("from", f)?,
        None => Utc::now(),
    };
    let limit = page_limit(args.limit)? as usize;
    let list = bookings::window(app, room_id, from, None, Some(limit)).await?;
    Ok(Value::Array(list.iter().map(|b| b.to_graphql()).collect()))
}
