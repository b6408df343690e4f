//! Support for the integration tests: they run against a real moto server started by
//! `scripts/moto` (never a mock), through the real aws-sdk-dynamodb client, with the tables
//! the typed model of `template.yaml` (`stack_template`, re-exported as `template`) declares.

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

/// The moto server the test scripts started.
pub fn endpoint() -> String {
    std::env::var("MOTO_ENDPOINT").unwrap_or_else(|_| {
        panic!("MOTO_ENDPOINT is not set: run the tests through ./scripts/test (it starts moto)")
    })
}

/// [`sdk_config_at`] the moto server the test scripts started.
pub async fn sdk_config() -> SdkConfig {
    sdk_config_at(&endpoint()).await
}

/// A DynamoDB client for moto, optionally with a request counter installed.
pub async fn client(counter: Option<&RequestCounter>) -> aws_sdk_dynamodb::Client {
    let config = sdk_config().await;
    let mut builder = aws_sdk_dynamodb::config::Builder::from(&config);
    if let Some(counter) = counter {
        builder = builder.interceptor(counter.clone());
    }
    aws_sdk_dynamodb::Client::from_conf(builder.build())
}

/// A prefix no other test uses, so tests can share one moto server and run in parallel.
pub fn unique_prefix() -> String {
    format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}
