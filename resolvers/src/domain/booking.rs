//! A room booking: one item per event, keyed by room and start time, so overlap checks read a
//! bounded window of one partition.

use serde::{Deserialize, Serialize};

use super::event::Event;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub room_id: String,
    /// `{start}#{event_id}`: start-time order, unique per event.
    pub slot: String,
    pub event_id: String,
    pub datetime_start: String,
    pub datetime_end: String,
    /// Kept here so a capacity change can check the room's events without reading them.
    pub total_tickets: i64,
}

impl Booking {
    pub fn of(event: &Event) -> Self {
        Self {
            room_id: event.room_id.clone(),
            slot: format!("{}#{}", event.event_datetime_start, event.id),
            event_id: event.id.clone(),
            datetime_start: event.event_datetime_start.clone(),
            datetime_end: event.event_datetime_end.clone(),
            total_tickets: event.total_tickets,
        }
    }

    /// Whether `other` is the same item (room and slot): a move that keeps both replaces it.
    pub fn same_slot(&self, other: &Self) -> bool {
        self.room_id == other.room_id && self.slot == other.slot
    }
}
