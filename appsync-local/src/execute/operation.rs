//! Runs a validated operation: root introspection first, then the root fields level by level
//! (a mutation's root fields one after another, as GraphQL requires); a mutation's results
//! that subscriptions follow are handed back for publishing.

use serde_json::Value;

use super::context::{Invocation, Parent};
use super::introspection;
use super::level::execute_level;
use super::publish::{published, Published};
use crate::caller::Caller;
use crate::graphql::schema::Api;
use crate::graphql::validate::Prepared;
use crate::invoke::Invoker;
use crate::response::{Response, ResponsePath};

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
    let op = &prepared.operation;
    let root = Parent {
        path: ResponsePath::default(),
        source: Value::Null,
    };
    let serial = op.operation_type.is_mutation();
    let mut objects = execute_level(
        &inv,
        op.object_type().to_string(),
        vec![&op.selection_set],
        vec![root],
        serial,
    )
    .await;
    let data = match objects.pop().flatten() {
        Some(object) => Value::Object(object),
        None => Value::Null,
    };
    let published = published(&inv, &data);
    Executed {
        response: Response {
            data,
            errors: inv.into_errors(),
        },
        published,
    }
}
