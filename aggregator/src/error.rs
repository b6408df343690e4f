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

    /// A DynamoDB call failed. `transient` says whether trying the same call again may
    /// succeed (throttling, conflicts, network), as opposed to a request DynamoDB will
    /// always refuse (validation, missing table, permissions).
    #[error("DynamoDB {operation} failed ({kind}): {message}", kind = if *.transient { "transient" } else { "permanent" })]
    DynamoDb {
        operation: &'static str,
        transient: bool,
        message: String,
    },
}

impl Error {
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::DynamoDb {
                transient: true,
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
