//! The whole system on one machine: tables from template.yaml on DynamoDB Local, seed data, the
//! GraphQL endpoint over the resolvers handler, and the aggregator on the activity stream.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use stack_template::{env_var_for, Template};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::info;

use crate::auth::jwt::Verifier;
use crate::auth::Authenticator;
use crate::cognito::{self, Tokens, UserPool};
use crate::error::{Error, Result};
use crate::functions::{Functions, LOCAL_PAGE_TOKEN_SECRET};
use crate::graphql::schema::Api;
use crate::http::assets::Assets;
use crate::http::origins::{AllowedOrigins, DEFAULT_FRONT_END_ORIGINS};
use crate::http::router;
use crate::http::serve::serve;
use crate::http::state::RealtimeSettings;
use crate::http::state::{ServerState, SignIn};
use crate::locals::Locals;
use crate::setup::{ensure_tables, wait_for, SetupReport};
use crate::stream::{Poller, StreamMapping, StreamStats};
use crate::subscriptions::Hub;
use crate::tls::LocalTls;

/// The API key the local stack accepts unless told otherwise.
pub const LOCAL_API_KEY: &str = "da2-local0000000000000000000000";

#[derive(Debug, Clone)]
pub struct StackConfig {
    /// DynamoDB Local: the tables and their streams.
    pub dynamodb_endpoint: String,
    /// moto: the user pool (Cognito).
    pub user_pool_endpoint: String,
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
    /// How long to wait for both endpoints to answer at start (they may still be starting).
    pub wait_for_engines: Duration,
    /// Web pages of these origins may call the endpoint, besides its own (`http::origins`).
    pub allow_origins: Vec<String>,
    /// Where the local CA is kept (`tls`); `None`: a CA in memory for this run only.
    pub tls_dir: Option<PathBuf>,
    /// The `node_modules` of `appsync-local/graphiql/` (GraphiQL's assets).
    pub graphiql_dir: PathBuf,
    pub realtime: RealtimeSettings,
}

impl StackConfig {
    pub fn new(
        dynamodb_endpoint: impl Into<String>,
        user_pool_endpoint: impl Into<String>,
    ) -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        Self {
            dynamodb_endpoint: dynamodb_endpoint.into(),
            user_pool_endpoint: user_pool_endpoint.into(),
            prefix: "local".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 4000)),
            seed: true,
            api_key: LOCAL_API_KEY.into(),
            page_token_secret: LOCAL_PAGE_TOKEN_SECRET.into(),
            schema_path: root.join("schema.graphql"),
            template_path: stack_template::template_path(),
            streams: true,
            poll_interval: Duration::from_millis(250),
            wait_for_engines: Duration::ZERO,
            allow_origins: DEFAULT_FRONT_END_ORIGINS
                .iter()
                .map(|o| o.to_string())
                .collect(),
            tls_dir: None,
            graphiql_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("graphiql/node_modules"),
            realtime: RealtimeSettings::default(),
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
    pub origins: Arc<AllowedOrigins>,
    /// The API's user pool on moto (None if template.yaml declares none).
    pub user_pool: Option<UserPool>,
    /// The certificate `https://` and `wss://` are served with, and the CA to trust.
    pub tls: LocalTls,
    /// The real-time connections' subscriptions.
    pub hub: Arc<Hub>,
    idp: aws_sdk_cognitoidentityprovider::Client,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    /// The hub's delivery task.
    delivery: JoinHandle<()>,
    pollers: Vec<JoinHandle<()>>,
}

impl Stack {
    pub async fn start(config: StackConfig) -> Result<Self> {
        // The port first: a taken port should fail before anything else happens.
        let (addr, listener) = tokio::net::TcpListener::bind(config.listen)
            .await
            .and_then(|l| Ok((l.local_addr()?, l)))
            .map_err(|e| {
                Error::Config(match e.kind() {
                    std::io::ErrorKind::AddrInUse => format!(
                        "port {} on {} is taken (another ./dev up?); choose another with --port or GRAPHQL_PORT",
                        config.listen.port(),
                        config.listen.ip()
                    ),
                    _ => format!("cannot listen on {}: {e}", config.listen),
                })
            })?;
        let origins = Arc::new(AllowedOrigins::new(addr, &config.allow_origins)?);

        let template = Template::read(&config.template_path)?;
        let api = Api::load(&config.schema_path, &template)?;
        let sdk = stack_template::tables::sdk_config_at(&config.dynamodb_endpoint).await;
        let db = aws_sdk_dynamodb::Client::new(&sdk);
        wait_for(&config.dynamodb_endpoint, config.wait_for_engines).await?;
        wait_for(&config.user_pool_endpoint, config.wait_for_engines).await?;
        let (tables, setup) = ensure_tables(
            &db,
            &config.prefix,
            &template,
            config.seed,
            &config.page_token_secret,
        )
        .await?;
        let locals = Locals {
            stack_name: &config.prefix,
            tables: &tables,
        };
        let functions = Arc::new(Functions::new(
            &template,
            &db,
            &locals,
            &config.page_token_secret,
        )?);
        let idp = aws_sdk_cognitoidentityprovider::Client::new(
            &stack_template::tables::sdk_config_at(&config.user_pool_endpoint).await,
        );
        let user_pool = cognito::ensure_user_pool(&idp, &template, &locals).await?;
        let verifier = match &user_pool {
            Some(pool) => {
                let jwks = cognito::fetch_jwks(&config.user_pool_endpoint, &pool.id).await?;
                Some(Verifier::new(
                    pool.issuer.clone(),
                    pool.clients.iter().map(|c| c.id.clone()),
                    &jwks,
                )?)
            }
            None => None,
        };

        let (shutdown, rx) = watch::channel(false);
        let stream_stats = Arc::new(StreamStats::default());
        let mut pollers = Vec::new();
        if config.streams {
            let streams = aws_sdk_dynamodbstreams::Client::new(&sdk);
            for mapping in StreamMapping::all(&template)? {
                let table = tables
                    .get(&env_var_for(&mapping.table))
                    .cloned()
                    .ok_or_else(|| {
                        Error::Config(format!(
                            "the stream's table {} was not created",
                            mapping.table
                        ))
                    })?;
                let poller = Poller {
                    ddb: db.clone(),
                    streams: streams.clone(),
                    table,
                    mapping,
                    target: functions.clone(),
                    poll_interval: config.poll_interval,
                    stats: stream_stats.clone(),
                    checkpoints: Arc::default(),
                };
                pollers.push(tokio::spawn(poller.run(rx.clone())));
            }
        }

        let tls = LocalTls::new(config.tls_dir.as_deref())?;
        let api = Arc::new(api);
        let (hub, delivery) = Hub::start(api.clone());
        let state = Arc::new(ServerState {
            api,
            invoker: functions.clone(),
            auth: Arc::new(Authenticator {
                api_key: config.api_key.clone(),
                verifier,
            }),
            sign_in: user_pool.clone().map(|pool| SignIn {
                idp: idp.clone(),
                pool,
            }),
            hub: hub.clone(),
            realtime: config.realtime.clone(),
            shutdown: rx.clone(),
            graphiql: Assets::load(&config.graphiql_dir),
        });
        let app = router(state, origins.clone());
        let server = tokio::spawn(serve(listener, app, Some(tls.server.clone()), rx));
        info!(%addr, "GraphQL endpoint ready");
        Ok(Self {
            addr,
            api_key: config.api_key,
            tables,
            functions,
            stream_stats,
            setup,
            origins,
            user_pool,
            tls,
            hub,
            idp,
            shutdown,
            server: Some(server),
            delivery,
            pollers,
        })
    }

    /// Signs `username` in to the stack's user pool (creating the user on first use) with
    /// exactly these groups: what `./dev token` does.
    pub async fn sign_in(&self, username: &str, groups: &[&str]) -> Result<Tokens> {
        let pool = self
            .user_pool
            .as_ref()
            .ok_or_else(|| Error::Config("template.yaml declares no user pool".into()))?;
        cognito::sign_in(&self.idp, pool, username, groups).await
    }

    pub fn url(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }

    /// Where Amplify connects for subscriptions (the same port also answers `ws://`).
    pub fn realtime_url(&self) -> String {
        format!("wss://{}/graphql/realtime", self.addr)
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
        self.delivery.abort();
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
        self.delivery.abort();
    }
}
