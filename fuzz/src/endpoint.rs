//! `endpoint`: the local AppSync endpoint's request handling, end to end through its HTTP
//! router (origin check, CORS, authentication, body, validation, execution), with an
//! in-memory function in place of the resolvers.
//!
//! The input is a request: header lines `name: value` up to an empty line, then the body
//! POSTed to `/graphql`. In a header value, `$TOKEN` / `$ADMIN` / `$API_KEY` stand for a user's
//! token, an admin's token and the local API key (the fuzzer cannot make them).
//!
//! Properties: every request is answered, within [`LIMIT`], with a JSON body in AppSync's
//! shapes (401 `UnauthorizedException`, 403, 400 `MalformedHttpRequestException`, or 200
//! with `data` and well-formed `errors` whose messages leak no internals); every Direct
//! Lambda event the endpoint builds is one the resolvers can read (`resolvers::prepare`
//! refuses none as a malformed event).

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use appsync_contract::BatchItem;
use appsync_local::graphql::schema::Api;
use appsync_local::http::assets::Assets;
use appsync_local::http::origins::AllowedOrigins;
use appsync_local::http::router;
use appsync_local::http::state::{RealtimeSettings, ServerState};
use appsync_local::invoke::{FunctionError, Invoker};
use appsync_local::subscriptions::Hub;
use appsync_local::LOCAL_API_KEY;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use futures::future::{BoxFuture, FutureExt};
use serde_json::{json, Value};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::assert_clean_message;
use crate::pool::pool;

/// Longest a request may take here. Far above what any kept input needs (a few ms); a
/// request that takes longer is a hang the 30 s request limit would not have stopped.
pub const LIMIT: Duration = Duration::from_secs(10);

const ADDR: ([u8; 4], u16) = ([127, 0, 0, 1], 4000);

struct Endpoint {
    runtime: tokio::runtime::Runtime,
    router: Router,
    token: String,
    admin: String,
    /// Held so that the state's shutdown signal stays open.
    _shutdown: watch::Sender<bool>,
}

fn endpoint() -> &'static Endpoint {
    static ENDPOINT: OnceLock<Endpoint> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let template = testkit::template::Template::repository();
        let api =
            Arc::new(Api::load(&root.join("schema.graphql"), template).expect("schema.graphql"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        // The endpoint checks tokens against the clock: these stay valid for a day.
        let exp = chrono::Utc::now().timestamp() + 86_400;
        let token = pool().access_token("user-fuzz", "fuzz", &[], exp);
        let admin = pool().access_token("user-root", "root", &["Admin"], exp);
        let (hub, _delivery) = runtime.block_on(async { Hub::start(api.clone()) });
        let (shutdown, stopped) = watch::channel(false);
        let state = Arc::new(ServerState {
            api,
            invoker: Arc::new(Canned),
            auth: Arc::new(pool().authenticator(LOCAL_API_KEY)),
            sign_in: None,
            hub,
            realtime: RealtimeSettings::default(),
            shutdown: stopped,
            // Only POST /graphql is fuzzed: GraphiQL's assets are not needed.
            graphiql: Assets::load(&root.join("fuzz/no-graphiql")),
        });
        let origins = AllowedOrigins::new(SocketAddr::from(ADDR), &[]).expect("origins");
        Endpoint {
            runtime,
            router: router(state, Arc::new(origins)),
            token,
            admin,
            _shutdown: shutdown,
        }
    })
}

pub fn run(data: &[u8]) {
    let e = endpoint();
    let split = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or((&data[..0], data), |at| (&data[..at], &data[at + 2..]));
    let (head, body) = split;
    let mut request = Request::post("/graphql");
    for line in String::from_utf8_lossy(head).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value
            .trim()
            .replace("$TOKEN", &e.token)
            .replace("$ADMIN", &e.admin)
            .replace("$API_KEY", LOCAL_API_KEY);
        request = request.header(name.trim(), value);
    }
    let Ok(mut request) = request.body(Body::from(body.to_vec())) else {
        return; // a header no HTTP client could send
    };
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50_000))));

    let started = Instant::now();
    let (status, reply) = e.runtime.block_on(async {
        let response = tokio::time::timeout(LIMIT, e.router.clone().oneshot(request))
            .await
            .expect("answered within the limit")
            .expect("the router is infallible");
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        (status, bytes)
    });
    assert!(started.elapsed() < LIMIT, "took {:?}", started.elapsed());
    let input = String::from_utf8_lossy(data);
    let reply: Value = serde_json::from_slice(&reply).unwrap_or_else(|_| {
        panic!(
            "HTTP {status}: not JSON: {}",
            String::from_utf8_lossy(&reply)
        )
    });
    match status {
        200 => {
            let obj = reply.as_object().expect("an object");
            assert!(obj.contains_key("data"), "no data: {reply}");
            for error in obj
                .get("errors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let message = error["message"].as_str().expect("a message");
                assert_clean_message("GraphQL error", message, &input);
                if let Some(t) = error.get("errorType") {
                    assert!(t.is_string(), "{error}");
                }
            }
        }
        400 | 401 | 403 | 413 => {
            let error = &reply["errors"][0];
            let kind = error["errorType"].as_str().expect("an errorType");
            if status == 401 {
                assert_eq!(kind, "UnauthorizedException");
            }
            assert_clean_message(kind, error["message"].as_str().expect("a message"), &input);
        }
        _ => panic!("HTTP {status}: {reply}"),
    }
}

/// Answers every field with a plausible value of its type, after checking that the resolvers
/// can read the event; an event the resolvers refuse gets their error, as Lambda would report it.
struct Canned;

impl Invoker for Canned {
    fn invoke<'a>(
        &'a self,
        _function: &'a str,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, FunctionError>> {
        let reply = match payload {
            Value::Array(items) => Ok(Value::Array(
                items
                    .into_iter()
                    .map(|item| match answer(item) {
                        Ok(data) => BatchItem::data(data),
                        Err(e) => BatchItem::error(e.error_type, e.error_message),
                    })
                    .map(|item| serde_json::to_value(item).expect("a reply item serialises"))
                    .collect(),
            )),
            single => answer(single),
        };
        async move { reply }.boxed()
    }
}

fn answer(event: Value) -> Result<Value, FunctionError> {
    let field = format!(
        "{}.{}",
        event["info"]["parentTypeName"].as_str().unwrap_or_default(),
        event["info"]["fieldName"].as_str().unwrap_or_default()
    );
    if let Err(e) = resolvers::prepare(event) {
        assert!(
            !matches!(e.error_type(), "BadRequest" | "Internal"),
            "the endpoint built an event for {field} the resolvers cannot read: {e}"
        );
        return Err(FunctionError::new(e.error_type(), e.to_string()));
    }
    Ok(canned(&field))
}

fn canned(field: &str) -> Value {
    let (start, end) = ("2026-11-21T17:00:00.000Z", "2026-11-21T19:00:00.000Z");
    let thing = json!({
        "id": "1", "name": "Lecture Hall 1", "capacity": 100,
        "event_id": "e1", "datetime_start": start, "datetime_end": end,
        "description": null, "event_owner": "alice", "room_id": "1", "image_file_name": null,
        "event_datetime_start": start, "event_datetime_end": end, "event_duration": 120,
        "total_tickets": 60, "tickets_sold": 5, "tickets_left": 55,
        "user_id": "user-fuzz", "booked_at": start,
        "userid": "user-fuzz", "category": "Food", "type": "Lunch", "caloriesConsumed": 500,
        "creationDateTime": start, "username": "fuzz", "height": 180.0, "weight": 75.0,
        "caloriesTargetPerDay": 2000, "bmi": 23.1, "date": "2026-11-21", "caloriesBurned": 0,
    });
    match field {
        "Query.listActivityCategories" => json!([{ "category": "Food", "type": ["Lunch"] }]),
        "Event.tickets" => json!(["user-fuzz"]),
        "Room.bookings" => json!([thing]),
        f if f.starts_with("Query.list") => json!({ "items": [thing, thing], "nextToken": null }),
        _ => thing,
    }
}
