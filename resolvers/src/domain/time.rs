//! Times and dates where they enter through arguments: `model::time`'s one rule (what can be
//! stored fixed-width and read back), with a ValidationError naming the field and the rule.
//! Stored values are read with [`stored`]: one that breaks the rule is corrupt data (Internal).

use chrono::{DateTime, NaiveDate, Utc};
use model::time::{self as rule, TimeError, DATE_RULE, TIMESTAMP_RULE};

use crate::error::{AppError, AppResult};

pub use model::time::format_timestamp as format;

/// An AWSDateTime argument.
pub fn parse(field: &str, value: &str) -> AppResult<DateTime<Utc>> {
    rule::parse_timestamp(value).map_err(|e| {
        AppError::validation(match e {
            TimeError::Malformed => {
                format!("{field} {value:?} is not an AWSDateTime; use {TIMESTAMP_RULE}")
            }
            TimeError::OutOfRange => {
                format!("{field} {value:?} is out of range; use {TIMESTAMP_RULE}")
            }
        })
    })
}

/// An AWSDate argument (`YYYY-MM-DD`).
pub fn parse_date(field: &str, value: &str) -> AppResult<NaiveDate> {
    rule::parse_date(value).map_err(|_| {
        AppError::validation(format!(
            "{field} {value:?} is not an AWSDate; use {DATE_RULE}"
        ))
    })
}

/// A time read back from a table, where only the resolvers' own fixed-width form belongs.
pub fn stored(field: &str, value: &str) -> AppResult<DateTime<Utc>> {
    rule::parse_timestamp(value)
        .map_err(|e| AppError::internal(format!("stored {field} {value:?} {e}")))
}

/// The current time, in the stored form.
pub fn now() -> String {
    format(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_offsets_to_fixed_width_utc() {
        let t = parse("start", "2026-11-21T19:00:00+02:00").unwrap();
        assert_eq!(format(t), "2026-11-21T17:00:00.000Z");
        assert!(format(t) < format(parse("s", "2026-11-21T17:00:00.001Z").unwrap()));
    }

    #[test]
    fn rejects_what_is_not_rfc3339() {
        let err = parse("event_datetime_start", "tomorrow").unwrap_err();
        assert_eq!(err.error_type(), "ValidationError");
        assert!(err.to_string().contains("RFC 3339"));
    }

    /// A time outside the storable range is refused at the resolvers' door, with a message
    /// that says what is allowed.
    #[test]
    fn out_of_range_years_are_validation_errors_naming_the_range() {
        for value in ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+14:00"] {
            let err = parse("creationDateTime", value).unwrap_err();
            assert_eq!(err.error_type(), "ValidationError");
            let msg = err.to_string();
            assert!(msg.contains("out of range"), "{msg}");
            assert!(msg.contains("0000-01-01T00:00:00Z"), "{msg}");
            assert!(msg.contains("9999-12-31T23:59:59.999Z"), "{msg}");
        }
        let err = parse_date("date", "+10000-01-01").unwrap_err();
        assert!(
            err.to_string().contains("0000-01-01 to 9999-12-31"),
            "{err}"
        );
    }

    #[test]
    fn a_corrupt_stored_time_is_internal() {
        let err = stored("event_datetime_end", "+10000-01-01T00:00:00.000Z").unwrap_err();
        assert_eq!(err.error_type(), "Internal");
    }
}
