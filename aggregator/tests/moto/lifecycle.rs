//! INSERT, MODIFY and REMOVE, including moves between days and categories, and the writes
//! that make no stream record.

use crate::support::{activity, at, date, Env};

fn users(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn insert_adds_calories_to_the_activitys_own_day() {
    let mut env = Env::new().await;
    env.put(&activity("u1", "a1", "Food", 300, &at(21, 8, 0)))
        .await;
    env.put(&activity("u1", "a2", "Exercise", 200, &at(21, 18, 0)))
        .await;
    env.put(&activity("u1", "a3", "Drink", 50, &at(21, 23, 59)))
        .await;
    // Just past midnight UTC belongs to the next day, whatever the clock of the Lambda.
    env.put(&activity(
        "u1",
        "a4",
        "Drink",
        70,
        "2026-11-22T00:30:00+00:00",
    ))
    .await;
    env.put(&activity("u2", "b1", "Food", 10, &at(21, 8, 0)))
        .await;

    let outcome = env.sync().await;
    assert_eq!(outcome.stats.records, 5);
    assert_eq!(outcome.stats.applied_entries, 5);
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((350, 200)));
    assert_eq!(env.aggregate("u1", &date(22)).await, Some((70, 0)));
    assert_eq!(env.aggregate("u2", &date(21)).await, Some((10, 0)));
    env.assert_exact(&users(&["u1", "u2"])).await;
}

#[tokio::test]
async fn modify_applies_only_the_difference() {
    let mut env = Env::new().await;
    env.put(&activity("u1", "a1", "Food", 300, &at(21, 8, 0)))
        .await;
    env.put(&activity("u1", "a2", "Food", 100, &at(21, 9, 0)))
        .await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((400, 0)));

    env.put(&activity("u1", "a1", "Food", 450, &at(21, 8, 0)))
        .await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((550, 0)));

    env.update(&activity("u1", "a2", "Food", 20, &at(21, 9, 0)))
        .await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((470, 0)));
    env.assert_exact(&users(&["u1"])).await;
}

#[tokio::test]
async fn remove_subtracts_what_the_activity_contributed() {
    let mut env = Env::new().await;
    env.put(&activity("u1", "a1", "Exercise", 300, &at(21, 8, 0)))
        .await;
    env.put(&activity("u1", "a2", "Food", 120, &at(21, 9, 0)))
        .await;
    env.sync().await;
    env.delete("u1", "a1").await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((120, 0)));
    env.delete("u1", "a2").await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((0, 0)));
}

#[tokio::test]
async fn moving_an_activity_to_another_day_moves_its_calories() {
    let mut env = Env::new().await;
    env.put(&activity("u1", "a1", "Food", 300, &at(21, 8, 0)))
        .await;
    env.sync().await;
    env.update(&activity("u1", "a1", "Food", 300, &at(22, 8, 0)))
        .await;
    let outcome = env.sync().await;
    // One record, two aggregates.
    assert_eq!(outcome.stats.records, 1);
    assert_eq!(outcome.stats.applied_entries, 2);
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((0, 0)));
    assert_eq!(env.aggregate("u1", &date(22)).await, Some((300, 0)));

    // Insert, edit and move within one batch net out the same way.
    env.put(&activity("u1", "a2", "Food", 10, &at(20, 8, 0)))
        .await;
    env.put(&activity("u1", "a2", "Food", 40, &at(20, 8, 0)))
        .await;
    env.update(&activity("u1", "a2", "Food", 40, &at(23, 8, 0)))
        .await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(20)).await, Some((0, 0)));
    assert_eq!(env.aggregate("u1", &date(23)).await, Some((40, 0)));
    env.assert_exact(&users(&["u1"])).await;
}

#[tokio::test]
async fn changing_category_moves_calories_between_consumed_and_burned() {
    let mut env = Env::new().await;
    env.put(&activity("u1", "a1", "Food", 300, &at(21, 8, 0)))
        .await;
    env.sync().await;
    env.update(&activity("u1", "a1", "Exercise", 250, &at(21, 8, 0)))
        .await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((0, 250)));
    env.update(&activity("u1", "a1", "Drink", 250, &at(22, 8, 0)))
        .await;
    env.sync().await;
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((0, 0)));
    assert_eq!(env.aggregate("u1", &date(22)).await, Some((250, 0)));
    env.assert_exact(&users(&["u1"])).await;
}

#[tokio::test]
async fn an_activity_created_by_update_item_counts_once() {
    let mut env = Env::new().await;
    env.update(&activity("u1", "a1", "Food", 300, &at(21, 8, 0)))
        .await;
    let records = env.records().await;
    // One INSERT carrying the whole item, as PutItem's.
    let names: Vec<&str> = records
        .iter()
        .map(|r| r["eventName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["INSERT"]);
    assert_eq!(
        records[0]["dynamodb"]["NewImage"]["caloriesConsumed"]["N"],
        "300"
    );
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(outcome.stats.skipped_records, 0);
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((300, 0)));
    env.assert_exact(&users(&["u1"])).await;
}

#[tokio::test]
async fn rewriting_an_identical_item_changes_nothing() {
    let mut env = Env::new().await;
    let mut a = activity("u1", "a1", "Food", 300, &at(21, 8, 0));
    env.put(&a).await;
    env.sync().await;
    env.put(&a).await;
    assert!(
        env.records().await.is_empty(),
        "a write that leaves the item as it was makes no stream record"
    );
    // A change the aggregates do not count (the activity's type): a MODIFY that moves nothing.
    a.activity_type = "Brunch".into();
    env.put(&a).await;
    let records = env.records().await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["eventName"], "MODIFY");
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((300, 0)));
    env.assert_exact(&users(&["u1"])).await;
}
