//! Placeholder until the aggregator lands (issue 3).
fn main() {}
