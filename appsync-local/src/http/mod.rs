//! The HTTP edge: routes, the origin check and CORS, the GraphQL endpoint, GraphiQL.

mod graphiql;
pub mod graphql;
pub mod origins;
mod reply;
mod routes;
pub mod state;

pub use routes::router;
