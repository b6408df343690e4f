//! Who is calling, worked out at the edge as AppSync does for an API whose default mode is
//! Cognito user pools with API_KEY as an additional mode: a JWT in `Authorization`, or an
//! `x-api-key` header. A request with neither, or with a bad one, is refused with a 401 before
//! anything runs. Field rules are the executor's (`execute::authorize`).

pub mod jwt;

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::caller::{AuthMode, Caller};

/// An HTTP 401 the way AppSync sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub message: &'static str,
}

impl Rejection {
    pub fn body(&self) -> Value {
        json!({ "errors": [{ "errorType": "UnauthorizedException", "message": self.message }] })
    }
}

/// The caller of a request with these headers (names lower-case).
pub fn authenticate(
    headers: BTreeMap<String, String>,
    source_ip: &str,
    api_key: &str,
    now_epoch_s: i64,
) -> Result<Caller, Rejection> {
    if let Some(token) = headers
        .get("authorization")
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
    {
        let token = token
            .strip_prefix("Bearer ")
            .or_else(|| token.strip_prefix("bearer "))
            .unwrap_or(token);
        let claims = jwt::decode_claims(token).ok_or(Rejection {
            message: "Valid authorization header not provided.",
        })?;
        if claims
            .get("exp")
            .and_then(Value::as_i64)
            .is_some_and(|exp| exp <= now_epoch_s)
        {
            return Err(Rejection {
                message: "Token has expired.",
            });
        }
        return Ok(cognito(claims, source_ip, headers));
    }
    match headers.get("x-api-key") {
        Some(key) if key == api_key => Ok(Caller::api_key(headers)),
        Some(_) => Err(Rejection {
            message: "You are not authorized to make this call.",
        }),
        None => Err(Rejection {
            message: "Valid authorization header not provided.",
        }),
    }
}

/// The Cognito user-pool caller: the identity AppSync hands a resolver, built from the token's
/// claims; the groups read as the resolvers read them.
fn cognito(
    claims: serde_json::Map<String, Value>,
    source_ip: &str,
    headers: BTreeMap<String, String>,
) -> Caller {
    let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);
    let sub = text("sub").unwrap_or_default();
    let username = text("cognito:username")
        .or_else(|| text("username"))
        .unwrap_or_else(|| sub.clone());
    let mut identity = devtools::cognito_identity(&sub, &username, &[]);
    identity["issuer"] = json!(text("iss").unwrap_or_else(|| jwt::LOCAL_ISSUER.to_string()));
    identity["claims"] = Value::Object(claims);
    identity["sourceIp"] = json!([source_ip]);
    let groups = match resolvers::appsync::Caller::from_identity(&identity) {
        Ok(resolvers::appsync::Caller::Cognito { groups, .. }) => groups,
        _ => Vec::new(),
    };
    if !groups.is_empty() {
        identity["groups"] = json!(groups);
    }
    Caller {
        mode: AuthMode::CognitoUserPools { groups },
        identity,
        headers,
    }
}

#[cfg(test)]
mod tests {
    use super::jwt::make_token;
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_token_becomes_the_cognito_identity() {
        let t = make_token("u-1", "alice", &["Admin"], 1000);
        let caller =
            authenticate(headers(&[("authorization", &t)]), "10.1.2.3", "k", 1000).unwrap();
        assert_eq!(
            caller.mode,
            AuthMode::CognitoUserPools {
                groups: vec!["Admin".to_string()]
            }
        );
        let identity = &caller.identity;
        assert_eq!(identity["sub"], "u-1");
        assert_eq!(identity["username"], "alice");
        assert_eq!(identity["groups"], json!(["Admin"]));
        assert_eq!(identity["sourceIp"], json!(["10.1.2.3"]));
        assert_eq!(identity["claims"]["cognito:username"], "alice");
        assert_eq!(identity["defaultAuthStrategy"], "ALLOW");
        // The resolvers read it as the same user.
        let caller = resolvers::appsync::Caller::from_identity(identity).unwrap();
        assert_eq!(caller.user_id(), Some("u-1"));
        assert!(caller.is_admin());
    }

    #[test]
    fn refusals_are_401s_like_appsync() {
        let none = authenticate(headers(&[]), "ip", "k", 0).unwrap_err();
        assert_eq!(none.message, "Valid authorization header not provided.");
        assert_eq!(
            none.body()["errors"][0]["errorType"],
            "UnauthorizedException"
        );
        assert!(authenticate(headers(&[("authorization", "garbage")]), "ip", "k", 0).is_err());
        assert!(authenticate(headers(&[("x-api-key", "wrong")]), "ip", "k", 0).is_err());
        let expired = make_token("u", "u", &[], 0);
        let err =
            authenticate(headers(&[("authorization", &expired)]), "ip", "k", i64::MAX).unwrap_err();
        assert_eq!(err.message, "Token has expired.");
        assert_eq!(
            authenticate(headers(&[("x-api-key", "k")]), "ip", "k", 0)
                .unwrap()
                .mode,
            AuthMode::ApiKey
        );
    }
}
