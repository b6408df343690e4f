//! A transaction cancelled by a concurrent one (`TransactionConflict`, which the SDK does not
//! retry) is retried by `Db::transact` with `model::retry`'s backoff, a bounded number of times;
//! what is left is a clean Conflict with nothing written. The faults are injected at the HTTP
//! layer (`testkit::faults`), since DynamoDB Local never reports a transaction conflict.

mod support;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use serde_json::json;
use support::{admin, at, error_type, user};
use testkit::faults::{Fault, Faults};

#[tokio::test]
async fn a_booking_cancelled_by_conflicts_is_retried_and_an_endless_conflict_writes_nothing() {
    let env = support::empty().await;
    env.create_room("r", 10).await;
    env.create_event("org", "e", "r", &at(2, 10), 60, 5)
        .await
        .unwrap();
    let faults = Faults::new();
    let config = testkit::sdk_config().await;
    let builder = faults.install(aws_sdk_dynamodb::config::Builder::from(&config), &config);
    let mut app = env.app.clone();
    app.db.client = aws_sdk_dynamodb::Client::from_conf(builder.build());
    let is_transaction = |input: &aws_smithy_runtime_api::client::interceptors::context::Input| {
        input.downcast_ref::<TransactWriteItemsInput>().is_some()
    };
    let book = |who: &str| {
        resolvers::handle(
            &app,
            devtools::appsync_event(
                "Mutation",
                "bookTicket",
                json!({ "event_id": "e" }),
                user(who),
                json!(null),
            ),
        )
    };

    faults.inject(Fault::TransactionConflict, Some(2), is_transaction);
    let ticket = book("u").await.expect("committed on the third try");
    assert_eq!(ticket["user_id"], "u");
    assert_eq!(faults.injected(), 2);

    faults.inject(Fault::TransactionConflict, None, is_transaction);
    assert_eq!(error_type(book("v").await), "Conflict");
    assert_eq!(
        faults.injected(),
        2 + 6,
        "six tries in all, then the client is told to retry"
    );
    faults.clear();

    assert_eq!(env.event("e").await["tickets_left"], 4, "only u's ticket");
    let holders = env
        .nested(
            "Event",
            "tickets",
            json!({ "id": "e", "owner_id": "org" }),
            admin(),
        )
        .await
        .unwrap();
    assert_eq!(holders, json!(["u"]));
}
