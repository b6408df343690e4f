//! `stream`: a Lambda DynamoDB-stream payload through the aggregator's CPU side
//! (`aggregator::batch::prepare`: read, judge each image, plan the transactions), with a
//! differential check of the fast DynamoDB-JSON reader against serde_dynamo.
//!
//! Properties:
//! - a payload with a `Records` array is prepared, whatever its records hold, and every
//!   record is counted (one unreadable record is skipped alone, never the batch);
//! - each image the fast reader (`aggregator::dynamo_json`) reads gives the activity
//!   serde_dynamo gives; where serde_dynamo refuses, the fast reader refuses too (then the
//!   aggregator falls back): never a different value;
//! - when the whole batch also reads as `aws_lambda_events`' typed event, the records
//!   `event::parse_batch` returns are the typed event's, image for image;
//! - every planned transaction fits TransactWriteItems (1 to 99 markers, distinct ids across
//!   the batch, each for a sequence number of the batch) and its totals stay within what
//!   its entries can add up to.

use std::collections::HashSet;

use aggregator::dynamo_json::DynamoJson;
use aggregator::event::{self, Record};
use aggregator::image::Image;
use aggregator::plan::MAX_ENTRIES_PER_TRANSACTION;
use aws_lambda_events::event::dynamodb::Event;
use model::activity::MAX_CALORIES;
use model::Activity;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::text;

pub fn run(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    images_agree(raw);
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

/// The fast reader against serde_dynamo, image by image, on the images' own text.
fn images_agree(raw: &str) {
    #[derive(Deserialize)]
    struct Change<'a> {
        #[serde(rename = "NewImage", borrow, default)]
        new: Option<&'a RawValue>,
        #[serde(rename = "OldImage", borrow, default)]
        old: Option<&'a RawValue>,
    }
    #[derive(Deserialize)]
    struct RecordText<'a> {
        #[serde(borrow)]
        dynamodb: Change<'a>,
    }
    for record in envelope(raw).unwrap_or_default() {
        let Ok(r) = serde_json::from_str::<RecordText<'_>>(record.get()) else {
            continue;
        };
        for image in [r.dynamodb.new, r.dynamodb.old].into_iter().flatten() {
            same_as_serde_dynamo(image.get());
        }
    }
}

/// One image: the fast reader reads what serde_dynamo reads, or nothing.
pub fn same_as_serde_dynamo(image: &str) {
    let Ok(DynamoJson(fast)) = serde_json::from_str::<DynamoJson<Activity>>(image) else {
        return;
    };
    let slow = serde_json::from_str::<serde_dynamo::Item>(image)
        .map_err(|e| e.to_string())
        .and_then(|item| {
            serde_dynamo::from_attribute_value::<_, Activity>(serde_dynamo::AttributeValue::M(
                item.into_inner(),
            ))
            .map_err(|e| e.to_string())
        });
    match slow {
        Ok(slow) => assert_eq!(fast, slow, "the fast reader differs on {image}"),
        Err(e) => panic!("the fast reader read {fast:?} where serde_dynamo refuses ({e}): {image}"),
    }
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
/// numbers out of range included, as the aggregator's readers allow), or as a JSON value
/// reads it (the last of repeated keys), as the aggregator's last resort does.
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
        .or_else(|| {
            let v: serde_json::Value = serde_json::from_str(record.get()).ok()?;
            v.pointer("/dynamodb/SequenceNumber")?
                .as_str()
                .map(str::to_owned)
        })
}

/// When the typed event reads the batch, `parse_batch` gives the same records.
fn typed_agrees(raw: &str) {
    let Ok(typed) = serde_json::from_str::<Event>(raw) else {
        return;
    };
    let typed: Vec<Record<'static>> = typed.records.into_iter().map(Record::from).collect();
    let parsed = event::parse_batch(raw).expect("the typed event reads it");
    assert!(parsed.unreadable.is_empty(), "{:?}", parsed.unreadable);
    assert_eq!(parsed.records.len(), typed.len());
    for (i, (p, t)) in parsed.records.iter().zip(&typed).enumerate() {
        // Keys are kept as text for logs, raw on the fast path and re-serialised otherwise;
        // an invalid image's reason is for logs too, and serde_dynamo names whichever bad
        // attribute it meets first in a HashMap, so only the verdict is compared.
        assert_eq!(
            (&p.event_id, &p.event_name, &p.sequence_number),
            (&t.event_id, &t.event_name, &t.sequence_number),
            "record {i}"
        );
        assert_eq!(verdict(&p.old), verdict(&t.old), "record {i}: old image");
        assert_eq!(verdict(&p.new), verdict(&t.new), "record {i}: new image");
    }
}

/// An image without the wording of its invalidity.
fn verdict(image: &Image) -> Image {
    match image {
        Image::Invalid(_) => Image::Invalid(String::new()),
        other => other.clone(),
    }
}
