//! `GET /`: GraphiQL on the endpoint, with the headers a first query needs pre-filled.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::state::ServerState;
use crate::cognito::sign_in;

pub async fn page(State(state): State<Arc<ServerState>>) -> Response {
    // A fresh token for each page load: moto's tokens live an hour.
    let token = match &state.sign_in {
        Some(s) => match sign_in(&s.idp, &s.pool, "alice", &[]).await {
            Ok(tokens) => tokens.access,
            Err(e) => {
                tracing::warn!(error = %e, "GraphiQL's sample token: sign-in failed");
                String::new()
            }
        },
        None => String::new(),
    };
    let headers = json!({ "Authorization": token }).to_string();
    let page = GRAPHIQL
        .replace(
            "__DEFAULT_HEADERS__",
            &serde_json::to_string(&headers).unwrap_or_default(),
        )
        .replace("__API_KEY__", &html_escape(&state.auth.api_key));
    Html(page).into_response()
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
    Headers: <code>Authorization</code> with a user-pool token (alice's is filled in; <code>./dev token NAME [GROUP]</code> for others),
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
