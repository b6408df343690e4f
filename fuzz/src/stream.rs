//! `stream`: a Lambda DynamoDB-stream payload through the aggregator's CPU side
//! (`aggregator::batch::prepare`: read, judge each image, plan the transactions).
//!
//! Properties:
//! - a payload with a `Records` array is prepared, whatever its records hold, and every
//!   record is counted (one unreadable record is skipped alone, never the batch);
//! - when the whole batch reads as `aws_lambda_events`' typed event, every record reads, and
//!   as the typed event reads it, image for image;
//! - every planned transaction fits TransactWriteItems (1 to 99 markers, distinct ids across
//!   the batch, each for a sequence number of the batch) and its totals stay within what
//!   its entries can add up to.

use std::collections::HashSet;

use aggregator::event;
use aggregator::image::Image;
use aggregator::plan::MAX_ENTRIES_PER_TRANSACTION;
use aws_lambda_events::event::dynamodb::Event;
use model::activity::MAX_CALORIES;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::text;

pub fn run(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    let records = envelope(raw);
    let prepared = match aggregator::batch::prepare(raw) {
        Ok(p) => p,
        Err(e) => {
            assert!(
                records.is_none(),
                "a payload with {} records was refused whole: {e}",
                records.map_or(0, |r| r.len())
            );
            return;
        }
    };
    let records = records.expect("a prepared payload has a Records array");
    assert_eq!(prepared.records, records.len(), "every record is counted");
    for s in &prepared.skipped {
        assert!(!s.reason.is_empty(), "a skipped record says why: {s:?}");
    }
    let seqs: HashSet<String> = records.iter().filter_map(|r| sequence_number(r)).collect();
    let mut ids = HashSet::new();
    for t in &prepared.transactions {
        assert!(
            (1..=MAX_ENTRIES_PER_TRANSACTION).contains(&t.entries.len()),
            "{} markers in one transaction",
            t.entries.len()
        );
        for e in &t.entries {
            assert!(
                ids.insert(e.dedupe_id.clone()),
                "marker {} twice",
                e.dedupe_id
            );
            assert!(
                seqs.contains(e.seq.as_str()),
                "entry for sequence number {} not in the batch",
                e.seq.as_str()
            );
        }
        let total = t.total();
        let bound = MAX_CALORIES * t.entries.len() as i64;
        assert!(
            total.consumed.abs() <= bound && total.burned.abs() <= bound,
            "{total:?} from {} entries",
            t.entries.len()
        );
    }
    typed_agrees(raw);
}

/// The payload's records, each as its raw text, if it is an object with a `Records` array
/// (named once: serde refuses a repeated field).
fn envelope(raw: &str) -> Option<Vec<&RawValue>> {
    #[derive(Deserialize)]
    struct Payload<'a> {
        #[serde(rename = "Records", borrow)]
        records: Vec<&'a RawValue>,
    }
    serde_json::from_str::<Payload<'_>>(raw)
        .ok()
        .map(|p| p.records)
}

/// A record's `dynamodb.SequenceNumber`, read alone (the rest of the record may be anything,
/// numbers out of range included, as the aggregator's reader allows).
fn sequence_number(record: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Change {
        #[serde(rename = "SequenceNumber")]
        seq: Option<String>,
    }
    #[derive(Deserialize)]
    struct Seq {
        dynamodb: Change,
    }
    serde_json::from_str::<Seq>(record.get())
        .ok()
        .and_then(|r| r.dynamodb.seq)
}

/// When the typed event reads the batch, `parse_batch` reads every record as it does.
fn typed_agrees(raw: &str) {
    let Ok(typed) = serde_json::from_str::<Event>(raw) else {
        return;
    };
    let parsed = event::parse_batch(raw).expect("the typed event reads it");
    assert!(parsed.unreadable.is_empty(), "{:?}", parsed.unreadable);
    assert_eq!(parsed.records.len(), typed.records.len());
    for (i, (p, t)) in parsed.records.iter().zip(typed.records).enumerate() {
        assert_eq!(
            (&*p.event_id, &*p.event_name, p.sequence_number.as_deref()),
            (
                &*t.event_id,
                &*t.event_name,
                t.change.sequence_number.as_deref()
            ),
            "record {i}"
        );
        // An invalid image's reason is for logs, and serde_dynamo names whichever bad
        // attribute it meets first in a HashMap, so only the verdict is compared.
        assert_eq!(
            verdict(&p.old),
            verdict(&Image::read(t.change.old_image)),
            "record {i}: old image"
        );
        assert_eq!(
            verdict(&p.new),
            verdict(&Image::read(t.change.new_image)),
            "record {i}: new image"
        );
    }
}

/// An image without the wording of its invalidity.
fn verdict(image: &Image) -> Image {
    match image {
        Image::Invalid(_) => Image::Invalid(String::new()),
        other => other.clone(),
    }
}
