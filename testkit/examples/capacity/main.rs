//! The capacity benchmark: each scenario through the real resolvers handler against DynamoDB Local,
//! every request costed per partition by `testkit::capacity`; prints Markdown for
//! BENCHMARKS.md.
//!   scripts/engines cargo run --release -p testkit --example capacity [1|2|3 ...]

mod scenarios;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    let runs = |n: &str| wanted.is_empty() || wanted.iter().any(|w| w == n);
    if runs("1") {
        println!(
            "{}",
            scenarios::markdown(&scenarios::spread_bookings().await)
        );
    }
    if runs("2") {
        println!("{}", scenarios::markdown(&scenarios::one_hot_event().await));
    }
    if runs("3") {
        println!("{}", scenarios::markdown(&scenarios::listing_pages().await));
    }
}
