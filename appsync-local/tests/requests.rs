//! The endpoint over HTTP against a running stack: what AppSync refuses before any Lambda runs
//! (schema validation, AWS scalars, authorization), BatchInvoke, errors with partial data.

mod support;

use std::sync::atomic::Ordering;

use serde_json::json;
use support::{api_key, client, data, errors, gql, stack, user, Credential};

fn invocations(stack: &appsync_local::Stack) -> u64 {
    stack.functions.counters.invocations.load(Ordering::SeqCst)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_invalid_requests_are_refused_before_any_lambda_call() {
    let stack = stack(false).await;
    let alice = user(&stack, "alice", &[]).await.who;
    let before = invocations(&stack);
    let cases = [
        // An unknown field.
        ("{ listRooms { items { id colour } } }", json!({}), "Validation error of type UndefinedField"),
        // An unknown argument.
        ("{ listRooms(size: 3) { items { id } } }", json!({}), "Validation error of type UndefinedArgument"),
        // A wrong argument type (a string for an Int).
        ("{ listRooms(limit: \"ten\") { items { id } } }", json!({}), "Validation error of type"),
        // A missing required argument.
        ("{ getEvent { id } }", json!({}), "Validation error of type RequiredArgument"),
        // A selection on a leaf, none on an object.
        ("{ listRooms }", json!({}), "Validation error of type"),
        // An unknown enum value.
        ("{ listEvents(when: SOON) { items { id } } }", json!({}), "Validation error of type"),
        // Malformed AWS scalars, literal and in variables (input object fields included).
        (
            "mutation { createActivity(input: {category: \"Food\", type: \"Tea\", caloriesConsumed: 1, creationDateTime: \"2024-02-30T10:00:00Z\"}) { id } }",
            json!({}),
            "is not a valid 'AWSDateTime'",
        ),
        (
            "query($d: AWSDate!) { getUserAggregate(date: $d) { date } }",
            json!({ "d": "22/11/2026" }),
            "Variable 'd' has an invalid value",
        ),
        (
            "mutation($i: CreateActivityInput!) { createActivity(input: $i) { id } }",
            json!({ "i": { "category": "Food", "type": "Tea", "caloriesConsumed": 1, "creationDateTime": "noon" } }),
            "Variable 'i' has an invalid value",
        ),
        // A variable of the wrong type, a missing required variable.
        ("query($n: Int) { listRooms(limit: $n) { items { id } } }", json!({ "n": "x" }), "n"),
        ("query($d: AWSDate!) { getUserAggregate(date: $d) { date } }", json!({}), "d"),
        // Not GraphQL at all.
        ("{ listRooms { items { id }", json!({}), "Invalid Syntax"),
    ];
    for (query, variables, expected) in cases {
        let body = gql(stack.addr, &alice, query, variables).await;
        assert!(body["data"].is_null(), "{query}: {body}");
        let errs = errors(&body);
        let message = errs[0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{query}: {message}");
        assert!(errs[0]["path"].is_null(), "{query}: {body}");
    }
    assert_eq!(
        invocations(&stack),
        before,
        "no Lambda ran for a refused request"
    );

    // The same requests, well-formed, do reach the Lambda.
    let body = gql(
        stack.addr,
        &alice,
        "query($d: AWSDate!) { getUserAggregate(date: $d) { date caloriesConsumed } }",
        json!({ "d": "2026-11-22" }),
    )
    .await;
    assert_eq!(data(&body)["getUserAggregate"]["caloriesConsumed"], 0);
    assert_eq!(invocations(&stack), before + 1);
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_comes_from_the_token_or_the_api_key_as_the_schema_allows() {
    let stack = stack(true).await;
    let addr = stack.addr;
    let before = invocations(&stack);

    // Neither a token nor a key: 401 UnauthorizedException, like AppSync.
    let (status, body) = client(addr)
        .await
        .graphql(
            &Credential::None,
            "{ listRooms { items { id } } }",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(status, 401);
    assert_eq!(
        body["errors"][0]["errorType"], "UnauthorizedException",
        "{body}"
    );
    // A wrong key and a token that is not a JWT: 401 too.
    for bad in [
        Credential::ApiKey("da2-wrong".into()),
        Credential::Token("not-a-jwt".into()),
    ] {
        let (status, _) = client(addr)
            .await
            .graphql(&bad, "{ listRooms { items { id } } }", json!({}))
            .await
            .unwrap();
        assert_eq!(status, 401);
    }
    assert_eq!(invocations(&stack), before);

    // The API key reaches the @aws_api_key reads...
    let body = gql(
        addr,
        &api_key(&stack),
        "{ listRooms { items { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        data(&body)["listRooms"]["items"].as_array().unwrap().len(),
        3
    );
    // ...but not the Cognito-only fields, which are refused without calling the Lambda.
    let calls = invocations(&stack);
    let body = gql(
        addr,
        &api_key(&stack),
        "{ listMyEvents { items { id } } rooms: listRooms { items { id } } }",
        json!({}),
    )
    .await;
    let err = &errors(&body)[0];
    assert_eq!(err["errorType"], "Unauthorized", "{body}");
    assert_eq!(
        err["message"],
        "Not Authorized to access listMyEvents on type Query"
    );
    // listMyEvents is non-null: data is null, as AppSync propagates it.
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(invocations(&stack), calls + 1, "only listRooms ran");

    // The token's sub is the caller the resolvers see; cognito:groups makes an admin.
    let carol = user(&stack, "carol", &[]).await;
    let body = gql(
        addr,
        &carol.who,
        "mutation { updateUser(input: {username: \"carol\", height: 170, weight: 65}) { id username bmi } }",
        json!({}),
    )
    .await;
    assert_eq!(data(&body)["updateUser"]["id"], carol.sub.as_str());
    let create_room = "mutation { createRoom(input: {name: \"Annex\", capacity: 10}) { id name } }";
    let body = gql(addr, &carol.who, create_room, json!({})).await;
    assert_eq!(errors(&body)[0]["errorType"], "Unauthorized", "{body}");
    let dan = user(&stack, "dan", &["Admin"]).await;
    let body = gql(addr, &dan.who, create_room, json!({})).await;
    assert_eq!(data(&body)["createRoom"]["name"], "Annex");
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_fields_are_one_batch_invoke_and_errors_keep_partial_data() {
    let stack = stack(true).await;
    let addr = stack.addr;
    let alice = user(&stack, "alice", &[]).await.who;
    let counters = &stack.functions.counters;
    let (calls, batches) = (
        invocations(&stack),
        counters.batch_invocations.load(Ordering::SeqCst),
    );
    let body = gql(
        addr,
        &alice,
        "{ listEvents(limit: 15) { items { id room_id room { id capacity } tickets } } }",
        json!({}),
    )
    .await;
    let items = data(&body)["listEvents"]["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(items.len(), 15);
    assert!(items.iter().all(|e| e["room"]["id"] == e["room_id"]));
    // listEvents, then one BatchInvoke for Event.room and one for Event.tickets (15 sources each).
    assert_eq!(invocations(&stack), calls + 3);
    assert_eq!(
        counters.batch_invocations.load(Ordering::SeqCst),
        batches + 2
    );

    // An error in one field nulls that field only; the rest of the data is kept.
    let body = gql(
        addr,
        &alice,
        "{ rooms: listRooms(limit: 2) { items { name } } someone: getUser(id: \"user-bob\") { id } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["rooms"]["items"].as_array().unwrap().len(),
        2,
        "{body}"
    );
    assert!(body["data"]["someone"].is_null(), "{body}");
    let err = &errors(&body)[0];
    assert_eq!(err["path"], json!(["someone"]));
    assert_eq!(err["errorType"], "Unauthorized", "{err}");
    assert!(
        err.get("data").is_some() && err.get("errorInfo").is_some(),
        "{err}"
    );

    // Aliases, fragments, @skip/@include and __typename.
    let body = gql(
        addr,
        &api_key(&stack),
        "query($x: Boolean!) { a: getRoom(id: \"1\") { ...R } b: getRoom(id: \"2\") { name @skip(if: $x) capacity @include(if: $x) __typename } } fragment R on Room { n: name }",
        json!({ "x": true }),
    )
    .await;
    assert_eq!(
        data(&body),
        &json!({ "a": { "n": "Lecture Hall 1" }, "b": { "capacity": 50, "__typename": "Room" } })
    );

    // Introspection (what GraphiQL asks for first) is answered by the schema.
    let body = gql(
        addr,
        &api_key(&stack),
        "{ __schema { queryType { name } } __type(name: \"AWSDateTime\") { kind } }",
        json!({}),
    )
    .await;
    assert_eq!(data(&body)["__schema"]["queryType"]["name"], "Query");
    assert_eq!(data(&body)["__type"]["kind"], "SCALAR");
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_carry_appsyncs_shape_and_error_type_header() {
    let stack = stack(false).await;
    let url = format!("http://{}/graphql", stack.addr);
    let http = reqwest::Client::new();
    let error_type = |r: &reqwest::Response| {
        r.headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let before = invocations(&stack);

    // 401: what Amplify v6 reads to report "Unauthorized".
    let r = http
        .post(&url)
        .json(&json!({ "query": "{ listRooms { items { id } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(error_type(&r).as_deref(), Some("UnauthorizedException"));

    // 403: a page of another origin (the local endpoint's own refusal).
    let r = http
        .post(&url)
        .header("origin", "http://evil.example")
        .header("x-api-key", &stack.api_key)
        .json(&json!({ "query": "{ listRooms { items { id } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(error_type(&r).as_deref(), Some("ForbiddenException"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["errorType"], "ForbiddenException");

    // An oversized body: 413 in AppSync's shape, read no further.
    let big = "x".repeat(appsync_local::http::graphql::BODY_LIMIT + 1);
    let r = http
        .post(&url)
        .header("x-api-key", &stack.api_key)
        .json(&json!({ "query": big }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(error_type(&r).as_deref(), Some("BadRequestException"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["errorType"], "BadRequestException",
        "{body}"
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("bytes"));

    // A subscription POSTed: refused as AppSync refuses it, its resolver not run.
    let alice = support::user(&stack, "alice", &[]).await;
    let r = http
        .post(&url)
        .header("authorization", &alice.token)
        .json(&json!({
            "query": "subscription($u: ID!) { onCreateActivity(userid: $u) { id } }",
            "variables": { "u": alice.sub },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(error_type(&r).as_deref(), Some("BadRequestException"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["message"],
        "Subscriptions over MQTT is not supported."
    );
    assert_eq!(invocations(&stack), before, "no Lambda ran");
    stack.stop().await;
}
