//! Before the stack serves: the engines answering, the template's tables on it (created, or found
//! from an earlier run), the seed data loaded through the resolvers handler.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_smithy_types::error::display::DisplayErrorContext;
use stack_template::Template;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default)]
pub struct SetupReport {
    pub reused_tables: bool,
    pub rooms: usize,
    pub events: usize,
    pub categories: usize,
    pub took: Duration,
}

/// Waits until an engine accepts connections, for at most `limit` (the SDK's own retries back
/// off for seconds; a bare TCP probe notices a starting engine within milliseconds).
pub async fn wait_for(endpoint: &str, limit: Duration) -> Result<()> {
    let uri: axum::http::Uri = endpoint
        .parse()
        .map_err(|e| Error::Config(format!("{endpoint} is not a URL: {e}")))?;
    let authority = uri
        .authority()
        .ok_or_else(|| Error::Config(format!("{endpoint} names no host")))?
        .to_string();
    let started = Instant::now();
    loop {
        match tokio::net::TcpStream::connect(&authority).await {
            Ok(_) => return Ok(()),
            Err(e) if started.elapsed() >= limit => {
                return Err(Error::Engine(format!("nothing answers at {endpoint}: {e}")))
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Creates the template's tables (or finds them already there) and loads the seed data.
pub async fn ensure_tables(
    db: &aws_sdk_dynamodb::Client,
    prefix: &str,
    template: &Template,
    seed: bool,
    page_token_secret: &str,
) -> Result<(BTreeMap<String, String>, SetupReport)> {
    let started = Instant::now();
    let mut report = SetupReport::default();
    let wanted: BTreeMap<String, String> = template
        .tables
        .iter()
        .map(|d| (d.env_var(), format!("{prefix}-{}", d.id)))
        .collect();
    let mut existing = Vec::new();
    let mut pages = db.list_tables().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            Error::Engine(format!(
                "DynamoDB does not answer ListTables: {}",
                DisplayErrorContext(&e)
            ))
        })?;
        existing.extend(page.table_names().iter().cloned());
    }
    let present = wanted.values().filter(|n| existing.contains(n)).count();
    let tables = if present == wanted.len() {
        report.reused_tables = true;
        wanted
    } else if present == 0 {
        stack_template::tables::create_tables_of(db, template, prefix).await
    } else {
        return Err(Error::Config(format!(
            "DynamoDB has only some of the {prefix}-* tables ({present} of {}); use another --prefix or restart DynamoDB Local",
            wanted.len()
        )));
    };
    if seed && !report.reused_tables {
        let app = devtools::app(db.clone(), &tables, page_token_secret);
        let data = devtools::seed::read(&devtools::seed::default_path());
        let (rooms, events) = devtools::seed::load(&app, &data, chrono::Utc::now())
            .await
            .map_err(|e| Error::Config(format!("seed data refused: {e}")))?;
        report.rooms = rooms;
        report.events = events;
        report.categories =
            devtools::seed::load_categories(&app, &devtools::seed::categories_path())
                .await
                .map_err(|e| Error::Config(format!("categories refused: {e}")))?;
    }
    report.took = started.elapsed();
    Ok((tables, report))
}
