//! The aggregator Lambda: one SDK config (from the environment, `startup`'s) and one DynamoDB
//! client (with the store's retry and timeout settings), built at start-up and shared by every
//! invocation.

use aggregator::{Aggregator, Config};
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::value::RawValue;

fn main() -> Result<(), lambda_runtime::Error> {
    startup::run(run())?
}

async fn run() -> Result<(), lambda_runtime::Error> {
    let config = Config::from_env()?;
    let sdk = startup::sdk_config();
    let aggregator = Aggregator::new(aggregator::store::client(&sdk), config);
    let aggregator = &aggregator;
    let emf = startup::metrics::Emf::install("aggregator", |k| std::env::var(k).ok())?;
    aggregator::telemetry::describe();

    // The raw payload, not a typed event: a record the typed model cannot hold must be
    // skipped on its own, not fail the whole batch (see event.rs).
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<Box<RawValue>>| async move {
            let raw = event.payload.get();
            let reply = aggregator.handle_payload(raw).await;
            if let Ok(outcome) = &reply {
                aggregator::telemetry::record(outcome);
            }
            emf.flush();
            reply
                .map(|outcome| outcome.response)
                .map_err(Diagnostic::from)
        },
    ))
    .await
}
