//! Local development helpers shared by the `local-setup` binary and the tests.

pub mod seed;

use resolvers::{App, Tables, TokenKey};
use std::collections::BTreeMap;

/// An `App` over the given table names (env var -> table name, as `testkit::create_tables`
/// returns them).
pub fn app(db: aws_sdk_dynamodb::Client, tables: &BTreeMap<String, String>, secret: &str) -> App {
    let tables =
        Tables::from_lookup(|k| tables.get(k).cloned()).expect("every table of the template");
    App::new(
        db,
        tables,
        TokenKey::new(secret).expect("a long enough secret"),
    )
}

/// A Cognito user-pool identity as AppSync sends it.
pub fn cognito_identity(sub: &str, username: &str, groups: &[&str]) -> serde_json::Value {
    let issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LOCAL";
    let groups_v = if groups.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::json!(groups)
    };
    serde_json::json!({
        "sub": sub, "issuer": issuer, "username": username,
        "claims": { "sub": sub, "cognito:username": username, "cognito:groups": groups, "iss": issuer },
        "sourceIp": ["127.0.0.1"], "defaultAuthStrategy": "ALLOW", "groups": groups_v
    })
}

/// A Direct Lambda resolver event for one field.
pub fn appsync_event(
    parent: &str,
    field: &str,
    arguments: serde_json::Value,
    identity: serde_json::Value,
    source: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "arguments": arguments, "identity": identity, "source": source,
        "request": { "headers": {}, "domainName": null }, "prev": null, "stash": {},
        "info": { "parentTypeName": parent, "fieldName": field, "variables": {},
                  "selectionSetList": [], "selectionSetGraphQL": "" }
    })
}
