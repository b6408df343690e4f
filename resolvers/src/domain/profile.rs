//! A user's profile and daily aggregates (the aggregates are the aggregator's to write).

use serde::{Deserialize, Serialize};

use super::{optional_text, MAX_NAME_LEN};
use crate::error::{AppError, AppResult};

/// A user's profile. `bmi` is derived on read from height and weight, never stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Centimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
    /// Kilograms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calories_target_per_day: Option<i64>,
}

impl Profile {
    /// The profile of a user who never set one.
    pub fn empty(id: &str) -> Self {
        Self {
            id: id.to_string(),
            ..Default::default()
        }
    }

    pub fn bmi(&self) -> Option<f64> {
        let (h, w) = (self.height? / 100.0, self.weight?);
        Some((w / (h * h) * 10.0).round() / 10.0)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserInput {
    pub username: Option<String>,
    pub height: Option<f64>,
    pub weight: Option<f64>,
    pub calories_target_per_day: Option<i64>,
}

fn in_range(field: &str, v: f64, lo: f64, hi: f64, unit: &str) -> AppResult<f64> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(AppError::validation(format!(
            "{field} {v} is out of range; use {lo} to {hi} {unit}"
        )))
    }
}

impl UpdateUserInput {
    pub fn validated(self) -> AppResult<Self> {
        Ok(Self {
            username: optional_text("username", self.username.as_deref(), MAX_NAME_LEN)?,
            height: self
                .height
                .map(|h| in_range("height", h, 50.0, 300.0, "cm"))
                .transpose()?,
            weight: self
                .weight
                .map(|w| in_range("weight", w, 2.0, 700.0, "kg"))
                .transpose()?,
            calories_target_per_day: self
                .calories_target_per_day
                .map(|c| {
                    in_range("caloriesTargetPerDay", c as f64, 0.0, 20_000.0, "kcal").map(|_| c)
                })
                .transpose()?,
        })
    }
}

/// One user's totals for one UTC day, as the aggregator keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Aggregate {
    pub userid: String,
    pub date: String,
    #[serde(default)]
    pub calories_consumed: i64,
    #[serde(default)]
    pub calories_burned: i64,
}

impl Aggregate {
    /// A day without activities has zero totals, not "no answer".
    pub fn zero(userid: &str, date: &str) -> Self {
        Self {
            userid: userid.to_string(),
            date: date.to_string(),
            calories_consumed: 0,
            calories_burned: 0,
        }
    }
}

/// Longest range one aggregate list covers; pages keep each answer small anyway.
pub const MAX_RANGE_DAYS: i64 = 366;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bmi_is_derived_from_height_and_weight() {
        let p = Profile {
            id: "u".into(),
            height: Some(180.0),
            weight: Some(81.0),
            ..Default::default()
        };
        assert_eq!(p.bmi(), Some(25.0));
        assert_eq!(Profile::default().bmi(), None);
    }

    #[test]
    fn profile_input_is_bounded() {
        let bad = UpdateUserInput {
            height: Some(1000.0),
            ..Default::default()
        };
        assert_eq!(bad.validated().unwrap_err().error_type(), "ValidationError");
        let nan = UpdateUserInput {
            weight: Some(f64::NAN),
            ..Default::default()
        };
        assert_eq!(nan.validated().unwrap_err().error_type(), "ValidationError");
    }
}
