//! `appsync-local token NAME [GROUP...]`: a token for the Authorization header.

use std::process::ExitCode;

use appsync_local::auth::jwt::make_token;

#[derive(clap::Args)]
pub struct Args {
    /// The user's name (`cognito:username`).
    name: String,
    /// Cognito groups (`cognito:groups`), e.g. Admin.
    groups: Vec<String>,
    /// The user's id (`sub`); default `user-NAME`.
    #[arg(long)]
    sub: Option<String>,
}

pub fn run(args: Args) -> ExitCode {
    let groups: Vec<&str> = args.groups.iter().map(String::as_str).collect();
    let sub = args.sub.unwrap_or_else(|| format!("user-{}", args.name));
    println!(
        "{}",
        make_token(&sub, &args.name, &groups, chrono::Utc::now().timestamp())
    );
    ExitCode::SUCCESS
}
