//! The public listing of events: a copy of each event in the partition of its start month,
//! written only when the event is created, edited or deleted (never by a booking), and kept
//! in [`REPLICAS`] identical copies so the reads of a popular month spread over as many
//! partitions. A directory (one item per month that ever held an event, in each replica)
//! tells a page where to look next, so UPCOMING, PAST and ALL all walk a bounded number of
//! months without a Scan.
//!
//! Keys: an entry is `pk = {YYYY-MM}#{replica}`, `sk = {start}#{event id}` (start order; the
//! stored start is fixed-width UTC, so string order is time order); a directory item is
//! `pk = DIR#{replica}`, `sk = YYYY-MM`.

use super::event::Event;

/// Copies of every listing partition.
pub const REPLICAS: i64 = 4;

/// The month of a stored start time (`2026-11-21T17:00:00.000Z` -> `2026-11`).
pub fn bucket_of(start: &str) -> &str {
    start.get(..7).unwrap_or(start)
}

/// An event's sort key in its month.
pub fn sort_key(event: &Event) -> String {
    format!("{}#{}", event.event_datetime_start, event.id)
}

pub fn entry_pk(bucket: &str, replica: i64) -> String {
    format!("{bucket}#{replica}")
}

pub fn directory_pk(replica: i64) -> String {
    format!("DIR#{replica}")
}

/// Where an event's entries are: its month and sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub bucket: String,
    pub sk: String,
}

impl Listed {
    pub fn of(event: &Event) -> Self {
        Self {
            bucket: bucket_of(&event.event_datetime_start).to_string(),
            sk: sort_key(event),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_filed_by_start_month_in_start_order() {
        let e = crate::domain::sample::event();
        let l = Listed::of(&e);
        assert_eq!(l.bucket, "2026-11");
        assert_eq!(l.sk, "2026-11-21T17:00:00.000Z#e");
        assert_eq!(entry_pk(&l.bucket, 3), "2026-11#3");
        assert_eq!(directory_pk(0), "DIR#0");
    }
}
