//! Start-up shared by the `resolvers` and `aggregator` binaries, tuned for cold starts
//! (figures in BENCHMARKS.md).

pub mod metrics;

/// Runs `main` on a current-thread runtime after preparing the process. Lambda hands a
/// process one invocation at a time, so worker threads would only cost start-up time; the
/// DynamoDB calls of one invocation still run concurrently, interleaved on this thread.
pub fn run<F: std::future::Future>(main: F) -> std::io::Result<F::Output> {
    // Before any thread exists: the only point where changing the environment is sound.
    use_one_ca_bundle();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(runtime.block_on(async {
        init_logs();
        main.await
    }))
}

/// JSON logs (the template asks Lambda for JSON), level from RUST_LOG, `info` by default.
fn init_logs() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        // The span each handler opens per operation (its type, field and AppSync's request
        // id) is on every line logged inside it, as a `span` object.
        .with_current_span(true)
        .with_span_list(false)
        .without_time()
        .init();
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
