//! Parse and validate: what AppSync does with a request before anything executes. Nothing here
//! runs a resolver; [`validate::prepare`] hands the executor a request it can trust.

pub mod input;
pub mod request;
pub mod scalars;
pub mod schema;
pub mod validate;
