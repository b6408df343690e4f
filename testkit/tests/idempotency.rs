//! A transaction whose answer is lost after DynamoDB applied it (the fault-injection runs'
//! "lost answer") is safe to retry: the SDK gives every TransactWriteItems a
//! `ClientRequestToken` once, before the first attempt, and each retry sends the same one, so
//! DynamoDB answers the repeat of a committed transaction with success instead of applying or
//! refusing it again. Both halves are tested, on DynamoDB Local: the retry carries the first
//! attempt's token, and the engine answers it as committed although the transaction's own
//! condition (the item must not exist) would now refuse it.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, Put,
    ScalarAttributeType, TransactWriteItem,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use testkit::faults::{Fault, Faults};

/// The `ClientRequestToken` of every TransactWriteItems attempt, as sent.
#[derive(Debug, Clone, Default)]
struct Tokens(Arc<Mutex<Vec<Option<String>>>>);

impl Intercept for Tokens {
    fn name(&self) -> &'static str {
        "Tokens"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let target = request.headers().get("x-amz-target").unwrap_or_default();
        if target.ends_with(".TransactWriteItems") {
            let body: serde_json::Value =
                serde_json::from_slice(request.body().bytes().unwrap_or_default())?;
            let token = body["ClientRequestToken"].as_str().map(str::to_string);
            self.0.lock().unwrap().push(token);
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_retried_transaction_carries_its_first_attempts_client_request_token() {
    let sdk = testkit::sdk_config().await;
    let (faults, tokens) = (Faults::new(), Tokens::default());
    let config = faults
        .install(aws_sdk_dynamodb::config::Builder::from(&sdk), &sdk)
        .interceptor(tokens.clone())
        .build();
    let db = aws_sdk_dynamodb::Client::from_conf(config);
    let table = format!("idempotency-{}", uuid::Uuid::new_v4());
    db.create_table()
        .table_name(&table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("id")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("a table");
    let put = |id: &str| {
        TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(&table)
                    .item("id", AttributeValue::S(id.into()))
                    .condition_expression("attribute_not_exists(id)")
                    .build()
                    .unwrap(),
            )
            .build()
    };

    // The first attempt is applied and its answer lost; the SDK retries it.
    faults.inject(Fault::Timeout, Some(1), |input| {
        input
            .downcast_ref::<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput>()
            .is_some()
    });
    db.transact_write_items()
        .transact_items(put("a"))
        .send()
        .await
        .expect("the retry is answered as committed");
    // A second call of its own, with no fault.
    db.transact_write_items()
        .transact_items(put("b"))
        .send()
        .await
        .expect("a second transaction");

    assert_eq!(faults.injected(), 1, "the first attempt's answer was lost");
    let sent = tokens.0.lock().unwrap().clone();
    assert_eq!(
        sent.len(),
        3,
        "two attempts of the first call, one of the second: {sent:?}"
    );
    let first = sent[0].clone().expect("the SDK sends a ClientRequestToken");
    assert!(!first.is_empty());
    assert_eq!(
        sent[1].as_deref(),
        Some(first.as_str()),
        "the retry is the same request"
    );
    assert_ne!(
        sent[2].as_deref(),
        Some(first.as_str()),
        "another call is another transaction"
    );
    // The same transaction as another call (another token) is refused by its condition: the
    // success above was the token's doing.
    let again = db
        .transact_write_items()
        .transact_items(put("a"))
        .send()
        .await;
    assert!(
        again.as_ref().is_err_and(|e| e
            .as_service_error()
            .is_some_and(|e| e.is_transaction_canceled_exception())),
        "{again:?}"
    );
    db.delete_table().table_name(&table).send().await.unwrap();
}
