//! What every request handler shares, built once at start.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::assets::Assets;
use crate::auth::Authenticator;
use crate::cognito::UserPool;
use crate::graphql::schema::Api;
use crate::invoke::Invoker;
use crate::subscriptions::{Hub, MAX_PAYLOAD_BYTES};

pub struct ServerState {
    pub api: Arc<Api>,
    pub invoker: Arc<dyn Invoker>,
    pub auth: Arc<Authenticator>,
    /// Where GraphiQL's sample token comes from (a user signed in when the page loads).
    pub sign_in: Option<SignIn>,
    /// The subscriptions of every real-time connection.
    pub hub: Arc<Hub>,
    pub realtime: RealtimeSettings,
    /// Becomes true when the stack stops: real-time connections close.
    pub shutdown: watch::Receiver<bool>,
    /// GraphiQL's browser assets.
    pub graphiql: Assets,
}

/// moto's cognito-idp and the pool, to sign a user in.
#[derive(Clone)]
pub struct SignIn {
    pub idp: aws_sdk_cognitoidentityprovider::Client,
    pub pool: UserPool,
}

/// The real-time endpoint's limits and timers.
#[derive(Debug, Clone)]
pub struct RealtimeSettings {
    /// How often `ka` is sent (Amplify alarms after 65 s without one).
    pub keep_alive: Duration,
    /// `connectionTimeoutMs` in `connection_ack` (AppSync sends 300,000), and how long a
    /// connection may stay uninitialised.
    pub connection_timeout: Duration,
    /// AppSync's quota of subscriptions per connection.
    pub max_subscriptions: usize,
    /// The largest message a client may send (AppSync's subscription payload size).
    pub max_message_bytes: usize,
}

impl Default for RealtimeSettings {
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(30),
            connection_timeout: Duration::from_secs(300),
            max_subscriptions: 100,
            max_message_bytes: MAX_PAYLOAD_BYTES,
        }
    }
}
