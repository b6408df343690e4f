//! The local stack: the whole system on one machine, without Docker or an AWS account.
//!
//! * [`graphql`] + [`exec`]: AppSync's GraphQL endpoint over schema.graphql (validated by
//!   apollo-compiler), each Lambda-resolved field turned into a Direct Lambda event for the
//!   resolvers handler (BatchInvoke for fields with `MaxBatchSize`);
//! * [`auth`]: Cognito-style JWTs and the API key, field rules from the `@aws_*` directives;
//! * [`stream`]: the activity table's stream on moto, delivered to the aggregator handler as
//!   Lambda's event source mapping would;
//! * [`stack`]: tables from template.yaml, seed data, all of the above started together;
//! * [`functions`]: the two handlers in-process, with the template's environment.

pub mod auth;
pub mod client;
pub mod exec;
pub mod functions;
pub mod graphql;
pub mod out;
pub mod scalars;
pub mod server;
pub mod stack;
pub mod stream;
pub mod template;

pub use stack::{Stack, StackConfig, LOCAL_API_KEY};

/// A short description of an SDK error (service code and message, or the transport error).
pub fn describe_sdk_error<E, R>(err: &aws_sdk_dynamodb::error::SdkError<E, R>) -> String
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err.as_service_error() {
        Some(e) => format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or("")),
        None => {
            let mut text = err.to_string();
            let mut source = std::error::Error::source(err);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
    }
}
