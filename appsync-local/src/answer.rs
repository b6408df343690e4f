//! One GraphQL request from an authenticated caller to its response: validation, then
//! execution. The HTTP edge calls it for `POST /graphql`, the real-time endpoint for a
//! subscription's `start`. Each channel carries its own operations, as on AppSync: a
//! subscription over HTTP, or a query over the real-time channel, is refused unexecuted.

use std::sync::Arc;

use apollo_compiler::ast::OperationType;

use crate::caller::Caller;
use crate::execute::execute;
use crate::execute::publish::Published;
use crate::graphql::request::GraphQLRequest;
use crate::graphql::schema::Api;
use crate::graphql::validate::{prepare, Prepared};
use crate::invoke::Invoker;
use crate::response::{GraphQLError, Response};

/// Queries longer than this are validated on the blocking pool. Validation cannot yield (it is
/// apollo-compiler's, synchronous); it is linear in the query, but a 2 MB query of aliases
/// would still hold an async worker for a noticeable time. Front ends' queries are far
/// shorter and stay on the fast path.
pub const INLINE_VALIDATION_BYTES: usize = 16 * 1024;

/// Where a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// `POST /graphql`: queries and mutations.
    Http,
    /// A real-time connection's `start`: subscriptions.
    Realtime,
}

/// The response and what the log line says about it.
pub struct Answer {
    pub response: Response,
    /// The name of the operation's first root field, once parsed.
    pub root_field: Option<String>,
    /// Refused by validation: no resolver ran.
    pub rejected: bool,
    /// A valid operation the channel does not carry (`query`, `mutation` or `subscription`):
    /// nothing ran.
    pub wrong_channel: Option<&'static str>,
    /// The validated request, for a subscription to register (`Channel::Realtime` only).
    pub prepared: Option<Prepared>,
    /// A mutation's results for subscribers (`subscriptions::Hub::publish`).
    pub published: Vec<Published>,
}

pub async fn answer(
    api: &Arc<Api>,
    invoker: &dyn Invoker,
    request: GraphQLRequest,
    caller: &Caller,
    channel: Channel,
) -> Answer {
    let prepared = match validate(api, request).await {
        Ok(prepared) => prepared,
        Err(errors) => {
            return Answer {
                response: Response::refused(errors),
                root_field: None,
                rejected: true,
                wrong_channel: None,
                prepared: None,
                published: Vec::new(),
            }
        }
    };
    let kind = prepared.operation.operation_type;
    if kind.is_subscription() != (channel == Channel::Realtime) {
        return Answer {
            response: Response::refused(Vec::new()),
            root_field: prepared.root_field(),
            rejected: true,
            wrong_channel: Some(match kind {
                OperationType::Query => "query",
                OperationType::Mutation => "mutation",
                OperationType::Subscription => "subscription",
            }),
            prepared: None,
            published: Vec::new(),
        };
    }
    let executed = execute(api, invoker, &prepared, caller).await;
    Answer {
        root_field: prepared.root_field(),
        response: executed.response,
        rejected: false,
        wrong_channel: None,
        prepared: (channel == Channel::Realtime).then_some(prepared),
        published: executed.published,
    }
}

async fn validate(api: &Arc<Api>, request: GraphQLRequest) -> Result<Prepared, Vec<GraphQLError>> {
    if request.query.len() <= INLINE_VALIDATION_BYTES {
        return prepare(api, &request);
    }
    let api = api.clone();
    tokio::task::spawn_blocking(move || prepare(&api, &request))
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "validation failed unexpectedly");
            Err(vec![GraphQLError::request(
                "The request could not be validated (an internal error of the local endpoint).",
                None,
            )])
        })
}
