//! Local development helpers shared by the `local-setup` binary, the local stack and the
//! tests: the resolvers' `App` over local tables, the Cognito identity AppSync hands a
//! resolver, AppSync events, and seed data.

pub mod seed;

use std::collections::BTreeMap;

use resolvers::appsync::identity::parse_groups;
use resolvers::App;
use serde_json::{json, Map, Value};

/// An `App` over the given table names (env var -> table name, as `stack_template::tables::create_tables`
/// returns them), through the resolvers' one constructor.
pub fn app(db: aws_sdk_dynamodb::Client, tables: &BTreeMap<String, String>, secret: &str) -> App {
    let lookup = |k: &str| match k {
        resolvers::config::PAGE_TOKEN_SECRET => Some(secret.to_string()),
        _ => tables.get(k).cloned(),
    };
    App::from_lookup(db, lookup).expect("every table of the template and a long enough secret")
}

/// The issuer of locally made identities (and of tokens that carry none).
pub const LOCAL_ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LOCAL";

/// The Cognito user-pool identity AppSync hands a resolver for a token with these claims
/// (`sub`, `cognito:username`, `cognito:groups`, `iss`), called from `source_ip`.
pub fn cognito_identity_from_claims(claims: Map<String, Value>, source_ip: &str) -> Value {
    let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);
    let sub = text("sub").unwrap_or_default();
    let username = text("cognito:username")
        .or_else(|| text("username"))
        .unwrap_or_else(|| sub.clone());
    let groups = claims
        .get("cognito:groups")
        .and_then(parse_groups)
        .unwrap_or_default();
    json!({
        "sub": sub,
        "issuer": text("iss").unwrap_or_else(|| LOCAL_ISSUER.to_string()),
        "username": username,
        "claims": Value::Object(claims),
        "sourceIp": [source_ip],
        "defaultAuthStrategy": "ALLOW",
        "groups": if groups.is_empty() { Value::Null } else { json!(groups) },
    })
}

/// A Cognito user-pool identity as AppSync sends it, for a local user.
pub fn cognito_identity(sub: &str, username: &str, groups: &[&str]) -> Value {
    let claims = Map::from_iter([
        ("sub".to_string(), json!(sub)),
        ("cognito:username".to_string(), json!(username)),
        ("cognito:groups".to_string(), json!(groups)),
        ("iss".to_string(), json!(LOCAL_ISSUER)),
    ]);
    cognito_identity_from_claims(claims, "127.0.0.1")
}

/// A Direct Lambda resolver event for one field.
pub fn appsync_event(
    parent: &str,
    field: &str,
    arguments: Value,
    identity: Value,
    source: Value,
) -> Value {
    json!({
        "arguments": arguments, "identity": identity, "source": source,
        "request": { "headers": {}, "domainName": null }, "prev": null, "stash": {},
        "info": { "parentTypeName": parent, "fieldName": field, "variables": {},
                  "selectionSetList": [], "selectionSetGraphQL": "" }
    })
}

/// `event` with the query's selection as AppSync describes it: `paths` as in
/// `selectionSetList` (`items/name`), and a `selectionSetGraphQL` naming the same fields.
pub fn selecting(mut event: Value, paths: &[&str]) -> Value {
    let leaves: Vec<&str> = paths
        .iter()
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .collect();
    event["info"]["selectionSetList"] = json!(paths);
    event["info"]["selectionSetGraphQL"] = json!(format!("{{ {} }}", leaves.join(" ")));
    event
}
