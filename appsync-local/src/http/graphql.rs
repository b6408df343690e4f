//! `POST /graphql`: AppSync's endpoint. Authenticate from the headers (401 otherwise), read the
//! body (400 if it is not a GraphQL request), answer within AppSync's 30 seconds.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use tracing::info;

use super::reply::{json_response, malformed};
use super::state::ServerState;
use crate::answer::answer;
use crate::auth::authenticate;
use crate::graphql::request::GraphQLRequest;

/// AppSync's limit on one request.
pub const REQUEST_LIMIT: Duration = Duration::from_secs(30);

pub async fn post(
    State(state): State<Arc<ServerState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let headers: BTreeMap<String, String> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let source_ip = headers
        .get("x-forwarded-for")
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| peer.ip().to_string());
    let now = chrono::Utc::now().timestamp();
    let caller = match authenticate(headers, &source_ip, &state.api_key, now) {
        Ok(c) => c,
        Err(rejection) => {
            info!(
                status = 401,
                message = rejection.message,
                "POST /graphql refused"
            );
            return json_response(StatusCode::UNAUTHORIZED, &rejection.body());
        }
    };
    let Ok(request) = serde_json::from_slice::<GraphQLRequest>(&body) else {
        return malformed(StatusCode::BAD_REQUEST, "Unable to parse GraphQL query.");
    };
    let run = answer(&state.api, &*state.invoker, request, &caller);
    let Ok(answer) = tokio::time::timeout(REQUEST_LIMIT, run).await else {
        info!(caller = caller.log_name(), "POST /graphql timed out");
        return json_response(
            StatusCode::OK,
            &json!({ "data": null, "errors": [{ "errorType": "ExecutionTimeout", "message": "Execution timed out." }] }),
        );
    };
    info!(
        field = answer.root_field.as_deref().unwrap_or("-"),
        caller = caller.log_name(),
        errors = answer.response.errors.len(),
        rejected = answer.rejected,
        ms = format!("{:.1}", started.elapsed().as_secs_f64() * 1000.0),
        "POST /graphql"
    );
    json_response(StatusCode::OK, &answer.response)
}

pub async fn not_post() -> Response {
    malformed(
        StatusCode::METHOD_NOT_ALLOWED,
        "GraphQL requests are POSTed to /graphql",
    )
}
