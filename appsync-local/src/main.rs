//! `appsync-local`: the local stack's command line (the `./dev` script runs it).
//!
//!   appsync-local up [--moto URL] [--host IP] [--port N] [--prefix P] [--api-key K]
//!                 [--no-seed] [--no-streams] [--state-file PATH] [--wait-for-moto SECS]
//!   appsync-local invoke FUNCTION EVENT.json|- [--moto URL] [--prefix P]
//!   appsync-local token NAME [GROUP...] [--sub SUB]
//!
//! The moto endpoint defaults to $MOTO_ENDPOINT, the port to $GRAPHQL_PORT or 4000.

use std::io::Read as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use appsync_local::functions::{Functions, LOCAL_PAGE_TOKEN_SECRET};
use appsync_local::graphql::Invoker as _;
use appsync_local::stack::{ensure_tables, sdk_config};
use appsync_local::template::Template;
use appsync_local::{Stack, StackConfig};

const USAGE: &str = "usage:
  appsync-local up [--moto URL] [--host IP] [--port N] [--prefix P] [--api-key K] [--no-seed] [--no-streams] [--state-file PATH] [--wait-for-moto SECS]
  appsync-local invoke FUNCTION EVENT.json|- [--moto URL] [--prefix P]
  appsync-local token NAME [GROUP...] [--sub SUB]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first().cloned() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    if command == "token" {
        return token(rest);
    }
    if command == "-h" || command == "--help" || command == "help" {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    init_logs();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("appsync-local: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match command.as_str() {
        "up" => runtime.block_on(up(rest)),
        "invoke" => runtime.block_on(invoke(rest)),
        other => Err(format!("unknown command {other}\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("appsync-local: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "info,aws_config=warn,aws_smithy_runtime=warn,aws_sdk_dynamodb=warn,hyper=warn",
        )
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
}

/// `--name value` options and positional arguments.
struct Args {
    positional: Vec<String>,
    options: Vec<(String, Option<String>)>,
}

impl Args {
    fn parse(args: &[String], flags: &[&str]) -> Result<Self, String> {
        let mut positional = Vec::new();
        let mut options = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                if flags.contains(&name) {
                    options.push((name.to_string(), None));
                } else {
                    let v = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
                    options.push((name.to_string(), Some(v.clone())));
                }
            } else {
                positional.push(a.clone());
            }
        }
        Ok(Self {
            positional,
            options,
        })
    }

    fn value(&self, name: &str) -> Option<String> {
        self.options
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.clone())
    }

    fn flag(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }

    fn check_known(&self, known: &[&str]) -> Result<(), String> {
        match self
            .options
            .iter()
            .find(|(n, _)| !known.contains(&n.as_str()))
        {
            Some((n, _)) => Err(format!("unknown option --{n}\n{USAGE}")),
            None => Ok(()),
        }
    }
}

fn moto_endpoint(args: &Args) -> Result<String, String> {
    args.value("moto")
        .or_else(|| std::env::var("MOTO_ENDPOINT").ok())
        .ok_or_else(|| {
            "no moto endpoint: pass --moto URL or set MOTO_ENDPOINT (./dev up starts one)".into()
        })
}

async fn up(rest: &[String]) -> Result<ExitCode, String> {
    let started = Instant::now();
    let args = Args::parse(rest, &["no-seed", "no-streams"])?;
    args.check_known(&[
        "moto",
        "host",
        "port",
        "prefix",
        "api-key",
        "no-seed",
        "no-streams",
        "state-file",
        "wait-for-moto",
    ])?;
    let moto = moto_endpoint(&args)?;
    let host: IpAddr = args
        .value("host")
        .unwrap_or_else(|| "127.0.0.1".into())
        .parse()
        .map_err(|e| format!("--host: {e}"))?;
    let port: u16 = args
        .value("port")
        .or_else(|| std::env::var("GRAPHQL_PORT").ok())
        .unwrap_or_else(|| "4000".into())
        .parse()
        .map_err(|e| format!("--port: {e}"))?;
    let mut config = StackConfig::new(moto.clone());
    config.listen = SocketAddr::new(host, port);
    if let Some(p) = args.value("prefix") {
        config.prefix = p;
    }
    if let Some(k) = args.value("api-key") {
        config.api_key = k;
    }
    config.seed = !args.flag("no-seed");
    if let Some(secs) = args.value("wait-for-moto") {
        let secs: f64 = secs.parse().map_err(|e| format!("--wait-for-moto: {e}"))?;
        config.wait_for_moto = std::time::Duration::from_secs_f64(secs);
    }
    config.streams = !args.flag("no-streams");

    let stack = Stack::start(config.clone()).await?;
    let state_file = args.value("state-file").map(PathBuf::from);
    if let Some(path) = &state_file {
        let mut text = format!(
            "# Written by `appsync-local up` while it runs; removed when it stops.\nexport MOTO_ENDPOINT={moto}\nexport APPSYNC_LOCAL_PREFIX={}\nexport GRAPHQL_URL={}\nexport API_KEY={}\nexport APPSYNC_LOCAL_PID={}\n",
            config.prefix,
            stack.url(),
            stack.api_key,
            std::process::id()
        );
        for (var, name) in &stack.tables {
            text.push_str(&format!("export {var}={name}\n"));
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    banner(&stack, &config, &moto, started.elapsed());

    wait_for_stop().await;
    eprintln!("appsync-local: stopping (requests in flight and the stream batch being delivered finish first)");
    stack.stop().await;
    if let Some(path) = &state_file {
        let _ = std::fs::remove_file(path);
    }
    eprintln!("appsync-local: stopped");
    Ok(ExitCode::SUCCESS)
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

fn banner(stack: &Stack, config: &StackConfig, moto: &str, took: std::time::Duration) {
    let now = chrono::Utc::now().timestamp();
    let alice = appsync_local::auth::make_token("user-alice", "alice", &[], now);
    let admin = appsync_local::auth::make_token("user-admin", "admin", &["Admin"], now);
    let setup = &stack.setup;
    let data = if setup.reused_tables {
        "tables already on moto: reused as they are".to_string()
    } else if config.seed {
        format!(
            "seeded {} rooms, {} events, {} activity categories",
            setup.rooms, setup.events, setup.categories
        )
    } else {
        "no seed data (--no-seed)".to_string()
    };
    let url = stack.url();
    println!(
        "\nLocal stack ready in {:.2} s\n\
         \n  GraphQL    {url}   (POST, AppSync's request, auth and error shapes)\
         \n  GraphiQL   http://{addr}/\
         \n  API key    {key}   (header x-api-key: the reads marked @aws_api_key)\
         \n  Tokens     Authorization header, Cognito-style JWT (signature not checked); more with ./dev token NAME [GROUP]\
         \n    alice    {alice}\
         \n    admin    {admin}\
         \n  DynamoDB   moto at {moto}, tables {prefix}-* ({data})\
         \n  Streams    {streams}\
         \n  Functions  {functions} (in-process handlers, environment from template.yaml)\
         \n\nTry:\n  curl -s {url} -H 'x-api-key: {key}' -d '{{\"query\":\"{{ listRooms {{ items {{ id name capacity }} }} }}\"}}'\
         \n\nCtrl-C stops everything.\n",
        took.as_secs_f64(),
        addr = stack.addr,
        key = stack.api_key,
        prefix = config.prefix,
        streams = if config.streams {
            "activity stream -> aggregator (polled from moto, Lambda's batching and retries)"
        } else {
            "not read (--no-streams)"
        },
        functions = stack.functions.names().join(", "),
    );
}

async fn invoke(rest: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(rest, &[])?;
    args.check_known(&["moto", "prefix"])?;
    let [function, file] = args.positional.as_slice() else {
        return Err(format!("invoke needs FUNCTION and EVENT.json\n{USAGE}"));
    };
    let text = if file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("stdin: {e}"))?;
        s
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?
    };
    let payload: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{file} is not JSON: {e}"))?;
    let moto = moto_endpoint(&args)?;
    let prefix = args.value("prefix").unwrap_or_else(|| "local".into());
    let template = Template::read(&appsync_local::template::default_path())?;
    let function = template
        .function(function)
        .ok_or_else(|| {
            let names: Vec<String> = template
                .functions
                .iter()
                .map(|f| format!("{} ({})", f.binary, f.logical_id))
                .collect();
            format!(
                "no function {function} in template.yaml; there are {}",
                names.join(", ")
            )
        })?
        .binary
        .clone();
    let db = aws_sdk_dynamodb::Client::new(&sdk_config(&moto).await);
    let (tables, report) = ensure_tables(
        &db,
        &prefix,
        &appsync_local::template::default_path(),
        true,
        LOCAL_PAGE_TOKEN_SECRET,
    )
    .await?;
    if !report.reused_tables {
        eprintln!(
            "appsync-local: created the {prefix}-* tables on {moto} and loaded the seed data ({:.2} s)",
            report.took.as_secs_f64()
        );
    }
    let functions = Functions::new(&template, &db, &tables, LOCAL_PAGE_TOKEN_SECRET)?;
    let started = Instant::now();
    let reply = functions.invoke(&function, payload).await;
    eprintln!(
        "appsync-local: {function} answered in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    match reply {
        Ok(v) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string())
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!(
                "{}",
                serde_json::json!({ "errorType": e.error_type, "errorMessage": e.error_message })
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

fn token(rest: &[String]) -> ExitCode {
    let args = match Args::parse(rest, &[]) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("appsync-local: {e}");
            return ExitCode::from(2);
        }
    };
    let Some(name) = args.positional.first() else {
        eprintln!("usage: appsync-local token NAME [GROUP...] [--sub SUB]");
        return ExitCode::from(2);
    };
    let groups: Vec<&str> = args.positional[1..].iter().map(String::as_str).collect();
    let sub = args.value("sub").unwrap_or_else(|| format!("user-{name}"));
    println!(
        "{}",
        appsync_local::auth::make_token(&sub, name, &groups, chrono::Utc::now().timestamp())
    );
    ExitCode::SUCCESS
}
