//! Support for the integration tests: they run against the real engines `scripts/engines`
//! starts (never a mock): AWS's DynamoDB Local for DynamoDB and its streams, moto for Cognito
//! user pools, through the real AWS SDK clients; and the typed model of `template.yaml` that
//! tests, tools and the local stack read.

pub mod capacity;
pub mod counter;
pub mod faults;
pub mod fixtures;
pub mod stream;
pub mod tables;
pub mod template;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

pub use counter::{Access, RequestCounter};
pub use faults::{Fault, Faults};
pub use tables::{create_tables, TableDef};
pub use template::Template;

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

/// An SDK configuration for a local endpoint (DynamoDB Local, moto) with throw-away credentials:
/// the one place tests, tools and the local stack build it.
pub async fn sdk_config_at(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "testkit"))
        .endpoint_url(endpoint)
        .load()
        .await
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
