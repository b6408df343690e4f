//! Who is calling, as AppSync works it out for an API whose default mode is Cognito user pools
//! with API_KEY as an additional mode: a JWT in `Authorization` (its signature is not checked
//! locally) or an `x-api-key` header. A request with neither is refused before anything runs.
//!
//! Field-level rules (`@aws_api_key`, `@aws_cognito_user_pools`) are applied by the executor
//! through [`Auth::allowed`].

use std::collections::BTreeMap;

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Map, Value};

/// The issuer of locally made tokens (and of tokens that carry none).
pub const LOCAL_ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LOCAL";

#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// `identity` is what the Lambda receives; `groups` is `cognito:groups`.
    Cognito {
        identity: Value,
        groups: Vec<String>,
    },
    /// API key: the identity is null.
    ApiKey,
}

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

impl Auth {
    pub fn identity(&self) -> Value {
        match self {
            Self::Cognito { identity, .. } => identity.clone(),
            Self::ApiKey => Value::Null,
        }
    }

    pub fn mode(&self) -> &'static str {
        match self {
            Self::Cognito { .. } => "AMAZON_COGNITO_USER_POOLS",
            Self::ApiKey => "API_KEY",
        }
    }

    /// Whether this caller may resolve a field, given the AWS auth directives on the field
    /// (`field_directives`) and on its parent type (`type_directives`), each as
    /// (directive name, `cognito_groups` if given). The field's directives win; with none on
    /// either, only the default mode (Cognito user pools) may.
    pub fn allowed(
        &self,
        field_directives: &[(String, Option<Vec<String>>)],
        type_directives: &[(String, Option<Vec<String>>)],
    ) -> bool {
        let rules = if !field_directives.is_empty() {
            field_directives
        } else {
            type_directives
        };
        if rules.is_empty() {
            return matches!(self, Self::Cognito { .. });
        }
        rules
            .iter()
            .any(|(name, groups)| match (self, name.as_str()) {
                (Self::ApiKey, "aws_api_key") => true,
                (Self::Cognito { groups: mine, .. }, "aws_cognito_user_pools" | "aws_auth") => {
                    match groups {
                        Some(wanted) => wanted.iter().any(|g| mine.contains(g)),
                        None => true,
                    }
                }
                _ => false,
            })
    }
}

/// Works out the caller from the request headers (names lower-case).
pub fn authenticate(
    headers: &BTreeMap<String, String>,
    source_ip: &str,
    api_key: &str,
    now_epoch_s: i64,
) -> Result<Auth, Rejection> {
    if let Some(token) = headers
        .get("authorization")
        .filter(|t| !t.trim().is_empty())
    {
        let token = token.trim();
        let token = token
            .strip_prefix("Bearer ")
            .or_else(|| token.strip_prefix("bearer "))
            .unwrap_or(token);
        let claims = decode_claims(token).ok_or(Rejection {
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
        return Ok(cognito(claims, source_ip));
    }
    if let Some(key) = headers.get("x-api-key") {
        return if key == api_key {
            Ok(Auth::ApiKey)
        } else {
            Err(Rejection {
                message: "You are not authorized to make this call.",
            })
        };
    }
    Err(Rejection {
        message: "Valid authorization header not provided.",
    })
}

/// The payload of a JWT (`header.payload.signature`), if it is a JSON object with a `sub`.
pub fn decode_claims(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(payload))
        .ok()?;
    match serde_json::from_slice::<Value>(&bytes).ok()? {
        Value::Object(claims) if claims.get("sub").and_then(Value::as_str).is_some() => {
            Some(claims)
        }
        _ => None,
    }
}

/// The Cognito user-pool identity AppSync hands a resolver.
fn cognito(claims: Map<String, Value>, source_ip: &str) -> Auth {
    let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);
    let sub = text("sub").unwrap_or_default();
    let username = text("cognito:username")
        .or_else(|| text("username"))
        .unwrap_or_else(|| sub.clone());
    let groups: Vec<String> = match claims.get("cognito:groups") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    let identity = json!({
        "sub": sub,
        "issuer": text("iss").unwrap_or_else(|| LOCAL_ISSUER.to_string()),
        "username": username,
        "claims": Value::Object(claims),
        "sourceIp": [source_ip],
        "defaultAuthStrategy": "ALLOW",
        "groups": if groups.is_empty() { Value::Null } else { json!(groups) },
    });
    Auth::Cognito { identity, groups }
}

/// A Cognito-style ID token for local use: the claims AppSync reads, an unchecked signature.
pub fn make_token(sub: &str, username: &str, groups: &[&str], now_epoch_s: i64) -> String {
    let header = json!({ "alg": "RS256", "kid": "local", "typ": "JWT" });
    let mut claims = json!({
        "sub": sub,
        "cognito:username": username,
        "iss": LOCAL_ISSUER,
        "aud": "local",
        "token_use": "id",
        "auth_time": now_epoch_s,
        "iat": now_epoch_s,
        "exp": now_epoch_s + 365 * 24 * 3600,
    });
    if !groups.is_empty() {
        claims["cognito:groups"] = json!(groups);
    }
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default());
    format!(
        "{}.{}.{}",
        enc(&header),
        enc(&claims),
        URL_SAFE_NO_PAD.encode(b"local-signature-not-checked")
    )
}

#[cfg(test)]
mod tests {
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
        let auth = authenticate(&headers(&[("authorization", &t)]), "10.1.2.3", "k", 1000).unwrap();
        let Auth::Cognito { identity, groups } = &auth else {
            panic!("{auth:?}")
        };
        assert_eq!(groups, &vec!["Admin".to_string()]);
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
        let none = authenticate(&headers(&[]), "ip", "k", 0).unwrap_err();
        assert_eq!(none.message, "Valid authorization header not provided.");
        assert_eq!(
            none.body()["errors"][0]["errorType"],
            "UnauthorizedException"
        );
        assert!(authenticate(&headers(&[("authorization", "garbage")]), "ip", "k", 0).is_err());
        assert!(authenticate(&headers(&[("x-api-key", "wrong")]), "ip", "k", 0).is_err());
        let expired = make_token("u", "u", &[], 0);
        let err = authenticate(
            &headers(&[("authorization", &expired)]),
            "ip",
            "k",
            i64::MAX,
        )
        .unwrap_err();
        assert_eq!(err.message, "Token has expired.");
        assert_eq!(
            authenticate(&headers(&[("x-api-key", "k")]), "ip", "k", 0).unwrap(),
            Auth::ApiKey
        );
    }

    #[test]
    fn directives_decide_per_field() {
        let key = Auth::ApiKey;
        let user = Auth::Cognito {
            identity: Value::Null,
            groups: vec![],
        };
        let admin = Auth::Cognito {
            identity: Value::Null,
            groups: vec!["Admin".into()],
        };
        let d = |n: &str| (n.to_string(), None);
        // No directives anywhere: the default mode only.
        assert!(user.allowed(&[], &[]));
        assert!(!key.allowed(&[], &[]));
        // Type directives apply when the field has none.
        let public = [d("aws_api_key"), d("aws_cognito_user_pools")];
        assert!(key.allowed(&[], &public));
        // The field's own directives win over the type's.
        assert!(!key.allowed(&[d("aws_cognito_user_pools")], &public));
        assert!(!user.allowed(&[d("aws_api_key")], &[]));
        let admins = [(
            "aws_cognito_user_pools".to_string(),
            Some(vec!["Admin".to_string()]),
        )];
        assert!(admin.allowed(&admins, &[]));
        assert!(!user.allowed(&admins, &[]));
    }
}
