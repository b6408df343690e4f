//! A user's own profile and daily aggregates.

use chrono::Duration;
use serde::Deserialize;
use serde_json::{json, Value};

use super::activities::require_self;
use super::connection;
use crate::appsync::Caller;
use crate::config::App;
use crate::domain::activity::{parse_date, Profile, UpdateUserInput};
use crate::domain::page_limit;
use crate::error::{AppError, AppResult};
use crate::store::{aggregates, profiles};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserArgs {
    pub id: Option<String>,
}

pub async fn get(app: &App, caller: &Caller, args: UserArgs) -> AppResult<Value> {
    let user = require_self(caller, args.id.as_deref())?;
    Ok(profiles::get(app, user)
        .await?
        .as_ref()
        .map(Profile::to_graphql)
        .unwrap_or(Value::Null))
}

pub async fn update(app: &App, caller: &Caller, input: UpdateUserInput) -> AppResult<Value> {
    let user = require_self(caller, None)?;
    let input = input.validated()?;
    Ok(profiles::update(app, user, &input).await?.to_graphql())
}

#[derive(Debug, Clone, Deserialize)]
pub struct AggregateArgs {
    pub date: String,
    pub userid: Option<String>,
}

fn aggregate_json(userid: &str, date: &str, consumed: i64, burned: i64) -> Value {
    json!({ "userid": userid, "date": date, "caloriesConsumed": consumed, "caloriesBurned": burned })
}

/// A day without activities has zero totals, not "no answer".
pub async fn get_aggregate(app: &App, caller: &Caller, args: AggregateArgs) -> AppResult<Value> {
    let user = require_self(caller, args.userid.as_deref())?;
    let date = parse_date("date", &args.date)?.to_string();
    Ok(match aggregates::get(app, user, &date).await? {
        Some(a) => aggregate_json(user, &date, a.calories_consumed, a.calories_burned),
        None => aggregate_json(user, &date, 0, 0),
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregatesArgs {
    pub from: String,
    pub to: String,
    pub userid: Option<String>,
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

/// Longest range one list covers; pages keep each answer small anyway.
const MAX_RANGE_DAYS: i64 = 366;

/// The days in the range that have (or had) activities, oldest first.
pub async fn list_aggregates(app: &App, caller: &Caller, args: AggregatesArgs) -> AppResult<Value> {
    let user = require_self(caller, args.userid.as_deref())?;
    let (from, to) = (parse_date("from", &args.from)?, parse_date("to", &args.to)?);
    if from > to {
        return Err(AppError::validation("from must not be after to"));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(AppError::validation(format!(
            "a range covers at most {MAX_RANGE_DAYS} days; ask for a shorter one"
        )));
    }
    let context = format!("listUserAggregates|{user}|{from}|{to}");
    let start = app.tokens.open_opt(&context, args.next_token.as_deref())?;
    let (items, last) = aggregates::list(
        app,
        user,
        &from.to_string(),
        &to.to_string(),
        page_limit(args.limit)?,
        start,
    )
    .await?;
    let items = items
        .iter()
        .map(|a| aggregate_json(user, &a.date, a.calories_consumed, a.calories_burned))
        .collect();
    connection(app, &context, items, last)
}
