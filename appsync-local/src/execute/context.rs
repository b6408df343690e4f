//! What one request's execution reads and the errors it gathers.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use apollo_compiler::executable::Field;
use apollo_compiler::{ast, Node};
use appsync_contract::Request;
use futures::stream::{self, StreamExt};
use serde_json::{Map, Value};

use crate::caller::Caller;
use crate::graphql::input::Inputs;
use crate::graphql::schema::Api;
use crate::graphql::validate::Prepared;
use crate::invoke::Invoker;
use crate::response::{GraphQLError, Location, ResponsePath};

pub struct Invocation<'a> {
    pub api: &'a Api,
    pub invoker: &'a dyn Invoker,
    pub prepared: &'a Prepared,
    pub caller: &'a Caller,
    /// The events' `request`: `{headers, domainName}`.
    pub request: Request,
    /// Root introspection results by response key.
    pub introspection: Map<String, Value>,
    /// False when shaping a published mutation result for a subscriber: every field reads its
    /// parent's property, no resolver runs (AppSync sends what the mutation returned).
    pub run_resolvers: bool,
    /// Resolver executions so far, against `api.limits.resolver_count`.
    executions: AtomicUsize,
    errors: Mutex<Vec<GraphQLError>>,
}

impl<'a> Invocation<'a> {
    pub fn new(
        api: &'a Api,
        invoker: &'a dyn Invoker,
        prepared: &'a Prepared,
        caller: &'a Caller,
        introspection: Map<String, Value>,
        errors: Vec<GraphQLError>,
    ) -> Self {
        Self {
            api,
            invoker,
            prepared,
            caller,
            request: Request {
                headers: caller.headers.clone(),
                domain_name: None,
            },
            introspection,
            run_resolvers: true,
            executions: AtomicUsize::new(0),
            errors: Mutex::new(errors),
        }
    }

    /// Takes up to `wanted` of the request's remaining resolver executions; returns how many
    /// it got (AppSync runs that many and refuses the rest with ResolverExecutionLimitReached).
    pub fn reserve_executions(&self, wanted: usize) -> usize {
        let limit = self.api.limits.resolver_count;
        let mut granted = 0;
        let _ = self
            .executions
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                granted = wanted.min(limit.saturating_sub(used));
                Some(used + granted)
            });
        granted
    }

    pub fn inputs(&self) -> Inputs<'a> {
        self.prepared.inputs(self.api)
    }

    pub fn into_errors(self) -> Vec<GraphQLError> {
        self.errors.into_inner().unwrap_or_default()
    }

    fn push_error(&self, error: GraphQLError) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(error);
        }
    }

    /// Where the first of a response key's fields is in the query.
    fn locations(&self, fields: &[&Node<Field>]) -> Option<Vec<Location>> {
        fields
            .first()
            .and_then(|f| f.location())
            .and_then(|l| l.line_column(&self.prepared.doc.sources))
            .map(|l| vec![Location::from(l)])
    }

    /// A resolver's (or authorization's) error, as AppSync shapes it.
    pub fn field_error(
        &self,
        path: &ResponsePath,
        fields: &[&Node<Field>],
        error_type: &str,
        message: &str,
    ) {
        self.push_error(GraphQLError::Field {
            path: path.clone(),
            data: (),
            error_type: error_type.to_string(),
            error_info: (),
            locations: self.locations(fields),
            message: message.to_string(),
        });
    }

    /// An error of the execution itself (non-null violation, value that cannot be serialised).
    pub fn execution_error(&self, path: &ResponsePath, fields: &[&Node<Field>], message: String) {
        self.push_error(GraphQLError::Plain {
            path: Some(path.clone()),
            locations: self.locations(fields),
            message,
        });
    }

    /// `@skip` / `@include`.
    pub fn included(&self, directives: &ast::DirectiveList) -> bool {
        let condition = |name: &str| {
            directives
                .get(name)
                .and_then(|d| d.specified_argument_by_name("if"))
                .map(|v| match v.as_ref() {
                    ast::Value::Boolean(b) => *b,
                    ast::Value::Variable(v) => self
                        .prepared
                        .variables
                        .get(v.as_str())
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    _ => false,
                })
        };
        !condition("skip").unwrap_or(false) && condition("include").unwrap_or(true)
    }

    /// Whether a fragment with this type condition applies to an object of `type_name`.
    pub fn applies(&self, condition: Option<&str>, type_name: &str) -> bool {
        match condition {
            None => true,
            Some(c) => c == type_name || self.api.schema.is_subtype(c, type_name),
        }
    }
}

/// One parent object at a level of execution: where it sits in the response and the value its
/// resolver returned (the next level's `source`).
pub struct Parent {
    pub path: ResponsePath,
    pub source: Value,
}

/// How many sibling fields (or a field's per-parent calls) run at once.
///
/// Bounded because the executor yields to the runtime as it works (tokio's task budget):
/// when the budget runs out every future still waiting is polled again after the yield, so an
/// unbounded `join_all` of 20,000 fields would repoll all of them 20,000 / 128 times.
pub const CONCURRENT_FIELDS: usize = 64;

/// Runs the futures at most [`CONCURRENT_FIELDS`] at a time; outputs in input order.
pub async fn all_in_order<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    stream::iter(futures)
        .buffered(CONCURRENT_FIELDS)
        .collect()
        .await
}
