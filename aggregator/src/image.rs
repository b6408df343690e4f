//! What one image of a stream record means for the aggregates.
//!
//! The meaning depends on the image alone (see `delta` for why that matters).

use model::activity::{ACTIVITY_PK, ACTIVITY_SK};
use model::{Activity, Contribution};
use serde_dynamo::{AttributeValue, Item};

/// The dedupe id embeds the user id and must stay within DynamoDB's 2048-byte key limit;
/// an activity with a longer user id could never be recorded as applied.
pub const MAX_USERID_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Image {
    /// The record has no such image (INSERT has no old one, REMOVE no new one).
    Absent,
    /// Only the key attributes (an image of an item that holds nothing else): not an
    /// activity, so it counts for nothing and is not an error.
    KeysOnly,
    Counts(Contribution),
    /// Present but can never count; the reason is for the logs.
    Invalid(String),
}

impl Image {
    pub fn read(item: Item) -> Self {
        if item.is_empty() {
            return Self::Absent;
        }
        if item.keys().all(|k| k == ACTIVITY_PK || k == ACTIVITY_SK) {
            return Self::KeysOnly;
        }
        // Straight from the map: `from_item` would first rebuild the whole HashMap.
        match serde_dynamo::from_attribute_value(AttributeValue::M(item.into_inner())) {
            Ok(activity) => Self::of_activity(activity),
            Err(e) => Self::Invalid(format!("not an activity: {e}")),
        }
    }

    fn of_activity(activity: Activity) -> Self {
        if activity.userid.len() > MAX_USERID_BYTES {
            return Self::Invalid(format!(
                "userid is {} bytes, more than {MAX_USERID_BYTES}",
                activity.userid.len()
            ));
        }
        match activity.contribution() {
            Ok(c) => Self::Counts(c),
            Err(e) => Self::Invalid(e.to_string()),
        }
    }

    pub fn contribution(&self) -> Option<&Contribution> {
        match self {
            Self::Counts(c) => Some(c),
            _ => None,
        }
    }

    pub fn invalid_reason(&self) -> Option<&str> {
        match self {
            Self::Invalid(r) => Some(r),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Absent => "absent".into(),
            Self::KeysOnly => "keys only".into(),
            Self::Counts(_) => "counts".into(),
            Self::Invalid(r) => format!("invalid: {r}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(v: serde_json::Value) -> Item {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn keys_only_and_empty_images_are_not_errors() {
        assert_eq!(Image::read(item(json!({}))), Image::Absent);
        let keys = json!({"userid": {"S": "u1"}, "id": {"S": "a1"}});
        assert_eq!(Image::read(item(keys)), Image::KeysOnly);
    }

    #[test]
    fn an_overlong_userid_can_never_count() {
        let a = Activity {
            userid: "u".repeat(MAX_USERID_BYTES + 1),
            id: "a1".into(),
            category: "Food".into(),
            activity_type: "Lunch".into(),
            calories: 1,
            creation_date_time: "2026-11-21T08:00:00Z".into(),
        };
        assert!(matches!(Image::of_activity(a), Image::Invalid(_)));
    }
}
