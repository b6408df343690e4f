//! Cognito-style JWTs: reading a token's claims, and making tokens for local use.
//!
//! The signature is not checked locally yet: any well-formed token with a `sub` is accepted
//! and its claims are believed (README says so). Verification against a user pool's keys
//! belongs here when the stack gets one.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Map, Value};

/// The issuer of locally made tokens.
pub const LOCAL_ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LOCAL";

/// What locally made tokens are signed with (nothing checks it: see the module's comment).
const LOCAL_SIGNING_SECRET: &[u8] = b"appsync-local-tokens-are-not-verified";

/// The claims of a JWT (`header.payload.signature`), if it is one and they hold a `sub`.
pub fn decode_claims(token: &str) -> Option<Map<String, Value>> {
    let claims: Map<String, Value> = jsonwebtoken::dangerous::insecure_decode_claims(token).ok()?;
    claims.get("sub").and_then(Value::as_str)?;
    Some(claims)
}

/// A Cognito-style ID token: the claims AppSync reads, valid for a year from `now_epoch_s`.
pub fn make_token(sub: &str, username: &str, groups: &[&str], now_epoch_s: i64) -> String {
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
    let key = EncodingKey::from_secret(LOCAL_SIGNING_SECRET);
    // HS256 over a JSON object with a fixed key cannot fail; an empty string would be
    // refused by every endpoint as "not a token", which is what it would be.
    key.and_then(|key| jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_tokens_read_back_and_junk_does_not() {
        let t = make_token("u-1", "alice", &["Admin"], 1000);
        let claims = decode_claims(&t).unwrap();
        assert_eq!(claims["sub"], "u-1");
        assert_eq!(claims["cognito:groups"], json!(["Admin"]));
        assert_eq!(claims["exp"], 1000 + 365 * 24 * 3600);
        for junk in ["", "garbage", "a.b", "a.b.c.d", "e30.e30.x"] {
            assert!(decode_claims(junk).is_none(), "{junk}");
        }
        // A token without a sub is not a user's.
        let no_sub = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &json!({ "iss": LOCAL_ISSUER }),
            &EncodingKey::from_secret(LOCAL_SIGNING_SECRET).unwrap(),
        )
        .unwrap();
        assert!(decode_claims(&no_sub).is_none());
    }
}
