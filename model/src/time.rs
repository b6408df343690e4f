//! The one rule for times entering the system (AWSDateTime, AWSDate) and how they are stored.
//!
//! Stored timestamps are UTC with millisecond precision in a fixed width,
//! `YYYY-MM-DDTHH:MM:SS.mmmZ`, so that string order is time order in keys and indexes and the
//! aggregator can read back whatever the resolvers wrote. Only years 0000 to 9999 *after*
//! conversion to UTC have that form (chrono would print `+10000-…` or `-0001-…`), so a time
//! whose UTC form falls outside them is refused where it enters, never stored.
//! Sub-millisecond digits are dropped on parsing, so what callers compare is what is stored.

use chrono::{DateTime, Datelike, NaiveDate, SubsecRound, Utc};

/// What is accepted, for error messages.
pub const TIMESTAMP_RULE: &str = "RFC 3339 with an offset, such as 2026-11-21T17:00:00Z, \
     from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z once converted to UTC";

/// What is accepted for an AWSDate, for error messages.
pub const DATE_RULE: &str = "YYYY-MM-DD, from 0000-01-01 to 9999-12-31";

const STORED: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

/// Why a time cannot enter the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    /// Not RFC 3339 (or not `YYYY-MM-DD` for a date).
    Malformed,
    /// A valid time whose UTC year is outside 0000..=9999: it has no fixed-width form.
    OutOfRange,
}

impl std::fmt::Display for TimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed => f.write_str("is not RFC 3339"),
            Self::OutOfRange => f.write_str("is outside the years 0000 to 9999 in UTC"),
        }
    }
}

impl std::error::Error for TimeError {}

fn storable_year(year: i32) -> bool {
    (0..=9999).contains(&year)
}

/// Parses an RFC 3339 timestamp (any offset) into UTC, truncated to milliseconds; refuses
/// one whose UTC year has no four-digit form.
pub fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, TimeError> {
    let t = DateTime::parse_from_rfc3339(s.trim())
        .map_err(|_| TimeError::Malformed)?
        .with_timezone(&Utc)
        .trunc_subsecs(3);
    if storable_year(t.year()) {
        Ok(t)
    } else {
        Err(TimeError::OutOfRange)
    }
}

/// The stored form of a time. Total: a time outside the storable years (only computed
/// bounds such as "now minus seven days" can be) is clamped to the nearest storable one, so
/// the result always has the fixed width.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    let t = t.clamp(earliest(), latest());
    t.format(STORED).to_string()
}

/// 0000-01-01T00:00:00.000Z.
pub fn earliest() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(0, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// 9999-12-31T23:59:59.999Z.
pub fn latest() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_milli_opt(23, 59, 59, 999))
        .map(|t| t.and_utc())
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// An AWSDate as this API takes it: exactly `YYYY-MM-DD`, years 0000 to 9999.
pub fn parse_date(s: &str) -> Result<NaiveDate, TimeError> {
    let bytes = s.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(TimeError::Malformed);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| TimeError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(s: &str) -> Result<String, TimeError> {
        parse_timestamp(s).map(format_timestamp)
    }

    #[test]
    fn offsets_are_normalised_to_fixed_width_utc() {
        assert_eq!(
            stored("2026-11-21T19:00:00+02:00").unwrap(),
            "2026-11-21T17:00:00.000Z"
        );
        assert_eq!(
            stored("2026-11-21T17:00:00.123456789Z").unwrap(),
            "2026-11-21T17:00:00.123Z"
        );
        assert_eq!(
            stored("2026-12-31T23:59:60.5Z").unwrap(),
            "2026-12-31T23:59:60.500Z",
            "a leap second keeps its place in string order"
        );
    }

    /// In UTC these are `+10000-01-01T23:58:59.000Z` and `-0001-12-31T10:00:00.000Z`, which
    /// no reader of the stored four-digit form could read back.
    #[test]
    fn times_whose_utc_year_has_no_four_digit_form_are_refused() {
        for s in [
            "9999-12-31T23:59:59-23:59",
            "0000-01-01T00:00:00+14:00",
            "9999-12-31T23:00:00-01:00",
            "0000-01-01T00:59:59.999+01:00",
        ] {
            assert_eq!(parse_timestamp(s), Err(TimeError::OutOfRange), "{s}");
        }
        for s in [
            "9999-12-31T23:59:59.999Z",
            "9999-12-31T23:59:59.999+23:59",
            "0000-01-01T00:00:00Z",
            "0000-01-01T00:00:00-23:59",
        ] {
            let t = stored(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(t.len(), 24, "{t}");
        }
    }

    #[test]
    fn what_is_not_rfc_3339_is_malformed() {
        for s in [
            "tomorrow",
            "",
            "2026-11-21",
            "2026-11-21T17:00:00",
            "+2026-11-21T17:00:00Z",
            "2026-13-01T00:00:00Z",
        ] {
            assert_eq!(parse_timestamp(s), Err(TimeError::Malformed), "{s:?}");
        }
    }

    /// Everything accepted is stored in exactly 24 characters, reads back to the same
    /// instant, and sorts as text in time order (a seeded sweep over the whole range,
    /// offsets and fractions included).
    #[test]
    fn everything_accepted_reads_back_and_sorts_as_text() {
        let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |bound: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % bound
        };
        let mut seen: Vec<(DateTime<Utc>, String)> = Vec::new();
        for _ in 0..20_000 {
            let year = next(10_000);
            let (month, day) = (1 + next(12), 1 + next(28));
            let (h, m, s) = (next(24), next(60), next(61));
            let frac = match next(3) {
                0 => String::new(),
                1 => format!(".{:03}", next(1000)),
                _ => format!(".{:09}", next(1_000_000_000)),
            };
            let offset = match next(3) {
                0 => "Z".to_string(),
                _ => {
                    let sign = if next(2) == 0 { '+' } else { '-' };
                    format!("{sign}{:02}:{:02}", next(24), next(60))
                }
            };
            let input = format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}{frac}{offset}");
            match parse_timestamp(&input) {
                Ok(t) => {
                    let text = format_timestamp(t);
                    assert_eq!(text.len(), 24, "{input} -> {text}");
                    assert_eq!(parse_timestamp(&text), Ok(t), "{input} -> {text}");
                    seen.push((t, text));
                }
                Err(TimeError::OutOfRange) => {
                    assert!(year == 0 || year == 9999, "{input} refused as out of range");
                }
                // Second 60 outside a leap-second position is not RFC 3339 to chrono.
                Err(TimeError::Malformed) => assert_eq!(s, 60, "{input} refused"),
            }
        }
        assert!(seen.len() > 15_000, "the sweep mostly produced valid times");
        seen.sort();
        assert!(
            seen.windows(2).all(|w| w[0].1 <= w[1].1),
            "string order is time order"
        );
    }

    #[test]
    fn computed_bounds_are_clamped_to_the_storable_range() {
        let before = earliest() - chrono::Duration::days(7);
        assert_eq!(format_timestamp(before), "0000-01-01T00:00:00.000Z");
        let after = latest() + chrono::Duration::days(7);
        assert_eq!(format_timestamp(after), "9999-12-31T23:59:59.999Z");
    }

    #[test]
    fn dates_are_exactly_four_digit_years_months_and_days() {
        assert_eq!(
            parse_date("2026-11-21").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
        );
        assert_eq!(parse_date("0000-01-01").unwrap().to_string(), "0000-01-01");
        for d in [
            "+10000-01-01",
            "-0001-01-01",
            "2026-1-1",
            "2026-02-30",
            "20260101",
            "2026-11-21Z",
        ] {
            assert_eq!(parse_date(d), Err(TimeError::Malformed), "{d}");
        }
    }
}
