//! What one stream record changes in the daily aggregates.
//!
//! A record's delta is what its new image contributes minus what its old image contributed.
//! Because DynamoDB streams deliver each item's changes in order and each record's old image
//! is the previous record's new image, these deltas telescope: summed over an item's records
//! they give exactly the item's current contribution. That holds for any rule mapping an
//! image to a contribution, as long as the rule depends on the image alone. So an image that
//! can never count (unknown category, negative calories, bad timestamp, not an activity at
//! all) contributes nothing, and a record whose other image is valid is still applied: an
//! activity edited from valid to invalid has its old calories removed, and edited back it
//! has its new calories added. Skipping such records whole would leave the first change
//! unapplied and the second one would then subtract calories that were never added.

use std::borrow::Cow;
use std::ops::{AddAssign, Neg};

use chrono::NaiveDate;
use model::{CalorieKind, Contribution};

use crate::event::Record;
use crate::image::Image;
use crate::seq::SequenceNumber;

/// A change to one aggregate item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calories {
    pub consumed: i64,
    pub burned: i64,
}

impl Calories {
    pub fn of(c: &Contribution) -> Self {
        match c.kind {
            CalorieKind::Consumed => Self {
                consumed: c.calories,
                burned: 0,
            },
            CalorieKind::Burned => Self {
                consumed: 0,
                burned: c.calories,
            },
        }
    }

    pub fn is_zero(&self) -> bool {
        self.consumed == 0 && self.burned == 0
    }
}

impl AddAssign for Calories {
    fn add_assign(&mut self, rhs: Self) {
        self.consumed += rhs.consumed;
        self.burned += rhs.burned;
    }
}

impl Neg for Calories {
    type Output = Self;
    fn neg(self) -> Self {
        Self {
            consumed: -self.consumed,
            burned: -self.burned,
        }
    }
}

/// One aggregate item: a user's UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    pub userid: String,
    pub day: NaiveDate,
}

impl GroupKey {
    fn of(c: Contribution) -> Self {
        Self {
            userid: c.userid,
            day: c.day,
        }
    }

    /// The aggregate table's sort key.
    pub fn date(&self) -> String {
        self.day.format("%Y-%m-%d").to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Old => "OldImage",
            Self::New => "NewImage",
        }
    }
}

/// The changes one record makes: one entry per aggregate it touches (two when an activity
/// moves to another day), kept even when zero so that every group a record names gets a
/// dedupe marker and an aggregate item exists for every day that ever held an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDelta<'a> {
    pub seq: SequenceNumber,
    /// Unique per stream record: the eventID, or the sequence number when there is none.
    pub record_id: Cow<'a, str>,
    pub changes: Vec<(GroupKey, Calories)>,
}

/// Why a record is skipped. Every reason is permanent: delivering the record again would
/// give the same answer, so it is logged and passed over rather than retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    NoSequenceNumber,
    UnknownEventName(String),
    /// MODIFY/REMOVE without its old image or INSERT/MODIFY without its new one: the stream
    /// is not NEW_AND_OLD_IMAGES, so the change cannot be computed.
    MissingImage {
        event_name: String,
        side: Side,
    },
    /// Neither image counts: keys-only, or invalid ones.
    NothingCounts {
        old: String,
        new: String,
    },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoSequenceNumber => write!(f, "record has no SequenceNumber"),
            Self::UnknownEventName(n) => write!(f, "unknown eventName {n:?}"),
            Self::MissingImage { event_name, side } => write!(
                f,
                "{event_name} record without {}: the stream must be NEW_AND_OLD_IMAGES",
                side.as_str()
            ),
            Self::NothingCounts { old, new } => {
                write!(f, "neither image counts (old: {old}; new: {new})")
            }
        }
    }
}

/// The verdict on one record, with what the logs need to find it.
#[derive(Debug, Clone)]
pub struct Analysis<'a> {
    pub seq: Option<SequenceNumber>,
    pub event_id: Cow<'a, str>,
    /// The record's keys as DynamoDB JSON.
    pub keys: &'a str,
    pub verdict: Result<RecordDelta<'a>, SkipReason>,
    /// Invalid images counted as nothing in a record that is still applied.
    pub ignored: Vec<(Side, String)>,
}

pub fn analyse(record: Record<'_>) -> Analysis<'_> {
    let Record {
        event_id,
        event_name,
        sequence_number,
        keys,
        old,
        new,
        ..
    } = record;
    let seq = sequence_number
        .filter(|s| !s.is_empty())
        .map(|s| SequenceNumber::new(&*s));
    let mut analysis = Analysis {
        seq,
        event_id,
        keys,
        verdict: Err(SkipReason::NoSequenceNumber),
        ignored: Vec::new(),
    };
    let Some(seq) = analysis.seq.clone() else {
        return analysis;
    };

    let (needs_old, needs_new) = match &*event_name {
        "INSERT" => (false, true),
        "MODIFY" => (true, true),
        "REMOVE" => (true, false),
        other => {
            analysis.verdict = Err(SkipReason::UnknownEventName(other.to_owned()));
            return analysis;
        }
    };
    for (needed, image, side) in [(needs_old, &old, Side::Old), (needs_new, &new, Side::New)] {
        if needed && *image == Image::Absent {
            analysis.verdict = Err(SkipReason::MissingImage {
                event_name: event_name.into_owned(),
                side,
            });
            return analysis;
        }
    }

    if old.contribution().is_none() && new.contribution().is_none() {
        analysis.verdict = Err(SkipReason::NothingCounts {
            old: old.describe(),
            new: new.describe(),
        });
        return analysis;
    }
    for (image, side) in [(&old, Side::Old), (&new, Side::New)] {
        if let Some(reason) = image.invalid_reason() {
            analysis.ignored.push((side, reason.to_owned()));
        }
    }
    let mut changes: Vec<(GroupKey, Calories)> = Vec::with_capacity(2);
    if let Image::Counts(c) = old {
        let delta = -Calories::of(&c);
        changes.push((GroupKey::of(c), delta));
    }
    if let Image::Counts(c) = new {
        let delta = Calories::of(&c);
        let group = GroupKey::of(c);
        match changes.iter_mut().find(|(g, _)| *g == group) {
            Some((_, d)) => *d += delta,
            None => changes.push((group, delta)),
        }
    }
    let record_id = if analysis.event_id.is_empty() {
        Cow::Owned(seq.as_str().to_owned())
    } else {
        analysis.event_id.clone()
    };
    analysis.verdict = Ok(RecordDelta {
        seq,
        record_id,
        changes,
    });
    analysis
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn image(category: &str, calories: i64, at: &str) -> Value {
        json!({
            "userid": {"S": "u1"}, "id": {"S": "a1"}, "category": {"S": category},
            "type": {"S": "Lunch"}, "caloriesConsumed": {"N": calories.to_string()},
            "creationDateTime": {"S": at}
        })
    }

    fn record(name: &str, old: Option<Value>, new: Option<Value>) -> Value {
        let mut change = json!({
            "Keys": {"userid": {"S": "u1"}, "id": {"S": "a1"}},
            "SequenceNumber": "1100000000017454423009",
            "SizeBytes": 1,
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        });
        if let Some(o) = old {
            change["OldImage"] = o;
        }
        if let Some(n) = new {
            change["NewImage"] = n;
        }
        json!({
            "eventID": "e1", "eventName": name, "awsRegion": "us-east-1", "dynamodb": change
        })
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn key(d: u32) -> GroupKey {
        GroupKey {
            userid: "u1".into(),
            day: day(d),
        }
    }

    fn cal(consumed: i64, burned: i64) -> Calories {
        Calories { consumed, burned }
    }

    fn analyse(r: Value) -> Analysis<'static> {
        let raw: &'static str = r.to_string().leak();
        super::analyse(crate::event::read_record(raw).expect("a stream record"))
    }

    fn changes(r: Value) -> Vec<(GroupKey, Calories)> {
        analyse(r).verdict.expect("applied").changes
    }

    const T21: &str = "2026-11-21T08:00:00Z";
    const T22: &str = "2026-11-22T08:00:00Z";

    #[test]
    fn insert_adds_and_remove_subtracts() {
        let ins = record("INSERT", None, Some(image("Food", 300, T21)));
        assert_eq!(changes(ins), vec![(key(21), cal(300, 0))]);
        let rem = record("REMOVE", Some(image("Exercise", 200, T21)), None);
        assert_eq!(changes(rem), vec![(key(21), cal(0, -200))]);
    }

    #[test]
    fn modify_on_the_same_day_nets_into_one_change() {
        let r = record(
            "MODIFY",
            Some(image("Food", 300, T21)),
            Some(image("Drink", 450, T21)),
        );
        assert_eq!(changes(r), vec![(key(21), cal(150, 0))]);
        let r = record(
            "MODIFY",
            Some(image("Food", 300, T21)),
            Some(image("Exercise", 300, T21)),
        );
        assert_eq!(changes(r), vec![(key(21), cal(-300, 300))]);
    }

    #[test]
    fn modify_keeps_a_zero_change_so_the_record_is_still_marked() {
        let r = record(
            "MODIFY",
            Some(image("Food", 300, T21)),
            Some(image("Food", 300, T21)),
        );
        assert_eq!(changes(r), vec![(key(21), cal(0, 0))]);
    }

    #[test]
    fn moving_days_touches_two_aggregates() {
        let r = record(
            "MODIFY",
            Some(image("Food", 300, T21)),
            Some(image("Food", 100, T22)),
        );
        assert_eq!(
            changes(r),
            vec![(key(21), cal(-300, 0)), (key(22), cal(100, 0))]
        );
    }

    #[test]
    fn an_invalid_image_counts_as_nothing_but_the_valid_one_applies() {
        let r = record(
            "MODIFY",
            Some(image("Food", 300, T21)),
            Some(image("Food", -5, T21)),
        );
        let a = analyse(r);
        assert_eq!(a.verdict.unwrap().changes, vec![(key(21), cal(-300, 0))]);
        assert_eq!(a.ignored.len(), 1);
        assert_eq!(a.ignored[0].0, Side::New);

        let r = record(
            "MODIFY",
            Some(image("Sleep", 300, T21)),
            Some(image("Food", 50, T21)),
        );
        assert_eq!(changes(r), vec![(key(21), cal(50, 0))]);
    }

    #[test]
    fn records_that_can_never_count_are_skipped() {
        let bad = |r: Value| analyse(r).verdict.unwrap_err();
        assert!(matches!(
            bad(record("INSERT", None, Some(image("Sleep", 10, T21)))),
            SkipReason::NothingCounts { .. }
        ));
        assert!(matches!(
            bad(record("INSERT", None, Some(image("Food", MAX + 1, T21)))),
            SkipReason::NothingCounts { .. }
        ));
        assert!(matches!(
            bad(record("INSERT", None, Some(image("Food", 10, "soon")))),
            SkipReason::NothingCounts { .. }
        ));
        let keys_only = json!({"userid": {"S": "u1"}, "id": {"S": "a1"}});
        assert!(matches!(
            bad(record("INSERT", None, Some(keys_only))),
            SkipReason::NothingCounts { .. }
        ));
        let not_activity =
            json!({"userid": {"S": "u1"}, "id": {"S": "a1"}, "colour": {"S": "red"}});
        assert!(matches!(
            bad(record("INSERT", None, Some(not_activity))),
            SkipReason::NothingCounts { .. }
        ));
        let fractional = json!({
            "userid": {"S": "u1"}, "id": {"S": "a1"}, "category": {"S": "Food"},
            "type": {"S": "Lunch"}, "caloriesConsumed": {"N": "12.5"}, "creationDateTime": {"S": T21}
        });
        assert!(matches!(
            bad(record("INSERT", None, Some(fractional))),
            SkipReason::NothingCounts { .. }
        ));
        assert!(matches!(
            bad(record("MODIFY", None, Some(image("Food", 10, T21)))),
            SkipReason::MissingImage {
                side: Side::Old,
                ..
            }
        ));
        assert!(matches!(
            bad(record("REMOVE", None, None)),
            SkipReason::MissingImage {
                side: Side::Old,
                ..
            }
        ));
        assert!(matches!(
            bad(record("UPSERT", None, Some(image("Food", 10, T21)))),
            SkipReason::UnknownEventName(_)
        ));
    }

    const MAX: i64 = model::activity::MAX_CALORIES;

    #[test]
    fn record_id_falls_back_to_the_sequence_number() {
        let mut r = record("INSERT", None, Some(image("Food", 1, T21)));
        r["eventID"] = json!("");
        let d = analyse(r).verdict.unwrap();
        assert_eq!(d.record_id, "1100000000017454423009");
    }

    #[test]
    fn a_record_without_sequence_number_is_skipped() {
        let mut r = record("INSERT", None, Some(image("Food", 1, T21)));
        r["dynamodb"]
            .as_object_mut()
            .unwrap()
            .remove("SequenceNumber");
        assert_eq!(
            analyse(r).verdict.unwrap_err(),
            SkipReason::NoSequenceNumber
        );
    }

    #[test]
    fn deltas_telescope_over_an_items_history_whatever_its_validity() {
        // valid -> invalid -> valid -> moved -> removed: the sum of all deltas is zero.
        let history = [
            None,
            Some(image("Food", 300, T21)),
            Some(image("Food", -1, T21)),
            Some(image("Exercise", 120, T21)),
            Some(image("Exercise", 80, T22)),
            Some(image("Nap", 80, T22)),
            Some(image("Drink", 20, T22)),
            None,
        ];
        let mut total: std::collections::BTreeMap<GroupKey, Calories> = Default::default();
        for w in history.windows(2) {
            let name = match (&w[0], &w[1]) {
                (None, _) => "INSERT",
                (_, None) => "REMOVE",
                _ => "MODIFY",
            };
            if let Ok(d) = analyse(record(name, w[0].clone(), w[1].clone())).verdict {
                for (g, c) in d.changes {
                    *total.entry(g).or_default() += c;
                }
            }
        }
        assert!(total.values().all(Calories::is_zero), "{total:?}");
    }
}
