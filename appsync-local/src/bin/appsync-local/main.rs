//! `appsync-local`: the local stack's command line (`./dev` runs it).

mod ca;
mod invoke;
mod sam_env;
mod token;
mod up;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "appsync-local",
    about = "AppSync's endpoint and the stream mapping on one machine, over the real handlers, DynamoDB Local and moto's user pools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Tables, seed data, the GraphQL endpoint and the stream poller, until Ctrl-C.
    Up(up::Args),
    /// One function with one event, like `sam local invoke`; prints the reply.
    Invoke(invoke::Args),
    /// Signs a user in to the running stack's user pool and prints the token.
    Token(token::Args),
    /// Prints the env-vars file for `sam local invoke` against the running stack.
    SamEnv(sam_env::Args),
    /// Makes the local CA if needed and prints its certificate's path.
    Ca(ca::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    let result = match cli.command {
        Command::Up(args) => runtime.block_on(up::run(args)),
        Command::Invoke(args) => runtime.block_on(invoke::run(args)),
        Command::Token(args) => runtime.block_on(token::run(args)),
        Command::SamEnv(args) => sam_env::run(args),
        Command::Ca(args) => ca::run(args),
    };
    result.unwrap_or_else(|e| {
        eprintln!("appsync-local: {e}");
        ExitCode::FAILURE
    })
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "info,aws_config=warn,aws_smithy_runtime=warn,aws_sdk_dynamodb=warn,aws_sdk_cognitoidentityprovider=warn,hyper=warn",
        )
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
}
