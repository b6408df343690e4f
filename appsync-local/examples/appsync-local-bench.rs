//! Measures the local stack as a person uses it (`bench/appsync-local` runs this):
//!
//! * time to first answer: from running `./dev up` (already built) to the first answered
//!   query (engines' start, tables, seed data, server), over `--runs` starts;
//! * latency of the endpoint: p50/p90/p99 over `--queries` sequential queries on one
//!   keep-alive connection, for a one-Lambda read and for a page with a BatchInvoke;
//! * stop: from Ctrl-C (SIGINT to the process group, as a terminal sends it) to exit.
//!
//!   appsync-local-bench [--runs N] [--queries N] [--root DIR] [--release]

#[path = "../tests/support/client.rs"]
#[allow(dead_code)] // the tests use all of it, this program only part
mod client;

use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use client::{Client, Credential};
use serde_json::{json, Value};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

struct Started {
    child: std::process::Child,
    addr: SocketAddr,
    first_answer: Duration,
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{}", self.child.id())])
                .status();
            let _ = self.child.wait();
        }
    }
}

async fn start(root: &str, release: bool, key: &Credential) -> Started {
    let (port, dynamodb, user_pool) = (free_port(), free_port(), free_port());
    let began = Instant::now();
    let mut cmd = Command::new(format!("{root}/dev"));
    cmd.arg("up")
        .env("GRAPHQL_PORT", port.to_string())
        .env("DYNAMODB_PORT", dynamodb.to_string())
        .env("USER_POOL_PORT", user_pool.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    if release {
        cmd.env("RELEASE", "1");
    }
    let mut child = cmd.spawn().expect("./dev up starts");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("./dev up exited early: {status}");
        }
        if began.elapsed() > Duration::from_secs(300) {
            panic!("no answer within 300 s");
        }
        if let Ok((200, body)) = Client::new(addr)
            .graphql(key, "{ listRooms { items { id } } }", json!({}))
            .await
        {
            if body["data"]["listRooms"]["items"].is_array() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Started {
        child,
        addr,
        first_answer: began.elapsed(),
    }
}

async fn stop(mut s: Started) -> Duration {
    let began = Instant::now();
    let _ = Command::new("kill")
        .args(["-INT", "--", &format!("-{}", s.child.id())])
        .status();
    let _ = s.child.wait();
    began.elapsed()
}

async fn latency(addr: SocketAddr, who: &Credential, query: &str, n: usize) -> Vec<Duration> {
    let c = Client::new(addr);
    for _ in 0..20 {
        let _ = c.graphql(who, query, json!({})).await;
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let (status, body): (u16, Value) = c.graphql(who, query, json!({})).await.expect("answer");
        out.push(t.elapsed());
        assert_eq!(status, 200);
        assert!(body.get("errors").is_none(), "{body}");
    }
    out.sort();
    out
}

/// The local stack's start-up time and query latency, as BENCHMARKS.md reports them.
#[derive(clap::Parser)]
struct Args {
    /// Starts of the stack to time.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Sequential queries to time on the last start.
    #[arg(long, default_value_t = 1000)]
    queries: usize,
    /// The repository to run `./dev up` in.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/.."))]
    root: String,
    /// Start a release build of the stack.
    #[arg(long)]
    release: bool,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Args {
        runs,
        queries,
        root,
        release,
    } = clap::Parser::parse();
    let key = Credential::ApiKey(appsync_local::LOCAL_API_KEY.to_string());

    let mut firsts = Vec::new();
    let mut stops = Vec::new();
    let mut last = None;
    for run in 0..runs {
        let s = start(&root, release, &key).await;
        eprintln!(
            "run {}: first answer after {} ms",
            run + 1,
            ms(s.first_answer)
        );
        firsts.push(s.first_answer);
        if run + 1 == runs {
            last = Some(s);
        } else {
            stops.push(stop(s).await);
        }
    }
    let s = last.expect("at least one run");
    // A user-pool token from the stack's pool, as a developer gets one.
    let out = Command::new(format!("{root}/dev"))
        .args(["token", "alice"])
        .env("GRAPHQL_PORT", s.addr.port().to_string())
        .stderr(Stdio::inherit())
        .output()
        .expect("./dev token runs");
    let token = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("./dev token prints a token")
        .to_string();
    let alice = Credential::Token(token);
    let cases = [
        (
            "listRooms (API key; 1 Lambda call, 1 Query)",
            &key,
            "{ listRooms { items { id name capacity } } }",
        ),
        (
            "listEvents, 15 items with room (token; 1 call + 1 BatchInvoke)",
            &alice,
            "{ listEvents(limit: 15) { items { id name event_datetime_start tickets_left room { name capacity } } nextToken } }",
        ),
        (
            "invalid query (refused by validation, no Lambda)",
            &key,
            "{ listRooms { items { id colour } } }",
        ),
    ];
    let mut rows = Vec::new();
    for (label, who, query) in cases {
        let expect_errors = label.starts_with("invalid");
        let lat = if expect_errors {
            invalid_latency(s.addr, who, query, queries).await
        } else {
            latency(s.addr, who, query, queries).await
        };
        rows.push(format!(
            "| {label} | {} | {} | {} | {} |",
            ms(percentile(&lat, 0.5)),
            ms(percentile(&lat, 0.9)),
            ms(percentile(&lat, 0.99)),
            ms(*lat.last().unwrap())
        ));
    }
    stops.push(stop(s).await);

    firsts.sort();
    stops.sort();
    println!(
        "\nbuild: {}; {} starts; {} queries per case, sequential, one keep-alive connection\n",
        if release {
            "release"
        } else {
            "debug (./dev up default)"
        },
        runs,
        queries
    );
    println!("| `./dev up` (already built) | min | median | max |\n| --- | --- | --- | --- |");
    println!(
        "| to first answered query (ms) | {} | {} | {} |",
        ms(firsts[0]),
        ms(firsts[firsts.len() / 2]),
        ms(*firsts.last().unwrap())
    );
    println!(
        "| Ctrl-C to exit, moto included (ms) | {} | {} | {} |\n",
        ms(stops[0]),
        ms(stops[stops.len() / 2]),
        ms(*stops.last().unwrap())
    );
    println!("| query (ms) | p50 | p90 | p99 | max |\n| --- | --- | --- | --- | --- |");
    for r in rows {
        println!("{r}");
    }
}

async fn invalid_latency(
    addr: SocketAddr,
    who: &Credential,
    query: &str,
    n: usize,
) -> Vec<Duration> {
    let c = Client::new(addr);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let (status, body) = c.graphql(who, query, json!({})).await.expect("answer");
        out.push(t.elapsed());
        assert_eq!(status, 200);
        assert!(body.get("errors").is_some(), "{body}");
    }
    out.sort();
    out
}
