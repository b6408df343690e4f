//! Opaque, tamper-evident page tokens. A token carries where a query stopped (DynamoDB's
//! LastEvaluatedKey, as the store hands it over: plain strings) and an HMAC over it and over
//! the query it belongs to (operation, caller, filters), so a forged, garbled or borrowed
//! token is refused as BadRequest before any read. A leaf: config and handlers use it, the
//! store converts keys to and from [`PageKey`].

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{AppError, AppResult};

type HmacSha256 = Hmac<Sha256>;

/// Where a query stopped: its key attributes by name (every key attribute here is a string).
pub type PageKey = BTreeMap<String, String>;

#[derive(Clone)]
pub struct TokenKey(Vec<u8>);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

pub const MIN_SECRET_LEN: usize = 32;

impl TokenKey {
    pub fn new(secret: &str) -> Result<Self, String> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(format!(
                "the page-token secret must be at least {MIN_SECRET_LEN} characters"
            ));
        }
        Ok(Self(secret.as_bytes().to_vec()))
    }

    fn mac(&self, context: &str, payload: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(context.as_bytes());
        mac.update(&[0]);
        mac.update(payload);
        mac
    }

    /// Seals where a query stopped, for the query named by `context`.
    pub fn seal(&self, context: &str, key: &PageKey) -> AppResult<String> {
        let payload = serde_json::to_vec(key).map_err(|e| AppError::internal(e.to_string()))?;
        let tag = self.mac(context, &payload).finalize().into_bytes();
        Ok(format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        ))
    }

    pub fn open(&self, context: &str, token: &str) -> AppResult<PageKey> {
        let bad = || {
            AppError::BadRequest(
                "nextToken is not valid for this query; pass the nextToken of the previous page \
                 of the same query unchanged, or omit it to start from the first page"
                    .into(),
            )
        };
        let (payload, tag) = token.split_once('.').ok_or_else(bad)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| bad())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| bad())?;
        self.mac(context, &payload)
            .verify_slice(&tag)
            .map_err(|_| bad())?;
        serde_json::from_slice(&payload).map_err(|_| bad())
    }

    pub fn open_opt(&self, context: &str, token: Option<&str>) -> AppResult<Option<PageKey>> {
        token
            .filter(|t| !t.is_empty())
            .map(|t| self.open(context, t))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PageKey {
        PageKey::from([
            ("id".to_string(), "e1".to_string()),
            ("kind".to_string(), "EVENT".to_string()),
        ])
    }

    #[test]
    fn a_token_opens_only_for_its_own_query() {
        let k = TokenKey::new(&"s".repeat(32)).unwrap();
        let token = k.seal("listEvents|ALL", &key()).unwrap();
        assert_eq!(k.open("listEvents|ALL", &token).unwrap(), key());
        assert_eq!(
            k.open("listEvents|PAST", &token).unwrap_err().error_type(),
            "BadRequest"
        );
        let other = TokenKey::new(&"t".repeat(32)).unwrap();
        assert_eq!(
            other
                .open("listEvents|ALL", &token)
                .unwrap_err()
                .error_type(),
            "BadRequest"
        );
    }

    #[test]
    fn garbled_and_forged_tokens_are_bad_requests() {
        let k = TokenKey::new(&"s".repeat(32)).unwrap();
        let token = k.seal("c", &key()).unwrap();
        let (payload, tag) = token.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"{"id":"e2","kind":"EVENT"}"#);
        for t in [
            "",
            "abc",
            "a.b",
            &format!("{forged_payload}.{tag}"),
            &format!("{payload}x.{tag}"),
        ] {
            assert_eq!(
                k.open("c", t).unwrap_err().error_type(),
                "BadRequest",
                "{t}"
            );
        }
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(TokenKey::new("short").is_err());
    }
}
