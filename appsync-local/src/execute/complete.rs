//! CompleteValue in two passes, so that objects can be executed a whole level at a time:
//! [`shape`] checks a resolved value against its type and sets aside the objects that need
//! their own fields resolved (the next level's parents); [`finish`] puts the executed objects
//! back and propagates a null in a non-null position to the nearest nullable parent, with
//! the error AppSync reports.

use apollo_compiler::ast::Type;
use apollo_compiler::executable::Field;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::Node;
use serde_json::{Map, Value};

use super::coerce;
use super::context::{Invocation, Parent};
use crate::graphql::scalars;
use crate::response::{ResponsePath, Segment};

/// A non-null violation that nulls the enclosing object (its error is already recorded).
pub struct Bubble;

/// An executed object: its response keys in query order.
pub type Object = Map<String, Value>;

/// A resolved value before its objects are executed.
pub enum Shape {
    Null {
        reported: bool,
    },
    Leaf(Value),
    List(Vec<Shape>),
    /// The index of the object among the level's pending parents.
    Object(usize),
}

/// Checks `value` against `ty`; objects are pushed to `pending` for the next level.
pub fn shape(
    inv: &Invocation<'_>,
    ty: &Type,
    value: Value,
    path: &ResponsePath,
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
                        let at = path.child(Segment::Index(i));
                        shape(inv, ty.item_type(), v, &at, fields, pending)
                    })
                    .collect(),
            ),
            other => {
                inv.execution_error(
                    path,
                    fields,
                    format!(
                        "Can't serialize value ({}) : Expected an Iterable but was '{}'.",
                        path.slashed(),
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
                path: path.clone(),
                source: value,
            });
            Shape::Object(pending.len() - 1)
        }
        Some(ExtendedType::Scalar(_)) | Some(ExtendedType::Enum(_)) => {
            match coerce::leaf(&inv.api.schema, name.as_str(), value) {
                Ok(v) => Shape::Leaf(v),
                Err(detail) => {
                    inv.execution_error(
                        path,
                        fields,
                        format!("Can't serialize value ({}) : {detail}", path.slashed()),
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
                    path.slashed(),
                    scalars::kind(&value)
                ),
            );
            Shape::Null { reported: true }
        }
    }
}

/// The field's value with its executed objects (`children`, by pending index) in place.
pub fn finish(
    inv: &Invocation<'_>,
    shape: Shape,
    ty: &Type,
    path: &ResponsePath,
    fields: &[&Node<Field>],
    parent_type: &str,
    children: &mut [Option<Option<Object>>],
) -> Result<Value, Bubble> {
    match shape {
        Shape::Leaf(v) => Ok(v),
        Shape::Null { reported } => null_or_bubble(inv, ty, reported, path, fields, parent_type),
        Shape::Object(i) => match children.get_mut(i).and_then(Option::take).flatten() {
            Some(object) => Ok(Value::Object(object)),
            None => null_or_bubble(inv, ty, true, path, fields, parent_type),
        },
        Shape::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut bubbled = false;
            for (i, item) in items.into_iter().enumerate() {
                let at = path.child(Segment::Index(i));
                match finish(
                    inv,
                    item,
                    ty.item_type(),
                    &at,
                    fields,
                    parent_type,
                    children,
                ) {
                    Ok(v) => out.push(v),
                    Err(Bubble) => bubbled = true,
                }
            }
            if bubbled {
                return null_or_bubble(inv, ty, true, path, fields, parent_type);
            }
            Ok(Value::Array(out))
        }
    }
}

/// Null where the type allows it; otherwise the error (once) and a bubble to the parent.
pub fn null_or_bubble(
    inv: &Invocation<'_>,
    ty: &Type,
    reported: bool,
    path: &ResponsePath,
    fields: &[&Node<Field>],
    parent_type: &str,
) -> Result<Value, Bubble> {
    if !ty.is_non_null() {
        return Ok(Value::Null);
    }
    if !reported {
        inv.execution_error(
            path,
            fields,
            format!(
                "Cannot return null for non-nullable type: '{}' within parent '{parent_type}' ({})",
                ty.inner_named_type(),
                path.slashed()
            ),
        );
    }
    Err(Bubble)
}
