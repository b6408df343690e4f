//! The deployment contract: `schema.graphql`, the functions' code and `template.yaml` must
//! agree, or a deploy breaks in ways no unit test sees (a field AppSync answers with "no
//! resolver", a table the Lambda may not read, a stream that stalls on one bad record). That
//! every template resolver has a handler, with the schema's arguments, is the compiler's
//! check: the resolvers crate generates its fields from both files (`resolvers/build.rs`).
//!
//! Everything is read at test time: the template through its typed model
//! (`testkit::template`), the schema with a GraphQL SDL parser (`schema.rs`), the environment
//! variables each function reads by running its own configuration loader, and the DynamoDB
//! calls each function makes on each table by recording them while the fixture suite runs
//! against DynamoDB
//! Local (`recorded.rs`, checked in `iam.rs`).
//!
//! Which schema fields need a Lambda resolver:
//! - every field of the query and mutation root types;
//! - a subscription field only if it checks its subscriber (an `@aws_subscribe` field with no
//!   Lambda check needs none);
//! - a field of another type if it takes arguments, or if it returns an entity (an object type
//!   that some query or mutation returns) other than as `items` of a `*Connection`: neither can
//!   come from the parent's item as stored.
//!
//! Any other field may have a resolver too (such as `Event.tickets`, filtered per caller).

mod iam;
// The template's defences and operations: limits, WAF, alarms, cache, dashboard.
mod operations;
mod raw;
mod recorded;
mod schema;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use testkit::template::{ArnTarget, Expr, Function, Template};

use iam::{function_grants, granted, grants_of, Unexercised, Used};
use schema::Schema;

// ------------------------------------------------------------------------------------------
// Loading

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit lives in the workspace")
        .to_path_buf()
}

fn template() -> &'static Template {
    Template::repository()
}

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| Schema::read(&repo_root().join(schema_file())))
}

fn function_for(binary: &str) -> &'static Function {
    template()
        .functions
        .iter()
        .find(|f| f.binary() == Some(binary))
        .unwrap_or_else(|| panic!("no function in template.yaml builds the `{binary}` binary"))
}

fn binary(f: &Function) -> &str {
    f.binary()
        .unwrap_or_else(|| panic!("{}: Metadata.BuildProperties.Binary is missing", f.id))
}

/// The crate directory of a binary: each function's crate is named after its binary.
fn crate_dir(binary: &str) -> PathBuf {
    repo_root().join(binary)
}

fn kind_of(id: &str) -> &'static str {
    template().kind_of(id).unwrap_or("")
}

/// The table a `*_TABLE` variable names, by the testkit convention (`EventsTable` ->
/// `EVENTS_TABLE`), which the tests and the local stack rely on as well.
fn table_for_env(var: &str) -> Option<String> {
    template().table_for_env(var).map(|t| t.id.clone())
}

/// Code without `//` comments, so a name mentioned in prose is not taken for code.
fn strip_comments(code: &str) -> String {
    code.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ------------------------------------------------------------------------------------------
// The functions' configuration

/// Runs a function's configuration loader with `lookup`; whether it accepted the result.
fn load_config(binary: &str, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
    match binary {
        "resolvers" => resolvers::Config::from_lookup(lookup).is_ok(),
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
    // A value every setting accepts: the page-token secret must be long.
    let plausible = |k: &str| match k {
        resolvers::config::PAGE_TOKEN_SECRET => "s".repeat(resolvers::paging::MIN_SECRET_LEN),
        _ => "1".to_string(),
    };
    let seen = RefCell::new(BTreeSet::new());
    let all = |k: &str| {
        seen.borrow_mut().insert(k.to_string());
        Some(plausible(k))
    };
    assert!(load_config(binary, &all), "{binary}: configuration loads");
    let seen = seen.into_inner();
    let mut vars: BTreeSet<String> = seen
        .iter()
        .filter(|var| !load_config(binary, &|k: &str| (k != var.as_str()).then(|| plausible(k))))
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

fn environment(f: &Function) -> BTreeMap<String, Expr> {
    f.properties
        .variables()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

// ------------------------------------------------------------------------------------------
// The API

fn schema_file() -> String {
    let schemas = &template().graphql_schemas;
    assert_eq!(schemas.len(), 1, "exactly one AWS::AppSync::GraphQLSchema");
    schemas[0].properties.definition_s3_location.clone().expect(
        "GraphQLSchema.DefinitionS3Location is the local schema file (sam deploy uploads it)",
    )
}

fn schema_resource_id() -> &'static str {
    &template().graphql_schemas[0].id
}

fn api_id() -> &'static str {
    let apis = &template().graphql_apis;
    assert_eq!(apis.len(), 1, "exactly one AWS::AppSync::GraphQLApi");
    &apis[0].id
}

/// The AWS_LAMBDA data source of the resolvers function.
fn lambda_data_source() -> &'static str {
    let resolvers_fn = &function_for("resolvers").id;
    let found: Vec<&str> = template()
        .data_sources
        .iter()
        .filter(|d| {
            d.properties.kind == "AWS_LAMBDA"
                && d.properties
                    .lambda_config
                    .as_ref()
                    .map(|c| &c.lambda_function_arn)
                    == Some(&Expr::GetAtt(resolvers_fn.clone(), "Arn".into()))
        })
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one AWS_LAMBDA data source on !GetAtt {resolvers_fn}.Arn"
    );
    found[0]
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
// Schema <-> template resolvers (which fields the Lambda resolves, and which in batches, the
// resolvers crate generates from the template at build time)

#[test]
fn every_field_needing_a_lambda_has_a_template_resolver() {
    let schema = schema();
    let in_schema = schema.all_fields();
    let template: BTreeSet<String> = template()
        .resolvers
        .iter()
        .map(|r| r.properties.field())
        .collect();

    let not_in_schema: Vec<_> = template.difference(&in_schema).collect();
    assert!(
        not_in_schema.is_empty(),
        "template.yaml resolvers for fields not in {}: {not_in_schema:?}",
        schema_file()
    );
    let needing = schema.needing_lambda();
    let missing: Vec<_> = needing.difference(&template).collect();
    assert!(
        missing.is_empty(),
        "schema fields that need a Lambda resolver but have none in template.yaml: \
         {missing:?}; add for each:\n\n{}\n",
        missing
            .iter()
            .map(|f| resolver_block(f))
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

#[test]
fn template_resolvers_are_direct_lambda_resolvers() {
    let ds = lambda_data_source();
    let api = api_id();
    let schema_id = schema_resource_id();
    let mut seen = BTreeSet::new();
    for r in &template().resolvers {
        let p = &r.properties;
        assert!(seen.insert(p.field()), "two resolvers for {}", p.field());
        assert_eq!(p.kind.as_deref(), Some("UNIT"), "{}: Kind UNIT", r.id);
        assert_eq!(
            p.data_source_name,
            Some(Expr::GetAtt(ds.into(), "Name".into())),
            "{}: DataSourceName !GetAtt {ds}.Name",
            r.id
        );
        assert_eq!(
            p.api_id,
            Some(Expr::GetAtt(api.into(), "ApiId".into())),
            "{}: ApiId !GetAtt {api}.ApiId",
            r.id
        );
        let code = p.code_properties();
        assert!(
            code.is_empty(),
            "{}: a Direct Lambda resolver has no {}",
            r.id,
            code.join(", ")
        );
        // The field must exist before its resolver: the schema is a separate resource.
        assert!(
            r.depends_on.iter().any(|d| d == schema_id),
            "{}: DependsOn {schema_id}",
            r.id
        );
    }
}

#[test]
fn batch_sizes_are_within_appsyncs_bounds() {
    for r in &template().resolvers {
        if let Some(n) = r.properties.max_batch_size {
            assert!(
                (0..=2000).contains(&n),
                "{}: MaxBatchSize {n} is outside 0..=2000",
                r.properties.field()
            );
        }
    }
}

// ------------------------------------------------------------------------------------------
// Authorization modes

#[test]
fn cognito_by_default_and_the_api_key_only_for_public_reads() {
    let t = template();
    let api = &t.graphql_apis[0].properties;
    assert_eq!(api.authentication_type, "AMAZON_COGNITO_USER_POOLS");
    match api.user_pool_config.as_ref().map(|c| &c.user_pool_id) {
        Some(Expr::Ref(p)) => assert_eq!(kind_of(p), "AWS::Cognito::UserPool"),
        other => panic!("UserPoolConfig.UserPoolId should !Ref the user pool: {other:?}"),
    }
    let additional: Vec<&str> = api.auth_modes().skip(1).collect();

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
            !t.api_keys.is_empty(),
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
    for (ty, o) in &s.objects {
        if o.directives.contains("aws_api_key") {
            assert!(
                o.directives.contains("aws_cognito_user_pools"),
                "type {ty} is @aws_api_key without @aws_cognito_user_pools"
            );
        }
        for (name, f) in &o.fields {
            if f.directives.contains("aws_api_key") {
                assert!(
                    f.directives.contains("aws_cognito_user_pools"),
                    "{ty}.{name} is @aws_api_key without @aws_cognito_user_pools"
                );
            }
        }
        assert!(
            !(*ty == s.mutation || *ty == s.subscription) || !o.directives.contains("aws_api_key"),
            "{ty} must not be open to the API key"
        );
    }

    let groups: Vec<&str> = t
        .user_pool_groups
        .iter()
        .filter_map(|g| g.properties.group_name.as_deref())
        .collect();
    assert!(
        groups.contains(&resolvers::appsync::identity::ADMIN_GROUP),
        "a user pool group named {:?} (the resolvers' ADMIN_GROUP): {groups:?}",
        resolvers::appsync::identity::ADMIN_GROUP
    );
    assert!(
        t.ids_of("AWS::Cognito::UserPoolClient").next().is_some(),
        "an app client"
    );
    let log = api.log_config.as_ref().expect("API logging (LogConfig)");
    match &log.cloud_watch_logs_role_arn {
        Some(Expr::GetAtt(role, a)) if a == "Arn" => {
            let role = t
                .role(role)
                .unwrap_or_else(|| panic!("{role} is not a role"));
            let grants = grants_of(t, role.properties.statements());
            assert!(
                grants
                    .iter()
                    .any(|g| g.actions.contains("logs:PutLogEvents")),
                "{} may write the API's logs",
                role.id
            );
        }
        other => panic!("LogConfig.CloudWatchLogsRoleArn: {other:?}"),
    }
}

#[test]
fn appsync_may_invoke_the_resolvers_function_and_nothing_else() {
    let t = template();
    let ds = t.data_source(lambda_data_source()).expect("data source");
    let role = match &ds.properties.service_role_arn {
        Some(Expr::GetAtt(role, a)) if a == "Arn" => role,
        other => panic!("the data source's ServiceRoleArn: {other:?}"),
    };
    let grants = grants_of(
        t,
        t.role(role)
            .unwrap_or_else(|| panic!("{role} is not a role"))
            .properties
            .statements(),
    );
    let resolvers_fn = &function_for("resolvers").id;
    assert!(granted(
        &grants,
        "lambda:InvokeFunction",
        &ArnTarget::Resource(resolvers_fn.clone())
    ));
    for g in &grants {
        assert_eq!(
            g.actions,
            BTreeSet::from(["lambda:InvokeFunction".to_string()]),
            "{role}: only lambda:InvokeFunction"
        );
        assert_eq!(g.targets, [ArnTarget::Resource(resolvers_fn.clone())]);
    }
}

// ------------------------------------------------------------------------------------------
// Functions: configuration, tables, IAM

#[test]
fn functions_are_built_and_configured_for_lambda() {
    for f in &template().functions {
        let p = &f.properties; // Globals.Function already applied
        assert_eq!(
            p.runtime.as_deref(),
            Some("provided.al2023"),
            "{}: Runtime",
            f.id
        );
        assert_eq!(
            p.architectures.as_deref(),
            Some(&["arm64".to_string()][..]),
            "{}: Architectures",
            f.id
        );
        assert_eq!(
            f.metadata.build_method.as_deref(),
            Some("rust-cargolambda"),
            "{}: Metadata.BuildMethod",
            f.id
        );
        assert_eq!(
            p.code_uri,
            Some(Expr::Literal(".".into())),
            "{}: CodeUri is the workspace root",
            f.id
        );
        let binary = binary(f);
        let manifest = std::fs::read_to_string(crate_dir(binary).join("Cargo.toml"))
            .unwrap_or_else(|e| panic!("{}: crate {binary} not found: {e}", f.id));
        assert!(
            manifest.contains("[[bin]]") && manifest.contains(&format!("name = \"{binary}\"")),
            "{}: crate {binary} declares no [[bin]] {binary}",
            f.id
        );
        let logging = p
            .logging_config
            .as_ref()
            .unwrap_or_else(|| panic!("{}: LoggingConfig", f.id));
        assert_eq!(
            logging.log_format.as_deref(),
            Some("JSON"),
            "{}: JSON logs",
            f.id
        );
        assert!(
            p.memory_size.is_some(),
            "{}: MemorySize is chosen, not left to the default",
            f.id
        );
        assert!(
            p.timeout.is_some(),
            "{}: Timeout is chosen, not left to the default",
            f.id
        );
    }
}

#[test]
fn every_table_the_code_uses_has_its_env_var_and_iam_grant() {
    let t = template();
    for f in &t.functions {
        let env = environment(f);
        let grants = function_grants(t, f);
        let read = env_vars_read_by(binary(f));
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
                Expr::Ref(table.clone()),
                "{}: {var} should be !Ref {table}",
                f.id
            );
            assert!(
                grants
                    .iter()
                    .any(|g| g.targets.contains(&ArnTarget::Table(table.clone()))
                        && g.actions.iter().any(|a| a.starts_with("dynamodb:"))),
                "{}: the code uses {table} ({var}) but no statement grants it any action",
                f.id
            );
            tables_of_function.insert(table);
        }
        for var in env.keys().filter(|k| k.ends_with("_TABLE")) {
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
            for target in &g.targets {
                match target {
                    ArnTarget::Wildcard | ArnTarget::Unknown(_) => {
                        panic!("{}: resource {target:?}; name the resources", f.id)
                    }
                    ArnTarget::Table(table) | ArnTarget::Index(table, _) => assert!(
                        tables_of_function.contains(table),
                        "{}: grants on {table}, which its code does not use",
                        f.id
                    ),
                    ArnTarget::Stream(_) | ArnTarget::Resource(_) => {}
                }
            }
        }
    }
}

/// Granted calls no fixture makes, each with the reason it stays granted. Every entry is
/// checked: one the fixtures do exercise, or one no longer granted, fails the test.
const UNEXERCISED: &[Unexercised] = &[Unexercised {
    function: "resolvers",
    table: "TicketsTable",
    action: "dynamodb:BatchWriteItem",
    reason: "deleteEvent deletes the event's tickets 25 at a time; the fixture deletes an event \
             whose one ticket was cancelled before, so it has none left to delete (the resolvers' \
             own tests delete events with tickets)",
}];

#[test]
fn each_function_is_granted_exactly_the_dynamodb_calls_the_fixtures_make() {
    let t = template();
    let recording = recorded::recording();
    let mut problems = Vec::new();
    for f in &t.functions {
        let used = &recording.used[binary(f)];
        assert!(
            !used.is_empty(),
            "{}: the fixtures made no DynamoDB call at all",
            f.id
        );
        problems.extend(iam::violations(t, f, used, UNEXERCISED));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_page_token_secret_is_generated_not_written_down() {
    let t = template();
    let f = function_for("resolvers");
    let value = environment(f)
        .remove("PAGE_TOKEN_SECRET")
        .expect("PAGE_TOKEN_SECRET is set");
    let Expr::Sub(text) = value else {
        panic!("PAGE_TOKEN_SECRET should be a {{{{resolve:secretsmanager:...}}}} reference, not {value:?}");
    };
    let secret = text
        .strip_prefix("{{resolve:secretsmanager:${")
        .and_then(|rest| rest.split_once('}'))
        .map(|(id, _)| id.to_string())
        .unwrap_or_else(|| panic!("PAGE_TOKEN_SECRET: {text}"));
    assert_eq!(kind_of(&secret), "AWS::SecretsManager::Secret");
    let generate = t
        .secret(&secret)
        .and_then(|s| s.properties.generate_secret_string.as_ref())
        .expect("the secret is generated");
    assert!(
        generate.password_length.unwrap_or(32) >= 32,
        "TokenKey needs at least 32 characters"
    );
}

// ------------------------------------------------------------------------------------------
// The stream

#[test]
fn the_aggregator_stream_cannot_stall_and_failures_are_kept() {
    let t = template();
    let f = function_for("aggregator");
    assert!(
        f.properties.events.is_none(),
        "{}: use a plain AWS::Lambda::EventSourceMapping (SAM stream events attach a managed \
         policy that reads every stream in the account)",
        f.id
    );
    let mappings: Vec<_> = t
        .event_source_mappings
        .iter()
        .filter(|m| m.properties.function() == Some(f.id.as_str()))
        .collect();
    assert_eq!(mappings.len(), 1, "one event source mapping for {}", f.id);
    let (id, p) = (&mappings[0].id, &mappings[0].properties);

    let table = p.stream_table().unwrap_or_else(|| {
        panic!(
            "{id}: EventSourceArn should be a table's StreamArn: {:?}",
            p.event_source_arn
        )
    });
    assert_eq!(
        t.table(table)
            .and_then(|t| t.properties.stream_specification.as_ref())
            .map(|s| s.stream_view_type.as_str()),
        Some("NEW_AND_OLD_IMAGES"),
        "{table}: the aggregator subtracts old images, so the stream carries both"
    );
    assert!(
        p.reports_batch_item_failures(),
        "{id}: the aggregator answers batchItemFailures; Lambda honours them only with \
         FunctionResponseTypes: [ReportBatchItemFailures]"
    );
    assert_eq!(
        p.bisect_batch_on_function_error,
        Some(true),
        "{id}: BisectBatchOnFunctionError"
    );
    let retries = p.maximum_retry_attempts.expect("MaximumRetryAttempts");
    assert!(
        (0..=10_000).contains(&retries),
        "{id}: finite MaximumRetryAttempts"
    );
    let max_age = p
        .maximum_record_age_in_seconds
        .expect("MaximumRecordAgeInSeconds");
    assert!(
        (60..=604_800).contains(&max_age),
        "{id}: finite MaximumRecordAgeInSeconds"
    );
    let queue = match p.on_failure_destination() {
        Some(Expr::GetAtt(q, a)) if a == "Arn" && kind_of(q) == "AWS::SQS::Queue" => q,
        other => panic!("{id}: an SQS on-failure destination: {other:?}"),
    };

    let grants = function_grants(t, f);
    for action in [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ] {
        assert!(
            granted(&grants, action, &ArnTarget::Stream(table.into())),
            "{}: {action} on {table}'s stream",
            f.id
        );
    }
    assert!(
        granted(
            &grants,
            "sqs:SendMessage",
            &ArnTarget::Resource(queue.clone())
        ),
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
    let spec = t
        .table(&dedupe)
        .and_then(|t| t.properties.time_to_live_specification.as_ref())
        .unwrap_or_else(|| panic!("{dedupe}: TimeToLiveSpecification"));
    assert_eq!(spec.enabled, Some(true));
    // What the aggregator really wrote while the stream fixtures ran: DynamoDB's TTL only
    // expires items whose attribute is a Number of epoch seconds.
    let written = &recorded::recording().ttl_tables[&dedupe];
    assert!(
        !written.is_empty(),
        "{dedupe}: the stream fixtures wrote no markers"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for item in written {
        let expires: i64 = item
            .get(&spec.attribute_name)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "{dedupe}: TTL attribute {:?} is not a Number the aggregator writes: {item:?}",
                    spec.attribute_name
                )
            });
        assert!(
            (now..=now + ttl + 3600).contains(&expires),
            "{dedupe}: {} = {expires} is not epoch seconds about DEFAULT_DEDUPE_TTL ahead",
            spec.attribute_name
        );
    }
}

// ------------------------------------------------------------------------------------------
// Alarms and outputs

#[test]
fn operators_get_the_alarms_they_expect() {
    let t = template();
    let watched: Vec<(&str, Vec<&Expr>)> = t
        .alarms
        .iter()
        .flat_map(|a| a.properties.watched())
        .collect();
    let has = |metric: &str, dim: &Expr| {
        watched
            .iter()
            .any(|(m, dims)| *m == metric && dims.contains(&dim))
    };
    for f in &t.functions {
        let me = Expr::Ref(f.id.clone());
        for metric in ["Errors", "Throttles"] {
            assert!(has(metric, &me), "{}: an alarm on {metric}", f.id);
        }
    }
    let agg = function_for("aggregator");
    assert!(
        has("IteratorAge", &Expr::Ref(agg.id.clone())),
        "an IteratorAge alarm"
    );
    for q in t.ids_of("AWS::SQS::Queue") {
        assert!(
            has(
                "ApproximateNumberOfMessagesVisible",
                &Expr::GetAtt(q.into(), "QueueName".into())
            ),
            "{q}: an alarm on its depth"
        );
    }
}

#[test]
fn outputs_name_the_endpoint_the_pool_and_every_table() {
    let t = template();
    let outputs: Vec<&Expr> = t.outputs.iter().map(|o| &o.value).collect();
    assert!(!outputs.is_empty(), "Outputs");
    let api = api_id();
    let mut want = vec![
        Expr::GetAtt(api.into(), "GraphQLUrl".into()),
        Expr::GetAtt(api.into(), "ApiId".into()),
    ];
    want.extend(
        t.ids_of("AWS::Cognito::UserPool")
            .chain(t.ids_of("AWS::Cognito::UserPoolClient"))
            .chain(t.ids_of("AWS::DynamoDB::Table"))
            .map(|id| Expr::Ref(id.into())),
    );
    for w in want {
        assert!(outputs.contains(&&w), "an output with Value {w:?}");
    }
}

// ------------------------------------------------------------------------------------------
// The test's own readers, on small inputs

#[test]
fn the_readers_understand_short_and_long_intrinsics() {
    let yaml =
        "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n  Q:\n    Type: AWS::SQS::Queue\n\
                Outputs:\n  \
                a: { Value: !GetAtt T.Arn }\n  b: { Value: { Fn::GetAtt: [T, StreamArn] } }\n  \
                c: { Value: !Sub \"${T.Arn}/index/*\" }\n  d: { Value: !Ref X }\n  \
                e: { Value: { Ref: X } }\n  f: { Value: plain }\n  g: { Value: !GetAtt Q.Arn }\n";
    let t = Template::parse(yaml).unwrap();
    let value = |id: &str| &t.outputs.iter().find(|o| o.id == id).unwrap().value;
    assert_eq!(value("a"), &Expr::GetAtt("T".into(), "Arn".into()));
    assert_eq!(value("b"), &Expr::GetAtt("T".into(), "StreamArn".into()));
    assert_eq!(value("c"), &Expr::Sub("${T.Arn}/index/*".into()));
    assert_eq!(value("d"), &Expr::Ref("X".into()));
    assert_eq!(value("e"), &Expr::Ref("X".into()));
    assert_eq!(value("f"), &Expr::Literal("plain".into()));
    assert_eq!(t.arn_target(value("a")), ArnTarget::Table("T".into()));
    assert_eq!(t.arn_target(value("b")), ArnTarget::Stream("T".into()));
    assert_eq!(
        t.arn_target(value("c")),
        ArnTarget::Index("T".into(), "*".into())
    );
    assert_eq!(t.arn_target(value("g")), ArnTarget::Resource("Q".into()));
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

// ------------------------------------------------------------------------------------------
// The IAM check against deliberately broken templates (no moto needed: what the functions
// do is given, so only the template varies)

fn repository_text() -> String {
    std::fs::read_to_string(testkit::template::template_path()).expect("template.yaml")
}

/// The repository's template with `from` replaced by `to` (which must occur exactly once, or
/// the test would check nothing).
fn broken(from: &str, to: &str) -> Template {
    let text = repository_text();
    assert_eq!(text.matches(from).count(), 1, "{from:?} occurs once");
    Template::parse(&text.replace(from, to)).expect("still a template")
}

/// What a function would have to do for its grants to be exactly right: every action granted
/// on each of its tables, and a Query on each index it is granted.
fn used_as_granted(t: &Template, f: &Function) -> BTreeSet<Used> {
    let mut out = BTreeSet::new();
    for g in function_grants(t, f) {
        for target in &g.targets {
            for a in g.actions.iter().filter(|a| a.starts_with("dynamodb:")) {
                match target {
                    ArnTarget::Table(table) => {
                        out.insert(Used::new(table, a, None));
                    }
                    ArnTarget::Index(table, _) if a == "dynamodb:Query" => {
                        let index = t.table(table).and_then(|t| t.index_names().next());
                        out.insert(Used::new(table, a, index));
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

fn aggregator_use() -> BTreeSet<Used> {
    BTreeSet::from([
        Used::new("UserAggregatesTable", "dynamodb:UpdateItem", None),
        Used::new("ProcessedRecordsTable", "dynamodb:PutItem", None),
    ])
}

#[test]
fn the_iam_check_passes_a_template_that_grants_exactly_what_is_used() {
    let t = template();
    let agg = function_for("aggregator");
    assert_eq!(
        iam::violations(t, agg, &aggregator_use(), &[]),
        Vec::<String>::new()
    );
    let res = function_for("resolvers");
    let used = used_as_granted(t, res);
    assert!(used.len() > 10, "{used:?}");
    assert_eq!(iam::violations(t, res, &used, &[]), Vec::<String>::new());
}

#[test]
fn the_iam_check_refuses_a_call_without_its_grant() {
    let t = broken(
        "Action: dynamodb:PutItem\n              Resource: !GetAtt ProcessedRecordsTable.Arn",
        "Action: dynamodb:GetItem\n              Resource: !GetAtt ProcessedRecordsTable.Arn",
    );
    let agg = t.function("aggregator").unwrap();
    let v = iam::violations(&t, agg, &aggregator_use(), &[]);
    assert!(
        v.iter()
            .any(|m| m.contains("call dynamodb:PutItem on ProcessedRecordsTable")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|m| m.contains("dynamodb:GetItem on ProcessedRecordsTable is granted")),
        "{v:?}"
    );
}

#[test]
fn the_iam_check_refuses_a_grant_no_call_needs() {
    let t = broken(
        "Action: [dynamodb:GetItem, dynamodb:UpdateItem]\n              Resource: !GetAtt UsersTable.Arn",
        "Action: [dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:Scan]\n              Resource: !GetAtt UsersTable.Arn",
    );
    let res = t.function("resolvers").unwrap();
    let used = used_as_granted(template(), function_for("resolvers"));
    let v = iam::violations(&t, res, &used, &[]);
    assert_eq!(
        v,
        [
            "ResolversFunction: dynamodb:Scan on UsersTable is granted but no fixture makes that \
          call (least privilege: drop it, or add a fixture, or list it as unexercised with the \
          reason)"
        ]
    );
    // Listed with a reason, it passes; listed while the fixtures make the call, it does not.
    let excuse = Unexercised {
        function: "resolvers",
        table: "UsersTable",
        action: "dynamodb:Scan",
        reason: "a test of the list",
    };
    assert!(iam::violations(&t, res, &used, &[excuse]).is_empty());
    let mut with_scan = used.clone();
    with_scan.insert(Used::new("UsersTable", "dynamodb:Scan", None));
    let v = iam::violations(&t, res, &with_scan, &[excuse]);
    assert!(
        v[0].contains("listed as unexercised, but a fixture makes that call"),
        "{v:?}"
    );
}

#[test]
fn the_iam_check_refuses_an_index_read_without_the_index_grant() {
    let t = broken(
        "Resource: !Sub \"${ActivitiesTable.Arn}/index/*\"",
        "Resource: !Sub \"${RoomsTable.Arn}/index/*\"",
    );
    let res = t.function("resolvers").unwrap();
    let used = used_as_granted(template(), function_for("resolvers"));
    let v = iam::violations(&t, res, &used, &[]);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].contains("dynamodb:Query on ActivitiesTable's index byTime without a grant"),
        "{v:?}"
    );
}

#[test]
fn the_iam_check_refuses_a_call_on_a_table_the_template_does_not_have() {
    let t = template();
    let agg = function_for("aggregator");
    let mut used = aggregator_use();
    used.insert(Used::new("t123-LegacyTable", "dynamodb:GetItem", None));
    let v = iam::violations(t, agg, &used, &[]);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].contains("not a table of the template"), "{v:?}");
}
