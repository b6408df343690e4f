//! The activity item as stored in the activity table, and what it contributes to a daily
//! aggregate.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::time::parse_timestamp;

/// Attribute names of the activity table's key.
pub const ACTIVITY_PK: &str = "userid";
pub const ACTIVITY_SK: &str = "id";

/// One logged activity, stored with the field names of the activity tracker app's client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub userid: String,
    pub id: String,
    pub category: String,
    #[serde(rename = "type")]
    pub activity_type: String,
    /// The activity tracker app calls the amount `caloriesConsumed` whatever the category; the category says
    /// whether it was consumed or burned.
    #[serde(rename = "caloriesConsumed")]
    pub calories: i64,
    /// RFC 3339, stored in `time`'s fixed-width UTC form by the resolvers
    /// (`2026-11-21T08:30:00.000Z`).
    #[serde(rename = "creationDateTime")]
    pub creation_date_time: String,
}

/// Whether an activity's calories count as consumed or burned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalorieKind {
    Consumed,
    Burned,
}

impl CalorieKind {
    /// Food and Drink are consumed, Exercise is burned; any other category has no meaning
    /// for the aggregates.
    pub fn of_category(category: &str) -> Option<Self> {
        match category {
            "Food" | "Drink" => Some(Self::Consumed),
            "Exercise" => Some(Self::Burned),
            _ => None,
        }
    }
}

/// Largest calorie amount one activity may carry. Bounds the aggregates far from i64
/// overflow and rejects typos such as an extra few zeros.
pub const MAX_CALORIES: i64 = 100_000;

/// What one activity adds to one user's aggregate of one UTC day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub userid: String,
    pub day: NaiveDate,
    pub kind: CalorieKind,
    pub calories: i64,
}

/// Why an activity can never contribute to an aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidActivity {
    UnknownCategory(String),
    CaloriesOutOfRange(i64),
    BadTimestamp(String),
    EmptyUser,
}

impl std::fmt::Display for InvalidActivity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownCategory(c) => {
                write!(f, "unknown category {c:?} (allowed: Food, Drink, Exercise)")
            }
            Self::CaloriesOutOfRange(c) => {
                write!(f, "calories {c} out of range 0..={MAX_CALORIES}")
            }
            Self::BadTimestamp(t) => write!(
                f,
                "creationDateTime {t:?} is not {}",
                crate::time::TIMESTAMP_RULE
            ),
            Self::EmptyUser => write!(f, "userid is empty"),
        }
    }
}

impl std::error::Error for InvalidActivity {}

impl Activity {
    /// The activity's own UTC day: aggregates are bucketed by when the activity happened,
    /// never by when it was processed.
    pub fn day(&self) -> Result<NaiveDate, InvalidActivity> {
        parse_timestamp(&self.creation_date_time)
            .map(|t| t.date_naive())
            .map_err(|_| InvalidActivity::BadTimestamp(self.creation_date_time.clone()))
    }

    pub fn contribution(&self) -> Result<Contribution, InvalidActivity> {
        if self.userid.is_empty() {
            return Err(InvalidActivity::EmptyUser);
        }
        let kind = CalorieKind::of_category(&self.category)
            .ok_or_else(|| InvalidActivity::UnknownCategory(self.category.clone()))?;
        if !(0..=MAX_CALORIES).contains(&self.calories) {
            return Err(InvalidActivity::CaloriesOutOfRange(self.calories));
        }
        Ok(Contribution {
            userid: self.userid.clone(),
            day: self.day()?,
            kind,
            calories: self.calories,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(category: &str, calories: i64, at: &str) -> Activity {
        Activity {
            userid: "u1".into(),
            id: "a1".into(),
            category: category.into(),
            activity_type: "Lunch".into(),
            calories,
            creation_date_time: at.into(),
        }
    }

    #[test]
    fn day_is_the_utc_day_of_the_activity_not_its_local_day() {
        let a = activity("Food", 10, "2026-11-21T23:30:00-02:00");
        assert_eq!(
            a.day().unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        );
    }

    /// Whatever the resolvers can store, the aggregator can bucket.
    #[test]
    fn the_edges_of_the_storable_range_have_a_day_and_beyond_them_none() {
        let latest = activity("Food", 1, "9999-12-31T23:59:59.999Z");
        assert_eq!(latest.day().unwrap().to_string(), "9999-12-31");
        let earliest = activity("Food", 1, "0000-01-01T00:00:00.000Z");
        assert_eq!(earliest.day().unwrap().to_string(), "0000-01-01");
        for beyond in ["+10000-01-01T23:58:59.000Z", "9999-12-31T23:59:59-23:59"] {
            assert!(matches!(
                activity("Food", 1, beyond).day(),
                Err(InvalidActivity::BadTimestamp(_))
            ));
        }
    }

    #[test]
    fn categories_map_to_consumed_or_burned() {
        assert_eq!(
            CalorieKind::of_category("Food"),
            Some(CalorieKind::Consumed)
        );
        assert_eq!(
            CalorieKind::of_category("Drink"),
            Some(CalorieKind::Consumed)
        );
        assert_eq!(
            CalorieKind::of_category("Exercise"),
            Some(CalorieKind::Burned)
        );
        assert_eq!(CalorieKind::of_category("food"), None);
    }

    #[test]
    fn contribution_rejects_what_can_never_be_aggregated() {
        let at = "2026-11-21T10:00:00Z";
        assert!(matches!(
            activity("Sleep", 10, at).contribution(),
            Err(InvalidActivity::UnknownCategory(_))
        ));
        assert!(matches!(
            activity("Food", -1, at).contribution(),
            Err(InvalidActivity::CaloriesOutOfRange(-1))
        ));
        assert!(matches!(
            activity("Food", 1, "yesterday").contribution(),
            Err(InvalidActivity::BadTimestamp(_))
        ));
        let ok = activity("Exercise", 300, at).contribution().unwrap();
        assert_eq!(ok.kind, CalorieKind::Burned);
        assert_eq!(ok.calories, 300);
    }
}
