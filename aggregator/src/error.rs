//! The crate's one error type.

use lambda_runtime::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The function is deployed without a setting it cannot run without.
    #[error("configuration: {0}")]
    Config(String),

    /// The invocation payload is not a DynamoDB stream batch at all (not even a `Records`
    /// array), so no record can be named in a partial batch response.
    #[error("the payload is not a DynamoDB stream event: {0}")]
    Payload(#[from] serde_json::Error),

    /// A DynamoDB call failed. `retryable` says whether trying again within this invocation
    /// may succeed: only for a transaction cancelled by a concurrent one (or throttled inside
    /// a transaction), which the SDK does not retry. Throttling, 5xx and network failures of
    /// the call itself were already retried by the SDK (`store::retry_config`); retrying them
    /// here as well would multiply its attempts, so they, like requests DynamoDB will always
    /// refuse, are left to Lambda's redelivery.
    #[error("DynamoDB {operation} failed{kind}: {message}", kind = if *.retryable { " (cancelled, worth retrying)" } else { "" })]
    DynamoDb {
        operation: &'static str,
        retryable: bool,
        message: String,
    },
}

impl Error {
    pub fn retry_in_invocation(&self) -> bool {
        matches!(
            self,
            Self::DynamoDb {
                retryable: true,
                ..
            }
        )
    }

    /// A stable name for the Lambda error report; the runtime's default would be the Rust
    /// type path.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Config(_) => "Aggregator.Config",
            Self::Payload(_) => "Aggregator.Payload",
            Self::DynamoDb { .. } => "Aggregator.DynamoDb",
        }
    }
}

impl From<Error> for Diagnostic {
    fn from(e: Error) -> Self {
        Diagnostic {
            error_type: e.error_type().to_string(),
            error_message: e.to_string(),
        }
    }
}
