//! The AppSync Direct Lambda contract, typed both ways: the `resolvers` Lambda reads it, the
//! local stack, the dev tools and the fuzz targets build it.
//!
//! Shapes as AWS documents them in "AWS AppSync resolver mapping template context reference"
//! (the `$context` of a resolver, which a Direct Lambda resolver receives as its event) and
//! "Direct Lambda resolvers" / "Lambda resolver event" of the AppSync developer guide.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// One resolver invocation: AppSync's payload for one field of one parent. A BatchInvoke is a
/// JSON array of these, all for the same field.
///
/// `I` is the identity's type: [`Identity`] as AppSync sends it; a reader that refuses a bad
/// identity apart from a bad event reads `Event<Value>` first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<I = Identity> {
    /// The field's arguments (`{}` without any).
    #[serde(default, deserialize_with = "null_as_default")]
    pub arguments: Map<String, Value>,
    pub identity: I,
    /// The parent object of a nested field; null at the root.
    #[serde(default)]
    pub source: Value,
    #[serde(default)]
    pub request: Request,
    /// The previous pipeline function's result; null for a unit resolver.
    #[serde(default)]
    pub prev: Value,
    #[serde(default, deserialize_with = "null_as_default")]
    pub stash: Map<String, Value>,
    pub info: Info,
}

/// The GraphQL request the field belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The HTTP request's headers, names lower-case (`x-amzn-requestid` among them).
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: BTreeMap<String, String>,
    /// The custom domain name, when the API is called through one.
    #[serde(default)]
    pub domain_name: Option<String>,
}

/// Which field is resolved and what the query selects below it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    pub parent_type_name: String,
    pub field_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub variables: Map<String, Value>,
    /// The paths of the fields selected below this one (`items/name`), by response key.
    #[serde(default, deserialize_with = "null_as_default")]
    pub selection_set_list: Vec<String>,
    /// The selection set as GraphQL text (shows aliased fields by their names too).
    #[serde(default, rename = "selectionSetGraphQL")]
    pub selection_set_graphql: String,
}

/// Who calls, per authorization mode. AppSync does not name the mode: each mode's identity has
/// fields the others lack, and the variants are tried in an order where none passes for
/// another (a Cognito identity carries `sub`, `issuer` and `claims` like an OIDC one, so it
/// is tried first, by the `username` OIDC never has).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Identity {
    /// `API_KEY`: the identity is null.
    ApiKey,
    /// `AWS_LAMBDA`: what the Lambda authorizer returned.
    Lambda(LambdaIdentity),
    /// `AWS_IAM`.
    Iam(IamIdentity),
    /// `AMAZON_COGNITO_USER_POOLS`.
    CognitoUserPools(CognitoIdentity),
    /// `OPENID_CONNECT`.
    Oidc(OidcIdentity),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaIdentity {
    pub resolver_context: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IamIdentity {
    pub account_id: String,
    #[serde(default)]
    pub user_arn: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub source_ip: Vec<String>,
    #[serde(default)]
    pub cognito_identity_pool_id: Option<String>,
    #[serde(default)]
    pub cognito_identity_id: Option<String>,
    #[serde(default)]
    pub cognito_identity_auth_type: Option<String>,
    #[serde(default)]
    pub cognito_identity_auth_provider: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoIdentity {
    pub sub: String,
    pub username: String,
    #[serde(default)]
    pub issuer: String,
    /// The token's claims (`cognito:groups`, `cognito:username`, ...).
    #[serde(default, deserialize_with = "null_as_default")]
    pub claims: Map<String, Value>,
    /// A list; local simulators send one string.
    #[serde(default, deserialize_with = "one_or_many")]
    pub source_ip: Vec<String>,
    #[serde(default)]
    pub default_auth_strategy: Option<String>,
    /// The user's groups; null for none. Some simulators leave it out or send one string.
    #[serde(default, deserialize_with = "groups")]
    pub groups: Option<Vec<String>>,
}

impl CognitoIdentity {
    /// The user's groups: `groups`, else the `cognito:groups` claim.
    pub fn groups(&self) -> Vec<String> {
        self.groups
            .clone()
            .filter(|g| !g.is_empty())
            .or_else(|| self.claims.get("cognito:groups").and_then(parse_groups))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcIdentity {
    pub sub: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub claims: Map<String, Value>,
}

/// One item of a BatchInvoke reply, in the order of the events: the field's value, or its
/// error (AppSync reports each item's error on its own).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchItem {
    #[serde(default)]
    pub data: Value,
    #[serde(default)]
    pub error_type: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
}

impl BatchItem {
    pub fn data(data: Value) -> Self {
        Self {
            data,
            ..Self::default()
        }
    }

    pub fn error(error_type: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            data: Value::Null,
            error_type: Some(error_type.into()),
            error_message: Some(message.into()),
        }
    }
}

/// Cognito groups as a `groups` field or a `cognito:groups` claim carries them: a list, or one
/// string ("a,b" or "[a, b]" or "a b") as simulators and some token decoders send it. `None`
/// for anything else.
pub fn parse_groups(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        ),
        Value::String(s) => Some(
            s.trim_matches(|c| c == '[' || c == ']')
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|g| !g.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    })
}

fn groups<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let v = Value::deserialize(d)?;
    match v {
        Value::Null => Ok(None),
        other => parse_groups(&other)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("groups is neither a list nor a string")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn identity(v: Value) -> Identity {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn each_mode_reads_as_itself() {
        assert_eq!(identity(Value::Null), Identity::ApiKey);
        assert!(matches!(
            identity(json!({ "resolverContext": { "sub": "u" } })),
            Identity::Lambda(_)
        ));
        assert!(matches!(
            identity(
                json!({ "accountId": "1", "userArn": "arn", "username": "AIDA",
                             "sub": "u", "sourceIp": ["1.2.3.4"] })
            ),
            Identity::Iam(_)
        ));
        assert!(matches!(
            identity(
                json!({ "sub": "u", "username": "alice", "issuer": "i", "claims": {},
                             "sourceIp": "1.2.3.4", "defaultAuthStrategy": "ALLOW", "groups": null })
            ),
            Identity::CognitoUserPools(_)
        ));
        assert!(matches!(
            identity(json!({ "sub": "o", "issuer": "https://idp.example", "claims": {} })),
            Identity::Oidc(_)
        ));
        assert!(serde_json::from_value::<Identity>(json!({ "username": "alice" })).is_err());
        assert!(serde_json::from_value::<Identity>(json!("root")).is_err());
    }

    #[test]
    fn an_event_round_trips() {
        let event = Event {
            arguments: Map::from_iter([("id".to_string(), json!("e1"))]),
            identity: Identity::CognitoUserPools(CognitoIdentity {
                sub: "u".into(),
                username: "alice".into(),
                groups: Some(vec!["Admin".into()]),
                ..CognitoIdentity::default()
            }),
            source: Value::Null,
            request: Request::default(),
            prev: Value::Null,
            stash: Map::new(),
            info: Info {
                parent_type_name: "Query".into(),
                field_name: "getEvent".into(),
                ..Info::default()
            },
        };
        let v = serde_json::to_value(&event).unwrap();
        assert_eq!(v["info"]["selectionSetGraphQL"], "");
        assert_eq!(v["identity"]["groups"], json!(["Admin"]));
        assert_eq!(serde_json::from_value::<Event>(v).unwrap(), event);
    }

    #[test]
    fn group_claims_parse_as_lists_or_strings() {
        for v in [
            json!(["Admin", "Staff"]),
            json!("Admin,Staff"),
            json!("[Admin, Staff]"),
            json!("Admin Staff"),
        ] {
            assert_eq!(
                parse_groups(&v),
                Some(vec!["Admin".to_string(), "Staff".to_string()]),
                "{v}"
            );
        }
        assert_eq!(parse_groups(&json!(7)), None);
        assert_eq!(parse_groups(&Value::Null), None);
    }
}
