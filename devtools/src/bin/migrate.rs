//! Moves a deployed stack's events and tickets to the layout of issue 9 (devtools::migrate;
//! README.md, "Moving a deployed stack's data"). Idempotent: run it again after any failure.
//!   migrate --old-tickets NAME --events NAME --inventory NAME --listing NAME --tickets NAME
//!           [--max-events N]
//! AWS credentials, region and endpoint come from the usual AWS environment.

use std::collections::HashMap;

use resolvers::config::{Db, Tables};

const USAGE: &str = "usage: migrate --old-tickets NAME --events NAME --inventory NAME \
                     --listing NAME --tickets NAME [--max-events N]";

fn fail(msg: &str) -> ! {
    eprintln!("migrate: {msg}\n{USAGE}");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut flags = HashMap::new();
    for pair in args.chunks(2) {
        match pair {
            [k, v] if k.starts_with("--") => {
                flags.insert(k.trim_start_matches("--").to_string(), v.clone());
            }
            _ => fail(&format!("unexpected arguments {pair:?}")),
        }
    }
    let mut take = |k: &str| {
        flags
            .remove(k)
            .unwrap_or_else(|| fail(&format!("--{k} is required")))
    };
    let old_tickets = take("old-tickets");
    // Only these four tables are read or written; the others are never named.
    let tables = Tables {
        events: take("events"),
        inventory: take("inventory"),
        listing: take("listing"),
        tickets: take("tickets"),
        rooms: String::new(),
        room_bookings: String::new(),
        activities: String::new(),
        activity_categories: String::new(),
        users: String::new(),
        user_aggregates: String::new(),
    };
    let max_events = flags.remove("max-events").map(|v| {
        v.parse::<usize>()
            .unwrap_or_else(|_| fail("--max-events takes a whole number"))
    });
    if let Some(k) = flags.keys().next() {
        fail(&format!("unknown flag --{k}"));
    }
    if old_tickets == tables.tickets {
        fail("--old-tickets and --tickets name the same table");
    }
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let db = Db {
        client: aws_sdk_dynamodb::Client::new(&config),
        tables,
    };
    match devtools::migrate::run(&db, &old_tickets, max_events).await {
        Ok(r) => {
            println!(
                "migrate: {} events moved ({} tickets copied), {} already in the new layout",
                r.migrated, r.tickets, r.already
            );
            for (id, why) in &r.refused {
                println!("migrate: event {id:?} left as it was: {why}");
            }
            if r.stopped_early {
                println!("migrate: stopped at --max-events; run again to go on");
            }
            if !r.refused.is_empty() {
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("migrate: {e} (nothing half-done: run again)");
            std::process::exit(1)
        }
    }
}
