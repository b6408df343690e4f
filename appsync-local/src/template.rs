//! What the local stack reads from `template.yaml`, the one source of truth: which fields have
//! a Direct Lambda resolver (and their `MaxBatchSize`), which function answers them, each
//! function's environment and timeout, and the stream's event source mapping.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_yaml_ng::Value;

/// The repository's `template.yaml`.
pub fn default_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml")
}

/// One `AWS::AppSync::Resolver` of kind UNIT on a Lambda data source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolver {
    pub type_name: String,
    pub field_name: String,
    /// 0: one invocation per parent; above 0: BatchInvoke with at most this many items.
    pub max_batch_size: usize,
    /// The binary (`Metadata.BuildProperties.Binary`) of the function behind the data source.
    pub function: String,
}

/// One `AWS::Serverless::Function`.
#[derive(Debug, Clone)]
pub struct Function {
    pub logical_id: String,
    pub binary: String,
    pub timeout: Duration,
    /// Environment variables: `!Ref SomeTable` is kept as `TableRef(logical id)`.
    pub environment: BTreeMap<String, EnvValue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    TableRef(String),
    /// Anything the local stack cannot evaluate (a `!Sub` of a secret, ...).
    Other,
}

/// The `AWS::Lambda::EventSourceMapping` of a DynamoDB stream.
#[derive(Debug, Clone)]
pub struct StreamMapping {
    /// Logical id of the table whose stream is read.
    pub table: String,
    pub function: String,
    pub batch_size: usize,
    pub batching_window: Duration,
    pub report_batch_item_failures: bool,
    pub bisect_on_error: bool,
    /// None: retry until the record expires (Lambda's default of -1).
    pub maximum_retry_attempts: Option<u32>,
    pub starting_position: String,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub resolvers: Vec<Resolver>,
    pub functions: Vec<Function>,
    pub stream_mappings: Vec<StreamMapping>,
}

impl Template {
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
        let resources = doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or("no Resources")?;
        let of_type = |ty: &'static str| {
            resources
                .iter()
                .filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(ty))
                .map(|(id, r)| (id.as_str().unwrap_or_default().to_string(), r))
        };

        let mut functions = Vec::new();
        for (id, r) in of_type("AWS::Serverless::Function") {
            let binary = r
                .get("Metadata")
                .and_then(|m| m.get("BuildProperties"))
                .and_then(|b| b.get("Binary"))
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{id}: no Metadata.BuildProperties.Binary"))?
                .to_string();
            let props = r.get("Properties");
            let timeout = props
                .and_then(|p| p.get("Timeout"))
                .and_then(Value::as_u64)
                .unwrap_or(3);
            let mut environment = BTreeMap::new();
            if let Some(vars) = props
                .and_then(|p| p.get("Environment"))
                .and_then(|e| e.get("Variables"))
                .and_then(Value::as_mapping)
            {
                for (k, v) in vars {
                    // Tags first: `as_str` looks through a tag like `!Ref X` to the plain "X".
                    let value = match (reference(v), v) {
                        (Some(("Ref", target)), _) => EnvValue::TableRef(target),
                        (Some(_), _) | (None, Value::Tagged(_)) => EnvValue::Other,
                        (None, Value::String(s)) => EnvValue::Literal(s.clone()),
                        (None, Value::Number(n)) => EnvValue::Literal(n.to_string()),
                        (None, Value::Bool(b)) => EnvValue::Literal(b.to_string()),
                        _ => EnvValue::Other,
                    };
                    environment.insert(k.as_str().unwrap_or_default().to_string(), value);
                }
            }
            functions.push(Function {
                logical_id: id,
                binary,
                timeout: Duration::from_secs(timeout),
                environment,
            });
        }
        let binary_of = |function_id: &str| {
            functions
                .iter()
                .find(|f| f.logical_id == function_id)
                .map(|f| f.binary.clone())
                .ok_or_else(|| format!("function {function_id} is not in the template"))
        };

        // Data source logical id -> function binary.
        let mut data_sources = BTreeMap::new();
        for (id, r) in of_type("AWS::AppSync::DataSource") {
            let props = r
                .get("Properties")
                .ok_or_else(|| format!("{id}: no Properties"))?;
            if props.get("Type").and_then(Value::as_str) != Some("AWS_LAMBDA") {
                continue;
            }
            let function = props
                .get("LambdaConfig")
                .and_then(|l| l.get("LambdaFunctionArn"))
                .and_then(reference)
                .map(|(_, target)| target)
                .ok_or_else(|| {
                    format!("{id}: LambdaConfig.LambdaFunctionArn is not a reference")
                })?;
            data_sources.insert(id, binary_of(&function)?);
        }

        let mut resolvers = Vec::new();
        for (id, r) in of_type("AWS::AppSync::Resolver") {
            let props = r
                .get("Properties")
                .ok_or_else(|| format!("{id}: no Properties"))?;
            let text = |k: &str| {
                props
                    .get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| format!("{id}: no {k}"))
            };
            if props.get("Kind").and_then(Value::as_str).unwrap_or("UNIT") != "UNIT" {
                return Err(format!("{id}: only UNIT resolvers are served locally"));
            }
            let source = props
                .get("DataSourceName")
                .and_then(|v| {
                    reference(v)
                        .map(|(_, t)| t)
                        .or_else(|| v.as_str().map(str::to_string))
                })
                .ok_or_else(|| format!("{id}: no DataSourceName"))?;
            let function = data_sources
                .get(&source)
                .cloned()
                .ok_or_else(|| format!("{id}: data source {source} is not a Lambda data source"))?;
            resolvers.push(Resolver {
                type_name: text("TypeName")?,
                field_name: text("FieldName")?,
                max_batch_size: props
                    .get("MaxBatchSize")
                    .and_then(Value::as_u64)
                    .unwrap_or(0) as usize,
                function,
            });
        }

        let mut stream_mappings = Vec::new();
        for (id, r) in of_type("AWS::Lambda::EventSourceMapping") {
            let props = r
                .get("Properties")
                .ok_or_else(|| format!("{id}: no Properties"))?;
            let Some((_, source)) = props.get("EventSourceArn").and_then(reference) else {
                continue;
            };
            let function = props
                .get("FunctionName")
                .and_then(reference)
                .map(|(_, t)| t)
                .ok_or_else(|| format!("{id}: FunctionName is not a reference"))?;
            let num = |k: &str| props.get(k).and_then(Value::as_i64);
            stream_mappings.push(StreamMapping {
                table: source,
                function: binary_of(&function)?,
                batch_size: num("BatchSize").unwrap_or(100).max(1) as usize,
                batching_window: Duration::from_secs(
                    num("MaximumBatchingWindowInSeconds").unwrap_or(0).max(0) as u64,
                ),
                report_batch_item_failures: props
                    .get("FunctionResponseTypes")
                    .and_then(Value::as_sequence)
                    .is_some_and(|s| {
                        s.iter()
                            .any(|t| t.as_str() == Some("ReportBatchItemFailures"))
                    }),
                bisect_on_error: props
                    .get("BisectBatchOnFunctionError")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                maximum_retry_attempts: num("MaximumRetryAttempts")
                    .filter(|n| *n >= 0)
                    .map(|n| n as u32),
                starting_position: props
                    .get("StartingPosition")
                    .and_then(Value::as_str)
                    .unwrap_or("TRIM_HORIZON")
                    .to_string(),
            });
        }

        Ok(Self {
            resolvers,
            functions,
            stream_mappings,
        })
    }

    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions
            .iter()
            .find(|f| f.binary == name || f.logical_id == name)
    }

    pub fn resolver(&self, type_name: &str, field_name: &str) -> Option<&Resolver> {
        self.resolvers
            .iter()
            .find(|r| r.type_name == type_name && r.field_name == field_name)
    }
}

/// `!Ref X` / `!GetAtt X.Attr` / `{Ref: X}` / `{"Fn::GetAtt": [X, Attr]}` as (kind, X).
fn reference(v: &Value) -> Option<(&'static str, String)> {
    match v {
        Value::Tagged(t) => {
            let target = t.value.as_str()?;
            match t.tag.to_string().trim_start_matches('!') {
                "Ref" => Some(("Ref", target.to_string())),
                "GetAtt" => Some(("GetAtt", target.split('.').next()?.to_string())),
                _ => None,
            }
        }
        Value::Mapping(m) => {
            if let Some(target) = m.get("Ref").and_then(Value::as_str) {
                return Some(("Ref", target.to_string()));
            }
            let get_att = m.get("Fn::GetAtt")?;
            let target = match get_att {
                Value::Sequence(s) => s.first()?.as_str()?.to_string(),
                Value::String(s) => s.split('.').next()?.to_string(),
                _ => return None,
            };
            Some(("GetAtt", target))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_repository_template() {
        let t = Template::read(&default_path()).unwrap();
        let room = t.resolver("Event", "room").expect("Event.room");
        assert_eq!(room.max_batch_size, 100);
        assert_eq!(room.function, "resolvers");
        assert_eq!(t.resolver("Query", "listRooms").unwrap().max_batch_size, 0);
        // Every field the Lambda says it resolves has a resolver in the template.
        for f in resolvers::router::FIELDS {
            let (ty, field) = f.split_once('.').unwrap();
            assert!(t.resolver(ty, field).is_some(), "{f} has no resolver");
        }
        let resolvers_fn = t.function("resolvers").unwrap();
        assert_eq!(
            resolvers_fn.environment.get("EVENTS_TABLE"),
            Some(&EnvValue::TableRef("EventsTable".into()))
        );
        let mapping = &t.stream_mappings[0];
        assert_eq!(mapping.table, "ActivitiesTable");
        assert_eq!(mapping.function, "aggregator");
        assert!(mapping.report_batch_item_failures);
        assert_eq!(mapping.batch_size, 100);
    }

    #[test]
    fn long_form_references_are_understood() {
        let yaml = r#"
Resources:
  F:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: fn } }
    Properties: { Timeout: 7, Environment: { Variables: { T: { Ref: Tbl }, X: "1" } } }
  DS:
    Type: AWS::AppSync::DataSource
    Properties: { Type: AWS_LAMBDA, LambdaConfig: { LambdaFunctionArn: { "Fn::GetAtt": [F, Arn] } } }
  R:
    Type: AWS::AppSync::Resolver
    Properties: { TypeName: Query, FieldName: a, DataSourceName: { "Fn::GetAtt": [DS, Name] } }
"#;
        let t = Template::parse(yaml).unwrap();
        assert_eq!(t.resolver("Query", "a").unwrap().function, "fn");
        let f = t.function("F").unwrap();
        assert_eq!(f.timeout, Duration::from_secs(7));
        assert_eq!(f.environment["T"], EnvValue::TableRef("Tbl".into()));
        assert_eq!(f.environment["X"], EnvValue::Literal("1".into()));
    }
}
