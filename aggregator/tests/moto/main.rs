//! The aggregator against a real DynamoDB Local (start it with `scripts/engines cargo test -p
//! aggregator`): activities are written to the activity table, the real stream records are
//! read back and handed to the handler as Lambda would, and the aggregates are checked
//! against a recomputation from the activity table.

#[path = "../support/mod.rs"]
mod support;

mod budget;
mod chaos;
mod fixtures;
mod lifecycle;
mod randomized;
mod redelivery;
mod sdk_retries;
