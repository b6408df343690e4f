//! The env-vars file `sam local invoke --env-vars` takes, made from a running stack: each
//! function's variables as template.yaml declares them, with the stack's values (its table
//! names, the local page-token secret, `AWS_ENDPOINT_URL` at the stack's DynamoDB Local as a container
//! reaches it). SAM CLI only sets variables a function declares, which is why the template
//! declares `AWS_ENDPOINT_URL` (absent on AWS).

use serde_json::{Map, Value};
use stack_template::Template;

use crate::functions::environment;
use crate::locals::Locals;

/// `{"<LogicalId>": {"VAR": "value", ...}, ...}` for every function of the template.
/// `endpoint`: DynamoDB Local's address as the function's container sees it.
pub fn env_vars_file(
    template: &Template,
    locals: &Locals<'_>,
    page_token_secret: &str,
    endpoint: &str,
) -> Value {
    let mut out = Map::new();
    for f in &template.functions {
        let mut vars: Map<String, Value> = environment(f, locals, page_token_secret)
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        for (name, _) in f.properties.variables() {
            if name == "AWS_ENDPOINT_URL" {
                vars.insert(name.to_string(), Value::String(endpoint.to_string()));
            }
        }
        out.insert(f.id.clone(), Value::Object(vars));
    }
    Value::Object(out)
}
