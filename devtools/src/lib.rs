//! Local development helpers shared by the `local-setup` binary, the local stack and the
//! tests: the resolvers' `App` over local tables, the Cognito identity AppSync hands a
//! resolver, AppSync events, and seed data.

pub mod seed;

use std::collections::BTreeMap;

use appsync_contract::{parse_groups, CognitoIdentity, Event, Identity, Info, Request};
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
pub fn cognito_identity_from_claims(claims: Map<String, Value>, source_ip: &str) -> Identity {
    let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);
    let sub = text("sub").unwrap_or_default();
    let username = text("cognito:username")
        .or_else(|| text("username"))
        .unwrap_or_else(|| sub.clone());
    let groups = claims
        .get("cognito:groups")
        .and_then(parse_groups)
        .filter(|g| !g.is_empty());
    Identity::CognitoUserPools(CognitoIdentity {
        sub,
        issuer: text("iss").unwrap_or_else(|| LOCAL_ISSUER.to_string()),
        username,
        claims,
        source_ip: vec![source_ip.to_string()],
        default_auth_strategy: Some("ALLOW".into()),
        groups,
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
    json(cognito_identity_from_claims(claims, "127.0.0.1"))
}

/// A Direct Lambda resolver event for one field. The identity is JSON, so a test can send
/// one AppSync never would.
pub fn appsync_event(
    parent: &str,
    field: &str,
    arguments: Value,
    identity: Value,
    source: Value,
) -> Value {
    let arguments = match arguments {
        Value::Object(args) => args,
        Value::Null => Map::new(),
        other => panic!("arguments are an object, not {other}"),
    };
    json(Event {
        arguments,
        identity,
        source,
        request: Request::default(),
        prev: Value::Null,
        stash: Map::new(),
        info: Info {
            parent_type_name: parent.into(),
            field_name: field.into(),
            ..Info::default()
        },
    })
}

fn json(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).expect("the contract's types serialise")
}

/// `event` with the query's selection as AppSync describes it: `paths` as in
/// `selectionSetList` (`items/name`), and a `selectionSetGraphQL` naming the same fields.
pub fn selecting(event: Value, paths: &[&str]) -> Value {
    let mut event: Event<Value> = serde_json::from_value(event).expect("an AppSync event");
    let leaves: Vec<&str> = paths
        .iter()
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .collect();
    event.info.selection_set_list = paths.iter().map(|p| p.to_string()).collect();
    event.info.selection_set_graphql = format!("{{ {} }}", leaves.join(" "));
    json(event)
}
