//! JSON replies as AppSync sends them.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    let mut r = (status, text).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

/// A request AppSync cannot read as GraphQL at all.
pub fn malformed(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        &json!({ "errors": [{ "errorType": "MalformedHttpRequestException", "message": message }] }),
    )
}
