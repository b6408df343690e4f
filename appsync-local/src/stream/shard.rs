//! One shard's reading and delivery state: the records read but not yet done, the iterator,
//! retries. Plain state and decisions; the poller does the I/O.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::mapping::StreamMapping;

pub struct Shard {
    pub id: String,
    pub iterator: Option<String>,
    pub last_read: Option<String>,
    pub closed: bool,
    pub pending: VecDeque<Value>,
    pub first_pending_at: Option<Instant>,
    pub attempts: u32,
    pub next_size: usize,
    pub retry_at: Option<Instant>,
    /// Consecutive failed reads, and when to read again after them.
    pub read_errors: u32,
    pub read_again_at: Option<Instant>,
}

impl Shard {
    pub fn new(id: String, batch_size: usize) -> Self {
        Self {
            id,
            iterator: None,
            last_read: None,
            closed: false,
            pending: VecDeque::new(),
            first_pending_at: None,
            attempts: 0,
            next_size: batch_size,
            retry_at: None,
            read_errors: 0,
            read_again_at: None,
        }
    }

    /// Backs off after a failed read; says whether this failure is worth a log line (the
    /// 1st, 2nd, 4th, 8th... in a row, so that a stopped moto does not flood the log).
    pub fn read_failed(&mut self) -> bool {
        self.read_errors += 1;
        let backoff = Duration::from_millis(250)
            .saturating_mul(1 << self.read_errors.min(5))
            .min(Duration::from_secs(5));
        self.read_again_at = Some(Instant::now() + backoff);
        self.read_errors.is_power_of_two()
    }

    /// Whether a batch should be handed over now.
    pub fn due(&self, mapping: &StreamMapping) -> bool {
        if self.pending.is_empty() {
            return false;
        }
        if let Some(at) = self.retry_at {
            return Instant::now() >= at;
        }
        self.pending.len() >= mapping.batch_size
            || self.closed
            || self
                .first_pending_at
                .is_some_and(|t| t.elapsed() >= mapping.batching_window)
    }

    /// The next batch: the oldest pending records, at most the batch size, fewer after a
    /// function error halved it (BisectBatchOnFunctionError).
    pub fn next_batch(&self, mapping: &StreamMapping) -> Vec<Value> {
        let n = mapping.batch_size.min(self.next_size.max(1));
        self.pending.iter().take(n).cloned().collect()
    }

    /// The whole batch of `n` records is done.
    pub fn all_done(&mut self, n: usize, mapping: &StreamMapping) {
        self.pending.drain(..n.min(self.pending.len()));
        self.attempts = 0;
        self.retry_at = None;
        self.next_size = mapping.batch_size;
        if self.pending.is_empty() {
            self.first_pending_at = None;
        }
    }

    /// A delivery of `n` records failed after its first `done` were done (`function_error`: the
    /// function failed, rather than reporting items). Returns the records given up on once
    /// `MaximumRetryAttempts` is spent; until then they wait for a retry with backoff.
    pub fn failed(
        &mut self,
        n: usize,
        done: usize,
        function_error: bool,
        mapping: &StreamMapping,
    ) -> Vec<Value> {
        self.pending.drain(..done.min(self.pending.len()));
        if function_error && mapping.bisect_on_error && n > 1 {
            self.next_size = (n / 2).max(1);
        }
        self.attempts += 1;
        let exhausted = mapping
            .maximum_retry_attempts
            .is_some_and(|max| self.attempts > max);
        if !exhausted {
            let backoff = Duration::from_millis(100)
                .saturating_mul(1 << (self.attempts - 1).min(6))
                .min(Duration::from_secs(5));
            self.retry_at = Some(Instant::now() + backoff);
            return Vec::new();
        }
        let left = n.saturating_sub(done).min(self.pending.len());
        let dropped = self.pending.drain(..left).collect();
        self.attempts = 0;
        self.retry_at = None;
        self.next_size = mapping.batch_size;
        dropped
    }
}

/// The sequence number of a record in Lambda's event shape.
pub fn seq_of(record: &Value) -> Option<&str> {
    record
        .get("dynamodb")
        .and_then(|d| d.get("SequenceNumber"))
        .and_then(Value::as_str)
}
