//! Routing: each field this Lambda resolves (generated from schema.graphql and template.yaml,
//! `appsync::fields`) to its handler, in two exhaustive matches: `run` for fields resolved one
//! parent at a time, `run_batch` for fields resolved for a whole BatchInvoke. A field without a
//! handler does not compile.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde_json::Value;

use crate::appsync::fields::*;
use crate::appsync::Call;
use crate::config::App;
use crate::error::AppResult;
use crate::handlers::activities::SubscribeArgs;
use crate::handlers::profile::{AggregateArgs, AggregatesArgs, UserArgs};
use crate::handlers::rooms::BookingsArgs;
use crate::handlers::tickets::HoldersArgs;
use crate::handlers::{activities, events, profile, rooms, tickets, update_event, PageArgs};
use crate::output::{to_value, Wants};

type Reply<'a> = Pin<Box<dyn Future<Output = AppResult<Value>> + Send + 'a>>;

/// A handler's typed answer as the field's value. Each operation's future is boxed, so the
/// dispatcher's future does not nest every handler's.
fn reply<'a, T: Serialize>(handler: impl Future<Output = AppResult<T>> + Send + 'a) -> Reply<'a> {
    Box::pin(async move { to_value(handler.await?) })
}

/// Resolves a field for one parent.
pub async fn run(app: &App, call: Call<Operation>) -> AppResult<Value> {
    let Call {
        caller,
        wants,
        args: op,
        ..
    } = call;
    let caller = &caller;
    let page = |limit, next_token| PageArgs { limit, next_token };
    let handler: Reply = match op {
        Operation::ListRooms(ListRoomsArgs { limit, next_token }) => {
            reply(rooms::list(app, page(limit, next_token)))
        }
        Operation::GetRoom(GetRoomArgs { id }) => reply(async move { rooms::get(app, &id).await }),
        Operation::ListEvents(ListEventsArgs {
            when,
            limit,
            next_token,
        }) => reply(events::list(
            app,
            events::ListEventsArgs {
                when,
                limit,
                next_token,
            },
            wants,
        )),
        Operation::GetEvent(GetEventArgs { id }) => {
            reply(async move { events::get(app, &id, wants).await })
        }
        Operation::ListMyEvents(ListMyEventsArgs { limit, next_token }) => reply(
            tickets::my_events(app, caller, page(limit, next_token), wants),
        ),
        Operation::ListTicketHolders(ListTicketHoldersArgs {
            event_id,
            limit,
            next_token,
        }) => reply(tickets::holders(
            app,
            caller,
            HoldersArgs {
                event_id,
                limit,
                next_token,
            },
        )),
        Operation::GetActivity(GetActivityArgs { id }) => {
            reply(async move { activities::get(app, caller, &id).await })
        }
        Operation::ListActivities(ListActivitiesArgs {
            userid,
            from,
            to,
            limit,
            next_token,
        }) => reply(activities::list(
            app,
            caller,
            activities::ListActivitiesArgs {
                userid,
                from,
                to,
                limit,
                next_token,
            },
        )),
        Operation::ListActivityCategories => reply(activities::list_categories(app)),
        Operation::GetUser(GetUserArgs { id }) => reply(profile::get(app, caller, UserArgs { id })),
        Operation::GetUserAggregate(GetUserAggregateArgs { date, userid }) => reply(
            profile::get_aggregate(app, caller, AggregateArgs { date, userid }),
        ),
        Operation::ListUserAggregates(ListUserAggregatesArgs {
            from,
            to,
            userid,
            limit,
            next_token,
        }) => reply(profile::list_aggregates(
            app,
            caller,
            AggregatesArgs {
                from,
                to,
                userid,
                limit,
                next_token,
            },
        )),
        Operation::CreateRoom(CreateRoomArgs { input }) => reply(rooms::create(app, caller, input)),
        Operation::UpdateRoom(UpdateRoomArgs { input }) => reply(rooms::update(app, caller, input)),
        Operation::DeleteRoom(DeleteRoomArgs { input }) => {
            reply(async move { rooms::delete(app, caller, &input.id).await })
        }
        Operation::CreateEvent(CreateEventArgs { input }) => {
            reply(events::create(app, caller, input))
        }
        Operation::UpdateEvent(UpdateEventArgs { input }) => {
            reply(update_event::update(app, caller, input, wants))
        }
        Operation::DeleteEvent(DeleteEventArgs { input }) => {
            reply(async move { events::delete(app, caller, &input.id, wants).await })
        }
        Operation::BookTicket(BookTicketArgs { event_id }) => {
            reply(async move { tickets::book(app, caller, &event_id).await })
        }
        Operation::CancelTicket(CancelTicketArgs { event_id }) => {
            reply(async move { tickets::cancel(app, caller, &event_id).await })
        }
        Operation::CreateActivity(CreateActivityArgs { input }) => {
            reply(activities::create(app, caller, input))
        }
        Operation::UpdateActivity(UpdateActivityArgs { input }) => {
            reply(activities::update(app, caller, input))
        }
        Operation::DeleteActivity(DeleteActivityArgs { input }) => {
            reply(async move { activities::delete(app, caller, &input.id).await })
        }
        Operation::UpdateUser(UpdateUserArgs { input }) => {
            reply(profile::update(app, caller, input))
        }
        Operation::OnCreateActivity(OnCreateActivityArgs { userid })
        | Operation::OnUpdateActivity(OnUpdateActivityArgs { userid })
        | Operation::OnDeleteActivity(OnDeleteActivityArgs { userid }) => {
            let allowed = activities::subscribe(
                caller,
                SubscribeArgs {
                    userid: Some(userid),
                },
            );
            reply(async move { allowed })
        }
    };
    handler.await
}

/// Resolves a batched field for every item of a BatchInvoke, one result per item in order,
/// with one read for all of them.
pub async fn run_batch(app: &App, batch: Batch) -> Vec<AppResult<Value>> {
    let sources = |items: &[Call<()>]| items.iter().map(|i| i.source.clone()).collect::<Vec<_>>();
    // What any of the items selects.
    let wants = |items: &[Call<()>]| Wants {
        counts: items.iter().any(|i| i.wants.counts),
    };
    match batch {
        Batch::EventRoom(items) => events::rooms_of(app, &sources(&items)).await,
        Batch::EventTickets(items) => {
            let pairs: Vec<_> = items.into_iter().map(|i| (i.caller, i.source)).collect();
            tickets::holders_of(app, &pairs).await
        }
        Batch::RoomBookings(items) => {
            let pages = items
                .into_iter()
                .map(|i| {
                    let RoomBookingsArgs { from, limit } = i.args;
                    (i.source, BookingsArgs { from, limit })
                })
                .collect();
            rooms::bookings_of_page(app, pages).await
        }
        Batch::TicketEvent(items) => tickets::events_of(app, &sources(&items), wants(&items)).await,
    }
}
