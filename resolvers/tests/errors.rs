//! The error contract: stable errorTypes, messages that help, no internals, no panics.

mod support;

use resolvers::handle;
use serde_json::json;
use support::{error_type, user};

#[tokio::test]
async fn unknown_fields_and_malformed_payloads_are_bad_requests() {
    let env = support::empty().await;
    assert_eq!(
        error_type(env.query("dropAllTables", json!({}), user("u")).await),
        "BadRequest"
    );
    assert_eq!(
        error_type(
            env.call("Subscription", "onCreateEvent", json!({}), user("u"))
                .await
        ),
        "BadRequest"
    );
    for payload in [
        json!({}),
        json!("hello"),
        json!({ "info": { "fieldName": "listEvents" } }),
        json!(42),
    ] {
        let err = handle(&env.app, payload.clone()).await.unwrap_err();
        assert_eq!(err.error_type(), "BadRequest", "{payload}");
    }
    let weird_identity =
        devtools::appsync_event("Query", "listEvents", json!({}), json!("root"), json!(null));
    assert_eq!(
        handle(&env.app, weird_identity)
            .await
            .unwrap_err()
            .error_type(),
        "Unauthorized"
    );
}

#[tokio::test]
async fn wrong_argument_shapes_are_validation_errors_naming_the_field() {
    let env = support::empty().await;
    let err = env
        .mutate(
            "createRoom",
            json!({ "input": { "name": "x", "capacity": "lots" } }),
            support::admin(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ValidationError");
    assert!(err.to_string().contains("createRoom"), "{err}");
}

#[tokio::test]
async fn store_failures_are_internal_without_details() {
    let env = support::empty().await;
    // Point the app at tables that do not exist: DynamoDB answers ResourceNotFound.
    let mut app = env.app.clone();
    app.db.tables.events = "no-such-table".into();
    let ev = devtools::appsync_event(
        "Query",
        "getEvent",
        json!({ "id": "e" }),
        user("u"),
        json!(null),
    );
    let err = handle(&app, ev).await.unwrap_err();
    assert_eq!(err.error_type(), "Internal");
    let msg = err.to_string();
    assert!(
        !msg.contains("no-such-table") && !msg.contains("ResourceNotFound"),
        "{msg}"
    );
    let diag: lambda_runtime::Diagnostic = err.into();
    assert_eq!(diag.error_type, "Internal", "never a Rust type name");
}
