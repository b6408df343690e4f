//! The whole system on one machine: tables from template.yaml on moto, seed data, the
//! GraphQL endpoint over the resolvers handler, and the aggregator on the activity stream.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::info;

use crate::functions::{Functions, LOCAL_PAGE_TOKEN_SECRET};
use crate::graphql::Api;
use crate::server::{router, ServerState};
use crate::stream::{Poller, StreamStats};
use crate::template::Template;

/// The API key the local stack accepts unless told otherwise.
pub const LOCAL_API_KEY: &str = "da2-local0000000000000000000000";

#[derive(Debug, Clone)]
pub struct StackConfig {
    pub moto_endpoint: String,
    /// Tables are `{prefix}-{LogicalId}`.
    pub prefix: String,
    pub listen: SocketAddr,
    pub seed: bool,
    pub api_key: String,
    pub page_token_secret: String,
    pub schema_path: PathBuf,
    pub template_path: PathBuf,
    /// Read the streams and run their functions.
    pub streams: bool,
    pub poll_interval: Duration,
    /// How long to wait for moto to answer at start (it may still be starting).
    pub wait_for_moto: Duration,
}

impl StackConfig {
    pub fn new(moto_endpoint: impl Into<String>) -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        Self {
            moto_endpoint: moto_endpoint.into(),
            prefix: "local".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 4000)),
            seed: true,
            api_key: LOCAL_API_KEY.into(),
            page_token_secret: LOCAL_PAGE_TOKEN_SECRET.into(),
            schema_path: root.join("schema.graphql"),
            template_path: root.join("template.yaml"),
            streams: true,
            poll_interval: Duration::from_millis(250),
            wait_for_moto: Duration::ZERO,
        }
    }
}

/// A running stack. Dropping it without [`Stack::stop`] aborts its tasks.
pub struct Stack {
    pub addr: SocketAddr,
    pub api_key: String,
    /// env var -> table name.
    pub tables: BTreeMap<String, String>,
    pub functions: Arc<Functions>,
    pub stream_stats: Arc<StreamStats>,
    /// What start-up did, for the banner.
    pub setup: SetupReport,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    pollers: Vec<JoinHandle<()>>,
}

#[derive(Debug, Clone, Default)]
pub struct SetupReport {
    pub reused_tables: bool,
    pub rooms: usize,
    pub events: usize,
    pub categories: usize,
    pub took: Duration,
}

/// An SDK configuration for moto with throw-away credentials.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "test",
            "test",
            None,
            None,
            "appsync-local",
        ))
        .endpoint_url(endpoint)
        .load()
        .await
}

/// Waits until moto accepts connections, for at most `limit` (the SDK's own retries back off
/// for seconds; a bare TCP probe notices a starting moto within milliseconds).
pub async fn wait_for(endpoint: &str, limit: Duration) -> Result<(), String> {
    let authority = endpoint
        .split("://")
        .nth(1)
        .unwrap_or(endpoint)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let started = Instant::now();
    loop {
        match tokio::net::TcpStream::connect(&authority).await {
            Ok(_) => return Ok(()),
            Err(e) if started.elapsed() >= limit => {
                return Err(format!("moto does not answer at {endpoint}: {e}"))
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Creates the template's tables (or finds them already there) and loads the seed data.
pub async fn ensure_tables(
    db: &aws_sdk_dynamodb::Client,
    prefix: &str,
    template_path: &std::path::Path,
    seed: bool,
    page_token_secret: &str,
) -> Result<(BTreeMap<String, String>, SetupReport), String> {
    let started = Instant::now();
    let mut report = SetupReport::default();
    let defs = testkit::tables::table_defs(template_path);
    let wanted: BTreeMap<String, String> = defs
        .iter()
        .map(|d| (d.env_var(), format!("{prefix}-{}", d.logical_id)))
        .collect();
    let mut existing = Vec::new();
    let mut pages = db.list_tables().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            format!(
                "moto does not answer ListTables: {}",
                crate::describe_sdk_error(&e)
            )
        })?;
        existing.extend(page.table_names().iter().cloned());
    }
    let present = wanted.values().filter(|n| existing.contains(n)).count();
    let tables = if present == wanted.len() {
        report.reused_tables = true;
        wanted
    } else if present == 0 {
        testkit::create_tables(db, prefix).await
    } else {
        return Err(format!(
            "moto has only some of the {prefix}-* tables ({present} of {}); use another --prefix or restart moto",
            wanted.len()
        ));
    };
    if seed && !report.reused_tables {
        let app = devtools::app(db.clone(), &tables, page_token_secret);
        let data = devtools::seed::read(&devtools::seed::default_path());
        let (rooms, events) = devtools::seed::load(&app, &data, chrono::Utc::now())
            .await
            .map_err(|e| format!("seed data refused: {e}"))?;
        report.rooms = rooms;
        report.events = events;
        report.categories =
            devtools::seed::load_categories(&app, &devtools::seed::categories_path())
                .await
                .map_err(|e| format!("categories refused: {e}"))?;
    }
    report.took = started.elapsed();
    Ok((tables, report))
}

impl Stack {
    pub async fn start(config: StackConfig) -> Result<Self, String> {
        // The port first: a taken port should fail before anything else happens.
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AddrInUse => format!(
                    "port {} on {} is taken (another ./dev up?); choose another with --port or GRAPHQL_PORT",
                    config.listen.port(),
                    config.listen.ip()
                ),
                _ => format!("cannot listen on {}: {e}", config.listen),
            })?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;

        let template = Template::read(&config.template_path)?;
        let api = Api::load(&config.schema_path, &template)?;
        let sdk = sdk_config(&config.moto_endpoint).await;
        let db = aws_sdk_dynamodb::Client::new(&sdk);
        wait_for(&config.moto_endpoint, config.wait_for_moto).await?;
        let (tables, setup) = ensure_tables(
            &db,
            &config.prefix,
            &config.template_path,
            config.seed,
            &config.page_token_secret,
        )
        .await?;
        let functions = Arc::new(Functions::new(
            &template,
            &db,
            &tables,
            &config.page_token_secret,
        )?);

        let (shutdown, rx) = watch::channel(false);
        let stream_stats = Arc::new(StreamStats::default());
        let mut pollers = Vec::new();
        if config.streams {
            let streams = aws_sdk_dynamodbstreams::Client::new(&sdk);
            for mapping in &template.stream_mappings {
                let table = tables
                    .get(&testkit::tables::env_var_for(&mapping.table))
                    .cloned()
                    .ok_or_else(|| {
                        format!("the stream's table {} was not created", mapping.table)
                    })?;
                let poller = Poller {
                    ddb: db.clone(),
                    streams: streams.clone(),
                    table,
                    mapping: mapping.clone(),
                    target: functions.clone(),
                    poll_interval: config.poll_interval,
                    stats: stream_stats.clone(),
                };
                pollers.push(tokio::spawn(poller.run(rx.clone())));
            }
        }

        let now = chrono::Utc::now().timestamp();
        let state = Arc::new(ServerState {
            api,
            functions: functions.clone(),
            api_key: config.api_key.clone(),
            sample_token: crate::auth::make_token("user-alice", "alice", &[], now),
        });
        let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
        let mut server_rx = rx;
        let server = tokio::spawn(async move {
            let stop = async move {
                let _ = server_rx.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::error!(error = %e, "HTTP server failed");
            }
        });
        info!(%addr, "GraphQL endpoint ready");
        Ok(Self {
            addr,
            api_key: config.api_key,
            tables,
            functions,
            stream_stats,
            setup,
            shutdown,
            server: Some(server),
            pollers,
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }

    /// Stops accepting requests, lets those in flight and the batch being delivered finish.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        let deadline = Duration::from_secs(10);
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(deadline, server).await;
        }
        for p in self.pollers.drain(..) {
            let _ = tokio::time::timeout(deadline, p).await;
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(s) = self.server.take() {
            s.abort();
        }
        for p in self.pollers.drain(..) {
            p.abort();
        }
    }
}
