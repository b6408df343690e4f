//! What every request handler shares, built once at start.

use std::sync::Arc;

use tokio::sync::watch;

use super::graphiql::Assets;
use super::realtime::Settings;
use crate::auth::Authenticator;
use crate::cognito::UserPool;
use crate::graphql::schema::Api;
use crate::invoke::Invoker;
use crate::subscriptions::Hub;

pub struct ServerState {
    pub api: Arc<Api>,
    pub invoker: Arc<dyn Invoker>,
    pub auth: Arc<Authenticator>,
    /// Where GraphiQL's sample token comes from (a user signed in when the page loads).
    pub sign_in: Option<SignIn>,
    /// The subscriptions of every real-time connection.
    pub hub: Arc<Hub>,
    pub realtime: Settings,
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
