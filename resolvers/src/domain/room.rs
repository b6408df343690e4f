//! Rooms and their validation.

use serde::{Deserialize, Serialize};

use super::{required_text, validate_id, MAX_NAME_LEN};
use crate::error::{AppError, AppResult};

pub const ROOM_KIND: &str = "ROOM";
pub const MAX_CAPACITY: i64 = 100_000;

/// A room as stored and as returned (extra stored fields are not in the schema).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Room {
    pub id: String,
    /// Constant partition of the `byKind` index that lists rooms without a Scan.
    pub kind: String,
    pub name: String,
    pub capacity: i64,
    /// Bumped by every change that must not interleave with another on this room
    /// (bookings of its time, capacity changes): the optimistic lock.
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreateRoomInput {
    pub id: Option<String>,
    pub name: String,
    pub capacity: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UpdateRoomInput {
    pub id: String,
    pub name: Option<String>,
    pub capacity: Option<i64>,
}

pub fn validate_capacity(capacity: i64) -> AppResult<i64> {
    if (1..=MAX_CAPACITY).contains(&capacity) {
        Ok(capacity)
    } else {
        Err(AppError::validation(format!(
            "capacity {capacity} is out of range; use 1 to {MAX_CAPACITY}"
        )))
    }
}

impl CreateRoomInput {
    pub fn into_room(self, new_id: impl FnOnce() -> String) -> AppResult<Room> {
        Ok(Room {
            id: match self.id {
                Some(id) => validate_id("id", &id)?,
                None => new_id(),
            },
            kind: ROOM_KIND.into(),
            name: required_text("name", &self.name, MAX_NAME_LEN)?,
            capacity: validate_capacity(self.capacity)?,
            version: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_input_is_validated() {
        let ok = CreateRoomInput {
            id: Some("1".into()),
            name: " Hall ".into(),
            capacity: 100,
        };
        let room = ok.into_room(|| unreachable!()).unwrap();
        assert_eq!(
            (room.id.as_str(), room.name.as_str(), room.capacity),
            ("1", "Hall", 100)
        );
        for (name, capacity) in [("", 10), ("Hall", 0), ("Hall", MAX_CAPACITY + 1)] {
            let bad = CreateRoomInput {
                id: None,
                name: name.into(),
                capacity,
            };
            assert_eq!(
                bad.into_room(|| "x".into()).unwrap_err().error_type(),
                "ValidationError"
            );
        }
    }
}
