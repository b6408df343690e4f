//! What an operator sees of the resolvers besides their logs: business metrics (bookings,
//! sold-out refusals, conflicts, validation refusals) counted with the `metrics` facade and
//! written as CloudWatch EMF after each invocation (`startup::metrics`), and one tracing span
//! per operation carrying AppSync's request id, so every log line of a request names it.

use metrics::{counter, describe_counter, Unit};
use serde_json::Value;

use crate::error::AppError;

/// Tickets booked (`bookTicket`, or a `updateEvent` that adds the caller to `tickets`).
pub const BOOKINGS: &str = "Bookings";
/// Bookings refused because no ticket was left.
pub const SOLD_OUT: &str = "SoldOut";
/// Writes refused by a concurrent change or a taken slot (`Conflict`).
pub const CONFLICTS: &str = "Conflicts";
/// Requests refused as invalid input (`ValidationError`).
pub const VALIDATION_ERRORS: &str = "ValidationErrors";

/// Every metric above, for the dashboard's contract test.
pub const METRICS: &[&str] = &[BOOKINGS, SOLD_OUT, CONFLICTS, VALIDATION_ERRORS];

/// Gives each metric its unit (EMF carries it with the value). Call once, at start-up.
pub fn describe() {
    describe_counter!(BOOKINGS, Unit::Count, "tickets booked");
    describe_counter!(SOLD_OUT, Unit::Count, "bookings refused: sold out");
    describe_counter!(CONFLICTS, Unit::Count, "writes refused: conflict");
    describe_counter!(
        VALIDATION_ERRORS,
        Unit::Count,
        "requests refused: invalid input"
    );
}

/// A ticket was booked.
pub fn booked() {
    counter!(BOOKINGS).increment(1);
}

/// Counts an operation's error if it is one of the refusals we watch.
pub fn refused(e: &AppError) {
    let name = match e {
        AppError::SoldOut(_) => SOLD_OUT,
        AppError::Conflict(_) => CONFLICTS,
        AppError::Validation(_) => VALIDATION_ERRORS,
        _ => return,
    };
    counter!(name).increment(1);
}

/// The span of one invocation: the field it resolves and AppSync's request id (the
/// `x-amzn-requestid` header AppSync passes in `request.headers`; "-" when absent, as from
/// a hand-made event). A BatchInvoke is one span for all its items.
pub fn span(payload: &Value) -> tracing::Span {
    let (first, items) = match payload {
        Value::Array(items) => (items.first().unwrap_or(&Value::Null), items.len()),
        single => (single, 1),
    };
    let text = |v: &Value| v.as_str().unwrap_or("-").to_string();
    let info = &first["info"];
    tracing::info_span!(
        "operation",
        parent_type = %text(&info["parentTypeName"]),
        field = %text(&info["fieldName"]),
        items,
        appsync_request_id = %text(&first["request"]["headers"]["x-amzn-requestid"]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_span_names_the_field_and_the_request() {
        let event = serde_json::json!({
            "info": {"parentTypeName": "Mutation", "fieldName": "bookTicket"},
            "request": {"headers": {"x-amzn-requestid": "abc-123"}},
        });
        let span = span(&event);
        let meta = span
            .metadata()
            .expect("a span is built even without a subscriber");
        assert_eq!(meta.name(), "operation");
        let fields: Vec<&str> = meta.fields().iter().map(|f| f.name()).collect();
        assert_eq!(
            fields,
            ["parent_type", "field", "items", "appsync_request_id"]
        );
    }
}
