//! A web page elsewhere in the developer's browser cannot drive the local
//! endpoint. Its own pages and the configured front ends can; clients that are not browsers
//! (no `Origin`) are not affected.

mod support;

use std::sync::atomic::Ordering;

use serde_json::{json, Value};
use support::{api_key, stack, Client};

const QUERY: &str = "{ listRooms { items { id } } }";

/// A preflight as a browser sends it before a POST with an API key.
async fn preflight(stack: &appsync_local::Stack, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, stack.url())
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,x-api-key")
        .send()
        .await
        .expect("answered")
}

async fn post_from(stack: &appsync_local::Stack, origin: Option<&str>) -> (u16, Value) {
    let headers: Vec<(&str, &str)> = origin.iter().map(|o| ("origin", *o)).collect();
    let (status, text) = Client::new(stack.addr)
        .post_text(
            "/graphql",
            &api_key(stack),
            &headers,
            &json!({ "query": QUERY }),
        )
        .await
        .expect("answered");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_own_pages_and_configured_front_ends_may_call() {
    let stack = stack(false).await;
    let calls = || stack.functions.counters.invocations.load(Ordering::SeqCst);
    let own = format!("http://127.0.0.1:{}", stack.addr.port());

    // A page elsewhere: refused before anything runs, preflight and request alike, and
    // without CORS headers (the browser would not even show it the refusal).
    let before = calls();
    let refused = preflight(&stack, "http://evil.example").await;
    assert_eq!(refused.status(), 403);
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    for stranger in ["http://evil.example", "null", "http://localhost:5174"] {
        let (status, body) = post_from(&stack, Some(stranger)).await;
        assert_eq!(status, 403, "{stranger}: {body}");
        assert_eq!(body["errors"][0]["errorType"], "ForbiddenException");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("--allow-origin"), "{message}");
    }
    // A name rebound to 127.0.0.1 on the endpoint's port is still a stranger.
    let rebound = format!("http://attacker.example:{}", stack.addr.port());
    assert_eq!(post_from(&stack, Some(&rebound)).await.0, 403);
    assert_eq!(calls(), before, "no Lambda ran for a refused origin");

    // The endpoint's own page (GraphiQL) and a default front-end dev server.
    for friend in [
        own.as_str(),
        "http://localhost:5173",
        "http://127.0.0.1:3000",
    ] {
        let ok = preflight(&stack, friend).await;
        assert_eq!(ok.status(), 200, "{friend}");
        let h = ok.headers();
        assert_eq!(h["access-control-allow-origin"], friend);
        let methods = h["access-control-allow-methods"].to_str().unwrap();
        assert!(methods.contains("POST"), "{methods}");
        let allowed = h["access-control-allow-headers"].to_str().unwrap();
        assert!(
            allowed.contains("x-api-key") && allowed.contains("authorization"),
            "{allowed}"
        );
        let (status, body) = post_from(&stack, Some(friend)).await;
        assert_eq!(status, 200, "{friend}: {body}");
        assert!(body["data"]["listRooms"]["items"].is_array(), "{body}");
    }
    // Not a browser: no Origin, no question.
    let (status, _) = post_from(&stack, None).await;
    assert_eq!(status, 200);
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_origins_replace_the_default_front_ends() {
    support::init_logs();
    let mut config =
        appsync_local::StackConfig::new(testkit::endpoint(), testkit::user_pool_endpoint());
    config.prefix = testkit::unique_prefix();
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config.seed = false;
    config.streams = false;
    config.allow_origins = vec!["https://app.example.test:8443".into()];
    let stack = appsync_local::Stack::start(config).await.expect("starts");
    assert_eq!(
        post_from(&stack, Some("https://app.example.test:8443"))
            .await
            .0,
        200
    );
    assert_eq!(
        post_from(&stack, Some("http://localhost:5173")).await.0,
        403
    );
    stack.stop().await;

    // A malformed origin is a start-up error that says what is expected.
    let mut config =
        appsync_local::StackConfig::new(testkit::endpoint(), testkit::user_pool_endpoint());
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config.allow_origins = vec!["http://localhost:5173/app".into()];
    let err = appsync_local::Stack::start(config)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("scheme://host[:port]"), "{err}");
}
