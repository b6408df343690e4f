//! The aggregator's metrics, written as CloudWatch EMF after each batch (`startup::metrics`):
//! records applied, skipped and failed, and the age of the newest record of the batch - how
//! far behind the stream the aggregates are, by the records' own clock rather than by the
//! iterator's. All read from the batch's outcome.

use std::time::{SystemTime, UNIX_EPOCH};

use metrics::{counter, describe_counter, describe_histogram, histogram, Unit};

use crate::handler::Outcome;

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

/// The counts of one batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchMetrics {
    pub applied: u64,
    pub skipped: u64,
    pub failed: u64,
    /// Milliseconds; None when no record says when it was created.
    pub newest_record_age_ms: Option<f64>,
}

/// Counts one batch from what the handler made of it, at `now`.
pub fn measure(outcome: &Outcome, now: SystemTime) -> BatchMetrics {
    let stats = &outcome.stats;
    let (records, skipped, failed) = (
        stats.records as u64,
        stats.skipped_records as u64,
        stats.failed_records as u64,
    );
    let now_s = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    BatchMetrics {
        // A skipped record past the failure point comes again too: it is counted as failed.
        applied: records.saturating_sub(skipped).saturating_sub(failed),
        skipped,
        failed,
        newest_record_age_ms: outcome
            .newest_created
            .map(|c| ((now_s - c) * 1000.0).max(0.0)),
    }
}

/// Counts one batch (see [`measure`]).
pub fn record(outcome: &Outcome) {
    let m = measure(outcome, SystemTime::now());
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
    use std::time::Duration;

    fn outcome(records: usize, skipped: usize, failed: usize, newest: Option<f64>) -> Outcome {
        Outcome {
            stats: Stats {
                records,
                skipped_records: skipped,
                failed_records: failed,
                ..Stats::default()
            },
            newest_created: newest,
            ..Outcome::default()
        }
    }

    #[test]
    fn a_skipped_record_past_the_failure_point_counts_as_failed_not_applied() {
        let now = UNIX_EPOCH + Duration::from_millis(101_250);
        let m = measure(&outcome(4, 1, 3, Some(101.0)), now);
        assert_eq!(
            m,
            BatchMetrics {
                applied: 0,
                skipped: 1,
                failed: 3,
                newest_record_age_ms: Some(250.0),
            }
        );
        let m = measure(&outcome(4, 0, 0, None), now);
        assert_eq!((m.applied, m.failed, m.newest_record_age_ms), (4, 0, None));
    }

    #[test]
    fn a_record_from_the_future_has_no_negative_age() {
        let now = UNIX_EPOCH + Duration::from_secs(100);
        let m = measure(&outcome(1, 0, 0, Some(200.0)), now);
        assert_eq!(
            m.newest_record_age_ms,
            Some(0.0),
            "clock skew is not a negative age"
        );
    }
}
