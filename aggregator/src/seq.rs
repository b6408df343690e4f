//! Stream sequence numbers.

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

    fn significant(&self) -> &str {
        self.0.trim_start_matches('0')
    }
}

impl Ord for SequenceNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.significant(), other.significant());
        // For equal-length digit strings byte order is numeric order; the final tie-break on
        // the raw text keeps Ord consistent with Eq for "007" vs "7".
        a.len()
            .cmp(&b.len())
            .then_with(|| a.cmp(b))
            .then_with(|| self.0.cmp(&other.0))
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
    fn ordering_is_consistent_with_equality() {
        assert_ne!(s("007"), s("7"));
        assert_ne!(s("007").cmp(&s("7")), Ordering::Equal);
        assert_eq!(s("7").cmp(&s("7")), Ordering::Equal);
    }
}
