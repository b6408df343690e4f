//! An SDK interceptor that makes chosen TransactWriteItems calls fail before they are sent,
//! as a network failure would: nothing reaches moto, and the SDK reports a dispatch failure
//! (which the aggregator treats as transient and retries).

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::{ConfigBag, RuntimeComponents};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

#[derive(Debug, Default)]
struct Plan {
    /// Fail transactions on this user's aggregates (`None`: any transaction).
    user: Option<String>,
    armed: bool,
    /// How many more to fail; `None` until cleared.
    remaining: Option<usize>,
    injected: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Faults {
    plan: Arc<Mutex<Plan>>,
}

#[derive(Debug)]
struct Doomed;

impl Storable for Doomed {
    type Storer = StoreReplace<Self>;
}

impl Faults {
    /// Fails every transaction on `user`'s aggregates (or every one, with `None`), `times`
    /// times or until `clear` when `times` is `None`.
    pub fn fail(&self, user: Option<&str>, times: Option<usize>) {
        let mut p = self.plan.lock().unwrap();
        p.user = user.map(str::to_owned);
        p.armed = true;
        p.remaining = times;
    }

    pub fn clear(&self) {
        let mut p = self.plan.lock().unwrap();
        p.armed = false;
        p.user = None;
        p.remaining = None;
    }

    /// Transactions failed so far.
    pub fn injected(&self) -> usize {
        self.plan.lock().unwrap().injected
    }
}

fn users_of(input: &TransactWriteItemsInput) -> impl Iterator<Item = &str> {
    input
        .transact_items()
        .iter()
        .filter_map(|i| i.update())
        .filter_map(|u| u.key().get("userid"))
        .filter_map(|v| v.as_s().ok())
        .map(String::as_str)
}

impl Intercept for Faults {
    fn name(&self) -> &'static str {
        "Faults"
    }

    // The decision needs the typed input, which only exists before serialization.
    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(input) = context.input().downcast_ref::<TransactWriteItemsInput>() else {
            return Ok(());
        };
        let mut p = self.plan.lock().unwrap();
        if !p.armed || p.remaining == Some(0) {
            return Ok(());
        }
        let hit = match &p.user {
            None => true,
            Some(user) => users_of(input).any(|u| u == user),
        };
        if hit {
            if let Some(n) = p.remaining.as_mut() {
                *n -= 1;
            }
            p.injected += 1;
            cfg.interceptor_state().store_put(Doomed);
        }
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match cfg.load::<Doomed>() {
            Some(_) => Err("injected failure: connection reset before sending".into()),
            None => Ok(()),
        }
    }
}
