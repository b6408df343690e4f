//! End to end: the `appsync-local` binary as `./dev up` runs it (against the engines
//! `scripts/engines` started), driven over HTTP through the seed clients' flows, then stopped with Ctrl-C.

mod support;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{claims_of, data, errors, eventually, gql, Client, Credential};

struct Running {
    child: Child,
    addr: SocketAddr,
    api_key: String,
    prefix: String,
    ready_after: Duration,
}

/// Starts the binary on a free port with its own tables; waits for its banner.
fn start() -> Running {
    let started = Instant::now();
    let prefix = testkit::unique_prefix();
    let mut child = Command::new(env!("CARGO_BIN_EXE_appsync-local"))
        .args([
            "up",
            "--dynamodb",
            &testkit::endpoint(),
            "--user-pool",
            &testkit::user_pool_endpoint(),
            "--port",
            "0",
            "--prefix",
            &prefix,
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut addr = None;
        let mut key = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["GraphQL", url, ..] => {
                    addr = url
                        .strip_prefix("http://")
                        .and_then(|u| u.strip_suffix("/graphql"))
                        .map(str::to_string)
                }
                ["API", "key", k, ..] => key = Some(k.to_string()),
                _ => {}
            }
            if let (Some(a), Some(k)) = (&addr, &key) {
                let _ = tx.send((a.clone(), k.clone()));
                addr = None;
            }
        }
    });
    let (addr, api_key) = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the banner within 60 s");
    Running {
        child,
        addr: addr.parse().expect("address"),
        api_key,
        prefix,
        ready_after: started.elapsed(),
    }
}

/// `appsync-local token NAME` against the running stack, as `./dev token` runs it: the token
/// is the last line of stdout.
fn dev_token(running: &Running, name: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_appsync-local"))
        .args([
            "token",
            name,
            "--user-pool",
            &testkit::user_pool_endpoint(),
            "--prefix",
            &running.prefix,
        ])
        .env("RUST_LOG", "warn")
        .output()
        .expect("the token command runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    stdout.lines().last().expect("a token").to_string()
}

/// A failed test must not leave the stack running.
impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_clients_flows_over_http_then_ctrl_c() {
    let mut running = start();
    let addr = running.addr;
    eprintln!("stack ready after {:?}", running.ready_after);
    let key = Credential::ApiKey(running.api_key.clone());
    let token = dev_token(&running, "e2e-booker");
    let claims = claims_of(&token);
    assert_eq!(claims["username"], "e2e-booker");
    assert_eq!(
        claims["token_use"], "access",
        "Amplify v6 sends access tokens"
    );
    let me = claims["sub"].as_str().expect("a sub").to_string();
    let alice = Credential::Token(token);

    // GraphiQL is served at /.
    let (status, page) = Client::new(addr).get("/").await.unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("graphiql"), "{page}");

    // Seed 000: the rooms, read publicly with the API key.
    let body = gql(
        addr,
        &key,
        "{ listRooms { items { id name capacity } nextToken } }",
        json!({}),
    )
    .await;
    let rooms = data(&body)["listRooms"]["items"]
        .as_array()
        .unwrap()
        .clone();
    let names: Vec<&str> = rooms.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Lecture Hall 1",
            "Student's Union Common Room",
            "Sports Arena"
        ]
    );
    assert_eq!(rooms[0]["capacity"], 100);
    // Fields come back in the order the query asked for them.
    let (_, text) = Client::new(addr)
        .post_text(
            "/graphql",
            &key,
            &[],
            &json!({ "query": "{ listRooms(limit: 1) { nextToken items { name id } } }" }),
        )
        .await
        .unwrap();
    assert!(
        text.starts_with(r#"{"data":{"listRooms":{"nextToken":"#),
        "{text}"
    );
    assert!(
        text.contains(r#"{"name":"Lecture Hall 1","id":"1"}"#),
        "{text}"
    );

    // listEvents as the seed client reads it (`.items`), each with its room (one BatchInvoke).
    let list = "query($when: EventWhen) { listEvents(when: $when, limit: 20) { items { id name room_id event_datetime_start total_tickets tickets_left tickets room { id name } } nextToken } }";
    let body = gql(addr, &alice, list, json!({ "when": "UPCOMING" })).await;
    let items = data(&body)["listEvents"]["items"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!items.is_empty(), "{body}");
    for e in &items {
        assert_eq!(e["room"]["id"], e["room_id"], "{e}");
        assert_eq!(e["tickets"], json!([]), "nobody booked yet: {e}");
    }
    let event = items.last().unwrap().clone();
    let id = event["id"].as_str().unwrap();
    let left = event["tickets_left"].as_i64().unwrap();

    // The seed client's booking: updateEvent with the tickets it was shown plus its own id.
    let mut tickets = event["tickets"].as_array().unwrap().clone();
    tickets.push(json!(me));
    let body = gql(
        addr,
        &alice,
        "mutation($input: UpdateEventInput!) { updateEvent(input: $input) { id tickets_left tickets } }",
        json!({ "input": { "id": id, "tickets": tickets } }),
    )
    .await;
    let updated = &data(&body)["updateEvent"];
    assert_eq!(updated["tickets_left"], left - 1, "{body}");
    assert_eq!(updated["tickets"], json!([me]), "{body}");
    // Booking twice is refused with the resolver's errorType, shaped as AppSync shapes it.
    let body = gql(
        addr,
        &alice,
        "mutation($e: ID!) { bookTicket(event_id: $e) { event_id } }",
        json!({ "e": id }),
    )
    .await;
    assert!(body["data"].is_null(), "{body}");
    let err = &errors(&body)[0];
    assert_eq!(err["errorType"], "Conflict", "{err}");
    assert_eq!(err["path"], json!(["bookTicket"]));
    assert_eq!(err["locations"][0]["line"], 1, "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("already hold a ticket"),
        "{err}"
    );
    // And the booking shows in listMyEvents.
    let body = gql(addr, &alice, "{ listMyEvents { items { id } } }", json!({})).await;
    assert_eq!(data(&body)["listMyEvents"]["items"], json!([{ "id": id }]));

    // Seed 001: log an activity; the aggregator, fed by the stream, updates the day's total.
    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let aggregate = "query($d: AWSDate!) { getUserAggregate(date: $d) { date caloriesConsumed caloriesBurned } }";
    let body = gql(addr, &alice, aggregate, json!({ "d": day })).await;
    let before = data(&body)["getUserAggregate"]["caloriesConsumed"]
        .as_i64()
        .unwrap();
    let body = gql(
        addr,
        &alice,
        "mutation($i: CreateActivityInput!) { createActivity(input: $i) { id userid category caloriesConsumed creationDateTime } }",
        json!({ "i": { "category": "Food", "type": "Lunch", "caloriesConsumed": 640 } }),
    )
    .await;
    let activity = &data(&body)["createActivity"];
    assert_eq!(activity["userid"], me);
    let logged = Instant::now();
    let after = eventually(Duration::from_secs(15), || async {
        let body = gql(addr, &alice, aggregate, json!({ "d": day })).await;
        let now = data(&body)["getUserAggregate"]["caloriesConsumed"].as_i64()?;
        (now != before).then_some(now)
    })
    .await
    .expect("the aggregate changes within 15 s of createActivity");
    assert_eq!(after, before + 640);
    eprintln!(
        "aggregate updated {:?} after createActivity",
        logged.elapsed()
    );

    // Ctrl-C: a clean stop, promptly.
    interrupt(&running.child);
    let stopped = Instant::now();
    let status = loop {
        if let Some(s) = running.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(15),
            "still running 15 s after Ctrl-C"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
    // The port is free again.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_appsync-local"))
        .args([
            "up",
            "--dynamodb",
            "http://127.0.0.1:9",
            "--user-pool",
            "http://127.0.0.1:9",
            "--port",
            &port,
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("port {port} on 127.0.0.1 is taken")),
        "{stderr}"
    );
}

#[test]
fn invoke_runs_a_fixture_like_sam_local_invoke() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let prefix = testkit::unique_prefix();
    let run = |function: &str, fixture: &str| {
        let path = if fixture.starts_with('/') {
            fixture.to_string()
        } else {
            format!("{root}/{fixture}")
        };
        Command::new(env!("CARGO_BIN_EXE_appsync-local"))
            .args(["invoke", function, &path])
            .args(["--dynamodb", &testkit::endpoint(), "--prefix", &prefix])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = run("resolvers", "fixtures/appsync/query-listRooms.json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["items"].as_array().map(Vec::len), Some(3), "{reply}");

    // A BatchInvoke fixture answers item by item.
    let out = run(
        "ResolversFunction",
        "fixtures/appsync/batch-event-room.json",
    );
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply.as_array().map(Vec::len), Some(3), "{reply}");
    assert_eq!(reply[0]["data"]["name"], "Lecture Hall 1", "{reply}");

    // The aggregator with a stream fixture answers Lambda's partial batch response.
    let out = run("aggregator", "fixtures/stream/insert.json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["batchItemFailures"], json!([]), "{reply}");

    // A function error is printed like the runtime reports it, and fails the command.
    let unknown = std::env::temp_dir().join(format!("{prefix}-unknown-field.json"));
    let event =
        devtools::appsync_event("Query", "noSuchField", json!({}), Value::Null, Value::Null);
    std::fs::write(&unknown, event.to_string()).unwrap();
    let out = run("resolvers", unknown.to_str().unwrap());
    assert!(!out.status.success());
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["errorType"], "BadRequest", "{reply}");

    let out = run("nosuchfunction", "fixtures/stream/insert.json");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no function nosuchfunction"));
}
