//! What every request handler shares, built once at start.

use std::sync::Arc;

use crate::graphql::schema::Api;
use crate::invoke::Invoker;

pub struct ServerState {
    pub api: Arc<Api>,
    pub invoker: Arc<dyn Invoker>,
    pub api_key: String,
    /// Pre-filled in GraphiQL's header editor.
    pub sample_token: String,
}
