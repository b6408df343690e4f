//! Loads the mock rooms and events (fixtures/seed/mussel.json) through the resolvers handler, as
//! an admin would, so seeded data obeys the same rules as everything else. Event days are
//! relative to today, as in the seed app: the data never goes stale.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use resolvers::{handle, App};
use serde::Deserialize;
use serde_json::json;

use crate::{appsync_event, cognito_identity};

#[derive(Debug, Deserialize)]
pub struct SeedFile {
    pub organiser: Organiser,
    pub rooms: Vec<serde_json::Value>,
    pub events: Vec<SeedEvent>,
}

#[derive(Debug, Deserialize)]
pub struct Organiser {
    pub sub: String,
    pub username: String,
    pub groups: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct SeedEvent {
    pub id: String,
    pub name: String,
    pub description: String,
    pub event_owner: String,
    pub room_id: String,
    pub image_file_name: String,
    pub day_offset: i64,
    pub start_hour_utc: u32,
    pub duration_hours: i64,
    pub total_tickets: i64,
}

pub fn default_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/seed/mussel.json")
}

pub fn read(path: &Path) -> SeedFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Creates the seed's rooms and events; returns how many of each.
pub async fn load(
    app: &App,
    seed: &SeedFile,
    today: DateTime<Utc>,
) -> Result<(usize, usize), String> {
    let groups: Vec<&str> = seed.organiser.groups.iter().map(String::as_str).collect();
    let who = cognito_identity(&seed.organiser.sub, &seed.organiser.username, &groups);
    let call = |field: &str, input: serde_json::Value| {
        appsync_event(
            "Mutation",
            field,
            json!({ "input": input }),
            who.clone(),
            serde_json::Value::Null,
        )
    };
    for room in &seed.rooms {
        handle(app, call("createRoom", room.clone()))
            .await
            .map_err(|e| format!("room {room}: {e}"))?;
    }
    let midnight = today.date_naive().and_time(NaiveTime::MIN).and_utc();
    for e in &seed.events {
        let start =
            midnight + Duration::days(e.day_offset) + Duration::hours(e.start_hour_utc.into());
        let end = start + Duration::hours(e.duration_hours);
        let input = json!({
            "id": e.id, "name": e.name, "description": e.description, "event_owner": e.event_owner,
            "room_id": e.room_id, "image_file_name": e.image_file_name,
            "event_datetime_start": start.to_rfc3339(), "event_datetime_end": end.to_rfc3339(),
            "event_duration": e.duration_hours * 60, "total_tickets": e.total_tickets,
        });
        handle(app, call("createEvent", input))
            .await
            .map_err(|err| format!("event {}: {err}", e.id))?;
    }
    Ok((seed.rooms.len(), seed.events.len()))
}

pub fn categories_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/seed/activity-categories.json")
}

#[derive(Debug, Deserialize)]
struct SeedCategory {
    category: String,
    #[serde(rename = "type")]
    types: Vec<String>,
}

/// The activity categories (fixtures/seed/activity-categories.json). No GraphQL operation writes categories: they are
/// reference data, put straight into the table.
pub async fn load_categories(app: &App, path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let seed: Vec<SeedCategory> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    for c in &seed {
        let item = resolvers::domain::activity::Category {
            pk: resolvers::domain::activity::CATEGORY_PK.to_string(),
            category: c.category.clone(),
            types: c.types.clone(),
        };
        app.db
            .client
            .put_item()
            .table_name(&app.db.tables.activity_categories)
            .set_item(Some(
                resolvers::store::to_item(&item).map_err(|e| e.to_string())?,
            ))
            .send()
            .await
            .map_err(|e| format!("category {}: {e:?}", c.category))?;
    }
    Ok(seed.len())
}
