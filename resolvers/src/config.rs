//! What the handler needs, built once and shared by every invocation: the store's `Db`
//! (one DynamoDB client and the table names), the page-token key and the container's
//! `Cache`. [`App::from_lookup`] is
//! the one way to build it: `main` (process environment), `devtools::app` (tests, seed
//! loading) and the local stack (the template's environment) all call it.

use crate::cache::{Cache, Clock};
use crate::error::{AppError, AppResult};
use crate::paging::TokenKey;

/// The variable holding the secret that signs page tokens.
pub const PAGE_TOKEN_SECRET: &str = "PAGE_TOKEN_SECRET";
/// The variable holding how long (ms) a container keeps public list pages and event counts
/// (`cache`), and whether it keeps the listing's directory of months a minute; absent or 0:
/// none of these.
pub const READ_CACHE_TTL_MS: &str = "READ_CACHE_TTL_MS";

/// Table names, read from the environment the template sets.
#[derive(Debug, Clone)]
pub struct Tables {
    pub rooms: String,
    pub room_bookings: String,
    pub events: String,
    pub inventory: String,
    pub listing: String,
    pub tickets: String,
    pub activities: String,
    pub activity_categories: String,
    pub users: String,
    pub user_aggregates: String,
}

fn required(lookup: &impl Fn(&str) -> Option<String>, name: &str) -> AppResult<String> {
    lookup(name)
        .ok_or_else(|| AppError::internal(format!("environment variable {name} is not set")))
}

impl Tables {
    /// Reads every table name through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> AppResult<Self> {
        let get = |name: &str| required(&lookup, name);
        Ok(Self {
            rooms: get("ROOMS_TABLE")?,
            room_bookings: get("ROOM_BOOKINGS_TABLE")?,
            events: get("EVENTS_TABLE")?,
            inventory: get("INVENTORY_TABLE")?,
            listing: get("LISTING_TABLE")?,
            tickets: get("TICKETS_TABLE")?,
            activities: get("ACTIVITIES_TABLE")?,
            activity_categories: get("ACTIVITY_CATEGORIES_TABLE")?,
            users: get("USERS_TABLE")?,
            user_aggregates: get("USER_AGGREGATES_TABLE")?,
        })
    }
}

/// Everything configuration gives the handler, without the client: what the contract test
/// checks the template's environment against.
#[derive(Debug, Clone)]
pub struct Config {
    pub tables: Tables,
    pub tokens: TokenKey,
    pub read_cache_ttl_ms: u64,
}

impl Config {
    /// Table names, the page-token secret and the read cache's lifetime through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> AppResult<Self> {
        let secret = required(&lookup, PAGE_TOKEN_SECRET)?;
        let ttl = match lookup(READ_CACHE_TTL_MS) {
            None => 0,
            Some(v) => v.trim().parse().map_err(|_| {
                AppError::internal(format!(
                    "{READ_CACHE_TTL_MS} is {v:?}; it must be a whole number of milliseconds"
                ))
            })?,
        };
        Ok(Self {
            tables: Tables::from_lookup(&lookup)?,
            tokens: TokenKey::new(&secret)
                .map_err(|e| AppError::internal(format!("{PAGE_TOKEN_SECRET}: {e}")))?,
            read_cache_ttl_ms: ttl,
        })
    }
}

/// What the store works with: one client and the table names, nothing else.
#[derive(Debug, Clone)]
pub struct Db {
    pub client: aws_sdk_dynamodb::Client,
    pub tables: Tables,
}

/// Everything a handler touches.
#[derive(Debug, Clone)]
pub struct App {
    pub db: Db,
    pub tokens: TokenKey,
    /// This container's memory; clones of the `App` share it.
    pub cache: Cache,
}

impl App {
    /// The one constructor: the client built once by the caller, the rest through `lookup`
    /// (table names and `PAGE_TOKEN_SECRET`).
    pub fn from_lookup(
        client: aws_sdk_dynamodb::Client,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> AppResult<Self> {
        let Config {
            tables,
            tokens,
            read_cache_ttl_ms,
        } = Config::from_lookup(lookup)?;
        Ok(Self {
            db: Db { client, tables },
            tokens,
            cache: Cache::new(Clock::system(), read_cache_ttl_ms),
        })
    }

    /// Another container over the same client and tables: a cache of its own on `clock`
    /// (the capacity benchmark runs many in simulated time).
    pub fn container(&self, clock: Clock) -> Self {
        Self {
            cache: Cache::new(clock, self.cache.ttl_ms()),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_and_a_long_enough_secret_are_required() {
        let full = |k: &str| {
            (k != READ_CACHE_TTL_MS).then(|| format!("{k}-value-long-enough-for-a-page-token-key"))
        };
        assert!(Config::from_lookup(full).is_ok());
        let short_secret = |k: &str| match k {
            PAGE_TOKEN_SECRET => Some("short".to_string()),
            _ => full(k),
        };
        let err = Config::from_lookup(short_secret).unwrap_err();
        assert_eq!(err.error_type(), "Internal");
        for missing in [PAGE_TOKEN_SECRET, "EVENTS_TABLE"] {
            let without = |k: &str| (k != missing).then(|| full(k)).flatten();
            assert!(Config::from_lookup(without).is_err(), "{missing}");
        }
        let with_ttl = |ttl: &'static str| {
            move |k: &str| match k {
                READ_CACHE_TTL_MS => Some(ttl.to_string()),
                _ => full(k),
            }
        };
        assert_eq!(
            Config::from_lookup(with_ttl("1000"))
                .unwrap()
                .read_cache_ttl_ms,
            1000
        );
        assert!(Config::from_lookup(with_ttl("soon")).is_err());
    }
}
