//! The CPU side of one invocation: payload -> records -> deltas -> transactions. No I/O, so
//! it is what the benchmark measures.

use crate::delta::{self, Side};
use crate::error::Error;
use crate::event::{self, Record};
use crate::plan::{self, Transaction, MAX_ENTRIES_PER_TRANSACTION};
use crate::seq::SequenceNumber;

/// A record passed over for good, with what an operator needs to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub sequence_number: Option<String>,
    pub event_id: String,
    pub keys: String,
    pub reason: String,
}

/// An image counted as nothing inside a record that was still applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredImage {
    pub sequence_number: String,
    pub event_id: String,
    pub keys: String,
    pub side: Side,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Prepared {
    pub records: usize,
    pub transactions: Vec<Transaction>,
    pub skipped: Vec<Skipped>,
    pub ignored_images: Vec<IgnoredImage>,
    /// Every record's that has one, for counting what is redelivered.
    pub sequence_numbers: Vec<SequenceNumber>,
    /// The newest record's `ApproximateCreationDateTime` (seconds since the epoch).
    pub newest_created: Option<f64>,
}

pub fn prepare(raw: &str) -> Result<Prepared, Error> {
    let batch = event::parse_batch(raw)?;
    let mut prepared = Prepared {
        records: batch.records.len() + batch.unreadable.len(),
        ..Prepared::default()
    };
    for u in batch.unreadable {
        if let Some(seq) = &u.sequence_number {
            prepared
                .sequence_numbers
                .push(SequenceNumber::new(seq.as_str()));
        }
        prepared.skipped.push(Skipped {
            sequence_number: u.sequence_number,
            event_id: u.event_id.unwrap_or_default(),
            keys: u.keys.unwrap_or_default(),
            reason: format!("unreadable record at position {}: {}", u.position, u.reason),
        });
    }
    let deltas = analyse_all(batch.records, &mut prepared);
    prepared.transactions = plan::plan(deltas, MAX_ENTRIES_PER_TRANSACTION);
    Ok(prepared)
}

fn analyse_all<'a>(
    records: Vec<Record<'a>>,
    prepared: &mut Prepared,
) -> Vec<delta::RecordDelta<'a>> {
    let mut deltas = Vec::with_capacity(records.len());
    for record in records {
        if let Some(c) = record.created {
            prepared.newest_created = Some(prepared.newest_created.map_or(c, |n| n.max(c)));
        }
        let a = delta::analyse(record);
        prepared.sequence_numbers.extend(a.seq.clone());
        match a.verdict {
            Ok(d) => {
                for (side, reason) in a.ignored {
                    prepared.ignored_images.push(IgnoredImage {
                        sequence_number: d.seq.to_string(),
                        event_id: a.event_id.to_string(),
                        keys: a.keys.to_owned(),
                        side,
                        reason,
                    });
                }
                deltas.push(d);
            }
            Err(reason) => prepared.skipped.push(Skipped {
                sequence_number: a.seq.map(|s| s.to_string()),
                event_id: a.event_id.into_owned(),
                keys: a.keys.to_owned(),
                reason: reason.to_string(),
            }),
        }
    }
    deltas
}
