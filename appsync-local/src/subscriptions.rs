//! The subscriptions the real-time connections hold, and the delivery of mutation results to
//! them, as AppSync delivers: a mutation field named in a subscription field's
//! `@aws_subscribe` reaches every subscription to that field whose arguments all equal the
//! fields of the same name in the mutation's result (an argument left out or null does not
//! filter; a field the mutation did not select filters everything out), and each subscriber
//! gets the result through its own selection set (`execute::publish::for_subscriber`).
//!
//! A mutation's results are queued ([`Hub::enqueue`]) and delivered by one task, in the order the
//! mutations completed, after the mutation's caller has its answer: as on AppSync, a subscriber
//! costs the mutation nothing. Delivery never waits for a connection: each has a bounded
//! queue, and a message that does not fit, or that is over AppSync's subscription payload size,
//! is dropped with a warning (AppSync drops an oversized one silently).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};
use tokio::sync::mpsc;

use crate::caller::Caller;
use crate::error::{Error, Result};
use crate::execute::publish::{for_subscriber, Published};
use crate::graphql::schema::Api;
use crate::graphql::validate::Prepared;
use crate::response::Response;

/// AppSync's quota on a subscription message (240 KB).
pub const MAX_PAYLOAD_BYTES: usize = 240 * 1024;

/// One `data` message for a connection: the subscription's id and its payload.
#[derive(Debug)]
pub struct Delivery {
    pub id: String,
    pub payload: Response,
}

struct Subscriber {
    /// The id the client gave in `start`.
    id: String,
    prepared: Prepared,
    caller: Caller,
    /// Arguments that filter (non-null), by name.
    filters: Map<String, Value>,
    sink: mpsc::Sender<Delivery>,
}

#[derive(Default)]
struct Inner {
    next: u64,
    /// Subscription field -> its subscribers by key.
    by_field: HashMap<String, HashMap<u64, Arc<Subscriber>>>,
}

pub struct Hub {
    api: Arc<Api>,
    inner: Mutex<Inner>,
    queue: mpsc::Sender<Vec<Published>>,
}

/// Mutations whose results may wait for delivery before a mutation waits to queue its own.
const QUEUED_MUTATIONS: usize = 1024;

/// A subscription in the hub; dropping it unsubscribes.
pub struct Registration {
    hub: Arc<Hub>,
    field: String,
    key: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut inner) = self.hub.inner.lock() {
            if let Some(subs) = inner.by_field.get_mut(&self.field) {
                subs.remove(&self.key);
            }
        }
    }
}

impl Hub {
    /// The hub and its delivery task (which runs until aborted).
    pub fn start(api: Arc<Api>) -> (Arc<Self>, tokio::task::JoinHandle<()>) {
        let (queue, mut queued) = mpsc::channel::<Vec<Published>>(QUEUED_MUTATIONS);
        let hub = Arc::new(Self {
            api,
            inner: Mutex::new(Inner::default()),
            queue,
        });
        let worker = hub.clone();
        let task = tokio::spawn(async move {
            while let Some(published) = queued.recv().await {
                worker.publish(&published).await;
            }
        });
        (hub, task)
    }

    /// Queues a mutation's results for delivery.
    pub async fn enqueue(&self, published: Vec<Published>) {
        if published.is_empty() {
            return;
        }
        if self.queue.send(published).await.is_err() {
            tracing::warn!("subscription delivery has stopped: a mutation's results are dropped");
        }
    }

    /// How many subscriptions are held.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .map(|i| i.by_field.values().map(HashMap::len).sum())
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Holds a validated subscription (its resolver already ran and allowed it) until the
    /// returned registration is dropped; `data` for it goes to `sink` with `id`.
    pub fn register(
        self: &Arc<Self>,
        id: String,
        prepared: Prepared,
        caller: Caller,
        sink: mpsc::Sender<Delivery>,
    ) -> Result<Registration> {
        let root = prepared
            .operation
            .root_fields(&prepared.doc)
            .next()
            .ok_or_else(|| Error::Invalid("a subscription without a field".into()))?;
        let field = root.name.to_string();
        let mut filters = prepared
            .inputs(&self.api)
            .coerce_arguments(root)
            .map_err(|p| Error::Invalid(p.message))?;
        filters.retain(|_, v| !v.is_null());
        let subscriber = Arc::new(Subscriber {
            id,
            prepared,
            caller,
            filters,
            sink,
        });
        // A panic elsewhere leaves the maps whole: each change is one insert or remove.
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.next += 1;
        let key = inner.next;
        inner
            .by_field
            .entry(field.clone())
            .or_default()
            .insert(key, subscriber);
        Ok(Registration {
            hub: self.clone(),
            field,
            key,
        })
    }

    /// Sends a mutation's published results to every matching subscriber.
    async fn publish(&self, published: &[Published]) {
        for p in published {
            for field in self.api.subscriptions_of(&p.mutation) {
                let subscribers: Vec<Arc<Subscriber>> = match self.inner.lock() {
                    Ok(inner) => inner
                        .by_field
                        .get(field)
                        .map(|subs| {
                            subs.values()
                                .filter(|s| matches(&s.filters, &p.value))
                                .cloned()
                                .collect()
                        })
                        .unwrap_or_default(),
                    Err(_) => Vec::new(),
                };
                for s in subscribers {
                    let payload = for_subscriber(&self.api, &s.prepared, &s.caller, &p.value).await;
                    let size = serde_json::to_vec(&payload).map_or(0, |b| b.len());
                    if size > MAX_PAYLOAD_BYTES {
                        tracing::warn!(
                            subscription = %s.id, bytes = size,
                            "subscription message over AppSync's 240 KB: not sent"
                        );
                        continue;
                    }
                    let delivery = Delivery {
                        id: s.id.clone(),
                        payload,
                    };
                    if s.sink.try_send(delivery).is_err() {
                        tracing::warn!(
                            subscription = %s.id,
                            "the connection is not reading its messages (or is gone): one dropped"
                        );
                    }
                }
            }
        }
    }
}

/// Whether every filtering argument equals the result's field of that name.
fn matches(filters: &Map<String, Value>, value: &Value) -> bool {
    filters
        .iter()
        .all(|(name, wanted)| value.get(name).is_some_and(|v| same(v, wanted)))
}

/// Equal as GraphQL values: an ID argument `"7"` equals a field `7`.
fn same(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    matches!((text(a), text(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_filter_on_the_results_fields() {
        let result = json!({ "id": "a1", "userid": "u-1", "caloriesConsumed": 7 });
        let filters = |v: Value| v.as_object().unwrap().clone();
        assert!(matches(&filters(json!({})), &result));
        assert!(matches(&filters(json!({ "userid": "u-1" })), &result));
        assert!(!matches(&filters(json!({ "userid": "u-2" })), &result));
        // An ID argument against a number, and the other way round.
        assert!(matches(
            &filters(json!({ "caloriesConsumed": "7" })),
            &result
        ));
        assert!(matches(
            &filters(json!({ "id": "a1", "userid": "u-1" })),
            &result
        ));
        // A field the mutation did not select: nothing matches.
        assert!(!matches(&filters(json!({ "category": "Food" })), &result));
    }
}
