//! A ticket: one item per (event, holder), so "one ticket per person per event" is a key.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub event_id: String,
    pub user_id: String,
    pub booked_at: String,
}
