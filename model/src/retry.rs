//! Jittered exponential backoff for the retries the AWS SDK cannot make itself: a
//! transaction cancelled because a concurrent one held its items, a batch whose items were
//! only partly applied. The SDK retries throttling, 5xx and network failures by its own
//! retry configuration (set once where each Lambda builds its `SdkConfig`); retrying those
//! again here would multiply the attempts. One rule, shared by both Lambdas.

use std::time::Duration;

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
    fn attempts_count_the_first_try() {
        let p = RetryPolicy::new(3, Duration::ZERO, Duration::ZERO);
        assert!(p.allows_retry(1) && p.allows_retry(2));
        assert!(!p.allows_retry(3));
        assert!(!RetryPolicy::new(1, Duration::ZERO, Duration::ZERO).allows_retry(1));
    }
}
