//! The deployment contract: `schema.graphql`, the resolvers' router (`resolvers::router::FIELDS`),
//! the functions' code and `template.yaml` must agree, or a deploy breaks in ways no unit test
//! sees (a field AppSync answers with "no resolver", a table the Lambda may not read, a stream
//! that stalls on one bad record).
//!
//! Everything is read at test time: the template with a YAML parser (CloudFormation tags such
//! as `!GetAtt` arrive as tagged values), the schema with a GraphQL SDL parser, FIELDS and the
//! batched fields from the resolvers crate itself, the environment variables each function
//! reads by running its own configuration loader, and the DynamoDB calls each crate makes from
//! its sources.
//!
//! Which schema fields need a Lambda resolver:
//! - every field of the query and mutation root types;
//! - a subscription field only if the router lists it (an `@aws_subscribe` field with no
//!   Lambda check needs none);
//! - a field of another type if it takes arguments, or if it returns an entity (an object type
//!   that some query or mutation returns) other than as `items` of a `*Connection`: neither can
//!   come from the parent's item as stored.
//!
//! Any other field the router lists (such as `Event.tickets`, filtered per caller) needs a
//! resolver too, since the router says it resolves it.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use graphql_parser::schema::{Definition, Directive, Field, Type, TypeDefinition, TypeExtension};
use serde_yaml_ng::{Mapping, Value};
use testkit::tables::{env_var_for, template_path};

// The template's defences and operations (issue 10): limits, WAF, alarms, cache, dashboard.
#[path = "contract/operations.rs"]
mod operations;

// ------------------------------------------------------------------------------------------
// Loading

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit lives in the workspace")
        .to_path_buf()
}

fn template() -> &'static Value {
    static T: OnceLock<Value> = OnceLock::new();
    T.get_or_init(|| {
        let path = template_path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_yaml_ng::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
    })
}

fn resources() -> &'static Mapping {
    template()
        .get("Resources")
        .and_then(Value::as_mapping)
        .expect("template has Resources")
}

/// (logical id, resource) of every resource of `kind`, in template order.
fn resources_of(kind: &str) -> Vec<(&'static str, &'static Value)> {
    resources()
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
        .map(|(id, r)| (id.as_str().expect("logical ids are strings"), r))
        .collect()
}

fn resource(id: &str) -> &'static Value {
    resources()
        .get(id)
        .unwrap_or_else(|| panic!("template has no resource {id}"))
}

fn type_of(id: &str) -> &'static str {
    resources()
        .get(id)
        .and_then(|r| r.get("Type"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn props(r: &Value) -> &Value {
    static EMPTY: OnceLock<Value> = OnceLock::new();
    r.get("Properties")
        .unwrap_or_else(|| EMPTY.get_or_init(|| Value::Mapping(Mapping::new())))
}

fn global_function_property(key: &str) -> Option<&'static Value> {
    template()
        .get("Globals")
        .and_then(|g| g.get("Function"))
        .and_then(|f| f.get(key))
}

// ------------------------------------------------------------------------------------------
// CloudFormation intrinsics, short (`!GetAtt X.Arn`) or long (`Fn::GetAtt: [X, Arn]`) form

#[derive(Debug, Clone, PartialEq, Eq)]
enum Cfn {
    Str(String),
    Ref(String),
    GetAtt(String, String),
    Sub(String),
    Other,
}

fn cfn(v: &Value) -> Cfn {
    let (name, inner) = match v {
        Value::String(s) => return Cfn::Str(s.clone()),
        Value::Number(n) => return Cfn::Str(n.to_string()),
        Value::Bool(b) => return Cfn::Str(b.to_string()),
        Value::Tagged(t) => (
            t.tag.to_string().trim_start_matches('!').to_string(),
            &t.value,
        ),
        Value::Mapping(m) if m.len() == 1 => {
            let (k, inner) = m.iter().next().expect("one entry");
            let k = k.as_str().unwrap_or_default();
            (k.trim_start_matches("Fn::").to_string(), inner)
        }
        _ => return Cfn::Other,
    };
    match (name.as_str(), inner) {
        ("Ref", Value::String(s)) => Cfn::Ref(s.clone()),
        ("GetAtt", Value::String(s)) => match s.split_once('.') {
            Some((r, a)) => Cfn::GetAtt(r.to_string(), a.to_string()),
            None => Cfn::Other,
        },
        ("GetAtt", Value::Sequence(parts)) if parts.len() == 2 => {
            match (parts[0].as_str(), parts[1].as_str()) {
                (Some(r), Some(a)) => Cfn::GetAtt(r.to_string(), a.to_string()),
                _ => Cfn::Other,
            }
        }
        ("Sub", Value::String(s)) => Cfn::Sub(s.clone()),
        ("Sub", Value::Sequence(parts)) => match parts.first().and_then(Value::as_str) {
            Some(s) => Cfn::Sub(s.to_string()),
            None => Cfn::Other,
        },
        _ => Cfn::Other,
    }
}

fn str_prop(v: &Value, key: &str) -> Option<String> {
    match cfn(v.get(key)?) {
        Cfn::Str(s) => Some(s),
        _ => None,
    }
}

fn int_prop(v: &Value, key: &str) -> Option<i64> {
    let raw = v.get(key)?;
    raw.as_i64()
        .or_else(|| raw.as_str().and_then(|s| s.parse().ok()))
}

fn one_or_many(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None => vec![],
        Some(Value::Sequence(items)) => items.iter().collect(),
        Some(other) => vec![other],
    }
}

// ------------------------------------------------------------------------------------------
// Tables and ARNs

fn tables() -> BTreeMap<String, &'static Value> {
    resources_of("AWS::DynamoDB::Table")
        .into_iter()
        .map(|(id, r)| (id.to_string(), r))
        .collect()
}

/// The table a `*_TABLE` variable names, by the testkit convention (`EventsTable` ->
/// `EVENTS_TABLE`), which the tests and the local stack rely on as well.
fn table_for_env(var: &str) -> Option<String> {
    tables().into_keys().find(|id| env_var_for(id) == var)
}

fn index_names(table: &Value) -> Vec<String> {
    ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"]
        .iter()
        .flat_map(|k| one_or_many(props(table).get(*k)))
        .filter_map(|i| str_prop(i, "IndexName"))
        .collect()
}

/// What an IAM `Resource` entry points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
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

fn target(v: &Value) -> Target {
    match cfn(v) {
        Cfn::Str(s) if s == "*" => Target::Wildcard,
        Cfn::GetAtt(r, a) if a == "Arn" && type_of(&r) == "AWS::DynamoDB::Table" => {
            Target::Table(r)
        }
        Cfn::GetAtt(r, a) if a == "StreamArn" => Target::Stream(r),
        Cfn::GetAtt(r, a) if a == "Arn" => Target::Resource(r),
        Cfn::Sub(s) => {
            let parsed = s
                .strip_prefix("${")
                .and_then(|rest| rest.split_once(".Arn}"))
                .filter(|(r, _)| type_of(r) == "AWS::DynamoDB::Table");
            match parsed {
                Some((r, "")) => Target::Table(r.to_string()),
                Some((r, rest)) => {
                    if let Some(index) = rest.strip_prefix("/index/") {
                        Target::Index(r.to_string(), index.to_string())
                    } else if rest.starts_with("/stream/") {
                        Target::Stream(r.to_string())
                    } else {
                        Target::Unknown(s.clone())
                    }
                }
                None => Target::Unknown(s.clone()),
            }
        }
        other => Target::Unknown(format!("{other:?}")),
    }
}

#[derive(Debug, Clone)]
struct Grant {
    actions: BTreeSet<String>,
    targets: Vec<Target>,
}

/// The Allow statements of a policy document (`{Statement: [...]}`).
fn grants_of_document(doc: &Value, owner: &str) -> Vec<Grant> {
    one_or_many(doc.get("Statement"))
        .into_iter()
        .filter(|s| str_prop(s, "Effect").as_deref() == Some("Allow"))
        .map(|s| {
            let actions = one_or_many(s.get("Action"))
                .into_iter()
                .map(|a| {
                    a.as_str()
                        .unwrap_or_else(|| {
                            panic!("{owner}: an Action is not a plain string: {a:?}")
                        })
                        .to_string()
                })
                .collect();
            let targets = one_or_many(s.get("Resource"))
                .into_iter()
                .map(target)
                .collect();
            Grant { actions, targets }
        })
        .collect()
}

/// The statements of a SAM function's `Policies`. Only inline policy documents: SAM policy
/// templates and managed policies hide what they grant from review (and from this test).
fn function_grants(id: &str) -> Vec<Grant> {
    one_or_many(props(resource(id)).get("Policies"))
        .into_iter()
        .flat_map(|p| {
            assert!(
                p.get("Statement").is_some(),
                "{id}: write Policies as inline statements ({{Version, Statement}}), not SAM \
                 policy templates or managed policies, so that what each function may do stays \
                 visible and checked: {p:?}"
            );
            grants_of_document(p, id)
        })
        .collect()
}

/// The statements of a plain AWS::IAM::Role's inline policies.
fn role_grants(id: &str) -> Vec<Grant> {
    one_or_many(props(resource(id)).get("Policies"))
        .into_iter()
        .flat_map(|p| grants_of_document(p.get("PolicyDocument").expect("PolicyDocument"), id))
        .collect()
}

fn granted(grants: &[Grant], action: &str, t: &Target) -> bool {
    grants
        .iter()
        .any(|g| g.actions.contains(action) && g.targets.contains(t))
}

// ------------------------------------------------------------------------------------------
// The functions and their crates

struct Function {
    id: &'static str,
    binary: String,
}

fn functions() -> Vec<Function> {
    resources_of("AWS::Serverless::Function")
        .into_iter()
        .map(|(id, r)| {
            let binary = r
                .get("Metadata")
                .and_then(|m| m.get("BuildProperties"))
                .and_then(|b| str_prop(b, "Binary"))
                .unwrap_or_else(|| panic!("{id}: Metadata.BuildProperties.Binary is missing"));
            Function { id, binary }
        })
        .collect()
}

fn function_for(binary: &str) -> Function {
    functions()
        .into_iter()
        .find(|f| f.binary == binary)
        .unwrap_or_else(|| panic!("no function in template.yaml builds the `{binary}` binary"))
}

/// The crate directory of a binary: each function's crate is named after its binary.
fn crate_dir(binary: &str) -> PathBuf {
    repo_root().join(binary)
}

/// The Rust sources of a crate, each cut at its `#[cfg(test)]` module.
fn crate_sources(binary: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source file");
                let code = match text.find("#[cfg(test)]") {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                out.push((path, code));
            }
        }
    }
    let mut out = Vec::new();
    walk(&crate_dir(binary).join("src"), &mut out);
    assert!(!out.is_empty(), "no sources for {binary}");
    out
}

/// Code without `//` comments, so a call mentioned in prose is not taken for a call.
fn strip_comments(code: &str) -> String {
    code.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs a function's configuration loader with `lookup`; whether it accepted the result.
fn load_config(binary: &str, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
    match binary {
        "resolvers" => resolvers::Tables::from_lookup(lookup).is_ok(),
        "aggregator" => aggregator::Config::from_lookup(lookup).is_ok(),
        other => panic!(
            "a new function `{other}`: teach the contract test how it reads its configuration"
        ),
    }
}

/// The environment variables a function needs: those its configuration loader cannot do
/// without (found by running it with a lookup that records every name it asks for, then
/// without each name in turn), plus `std::env::var("...")` in its `main.rs`.
fn env_vars_read_by(binary: &str) -> BTreeSet<String> {
    let seen = RefCell::new(BTreeSet::new());
    let all = |k: &str| {
        seen.borrow_mut().insert(k.to_string());
        Some("1".to_string())
    };
    assert!(load_config(binary, &all), "{binary}: configuration loads");
    let seen = seen.into_inner();
    let mut vars: BTreeSet<String> = seen
        .iter()
        .filter(|var| {
            !load_config(binary, &|k: &str| {
                (k != var.as_str()).then(|| "1".to_string())
            })
        })
        .cloned()
        .collect();
    let main = std::fs::read_to_string(crate_dir(binary).join("src/main.rs")).expect("main.rs");
    for piece in strip_comments(&main).split("env::var(\"").skip(1) {
        if let Some((name, _)) = piece.split_once('"') {
            vars.insert(name.to_string());
        }
    }
    vars
}

/// The IAM actions the DynamoDB calls in a crate's sources need. TransactWriteItems and
/// TransactGetItems are not IAM actions: each item needs its own (Put/Update/Delete/
/// ConditionCheck, Get).
const CALLS: &[(&str, &str)] = &[
    (".get_item()", "dynamodb:GetItem"),
    (".batch_get_item()", "dynamodb:BatchGetItem"),
    (".transact_get_items()", "dynamodb:GetItem"),
    (".query()", "dynamodb:Query"),
    (".scan()", "dynamodb:Scan"),
    (".put_item()", "dynamodb:PutItem"),
    (".update_item()", "dynamodb:UpdateItem"),
    (".delete_item()", "dynamodb:DeleteItem"),
    (".batch_write_item()", "dynamodb:BatchWriteItem"),
    ("Put::builder()", "dynamodb:PutItem"),
    ("Update::builder()", "dynamodb:UpdateItem"),
    ("Delete::builder()", "dynamodb:DeleteItem"),
    ("ConditionCheck::builder()", "dynamodb:ConditionCheckItem"),
    (".describe_table()", "dynamodb:DescribeTable"),
    // The resolvers' store helpers: `put_item(table, ..)` builds a transaction Put,
    // `batch_get(app, table, ..)` runs BatchGetItem.
    ("put_item(", "dynamodb:PutItem"),
    ("batch_get(", "dynamodb:BatchGetItem"),
];

fn dynamodb_actions_used_by(binary: &str) -> BTreeMap<String, Vec<String>> {
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, code) in crate_sources(binary) {
        let code = strip_comments(&code);
        let file = path
            .strip_prefix(repo_root())
            .unwrap_or(&path)
            .display()
            .to_string();
        for (call, action) in CALLS {
            if code.contains(call) {
                used.entry(action.to_string())
                    .or_default()
                    .push(format!("{file} ({call})"));
            }
        }
    }
    used
}

/// How a crate's code names each table: the resolvers through `app.tables.<field>` (the field
/// named after its variable, `ROOM_BOOKINGS_TABLE` -> `tables.room_bookings`), the aggregator
/// through its store's two fields.
fn table_handles(binary: &str) -> Vec<(String, String)> {
    match binary {
        "aggregator" => vec![
            (
                "aggregates_table".to_string(),
                aggregator::handler::AGGREGATES_TABLE_ENV.to_string(),
            ),
            (
                "processed_table".to_string(),
                aggregator::handler::PROCESSED_TABLE_ENV.to_string(),
            ),
        ],
        _ => env_vars_read_by(binary)
            .into_iter()
            .filter_map(|var| {
                let field = var.strip_suffix("_TABLE")?.to_ascii_lowercase();
                Some((format!("tables.{field}"), var))
            })
            .collect(),
    }
}

fn mentions(code: &str, handle: &str) -> bool {
    code.match_indices(handle).any(|(i, _)| {
        !code[i + handle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// (table variable, IAM action) for each statement (text between two `;`) of a crate's code
/// that names a table and makes a DynamoDB call: a per-table view of what the code does.
fn dynamodb_actions_per_table(binary: &str) -> BTreeMap<(String, String), String> {
    let handles = table_handles(binary);
    let mut out = BTreeMap::new();
    for (path, code) in crate_sources(binary) {
        let file = path
            .strip_prefix(repo_root())
            .unwrap_or(&path)
            .display()
            .to_string();
        for statement in strip_comments(&code).split(';') {
            for (handle, var) in &handles {
                if !mentions(statement, handle) {
                    continue;
                }
                for (call, action) in CALLS {
                    if statement.contains(call) {
                        out.entry((var.clone(), action.to_string()))
                            .or_insert_with(|| format!("{file} ({call} on {handle})"));
                    }
                }
            }
        }
    }
    out
}

/// Index names passed to `.index_name("...")` in a crate's sources.
fn indexes_used_by(binary: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, code) in crate_sources(binary) {
        for piece in strip_comments(&code).split(".index_name(\"").skip(1) {
            if let Some((name, _)) = piece.split_once('"') {
                out.insert(name.to_string());
            }
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// The schema

#[derive(Debug, Default)]
struct FieldInfo {
    has_args: bool,
    named_type: String,
    directives: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct ObjectInfo {
    directives: BTreeSet<String>,
    fields: BTreeMap<String, FieldInfo>,
}

#[derive(Debug)]
struct Schema {
    query: String,
    mutation: String,
    subscription: String,
    objects: BTreeMap<String, ObjectInfo>,
}

fn named<'a>(t: &'a Type<'static, String>) -> &'a str {
    match t {
        Type::NamedType(n) => n,
        Type::ListType(inner) | Type::NonNullType(inner) => named(inner),
    }
}

fn directive_names(ds: &[Directive<'static, String>]) -> BTreeSet<String> {
    ds.iter().map(|d| d.name.clone()).collect()
}

fn add_fields(obj: &mut ObjectInfo, fields: &[Field<'static, String>]) {
    for f in fields {
        obj.fields.insert(
            f.name.clone(),
            FieldInfo {
                has_args: !f.arguments.is_empty(),
                named_type: named(&f.field_type).to_string(),
                directives: directive_names(&f.directives),
            },
        );
    }
}

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let path = repo_root().join(schema_file());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc = graphql_parser::parse_schema::<String>(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
            .into_static();
        let mut s = Schema {
            query: "Query".into(),
            mutation: "Mutation".into(),
            subscription: "Subscription".into(),
            objects: BTreeMap::new(),
        };
        for def in &doc.definitions {
            match def {
                Definition::SchemaDefinition(d) => {
                    if let Some(q) = &d.query {
                        s.query = q.clone();
                    }
                    if let Some(m) = &d.mutation {
                        s.mutation = m.clone();
                    }
                    if let Some(sub) = &d.subscription {
                        s.subscription = sub.clone();
                    }
                }
                Definition::TypeDefinition(TypeDefinition::Object(o)) => {
                    let obj = s.objects.entry(o.name.clone()).or_default();
                    obj.directives.extend(directive_names(&o.directives));
                    add_fields(obj, &o.fields);
                }
                Definition::TypeExtension(TypeExtension::Object(o)) => {
                    let obj = s.objects.entry(o.name.clone()).or_default();
                    obj.directives.extend(directive_names(&o.directives));
                    add_fields(obj, &o.fields);
                }
                _ => {}
            }
        }
        s
    })
}

impl Schema {
    fn all_fields(&self) -> BTreeSet<String> {
        self.objects
            .iter()
            .flat_map(|(t, o)| o.fields.keys().map(move |f| format!("{t}.{f}")))
            .collect()
    }

    /// Object types some query or mutation returns.
    fn entities(&self) -> BTreeSet<String> {
        [&self.query, &self.mutation]
            .iter()
            .filter_map(|root| self.objects.get(*root))
            .flat_map(|o| o.fields.values().map(|f| f.named_type.clone()))
            .filter(|t| self.objects.contains_key(t))
            .collect()
    }

    /// The fields that cannot be answered without a Lambda resolver (see the module doc).
    fn needing_lambda(&self) -> BTreeSet<String> {
        let entities = self.entities();
        let mut out = BTreeSet::new();
        for (type_name, obj) in &self.objects {
            for (name, f) in &obj.fields {
                let needs = if *type_name == self.query || *type_name == self.mutation {
                    true
                } else if *type_name == self.subscription {
                    false
                } else if f.has_args {
                    true
                } else if type_name.ends_with("Connection") && name == "items" {
                    false
                } else {
                    entities.contains(&f.named_type)
                };
                if needs {
                    out.insert(format!("{type_name}.{name}"));
                }
            }
        }
        out
    }
}

// ------------------------------------------------------------------------------------------
// The API

fn schema_file() -> String {
    let schemas = resources_of("AWS::AppSync::GraphQLSchema");
    assert_eq!(schemas.len(), 1, "exactly one AWS::AppSync::GraphQLSchema");
    str_prop(props(schemas[0].1), "DefinitionS3Location").expect(
        "GraphQLSchema.DefinitionS3Location is the local schema file (sam deploy uploads it)",
    )
}

fn schema_resource_id() -> &'static str {
    resources_of("AWS::AppSync::GraphQLSchema")[0].0
}

fn api_id() -> &'static str {
    let apis = resources_of("AWS::AppSync::GraphQLApi");
    assert_eq!(apis.len(), 1, "exactly one AWS::AppSync::GraphQLApi");
    apis[0].0
}

/// The AWS_LAMBDA data source of the resolvers function.
fn lambda_data_source() -> &'static str {
    let resolvers_fn = function_for("resolvers").id;
    let found: Vec<_> = resources_of("AWS::AppSync::DataSource")
        .into_iter()
        .filter(|(_, r)| {
            str_prop(props(r), "Type").as_deref() == Some("AWS_LAMBDA")
                && props(r)
                    .get("LambdaConfig")
                    .and_then(|c| c.get("LambdaFunctionArn"))
                    .map(cfn)
                    == Some(Cfn::GetAtt(resolvers_fn.into(), "Arn".into()))
        })
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one AWS_LAMBDA data source on !GetAtt {resolvers_fn}.Arn"
    );
    found[0]
}

struct TemplateResolver {
    id: &'static str,
    field: String,
    max_batch_size: Option<i64>,
}

fn template_resolvers() -> Vec<TemplateResolver> {
    resources_of("AWS::AppSync::Resolver")
        .into_iter()
        .map(|(id, r)| {
            let p = props(r);
            let type_name = str_prop(p, "TypeName").unwrap_or_else(|| panic!("{id}: TypeName"));
            let field_name = str_prop(p, "FieldName").unwrap_or_else(|| panic!("{id}: FieldName"));
            TemplateResolver {
                id,
                field: format!("{type_name}.{field_name}"),
                max_batch_size: int_prop(p, "MaxBatchSize"),
            }
        })
        .collect()
}

fn router_fields() -> BTreeSet<String> {
    resolvers::router::FIELDS
        .iter()
        .map(|f| f.to_string())
        .collect()
}

/// A block to paste into template.yaml for a missing resolver.
fn resolver_block(field: &str) -> String {
    let (t, f) = field.split_once('.').expect("Parent.field");
    let mut cap = f.to_string();
    cap[..1].make_ascii_uppercase();
    format!(
        "  {t}{cap}Resolver:\n    Type: AWS::AppSync::Resolver\n    DependsOn: {schema}\n    \
         Properties: {{ TypeName: {t}, FieldName: {f}, Kind: UNIT, ApiId: !GetAtt {api}.ApiId, \
         DataSourceName: !GetAtt {ds}.Name }}",
        schema = schema_resource_id(),
        api = api_id(),
        ds = lambda_data_source(),
    )
}

// ------------------------------------------------------------------------------------------
// Schema <-> router <-> template resolvers

#[test]
fn every_lambda_field_has_a_router_arm_and_a_template_resolver() {
    let schema = schema();
    let in_schema = schema.all_fields();
    let router = router_fields();
    let template: BTreeSet<String> = template_resolvers().into_iter().map(|r| r.field).collect();

    let router_not_in_schema: Vec<_> = router.difference(&in_schema).collect();
    assert!(
        router_not_in_schema.is_empty(),
        "router FIELDS not in {}: {router_not_in_schema:?}",
        schema_file()
    );
    let needing = schema.needing_lambda();
    let without_arm: Vec<_> = needing.difference(&router).collect();
    assert!(
        without_arm.is_empty(),
        "schema fields that need a Lambda resolver but are not in resolvers::router::FIELDS: \
         {without_arm:?}"
    );
    let missing: Vec<_> = router.difference(&template).collect();
    assert!(
        missing.is_empty(),
        "router fields without a resolver in template.yaml: {missing:?}; add for each:\n\n{}\n",
        missing
            .iter()
            .map(|f| resolver_block(f))
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    let stale: Vec<_> = template.difference(&router).collect();
    assert!(
        stale.is_empty(),
        "template.yaml resolvers for fields the router does not handle (AppSync would call the \
         Lambda and get a BadRequest): {stale:?}"
    );
}

#[test]
fn template_resolvers_are_direct_lambda_resolvers() {
    let ds = lambda_data_source();
    let api = api_id();
    let schema_id = schema_resource_id();
    let mut seen = BTreeSet::new();
    for r in template_resolvers() {
        let p = props(resource(r.id));
        assert!(
            seen.insert(r.field.clone()),
            "two resolvers for {}",
            r.field
        );
        assert_eq!(
            str_prop(p, "Kind").as_deref(),
            Some("UNIT"),
            "{}: Kind UNIT",
            r.id
        );
        assert_eq!(
            p.get("DataSourceName").map(cfn),
            Some(Cfn::GetAtt(ds.into(), "Name".into())),
            "{}: DataSourceName !GetAtt {ds}.Name",
            r.id
        );
        assert_eq!(
            p.get("ApiId").map(cfn),
            Some(Cfn::GetAtt(api.into(), "ApiId".into())),
            "{}: ApiId !GetAtt {api}.ApiId",
            r.id
        );
        for key in [
            "RequestMappingTemplate",
            "RequestMappingTemplateS3Location",
            "ResponseMappingTemplate",
            "ResponseMappingTemplateS3Location",
            "Code",
            "CodeS3Location",
            "Runtime",
            "PipelineConfig",
        ] {
            assert!(
                p.get(key).is_none(),
                "{}: a Direct Lambda resolver has no {key}",
                r.id
            );
        }
        // The field must exist before its resolver: the schema is a separate resource.
        let depends: Vec<&str> = one_or_many(resource(r.id).get("DependsOn"))
            .into_iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            depends.contains(&schema_id),
            "{}: DependsOn {schema_id}",
            r.id
        );
    }
}

#[test]
fn batched_fields_are_batch_invoked_and_only_they() {
    for r in template_resolvers() {
        let (parent, field) = r.field.split_once('.').expect("Parent.field");
        let batched = resolvers::router::Operation::parse(parent, field, &serde_json::json!({}))
            .map(|op| op.batched())
            // Fields with required arguments are root fields, never batched.
            .unwrap_or(false);
        match (batched, r.max_batch_size) {
            (true, Some(n)) => assert!(
                (2..=2000).contains(&n),
                "{}: MaxBatchSize {n} is outside 2..=2000",
                r.field
            ),
            (true, None) => panic!(
                "{} is resolved in batches by the router: give {} a MaxBatchSize (e.g. 100) or \
                 AppSync calls the Lambda once per parent",
                r.field, r.id
            ),
            (false, Some(n)) if n > 0 => panic!(
                "{} has MaxBatchSize {n} but the router resolves it item by item \
                 (router::Operation::batched)",
                r.field
            ),
            _ => {}
        }
    }
}

// ------------------------------------------------------------------------------------------
// Authorization modes

#[test]
fn cognito_by_default_and_the_api_key_only_for_public_reads() {
    let api = props(resource(api_id()));
    assert_eq!(
        str_prop(api, "AuthenticationType").as_deref(),
        Some("AMAZON_COGNITO_USER_POOLS")
    );
    let pool = api
        .get("UserPoolConfig")
        .and_then(|c| c.get("UserPoolId"))
        .map(cfn);
    match pool {
        Some(Cfn::Ref(p)) => assert_eq!(type_of(&p), "AWS::Cognito::UserPool"),
        other => panic!("UserPoolConfig.UserPoolId should !Ref the user pool: {other:?}"),
    }
    let additional: Vec<String> = one_or_many(api.get("AdditionalAuthenticationProviders"))
        .into_iter()
        .filter_map(|p| str_prop(p, "AuthenticationType"))
        .collect();

    let s = schema();
    let public_fields: Vec<String> = s
        .objects
        .iter()
        .flat_map(|(t, o)| {
            o.fields
                .iter()
                .filter(|(_, f)| f.directives.contains("aws_api_key"))
                .map(move |(f, _)| format!("{t}.{f}"))
        })
        .collect();
    let uses_api_key = !public_fields.is_empty()
        || s.objects
            .values()
            .any(|o| o.directives.contains("aws_api_key"));
    if uses_api_key {
        assert_eq!(
            additional,
            ["API_KEY"],
            "API_KEY as the only additional mode"
        );
        assert!(
            !resources_of("AWS::AppSync::ApiKey").is_empty(),
            "an AWS::AppSync::ApiKey for the public reads"
        );
    } else {
        assert!(additional.is_empty(), "no additional auth mode is used");
    }
    for f in &public_fields {
        assert!(
            f.starts_with(&format!("{}.", s.query)),
            "{f} is open to the API key, but only reads (query fields) may be public"
        );
    }
    // Once a field or type names an auth mode, only the modes it names apply: a public read
    // must name Cognito too, or signed-in users lose it.
    for (t, o) in &s.objects {
        if o.directives.contains("aws_api_key") {
            assert!(
                o.directives.contains("aws_cognito_user_pools"),
                "type {t} is @aws_api_key without @aws_cognito_user_pools"
            );
        }
        for (name, f) in &o.fields {
            if f.directives.contains("aws_api_key") {
                assert!(
                    f.directives.contains("aws_cognito_user_pools"),
                    "{t}.{name} is @aws_api_key without @aws_cognito_user_pools"
                );
            }
        }
        assert!(
            !(*t == s.mutation || *t == s.subscription) || !o.directives.contains("aws_api_key"),
            "{t} must not be open to the API key"
        );
    }

    let groups: Vec<String> = resources_of("AWS::Cognito::UserPoolGroup")
        .into_iter()
        .filter_map(|(_, g)| str_prop(props(g), "GroupName"))
        .collect();
    assert!(
        groups
            .iter()
            .any(|g| g == resolvers::appsync::identity::ADMIN_GROUP),
        "a user pool group named {:?} (the resolvers' ADMIN_GROUP): {groups:?}",
        resolvers::appsync::identity::ADMIN_GROUP
    );
    assert!(
        !resources_of("AWS::Cognito::UserPoolClient").is_empty(),
        "an app client"
    );
    let log = api.get("LogConfig").expect("API logging (LogConfig)");
    match log.get("CloudWatchLogsRoleArn").map(cfn) {
        Some(Cfn::GetAtt(role, a)) if a == "Arn" => {
            let grants = role_grants(&role);
            assert!(
                grants
                    .iter()
                    .any(|g| g.actions.contains("logs:PutLogEvents")),
                "{role} may write the API's logs"
            );
        }
        other => panic!("LogConfig.CloudWatchLogsRoleArn: {other:?}"),
    }
}

#[test]
fn appsync_may_invoke_the_resolvers_function_and_nothing_else() {
    let ds = props(resource(lambda_data_source()));
    let role = match ds.get("ServiceRoleArn").map(cfn) {
        Some(Cfn::GetAtt(role, a)) if a == "Arn" => role,
        other => panic!("the data source's ServiceRoleArn: {other:?}"),
    };
    let grants = role_grants(&role);
    let resolvers_fn = function_for("resolvers").id;
    assert!(granted(
        &grants,
        "lambda:InvokeFunction",
        &Target::Resource(resolvers_fn.into())
    ));
    for g in &grants {
        assert_eq!(
            g.actions,
            BTreeSet::from(["lambda:InvokeFunction".to_string()]),
            "{role}: only lambda:InvokeFunction"
        );
        assert_eq!(g.targets, [Target::Resource(resolvers_fn.into())]);
    }
}

// ------------------------------------------------------------------------------------------
// Functions: configuration, tables, IAM

#[test]
fn functions_are_built_and_configured_for_lambda() {
    for f in functions() {
        let r = resource(f.id);
        let p = props(r);
        let get = |k: &str| p.get(k).or_else(|| global_function_property(k));
        assert_eq!(
            get("Runtime").and_then(Value::as_str),
            Some("provided.al2023"),
            "{}: Runtime",
            f.id
        );
        let archs: Vec<&str> = one_or_many(get("Architectures"))
            .into_iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(archs, ["arm64"], "{}: Architectures", f.id);
        assert_eq!(
            r.get("Metadata")
                .and_then(|m| str_prop(m, "BuildMethod"))
                .as_deref(),
            Some("rust-cargolambda"),
            "{}: Metadata.BuildMethod",
            f.id
        );
        assert_eq!(
            get("CodeUri").and_then(Value::as_str),
            Some("."),
            "{}: CodeUri is the workspace root",
            f.id
        );
        let manifest = std::fs::read_to_string(crate_dir(&f.binary).join("Cargo.toml"))
            .unwrap_or_else(|e| panic!("{}: crate {} not found: {e}", f.id, f.binary));
        assert!(
            manifest.contains("[[bin]]") && manifest.contains(&format!("name = \"{}\"", f.binary)),
            "{}: crate {} declares no [[bin]] {}",
            f.id,
            f.binary,
            f.binary
        );
        let logging = get("LoggingConfig").unwrap_or_else(|| panic!("{}: LoggingConfig", f.id));
        assert_eq!(
            str_prop(logging, "LogFormat").as_deref(),
            Some("JSON"),
            "{}: JSON logs",
            f.id
        );
        for k in ["MemorySize", "Timeout"] {
            assert!(
                get(k).and_then(Value::as_i64).is_some(),
                "{}: {k} is chosen, not left to the default",
                f.id
            );
        }
    }
}

fn environment(id: &str) -> BTreeMap<String, Cfn> {
    props(resource(id))
        .get("Environment")
        .and_then(|e| e.get("Variables"))
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.as_str().expect("env name").to_string(), cfn(v)))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_table_the_code_uses_has_its_env_var_and_iam_grant() {
    for f in functions() {
        let env = environment(f.id);
        let grants = function_grants(f.id);
        let read = env_vars_read_by(&f.binary);
        let mut tables_of_function = BTreeSet::new();
        for var in &read {
            let value = env.get(var).unwrap_or_else(|| {
                panic!(
                    "{}: the code reads {var}; set it in Environment.Variables",
                    f.id
                )
            });
            if !var.ends_with("_TABLE") {
                continue;
            }
            let table = table_for_env(var)
                .unwrap_or_else(|| panic!("{var}: no table in template.yaml maps to it"));
            assert_eq!(
                *value,
                Cfn::Ref(table.clone()),
                "{}: {var} should be !Ref {table}",
                f.id
            );
            assert!(
                grants
                    .iter()
                    .any(|g| g.targets.contains(&Target::Table(table.clone()))
                        && g.actions.iter().any(|a| a.starts_with("dynamodb:"))),
                "{}: the code uses {table} ({var}) but no statement grants it any action",
                f.id
            );
            tables_of_function.insert(table);
        }
        for (var, _) in env.iter().filter(|(k, _)| k.ends_with("_TABLE")) {
            assert!(
                read.contains(var),
                "{}: {var} is set but the code never reads it",
                f.id
            );
        }
        // Least privilege: no wildcards, and no table the function does not know about.
        for g in &grants {
            for a in &g.actions {
                assert!(
                    !a.contains('*'),
                    "{}: wildcard action {a}; name the actions",
                    f.id
                );
            }
            for t in &g.targets {
                match t {
                    Target::Wildcard | Target::Unknown(_) => {
                        panic!("{}: resource {t:?}; name the resources", f.id)
                    }
                    Target::Table(table) | Target::Index(table, _) => assert!(
                        tables_of_function.contains(table),
                        "{}: grants on {table}, which its code does not use",
                        f.id
                    ),
                    Target::Stream(_) | Target::Resource(_) => {}
                }
            }
        }
    }
}

#[test]
fn dynamodb_actions_granted_are_exactly_the_ones_the_code_calls() {
    for f in functions() {
        let grants = function_grants(f.id);
        let on_tables: BTreeSet<String> = grants
            .iter()
            .filter(|g| {
                g.targets
                    .iter()
                    .any(|t| matches!(t, Target::Table(_) | Target::Index(..)))
            })
            .flat_map(|g| g.actions.iter().cloned())
            .collect();
        let used = dynamodb_actions_used_by(&f.binary);
        for (action, where_) in &used {
            assert!(
                on_tables.contains(action),
                "{}: the code needs {action} ({}) but no statement grants it on a table",
                f.id,
                where_.join(", ")
            );
        }
        for action in &on_tables {
            assert!(
                used.contains_key(action),
                "{}: {action} is granted but {}/src never calls it (least privilege)",
                f.id,
                f.binary
            );
        }
        let all_tables = tables();
        for index in indexes_used_by(&f.binary) {
            let table = all_tables
                .iter()
                .find(|(_, t)| index_names(t).contains(&index))
                .map(|(id, _)| id.clone())
                .unwrap_or_else(|| panic!("{}: index {index} is on no table", f.binary));
            assert!(
                granted(
                    &grants,
                    "dynamodb:Query",
                    &Target::Index(table.clone(), "*".into())
                ) || granted(
                    &grants,
                    "dynamodb:Query",
                    &Target::Index(table.clone(), index.clone())
                ),
                "{}: queries {table}'s index {index} without dynamodb:Query on \
                 !Sub \"${{{table}.Arn}}/index/*\"",
                f.id
            );
        }
    }
}

#[test]
fn each_table_grants_the_calls_the_code_makes_on_it() {
    for f in functions() {
        let grants = function_grants(f.id);
        let per_table = dynamodb_actions_per_table(&f.binary);
        assert!(
            !per_table.is_empty(),
            "{}: found no DynamoDB call naming a table in {}/src",
            f.id,
            f.binary
        );
        for ((var, action), seen_at) in &per_table {
            let table = table_for_env(var).unwrap_or_else(|| panic!("{var}: no table"));
            assert!(
                granted(&grants, action, &Target::Table(table.clone())),
                "{}: {seen_at} needs {action} on {table} ({var}); grant it on !GetAtt {table}.Arn",
                f.id
            );
        }
    }
}

#[test]
fn the_page_token_secret_is_generated_not_written_down() {
    let f = function_for("resolvers");
    let value = environment(f.id)
        .remove("PAGE_TOKEN_SECRET")
        .expect("PAGE_TOKEN_SECRET is set");
    let Cfn::Sub(text) = value else {
        panic!("PAGE_TOKEN_SECRET should be a {{{{resolve:secretsmanager:...}}}} reference, not {value:?}");
    };
    let secret = text
        .strip_prefix("{{resolve:secretsmanager:${")
        .and_then(|rest| rest.split_once('}'))
        .map(|(id, _)| id.to_string())
        .unwrap_or_else(|| panic!("PAGE_TOKEN_SECRET: {text}"));
    assert_eq!(type_of(&secret), "AWS::SecretsManager::Secret");
    let generate = props(resource(&secret))
        .get("GenerateSecretString")
        .expect("the secret is generated");
    assert!(
        int_prop(generate, "PasswordLength").unwrap_or(32) >= 32,
        "TokenKey needs at least 32 characters"
    );
}

// ------------------------------------------------------------------------------------------
// The stream

#[test]
fn the_aggregator_stream_cannot_stall_and_failures_are_kept() {
    let f = function_for("aggregator");
    assert!(
        props(resource(f.id)).get("Events").is_none(),
        "{}: use a plain AWS::Lambda::EventSourceMapping (SAM stream events attach a managed \
         policy that reads every stream in the account)",
        f.id
    );
    let mappings: Vec<_> = resources_of("AWS::Lambda::EventSourceMapping")
        .into_iter()
        .filter(|(_, m)| props(m).get("FunctionName").map(cfn) == Some(Cfn::Ref(f.id.into())))
        .collect();
    assert_eq!(mappings.len(), 1, "one event source mapping for {}", f.id);
    let (id, m) = mappings[0];
    let p = props(m);

    let table = match p.get("EventSourceArn").map(cfn) {
        Some(Cfn::GetAtt(t, a)) if a == "StreamArn" => t,
        other => panic!("{id}: EventSourceArn should be a table's StreamArn: {other:?}"),
    };
    assert_eq!(
        props(resource(&table))
            .get("StreamSpecification")
            .and_then(|s| str_prop(s, "StreamViewType"))
            .as_deref(),
        Some("NEW_AND_OLD_IMAGES"),
        "{table}: the aggregator subtracts old images, so the stream carries both"
    );
    let types: Vec<&str> = one_or_many(p.get("FunctionResponseTypes"))
        .into_iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        types.contains(&"ReportBatchItemFailures"),
        "{id}: the aggregator answers batchItemFailures; Lambda honours them only with \
         FunctionResponseTypes: [ReportBatchItemFailures]"
    );
    assert_eq!(
        p.get("BisectBatchOnFunctionError").and_then(Value::as_bool),
        Some(true),
        "{id}: BisectBatchOnFunctionError"
    );
    let retries = int_prop(p, "MaximumRetryAttempts").expect("MaximumRetryAttempts");
    assert!(
        (0..=10_000).contains(&retries),
        "{id}: finite MaximumRetryAttempts"
    );
    let max_age = int_prop(p, "MaximumRecordAgeInSeconds").expect("MaximumRecordAgeInSeconds");
    assert!(
        (60..=604_800).contains(&max_age),
        "{id}: finite MaximumRecordAgeInSeconds"
    );
    let queue = match p
        .get("DestinationConfig")
        .and_then(|d| d.get("OnFailure"))
        .and_then(|o| o.get("Destination"))
        .map(cfn)
    {
        Some(Cfn::GetAtt(q, a)) if a == "Arn" && type_of(&q) == "AWS::SQS::Queue" => q,
        other => panic!("{id}: an SQS on-failure destination: {other:?}"),
    };

    let grants = function_grants(f.id);
    for action in [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ] {
        assert!(
            granted(&grants, action, &Target::Stream(table.clone())),
            "{}: {action} on {table}'s stream",
            f.id
        );
    }
    assert!(
        granted(&grants, "sqs:SendMessage", &Target::Resource(queue.clone())),
        "{}: sqs:SendMessage on {queue}",
        f.id
    );

    // Dedupe markers must outlive every redelivery: stream retention (24 h) plus the maximum
    // record age, and the table must expire them on the attribute the code writes.
    let ttl = aggregator::handler::DEFAULT_DEDUPE_TTL.as_secs() as i64;
    assert!(
        ttl > 24 * 3600 + max_age,
        "DEFAULT_DEDUPE_TTL ({ttl} s) must exceed 24 h + MaximumRecordAgeInSeconds ({max_age} s)"
    );
    let dedupe = table_for_env(aggregator::handler::PROCESSED_TABLE_ENV).expect("dedupe table");
    let spec = props(resource(&dedupe))
        .get("TimeToLiveSpecification")
        .unwrap_or_else(|| panic!("{dedupe}: TimeToLiveSpecification"));
    assert_eq!(spec.get("Enabled").and_then(Value::as_bool), Some(true));
    let attr = str_prop(spec, "AttributeName").expect("TTL AttributeName");
    assert!(
        crate_sources("aggregator")
            .iter()
            .any(|(_, code)| code.contains(&format!("\"{attr}\""))),
        "{dedupe}: TTL attribute {attr:?} is not an attribute the aggregator writes"
    );
}

// ------------------------------------------------------------------------------------------
// Alarms and outputs

fn alarm_metrics() -> Vec<(String, Vec<Cfn>)> {
    let mut out = Vec::new();
    for (_, a) in resources_of("AWS::CloudWatch::Alarm") {
        let p = props(a);
        let dims = |d: Option<&Value>| -> Vec<Cfn> {
            one_or_many(d)
                .into_iter()
                .filter_map(|d| d.get("Value").map(cfn))
                .collect()
        };
        if let Some(name) = str_prop(p, "MetricName") {
            out.push((name, dims(p.get("Dimensions"))));
        }
        for m in one_or_many(p.get("Metrics")) {
            if let Some(metric) = m.get("MetricStat").and_then(|s| s.get("Metric")) {
                if let Some(name) = str_prop(metric, "MetricName") {
                    out.push((name, dims(metric.get("Dimensions"))));
                }
            }
        }
    }
    out
}

#[test]
fn operators_get_the_alarms_they_expect() {
    let alarms = alarm_metrics();
    let has = |metric: &str, dim: &Cfn| {
        alarms
            .iter()
            .any(|(m, dims)| m == metric && dims.contains(dim))
    };
    for f in functions() {
        let me = Cfn::Ref(f.id.into());
        for metric in ["Errors", "Throttles"] {
            assert!(has(metric, &me), "{}: an alarm on {metric}", f.id);
        }
    }
    let agg = function_for("aggregator");
    assert!(
        has("IteratorAge", &Cfn::Ref(agg.id.into())),
        "an IteratorAge alarm"
    );
    for (q, _) in resources_of("AWS::SQS::Queue") {
        assert!(
            has(
                "ApproximateNumberOfMessagesVisible",
                &Cfn::GetAtt(q.into(), "QueueName".into())
            ),
            "{q}: an alarm on its depth"
        );
    }
}

#[test]
fn outputs_name_the_endpoint_the_pool_and_every_table() {
    let outputs: Vec<Cfn> = template()
        .get("Outputs")
        .and_then(Value::as_mapping)
        .expect("Outputs")
        .values()
        .filter_map(|o| o.get("Value").map(cfn))
        .collect();
    let api = api_id();
    let mut want = vec![
        Cfn::GetAtt(api.into(), "GraphQLUrl".into()),
        Cfn::GetAtt(api.into(), "ApiId".into()),
    ];
    want.extend(
        resources_of("AWS::Cognito::UserPool")
            .into_iter()
            .chain(resources_of("AWS::Cognito::UserPoolClient"))
            .chain(resources_of("AWS::DynamoDB::Table"))
            .map(|(id, _)| Cfn::Ref(id.into())),
    );
    for w in want {
        assert!(outputs.contains(&w), "an output with Value {w:?}");
    }
}

// ------------------------------------------------------------------------------------------
// The test's own readers, on small inputs

#[test]
fn the_readers_understand_short_and_long_intrinsics() {
    let v: Value = serde_yaml_ng::from_str(
        "a: !GetAtt T.Arn\nb: {Fn::GetAtt: [T, StreamArn]}\nc: !Sub \"${T.Arn}/index/*\"\n\
         d: !Ref X\ne: {Ref: X}\nf: plain\n",
    )
    .unwrap();
    assert_eq!(cfn(&v["a"]), Cfn::GetAtt("T".into(), "Arn".into()));
    assert_eq!(cfn(&v["b"]), Cfn::GetAtt("T".into(), "StreamArn".into()));
    assert_eq!(cfn(&v["c"]), Cfn::Sub("${T.Arn}/index/*".into()));
    assert_eq!(cfn(&v["d"]), Cfn::Ref("X".into()));
    assert_eq!(cfn(&v["e"]), Cfn::Ref("X".into()));
    assert_eq!(cfn(&v["f"]), Cfn::Str("plain".into()));
    assert_eq!(
        strip_comments("let x = 1; // .scan()\n/// .query() here\nlet y = \"//\";"),
        "let x = 1; \n\nlet y = \"//\";"
    );
}

#[test]
fn the_schema_rule_finds_the_fields_that_need_a_lambda() {
    let s = schema();
    let needing = s.needing_lambda();
    // Spot checks on fields that exist today; the full comparison is the test above.
    assert!(needing.contains(&format!("{}.listEvents", s.query)));
    assert!(needing.contains("Event.room"), "an entity reference");
    assert!(needing.contains("Room.bookings"), "a field with arguments");
    assert!(!needing.contains("Event.name"), "a stored attribute");
    assert!(!needing.contains("EventConnection.items"), "a page's items");
}
