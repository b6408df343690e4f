//! The aggregator Lambda: consumes the activity table's stream (NEW_AND_OLD_IMAGES) and
//! keeps each user's daily calorie aggregates exact under at-least-once delivery.
//!
//! Pure steps, each a module over plain types: [`event`] reads the payload, [`image`] says
//! what each image counts for, [`delta`]
//! what each record changes, [`plan`] groups the changes into one transaction per aggregate
//! item, [`batch`] chains the three. [`store`] is the only DynamoDB code and [`handler`]
//! runs an invocation: transactions, retries, the partial batch response.

pub mod batch;
pub mod delta;
pub mod error;
pub mod event;
pub mod handler;
pub mod image;
pub mod plan;
pub mod seq;
pub mod store;
pub mod telemetry;

pub use error::Error;
pub use handler::{Aggregator, Config, Outcome, RetryPolicy, Stats};
