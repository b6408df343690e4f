//! `appsync-local sam-env`: the env-vars file for `sam local invoke`, from the running stack.

use std::process::ExitCode;

use appsync_local::error::{Error, Result};
use appsync_local::functions::LOCAL_PAGE_TOKEN_SECRET;
use appsync_local::locals::Locals;
use appsync_local::sam_env::env_vars_file;
use stack_template::{template_path, Template};

#[derive(clap::Args)]
pub struct Args {
    /// The DynamoDB endpoint of the running stack (DynamoDB Local).
    #[arg(long, env = "DYNAMODB_ENDPOINT")]
    dynamodb: String,
    /// The stack's table prefix.
    #[arg(long, default_value = "local")]
    prefix: String,
    /// The host a function's container reaches this machine by: host.docker.internal (Docker
    /// Desktop), or 127.0.0.1 with `sam local invoke --docker-network host` (Linux).
    #[arg(long, default_value = "host.docker.internal")]
    host: String,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let template = Template::read(&template_path())?;
    let port = url::Url::parse(&args.dynamodb)
        .ok()
        .and_then(|u| u.port_or_known_default())
        .ok_or_else(|| {
            Error::Config(format!(
                "{} is not an http://host:port endpoint",
                args.dynamodb
            ))
        })?;
    let tables = template
        .tables
        .iter()
        .map(|t| (t.env_var(), format!("{}-{}", args.prefix, t.id)))
        .collect();
    let locals = Locals {
        stack_name: &args.prefix,
        tables: &tables,
    };
    let file = env_vars_file(
        &template,
        &locals,
        LOCAL_PAGE_TOKEN_SECRET,
        &format!("http://{}:{port}", args.host),
    );
    println!(
        "{}",
        serde_json::to_string_pretty(&file).map_err(|e| Error::Config(e.to_string()))?
    );
    Ok(ExitCode::SUCCESS)
}
