//! Runs a validated operation: root introspection first, then the root fields level by level
//! (a mutation's root fields one after another, as GraphQL requires); a mutation's results
//! that subscriptions follow are handed back for publishing.

use serde_json::Value;

use super::context::Invocation;
use super::introspection;
use super::level::execute_root;
use super::publish::{published, Published};
use crate::caller::Caller;
use crate::graphql::schema::Api;
use crate::graphql::validate::Prepared;
use crate::invoke::Invoker;
use crate::response::Response;

/// An executed operation.
pub struct Executed {
    pub response: Response,
    /// A mutation's results for `@aws_subscribe` subscribers (empty otherwise).
    pub published: Vec<Published>,
}

pub async fn execute(
    api: &Api,
    invoker: &dyn Invoker,
    prepared: &Prepared,
    caller: &Caller,
) -> Executed {
    let (introspection, errors) = if prepared.introspection {
        introspection::run(api, prepared)
    } else {
        Default::default()
    };
    let inv = Invocation::new(api, invoker, prepared, caller, introspection, errors);
    let data = execute_root(&inv, Value::Null).await;
    let published = published(&inv, &data);
    Executed {
        response: Response {
            data,
            errors: inv.into_errors(),
        },
        published,
    }
}
