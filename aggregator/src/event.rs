//! Reading the invocation payload into stream records, each record read once and on its own:
//! a record that cannot be read (not an object, an image that is not DynamoDB JSON) is
//! reported by what names it and skipped, instead of failing the invocation, which would
//! stall the shard. Images are read by serde_dynamo (`image`).

use std::borrow::Cow;

use serde::Deserialize;
use serde_dynamo::Item;
use serde_json::value::RawValue;

use crate::error::Error;
use crate::image::Image;

/// One stream record, reduced to what the aggregates, the logs and the metrics need.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    /// Empty when Lambda sent none.
    pub event_id: Cow<'a, str>,
    pub event_name: Cow<'a, str>,
    pub sequence_number: Option<Cow<'a, str>>,
    /// The record's keys as DynamoDB JSON, for logs.
    pub keys: &'a str,
    /// `ApproximateCreationDateTime`, in seconds since the epoch, when it is a number.
    pub created: Option<f64>,
    pub old: Image,
    pub new: Image,
}

/// The records of one invocation.
#[derive(Debug, Default)]
pub struct Batch<'a> {
    pub records: Vec<Record<'a>>,
    /// Records that are not stream records at all; they can never be applied.
    pub unreadable: Vec<Unreadable>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Position in the payload's `Records`.
    pub position: usize,
    pub sequence_number: Option<String>,
    pub event_id: Option<String>,
    /// The record's `Keys` as JSON, when it has any.
    pub keys: Option<String>,
    pub reason: String,
}

/// Text borrowed from the payload unless it holds escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

fn text(t: Option<Text<'_>>) -> Cow<'_, str> {
    t.map_or(Cow::Borrowed(""), |Text(t)| t)
}

/// A stream record as Lambda sends it. Only `dynamodb` is required: the envelope's other
/// fields say nothing about the change, so a record without them is judged by its images
/// and sequence number, which is all the aggregates depend on (a missing eventID falls back
/// to the sequence number).
#[derive(Deserialize)]
struct StreamRecord<'a> {
    #[serde(rename = "eventID", borrow, default)]
    event_id: Option<Text<'a>>,
    #[serde(rename = "eventName", borrow, default)]
    event_name: Option<Text<'a>>,
    #[serde(borrow)]
    dynamodb: Change<'a>,
}

#[derive(Deserialize)]
struct Change<'a> {
    #[serde(rename = "Keys", borrow, default)]
    keys: Option<&'a RawValue>,
    #[serde(rename = "NewImage", default)]
    new_image: Option<Item>,
    #[serde(rename = "OldImage", default)]
    old_image: Option<Item>,
    #[serde(rename = "SequenceNumber", borrow, default)]
    sequence_number: Option<Text<'a>>,
    /// Raw, so that a creation time of another type costs the metric, not the record.
    #[serde(rename = "ApproximateCreationDateTime", borrow, default)]
    created: Option<&'a RawValue>,
}

/// Parses a Lambda DynamoDB stream payload. Fails only when the payload has no `Records`
/// array: then there is no record to name in a partial batch response either.
pub fn parse_batch(raw: &str) -> Result<Batch<'_>, Error> {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(rename = "Records", borrow)]
        records: Vec<&'a RawValue>,
    }
    let envelope: Envelope<'_> = serde_json::from_str(raw)?;
    let mut batch = Batch {
        records: Vec::with_capacity(envelope.records.len()),
        unreadable: Vec::new(),
    };
    for (position, record) in envelope.records.into_iter().enumerate() {
        match read_record(record.get()) {
            Ok(record) => batch.records.push(record),
            Err(unreadable) => batch.unreadable.push(Unreadable {
                position,
                ..unreadable
            }),
        }
    }
    Ok(batch)
}

/// One record of the payload (`position` is left 0 for the caller to set).
pub fn read_record(raw: &str) -> Result<Record<'_>, Unreadable> {
    match serde_json::from_str::<StreamRecord<'_>>(raw) {
        Ok(r) => Ok(Record {
            event_id: text(r.event_id),
            event_name: text(r.event_name),
            sequence_number: r.dynamodb.sequence_number.map(|Text(s)| s),
            keys: r.dynamodb.keys.map_or("{}", RawValue::get),
            created: r.dynamodb.created.and_then(|c| c.get().parse().ok()),
            old: r.dynamodb.old_image.map_or(Image::Absent, Image::read),
            new: r.dynamodb.new_image.map_or(Image::Absent, Image::read),
        }),
        Err(e) => Err(unreadable(raw, e.to_string())),
    }
}

/// What names a record in a report, read while skipping everything else unparsed: a record
/// whose images cannot be read at all is still named by its sequence number, event id and
/// keys.
fn unreadable(raw: &str, reason: String) -> Unreadable {
    #[derive(Deserialize, Default)]
    struct Names {
        #[serde(rename = "eventID")]
        event_id: Option<String>,
        dynamodb: Option<ChangeNames>,
    }
    #[derive(Deserialize, Default)]
    struct ChangeNames {
        #[serde(rename = "SequenceNumber")]
        sequence_number: Option<String>,
        #[serde(rename = "Keys")]
        keys: Option<Box<RawValue>>,
    }
    let names: Names = serde_json::from_str(raw).unwrap_or_default();
    let change = names.dynamodb.unwrap_or_default();
    Unreadable {
        position: 0,
        sequence_number: change.sequence_number,
        event_id: names.event_id,
        keys: change.keys.map(|k| k.get().to_owned()),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn record(seq: &str) -> Value {
        json!({
            "eventID": format!("ev{seq}"),
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "ApproximateCreationDateTime": 1_795_257_000,
                "Keys": {"userid": {"S": "u1"}, "id": {"S": "a1"}},
                "NewImage": {"userid": {"S": "u1"}, "id": {"S": "a1"}},
                "SequenceNumber": seq,
                "SizeBytes": 10,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
            }
        })
    }

    fn activity(category: &str, calories: &str) -> Value {
        json!({
            "userid": {"S": "u1"}, "id": {"S": "a1"}, "category": {"S": category},
            "type": {"S": "Lunch"}, "caloriesConsumed": {"N": calories},
            "creationDateTime": {"S": "2026-11-21T08:00:00Z"}, "note": {"S": "with \"quotes\""}
        })
    }

    #[test]
    fn a_record_reads_whole() {
        let mut r = record("111");
        r["eventName"] = json!("MODIFY");
        r["dynamodb"]["OldImage"] = activity("Food", "300");
        r["dynamodb"]["NewImage"] = activity("Nap", "5");
        let raw = json!({"Records": [r, record("112")]}).to_string();
        let batch = parse_batch(&raw).unwrap();
        assert!(batch.unreadable.is_empty());
        let r = &batch.records[0];
        assert_eq!(
            (&*r.event_id, &*r.event_name, r.sequence_number.as_deref()),
            ("ev111", "MODIFY", Some("111"))
        );
        let keys: serde_json::Value = serde_json::from_str(r.keys).unwrap();
        assert_eq!(keys, json!({"id": {"S": "a1"}, "userid": {"S": "u1"}}));
        assert_eq!(r.created, Some(1_795_257_000.0));
        assert!(matches!(r.old, Image::Counts(_)));
        assert!(matches!(r.new, Image::Invalid(_)));
        assert_eq!(batch.records[1].new, Image::KeysOnly);
        assert_eq!(batch.records[1].old, Image::Absent);
    }

    #[test]
    fn escaped_text_reads_as_its_value() {
        let raw = r#"{"Records": [{"eventID": "e\u0031", "eventName": "INS\u0045RT",
            "dynamodb": {"SequenceNumber": "1\u0032", "ApproximateCreationDateTime": "soon"}}]}"#;
        let r = &parse_batch(raw).unwrap().records[0];
        assert_eq!(
            (&*r.event_id, &*r.event_name, r.sequence_number.as_deref()),
            ("e1", "INSERT", Some("12"))
        );
        assert_eq!(
            r.created, None,
            "a creation time that is no number costs the metric only"
        );
    }

    #[test]
    fn one_broken_record_does_not_sink_the_others() {
        let mut broken = record("112");
        broken["dynamodb"]["NewImage"] = json!({"userid": {"S": 5}});
        let raw = json!({"Records": [record("111"), broken, record("113")]}).to_string();
        let batch = parse_batch(&raw).unwrap();
        assert_eq!(batch.records.len(), 2);
        assert_eq!(batch.unreadable.len(), 1);
        let u = &batch.unreadable[0];
        assert_eq!(u.position, 1);
        assert_eq!(u.sequence_number.as_deref(), Some("112"));
        assert_eq!(u.event_id.as_deref(), Some("ev112"));
        assert!(u.keys.as_deref().unwrap().contains("\"userid\""));
    }

    /// A number outside f64 (DynamoDB never sends one) makes the record unreadable; the
    /// report still names it, so an operator can find it in the table.
    #[test]
    fn a_record_no_reader_can_hold_is_still_named() {
        let mut r = record("112");
        r["dynamodb"]["NewImage"]["id"] = json!({"S": "beyond f64"});
        let broken = r
            .to_string()
            .replace(r#"{"S":"beyond f64"}"#, r#"{"N":1e999}"#);
        assert!(broken.contains("1e999"), "{broken}");
        let u = read_record(&broken).unwrap_err();
        assert_eq!(u.sequence_number.as_deref(), Some("112"));
        assert_eq!(u.event_id.as_deref(), Some("ev112"));
        assert!(u.keys.as_deref().unwrap().contains("\"userid\""));
        assert!(u.reason.contains("number out of range"), "{}", u.reason);
    }

    #[test]
    fn missing_envelope_fields_are_defaulted_not_fatal() {
        let mut r = record("111");
        let obj = r.as_object_mut().unwrap();
        obj.remove("eventID");
        obj.remove("awsRegion");
        r["eventName"] = Value::Null;
        r["dynamodb"].as_object_mut().unwrap().remove("SizeBytes");
        let raw = json!({"Records": [r]}).to_string();
        let batch = parse_batch(&raw).unwrap();
        assert_eq!(batch.records.len(), 1);
        assert_eq!(batch.records[0].event_id, "");
        assert_eq!(batch.records[0].event_name, "");
        assert_eq!(batch.records[0].sequence_number.as_deref(), Some("111"));
    }

    #[test]
    fn non_objects_are_unreadable() {
        let raw = json!({"Records": [42, record("111")]}).to_string();
        let batch = parse_batch(&raw).unwrap();
        assert_eq!(batch.records.len(), 1);
        assert_eq!(batch.unreadable[0].position, 0);
    }

    #[test]
    fn a_payload_without_records_is_an_error() {
        assert!(matches!(
            parse_batch("{\"foo\": 1}"),
            Err(Error::Payload(_))
        ));
        assert!(matches!(parse_batch("not json"), Err(Error::Payload(_))));
    }
}
