//! Tickets: booking and cancelling one's own ticket (one transaction each), who sees which
//! ticket holders, and the events a user registered for.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::Value;

use super::events::sold_out;
use super::{by_parent_key, connection, source_str, PageArgs};
use crate::appsync::Caller;
use crate::config::App;
use crate::domain::authz::{can_manage_event, require_user};
use crate::domain::event::Event;
use crate::domain::room::validate_id;
use crate::domain::{page_limit, time};
use crate::error::{AppError, AppResult};
use crate::store::tickets::{self, Ticket};
use crate::store::{self, events, TxOutcome};

/// Books the caller's ticket: one transaction that creates the ticket only if the caller has
/// none, and takes one ticket only if one is left and the event has not ended.
pub async fn book_own(app: &App, event_id: &str, user: &str) -> AppResult<Ticket> {
    let now = time::format(Utc::now());
    let ticket = Ticket {
        event_id: event_id.to_string(),
        user_id: user.to_string(),
        booked_at: now.clone(),
    };
    let items = vec![
        tickets::put_new(app, &ticket)?,
        events::take_tickets(app, event_id, 1, Some(&now))?,
    ];
    match store::transact(app, items).await? {
        TxOutcome::Committed => {
            crate::telemetry::booked();
            Ok(ticket)
        }
        o if o.failed_at(0) => Err(AppError::Conflict(format!(
            "you already hold a ticket for event {event_id:?}; each person may hold one"
        ))),
        // Only the failure path reads, to say which condition failed.
        _ => match events::get(app, event_id).await? {
            None => Err(AppError::NotFound(format!(
                "event {event_id:?} does not exist"
            ))),
            Some(e) if e.event_datetime_end <= now => Err(AppError::Validation(format!(
                "event {event_id:?} ended at {}; tickets can no longer be booked",
                e.event_datetime_end
            ))),
            Some(e) => Err(sold_out(&e)),
        },
    }
}

/// Cancels the caller's ticket and returns it to the pool, in one transaction.
pub async fn cancel_own(app: &App, event_id: &str, user: &str) -> AppResult<()> {
    let items = vec![
        tickets::delete(app, event_id, user)?,
        events::take_tickets(app, event_id, -1, None)?,
    ];
    match store::transact(app, items).await? {
        TxOutcome::Committed => Ok(()),
        o if o.failed_at(0) => Err(AppError::NotFound(format!(
            "you hold no ticket for event {event_id:?}"
        ))),
        _ => Err(AppError::NotFound(format!(
            "event {event_id:?} does not exist"
        ))),
    }
}

pub async fn book(app: &App, caller: &Caller, event_id: &str) -> AppResult<Value> {
    let user = require_user(caller)?;
    let event_id = validate_id("event_id", event_id)?;
    Ok(book_own(app, &event_id, user).await?.to_graphql())
}

pub async fn cancel(app: &App, caller: &Caller, event_id: &str) -> AppResult<Value> {
    let user = require_user(caller)?;
    let event_id = validate_id("event_id", event_id)?;
    cancel_own(app, &event_id, user).await?;
    Ok(serde_json::json!({ "event_id": event_id, "user_id": user, "booked_at": null }))
}

/// `Event.tickets` for a page: the organiser and admins see every holder; anyone else sees
/// only their own ticket (one BatchGetItem for the whole page); the public sees none.
pub async fn holders_of(app: &App, items: &[(Caller, Value)]) -> Vec<AppResult<Value>> {
    let mut own_keys: Vec<(String, String)> = Vec::new();
    for (caller, source) in items {
        if let (Some(user), Ok(event_id), Ok(owner)) = (
            caller.user_id(),
            source_str(source, "id"),
            source_str(source, "owner_id"),
        ) {
            if !can_manage_event(caller, owner) {
                own_keys.push((event_id.to_string(), user.to_string()));
            }
        }
    }
    let held = tickets::held(app, &own_keys).await;
    let mut out = Vec::with_capacity(items.len());
    for (caller, source) in items {
        out.push(match (&held, caller.user_id()) {
            (Err(e), _) => Err(e.clone()),
            (_, None) => Ok(Value::Array(vec![])),
            (Ok(held), Some(user)) => {
                async {
                    let event_id = source_str(source, "id")?;
                    let owner = source_str(source, "owner_id")?;
                    let ids: Vec<String> = if can_manage_event(caller, owner) {
                        tickets::holders(app, event_id).await?.into_iter().collect()
                    } else if held.contains(&(event_id.to_string(), user.to_string())) {
                        vec![user.to_string()]
                    } else {
                        vec![]
                    };
                    Ok(Value::from(ids))
                }
                .await
            }
        });
    }
    out
}

/// `Ticket.event` for a batch of tickets, in one BatchGetItem.
pub async fn events_of(app: &App, sources: &[Value]) -> Vec<AppResult<Value>> {
    let fetch = |ids: Vec<String>| async move {
        let events = events::get_many(app, &ids).await?;
        Ok(events.into_iter().map(|e| (e.id.clone(), e)).collect())
    };
    by_parent_key(sources, "event_id", fetch, Event::to_graphql, |id| {
        AppError::NotFound(format!("event {id:?} does not exist"))
    })
    .await
}

/// The events the caller registered for, most recently booked first. A ticket whose event
/// was deleted is skipped, so a page may be short.
pub async fn my_events(app: &App, caller: &Caller, args: PageArgs) -> AppResult<Value> {
    let user = require_user(caller)?;
    let context = format!("listMyEvents|{user}");
    let start = app.tokens.open_opt(&context, args.next_token.as_deref())?;
    let (held, last) = tickets::of_user(app, user, page_limit(args.limit)?, start).await?;
    let ids: Vec<String> = held.iter().map(|t| t.event_id.clone()).collect();
    let mut found: HashMap<String, Event> = events::get_many(app, &ids)
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let items = ids
        .iter()
        .filter_map(|id| found.remove(id))
        .map(|e| e.to_graphql())
        .collect();
    connection(app, &context, items, last)
}
