//! Execution, breadth first like AppSync: the fields of a selection set are resolved for every
//! parent object at that level together, so a field with `MaxBatchSize` becomes one
//! BatchInvoke for the whole level (chunked by the batch size) instead of one call per parent.
//!
//! A field with a resolver in template.yaml becomes a Direct Lambda event
//! (`arguments, identity, source, request, prev, stash, info`); any other field resolves from
//! the parent object's property of the same name (AppSync's default). Results are coerced to
//! their GraphQL types, and nulls in non-null positions propagate to the nearest nullable
//! parent, with errors shaped as AppSync shapes them.

use std::collections::HashSet;
use std::sync::Mutex;

use apollo_compiler::ast::{self, Type};
use apollo_compiler::executable::{Field, Operation, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Node};
use futures::future::{join_all, BoxFuture, FutureExt};
use serde_json::{json, Map, Value};

use crate::auth::Auth;
use crate::graphql::{Api, FunctionError, Invoker, LambdaResolver};
use crate::out::Out;
use crate::scalars;

/// Everything one request's execution needs.
pub struct Invocation<'a> {
    pub api: &'a Api,
    pub invoker: &'a dyn Invoker,
    pub doc: &'a Valid<ExecutableDocument>,
    pub variables: &'a Map<String, Value>,
    pub auth: &'a Auth,
    /// `request` of the Lambda event: `{headers, domainName}`.
    pub request: Value,
    /// Root introspection results by response key.
    pub introspection: Map<String, Value>,
    pub errors: Mutex<Vec<Out>>,
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

type Path = Vec<Seg>;

fn path_json(path: &[Seg]) -> Value {
    Value::Array(
        path.iter()
            .map(|s| match s {
                Seg::Key(k) => json!(k),
                Seg::Index(i) => json!(i),
            })
            .collect(),
    )
}

fn path_text(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => format!("/{k}"),
            Seg::Index(i) => format!("/{i}"),
        })
        .collect()
}

fn appended(path: &[Seg], seg: Seg) -> Path {
    let mut p = path.to_vec();
    p.push(seg);
    p
}

/// One parent object at a level of execution.
struct Parent {
    path: Path,
    source: Value,
}

/// A non-null violation that nulls the enclosing object (its error is already recorded).
struct Bubble;

/// A resolved value before its objects are executed.
enum Shape {
    Null { reported: bool },
    Leaf(Value),
    List(Vec<Shape>),
    Object(usize),
}

type Group<'d> = (String, Vec<&'d Node<Field>>);

/// A completed object: its response keys in order.
type Object = Vec<(String, Out)>;

impl<'a> Invocation<'a> {
    fn push_error(&self, error: Out) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(error);
        }
    }

    fn locations(&self, fields: &[&Node<Field>]) -> Out {
        locations(
            fields
                .first()
                .and_then(|f| f.location())
                .and_then(|l| l.line_column(&self.doc.sources)),
        )
    }

    /// A resolver's (or authorization's) error, as AppSync shapes it.
    fn field_error(&self, path: &[Seg], fields: &[&Node<Field>], error_type: &str, message: &str) {
        self.push_error(Out::object([
            ("path", Out::from(path_json(path))),
            ("data", Out::NULL),
            ("errorType", Out::from(json!(error_type))),
            ("errorInfo", Out::NULL),
            ("locations", self.locations(fields)),
            ("message", Out::from(json!(message))),
        ]));
    }

    /// An error of the execution itself (non-null violation, value that cannot be serialised).
    fn execution_error(&self, path: &[Seg], fields: &[&Node<Field>], message: String) {
        self.push_error(Out::object([
            ("path", Out::from(path_json(path))),
            ("locations", self.locations(fields)),
            ("message", Out::from(json!(message))),
        ]));
    }

    fn condition(&self, value: &ast::Value) -> bool {
        match value {
            ast::Value::Boolean(b) => *b,
            ast::Value::Variable(v) => self
                .variables
                .get(v.as_str())
                .and_then(Value::as_bool)
                .unwrap_or(false),
            _ => false,
        }
    }

    fn included(&self, directives: &ast::DirectiveList) -> bool {
        let arg = |name: &str| {
            directives
                .get(name)
                .and_then(|d| d.specified_argument_by_name("if"))
                .map(|v| self.condition(v))
        };
        !arg("skip").unwrap_or(false) && arg("include").unwrap_or(true)
    }

    fn applies(&self, condition: Option<&str>, type_name: &str) -> bool {
        match condition {
            None => true,
            Some(c) => c == type_name || self.api.schema.is_subtype(c, type_name),
        }
    }

    /// CollectFields: the selection sets' fields by response key, in order.
    fn collect<'d>(&self, type_name: &str, sets: &[&'d SelectionSet]) -> Vec<Group<'d>>
    where
        'a: 'd,
    {
        let mut groups: Vec<Group<'d>> = Vec::new();
        let mut visited = HashSet::new();
        for set in sets {
            self.collect_into(type_name, set, &mut groups, &mut visited);
        }
        groups
    }

    fn collect_into<'d>(
        &self,
        type_name: &str,
        set: &'d SelectionSet,
        groups: &mut Vec<Group<'d>>,
        visited: &mut HashSet<String>,
    ) where
        'a: 'd,
    {
        for selection in &set.selections {
            if !self.included(selection.directives()) {
                continue;
            }
            match selection {
                Selection::Field(f) => {
                    let key = f.response_key().to_string();
                    match groups.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, fields)) => fields.push(f),
                        None => groups.push((key, vec![f])),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if !visited.insert(spread.fragment_name.to_string()) {
                        continue;
                    }
                    let doc: &'d ExecutableDocument = self.doc;
                    if let Some(fragment) = doc.fragments.get(&spread.fragment_name) {
                        if self.applies(Some(fragment.type_condition().as_str()), type_name) {
                            self.collect_into(type_name, &fragment.selection_set, groups, visited);
                        }
                    }
                }
                Selection::InlineFragment(inline) => {
                    if self.applies(
                        inline.type_condition.as_ref().map(|t| t.as_str()),
                        type_name,
                    ) {
                        self.collect_into(type_name, &inline.selection_set, groups, visited);
                    }
                }
            }
        }
    }

    /// `info.selectionSetList`: every field below, as `a`, `a/b`, ... by response key.
    fn selection_list(
        &self,
        type_name: &str,
        sets: &[&SelectionSet],
        prefix: &str,
        out: &mut Vec<String>,
    ) {
        for (key, fields) in self.collect(type_name, sets) {
            let path = format!("{prefix}{key}");
            if !out.contains(&path) {
                out.push(path.clone());
            }
            let subs: Vec<&SelectionSet> = fields
                .iter()
                .map(|f| &f.selection_set)
                .filter(|s| !s.selections.is_empty())
                .collect();
            if !subs.is_empty() {
                let inner = fields[0].definition.ty.inner_named_type().to_string();
                self.selection_list(&inner, &subs, &format!("{path}/"), out);
            }
        }
    }
}

/// `locations` of an error: `[{line, column, sourceName}]` or null.
pub fn locations(at: Option<apollo_compiler::parser::LineColumn>) -> Out {
    match at {
        Some(l) => Out::List(vec![Out::object([
            ("line", Out::from(json!(l.line))),
            ("column", Out::from(json!(l.column))),
            ("sourceName", Out::NULL),
        ])]),
        None => Out::NULL,
    }
}

/// Executes the operation; the value of `data`.
pub async fn run_operation(inv: &Invocation<'_>, op: &Operation) -> Out {
    let root = op.object_type().to_string();
    let serial = op.operation_type.is_mutation();
    let parents = vec![Parent {
        path: Vec::new(),
        source: Value::Null,
    }];
    let mut objects = execute_level(inv, root, vec![&op.selection_set], parents, serial).await;
    match objects.pop().flatten() {
        Some(entries) => Out::Object(entries),
        None => Out::NULL,
    }
}

/// Resolves a selection set for many parents of one object type at once.
fn execute_level<'i, 'a: 'i>(
    inv: &'i Invocation<'a>,
    type_name: String,
    sets: Vec<&'i SelectionSet>,
    parents: Vec<Parent>,
    serial: bool,
) -> BoxFuture<'i, Vec<Option<Object>>> {
    async move {
        let groups = inv.collect(&type_name, &sets);
        let mut results: Vec<Vec<Result<Out, Bubble>>> = Vec::with_capacity(groups.len());
        if serial {
            for (key, fields) in &groups {
                results.push(resolve_group(inv, &type_name, key, fields, &parents).await);
            }
        } else {
            results = join_all(
                groups
                    .iter()
                    .map(|(key, fields)| resolve_group(inv, &type_name, key, fields, &parents)),
            )
            .await;
        }
        (0..parents.len())
            .map(|p| {
                let mut object = Vec::with_capacity(groups.len());
                for (g, (key, _)) in groups.iter().enumerate() {
                    match &mut results[g][p] {
                        Ok(v) => object.push((key.clone(), std::mem::replace(v, Out::NULL))),
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
async fn resolve_group<'i, 'a: 'i>(
    inv: &'i Invocation<'a>,
    type_name: &str,
    key: &str,
    fields: &[&'i Node<Field>],
    parents: &[Parent],
) -> Vec<Result<Out, Bubble>> {
    let field = fields[0];
    let name = field.name.as_str();
    let paths: Vec<Path> = parents
        .iter()
        .map(|p| appended(&p.path, Seg::Key(key.to_string())))
        .collect();
    match name {
        "__typename" => {
            return parents
                .iter()
                .map(|_| Ok(Out::from(json!(type_name))))
                .collect()
        }
        "__schema" | "__type" => {
            return parents
                .iter()
                .map(|_| {
                    Ok(Out::from(
                        inv.introspection.get(key).cloned().unwrap_or(Value::Null),
                    ))
                })
                .collect()
        }
        _ => {}
    }
    let ty: &Type = &field.definition.ty;

    let type_rules = inv
        .api
        .schema
        .types
        .get(type_name)
        .map(|t| auth_rules(t.directives().iter().map(|d| -> &ast::Directive { d })))
        .unwrap_or_default();
    if !inv.auth.allowed(
        &auth_rules(
            field
                .definition
                .directives
                .iter()
                .map(|d| -> &ast::Directive { d }),
        ),
        &type_rules,
    ) {
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
        Some(resolver) => match coerce_arguments(inv, field) {
            Ok(arguments) => invoke(inv, resolver, type_name, fields, arguments, parents).await,
            Err(problem) => parents
                .iter()
                .map(|_| {
                    Err(FunctionError {
                        error_type: "ValidationError".into(),
                        error_message: problem.message.clone(),
                    })
                })
                .collect(),
        },
        None => parents
            .iter()
            .map(|p| Ok(p.source.get(name).cloned().unwrap_or(Value::Null)))
            .collect(),
    };

    let mut pending = Vec::new();
    let shapes: Vec<Shape> = raw
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

fn null_or_bubble(
    inv: &Invocation<'_>,
    ty: &Type,
    reported: bool,
    path: &[Seg],
    fields: &[&Node<Field>],
    parent_type: &str,
) -> Result<Out, Bubble> {
    if !ty.is_non_null() {
        return Ok(Out::NULL);
    }
    if !reported {
        inv.execution_error(
            path,
            fields,
            format!(
                "Cannot return null for non-nullable type: '{}' within parent '{parent_type}' ({})",
                ty.inner_named_type(),
                path_text(path)
            ),
        );
    }
    Err(Bubble)
}

fn shape(
    inv: &Invocation<'_>,
    ty: &Type,
    value: Value,
    path: &[Seg],
    fields: &[&Node<Field>],
    pending: &mut Vec<Parent>,
) -> Shape {
    if value.is_null() {
        return Shape::Null { reported: false };
    }
    if ty.is_list() {
        return match value {
            Value::Array(items) => Shape::List(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        shape(
                            inv,
                            ty.item_type(),
                            v,
                            &appended(path, Seg::Index(i)),
                            fields,
                            pending,
                        )
                    })
                    .collect(),
            ),
            other => {
                inv.execution_error(
                    path,
                    fields,
                    format!(
                        "Can't serialize value ({}) : Expected an Iterable but was '{}'.",
                        path_text(path),
                        scalars::kind(&other)
                    ),
                );
                Shape::Null { reported: true }
            }
        };
    }
    let name = ty.inner_named_type();
    match inv.api.schema.types.get(name) {
        Some(ExtendedType::Object(_)) if value.is_object() => {
            pending.push(Parent {
                path: path.to_vec(),
                source: value,
            });
            Shape::Object(pending.len() - 1)
        }
        Some(ExtendedType::Scalar(_)) | Some(ExtendedType::Enum(_)) => {
            match coerce_result(inv, name.as_str(), value) {
                Ok(v) => Shape::Leaf(v),
                Err(detail) => {
                    inv.execution_error(
                        path,
                        fields,
                        format!("Can't serialize value ({}) : {detail}", path_text(path)),
                    );
                    Shape::Null { reported: true }
                }
            }
        }
        _ => {
            inv.execution_error(
                path,
                fields,
                format!(
                    "Can't resolve value ({}) : type mismatch error, expected type {name} but was '{}'",
                    path_text(path),
                    scalars::kind(&value)
                ),
            );
            Shape::Null { reported: true }
        }
    }
}

fn finish(
    inv: &Invocation<'_>,
    shape: Shape,
    ty: &Type,
    path: &[Seg],
    fields: &[&Node<Field>],
    parent_type: &str,
    children: &mut [Option<Option<Object>>],
) -> Result<Out, Bubble> {
    let value = match shape {
        Shape::Leaf(v) => Some(Out::Value(v)),
        Shape::Null { reported } => {
            return null_or_bubble(inv, ty, reported, path, fields, parent_type)
        }
        Shape::Object(i) => match children.get_mut(i).and_then(Option::take).flatten() {
            Some(entries) => Some(Out::Object(entries)),
            None => return null_or_bubble(inv, ty, true, path, fields, parent_type),
        },
        Shape::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut bubbled = false;
            for (i, item) in items.into_iter().enumerate() {
                let p = appended(path, Seg::Index(i));
                match finish(inv, item, ty.item_type(), &p, fields, parent_type, children) {
                    Ok(v) => out.push(v),
                    Err(Bubble) => bubbled = true,
                }
            }
            if bubbled {
                return null_or_bubble(inv, ty, true, path, fields, parent_type);
            }
            Some(Out::List(out))
        }
    };
    Ok(value.unwrap_or(Out::NULL))
}

/// Result coercion of a leaf, graphql-java's way (AppSync runs on it).
fn coerce_result(inv: &Invocation<'_>, type_name: &str, value: Value) -> Result<Value, String> {
    let wrong = |want: &str, v: &Value| {
        format!(
            "Expected a value that can be converted to type '{want}' but it was a '{}'",
            scalars::kind(v)
        )
    };
    match type_name {
        "Int" => {
            let n = match &value {
                Value::Number(n) => n
                    .as_i64()
                    .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            };
            match n.filter(|n| i32::try_from(*n).is_ok()) {
                Some(n) => Ok(json!(n)),
                None => Err(wrong("Int", &value)),
            }
        }
        "Float" => match &value {
            Value::Number(_) => Ok(value),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .map(|f| json!(f))
                .ok_or_else(|| wrong("Float", &value)),
            _ => Err(wrong("Float", &value)),
        },
        "String" => match &value {
            Value::String(_) => Ok(value),
            Value::Number(n) => Ok(json!(n.to_string())),
            Value::Bool(b) => Ok(json!(b.to_string())),
            _ => Err(wrong("String", &value)),
        },
        "Boolean" => match &value {
            Value::Bool(_) => Ok(value),
            Value::String(s) if s == "true" || s == "false" => Ok(json!(s == "true")),
            _ => Err(wrong("Boolean", &value)),
        },
        "ID" => match &value {
            Value::String(_) => Ok(value),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(json!(n.to_string())),
            _ => Err(wrong("ID", &value)),
        },
        "AWSJSON" => match value {
            Value::String(_) => Ok(value),
            other => Ok(json!(other.to_string())),
        },
        scalar if scalars::is_aws_scalar(scalar) => match scalars::check(scalar, &value) {
            Ok(()) => Ok(value),
            Err(_) => Err(format!(
                "Unable to serialize {value} as a valid {} Object.",
                scalars::described(scalar)
            )),
        },
        other => match inv.api.schema.get_enum(other) {
            Some(e) => match value.as_str() {
                Some(s) if e.values.contains_key(s) => Ok(value),
                _ => Err(format!(
                    "Invalid input for Enum '{other}'. No value found for name '{value}'"
                )),
            },
            // Another custom scalar: passed through as is.
            None => Ok(value),
        },
    }
}

/// `(directive, cognito_groups)` for the AWS auth directives in a list.
pub fn auth_rules<'x>(
    directives: impl IntoIterator<Item = &'x ast::Directive>,
) -> Vec<(String, Option<Vec<String>>)> {
    directives
        .into_iter()
        .filter(|d| {
            matches!(
                d.name.as_str(),
                "aws_api_key"
                    | "aws_cognito_user_pools"
                    | "aws_auth"
                    | "aws_iam"
                    | "aws_oidc"
                    | "aws_lambda"
            )
        })
        .map(|d| {
            let groups = d
                .specified_argument_by_name("cognito_groups")
                .and_then(|v| match v.as_ref() {
                    ast::Value::List(items) => Some(
                        items
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_string))
                            .collect(),
                    ),
                    ast::Value::String(s) => Some(vec![s.clone()]),
                    _ => None,
                });
            (d.name.to_string(), groups)
        })
        .collect()
}

/// Calls the field's function for every parent: one invocation each, or BatchInvoke chunks.
async fn invoke(
    inv: &Invocation<'_>,
    resolver: &LambdaResolver,
    type_name: &str,
    fields: &[&Node<Field>],
    arguments: Map<String, Value>,
    parents: &[Parent],
) -> Vec<Result<Value, FunctionError>> {
    let field = fields[0];
    let mut selection_set_list = Vec::new();
    let sets: Vec<&SelectionSet> = fields.iter().map(|f| &f.selection_set).collect();
    if !field.selection_set.selections.is_empty() {
        let inner = field.definition.ty.inner_named_type().to_string();
        inv.selection_list(&inner, &sets, "", &mut selection_set_list);
    }
    let selection_set_graphql = if field.selection_set.selections.is_empty() {
        String::new()
    } else {
        field.selection_set.serialize().to_string()
    };
    let info = json!({
        "fieldName": field.name.as_str(),
        "parentTypeName": type_name,
        "variables": inv.variables,
        "selectionSetList": selection_set_list,
        "selectionSetGraphQL": selection_set_graphql,
    });
    let identity = inv.auth.identity();
    let event = |source: &Value| {
        json!({
            "arguments": arguments,
            "identity": identity,
            "source": source,
            "request": inv.request,
            "prev": null,
            "stash": {},
            "info": info,
        })
    };

    if resolver.max_batch_size == 0 || type_name_is_root(inv, type_name) {
        return join_all(
            parents
                .iter()
                .map(|p| inv.invoker.invoke(&resolver.function, event(&p.source))),
        )
        .await;
    }
    let chunks = parents.chunks(resolver.max_batch_size).map(|chunk| {
        let payload = Value::Array(chunk.iter().map(|p| event(&p.source)).collect());
        let n = chunk.len();
        async move {
            match inv.invoker.invoke(&resolver.function, payload).await {
                Ok(Value::Array(items)) if items.len() == n => items
                    .into_iter()
                    .map(|item| {
                        let error_type = item.get("errorType").filter(|v| !v.is_null());
                        let message = item.get("errorMessage").filter(|v| !v.is_null());
                        if error_type.is_some() || message.is_some() {
                            Err(FunctionError {
                                error_type: error_type
                                    .and_then(Value::as_str)
                                    .unwrap_or("Lambda:Unhandled")
                                    .to_string(),
                                error_message: message
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_string(),
                            })
                        } else {
                            Ok(item.get("data").cloned().unwrap_or(Value::Null))
                        }
                    })
                    .collect::<Vec<_>>(),
                Ok(_) => (0..n)
                    .map(|_| {
                        Err(FunctionError {
                            error_type: "Lambda:Unhandled".into(),
                            error_message: format!(
                                "BatchInvoke reply is not a list of {n} items, one per source"
                            ),
                        })
                    })
                    .collect(),
                Err(e) => (0..n).map(|_| Err(e.clone())).collect(),
            }
        }
    });
    join_all(chunks).await.into_iter().flatten().collect()
}

fn type_name_is_root(inv: &Invocation<'_>, type_name: &str) -> bool {
    use apollo_compiler::ast::OperationType::*;
    [Query, Mutation, Subscription].into_iter().any(|t| {
        inv.api
            .schema
            .root_operation(t)
            .is_some_and(|n| n == type_name)
    })
}

/// A problem with an argument or variable, found before anything runs.
#[derive(Debug, Clone)]
pub struct InputProblem {
    pub message: String,
    pub location: Option<apollo_compiler::parser::LineColumn>,
}

impl InputProblem {
    pub fn to_out(&self) -> Out {
        Out::object([
            ("path", Out::NULL),
            ("locations", locations(self.location)),
            ("message", Out::from(json!(self.message))),
        ])
    }
}

/// The field's arguments as the Lambda receives them: literals and variables coerced to their
/// types, defaults applied, arguments left out and without a default absent.
fn coerce_arguments(
    inv: &Invocation<'_>,
    field: &Node<Field>,
) -> Result<Map<String, Value>, InputProblem> {
    let mut out = Map::new();
    for def in &field.definition.arguments {
        let given = field.arguments.iter().find(|a| a.name == def.name);
        let value = match given {
            Some(arg) => coerce_literal(inv, &arg.value, &def.ty, &def.name, field)?,
            None => None,
        };
        let value = match value {
            Some(v) => Some(v),
            None => match &def.default_value {
                Some(d) => coerce_literal(inv, d, &def.ty, &def.name, field)?,
                None => None,
            },
        };
        if let Some(v) = value {
            out.insert(def.name.to_string(), v);
        }
    }
    Ok(out)
}

/// One literal (or variable) of type `ty`; `None` when it is an unset variable.
fn coerce_literal(
    inv: &Invocation<'_>,
    value: &Node<ast::Value>,
    ty: &Type,
    arg_path: &str,
    field: &Node<Field>,
) -> Result<Option<Value>, InputProblem> {
    let problem = |scalar: &str| {
        InputProblem {
        message: format!(
            "Validation error of type WrongType: argument '{arg_path}' with value '{value}' is not a valid '{scalar}' @ '{}'",
            field.response_key()
        ),
        location: value.location().and_then(|l| l.line_column(&inv.doc.sources)),
    }
    };
    let named = ty.inner_named_type().as_str();
    let out = match value.as_ref() {
        ast::Value::Variable(v) => return Ok(inv.variables.get(v.as_str()).cloned()),
        ast::Value::Null => Value::Null,
        ast::Value::List(items) if ty.is_list() => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let p = format!("{arg_path}[{i}]");
                out.push(
                    coerce_literal(inv, item, ty.item_type(), &p, field)?.unwrap_or(Value::Null),
                );
            }
            Value::Array(out)
        }
        // A single value where a list is expected is a list of one.
        _ if ty.is_list() => {
            return Ok(coerce_literal(inv, value, ty.item_type(), arg_path, field)?
                .map(|v| Value::Array(vec![v])))
        }
        ast::Value::Object(entries) => {
            let mut out = Map::new();
            if let Some(input) = inv.api.schema.get_input_object(named) {
                for (name, def) in &input.fields {
                    let p = format!("{arg_path}.{name}");
                    let given = entries.iter().find(|(n, _)| n == name).map(|(_, v)| v);
                    let v = match given {
                        Some(v) => coerce_literal(inv, v, &def.ty, &p, field)?,
                        None => None,
                    };
                    let v = match (v, &def.default_value) {
                        (Some(v), _) => Some(v),
                        (None, Some(d)) => coerce_literal(inv, d, &def.ty, &p, field)?,
                        (None, None) => None,
                    };
                    if let Some(v) = v {
                        out.insert(name.to_string(), v);
                    }
                }
            }
            Value::Object(out)
        }
        ast::Value::List(_) => return Err(problem(named)),
        ast::Value::Enum(e) => json!(e.as_str()),
        ast::Value::String(s) => json!(s),
        ast::Value::Boolean(b) => json!(b),
        ast::Value::Int(i) => match named {
            "Float" => json!(i.try_to_f64().unwrap_or_default()),
            "ID" | "String" => json!(i.as_str()),
            _ => match i.as_str().parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => return Err(problem(named)),
            },
        },
        ast::Value::Float(f) => json!(f.try_to_f64().unwrap_or_default()),
    };
    if scalars::is_aws_scalar(named) && !out.is_null() && scalars::check(named, &out).is_err() {
        return Err(problem(named));
    }
    Ok(Some(out))
}

/// Every field's literal arguments in the operation, checked before anything runs (AppSync
/// refuses a request with a malformed AWS scalar before calling any resolver).
pub fn check_arguments<'d>(
    api: &Api,
    doc: &'d Valid<ExecutableDocument>,
    op: &'d Operation,
    variables: &Map<String, Value>,
) -> Vec<Out> {
    struct NoInvoker;
    impl Invoker for NoInvoker {
        fn invoke<'a>(
            &'a self,
            _: &'a str,
            _: Value,
        ) -> BoxFuture<'a, Result<Value, FunctionError>> {
            async { Ok(Value::Null) }.boxed()
        }
    }
    let inv = Invocation {
        api,
        invoker: &NoInvoker,
        doc,
        variables,
        auth: &Auth::ApiKey,
        request: Value::Null,
        introspection: Map::new(),
        errors: Mutex::new(Vec::new()),
    };
    let mut problems = Vec::new();
    let mut visited = HashSet::new();
    walk_fields(doc, &op.selection_set, &mut visited, &mut |field| {
        if let Err(p) = coerce_arguments(&inv, field) {
            problems.push(p.to_out());
        }
    });
    problems
}

fn walk_fields<'d>(
    doc: &'d ExecutableDocument,
    set: &'d SelectionSet,
    visited: &mut HashSet<String>,
    f: &mut dyn FnMut(&'d Node<Field>),
) {
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                f(field);
                walk_fields(doc, &field.selection_set, visited, f);
            }
            Selection::InlineFragment(i) => walk_fields(doc, &i.selection_set, visited, f),
            Selection::FragmentSpread(s) => {
                if visited.insert(s.fragment_name.to_string()) {
                    if let Some(fragment) = doc.fragments.get(&s.fragment_name) {
                        walk_fields(doc, &fragment.selection_set, visited, f);
                    }
                }
            }
        }
    }
}

/// The variables' values against their declared types: AWS scalars, which apollo-compiler
/// passes through like any custom scalar.
pub fn check_variables(
    api: &Api,
    doc: &Valid<ExecutableDocument>,
    op: &Operation,
    variables: &Map<String, Value>,
) -> Vec<Out> {
    let mut problems = Vec::new();
    for def in &op.variables {
        let Some(value) = variables.get(def.name.as_str()) else {
            continue;
        };
        if let Err(detail) = check_json(api, value, &def.ty) {
            problems.push(
                InputProblem {
                    message: format!("Variable '{}' has an invalid value: {detail}", def.name),
                    location: def.location().and_then(|l| l.line_column(&doc.sources)),
                }
                .to_out(),
            );
        }
    }
    problems
}

fn check_json(api: &Api, value: &Value, ty: &Type) -> Result<(), String> {
    if value.is_null() {
        return Ok(());
    }
    if ty.is_list() {
        return match value {
            Value::Array(items) => items
                .iter()
                .try_for_each(|v| check_json(api, v, ty.item_type())),
            single => check_json(api, single, ty.item_type()),
        };
    }
    let named = ty.inner_named_type().as_str();
    if scalars::is_aws_scalar(named) {
        return scalars::check(named, value).map_err(|_| {
            format!(
                "Unable to parse {value} as a valid {} Object.",
                scalars::described(named)
            )
        });
    }
    if let (Some(input), Value::Object(map)) = (api.schema.get_input_object(named), value) {
        for (name, def) in &input.fields {
            if let Some(v) = map.get(name.as_str()) {
                check_json(api, v, &def.ty)?;
            }
        }
    }
    Ok(())
}
