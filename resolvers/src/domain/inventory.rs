//! An event's inventory: its unsold tickets, spread over counters that each have their own
//! partition key, so no single item caps how fast an event sells.
//!
//! How many: [`shards_for`]. A booking transaction costs 2 write units on the counter it
//! takes from; at half of a partition's ~1,000 write units a counter serves ~250 bookings a
//! second. An event gets one counter per 250 tickets, at most [`MAX_SHARDS`] (8): up to 2,000
//! tickets every counter starts with at most 250, emptied within a second at that rate; from
//! 2,000 tickets the 8 counters take ~2,000 bookings a second at half their limit (4,000 at
//! the limit), so a 20,000-ticket event sells out in 10 s or less. Small events keep one
//! counter, and a page of events reads few of them.
//!
//! Exactness: the sum of `left` over an event's counters is always `total_tickets` minus the
//! tickets sold. Every change of a counter is conditional (`left >= what is taken`) and
//! commits in one transaction with what it pays for (a ticket, a new total), so no race can
//! oversell. The number of counters never shrinks (lowering `total_tickets` empties counters
//! instead), so a reader that knows it finds every ticket.

use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// Tickets a counter starts with, at most (below 2,000 tickets).
pub const TICKETS_PER_SHARD: i64 = 250;
/// Counters of one event, at most.
pub const MAX_SHARDS: i64 = 8;

/// How many counters an event of `total` tickets spreads over.
pub fn shards_for(total: i64) -> i64 {
    let n = (total.max(0) as u64).div_ceil(TICKETS_PER_SHARD as u64);
    n.clamp(1, MAX_SHARDS as u64) as i64
}

/// One counter as stored: key `{event_id}#{shard}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    pub pk: String,
    pub event_id: String,
    pub shard: i64,
    /// Unsold tickets held here.
    pub left: i64,
    /// The event's end, copied here so a booking's condition needs no other item.
    pub ends_at: String,
    /// The organiser, copied here so the list-echo booking can tell "I book my own ticket"
    /// from "the organiser edits the list" without reading the event.
    pub owner_id: String,
    /// On counter 0 only: how many counters the event has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<i64>,
}

/// A counter's key.
pub fn counter_key(event_id: &str, shard: i64) -> String {
    format!("{event_id}#{shard}")
}

impl Counter {
    pub fn new(event_id: &str, shard: i64, left: i64, ends_at: &str, owner_id: &str) -> Self {
        Self {
            pk: counter_key(event_id, shard),
            event_id: event_id.to_string(),
            shard,
            left,
            ends_at: ends_at.to_string(),
            owner_id: owner_id.to_string(),
            shards: None,
        }
    }
}

/// `total` split evenly over `n` counters (the first ones take the remainder).
pub fn split(total: i64, n: i64) -> Vec<i64> {
    let n = n.max(1);
    (0..n)
        .map(|i| total / n + i64::from(i < total % n))
        .collect()
}

/// The counters of a new event of `total` tickets.
pub fn counters_for(event_id: &str, total: i64, ends_at: &str, owner_id: &str) -> Vec<Counter> {
    counters_holding(event_id, shards_for(total), total, ends_at, owner_id)
}

/// `n` counters holding `left` unsold tickets between them (counter 0 records `n`).
fn counters_holding(
    event_id: &str,
    n: i64,
    left: i64,
    ends_at: &str,
    owner_id: &str,
) -> Vec<Counter> {
    let mut counters: Vec<Counter> = split(left, n)
        .into_iter()
        .enumerate()
        .map(|(k, left)| Counter::new(event_id, k as i64, left, ends_at, owner_id))
        .collect();
    counters[0].shards = Some(n.max(1));
    counters
}

/// Unsold tickets over counters read together; a sum that overflows or a negative count is
/// corrupt data.
pub fn total_left(event_id: &str, counters: &[Counter]) -> AppResult<i64> {
    counters.iter().try_fold(0i64, |sum, c| {
        if c.left < 0 {
            return Err(corrupt(event_id, "a counter holds a negative count"));
        }
        sum.checked_add(c.left)
            .ok_or_else(|| corrupt(event_id, "the counters' sum overflows"))
    })
}

/// Tickets sold: `total - left`, checked.
pub fn sold(event_id: &str, total: i64, left: i64) -> AppResult<i64> {
    let sold = total
        .checked_sub(left)
        .ok_or_else(|| corrupt(event_id, "total_tickets - tickets_left overflows"))?;
    if sold < 0 || left < 0 {
        return Err(corrupt(event_id, "tickets_left outside 0..=total_tickets"));
    }
    Ok(sold)
}

fn corrupt(event_id: &str, what: &str) -> AppError {
    AppError::internal(format!("event {event_id:?} holds corrupt counts ({what})"))
}

/// What a change of the event does to one counter: `delta` added to `left` (negative:
/// taken, and only if that many are there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adjust {
    pub shard: i64,
    pub delta: i64,
}

/// Adds `delta` unsold tickets (negative: removes them) over the counters read, growing the
/// event to `shards` counters: additions are spread evenly over all of them, removals taken
/// from the fullest first. `None` when fewer than `-delta` are left: the change would go
/// below what is sold. Shards beyond the ones read are new counters.
pub fn spread(left: &[i64], shards: i64, delta: i64) -> Option<Vec<Adjust>> {
    let n = shards.max(left.len() as i64).max(1);
    if delta >= 0 {
        return Some(
            split(delta, n)
                .into_iter()
                .enumerate()
                .map(|(k, d)| Adjust {
                    shard: k as i64,
                    delta: d,
                })
                .collect(),
        );
    }
    let mut want = delta.checked_neg()?;
    if left.iter().try_fold(0i64, |s, l| s.checked_add(*l))? < want {
        return None;
    }
    let mut order: Vec<usize> = (0..left.len()).collect();
    order.sort_by_key(|k| std::cmp::Reverse(left[*k]));
    let mut out = Vec::new();
    for k in order {
        if want == 0 {
            break;
        }
        let take = left[k].min(want);
        if take > 0 {
            out.push(Adjust {
                shard: k as i64,
                delta: -take,
            });
            want -= take;
        }
    }
    out.sort_by_key(|a| a.shard);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_follow_the_size_of_the_event() {
        assert_eq!(shards_for(0), 1);
        assert_eq!(shards_for(50), 1);
        assert_eq!(shards_for(250), 1);
        assert_eq!(shards_for(300), 2);
        assert_eq!(shards_for(2_000), 8);
        assert_eq!(shards_for(20_000), 8);
        assert_eq!(shards_for(i64::MAX), 8);
        assert_eq!(split(10, 3), vec![4, 3, 3]);
        let c = counters_for("e", 300, "end", "org");
        assert_eq!(c.iter().map(|c| c.left).collect::<Vec<_>>(), vec![150, 150]);
        assert_eq!(c[0].shards, Some(2));
        assert_eq!(c[1].pk, "e#1");
        assert_eq!(total_left("e", &c).unwrap(), 300);
    }

    #[test]
    fn changes_spread_additions_and_take_removals_from_the_fullest() {
        assert_eq!(
            spread(&[5, 0], 3, 7).unwrap(),
            vec![
                Adjust { shard: 0, delta: 3 },
                Adjust { shard: 1, delta: 2 },
                Adjust { shard: 2, delta: 2 }
            ]
        );
        assert_eq!(
            spread(&[2, 9, 4], 3, -10).unwrap(),
            vec![
                Adjust {
                    shard: 1,
                    delta: -9
                },
                Adjust {
                    shard: 2,
                    delta: -1
                }
            ]
        );
        assert_eq!(spread(&[2, 3], 2, -6), None, "below what is sold");
        assert_eq!(spread(&[2, 3], 2, -5).unwrap().len(), 2);
    }

    #[test]
    fn corrupt_counts_are_internal() {
        let mut c = counters_for("e", 10, "end", "org");
        c[0].left = -1;
        assert_eq!(total_left("e", &c).unwrap_err().error_type(), "Internal");
        assert_eq!(sold("e", i64::MIN, 1).unwrap_err().error_type(), "Internal");
        assert_eq!(sold("e", 5, 6).unwrap_err().error_type(), "Internal");
        assert_eq!(sold("e", 10, 6).unwrap(), 4);
    }
}
