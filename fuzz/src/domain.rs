//! `domain`: the domain checks of every create and update (event, room, activity, user
//! profile), fed the typed inputs `resolvers::prepare` makes of an AppSync event, as the
//! handlers feed them before any write.
//!
//! Properties: each check gives a ValidationError with a clean message, or a value the rest
//! of the system can hold: times in the stored fixed-width UTC form that read back to
//! themselves (and, for an activity of a known category, that the aggregator counts), an
//! event that ends after it starts and lasts at most `MAX_EVENT_MINUTES` with consistent
//! counts (`Event::sound`; a new total never below what is sold), trimmed text within its bounds, ids without `#`, a room capacity
//! in range, a ticket change within `MAX_TICKET_CHANGES`.

use std::collections::BTreeSet;

use model::time::{format_timestamp, parse_timestamp};
use resolvers::appsync::fields::Operation;
use resolvers::appsync::Call;
use resolvers::domain::event::{self as event, Event, MAX_EVENT_MINUTES};
use resolvers::domain::{
    activity, inventory, room, validate_id, MAX_DESCRIPTION_LEN, MAX_NAME_LEN,
};
use resolvers::Prepared;
use resolvers::{AppError, AppResult};
use serde_json::Value;

use crate::{assert_clean_message, text};

/// The capacity of the room a created event is checked against.
const ROOM_CAPACITY: i64 = 100;
/// Tickets sold of the current event an update is checked against (60 in all).
const SOLD: i64 = 5;

pub fn run(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    let Ok(payload) = serde_json::from_str::<Value>(raw) else {
        return;
    };
    let Ok(Prepared::One(item)) = resolvers::prepare(payload) else {
        return;
    };
    let Call {
        caller, args: op, ..
    } = *item;
    let user = caller.user_id().unwrap_or("fuzz-user");
    let name = caller.display_name().unwrap_or("Fuzz");
    match op {
        Operation::CreateEvent(i) => {
            let total = i.input.total_tickets;
            if let Some(e) = check(raw, event::new_event(i.input, "e1".into(), user, name)) {
                assert_event(&e);
                assert_eq!(
                    e.shards,
                    inventory::shards_for(e.total_tickets),
                    "a new event has the counters its tickets need"
                );
                assert_eq!((e.version, e.owner_id.as_str()), (0, user));
            }
            if let Some(t) = check(raw, event::validate_total_tickets(total, ROOM_CAPACITY)) {
                assert!((0..=ROOM_CAPACITY).contains(&t));
            }
        }
        Operation::UpdateEvent(i) => {
            let current = current_event();
            if let Some((next, changed)) = check(raw, event::apply_update(&current, SOLD, &i.input))
            {
                assert_event(&next);
                assert!(
                    next.total_tickets >= SOLD,
                    "an edit never goes below what is sold: {next:?}"
                );
                assert!(
                    next.shards >= current.shards,
                    "counters are never removed: {next:?}"
                );
                assert_eq!(changed.is_empty(), next == current, "{changed:?}");
                if !event::touches_room(&current, &next) {
                    assert_eq!(
                        (&next.room_id, next.total_tickets),
                        (&current.room_id, current.total_tickets)
                    );
                }
            }
            if let Some(tickets) = &i.input.tickets {
                let visible = BTreeSet::from([user.to_string()]);
                if let Some(diff) = check(raw, event::ticket_diff(&visible, tickets)) {
                    // What is added comes from the caller and is checked; what is removed
                    // was visible to it (read from the store or its own identity).
                    for id in &diff.add {
                        assert_id(id);
                    }
                    assert!(diff.remove.is_subset(&visible), "{diff:?}");
                    if let Some(diff) = check(raw, diff.bounded()) {
                        assert!(diff.add.len() + diff.remove.len() <= event::MAX_TICKET_CHANGES);
                    }
                }
            }
        }
        Operation::CreateRoom(i) => {
            if let Some(r) = check(raw, i.input.into_room(|| "r1".into())) {
                assert_id(&r.id);
                assert_text(&r.name, MAX_NAME_LEN, true);
                assert!((1..=room::MAX_CAPACITY).contains(&r.capacity));
            }
        }
        Operation::UpdateRoom(i) => {
            if let Some(name) = &i.input.name {
                if let Some(n) = check(raw, resolvers::domain::required_text("name", name, 200)) {
                    assert_text(&n, MAX_NAME_LEN, true);
                }
            }
            if let Some(c) = i.input.capacity {
                if let Some(c) = check(raw, room::validate_capacity(c)) {
                    assert!((1..=room::MAX_CAPACITY).contains(&c));
                }
            }
        }
        Operation::CreateActivity(i) => {
            let now = "2026-11-21T08:30:00.000Z";
            if let Some(a) = check(raw, activity::new_activity(i.input, user, "a1".into(), now)) {
                assert_activity(&a);
            }
        }
        Operation::UpdateActivity(i) => {
            let current = model::Activity {
                userid: user.into(),
                id: "a1".into(),
                category: "Food".into(),
                activity_type: "Lunch".into(),
                calories: 500,
                creation_date_time: "2026-11-21T08:30:00.000Z".into(),
            };
            if let Some(a) = check(raw, activity::apply_update(&current, &i.input)) {
                assert_activity(&a);
                assert_eq!((&a.userid, &a.id), (&current.userid, &current.id));
            }
        }
        Operation::UpdateUser(i) => {
            if let Some(p) = check(raw, i.input.validated()) {
                if let Some(u) = &p.username {
                    assert_text(u, MAX_NAME_LEN, true);
                }
                for v in [p.height, p.weight].into_iter().flatten() {
                    assert!(v.is_finite() && v > 0.0, "{v}");
                }
            }
        }
        _ => {}
    }
}

/// The value of a check that passed, or `None` after checking the refusal is clean.
fn check<T>(input: &str, result: AppResult<T>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            assert!(matches!(e, AppError::Validation(_)), "refused as {e:?}");
            assert_clean_message("ValidationError", &e.to_string(), input);
            None
        }
    }
}

fn current_event() -> Event {
    Event {
        id: "e1".into(),
        name: "Rust on AWS Lambda".into(),
        description: None,
        event_owner: "alice".into(),
        owner_id: "user-alice".into(),
        room_id: "1".into(),
        image_file_name: None,
        event_datetime_start: "2030-01-15T10:00:00.000Z".into(),
        event_datetime_end: "2030-01-15T12:00:00.000Z".into(),
        event_duration: 120,
        total_tickets: 60,
        shards: 1,
        version: 3,
    }
}

/// A time in the stored form: fixed width, and what it reads back to prints as itself.
fn assert_stored_time(field: &str, t: &str) {
    assert_eq!(t.len(), 24, "{field} {t:?} is not fixed-width");
    let read =
        parse_timestamp(t).unwrap_or_else(|e| panic!("{field} {t:?} does not read back: {e}"));
    assert_eq!(format_timestamp(read), t, "{field} round trip");
}

fn assert_text(value: &str, max: usize, required: bool) {
    assert_eq!(value, value.trim(), "text is trimmed");
    assert!(!required || !value.is_empty(), "required text is not empty");
    assert!(
        value.chars().count() <= max,
        "{} > {max}",
        value.chars().count()
    );
}

fn assert_id(id: &str) {
    assert!(!id.contains('#'), "{id:?}");
    assert_eq!(
        validate_id("id", id).ok().as_deref(),
        Some(id),
        "ids are stable"
    );
}

fn assert_event(e: &Event) {
    assert_stored_time("event_datetime_start", &e.event_datetime_start);
    assert_stored_time("event_datetime_end", &e.event_datetime_end);
    let (start, end) = e.times().expect("stored times read");
    assert!(start < end, "ends after it starts: {e:?}");
    let minutes = (end - start).num_minutes();
    assert_eq!(e.event_duration, minutes, "{e:?}");
    assert!(minutes <= MAX_EVENT_MINUTES, "{minutes}");
    assert!(e.clone().sound().is_ok(), "consistent counts: {e:?}");
    assert!(e.total_tickets >= 0);
    assert_id(&e.room_id);
    assert_text(&e.name, MAX_NAME_LEN, true);
    if let Some(d) = &e.description {
        assert_text(d, MAX_DESCRIPTION_LEN, true);
    }
}

fn assert_activity(a: &model::Activity) {
    assert_stored_time("creationDateTime", &a.creation_date_time);
    assert!((0..=model::activity::MAX_CALORIES).contains(&a.calories));
    assert_id(&a.id);
    if model::CalorieKind::of_category(&a.category).is_some() {
        // What the resolvers store, the aggregator counts.
        let c = a
            .contribution()
            .unwrap_or_else(|e| panic!("the aggregator would not count {a:?}: {e}"));
        assert_eq!(c.calories, a.calories);
    }
}
