//! The aggregator's metrics, written as CloudWatch EMF after each batch (`startup::metrics`):
//! records applied, skipped and failed, and the age of the newest record of the batch - how
//! far behind the stream the aggregates are, by the records' own clock rather than by the
//! iterator's.
//!
//! Read from the batch's outcome plus one light pass over the payload for each record's
//! sequence number and creation time (the handler's readers do not keep them), so the
//! handler itself is unchanged.

use std::time::{SystemTime, UNIX_EPOCH};

use metrics::{counter, describe_counter, describe_histogram, histogram, Unit};
use serde::Deserialize;

use crate::handler::Outcome;
use crate::seq::SequenceNumber;

/// Records applied by this delivery or found applied by an earlier one.
pub const RECORDS_APPLIED: &str = "RecordsApplied";
/// Records that can never be applied, passed over for good (and logged).
pub const RECORDS_SKIPPED: &str = "RecordsSkipped";
/// Records handed back to Lambda for redelivery (from the lowest one not applied on).
pub const RECORDS_FAILED: &str = "RecordsFailed";
/// Now minus the newest record's ApproximateCreationDateTime, once per batch.
pub const NEWEST_RECORD_AGE: &str = "NewestRecordAge";

/// Every metric above, for the dashboard's contract test.
pub const METRICS: &[&str] = &[
    RECORDS_APPLIED,
    RECORDS_SKIPPED,
    RECORDS_FAILED,
    NEWEST_RECORD_AGE,
];

/// Gives each metric its unit. Call once, at start-up.
pub fn describe() {
    describe_counter!(RECORDS_APPLIED, Unit::Count, "stream records applied");
    describe_counter!(
        RECORDS_SKIPPED,
        Unit::Count,
        "stream records skipped for good"
    );
    describe_counter!(
        RECORDS_FAILED,
        Unit::Count,
        "stream records to be redelivered"
    );
    describe_histogram!(
        NEWEST_RECORD_AGE,
        Unit::Milliseconds,
        "age of the newest record of a batch"
    );
}

/// What the metrics need of each record; everything else in the payload is skipped.
#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(rename = "Records", borrow, default)]
    records: Vec<RecordTimes<'a>>,
}

#[derive(Deserialize)]
struct RecordTimes<'a> {
    #[serde(borrow, default)]
    dynamodb: Option<StreamTimes<'a>>,
}

#[derive(Deserialize)]
struct StreamTimes<'a> {
    #[serde(rename = "SequenceNumber", borrow, default)]
    sequence_number: Option<&'a str>,
    #[serde(rename = "ApproximateCreationDateTime", default)]
    created: Option<f64>,
}

/// The counts of one batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchMetrics {
    pub applied: u64,
    pub skipped: u64,
    pub failed: u64,
    /// Milliseconds; None when no record says when it was created.
    pub newest_record_age_ms: Option<f64>,
}

/// Counts one batch from its payload and what the handler made of it, at `now`.
pub fn measure(raw: &str, outcome: &Outcome, now: SystemTime) -> BatchMetrics {
    let payload: Payload = serde_json::from_str(raw).unwrap_or(Payload { records: vec![] });
    let resume = outcome.failure().map(SequenceNumber::new);
    let failed = match &resume {
        None => 0,
        Some(from) => payload
            .records
            .iter()
            .filter_map(|r| r.dynamodb.as_ref()?.sequence_number)
            .filter(|s| SequenceNumber::new(*s) >= *from)
            .count() as u64,
    };
    let records = outcome.stats.records as u64;
    let skipped = outcome.stats.skipped_records as u64;
    let now_s = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let newest = payload
        .records
        .iter()
        .filter_map(|r| r.dynamodb.as_ref()?.created)
        .fold(None, |m: Option<f64>, c| Some(m.map_or(c, |m| m.max(c))));
    BatchMetrics {
        // A skipped record past the failure point comes again too: it is counted as failed.
        applied: records.saturating_sub(skipped).saturating_sub(failed),
        skipped,
        failed,
        newest_record_age_ms: newest.map(|c| ((now_s - c) * 1000.0).max(0.0)),
    }
}

/// Counts one batch (see [`measure`]).
pub fn record(raw: &str, outcome: &Outcome) {
    let m = measure(raw, outcome, SystemTime::now());
    counter!(RECORDS_APPLIED).increment(m.applied);
    counter!(RECORDS_SKIPPED).increment(m.skipped);
    counter!(RECORDS_FAILED).increment(m.failed);
    if let Some(age) = m.newest_record_age_ms {
        histogram!(NEWEST_RECORD_AGE).record(age);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::Stats;
    use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
    use std::time::Duration;

    fn payload(records: &[(&str, f64)]) -> String {
        let records: Vec<serde_json::Value> = records
            .iter()
            .map(|(seq, created)| {
                serde_json::json!({"eventName": "INSERT", "dynamodb": {
                    "SequenceNumber": seq, "ApproximateCreationDateTime": created,
                    "Keys": {"userid": {"S": "u"}}}})
            })
            .collect();
        serde_json::json!({ "Records": records }).to_string()
    }

    fn outcome(records: usize, skipped: usize, resume_from: Option<&str>) -> Outcome {
        let mut response = DynamoDbEventResponse::default();
        if let Some(seq) = resume_from {
            let mut f = DynamoDbBatchItemFailure::default();
            f.item_identifier = Some(seq.to_string());
            response.batch_item_failures.push(f);
        }
        Outcome {
            response,
            stats: Stats {
                records,
                skipped_records: skipped,
                ..Stats::default()
            },
        }
    }

    #[test]
    fn failed_records_are_those_from_the_resume_point_on_compared_as_integers() {
        let raw = payload(&[("9", 100.0), ("10", 101.0), ("11", 99.5), ("100", 100.0)]);
        let now = UNIX_EPOCH + Duration::from_millis(101_250);
        let m = measure(&raw, &outcome(4, 1, Some("10")), now);
        assert_eq!(
            m,
            BatchMetrics {
                applied: 0,
                skipped: 1,
                failed: 3,
                newest_record_age_ms: Some(250.0),
            }
        );
        let m = measure(&raw, &outcome(4, 0, None), now);
        assert_eq!((m.applied, m.failed), (4, 0));
    }

    #[test]
    fn an_unreadable_payload_or_a_record_from_the_future_measures_safely() {
        let now = UNIX_EPOCH + Duration::from_secs(100);
        let m = measure("not json", &outcome(0, 0, None), now);
        assert_eq!(m.newest_record_age_ms, None);
        let m = measure(&payload(&[("1", 200.0)]), &outcome(1, 0, None), now);
        assert_eq!(
            m.newest_record_age_ms,
            Some(0.0),
            "clock skew is not a negative age"
        );
    }
}
