//! The endpoint's routes. Every request first meets the origin check; a real-time WebSocket
//! route would sit next to `POST /graphql` behind the same check.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use super::origins::{refuse_strangers, AllowedOrigins};
use super::state::ServerState;
use super::{graphiql, graphql};

pub fn router(state: Arc<ServerState>, origins: Arc<AllowedOrigins>) -> Router {
    Router::new()
        .route("/", get(graphiql::page))
        .route("/graphql", post(graphql::post).get(graphql::not_post))
        .with_state(state)
        .layer(origins.cors_layer())
        .layer(axum::middleware::from_fn_with_state(
            origins,
            refuse_strangers,
        ))
}
