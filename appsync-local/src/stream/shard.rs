//! One shard's reading and delivery state: its reader, the records read but not yet done,
//! retries; and the checkpoints a restarted poller resumes from. Plain state and decisions;
//! the poller does the I/O.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use stack_template::stream::ShardReader;

use super::mapping::StreamMapping;

/// How far the function is through each shard, kept apart from the poller so that a poller
/// started again (after a stop) goes on after the last record done, as an event source
/// mapping keeps its place: nothing delivered twice, nothing skipped.
#[derive(Debug, Default)]
pub struct Checkpoints(Mutex<HashMap<String, Checkpoint>>);

#[derive(Debug, Default, Clone)]
pub struct Checkpoint {
    /// The sequence number of the last record done (delivered, or dropped after its retries).
    pub done: Option<String>,
    /// Every record of the shard is done and the shard has ended.
    pub finished: bool,
}

impl Checkpoints {
    pub fn get(&self, shard: &str) -> Checkpoint {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(shard).cloned().unwrap_or_default()
    }

    /// Records where `shard` stands.
    pub fn keep(&self, shard: &Shard) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(shard.id().to_string()).or_default();
        if shard.done.is_some() {
            entry.done.clone_from(&shard.done);
        }
        entry.finished = shard.finished();
    }
}

pub struct Shard {
    pub reader: ShardReader,
    /// The sequence number of the last record done.
    pub done: Option<String>,
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
    pub fn new(reader: ShardReader, batch_size: usize) -> Self {
        Self {
            reader,
            done: None,
            pending: VecDeque::new(),
            first_pending_at: None,
            attempts: 0,
            next_size: batch_size,
            retry_at: None,
            read_errors: 0,
            read_again_at: None,
        }
    }

    pub fn id(&self) -> &str {
        &self.reader.shard_id
    }

    /// The shard has ended and every record of it is done.
    pub fn finished(&self) -> bool {
        self.reader.closed && self.pending.is_empty()
    }

    /// The first `n` pending records are done.
    fn take(&mut self, n: usize) -> Vec<Value> {
        let taken: Vec<Value> = self.pending.drain(..n.min(self.pending.len())).collect();
        if let Some(seq) = taken.last().and_then(seq_of) {
            self.done = Some(seq.to_string());
        }
        taken
    }

    /// Backs off after a failed read; says whether this failure is worth a log line (the
    /// 1st, 2nd, 4th, 8th... in a row, so that a stopped DynamoDB Local does not flood the log).
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
            || self.reader.closed
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
        self.take(n);
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
        self.take(done);
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
        let dropped = self.take(left);
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
