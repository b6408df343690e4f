//! `appsync-local ca`: makes the local CA if there is none yet and prints where its
//! certificate is, for `NODE_EXTRA_CA_CERTS` (which Node reads only when it starts, so before
//! any stack has run).

use std::path::PathBuf;
use std::process::ExitCode;

use appsync_local::error::{Error, Result};
use appsync_local::tls::LocalTls;

#[derive(clap::Args)]
pub struct Args {
    /// Where the local CA is kept (as `up --tls-dir`).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../.local/tls"))]
    tls_dir: PathBuf,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let tls = LocalTls::new(Some(&args.tls_dir))?;
    let file = tls
        .ca_file
        .ok_or_else(|| Error::Config("the CA was not written".into()))?;
    let shown = file.canonicalize().unwrap_or(file);
    println!("{}", shown.display());
    Ok(ExitCode::SUCCESS)
}
