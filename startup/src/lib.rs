//! Start-up shared by the `resolvers` and `aggregator` binaries, tuned for cold starts
//! (figures in BENCHMARKS.md): a current-thread runtime, JSON logs, the SDK's configuration
//! from the environment with Amazon's TLS roots, the EMF metrics recorder.

pub mod metrics;

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_http_client::Builder;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Runs `main` on a current-thread runtime, logging as [`init_logs`] sets. Lambda hands a
/// process one invocation at a time, so worker threads would only cost start-up time; the
/// DynamoDB calls of one invocation still run concurrently, interleaved on this thread.
pub fn run<F: std::future::Future>(main: F) -> std::io::Result<F::Output> {
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

/// The SDK's configuration as a Lambda has it: region and credentials from the variables
/// Lambda sets (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`), `AWS_ENDPOINT_URL` where one is set (local runs), TLS roots from
/// [`AMAZON_ROOTS`]. `aws_config::load_from_env` would also look for profile files, SSO,
/// web identity and the instance metadata service, none of which a Lambda uses.
pub fn sdk_config() -> SdkConfig {
    let var = |k: &str| std::env::var(k).ok();
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(
            var("AWS_REGION")
                .or_else(|| var("AWS_DEFAULT_REGION"))
                .map(Region::new),
        )
        .credentials_provider(SharedCredentialsProvider::new(
            EnvironmentVariableCredentialsProvider::new(),
        ))
        .retry_config(RetryConfig::standard())
        .http_client(https_client(
            var("SSL_CERT_FILE")
                .or_else(|| var("SSL_CERT_DIR"))
                .is_some(),
        ));
    config.set_endpoint_url(var("AWS_ENDPOINT_URL"));
    config.build()
}

/// The roots of Amazon Trust Services (Amazon Root CA 1 to 4, and Starfield Services Root
/// G2, which cross-signs them), which every AWS endpoint's certificate chains to. Five
/// roots parse in microseconds, where the system bundle's ~150 cost about 0.8 ms of init
/// on CPU, and their parsing again at the first connection (BENCHMARKS.md).
pub const AMAZON_ROOTS: &str = include_str!("amazon-roots.pem");

/// An HTTPS client (the SDK's own hyper and rustls) trusting [`AMAZON_ROOTS`], or the
/// platform's roots when `platform` (SSL_CERT_FILE or SSL_CERT_DIR names them: an endpoint
/// with another CA, such as a proxy).
fn https_client(platform: bool) -> SharedHttpClient {
    let roots = if platform {
        TrustStore::default()
    } else {
        TrustStore::empty().with_pem_certificate(AMAZON_ROOTS)
    };
    let tls = TlsContext::builder()
        .with_trust_store(roots)
        .build()
        .expect("a TLS context of PEM roots");
    Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls)
        .build_https()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Building a client hands its HTTP client the roots, which it parses then (a bad
    /// certificate would panic here, at init, not at the first request).
    #[tokio::test]
    async fn a_client_builds_on_amazons_roots() {
        let roots = AMAZON_ROOTS.matches("-----BEGIN CERTIFICATE-----").count();
        assert_eq!(roots, 5);
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(https_client(false))
            .build();
        aws_sdk_dynamodb::Client::new(&config);
    }
}
