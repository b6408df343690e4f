//! The one error type of the resolvers crate. Each variant is a stable AppSync `errorType`;
//! its message tells the caller what was wrong and what is allowed. `Internal` keeps details
//! out of the reply: they are logged instead.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    SoldOut(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    BadRequest(String),
    /// The detail is for the logs only.
    #[error("internal error; please retry later")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "NotFound",
            Self::Unauthorized(_) => "Unauthorized",
            Self::Validation(_) => "ValidationError",
            Self::SoldOut(_) => "SoldOut",
            Self::Conflict(_) => "Conflict",
            Self::BadRequest(_) => "BadRequest",
            Self::Internal(_) => "Internal",
        }
    }

    pub fn validation(msg: impl Into<String>) -> Self {
        Self::Validation(msg.into())
    }

    /// NotFound for a `kind` of item ("event", "room") with this id.
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::NotFound(format!("{kind} {id:?} does not exist"))
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::Internal(detail.into())
    }

    /// Logs what the caller is not shown.
    pub fn log(&self) {
        match self {
            Self::Internal(detail) => tracing::error!(error_type = "Internal", detail = %detail),
            other => tracing::info!(error_type = other.error_type(), message = %other),
        }
    }
}

impl<E, R> From<SdkError<E, R>> for AppError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fn from(err: SdkError<E, R>) -> Self {
        let detail = match err.as_service_error() {
            Some(service) => format!(
                "dynamodb {}: {}",
                service.code().unwrap_or("?"),
                service.message().unwrap_or("")
            ),
            None => format!("dynamodb transport: {err:?}"),
        };
        Self::Internal(detail)
    }
}

/// A request the store built wrongly (a missing required field): a programming error.
impl From<aws_sdk_dynamodb::error::BuildError> for AppError {
    fn from(err: aws_sdk_dynamodb::error::BuildError) -> Self {
        Self::Internal(format!("request not built: {err}"))
    }
}

impl From<serde_dynamo::Error> for AppError {
    fn from(err: serde_dynamo::Error) -> Self {
        Self::Internal(format!("stored item does not match its type: {err}"))
    }
}

impl From<AppError> for lambda_runtime::Diagnostic {
    fn from(err: AppError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: err.error_type().to_string(),
            error_message: err.to_string(),
        }
    }
}
