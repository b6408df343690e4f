//! Reading the invocation payload into stream records, one malformed record at a time.
//!
//! Three readers, fastest first, each tried only when the one before fails:
//! 1. the whole batch straight into activities (`dynamo_json`): borrowed envelope fields,
//!    no intermediate item maps. Real Lambda batches take this path;
//! 2. the whole batch as `aws_lambda_events`' typed `Event`, images through `serde_dynamo`
//!    (e.g. moto's keys-only images, which are not activities);
//! 3. record by record, so that a single record the typed model cannot hold (a missing
//!    `eventID`, a broken image) is skipped on its own instead of failing the invocation,
//!    which would stall the shard.
//!
//! All three give the same `Record` for a record they can all read.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use model::Activity;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::dynamo_json::DynamoJson;
use crate::error::Error;
use crate::image::Image;

/// One stream record, reduced to what the aggregates and the logs need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// Empty when Lambda sent none.
    pub event_id: Cow<'a, str>,
    pub event_name: Cow<'a, str>,
    pub sequence_number: Option<Cow<'a, str>>,
    /// The record's keys as DynamoDB JSON, for logs.
    pub keys: Cow<'a, str>,
    pub old: Image,
    pub new: Image,
}

impl From<EventRecord> for Record<'static> {
    fn from(mut r: EventRecord) -> Self {
        Record {
            keys: serde_json::to_string(&r.change.keys)
                .unwrap_or_default()
                .into(),
            old: Image::read(std::mem::take(&mut r.change.old_image)),
            new: Image::read(std::mem::take(&mut r.change.new_image)),
            event_id: r.event_id.into(),
            event_name: r.event_name.into(),
            sequence_number: r.change.sequence_number.map(Cow::Owned),
        }
    }
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

impl From<Event> for Batch<'static> {
    fn from(event: Event) -> Self {
        Self {
            records: event.records.into_iter().map(Record::from).collect(),
            unreadable: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
struct FastEvent<'a> {
    // Converted as they are read: holding every parsed record before converting it would
    // double the batch's memory traffic.
    #[serde(rename = "Records", borrow, deserialize_with = "fast_records")]
    records: Vec<Record<'a>>,
}

fn fast_records<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Vec<Record<'a>>, D::Error> {
    struct Records<'a>(PhantomData<&'a ()>);
    impl<'de: 'a, 'a> Visitor<'de> for Records<'a> {
        type Value = Vec<Record<'a>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of stream records")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(r) = seq.next_element::<FastRecord<'de>>()? {
                out.push(r.into());
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Records(PhantomData))
}

#[derive(Deserialize)]
struct FastRecord<'a> {
    #[serde(rename = "eventID", default)]
    event_id: Option<&'a str>,
    #[serde(rename = "eventName")]
    event_name: &'a str,
    #[serde(rename = "dynamodb", borrow)]
    change: FastChange<'a>,
}

#[derive(Deserialize)]
struct FastChange<'a> {
    #[serde(rename = "Keys", borrow, default)]
    keys: Option<&'a RawValue>,
    #[serde(rename = "NewImage", default)]
    new_image: Option<DynamoJson<Activity>>,
    #[serde(rename = "OldImage", default)]
    old_image: Option<DynamoJson<Activity>>,
    #[serde(rename = "SequenceNumber", default)]
    sequence_number: Option<&'a str>,
}

fn image(slot: Option<DynamoJson<Activity>>) -> Image {
    slot.map_or(Image::Absent, |DynamoJson(a)| Image::of_activity(a))
}

impl<'a> From<FastRecord<'a>> for Record<'a> {
    fn from(r: FastRecord<'a>) -> Self {
        Record {
            event_id: r.event_id.unwrap_or_default().into(),
            event_name: r.event_name.into(),
            sequence_number: r.change.sequence_number.map(Cow::Borrowed),
            keys: r.change.keys.map_or("{}", RawValue::get).into(),
            old: image(r.change.old_image),
            new: image(r.change.new_image),
        }
    }
}

/// Parses a Lambda DynamoDB stream payload. Fails only when the payload has no `Records`
/// array: then there is no record to name in a partial batch response either.
pub fn parse_batch(raw: &str) -> Result<Batch<'_>, Error> {
    if let Ok(event) = serde_json::from_str::<FastEvent<'_>>(raw) {
        return Ok(Batch {
            records: event.records,
            unreadable: Vec::new(),
        });
    }
    if let Ok(event) = serde_json::from_str::<Event>(raw) {
        return Ok(event.into());
    }

    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(rename = "Records", borrow)]
        records: Vec<&'a RawValue>,
    }
    let envelope: Envelope<'_> = serde_json::from_str(raw)?;
    let mut batch = Batch::default();
    for (position, raw) in envelope.records.into_iter().enumerate() {
        match parse_record(raw) {
            Ok(record) => batch.records.push(record.into()),
            Err(mut unreadable) => {
                unreadable.position = position;
                batch.unreadable.push(unreadable);
            }
        }
    }
    Ok(batch)
}

/// What names a record in a report, read while skipping everything else unparsed: a record
/// whose images cannot be read at all (a number outside f64, which `Value` refuses) is still
/// named by its sequence number, event id and keys.
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

fn parse_record(raw: &RawValue) -> Result<EventRecord, Unreadable> {
    if let Ok(record) = serde_json::from_str::<EventRecord>(raw.get()) {
        return Ok(record);
    }
    let names: Names = serde_json::from_str(raw.get()).unwrap_or_default();
    let change = names.dynamodb.unwrap_or_default();
    let unreadable = Unreadable {
        position: 0,
        sequence_number: change.sequence_number,
        event_id: names.event_id,
        keys: change.keys.map(|k| {
            serde_json::from_str::<Value>(k.get())
                .map_or_else(|_| k.get().to_owned(), |v| v.to_string())
        }),
        reason: String::new(),
    };
    let mut value: Value = match serde_json::from_str(raw.get()) {
        Ok(v) => v,
        Err(e) => {
            return Err(Unreadable {
                reason: e.to_string(),
                ..unreadable
            })
        }
    };
    let Some(obj) = value.as_object_mut() else {
        return Err(Unreadable {
            reason: "record is not a JSON object".into(),
            ..unreadable
        });
    };

    // Fields the typed model requires but that say nothing about the change itself: with
    // them defaulted the record is judged by its images and sequence number, which is all
    // the aggregate depends on (a missing eventID falls back to the sequence number).
    default_string(obj, "eventID");
    default_string(obj, "eventName");
    default_string(obj, "awsRegion");
    if let Some(Value::Object(change)) = obj.get_mut("dynamodb") {
        if change.get("SizeBytes").is_none_or(Value::is_null) {
            change.insert("SizeBytes".into(), Value::from(0));
        }
    }
    serde_json::from_value::<EventRecord>(value).map_err(|e| Unreadable {
        reason: e.to_string(),
        ..unreadable
    })
}

fn default_string(obj: &mut Map<String, Value>, key: &str) {
    if obj.get(key).is_none_or(Value::is_null) {
        obj.insert(key.into(), Value::String(String::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(seq: &str) -> Value {
        json!({
            "eventID": format!("ev{seq}"),
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "Keys": {"userid": {"S": "u1"}, "id": {"S": "a1"}},
                "NewImage": {"userid": {"S": "u1"}, "id": {"S": "a1"}},
                "SequenceNumber": seq,
                "SizeBytes": 10,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
            }
        })
    }

    fn activity_record(seq: &str, name: &str, old: Option<Value>, new: Option<Value>) -> Value {
        let mut r = record(seq);
        r["eventName"] = json!(name);
        let change = r["dynamodb"].as_object_mut().unwrap();
        change.remove("NewImage");
        if let Some(o) = old {
            change.insert("OldImage".into(), o);
        }
        if let Some(n) = new {
            change.insert("NewImage".into(), n);
        }
        r
    }

    fn activity(category: &str, calories: &str, at: &str) -> Value {
        json!({
            "userid": {"S": "u1"}, "id": {"S": "a1"}, "category": {"S": category},
            "type": {"S": "Lunch"}, "caloriesConsumed": {"N": calories},
            "creationDateTime": {"S": at}, "note": {"S": "with \"quotes\""}
        })
    }

    fn without_keys(records: Vec<Record<'_>>) -> Vec<Record<'static>> {
        records
            .into_iter()
            .map(|r| Record {
                event_id: r.event_id.into_owned().into(),
                event_name: r.event_name.into_owned().into(),
                sequence_number: r.sequence_number.map(|s| s.into_owned().into()),
                keys: "".into(),
                old: r.old,
                new: r.new,
            })
            .collect()
    }

    #[test]
    fn the_fast_reader_agrees_with_the_typed_event() {
        let at = "2026-11-21T08:00:00Z";
        let raw = json!({"Records": [
            activity_record("111", "INSERT", None, Some(activity("Food", "300", at))),
            activity_record("112", "MODIFY", Some(activity("Food", "300", at)), Some(activity("Nap", "5", at))),
            activity_record("113", "MODIFY", Some(activity("Nap", "5", at)), Some(activity("Exercise", "-1", at))),
            activity_record("114", "REMOVE", Some(activity("Exercise", "-1", at)), None),
        ]})
        .to_string();
        assert!(
            serde_json::from_str::<FastEvent<'_>>(&raw).is_ok(),
            "takes the fast path"
        );
        let fast = parse_batch(&raw).unwrap();
        let typed = Batch::from(serde_json::from_str::<Event>(&raw).unwrap());
        assert_eq!(fast.records.len(), 4);
        assert!(matches!(fast.records[0].new, Image::Counts(_)));
        assert!(matches!(fast.records[1].new, Image::Invalid(_)));
        assert_eq!(without_keys(fast.records), without_keys(typed.records));
    }

    #[test]
    fn keys_only_images_take_the_typed_reader() {
        let raw = json!({"Records": [record("111")]}).to_string();
        assert!(serde_json::from_str::<FastEvent<'_>>(&raw).is_err());
        let batch = parse_batch(&raw).unwrap();
        assert_eq!(batch.records[0].new, Image::KeysOnly);
        assert_eq!(batch.records[0].old, Image::Absent);
    }

    #[test]
    fn well_formed_batch_parses_whole() {
        let raw = json!({"Records": [record("111"), record("112")]}).to_string();
        let batch = parse_batch(&raw).unwrap();
        assert_eq!(batch.records.len(), 2);
        assert!(batch.unreadable.is_empty());
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

    /// A number outside f64 (DynamoDB never sends one) makes the record unreadable even as a
    /// `Value`; the report still names it, so an operator can find it in the table.
    #[test]
    fn a_record_no_reader_can_hold_is_still_named() {
        let broken =
            record("112")
                .to_string()
                .replacen("\"SizeBytes\":10", "\"SizeBytes\":1e999", 1);
        assert!(broken.contains("1e999"), "{broken}");
        let raw = RawValue::from_string(broken).unwrap();
        let u = parse_record(&raw).unwrap_err();
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
        r["dynamodb"].as_object_mut().unwrap().remove("SizeBytes");
        let raw = json!({"Records": [r]}).to_string();
        let batch = parse_batch(&raw).unwrap();
        assert_eq!(batch.records.len(), 1);
        assert_eq!(batch.records[0].event_id, "");
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

    /// The fast reader against the typed event (serde_dynamo) on whole batches of generated
    /// records, wrongly typed attribute values included: whenever the fast path takes a
    /// batch, every record reads as the typed path reads it.
    #[test]
    fn differential_on_generated_batches() {
        let seed = 0x0BA7_C4E5;
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut fast_batches = 0;
        for b in 0..3_000 {
            let records: Vec<String> = (0..rng.usize(1..4))
                .map(|i| {
                    let (name, old, new) = match rng.u8(..3) {
                        0 => ("INSERT", None, Some(crate::dynamo_json::tests::image(&mut rng))),
                        1 => (
                            "MODIFY",
                            Some(crate::dynamo_json::tests::image(&mut rng)),
                            Some(crate::dynamo_json::tests::image(&mut rng)),
                        ),
                        _ => ("REMOVE", Some(crate::dynamo_json::tests::image(&mut rng)), None),
                    };
                    let image = |key: &str, v: Option<String>| {
                        v.map(|v| format!(r#","{key}":{v}"#)).unwrap_or_default()
                    };
                    format!(
                        r#"{{"eventID":"e{i}","eventName":"{name}","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{{"Keys":{{"userid":{{"S":"u1"}},"id":{{"S":"a1"}}}},"SequenceNumber":"{}","SizeBytes":10,"StreamViewType":"NEW_AND_OLD_IMAGES"{}{}}}}}"#,
                        100 + i,
                        image("OldImage", old),
                        image("NewImage", new)
                    )
                })
                .collect();
            let raw = format!(r#"{{"Records":[{}]}}"#, records.join(","));
            let Ok(fast) = serde_json::from_str::<FastEvent<'_>>(&raw) else {
                continue;
            };
            fast_batches += 1;
            let typed = serde_json::from_str::<Event>(&raw).unwrap_or_else(|e| {
                panic!(
                    "batch {b} (seed {seed:#x}): fast reads it, the typed event not ({e}): {raw}"
                )
            });
            assert_eq!(
                without_keys(fast.records),
                without_keys(Batch::from(typed).records),
                "batch {b} (seed {seed:#x}): {raw}"
            );
        }
        assert!(
            fast_batches > 40,
            "{fast_batches} batches took the fast path"
        );
    }
}
