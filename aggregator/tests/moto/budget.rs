//! The write budget: one TransactWriteItems per distinct (user, day) in a batch, more only
//! when a group outgrows one transaction.

use crate::support::{activity, at, date, transact_writes, Env};

#[tokio::test]
async fn one_transaction_per_distinct_user_day() {
    let mut env = Env::new().await;
    // 3 users x 2 days, 4 records per group: 24 records, 6 aggregates.
    for u in ["a", "b", "c"] {
        for day in [21, 22] {
            for i in 0..4 {
                let id = format!("{u}{day}-{i}");
                env.put(&activity(u, &id, "Food", 10, &at(day, 8, i))).await;
            }
        }
    }
    // A move between two of those days adds a record but no aggregate.
    env.update(&activity("a", "a21-0", "Food", 10, &at(22, 9, 0)))
        .await;
    let records = env.records().await;
    assert_eq!(records.len(), 25);

    env.counter.reset();
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(transact_writes(&env.counter), 6);
    assert_eq!(env.counter.total(), 6, "no reads, no other writes");
    assert_eq!(outcome.stats.transactions, 6);
    assert_eq!(env.aggregate("a", &date(21)).await, Some((30, 0)));
    assert_eq!(env.aggregate("a", &date(22)).await, Some((50, 0)));
}

#[tokio::test]
async fn a_group_of_more_than_99_records_splits_into_transactions_of_99() {
    let mut env = Env::new().await;
    let many: Vec<_> = (0..150)
        .map(|i| {
            activity(
                "u1",
                &format!("a{i:03}"),
                "Exercise",
                2,
                &at(21, (i / 60) as u32, (i % 60) as u32),
            )
        })
        .collect();
    env.put_all(&many).await;
    let records = env.records().await;
    assert_eq!(records.len(), 150);

    env.counter.reset();
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(transact_writes(&env.counter), 2, "ceil(150 / 99)");
    assert_eq!(outcome.stats.applied_entries, 150);
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((0, 300)));

    // Redelivered whole, both chunks find every marker: nothing is added twice.
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.stats.duplicate_entries, 150);
    assert_eq!(env.aggregate("u1", &date(21)).await, Some((0, 300)));
}

#[tokio::test]
async fn transactions_run_concurrently_when_allowed() {
    let mut env = Env::with_config(|c| c.concurrency = 8).await;
    let users: Vec<String> = (0..12).map(|i| format!("u{i}")).collect();
    for (n, u) in users.iter().enumerate() {
        for day in [20, 21, 22] {
            let category = if n % 2 == 0 { "Food" } else { "Exercise" };
            env.put(&activity(
                u,
                &format!("{day}"),
                category,
                n as i64 + day as i64,
                &at(day, 8, 0),
            ))
            .await;
        }
    }
    let records = env.records().await;
    env.counter.reset();
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), None);
    assert_eq!(transact_writes(&env.counter), 36);
    env.assert_exact(&users).await;
}
