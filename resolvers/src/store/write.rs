//! Planned writes to requests: a `domain::plan::Plan` as one TransactWriteItems, each
//! `Write` built by the module of the table it changes, whose condition expression is the
//! write's named `Check` (each builder says which); a cancellation comes back as the writes
//! whose checks failed.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use model::retry::{self, CANCELLED_TRANSACTION};

use super::{bookings, events, inventory, listing, rooms, tickets};
use crate::config::{Db, Tables};
use crate::domain::plan::{Outcome, Plan, Write};
use crate::error::{AppError, AppResult};

impl Db {
    /// Runs a plan as one TransactWriteItems. A cancellation for a passing cause (a
    /// concurrent transaction on the same items: hundreds of people booking one event) is
    /// retried by `model::retry`'s policy; throttling, 5xx and network failures are the
    /// SDK's own retries. What is left is committed, refused by named checks, or a Conflict
    /// the client may retry.
    ///
    /// Every attempt, the SDK's and these, carries one `ClientRequestToken`: DynamoDB answers
    /// the repeat of a transaction that committed with success and applies nothing, so a
    /// transaction whose answer was lost is answered once, as committed. For the same reason
    /// a call the SDK gave up on (no answer, or a transient one) is sent again here.
    pub async fn transact(&self, plan: Plan) -> AppResult<Outcome> {
        let token = uuid::Uuid::new_v4().to_string();
        let items = plan
            .writes()
            .iter()
            .map(|w| transact_item(&self.tables, w))
            .collect::<AppResult<Vec<_>>>()?;
        let mut failures = 0;
        loop {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .client_request_token(&token)
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(Outcome::Committed),
                Err(err) => err,
            };
            // Some(true): cancelled for a passing cause; Some(false): no answer, or a
            // transient one the SDK stopped retrying; None: worth no other try.
            let retry = match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                    // DynamoDB reports one reason per item, in request order: the one place
                    // where a position means something, turned into the writes themselves.
                    let codes: Vec<Option<&str>> =
                        e.cancellation_reasons().iter().map(|r| r.code()).collect();
                    if codes.contains(&Some("ConditionalCheckFailed")) {
                        let refused = plan
                            .into_writes()
                            .into_iter()
                            .zip(codes)
                            .filter_map(|(w, c)| (c == Some("ConditionalCheckFailed")).then_some(w))
                            .collect();
                        return Ok(Outcome::Refused(refused));
                    }
                    retry::cancellation_may_pass(codes).then_some(true)
                }
                Some(e) => matches!(
                    e.code(),
                    Some(
                        "ThrottlingException"
                            | "InternalServerError"
                            | "RequestLimitExceeded"
                            | "TransactionInProgressException"
                    )
                )
                .then_some(false),
                None => Some(false),
            };
            let Some(cancelled) = retry else {
                return Err(err.into());
            };
            failures += 1;
            if !CANCELLED_TRANSACTION.allows_retry(failures) {
                if !cancelled {
                    return Err(err.into());
                }
                return Err(AppError::Conflict(
                    "too many people are changing this at the same moment; please retry".into(),
                ));
            }
            tokio::time::sleep(CANCELLED_TRANSACTION.delay(failures)).await;
        }
    }
}

pub fn transact_item(tables: &Tables, write: &Write) -> AppResult<TransactWriteItem> {
    match write {
        Write::PutEvent(event) => events::put_new(tables, event),
        Write::EditEvent { version, next } => events::edit(tables, *version, next),
        Write::DeleteEvent { id, version } => events::delete(tables, id, *version),
        Write::PutCounter(counter) => inventory::put_new(tables, counter),
        Write::TakeTickets(take) => inventory::take(tables, take),
        Write::DeleteCounter { event_id, shard } => inventory::delete(tables, event_id, *shard),
        Write::PutTicket(ticket) => tickets::put_new(tables, ticket),
        Write::DeleteTicket { event_id, user_id } => tickets::delete(tables, event_id, user_id),
        Write::PutBooking(booking) => bookings::put_new(tables, booking),
        Write::ReplaceBooking(booking) => bookings::replace(tables, booking),
        Write::DeleteBooking(booking) => bookings::delete(tables, booking),
        Write::LockRoom {
            room_id,
            version,
            tickets,
        } => rooms::lock(tables, room_id, *version, *tickets),
        Write::EditRoom { version, next } => rooms::edit(tables, *version, next),
        Write::DeleteRoom { id, version } => rooms::delete(tables, id, *version),
        Write::PutListing { event, replica } => listing::put_entry(tables, event, *replica),
        Write::DeleteListing { listed, replica } => listing::delete_entry(tables, listed, *replica),
        Write::PutDirectory { bucket, replica } => listing::put_directory(tables, bucket, *replica),
    }
}
