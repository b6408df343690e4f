//! Samples shared by the unit tests of `domain` and `output`.

use std::collections::BTreeSet;

use super::event::{Event, TicketDiff, EVENT_KIND};
use super::room::{Room, ROOM_KIND};

/// A two-hour event in room "1" with 4 of its 10 tickets sold.
pub fn event() -> Event {
    Event {
        id: "e".into(),
        kind: EVENT_KIND.into(),
        name: "Gig".into(),
        description: None,
        event_owner: "Org".into(),
        owner_id: "org".into(),
        room_id: "1".into(),
        image_file_name: None,
        event_datetime_start: "2026-11-21T17:00:00.000Z".into(),
        event_datetime_end: "2026-11-21T19:00:00.000Z".into(),
        event_duration: 120,
        total_tickets: 10,
        tickets_left: 6,
        version: 0,
    }
}

/// A room of 100 at version 7.
pub fn room(id: &str) -> Room {
    Room {
        id: id.into(),
        kind: ROOM_KIND.into(),
        name: format!("Room {id}"),
        capacity: 100,
        version: 7,
    }
}

pub fn ids(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

pub fn diff(add: &[&str], remove: &[&str]) -> TicketDiff {
    TicketDiff {
        add: ids(add),
        remove: ids(remove),
    }
}
