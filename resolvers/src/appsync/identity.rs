//! The caller, read from the event's `identity` and nothing else.
//!
//! AppSync sends one of five shapes (REFERENCE.md). We tell them apart by the fields only
//! that shape has, in an order where no shape can pass for another: a Cognito identity also
//! carries `sub`, `issuer` and `claims` like OIDC, so Cognito is recognised first by the
//! fields OIDC never has.

use serde_json::Value;

pub use crate::domain::caller::{Caller, ADMIN_GROUP};

impl Caller {
    pub fn from_identity(identity: &Value) -> Result<Self, String> {
        let obj = match identity {
            Value::Null => return Ok(Self::Anonymous),
            Value::Object(obj) => obj,
            _ => return Err("identity is neither null nor an object".into()),
        };
        let text = |k: &str| obj.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
        if obj.contains_key("resolverContext") {
            return Ok(Self::LambdaAuthorizer);
        }
        if let Some(arn) = text("userArn") {
            return Ok(Self::Iam {
                user_arn: arn.to_string(),
            });
        }
        if obj.contains_key("accountId") {
            return Ok(Self::Iam {
                user_arn: String::new(),
            });
        }
        let sub = text("sub").ok_or("identity has no sub")?;
        let issuer = text("issuer").unwrap_or("");
        let cognito = obj.contains_key("defaultAuthStrategy")
            || obj.contains_key("username")
            || issuer.contains("cognito-idp.");
        if !cognito {
            return Ok(Self::Oidc {
                sub: sub.to_string(),
            });
        }
        let username = text("username")
            .or_else(|| {
                obj.get("claims")
                    .and_then(|c| c.get("cognito:username"))
                    .and_then(Value::as_str)
            })
            .unwrap_or(sub)
            .to_string();
        Ok(Self::Cognito {
            sub: sub.to_string(),
            username,
            groups: groups(obj),
        })
    }
}

/// Cognito groups as a `groups` field or a `cognito:groups` claim carries them: a list, or one
/// string ("a,b" or "[a, b]" or "a b") as simulators and some token decoders send it. `None`
/// for anything else. The local stack reads a token's claim with this too.
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

/// Groups from `groups`, else from the `cognito:groups` claim.
fn groups(obj: &serde_json::Map<String, Value>) -> Vec<String> {
    obj.get("groups")
        .and_then(parse_groups)
        .filter(|g| !g.is_empty())
        .or_else(|| {
            obj.get("claims")
                .and_then(|c| c.get("cognito:groups"))
                .and_then(parse_groups)
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cognito(groups: Value, claims: Value, source_ip: Value) -> Value {
        json!({
            "sub": "u-1", "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
            "username": "alice", "claims": claims, "sourceIp": source_ip,
            "defaultAuthStrategy": "ALLOW", "groups": groups
        })
    }

    #[test]
    fn api_key_identity_is_null_and_anonymous() {
        assert_eq!(
            Caller::from_identity(&Value::Null).unwrap(),
            Caller::Anonymous
        );
        assert_eq!(Caller::Anonymous.user_id(), None);
    }

    #[test]
    fn cognito_with_groups_list() {
        let c = Caller::from_identity(&cognito(json!(["Admin"]), json!({}), json!(["1.2.3.4"])))
            .unwrap();
        assert_eq!(
            c,
            Caller::Cognito {
                sub: "u-1".into(),
                username: "alice".into(),
                groups: vec!["Admin".into()]
            }
        );
        assert!(c.is_admin());
        assert_eq!(c.user_id(), Some("u-1"));
    }

    #[test]
    fn cognito_groups_from_claims_when_groups_missing_or_null() {
        for claim in [
            json!(["Admin", "Staff"]),
            json!("Admin,Staff"),
            json!("[Admin Staff]"),
        ] {
            let mut id = cognito(
                Value::Null,
                json!({ "cognito:groups": claim }),
                json!("10.0.0.1"),
            );
            assert!(Caller::from_identity(&id).unwrap().is_admin(), "{claim}");
            id.as_object_mut().unwrap().remove("groups");
            assert!(
                Caller::from_identity(&id).unwrap().is_admin(),
                "{claim} without groups key"
            );
        }
    }

    #[test]
    fn cognito_without_groups_is_not_admin() {
        let c = Caller::from_identity(&cognito(Value::Null, json!({}), json!("1.2.3.4"))).unwrap();
        assert!(!c.is_admin());
        assert_eq!(c.user_id(), Some("u-1"));
    }

    #[test]
    fn a_group_named_like_admin_is_not_admin() {
        let c = Caller::from_identity(&cognito(json!(["admin", "Admins"]), json!({}), json!([])))
            .unwrap();
        assert!(!c.is_admin());
    }

    #[test]
    fn iam_identity_is_not_a_user_even_with_cognito_fields() {
        let id = json!({
            "accountId": "123456789012", "userArn": "arn:aws:iam::123456789012:user/ops",
            "username": "AIDAXXXX", "sourceIp": ["1.2.3.4"],
            "cognitoIdentityPoolId": null, "cognitoIdentityId": null,
            "cognitoIdentityAuthType": null, "cognitoIdentityAuthProvider": null
        });
        let c = Caller::from_identity(&id).unwrap();
        assert!(matches!(c, Caller::Iam { .. }));
        assert_eq!(c.user_id(), None);
        assert!(!c.is_admin());
    }

    #[test]
    fn oidc_identity_is_a_user_without_groups() {
        let id = json!({ "claims": { "sub": "o-1", "cognito:groups": ["Admin"] }, "issuer": "https://idp.example", "sub": "o-1" });
        let c = Caller::from_identity(&id).unwrap();
        assert_eq!(c, Caller::Oidc { sub: "o-1".into() });
        assert!(!c.is_admin(), "an OIDC token cannot claim a Cognito group");
    }

    #[test]
    fn lambda_authorizer_is_not_a_user() {
        let c = Caller::from_identity(&json!({ "resolverContext": { "sub": "u-1" } })).unwrap();
        assert_eq!(c, Caller::LambdaAuthorizer);
        assert_eq!(c.user_id(), None);
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

    #[test]
    fn malformed_identities_are_errors_not_panics() {
        assert!(Caller::from_identity(&json!("alice")).is_err());
        assert!(Caller::from_identity(&json!({ "username": "alice" })).is_err());
    }
}
