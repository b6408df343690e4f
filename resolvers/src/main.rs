//! The resolvers Lambda: builds one SDK config and one DynamoDB client at start-up and hands
//! them to every invocation.
//!
//! Start-up (runtime, logs, SDK configuration, TLS roots) is the `startup` crate's, shared
//! with the aggregator.

use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use resolvers::{handle, App};
use serde_json::Value;

fn main() -> Result<(), lambda_runtime::Error> {
    startup::run(run())?
}

async fn run() -> Result<(), lambda_runtime::Error> {
    let client = aws_sdk_dynamodb::Client::new(&startup::sdk_config());
    // Table names and PAGE_TOKEN_SECRET come from the environment the template sets.
    let app = App::from_lookup(client, |k| std::env::var(k).ok())
        .map_err(|e| format!("configuration: {e:?}"))?;
    let app = &app;
    let emf = startup::metrics::Emf::install("resolvers", |k| std::env::var(k).ok())?;
    resolvers::telemetry::describe();

    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let reply = handle(app, event.payload).await.map_err(Diagnostic::from);
        emf.flush();
        reply
    }))
    .await
}
