//! `jwt_scalars`: the local endpoint's token reading and authentication, and AppSync's
//! scalar checks next to the one time rule (`model::time`) the resolvers store by.
//!
//! The input is one string. Properties:
//! - as an `Authorization` value it is refused as AppSync refuses (a 401 body with
//!   `UnauthorizedException`), never a panic: nothing the pool did not sign passes, `alg:
//!   none`, other algorithms and other keys included; so is a token of the pool whose payload
//!   was replaced by it;
//! - as a JSON object of claims, signed by the pool, it is accepted exactly when Cognito's
//!   rules hold (the pool as issuer, `token_use` `access` with the app client as `client_id`
//!   or `id` with it as `aud`, a `sub`, an `exp` after now); an accepted token's caller is, to
//!   the resolvers, the user its `sub` names (nobody when the `sub` is empty: the resolvers
//!   refuse it), with the groups the endpoint saw;
//! - only the API key is the API key;
//! - every AWS scalar check answers any value (as a string and as the JSON it may hold);
//! - a time the resolvers accept is stored fixed-width and reads back to the same instant, and
//!   its UTC day (the aggregate's key) is an AWSDate of exactly ten characters; when AppSync
//!   accepts the time too (so it can reach the resolvers), AppSync accepts the stored form
//!   as well, so the answer is never refused by its own scalar; a date the resolvers accept
//!   is an AWSDate. (A leap second, `23:59:60`, is the one time the resolvers take that
//!   AppSync refuses, at its door: it never reaches them.)

use std::collections::BTreeMap;
use std::sync::OnceLock;

use appsync_contract::Identity;
use appsync_local::auth::{Authenticator, UNAUTHORIZED};
use appsync_local::caller::AuthMode;
use appsync_local::graphql::scalars::{check, is_aws_scalar, PRELUDE};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use model::time::{format_timestamp, parse_date, parse_timestamp};
use serde_json::{Map, Value};

use crate::pool::{pool, CLIENT, ISSUER};

pub fn run(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();
    tokens(s);
    scalars(s);
    times(s);
}

/// The endpoint's clock in these checks.
const NOW: i64 = 1_795_000_000;
const API_KEY: &str = "da2-key";

fn tokens(s: &str) {
    let auth = authenticator();
    let header = |name: &str, value: &str| BTreeMap::from([(name.to_string(), value.to_string())]);
    if let Ok(caller) = auth.authenticate(header("authorization", s), "127.0.0.1", NOW) {
        panic!(
            "a token the pool did not sign was accepted: {:?}",
            caller.identity
        );
    }
    let by_key = auth.authenticate(header("x-api-key", s), "127.0.0.1", NOW);
    assert_eq!(
        by_key.is_ok(),
        s == API_KEY,
        "only the API key is the API key"
    );

    // The pool's own token with the input as its payload: the signature no longer holds.
    static GENUINE: OnceLock<String> = OnceLock::new();
    let genuine = GENUINE.get_or_init(|| pool().access_token("user-1", "one", &[], NOW + 3600));
    let parts: Vec<&str> = genuine.split('.').collect();
    let payload = URL_SAFE_NO_PAD.encode(s);
    if payload != parts[1] {
        let forged = format!("{}.{payload}.{}", parts[0], parts[2]);
        if let Ok(c) = auth.authenticate(header("authorization", &forged), "127.0.0.1", NOW) {
            panic!(
                "a payload swapped under the pool's signature was accepted: {:?}",
                c.identity
            );
        }
    }

    if let Ok(Value::Object(claims)) = serde_json::from_str::<Value>(s) {
        signed(auth, &claims);
    }
}

/// The input's claims, signed by the pool: accepted exactly when Cognito's rules hold.
fn signed(auth: &Authenticator, claims: &Map<String, Value>) {
    let text = |k: &str| claims.get(k).and_then(Value::as_str);
    let client = match text("token_use") {
        Some("access") => text("client_id"),
        Some("id") => text("aud"),
        _ => None,
    };
    let valid = text("iss") == Some(ISSUER)
        && client == Some(CLIENT)
        && text("sub").is_some()
        && claims
            .get("exp")
            .and_then(Value::as_i64)
            .is_some_and(|exp| exp > NOW);
    let token = pool().sign(&Value::Object(claims.clone()));
    let headers = BTreeMap::from([("authorization".to_string(), token)]);
    match auth.authenticate(headers, "127.0.0.1", NOW) {
        Ok(caller) => {
            assert!(valid, "accepted against Cognito's rules: {claims:?}");
            let AuthMode::CognitoUserPools { groups } = &caller.mode else {
                panic!("a token made an API-key caller");
            };
            let Identity::CognitoUserPools(identity) = &caller.identity else {
                panic!("a user-pool token made a {:?} identity", caller.identity);
            };
            let sub = identity.sub.clone();
            assert_eq!(
                Some(sub.as_str()),
                text("sub"),
                "the caller is the token's sub"
            );
            match resolvers::appsync::Caller::from_identity(&caller.identity) {
                Ok(user) => {
                    assert_eq!(user.user_id(), Some(sub.as_str()));
                    let seen = match &user {
                        resolvers::appsync::Caller::Cognito { groups, .. } => groups.clone(),
                        other => panic!("a user-pool token read as {other:?}"),
                    };
                    assert_eq!(
                        &seen, groups,
                        "the endpoint and the resolvers see one group list"
                    );
                }
                // Only a token whose `sub` is empty names nobody; the resolvers refuse it.
                Err(_) => assert!(sub.is_empty(), "{:?}", caller.identity),
            }
        }
        Err(rejection) => {
            assert!(
                !valid,
                "refused ({}) a token Cognito would honour: {claims:?}",
                rejection.reason
            );
            assert_eq!(rejection.body()["errors"][0]["errorType"], UNAUTHORIZED);
        }
    }
}

fn authenticator() -> &'static Authenticator {
    static AUTH: OnceLock<Authenticator> = OnceLock::new();
    AUTH.get_or_init(|| pool().authenticator(API_KEY))
}

fn scalars(s: &str) {
    let json = serde_json::from_str::<Value>(s).ok();
    for (name, _) in PRELUDE
        .iter()
        .filter(|(n, _)| is_aws_scalar(n) && !n.starts_with('@'))
    {
        for value in std::iter::once(Value::from(s)).chain(json.clone()) {
            // Any value is answered, accepted or refused, without a panic.
            check(name, &value);
        }
    }
}

fn times(s: &str) {
    if let Ok(t) = parse_timestamp(s) {
        let stored = format_timestamp(t);
        assert_eq!(stored.len(), 24, "{s:?} stored as {stored:?}");
        if check("AWSDateTime", &Value::from(s)) {
            assert!(
                check("AWSDateTime", &Value::from(stored.as_str())),
                "{s:?} is stored as {stored:?}, which AppSync refuses"
            );
        }
        assert_eq!(parse_timestamp(&stored), Ok(t), "{stored:?} reads back");
        let day = t.date_naive().format("%Y-%m-%d").to_string();
        assert_eq!(day.len(), 10, "{s:?}: aggregate key {day:?}");
        assert!(check("AWSDate", &Value::from(day.as_str())), "{day:?}");
    }
    if parse_date(s).is_ok() {
        assert!(check("AWSDate", &Value::from(s)), "{s:?}");
    }
}
