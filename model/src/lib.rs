//! Plain types shared by the `resolvers` and `aggregator` crates.
//!
//! The activity item is written by the resolvers and read back from the stream by the
//! aggregator, so its stored shape and its calorie semantics live here, once.

pub mod activity;
pub mod retry;

pub use activity::{Activity, CalorieKind, Contribution};
