//! Stream sequence numbers, and their order: public, so that anything else replaying a
//! stream (the local stack's poller) orders records as the aggregator does.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// A stream record's sequence number: a 21-40 digit decimal string. Ordered as the integer
/// it spells, never as text ("9" < "10"), because Lambda resumes a shard from the lowest
/// sequence number we report. Shared rather than copied: every aggregate a record touches
/// carries its sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SequenceNumber(Arc<str>);

impl SequenceNumber {
    pub fn new(s: impl Into<Arc<str>>) -> Self {
        Self(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Two sequence numbers compared as the integers they spell ("0100" equals "100").
pub fn numeric_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    // For equal-length digit strings byte order is numeric order.
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for SequenceNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        // The tie-break on the raw text keeps Ord consistent with Eq for "007" vs "7".
        numeric_cmp(&self.0, &other.0).then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for SequenceNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for SequenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> SequenceNumber {
        SequenceNumber::new(x)
    }

    #[test]
    fn compares_as_integers_not_text() {
        assert!(s("9") < s("10"));
        assert!(s("99999999999999999999") < s("100000000000000000000"));
        assert!(s("1100000000017454423010") > s("1100000000017454423009"));
        assert!(s("0012") > s("9"));
    }

    #[test]
    fn lowest_of_many_is_the_numeric_minimum() {
        let all = [
            s("400000000000000000000000001"),
            s("39999999999999999999999999"),
            s("400000000000000000000000000"),
        ];
        assert_eq!(
            all.iter().min().unwrap().as_str(),
            "39999999999999999999999999"
        );
    }

    #[test]
    fn numeric_order_ignores_leading_zeros() {
        assert_eq!(numeric_cmp("0100", "100"), Ordering::Equal);
        assert_eq!(numeric_cmp("900", "1000"), Ordering::Less);
        assert_eq!(
            numeric_cmp("4100000000021000000002", "4100000000021000000001"),
            Ordering::Greater
        );
    }

    #[test]
    fn ordering_is_consistent_with_equality() {
        assert_ne!(s("007"), s("7"));
        assert_ne!(s("007").cmp(&s("7")), Ordering::Equal);
        assert_eq!(s("7").cmp(&s("7")), Ordering::Equal);
    }
}
