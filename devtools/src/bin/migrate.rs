//! Moves a deployed stack's events and tickets to the layout of issue 9 (devtools::migrate;
//! README.md, "Moving a deployed stack's data"). Idempotent: run it again after any failure.
//!   migrate --old-tickets NAME --events NAME --inventory NAME --listing NAME --tickets NAME
//!           [--max-events N]
//! AWS credentials, region and endpoint come from the usual AWS environment.

use clap::Parser;
use resolvers::config::{Db, Tables};

#[derive(Parser)]
#[command(
    name = "migrate",
    about = "Moves a deployed stack's events and tickets to issue 9's layout"
)]
struct Args {
    /// The tickets table of the stack before the deploy (its `TicketsTableName` output then).
    #[arg(long)]
    old_tickets: String,
    #[arg(long)]
    events: String,
    #[arg(long)]
    inventory: String,
    #[arg(long)]
    listing: String,
    /// The tickets table the deploy created.
    #[arg(long)]
    tickets: String,
    /// Moves at most this many events, then stops (run again to go on).
    #[arg(long)]
    max_events: Option<usize>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if args.old_tickets == args.tickets {
        use clap::CommandFactory;
        Args::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--old-tickets and --tickets name the same table",
            )
            .exit();
    }
    let (old_tickets, max_events) = (args.old_tickets, args.max_events);
    // Only these four tables are read or written; the others are never named.
    let tables = Tables {
        events: args.events,
        inventory: args.inventory,
        listing: args.listing,
        tickets: args.tickets,
        rooms: String::new(),
        room_bookings: String::new(),
        activities: String::new(),
        activity_categories: String::new(),
        users: String::new(),
        user_aggregates: String::new(),
    };
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
