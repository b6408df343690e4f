//! Tickets: booking and cancelling one's own ticket, who sees which ticket holders, and the
//! events a user registered for.

use std::collections::HashMap;

use serde_json::Value;

use super::booking::{book_own, cancel_own};
use super::{by_parent_key, connection, source_str, PageArgs};
use crate::config::App;
use crate::domain::authz::{require_user, ticket_view, TicketView};
use crate::domain::caller::Caller;
use crate::domain::event::Event;
use crate::domain::{page_limit, validate_id};
use crate::error::{AppError, AppResult};
use crate::output::{to_value, Connection, EventOut, TicketOut};
use crate::store::{events, tickets, Page};

pub async fn book(app: &App, caller: &Caller, event_id: &str) -> AppResult<TicketOut> {
    let user = require_user(caller)?;
    let event_id = validate_id("event_id", event_id)?;
    Ok(book_own(&app.db, &event_id, user).await?.into())
}

pub async fn cancel(app: &App, caller: &Caller, event_id: &str) -> AppResult<TicketOut> {
    let user = require_user(caller)?;
    let event_id = validate_id("event_id", event_id)?;
    cancel_own(&app.db, &event_id, user).await?;
    Ok(TicketOut {
        event_id,
        user_id: user.to_string(),
        booked_at: None,
    })
}

/// `Event.tickets` for a page: the organiser and admins see every holder; anyone else sees
/// only their own ticket (one BatchGetItem for the whole page); the public sees none.
pub async fn holders_of(app: &App, items: &[(Caller, Value)]) -> Vec<AppResult<Value>> {
    // The public is shown nobody whatever the parent holds, so its view needs no parent fields.
    let views: Vec<AppResult<Option<(&str, TicketView)>>> = items
        .iter()
        .map(|(caller, source)| match caller.user_id() {
            None => Ok(None),
            Some(_) => {
                let event_id = source_str(source, "id")?;
                let owner = source_str(source, "owner_id")?;
                Ok(Some((event_id, ticket_view(caller, owner))))
            }
        })
        .collect();
    let own_keys: Vec<(String, String)> = views
        .iter()
        .filter_map(|v| match v {
            Ok(Some((event_id, TicketView::Own(user)))) => {
                Some((event_id.to_string(), user.to_string()))
            }
            _ => None,
        })
        .collect();
    let held = tickets::held(&app.db, &own_keys).await;
    let mut out = Vec::with_capacity(items.len());
    for view in views {
        let ids = match (&held, view) {
            (Err(e), _) => Err(e.clone()),
            (_, Err(e)) => Err(e),
            (_, Ok(None | Some((_, TicketView::Nobody)))) => Ok(vec![]),
            (_, Ok(Some((event_id, TicketView::All)))) => tickets::holders(&app.db, event_id)
                .await
                .map(|h| h.into_iter().collect()),
            (Ok(held), Ok(Some((event_id, TicketView::Own(user))))) => {
                let holds = held.contains(&(event_id.to_string(), user.to_string()));
                Ok(holds.then(|| user.to_string()).into_iter().collect())
            }
        };
        out.push(ids.and_then(|ids: Vec<String>| to_value(ids)));
    }
    out
}

/// `Ticket.event` for a batch of tickets, in one BatchGetItem.
pub async fn events_of(app: &App, sources: &[Value]) -> Vec<AppResult<Value>> {
    let fetch = |ids: Vec<String>| async move {
        let events = events::get_many(&app.db, &ids).await?;
        Ok(events.into_iter().map(|e| (e.id.clone(), e)).collect())
    };
    let render = |e: &Event| EventOut::try_from(e.clone());
    by_parent_key(sources, "event_id", fetch, render, |id| {
        AppError::NotFound(format!("event {id:?} does not exist"))
    })
    .await
}

/// The events the caller registered for, most recently booked first. A ticket whose event
/// was deleted is skipped, so a page may be short.
pub async fn my_events(
    app: &App,
    caller: &Caller,
    args: PageArgs,
) -> AppResult<Connection<EventOut>> {
    let user = require_user(caller)?;
    let context = format!("listMyEvents|{user}");
    let start = app.tokens.open_opt(&context, args.next_token.as_deref())?;
    let held = tickets::of_user(&app.db, user, page_limit(args.limit)?, start).await?;
    let ids: Vec<String> = held.items.iter().map(|t| t.event_id.clone()).collect();
    let mut found: HashMap<String, Event> = events::get_many(&app.db, &ids)
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let booked = Page {
        items: ids.iter().filter_map(|id| found.remove(id)).collect(),
        next: held.next,
    };
    connection(app, &context, booked, EventOut::try_from)
}
