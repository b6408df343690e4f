//! Breadth first, like AppSync: the fields of a selection set are resolved for every parent
//! object at that level together, so a field with `MaxBatchSize` becomes one BatchInvoke for
//! the whole level (chunked by the batch size) instead of one call per parent. A field with a
//! resolver in template.yaml calls its Lambda; any other field resolves from the parent's
//! property of the same name (AppSync's default).
//!
//! Each field is first planned, synchronously, for the whole level: the `@aws_*` rules, the
//! API's `QueryDepthLimit`, and its share of `ResolverCountLimit`. Planning a level before
//! running it counts resolver executions in the order AppSync (graphql-java) dispatches them:
//! every field of a level before the levels under it, so the 201st root field is refused
//! rather than its siblings' children. What is past a limit is not run and gets AppSync's
//! error (`QueryDepthLimitReached`, `ResolverExecutionLimitReached`) at its path.

use apollo_compiler::executable::{Field, SelectionSet};
use apollo_compiler::{ast, Node};
use futures::future::{BoxFuture, FutureExt};
use serde_json::{Map, Value};

use super::authorize;
use super::collect::collect;
use super::complete::{finish, null_or_bubble, shape, Bubble, Object, Shape};
use super::context::{all_in_order, Invocation, Parent};
use super::lambda;
use crate::graphql::input::InputProblem;
use crate::graphql::schema::LambdaResolver;
use crate::invoke::FunctionError;
use crate::response::{ResponsePath, Segment};

/// The operation's root selection over `source`: the response's `data` (null where a non-null
/// violation reached the root). A mutation's root fields run one after another.
pub async fn execute_root(inv: &Invocation<'_>, source: Value) -> Value {
    let op = &inv.prepared.operation;
    let parent = Parent {
        path: ResponsePath::default(),
        source,
    };
    let mut objects = execute_level(
        inv,
        op.object_type().to_string(),
        vec![&op.selection_set],
        vec![parent],
        op.operation_type.is_mutation(),
    )
    .await;
    match objects.pop().flatten() {
        Some(object) => Value::Object(object),
        None => Value::Null,
    }
}

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
            // A mutation's root fields one after another, each planned when its turn comes.
            for (key, fields) in &groups {
                let plan = plan(inv, &type_name, fields, &parents);
                results.push(resolve_group(inv, &type_name, key, fields, &parents, plan).await);
            }
        } else {
            let plans: Vec<Plan> = groups
                .values()
                .map(|fields| plan(inv, &type_name, fields, &parents))
                .collect();
            let fields: Vec<_> = groups
                .iter()
                .zip(plans)
                .map(|((key, fields), plan)| {
                    resolve_group(inv, &type_name, key, fields, &parents, plan)
                })
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

/// How one response key is resolved for a level's parents.
enum Plan<'r> {
    Typename,
    Introspection,
    /// Not resolved at all: every parent gets this field error.
    Refused {
        error_type: &'static str,
        message: String,
    },
    /// The parent's property of the field's name.
    Property,
    /// The field's Lambda, for the first `granted` parents (the rest are past the
    /// request's resolver limit).
    Lambda {
        resolver: &'r LambdaResolver,
        arguments: Result<Map<String, Value>, InputProblem>,
        granted: usize,
    },
}

/// The field's level (the root field is 1), from where its parents sit in the response.
fn depth(parent: &ResponsePath) -> usize {
    parent.keys() + 1
}

fn plan<'r>(
    inv: &Invocation<'r>,
    type_name: &str,
    fields: &[&'r Node<Field>],
    parents: &[Parent],
) -> Plan<'r> {
    let Some(field) = fields.first() else {
        return Plan::Property;
    };
    let name = field.name.as_str();
    if let (Some(limit), Some(parent)) = (inv.api.limits.query_depth, parents.first()) {
        let level = depth(&parent.path);
        if level > limit {
            return Plan::Refused {
                error_type: "QueryDepthLimitReached",
                message: format!(
                    "Query depth limit of {limit} reached: field '{name}' is at level {level}."
                ),
            };
        }
    }
    match name {
        "__typename" => return Plan::Typename,
        "__schema" | "__type" => return Plan::Introspection,
        _ => {}
    }
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
        return Plan::Refused {
            error_type: "Unauthorized",
            message: format!("Not Authorized to access {name} on type {type_name}"),
        };
    }
    match inv.api.resolver(type_name, name) {
        Some(resolver) if inv.run_resolvers => {
            let arguments = inv.inputs().coerce_arguments(field);
            // A field whose arguments do not coerce is an error before any resolver runs.
            let granted = match arguments {
                Ok(_) => inv.reserve_executions(parents.len()),
                Err(_) => 0,
            };
            Plan::Lambda {
                resolver,
                arguments,
                granted,
            }
        }
        _ => Plan::Property,
    }
}

/// One response key for every parent: resolve as planned, then complete.
async fn resolve_group<'a>(
    inv: &Invocation<'a>,
    type_name: &str,
    key: &str,
    fields: &[&'a Node<Field>],
    parents: &[Parent],
    plan: Plan<'a>,
) -> Vec<Result<Value, Bubble>> {
    // A query of many fields must not hold the worker thread until it is done.
    tokio::task::consume_budget().await;
    let Some(field) = fields.first() else {
        return Vec::new();
    };
    let name = field.name.as_str();
    let paths: Vec<ResponsePath> = parents
        .iter()
        .map(|p| p.path.child(Segment::Key(key.to_string())))
        .collect();
    let ty = &field.definition.ty;

    let raw: Vec<Result<Value, FunctionError>> = match plan {
        Plan::Typename => return parents.iter().map(|_| Ok(Value::from(type_name))).collect(),
        Plan::Introspection => {
            let value = inv.introspection.get(key).cloned().unwrap_or(Value::Null);
            return parents.iter().map(|_| Ok(value.clone())).collect();
        }
        Plan::Refused {
            error_type,
            message,
        } => {
            return paths
                .iter()
                .map(|path| {
                    inv.field_error(path, fields, error_type, &message);
                    null_or_bubble(inv, ty, true, path, fields, type_name)
                })
                .collect();
        }
        Plan::Property => parents
            .iter()
            .map(|p| Ok(p.source.get(name).cloned().unwrap_or(Value::Null)))
            .collect(),
        Plan::Lambda {
            resolver,
            arguments: Ok(arguments),
            granted,
        } => {
            let (run, refused) = parents.split_at(granted.min(parents.len()));
            let mut raw = if run.is_empty() {
                Vec::new()
            } else {
                lambda::call(inv, resolver, type_name, fields, arguments, run).await
            };
            raw.extend(refused.iter().map(|_| {
                Err(FunctionError::new(
                    "ResolverExecutionLimitReached",
                    format!(
                        "Resolver execution limit of {} reached: '{name}' was not resolved.",
                        inv.api.limits.resolver_count
                    ),
                ))
            }));
            raw
        }
        Plan::Lambda {
            arguments: Err(problem),
            ..
        } => parents
            .iter()
            .map(|_| {
                Err(FunctionError::new(
                    "ValidationError",
                    problem.message.clone(),
                ))
            })
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
