//! A ticket: one item per (holder, event), keyed by the holder, so "one ticket per person per
//! event" is a key, the tickets of a popular event land on as many partitions as it has
//! buyers, and a user's own tickets are one partition.

use serde::{Deserialize, Serialize};

use super::inventory::counter_key;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub user_id: String,
    pub event_id: String,
    pub booked_at: String,
    /// `{event_id}#{shard}`: the partition of the `byEvent` index that lists the event's
    /// holders, spread as its counters are (the shard the ticket was taken from).
    pub holders: String,
}

/// Which call books or cancels the caller's own ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnTicketCall {
    /// `bookTicket` / `cancelTicket`: the organiser's own ticket like anyone's.
    TicketMutation,
    /// The events app's list-echo booking: `updateEvent` with `tickets` naming only the
    /// caller (to book) or nobody (to cancel). From the organiser the same call edits the
    /// holder list, so it books or cancels only for someone who does not organise the event.
    ListEcho,
}

impl Ticket {
    pub fn new(event_id: &str, user_id: &str, booked_at: &str, shard: i64) -> Self {
        Self {
            user_id: user_id.to_string(),
            event_id: event_id.to_string(),
            booked_at: booked_at.to_string(),
            holders: counter_key(event_id, shard),
        }
    }
}
