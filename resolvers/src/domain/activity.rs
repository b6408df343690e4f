//! Activities, profiles and aggregates of the calorie tracker: inputs and their validation.
//! The stored activity is `model::Activity`, shared with the aggregator.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::room::validate_id;
use super::{optional_text, time, MAX_NAME_LEN};
use crate::error::{AppError, AppResult};
use model::activity::MAX_CALORIES;
use model::Activity;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateActivityInput {
    pub id: Option<String>,
    pub category: String,
    #[serde(rename = "type")]
    pub activity_type: String,
    pub calories_consumed: i64,
    /// Defaults to now.
    pub creation_date_time: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateActivityInput {
    pub id: String,
    pub category: Option<String>,
    #[serde(rename = "type")]
    pub activity_type: Option<String>,
    pub calories_consumed: Option<i64>,
    pub creation_date_time: Option<String>,
}

pub fn validate_calories(c: i64) -> AppResult<i64> {
    if (0..=MAX_CALORIES).contains(&c) {
        Ok(c)
    } else {
        Err(AppError::validation(format!(
            "caloriesConsumed {c} is out of range; use 0 to {MAX_CALORIES}"
        )))
    }
}

/// A stored category: its name and the activity types it allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub pk: String,
    pub category: String,
    #[serde(rename = "type")]
    pub types: Vec<String>,
}

pub const CATEGORY_PK: &str = "CATEGORY";

impl Category {
    pub fn to_graphql(&self) -> Value {
        json!({ "category": self.category, "type": self.types })
    }
}

/// The type must belong to the category (the category's existence is checked by the caller,
/// which read it).
pub fn check_type(category: &Category, activity_type: &str) -> AppResult<()> {
    if category.types.iter().any(|t| t == activity_type) {
        Ok(())
    } else {
        Err(AppError::validation(format!(
            "type {activity_type:?} does not belong to category {:?}; allowed: {}",
            category.category,
            category.types.join(", ")
        )))
    }
}

pub fn new_activity(
    input: CreateActivityInput,
    userid: &str,
    id: String,
    now: &str,
) -> AppResult<Activity> {
    let at = match &input.creation_date_time {
        Some(t) => time::format(time::parse("creationDateTime", t)?),
        None => now.to_string(),
    };
    Ok(Activity {
        userid: userid.to_string(),
        id: match input.id {
            Some(id) => validate_id("id", &id)?,
            None => id,
        },
        category: input.category,
        activity_type: input.activity_type,
        calories: validate_calories(input.calories_consumed)?,
        creation_date_time: at,
    })
}

/// The activity after an update's changes.
pub fn apply_update(current: &Activity, input: &UpdateActivityInput) -> AppResult<Activity> {
    let mut next = current.clone();
    if let Some(c) = &input.category {
        next.category = c.clone();
    }
    if let Some(t) = &input.activity_type {
        next.activity_type = t.clone();
    }
    if let Some(c) = input.calories_consumed {
        next.calories = validate_calories(c)?;
    }
    if let Some(t) = &input.creation_date_time {
        next.creation_date_time = time::format(time::parse("creationDateTime", t)?);
    }
    Ok(next)
}

pub fn activity_to_graphql(a: &Activity) -> Value {
    serde_json::to_value(a).unwrap_or(Value::Null)
}

/// An AWSDate (`YYYY-MM-DD`).
pub fn parse_date(field: &str, value: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        AppError::validation(format!(
            "{field} {value:?} is not an AWSDate; use YYYY-MM-DD"
        ))
    })
}

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

impl Profile {
    pub fn bmi(&self) -> Option<f64> {
        let (h, w) = (self.height? / 100.0, self.weight?);
        Some((w / (h * h) * 10.0).round() / 10.0)
    }

    pub fn to_graphql(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        v["bmi"] = self.bmi().map(Value::from).unwrap_or(Value::Null);
        v
    }
}

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

    #[test]
    fn types_must_belong_to_their_category() {
        let food = Category {
            pk: CATEGORY_PK.into(),
            category: "Food".into(),
            types: vec!["Lunch".into()],
        };
        assert!(check_type(&food, "Lunch").is_ok());
        let err = check_type(&food, "Run").unwrap_err();
        assert!(err.to_string().contains("allowed: Lunch"), "{err}");
    }

    #[test]
    fn calories_are_bounded() {
        assert!(validate_calories(0).is_ok());
        assert_eq!(
            validate_calories(-5).unwrap_err().error_type(),
            "ValidationError"
        );
        assert_eq!(
            validate_calories(MAX_CALORIES + 1)
                .unwrap_err()
                .error_type(),
            "ValidationError"
        );
    }
}
