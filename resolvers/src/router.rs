//! Routing: (parentTypeName, fieldName, arguments) becomes a typed `Operation` through serde,
//! and `run` is one exhaustive match over it. A field this Lambda does not resolve is a clean
//! BadRequest, never a panic.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::config::App;
use crate::domain::activity::{CreateActivityInput, UpdateActivityInput};
use crate::domain::caller::Caller;
use crate::domain::event::{CreateEventInput, UpdateEventInput};
use crate::domain::profile::UpdateUserInput;
use crate::domain::room::{CreateRoomInput, UpdateRoomInput};
use crate::error::{AppError, AppResult};
use crate::handlers::activities::{ListActivitiesArgs, SubscribeArgs};
use crate::handlers::events::ListEventsArgs;
use crate::handlers::profile::{AggregateArgs, AggregatesArgs, UserArgs};
use crate::handlers::rooms::BookingsArgs;
use crate::handlers::tickets::HoldersArgs;
use crate::handlers::{activities, events, profile, rooms, tickets, update_event, PageArgs};
use crate::output::{to_value, Wants};

#[derive(Debug, Deserialize)]
pub struct Input<T> {
    pub input: T,
}

#[derive(Debug, Deserialize)]
pub struct IdArg {
    pub id: String,
}

#[derive(Debug, Deserialize)]
pub struct EventIdArg {
    pub event_id: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NoArgs {}

#[derive(Debug, Deserialize)]
#[serde(tag = "field", content = "arguments")]
pub enum QueryField {
    #[serde(rename = "listRooms")]
    ListRooms(PageArgs),
    #[serde(rename = "getRoom")]
    GetRoom(IdArg),
    #[serde(rename = "listEvents")]
    ListEvents(ListEventsArgs),
    #[serde(rename = "getEvent")]
    GetEvent(IdArg),
    #[serde(rename = "listMyEvents")]
    ListMyEvents(PageArgs),
    #[serde(rename = "listTicketHolders")]
    ListTicketHolders(HoldersArgs),
    #[serde(rename = "getActivity")]
    GetActivity(IdArg),
    #[serde(rename = "listActivities")]
    ListActivities(ListActivitiesArgs),
    #[serde(rename = "listActivityCategories")]
    ListActivityCategories(NoArgs),
    #[serde(rename = "getUser")]
    GetUser(UserArgs),
    #[serde(rename = "getUserAggregate")]
    GetUserAggregate(AggregateArgs),
    #[serde(rename = "listUserAggregates")]
    ListUserAggregates(AggregatesArgs),
}

#[derive(Debug, Deserialize)]
#[serde(tag = "field", content = "arguments")]
pub enum MutationField {
    #[serde(rename = "createRoom")]
    CreateRoom(Input<CreateRoomInput>),
    #[serde(rename = "updateRoom")]
    UpdateRoom(Input<UpdateRoomInput>),
    #[serde(rename = "deleteRoom")]
    DeleteRoom(Input<IdArg>),
    #[serde(rename = "createEvent")]
    CreateEvent(Input<CreateEventInput>),
    #[serde(rename = "updateEvent")]
    UpdateEvent(Input<UpdateEventInput>),
    #[serde(rename = "deleteEvent")]
    DeleteEvent(Input<IdArg>),
    #[serde(rename = "bookTicket")]
    BookTicket(EventIdArg),
    #[serde(rename = "cancelTicket")]
    CancelTicket(EventIdArg),
    #[serde(rename = "createActivity")]
    CreateActivity(Input<CreateActivityInput>),
    #[serde(rename = "updateActivity")]
    UpdateActivity(Input<UpdateActivityInput>),
    #[serde(rename = "deleteActivity")]
    DeleteActivity(Input<IdArg>),
    #[serde(rename = "updateUser")]
    UpdateUser(Input<UpdateUserInput>),
}

#[derive(Debug, Deserialize)]
#[serde(tag = "field", content = "arguments")]
pub enum SubscriptionField {
    #[serde(rename = "onCreateActivity")]
    OnCreateActivity(SubscribeArgs),
    #[serde(rename = "onUpdateActivity")]
    OnUpdateActivity(SubscribeArgs),
    #[serde(rename = "onDeleteActivity")]
    OnDeleteActivity(SubscribeArgs),
}

#[derive(Debug, Deserialize)]
#[serde(tag = "field", content = "arguments")]
pub enum EventField {
    #[serde(rename = "room")]
    Room(NoArgs),
    #[serde(rename = "tickets")]
    Tickets(NoArgs),
}

#[derive(Debug, Deserialize)]
#[serde(tag = "field", content = "arguments")]
pub enum RoomField {
    #[serde(rename = "bookings")]
    Bookings(BookingsArgs),
}

#[derive(Debug, Deserialize)]
#[serde(tag = "field", content = "arguments")]
pub enum TicketField {
    #[serde(rename = "event")]
    Event(NoArgs),
}

#[derive(Debug)]
pub enum Operation {
    Query(QueryField),
    /// Boxed: mutation inputs are large and the other variants small.
    Mutation(Box<MutationField>),
    Event(EventField),
    Room(RoomField),
    Ticket(TicketField),
    Subscription(SubscriptionField),
}

/// The fields this Lambda resolves, as `Parent.field` (for the contract test and errors).
pub const FIELDS: &[&str] = &[
    "Query.listRooms",
    "Query.getRoom",
    "Query.listEvents",
    "Query.getEvent",
    "Query.listMyEvents",
    "Query.listTicketHolders",
    "Query.getActivity",
    "Query.listActivities",
    "Query.listActivityCategories",
    "Query.getUser",
    "Query.getUserAggregate",
    "Query.listUserAggregates",
    "Mutation.createRoom",
    "Mutation.updateRoom",
    "Mutation.deleteRoom",
    "Mutation.createEvent",
    "Mutation.updateEvent",
    "Mutation.deleteEvent",
    "Mutation.bookTicket",
    "Mutation.cancelTicket",
    "Mutation.createActivity",
    "Mutation.updateActivity",
    "Mutation.deleteActivity",
    "Mutation.updateUser",
    "Subscription.onCreateActivity",
    "Subscription.onUpdateActivity",
    "Subscription.onDeleteActivity",
    "Event.room",
    "Event.tickets",
    "Room.bookings",
    "Ticket.event",
];

impl Operation {
    pub fn parse(parent: &str, field: &str, arguments: &Value) -> AppResult<Self> {
        let args = if arguments.is_null() {
            json!({})
        } else {
            arguments.clone()
        };
        let tagged = json!({ "field": field, "arguments": args });
        let name = format!("{parent}.{field}");
        if !FIELDS.contains(&name.as_str()) {
            return Err(AppError::BadRequest(format!(
                "{name} is not a field this resolver handles; it handles {}",
                FIELDS.join(", ")
            )));
        }
        fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, serde_json::Error> {
            serde_json::from_value(v)
        }
        let result = match parent {
            "Query" => typed(tagged).map(Self::Query),
            "Mutation" => typed(tagged).map(|m| Self::Mutation(Box::new(m))),
            "Event" => typed(tagged).map(Self::Event),
            "Room" => typed(tagged).map(Self::Room),
            "Ticket" => typed(tagged).map(Self::Ticket),
            "Subscription" => typed(tagged).map(Self::Subscription),
            _ => unreachable_parent(&name),
        };
        result.map_err(|e| AppError::validation(format!("invalid arguments for {name}: {e}")))
    }

    /// Fields resolved for a whole BatchInvoke at once rather than item by item.
    pub fn batched(&self) -> bool {
        matches!(self, Self::Event(_) | Self::Room(_) | Self::Ticket(_))
    }
}

/// FIELDS names a parent type with no enum behind it: a programming error the router
/// tests catch; reported as an error, never a panic.
fn unreachable_parent(name: &str) -> Result<Operation, serde_json::Error> {
    Err(serde::de::Error::custom(format!(
        "{name} is listed but has no route"
    )))
}

/// A handler's typed answer as the field's value.
fn reply<T: Serialize>(result: AppResult<T>) -> AppResult<Value> {
    to_value(result?)
}

/// Runs one operation.
pub async fn run(
    app: &App,
    caller: &Caller,
    op: Operation,
    source: &Value,
    wants: Wants,
) -> AppResult<Value> {
    match op {
        Operation::Query(q) => match q {
            QueryField::ListRooms(args) => reply(rooms::list(app, args).await),
            QueryField::GetRoom(a) => reply(rooms::get(app, &a.id).await),
            QueryField::ListEvents(args) => reply(events::list(app, args, wants).await),
            QueryField::GetEvent(a) => reply(events::get(app, &a.id, wants).await),
            QueryField::ListMyEvents(args) => {
                reply(tickets::my_events(app, caller, args, wants).await)
            }
            QueryField::ListTicketHolders(args) => reply(tickets::holders(app, caller, args).await),
            QueryField::GetActivity(a) => reply(activities::get(app, caller, &a.id).await),
            QueryField::ListActivities(args) => reply(activities::list(app, caller, args).await),
            QueryField::ListActivityCategories(_) => reply(activities::list_categories(app).await),
            QueryField::GetUser(args) => reply(profile::get(app, caller, args).await),
            QueryField::GetUserAggregate(args) => {
                reply(profile::get_aggregate(app, caller, args).await)
            }
            QueryField::ListUserAggregates(args) => {
                reply(profile::list_aggregates(app, caller, args).await)
            }
        },
        Operation::Mutation(m) => match *m {
            MutationField::CreateRoom(i) => reply(rooms::create(app, caller, i.input).await),
            MutationField::UpdateRoom(i) => reply(rooms::update(app, caller, i.input).await),
            MutationField::DeleteRoom(i) => reply(rooms::delete(app, caller, &i.input.id).await),
            MutationField::CreateEvent(i) => reply(events::create(app, caller, i.input).await),
            MutationField::UpdateEvent(i) => {
                reply(update_event::update(app, caller, i.input, wants).await)
            }
            MutationField::DeleteEvent(i) => {
                reply(events::delete(app, caller, &i.input.id, wants).await)
            }
            MutationField::BookTicket(a) => reply(tickets::book(app, caller, &a.event_id).await),
            MutationField::CancelTicket(a) => {
                reply(tickets::cancel(app, caller, &a.event_id).await)
            }
            MutationField::CreateActivity(i) => {
                reply(activities::create(app, caller, i.input).await)
            }
            MutationField::UpdateActivity(i) => {
                reply(activities::update(app, caller, i.input).await)
            }
            MutationField::DeleteActivity(i) => {
                reply(activities::delete(app, caller, &i.input.id).await)
            }
            MutationField::UpdateUser(i) => reply(profile::update(app, caller, i.input).await),
        },
        Operation::Subscription(
            SubscriptionField::OnCreateActivity(args)
            | SubscriptionField::OnUpdateActivity(args)
            | SubscriptionField::OnDeleteActivity(args),
        ) => reply(activities::subscribe(caller, args)),
        Operation::Event(_) | Operation::Room(_) | Operation::Ticket(_) => {
            let kind = op_kind(&op);
            let items = [(caller.clone(), op, source.clone())];
            run_batched(app, &kind, &items, wants)
                .await
                .pop()
                .unwrap_or_else(|| Err(AppError::internal("batched field returned no result")))
        }
    }
}

/// Which batched field a BatchInvoke is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchedField {
    EventRoom,
    EventTickets,
    RoomBookings,
    TicketEvent,
    NotBatched,
}

pub fn op_kind(op: &Operation) -> BatchedField {
    match op {
        Operation::Event(EventField::Room(_)) => BatchedField::EventRoom,
        Operation::Event(EventField::Tickets(_)) => BatchedField::EventTickets,
        Operation::Room(RoomField::Bookings(_)) => BatchedField::RoomBookings,
        Operation::Ticket(TicketField::Event(_)) => BatchedField::TicketEvent,
        _ => BatchedField::NotBatched,
    }
}

/// Resolves a batched field for many parents with one read for all of them (`wants`: what
/// any of them selects).
pub async fn run_batched(
    app: &App,
    kind: &BatchedField,
    items: &[(Caller, Operation, Value)],
    wants: Wants,
) -> Vec<AppResult<Value>> {
    let sources: Vec<Value> = items.iter().map(|(_, _, s)| s.clone()).collect();
    match kind {
        BatchedField::EventRoom => events::rooms_of(app, &sources).await,
        BatchedField::EventTickets => {
            let pairs: Vec<(Caller, Value)> = items
                .iter()
                .map(|(c, _, s)| (c.clone(), s.clone()))
                .collect();
            tickets::holders_of(app, &pairs).await
        }
        BatchedField::RoomBookings => {
            let pages: Vec<(Value, BookingsArgs)> = items
                .iter()
                .map(|(_, op, s)| match op {
                    Operation::Room(RoomField::Bookings(a)) => (s.clone(), a.clone()),
                    // Only Room.bookings items reach this arm (handle_batch groups by kind).
                    _ => (Value::Null, BookingsArgs::default()),
                })
                .collect();
            rooms::bookings_of_page(app, pages).await
        }
        BatchedField::TicketEvent => tickets::events_of(app, &sources, wants).await,
        BatchedField::NotBatched => items
            .iter()
            .map(|_| Err(AppError::internal("not a batched field")))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_field_parses_and_unknown_ones_are_bad_requests() {
        for f in FIELDS {
            let (parent, field) = f.split_once('.').unwrap();
            match Operation::parse(parent, field, &json!({})) {
                Ok(_) => {}
                // Fields with required arguments fail on arguments, never as unknown.
                Err(e) => {
                    assert_eq!(e.error_type(), "ValidationError", "{f}: {e}");
                    assert!(!e.to_string().contains("has no route"), "{f}: {e}");
                    assert!(!e.to_string().contains("unknown variant"), "{f}: {e}");
                }
            }
        }
        for (p, f) in [
            ("Query", "dropTables"),
            ("Subscription", "onCreateEvent"),
            ("Event", "nope"),
        ] {
            let err = Operation::parse(p, f, &json!({})).unwrap_err();
            assert_eq!(err.error_type(), "BadRequest");
            assert!(err.to_string().contains("Query.listEvents"), "{err}");
        }
    }

    #[test]
    fn wrong_argument_types_are_validation_errors() {
        let err = Operation::parse("Query", "listEvents", &json!({ "limit": "ten" })).unwrap_err();
        assert_eq!(err.error_type(), "ValidationError");
        let err =
            Operation::parse("Query", "listEvents", &json!({ "when": "SOMETIME" })).unwrap_err();
        assert_eq!(err.error_type(), "ValidationError");
    }
}
