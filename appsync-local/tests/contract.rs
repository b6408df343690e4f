//! The Direct Lambda contract (REFERENCE.md): the events the endpoint builds for the real
//! schema.graphql and template.yaml, seen by a recording function instead of the resolvers.
//! No engine needed.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use appsync_local::answer::{answer, Channel};
use appsync_local::auth::jwt::Verifier;
use appsync_local::auth::Authenticator;
use appsync_local::caller::Caller;
use appsync_local::graphql::request::GraphQLRequest;
use appsync_local::graphql::schema::{Api, LambdaResolver};
use appsync_local::invoke::{FunctionError, Invoker};
use futures::future::{BoxFuture, FutureExt};
use serde_json::{json, Value};
use testkit::Template;

/// Records every payload; answers each field from `reply(payload)`.
struct Recorder {
    calls: Mutex<Vec<Value>>,
    reply: fn(&Value) -> Result<Value, FunctionError>,
}

impl Invoker for Recorder {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, FunctionError>> {
        assert_eq!(function, "resolvers");
        self.calls.lock().unwrap().push(payload.clone());
        let r = (self.reply)(&payload);
        async move { r }.boxed()
    }
}

fn api() -> Arc<Api> {
    Arc::new(
        Api::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql"),
            Template::repository(),
        )
        .unwrap(),
    )
}

/// alice's caller, authenticated from an access token signed by a pool of the test's own
/// (the shape of the identity is what is tested here; `tests/cognito.rs` tests moto's pool).
fn alice() -> Caller {
    use jsonwebtoken::jwk::{Jwk, JwkSet};
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST";
    let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let key = EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes()).unwrap();
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).unwrap();
    jwk.common.key_id = Some("k".into());
    let verifier = Verifier::new(issuer, ["web".to_string()], &JwkSet { keys: vec![jwk] }).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("k".into());
    let now = chrono::Utc::now().timestamp();
    let token = jsonwebtoken::encode(
        &header,
        &json!({
            "sub": "user-alice", "iss": issuer, "client_id": "web", "token_use": "access",
            "username": "alice", "cognito:groups": ["Staff"], "exp": now + 3600,
        }),
        &key,
    )
    .unwrap();
    let mut headers = BTreeMap::new();
    headers.insert("authorization".to_string(), token);
    headers.insert("x-custom".to_string(), "yes".to_string());
    let auth = Authenticator {
        api_key: "key".into(),
        verifier: Some(verifier),
    };
    auth.authenticate(headers, "10.0.0.7", now).unwrap()
}

fn events_page(payload: &Value) -> Result<Value, FunctionError> {
    match payload {
        Value::Array(items) => Ok(Value::Array(
            items
                .iter()
                .map(|e| {
                    let room = e["source"]["room_id"].as_str().unwrap();
                    if room == "broken" {
                        json!({ "data": null, "errorType": "NotFound", "errorMessage": "no such room" })
                    } else {
                        json!({ "data": { "id": room, "name": format!("Room {room}"), "capacity": 10 } })
                    }
                })
                .collect(),
        )),
        single => match single["info"]["fieldName"].as_str() {
            Some("listEvents") => Ok(json!({
                "items": [
                    { "id": "e1", "name": "One", "room_id": "r1", "secret": "kept in source" },
                    { "id": "e2", "name": "Two", "room_id": "r2" },
                    { "id": "e3", "name": "Three", "room_id": "broken" }
                ],
                "nextToken": null
            })),
            Some("getEvent") => Ok(json!({ "id": "e1", "name": null, "room_id": "r1" })),
            other => panic!("unexpected field {other:?}"),
        },
    }
}

async fn run(
    api: &Arc<Api>,
    rec: &Recorder,
    caller: &Caller,
    query: &str,
    variables: Value,
) -> Value {
    let request = GraphQLRequest::new(query, variables);
    let answered = answer(api, rec, request, caller, Channel::Http).await;
    serde_json::to_value(&answered.response).unwrap()
}

#[tokio::test]
async fn root_and_batched_events_carry_the_whole_appsync_context() {
    let api = api();
    let rec = Recorder {
        calls: Mutex::new(Vec::new()),
        reply: events_page,
    };
    let body = run(
        &api,
        &rec,
        &alice(),
        "query Page($n: Int) {\n  listEvents(limit: $n, when: UPCOMING) {\n    items { id title: name room { id name } }\n    nextToken\n  }\n}",
        json!({ "n": 3 }),
    )
    .await;
    let calls = rec.calls.lock().unwrap().clone();
    assert_eq!(
        calls.len(),
        2,
        "listEvents, then one BatchInvoke for Event.room: {calls:#?}"
    );

    let root = &calls[0];
    assert_eq!(root["arguments"], json!({ "limit": 3, "when": "UPCOMING" }));
    assert!(root["source"].is_null());
    assert!(root["prev"].is_null());
    assert_eq!(root["stash"], json!({}));
    assert_eq!(root["info"]["fieldName"], "listEvents");
    assert_eq!(root["info"]["parentTypeName"], "Query");
    assert_eq!(root["info"]["variables"], json!({ "n": 3 }));
    assert_eq!(
        root["info"]["selectionSetList"],
        json!([
            "items",
            "items/id",
            "items/title",
            "items/room",
            "items/room/id",
            "items/room/name",
            "nextToken"
        ])
    );
    let graphql = root["info"]["selectionSetGraphQL"].as_str().unwrap();
    assert!(
        graphql.starts_with('{') && graphql.contains("title: name") && graphql.contains("room {"),
        "{graphql}"
    );
    assert_eq!(root["request"]["headers"]["x-custom"], "yes");
    assert!(root["request"]["domainName"].is_null());
    // The Cognito identity, as the resolvers read it.
    let id = &root["identity"];
    assert_eq!(id["sub"], "user-alice");
    assert_eq!(id["username"], "alice");
    assert_eq!(id["groups"], json!(["Staff"]));
    assert_eq!(id["sourceIp"], json!(["10.0.0.7"]));
    assert_eq!(id["claims"]["cognito:groups"], json!(["Staff"]));
    assert_eq!(id["defaultAuthStrategy"], "ALLOW");
    let id: appsync_contract::Identity = serde_json::from_value(id.clone()).unwrap();
    let caller = resolvers::appsync::Caller::from_identity(&id).unwrap();
    assert_eq!(caller.user_id(), Some("user-alice"));

    // One BatchInvoke: an array of events in item order, each with its parent as source.
    let batch = calls[1].as_array().expect("a BatchInvoke array");
    assert_eq!(batch.len(), 3);
    let sources: Vec<&str> = batch
        .iter()
        .map(|e| e["source"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["e1", "e2", "e3"]);
    assert_eq!(
        batch[0]["source"]["secret"], "kept in source",
        "the whole parent object"
    );
    for e in batch {
        assert_eq!(e["info"]["fieldName"], "room");
        assert_eq!(e["info"]["parentTypeName"], "Event");
        assert_eq!(e["info"]["selectionSetList"], json!(["id", "name"]));
        assert_eq!(e["arguments"], json!({}));
    }
    // Each event of the batch reads as the contract's event, identity included.
    for e in batch {
        let parsed: appsync_contract::Event = serde_json::from_value(e.clone()).unwrap();
        assert_eq!(parsed.info.field_name, "room");
    }

    // The reply: aliases honoured, one item's error nulls that item's room only (nullable).
    let items = &body["data"]["listEvents"]["items"];
    assert_eq!(
        items[0],
        json!({ "id": "e1", "title": "One", "room": { "id": "r1", "name": "Room r1" } })
    );
    assert!(items[2]["room"].is_null());
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["path"], json!(["listEvents", "items", 2, "room"]));
    assert_eq!(errors[0]["errorType"], "NotFound");
    assert_eq!(errors[0]["message"], "no such room");
    assert_eq!(
        errors[0]["locations"],
        json!([{ "line": 3, "column": 28, "sourceName": null }])
    );
}

#[tokio::test]
async fn a_null_in_a_non_null_field_propagates_to_the_nearest_nullable_parent() {
    let api = api();
    let rec = Recorder {
        calls: Mutex::new(Vec::new()),
        reply: events_page,
    };
    // getEvent returns name: null for `name: String!`: getEvent (nullable) becomes null.
    let body = run(
        &api,
        &rec,
        &alice(),
        "{ getEvent(id: \"e1\") { id name } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"], json!({ "getEvent": null }), "{body}");
    let err = &body["errors"][0];
    assert_eq!(err["path"], json!(["getEvent", "name"]));
    assert_eq!(
        err["message"],
        "Cannot return null for non-nullable type: 'String' within parent 'Event' (/getEvent/name)"
    );
}

#[tokio::test]
async fn api_key_calls_have_a_null_identity_and_only_reach_api_key_fields() {
    let api = api();
    let rec = Recorder {
        calls: Mutex::new(Vec::new()),
        reply: events_page,
    };
    let caller = Caller::api_key(BTreeMap::new());
    let body = run(
        &api,
        &rec,
        &caller,
        "{ listEvents { items { id } } }",
        json!({}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(rec.calls.lock().unwrap()[0]["identity"].is_null());
    // Ticket is Cognito-only: reached through bookTicket, refused before any call.
    let before = rec.calls.lock().unwrap().len();
    let body = run(
        &api,
        &rec,
        &caller,
        "mutation { bookTicket(event_id: \"e1\") { user_id } }",
        json!({}),
    )
    .await;
    assert_eq!(body["errors"][0]["errorType"], "Unauthorized");
    assert_eq!(rec.calls.lock().unwrap().len(), before);
}

#[test]
fn every_resolver_of_the_template_is_a_field_of_the_schema() {
    assert!(!Template::repository().resolvers.is_empty());
    // Api::load refuses a resolver on a field the schema lacks.
    let _ = api();
    let broken = "type Query { a: Int }";
    let mut resolvers = std::collections::HashMap::new();
    resolvers.insert(
        ("Query".to_string(), "b".to_string()),
        LambdaResolver {
            function: "resolvers".into(),
            max_batch_size: 0,
        },
    );
    assert!(Api::new(broken, "broken.graphql", resolvers).is_err());
}
