//! The two Lambdas, in-process: the very handlers `main.rs` of each crate hands to the Lambda
//! runtime, with the environment template.yaml gives them, the template's timeout, and the
//! runtime's way of reporting an error (`lambda_runtime::Diagnostic`).

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt};
use lambda_runtime::Diagnostic;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::invoke::{FunctionError, Invoker};
use crate::locals::Locals;
use stack_template::{Function, Template};

/// The local value of `PAGE_TOKEN_SECRET` (AWS resolves it from Secrets Manager).
pub const LOCAL_PAGE_TOKEN_SECRET: &str = "local-development-secret-not-for-production";

/// Counts of what ran, for logs, tests and benchmarks.
#[derive(Debug, Default)]
pub struct Counters {
    /// Every invocation of any function (a BatchInvoke is one).
    pub invocations: AtomicU64,
    /// Invocations whose payload was a BatchInvoke array.
    pub batch_invocations: AtomicU64,
    /// Events delivered: one per invocation, a BatchInvoke's items each (AppSync's resolver
    /// executions).
    pub events: AtomicU64,
    pub function_errors: AtomicU64,
}

pub struct Functions {
    resolvers: Option<(resolvers::App, Duration)>,
    aggregator: Option<(aggregator::Aggregator, Duration)>,
    pub counters: Counters,
}

/// A function's environment as the template sets it, evaluated locally (`crate::locals`):
/// `!Ref SomeTable` becomes the local table name, `!Ref AWS::StackName` the stack's prefix;
/// the page-token secret, which AWS resolves from Secrets Manager, is the local one.
pub fn environment(
    function: &Function,
    locals: &Locals<'_>,
    page_token_secret: &str,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for (var, value) in function.properties.variables() {
        let local = match locals.eval(value) {
            Some(v) => Some(v),
            None if var == "PAGE_TOKEN_SECRET" => Some(page_token_secret.to_string()),
            None => None,
        };
        if let Some(v) = local {
            env.insert(var.to_string(), v);
        }
    }
    env
}

impl Functions {
    /// Builds every function of the template this stack knows how to run in-process.
    pub fn new(
        template: &Template,
        db: &aws_sdk_dynamodb::Client,
        locals: &Locals<'_>,
        page_token_secret: &str,
    ) -> Result<Self> {
        let mut resolvers_fn = None;
        let mut aggregator_fn = None;
        for f in &template.functions {
            let env = environment(f, locals, page_token_secret);
            let lookup = |k: &str| env.get(k).cloned();
            // Lambda's default timeout is 3 seconds.
            let timeout = Duration::from_secs(f.properties.timeout.unwrap_or(3).max(1) as u64);
            match f.binary().unwrap_or_default() {
                "resolvers" => {
                    let lookup = |k: &str| {
                        lookup(k).or_else(|| {
                            (k == "PAGE_TOKEN_SECRET").then(|| page_token_secret.to_string())
                        })
                    };
                    let app = resolvers::App::from_lookup(db.clone(), lookup)
                        .map_err(|e| Error::Config(format!("resolvers environment: {e:?}")))?;
                    resolvers_fn = Some((app, timeout));
                }
                "aggregator" => {
                    let config = aggregator::Config::from_lookup(lookup)
                        .map_err(|e| Error::Config(format!("aggregator environment: {e}")))?;
                    aggregator_fn =
                        Some((aggregator::Aggregator::new(db.clone(), config), timeout));
                }
                other => {
                    tracing::warn!(function = other, "no in-process handler for this function")
                }
            }
        }
        Ok(Self {
            resolvers: resolvers_fn,
            aggregator: aggregator_fn,
            counters: Counters::default(),
        })
    }

    pub fn names(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.resolvers.is_some() {
            out.push("resolvers");
        }
        if self.aggregator.is_some() {
            out.push("aggregator");
        }
        out
    }

    async fn run(&self, function: &str, payload: Value) -> Result<Value, FunctionError> {
        self.counters.invocations.fetch_add(1, Ordering::Relaxed);
        let events = payload.as_array().map_or(1, Vec::len) as u64;
        self.counters.events.fetch_add(events, Ordering::Relaxed);
        if payload.is_array() {
            self.counters
                .batch_invocations
                .fetch_add(1, Ordering::Relaxed);
        }
        let (work, timeout): (BoxFuture<'_, Result<Value, Diagnostic>>, Duration) = match function {
            "resolvers" => {
                let Some((app, timeout)) = &self.resolvers else {
                    return Err(unknown(function));
                };
                (
                    async move {
                        resolvers::handle(app, payload)
                            .await
                            .map_err(Diagnostic::from)
                    }
                    .boxed(),
                    *timeout,
                )
            }
            "aggregator" => {
                let Some((aggregator, timeout)) = &self.aggregator else {
                    return Err(unknown(function));
                };
                // The runtime hands the aggregator its payload as raw JSON text.
                let raw = payload.to_string();
                (
                    async move {
                        let outcome = aggregator
                            .handle_payload(&raw)
                            .await
                            .map_err(Diagnostic::from)?;
                        serde_json::to_value(&outcome.response).map_err(|e| Diagnostic {
                            error_type: "Runtime.SerializationError".into(),
                            error_message: e.to_string(),
                        })
                    }
                    .boxed(),
                    *timeout,
                )
            }
            other => return Err(unknown(other)),
        };
        let result =
            match tokio::time::timeout(timeout, AssertUnwindSafe(work).catch_unwind()).await {
                Ok(Ok(r)) => r.map_err(|d| FunctionError::new(d.error_type, d.error_message)),
                Ok(Err(_panic)) => Err(FunctionError::new(
                    "Runtime.ExitError",
                    format!("{function}: the handler panicked"),
                )),
                Err(_) => Err(FunctionError::new(
                    "Lambda:Unhandled",
                    format!("Task timed out after {:.2} seconds", timeout.as_secs_f64()),
                )),
            };
        if result.is_err() {
            self.counters
                .function_errors
                .fetch_add(1, Ordering::Relaxed);
        }
        result
    }
}

fn unknown(function: &str) -> FunctionError {
    FunctionError::new(
        "ResourceNotFoundException",
        format!("Function not found: {function}"),
    )
}

impl Invoker for Functions {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, FunctionError>> {
        self.run(function, payload).boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_functions_environment_names_the_local_tables() {
        let template = Template::repository();
        let tables =
            BTreeMap::from([("EVENTS_TABLE".to_string(), "local-EventsTable".to_string())]);
        let locals = Locals {
            stack_name: "local",
            tables: &tables,
        };
        let env = environment(template.function("resolvers").unwrap(), &locals, "s3cret");
        assert_eq!(env["EVENTS_TABLE"], "local-EventsTable");
        // The secret comes from Secrets Manager on AWS: the local one stands in.
        assert_eq!(env["PAGE_TOKEN_SECRET"], "s3cret");
        // `!Ref AWS::StackName`: the stack's name, so the metrics namespace is set locally too.
        assert_eq!(env["POWERTOOLS_METRICS_NAMESPACE"], "local");
    }
}
