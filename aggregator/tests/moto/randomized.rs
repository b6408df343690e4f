//! A seeded random run: thousands of activity writes of every kind across many users, their
//! real stream records delivered in random batches with the redeliveries Lambda may make
//! (the same batch again, a retry from the middle, a failure mid-batch and a resume from the
//! reported record), then every aggregate checked against a recomputation from the table.
//!
//! Reproducible: the seed is fixed (override with AGGREGATOR_SEED=<u64> to explore).

use std::collections::BTreeMap;

use aggregator::seq::SequenceNumber;
use model::Activity;
use serde_json::Value;

use crate::support::{activity, seq_of, user_of, Env, Rng};

const DEFAULT_SEED: u64 = 0x00C0_FFEE_0CA1_0B1E;
const OPERATIONS: usize = 2_000;
const USERS: usize = 24;
const DAYS: [u32; 3] = [20, 21, 22];
const CATEGORIES: [&str; 3] = ["Food", "Drink", "Exercise"];

fn random_time(rng: &mut Rng) -> String {
    let day = *rng.pick(&DAYS);
    // Midnight edges are where a clock-based bucketing would go wrong.
    let (h, m, s) = match rng.below(10) {
        0 => (23, 59, 59),
        1 => (0, 0, 0),
        _ => (rng.below(24), rng.below(60), rng.below(60)),
    };
    format!("2026-11-{day:02}T{h:02}:{m:02}:{s:02}.000Z")
}

fn random_activity(rng: &mut Rng, user: &str, id: &str) -> Activity {
    let calories = rng.below(900) as i64 + if rng.chance(3) { 0 } else { 1 };
    let category = *rng.pick(&CATEGORIES);
    activity(user, id, category, calories, &random_time(rng))
}

/// An activity the model rejects: it must count for nothing, and its edits must still
/// leave the aggregates exact.
fn invalidate(rng: &mut Rng, mut a: Activity) -> Activity {
    match rng.below(3) {
        0 => a.category = "Nap".into(),
        1 => a.calories = -(rng.below(100) as i64) - 1,
        _ => a.calories = model::activity::MAX_CALORIES + 1,
    }
    a
}

/// Whether a record carries an image that counts, i.e. will be part of a transaction.
fn counts(record: &Value) -> bool {
    ["OldImage", "NewImage"].iter().any(|side| {
        let Some(image) = record["dynamodb"].get(*side) else {
            return false;
        };
        let Ok(item) = serde_json::from_value::<serde_dynamo::Item>(image.clone()) else {
            return false;
        };
        serde_dynamo::from_item::<_, Activity>(item).is_ok_and(|a| a.contribution().is_ok())
    })
}

#[derive(Default, Debug)]
struct Tally {
    deliveries: usize,
    repeats: usize,
    middle_retries: usize,
    failures: usize,
    resumes: usize,
}

struct Lambda {
    /// Every stream record so far, in order.
    records: Vec<Value>,
    /// Next record Lambda has not had a success for.
    cursor: usize,
    /// Start of the last batch: Lambda never goes back further than that.
    last_batch: (usize, usize),
    /// Markers of records before this index were deleted.
    expired_below: usize,
    tally: Tally,
}

impl Lambda {
    /// Delivers everything read so far, the way Lambda might.
    async fn drain(&mut self, env: &Env, rng: &mut Rng) {
        while self.cursor < self.records.len() {
            let (last_start, last_end) = self.last_batch;
            let (start, end) = if self.tally.deliveries > 0 && rng.chance(10) {
                self.tally.repeats += 1;
                (last_start, last_end)
            } else if last_start < self.cursor && rng.chance(15) {
                self.tally.middle_retries += 1;
                let start = last_start + rng.below(self.cursor - last_start);
                (start, (start + 1 + rng.below(120)).min(self.records.len()))
            } else {
                let start = self.cursor;
                (start, (start + 1 + rng.below(120)).min(self.records.len()))
            };
            let batch = &self.records[start..end];

            // A failure only shows when the doomed user has something in the batch.
            let doomed = rng.chance(20).then(|| user_of(rng.pick(batch)).to_owned());
            let expected_failure = doomed.as_ref().and_then(|user| {
                batch
                    .iter()
                    .filter(|r| user_of(r) == user && counts(r))
                    .map(|r| SequenceNumber::new(seq_of(r)))
                    .min()
            });
            if let Some(user) = &doomed {
                env.faults.fail(Some(user), None);
            }
            let outcome = env.deliver(batch).await;
            env.faults.clear();
            self.tally.deliveries += 1;
            self.last_batch = (start, end);

            assert_eq!(
                outcome.failure().map(SequenceNumber::new),
                expected_failure,
                "batch {start}..{end} with {doomed:?} failing: {:?}",
                outcome.stats
            );
            match outcome.failure() {
                Some(seq) => {
                    self.tally.failures += 1;
                    let at = batch
                        .iter()
                        .position(|r| seq_of(r) == seq)
                        .expect("reported record is in the batch");
                    // Lambda resumes from the reported record; nothing before it is retried.
                    self.cursor = start + at;
                    self.last_batch = (start + at, end);
                    self.tally.resumes += 1;
                }
                None => self.cursor = self.cursor.max(end),
            }

            // Records before the last batch will never come again: their markers may expire.
            if self.last_batch.0 > self.expired_below + 200 {
                let floor = SequenceNumber::new(seq_of(&self.records[self.last_batch.0]));
                env.expire_markers_before(&floor).await;
                self.expired_below = self.last_batch.0;
            }
        }
    }
}

#[tokio::test]
async fn random_writes_and_redeliveries_keep_every_aggregate_exact() {
    let seed = std::env::var("AGGREGATOR_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    eprintln!("AGGREGATOR_SEED={seed}");
    let mut rng = Rng::new(seed);
    let mut env = Env::new().await;
    let users: Vec<String> = (0..USERS).map(|i| format!("user-{i:02}")).collect();

    // What the test wrote, to pick edits from; the table itself is the oracle.
    let mut live: BTreeMap<(String, String), Activity> = BTreeMap::new();
    let mut next_id = 0usize;
    let mut lambda = Lambda {
        records: Vec::new(),
        cursor: 0,
        last_batch: (0, 0),
        expired_below: 0,
        tally: Tally::default(),
    };
    // Writes that changed an item: each makes exactly one stream record (a write that leaves
    // the item as it was makes none, as on DynamoDB).
    let mut changes = 0usize;
    let mut until_delivery = 1 + rng.below(150);
    let mut next_checkpoint = 500;

    for op in 0..OPERATIONS {
        let existing: Option<(String, String)> = if live.is_empty() {
            None
        } else {
            live.keys().nth(rng.below(live.len())).cloned()
        };
        let roll = rng.below(100);
        match (roll, existing) {
            (0..=39, _) | (_, None) => {
                let user = rng.pick(&users).clone();
                let id = format!("act-{next_id:05}");
                next_id += 1;
                let mut a = random_activity(&mut rng, &user, &id);
                if rng.chance(4) {
                    a = invalidate(&mut rng, a);
                }
                // UpdateItem creates the item too.
                if rng.chance(25) {
                    env.update(&a).await;
                } else {
                    env.put(&a).await;
                }
                changes += 1;
                live.insert((user, id), a);
            }
            (40..=54, Some(key)) => {
                let mut a = live[&key].clone();
                a.calories = rng.below(900) as i64;
                env.put(&a).await;
                changes += usize::from(live.insert(key, a.clone()) != Some(a));
            }
            (55..=66, Some(key)) => {
                let mut a = live[&key].clone();
                a.creation_date_time = random_time(&mut rng);
                env.update(&a).await;
                changes += usize::from(live.insert(key, a.clone()) != Some(a));
            }
            (67..=74, Some(key)) => {
                let mut a = live[&key].clone();
                a.category = rng.pick(&CATEGORIES).to_string();
                env.update(&a).await;
                changes += usize::from(live.insert(key, a.clone()) != Some(a));
            }
            (75..=78, Some(key)) => {
                let a = live[&key].clone();
                env.put(&a).await; // no change: no record
            }
            (79..=82, Some(key)) => {
                let a = invalidate(&mut rng, live[&key].clone());
                env.put(&a).await;
                changes += usize::from(live.insert(key, a.clone()) != Some(a));
            }
            (_, Some(key)) => {
                env.delete(&key.0, &key.1).await;
                live.remove(&key);
                changes += 1;
            }
        }

        until_delivery -= 1;
        let checkpoint = op + 1 == next_checkpoint;
        if until_delivery == 0 || checkpoint {
            lambda.records.extend(env.records().await);
            lambda.drain(&env, &mut rng).await;
            until_delivery = 1 + rng.below(150);
        }
        if checkpoint {
            env.assert_exact(&users).await;
            next_checkpoint += 500;
        }
    }

    env.assert_exact(&users).await;
    eprintln!("{} records, {:?}", lambda.records.len(), lambda.tally);
    assert_eq!(lambda.records.len(), changes, "one record per change");
    let t = &lambda.tally;
    assert!(
        t.repeats > 0 && t.middle_retries > 0 && t.failures > 0 && t.resumes > 0,
        "{t:?}"
    );
}
