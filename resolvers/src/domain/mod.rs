//! Plain rules over plain types: the entities as stored, validation, time handling, who may
//! do what (`authz`), and the writes each change plans (`plan`). No I/O here.

pub mod activity;
pub mod authz;
pub mod booking;
pub mod caller;
pub mod event;
pub mod plan;
pub mod profile;
pub mod room;
#[cfg(test)]
pub(crate) mod sample;
pub mod ticket;
pub mod time;

/// Bounds on free text, so no request can grow an item towards the 400 KB limit.
pub const MAX_NAME_LEN: usize = 200;
pub const MAX_DESCRIPTION_LEN: usize = 4000;
pub const MAX_FILE_NAME_LEN: usize = 255;
pub const MAX_ID_LEN: usize = 128;

use crate::error::{AppError, AppResult};

/// A required string: trimmed, non-empty, at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::validation(format!("{field} must not be empty")));
    }
    bounded(field, v, max)
}

/// An optional string: at most `max` characters; blank means absent.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v, max).map(Some),
    }
}

fn bounded(field: &str, v: &str, max: usize) -> AppResult<String> {
    let len = v.chars().count();
    if len > max {
        return Err(AppError::validation(format!(
            "{field} is {len} characters long; at most {max} are allowed"
        )));
    }
    Ok(v.to_string())
}

/// An id a client chooses (or sends back): bounded text without '#', which joins keys.
pub fn validate_id(field: &str, id: &str) -> AppResult<String> {
    let id = required_text(field, id, MAX_ID_LEN)?;
    if id.contains('#') {
        return Err(AppError::validation(format!(
            "{field} must not contain '#'"
        )));
    }
    Ok(id)
}

/// Page size: 1..=100, 20 when absent.
pub fn page_limit(limit: Option<i32>) -> AppResult<i32> {
    match limit {
        None => Ok(20),
        Some(n) if (1..=100).contains(&n) => Ok(n),
        Some(n) => Err(AppError::validation(format!(
            "limit {n} is out of range; use 1 to 100"
        ))),
    }
}
