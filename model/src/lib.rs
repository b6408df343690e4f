//! Plain types shared by the `resolvers` and `aggregator` crates.
//!
//! The activity item is written by the resolvers and read back from the stream by the
//! aggregator, so its stored shape and its calorie semantics live here, once; so does the rule
//! for the times both read and write (`time`).

pub mod activity;
pub mod retry;
pub mod time;

pub use activity::{Activity, CalorieKind, Contribution};
pub use time::{format_timestamp, parse_timestamp};
