//! Turning a batch's record deltas into transactions: one per aggregate item, so the
//! number of writes follows the number of distinct (user, day) pairs, not of records.
//!
//! Each transaction adds its entries' summed delta to the aggregate and puts one dedupe
//! marker per entry under the condition that it does not exist yet. The add and the markers
//! commit together or not at all, so an entry is applied exactly once however often its
//! record is delivered: a redelivered entry finds its marker and is dropped.

use std::collections::{BTreeMap, HashSet};

use crate::delta::{Calories, GroupKey, RecordDelta};
use crate::seq::SequenceNumber;

/// TransactWriteItems takes at most 100 items: the aggregate update plus 99 markers.
pub const MAX_ENTRIES_PER_TRANSACTION: usize = 99;

/// One record's change to one aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub dedupe_id: String,
    pub seq: SequenceNumber,
    pub delta: Calories,
}

/// Unique per (stream record, aggregate): a record that moves an activity between days is
/// two entries, applied and deduplicated independently.
pub fn dedupe_id(record_id: &str, group: &GroupKey) -> String {
    format!("{record_id}#{}#{}", group.userid, group.day)
}

/// One TransactWriteItems: the aggregate update and its entries' markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub group: GroupKey,
    pub entries: Vec<Entry>,
}

impl Transaction {
    pub fn total(&self) -> Calories {
        let mut total = Calories::default();
        for e in &self.entries {
            total += e.delta;
        }
        total
    }

    /// Drops the entries at these positions (already applied by an earlier delivery).
    pub fn drop_entries(&mut self, positions: &[usize]) {
        let drop: HashSet<usize> = positions.iter().copied().collect();
        let mut i = 0;
        self.entries.retain(|_| {
            let keep = !drop.contains(&i);
            i += 1;
            keep
        });
    }
}

/// Groups the deltas by aggregate and splits each group into transactions of at most
/// `max_entries` entries. Groups come out in key order so runs are reproducible.
pub fn plan(deltas: Vec<RecordDelta<'_>>, max_entries: usize) -> Vec<Transaction> {
    assert!(
        max_entries > 0,
        "a transaction needs room for at least one entry"
    );
    // The same record twice in one payload would put the same marker twice in one
    // transaction, which DynamoDB rejects whole; once is what it means anyway.
    let first: Vec<bool> = {
        let mut seen = HashSet::with_capacity(deltas.len());
        deltas.iter().map(|d| seen.insert(&*d.record_id)).collect()
    };
    let mut groups: BTreeMap<GroupKey, Vec<Entry>> = BTreeMap::new();
    for (d, first) in deltas.into_iter().zip(first) {
        if !first {
            continue;
        }
        for (group, delta) in d.changes {
            let entry = Entry {
                dedupe_id: dedupe_id(&d.record_id, &group),
                seq: d.seq.clone(),
                delta,
            };
            groups.entry(group).or_default().push(entry);
        }
    }

    let mut transactions = Vec::with_capacity(groups.len());
    for (group, entries) in groups {
        if entries.len() <= max_entries {
            transactions.push(Transaction { group, entries });
            continue;
        }
        let mut rest = entries.as_slice();
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at(rest.len().min(max_entries));
            transactions.push(Transaction {
                group: group.clone(),
                entries: chunk.to_vec(),
            });
            rest = tail;
        }
    }
    transactions
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn key(user: &str, d: u32) -> GroupKey {
        GroupKey {
            userid: user.into(),
            day: NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
        }
    }

    fn delta(id: &str, seq: u64, changes: &[(GroupKey, i64, i64)]) -> RecordDelta<'static> {
        RecordDelta {
            seq: SequenceNumber::new(format!(
                "{}",
                1_100_000_000_000_000_000_000u128 + seq as u128
            )),
            record_id: id.to_owned().into(),
            changes: changes
                .iter()
                .map(|(g, c, b)| {
                    (
                        g.clone(),
                        Calories {
                            consumed: *c,
                            burned: *b,
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn one_transaction_per_user_day_with_the_summed_delta() {
        let deltas = vec![
            delta("e1", 1, &[(key("u1", 21), 100, 0)]),
            delta("e2", 2, &[(key("u2", 21), 0, 50)]),
            delta("e3", 3, &[(key("u1", 21), 30, 0)]),
            delta(
                "e4",
                4,
                &[(key("u1", 21), -100, 0), (key("u1", 22), 100, 0)],
            ),
        ];
        let txs = plan(deltas, MAX_ENTRIES_PER_TRANSACTION);
        assert_eq!(txs.len(), 3);
        let u1_21 = txs.iter().find(|t| t.group == key("u1", 21)).unwrap();
        assert_eq!(u1_21.entries.len(), 3);
        assert_eq!(
            u1_21.total(),
            Calories {
                consumed: 30,
                burned: 0
            }
        );
        let u1_22 = txs.iter().find(|t| t.group == key("u1", 22)).unwrap();
        assert_eq!(u1_22.entries[0].dedupe_id, "e4#u1#2026-11-22");
        assert_eq!(
            u1_22.total(),
            Calories {
                consumed: 100,
                burned: 0
            }
        );
    }

    #[test]
    fn big_groups_split_into_chunks_of_at_most_99() {
        let deltas: Vec<_> = (0..250)
            .map(|i| delta(&format!("e{i}"), i, &[(key("u1", 21), 1, 0)]))
            .collect();
        let txs = plan(deltas, MAX_ENTRIES_PER_TRANSACTION);
        let sizes: Vec<usize> = txs.iter().map(|t| t.entries.len()).collect();
        assert_eq!(sizes, vec![99, 99, 52]);
        let total: i64 = txs.iter().map(|t| t.total().consumed).sum();
        assert_eq!(total, 250);
    }

    #[test]
    fn a_record_repeated_within_a_payload_counts_once() {
        let d = delta("e1", 1, &[(key("u1", 21), 100, 0)]);
        let txs = plan(vec![d.clone(), d], MAX_ENTRIES_PER_TRANSACTION);
        assert_eq!(txs.len(), 1);
        assert_eq!(txs[0].entries.len(), 1);
        assert_eq!(txs[0].total().consumed, 100);
    }

    #[test]
    fn dropping_applied_entries_leaves_the_rest_and_their_total() {
        let deltas: Vec<_> = (0..4)
            .map(|i| {
                delta(
                    &format!("e{i}"),
                    i,
                    &[(key("u1", 21), 10 * (i as i64 + 1), 0)],
                )
            })
            .collect();
        let mut tx = plan(deltas, MAX_ENTRIES_PER_TRANSACTION).remove(0);
        tx.drop_entries(&[0, 2]);
        let ids: Vec<&str> = tx.entries.iter().map(|e| e.dedupe_id.as_str()).collect();
        assert_eq!(ids, vec!["e1#u1#2026-11-21", "e3#u1#2026-11-21"]);
        assert_eq!(tx.total().consumed, 20 + 40);
    }
}
