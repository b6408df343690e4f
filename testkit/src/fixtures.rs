//! The fixture events in `fixtures/`: one AppSync event per routed field (`appsync/`) and
//! DynamoDB stream batches as Lambda delivers them (`stream/`).

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The AppSync fixtures in an order in which each one succeeds against tables holding the
/// seed rooms, events and categories (`devtools::seed`): rooms before the
/// events that use them, a booking before the calls that read it, deletions last.
pub const APPSYNC_IN_ORDER: &[&str] = &[
    "query-listRooms.json",
    "query-getRoom.json",
    "query-listEvents.json",
    "query-getEvent.json",
    "mutation-createRoom.json",
    "mutation-updateRoom.json",
    "mutation-deleteRoom.json",
    "mutation-createEvent.json",
    "mutation-updateEvent.json",
    "mutation-updateEvent-seed-booking.json",
    "event-tickets.json",
    "ticket-event.json",
    "query-listTicketHolders.json",
    "mutation-bookTicket.json",
    "query-listMyEvents.json",
    "mutation-cancelTicket.json",
    "room-bookings.json",
    "mutation-deleteEvent.json",
    "query-listActivityCategories.json",
    "mutation-createActivity.json",
    "mutation-updateActivity.json",
    "query-getActivity.json",
    "query-listActivities.json",
    "mutation-deleteActivity.json",
    "mutation-updateUser.json",
    "query-getUser.json",
    "query-getUserAggregate.json",
    "query-listUserAggregates.json",
    "subscription-onCreateActivity.json",
    "subscription-onUpdateActivity.json",
    "subscription-onDeleteActivity.json",
    "batch-event-room.json",
];

/// `fixtures/<kind>` of the repository (`appsync`, `stream`, `seed`).
pub fn dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(kind)
}

/// The `.json` file names in `fixtures/<kind>`, sorted.
pub fn names(kind: &str) -> Vec<String> {
    let dir = dir(kind);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// A fixture's text, as `cargo lambda invoke --data-file` would send it.
pub fn text(kind: &str, name: &str) -> String {
    let path = dir(kind).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An AppSync fixture (one event, or a BatchInvoke array).
pub fn appsync(name: &str) -> Value {
    serde_json::from_str(&text("appsync", name))
        .unwrap_or_else(|e| panic!("fixtures/appsync/{name} is not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_names_every_appsync_fixture_once() {
        let mut ordered: Vec<String> = APPSYNC_IN_ORDER.iter().map(|n| n.to_string()).collect();
        ordered.sort();
        assert_eq!(ordered, names("appsync"));
    }
}
