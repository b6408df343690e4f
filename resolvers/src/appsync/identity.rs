//! The caller, read from the event's verified `identity` and nothing else, one authorization
//! mode at a time (the identity shapes are `appsync_contract::Identity`'s).

use appsync_contract::Identity;

pub use crate::domain::caller::{Caller, ADMIN_GROUP};

impl Caller {
    pub fn from_identity(identity: &Identity) -> Result<Self, String> {
        let present = |sub: &str| {
            (!sub.is_empty())
                .then(|| sub.to_string())
                .ok_or("identity has an empty sub")
        };
        Ok(match identity {
            Identity::ApiKey => Self::Anonymous,
            Identity::Lambda(_) => Self::LambdaAuthorizer,
            Identity::Iam(iam) => Self::Iam {
                user_arn: iam.user_arn.clone(),
            },
            Identity::Oidc(oidc) => Self::Oidc {
                sub: present(&oidc.sub)?,
            },
            Identity::CognitoUserPools(c) => {
                let sub = present(&c.sub)?;
                let username = Some(c.username.as_str())
                    .filter(|u| !u.is_empty())
                    .or_else(|| c.claims.get("cognito:username").and_then(|u| u.as_str()))
                    .unwrap_or(&sub)
                    .to_string();
                Self::Cognito {
                    groups: c.groups(),
                    username,
                    sub,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// The caller of an identity as AppSync sends it (JSON), or why it is refused.
    fn caller(identity: Value) -> Result<Caller, String> {
        let identity: Identity = serde_json::from_value(identity).map_err(|e| e.to_string())?;
        Caller::from_identity(&identity)
    }

    fn cognito(groups: Value, claims: Value, source_ip: Value) -> Value {
        json!({
            "sub": "u-1", "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
            "username": "alice", "claims": claims, "sourceIp": source_ip,
            "defaultAuthStrategy": "ALLOW", "groups": groups
        })
    }

    #[test]
    fn api_key_identity_is_null_and_anonymous() {
        assert_eq!(caller(Value::Null).unwrap(), Caller::Anonymous);
        assert_eq!(Caller::Anonymous.user_id(), None);
    }

    #[test]
    fn cognito_with_groups_list() {
        let c = caller(cognito(json!(["Admin"]), json!({}), json!(["1.2.3.4"]))).unwrap();
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
            assert!(caller(id.clone()).unwrap().is_admin(), "{claim}");
            id.as_object_mut().unwrap().remove("groups");
            assert!(caller(id).unwrap().is_admin(), "{claim} without groups key");
        }
    }

    #[test]
    fn cognito_without_groups_is_not_admin() {
        let c = caller(cognito(Value::Null, json!({}), json!("1.2.3.4"))).unwrap();
        assert!(!c.is_admin());
        assert_eq!(c.user_id(), Some("u-1"));
    }

    #[test]
    fn a_group_named_like_admin_is_not_admin() {
        let c = caller(cognito(json!(["admin", "Admins"]), json!({}), json!([]))).unwrap();
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
        let c = caller(id).unwrap();
        assert!(matches!(c, Caller::Iam { .. }));
        assert_eq!(c.user_id(), None);
        assert!(!c.is_admin());
    }

    #[test]
    fn oidc_identity_is_a_user_without_groups() {
        let id = json!({ "claims": { "sub": "o-1", "cognito:groups": ["Admin"] }, "issuer": "https://idp.example", "sub": "o-1" });
        let c = caller(id).unwrap();
        assert_eq!(c, Caller::Oidc { sub: "o-1".into() });
        assert!(!c.is_admin(), "an OIDC token cannot claim a Cognito group");
    }

    #[test]
    fn lambda_authorizer_is_not_a_user() {
        let c = caller(json!({ "resolverContext": { "sub": "u-1" } })).unwrap();
        assert_eq!(c, Caller::LambdaAuthorizer);
        assert_eq!(c.user_id(), None);
    }

    #[test]
    fn malformed_identities_are_errors_not_panics() {
        assert!(caller(json!("alice")).is_err());
        assert!(caller(json!({ "username": "alice" })).is_err());
        assert!(caller(json!({ "sub": "", "username": "alice" })).is_err());
    }
}
