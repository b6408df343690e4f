//! `POST /graphql`: AppSync's endpoint. Authenticate from the headers (401 otherwise), read the
//! body (413 over [`BODY_LIMIT`], 400 if it is not a GraphQL request; a subscription is
//! refused as AppSync refuses one sent over HTTP), answer within AppSync's 30 seconds.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use tracing::info;

use super::reply::{error_response, json_response, malformed};
use super::state::ServerState;
use crate::answer::{answer, Channel};
use crate::auth::UNAUTHORIZED;
use crate::graphql::request::GraphQLRequest;

/// AppSync's limit on one request.
pub const REQUEST_LIMIT: Duration = Duration::from_secs(30);

/// The largest body the local endpoint reads. AWS documents no request size for AppSync's
/// GraphQL endpoint; this is the local stack's own bound (README says so), answered in
/// AppSync's error shape.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

pub async fn post(
    State(state): State<Arc<ServerState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
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
    let caller = match state.auth.authenticate(headers, &source_ip, now) {
        Ok(c) => c,
        Err(rejection) => {
            info!(
                status = 401,
                message = rejection.message,
                reason = %rejection.reason,
                "POST /graphql refused"
            );
            return error_response(StatusCode::UNAUTHORIZED, UNAUTHORIZED, rejection.message);
        }
    };
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BadRequestException",
                &format!(
                    "The request body is larger than {BODY_LIMIT} bytes, the most this local endpoint reads."
                ),
            )
        }
    };
    let Ok(request) = serde_json::from_slice::<GraphQLRequest>(&body) else {
        return malformed(StatusCode::BAD_REQUEST, "Unable to parse GraphQL query.");
    };
    let run = answer(&state.api, &*state.invoker, request, &caller, Channel::Http);
    let Ok(answer) = tokio::time::timeout(REQUEST_LIMIT, run).await else {
        info!(caller = caller.log_name(), "POST /graphql timed out");
        return json_response(
            StatusCode::OK,
            &json!({ "data": null, "errors": [{ "errorType": "ExecutionTimeout", "message": "Execution timed out." }] }),
        );
    };
    if answer.wrong_channel.is_some() {
        // What AppSync answers since it stopped serving subscriptions over MQTT: they are
        // made on the real-time endpoint (`wss://.../graphql/realtime`).
        info!(
            caller = caller.log_name(),
            "POST /graphql: a subscription, refused"
        );
        return error_response(
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            "Subscriptions over MQTT is not supported.",
        );
    }
    // Delivered to subscribers by the hub's task, in mutation order.
    state.hub.enqueue(answer.published).await;
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
