//! How the executor and the stream poller call a function, as the Lambda service would:
//! a payload in, the function's reply or its error out. `functions` implements it with the
//! real handlers in-process; tests implement it with recorders.

use futures::future::BoxFuture;
use serde_json::Value;

pub trait Invoker: Send + Sync {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, FunctionError>>;
}

/// A function error as Lambda reports it (`errorType`, `errorMessage`).
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionError {
    pub error_type: String,
    pub error_message: String,
}

impl FunctionError {
    pub fn new(error_type: impl Into<String>, error_message: impl Into<String>) -> Self {
        Self {
            error_type: error_type.into(),
            error_message: error_message.into(),
        }
    }
}
