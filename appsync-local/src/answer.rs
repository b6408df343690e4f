//! One GraphQL request from an authenticated caller to its response: validation, then
//! execution. The HTTP edge calls it for `POST /graphql` (and a real-time endpoint would for
//! a subscription's `start`).

use std::sync::Arc;

use crate::caller::Caller;
use crate::execute::execute;
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

/// The response and what the log line says about it.
#[derive(Debug)]
pub struct Answer {
    pub response: Response,
    /// The name of the operation's first root field, once parsed.
    pub root_field: Option<String>,
    /// Refused by validation: no resolver ran.
    pub rejected: bool,
}

pub async fn answer(
    api: &Arc<Api>,
    invoker: &dyn Invoker,
    request: GraphQLRequest,
    caller: &Caller,
) -> Answer {
    match validate(api, request).await {
        Ok(prepared) => Answer {
            root_field: prepared.root_field(),
            response: execute(api, invoker, &prepared, caller).await,
            rejected: false,
        },
        Err(errors) => Answer {
            response: Response::refused(errors),
            root_field: None,
            rejected: true,
        },
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
