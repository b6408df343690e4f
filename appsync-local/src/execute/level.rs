//! Breadth first, like AppSync: the fields of a selection set are resolved for every parent
//! object at that level together, so a field with `MaxBatchSize` becomes one BatchInvoke for
//! the whole level (chunked by the batch size) instead of one call per parent. A field with a
//! resolver in template.yaml calls its Lambda; any other field resolves from the parent's
//! property of the same name (AppSync's default).

use apollo_compiler::executable::{Field, SelectionSet};
use apollo_compiler::{ast, Node};
use futures::future::{BoxFuture, FutureExt};
use serde_json::Value;

use super::authorize;
use super::collect::collect;
use super::complete::{finish, null_or_bubble, shape, Bubble, Object, Shape};
use super::context::{all_in_order, Invocation, Parent};
use super::lambda;
use crate::invoke::FunctionError;
use crate::response::{ResponsePath, Segment};

/// Resolves a selection set for many parents of one object type at once; one object per
/// parent, or `None` where a non-null violation nulled it.
pub fn execute_level<'i, 'a: 'i>(
    inv: &'i Invocation<'a>,
    type_name: String,
    sets: Vec<&'a SelectionSet>,
    parents: Vec<Parent>,
    serial: bool,
) -> BoxFuture<'i, Vec<Option<Object>>> {
    async move {
        let groups = collect(inv, &type_name, &sets);
        let mut results: Vec<Vec<Result<Value, Bubble>>> = Vec::with_capacity(groups.len());
        if serial {
            for (key, fields) in &groups {
                results.push(resolve_group(inv, &type_name, key, fields, &parents).await);
            }
        } else {
            let fields: Vec<_> = groups
                .iter()
                .map(|(key, fields)| resolve_group(inv, &type_name, key, fields, &parents))
                .collect();
            results = all_in_order(fields).await;
        }
        (0..parents.len())
            .map(|p| {
                let mut object = Object::with_capacity(groups.len());
                for (g, key) in groups.keys().enumerate() {
                    let slot = results.get_mut(g).and_then(|r| r.get_mut(p));
                    match slot.map_or(Ok(Value::Null), |v| std::mem::replace(v, Ok(Value::Null))) {
                        Ok(v) => {
                            object.insert(key.to_string(), v);
                        }
                        Err(Bubble) => return None,
                    }
                }
                Some(object)
            })
            .collect()
    }
    .boxed()
}

/// One response key for every parent: authorize, resolve, complete.
async fn resolve_group<'a>(
    inv: &Invocation<'a>,
    type_name: &str,
    key: &str,
    fields: &[&'a Node<Field>],
    parents: &[Parent],
) -> Vec<Result<Value, Bubble>> {
    // A query of many fields must not hold the worker thread until it is done.
    tokio::task::consume_budget().await;
    let Some(field) = fields.first() else {
        return Vec::new();
    };
    let name = field.name.as_str();
    match name {
        "__typename" => return parents.iter().map(|_| Ok(Value::from(type_name))).collect(),
        "__schema" | "__type" => {
            let value = inv.introspection.get(key).cloned().unwrap_or(Value::Null);
            return parents.iter().map(|_| Ok(value.clone())).collect();
        }
        _ => {}
    }
    let paths: Vec<ResponsePath> = parents
        .iter()
        .map(|p| p.path.child(Segment::Key(key.to_string())))
        .collect();
    let ty = &field.definition.ty;

    let type_rules = inv
        .api
        .schema
        .types
        .get(type_name)
        .map(|t| authorize::rules(t.directives().iter().map(|d| -> &ast::Directive { d })))
        .unwrap_or_default();
    let field_rules = authorize::rules(
        field
            .definition
            .directives
            .iter()
            .map(|d| -> &ast::Directive { d }),
    );
    if !authorize::allowed(&inv.caller.mode, &field_rules, &type_rules) {
        let message = format!("Not Authorized to access {name} on type {type_name}");
        return paths
            .iter()
            .map(|path| {
                inv.field_error(path, fields, "Unauthorized", &message);
                null_or_bubble(inv, ty, true, path, fields, type_name)
            })
            .collect();
    }

    let raw: Vec<Result<Value, FunctionError>> = match inv.api.resolver(type_name, name) {
        Some(resolver) => match inv.inputs().coerce_arguments(field) {
            Ok(arguments) => {
                lambda::call(inv, resolver, type_name, fields, arguments, parents).await
            }
            Err(problem) => parents
                .iter()
                .map(|_| {
                    Err(FunctionError::new(
                        "ValidationError",
                        problem.message.clone(),
                    ))
                })
                .collect(),
        },
        None => parents
            .iter()
            .map(|p| Ok(p.source.get(name).cloned().unwrap_or(Value::Null)))
            .collect(),
    };

    let mut pending = Vec::new();
    let shapes: Vec<_> = raw
        .into_iter()
        .zip(&paths)
        .map(|(r, path)| match r {
            Ok(value) => shape(inv, ty, value, path, fields, &mut pending),
            Err(e) => {
                inv.field_error(path, fields, &e.error_type, &e.error_message);
                Shape::Null { reported: true }
            }
        })
        .collect();
    let children = if pending.is_empty() {
        Vec::new()
    } else {
        let inner = ty.inner_named_type().to_string();
        let sets: Vec<&SelectionSet> = fields.iter().map(|f| &f.selection_set).collect();
        execute_level(inv, inner, sets, pending, false).await
    };
    let mut children: Vec<Option<Option<Object>>> = children.into_iter().map(Some).collect();
    shapes
        .into_iter()
        .zip(&paths)
        .map(|(s, path)| finish(inv, s, ty, path, fields, type_name, &mut children))
        .collect()
}
