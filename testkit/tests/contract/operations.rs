//! The template's defences and operations: request limits sized from the schema,
//! WAF on the API, deletion protection, throttle alarms for every table and index, tracing,
//! the app clients' sign-in flows, the optional cache, the API key's renewal, the dashboard.
//!
//! Each rule is a function from a template (and the schema) to the problems it finds, so the
//! tests below run every rule on `template.yaml` (no problems) and on copies broken on purpose
//! (the rule must notice), which is how we know none of them is a check that cannot fail.

use std::collections::{BTreeMap, BTreeSet};

use graphql_parser::schema::{Definition, Type, TypeDefinition, TypeExtension};
use serde_yaml_ng::{Mapping, Value};
use testkit::template::{intrinsic, Expr, Template};

use super::raw::{cfn, one_or_many, props, str_prop, template, Cfn};
use super::repo_root;

/// A template both ways: typed (`testkit::template`, for what it models: tables and their
/// indexes, functions, the API, resolvers, alarms) and as YAML for the rest (WAF, Cognito,
/// caching, Step Functions, schedules, the dashboard), which only these rules read.
struct Doc {
    raw: Value,
    model: Template,
}

impl Doc {
    fn new(raw: Value) -> Self {
        let text = serde_yaml_ng::to_string(&raw).expect("a template serialises");
        let model = Template::parse(&text).unwrap_or_else(|e| panic!("{e}"));
        Self { raw, model }
    }
}

// ------------------------------------------------------------------------------------------
// Reading any template (the real one or a broken copy)

fn resources(t: &Value) -> &Mapping {
    t.get("Resources")
        .and_then(Value::as_mapping)
        .expect("template has Resources")
}

fn all_of<'a>(t: &'a Value, kind: &str) -> Vec<(&'a str, &'a Value)> {
    resources(t)
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
        .map(|(id, r)| (id.as_str().expect("logical ids are strings"), r))
        .collect()
}

fn int(v: Option<&Value>) -> Option<i64> {
    let v = v?;
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// A parameter's default, as CloudFormation would pass it (a string).
fn param_default(t: &Value, name: &str) -> Option<String> {
    let d = t.get("Parameters")?.get(name)?.get("Default")?;
    match cfn(d) {
        Cfn::Literal(s) => Some(s),
        _ => None,
    }
}

/// Evaluates a condition with every parameter at its default: what a deploy that sets no
/// parameter gets.
fn condition_by_default(t: &Value, name: &str) -> bool {
    let body = t
        .get("Conditions")
        .and_then(|c| c.get(name))
        .unwrap_or_else(|| panic!("no condition {name}"));
    eval_condition(t, body)
}

fn eval_condition(t: &Value, v: &Value) -> bool {
    let (op, arg) = intrinsic(v).unwrap_or_else(|| panic!("not a condition: {v:?}"));
    let args: Vec<&Value> = one_or_many(Some(arg));
    match op.as_str() {
        "Equals" => {
            let side = |x: &Value| match cfn(x) {
                Cfn::Ref(p) => param_default(t, &p).unwrap_or_else(|| format!("<{p}>")),
                Cfn::Literal(s) => s,
                other => format!("{other:?}"),
            };
            side(args[0]) == side(args[1])
        }
        "Not" => !eval_condition(t, args[0]),
        "And" => args.iter().all(|a| eval_condition(t, a)),
        "Or" => args.iter().any(|a| eval_condition(t, a)),
        "Condition" => condition_by_default(t, arg.as_str().expect("condition name")),
        other => panic!("condition function {other} is not understood here"),
    }
}

/// A property that may be wrapped in `!If [Cond, value, AWS::NoValue]`: (condition, value).
fn conditional(v: &Value) -> (Option<String>, &Value) {
    match intrinsic(v) {
        Some((op, Value::Sequence(args))) if op == "If" && args.len() == 3 => {
            (args[0].as_str().map(str::to_string), &args[1])
        }
        _ => (None, v),
    }
}

fn global_function(t: &Value, key: &str) -> Option<Value> {
    t.get("Globals")?.get("Function")?.get(key).cloned()
}

// ------------------------------------------------------------------------------------------
// The schema, with list-ness (how many times a field runs per parent)

#[derive(Debug, Clone)]
struct SchemaField {
    named: String,
    list: bool,
    directives: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct SchemaType {
    directives: BTreeSet<String>,
    fields: BTreeMap<String, SchemaField>,
}

type Schema = BTreeMap<String, SchemaType>;

fn is_list(t: &Type<'static, String>) -> bool {
    match t {
        Type::NamedType(_) => false,
        Type::ListType(_) => true,
        Type::NonNullType(inner) => is_list(inner),
    }
}

fn named(t: &Type<'static, String>) -> String {
    match t {
        Type::NamedType(n) => n.clone(),
        Type::ListType(inner) | Type::NonNullType(inner) => named(inner),
    }
}

fn schema() -> Schema {
    let text = std::fs::read_to_string(repo_root().join("schema.graphql")).expect("schema");
    let doc = graphql_parser::parse_schema::<String>(&text)
        .expect("schema parses")
        .into_static();
    let mut out = Schema::new();
    for def in doc.definitions {
        let (name, directives, fields) = match def {
            Definition::TypeDefinition(TypeDefinition::Object(o)) => {
                (o.name, o.directives, o.fields)
            }
            Definition::TypeExtension(TypeExtension::Object(o)) => (o.name, o.directives, o.fields),
            _ => continue,
        };
        let ty = out.entry(name).or_default();
        ty.directives.extend(directives.into_iter().map(|d| d.name));
        for f in fields {
            ty.fields.insert(
                f.name,
                SchemaField {
                    named: named(&f.field_type),
                    list: is_list(&f.field_type),
                    directives: f.directives.into_iter().map(|d| d.name).collect(),
                },
            );
        }
    }
    out
}

/// `Type.field` of every AppSync resolver in the typed template.
fn resolved_fields(t: &Template) -> BTreeSet<String> {
    t.resolvers
        .iter()
        .map(|r| format!("{}.{}", r.properties.type_name, r.properties.field_name))
        .collect()
}

/// `Type.field` of every AppSync resolver in a template, with its YAML.
fn resolver_fields(t: &Value) -> BTreeMap<String, &Value> {
    all_of(t, "AWS::AppSync::Resolver")
        .into_iter()
        .map(|(_, r)| {
            let p = props(r);
            let field = format!(
                "{}.{}",
                str_prop(p, "TypeName").expect("TypeName"),
                str_prop(p, "FieldName").expect("FieldName")
            );
            (field, r)
        })
        .collect()
}

/// The depth of the deepest query that visits no type twice on its way down, counted as
/// AppSync counts (the root field is level 1, a leaf field is a level too).
fn deepest_query(s: &Schema) -> usize {
    fn depth(s: &Schema, ty: &str, seen: &mut Vec<String>) -> usize {
        let Some(t) = s.get(ty) else { return 0 };
        if seen.iter().any(|x| x == ty) {
            return 0;
        }
        seen.push(ty.to_string());
        let d = t
            .fields
            .values()
            .map(|f| 1 + depth(s, &f.named, seen))
            .max()
            .unwrap_or(0);
        seen.pop();
        d
    }
    ["Query", "Mutation", "Subscription"]
        .iter()
        .map(|root| depth(s, root, &mut vec![]))
        .max()
        .unwrap_or(0)
}

/// The largest page a client may ask for (the resolvers' own limit check, probed).
fn max_page() -> i64 {
    (1..=10_000)
        .filter(|n| resolvers::domain::page_limit(Some(*n)).is_ok())
        .max()
        .expect("some page size is allowed") as i64
}

/// Resolver executions of one object of `ty` with every field selected, nested lists counted
/// at the largest page (a type already on the path is not entered again).
fn resolvers_per_object(
    s: &Schema,
    resolved: &BTreeSet<String>,
    ty: &str,
    page: i64,
    path: &mut Vec<String>,
) -> i64 {
    let Some(t) = s.get(ty) else { return 0 };
    if path.iter().any(|x| x == ty) {
        return 0;
    }
    path.push(ty.to_string());
    let mut n = 0;
    for (name, f) in &t.fields {
        let own = i64::from(resolved.contains(&format!("{ty}.{name}")));
        let each = resolvers_per_object(s, resolved, &f.named, page, path);
        n += own + if f.list { page * each } else { each };
    }
    path.pop();
    n
}

/// The largest legitimate page: each root query field on its own, fully selected.
fn largest_page(s: &Schema, resolved: &BTreeSet<String>, page: i64) -> (String, i64) {
    s.get("Query")
        .map(|q| {
            q.fields
                .iter()
                .map(|(name, f)| {
                    let each = resolvers_per_object(s, resolved, &f.named, page, &mut vec![]);
                    let own = i64::from(resolved.contains(&format!("Query.{name}")));
                    (name.clone(), own + if f.list { page * each } else { each })
                })
                .max_by_key(|(_, n)| *n)
                .expect("queries")
        })
        .expect("a Query type")
}

/// Fields the API key reaches (the field or, off the root types, its type is @aws_api_key).
fn public_fields(s: &Schema) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (ty, t) in s {
        for (name, f) in &t.fields {
            let root = ["Query", "Mutation", "Subscription"].contains(&ty.as_str());
            let public = f.directives.contains("aws_api_key")
                || (!root && t.directives.contains("aws_api_key"));
            if public {
                out.insert(format!("{ty}.{name}"));
            }
        }
    }
    out
}

/// Public fields whose answer still depends on who asks (the resolver filters per caller).
/// Add a field here when its resolver starts looking at the caller.
const CALLER_DEPENDENT_PUBLIC: &[(&str, &str)] = &[(
    "Event.tickets",
    "all holders for the organiser and admins, only your own for others, none for the public",
)];

// ------------------------------------------------------------------------------------------
// The rules

type Problems = Vec<String>;

fn the_api_id(t: &Value) -> &str {
    all_of(t, "AWS::AppSync::GraphQLApi")[0].0
}

/// QueryDepthLimit and ResolverCountLimit: set, in AppSync's ranges, at least what the
/// schema's legitimate queries need and not far above it.
fn request_limits(d: &Doc, s: &Schema) -> Problems {
    let mut out = Problems::new();
    let [api] = d.model.graphql_apis.as_slice() else {
        return vec!["expected one GraphQL API".into()];
    };
    let deepest = deepest_query(s) as i64;
    match api.properties.query_depth_limit {
        None => out.push("GraphQLApi: no QueryDepthLimit (AppSync's default is unlimited)".into()),
        Some(d) if !(1..=75).contains(&d) => {
            out.push(format!("QueryDepthLimit {d} is outside AppSync's 1..75"))
        }
        Some(d) if d < deepest => out.push(format!(
            "QueryDepthLimit {d} refuses legitimate queries: the schema allows {deepest} levels"
        )),
        Some(d) if d > deepest + 1 => out.push(format!(
            "QueryDepthLimit {d} is loose: the deepest query the schema allows has {deepest} \
             levels; set it to {deepest} or {}",
            deepest + 1
        )),
        Some(_) => {}
    }
    let (query, need) = largest_page(s, &resolved_fields(&d.model), max_page());
    match api.properties.resolver_count_limit {
        None => out.push("GraphQLApi: no ResolverCountLimit (AppSync's default is 10,000)".into()),
        Some(n) if !(1..=10_000).contains(&n) => out.push(format!(
            "ResolverCountLimit {n} is outside AppSync's 1..10000"
        )),
        Some(n) if n < need => out.push(format!(
            "ResolverCountLimit {n} refuses a legitimate page: a full {query} page needs {need}"
        )),
        Some(n) if n > 2 * need => out.push(format!(
            "ResolverCountLimit {n} is loose: the largest legitimate page ({query}) needs {need}"
        )),
        Some(_) => {}
    }
    out
}

/// A regional web ACL associated with the API: a blocking rate-based rule per client IP with
/// its rate from a parameter, and AWS's common rule set, where an override may only count.
fn waf(t: &Value) -> Problems {
    let mut out = Problems::new();
    let api = the_api_id(t);
    let associated: Vec<String> = all_of(t, "AWS::WAFv2::WebACLAssociation")
        .into_iter()
        .filter(|(_, a)| {
            props(a).get("ResourceArn").map(cfn) == Some(Cfn::GetAtt(api.into(), "Arn".into()))
        })
        .filter_map(|(_, a)| match props(a).get("WebACLArn").map(cfn) {
            Some(Cfn::GetAtt(acl, attr)) if attr == "Arn" => Some(acl),
            _ => None,
        })
        .collect();
    let [acl_id] = associated.as_slice() else {
        out.push(format!(
            "{api}: not associated with exactly one WAF web ACL"
        ));
        return out;
    };
    let Some(acl) = resources(t).get(acl_id.as_str()) else {
        out.push(format!("{acl_id}: no such web ACL"));
        return out;
    };
    let p = props(acl);
    if str_prop(p, "Scope").as_deref() != Some("REGIONAL") {
        out.push(format!("{acl_id}: Scope must be REGIONAL for AppSync"));
    }
    let rules = one_or_many(p.get("Rules"));
    let rate = rules.iter().find_map(|r| {
        r.get("Statement")?
            .get("RateBasedStatement")
            .map(|s| (r, s))
    });
    match rate {
        None => out.push(format!("{acl_id}: no rate-based rule")),
        Some((rule, s)) => {
            if str_prop(s, "AggregateKeyType").as_deref() != Some("IP") {
                out.push(format!(
                    "{acl_id}: the rate-based rule must count per client IP"
                ));
            }
            if !matches!(s.get("Limit").map(cfn), Some(Cfn::Ref(p)) if param_default(t, &p).is_some())
            {
                out.push(format!(
                    "{acl_id}: the rate limit must be a parameter (with a default)"
                ));
            }
            if rule.get("Action").and_then(|a| a.get("Block")).is_none() {
                out.push(format!("{acl_id}: the rate-based rule must block"));
            }
        }
    }
    let managed = rules.iter().find_map(|r| {
        let m = r.get("Statement")?.get("ManagedRuleGroupStatement")?;
        (str_prop(m, "VendorName").as_deref() == Some("AWS")
            && str_prop(m, "Name").as_deref() == Some("AWSManagedRulesCommonRuleSet"))
        .then_some((r, m))
    });
    match managed {
        None => out.push(format!("{acl_id}: no AWSManagedRulesCommonRuleSet")),
        Some((rule, m)) => {
            if rule
                .get("OverrideAction")
                .and_then(|o| o.get("None"))
                .is_none()
            {
                out.push(format!(
                    "{acl_id}: the common rule set must keep its own actions (OverrideAction None)"
                ));
            }
            for o in one_or_many(m.get("RuleActionOverrides")) {
                if o.get("ActionToUse").and_then(|a| a.get("Count")).is_none() {
                    out.push(format!(
                        "{acl_id}: rule {:?} is overridden to something other than Count",
                        str_prop(o, "Name")
                    ));
                }
            }
        }
    }
    out
}

/// Every table that holds data (DeletionPolicy Retain) refuses DeleteTable; a table without
/// protection must be derived data the stack deletes with itself. The user pool too.
fn deletion_protection(t: &Value) -> Problems {
    let mut out = Problems::new();
    for (id, table) in all_of(t, "AWS::DynamoDB::Table") {
        let policy = table.get("DeletionPolicy").and_then(Value::as_str);
        let protected = props(table)
            .get("DeletionProtectionEnabled")
            .and_then(Value::as_bool)
            == Some(true);
        match (policy, protected) {
            (Some("Retain"), false) => out.push(format!(
                "{id}: holds data (Retain) but DeletionProtectionEnabled is not true"
            )),
            (Some("Delete"), _) | (Some("Retain"), true) => {}
            (other, _) => out.push(format!(
                "{id}: DeletionPolicy {other:?}; say Retain (data, protected) or Delete (derived)"
            )),
        }
    }
    for (id, pool) in all_of(t, "AWS::Cognito::UserPool") {
        if str_prop(props(pool), "DeletionProtection").as_deref() != Some("ACTIVE") {
            out.push(format!("{id}: DeletionProtection must be ACTIVE"));
        }
    }
    out
}

/// Read and write throttles of every table and every global secondary index are watched by
/// an alarm; the message prints the alarm to add.
fn throttle_alarms(d: &Doc) -> Problems {
    let watched: Vec<(&str, Vec<&Expr>)> = d
        .model
        .alarms
        .iter()
        .flat_map(|a| a.properties.watched())
        .collect();
    let mut out = Problems::new();
    for table in &d.model.tables {
        let gsis: Vec<String> = table
            .properties
            .global_secondary_indexes
            .iter()
            .map(|g| g.index_name.clone())
            .collect();
        let table_ref = Expr::Ref(table.id.clone());
        let mut missing = Vec::new();
        for index in std::iter::once(None).chain(gsis.iter().map(Some)) {
            let mut want = vec![&table_ref];
            let index_name = index.map(|i| Expr::Literal(i.clone()));
            want.extend(index_name.as_ref());
            let same = |dims: &Vec<&Expr>| {
                dims.len() == want.len() && want.iter().all(|w| dims.contains(w))
            };
            for metric in ["ReadThrottleEvents", "WriteThrottleEvents"] {
                if !watched.iter().any(|(m, dims)| *m == metric && same(dims)) {
                    missing.push((metric, index));
                }
            }
        }
        if !missing.is_empty() {
            out.push(format!(
                "{}: no alarm on {missing:?}. {}",
                table.id,
                where_the_alarm_goes(&table.id, &gsis)
            ));
        }
    }
    out
}

/// Which loop of template.yaml gives a table its throttle alarm.
fn where_the_alarm_goes(table: &str, gsis: &[String]) -> String {
    let listed = "and list ${{{table}ThrottleAlarm.Arn}} on the dashboard";
    match gsis {
        [] => format!("Add {table} to Fn::ForEach::TableThrottleAlarms {listed}"),
        [gsi] => format!(
            "Add {table} to Fn::ForEach::IndexedTableThrottleAlarms, `{table}: {{ Name: {gsi} }}` \
             to Mappings.GlobalSecondaryIndex, {listed}"
        ),
        _ => format!(
            "A table with the indexes {gsis:?} needs a loop of its own, with a metric per index \
             {listed}"
        ),
    }
}

/// X-Ray on the API, on every function (its own setting or Globals) and on state machines.
fn tracing(d: &Doc) -> Problems {
    let mut out = Problems::new();
    let t = &d.raw;
    for api in &d.model.graphql_apis {
        if api.properties.xray_enabled != Some(true) {
            out.push(format!("{}: XrayEnabled must be true", api.id));
        }
    }
    let global = global_function(t, "Tracing");
    for (id, f) in all_of(t, "AWS::Serverless::Function") {
        let mode = props(f).get("Tracing").cloned().or_else(|| global.clone());
        if mode.as_ref().and_then(Value::as_str) != Some("Active") {
            out.push(format!("{id}: Tracing must be Active"));
        }
    }
    for (id, sm) in all_of(t, "AWS::StepFunctions::StateMachine") {
        let on = props(sm)
            .get("TracingConfiguration")
            .and_then(|c| c.get("Enabled"))
            .and_then(Value::as_bool);
        if on != Some(true) {
            out.push(format!("{id}: TracingConfiguration.Enabled must be true"));
        }
    }
    out
}

/// Public clients (no secret) sign in with SRP only: never USER_PASSWORD_AUTH, which lets
/// anyone holding the client id try passwords. Some client offers SRP (Amplify v6 uses it).
fn sign_in_flows(t: &Value) -> Problems {
    let mut out = Problems::new();
    let mut srp = false;
    for (id, c) in all_of(t, "AWS::Cognito::UserPoolClient") {
        let p = props(c);
        let flows: Vec<String> = one_or_many(p.get("ExplicitAuthFlows"))
            .into_iter()
            .filter_map(|f| f.as_str().map(str::to_string))
            .collect();
        if flows.is_empty() {
            out.push(format!("{id}: ExplicitAuthFlows left to Cognito's default"));
        }
        let secret = p.get("GenerateSecret").and_then(Value::as_bool) == Some(true);
        for bad in [
            "ALLOW_USER_PASSWORD_AUTH",
            "USER_PASSWORD_AUTH",
            "ALLOW_CUSTOM_AUTH",
        ] {
            if !secret && flows.iter().any(|f| f == bad) {
                out.push(format!("{id}: a public client must not allow {bad}"));
            }
        }
        srp |= flows.iter().any(|f| f == "ALLOW_USER_SRP_AUTH");
    }
    if !srp {
        out.push("no app client allows ALLOW_USER_SRP_AUTH (Amplify v6 signs in with it)".into());
    }
    out
}

/// The cache is off unless a parameter turns it on; only public reads whose answer is the
/// same for every caller are cached, or a resolver keys its entries by the caller.
fn caching(d: &Doc, s: &Schema) -> Problems {
    let mut out = Problems::new();
    let t = &d.raw;
    let batched: BTreeSet<String> = d
        .model
        .resolvers
        .iter()
        .filter(|r| r.properties.max_batch_size.unwrap_or(0) > 0)
        .map(|r| format!("{}.{}", r.properties.type_name, r.properties.field_name))
        .collect();
    for (id, cache) in all_of(t, "AWS::AppSync::ApiCache") {
        match cache.get("Condition").and_then(Value::as_str) {
            None => out.push(format!(
                "{id}: the cache must depend on a parameter (Condition)"
            )),
            Some(c) if condition_by_default(t, c) => out.push(format!(
                "{id}: condition {c} is true by default: caching must be off"
            )),
            Some(_) => {}
        }
        let p = props(cache);
        for k in ["AtRestEncryptionEnabled", "TransitEncryptionEnabled"] {
            if p.get(k).and_then(Value::as_bool) != Some(true) {
                out.push(format!("{id}: {k} must be true"));
            }
        }
    }
    let public = public_fields(s);
    let dependent: BTreeSet<&str> = CALLER_DEPENDENT_PUBLIC.iter().map(|(f, _)| *f).collect();
    for (field, r) in resolver_fields(t) {
        let p = props(r);
        let Some(raw) = p.get("CachingConfig") else {
            continue;
        };
        let (condition, config) = conditional(raw);
        match condition {
            None => out.push(format!(
                "{field}: CachingConfig must be inside !If on the cache's condition"
            )),
            Some(c) if condition_by_default(t, &c) => out.push(format!(
                "{field}: cached by default (condition {c} is true)"
            )),
            Some(_) => {}
        }
        let keys: Vec<String> = one_or_many(config.get("CachingKeys"))
            .into_iter()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect();
        if keys.is_empty() {
            out.push(format!(
                "{field}: name its CachingKeys (the default key is the whole identity)"
            ));
        }
        let by_caller = keys
            .iter()
            .any(|k| k == "$context.identity.sub" || k == "$context.identity.username");
        let root = field.split('.').next().unwrap_or_default();
        if root == "Mutation" || root == "Subscription" {
            out.push(format!("{field}: only reads may be cached"));
        }
        if batched.contains(&field) {
            out.push(format!(
                "{field}: a BatchInvoke resolver is not cached (undocumented)"
            ));
        }
        if !by_caller && (!public.contains(&field) || dependent.contains(field.as_str())) {
            out.push(format!(
                "{field}: its answer depends on the caller; never cache it shared (key it by \
                 $context.identity.sub, or do not cache it)"
            ));
        }
    }
    out
}

/// The aggregator has reserved concurrency of its own.
fn reserved_concurrency(d: &Doc) -> Problems {
    let mut out = Problems::new();
    for f in d
        .model
        .functions
        .iter()
        .filter(|f| f.binary() == Some("aggregator"))
    {
        let reserved = match &f.properties.reserved_concurrent_executions {
            Some(Expr::Literal(n)) => n.parse::<i64>().ok(),
            Some(Expr::Ref(p)) => param_default(&d.raw, p).and_then(|n| n.parse().ok()),
            _ => None,
        };
        if reserved.is_none_or(|n| n < 1) {
            out.push(format!(
                "{}: ReservedConcurrentExecutions must reserve at least 1 (a number or a \
                 parameter with a default), is {:?}",
                f.id, f.properties.reserved_concurrent_executions
            ));
        }
    }
    out
}

/// The API key cannot lapse silently: a schedule runs a state machine that pushes the key's
/// expiry at most 365 days ahead, more often than an alarm checks that it succeeded.
fn api_key_renewal(d: &Doc) -> Problems {
    let t = &d.raw;
    let mut out = Problems::new();
    let keys = all_of(t, "AWS::AppSync::ApiKey");
    let [(key, _)] = keys.as_slice() else {
        return vec!["expected one AppSync API key".into()];
    };
    let renewing: Vec<&str> = all_of(t, "AWS::StepFunctions::StateMachine")
        .into_iter()
        .filter(|(_, sm)| {
            let p = props(sm);
            let subs = p.get("DefinitionSubstitutions");
            let names_key = subs.is_some_and(|s| {
                s.as_mapping().is_some_and(|m| {
                    m.values()
                        .any(|v| cfn(v) == Cfn::GetAtt((*key).into(), "ApiKeyId".into()))
                })
            });
            let text = serde_yaml_ng::to_string(p.get("Definition").unwrap_or(&Value::Null))
                .unwrap_or_default();
            let days_ok = text.contains("$millis()")
                && text
                    .split("* 86400")
                    .next()
                    .and_then(|before| before.rsplit(|c: char| !c.is_ascii_digit()).nth(1))
                    .and_then(|d| d.parse::<i64>().ok())
                    .is_some_and(|d| (1..=365).contains(&d));
            names_key && text.contains("appsync:updateApiKey") && days_ok
        })
        .map(|(id, _)| id)
        .collect();
    let [machine] = renewing.as_slice() else {
        out.push(format!(
            "{key}: no state machine calls appsync:updateApiKey on it with an expiry of \
             $millis() + N * 86400 (N <= 365 days)"
        ));
        return out;
    };
    let interval = all_of(t, "AWS::Scheduler::Schedule")
        .into_iter()
        .filter(|(_, s)| {
            props(s).get("Target").and_then(|t| t.get("Arn")).map(cfn)
                == Some(Cfn::Ref((*machine).into()))
        })
        .filter_map(|(_, s)| str_prop(props(s), "ScheduleExpression"))
        .filter_map(|e| rate_seconds(&e))
        .min();
    let Some(interval) = interval else {
        out.push(format!("{machine}: no rate(..) schedule runs it"));
        return out;
    };
    let machine_ref = Expr::Ref((*machine).to_string());
    let watched = d.model.alarms.iter().any(|a| {
        let on_renewals = a
            .properties
            .watched()
            .iter()
            .any(|(m, dims)| *m == "ExecutionsSucceeded" && dims.contains(&&machine_ref));
        let p = props(&resources(t)[a.id.as_str()]);
        on_renewals
            && str_prop(p, "TreatMissingData").as_deref() == Some("breaching")
            && int(p.get("Period")).unwrap_or(0) * int(p.get("EvaluationPeriods")).unwrap_or(1)
                > interval
    });
    if !watched {
        out.push(format!(
            "{machine}: no alarm on ExecutionsSucceeded over more than one schedule interval \
             ({interval} s) with missing data breaching"
        ));
    }
    out
}

fn rate_seconds(expr: &str) -> Option<i64> {
    let inner = expr.strip_prefix("rate(")?.strip_suffix(')')?;
    let (n, unit) = inner.split_once(' ')?;
    let n: i64 = n.parse().ok()?;
    let unit = match unit.trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        "day" => 86400,
        _ => return None,
    };
    Some(n * unit)
}

/// A dashboard shows every alarm of the template and every metric the functions publish.
fn dashboard(t: &Value, metric_names: &[&str]) -> Problems {
    let mut out = Problems::new();
    let boards = all_of(t, "AWS::CloudWatch::Dashboard");
    let [(id, board)] = boards.as_slice() else {
        return vec!["expected one CloudWatch dashboard".into()];
    };
    let body = match props(board).get("DashboardBody").map(cfn) {
        Some(Cfn::Sub(s)) | Some(Cfn::Literal(s)) => s,
        _ => return vec![format!("{id}: DashboardBody must be a string or !Sub")],
    };
    if serde_json::from_str::<serde_json::Value>(&body).is_err() {
        out.push(format!("{id}: DashboardBody is not JSON"));
    }
    for (alarm, _) in all_of(t, "AWS::CloudWatch::Alarm") {
        if !body.contains(&format!("${{{alarm}.Arn}}")) {
            out.push(format!("{id}: alarm {alarm} is not on the dashboard"));
        }
    }
    for m in metric_names {
        if !body.contains(&format!("\"{m}\"")) {
            out.push(format!("{id}: metric {m} is not on the dashboard"));
        }
    }
    out
}

/// The metrics the functions publish (their telemetry modules' names).
fn published_metrics() -> Vec<&'static str> {
    let mut names = resolvers::telemetry::METRICS.to_vec();
    names.extend(aggregator::telemetry::METRICS);
    names
}

fn all_rules(d: &Doc, s: &Schema) -> Vec<(&'static str, Problems)> {
    let t = &d.raw;
    vec![
        ("request limits", request_limits(d, s)),
        ("WAF", waf(t)),
        ("deletion protection", deletion_protection(t)),
        ("throttle alarms", throttle_alarms(d)),
        ("tracing", tracing(d)),
        ("sign-in flows", sign_in_flows(t)),
        ("caching", caching(d, s)),
        ("reserved concurrency", reserved_concurrency(d)),
        ("API key renewal", api_key_renewal(d)),
        ("dashboard", dashboard(t, &published_metrics())),
    ]
}

// ------------------------------------------------------------------------------------------
// Tests: the template passes every rule...

#[test]
fn the_template_defends_the_api_and_can_be_operated() {
    let s = schema();
    let problems: Vec<String> = all_rules(&Doc::new(template().clone()), &s)
        .into_iter()
        .flat_map(|(rule, ps)| ps.into_iter().map(move |p| format!("[{rule}] {p}")))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_limits_are_sized_from_the_schema() {
    let s = schema();
    // The deepest query: listEvents -> items -> room -> bookings -> event_id.
    assert_eq!(deepest_query(&s), 5);
    // 1 + 100 x (Event.room + Room.bookings + Event.tickets).
    let (query, need) = largest_page(&s, &resolved_fields(Template::repository()), max_page());
    assert_eq!(need, 301, "{query}");
    assert_eq!(max_page(), 100);
}

// ...and each rule notices a template broken on purpose.

/// A copy of the template with `edit` applied to resource `id`'s Properties.
fn broken(id: &str, edit: impl FnOnce(&mut Mapping)) -> Value {
    let mut t = template().clone();
    let r = t
        .get_mut("Resources")
        .and_then(|r| r.get_mut(id))
        .unwrap_or_else(|| panic!("no resource {id}"));
    let p = r
        .get_mut("Properties")
        .and_then(Value::as_mapping_mut)
        .expect("Properties");
    edit(p);
    t
}

fn first_of(kind: &str) -> String {
    all_of(template(), kind)
        .first()
        .unwrap_or_else(|| panic!("no {kind}"))
        .0
        .to_string()
}

fn assert_finds(problems: Problems, needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "expected a problem mentioning {needle:?}, got {problems:?}"
    );
}

fn yaml(text: &str) -> Value {
    serde_yaml_ng::from_str(text).expect("yaml")
}

#[test]
fn request_limits_notice_missing_and_wrong_values() {
    let s = schema();
    let api = first_of("AWS::AppSync::GraphQLApi");
    let t = broken(&api, |p| {
        p.remove("QueryDepthLimit");
    });
    assert_finds(request_limits(&Doc::new(t), &s), "no QueryDepthLimit");
    let t = broken(&api, |p| {
        p.insert("QueryDepthLimit".into(), 4.into());
    });
    assert_finds(
        request_limits(&Doc::new(t), &s),
        "refuses legitimate queries",
    );
    let t = broken(&api, |p| {
        p.insert("QueryDepthLimit".into(), 20.into());
    });
    assert_finds(request_limits(&Doc::new(t), &s), "is loose");
    let t = broken(&api, |p| {
        p.insert("ResolverCountLimit".into(), 300.into());
    });
    assert_finds(
        request_limits(&Doc::new(t), &s),
        "refuses a legitimate page",
    );
    let t = broken(&api, |p| {
        p.insert("ResolverCountLimit".into(), 20_000.into());
    });
    assert_finds(
        request_limits(&Doc::new(t), &s),
        "outside AppSync's 1..10000",
    );
    let t = broken(&api, |p| {
        p.remove("ResolverCountLimit");
    });
    assert_finds(request_limits(&Doc::new(t), &s), "no ResolverCountLimit");
}

/// The web ACL's rules, to edit in a broken copy.
fn rules_of(acl: &mut Mapping) -> &mut Vec<Value> {
    acl.get_mut("Rules")
        .and_then(Value::as_sequence_mut)
        .expect("Rules")
}

/// The `kind` statement (e.g. `RateBasedStatement`) of each rule that has one.
fn statements_of<'a>(acl: &'a mut Mapping, kind: &'a str) -> impl Iterator<Item = &'a mut Mapping> {
    rules_of(acl).iter_mut().filter_map(move |r| {
        r.get_mut("Statement")
            .and_then(|s| s.get_mut(kind))
            .and_then(Value::as_mapping_mut)
    })
}

#[test]
fn waf_notices_a_missing_association_rate_rule_or_a_loosened_rule_set() {
    let acl = first_of("AWS::WAFv2::WebACL");
    let assoc = first_of("AWS::WAFv2::WebACLAssociation");
    let mut t = template().clone();
    t["Resources"]
        .as_mapping_mut()
        .expect("Resources")
        .remove(assoc.as_str());
    assert_finds(waf(&t), "not associated");
    let t = broken(&acl, |p| {
        rules_of(p).retain(|r| r["Statement"].get("RateBasedStatement").is_none())
    });
    assert_finds(waf(&t), "no rate-based rule");
    let t = broken(&acl, |p| {
        for s in statements_of(p, "RateBasedStatement") {
            s.insert("Limit".into(), 100.into());
        }
    });
    assert_finds(waf(&t), "must be a parameter");
    let t = broken(&acl, |p| {
        for m in statements_of(p, "ManagedRuleGroupStatement") {
            m.insert(
                "RuleActionOverrides".into(),
                yaml("[{Name: CrossSiteScripting_BODY, ActionToUse: {Allow: {}}}]"),
            );
        }
    });
    assert_finds(waf(&t), "other than Count");
    let t = broken(&acl, |p| {
        rules_of(p).retain(|r| {
            r["Statement"]["ManagedRuleGroupStatement"]["Name"] != "AWSManagedRulesCommonRuleSet"
        })
    });
    assert_finds(waf(&t), "no AWSManagedRulesCommonRuleSet");
}

#[test]
fn deletion_protection_notices_an_unprotected_table_or_pool() {
    let table = all_of(template(), "AWS::DynamoDB::Table")
        .into_iter()
        .find(|(_, r)| r.get("DeletionPolicy").and_then(Value::as_str) == Some("Retain"))
        .expect("a retained table")
        .0
        .to_string();
    let t = broken(&table, |p| {
        p.remove("DeletionProtectionEnabled");
    });
    assert_finds(deletion_protection(&t), &table);
    let pool = first_of("AWS::Cognito::UserPool");
    let t = broken(&pool, |p| {
        p.remove("DeletionProtection");
    });
    assert_finds(deletion_protection(&t), "ACTIVE");
}

#[test]
fn throttle_alarms_notice_a_new_index_and_say_where_the_alarm_goes() {
    // A table that gains an index nobody watches.
    let table = first_of("AWS::DynamoDB::Table");
    let t = broken(&table, |p| {
        let gsis = p
            .entry("GlobalSecondaryIndexes".into())
            .or_insert_with(|| Value::Sequence(vec![]));
        gsis.as_sequence_mut().expect("list").push(yaml(
            "{IndexName: byNew, KeySchema: [{AttributeName: id, KeyType: HASH}], \
             Projection: {ProjectionType: KEYS_ONLY}}",
        ));
    });
    let problems = throttle_alarms(&Doc::new(t));
    assert_finds(problems.clone(), "Some(\"byNew\")");
    assert_finds(problems, "a loop of its own");
    // A table without its alarm.
    let mut t = template().clone();
    let alarm = format!("{table}ThrottleAlarm");
    t.get_mut("Resources")
        .and_then(Value::as_mapping_mut)
        .expect("Resources")
        .remove(alarm.as_str())
        .unwrap_or_else(|| panic!("{alarm} exists"));
    assert_finds(throttle_alarms(&Doc::new(t)), &format!("{table}: no alarm"));
}

/// template.yaml as written, its loops not expanded.
fn source() -> Value {
    let text = std::fs::read_to_string(testkit::template::template_path()).expect("template");
    serde_yaml_ng::from_str(&text).expect("template.yaml is YAML")
}

/// The first table a throttle-alarm loop of the source names.
fn first_in_loop(t: &Value, name: &str) -> String {
    t["Resources"][format!("Fn::ForEach::{name}").as_str()][1][0]
        .as_str()
        .unwrap_or_else(|| panic!("a loop {name} over tables"))
        .to_string()
}

#[test]
fn throttle_alarms_notice_a_loop_that_leaves_a_table_out_or_names_another_index() {
    let expanded =
        |t: Value| Doc::new(testkit::template::expand(t).unwrap_or_else(|e| panic!("{e}")));
    let mut t = source();
    let table = first_in_loop(&t, "TableThrottleAlarms");
    t["Resources"]["Fn::ForEach::TableThrottleAlarms"][1]
        .as_sequence_mut()
        .expect("the loop's tables")
        .retain(|v| v.as_str() != Some(table.as_str()));
    let problems = throttle_alarms(&expanded(t));
    assert_finds(problems.clone(), &format!("{table}: no alarm"));
    assert_finds(problems, "Fn::ForEach::TableThrottleAlarms");

    let mut t = source();
    let table = first_in_loop(&t, "IndexedTableThrottleAlarms");
    t["Mappings"]["GlobalSecondaryIndex"][table.as_str()]["Name"] = "byOther".into();
    let problems = throttle_alarms(&expanded(t));
    assert_finds(problems.clone(), &format!("{table}: no alarm"));
    assert_finds(problems, "Mappings.GlobalSecondaryIndex");
}

#[test]
fn tracing_notices_it_switched_off() {
    let api = first_of("AWS::AppSync::GraphQLApi");
    let t = broken(&api, |p| {
        p.insert("XrayEnabled".into(), false.into());
    });
    assert_finds(tracing(&Doc::new(t)), "XrayEnabled");
    let mut t = template().clone();
    t.get_mut("Globals")
        .and_then(|g| g.get_mut("Function"))
        .and_then(Value::as_mapping_mut)
        .expect("Globals.Function")
        .remove("Tracing");
    assert_finds(tracing(&Doc::new(t)), "Tracing must be Active");
}

#[test]
fn sign_in_flows_notice_password_auth_on_a_public_client() {
    let client = first_of("AWS::Cognito::UserPoolClient");
    let t = broken(&client, |p| {
        p.get_mut("ExplicitAuthFlows")
            .and_then(Value::as_sequence_mut)
            .expect("flows")
            .push("ALLOW_USER_PASSWORD_AUTH".into());
    });
    assert_finds(sign_in_flows(&t), "must not allow ALLOW_USER_PASSWORD_AUTH");
    let mut t = template().clone();
    for (id, _) in all_of(template(), "AWS::Cognito::UserPoolClient") {
        t = {
            let mut c = t.clone();
            let p = c["Resources"][id]["Properties"]
                .as_mapping_mut()
                .expect("Properties");
            p.insert(
                "ExplicitAuthFlows".into(),
                yaml("[ALLOW_REFRESH_TOKEN_AUTH]"),
            );
            c
        };
    }
    assert_finds(sign_in_flows(&t), "ALLOW_USER_SRP_AUTH");
}

#[test]
fn caching_notices_it_on_by_default_or_on_a_caller_dependent_field() {
    let s = schema();
    let mut t = template().clone();
    let cache_param = "ApiCacheType";
    t["Parameters"][cache_param]["Default"] = "SMALL".into();
    assert_finds(caching(&Doc::new(t), &s), "caching must be off");
    let fields = resolver_fields(template());
    let cached = fields
        .iter()
        .find(|(_, r)| props(r).get("CachingConfig").is_some())
        .map(|(_, r)| r)
        .expect("a cached resolver");
    let config = props(cached).get("CachingConfig").cloned().expect("config");
    let with_config = |field: &str, config: Value| {
        let (id, _) = all_of(template(), "AWS::AppSync::Resolver")
            .into_iter()
            .find(|(_, r)| {
                let p = props(r);
                format!(
                    "{}.{}",
                    str_prop(p, "TypeName").unwrap_or_default(),
                    str_prop(p, "FieldName").unwrap_or_default()
                ) == field
            })
            .unwrap_or_else(|| panic!("no resolver for {field}"));
        broken(id, |p| {
            p.insert("CachingConfig".into(), config);
        })
    };
    for field in [
        "Event.tickets",
        "Query.listMyEvents",
        "Query.listActivities",
    ] {
        assert_finds(
            caching(&Doc::new(with_config(field, config.clone())), &s),
            "depends on the caller",
        );
    }
    assert_finds(
        caching(
            &Doc::new(with_config("Mutation.bookTicket", config.clone())),
            &s,
        ),
        "only reads",
    );
    assert_finds(
        caching(&Doc::new(with_config("Event.room", config.clone())), &s),
        "BatchInvoke",
    );
    // Keyed by the caller, a per-caller field may be cached.
    let (cond, _) = conditional(&config);
    let keyed = yaml(&format!(
        "!If [{}, {{Ttl: 30, CachingKeys: [\"$context.arguments\", \"$context.identity.sub\"]}}, \
         !Ref AWS::NoValue]",
        cond.expect("conditional")
    ));
    let problems = caching(&Doc::new(with_config("Query.listMyEvents", keyed)), &s);
    assert!(problems.is_empty(), "{problems:?}");
    // Unconditional caching is caching by default.
    let plain = yaml("{Ttl: 30, CachingKeys: [\"$context.arguments\"]}");
    assert_finds(
        caching(&Doc::new(with_config("Query.listRooms", plain)), &s),
        "inside !If",
    );
}

#[test]
fn reserved_concurrency_notices_an_unreserved_aggregator() {
    let agg = all_of(template(), "AWS::Serverless::Function")
        .into_iter()
        .find(|(_, f)| {
            f.get("Metadata")
                .and_then(|m| m.get("BuildProperties"))
                .and_then(|b| str_prop(b, "Binary"))
                .as_deref()
                == Some("aggregator")
        })
        .expect("the aggregator")
        .0;
    let t = broken(agg, |p| {
        p.remove("ReservedConcurrentExecutions");
    });
    assert_finds(
        reserved_concurrency(&Doc::new(t)),
        "ReservedConcurrentExecutions",
    );
}

#[test]
fn api_key_renewal_notices_a_missing_schedule_a_long_expiry_or_no_alarm() {
    let machine = first_of("AWS::StepFunctions::StateMachine");
    let schedule = first_of("AWS::Scheduler::Schedule");
    let t = broken(&schedule, |p| {
        p.insert("ScheduleExpression".into(), "rate(2 days)".into());
    });
    assert_finds(
        api_key_renewal(&Doc::new(t)),
        "no alarm on ExecutionsSucceeded",
    );
    let mut t = template().clone();
    t["Resources"]
        .as_mapping_mut()
        .expect("Resources")
        .remove(schedule.as_str());
    assert_finds(api_key_renewal(&Doc::new(t)), "no rate(..) schedule");
    let t = broken(&machine, |p| {
        let def = serde_yaml_ng::to_string(&p["Definition"]).expect("yaml");
        p.insert(
            "Definition".into(),
            yaml(&def.replace("364 * 86400", "400 * 86400")),
        );
    });
    assert_finds(api_key_renewal(&Doc::new(t)), "N <= 365 days");
}

#[test]
fn the_dashboard_notices_a_missing_alarm_or_metric() {
    let mut t = template().clone();
    t["Resources"].as_mapping_mut().expect("Resources").insert(
        "NewAlarm".into(),
        yaml("{Type: AWS::CloudWatch::Alarm, Properties: {MetricName: X}}"),
    );
    assert_finds(dashboard(&t, &published_metrics()), "NewAlarm");
    assert_finds(
        dashboard(template(), &["NotPublishedAnywhere"]),
        "NotPublishedAnywhere",
    );
}
