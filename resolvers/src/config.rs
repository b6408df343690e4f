//! What the handler needs, built once in `main` and shared by every invocation.

use crate::error::AppError;
use crate::store::page::TokenKey;

/// Table names, read from the environment the template sets.
#[derive(Debug, Clone)]
pub struct Tables {
    pub rooms: String,
    pub room_bookings: String,
    pub events: String,
    pub tickets: String,
    pub activities: String,
    pub activity_categories: String,
    pub users: String,
    pub user_aggregates: String,
}

impl Tables {
    /// Reads every table name through `lookup` (the process environment in `main`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, AppError> {
        let get = |name: &str| {
            lookup(name).ok_or_else(|| {
                AppError::internal(format!("environment variable {name} is not set"))
            })
        };
        Ok(Self {
            rooms: get("ROOMS_TABLE")?,
            room_bookings: get("ROOM_BOOKINGS_TABLE")?,
            events: get("EVENTS_TABLE")?,
            tickets: get("TICKETS_TABLE")?,
            activities: get("ACTIVITIES_TABLE")?,
            activity_categories: get("ACTIVITY_CATEGORIES_TABLE")?,
            users: get("USERS_TABLE")?,
            user_aggregates: get("USER_AGGREGATES_TABLE")?,
        })
    }
}

/// Everything a handler touches: one DynamoDB client, the tables, the page-token key.
#[derive(Debug, Clone)]
pub struct App {
    pub db: aws_sdk_dynamodb::Client,
    pub tables: Tables,
    pub tokens: TokenKey,
}

impl App {
    pub fn new(db: aws_sdk_dynamodb::Client, tables: Tables, tokens: TokenKey) -> Self {
        Self { db, tables, tokens }
    }
}
