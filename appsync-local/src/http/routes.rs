//! The endpoint's routes. Every request, the real-time WebSocket upgrade included, first meets
//! the origin check.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use super::origins::{refuse_strangers, AllowedOrigins};
use super::state::ServerState;
use super::{graphiql, graphql, realtime};

pub fn router(state: Arc<ServerState>, origins: Arc<AllowedOrigins>) -> Router {
    Router::new()
        .route("/", get(graphiql::page))
        .route("/graphiql/{name}", get(graphiql::asset))
        .route("/graphql", post(graphql::post).get(graphql::not_post))
        .route("/graphql/realtime", get(realtime::upgrade))
        .with_state(state)
        .layer(origins.cors_layer())
        .layer(axum::middleware::from_fn_with_state(
            origins,
            refuse_strangers,
        ))
}
