//! HTTP: `POST /graphql` (AppSync's endpoint), `GET /` (GraphiQL), CORS preflight.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use tracing::info;

use crate::auth::{self, Auth};
use crate::functions::Functions;
use crate::graphql::{self, Api, Caller, GraphQLRequest};

/// AppSync's limit on one request.
pub const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

pub struct ServerState {
    pub api: Api,
    pub functions: Arc<Functions>,
    pub api_key: String,
    /// Pre-filled in GraphiQL's header editor.
    pub sample_token: String,
}

pub fn router(state: Arc<ServerState>) -> Router {
    Router::new()
        .route("/", get(graphiql))
        .route(
            "/graphql",
            axum::routing::post(graphql_endpoint)
                .options(preflight)
                .get(not_post),
        )
        .with_state(state)
}

fn with_cors(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    let mut r = (status, text).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    with_cors(r)
}

async fn preflight() -> Response {
    let mut r = StatusCode::OK.into_response();
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(
            "authorization, x-api-key, content-type, x-amz-user-agent, x-amz-date",
        ),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    with_cors(r)
}

async fn not_post() -> Response {
    json_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &json!({ "errors": [{ "errorType": "MalformedHttpRequestException", "message": "GraphQL requests are POSTed to /graphql" }] }),
    )
}

async fn graphql_endpoint(
    State(state): State<Arc<ServerState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let headers: BTreeMap<String, String> = headers
        .iter()
        .filter_map(|(k, v)| {
            Some((
                k.as_str().to_ascii_lowercase(),
                v.to_str().ok()?.to_string(),
            ))
        })
        .collect();
    let source_ip = headers
        .get("x-forwarded-for")
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| peer.ip().to_string());
    let now = chrono::Utc::now().timestamp();
    let auth = match auth::authenticate(&headers, &source_ip, &state.api_key, now) {
        Ok(a) => a,
        Err(rejection) => {
            info!(
                status = 401,
                message = rejection.message,
                "POST /graphql refused"
            );
            return json_response(StatusCode::UNAUTHORIZED, &rejection.body());
        }
    };
    let request: GraphQLRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                &json!({ "errors": [{ "errorType": "MalformedHttpRequestException", "message": "Unable to parse GraphQL query." }] }),
            )
        }
    };
    let who = match &auth {
        Auth::ApiKey => "api-key".to_string(),
        Auth::Cognito { identity, .. } => identity["username"].as_str().unwrap_or("?").to_string(),
    };
    let caller = Caller { auth, headers };
    let run = graphql::execute(&state.api, &*state.functions, request, &caller);
    // AppSync gives a request 30 seconds.
    let Ok((reply, outcome)) = tokio::time::timeout(REQUEST_LIMIT, run).await else {
        info!(caller = %who, "POST /graphql timed out");
        return json_response(
            StatusCode::OK,
            &json!({ "data": null, "errors": [{ "errorType": "ExecutionTimeout", "message": "Execution timed out." }] }),
        );
    };
    info!(
        field = outcome.root_field.as_deref().unwrap_or("-"),
        caller = %who,
        errors = outcome.errors,
        rejected = outcome.rejected,
        ms = format!("{:.1}", started.elapsed().as_secs_f64() * 1000.0),
        "POST /graphql"
    );
    json_response(StatusCode::OK, &reply)
}

async fn graphiql(State(state): State<Arc<ServerState>>) -> Response {
    let headers = json!({ "Authorization": state.sample_token }).to_string();
    let page = GRAPHIQL
        .replace(
            "__DEFAULT_HEADERS__",
            &serde_json::to_string(&headers).unwrap_or_default(),
        )
        .replace("__API_KEY__", &html_escape(&state.api_key));
    with_cors(Html(page).into_response())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const GRAPHIQL: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Local AppSync - GraphiQL</title>
  <style>
    body { margin: 0; height: 100vh; display: flex; flex-direction: column; font-family: sans-serif; }
    #bar { padding: 6px 12px; font-size: 13px; background: #232f3e; color: #fff; }
    #bar code { background: #37475a; padding: 1px 4px; border-radius: 3px; }
    #graphiql { flex: 1; min-height: 0; }
  </style>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css" />
</head>
<body>
  <div id="bar">
    Local AppSync endpoint <code>POST /graphql</code>.
    Headers: <code>Authorization</code> with a Cognito-style JWT (<code>./dev token NAME [GROUP]</code>; signature not checked),
    or <code>x-api-key: __API_KEY__</code> for the <code>@aws_api_key</code> reads.
  </div>
  <div id="graphiql">Loading GraphiQL (needs the browser to reach unpkg.com)...</div>
  <script crossorigin src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: window.location.origin + '/graphql' });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultHeaders: __DEFAULT_HEADERS__,
        defaultEditorToolsVisibility: 'headers',
        defaultQuery: '# Upcoming events and their rooms (Event.room is one BatchInvoke)\n{\n  listEvents(when: UPCOMING, limit: 5) {\n    items { id name event_datetime_start tickets_left room { name capacity } }\n    nextToken\n  }\n}\n',
      }),
    );
  </script>
</body>
</html>
"#;
