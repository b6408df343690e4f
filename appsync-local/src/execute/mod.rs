//! Execution of a validated operation, as AppSync runs it: breadth first so that batched
//! fields are one BatchInvoke per level, Direct Lambda events for the fields with a resolver,
//! results coerced to their types, nulls propagated, errors in AppSync's shapes.
//!
//! `operation` → `level` (per level: `collect`, `authorize`, `lambda`, `complete` with
//! `coerce`), all over the request's `context`; `publish` shapes a mutation's results for
//! subscriptions.

mod authorize;
mod coerce;
mod collect;
mod complete;
mod context;
mod introspection;
mod lambda;
mod level;
mod operation;
pub mod publish;

pub use operation::{execute, Executed};
