//! The HTTP edge: routes, the origin check and CORS, the GraphQL endpoint, the real-time
//! endpoint, GraphiQL.

pub mod assets;
pub mod graphiql;
pub mod graphql;
pub mod origins;
pub mod realtime;
mod reply;
mod routes;
pub mod serve;
pub mod state;

pub use routes::router;
