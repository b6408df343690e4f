//! The calorie tracker's activities. The user is always the caller: every read and write is
//! keyed by the identity's user id, and an argument naming another user is refused
//! (`authz::require_self`).

use std::sync::Arc;

use serde::Deserialize;

use super::connection;
use crate::config::App;
use crate::domain::activity::{
    apply_update, check_type, new_activity, Category, CreateActivityInput, UpdateActivityInput,
};
use crate::domain::authz::{may_subscribe, require_self, require_user};
use crate::domain::caller::Caller;
use crate::domain::{page_limit, time};
use crate::error::{AppError, AppResult};
use crate::output::{ActivityOut, CategoryOut, Connection};
use crate::store::{activities, categories};

/// Every category, from the container's memory when it read them within a minute
/// (`cache::CATEGORIES_TTL_MS`): they live in one partition key, and reading them on every
/// call would send every user's `createActivity` through it.
async fn all_categories(app: &App) -> AppResult<Arc<Vec<Category>>> {
    if let Some(known) = app.cache.categories() {
        return Ok(known);
    }
    let known = Arc::new(categories::list(&app.db).await?);
    app.cache.keep_categories(known.clone());
    Ok(known)
}

async fn check_category(app: &App, category: &str, activity_type: &str) -> AppResult<()> {
    let known = all_categories(app).await?;
    match known.iter().find(|c| c.category == category) {
        Some(c) => check_type(c, activity_type),
        None => {
            let names: Vec<&str> = known.iter().map(|c| c.category.as_str()).collect();
            Err(AppError::validation(format!(
                "category {category:?} does not exist; allowed: {}",
                names.join(", ")
            )))
        }
    }
}

pub async fn create(
    app: &App,
    caller: &Caller,
    input: CreateActivityInput,
) -> AppResult<ActivityOut> {
    let user = require_user(caller)?;
    let activity = new_activity(input, user, uuid::Uuid::new_v4().to_string(), &time::now())?;
    check_category(app, &activity.category, &activity.activity_type).await?;
    activities::create(&app.db, &activity).await?;
    Ok(activity)
}

pub async fn update(
    app: &App,
    caller: &Caller,
    input: UpdateActivityInput,
) -> AppResult<ActivityOut> {
    let user = require_user(caller)?;
    let current = activities::get(&app.db, user, &input.id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("you have no activity {:?}", input.id)))?;
    let next = apply_update(&current, &input)?;
    if next == current {
        return Ok(current);
    }
    if (&next.category, &next.activity_type) != (&current.category, &current.activity_type) {
        check_category(app, &next.category, &next.activity_type).await?;
    }
    activities::replace(&app.db, &current, &next).await
}

pub async fn delete(app: &App, caller: &Caller, id: &str) -> AppResult<ActivityOut> {
    let user = require_user(caller)?;
    activities::delete(&app.db, user, id).await
}

pub async fn get(app: &App, caller: &Caller, id: &str) -> AppResult<Option<ActivityOut>> {
    let user = require_user(caller)?;
    activities::get(&app.db, user, id).await
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

pub async fn list(
    app: &App,
    caller: &Caller,
    args: ListActivitiesArgs,
) -> AppResult<Connection<ActivityOut>> {
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
    let page = activities::list(&app.db, user, &from, &to, page_limit(args.limit)?, start).await?;
    connection(app, &context, page, Ok)
}

pub async fn list_categories(app: &App) -> AppResult<Vec<CategoryOut>> {
    Ok(all_categories(app)
        .await?
        .iter()
        .cloned()
        .map(CategoryOut::from)
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SubscribeArgs {
    pub userid: Option<String>,
}

/// Runs when a client subscribes: allowed (null) or refused (an error).
pub fn subscribe(caller: &Caller, args: SubscribeArgs) -> AppResult<()> {
    may_subscribe(caller, args.userid.as_deref())
}
