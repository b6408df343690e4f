//! The retries the AWS SDK cannot make itself, for both Lambdas: a transaction DynamoDB
//! cancelled for a passing cause, a batch whose items were only partly applied; each with
//! jittered exponential backoff. The SDK retries throttling, 5xx, network failures and
//! `TransactionInProgressException` by its own retry configuration, but it cannot tell a
//! `TransactionCanceledException` that may commit next time from one that never will: only
//! its cancellation reasons can ([`cancellation_may_pass`]).

use std::time::Duration;

/// A transaction cancelled for a passing cause: six tries in all, the five waits' ceilings
/// 20, 40, 80, 160 and 320 ms (at most 620 ms of waiting in all). A conflicting transaction
/// (people booking one event, Lambdas of several shards updating one aggregate) takes tens
/// of milliseconds; past these tries the resolvers answer a retryable Conflict and the
/// aggregator leaves the records to Lambda's redelivery.
pub const CANCELLED_TRANSACTION: RetryPolicy =
    RetryPolicy::new(6, Duration::from_millis(10), Duration::from_millis(640));

/// Whether a transaction DynamoDB cancelled with these reasons (one per item, in request
/// order) may commit on a later try: every item that failed, failed for a passing cause (a
/// concurrent transaction on it, throttling). A cancellation that names no reason at all is
/// given the benefit of the doubt; one whose items all passed names nothing to wait for.
/// Callers first take out what a failed condition means to them.
pub fn cancellation_may_pass<'a>(codes: impl IntoIterator<Item = Option<&'a str>>) -> bool {
    let mut codes = codes.into_iter().peekable();
    if codes.peek().is_none() {
        return true;
    }
    let mut passing = false;
    for code in codes {
        match code {
            None | Some("None") => {}
            Some(
                "TransactionConflict"
                | "ThrottlingError"
                | "ProvisionedThroughputExceeded"
                | "RequestLimitExceeded",
            ) => passing = true,
            Some(_) => return false,
        }
    }
    passing
}

/// How many tries, and how long to wait between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included (1: never retry).
    pub attempts: u32,
    /// The wait's ceiling after the first failure; it doubles with each further failure.
    pub base_delay: Duration,
    /// The ceiling's cap.
    pub max_delay: Duration,
}

impl RetryPolicy {
    pub const fn new(attempts: u32, base_delay: Duration, max_delay: Duration) -> Self {
        Self {
            attempts,
            base_delay,
            max_delay,
        }
    }

    /// Whether another try may follow `failures` failed ones.
    pub fn allows_retry(&self, failures: u32) -> bool {
        failures < self.attempts
    }

    /// The wait after the `failures`-th failure (counted from 1), drawn at random.
    pub fn delay(&self, failures: u32) -> Duration {
        self.delay_with(failures, fastrand::u64(..))
    }

    /// [`RetryPolicy::delay`] with the random draw given, for reproducible tests.
    ///
    /// "Equal jitter": uniform in [ceiling / 2, ceiling], ceiling = `base_delay` x
    /// 2^`failures`, at most `max_delay`. The random half spreads callers that failed
    /// together (Lambdas of several shards conflicting on one aggregate, hundreds of people
    /// booking one event), so they do not collide again in lockstep; the fixed half keeps a
    /// retry from coming back before the conflicting transaction can have finished.
    pub fn delay_with(&self, failures: u32, random: u64) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << failures.min(16))
            .min(self.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let half = nanos / 2;
        Duration::from_nanos(nanos - half + random % (half + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
        };
        for failures in 1..10 {
            let d = p.delay(failures);
            let cap = Duration::from_millis(100 * (1 << failures)).min(Duration::from_millis(500));
            assert!(d <= cap && d >= cap / 2, "{failures}: {d:?} vs {cap:?}");
        }
    }

    #[test]
    fn the_draw_spans_the_upper_half_of_the_ceiling() {
        let p = RetryPolicy::new(5, Duration::from_millis(10), Duration::from_secs(1));
        assert_eq!(p.delay_with(1, 0), Duration::from_millis(10));
        assert_eq!(p.delay_with(1, 10_000_000), Duration::from_millis(20));
        assert_eq!(p.delay_with(3, u64::MAX), p.delay_with(3, u64::MAX));
        assert!(p.delay_with(40, u64::MAX) <= Duration::from_secs(1));
        // Huge ceilings neither overflow nor panic (they saturate at u64::MAX nanoseconds).
        let wide = RetryPolicy::new(5, Duration::MAX, Duration::MAX);
        assert!(wide.delay_with(16, u64::MAX) >= Duration::from_nanos(u64::MAX / 2));
    }

    #[test]
    fn only_passing_causes_are_worth_another_try() {
        assert!(cancellation_may_pass([
            Some("TransactionConflict"),
            Some("None")
        ]));
        assert!(cancellation_may_pass([None, Some("ThrottlingError")]));
        assert!(cancellation_may_pass([]));
        assert!(!cancellation_may_pass([Some("None"), None]));
        assert!(!cancellation_may_pass([
            Some("TransactionConflict"),
            Some("ValidationError")
        ]));
        assert!(!cancellation_may_pass([Some("ConditionalCheckFailed")]));
    }

    #[test]
    fn attempts_count_the_first_try() {
        let p = RetryPolicy::new(3, Duration::ZERO, Duration::ZERO);
        assert!(p.allows_retry(1) && p.allows_retry(2));
        assert!(!p.allows_retry(3));
        assert!(!RetryPolicy::new(1, Duration::ZERO, Duration::ZERO).allows_retry(1));
    }
}
