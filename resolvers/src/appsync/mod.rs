//! The AppSync side of the Lambda: events read through the shared contract
//! (`appsync_contract`), the caller from their identity, and the fields this Lambda resolves,
//! generated from schema.graphql and template.yaml (`fields`).

pub mod fields;
pub mod identity;

use serde_json::Value;

pub use appsync_contract::{BatchItem, Event, Identity};
pub use identity::Caller;

use crate::error::AppError;
use crate::output::Wants;

/// One event of a field, parsed: who calls, the parent object (null at the root), what the
/// query selects below the field, and the field's typed arguments.
#[derive(Debug)]
pub struct Call<A> {
    pub caller: Caller,
    pub source: Value,
    pub wants: Wants,
    pub args: A,
}

impl Call<()> {
    pub fn with<A>(self, args: A) -> Call<A> {
        Call {
            caller: self.caller,
            source: self.source,
            wants: self.wants,
            args,
        }
    }
}

/// A field's result as a BatchInvoke reply item.
pub fn batch_item(result: Result<Value, AppError>) -> BatchItem {
    match result {
        Ok(data) => BatchItem::data(data),
        Err(err) => {
            err.log();
            BatchItem::error(err.error_type(), err.to_string())
        }
    }
}
