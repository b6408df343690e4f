//! `appsync-local up`: the stack until Ctrl-C (or SIGTERM), with a banner saying how to use it.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use appsync_local::cognito::LOCAL_PASSWORD;
use appsync_local::error::{Error, Result};
use appsync_local::http::origins::DEFAULT_FRONT_END_ORIGINS;
use appsync_local::{Stack, StackConfig, LOCAL_API_KEY};

#[derive(clap::Args)]
pub struct Args {
    /// The DynamoDB endpoint (DynamoDB Local: the tables and their streams).
    #[arg(long, env = "DYNAMODB_ENDPOINT")]
    dynamodb: String,
    /// The Cognito endpoint (moto: the user pool).
    #[arg(long, env = "USER_POOL_ENDPOINT")]
    user_pool: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The port to listen on (0: any free port).
    #[arg(long, env = "GRAPHQL_PORT", default_value_t = 4000)]
    port: u16,
    /// Tables are `PREFIX-{LogicalId}`.
    #[arg(long, default_value = "local")]
    prefix: String,
    /// The API key the endpoint accepts.
    #[arg(long, default_value = LOCAL_API_KEY)]
    api_key: String,
    /// Leave the tables empty.
    #[arg(long)]
    no_seed: bool,
    /// Do not read the streams.
    #[arg(long)]
    no_streams: bool,
    /// Write the stack's settings here while it runs (`./dev invoke` reads them).
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Where the local CA for https:// and wss:// is kept (made on first use).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../.local/tls"))]
    tls_dir: PathBuf,
    /// Seconds to wait for both endpoints to accept connections.
    #[arg(long, default_value_t = 0.0)]
    wait_for_engines: f64,
    /// Web pages of this origin may call the endpoint (repeat, or separate with commas).
    /// Replaces the default list; the endpoint's own pages are always allowed.
    #[arg(
        long = "allow-origin",
        env = "GRAPHQL_ALLOW_ORIGINS",
        value_delimiter = ',',
        default_values = DEFAULT_FRONT_END_ORIGINS
    )]
    allow_origins: Vec<String>,
}

pub async fn run(args: Args) -> Result<ExitCode> {
    let started = Instant::now();
    let mut config = StackConfig::new(args.dynamodb, args.user_pool);
    config.listen = SocketAddr::new(args.host, args.port);
    config.prefix = args.prefix;
    config.api_key = args.api_key;
    config.seed = !args.no_seed;
    config.streams = !args.no_streams;
    config.wait_for_engines = Duration::try_from_secs_f64(args.wait_for_engines)
        .map_err(|e| Error::Config(format!("--wait-for-engines: {e}")))?;
    config.allow_origins = args.allow_origins;
    config.tls_dir = Some(args.tls_dir);

    let stack = Stack::start(config.clone()).await?;
    if let Some(path) = &args.state_file {
        write_state(path, &stack, &config)?;
    }
    banner(&stack, &config, started.elapsed()).await;

    wait_for_stop().await;
    eprintln!("appsync-local: stopping (requests in flight and the stream batch being delivered finish first)");
    stack.stop().await;
    if let Some(path) = &args.state_file {
        let _ = std::fs::remove_file(path);
    }
    eprintln!("appsync-local: stopped");
    Ok(ExitCode::SUCCESS)
}

fn write_state(path: &PathBuf, stack: &Stack, config: &StackConfig) -> Result<()> {
    let mut text = format!(
        "# Written by `appsync-local up` while it runs; removed when it stops.\nexport DYNAMODB_ENDPOINT={}\nexport APPSYNC_LOCAL_PREFIX={}\nexport GRAPHQL_URL={}\nexport API_KEY={}\nexport APPSYNC_LOCAL_PID={}\n",
        config.dynamodb_endpoint,
        config.prefix,
        stack.url(),
        stack.api_key,
        std::process::id()
    );
    text.push_str(&format!(
        "export GRAPHQL_REALTIME_URL={}\n",
        stack.realtime_url()
    ));
    if let Some(ca) = &stack.tls.ca_file {
        text.push_str(&format!("export TLS_CA_FILE={}\n", ca.display()));
    }
    if let Some(pool) = &stack.user_pool {
        // What Amplify's Auth configuration needs (README: "Signing in with Amplify").
        text.push_str(&format!(
            "export USER_POOL_ID={}\nexport USER_POOL_ENDPOINT={}\n",
            pool.id, config.user_pool_endpoint
        ));
        if let Some(web) = pool.web_client() {
            text.push_str(&format!("export USER_POOL_CLIENT_ID={}\n", web.id));
        }
    }
    for (var, name) in &stack.tables {
        text.push_str(&format!("export {var}={name}\n"));
    }
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(path, text).map_err(Error::file(path))
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn banner(stack: &Stack, config: &StackConfig, took: Duration) {
    let token = |name: &'static str, groups: &'static [&'static str]| async move {
        stack
            .sign_in(name, groups)
            .await
            .map(|t| t.access)
            .unwrap_or_else(|e| format!("(sign-in failed: {e})"))
    };
    let alice = token("alice", &[]).await;
    let admin = token("admin", &["Admin"]).await;
    let pool = match &stack.user_pool {
        Some(p) => format!(
            "{} on moto's cognito-idp (app client {}); users' password {LOCAL_PASSWORD}",
            p.id,
            p.web_client().map(|c| c.id.as_str()).unwrap_or("-")
        ),
        None => "none in template.yaml".to_string(),
    };
    let setup = &stack.setup;
    let data = if setup.reused_tables {
        "tables already there: reused as they are".to_string()
    } else if config.seed {
        format!(
            "seeded {} rooms, {} events, {} activity categories",
            setup.rooms, setup.events, setup.categories
        )
    } else {
        "no seed data (--no-seed)".to_string()
    };
    let origins: Vec<&str> = stack.origins.configured().collect();
    let url = stack.url();
    println!(
        "\nLocal stack ready in {:.2} s\n\
         \n  GraphQL    {url}   (POST, AppSync's request, auth and error shapes)\
         \n  Real-time  {realtime}   (subscriptions, AppSync's protocol; ws:// too; trust {ca})\
         \n  GraphiQL   http://{addr}/\
         \n  API key    {key}   (header x-api-key: the reads marked @aws_api_key)\
         \n  User pool  {pool}\
         \n  Tokens     Authorization header, access tokens valid for an hour; more with ./dev token NAME [GROUP]\
         \n    alice    {alice}\
         \n    admin    {admin}\
         \n  Origins    web pages of {origins} (and the endpoint's own); others get 403 (--allow-origin)\
         \n  DynamoDB   DynamoDB Local at {dynamodb}, tables {prefix}-* ({data})\
         \n  Streams    {streams}\
         \n  Functions  {functions} (in-process handlers, environment from template.yaml)\
         \n\nTry:\n  curl -s {url} -H 'x-api-key: {key}' -d '{{\"query\":\"{{ listRooms {{ items {{ id name capacity }} }} }}\"}}'\
         \n\nCtrl-C stops everything.\n",
        took.as_secs_f64(),
        addr = stack.addr,
        key = stack.api_key,
        realtime = stack.realtime_url(),
        ca = stack
            .tls
            .ca_file
            .as_ref()
            .map_or("the CA in memory".to_string(), |f| f.display().to_string()),
        origins = if origins.is_empty() { "no other origin".to_string() } else { origins.join(", ") },
        dynamodb = config.dynamodb_endpoint,
        prefix = config.prefix,
        streams = if config.streams {
            "activity stream -> aggregator (polled from DynamoDB Local's stream, Lambda's batching and retries)"
        } else {
            "not read (--no-streams)"
        },
        functions = stack.functions.names().join(", "),
    );
}
