//! Hostile queries through the endpoint's own work (parse, validate, execute, build the
//! Direct Lambda events), with an in-memory function in place of the resolvers so that only
//! the endpoint is measured. Prints a Markdown table for BENCHMARKS.md:
//!
//!   cargo bench -p appsync-local --bench hostile [-- --max N]
//!
//! For each size: the median of several runs (at least 3, more while under a second), and the
//! time per alias, which stays flat when the work is linear in the size.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use appsync_local::answer::{answer, Channel};
use appsync_local::caller::Caller;
use appsync_local::graphql::request::GraphQLRequest;
use appsync_local::graphql::schema::Api;
use hostile::{
    aliases_under_one_resolver, api, fragment_chain, root_resolvers, root_typenames, Rooms,
};
use serde_json::json;

#[path = "../tests/support/hostile.rs"]
mod hostile;

/// Builds a query of a number of aliases.
type Build = fn(usize) -> String;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

async fn time_one(api: &Arc<Api>, caller: &Caller, query: &str) -> (Duration, usize) {
    let request = GraphQLRequest::new(query, json!({}));
    let started = Instant::now();
    let answered = answer(api, &Rooms, request, caller, Channel::Http).await;
    let took = started.elapsed();
    assert!(
        answered.response.errors.is_empty(),
        "{:?}",
        answered.response.errors.first()
    );
    (
        took,
        answered.response.data.as_object().map_or(0, |d| d.len()),
    )
}

async fn measure(api: &Arc<Api>, caller: &Caller, query: &str) -> Duration {
    let mut runs = Vec::new();
    let started = Instant::now();
    while runs.len() < 3 || (started.elapsed() < Duration::from_secs(1) && runs.len() < 15) {
        runs.push(time_one(api, caller, query).await.0);
    }
    median(runs)
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let max: usize = args
        .iter()
        .position(|a| a == "--max")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        // `cargo test --all-targets` runs this target without `--bench`: a smoke run of the
        // smallest size keeps it compiling and working without spending minutes of CI.
        .unwrap_or(if args.iter().any(|a| a == "--bench") {
            80_000
        } else {
            5_000
        });
    let api = api();
    let caller = Caller::api_key(BTreeMap::new());

    println!("| query | aliases | query size | median | per alias |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let shapes: [(&str, Build); 3] = [
        ("`__typename` aliases at the root", root_typenames),
        (
            "aliases under one resolver (3 parents)",
            aliases_under_one_resolver,
        ),
        ("aliases of a resolver at the root", root_resolvers),
    ];
    for (label, build) in shapes {
        for n in [5_000, 10_000, 20_000, 40_000, 80_000] {
            if n > max {
                continue;
            }
            let query = build(n);
            let took = measure(&api, &caller, &query).await;
            println!(
                "| {label} | {n} | {} KB | {} ms | {:.2} µs |",
                query.len() / 1024,
                ms(took),
                took.as_secs_f64() * 1e6 / n as f64
            );
        }
    }
    let chain = fragment_chain(
        "{ <spread> }",
        "Query",
        40,
        "__typename listRooms { items { id } }",
    );
    let (took, keys) = time_one(&api, &caller, &chain).await;
    println!(
        "| 40 fragments, each spreading the next twice | - | {} B | {} ms | - |",
        chain.len(),
        ms(took)
    );
    assert_eq!(keys, 2);
}
