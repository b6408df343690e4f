//! Changes as data. Every transaction a handler runs is planned here by a pure function: a
//! list of [`Write`]s, each guarded by a named [`Check`]. The store turns a plan into one
//! `TransactWriteItems` and answers with an [`Outcome`] that names the writes whose checks
//! failed, so a handler asks "did `NoTicketYet` fail?", never "did item 0 fail?", and the
//! order of writes is free to change.
//!
//! A write names its item by domain values (event id, user id, room version), not by
//! DynamoDB keys or expressions: those are the store's (`store::write`). A plan may hold
//! several writes with the same check (a counter spread over several items would be several
//! `TakeTickets`); the outcome hands back the failed writes themselves, so a handler can tell
//! them apart by their data.

use super::booking::Booking;
use super::event::{moves_end, touches_room, Event, TicketDiff};
use super::inventory::{counters_for, spread, Counter};
use super::listing::{Listed, REPLICAS};
use super::room::Room;
use super::ticket::{OwnTicketCall, Ticket};
use crate::error::AppResult;

/// What a write requires of the item it changes; the transaction commits only if every
/// write's check holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// No event has this id yet.
    EventIsNew,
    /// The event is as it was read (same `version`).
    EventAsRead,
    /// No counter has this key yet.
    CounterIsNew,
    /// The counter exists and holds the tickets the write takes; when booking, the event
    /// has not ended, and (the list-echo booking) the one booking does not organise it.
    TicketsLeft,
    /// The user holds no ticket for the event yet (one per person).
    NoTicketYet,
    /// The user holds a ticket for the event.
    TicketHeld,
    /// No booking holds this room slot yet.
    SlotFree,
    /// The booking being rewritten is still there.
    SlotHeld,
    /// The room is as it was read (same `version`: nobody booked or changed it since), and
    /// holds the tickets of the event that locks it.
    RoomAsRead,
}

/// A change of one inventory counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Take {
    pub event_id: String,
    pub shard: i64,
    /// Tickets taken (negative: returned); only if that many are there.
    pub count: i64,
    /// Only if the event has not ended by then (a booking).
    pub open_at: Option<String>,
    /// Only if this user does not organise the event (`OwnTicketCall::ListEcho`).
    pub unless_organiser: Option<String>,
    /// The event's new end, copied onto the counter.
    pub ends_at: Option<String>,
    /// On counter 0: the event's new number of counters.
    pub shards: Option<i64>,
}

/// One write of a plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// A new event.
    PutEvent(Event),
    /// An organiser's edit: `next`'s fields.
    EditEvent {
        version: i64,
        next: Event,
    },
    DeleteEvent {
        id: String,
        version: i64,
    },
    /// A new inventory counter.
    PutCounter(Counter),
    /// Moves a counter (`Check::TicketsLeft`).
    TakeTickets(Take),
    /// Unconditional: the event's own lock (its version) guards it.
    DeleteCounter {
        event_id: String,
        shard: i64,
    },
    PutTicket(Ticket),
    DeleteTicket {
        event_id: String,
        user_id: String,
    },
    PutBooking(Booking),
    /// The same slot with new details (end time, tickets).
    ReplaceBooking(Booking),
    /// Unconditional: the event's own lock (its version) guards it.
    DeleteBooking(Booking),
    /// Takes the room's lock: bumps its version.
    LockRoom {
        room_id: String,
        version: i64,
        tickets: i64,
    },
    /// Name and capacity, under the room's lock.
    EditRoom {
        version: i64,
        next: Room,
    },
    DeleteRoom {
        id: String,
        version: i64,
    },
    /// One replica of the event's listing entry. Unconditional, like the two below: they
    /// follow the event's own guarded writes in the same transaction.
    PutListing {
        event: Event,
        replica: i64,
    },
    DeleteListing {
        listed: Listed,
        replica: i64,
    },
    /// The event's month in one replica of the listing's directory (idempotent).
    PutDirectory {
        bucket: String,
        replica: i64,
    },
}

impl Write {
    /// The named check guarding this write, if any.
    pub fn check(&self) -> Option<Check> {
        Some(match self {
            Self::PutEvent(_) => Check::EventIsNew,
            Self::EditEvent { .. } | Self::DeleteEvent { .. } => Check::EventAsRead,
            Self::PutCounter(_) => Check::CounterIsNew,
            Self::TakeTickets(_) => Check::TicketsLeft,
            Self::PutTicket(_) => Check::NoTicketYet,
            Self::DeleteTicket { .. } => Check::TicketHeld,
            Self::PutBooking(_) => Check::SlotFree,
            Self::ReplaceBooking(_) => Check::SlotHeld,
            Self::LockRoom { .. } | Self::EditRoom { .. } | Self::DeleteRoom { .. } => {
                Check::RoomAsRead
            }
            Self::DeleteBooking(_)
            | Self::DeleteCounter { .. }
            | Self::PutListing { .. }
            | Self::DeleteListing { .. }
            | Self::PutDirectory { .. } => return None,
        })
    }
}

/// Writes that commit together or not at all (one transaction: at most 100).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    writes: Vec<Write>,
}

impl Plan {
    pub fn writes(&self) -> &[Write] {
        &self.writes
    }

    pub fn into_writes(self) -> Vec<Write> {
        self.writes
    }

    /// The checks of the plan's writes, in order (for tests and logs).
    pub fn checks(&self) -> Vec<Check> {
        self.writes.iter().filter_map(Write::check).collect()
    }
}

impl FromIterator<Write> for Plan {
    fn from_iter<I: IntoIterator<Item = Write>>(iter: I) -> Self {
        Self {
            writes: iter.into_iter().collect(),
        }
    }
}

/// How a plan ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Committed,
    /// Nothing was written: these writes' checks failed.
    Refused(Vec<Write>),
}

impl Outcome {
    /// Whether a write guarded by `check` is among those that failed.
    pub fn refused(&self, check: Check) -> bool {
        matches!(self, Self::Refused(failed) if failed.iter().any(|w| w.check() == Some(check)))
    }
}

/// The event's listing entries and its month in the directory, in every replica.
pub fn list(event: &Event) -> impl Iterator<Item = Write> + '_ {
    let bucket = Listed::of(event).bucket;
    (0..REPLICAS).flat_map(move |replica| {
        [
            Write::PutListing {
                event: event.clone(),
                replica,
            },
            Write::PutDirectory {
                bucket: bucket.clone(),
                replica,
            },
        ]
    })
}

fn unlist(event: &Event) -> impl Iterator<Item = Write> {
    let listed = Listed::of(event);
    (0..REPLICAS).map(move |replica| Write::DeleteListing {
        listed: listed.clone(),
        replica,
    })
}

/// A new event, its booking of the room's slot, the room's lock (capacity, no overlap), its
/// inventory counters, and its listing.
pub fn create_event(event: &Event, room: &Room) -> Plan {
    let counters = counters_for(
        &event.id,
        event.total_tickets,
        &event.event_datetime_end,
        &event.owner_id,
    );
    [
        Write::PutEvent(event.clone()),
        Write::PutBooking(Booking::of(event)),
        lock(room, event.total_tickets),
    ]
    .into_iter()
    .chain(counters.into_iter().map(Write::PutCounter))
    .chain(list(event))
    .collect()
}

fn take(event_id: &str, shard: i64, count: i64) -> Take {
    Take {
        event_id: event_id.to_string(),
        shard,
        count,
        open_at: None,
        unless_organiser: None,
        ends_at: None,
        shards: None,
    }
}

/// One person's ticket from counter `ticket`'s shard: created only if they hold none, taken
/// only if the counter has one and the event has not ended when booked; for a list echo,
/// only if they do not organise the event.
pub fn book(ticket: &Ticket, shard: i64, call: OwnTicketCall) -> Plan {
    let mut t = take(&ticket.event_id, shard, 1);
    t.open_at = Some(ticket.booked_at.clone());
    t.unless_organiser = unless_organiser(call, &ticket.user_id);
    [Write::PutTicket(ticket.clone()), Write::TakeTickets(t)]
        .into_iter()
        .collect()
}

fn unless_organiser(call: OwnTicketCall, user_id: &str) -> Option<String> {
    (call == OwnTicketCall::ListEcho).then(|| user_id.to_string())
}

/// One person's ticket back to counter `shard`; for a list echo, only if they do not
/// organise the event.
pub fn cancel(event_id: &str, user_id: &str, shard: i64, call: OwnTicketCall) -> Plan {
    let mut t = take(event_id, shard, -1);
    t.unless_organiser = unless_organiser(call, user_id);
    [
        Write::DeleteTicket {
            event_id: event_id.to_string(),
            user_id: user_id.to_string(),
        },
        Write::TakeTickets(t),
    ]
    .into_iter()
    .collect()
}

/// The event as read, its slot, its counters and its listing. Its tickets are removed after
/// the commit (best effort: they are unreachable once the event is gone).
pub fn delete_event(event: &Event) -> Plan {
    [
        Write::DeleteEvent {
            id: event.id.clone(),
            version: event.version,
        },
        Write::DeleteBooking(Booking::of(event)),
    ]
    .into_iter()
    .chain((0..event.shards).map(|shard| Write::DeleteCounter {
        event_id: event.id.clone(),
        shard,
    }))
    .chain(unlist(event))
    .collect()
}

/// An organiser's (or admin's) `updateEvent`: the changed fields (if `fields_changed`) under
/// the event's version; the ticket changes; the counters (`left`: each counter's count as
/// read, by shard) moved by the new total minus the tickets taken, grown to `next.shards`,
/// and given the new end when it moves; and, when the room, time or ticket count moves
/// (`touches_room`), the room's lock (from `room`, read and checked for clashes) and the
/// slot's move. `now` stamps added tickets. `Ok(None)`: the counters as read hold too few
/// tickets for the change.
pub fn edit_event(
    current: &Event,
    next: &Event,
    fields_changed: bool,
    diff: &TicketDiff,
    left: &[i64],
    room: Option<&Room>,
    now: &str,
) -> AppResult<Option<Plan>> {
    let total_delta = next
        .total_tickets
        .checked_sub(current.total_tickets)
        .and_then(|d| d.checked_sub(diff.taken()))
        .ok_or_else(|| {
            crate::error::AppError::internal(format!(
                "event {:?}: total_tickets {} cannot move to {}",
                current.id, current.total_tickets, next.total_tickets
            ))
        })?;
    let Some(adjusts) = spread(left, next.shards, total_delta) else {
        return Ok(None);
    };
    let mut writes = Vec::new();
    if fields_changed {
        writes.push(Write::EditEvent {
            version: current.version,
            next: next.clone(),
        });
        // The listing shows the fields: rewritten in place, or moved with the start.
        let mut listed = next.clone();
        listed.version = current.next_version()?;
        if Listed::of(current) != Listed::of(next) {
            writes.extend(unlist(current));
        }
        writes.extend(list(&listed));
    }
    let new_end = moves_end(current, next).then(|| next.event_datetime_end.clone());
    let grows = next.shards > current.shards;
    let existing = left.len() as i64;
    for shard in 0..next.shards.max(existing) {
        let delta = adjusts
            .iter()
            .find(|a| a.shard == shard)
            .map_or(0, |a| a.delta);
        if shard >= existing {
            let mut c = Counter::new(
                &next.id,
                shard,
                delta,
                &next.event_datetime_end,
                &next.owner_id,
            );
            c.shards = (shard == 0).then_some(next.shards);
            writes.push(Write::PutCounter(c));
            continue;
        }
        let rewrite_shards = shard == 0 && grows;
        if delta == 0 && new_end.is_none() && !rewrite_shards {
            continue;
        }
        let mut t = take(&current.id, shard, -delta);
        t.ends_at = new_end.clone();
        t.shards = rewrite_shards.then_some(next.shards);
        writes.push(Write::TakeTickets(t));
    }
    writes.extend(diff.add.iter().enumerate().map(|(i, user_id)| {
        Write::PutTicket(Ticket::new(
            &current.id,
            user_id,
            now,
            i as i64 % next.shards.max(1),
        ))
    }));
    writes.extend(diff.remove.iter().map(|user_id| Write::DeleteTicket {
        event_id: current.id.clone(),
        user_id: user_id.clone(),
    }));
    match (touches_room(current, next), room) {
        (false, _) => {}
        (true, None) => {
            return Err(crate::error::AppError::internal(format!(
                "event {:?} moves in its room but no room lock was planned",
                current.id
            )))
        }
        (true, Some(room)) => {
            writes.push(lock(room, next.total_tickets));
            let (old, new) = (Booking::of(current), Booking::of(next));
            if old.same_slot(&new) {
                writes.push(Write::ReplaceBooking(new));
            } else {
                writes.push(Write::DeleteBooking(old));
                writes.push(Write::PutBooking(new));
            }
        }
    }
    Ok(Some(Plan { writes }))
}

/// A new name or capacity, under the room's lock.
pub fn edit_room(current: &Room, next: &Room) -> Plan {
    Plan {
        writes: vec![Write::EditRoom {
            version: current.version,
            next: next.clone(),
        }],
    }
}

/// The room as read (its events are checked to be gone first).
pub fn delete_room(room: &Room) -> Plan {
    Plan {
        writes: vec![Write::DeleteRoom {
            id: room.id.clone(),
            version: room.version,
        }],
    }
}

fn lock(room: &Room, tickets: i64) -> Write {
    Write::LockRoom {
        room_id: room.id.clone(),
        version: room.version,
        tickets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::listing::REPLICAS;
    use crate::domain::sample::{diff, room};

    /// The sample event at version 3, in room "r".
    fn event() -> Event {
        let mut e = crate::domain::sample::event();
        e.room_id = "r".into();
        e.version = 3;
        e
    }

    fn takes(plan: &Plan) -> Vec<&Take> {
        plan.writes()
            .iter()
            .filter_map(|w| match w {
                Write::TakeTickets(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_booking_creates_one_ticket_and_takes_one_while_open() {
        let t = Ticket::new("e", "u", "2026-11-20T10:00:00.000Z", 1);
        assert_eq!(t.holders, "e#1", "listed with the counter it came from");
        let plan = book(&t, 1, OwnTicketCall::TicketMutation);
        assert_eq!(plan.checks(), [Check::NoTicketYet, Check::TicketsLeft]);
        assert_eq!(
            takes(&plan),
            [&Take {
                event_id: "e".into(),
                shard: 1,
                count: 1,
                open_at: Some(t.booked_at.clone()),
                unless_organiser: None,
                ends_at: None,
                shards: None,
            }]
        );
        assert_eq!(
            takes(&book(&t, 1, OwnTicketCall::ListEcho))[0]
                .unless_organiser
                .as_deref(),
            Some("u")
        );
        let plan = cancel("e", "u", 0, OwnTicketCall::TicketMutation);
        assert_eq!(plan.checks(), [Check::TicketHeld, Check::TicketsLeft]);
        let back = takes(&plan)[0];
        assert_eq!((back.count, back.open_at.as_deref()), (-1, None));
    }

    #[test]
    fn creating_an_event_books_its_slot_under_the_rooms_lock() {
        let e = event();
        let plan = create_event(&e, &room("r"));
        assert_eq!(
            plan.checks(),
            [
                Check::EventIsNew,
                Check::SlotFree,
                Check::RoomAsRead,
                Check::CounterIsNew
            ]
        );
        assert!(plan.writes().contains(&Write::LockRoom {
            room_id: "r".into(),
            version: 7,
            tickets: 10,
        }));
        let plan = delete_event(&e);
        assert_eq!(plan.checks(), [Check::EventAsRead]);
        assert!(plan
            .writes()
            .contains(&Write::DeleteBooking(Booking::of(&e))));
        assert!(plan.writes().contains(&Write::DeleteCounter {
            event_id: "e".into(),
            shard: 0
        }));
    }

    #[test]
    fn an_organisers_ticket_changes_alone_only_move_the_counter() {
        let e = event();
        let plan = edit_event(&e, &e, false, &diff(&["b", "c"], &["a"]), &[6], None, "now")
            .unwrap()
            .unwrap();
        assert_eq!(
            plan.writes()[0],
            Write::TakeTickets(Take {
                count: 1,
                ..take("e", 0, 0)
            })
        );
        let checks = plan.checks();
        assert_eq!(
            checks.iter().filter(|c| **c == Check::NoTicketYet).count(),
            2
        );
        assert_eq!(
            checks.iter().filter(|c| **c == Check::TicketHeld).count(),
            1
        );
        assert!(
            !checks.contains(&Check::RoomAsRead),
            "the room is untouched"
        );
        assert!(!checks.contains(&Check::EventAsRead), "the event item too");
        assert!(
            !plan
                .writes()
                .iter()
                .any(|w| matches!(w, Write::PutListing { .. } | Write::DeleteListing { .. })),
            "tickets never touch the listing"
        );
    }

    #[test]
    fn a_move_to_another_room_locks_it_and_moves_the_slot() {
        let current = event();
        let mut next = current.clone();
        next.room_id = "big".into();
        next.total_tickets = 300;
        next.shards = 2;
        let plan = edit_event(
            &current,
            &next,
            true,
            &diff(&[], &[]),
            &[6],
            Some(&room("big")),
            "now",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            plan.writes()[0],
            Write::EditEvent {
                version: 3,
                next: next.clone(),
            }
        );
        // 290 more tickets over the grown inventory: 145 on each counter, one of them new.
        assert_eq!(
            takes(&plan),
            [&Take {
                count: -145,
                shards: Some(2),
                ..take("e", 0, 0)
            }]
        );
        assert!(plan
            .writes()
            .iter()
            .any(|w| matches!(w, Write::PutCounter(c) if c.shard == 1 && c.left == 145)));
        // The listing shows the new room and total, in every replica.
        let listed: Vec<&Event> = plan
            .writes()
            .iter()
            .filter_map(|w| match w {
                Write::PutListing { event, .. } => Some(event),
                _ => None,
            })
            .collect();
        assert_eq!(listed.len() as i64, REPLICAS);
        assert!(listed.iter().all(|e| e.room_id == "big" && e.version == 4));
        assert!(plan.writes().contains(&Write::LockRoom {
            room_id: "big".into(),
            version: 7,
            tickets: 300,
        }));
        assert!(plan
            .writes()
            .contains(&Write::DeleteBooking(Booking::of(&current))));
        assert!(plan
            .writes()
            .contains(&Write::PutBooking(Booking::of(&next))));
    }

    #[test]
    fn a_change_that_keeps_the_slot_rewrites_it_in_place() {
        let current = event();
        let mut next = current.clone();
        next.total_tickets = 20;
        let plan = edit_event(
            &current,
            &next,
            true,
            &diff(&["x"], &[]),
            &[6],
            Some(&room("r")),
            "now",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            plan.checks(),
            [
                Check::EventAsRead,
                Check::TicketsLeft,
                Check::NoTicketYet,
                Check::RoomAsRead,
                Check::SlotHeld
            ]
        );
        // 10 more tickets, one of them given to x: 9 more on the counter.
        assert_eq!(takes(&plan)[0].count, -9);
    }

    #[test]
    fn lowering_takes_from_the_counters_and_never_below_what_is_sold() {
        let mut current = event();
        current.shards = 2;
        let mut next = current.clone();
        next.total_tickets = 5;
        next.event_datetime_end = "2026-11-21T20:00:00.000Z".into();
        let plan = edit_event(
            &current,
            &next,
            true,
            &diff(&[], &[]),
            &[3, 3],
            Some(&room("r")),
            "now",
        )
        .unwrap()
        .unwrap();
        let moved: Vec<(i64, i64, Option<&str>)> = takes(&plan)
            .iter()
            .map(|t| (t.shard, t.count, t.ends_at.as_deref()))
            .collect();
        // 5 fewer, from the fullest first; every counter gets the new end.
        assert_eq!(
            moved,
            [
                (0, 3, Some("2026-11-21T20:00:00.000Z")),
                (1, 2, Some("2026-11-21T20:00:00.000Z"))
            ]
        );
        next.total_tickets = 3;
        let refused = edit_event(
            &current,
            &next,
            true,
            &diff(&[], &[]),
            &[3, 3],
            Some(&room("r")),
            "now",
        )
        .unwrap();
        assert_eq!(refused, None, "7 fewer than 10, with only 6 left");
    }

    #[test]
    fn a_room_move_without_a_lock_is_refused_and_corrupt_counts_are_internal() {
        let current = event();
        let mut next = current.clone();
        next.room_id = "elsewhere".into();
        let err =
            edit_event(&current, &next, true, &diff(&[], &[]), &[6], None, "now").unwrap_err();
        assert_eq!(err.error_type(), "Internal");
        let mut corrupt = current.clone();
        corrupt.total_tickets = i64::MIN;
        let err = edit_event(
            &corrupt,
            &next,
            true,
            &diff(&[], &[]),
            &[6],
            Some(&room("r")),
            "now",
        )
        .unwrap_err();
        assert_eq!(err.error_type(), "Internal");
    }

    #[test]
    fn rooms_change_under_their_lock() {
        let (a, mut b) = (room("r"), room("r"));
        b.capacity = 50;
        assert_eq!(edit_room(&a, &b).checks(), [Check::RoomAsRead]);
        assert_eq!(delete_room(&a).checks(), [Check::RoomAsRead]);
    }

    #[test]
    fn an_outcome_names_what_failed_whatever_the_order() {
        let plan = book(
            &Ticket::new("e", "u", "t", 0),
            0,
            OwnTicketCall::TicketMutation,
        );
        let mut writes = plan.into_writes();
        writes.reverse();
        let failed = Outcome::Refused(vec![writes[1].clone()]);
        assert!(failed.refused(Check::NoTicketYet));
        assert!(!failed.refused(Check::TicketsLeft));
        assert!(!Outcome::Committed.refused(Check::NoTicketYet));
    }
}
