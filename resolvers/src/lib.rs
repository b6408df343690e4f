//! The AppSync Direct Lambda resolver for the MUSSEL events app and the calorie tracker.
//! See ARCHITECTURE.md for the map.

pub mod appsync;
pub mod config;
pub mod domain;
pub mod error;
pub mod handlers;
pub mod output;
pub mod paging;
pub mod router;
pub mod store;
pub mod telemetry;

use serde_json::Value;

use appsync::{batch_item, AppSyncEvent, Caller};
pub use config::{App, Config, Db, Tables};
pub use error::{AppError, AppResult};
pub use paging::TokenKey;
use router::{op_kind, run, run_batched, BatchedField, Operation};

/// One invocation, as the Lambda runtime hands it over: a single AppSync event, or a
/// BatchInvoke array answered item by item in the same order.
pub async fn handle(app: &App, payload: Value) -> Result<Value, AppError> {
    use tracing::Instrument;
    let span = telemetry::span(&payload);
    async move {
        match payload {
            Value::Array(items) => output::to_value(handle_batch(app, items).await),
            single => {
                let result = match prepare(single) {
                    Ok((caller, op, source)) => run(app, &caller, op, &source).await,
                    Err(e) => Err(e),
                };
                result.inspect_err(|e| {
                    e.log();
                    telemetry::refused(e);
                })
            }
        }
    }
    .instrument(span)
    .await
}

/// A parsed event: who calls, what they ask, and the parent object for nested fields.
pub type Prepared = (Caller, Operation, Value);

/// Parses one AppSync event (public for the benchmarks, which time it without I/O).
pub fn prepare(payload: Value) -> AppResult<Prepared> {
    let event: AppSyncEvent = serde_json::from_value(payload).map_err(|e| {
        AppError::BadRequest(format!("the payload is not an AppSync resolver event: {e}"))
    })?;
    let caller = Caller::from_identity(&event.identity)
        .map_err(|e| AppError::Unauthorized(format!("unrecognised identity: {e}")))?;
    let op = Operation::parse(
        &event.info.parent_type_name,
        &event.info.field_name,
        &event.arguments,
    )?;
    Ok((caller, op, event.source))
}

async fn handle_batch(app: &App, items: Vec<Value>) -> Vec<appsync::BatchItem> {
    let prepared: Vec<AppResult<Prepared>> = items.into_iter().map(prepare).collect();
    // AppSync batches one field at a time; the first parsed item says which.
    let kind = prepared
        .iter()
        .find_map(|p| p.as_ref().ok())
        .map(|(_, op, _)| op_kind(op))
        .unwrap_or(BatchedField::NotBatched);
    let mut results: Vec<Option<AppResult<serde_json::Value>>> = Vec::with_capacity(prepared.len());
    let mut together = Vec::new();
    let mut singles = Vec::new();
    for (i, p) in prepared.into_iter().enumerate() {
        match p {
            Err(e) => results.push(Some(Err(e))),
            Ok((caller, op, source)) => {
                results.push(None);
                if kind != BatchedField::NotBatched && op_kind(&op) == kind && op.batched() {
                    together.push((i, (caller, source)));
                } else {
                    singles.push((i, caller, op, source));
                }
            }
        }
    }
    let pairs: Vec<(Caller, Value)> = together.iter().map(|(_, p)| p.clone()).collect();
    for ((i, _), r) in together.iter().zip(run_batched(app, &kind, &pairs).await) {
        results[*i] = Some(r);
    }
    let ran = futures::future::join_all(
        singles
            .into_iter()
            .map(
                |(i, caller, op, source)| async move { (i, run(app, &caller, op, &source).await) },
            ),
    )
    .await;
    for (i, r) in ran {
        results[i] = Some(r);
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(AppError::internal("item not resolved"))))
        .inspect(|r| r.as_ref().err().into_iter().for_each(telemetry::refused))
        .map(batch_item)
        .collect()
}
