//! A Direct Lambda resolver's call for every parent of a level: the event AppSync builds
//! (`arguments, identity, source, request, prev, stash, info`), one invocation per parent, or
//! for a field with `MaxBatchSize` BatchInvoke arrays of at most that many events, answered
//! item by item (`{data, errorType, errorMessage}`).

use apollo_compiler::executable::{Field, SelectionSet};
use apollo_compiler::Node;
use appsync_contract::{BatchItem, Event, Info};
use serde_json::{Map, Value};

use super::collect::selection_list;
use super::context::{all_in_order, Invocation, Parent};
use crate::graphql::schema::LambdaResolver;
use crate::invoke::FunctionError;

/// One result per parent, in order.
pub async fn call<'a>(
    inv: &Invocation<'a>,
    resolver: &LambdaResolver,
    type_name: &str,
    fields: &[&'a Node<Field>],
    arguments: Map<String, Value>,
    parents: &[Parent],
) -> Vec<Result<Value, FunctionError>> {
    let Some(field) = fields.first() else {
        return Vec::new();
    };
    let (selection_set_list, selection_set_graphql) = if field.selection_set.selections.is_empty() {
        (Vec::new(), String::new())
    } else {
        let inner = field.definition.ty.inner_named_type().to_string();
        let sets: Vec<&SelectionSet> = fields.iter().map(|f| &f.selection_set).collect();
        (
            selection_list(inv, &inner, sets).await,
            field.selection_set.serialize().to_string(),
        )
    };
    let info = Info {
        field_name: field.name.to_string(),
        parent_type_name: type_name.to_string(),
        variables: inv.prepared.variables.clone(),
        selection_set_list,
        selection_set_graphql,
    };
    let event = |source: &Value| {
        serde_json::to_value(Event {
            arguments: arguments.clone(),
            identity: inv.caller.identity.clone(),
            source: source.clone(),
            request: inv.request.clone(),
            prev: Value::Null,
            stash: Map::new(),
            info: info.clone(),
        })
        .expect("an event serialises")
    };

    if resolver.max_batch_size == 0 || inv.api.is_root_type(type_name) {
        let calls: Vec<_> = parents
            .iter()
            .map(|p| inv.invoker.invoke(&resolver.function, event(&p.source)))
            .collect();
        return all_in_order(calls).await;
    }
    let chunks: Vec<_> =
        parents
            .chunks(resolver.max_batch_size)
            .map(|chunk| {
                let payload = Value::Array(chunk.iter().map(|p| event(&p.source)).collect());
                let n = chunk.len();
                async move {
                    match inv.invoker.invoke(&resolver.function, payload).await {
                        Ok(Value::Array(items)) if items.len() == n => {
                            items.into_iter().map(batch_item).collect::<Vec<_>>()
                        }
                        Ok(_) => (0..n)
                            .map(|_| {
                                Err(FunctionError::new(
                            "Lambda:Unhandled",
                            format!("BatchInvoke reply is not a list of {n} items, one per source"),
                        ))
                            })
                            .collect(),
                        Err(e) => (0..n).map(|_| Err(e.clone())).collect(),
                    }
                }
            })
            .collect();
    all_in_order(chunks).await.into_iter().flatten().collect()
}

/// One item of a BatchInvoke reply: its `data`, or its error.
fn batch_item(item: Value) -> Result<Value, FunctionError> {
    match serde_json::from_value(item) {
        Ok(BatchItem {
            data,
            error_type: None,
            error_message: None,
        }) => Ok(data),
        Ok(BatchItem {
            error_type,
            error_message,
            ..
        }) => Err(FunctionError::new(
            error_type.as_deref().unwrap_or("Lambda:Unhandled"),
            error_message.as_deref().unwrap_or(""),
        )),
        Err(e) => Err(FunctionError::new(
            "Lambda:Unhandled",
            format!("a BatchInvoke reply item is not {{data, errorType, errorMessage}}: {e}"),
        )),
    }
}
