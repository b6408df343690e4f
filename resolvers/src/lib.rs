//! The AppSync Direct Lambda resolver for the MUSSEL events app and the calorie tracker.
//! See ARCHITECTURE.md for the map.

pub mod appsync;
pub mod cache;
pub mod config;
pub mod domain;
pub mod error;
pub mod handlers;
pub mod output;
pub mod paging;
pub mod router;
pub mod store;
pub mod telemetry;

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use appsync::fields::{Batch, Operation, RESOLVED_FIELDS};
use appsync::{batch_item, BatchItem, Call, Caller, Event, Identity};
pub use config::{App, Config, Db, Tables};
pub use error::{AppError, AppResult};
use output::Wants;
pub use paging::TokenKey;

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
                    Ok(prepared) => run(app, prepared).await,
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

/// A parsed event: a field resolved for one parent, or a batched field's batch (of one, or
/// of a whole BatchInvoke). Boxed: some arguments (mutation inputs) are large.
#[derive(Debug)]
pub enum Prepared {
    One(Box<Call<Operation>>),
    Batch(Batch),
}

/// Parses one AppSync event (public for the benchmarks and fuzz targets, which run it
/// without I/O).
pub fn prepare(payload: Value) -> AppResult<Prepared> {
    read(payload).and_then(parse)
}

/// An event read: which field, its arguments, and who asks it of which parent.
struct Read {
    parent: String,
    field: String,
    arguments: Map<String, Value>,
    call: Call<()>,
}

fn read(payload: Value) -> AppResult<Read> {
    let event: Event<Value> = serde_json::from_value(payload).map_err(|e| {
        AppError::BadRequest(format!("the payload is not an AppSync resolver event: {e}"))
    })?;
    let unrecognised = |e: String| AppError::Unauthorized(format!("unrecognised identity: {e}"));
    let identity: Identity =
        serde_json::from_value(event.identity).map_err(|e| unrecognised(e.to_string()))?;
    let caller = Caller::from_identity(&identity).map_err(unrecognised)?;
    let info = event.info;
    Ok(Read {
        call: Call {
            caller,
            source: event.source,
            wants: Wants::from_selection(&info.selection_set_list, &info.selection_set_graphql),
            args: (),
        },
        parent: info.parent_type_name,
        field: info.field_name,
        arguments: event.arguments,
    })
}

fn parse(read: Read) -> AppResult<Prepared> {
    let Read {
        parent,
        field,
        arguments,
        call,
    } = read;
    let invalid = |e| invalid(&parent, &field, e);
    if let Some(mut batch) = Batch::new(&parent, &field) {
        batch.push(call, arguments).map_err(invalid)?;
        return Ok(Prepared::Batch(batch));
    }
    let op = Operation::parse(&parent, &field, arguments).ok_or_else(|| {
        AppError::BadRequest(format!(
            "{parent}.{field} is not a field this resolver handles; it handles {}",
            RESOLVED_FIELDS.join(", ")
        ))
    })?;
    Ok(Prepared::One(Box::new(call.with(op.map_err(invalid)?))))
}

fn invalid(parent: &str, field: &str, e: serde_json::Error) -> AppError {
    AppError::validation(format!("invalid arguments for {parent}.{field}: {e}"))
}

async fn run(app: &App, prepared: Prepared) -> AppResult<Value> {
    match prepared {
        Prepared::One(call) => router::run(app, *call).await,
        Prepared::Batch(batch) => router::run_batch(app, batch)
            .await
            .pop()
            .unwrap_or_else(|| Err(AppError::internal("a batched field answered nothing"))),
    }
}

/// A BatchInvoke. AppSync batches one field: a batched field's items are one call of its
/// handler; any other field's items are resolved each alone. An item refused before its
/// handler (its event, identity or arguments) fails alone, keeping its place.
async fn handle_batch(app: &App, items: Vec<Value>) -> Vec<BatchItem> {
    let read: Vec<AppResult<Read>> = items.into_iter().map(read).collect();
    let fields: BTreeSet<(&str, &str)> = read
        .iter()
        .flatten()
        .map(|r| (r.parent.as_str(), r.field.as_str()))
        .collect();
    let batch = match fields.into_iter().collect::<Vec<_>>()[..] {
        [(parent, field)] => Batch::new(parent, field),
        _ => None,
    };
    let results: Vec<AppResult<Value>> = match batch {
        Some(mut batch) => {
            let refused: Vec<Option<AppError>> = read
                .into_iter()
                .map(|r| {
                    r.and_then(|r| {
                        let Read {
                            parent,
                            field,
                            arguments,
                            call,
                        } = r;
                        batch
                            .push(call, arguments)
                            .map_err(|e| invalid(&parent, &field, e))
                    })
                    .err()
                })
                .collect();
            let mut answers = router::run_batch(app, batch).await.into_iter();
            refused
                .into_iter()
                .map(|refused| match refused {
                    Some(e) => Err(e),
                    None => answers.next().unwrap_or_else(|| {
                        Err(AppError::internal("a batched field answered fewer items"))
                    }),
                })
                .collect()
        }
        None => {
            futures::future::join_all(
                read.into_iter()
                    .map(|r| async move { run(app, r.and_then(parse)?).await }),
            )
            .await
        }
    };
    results
        .into_iter()
        .inspect(|r| r.as_ref().err().into_iter().for_each(telemetry::refused))
        .map(batch_item)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(parent: &str, field: &str, arguments: Value) -> Value {
        let Value::Object(arguments) = arguments else {
            panic!("arguments are an object");
        };
        serde_json::to_value(Event {
            arguments,
            identity: Identity::ApiKey,
            source: Value::Null,
            request: Default::default(),
            prev: Value::Null,
            stash: Map::new(),
            info: appsync_contract::Info {
                parent_type_name: parent.into(),
                field_name: field.into(),
                ..Default::default()
            },
        })
        .unwrap()
    }

    #[test]
    fn every_resolved_field_parses_and_unknown_ones_are_bad_requests() {
        for f in RESOLVED_FIELDS {
            let (parent, field) = f.split_once('.').unwrap();
            // Fields with required arguments fail on arguments, never as unknown.
            if let Err(e) = prepare(event(parent, field, json!({}))) {
                assert_eq!(e.error_type(), "ValidationError", "{f}: {e}");
            }
        }
        for (p, f) in [
            ("Query", "dropTables"),
            ("Subscription", "onCreateEvent"),
            ("Event", "nope"),
        ] {
            let err = prepare(event(p, f, json!({}))).unwrap_err();
            assert_eq!(err.error_type(), "BadRequest");
            assert!(err.to_string().contains("Query.listEvents"), "{err}");
        }
    }

    #[test]
    fn wrong_argument_types_are_validation_errors() {
        for args in [json!({ "limit": "ten" }), json!({ "when": "SOMETIME" })] {
            let err = prepare(event("Query", "listEvents", args)).unwrap_err();
            assert_eq!(err.error_type(), "ValidationError");
        }
        let err = prepare(event("Room", "bookings", json!({ "limit": "ten" }))).unwrap_err();
        assert_eq!(err.error_type(), "ValidationError");
        assert!(err.to_string().contains("Room.bookings"), "{err}");
    }
}
