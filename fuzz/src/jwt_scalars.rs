//! `jwt_scalars`: the local endpoint's token reading and authentication, and AppSync's
//! scalar checks next to the one time rule (`model::time`) the resolvers store by.
//!
//! The input is one string. Properties:
//! - any `Authorization` value authenticates or is refused as AppSync refuses (a 401 body
//!   with `UnauthorizedException`), never a panic; an accepted token's caller is, to the
//!   resolvers, the user its `sub` names, with the groups the endpoint saw;
//! - every AWS scalar check answers any value (as a string and as the JSON it may hold);
//! - a time the resolvers accept is stored fixed-width and reads back to the same instant, and
//!   its UTC day (the aggregate's key) is an AWSDate of exactly ten characters; when AppSync
//!   accepts the time too (so it can reach the resolvers), AppSync accepts the stored form
//!   as well, so the answer is never refused by its own scalar; a date the resolvers accept
//!   is an AWSDate. (A leap second, `23:59:60`, is the one time the resolvers take that
//!   AppSync refuses, at its door: it never reaches them.)

use std::collections::BTreeMap;

use appsync_local::auth::{authenticate, jwt};
use appsync_local::caller::AuthMode;
use appsync_local::graphql::scalars::{check, is_aws_scalar, PRELUDE};
use model::time::{format_timestamp, parse_date, parse_timestamp};
use serde_json::Value;

pub fn run(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();
    tokens(s);
    scalars(s);
    times(s);
}

fn tokens(s: &str) {
    let claims = jwt::decode_claims(s);
    if let Some(c) = &claims {
        assert!(c.get("sub").is_some_and(Value::is_string), "{c:?}");
    }
    let headers = BTreeMap::from([("authorization".to_string(), s.to_string())]);
    let now = 1_795_000_000;
    match authenticate(headers, "127.0.0.1", "da2-key", now) {
        Ok(caller) => {
            let AuthMode::CognitoUserPools { groups } = &caller.mode else {
                panic!("a token made an API-key caller");
            };
            let sub = caller.identity["sub"].as_str().expect("a sub").to_string();
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
            assert_eq!(
                rejection.body()["errors"][0]["errorType"],
                "UnauthorizedException"
            );
        }
    }
    let headers = BTreeMap::from([("x-api-key".to_string(), s.to_string())]);
    let by_key = authenticate(headers, "127.0.0.1", "da2-key", now);
    assert_eq!(
        by_key.is_ok(),
        s == "da2-key",
        "only the API key is the API key"
    );
}

fn scalars(s: &str) {
    let json = serde_json::from_str::<Value>(s).ok();
    for (name, _) in PRELUDE
        .iter()
        .filter(|(n, _)| is_aws_scalar(n) && !n.starts_with('@'))
    {
        for value in std::iter::once(Value::from(s)).chain(json.clone()) {
            if let Err(why) = check(name, &value) {
                assert!(!why.is_empty(), "{name} refused {value} without a reason");
            }
        }
    }
}

fn times(s: &str) {
    if let Ok(t) = parse_timestamp(s) {
        let stored = format_timestamp(t);
        assert_eq!(stored.len(), 24, "{s:?} stored as {stored:?}");
        if check("AWSDateTime", &Value::from(s)).is_ok() {
            assert_eq!(
                check("AWSDateTime", &Value::from(stored.as_str())),
                Ok(()),
                "{s:?} is stored as {stored:?}, which AppSync refuses"
            );
        }
        assert_eq!(parse_timestamp(&stored), Ok(t), "{stored:?} reads back");
        let day = t.date_naive().format("%Y-%m-%d").to_string();
        assert_eq!(day.len(), 10, "{s:?}: aggregate key {day:?}");
        assert_eq!(
            check("AWSDate", &Value::from(day.as_str())),
            Ok(()),
            "{day:?}"
        );
    }
    if parse_date(s).is_ok() {
        assert_eq!(check("AWSDate", &Value::from(s)), Ok(()), "{s:?}");
    }
}
