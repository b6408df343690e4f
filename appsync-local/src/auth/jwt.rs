//! Cognito user-pool tokens, verified as AppSync verifies them: an RS256 signature by one of
//! the pool's keys (its JWKS), the pool as issuer, `token_use` `id` or `access` (Amplify v6
//! sends the access token), not expired, and issued to one of the pool's app clients (`aud`
//! in an ID token, `client_id` in an access token). Anything else is refused, with the reason
//! kept for the log: the caller gets AppSync's 401.

use std::collections::{BTreeSet, HashMap};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Why a token was refused (logged; the HTTP answer is AppSync's generic 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("not a JWT: {0}")]
    Malformed(String),
    #[error("algorithm {0} (user pools sign with RS256)")]
    Algorithm(String),
    #[error("signed by key {0:?}, which is not one of the pool's")]
    UnknownKey(Option<String>),
    #[error("the signature does not verify: {0}")]
    Signature(String),
    #[error("issued by {0:?}, not by this API's user pool")]
    Issuer(Option<String>),
    #[error("token_use {0:?} (id or access expected)")]
    TokenUse(Option<String>),
    #[error("issued to client {0:?}, not one of the pool's app clients")]
    Client(Option<String>),
    #[error("no sub")]
    NoSubject,
    #[error("expired at {0}")]
    Expired(i64),
}

/// The pool's keys and what a token must name.
pub struct Verifier {
    issuer: String,
    clients: BTreeSet<String>,
    keys: HashMap<String, DecodingKey>,
}

impl Verifier {
    /// `jwks`: the pool's published keys; `clients`: the app client ids tokens may be issued to.
    pub fn new(
        issuer: impl Into<String>,
        clients: impl IntoIterator<Item = String>,
        jwks: &JwkSet,
    ) -> Result<Self> {
        let mut keys = HashMap::new();
        for jwk in &jwks.keys {
            let kid = jwk.common.key_id.clone().unwrap_or_default();
            let key = DecodingKey::from_jwk(jwk)
                .map_err(|e| Error::UserPool(format!("JWKS key {kid:?}: {e}")))?;
            keys.insert(kid, key);
        }
        if keys.is_empty() {
            return Err(Error::UserPool("the pool's JWKS holds no key".into()));
        }
        Ok(Self {
            issuer: issuer.into(),
            clients: clients.into_iter().collect(),
            keys,
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The token's claims, if the pool issued it to one of its clients and it is valid at
    /// `now_epoch_s`.
    pub fn verify(&self, token: &str, now_epoch_s: i64) -> Result<Map<String, Value>, Invalid> {
        // Cognito's tokens are unpadded base64url; a padded one was altered on the way.
        if token.contains('=') {
            return Err(Invalid::Malformed("padded base64".into()));
        }
        let header = jsonwebtoken::decode_header(token).map_err(|e| {
            // `alg: none` and other algorithms jsonwebtoken does not know fail here.
            Invalid::Malformed(e.to_string())
        })?;
        if header.alg != Algorithm::RS256 {
            return Err(Invalid::Algorithm(format!("{:?}", header.alg)));
        }
        let key = self
            .keys
            .get(header.kid.as_deref().unwrap_or_default())
            .ok_or_else(|| Invalid::UnknownKey(header.kid.clone()))?;
        let mut validation = Validation::new(Algorithm::RS256);
        // Checked below, against the caller's clock and with Cognito's claim names.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
            .map_err(|e| Invalid::Signature(e.to_string()))?;
        let claims = data.claims;
        let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);

        if text("iss").as_deref() != Some(self.issuer.as_str()) {
            return Err(Invalid::Issuer(text("iss")));
        }
        let client = match text("token_use").as_deref() {
            Some("access") => text("client_id"),
            Some("id") => text("aud"),
            _ => return Err(Invalid::TokenUse(text("token_use"))),
        };
        if !client.as_ref().is_some_and(|c| self.clients.contains(c)) {
            return Err(Invalid::Client(client));
        }
        if text("sub").is_none() {
            return Err(Invalid::NoSubject);
        }
        match claims.get("exp").and_then(Value::as_i64) {
            Some(exp) if exp > now_epoch_s => Ok(claims),
            Some(exp) => Err(Invalid::Expired(exp)),
            None => Err(Invalid::Expired(0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::tests::{TestPool, ISSUER};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use serde_json::json;

    fn claims(token_use: &str, client_field: &str) -> Value {
        json!({
            "sub": "u-1", "iss": ISSUER, "token_use": token_use, client_field: "client-1",
            "exp": 2000, "cognito:username": "alice",
        })
    }

    /// `token` with its payload replaced, the signature kept.
    fn with_payload(token: &str, payload: &Value) -> String {
        let parts: Vec<&str> = token.split('.').collect();
        let body = URL_SAFE_NO_PAD.encode(payload.to_string());
        format!("{}.{body}.{}", parts[0], parts[2])
    }

    #[test]
    fn id_and_access_tokens_of_the_pools_clients_verify() {
        let pool = TestPool::new();
        let v = pool.verifier();
        let id = pool.sign(&claims("id", "aud"));
        assert_eq!(v.verify(&id, 1000).unwrap()["cognito:username"], "alice");
        let access = pool.access_token("u-1", "alice", &[], 2000);
        assert_eq!(v.verify(&access, 1000).unwrap()["username"], "alice");
    }

    #[test]
    fn what_appsync_refuses_is_refused() {
        let pool = TestPool::new();
        let v = pool.verifier();
        let good = pool.access_token("u-1", "alice", &[], 2000);

        // alg none, claims of a real token: no signature to check, refused.
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let payload = good.split('.').nth(1).unwrap();
        assert!(matches!(
            v.verify(&format!("{header}.{payload}."), 1000),
            Err(Invalid::Malformed(_) | Invalid::Algorithm(_))
        ));
        // HS256 with anything as the secret.
        let hs = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &claims("access", "client_id"),
            &jsonwebtoken::EncodingKey::from_secret(b"guess").unwrap(),
        )
        .unwrap();
        assert!(matches!(v.verify(&hs, 1000), Err(Invalid::Algorithm(_))));
        // A real token with more privileges written into it.
        let mut admin = claims("access", "client_id");
        admin["cognito:groups"] = json!(["Admin"]);
        assert!(matches!(
            v.verify(&with_payload(&good, &admin), 1000),
            Err(Invalid::Signature(_))
        ));
        // Signed by another pool's key.
        let other = TestPool::new();
        assert!(matches!(
            v.verify(&other.access_token("u-1", "alice", &[], 2000), 1000),
            Err(Invalid::Signature(_))
        ));
        // The right key, another issuer (moto signs every pool with one key).
        let mut foreign = claims("access", "client_id");
        foreign["iss"] = json!("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER");
        assert!(matches!(
            v.verify(&pool.sign(&foreign), 1000),
            Err(Invalid::Issuer(_))
        ));
        // A client that is not the pool's, in either claim.
        let mut stranger = claims("access", "client_id");
        stranger["client_id"] = json!("client-9");
        assert!(matches!(
            v.verify(&pool.sign(&stranger), 1000),
            Err(Invalid::Client(_))
        ));
        assert!(matches!(
            v.verify(&pool.sign(&claims("id", "client_id")), 1000),
            Err(Invalid::Client(None))
        ));
        // Not an id or access token.
        assert!(matches!(
            v.verify(&pool.sign(&claims("refresh", "client_id")), 1000),
            Err(Invalid::TokenUse(_))
        ));
        // Expired, at the second.
        assert!(matches!(v.verify(&good, 2000), Err(Invalid::Expired(2000))));
        // Padded base64, an unknown key id.
        assert!(matches!(
            v.verify(&format!("{good}="), 1000),
            Err(Invalid::Malformed(_))
        ));
        let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
        header.kid = Some("k2".into());
        let unknown_kid = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap()),
            good.split_once('.').unwrap().1
        );
        assert!(matches!(
            v.verify(&unknown_kid, 1000),
            Err(Invalid::UnknownKey(Some(_)))
        ));
    }
}
