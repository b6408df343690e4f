//! Fault injection for a DynamoDB client: chosen request attempts are answered as DynamoDB
//! (or the network) would fail them, without reaching DynamoDB, so nothing of them is applied.
//!
//! Two parts, installed together by [`Faults::install`]: an interceptor that sees each
//! operation's typed input (to decide whether it is a target) and marks each attempt to fail,
//! and an HTTP client around the real one that answers marked attempts itself. The answer is
//! a real HTTP response (or a real I/O error), so the SDK's own retry classification decides
//! what it retries, exactly as it would against DynamoDB.
//!
//! Faults come either as a plan ([`Faults::inject`]: this fault, so many times, for these
//! operations) or at random ([`Faults::chaos`]: a seeded share of the attempts, each failing
//! with a kind drawn from a list); [`Faults::tally`] counts both, with the operations and
//! attempts they caused.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::{ConfigBag, RuntimeComponents};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    http_client_fn, HttpClient, HttpConnector, HttpConnectorFuture, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextMut, Input,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

/// How an attempt fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// HTTP 400 `ThrottlingException`: the SDK's retry strategy retries it.
    Throttling,
    /// HTTP 500 `InternalServerError`: the SDK retries it.
    ServerError,
    /// The connection fails before the request is sent (an I/O error): the SDK retries it.
    ConnectionReset,
    /// A transaction cancelled because another one was changing its items (HTTP 400
    /// `TransactionCanceledException`, reason `TransactionConflict` on every item; a
    /// `TransactionConflictException` for a single-item request). The SDK does not retry it.
    /// Only writes conflict: a read drawn this fault at random fails as [`Fault::Throttling`].
    TransactionConflict,
    /// The request reaches DynamoDB and is applied, but its answer never comes back: the
    /// attempt times out (a connector timeout, which the SDK retries). What a retry then
    /// meets is the request's own effect.
    Timeout,
}

impl Fault {
    /// Every kind.
    pub const ALL: [Fault; 5] = [
        Fault::Throttling,
        Fault::ServerError,
        Fault::ConnectionReset,
        Fault::TransactionConflict,
        Fault::Timeout,
    ];
}

type Target = dyn Fn(&Input) -> bool + Send + Sync;

/// Faults at random: each attempt of a targeted operation fails with probability
/// `per_mille`/1000, with a kind drawn from `kinds`.
struct Chaos {
    rng: u64,
    per_mille: u32,
    kinds: Vec<Fault>,
}

impl Chaos {
    /// SplitMix64: small, seeded, the same sequence for the same seed.
    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn draw(&mut self, write: bool) -> Option<Fault> {
        if self.kinds.is_empty() || self.next() % 1000 >= u64::from(self.per_mille) {
            return None;
        }
        let at = (self.next() % self.kinds.len() as u64) as usize;
        let kind = self.kinds[at];
        Some(match kind {
            Fault::TransactionConflict if !write => Fault::Throttling,
            k => k,
        })
    }
}

/// What the faults did: the targeted operations, their attempts (first tries and the SDK's
/// retries), and the attempts failed, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Targeted operations started (one per `send()`; a retry by the code under test is a
    /// new operation).
    pub operations: usize,
    /// Their attempts: `attempts - operations` is how often the SDK retried.
    pub attempts: usize,
    pub injected: BTreeMap<Fault, usize>,
}

impl Tally {
    pub fn injected_total(&self) -> usize {
        self.injected.values().sum()
    }

    /// Attempts the SDK made beyond each operation's first.
    pub fn sdk_retries(&self) -> usize {
        self.attempts.saturating_sub(self.operations)
    }
}

#[derive(Default)]
struct Plan {
    fault: Option<Fault>,
    target: Option<Arc<Target>>,
    /// Attempts still to fail; `None`: every matching attempt until `clear`.
    remaining: Option<usize>,
    chaos: Option<Chaos>,
    injected: usize,
    tally: Tally,
}

/// Shared by the interceptor, the HTTP client and the test that steers them.
#[derive(Clone, Default)]
pub struct Faults {
    plan: Arc<Mutex<Plan>>,
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.plan.lock().unwrap();
        f.debug_struct("Faults")
            .field("fault", &p.fault)
            .field("remaining", &p.remaining)
            .field("injected", &p.injected)
            .finish()
    }
}

/// Set per operation by the interceptor: this operation is a target.
#[derive(Debug, Clone, Copy)]
struct Targeted {
    /// Items of a transaction (its cancellation reasons need one each).
    items: usize,
    /// A write, which a concurrent transaction can conflict with.
    write: bool,
}

impl Storable for Targeted {
    type Storer = StoreReplace<Self>;
}

const HEADER: &str = "x-testkit-fault";

impl Faults {
    pub fn new() -> Self {
        Self::default()
    }

    /// From now on, fails the attempts of operations `target` picks with `fault`: `times`
    /// attempts in all, or every one until [`Faults::clear`] when `None`. Retries are
    /// attempts too, whether the SDK or the code under test makes them.
    pub fn inject(
        &self,
        fault: Fault,
        times: Option<usize>,
        target: impl Fn(&Input) -> bool + Send + Sync + 'static,
    ) {
        let mut p = self.plan.lock().unwrap();
        p.fault = Some(fault);
        p.target = Some(Arc::new(target));
        p.remaining = times;
        p.chaos = None;
    }

    /// From now on, fails a seeded random share (`per_mille` of 1000) of the attempts of
    /// the operations `target` picks, each with a kind drawn from `kinds`, until
    /// [`Faults::clear`]. The same seed and the same sequence of attempts give the same
    /// faults (concurrent requests make the sequence itself vary).
    pub fn chaos(
        &self,
        seed: u64,
        per_mille: u32,
        kinds: &[Fault],
        target: impl Fn(&Input) -> bool + Send + Sync + 'static,
    ) {
        let mut p = self.plan.lock().unwrap();
        p.fault = None;
        p.remaining = None;
        p.target = Some(Arc::new(target));
        p.chaos = Some(Chaos {
            rng: seed,
            per_mille: per_mille.min(1000),
            kinds: kinds.to_vec(),
        });
    }

    pub fn clear(&self) {
        let mut p = self.plan.lock().unwrap();
        p.fault = None;
        p.target = None;
        p.remaining = None;
        p.chaos = None;
    }

    /// Attempts failed so far.
    pub fn injected(&self) -> usize {
        self.plan.lock().unwrap().injected
    }

    /// What the faults have done so far.
    pub fn tally(&self) -> Tally {
        self.plan.lock().unwrap().tally.clone()
    }

    /// A client configuration that injects these faults, over the HTTP client of `sdk` or,
    /// as the SDK chooses when `sdk` names none, the default one.
    pub fn install(
        &self,
        builder: aws_sdk_dynamodb::config::Builder,
        sdk: &aws_config::SdkConfig,
    ) -> aws_sdk_dynamodb::config::Builder {
        let inner = sdk.http_client().unwrap_or_else(|| {
            aws_smithy_http_client::Builder::new()
                .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
                .build_https()
        });
        self.install_over(builder, inner)
    }

    fn install_over(
        &self,
        builder: aws_sdk_dynamodb::config::Builder,
        inner: SharedHttpClient,
    ) -> aws_sdk_dynamodb::config::Builder {
        builder.interceptor(self.clone()).http_client(faulty(inner))
    }

    /// The fault for the next attempt of a targeted operation, if any.
    fn take(&self, write: bool) -> Option<Fault> {
        let mut p = self.plan.lock().unwrap();
        p.tally.attempts += 1;
        let fault = match (p.fault, &mut p.chaos) {
            (Some(fault), _) => {
                match &mut p.remaining {
                    Some(0) => return None,
                    Some(n) => *n -= 1,
                    None => {}
                }
                fault
            }
            (None, Some(chaos)) => chaos.draw(write)?,
            (None, None) => return None,
        };
        p.injected += 1;
        *p.tally.injected.entry(fault).or_default() += 1;
        Some(fault)
    }
}

impl Intercept for Faults {
    fn name(&self) -> &'static str {
        "Faults"
    }

    // The typed input exists only before serialization: decide here, once per operation.
    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = self.plan.lock().unwrap().target.clone();
        let input = context.input();
        if target.is_some_and(|t| t(input)) {
            let transaction = input.downcast_ref::<TransactWriteItemsInput>();
            let items = transaction.map_or(0, |i| i.transact_items().len());
            let write = transaction.is_some()
                || input.downcast_ref::<PutItemInput>().is_some()
                || input.downcast_ref::<UpdateItemInput>().is_some()
                || input.downcast_ref::<DeleteItemInput>().is_some();
            cfg.interceptor_state().store_put(Targeted { items, write });
            self.plan.lock().unwrap().tally.operations += 1;
        }
        Ok(())
    }

    // Once per attempt, retries included.
    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(targeted) = cfg.load::<Targeted>().copied() else {
            return Ok(());
        };
        if let Some(fault) = self.take(targeted.write) {
            let mark = format!("{fault:?}:{}", targeted.items);
            context.request_mut().headers_mut().insert(HEADER, mark);
        }
        Ok(())
    }
}

fn faulty(inner: SharedHttpClient) -> SharedHttpClient {
    http_client_fn(move |settings, components| {
        SharedHttpConnector::new(FaultyConnector {
            inner: inner.http_connector(settings, components),
        })
    })
}

/// Answers marked attempts itself; hands every other one to the real connector.
#[derive(Debug)]
struct FaultyConnector {
    inner: SharedHttpConnector,
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let Some(mark) = request.headers().get(HEADER).map(str::to_owned) else {
            return self.inner.call(request);
        };
        let (fault, items) = mark.split_once(':').unwrap_or((&mark, "0"));
        if fault == "Timeout" {
            let mut request = request;
            request.headers_mut().remove(HEADER);
            let sent = self.inner.call(request);
            return HttpConnectorFuture::new(async move {
                let _lost = sent.await;
                Err(ConnectorError::timeout(
                    "injected fault: the request was applied but its answer never came".into(),
                ))
            });
        }
        let items: usize = items.parse().unwrap_or(0);
        let (status, kind, extra) = match fault {
            "Throttling" => (400, "ThrottlingException", String::new()),
            "ServerError" => (500, "InternalServerError", String::new()),
            "ConnectionReset" => {
                return HttpConnectorFuture::ready(Err(ConnectorError::io(
                    "injected fault: connection reset before sending".into(),
                )))
            }
            _ if items > 0 => {
                let reasons = vec![
                    r#"{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}"#;
                    items
                ];
                (
                    400,
                    "TransactionCanceledException",
                    format!(r#","CancellationReasons":[{}]"#, reasons.join(",")),
                )
            }
            _ => (400, "TransactionConflictException", String::new()),
        };
        let body = format!(
            r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{kind}","message":"injected fault: {kind}"{extra}}}"#
        );
        let mut response = HttpResponse::new(
            StatusCode::try_from(status).expect("a valid status"),
            SdkBody::from(body),
        );
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.0");
        HttpConnectorFuture::ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_dynamodb::error::ProvideErrorMetadata;
    use aws_sdk_dynamodb::operation::get_item::GetItemInput;
    use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Stands in for DynamoDB: answers every request it gets with an empty success.
    #[derive(Debug, Clone, Default)]
    struct Reached(Arc<AtomicUsize>);

    impl HttpConnector for Reached {
        fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
            self.0.fetch_add(1, Ordering::SeqCst);
            let ok = StatusCode::try_from(200u16).unwrap();
            HttpConnectorFuture::ready(Ok(HttpResponse::new(ok, SdkBody::from("{}"))))
        }
    }

    fn client(faults: &Faults, reached: &Reached, attempts: u32) -> aws_sdk_dynamodb::Client {
        let reached = reached.clone();
        let inner = http_client_fn(move |_, _| SharedHttpConnector::new(reached.clone()));
        let builder = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("k", "s", None, None, "test"))
            .endpoint_url("http://127.0.0.1:1")
            .retry_config(
                aws_sdk_dynamodb::config::retry::RetryConfig::standard()
                    .with_max_attempts(attempts)
                    .with_initial_backoff(std::time::Duration::from_millis(1)),
            );
        aws_sdk_dynamodb::Client::from_conf(faults.install_over(builder, inner).build())
    }

    /// A GetItem: `Ok`, or the error's code.
    async fn get(client: &aws_sdk_dynamodb::Client) -> Result<(), String> {
        client
            .get_item()
            .table_name("T")
            .key("id", AttributeValue::S("1".into()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.into_service_error().code().unwrap_or("none").to_string())
    }

    fn transaction(
        client: &aws_sdk_dynamodb::Client,
    ) -> impl std::future::Future<Output = Result<(), String>> {
        let put = Put::builder()
            .table_name("T")
            .item("id", AttributeValue::S("1".into()))
            .build()
            .unwrap();
        let call = client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put.clone()).build())
            .transact_items(TransactWriteItem::builder().put(put).build());
        async move {
            call.send().await.map(|_| ()).map_err(|e| {
                e.into_service_error()
                    .code()
                    .unwrap_or("dispatch")
                    .to_string()
            })
        }
    }

    #[tokio::test]
    async fn the_sdk_retries_what_it_retries_against_dynamodb() {
        for fault in [
            Fault::Throttling,
            Fault::ServerError,
            Fault::ConnectionReset,
        ] {
            let (faults, reached) = (Faults::new(), Reached::default());
            let client = client(&faults, &reached, 3);
            faults.inject(fault, Some(2), |_| true);
            assert_eq!(transaction(&client).await, Ok(()), "{fault:?}");
            assert_eq!(faults.injected(), 2, "{fault:?}");
            assert_eq!(
                reached.0.load(Ordering::SeqCst),
                1,
                "{fault:?}: the third attempt"
            );
        }
    }

    #[tokio::test]
    async fn a_conflict_cancels_the_transaction_and_is_not_retried_by_the_sdk() {
        let (faults, reached) = (Faults::new(), Reached::default());
        let client = client(&faults, &reached, 3);
        faults.inject(Fault::TransactionConflict, None, |_| true);
        let put = Put::builder()
            .table_name("T")
            .item("id", AttributeValue::S("1".into()))
            .build()
            .unwrap();
        let err = client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put.clone()).build())
            .transact_items(TransactWriteItem::builder().put(put).build())
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        let aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(cancelled) = err else {
            panic!("TransactionCanceledException, not {err:?}");
        };
        let codes: Vec<_> = cancelled
            .cancellation_reasons()
            .iter()
            .map(|r| r.code().unwrap_or_default())
            .collect();
        assert_eq!(codes, ["TransactionConflict", "TransactionConflict"]);
        assert_eq!(faults.injected(), 1, "no SDK retry");
        assert_eq!(
            reached.0.load(Ordering::SeqCst),
            0,
            "nothing reached DynamoDB"
        );
    }

    #[tokio::test]
    async fn only_targets_fail_and_only_as_often_as_asked() {
        let (faults, reached) = (Faults::new(), Reached::default());
        let client = client(&faults, &reached, 1);
        faults.inject(Fault::Throttling, None, |i| {
            i.downcast_ref::<GetItemInput>().is_some()
        });
        assert_eq!(transaction(&client).await, Ok(()), "not a target");
        assert_eq!(get(&client).await, Err("ThrottlingException".into()));
        faults.clear();
        assert_eq!(transaction(&client).await, Ok(()));
        assert_eq!(faults.injected(), 1);
        assert_eq!(reached.0.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_timeout_is_applied_then_lost_and_the_sdk_retries_it() {
        let (faults, reached) = (Faults::new(), Reached::default());
        let client = client(&faults, &reached, 3);
        faults.inject(Fault::Timeout, Some(1), |_| true);
        assert_eq!(transaction(&client).await, Ok(()));
        assert_eq!(
            reached.0.load(Ordering::SeqCst),
            2,
            "the lost attempt reached DynamoDB, then the retry did"
        );
        let tally = faults.tally();
        assert_eq!(
            (tally.operations, tally.attempts, tally.sdk_retries()),
            (1, 2, 1)
        );
        assert_eq!(tally.injected, BTreeMap::from([(Fault::Timeout, 1)]));
    }

    /// Runs `n` GetItem and `n` transactions with chaos of every kind at `per_mille`.
    async fn chaos_run(seed: u64, per_mille: u32, n: usize) -> Tally {
        let (faults, reached) = (Faults::new(), Reached::default());
        let client = client(&faults, &reached, 1);
        faults.chaos(seed, per_mille, &Fault::ALL, |_| true);
        for _ in 0..n {
            let _ = get(&client).await;
            let _ = transaction(&client).await;
        }
        faults.clear();
        faults.tally()
    }

    #[tokio::test]
    async fn chaos_fails_a_seeded_share_of_attempts_with_every_kind() {
        let tally = chaos_run(7, 300, 200).await;
        assert_eq!(
            (tally.operations, tally.attempts),
            (400, 400),
            "one attempt each"
        );
        let share = tally.injected_total() as f64 / tally.attempts as f64;
        assert!((0.2..0.4).contains(&share), "{share}: {tally:?}");
        for kind in Fault::ALL {
            assert!(
                tally.injected.get(&kind).is_some_and(|n| *n > 0),
                "{kind:?}: {tally:?}"
            );
        }
        assert_eq!(
            chaos_run(7, 300, 200).await,
            tally,
            "the same seed, the same faults"
        );
        assert_ne!(
            chaos_run(8, 300, 200).await,
            tally,
            "another seed, other faults"
        );
        let none = chaos_run(7, 0, 50).await;
        assert_eq!((none.injected_total(), none.attempts), (0, 100));
    }

    #[tokio::test]
    async fn reads_never_conflict() {
        let (faults, reached) = (Faults::new(), Reached::default());
        let client = client(&faults, &reached, 1);
        faults.chaos(1, 1000, &[Fault::TransactionConflict], |_| true);
        assert_eq!(get(&client).await, Err("ThrottlingException".into()));
        assert_eq!(
            transaction(&client).await,
            Err("TransactionCanceledException".to_string())
        );
    }
}
