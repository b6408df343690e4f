//! `appsync_event`: AppSync's Direct Lambda payload (one event, or a BatchInvoke array)
//! through `resolvers::prepare`, the resolvers' parsing before any I/O: event shape, caller
//! from `identity`, typed operation from `(parentTypeName, fieldName, arguments)`.
//!
//! Properties: any JSON payload parses or is refused with BadRequest, Unauthorized or
//! ValidationError and a clean message (never Internal: nothing was read yet); a refused item
//! of a batch becomes its own `{data: null, errorType, errorMessage}` reply item; an accepted
//! caller is the identity's own user (`sub`), never one taken from the arguments.

use resolvers::appsync::{batch_item, Caller};
use resolvers::Prepared;
use serde_json::Value;

use crate::{assert_clean_message, text};

pub fn run(data: &[u8]) {
    let Some(payload) = text(data).and_then(|t| serde_json::from_str::<Value>(t).ok()) else {
        return; // Lambda hands the function JSON only.
    };
    match payload {
        Value::Array(items) => {
            for item in items {
                let reply = serde_json::to_value(batch_item(one(item, data).map(|_| Value::Null)))
                    .expect("a reply item serialises");
                let keys: Vec<&str> = reply
                    .as_object()
                    .expect("a reply item is an object")
                    .keys()
                    .map(String::as_str)
                    .collect();
                assert!(
                    keys.contains(&"data"),
                    "a BatchInvoke reply item has data: {reply}"
                );
                if let Some(t) = reply.get("errorType").filter(|t| !t.is_null()) {
                    assert!(t.is_string(), "{reply}");
                    assert!(reply["errorMessage"].is_string(), "{reply}");
                }
            }
        }
        single => {
            let _ = one(single, data);
        }
    }
}

/// One event: prepared, or refused cleanly.
fn one(event: Value, data: &[u8]) -> Result<(), resolvers::AppError> {
    let identity = event.get("identity").cloned().unwrap_or(Value::Null);
    match resolvers::prepare(event) {
        Ok(prepared) => {
            let caller = match &prepared {
                Prepared::One(item) => &item.caller,
                Prepared::Batch(batch) => batch.callers()[0],
            };
            if let Some(user) = caller.user_id() {
                // The verified identity names the user; nothing else may.
                assert_eq!(
                    Some(user),
                    identity.get("sub").and_then(Value::as_str),
                    "the caller's user id comes from the identity's sub"
                );
            }
            if matches!(caller, Caller::Anonymous) {
                assert!(identity.is_null(), "only a null identity is anonymous");
            }
            Ok(())
        }
        Err(e) => {
            let kind = e.error_type();
            assert!(
                matches!(kind, "BadRequest" | "Unauthorized" | "ValidationError"),
                "a payload is refused as {kind}: {e}"
            );
            assert_clean_message(kind, &e.to_string(), &String::from_utf8_lossy(data));
            Err(e)
        }
    }
}
