//! Creates the template's tables on the local DynamoDB (DynamoDB Local) and loads the seed data.
//! Prints the environment the functions need, as `export` lines.
//!   local-setup <table prefix>      (endpoint from DYNAMODB_ENDPOINT)

#[tokio::main]
async fn main() {
    let prefix = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "local".to_string());
    let secret = std::env::var("PAGE_TOKEN_SECRET").unwrap_or_else(|_| {
        eprintln!("local-setup: PAGE_TOKEN_SECRET is not set");
        std::process::exit(2)
    });
    let endpoint = std::env::var("MOTO_ENDPOINT").unwrap_or_else(|_| {
        eprintln!("local-setup: MOTO_ENDPOINT is not set");
        std::process::exit(2)
    });
    let db = aws_sdk_dynamodb::Client::new(&stack_template::tables::sdk_config_at(&endpoint).await);
    let tables = stack_template::tables::create_tables(&db, &prefix).await;
    let app = devtools::app(db, &tables, &secret);
    let seed = devtools::seed::read(&devtools::seed::default_path());
    match devtools::seed::load(&app, &seed, chrono::Utc::now()).await {
        Ok((rooms, events)) => eprintln!("local-setup: loaded {rooms} rooms and {events} events"),
        Err(e) => {
            eprintln!("local-setup: seed data refused: {e}");
            std::process::exit(1)
        }
    }
    match devtools::seed::load_categories(&app, &devtools::seed::categories_path()).await {
        Ok(n) => eprintln!("local-setup: loaded {n} activity categories"),
        Err(e) => {
            eprintln!("local-setup: categories refused: {e}");
            std::process::exit(1)
        }
    }
    for (var, name) in tables {
        println!("export {var}={name}");
    }
}
