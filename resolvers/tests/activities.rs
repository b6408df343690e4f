//! The calorie tracker's resolvers against DynamoDB Local: each user reaches only their own
//! activities, profile and aggregates; bad input is refused with nothing written.

mod support;

use serde_json::{json, Value};
use support::{anonymous, error_type, user};

async fn log(
    env: &support::Env,
    who: &str,
    id: &str,
    category: &str,
    kind: &str,
    calories: i64,
    at: &str,
) -> Value {
    let input = json!({ "input": { "id": id, "category": category, "type": kind, "caloriesConsumed": calories, "creationDateTime": at } });
    env.mutate("createActivity", input, user(who))
        .await
        .expect("activity logged")
}

#[tokio::test]
async fn activities_belong_to_the_caller_only() {
    let env = support::seeded().await;
    let a = log(
        &env,
        "alice",
        "a1",
        "Food",
        "Lunch",
        600,
        "2026-11-20T12:00:00Z",
    )
    .await;
    assert_eq!(
        a["userid"], "alice",
        "the owner is the identity, not an argument"
    );

    // Bob cannot see, change or delete alice's activity: to him it does not exist.
    assert_eq!(
        env.query("getActivity", json!({ "id": "a1" }), user("bob"))
            .await
            .unwrap(),
        Value::Null
    );
    let upd = json!({ "input": { "id": "a1", "caloriesConsumed": 1 } });
    assert_eq!(
        error_type(env.mutate("updateActivity", upd.clone(), user("bob")).await),
        "NotFound"
    );
    let del = json!({ "input": { "id": "a1" } });
    assert_eq!(
        error_type(env.mutate("deleteActivity", del.clone(), user("bob")).await),
        "NotFound"
    );
    let bobs = env
        .query("listActivities", json!({}), user("bob"))
        .await
        .unwrap();
    assert_eq!(bobs["items"], json!([]));
    let named = json!({ "userid": "alice" });
    assert_eq!(
        error_type(env.query("listActivities", named, user("bob")).await),
        "Unauthorized"
    );

    // The public sees nothing at all.
    for (field, args) in [
        ("getActivity", json!({ "id": "a1" })),
        ("listActivities", json!({})),
    ] {
        assert_eq!(
            error_type(env.query(field, args, anonymous()).await),
            "Unauthorized",
            "{field}"
        );
    }
    for (field, args) in [
        ("updateActivity", upd.clone()),
        ("deleteActivity", del.clone()),
    ] {
        assert_eq!(
            error_type(env.mutate(field, args, anonymous()).await),
            "Unauthorized",
            "{field}"
        );
    }
    let create = json!({ "input": { "category": "Food", "type": "Lunch", "caloriesConsumed": 1 } });
    assert_eq!(
        error_type(env.mutate("createActivity", create, anonymous()).await),
        "Unauthorized"
    );

    // Alice can do all of it.
    assert_eq!(
        env.query("getActivity", json!({ "id": "a1" }), user("alice"))
            .await
            .unwrap()["caloriesConsumed"],
        600
    );
    assert_eq!(
        env.mutate("updateActivity", upd, user("alice"))
            .await
            .unwrap()["caloriesConsumed"],
        1
    );
    assert_eq!(
        env.mutate("deleteActivity", del.clone(), user("alice"))
            .await
            .unwrap()["id"],
        "a1"
    );
    assert_eq!(
        error_type(env.mutate("deleteActivity", del, user("alice")).await),
        "NotFound"
    );
}

#[tokio::test]
async fn activity_input_is_validated_and_nothing_is_written() {
    let env = support::seeded().await;
    let cases = [
        (
            json!({ "category": "Sleep", "type": "Nap", "caloriesConsumed": 1 }),
            "does not exist",
        ),
        (
            json!({ "category": "Food", "type": "Run", "caloriesConsumed": 1 }),
            "does not belong",
        ),
        (
            json!({ "category": "Food", "type": "Lunch", "caloriesConsumed": -1 }),
            "out of range",
        ),
        (
            json!({ "category": "Food", "type": "Lunch", "caloriesConsumed": 100_001 }),
            "out of range",
        ),
        (
            json!({ "category": "Food", "type": "Lunch", "caloriesConsumed": 1, "creationDateTime": "noon" }),
            "AWSDateTime",
        ),
    ];
    for (input, says) in cases {
        let err = env
            .mutate("createActivity", json!({ "input": input }), user("u"))
            .await
            .unwrap_err();
        assert_eq!(err.error_type(), "ValidationError", "{input}");
        assert!(err.to_string().contains(says), "{input}: {err}");
    }
    assert_eq!(
        env.query("listActivities", json!({}), user("u"))
            .await
            .unwrap()["items"],
        json!([])
    );

    log(
        &env,
        "u",
        "x",
        "Exercise",
        "Run",
        300,
        "2026-11-20T07:00:00Z",
    )
    .await;
    let bad_type = json!({ "input": { "id": "x", "type": "Lunch" } });
    assert_eq!(
        error_type(env.mutate("updateActivity", bad_type, user("u")).await),
        "ValidationError"
    );
    let moved = json!({ "input": { "id": "x", "category": "Food", "type": "Lunch" } });
    assert_eq!(
        env.mutate("updateActivity", moved, user("u"))
            .await
            .unwrap()["category"],
        "Food"
    );
    let dup = json!({ "input": { "id": "x", "category": "Food", "type": "Lunch", "caloriesConsumed": 1 } });
    assert_eq!(
        error_type(env.mutate("createActivity", dup, user("u")).await),
        "Conflict"
    );
}

#[tokio::test]
async fn activities_list_newest_first_within_a_range_and_page() {
    let env = support::seeded().await;
    for day in 1..=9 {
        log(
            &env,
            "u",
            &format!("a{day}"),
            "Drink",
            "Tea",
            10 * day,
            &format!("2026-11-0{day}T08:00:00Z"),
        )
        .await;
    }
    log(
        &env,
        "other",
        "o1",
        "Drink",
        "Tea",
        5,
        "2026-11-05T08:00:00Z",
    )
    .await;
    let (all, pages) = env
        .all_pages("listActivities", json!({ "limit": 4 }), user("u"))
        .await;
    let ids: Vec<&str> = all.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        vec!["a9", "a8", "a7", "a6", "a5", "a4", "a3", "a2", "a1"]
    );
    assert_eq!(pages, 3);
    let range = json!({ "from": "2026-11-03T00:00:00Z", "to": "2026-11-05T23:59:59Z" });
    let (some, _) = env.all_pages("listActivities", range, user("u")).await;
    let ids: Vec<&str> = some.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["a5", "a4", "a3"]);
    let backwards = json!({ "from": "2026-11-05T00:00:00Z", "to": "2026-11-03T00:00:00Z" });
    assert_eq!(
        error_type(env.query("listActivities", backwards, user("u")).await),
        "ValidationError"
    );
}

#[tokio::test]
async fn categories_are_seed_001s() {
    let env = support::seeded().await;
    let cats = env
        .query("listActivityCategories", json!({}), user("u"))
        .await
        .unwrap();
    let exercise = cats
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "Exercise")
        .unwrap();
    assert_eq!(
        exercise["type"],
        json!(["Walk", "Run", "Cardio", "Weights"])
    );
}

#[tokio::test]
async fn profiles_are_private_and_upserted() {
    let env = support::seeded().await;
    assert_eq!(
        env.query("getUser", json!({}), user("u")).await.unwrap(),
        Value::Null
    );
    let p = env
        .mutate(
            "updateUser",
            json!({ "input": { "height": 180, "weight": 81 } }),
            user("u"),
        )
        .await
        .unwrap();
    assert_eq!(
        (p["id"].as_str(), p["bmi"].as_f64()),
        (Some("u"), Some(25.0))
    );
    let p = env
        .mutate(
            "updateUser",
            json!({ "input": { "caloriesTargetPerDay": 2500 } }),
            user("u"),
        )
        .await
        .unwrap();
    assert_eq!(
        (p["weight"].as_f64(), p["caloriesTargetPerDay"].as_i64()),
        (Some(81.0), Some(2500)),
        "other fields kept"
    );
    assert_eq!(
        error_type(env.query("getUser", json!({ "id": "u" }), user("v")).await),
        "Unauthorized"
    );
    assert_eq!(
        env.query("getUser", json!({ "id": "u" }), user("u"))
            .await
            .unwrap()["bmi"],
        25.0
    );
    assert_eq!(
        error_type(env.query("getUser", json!({}), anonymous()).await),
        "Unauthorized"
    );
    let silly = json!({ "input": { "height": 5000 } });
    assert_eq!(
        error_type(env.mutate("updateUser", silly, user("u")).await),
        "ValidationError"
    );
    assert_eq!(
        error_type(
            env.mutate("updateUser", json!({ "input": {} }), anonymous())
                .await
        ),
        "Unauthorized"
    );
}

#[tokio::test]
async fn aggregates_are_read_only_for_their_owner() {
    let env = support::seeded().await;
    // Written as the aggregator writes them.
    for (u, d, c, b) in [
        ("u", "2026-11-20", 1200, 300),
        ("u", "2026-11-21", 800, 0),
        ("v", "2026-11-20", 5, 5),
    ] {
        env.app
            .db
            .client
            .put_item()
            .table_name(&env.app.db.tables.user_aggregates)
            .set_item(Some(
                resolvers::store::to_item(
                    &json!({ "userid": u, "date": d, "caloriesConsumed": c, "caloriesBurned": b }),
                )
                .unwrap(),
            ))
            .send()
            .await
            .unwrap();
    }
    let day = env
        .query(
            "getUserAggregate",
            json!({ "date": "2026-11-20" }),
            user("u"),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            day["caloriesConsumed"].as_i64(),
            day["caloriesBurned"].as_i64()
        ),
        (Some(1200), Some(300))
    );
    let empty = env
        .query(
            "getUserAggregate",
            json!({ "date": "2026-11-19" }),
            user("u"),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            empty["caloriesConsumed"].as_i64(),
            empty["caloriesBurned"].as_i64()
        ),
        (Some(0), Some(0))
    );
    let range = json!({ "from": "2026-11-01", "to": "2026-11-30", "limit": 1 });
    let (days, pages) = env.all_pages("listUserAggregates", range, user("u")).await;
    // DynamoDB ends a page that reached its limit with a LastEvaluatedKey even when nothing
    // follows: the page after the last day is empty.
    assert_eq!((days.len(), pages), (2, 3));
    assert!(days.iter().all(|d| d["userid"] == "u"));

    let spy = json!({ "date": "2026-11-20", "userid": "u" });
    assert_eq!(
        error_type(env.query("getUserAggregate", spy, user("v")).await),
        "Unauthorized"
    );
    let spy = json!({ "from": "2026-11-01", "to": "2026-11-30", "userid": "u" });
    assert_eq!(
        error_type(env.query("listUserAggregates", spy, user("v")).await),
        "Unauthorized"
    );
    assert_eq!(
        error_type(
            env.query(
                "getUserAggregate",
                json!({ "date": "2026-11-20" }),
                anonymous()
            )
            .await
        ),
        "Unauthorized"
    );
    let bad = json!({ "date": "20/11/2026" });
    assert_eq!(
        error_type(env.query("getUserAggregate", bad, user("u")).await),
        "ValidationError"
    );
    let long = json!({ "from": "2020-01-01", "to": "2026-01-01" });
    assert_eq!(
        error_type(env.query("listUserAggregates", long, user("u")).await),
        "ValidationError"
    );
}

#[tokio::test]
async fn subscriptions_only_to_ones_own_changes() {
    let env = support::empty().await;
    for field in ["onCreateActivity", "onUpdateActivity", "onDeleteActivity"] {
        let own = env
            .call("Subscription", field, json!({ "userid": "u" }), user("u"))
            .await;
        assert_eq!(own.unwrap(), Value::Null, "{field}");
        let other = env
            .call("Subscription", field, json!({ "userid": "v" }), user("u"))
            .await;
        assert_eq!(error_type(other), "Unauthorized", "{field}");
        let public = env
            .call("Subscription", field, json!({ "userid": "u" }), anonymous())
            .await;
        assert_eq!(error_type(public), "Unauthorized", "{field}");
    }
}
