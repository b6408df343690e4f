//! JSON replies as AppSync sends them. An error answer carries its error type twice, as
//! AppSync's do: in the body's `errorType` and in the `x-amzn-ErrorType` header, which is
//! what Amplify v6 reads to name the error (without it a 401 shows as "Unknown error").

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The header AppSync names an HTTP error's type in.
pub const ERROR_TYPE_HEADER: HeaderName = HeaderName::from_static("x-amzn-errortype");

pub fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    let mut r = (status, text).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

/// An error answer: `{"errors": [{"errorType", "message"}]}` and `x-amzn-ErrorType`.
pub fn error_response(status: StatusCode, error_type: &'static str, message: &str) -> Response {
    let mut r = json_response(
        status,
        &json!({ "errors": [{ "errorType": error_type, "message": message }] }),
    );
    r.headers_mut()
        .insert(ERROR_TYPE_HEADER, HeaderValue::from_static(error_type));
    r
}

/// A request AppSync cannot read as GraphQL at all.
pub fn malformed(status: StatusCode, message: &str) -> Response {
    error_response(status, "MalformedHttpRequestException", message)
}
