//! What every request handler shares, built once at start.

use std::sync::Arc;

use crate::auth::Authenticator;
use crate::cognito::UserPool;
use crate::graphql::schema::Api;
use crate::invoke::Invoker;

pub struct ServerState {
    pub api: Arc<Api>,
    pub invoker: Arc<dyn Invoker>,
    pub auth: Arc<Authenticator>,
    /// Where GraphiQL's sample token comes from (a user signed in when the page loads).
    pub sign_in: Option<SignIn>,
}

/// moto's cognito-idp and the pool, to sign a user in.
#[derive(Clone)]
pub struct SignIn {
    pub idp: aws_sdk_cognitoidentityprovider::Client,
    pub pool: UserPool,
}
