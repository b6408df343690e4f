//! AWSDateTime handling. Stored timestamps are normalised to UTC with millisecond precision
//! and a fixed width, so that string order is time order in keys and indexes.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::{AppError, AppResult};

pub fn parse(field: &str, value: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::validation(format!(
                "{field} {value:?} is not an AWSDateTime; use RFC 3339 such as 2026-11-21T17:00:00Z"
            ))
        })
}

pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
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
}
