//! Throttling, 5xx and network failures are the SDK's to retry (`store::retry_config`, as
//! `main` configures it); the handler retries only cancelled transactions, which the SDK
//! cannot. So the two never multiply: a call gets at most the SDK's attempts, a cancelled
//! transaction at most the handler's.

use aggregator::store::SDK_MAX_ATTEMPTS;
use testkit::faults::Fault;

use crate::support::{interleaved, seq_of, transact_writes, user_of, users, Env};

/// 3 users x 2 days.
const GROUPS: usize = 6;

#[tokio::test]
async fn throttling_5xx_and_resets_are_retried_by_the_sdk_alone() {
    for fault in [
        Fault::Throttling,
        Fault::ServerError,
        Fault::ConnectionReset,
    ] {
        let mut env = Env::new().await;
        interleaved(&env).await;
        let records = env.records().await;
        env.faults.inject(fault, None, Some(2));
        env.counter.reset();
        let outcome = env.deliver(&records).await;
        assert_eq!(outcome.failure(), None, "{fault:?}");
        assert_eq!(env.faults.injected(), 2, "{fault:?}");
        // The retries happened inside the SDK: the handler sent each transaction once.
        assert_eq!(outcome.stats.transactions, GROUPS, "{fault:?}");
        assert_eq!(transact_writes(&env.counter), GROUPS, "{fault:?}");
        env.assert_exact(&users(&["a", "b", "c"])).await;
    }
}

#[tokio::test]
async fn when_the_sdk_gives_up_the_handler_reports_the_records_without_retrying_again() {
    let mut env = Env::new().await;
    interleaved(&env).await;
    let records = env.records().await;
    let first_b = records.iter().position(|r| user_of(r) == "b").unwrap();
    env.faults.inject(Fault::Throttling, Some("b"), None);
    let outcome = env.deliver(&records).await;
    assert_eq!(outcome.failure(), Some(seq_of(&records[first_b])));
    // b's two aggregates, each tried exactly as often as the SDK allows, no more.
    assert_eq!(env.faults.injected(), 2 * SDK_MAX_ATTEMPTS as usize);
    assert_eq!(outcome.stats.transactions, GROUPS);
    assert_eq!(outcome.stats.failed_entries, 4);
    assert!(env.aggregates("b").await.is_empty());

    env.faults.clear();
    let outcome = env.deliver(&records[first_b..]).await;
    assert_eq!(outcome.failure(), None);
    env.assert_exact(&users(&["a", "b", "c"])).await;
}

#[tokio::test]
async fn a_cancelled_transaction_is_retried_by_the_handler_alone() {
    let mut env = Env::new().await;
    interleaved(&env).await;
    let records = env.records().await;
    env.faults.fail(Some("b"), None);
    let outcome = env.deliver(&records).await;
    assert!(outcome.failure().is_some());
    // The handler's attempts (3 in the tests' configuration), one SDK attempt each.
    let attempts = crate::support::test_config(&env.tables).retry.attempts as usize;
    assert_eq!(env.faults.injected(), 2 * attempts);
    assert_eq!(outcome.stats.transactions, GROUPS - 2 + 2 * attempts);
}
