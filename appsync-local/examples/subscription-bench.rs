//! Subscription delivery through the local stack (`bench/subscriptions` runs this against the
//! engines `scripts/engines` starts): `--mutations` sequential `createActivity` mutations over HTTP
//! (one keep-alive connection), each published to every open subscription to
//! `onCreateActivity(userid)` of the same user, with 1 and with 100 subscriptions open, each on
//! a real-time connection of its own (`wss://`, Amplify's handshake). For every message it
//! records when it arrived relative to the mutation's response (negative: before it) and to
//! the mutation's request; prints p50/p99 as a Markdown table for BENCHMARKS.md.
//!
//!   subscription-bench [--mutations N] [--subscriptions 1,100]

#[path = "../tests/support/client.rs"]
#[allow(dead_code)]
mod client;
#[path = "../tests/support/realtime.rs"]
#[allow(dead_code)]
mod realtime;

use std::time::{Duration, Instant};

use appsync_local::{Stack, StackConfig};
use client::{Client, Credential};
use realtime::{connect, token_headers, Via};
use serde_json::json;
use tokio::sync::mpsc;

const SUBSCRIPTION: &str =
    "subscription($u: ID!) { onCreateActivity(userid: $u) { id userid category caloriesConsumed } }";
const MUTATION: &str = "mutation($i: CreateActivityInput!) { createActivity(input: $i) { id userid category caloriesConsumed } }";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Figures {
    /// Message arrival minus the mutation's response, ms.
    after_response: Vec<f64>,
    /// Message arrival minus the mutation's request, ms.
    after_request: Vec<f64>,
    /// Per mutation: the last of its messages minus the response, ms.
    last_after_response: Vec<f64>,
    /// The mutation's own round trip, ms.
    round_trip: Vec<f64>,
}

async fn run(stack: &Stack, subscriptions: usize, mutations: usize) -> Figures {
    let tokens = stack.sign_in("bench", &[]).await.expect("signed in");
    let token = tokens.access;
    let sub = {
        use base64::Engine as _;
        let payload = token.split('.').nth(1).unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        let claims: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        claims["sub"].as_str().unwrap().to_string()
    };
    let (arrived_tx, mut arrived) = mpsc::unbounded_channel::<Instant>();
    let mut readers = Vec::new();
    for i in 0..subscriptions {
        let mut ws = connect(stack, true, Via::Subprotocol, token_headers(&token), None)
            .await
            .expect("connected");
        ws.init().await;
        let ack = ws
            .start(
                &format!("s{i}"),
                SUBSCRIPTION,
                json!({ "u": sub }),
                token_headers(&token),
            )
            .await;
        assert_eq!(ack["type"], "start_ack", "{ack}");
        let tx = arrived_tx.clone();
        readers.push(tokio::spawn(async move {
            while let Ok(m) = ws.next_within(Duration::from_secs(3600)).await {
                if m["type"] == "data" {
                    let _ = tx.send(Instant::now());
                }
            }
        }));
    }
    let http = Client::new(stack.addr);
    let who = Credential::Token(token.clone());
    let mut f = Figures {
        after_response: Vec::new(),
        after_request: Vec::new(),
        last_after_response: Vec::new(),
        round_trip: Vec::new(),
    };
    let ms = |d: f64| d * 1000.0;
    for n in 0..mutations + 10 {
        let sent = Instant::now();
        let (status, body) = http
            .graphql(
                &who,
                MUTATION,
                json!({ "i": { "category": "Food", "type": "Snacks", "caloriesConsumed": 1 } }),
            )
            .await
            .expect("answered");
        let answered = Instant::now();
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        let mut last = f64::MIN;
        for _ in 0..subscriptions {
            let at = tokio::time::timeout(Duration::from_secs(10), arrived.recv())
                .await
                .expect("delivered within 10 s")
                .expect("a reader");
            let after = if at >= answered {
                ms((at - answered).as_secs_f64())
            } else {
                -ms((answered - at).as_secs_f64())
            };
            last = last.max(after);
            // The first 10 mutations warm up.
            if n >= 10 {
                f.after_response.push(after);
                f.after_request.push(ms((at - sent).as_secs_f64()));
            }
        }
        if n >= 10 {
            f.last_after_response.push(last);
            f.round_trip.push(ms((answered - sent).as_secs_f64()));
        }
    }
    for r in readers {
        r.abort();
    }
    for v in [
        &mut f.after_response,
        &mut f.after_request,
        &mut f.last_after_response,
        &mut f.round_trip,
    ] {
        v.sort_by(|a, b| a.total_cmp(b));
    }
    f
}

/// Subscription delivery after a mutation, as BENCHMARKS.md reports it.
#[derive(clap::Parser)]
struct Args {
    /// Mutations to time (after 10 not counted).
    #[arg(long, default_value_t = 200)]
    mutations: usize,
    /// Numbers of open subscriptions to measure with, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,100")]
    subscriptions: Vec<usize>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Args {
        mutations,
        subscriptions: counts,
    } = clap::Parser::parse();
    let endpoint = |var: &str| {
        std::env::var(var).unwrap_or_else(|_| panic!("{var}: run under scripts/engines"))
    };
    let mut config = StackConfig::new(
        endpoint("DYNAMODB_ENDPOINT"),
        endpoint("USER_POOL_ENDPOINT"),
    );
    config.prefix = format!("bench{}", std::process::id());
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    // Seed 001's activity categories: createActivity checks them.
    config.seed = true;
    // The aggregator's stream is not what is measured.
    config.streams = false;
    let stack = Stack::start(config).await.expect("the stack starts");

    println!(
        "| open subscriptions | messages | after the response p50 | p99 | after the request p50 | p99 | last of a mutation's after the response p50 | p99 | mutation round trip p50 | p99 |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in counts {
        let f = run(&stack, n, mutations).await;
        println!(
            "| {n} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            f.after_response.len(),
            percentile(&f.after_response, 0.5),
            percentile(&f.after_response, 0.99),
            percentile(&f.after_request, 0.5),
            percentile(&f.after_request, 0.99),
            percentile(&f.last_after_response, 0.5),
            percentile(&f.last_after_response, 0.99),
            percentile(&f.round_trip, 0.5),
            percentile(&f.round_trip, 0.99),
        );
    }
    stack.stop().await;
}
