//! `appsync-local invoke FUNCTION EVENT.json|-`: `sam local invoke` without Docker.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use appsync_local::error::{Error, Result};
use appsync_local::functions::{Functions, LOCAL_PAGE_TOKEN_SECRET};
use appsync_local::invoke::Invoker as _;
use appsync_local::locals::Locals;
use appsync_local::setup::ensure_tables;
use stack_template::tables::sdk_config_at;
use stack_template::{template_path, Template};

#[derive(clap::Args)]
pub struct Args {
    /// `resolvers` or `aggregator`, or their logical ids in template.yaml.
    function: String,
    /// The event, as a JSON file, or `-` for standard input.
    event: PathBuf,
    /// The DynamoDB endpoint (DynamoDB Local).
    #[arg(long, env = "DYNAMODB_ENDPOINT")]
    dynamodb: String,
    /// Tables are `PREFIX-{LogicalId}`.
    #[arg(long, default_value = "local")]
    prefix: String,
}

pub async fn run(args: Args) -> Result<ExitCode> {
    let shown = args.event.display().to_string();
    let text = if shown == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(Error::file("stdin"))?;
        s
    } else {
        std::fs::read_to_string(&args.event).map_err(Error::file(&args.event))?
    };
    let payload: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::Config(format!("{shown} is not JSON: {e}")))?;
    let template = Template::read(&template_path())?;
    let function = template
        .function(&args.function)
        .ok_or_else(|| {
            let names: Vec<String> = template
                .functions
                .iter()
                .map(|f| format!("{} ({})", f.binary().unwrap_or("?"), f.id))
                .collect();
            Error::Config(format!(
                "no function {} in template.yaml; there are {}",
                args.function,
                names.join(", ")
            ))
        })
        .and_then(|f| {
            f.binary().map(str::to_string).ok_or_else(|| {
                Error::Config(format!("{} has no Metadata.BuildProperties.Binary", f.id))
            })
        })?;
    let db = aws_sdk_dynamodb::Client::new(&sdk_config_at(&args.dynamodb).await);
    let (tables, report) =
        ensure_tables(&db, &args.prefix, &template, true, LOCAL_PAGE_TOKEN_SECRET).await?;
    if !report.reused_tables {
        eprintln!(
            "appsync-local: created the {}-* tables on {} and loaded the seed data ({:.2} s)",
            args.prefix,
            args.dynamodb,
            report.took.as_secs_f64()
        );
    }
    let locals = Locals {
        stack_name: &args.prefix,
        tables: &tables,
    };
    let functions = Functions::new(&template, &db, &locals, LOCAL_PAGE_TOKEN_SECRET)?;
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
