//! One GraphQL request from an authenticated caller to its response: validation, then
//! execution. The HTTP edge calls it for `POST /graphql` (and a real-time endpoint would for
//! a subscription's `start`).

use crate::caller::Caller;
use crate::execute::execute;
use crate::graphql::request::GraphQLRequest;
use crate::graphql::schema::Api;
use crate::graphql::validate::prepare;
use crate::invoke::Invoker;
use crate::response::Response;

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
    api: &Api,
    invoker: &dyn Invoker,
    request: &GraphQLRequest,
    caller: &Caller,
) -> Answer {
    match prepare(api, request) {
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
