//! Faults on the aggregator's transactions, chosen by the user whose aggregates they update.
//! `testkit::faults` answers them at the HTTP layer, so nothing of a failed attempt reaches
//! DynamoDB Local, and the SDK retries exactly what it would retry against DynamoDB.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use testkit::faults::Fault;

#[derive(Debug, Clone, Default)]
pub struct Faults(pub testkit::Faults);

fn users_of(input: &TransactWriteItemsInput) -> impl Iterator<Item = &str> {
    input
        .transact_items()
        .iter()
        .filter_map(|i| i.update())
        .filter_map(|u| u.key().get("userid"))
        .filter_map(|v| v.as_s().ok())
        .map(String::as_str)
}

impl Faults {
    /// Cancels the transactions on `user`'s aggregates (or every one, with `None`) as a
    /// concurrent transaction would, which the SDK does not retry and the handler does:
    /// `times` attempts, or until `clear` when `None`.
    pub fn fail(&self, user: Option<&str>, times: Option<usize>) {
        self.inject(Fault::TransactionConflict, user, times);
    }

    /// Fails `times` attempts (or all until `clear`) of the transactions on `user`'s
    /// aggregates (any user's, with `None`) with `fault`.
    pub fn inject(&self, fault: Fault, user: Option<&str>, times: Option<usize>) {
        let user = user.map(str::to_owned);
        self.0.inject(fault, times, move |input| {
            input
                .downcast_ref::<TransactWriteItemsInput>()
                .is_some_and(|tx| match &user {
                    None => true,
                    Some(u) => users_of(tx).any(|x| x == u),
                })
        });
    }

    pub fn clear(&self) {
        self.0.clear();
    }

    /// Attempts failed so far.
    pub fn injected(&self) -> usize {
        self.0.injected()
    }
}
