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
use super::event::{touches_room, Event, TicketDiff};
use super::room::Room;
use super::ticket::Ticket;
use crate::error::{AppError, AppResult};

/// What a write requires of the item it changes; the transaction commits only if every
/// write's check holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// No event has this id yet.
    EventIsNew,
    /// The event is as it was read (same `version`), and holds the tickets the write takes.
    EventAsRead,
    /// The event exists, has at least the tickets the write takes, and (when booking) has not
    /// ended.
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

/// One write of a plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// A new event.
    PutEvent(Event),
    /// An organiser's edit: `next`'s fields, and `tickets_left` moved by `left_delta`.
    EditEvent {
        version: i64,
        next: Event,
        left_delta: i64,
    },
    /// Takes `count` tickets from the event's pool (negative: returns them), touching
    /// nothing else. With `open_at`, only if the event has not ended by then.
    TakeTickets {
        event_id: String,
        count: i64,
        open_at: Option<String>,
    },
    DeleteEvent {
        id: String,
        version: i64,
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
}

impl Write {
    /// The named check guarding this write, if any.
    pub fn check(&self) -> Option<Check> {
        Some(match self {
            Self::PutEvent(_) => Check::EventIsNew,
            Self::EditEvent { .. } | Self::DeleteEvent { .. } => Check::EventAsRead,
            Self::TakeTickets { .. } => Check::TicketsLeft,
            Self::PutTicket(_) => Check::NoTicketYet,
            Self::DeleteTicket { .. } => Check::TicketHeld,
            Self::PutBooking(_) => Check::SlotFree,
            Self::ReplaceBooking(_) => Check::SlotHeld,
            Self::LockRoom { .. } | Self::EditRoom { .. } | Self::DeleteRoom { .. } => {
                Check::RoomAsRead
            }
            Self::DeleteBooking(_) => return None,
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

/// A new event, its booking of the room's slot, and the room's lock (capacity, no overlap).
pub fn create_event(event: &Event, room: &Room) -> Plan {
    [
        Write::PutEvent(event.clone()),
        Write::PutBooking(Booking::of(event)),
        lock(room, event.total_tickets),
    ]
    .into_iter()
    .collect()
}

/// One person's ticket: created only if they hold none, taken only if one is left and the
/// event has not ended when booked.
pub fn book(ticket: &Ticket) -> Plan {
    [
        Write::PutTicket(ticket.clone()),
        Write::TakeTickets {
            event_id: ticket.event_id.clone(),
            count: 1,
            open_at: Some(ticket.booked_at.clone()),
        },
    ]
    .into_iter()
    .collect()
}

/// One person's ticket back to the pool.
pub fn cancel(event_id: &str, user_id: &str) -> Plan {
    [
        Write::DeleteTicket {
            event_id: event_id.to_string(),
            user_id: user_id.to_string(),
        },
        Write::TakeTickets {
            event_id: event_id.to_string(),
            count: -1,
            open_at: None,
        },
    ]
    .into_iter()
    .collect()
}

/// The event as read, and its slot. Its tickets are removed after the commit (best effort:
/// they are unreachable once the event is gone).
pub fn delete_event(event: &Event) -> Plan {
    [
        Write::DeleteEvent {
            id: event.id.clone(),
            version: event.version,
        },
        Write::DeleteBooking(Booking::of(event)),
    ]
    .into_iter()
    .collect()
}

/// An organiser's (or admin's) `updateEvent`: the changed fields (if `fields_changed`) under
/// the event's version, the ticket changes, and, when the room, time or ticket count moves
/// (`touches_room`), the room's lock (from `room`, read and checked for clashes) and the
/// slot's move. `now` stamps added tickets.
pub fn edit_event(
    current: &Event,
    next: &Event,
    fields_changed: bool,
    diff: &TicketDiff,
    room: Option<&Room>,
    now: &str,
) -> AppResult<Plan> {
    let taken = diff.taken();
    let mut writes = vec![if fields_changed {
        let left_delta = next
            .total_tickets
            .checked_sub(current.total_tickets)
            .and_then(|d| d.checked_sub(taken))
            .ok_or_else(|| {
                AppError::internal(format!(
                    "event {:?}: total_tickets {} cannot move to {}",
                    current.id, current.total_tickets, next.total_tickets
                ))
            })?;
        Write::EditEvent {
            version: current.version,
            next: next.clone(),
            left_delta,
        }
    } else {
        Write::TakeTickets {
            event_id: current.id.clone(),
            count: taken,
            open_at: None,
        }
    }];
    writes.extend(diff.add.iter().map(|user_id| {
        Write::PutTicket(Ticket {
            event_id: current.id.clone(),
            user_id: user_id.clone(),
            booked_at: now.to_string(),
        })
    }));
    writes.extend(diff.remove.iter().map(|user_id| Write::DeleteTicket {
        event_id: current.id.clone(),
        user_id: user_id.clone(),
    }));
    match (touches_room(current, next), room) {
        (false, _) => {}
        (true, None) => {
            return Err(AppError::internal(format!(
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
    Ok(Plan { writes })
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
    use crate::domain::sample::{diff, room};

    /// The sample event at version 3, in room "r".
    fn event() -> Event {
        let mut e = crate::domain::sample::event();
        e.room_id = "r".into();
        e.version = 3;
        e
    }

    #[test]
    fn a_booking_creates_one_ticket_and_takes_one_while_open() {
        let t = Ticket {
            event_id: "e".into(),
            user_id: "u".into(),
            booked_at: "2026-11-20T10:00:00.000Z".into(),
        };
        let plan = book(&t);
        assert_eq!(plan.checks(), [Check::NoTicketYet, Check::TicketsLeft]);
        assert!(plan.writes().contains(&Write::TakeTickets {
            event_id: "e".into(),
            count: 1,
            open_at: Some(t.booked_at.clone()),
        }));
        let plan = cancel("e", "u");
        assert_eq!(plan.checks(), [Check::TicketHeld, Check::TicketsLeft]);
        assert!(plan.writes().contains(&Write::TakeTickets {
            event_id: "e".into(),
            count: -1,
            open_at: None,
        }));
    }

    #[test]
    fn creating_an_event_books_its_slot_under_the_rooms_lock() {
        let e = event();
        let plan = create_event(&e, &room("r"));
        assert_eq!(
            plan.checks(),
            [Check::EventIsNew, Check::SlotFree, Check::RoomAsRead]
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
    }

    #[test]
    fn an_organisers_ticket_changes_alone_only_move_the_counter() {
        let e = event();
        let plan = edit_event(&e, &e, false, &diff(&["b", "c"], &["a"]), None, "now").unwrap();
        assert_eq!(
            plan.writes()[0],
            Write::TakeTickets {
                event_id: "e".into(),
                count: 1,
                open_at: None,
            }
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
    }

    #[test]
    fn a_move_to_another_room_locks_it_and_moves_the_slot() {
        let current = event();
        let mut next = current.clone();
        next.room_id = "big".into();
        next.total_tickets = 300;
        next.tickets_left = 296;
        let plan = edit_event(
            &current,
            &next,
            true,
            &diff(&[], &[]),
            Some(&room("big")),
            "now",
        )
        .unwrap();
        assert_eq!(
            plan.writes()[0],
            Write::EditEvent {
                version: 3,
                next: next.clone(),
                left_delta: 290,
            }
        );
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
            Some(&room("r")),
            "now",
        )
        .unwrap();
        assert_eq!(
            plan.checks(),
            [
                Check::EventAsRead,
                Check::NoTicketYet,
                Check::RoomAsRead,
                Check::SlotHeld
            ]
        );
        assert!(matches!(
            plan.writes()[0],
            Write::EditEvent { left_delta: 9, .. }
        ));
    }

    #[test]
    fn a_room_move_without_a_lock_is_refused_and_corrupt_counts_are_internal() {
        let current = event();
        let mut next = current.clone();
        next.room_id = "elsewhere".into();
        let err = edit_event(&current, &next, true, &diff(&[], &[]), None, "now").unwrap_err();
        assert_eq!(err.error_type(), "Internal");
        let mut corrupt = current.clone();
        corrupt.total_tickets = i64::MIN;
        let err = edit_event(
            &corrupt,
            &next,
            true,
            &diff(&[], &[]),
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
        let plan = book(&Ticket {
            event_id: "e".into(),
            user_id: "u".into(),
            booked_at: "t".into(),
        });
        let mut writes = plan.into_writes();
        writes.reverse();
        let failed = Outcome::Refused(vec![writes[1].clone()]);
        assert!(failed.refused(Check::NoTicketYet));
        assert!(!failed.refused(Check::TicketsLeft));
        assert!(!Outcome::Committed.refused(Check::NoTicketYet));
    }
}
