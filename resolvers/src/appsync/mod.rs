//! The AppSync Direct Lambda contract: the event AppSync sends, who is calling, and the reply
//! shapes (a single result, or one `{data, errorType, errorMessage}` per BatchInvoke item).

pub mod identity;

use serde::Deserialize;
use serde_json::Value;

pub use identity::Caller;

/// One resolver invocation as AppSync sends it (the fields this backend reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSyncEvent {
    #[serde(default)]
    pub arguments: Value,
    #[serde(default)]
    pub identity: Value,
    #[serde(default)]
    pub source: Value,
    pub info: Info,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    pub parent_type_name: String,
    pub field_name: String,
    #[serde(default)]
    pub selection_set_list: Vec<String>,
}

/// The reply item of a BatchInvoke: AppSync reads `data` or the error of each item on its own.
pub fn batch_item(result: Result<Value, crate::error::AppError>) -> Value {
    match result {
        Ok(data) => serde_json::json!({ "data": data, "errorType": null, "errorMessage": null }),
        Err(err) => {
            err.log();
            serde_json::json!({ "data": null, "errorType": err.error_type(), "errorMessage": err.to_string() })
        }
    }
}
