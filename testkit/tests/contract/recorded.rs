//! What each function does to DynamoDB, seen rather than guessed: every AppSync fixture runs
//! through `resolvers::handle` and every stream fixture through the aggregator, against DynamoDB Local,
//! each function on a client whose `RequestCounter` records the table, action and index of
//! every request. Nothing here reads the functions' sources, so a renamed helper or a new
//! call path cannot slip past the contract.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use aws_sdk_dynamodb::types::AttributeValue;
use testkit::{fixtures, RequestCounter, Template};

use crate::iam::Used;

pub type Item = HashMap<String, AttributeValue>;

#[derive(Debug)]
pub struct Recording {
    /// Binary -> what it did.
    pub used: BTreeMap<String, BTreeSet<Used>>,
    /// Logical id -> every item, for the tables whose template declares a TTL, read after
    /// the run.
    pub ttl_tables: BTreeMap<String, Vec<Item>>,
}

const SECRET: &str = "contract-test-page-token-secret-0123456789";

/// The recording, made once per test binary (on its own runtime, so any test may ask).
pub fn recording() -> &'static Recording {
    static R: OnceLock<Recording> = OnceLock::new();
    R.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(record(Template::repository()))
    })
}

/// `{prefix}-{LogicalId}` back to the logical id; any other name stays as it was called.
fn logical_id(prefix: &str, name: &str) -> String {
    name.strip_prefix(&format!("{prefix}-"))
        .unwrap_or(name)
        .to_string()
}

fn used(prefix: &str, counter: &RequestCounter) -> BTreeSet<Used> {
    counter
        .accesses()
        .into_keys()
        .map(|a| Used {
            table: a
                .table
                .map(|t| logical_id(prefix, &t))
                .unwrap_or_else(|| format!("(no table: {})", a.operation)),
            action: a.action,
            index: a.index,
        })
        .collect()
}

async fn record(template: &Template) -> Recording {
    let plain = testkit::client(None).await;
    let prefix = testkit::unique_prefix();
    let tables = testkit::tables::create_tables_of(&plain, template, &prefix).await;
    let mut out = Recording {
        used: BTreeMap::new(),
        ttl_tables: BTreeMap::new(),
    };

    for f in &template.functions {
        let binary = f.binary().unwrap_or_else(|| panic!("{}: no binary", f.id));
        let counter = RequestCounter::new();
        let db = testkit::client(Some(&counter)).await;
        match binary {
            "resolvers" => {
                let app = devtools::app(db, &tables, SECRET);
                let seed = devtools::seed::read(&devtools::seed::default_path());
                devtools::seed::load(&app, &seed, chrono::Utc::now())
                    .await
                    .expect("seed loads");
                devtools::seed::load_categories(&app, &devtools::seed::categories_path())
                    .await
                    .expect("categories load");
                // Seeding writes categories the function itself never writes.
                counter.reset();
                for name in fixtures::APPSYNC_IN_ORDER {
                    if let Err(e) = resolvers::handle(&app, fixtures::appsync(name)).await {
                        panic!("fixtures/appsync/{name}: {} {e}", e.error_type());
                    }
                }
            }
            "aggregator" => {
                let config = aggregator::Config::from_lookup(|k| tables.get(k).cloned())
                    .expect("the aggregator's tables");
                let aggregator = aggregator::Aggregator::new(db, config);
                for name in fixtures::names("stream") {
                    let outcome = aggregator
                        .handle_payload(&fixtures::text("stream", &name))
                        .await
                        .unwrap_or_else(|e| panic!("fixtures/stream/{name}: {e}"));
                    assert_eq!(outcome.failure(), None, "fixtures/stream/{name}");
                }
            }
            other => panic!(
                "a new function `{other}`: teach the contract test which fixtures it answers"
            ),
        }
        out.used.insert(binary.to_string(), used(&prefix, &counter));
    }

    for t in template
        .tables
        .iter()
        .filter(|t| t.properties.time_to_live_specification.is_some())
    {
        let name = &tables[&t.env_var()];
        let items: Vec<Item> = plain
            .scan()
            .table_name(name)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .unwrap_or_else(|e| panic!("scan {name}: {e:?}"));
        out.ttl_tables.insert(t.id.clone(), items);
    }
    out
}
