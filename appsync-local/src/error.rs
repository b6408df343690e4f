//! The crate's one error type. A developer running `./dev up` reads its messages; a GraphQL
//! client reads [`Error::Invalid`]'s, word for word as AppSync writes them.

use std::path::PathBuf;

use tokio_rustls::rustls;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// template.yaml, schema.graphql or a setting asks for what the local stack cannot serve.
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Template(#[from] stack_template::TemplateError),
    /// An engine (DynamoDB Local, moto) does not answer, or refuses a call.
    #[error("{0}")]
    Engine(String),
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("moto's cognito-idp refused {call}: {detail}")]
    Refused { call: &'static str, detail: String },
    /// The user pool cannot sign a user in as asked.
    #[error("{0}")]
    UserPool(String),
    #[error("the user pool's JWKS from moto: {0}")]
    Jwks(#[from] reqwest::Error),
    #[error("the local TLS certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("the local TLS key or certificate: {0}")]
    Pem(#[from] rustls::pki_types::pem::Error),
    #[error("the local TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
    /// A value its type does not take; the message is the one the client reads.
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error about `path`.
    pub fn file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::File { path, source }
    }
}
