//! The calorie tracker's activities and categories: inputs and their validation. The stored
//! activity is `model::Activity`, shared with the aggregator.

use serde::{Deserialize, Serialize};

use super::{time, validate_id};
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

#[cfg(test)]
mod tests {
    use super::*;

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
