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

/// The reply value of a field.
pub fn to_value<T: Serialize>(out: T) -> AppResult<Value> {
    serde_json::to_value(out).map_err(|e| AppError::internal(format!("reply not serialised: {e}")))
}

/// `{items, nextToken}`, the connection shape of seed 000's and seed 001's clients.
#[derive(Debug, Serialize)]
pub struct Connection<T> {
    pub items: Vec<T>,
    #[serde(rename = "nextToken")]
    pub next_token: Option<String>,
}

/// `Event`: the stored fields (`owner_id` too, which the schema hides but nested resolvers
/// read from `source`) and `tickets_sold`.
#[derive(Debug, Serialize)]
pub struct EventOut {
    #[serde(flatten)]
    pub event: Event,
    pub tickets_sold: i64,
}

impl TryFrom<Event> for EventOut {
    type Error = AppError;

    fn try_from(event: Event) -> AppResult<Self> {
        Ok(Self {
            tickets_sold: event.tickets_sold()?,
            event,
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
        let v = to_value(EventOut::try_from(event.clone()).unwrap()).unwrap();
        assert_eq!(v["tickets_sold"], 4);
        assert_eq!(v["owner_id"], "org");
        assert!(v.get("description").is_none(), "absent, as stored");
        let mut corrupt = event;
        corrupt.total_tickets = i64::MIN;
        assert_eq!(
            EventOut::try_from(corrupt).unwrap_err().error_type(),
            "Internal"
        );
    }

    #[test]
    fn a_profile_without_measurements_has_a_null_bmi() {
        let v = to_value(ProfileOut::from(Profile::empty("u"))).unwrap();
        assert_eq!(v, json!({ "id": "u", "bmi": null }));
    }
}
