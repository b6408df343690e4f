//! Support for the integration tests: they run against the real engines `scripts/engines`
//! starts (never a mock): AWS's DynamoDB Local for DynamoDB and its streams, moto for Cognito
//! user pools, through the real AWS SDK clients; and the tables the typed model of `template.yaml`
//! (`stack_template`, re-exported as `template`) declares.

pub mod capacity;
pub mod counter;
pub mod faults;
pub mod fixtures;
pub mod stream;

use aws_config::SdkConfig;

pub use counter::{Access, RequestCounter};
pub use faults::{Fault, Faults};
pub use stack_template::tables::{self, create_tables, sdk_config_at, TableDef};
pub use stack_template::{self as template, Template};

/// The DynamoDB Local server the test scripts started.
pub fn endpoint() -> String {
    engine_endpoint("DYNAMODB_ENDPOINT")
}

/// The moto server (Cognito user pools) the test scripts started.
pub fn user_pool_endpoint() -> String {
    engine_endpoint("USER_POOL_ENDPOINT")
}

fn engine_endpoint(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run the tests through ./scripts/test or scripts/engines (they start the engines)")
    })
}

/// [`sdk_config_at`] the DynamoDB Local server the test scripts started.
pub async fn sdk_config() -> SdkConfig {
    sdk_config_at(&endpoint()).await
}

/// A DynamoDB client for DynamoDB Local, optionally with a request counter installed.
pub async fn client(counter: Option<&RequestCounter>) -> aws_sdk_dynamodb::Client {
    let config = sdk_config().await;
    let mut builder = aws_sdk_dynamodb::config::Builder::from(&config);
    if let Some(counter) = counter {
        builder = builder.interceptor(counter.clone());
    }
    aws_sdk_dynamodb::Client::from_conf(builder.build())
}

/// A prefix no other test uses, so tests can share one server and run in parallel.
pub fn unique_prefix() -> String {
    format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}
