//! A user's own profile and daily aggregates.

use chrono::Duration;
use serde::Deserialize;

use super::connection;
use crate::config::App;
use crate::domain::authz::require_self;
use crate::domain::caller::Caller;
use crate::domain::profile::{Aggregate, UpdateUserInput, MAX_RANGE_DAYS};
use crate::domain::{page_limit, time};
use crate::error::{AppError, AppResult};
use crate::output::{AggregateOut, Connection, ProfileOut};
use crate::store::{aggregates, profiles};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserArgs {
    pub id: Option<String>,
}

pub async fn get(app: &App, caller: &Caller, args: UserArgs) -> AppResult<Option<ProfileOut>> {
    let user = require_self(caller, args.id.as_deref())?;
    Ok(profiles::get(&app.db, user).await?.map(ProfileOut::from))
}

pub async fn update(app: &App, caller: &Caller, input: UpdateUserInput) -> AppResult<ProfileOut> {
    let user = require_self(caller, None)?;
    let input = input.validated()?;
    Ok(profiles::update(&app.db, user, &input).await?.into())
}

#[derive(Debug, Clone, Deserialize)]
pub struct AggregateArgs {
    pub date: String,
    pub userid: Option<String>,
}

/// A day without activities has zero totals, not "no answer".
pub async fn get_aggregate(
    app: &App,
    caller: &Caller,
    args: AggregateArgs,
) -> AppResult<AggregateOut> {
    let user = require_self(caller, args.userid.as_deref())?;
    let date = time::parse_date("date", &args.date)?.to_string();
    Ok(aggregates::get(&app.db, user, &date)
        .await?
        .unwrap_or_else(|| Aggregate::zero(user, &date)))
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

/// The days in the range that have (or had) activities, oldest first.
pub async fn list_aggregates(
    app: &App,
    caller: &Caller,
    args: AggregatesArgs,
) -> AppResult<Connection<AggregateOut>> {
    let user = require_self(caller, args.userid.as_deref())?;
    let (from, to) = (
        time::parse_date("from", &args.from)?,
        time::parse_date("to", &args.to)?,
    );
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
    let page = aggregates::list(
        &app.db,
        user,
        &from.to_string(),
        &to.to_string(),
        page_limit(args.limit)?,
        start,
    )
    .await?;
    connection(app, &context, page, Ok)
}
