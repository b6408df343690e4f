//! `appsync-local token NAME [GROUP...]`: signs NAME in to the running stack's user pool on
//! moto (creating the user on first use, with exactly these groups) and prints the token, last
//! on stdout.

use std::collections::BTreeMap;
use std::process::ExitCode;

use appsync_local::cognito::{ensure_user_pool, sign_in, LOCAL_PASSWORD};
use appsync_local::error::{Error, Result};
use appsync_local::locals::Locals;
use stack_template::tables::sdk_config_at;
use stack_template::{template_path, Template};

#[derive(clap::Args)]
pub struct Args {
    /// The user's name (`username` in the access token).
    name: String,
    /// Cognito groups, e.g. Admin (the user is in exactly these afterwards).
    groups: Vec<String>,
    /// The Cognito endpoint of the running stack (moto).
    #[arg(long, env = "USER_POOL_ENDPOINT")]
    user_pool: String,
    /// The stack's name (`AWS::StackName`, its table prefix).
    #[arg(long, default_value = "local")]
    prefix: String,
    /// Print the ID token instead of the access token (Amplify v6 sends the access token).
    #[arg(long)]
    id_token: bool,
}

pub async fn run(args: Args) -> Result<ExitCode> {
    let template = Template::read(&template_path())?;
    let idp = aws_sdk_cognitoidentityprovider::Client::new(&sdk_config_at(&args.user_pool).await);
    let tables = BTreeMap::new();
    let locals = Locals {
        stack_name: &args.prefix,
        tables: &tables,
    };
    let pool = ensure_user_pool(&idp, &template, &locals)
        .await?
        .ok_or_else(|| Error::Config("template.yaml declares no user pool".into()))?;
    let groups: Vec<&str> = args.groups.iter().map(String::as_str).collect();
    let tokens = sign_in(&idp, &pool, &args.name, &groups).await?;
    eprintln!(
        "appsync-local: {} signed in to {} ({}; password {LOCAL_PASSWORD}); its {} token, valid for an hour:",
        args.name,
        pool.id,
        if groups.is_empty() { "no group".to_string() } else { groups.join(", ") },
        if args.id_token { "ID" } else { "access" },
    );
    println!(
        "{}",
        if args.id_token {
            tokens.id
        } else {
            tokens.access
        }
    );
    Ok(ExitCode::SUCCESS)
}
