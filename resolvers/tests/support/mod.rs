//! Shared set-up for the integration tests: fresh tables on DynamoDB Local, an `App` over them
//! with a request counter, identities, and a way to call the handler like AppSync.
#![allow(dead_code)]

use resolvers::{handle, App, AppError};
use serde_json::{json, Value};
use testkit::RequestCounter;

pub const SECRET: &str = "integration-test-page-token-secret-0123456789";

pub struct Env {
    pub app: App,
    pub counter: RequestCounter,
}

/// Empty tables of their own for one test.
pub async fn empty() -> Env {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn,resolvers=info")
        .try_init();
    let counter = RequestCounter::new();
    let db = testkit::client(Some(&counter)).await;
    let tables = testkit::create_tables(&db, &testkit::unique_prefix()).await;
    counter.reset();
    Env {
        app: devtools::app(db, &tables, SECRET),
        counter,
    }
}

/// Tables holding seed 000's rooms and events (days -2..+2 around now).
pub async fn seeded() -> Env {
    let env = empty().await;
    let seed = devtools::seed::read(&devtools::seed::default_path());
    devtools::seed::load(&env.app, &seed, chrono::Utc::now())
        .await
        .expect("seed loads");
    devtools::seed::load_categories(&env.app, &devtools::seed::categories_path())
        .await
        .expect("categories load");
    env.counter.reset();
    env
}

pub fn user(sub: &str) -> Value {
    devtools::cognito_identity(sub, &format!("{sub}-name"), &[])
}

pub fn admin() -> Value {
    devtools::cognito_identity("user-admin", "admin", &["Admin"])
}

pub fn anonymous() -> Value {
    Value::Null
}

impl Env {
    pub async fn call(
        &self,
        parent: &str,
        field: &str,
        args: Value,
        identity: Value,
    ) -> Result<Value, AppError> {
        handle(
            &self.app,
            devtools::appsync_event(parent, field, args, identity, Value::Null),
        )
        .await
    }

    pub async fn query(
        &self,
        field: &str,
        args: Value,
        identity: Value,
    ) -> Result<Value, AppError> {
        self.call("Query", field, args, identity).await
    }

    pub async fn mutate(
        &self,
        field: &str,
        args: Value,
        identity: Value,
    ) -> Result<Value, AppError> {
        self.call("Mutation", field, args, identity).await
    }

    pub async fn nested(
        &self,
        parent: &str,
        field: &str,
        source: Value,
        identity: Value,
    ) -> Result<Value, AppError> {
        handle(
            &self.app,
            devtools::appsync_event(parent, field, json!({}), identity, source),
        )
        .await
    }

    pub async fn create_room(&self, id: &str, capacity: i64) -> Value {
        self.mutate(
            "createRoom",
            json!({ "input": { "id": id, "name": format!("Room {id}"), "capacity": capacity } }),
            admin(),
        )
        .await
        .expect("room created")
    }

    /// An event in `room` from `start` for `minutes`, organised by `owner`.
    pub async fn create_event(
        &self,
        owner: &str,
        id: &str,
        room: &str,
        start: &str,
        minutes: i64,
        tickets: i64,
    ) -> Result<Value, AppError> {
        let s = chrono::DateTime::parse_from_rfc3339(start).unwrap();
        let end = s + chrono::Duration::minutes(minutes);
        let input = json!({
            "id": id, "name": format!("Event {id}"), "room_id": room,
            "event_datetime_start": start, "event_datetime_end": end.to_rfc3339(),
            "total_tickets": tickets,
        });
        self.mutate("createEvent", json!({ "input": input }), user(owner))
            .await
    }

    pub async fn event(&self, id: &str) -> Value {
        self.query("getEvent", json!({ "id": id }), admin())
            .await
            .expect("getEvent")
    }

    /// Everything a query returns, following nextToken to the end.
    pub async fn all_pages(
        &self,
        field: &str,
        mut args: Value,
        identity: Value,
    ) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut pages = 0;
        loop {
            let page = self
                .query(field, args.clone(), identity.clone())
                .await
                .expect("page");
            pages += 1;
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["nextToken"].as_str() {
                Some(t) => args["nextToken"] = json!(t),
                None => return (items, pages),
            }
            assert!(pages < 1000, "paging does not end");
        }
    }
}

pub fn error_type(r: Result<Value, AppError>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e.error_type().to_string(),
    }
}

/// A start time `days` from now at `hour`:00 UTC, as RFC 3339.
pub fn at(days: i64, hour: u32) -> String {
    let d = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    d.and_hms_opt(hour, 0, 0).unwrap().and_utc().to_rfc3339()
}
