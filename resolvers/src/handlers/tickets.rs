//! Tickets: booking and cancelling one's own ticket, who sees which ticket holders, and the
//! events a user registered for.

use std::collections::HashMap;

use serde_json::Value;

use futures::StreamExt;

use super::booking::{book_own, cancel_own, Cancelled};
use super::{by_parent_key, connection, counts, source_str, PageArgs};
use crate::config::App;
use crate::domain::authz::{can_manage_event, require_user, ticket_view, TicketView};
use crate::domain::caller::Caller;
use crate::domain::event::Event;
use crate::domain::inventory::MAX_SHARDS;
use crate::domain::ticket::OwnTicketCall;
use crate::domain::{page_limit, validate_id};
use crate::error::{AppError, AppResult};
use crate::output::{to_value, Connection, EventOut, TicketOut, Wants};
use crate::store::{events, tickets, Page, Read};

/// Holders the organiser and admins see in `Event.tickets`: the first page of
/// `listTicketHolders`. A BatchInvoke of 100 events then answers at most 10,000 ids (~1.3 MB
/// at the longest ids), far below Lambda's 6 MB reply.
pub const HOLDERS_SHOWN: usize = 100;

pub async fn book(app: &App, caller: &Caller, event_id: &str) -> AppResult<TicketOut> {
    let user = require_user(caller)?;
    let event_id = validate_id("event_id", event_id)?;
    book_own(app, &event_id, user, OwnTicketCall::TicketMutation)
        .await?
        .map(TicketOut::from)
        .ok_or_else(|| AppError::internal("bookTicket answered as a list echo"))
}

pub async fn cancel(app: &App, caller: &Caller, event_id: &str) -> AppResult<TicketOut> {
    let user = require_user(caller)?;
    let event_id = validate_id("event_id", event_id)?;
    if cancel_own(app, &event_id, user, OwnTicketCall::TicketMutation).await? == Cancelled::NotHeld
    {
        return Err(AppError::NotFound(format!(
            "you hold no ticket for event {event_id:?}"
        )));
    }
    Ok(TicketOut {
        event_id,
        user_id: user.to_string(),
        booked_at: None,
    })
}

/// `Event.tickets` for a page: the organiser and admins see the first [`HOLDERS_SHOWN`]
/// holders (all of them through `listTicketHolders`); anyone else sees only their own ticket
/// (one BatchGetItem for the whole page); the public sees none.
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
    let mut managed = Vec::new();
    for (i, (view, (_, source))) in views.into_iter().zip(items).enumerate() {
        let ids = match (&held, view) {
            (Err(e), _) => Err(e.clone()),
            (_, Err(e)) => Err(e),
            (_, Ok(None | Some((_, TicketView::Nobody)))) => Ok(vec![]),
            (_, Ok(Some((event_id, TicketView::All)))) => {
                // The parent says how many counters (and so holder shards) it has; a parent
                // that does not is read through every shard there can be.
                let shards = source
                    .get("shards")
                    .and_then(Value::as_i64)
                    .unwrap_or(MAX_SHARDS);
                managed.push((i, event_id.to_string(), shards));
                Ok(vec![])
            }
            (Ok(held), Ok(Some((event_id, TicketView::Own(user))))) => {
                let holds = held.contains(&(event_id.to_string(), user.to_string()));
                Ok(holds.then(|| user.to_string()).into_iter().collect())
            }
        };
        out.push(ids);
    }
    // An organiser's page reads each event's first holders: a few events at a time.
    let firsts: Vec<(usize, AppResult<Vec<String>>)> = futures::stream::iter(managed)
        .map(|(i, event_id, shards)| first_holders(app, i, event_id, shards))
        .buffered(8)
        .collect()
        .await;
    for (i, ids) in firsts {
        out[i] = ids;
    }
    out.into_iter().map(|ids| ids.and_then(to_value)).collect()
}

async fn first_holders(
    app: &App,
    i: usize,
    event_id: String,
    shards: i64,
) -> (usize, AppResult<Vec<String>>) {
    let page = tickets::holders_page(&app.db, &event_id, shards, HOLDERS_SHOWN, None).await;
    (
        i,
        page.map(|p| p.items.into_iter().map(|t| t.user_id).collect()),
    )
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldersArgs {
    #[serde(rename = "event_id")]
    pub event_id: String,
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

/// `listTicketHolders`: a page of an event's ticket holders (at most 100), for its organiser
/// and admins only. One GetItem of the event (its owner and its number of holder shards), then
/// `byEvent`'s shards in turn: at most 1 + 8 Queries, usually 2.
pub async fn holders(
    app: &App,
    caller: &Caller,
    args: HoldersArgs,
) -> AppResult<Connection<TicketOut>> {
    require_user(caller)?;
    let event_id = validate_id("event_id", &args.event_id)?;
    let limit = page_limit(args.limit)? as usize;
    let context = format!("listTicketHolders|{event_id}");
    let start = app.tokens.open_opt(&context, args.next_token.as_deref())?;
    let event = events::get(&app.db, &event_id)
        .await?
        .ok_or_else(|| AppError::not_found("event", &event_id))?;
    if !can_manage_event(caller, &event.owner_id) {
        return Err(AppError::Unauthorized(
            "only the organiser of this event or an admin may list its ticket holders".into(),
        ));
    }
    let page = tickets::holders_page(&app.db, &event.id, event.shards, limit, start).await?;
    connection(app, &context, page, |t| Ok(TicketOut::from(t)))
}

/// `Ticket.event` for a batch of tickets, in one BatchGetItem (and one more for their
/// counts when selected).
pub async fn events_of(app: &App, sources: &[Value], wants: Wants) -> Vec<AppResult<Value>> {
    let fetch = |ids: Vec<String>| async move {
        let events = events::get_many(&app.db, &ids).await?;
        let outs = counts::outs(app, events, wants, Read::Eventual).await?;
        Ok(outs.into_iter().map(|e| (e.event.id.clone(), e)).collect())
    };
    let render = |e: &EventOut| Ok(e.clone());
    by_parent_key(sources, "event_id", fetch, render, |id| {
        AppError::not_found("event", id)
    })
    .await
}

/// The events the caller registered for, most recently booked first. A ticket whose event
/// was deleted is skipped, so a page may be short.
pub async fn my_events(
    app: &App,
    caller: &Caller,
    args: PageArgs,
    wants: Wants,
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
    let mine: Vec<Event> = ids.iter().filter_map(|id| found.remove(id)).collect();
    let booked = Page {
        items: counts::outs(app, mine, wants, Read::Eventual).await?,
        next: held.next,
    };
    connection(app, &context, booked, Ok)
}
