//! `GET /graphql/realtime`: AppSync's real-time endpoint, where Amplify derives it for any
//! endpoint that is not an `appsync-api` domain (`<GraphQL URL>/realtime`, always `wss://`;
//! the server answers TLS and plain connections on the same port). The upgrade takes the
//! `graphql-ws` subprotocol; `handshake` reads who connects, `connection` speaks the protocol.

mod connection;
pub mod handshake;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use super::reply::error_response;
use super::state::ServerState;

pub async fn upgrade(
    State(state): State<Arc<ServerState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let ws = match ws {
        Ok(ws) => ws,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BadRequestException",
                &format!("The real-time endpoint speaks WebSocket (subprotocol graphql-ws): {e}"),
            )
        }
    };
    let handshake = handshake::read(&headers, uri.query());
    let limit = state.realtime.max_message_bytes;
    ws.protocols([handshake::PROTOCOL])
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| connection::run(socket, state, handshake, peer.ip().to_string()))
}
