//! One real-time connection, AppSync's protocol end to end (messages as AWS documents them
//! and Amplify v6's `AWSWebSocketProvider` expects them):
//!
//! * `connection_init` → `connection_ack {connectionTimeoutMs}` and a `ka` at once and then
//!   every `Settings::keep_alive`; or `connection_error` (the handshake's auth failed, or no
//!   `graphql-ws`) and the connection closes. Anything sent before the ack is ignored.
//! * `start {id, payload: {data, extensions: {authorization}}}`: the subscription is
//!   authenticated from its own authorization headers, validated, and its field's resolver
//!   run with the caller's identity (`answer`, off the connection's loop); a refusal is
//!   `error` for that id, success `start_ack` and then `data` for every matching mutation.
//! * `stop {id}` → `complete {id}`; closing the connection ends its subscriptions.
//!
//! Bounded: at most `max_subscriptions` per connection (AppSync's quota of 100), inbound
//! messages up to `max_message_bytes` (the upgrade's limit), a queue per connection.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::stream::{SplitSink, StreamExt};
use futures::SinkExt;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::handshake::{json_headers, Handshake};
use crate::answer::{answer, Answer, Channel};
use crate::caller::Caller;
use crate::graphql::request::GraphQLRequest;
use crate::http::state::ServerState;
use crate::subscriptions::{Delivery, Registration};

/// How many `data` messages may wait for a slow connection.
const QUEUE: usize = 1024;

enum Subscription {
    /// `start` received, its resolver running.
    Starting,
    /// In the hub until this is dropped.
    Active { _subscribed: Registration },
}

/// A `start` that has been answered.
struct Started {
    id: String,
    caller: Caller,
    answer: Answer,
}

type Sink = SplitSink<WebSocket, Message>;

async fn send(sink: &mut Sink, message: Value) -> bool {
    sink.send(Message::Text(message.to_string().into()))
        .await
        .is_ok()
}

/// An `error` message for one subscription (or for the connection, without an id).
fn error(id: Option<&str>, error_type: &str, message: &str) -> Value {
    let mut m = json!({
        "type": "error",
        "payload": { "errors": [{ "errorType": error_type, "message": message }] },
    });
    if let Some(id) = id {
        m["id"] = json!(id);
    }
    m
}

/// Runs the connection until the client or the stack closes it.
pub async fn run(
    socket: WebSocket,
    state: Arc<ServerState>,
    handshake: Handshake,
    source_ip: String,
) {
    let settings = state.realtime.clone();
    let now = chrono::Utc::now().timestamp();
    // The connection's own authentication, checked when the client sends connection_init.
    let opened = if !handshake.graphql_ws {
        Err(json!({ "errors": [{ "message": "NoProtocolError", "errorCode": 400 }] }))
    } else if handshake.malformed {
        Err(json!({ "errors": [{
            "errorType": "BadRequestException",
            "message": "The header parameter is not base64-encoded JSON.",
            "errorCode": 400,
        }] }))
    } else {
        state
            .auth
            .authenticate(handshake.headers, &source_ip, now)
            .map_err(|r| {
                tracing::info!(reason = %r.reason, "real-time connection refused");
                json!({ "errors": [{
                    "errorType": crate::auth::UNAUTHORIZED,
                    "message": r.message,
                    "errorCode": 401,
                }] })
            })
    };

    let (mut sink, mut stream) = socket.split();
    let (deliveries, mut delivered) = mpsc::channel::<Delivery>(QUEUE);
    let (answered_tx, mut answered) = mpsc::channel::<Started>(16);
    let mut subscriptions: HashMap<String, Subscription> = HashMap::new();
    let mut acked = false;
    let mut keep_alive = tokio::time::interval(settings.keep_alive);
    let mut shutdown = state.shutdown.clone();
    // A connection that never initialises is closed after the connection timeout.
    let init_deadline = tokio::time::sleep(settings.connection_timeout);
    tokio::pin!(init_deadline);

    loop {
        tokio::select! {
            inbound = stream.next() => {
                let text = match inbound {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    // Pings are answered by the WebSocket layer; binary frames mean nothing here.
                    Some(Ok(_)) => continue,
                };
                let Ok(message) = serde_json::from_str::<Value>(&text) else {
                    if !send(&mut sink, error(None, "BadRequestException", "A message is not JSON.")).await {
                        break;
                    }
                    continue;
                };
                let id = message["id"].as_str().map(str::to_string);
                match message["type"].as_str().unwrap_or_default() {
                    "connection_init" if !acked => match &opened {
                        Ok(_) => {
                            let ack = json!({
                                "type": "connection_ack",
                                "payload": { "connectionTimeoutMs": settings.connection_timeout.as_millis() as u64 },
                            });
                            if !send(&mut sink, ack).await || !send(&mut sink, json!({ "type": "ka" })).await {
                                break;
                            }
                            acked = true;
                            keep_alive.reset();
                        }
                        Err(payload) => {
                            let _ = send(&mut sink, json!({ "type": "connection_error", "payload": payload })).await;
                            let _ = sink.close().await;
                            break;
                        }
                    },
                    // Before the ack, AppSync ignores what the client sends.
                    _ if !acked => {}
                    "connection_init" | "ka" => {}
                    "start" => {
                        let refusal = match &id {
                            None => Some(error(None, "BadRequestException", "A start message needs an id.")),
                            Some(id) if subscriptions.contains_key(id) => Some(error(
                                Some(id),
                                "DuplicatedOperationError",
                                &format!("Duplicated operation with id {id}"),
                            )),
                            Some(id) if subscriptions.len() >= settings.max_subscriptions => Some(error(
                                Some(id),
                                "LimitExceededError",
                                &format!(
                                    "A connection holds at most {} subscriptions; stop one first.",
                                    settings.max_subscriptions
                                ),
                            )),
                            Some(id) => start(&state, id, &message["payload"], &source_ip, &answered_tx)
                                .err()
                                .map(|(t, m)| error(Some(id), t, &m)),
                        };
                        match refusal {
                            Some(m) => {
                                if !send(&mut sink, m).await {
                                    break;
                                }
                            }
                            None => {
                                subscriptions.insert(id.unwrap_or_default(), Subscription::Starting);
                            }
                        }
                    }
                    "stop" => {
                        let Some(id) = id else { continue };
                        // Dropping the registration unsubscribes.
                        subscriptions.remove(&id);
                        if !send(&mut sink, json!({ "type": "complete", "id": id })).await {
                            break;
                        }
                    }
                    other => {
                        let m = error(
                            id.as_deref(),
                            "UnsupportedOperation",
                            &format!("{other:?} is not a message of the real-time protocol"),
                        );
                        if !send(&mut sink, m).await {
                            break;
                        }
                    }
                }
            }
            Some(started) = answered.recv() => {
                // Stopped while its resolver ran: nothing to say.
                if !matches!(subscriptions.get(&started.id), Some(Subscription::Starting)) {
                    continue;
                }
                let id = started.id.clone();
                match outcome(&state, started, deliveries.clone()) {
                    Ok(registration) => {
                        subscriptions.insert(id.clone(), Subscription::Active { _subscribed: registration });
                        if !send(&mut sink, json!({ "type": "start_ack", "id": id })).await {
                            break;
                        }
                    }
                    Err(payload) => {
                        subscriptions.remove(&id);
                        if !send(&mut sink, json!({ "type": "error", "id": id, "payload": payload })).await {
                            break;
                        }
                    }
                }
            }
            Some(delivery) = delivered.recv() => {
                if !matches!(subscriptions.get(&delivery.id), Some(Subscription::Active { .. })) {
                    continue;
                }
                let payload = serde_json::to_value(&delivery.payload).unwrap_or(Value::Null);
                if !send(&mut sink, json!({ "type": "data", "id": delivery.id, "payload": payload })).await {
                    break;
                }
            }
            _ = keep_alive.tick(), if acked => {
                if !send(&mut sink, json!({ "type": "ka" })).await {
                    break;
                }
            }
            _ = &mut init_deadline, if !acked => {
                let _ = sink.close().await;
                break;
            }
            _ = async { let _ = shutdown.wait_for(|stop| *stop).await; } => {
                let _ = sink
                    .send(Message::Close(Some(CloseFrame { code: 1001, reason: "the local stack is stopping".into() })))
                    .await;
                break;
            }
        }
    }
}

/// Authenticates a `start` and runs it off the loop; `Err` is the refusal (error type, message).
fn start(
    state: &Arc<ServerState>,
    id: &str,
    payload: &Value,
    source_ip: &str,
    answered: &mpsc::Sender<Started>,
) -> Result<(), (&'static str, String)> {
    let data = payload["data"].as_str().ok_or((
        "BadRequestException",
        "start's payload has no data (a JSON string of {query, variables}).".to_string(),
    ))?;
    let request: GraphQLRequest = serde_json::from_str(data).map_err(|e| {
        (
            "BadRequestException",
            format!("start's payload data is not a GraphQL request: {e}"),
        )
    })?;
    let headers = payload["extensions"]["authorization"]
        .as_object()
        .map(json_headers)
        .unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    let caller = state
        .auth
        .authenticate(headers, source_ip, now)
        .map_err(|r| {
            tracing::info!(reason = %r.reason, subscription = id, "subscription refused");
            (crate::auth::UNAUTHORIZED, r.message.to_string())
        })?;
    let (state, id, answered) = (state.clone(), id.to_string(), answered.clone());
    tokio::spawn(async move {
        let run = answer(
            &state.api,
            &*state.invoker,
            request,
            &caller,
            Channel::Realtime,
        );
        let answer = match tokio::time::timeout(crate::http::graphql::REQUEST_LIMIT, run).await {
            Ok(a) => a,
            Err(_) => Answer {
                response: crate::response::Response::refused(vec![
                    crate::response::GraphQLError::request("Execution timed out.", None),
                ]),
                root_field: None,
                rejected: true,
                wrong_channel: None,
                prepared: None,
                published: Vec::new(),
            },
        };
        let _ = answered.send(Started { id, caller, answer }).await;
    });
    Ok(())
}

/// A started subscription's registration, or the `error` payload refusing it.
fn outcome(
    state: &Arc<ServerState>,
    started: Started,
    deliveries: mpsc::Sender<Delivery>,
) -> Result<Registration, Value> {
    let Started { id, caller, answer } = started;
    if let Some(kind) = answer.wrong_channel {
        return Err(json!({ "errors": [{
            "errorType": "UnsupportedOperation",
            "message": format!("{kind} not supported through the realtime channel"),
        }] }));
    }
    if !answer.response.errors.is_empty() {
        // Validation errors, or the subscription resolver's refusal (its errorType kept).
        let errors: Vec<Value> = answer
            .response
            .errors
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
                if v.get("errorType").is_none() {
                    v["errorType"] = json!("BadRequestException");
                }
                v
            })
            .collect();
        tracing::info!(subscription = %id, field = answer.root_field.as_deref().unwrap_or("-"), "subscription refused");
        return Err(json!({ "errors": errors }));
    }
    let prepared = answer.prepared.ok_or_else(|| json!({ "errors": [{ "errorType": "InternalFailure", "message": "the subscription was not kept" }] }))?;
    tracing::info!(subscription = %id, field = answer.root_field.as_deref().unwrap_or("-"), caller = caller.log_name(), "subscribed");
    state
        .hub
        .register(id, prepared, caller, deliveries)
        .map_err(|e| json!({ "errors": [{ "errorType": "BadRequestException", "message": e.to_string() }] }))
}
