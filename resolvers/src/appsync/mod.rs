//! The AppSync Direct Lambda contract: the event AppSync sends, who is calling, and the reply
//! shapes (a single result, or one `{data, errorType, errorMessage}` per BatchInvoke item).

pub mod identity;

use serde::{Deserialize, Serialize};
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
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchItem {
    pub data: Value,
    pub error_type: Option<&'static str>,
    pub error_message: Option<String>,
}

pub fn batch_item(result: Result<Value, crate::error::AppError>) -> BatchItem {
    match result {
        Ok(data) => BatchItem {
            data,
            error_type: None,
            error_message: None,
        },
        Err(err) => {
            err.log();
            BatchItem {
                data: Value::Null,
                error_type: Some(err.error_type()),
                error_message: Some(err.to_string()),
            }
        }
    }
}
