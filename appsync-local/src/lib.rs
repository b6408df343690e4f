//! appsync-local: AppSync's GraphQL endpoint and Lambda's stream event source mapping on one
//! machine, over the real handlers in-process, DynamoDB Local and moto (user pools). Layers, each importing only those
//! below it:
//!
//! * [`stack`] (+ [`setup`]): composition: tables and seed data on DynamoDB Local, the endpoint, the
//!   stream pollers, started and stopped together.
//! * [`http`]: the edge: routes, the origin check and CORS, `POST /graphql`, GraphiQL.
//! * [`auth`]: the edge: who calls (Cognito JWT or API key), as a [`caller::Caller`].
//! * [`answer`]: one request from an authenticated caller to its response: validate, execute;
//!   [`subscriptions`]: the subscriptions real-time connections hold, and mutation results
//!   delivered to them.
//! * [`graphql`]: parse and validate against the schema (apollo-compiler), AWS scalars, input
//!   coercion; nothing runs a resolver.
//! * [`execute`]: AppSync's execution, breadth first; Direct Lambda events and BatchInvoke.
//! * Leaves: [`invoke`] (how a function is called) with [`functions`] (the two handlers
//!   in-process), [`stream`] (the event source mapping), and [`cognito`] (the API's user pool
//!   on moto's cognito-idp).
//! * Plain types every layer may use: [`error`] (the crate's one error type), [`caller`],
//!   [`response`], [`locals`] (template values evaluated locally). template.yaml is read
//!   through `stack_template`, the project's one model of it.

pub mod answer;
pub mod auth;
pub mod caller;
pub mod cognito;
pub mod error;
pub mod execute;
pub mod functions;
pub mod graphql;
pub mod http;
pub mod invoke;
pub mod locals;
pub mod response;
pub mod sam_env;
pub mod setup;
pub mod stack;
pub mod stream;
pub mod subscriptions;
pub mod tls;

pub use stack::{Stack, StackConfig, LOCAL_API_KEY};
