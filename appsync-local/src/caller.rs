//! Who made a request, once the edge has authenticated it: what the executor needs to apply
//! the `@aws_*` field rules and to fill the Direct Lambda event's `identity` and `request`.

use std::collections::BTreeMap;

use appsync_contract::Identity;

/// The authorization mode a request was made with.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthMode {
    /// The API key: AppSync hands resolvers a null identity.
    ApiKey,
    /// A Cognito user pool token; `groups` is its `cognito:groups`.
    CognitoUserPools { groups: Vec<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub mode: AuthMode,
    /// The event's `identity`, as AppSync builds it for the mode.
    pub identity: Identity,
    /// The request's headers (names lower-case): the event's `request.headers`.
    pub headers: BTreeMap<String, String>,
}

impl Caller {
    pub fn api_key(headers: BTreeMap<String, String>) -> Self {
        Self {
            mode: AuthMode::ApiKey,
            identity: Identity::ApiKey,
            headers,
        }
    }

    /// A short name for logs: the Cognito username, or `api-key`.
    pub fn log_name(&self) -> &str {
        match &self.identity {
            Identity::CognitoUserPools(c) => &c.username,
            Identity::ApiKey => "api-key",
            _ => "?",
        }
    }
}
