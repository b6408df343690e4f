//! Result coercion of a leaf value, graphql-java's way (AppSync runs on it): lenient where it
//! is (a numeric string is an Int, a number is a String), strict on AWS scalars and enums.

use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::graphql::scalars;

/// The value to answer for a scalar or enum of `type_name`; `Err` says why it cannot be.
pub fn leaf(schema: &Valid<Schema>, type_name: &str, value: Value) -> Result<Value> {
    let wrong = |want: &str, v: &Value| {
        Error::Invalid(format!(
            "Expected a value that can be converted to type '{want}' but it was a '{}'",
            scalars::kind(v)
        ))
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
            true => Ok(value),
            false => Err(Error::Invalid(format!(
                "Unable to serialize {value} as a valid {} Object.",
                scalars::described(scalar)
            ))),
        },
        other => match schema.get_enum(other) {
            Some(e) => match value.as_str() {
                Some(s) if e.values.contains_key(s) => Ok(value),
                _ => Err(Error::Invalid(format!(
                    "Invalid input for Enum '{other}'. No value found for name '{value}'"
                ))),
            },
            // Another custom scalar: passed through as is.
            None => Ok(value),
        },
    }
}
