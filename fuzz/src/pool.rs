//! A user pool of the fuzz targets' own: an RSA key made once per process, its JWKS as the
//! local endpoint's verifier reads it, and tokens signed with it. The fuzzer cannot sign, so
//! the targets sign what they need here (a user's token for the endpoint; the input's own
//! claims for the JWT checks).

use std::sync::OnceLock;

use appsync_local::auth::jwt::Verifier;
use appsync_local::auth::Authenticator;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

pub const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_FUZZ";
/// The pool's one app client.
pub const CLIENT: &str = "fuzz-web";
const KID: &str = "fuzz-key";

pub struct Pool {
    key: EncodingKey,
    jwks: JwkSet,
}

pub fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("an RSA key");
        let key = EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes()).expect("PEM");
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).expect("a JWK");
        jwk.common.key_id = Some(KID.into());
        jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
        Pool {
            key,
            jwks: JwkSet { keys: vec![jwk] },
        }
    })
}

impl Pool {
    /// How the local endpoint authenticates against this pool, with `api_key` as its key.
    pub fn authenticator(&self, api_key: &str) -> Authenticator {
        Authenticator {
            api_key: api_key.into(),
            verifier: Some(
                Verifier::new(ISSUER, [CLIENT.to_string()], &self.jwks).expect("the JWKS"),
            ),
        }
    }

    /// `claims` signed as the pool signs (RS256, its key id).
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(KID.into());
        jsonwebtoken::encode(&header, claims, &self.key).expect("signed")
    }

    /// An access token as Cognito issues it to the app client, valid until `exp`.
    pub fn access_token(&self, sub: &str, username: &str, groups: &[&str], exp: i64) -> String {
        let mut claims = json!({
            "sub": sub, "iss": ISSUER, "client_id": CLIENT, "token_use": "access",
            "username": username, "exp": exp, "iat": exp - 3600,
        });
        if !groups.is_empty() {
            claims["cognito:groups"] = json!(groups);
        }
        self.sign(&claims)
    }
}
