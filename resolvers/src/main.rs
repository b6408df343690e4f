//! The resolvers Lambda: builds one SDK config and one DynamoDB client at start-up and hands
//! them to every invocation.
//!
//! Start-up is tuned for cold starts (figures in BENCHMARKS.md): a current-thread runtime,
//! since Lambda hands a process one invocation at a time, and TLS roots read from one CA
//! bundle file.

// The handler's future nests every operation's future; computing its layout in a release
// build (LTO) exceeds rustc's default query depth of 128.
#![recursion_limit = "256"]

use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use resolvers::{handle, App, Tables, TokenKey};
use serde_json::Value;

fn main() -> Result<(), lambda_runtime::Error> {
    // Before any thread exists: the only point where changing the environment is sound.
    use_one_ca_bundle();
    // No worker threads to start: one invocation at a time per process. The DynamoDB calls of
    // a BatchInvoke still run concurrently, interleaved on this thread.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<(), lambda_runtime::Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .without_time()
        .init();

    let tables = Tables::from_lookup(|k| std::env::var(k).ok()).map_err(|e| format!("{e:?}"))?;
    let secret = std::env::var("PAGE_TOKEN_SECRET")
        .map_err(|_| "environment variable PAGE_TOKEN_SECRET is not set")?;
    let tokens = TokenKey::new(&secret)?;
    let config = aws_config::load_from_env().await;
    let app = App::new(aws_sdk_dynamodb::Client::new(&config), tables, tokens);
    let app = &app;

    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(app, event.payload).await.map_err(Diagnostic::from)
    }))
    .await
}

/// The system's CA bundle: Amazon Linux (Lambda's provided.al2023), then Debian/Ubuntu.
const CA_BUNDLES: &[&str] = &[
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/certs/ca-certificates.crt",
];

/// The SDK loads its TLS roots while the client is built, during init. Unless SSL_CERT_FILE
/// or SSL_CERT_DIR says where, it reads the system bundle and then every file of the
/// certificate directory, which on Debian holds the same roots again, one file each: that
/// was half of init (BENCHMARKS.md). Naming the bundle keeps the same roots, read once.
fn use_one_ca_bundle() {
    if std::env::var_os("SSL_CERT_FILE").is_some() || std::env::var_os("SSL_CERT_DIR").is_some() {
        return;
    }
    if let Some(bundle) = CA_BUNDLES
        .iter()
        .find(|p| std::path::Path::new(p).is_file())
    {
        std::env::set_var("SSL_CERT_FILE", bundle);
    }
}
