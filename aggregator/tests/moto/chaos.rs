//! Fault injection while the stream is consumed (issue 12): the seeded random workload of
//! `randomized.rs` in small (writes, edits, moves between days, invalid activities, deletes
//! by many users), its real stream records delivered as Lambda would (random batches, the
//! same batch again, a retry from the middle, a resume from the reported record), while a
//! seeded share of the aggregator's DynamoDB attempts fail: throttling, 500, a reset
//! connection, a transaction conflict, or a timeout whose transaction was applied and whose
//! answer was lost (`testkit::faults`). The SDK retries what it retries (`store::retry_config`,
//! shorter waits), the handler retries cancellations, Lambda redelivers what was reported.
//!
//! Invariants: every failure is reported as a sequence number of the batch (never a record
//! dropped), and every aggregate equals the recomputation from the activity table once the
//! stream is drained, at checkpoints and at the end: nothing counted twice, nothing lost.
//!
//! Bounded for CI (300 writes, faults on 20% of attempts). The larger run in BENCHMARKS.md:
//! `CHAOS_OPERATIONS=2000 CHAOS_PER_MILLE=300 scripts/engines cargo test -p aggregator --test moto
//! chaos -- --nocapture`; `CHAOS_SEED` picks other faults and another workload.

use std::collections::BTreeMap;
use std::time::Instant;

use model::Activity;
use serde_json::Value;
use testkit::faults::Fault;

use crate::support::{activity, lambda_event, seq_of, Env, Rng};

const USERS: usize = 12;
const CATEGORIES: [&str; 4] = ["Food", "Drink", "Exercise", "Nap"];

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn random_time(rng: &mut Rng) -> String {
    let day = 20 + rng.below(3);
    let (h, m) = match rng.below(6) {
        0 => (23, 59),
        1 => (0, 0),
        _ => (rng.below(24), rng.below(60)),
    };
    format!("2026-11-{day:02}T{h:02}:{m:02}:00.000Z")
}

fn random_activity(rng: &mut Rng, user: &str, id: &str) -> Activity {
    let calories = if rng.chance(3) {
        -5
    } else {
        rng.below(900) as i64
    };
    let category = *rng.pick(&CATEGORIES);
    activity(user, id, category, calories, &random_time(rng))
}

#[derive(Debug, Default)]
struct Tally {
    deliveries: usize,
    repeats: usize,
    middle_retries: usize,
    reported_failures: usize,
    /// Transactions the handler sent beyond those planned: conflict retries, and resends
    /// without the entries found already applied.
    own_retries: usize,
    applied_entries: usize,
    duplicate_entries: usize,
}

/// Lambda's side: what was delivered, where it resumes.
struct Lambda {
    records: Vec<Value>,
    cursor: usize,
    last: (usize, usize),
    tally: Tally,
}

impl Lambda {
    /// Delivers everything read so far, redelivering as Lambda may, until nothing is left.
    async fn drain(&mut self, env: &Env, rng: &mut Rng) {
        // Bounded: at 30% faults a delivery still applies most of its batch.
        let mut budget = 50 + 20 * self.records.len();
        while self.cursor < self.records.len() {
            budget -= 1;
            assert!(budget > 0, "the stream does not drain: {:?}", self.tally);
            let (last_start, last_end) = self.last;
            let (start, end) = if self.tally.deliveries > 0 && rng.chance(10) {
                self.tally.repeats += 1;
                (last_start, last_end)
            } else if last_start < self.cursor && rng.chance(10) {
                self.tally.middle_retries += 1;
                let start = last_start + rng.below(self.cursor - last_start);
                (start, (start + 1 + rng.below(60)).min(self.records.len()))
            } else {
                let start = self.cursor;
                (start, (start + 1 + rng.below(60)).min(self.records.len()))
            };
            let batch = &self.records[start..end];
            let payload = lambda_event(batch).to_string();
            let planned = aggregator::batch::prepare(&payload)
                .expect("a stream batch")
                .transactions
                .len();
            let outcome = env.deliver_raw(&payload).await;
            self.tally.deliveries += 1;
            self.tally.own_retries += outcome.stats.transactions.saturating_sub(planned);
            self.tally.applied_entries += outcome.stats.applied_entries;
            self.tally.duplicate_entries += outcome.stats.duplicate_entries;
            self.last = (start, end);
            match outcome.failure() {
                Some(seq) => {
                    self.tally.reported_failures += 1;
                    assert!(outcome.stats.failed_entries > 0, "{:?}", outcome.stats);
                    let at = batch
                        .iter()
                        .position(|r| seq_of(r) == seq)
                        .unwrap_or_else(|| panic!("reported {seq}, which is not in the batch"));
                    // Lambda resumes from the reported record, never before the batch.
                    self.cursor = start + at;
                    self.last = (start + at, end);
                }
                None => {
                    assert_eq!(outcome.stats.failed_entries, 0, "{:?}", outcome.stats);
                    self.cursor = self.cursor.max(end);
                }
            }
        }
    }
}

#[tokio::test]
async fn random_faults_and_redeliveries_keep_every_aggregate_exact() {
    let seed = setting("CHAOS_SEED", 0xFA17_0A66);
    let operations = setting("CHAOS_OPERATIONS", 300) as usize;
    let per_mille = setting("CHAOS_PER_MILLE", 200) as u32;
    eprintln!("CHAOS_SEED={seed} {operations} writes, faults on {per_mille}/1000 attempts");
    let mut rng = Rng::new(seed);
    let mut env = Env::new().await;
    let users: Vec<String> = (0..USERS).map(|i| format!("user-{i:02}")).collect();
    let mut live: BTreeMap<(String, String), Activity> = BTreeMap::new();
    let mut lambda = Lambda {
        records: Vec::new(),
        cursor: 0,
        last: (0, 0),
        tally: Tally::default(),
    };
    let started = Instant::now();

    for op in 0..operations {
        let existing = (!live.is_empty())
            .then(|| live.keys().nth(rng.below(live.len())).cloned())
            .flatten();
        match (rng.below(100), existing) {
            (0..=44, _) | (_, None) => {
                let user = rng.pick(&users).clone();
                let id = format!("act-{op:05}");
                let a = random_activity(&mut rng, &user, &id);
                if rng.chance(25) {
                    env.update(&a).await;
                } else {
                    env.put(&a).await;
                }
                live.insert((user, id), a);
            }
            (45..=69, Some(key)) => {
                let mut a = live[&key].clone();
                a.calories = rng.below(900) as i64;
                a.creation_date_time = random_time(&mut rng);
                env.update(&a).await;
                live.insert(key, a);
            }
            (70..=84, Some(key)) => {
                let mut a = live[&key].clone();
                a.category = rng.pick(&CATEGORIES).to_string();
                env.put(&a).await;
                live.insert(key, a);
            }
            (_, Some(key)) => {
                env.delete(&key.0, &key.1).await;
                live.remove(&key);
            }
        }
        let checkpoint = (op + 1) % 200 == 0 || op + 1 == operations;
        if rng.chance(2) || checkpoint {
            lambda.records.extend(env.records().await);
            env.faults
                .0
                .chaos(seed ^ op as u64, per_mille, &Fault::ALL, |_| true);
            lambda.drain(&env, &mut rng).await;
            env.faults.clear();
        }
        if checkpoint {
            env.assert_exact(&users).await;
        }
    }

    let tally = env.faults.0.tally();
    eprintln!(
        "{} records, {:?}\n{tally:?}\nSDK retries {}, {:.1} s",
        lambda.records.len(),
        lambda.tally,
        tally.sdk_retries(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        tally.injected_total() > 0 && tally.sdk_retries() > 0,
        "{tally:?}"
    );
    for kind in Fault::ALL {
        assert!(tally.injected.contains_key(&kind), "no {kind:?}: {tally:?}");
    }
    // Not vacuous: faults made the handler retry and made Lambda redeliver.
    let t = &lambda.tally;
    assert!(
        t.own_retries > 0 && t.reported_failures + t.repeats + t.middle_retries > 0,
        "{t:?}"
    );
}
