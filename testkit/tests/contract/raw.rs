//! The template as plain YAML, its `Fn::ForEach` loops expanded as CloudFormation deploys them,
//! for the resources the typed model (`testkit::template`) does not describe (WAF, Cognito
//! clients, the cache, Step Functions, schedules, the dashboard), which only the operations
//! rules read. Intrinsics are read with the model's own `Expr`.

use std::sync::OnceLock;

use serde_yaml_ng::{Mapping, Value};
pub use testkit::template::Expr as Cfn;

pub fn template() -> &'static Value {
    static RAW: OnceLock<Value> = OnceLock::new();
    RAW.get_or_init(|| {
        let text = std::fs::read_to_string(testkit::template::template_path()).expect("template");
        testkit::template::expanded(&text).unwrap_or_else(|e| panic!("{e}"))
    })
}

pub fn cfn(v: &Value) -> Cfn {
    Cfn::from_value(v)
}

pub fn props(r: &Value) -> &Value {
    static EMPTY: OnceLock<Value> = OnceLock::new();
    r.get("Properties")
        .unwrap_or_else(|| EMPTY.get_or_init(|| Value::Mapping(Mapping::new())))
}

pub fn str_prop(v: &Value, key: &str) -> Option<String> {
    cfn(v.get(key)?).literal().map(str::to_string)
}

pub fn one_or_many(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None => vec![],
        Some(Value::Sequence(items)) => items.iter().collect(),
        Some(other) => vec![other],
    }
}
