//! Who is calling, worked out at the edge as AppSync does for an API whose default mode is
//! Cognito user pools with API_KEY as an additional mode: a user-pool token in
//! `Authorization` (verified against the pool's keys: [`jwt`]), or an `x-api-key` header. A
//! request with neither, or with a bad one, is refused with a 401 before anything runs. Field
//! rules are the executor's (`execute::authorize`). The same headers authenticate a real-time
//! connection and each subscription on it.

pub mod jwt;

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::caller::{AuthMode, Caller};
use jwt::Verifier;

/// An HTTP 401 the way AppSync sends it (`x-amzn-ErrorType` and the body's `errorType`), with
/// the reason for the local log.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub message: &'static str,
    /// Why, for the log only (AppSync tells the caller no more than `message`).
    pub reason: String,
}

/// AppSync's error type for every authentication failure.
pub const UNAUTHORIZED: &str = "UnauthorizedException";

impl Rejection {
    fn new(message: &'static str, reason: impl Into<String>) -> Self {
        Self {
            message,
            reason: reason.into(),
        }
    }

    pub fn body(&self) -> Value {
        json!({ "errors": [{ "errorType": UNAUTHORIZED, "message": self.message }] })
    }
}

/// What a request may authenticate with.
pub struct Authenticator {
    pub api_key: String,
    /// The API's user pool; without one every token is refused.
    pub verifier: Option<Verifier>,
}

impl Authenticator {
    /// The caller of a request with these headers (names lower-case).
    pub fn authenticate(
        &self,
        headers: BTreeMap<String, String>,
        source_ip: &str,
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
            let verifier = self.verifier.as_ref().ok_or_else(|| {
                Rejection::new(
                    "Valid authorization header not provided.",
                    "the stack has no user pool",
                )
            })?;
            let claims = verifier
                .verify(token, now_epoch_s)
                .map_err(|invalid| match invalid {
                    jwt::Invalid::Expired(_) => {
                        Rejection::new("Token has expired.", invalid.to_string())
                    }
                    jwt::Invalid::Malformed(_) => Rejection::new(
                        "Valid authorization header not provided.",
                        invalid.to_string(),
                    ),
                    _ => Rejection::new(
                        "You are not authorized to make this call.",
                        invalid.to_string(),
                    ),
                })?;
            return Ok(cognito(claims, source_ip, headers));
        }
        match headers.get("x-api-key") {
            Some(key) if *key == self.api_key => Ok(Caller::api_key(headers)),
            Some(_) => Err(Rejection::new(
                "You are not authorized to make this call.",
                "wrong API key",
            )),
            None => Err(Rejection::new(
                "Valid authorization header not provided.",
                "neither Authorization nor x-api-key",
            )),
        }
    }
}

/// The Cognito user-pool caller: the identity AppSync hands a resolver, built from the token's
/// claims; the groups read as the resolvers read them.
fn cognito(
    claims: serde_json::Map<String, Value>,
    source_ip: &str,
    headers: BTreeMap<String, String>,
) -> Caller {
    let identity = devtools::cognito_identity_from_claims(claims, source_ip);
    let groups = match resolvers::appsync::Caller::from_identity(&identity) {
        Ok(resolvers::appsync::Caller::Cognito { groups, .. }) => groups,
        _ => Vec::new(),
    };
    Caller {
        mode: AuthMode::CognitoUserPools { groups },
        identity,
        headers,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
    use jsonwebtoken::{Algorithm, EncodingKey, Header};

    pub const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST";

    /// A pool of our own: an RSA key, its JWKS, and tokens signed with it.
    pub struct TestPool {
        key: EncodingKey,
        pub jwks: JwkSet,
    }

    impl TestPool {
        pub fn new() -> Self {
            let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key");
            let key = EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes()).unwrap();
            let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).unwrap();
            jwk.common.key_id = Some("k1".into());
            jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
            Self {
                key,
                jwks: JwkSet { keys: vec![jwk] },
            }
        }

        pub fn verifier(&self) -> Verifier {
            Verifier::new(ISSUER, ["client-1".to_string()], &self.jwks).unwrap()
        }

        pub fn sign(&self, claims: &Value) -> String {
            let mut header = Header::new(Algorithm::RS256);
            header.kid = Some("k1".into());
            jsonwebtoken::encode(&header, claims, &self.key).unwrap()
        }

        /// An access token as Cognito issues it.
        pub fn access_token(&self, sub: &str, username: &str, groups: &[&str], exp: i64) -> String {
            let mut claims = json!({
                "sub": sub, "iss": ISSUER, "client_id": "client-1", "token_use": "access",
                "username": username, "exp": exp, "iat": exp - 3600,
            });
            if !groups.is_empty() {
                claims["cognito:groups"] = json!(groups);
            }
            self.sign(&claims)
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn authenticator(pool: &TestPool) -> Authenticator {
        Authenticator {
            api_key: "k".into(),
            verifier: Some(pool.verifier()),
        }
    }

    #[test]
    fn a_token_becomes_the_cognito_identity() {
        let pool = TestPool::new();
        let t = pool.access_token("u-1", "alice", &["Admin"], 2000);
        let caller = authenticator(&pool)
            .authenticate(headers(&[("authorization", &t)]), "10.1.2.3", 1000)
            .unwrap();
        assert_eq!(
            caller.mode,
            AuthMode::CognitoUserPools {
                groups: vec!["Admin".to_string()]
            }
        );
        let identity = &serde_json::to_value(&caller.identity).unwrap();
        assert_eq!(identity["sub"], "u-1");
        assert_eq!(identity["username"], "alice");
        assert_eq!(identity["issuer"], ISSUER);
        assert_eq!(identity["groups"], json!(["Admin"]));
        assert_eq!(identity["sourceIp"], json!(["10.1.2.3"]));
        assert_eq!(identity["claims"]["username"], "alice");
        assert_eq!(identity["defaultAuthStrategy"], "ALLOW");
        // The resolvers read it as the same user.
        let caller = resolvers::appsync::Caller::from_identity(&caller.identity).unwrap();
        assert_eq!(caller.user_id(), Some("u-1"));
        assert!(caller.is_admin());
        // `Bearer` is accepted too, as AppSync accepts it.
        let bearer = format!("Bearer {t}");
        assert!(authenticator(&pool)
            .authenticate(headers(&[("authorization", &bearer)]), "ip", 1000)
            .is_ok());
    }

    #[test]
    fn refusals_are_401s_like_appsync() {
        let pool = TestPool::new();
        let auth = authenticator(&pool);
        let none = auth.authenticate(headers(&[]), "ip", 0).unwrap_err();
        assert_eq!(none.message, "Valid authorization header not provided.");
        assert_eq!(none.body()["errors"][0]["errorType"], UNAUTHORIZED);
        assert!(auth
            .authenticate(headers(&[("authorization", "garbage")]), "ip", 0)
            .is_err());
        assert!(auth
            .authenticate(headers(&[("x-api-key", "wrong")]), "ip", 0)
            .is_err());
        let t = pool.access_token("u", "u", &[], 100);
        let err = auth
            .authenticate(headers(&[("authorization", &t)]), "ip", 100)
            .unwrap_err();
        assert_eq!(err.message, "Token has expired.");
        assert_eq!(
            auth.authenticate(headers(&[("x-api-key", "k")]), "ip", 0)
                .unwrap()
                .mode,
            AuthMode::ApiKey
        );
        // No pool: a token is never believed.
        let no_pool = Authenticator {
            api_key: "k".into(),
            verifier: None,
        };
        let t = pool.access_token("u", "u", &[], 2000);
        assert!(no_pool
            .authenticate(headers(&[("authorization", &t)]), "ip", 1000)
            .is_err());
    }
}
