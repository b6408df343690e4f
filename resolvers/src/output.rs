//! What the API answers: the GraphQL value of every type the resolvers return, as
//! `Serialize` types in this one module. Handlers return these; the router turns them into
//! the reply with [`to_value`], where a serialisation failure is an Internal error, never a
//! null.

use serde::Serialize;
use serde_json::Value;

use crate::domain::activity::Category;
use crate::domain::booking::Booking;
use crate::domain::event::Event;
use crate::domain::profile::{Aggregate, Profile};
use crate::domain::room::Room;
use crate::domain::ticket::Ticket;
use crate::error::{AppError, AppResult};

/// Parts of an answer that cost a read of their own, and whether the query selects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wants {
    /// `tickets_left` / `tickets_sold` of events: a read of their counters.
    pub counts: bool,
}

impl Wants {
    /// Everything: when the selection is not known.
    pub const ALL: Self = Self { counts: true };

    /// From AppSync's `selectionSetList` (field paths such as `items/tickets_left`) and
    /// `selectionSetGraphQL` (which also shows aliased fields). No selection at all (a caller
    /// that sends none) means everything.
    pub fn from_selection(list: &[String], graphql: &str) -> Self {
        if list.is_empty() && graphql.trim().is_empty() {
            return Self::ALL;
        }
        let counted = ["tickets_left", "tickets_sold"];
        let listed = list
            .iter()
            .any(|p| counted.contains(&p.rsplit('/').next().unwrap_or(p)));
        Self {
            counts: listed || counted.iter().any(|f| graphql.contains(f)),
        }
    }
}

/// The reply value of a field.
pub fn to_value<T: Serialize>(out: T) -> AppResult<Value> {
    serde_json::to_value(out).map_err(|e| AppError::internal(format!("reply not serialised: {e}")))
}

/// `{items, nextToken}`, the connection shape the events and activity tracker apps page by.
#[derive(Debug, Serialize)]
pub struct Connection<T> {
    pub items: Vec<T>,
    #[serde(rename = "nextToken")]
    pub next_token: Option<String>,
}

/// `Event`: the stored fields (`owner_id` and `shards` too, which the schema hides but
/// nested resolvers read from `source`) and, when the query selects them (they cost a read
/// of the event's counters), `tickets_left` and `tickets_sold`.
#[derive(Debug, Clone, Serialize)]
pub struct EventOut {
    #[serde(flatten)]
    pub event: Event,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tickets_left: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tickets_sold: Option<i64>,
}

impl EventOut {
    /// The event with `left` tickets unsold on its counters (`None`: not read).
    pub fn new(event: Event, left: Option<i64>) -> AppResult<Self> {
        let sold = left.map(|l| event.sold_with(l)).transpose()?;
        Ok(Self {
            event,
            tickets_left: left,
            tickets_sold: sold,
        })
    }
}

/// `Room` (its lock and index fields stay inside).
#[derive(Debug, Serialize)]
pub struct RoomOut {
    pub id: String,
    pub name: String,
    pub capacity: i64,
}

impl From<Room> for RoomOut {
    fn from(r: Room) -> Self {
        Self {
            id: r.id,
            name: r.name,
            capacity: r.capacity,
        }
    }
}

/// `RoomBooking`.
#[derive(Debug, Serialize)]
pub struct BookingOut {
    pub event_id: String,
    pub datetime_start: String,
    pub datetime_end: String,
}

impl From<Booking> for BookingOut {
    fn from(b: Booking) -> Self {
        Self {
            event_id: b.event_id,
            datetime_start: b.datetime_start,
            datetime_end: b.datetime_end,
        }
    }
}

/// `TicketHolder`: one holder of an event's tickets.
#[derive(Debug, Serialize)]
pub struct HolderOut {
    pub user_id: String,
    pub booked_at: String,
}

impl From<Ticket> for HolderOut {
    fn from(t: Ticket) -> Self {
        Self {
            user_id: t.user_id,
            booked_at: t.booked_at,
        }
    }
}

/// `Ticket`; a cancelled ticket has no `booked_at`.
#[derive(Debug, Serialize)]
pub struct TicketOut {
    pub event_id: String,
    pub user_id: String,
    pub booked_at: Option<String>,
}

impl From<Ticket> for TicketOut {
    fn from(t: Ticket) -> Self {
        Self {
            event_id: t.event_id,
            user_id: t.user_id,
            booked_at: Some(t.booked_at),
        }
    }
}

/// `Activity`: the stored item as it is (its serde names are the schema's).
pub type ActivityOut = model::Activity;

/// `ActivityCategory`.
#[derive(Debug, Serialize)]
pub struct CategoryOut {
    pub category: String,
    #[serde(rename = "type")]
    pub types: Vec<String>,
}

impl From<Category> for CategoryOut {
    fn from(c: Category) -> Self {
        Self {
            category: c.category,
            types: c.types,
        }
    }
}

/// `User`: the stored profile and its derived `bmi`.
#[derive(Debug, Serialize)]
pub struct ProfileOut {
    pub bmi: Option<f64>,
    #[serde(flatten)]
    pub profile: Profile,
}

impl From<Profile> for ProfileOut {
    fn from(profile: Profile) -> Self {
        Self {
            bmi: profile.bmi(),
            profile,
        }
    }
}

/// `UserAggregate`: the stored item as it is.
pub type AggregateOut = Aggregate;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_event_carries_its_stored_fields_and_tickets_sold() {
        let mut event = crate::domain::sample::event();
        event.image_file_name = Some("x.png".into());
        let v = to_value(EventOut::new(event.clone(), Some(6)).unwrap()).unwrap();
        assert_eq!(v["tickets_sold"], 4);
        assert_eq!(v["tickets_left"], 6);
        assert_eq!(v["owner_id"], "org");
        assert!(v.get("description").is_none(), "absent, as stored");
        let unread = to_value(EventOut::new(event.clone(), None).unwrap()).unwrap();
        assert!(
            unread.get("tickets_left").is_none(),
            "not selected, not read"
        );
        let mut corrupt = event;
        corrupt.total_tickets = i64::MIN;
        assert_eq!(
            EventOut::new(corrupt, Some(1)).unwrap_err().error_type(),
            "Internal"
        );
    }

    #[test]
    fn counts_are_read_only_when_selected_or_when_the_selection_is_unknown() {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(Wants::from_selection(&[], "").counts);
        assert!(Wants::from_selection(&list(&["items", "items/tickets_left"]), "").counts);
        assert!(Wants::from_selection(&list(&["tickets_sold"]), "").counts);
        assert!(
            !Wants::from_selection(&list(&["items", "items/name"]), "{ items { name } }").counts
        );
        assert!(
            Wants::from_selection(&list(&["items/left"]), "{ items { left: tickets_left } }")
                .counts,
            "an alias is still seen"
        );
    }

    #[test]
    fn a_profile_without_measurements_has_a_null_bmi() {
        let v = to_value(ProfileOut::from(Profile::empty("u"))).unwrap();
        assert_eq!(v, json!({ "id": "u", "bmi": null }));
    }
}
