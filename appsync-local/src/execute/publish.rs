//! The executor's part in subscriptions. After a mutation: what its root fields publish to
//! the subscriptions whose `@aws_subscribe` names them (the result the mutation selected, keyed
//! by field name, aliases undone, as subscribers' filters and selections read it). For each
//! subscriber: that result seen through the subscription's own selection set, no resolver
//! run, as AppSync sends it (a field the mutation did not select is null, and null in a
//! non-null field is the usual error).

use apollo_compiler::executable::SelectionSet;
use futures::future::{BoxFuture, FutureExt};
use serde_json::{json, Map, Value};

use super::collect::collect;
use super::context::Invocation;
use super::level::execute_root;
use crate::caller::Caller;
use crate::graphql::schema::Api;
use crate::graphql::validate::Prepared;
use crate::invoke::{FunctionError, Invoker};
use crate::response::Response;

/// One mutation field's result, for its subscribers.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// The mutation field (`createActivity`).
    pub mutation: String,
    /// Its result with field names for keys.
    pub value: Value,
}

/// What the mutation's root fields (`data`, by response key) publish: those some subscription
/// field names in `@aws_subscribe`, when they resolved to a value.
pub(super) fn published(inv: &Invocation<'_>, data: &Value) -> Vec<Published> {
    let op = &inv.prepared.operation;
    if !op.operation_type.is_mutation() {
        return Vec::new();
    }
    let root_type = op.object_type().to_string();
    let mut out = Vec::new();
    for (key, fields) in collect(inv, &root_type, &[&op.selection_set]) {
        let Some(field) = fields.first() else {
            continue;
        };
        let name = field.name.as_str();
        let value = &data[key.as_str()];
        if inv.api.subscriptions_of(name).is_empty() || value.is_null() {
            continue;
        }
        let inner = field.definition.ty.inner_named_type().to_string();
        let sets: Vec<&SelectionSet> = fields.iter().map(|f| &f.selection_set).collect();
        out.push(Published {
            mutation: name.to_string(),
            value: by_field_name(inv, inner, sets, value),
        });
    }
    out
}

/// `value` (keyed by response key) keyed by field name, level by level.
fn by_field_name<'i, 'a: 'i>(
    inv: &'i Invocation<'a>,
    type_name: String,
    sets: Vec<&'a SelectionSet>,
    value: &Value,
) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| by_field_name(inv, type_name.clone(), sets.clone(), v))
                .collect(),
        ),
        Value::Object(object) => {
            let mut out = Map::new();
            for (key, fields) in collect(inv, &type_name, &sets) {
                let (Some(field), Some(v)) = (fields.first(), object.get(key.as_str())) else {
                    continue;
                };
                let subs: Vec<&SelectionSet> = fields
                    .iter()
                    .map(|f| &f.selection_set)
                    .filter(|s| !s.selections.is_empty())
                    .collect();
                let v = if subs.is_empty() {
                    v.clone()
                } else {
                    let inner = field.definition.ty.inner_named_type().to_string();
                    by_field_name(inv, inner, subs, v)
                };
                merge(&mut out, field.name.to_string(), v);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Two aliases of one field selecting different sub-fields: their objects together.
fn merge(into: &mut Map<String, Value>, name: String, value: Value) {
    match (into.get_mut(&name), value) {
        (Some(Value::Object(old)), Value::Object(new)) => {
            for (k, v) in new {
                merge(old, k, v);
            }
        }
        (_, value) => {
            into.insert(name, value);
        }
    }
}

/// Never called: shaping a published result runs no resolver.
struct NoFunctions;

impl Invoker for NoFunctions {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        _payload: Value,
    ) -> BoxFuture<'a, Result<Value, FunctionError>> {
        async move {
            Err(FunctionError::new(
                "Internal",
                format!("{function} called while shaping a subscription message"),
            ))
        }
        .boxed()
    }
}

/// The `data` message payload one subscriber gets for `value`: its subscription (`prepared`,
/// one root field) completed over the published result with the subscriber's rights.
pub async fn for_subscriber(
    api: &Api,
    prepared: &Prepared,
    caller: &Caller,
    value: &Value,
) -> Response {
    let mut inv = Invocation::new(api, &NoFunctions, prepared, caller, Map::new(), Vec::new());
    inv.run_resolvers = false;
    let source = match prepared.root_field() {
        Some(field) => json!({ field: value }),
        None => Value::Null,
    };
    let data = execute_root(&inv, source).await;
    Response {
        data,
        errors: inv.into_errors(),
    }
}
