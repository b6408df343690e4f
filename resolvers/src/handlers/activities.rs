//! The calorie tracker's activities. The user is always the caller: every read and write is
//! keyed by the identity's user id, and an argument naming another user is refused.

use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;

use super::connection;
use crate::appsync::Caller;
use crate::config::App;
use crate::domain::activity::{
    activity_to_graphql, apply_update, check_type, new_activity, CreateActivityInput,
    UpdateActivityInput,
};
use crate::domain::authz::require_user;
use crate::domain::{page_limit, time};
use crate::error::{AppError, AppResult};
use crate::store::{activities, categories};

/// Seed 001's client may name the user it means; it must be the caller.
pub fn require_self<'a>(caller: &'a Caller, named: Option<&str>) -> AppResult<&'a str> {
    let user = require_user(caller)?;
    match named {
        Some(other) if other != user => Err(AppError::Unauthorized(
            "you may only read and change your own activities, profile and aggregates".into(),
        )),
        _ => Ok(user),
    }
}

async fn check_category(app: &App, category: &str, activity_type: &str) -> AppResult<()> {
    match categories::get(app, category).await? {
        Some(c) => check_type(&c, activity_type),
        None => {
            let known: Vec<String> = categories::list(app)
                .await?
                .into_iter()
                .map(|c| c.category)
                .collect();
            Err(AppError::validation(format!(
                "category {category:?} does not exist; allowed: {}",
                known.join(", ")
            )))
        }
    }
}

pub async fn create(app: &App, caller: &Caller, input: CreateActivityInput) -> AppResult<Value> {
    let user = require_user(caller)?;
    let now = time::format(Utc::now());
    let activity = new_activity(input, user, uuid::Uuid::new_v4().to_string(), &now)?;
    check_category(app, &activity.category, &activity.activity_type).await?;
    activities::create(app, &activity).await?;
    Ok(activity_to_graphql(&activity))
}

pub async fn update(app: &App, caller: &Caller, input: UpdateActivityInput) -> AppResult<Value> {
    let user = require_user(caller)?;
    let current = activities::get(app, user, &input.id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("you have no activity {:?}", input.id)))?;
    let next = apply_update(&current, &input)?;
    if next == current {
        return Ok(activity_to_graphql(&current));
    }
    if (&next.category, &next.activity_type) != (&current.category, &current.activity_type) {
        check_category(app, &next.category, &next.activity_type).await?;
    }
    Ok(activity_to_graphql(
        &activities::replace(app, &current, &next).await?,
    ))
}

pub async fn delete(app: &App, caller: &Caller, id: &str) -> AppResult<Value> {
    let user = require_user(caller)?;
    Ok(activity_to_graphql(
        &activities::delete(app, user, id).await?,
    ))
}

pub async fn get(app: &App, caller: &Caller, id: &str) -> AppResult<Value> {
    let user = require_user(caller)?;
    Ok(activities::get(app, user, id)
        .await?
        .as_ref()
        .map(activity_to_graphql)
        .unwrap_or(Value::Null))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListActivitiesArgs {
    pub userid: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

pub async fn list(app: &App, caller: &Caller, args: ListActivitiesArgs) -> AppResult<Value> {
    let user = require_self(caller, args.userid.as_deref())?;
    // Keys may not be empty strings: "0" sorts before and "~" after every timestamp.
    let from = match &args.from {
        Some(f) => time::format(time::parse("from", f)?),
        None => "0".into(),
    };
    let to = match &args.to {
        Some(t) => time::format(time::parse("to", t)?),
        None => "~".into(),
    };
    if from > to {
        return Err(AppError::validation("from must not be after to"));
    }
    let context = format!("listActivities|{user}|{from}|{to}");
    let start = app.tokens.open_opt(&context, args.next_token.as_deref())?;
    let (items, last) =
        activities::list(app, user, &from, &to, page_limit(args.limit)?, start).await?;
    connection(
        app,
        &context,
        items.iter().map(activity_to_graphql).collect(),
        last,
    )
}

pub async fn list_categories(app: &App) -> AppResult<Value> {
    Ok(Value::Array(
        categories::list(app)
            .await?
            .iter()
            .map(|c| c.to_graphql())
            .collect(),
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SubscribeArgs {
    pub userid: Option<String>,
}

/// A subscription to activity changes is allowed only on one's own user id: AppSync then
/// delivers only mutations whose result carries that `userid`.
pub fn subscribe(caller: &Caller, args: SubscribeArgs) -> AppResult<Value> {
    let user = require_user(caller)?;
    match args.userid.as_deref() {
        Some(u) if u == user => Ok(Value::Null),
        Some(_) => Err(AppError::Unauthorized(
            "you may only subscribe to your own activity changes".into(),
        )),
        None => Err(AppError::validation(
            "userid is required: subscribe with your own user id",
        )),
    }
}
