//! Events: the stored shape, validation of create and update, and what an `updateEvent`
//! means for tickets.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    inventory, optional_text, required_text, time, validate_id, MAX_DESCRIPTION_LEN,
    MAX_FILE_NAME_LEN, MAX_NAME_LEN,
};
use crate::error::{AppError, AppResult};

/// Longest event. Bounds the window scanned for overlapping room bookings and for events
/// still running when listing upcoming ones.
pub const MAX_EVENT_MINUTES: i64 = 7 * 24 * 60;
/// Ticket changes one updateEvent may make: a transaction holds at most 100 items, and the
/// rest of an edit (the event, its counters, its room, its slot and its listing entries) may
/// take up to 40.
pub const MAX_TICKET_CHANGES: usize = 60;

/// An event as stored. Tickets are separate items (an event may hold 20,000 of them, far
/// beyond one 400 KB item), and the unsold ones are counted on the event's inventory
/// counters (`domain::inventory`), never on this item: a booking does not write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The organiser's display name, as the events app shows it. The organiser's user id
    /// is `owner_id`, which the schema never exposes.
    pub event_owner: String,
    pub owner_id: String,
    pub room_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_file_name: Option<String>,
    pub event_datetime_start: String,
    pub event_datetime_end: String,
    /// Minutes.
    pub event_duration: i64,
    pub total_tickets: i64,
    /// How many inventory counters the event has (`inventory::shards_for`); an edit may add
    /// counters, never remove one.
    #[serde(default = "one")]
    pub shards: i64,
    /// Optimistic lock for edits by the organiser or an admin.
    pub version: i64,
}

fn one() -> i64 {
    1
}

impl Event {
    /// Stored counts are read with checked arithmetic: the resolvers never store counts that
    /// overflow, so one that does is corrupt data, an Internal error (logged), never a panic
    /// or a wrapped number. Checked before an event is changed, so corrupt data stops a
    /// write instead of being built on.
    pub fn sound(self) -> AppResult<Self> {
        if self.total_tickets < 0 || !(1..=inventory::MAX_SHARDS).contains(&self.shards) {
            return Err(self.corrupt("total_tickets or shards out of range"));
        }
        Ok(self)
    }

    /// Tickets sold, given the tickets left on its counters.
    pub fn sold_with(&self, left: i64) -> AppResult<i64> {
        inventory::sold(&self.id, self.total_tickets, left)
    }

    /// The version after one more edit.
    pub fn next_version(&self) -> AppResult<i64> {
        self.version
            .checked_add(1)
            .ok_or_else(|| self.corrupt("version overflows"))
    }

    /// When the event starts and ends, read back from its stored form.
    pub fn times(&self) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
        Ok((
            time::stored("event_datetime_start", &self.event_datetime_start)?,
            time::stored("event_datetime_end", &self.event_datetime_end)?,
        ))
    }

    fn corrupt(&self, what: &str) -> AppError {
        AppError::internal(format!(
            "event {:?} holds corrupt counts ({what}): total_tickets {}, shards {}, version {}",
            self.id, self.total_tickets, self.shards, self.version
        ))
    }
}

/// The error for a booking that found no ticket left.
pub fn sold_out(event_id: &str) -> AppError {
    AppError::SoldOut(format!(
        "event {event_id:?} is sold out: every ticket is taken"
    ))
}

/// Which events a list shows.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum When {
    /// Not yet ended, soonest first.
    Upcoming,
    /// Ended, most recent first.
    Past,
    /// Everything by start time: what the events app lists and splits itself.
    #[default]
    All,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreateEventInput {
    pub id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub event_owner: Option<String>,
    pub room_id: String,
    pub image_file_name: Option<String>,
    pub event_datetime_start: String,
    pub event_datetime_end: String,
    pub event_duration: Option<i64>,
    pub total_tickets: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UpdateEventInput {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub event_owner: Option<String>,
    pub room_id: Option<String>,
    pub image_file_name: Option<String>,
    pub event_datetime_start: Option<String>,
    pub event_datetime_end: Option<String>,
    pub event_duration: Option<i64>,
    pub total_tickets: Option<i64>,
    /// The events app's booking call sends the whole list it saw plus its own id.
    pub tickets: Option<Vec<String>>,
}

/// Where and when an event takes place, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub room_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub duration_minutes: i64,
}

/// Where and when, from a create's arguments.
pub fn schedule(
    room_id: &str,
    start: &str,
    end: &str,
    duration: Option<i64>,
) -> AppResult<Schedule> {
    let start = time::parse("event_datetime_start", start)?;
    let end = time::parse("event_datetime_end", end)?;
    schedule_of(room_id, start, end, duration)
}

fn schedule_of(
    room_id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    duration: Option<i64>,
) -> AppResult<Schedule> {
    let room_id = validate_id("room_id", room_id)?;
    if end <= start {
        return Err(AppError::validation(
            "event_datetime_end must be after event_datetime_start",
        ));
    }
    let length = end - start;
    let minutes = length.num_minutes();
    if minutes > MAX_EVENT_MINUTES {
        return Err(AppError::validation(format!(
            "an event lasts at most {MAX_EVENT_MINUTES} minutes (7 days); this one lasts {minutes}"
        )));
    }
    let whole = length.num_seconds() % 60 == 0;
    match duration {
        Some(d) if !whole || d != minutes => Err(AppError::validation(format!(
            "event_duration is {d} minutes but the times are {} minutes apart; send the difference \
             in whole minutes or leave event_duration out",
            length.num_seconds() as f64 / 60.0
        ))),
        _ => Ok(Schedule {
            room_id,
            start,
            end,
            duration_minutes: minutes,
        }),
    }
}

pub fn validate_total_tickets(total: i64, capacity: i64) -> AppResult<i64> {
    if total < 0 || total > capacity {
        return Err(AppError::validation(format!(
            "total_tickets {total} is out of range; use 0 to the room's capacity ({capacity})"
        )));
    }
    Ok(total)
}

/// The new event a create builds, before the room checks (capacity, overlap).
pub fn new_event(
    input: CreateEventInput,
    id: String,
    owner_id: &str,
    owner_name: &str,
) -> AppResult<Event> {
    let s = schedule(
        &input.room_id,
        &input.event_datetime_start,
        &input.event_datetime_end,
        input.event_duration,
    )?;
    if input.total_tickets < 0 {
        return Err(AppError::validation("total_tickets must be at least 0"));
    }
    let event = Event {
        id,
        name: required_text("name", &input.name, MAX_NAME_LEN)?,
        description: optional_text(
            "description",
            input.description.as_deref(),
            MAX_DESCRIPTION_LEN,
        )?,
        event_owner: optional_text("event_owner", input.event_owner.as_deref(), MAX_NAME_LEN)?
            .unwrap_or_else(|| owner_name.to_string()),
        owner_id: owner_id.to_string(),
        room_id: s.room_id,
        image_file_name: optional_text(
            "image_file_name",
            input.image_file_name.as_deref(),
            MAX_FILE_NAME_LEN,
        )?,
        event_datetime_start: time::format(s.start),
        event_datetime_end: time::format(s.end),
        event_duration: s.duration_minutes,
        total_tickets: input.total_tickets,
        shards: inventory::shards_for(input.total_tickets),
        version: 0,
    };
    Ok(event)
}

/// The event after an update's field changes, and the names of the fields that changed.
/// A field sent with its current value is not a change (clients often echo whole objects).
/// `sold`: the tickets sold when the counters were read (a new total may not go below it;
/// the counters' conditions hold that against bookings since).
pub fn apply_update(
    current: &Event,
    sold: i64,
    input: &UpdateEventInput,
) -> AppResult<(Event, Vec<&'static str>)> {
    let mut next = current.clone();
    let mut changed = Vec::new();
    if let Some(name) = &input.name {
        next.name = required_text("name", name, MAX_NAME_LEN)?;
    }
    if input.description.is_some() {
        next.description = optional_text(
            "description",
            input.description.as_deref(),
            MAX_DESCRIPTION_LEN,
        )?;
    }
    if let Some(owner) = &input.event_owner {
        next.event_owner = required_text("event_owner", owner, MAX_NAME_LEN)?;
    }
    if input.image_file_name.is_some() {
        next.image_file_name = optional_text(
            "image_file_name",
            input.image_file_name.as_deref(),
            MAX_FILE_NAME_LEN,
        )?;
    }
    let times_given = input.room_id.is_some()
        || input.event_datetime_start.is_some()
        || input.event_datetime_end.is_some()
        || input.event_duration.is_some();
    if times_given {
        // A time left out is the stored one, which only the resolvers wrote.
        let time_of = |field: &str, given: &Option<String>, stored: &str| match given {
            Some(t) => time::parse(field, t),
            None => time::stored(field, stored),
        };
        let s = schedule_of(
            input.room_id.as_deref().unwrap_or(&current.room_id),
            time_of(
                "event_datetime_start",
                &input.event_datetime_start,
                &current.event_datetime_start,
            )?,
            time_of(
                "event_datetime_end",
                &input.event_datetime_end,
                &current.event_datetime_end,
            )?,
            // A duration left out is recomputed from the times.
            input.event_duration,
        )?;
        next.room_id = s.room_id;
        next.event_datetime_start = time::format(s.start);
        next.event_datetime_end = time::format(s.end);
        next.event_duration = s.duration_minutes;
    }
    if let Some(total) = input.total_tickets {
        if total < sold {
            return Err(below_sold(total, sold));
        }
        next.total_tickets = total;
        next.shards = current.shards.max(inventory::shards_for(total));
    }
    let fields: [(&'static str, bool); 9] = [
        ("name", next.name != current.name),
        ("description", next.description != current.description),
        ("event_owner", next.event_owner != current.event_owner),
        (
            "image_file_name",
            next.image_file_name != current.image_file_name,
        ),
        ("room_id", next.room_id != current.room_id),
        (
            "event_datetime_start",
            next.event_datetime_start != current.event_datetime_start,
        ),
        (
            "event_datetime_end",
            next.event_datetime_end != current.event_datetime_end,
        ),
        (
            "event_duration",
            next.event_duration != current.event_duration,
        ),
        ("total_tickets", next.total_tickets != current.total_tickets),
    ];
    changed.extend(fields.iter().filter(|(_, c)| *c).map(|(f, _)| *f));
    Ok((next, changed))
}

/// A new total below what is sold.
pub fn below_sold(total: i64, sold: i64) -> AppError {
    AppError::validation(format!(
        "total_tickets {total} is below the {sold} tickets already sold"
    ))
}

/// Whether the change moves the event's end (its counters carry a copy).
pub fn moves_end(current: &Event, next: &Event) -> bool {
    next.event_datetime_end != current.event_datetime_end
}

/// Whether the change needs the room's lock: a new room or time, or more tickets.
pub fn touches_room(current: &Event, next: &Event) -> bool {
    next.room_id != current.room_id
        || next.event_datetime_start != current.event_datetime_start
        || next.event_datetime_end != current.event_datetime_end
        || next.total_tickets != current.total_tickets
}

/// Tickets to add and remove, from the list the caller sent against the list it could see.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TicketDiff {
    pub add: BTreeSet<String>,
    pub remove: BTreeSet<String>,
}

impl TicketDiff {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }

    /// Tickets taken from the pool (negative: returned).
    pub fn taken(&self) -> i64 {
        self.add.len() as i64 - self.remove.len() as i64
    }

    /// Whose tickets the change touches.
    pub fn holders(&self) -> impl Iterator<Item = &String> {
        self.add.iter().chain(&self.remove)
    }

    /// One update holds at most MAX_TICKET_CHANGES ticket changes (a transaction holds 100
    /// items); checked after who may make them.
    pub fn bounded(self) -> AppResult<Self> {
        if self.add.len() + self.remove.len() > MAX_TICKET_CHANGES {
            return Err(AppError::validation(format!(
                "one update may add or remove at most {MAX_TICKET_CHANGES} tickets"
            )));
        }
        Ok(self)
    }
}

/// `visible` is what the caller was shown: every holder for the organiser or an admin, only
/// the caller's own ticket for anyone else. Ids absent from `visible` and from `requested`
/// are untouched, so a client that echoes what it saw never removes what it could not see.
/// Whether the caller may make the change is `authz::may_change_tickets`; then
/// [`TicketDiff::bounded`].
pub fn ticket_diff(visible: &BTreeSet<String>, requested: &[String]) -> AppResult<TicketDiff> {
    let mut wanted = BTreeSet::new();
    for id in requested {
        wanted.insert(validate_id("tickets[]", id)?);
    }
    Ok(TicketDiff {
        add: wanted.difference(visible).cloned().collect(),
        remove: visible.difference(&wanted).cloned().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sample::{event, ids as set, SOLD};

    fn strings(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn schedule_checks_order_length_and_duration() {
        let ok = schedule(
            "1",
            "2026-11-21T17:00:00Z",
            "2026-11-21T19:00:00Z",
            Some(120),
        )
        .unwrap();
        assert_eq!(ok.duration_minutes, 120);
        assert!(schedule("1", "2026-11-21T17:00:00Z", "2026-11-21T19:00:00Z", None).is_ok());
        for (s, e, d) in [
            ("2026-11-21T19:00:00Z", "2026-11-21T17:00:00Z", None),
            ("2026-11-21T17:00:00Z", "2026-11-21T17:00:00Z", None),
            ("2026-11-21T17:00:00Z", "2026-11-21T19:00:00Z", Some(2)),
            ("2026-11-21T17:00:00Z", "2026-12-21T19:00:00Z", None),
        ] {
            assert_eq!(
                schedule("1", s, e, d).unwrap_err().error_type(),
                "ValidationError",
                "{s} {e} {d:?}"
            );
        }
    }

    #[test]
    fn a_user_books_or_cancels_only_their_own_ticket() {
        let diff = ticket_diff(&set(&[]), &strings(&["me"])).unwrap();
        assert_eq!(diff.add, set(&["me"]));
        let diff = ticket_diff(&set(&["me"]), &strings(&[])).unwrap();
        assert_eq!(diff.remove, set(&["me"]));
        assert!(ticket_diff(&set(&["me"]), &strings(&["me", "me"]))
            .unwrap()
            .is_empty());
        // Who may make a diff is authz's rule, tested there.
        let diff = ticket_diff(&set(&[]), &strings(&["me", "you"])).unwrap();
        assert_eq!(diff.taken(), 2);
    }

    #[test]
    fn an_organiser_may_change_anyones_ticket() {
        let diff = ticket_diff(&set(&["a", "b"]), &strings(&["b", "c"])).unwrap();
        assert_eq!(diff.add, set(&["c"]));
        assert_eq!(diff.remove, set(&["a"]));
        assert_eq!(diff.taken(), 0);
    }

    #[test]
    fn too_many_ticket_changes_are_refused() {
        let many: Vec<String> = (0..=MAX_TICKET_CHANGES).map(|i| format!("u{i}")).collect();
        let err = ticket_diff(&set(&[]), &many)
            .unwrap()
            .bounded()
            .unwrap_err();
        assert_eq!(err.error_type(), "ValidationError");
    }

    #[test]
    fn echoed_fields_are_not_changes() {
        let input = UpdateEventInput {
            id: "e".into(),
            name: Some("Gig".into()),
            event_datetime_start: Some("2026-11-21T18:00:00+01:00".into()),
            ..Default::default()
        };
        let (_, changed) = apply_update(&event(), SOLD, &input).unwrap();
        assert!(changed.is_empty(), "{changed:?}");
    }

    #[test]
    fn update_moves_times_and_refuses_tickets_below_sold() {
        let input = UpdateEventInput {
            id: "e".into(),
            event_datetime_end: Some("2026-11-21T20:00:00Z".into()),
            ..Default::default()
        };
        let (next, changed) = apply_update(&event(), SOLD, &input).unwrap();
        assert_eq!(next.event_duration, 180);
        assert_eq!(changed, vec!["event_datetime_end", "event_duration"]);
        let input = UpdateEventInput {
            id: "e".into(),
            total_tickets: Some(3),
            ..Default::default()
        };
        assert_eq!(
            apply_update(&event(), SOLD, &input)
                .unwrap_err()
                .error_type(),
            "ValidationError"
        );
    }

    /// Counts the resolvers never write are Internal errors, not a panic (debug) or a
    /// wrapped number (release).
    #[test]
    fn corrupt_stored_counts_are_internal_errors_not_overflows() {
        let mut e = event();
        e.total_tickets = i64::MIN;
        assert_eq!(e.sold_with(1).unwrap_err().error_type(), "Internal");
        // An update reads the event through `sound` before `apply_update` sees it.
        assert_eq!(e.clone().sound().unwrap_err().error_type(), "Internal");
        let mut counters = inventory::counters_for("e", 10, "end", "org");
        counters[0].left = i64::MIN;
        assert_eq!(
            inventory::total_left("e", &counters)
                .unwrap_err()
                .error_type(),
            "Internal"
        );
        let mut e = event();
        e.version = i64::MAX;
        assert_eq!(e.next_version().unwrap_err().error_type(), "Internal");
        assert_eq!(event().sold_with(6).unwrap(), SOLD);
        assert!(event().sound().is_ok());
        assert_eq!(event().sold_with(11).unwrap_err().error_type(), "Internal");
        let mut e = event();
        e.shards = 0;
        assert_eq!(e.sound().unwrap_err().error_type(), "Internal");
    }

    #[test]
    fn a_corrupt_stored_time_is_internal_when_an_update_needs_it() {
        let mut e = event();
        e.event_datetime_end = "+10000-01-01T00:00:00.000Z".into();
        let input = UpdateEventInput {
            id: "e".into(),
            event_datetime_start: Some("2026-11-21T16:00:00Z".into()),
            ..Default::default()
        };
        assert_eq!(
            apply_update(&e, SOLD, &input).unwrap_err().error_type(),
            "Internal"
        );
    }

    #[test]
    fn out_of_range_event_times_are_validation_errors() {
        let err = schedule(
            "1",
            "9999-12-31T22:00:00Z",
            "9999-12-31T23:59:59-23:59",
            None,
        )
        .unwrap_err();
        assert_eq!(err.error_type(), "ValidationError");
        assert!(
            err.to_string().contains("9999-12-31T23:59:59.999Z"),
            "{err}"
        );
    }
}
