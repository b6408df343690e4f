//! One typed model of `template.yaml`, the one source of truth for what is deployed: tables,
//! functions, the GraphQL API and its resolvers, the stream's event source mapping, roles,
//! alarms and outputs. The local stack, the tools and the tests read the template through this
//! model only; [`tables`] creates its tables on a local DynamoDB, [`stream`] shapes its
//! stream's records as Lambda hands them.
//!
//! Read with serde: the YAML is parsed into `serde_yaml_ng::Value` first, which keeps
//! CloudFormation's short-form intrinsics (`!GetAtt X.Arn`) as tagged values, its `Fn::ForEach`
//! loops are expanded ([`expand`]), then each resource's `Properties` is read into the struct
//! of its `Type`. Intrinsics, short or long form (`{"Fn::GetAtt": [X, Arn]}`), become [`Expr`].
//! Only what some reader uses is modelled; other properties are ignored, and resources of
//! other types are known by id and type only. A property that is modelled but malformed is an
//! error naming the resource.
//!
//! SAM `Globals.Function` are applied to every `AWS::Serverless::Function` as SAM does: a
//! property the function sets wins, environment variables are merged.

mod foreach;
pub mod stream;
pub mod tables;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_yaml_ng::{Mapping, Value};

pub use foreach::{expand, intrinsic};

/// Why a template could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub(crate) String);

/// The repository's `template.yaml`, found from this crate's manifest directory.
pub fn template_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml")
}

// ------------------------------------------------------------------------------------------
// Values

/// A CloudFormation value: a literal, or an intrinsic function left unevaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A plain scalar; numbers and booleans as their text.
    Literal(String),
    /// `!Ref X`
    Ref(String),
    /// `!GetAtt X.Attr` (resource, attribute).
    GetAtt(String, String),
    /// `!Sub "text"` (or the text of `!Sub [text, vars]`), variables not substituted.
    Sub(String),
    /// Any other intrinsic (`!If`, `!Join`, ...) or structure, as written.
    Other(Value),
}

impl Expr {
    pub fn from_value(v: &Value) -> Self {
        let (name, inner) = match v {
            Value::String(s) => return Self::Literal(s.clone()),
            Value::Number(n) => return Self::Literal(n.to_string()),
            Value::Bool(b) => return Self::Literal(b.to_string()),
            v => match intrinsic(v) {
                Some(found) => found,
                None => return Self::Other(v.clone()),
            },
        };
        let parsed = match (name.as_str(), inner) {
            ("Ref", Value::String(s)) => Some(Self::Ref(s.clone())),
            ("GetAtt", Value::String(s)) => s
                .split_once('.')
                .map(|(r, a)| Self::GetAtt(r.to_string(), a.to_string())),
            ("GetAtt", Value::Sequence(parts)) if parts.len() == 2 => {
                match (parts[0].as_str(), parts[1].as_str()) {
                    (Some(r), Some(a)) => Some(Self::GetAtt(r.to_string(), a.to_string())),
                    _ => None,
                }
            }
            ("Sub", Value::String(s)) => Some(Self::Sub(s.clone())),
            ("Sub", Value::Sequence(parts)) => parts
                .first()
                .and_then(Value::as_str)
                .map(|s| Self::Sub(s.to_string())),
            _ => None,
        };
        parsed.unwrap_or_else(|| Self::Other(v.clone()))
    }

    /// The text of a literal.
    pub fn literal(&self) -> Option<&str> {
        match self {
            Self::Literal(s) => Some(s),
            _ => None,
        }
    }

    /// The logical id of `!Ref X`.
    pub fn ref_target(&self) -> Option<&str> {
        match self {
            Self::Ref(id) => Some(id),
            _ => None,
        }
    }

    /// The logical id of `!GetAtt X.<attribute>`.
    pub fn get_att(&self, attribute: &str) -> Option<&str> {
        match self {
            Self::GetAtt(id, a) if a == attribute => Some(id),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Expr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(|v| Self::from_value(&v))
    }
}

/// A plain string: a YAML tag (an intrinsic) is an error, not read through as its text.
fn plain<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    plain_of(Value::deserialize(d)?)
}

fn plain_of<E: serde::de::Error>(v: Value) -> Result<String, E> {
    match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(E::custom(format!(
            "expected a plain string, found {other:?}"
        ))),
    }
}

fn plain_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        v => plain_of(v).map(Some),
    }
}

/// One item or a list of them, as CloudFormation allows for `Action`, `Resource`,
/// `DependsOn`, `Statement`, `Policies`.
fn one_or_many<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Null => vec![],
        Value::Sequence(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .map(|v| serde_yaml_ng::from_value(v).map_err(D::Error::custom))
        .collect()
}

fn plain_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Null => vec![],
        Value::Sequence(items) => items,
        one => vec![one],
    };
    items.into_iter().map(plain_of).collect()
}

/// An integer, written as a number or as a numeric string (CloudFormation takes both).
fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("expected an integer, found {n}"))),
        Value::String(s) => s
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected an integer, found {s:?}"))),
        other => Err(D::Error::custom(format!(
            "expected an integer, found {other:?}"
        ))),
    }
}

/// A boolean, written as a boolean or as "true" / "false".
fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::String(s) if s == "true" || s == "false" => Ok(Some(s == "true")),
        other => Err(D::Error::custom(format!(
            "expected true or false, found {other:?}"
        ))),
    }
}

// ------------------------------------------------------------------------------------------
// Resources

/// One resource of a modelled type: its logical id, the attributes around `Properties`, and
/// the properties themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource<P> {
    pub id: String,
    pub depends_on: Vec<String>,
    pub condition: Option<String>,
    pub metadata: Metadata,
    pub properties: P,
}

/// A resource's `Metadata`; SAM's build settings are the only part read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Metadata {
    #[serde(deserialize_with = "plain_opt")]
    pub build_method: Option<String>,
    pub build_properties: BuildProperties,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BuildProperties {
    /// The cargo binary a `rust-cargolambda` build packages.
    #[serde(deserialize_with = "plain_opt")]
    pub binary: Option<String>,
}

// ---- AWS::DynamoDB::Table

pub type Table = Resource<TableProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TableProperties {
    pub table_name: Option<Expr>,
    #[serde(deserialize_with = "plain_opt")]
    pub billing_mode: Option<String>,
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub key_schema: Vec<KeyElement>,
    pub global_secondary_indexes: Vec<SecondaryIndex>,
    pub local_secondary_indexes: Vec<SecondaryIndex>,
    pub stream_specification: Option<StreamSpecification>,
    pub time_to_live_specification: Option<TimeToLive>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    #[serde(deserialize_with = "plain")]
    pub attribute_name: String,
    /// `S`, `N` or `B`.
    #[serde(deserialize_with = "plain")]
    pub attribute_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyElement {
    #[serde(deserialize_with = "plain")]
    pub attribute_name: String,
    /// `HASH` or `RANGE`.
    #[serde(deserialize_with = "plain")]
    pub key_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecondaryIndex {
    #[serde(deserialize_with = "plain")]
    pub index_name: String,
    pub key_schema: Vec<KeyElement>,
    pub projection: Projection,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Projection {
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    #[serde(deserialize_with = "plain_opt")]
    pub projection_type: Option<String>,
    #[serde(deserialize_with = "plain_list")]
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpecification {
    #[serde(deserialize_with = "plain")]
    pub stream_view_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLive {
    #[serde(deserialize_with = "plain")]
    pub attribute_name: String,
    #[serde(default, deserialize_with = "boolean")]
    pub enabled: Option<bool>,
}

impl Table {
    /// The environment variable the functions read this table's name from
    /// (`EventsTable` -> `EVENTS_TABLE`), a convention the tests and the local stack share.
    pub fn env_var(&self) -> String {
        env_var_for(&self.id)
    }

    /// Names of its global and local secondary indexes.
    pub fn index_names(&self) -> impl Iterator<Item = &str> {
        let p = &self.properties;
        p.global_secondary_indexes
            .iter()
            .chain(&p.local_secondary_indexes)
            .map(|i| i.index_name.as_str())
    }
}

/// `EventsTable` -> `EVENTS_TABLE`.
pub fn env_var_for(logical_id: &str) -> String {
    let mut out = String::new();
    for (i, c) in logical_id.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

// ---- AWS::Serverless::Function

pub type Function = Resource<FunctionProperties>;

/// A SAM function's properties, `Globals.Function` applied.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FunctionProperties {
    #[serde(deserialize_with = "plain_opt")]
    pub description: Option<String>,
    pub code_uri: Option<Expr>,
    #[serde(deserialize_with = "plain_opt")]
    pub handler: Option<String>,
    #[serde(deserialize_with = "plain_opt")]
    pub runtime: Option<String>,
    pub architectures: Option<Vec<String>>,
    #[serde(deserialize_with = "int")]
    pub memory_size: Option<i64>,
    /// Seconds.
    #[serde(deserialize_with = "int")]
    pub timeout: Option<i64>,
    /// A number, or a parameter (`!Ref`, `!If [..]`) the deploy chooses.
    pub reserved_concurrent_executions: Option<Expr>,
    pub logging_config: Option<LoggingConfig>,
    pub environment: Option<Environment>,
    #[serde(deserialize_with = "one_or_many")]
    pub policies: Vec<Policy>,
    /// SAM event sources, by name.
    pub events: Option<BTreeMap<String, SamEvent>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LoggingConfig {
    #[serde(deserialize_with = "plain_opt")]
    pub log_format: Option<String>,
    #[serde(deserialize_with = "plain_opt")]
    pub application_log_level: Option<String>,
    #[serde(deserialize_with = "plain_opt")]
    pub system_log_level: Option<String>,
    pub log_group: Option<Expr>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Environment {
    pub variables: BTreeMap<String, Expr>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SamEvent {
    #[serde(rename = "Type", deserialize_with = "plain")]
    pub kind: String,
}

impl FunctionProperties {
    /// SAM's rule for `Globals.Function`: what the function sets wins; maps merge.
    fn with_globals(mut self, globals: &FunctionProperties) -> Self {
        let g = globals.clone();
        macro_rules! inherit {
            ($($field:ident),*) => { $( if self.$field.is_none() { self.$field = g.$field; } )* };
        }
        inherit!(
            description,
            code_uri,
            handler,
            runtime,
            architectures,
            memory_size,
            timeout,
            reserved_concurrent_executions,
            logging_config,
            events
        );
        if let Some(global_env) = g.environment {
            let own = self.environment.get_or_insert_with(Environment::default);
            for (k, v) in global_env.variables {
                own.variables.entry(k).or_insert(v);
            }
        }
        if self.policies.is_empty() {
            self.policies = g.policies;
        }
        self
    }

    pub fn variables(&self) -> impl Iterator<Item = (&str, &Expr)> {
        self.environment
            .iter()
            .flat_map(|e| e.variables.iter().map(|(k, v)| (k.as_str(), v)))
    }

    /// Statements of the inline policy documents (SAM templates and managed policies are
    /// not documents: see [`Policy`]).
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.policies.iter().flat_map(|p| match p {
            Policy::Inline(doc) => doc.statement.as_slice(),
            _ => &[],
        })
    }
}

impl Function {
    /// The cargo binary the function is built from (`Metadata.BuildProperties.Binary`).
    pub fn binary(&self) -> Option<&str> {
        self.metadata.build_properties.binary.as_deref()
    }
}

/// One entry of a SAM function's `Policies`.
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    /// `{Version, Statement}`.
    Inline(PolicyDocument),
    /// A managed policy's name or ARN.
    Managed(Expr),
    /// A SAM policy template such as `DynamoDBCrudPolicy`, by name.
    SamTemplate(String),
}

impl<'de> Deserialize<'de> for Policy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        if v.get("Statement").is_some() {
            return serde_yaml_ng::from_value(v)
                .map(Policy::Inline)
                .map_err(D::Error::custom);
        }
        match &v {
            Value::Mapping(m) if m.len() == 1 => {
                let key = m.keys().next().and_then(Value::as_str).unwrap_or_default();
                if key == "Ref" || key.starts_with("Fn::") {
                    Ok(Policy::Managed(Expr::from_value(&v)))
                } else {
                    Ok(Policy::SamTemplate(key.to_string()))
                }
            }
            _ => Ok(Policy::Managed(Expr::from_value(&v))),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PolicyDocument {
    #[serde(deserialize_with = "plain_opt")]
    pub version: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub statement: Vec<Statement>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Statement {
    #[serde(deserialize_with = "plain_opt")]
    pub sid: Option<String>,
    #[serde(deserialize_with = "plain")]
    pub effect: String,
    #[serde(deserialize_with = "plain_list")]
    pub action: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub resource: Vec<Expr>,
    pub principal: Option<Value>,
    pub condition: Option<Value>,
}

impl Statement {
    pub fn allows(&self) -> bool {
        self.effect == "Allow"
    }
}

// ---- AWS::IAM::Role

pub type Role = Resource<RoleProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RoleProperties {
    pub assume_role_policy_document: Option<PolicyDocument>,
    pub policies: Vec<RolePolicy>,
    #[serde(rename = "ManagedPolicyArns")]
    pub managed_policy_arns: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RolePolicy {
    pub policy_name: Expr,
    pub policy_document: PolicyDocument,
}

impl RoleProperties {
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.policies
            .iter()
            .flat_map(|p| p.policy_document.statement.iter())
    }
}

// ---- AWS::Lambda::EventSourceMapping

pub type EventSourceMapping = Resource<EventSourceMappingProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EventSourceMappingProperties {
    pub function_name: Option<Expr>,
    pub event_source_arn: Option<Expr>,
    #[serde(deserialize_with = "plain_opt")]
    pub starting_position: Option<String>,
    #[serde(deserialize_with = "int")]
    pub batch_size: Option<i64>,
    #[serde(deserialize_with = "int")]
    pub maximum_batching_window_in_seconds: Option<i64>,
    #[serde(deserialize_with = "int")]
    pub parallelization_factor: Option<i64>,
    #[serde(deserialize_with = "plain_list")]
    pub function_response_types: Vec<String>,
    #[serde(deserialize_with = "boolean")]
    pub bisect_batch_on_function_error: Option<bool>,
    /// -1 (Lambda's default) retries until the record expires.
    #[serde(deserialize_with = "int")]
    pub maximum_retry_attempts: Option<i64>,
    #[serde(deserialize_with = "int")]
    pub maximum_record_age_in_seconds: Option<i64>,
    #[serde(deserialize_with = "int")]
    pub tumbling_window_in_seconds: Option<i64>,
    pub destination_config: Option<DestinationConfig>,
    #[serde(deserialize_with = "boolean")]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DestinationConfig {
    pub on_failure: Option<OnFailure>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OnFailure {
    pub destination: Expr,
}

impl EventSourceMappingProperties {
    /// The logical id of the table whose stream is read (`!GetAtt T.StreamArn`).
    pub fn stream_table(&self) -> Option<&str> {
        self.event_source_arn.as_ref()?.get_att("StreamArn")
    }

    /// The logical id of the function (`!Ref F`).
    pub fn function(&self) -> Option<&str> {
        self.function_name.as_ref()?.ref_target()
    }

    pub fn on_failure_destination(&self) -> Option<&Expr> {
        Some(
            &self
                .destination_config
                .as_ref()?
                .on_failure
                .as_ref()?
                .destination,
        )
    }

    pub fn reports_batch_item_failures(&self) -> bool {
        self.function_response_types
            .iter()
            .any(|t| t == "ReportBatchItemFailures")
    }
}

// ---- AWS::AppSync::*

pub type GraphQlApi = Resource<GraphQlApiProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GraphQlApiProperties {
    pub name: Option<Expr>,
    /// The default auth mode (`AMAZON_COGNITO_USER_POOLS`, `API_KEY`, `AWS_IAM`,
    /// `OPENID_CONNECT`, `AWS_LAMBDA`).
    #[serde(deserialize_with = "plain")]
    pub authentication_type: String,
    pub user_pool_config: Option<UserPoolConfig>,
    pub additional_authentication_providers: Vec<AuthProvider>,
    pub log_config: Option<ApiLogConfig>,
    /// 1-75; absent: no limit.
    #[serde(deserialize_with = "int")]
    pub query_depth_limit: Option<i64>,
    /// 1-10,000; absent: AppSync's default of 10,000.
    #[serde(deserialize_with = "int")]
    pub resolver_count_limit: Option<i64>,
    #[serde(deserialize_with = "plain_opt")]
    pub introspection_config: Option<String>,
    #[serde(deserialize_with = "boolean")]
    pub xray_enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolConfig {
    pub user_pool_id: Expr,
    #[serde(default)]
    pub aws_region: Option<Expr>,
    #[serde(default, deserialize_with = "plain_opt")]
    pub default_action: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthProvider {
    #[serde(deserialize_with = "plain")]
    pub authentication_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ApiLogConfig {
    pub cloud_watch_logs_role_arn: Option<Expr>,
    pub field_log_level: Option<Expr>,
    #[serde(deserialize_with = "boolean")]
    pub exclude_verbose_content: Option<bool>,
}

impl GraphQlApiProperties {
    /// Every auth mode, the default first.
    pub fn auth_modes(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.authentication_type.as_str()).chain(
            self.additional_authentication_providers
                .iter()
                .map(|p| p.authentication_type.as_str()),
        )
    }
}

pub type GraphQlSchema = Resource<GraphQlSchemaProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GraphQlSchemaProperties {
    pub api_id: Option<Expr>,
    /// A local path in the template (`sam deploy` uploads it and writes its S3 URL).
    #[serde(rename = "DefinitionS3Location", deserialize_with = "plain_opt")]
    pub definition_s3_location: Option<String>,
    #[serde(deserialize_with = "plain_opt")]
    pub definition: Option<String>,
}

pub type ApiKey = Resource<ApiKeyProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ApiKeyProperties {
    pub api_id: Option<Expr>,
    pub expires: Option<Expr>,
}

pub type DataSource = Resource<DataSourceProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DataSourceProperties {
    pub api_id: Option<Expr>,
    #[serde(deserialize_with = "plain_opt")]
    pub name: Option<String>,
    /// `AWS_LAMBDA`, `AMAZON_DYNAMODB`, `NONE`, ...
    #[serde(rename = "Type", deserialize_with = "plain")]
    pub kind: String,
    pub lambda_config: Option<LambdaConfig>,
    pub service_role_arn: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LambdaConfig {
    pub lambda_function_arn: Expr,
}

impl DataSourceProperties {
    /// The logical id of the function of an `AWS_LAMBDA` data source (`!GetAtt F.Arn`).
    pub fn lambda_function(&self) -> Option<&str> {
        if self.kind != "AWS_LAMBDA" {
            return None;
        }
        self.lambda_config
            .as_ref()?
            .lambda_function_arn
            .get_att("Arn")
    }
}

pub type Resolver = Resource<ResolverProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ResolverProperties {
    pub api_id: Option<Expr>,
    #[serde(deserialize_with = "plain")]
    pub type_name: String,
    #[serde(deserialize_with = "plain")]
    pub field_name: String,
    /// `UNIT` (CloudFormation's default) or `PIPELINE`.
    #[serde(deserialize_with = "plain_opt")]
    pub kind: Option<String>,
    /// `!GetAtt DS.Name` or the data source's name.
    pub data_source_name: Option<Expr>,
    /// Absent or 0: one Lambda call per parent; above 0: BatchInvoke with at most this many.
    #[serde(deserialize_with = "int")]
    pub max_batch_size: Option<i64>,
    // What a Direct Lambda resolver must not have (kept to check that it has none).
    pub request_mapping_template: Option<Expr>,
    #[serde(rename = "RequestMappingTemplateS3Location")]
    pub request_mapping_template_s3_location: Option<Expr>,
    pub response_mapping_template: Option<Expr>,
    #[serde(rename = "ResponseMappingTemplateS3Location")]
    pub response_mapping_template_s3_location: Option<Expr>,
    pub code: Option<Expr>,
    #[serde(rename = "CodeS3Location")]
    pub code_s3_location: Option<Expr>,
    pub runtime: Option<Expr>,
    pub pipeline_config: Option<Expr>,
}

impl ResolverProperties {
    /// `Parent.field`.
    pub fn field(&self) -> String {
        format!("{}.{}", self.type_name, self.field_name)
    }

    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("UNIT")
    }

    /// 0 when AppSync calls the Lambda once per parent.
    pub fn batch_size(&self) -> usize {
        self.max_batch_size.unwrap_or(0).max(0) as usize
    }

    /// The properties that give a resolver code or mapping templates, by name, when set.
    pub fn code_properties(&self) -> Vec<&'static str> {
        [
            ("RequestMappingTemplate", &self.request_mapping_template),
            (
                "RequestMappingTemplateS3Location",
                &self.request_mapping_template_s3_location,
            ),
            ("ResponseMappingTemplate", &self.response_mapping_template),
            (
                "ResponseMappingTemplateS3Location",
                &self.response_mapping_template_s3_location,
            ),
            ("Code", &self.code),
            ("CodeS3Location", &self.code_s3_location),
            ("Runtime", &self.runtime),
            ("PipelineConfig", &self.pipeline_config),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k)
        .collect()
    }
}

// ---- Cognito, Secrets Manager, CloudWatch

pub type UserPool = Resource<UserPoolProperties>;

/// What the local stack needs to create the pool on moto's cognito-idp.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UserPoolProperties {
    pub user_pool_name: Option<Expr>,
    pub policies: Option<UserPoolPolicies>,
    #[serde(deserialize_with = "plain_list")]
    pub alias_attributes: Vec<String>,
    #[serde(deserialize_with = "plain_list")]
    pub username_attributes: Vec<String>,
    #[serde(deserialize_with = "plain_list")]
    pub auto_verified_attributes: Vec<String>,
    pub schema: Vec<UserPoolSchemaAttribute>,
    #[serde(deserialize_with = "plain_opt")]
    pub mfa_configuration: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UserPoolPolicies {
    pub password_policy: Option<PasswordPolicy>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PasswordPolicy {
    #[serde(deserialize_with = "int")]
    pub minimum_length: Option<i64>,
    #[serde(deserialize_with = "boolean")]
    pub require_lowercase: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub require_uppercase: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub require_numbers: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub require_symbols: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UserPoolSchemaAttribute {
    #[serde(deserialize_with = "plain")]
    pub name: String,
    #[serde(deserialize_with = "plain_opt")]
    pub attribute_data_type: Option<String>,
    #[serde(deserialize_with = "boolean")]
    pub required: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub mutable: Option<bool>,
}

pub type UserPoolClient = Resource<UserPoolClientProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UserPoolClientProperties {
    pub user_pool_id: Option<Expr>,
    #[serde(deserialize_with = "plain_opt")]
    pub client_name: Option<String>,
    #[serde(deserialize_with = "plain_list")]
    pub explicit_auth_flows: Vec<String>,
    #[serde(deserialize_with = "boolean")]
    pub generate_secret: Option<bool>,
    #[serde(deserialize_with = "plain_opt")]
    pub prevent_user_existence_errors: Option<String>,
}

pub type UserPoolGroup = Resource<UserPoolGroupProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UserPoolGroupProperties {
    pub user_pool_id: Option<Expr>,
    #[serde(deserialize_with = "plain_opt")]
    pub group_name: Option<String>,
}

pub type Secret = Resource<SecretProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SecretProperties {
    pub generate_secret_string: Option<GenerateSecretString>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GenerateSecretString {
    #[serde(deserialize_with = "int")]
    pub password_length: Option<i64>,
    #[serde(deserialize_with = "boolean")]
    pub exclude_punctuation: Option<bool>,
}

pub type Alarm = Resource<AlarmProperties>;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AlarmProperties {
    #[serde(deserialize_with = "plain_opt")]
    pub namespace: Option<String>,
    #[serde(deserialize_with = "plain_opt")]
    pub metric_name: Option<String>,
    pub dimensions: Vec<Dimension>,
    /// Metric math: each query's metric, or an expression over them.
    pub metrics: Vec<MetricQuery>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    #[serde(deserialize_with = "plain")]
    pub name: String,
    pub value: Expr,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MetricQuery {
    #[serde(deserialize_with = "plain_opt")]
    pub id: Option<String>,
    #[serde(deserialize_with = "plain_opt")]
    pub expression: Option<String>,
    pub metric_stat: Option<MetricStat>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricStat {
    pub metric: Metric,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    #[serde(default, deserialize_with = "plain_opt")]
    pub namespace: Option<String>,
    #[serde(deserialize_with = "plain")]
    pub metric_name: String,
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
}

impl AlarmProperties {
    /// Every metric the alarm watches, with its dimension values.
    pub fn watched(&self) -> Vec<(&str, Vec<&Expr>)> {
        fn dims(d: &[Dimension]) -> Vec<&Expr> {
            d.iter().map(|d| &d.value).collect()
        }
        let mut out = Vec::new();
        if let Some(name) = &self.metric_name {
            out.push((name.as_str(), dims(&self.dimensions)));
        }
        for q in &self.metrics {
            if let Some(stat) = &q.metric_stat {
                out.push((
                    stat.metric.metric_name.as_str(),
                    dims(&stat.metric.dimensions),
                ));
            }
        }
        out
    }
}

/// One entry of `Outputs`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip)]
    pub id: String,
    pub value: Expr,
    #[serde(default, deserialize_with = "plain_opt")]
    pub description: Option<String>,
}

// ------------------------------------------------------------------------------------------
// The template

/// A template's YAML with its loops expanded ([`expand`]): what CloudFormation deploys.
pub fn expanded(text: &str) -> Result<Value, TemplateError> {
    let yaml =
        serde_yaml_ng::from_str(text).map_err(|e| TemplateError(format!("not a template: {e}")))?;
    expand(yaml)
}

/// `template.yaml`, typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Template {
    /// Every resource's (logical id, `Type`), in template order, modelled or not.
    pub kinds: Vec<(String, String)>,
    pub tables: Vec<Table>,
    pub functions: Vec<Function>,
    pub event_source_mappings: Vec<EventSourceMapping>,
    pub graphql_apis: Vec<GraphQlApi>,
    pub graphql_schemas: Vec<GraphQlSchema>,
    pub api_keys: Vec<ApiKey>,
    pub data_sources: Vec<DataSource>,
    pub resolvers: Vec<Resolver>,
    pub roles: Vec<Role>,
    pub user_pools: Vec<UserPool>,
    pub user_pool_clients: Vec<UserPoolClient>,
    pub user_pool_groups: Vec<UserPoolGroup>,
    pub secrets: Vec<Secret>,
    pub alarms: Vec<Alarm>,
    pub outputs: Vec<Output>,
    /// `Globals.Function` (already applied to `functions`).
    pub function_globals: FunctionProperties,
}

#[derive(Deserialize)]
struct RawTemplate {
    #[serde(rename = "Resources")]
    resources: Mapping,
    #[serde(rename = "Globals", default)]
    globals: RawGlobals,
    #[serde(rename = "Outputs", default)]
    outputs: Mapping,
}

#[derive(Deserialize, Default)]
struct RawGlobals {
    #[serde(rename = "Function", default)]
    function: FunctionProperties,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawResource {
    #[serde(rename = "Type", deserialize_with = "plain")]
    kind: String,
    #[serde(default)]
    properties: Value,
    #[serde(default, deserialize_with = "plain_list")]
    depends_on: Vec<String>,
    #[serde(default, deserialize_with = "plain_opt")]
    condition: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
}

fn typed<P: DeserializeOwned>(id: &str, raw: RawResource) -> Result<Resource<P>, TemplateError> {
    let what = |e: serde_yaml_ng::Error| TemplateError(format!("{id} ({}): {e}", raw.kind));
    let properties = match raw.properties {
        Value::Null => Value::Mapping(Mapping::new()),
        p => p,
    };
    let metadata = match raw.metadata.clone() {
        None | Some(Value::Null) => Metadata::default(),
        Some(m) => serde_yaml_ng::from_value(m).map_err(what)?,
    };
    Ok(Resource {
        id: id.to_string(),
        depends_on: raw.depends_on.clone(),
        condition: raw.condition.clone(),
        metadata,
        properties: serde_yaml_ng::from_value(properties).map_err(what)?,
    })
}

impl Template {
    pub fn read(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| TemplateError(format!("cannot read {}: {e}", path.display())))?;
        Self::parse(&text).map_err(|e| TemplateError(format!("{}: {e}", path.display())))
    }

    /// The repository's template, read once. Panics if it does not read: every test and
    /// tool depends on it.
    pub fn repository() -> &'static Template {
        static T: OnceLock<Template> = OnceLock::new();
        T.get_or_init(|| Template::read(&template_path()).unwrap_or_else(|e| panic!("{e}")))
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let raw: RawTemplate = serde_yaml_ng::from_value(expanded(text)?)
            .map_err(|e| TemplateError(format!("not a template: {e}")))?;
        let mut t = Template {
            function_globals: raw.globals.function,
            ..Template::default()
        };
        for (id, resource) in raw.resources {
            let id = id
                .as_str()
                .ok_or_else(|| TemplateError(format!("a logical id is not a string: {id:?}")))?
                .to_string();
            let resource: RawResource = serde_yaml_ng::from_value(resource)
                .map_err(|e| TemplateError(format!("{id}: {e}")))?;
            t.kinds.push((id.clone(), resource.kind.clone()));
            match resource.kind.as_str() {
                "AWS::DynamoDB::Table" => t.tables.push(typed(&id, resource)?),
                "AWS::Serverless::Function" => {
                    let mut f: Function = typed(&id, resource)?;
                    f.properties = f.properties.with_globals(&t.function_globals);
                    t.functions.push(f);
                }
                "AWS::Lambda::EventSourceMapping" => {
                    t.event_source_mappings.push(typed(&id, resource)?)
                }
                "AWS::AppSync::GraphQLApi" => t.graphql_apis.push(typed(&id, resource)?),
                "AWS::AppSync::GraphQLSchema" => t.graphql_schemas.push(typed(&id, resource)?),
                "AWS::AppSync::ApiKey" => t.api_keys.push(typed(&id, resource)?),
                "AWS::AppSync::DataSource" => t.data_sources.push(typed(&id, resource)?),
                "AWS::AppSync::Resolver" => t.resolvers.push(typed(&id, resource)?),
                "AWS::IAM::Role" => t.roles.push(typed(&id, resource)?),
                "AWS::Cognito::UserPool" => t.user_pools.push(typed(&id, resource)?),
                "AWS::Cognito::UserPoolClient" => t.user_pool_clients.push(typed(&id, resource)?),
                "AWS::Cognito::UserPoolGroup" => t.user_pool_groups.push(typed(&id, resource)?),
                "AWS::SecretsManager::Secret" => t.secrets.push(typed(&id, resource)?),
                "AWS::CloudWatch::Alarm" => t.alarms.push(typed(&id, resource)?),
                _ => {}
            }
        }
        for (id, output) in raw.outputs {
            let id = id.as_str().unwrap_or_default().to_string();
            let mut o: Output = serde_yaml_ng::from_value(output)
                .map_err(|e| TemplateError(format!("output {id}: {e}")))?;
            o.id = id;
            t.outputs.push(o);
        }
        Ok(t)
    }

    /// The `Type` of a resource.
    pub fn kind_of(&self, id: &str) -> Option<&str> {
        self.kinds
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, k)| k.as_str())
    }

    /// Logical ids of every resource of a type, in template order.
    pub fn ids_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.kinds
            .iter()
            .filter(move |(_, k)| k == kind)
            .map(|(id, _)| id.as_str())
    }

    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// The table whose name a `*_TABLE` variable holds, by the [`env_var_for`] convention.
    pub fn table_for_env(&self, var: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.env_var() == var)
    }

    /// A function by logical id or by binary.
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions
            .iter()
            .find(|f| f.id == name || f.binary() == Some(name))
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn secret(&self, id: &str) -> Option<&Secret> {
        self.secrets.iter().find(|s| s.id == id)
    }

    pub fn data_source(&self, id: &str) -> Option<&DataSource> {
        self.data_sources.iter().find(|d| d.id == id)
    }

    pub fn resolver(&self, type_name: &str, field_name: &str) -> Option<&Resolver> {
        self.resolvers
            .iter()
            .find(|r| r.properties.type_name == type_name && r.properties.field_name == field_name)
    }

    /// The data source a resolver names, by `!GetAtt DS.Name` or by the data source's name.
    pub fn resolver_data_source(&self, r: &Resolver) -> Option<&DataSource> {
        match r.properties.data_source_name.as_ref()? {
            Expr::GetAtt(id, a) if a == "Name" => self.data_source(id),
            Expr::Literal(name) => self
                .data_sources
                .iter()
                .find(|d| d.properties.name.as_deref() == Some(name)),
            _ => None,
        }
    }

    /// The function behind a resolver's Lambda data source.
    pub fn resolver_function(&self, r: &Resolver) -> Option<&Function> {
        let source = self.resolver_data_source(r)?;
        self.function(source.properties.lambda_function()?)
    }

    /// The event source mappings that read a table's stream.
    pub fn stream_mappings(&self) -> impl Iterator<Item = &EventSourceMapping> {
        self.event_source_mappings
            .iter()
            .filter(|m| m.properties.stream_table().is_some())
    }

    /// What an IAM `Resource` entry points at.
    pub fn arn_target(&self, resource: &Expr) -> ArnTarget {
        let is_table = |id: &str| self.kind_of(id) == Some("AWS::DynamoDB::Table");
        match resource {
            Expr::Literal(s) if s == "*" => ArnTarget::Wildcard,
            Expr::GetAtt(r, a) if a == "Arn" && is_table(r) => ArnTarget::Table(r.clone()),
            Expr::GetAtt(r, a) if a == "StreamArn" => ArnTarget::Stream(r.clone()),
            Expr::GetAtt(r, a) if a == "Arn" => ArnTarget::Resource(r.clone()),
            Expr::Sub(s) => {
                let parsed = s
                    .strip_prefix("${")
                    .and_then(|rest| rest.split_once(".Arn}"))
                    .filter(|(r, _)| is_table(r));
                match parsed {
                    Some((r, "")) => ArnTarget::Table(r.to_string()),
                    Some((r, rest)) => {
                        if let Some(index) = rest.strip_prefix("/index/") {
                            ArnTarget::Index(r.to_string(), index.to_string())
                        } else if rest.starts_with("/stream/") {
                            ArnTarget::Stream(r.to_string())
                        } else {
                            ArnTarget::Unknown(s.clone())
                        }
                    }
                    None => ArnTarget::Unknown(s.clone()),
                }
            }
            other => ArnTarget::Unknown(format!("{other:?}")),
        }
    }
}

/// What an IAM `Resource` entry points at, in the template's terms.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ArnTarget {
    Table(String),
    /// `${T.Arn}/index/NAME` (NAME may be `*`).
    Index(String, String),
    /// `!GetAtt T.StreamArn` or `${T.Arn}/stream/*`.
    Stream(String),
    /// `!GetAtt X.Arn` of any other resource.
    Resource(String),
    Wildcard,
    Unknown(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_repository_template() {
        let t = Template::repository();
        let room = t.resolver("Event", "room").expect("Event.room");
        assert_eq!(room.properties.batch_size(), 100);
        assert_eq!(
            t.resolver_function(room).and_then(Function::binary),
            Some("resolvers")
        );
        assert_eq!(
            t.resolver("Query", "listRooms")
                .unwrap()
                .properties
                .batch_size(),
            0
        );
        let resolvers_fn = t.function("resolvers").unwrap();
        assert_eq!(resolvers_fn.id, "ResolversFunction");
        assert_eq!(
            resolvers_fn
                .properties
                .environment
                .as_ref()
                .unwrap()
                .variables["EVENTS_TABLE"],
            Expr::Ref("EventsTable".into())
        );
        // Globals.Function applied.
        assert_eq!(
            resolvers_fn.properties.runtime.as_deref(),
            Some("provided.al2023")
        );
        let mapping = t.stream_mappings().next().expect("a stream mapping");
        assert_eq!(mapping.properties.stream_table(), Some("ActivitiesTable"));
        assert_eq!(
            t.function(mapping.properties.function().unwrap())
                .and_then(Function::binary),
            Some("aggregator")
        );
        assert!(mapping.properties.reports_batch_item_failures());
        assert_eq!(mapping.properties.batch_size, Some(100));
        let activities = t.table("ActivitiesTable").unwrap();
        assert_eq!(activities.index_names().collect::<Vec<_>>(), ["byTime"]);
        assert_eq!(
            activities
                .properties
                .stream_specification
                .as_ref()
                .unwrap()
                .stream_view_type,
            "NEW_AND_OLD_IMAGES"
        );
        let api = &t.graphql_apis[0].properties;
        assert_eq!(
            api.auth_modes().collect::<Vec<_>>(),
            ["AMAZON_COGNITO_USER_POOLS", "API_KEY"]
        );
    }

    #[test]
    fn short_and_long_intrinsics_read_alike() {
        let yaml = r#"
Resources:
  F:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: fn } }
    Properties:
      Timeout: "7"
      Environment: { Variables: { T: { Ref: Tbl }, X: "1", N: 5, S: !Sub "${Tbl}" } }
  DS:
    Type: AWS::AppSync::DataSource
    Properties: { Type: AWS_LAMBDA, LambdaConfig: { LambdaFunctionArn: { "Fn::GetAtt": [F, Arn] } } }
  R:
    Type: AWS::AppSync::Resolver
    Properties: { TypeName: Query, FieldName: a, DataSourceName: !GetAtt DS.Name }
  R2:
    Type: AWS::AppSync::Resolver
    Properties: { TypeName: Query, FieldName: b, DataSourceName: { "Fn::GetAtt": "DS.Name" } }
"#;
        let t = Template::parse(yaml).unwrap();
        for field in ["a", "b"] {
            let r = t.resolver("Query", field).unwrap();
            assert_eq!(
                t.resolver_function(r).and_then(Function::binary),
                Some("fn")
            );
        }
        let f = &t.function("F").unwrap().properties;
        assert_eq!(f.timeout, Some(7));
        let vars: BTreeMap<&str, &Expr> = f.variables().collect();
        assert_eq!(vars["T"], &Expr::Ref("Tbl".into()));
        assert_eq!(vars["X"], &Expr::Literal("1".into()));
        assert_eq!(vars["N"], &Expr::Literal("5".into()));
        assert_eq!(vars["S"], &Expr::Sub("${Tbl}".into()));
    }

    #[test]
    fn an_intrinsic_where_a_plain_value_belongs_is_an_error_naming_the_resource() {
        let yaml = "Resources:\n  R:\n    Type: AWS::AppSync::Resolver\n    Properties: { TypeName: !Ref X, FieldName: a }\n";
        let e = Template::parse(yaml).unwrap_err().to_string();
        assert!(e.contains("R (AWS::AppSync::Resolver)"), "{e}");
        let yaml = "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: { Timeout: ten }\n";
        let e = Template::parse(yaml).unwrap_err().to_string();
        assert!(
            e.contains("F (AWS::Serverless::Function)") && e.contains("integer"),
            "{e}"
        );
    }

    #[test]
    fn policies_keep_documents_apart_from_templates_and_managed_policies() {
        let yaml = r#"
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties: { KeySchema: [{ AttributeName: id, KeyType: HASH }] }
  F:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Version: "2012-10-17"
          Statement:
            Effect: Allow
            Action: dynamodb:GetItem
            Resource: [!GetAtt T.Arn, !Sub "${T.Arn}/index/*", !Sub "${T.Arn}/stream/*", "*"]
        - DynamoDBCrudPolicy: { TableName: !Ref T }
        - arn:aws:iam::aws:policy/ReadOnlyAccess
"#;
        let t = Template::parse(yaml).unwrap();
        let f = &t.function("F").unwrap().properties;
        assert!(matches!(f.policies[1], Policy::SamTemplate(ref n) if n == "DynamoDBCrudPolicy"));
        assert!(matches!(f.policies[2], Policy::Managed(Expr::Literal(_))));
        let s: Vec<&Statement> = f.statements().collect();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].action, ["dynamodb:GetItem"]);
        let targets: Vec<ArnTarget> = s[0].resource.iter().map(|r| t.arn_target(r)).collect();
        assert_eq!(
            targets,
            [
                ArnTarget::Table("T".into()),
                ArnTarget::Index("T".into(), "*".into()),
                ArnTarget::Stream("T".into()),
                ArnTarget::Wildcard
            ]
        );
    }

    #[test]
    fn env_var_names_follow_logical_ids() {
        assert_eq!(env_var_for("EventsTable"), "EVENTS_TABLE");
        assert_eq!(env_var_for("RoomBookingsTable"), "ROOM_BOOKINGS_TABLE");
    }
}
