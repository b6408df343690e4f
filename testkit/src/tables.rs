//! Creates the DynamoDB tables exactly as `template.yaml` declares them, so tests and the
//! local stack can never drift from what is deployed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType, StreamSpecification,
    StreamViewType,
};
use serde_yaml_ng::Value;

/// One `AWS::DynamoDB::Table` resource of the template.
#[derive(Debug, Clone)]
pub struct TableDef {
    pub logical_id: String,
    properties: Value,
}

impl TableDef {
    /// The environment variable the functions read this table's name from
    /// (`EventsTable` -> `EVENTS_TABLE`).
    pub fn env_var(&self) -> String {
        env_var_for(&self.logical_id)
    }
}

pub fn env_var_for(logical_id: &str) -> String {
    let mut out = String::new();
    for (i, c) in logical_id.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The repository's `template.yaml`, found from this crate's manifest directory.
pub fn template_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml")
}

/// Every table resource declared in the template.
pub fn table_defs(template: &Path) -> Vec<TableDef> {
    let text = std::fs::read_to_string(template)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", template.display()));
    let doc: Value = serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not YAML: {e}", template.display()));
    let resources = doc
        .get("Resources")
        .and_then(Value::as_mapping)
        .expect("template has Resources");
    resources
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some("AWS::DynamoDB::Table"))
        .map(|(id, r)| TableDef {
            logical_id: id.as_str().expect("logical id is a string").to_string(),
            properties: r.get("Properties").cloned().expect("table has Properties"),
        })
        .collect()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing {key} in {v:?}"))
}

fn key_schema(v: &Value) -> Vec<KeySchemaElement> {
    v.get("KeySchema")
        .and_then(Value::as_sequence)
        .expect("KeySchema")
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(str_of(k, "AttributeName"))
                .key_type(KeyType::from(str_of(k, "KeyType")))
                .build()
                .expect("key schema element")
        })
        .collect()
}

fn projection(v: &Value) -> Projection {
    let p = v.get("Projection").expect("Projection");
    let mut b =
        Projection::builder().projection_type(ProjectionType::from(str_of(p, "ProjectionType")));
    if let Some(attrs) = p.get("NonKeyAttributes").and_then(Value::as_sequence) {
        for a in attrs {
            b = b.non_key_attributes(a.as_str().expect("attribute name"));
        }
    }
    b.build()
}

/// Creates every table of the template as `{prefix}-{LogicalId}` and returns
/// env var -> table name, ready to hand to the functions' configuration.
pub async fn create_tables(
    client: &aws_sdk_dynamodb::Client,
    prefix: &str,
) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for def in table_defs(&template_path()) {
        let name = format!("{prefix}-{}", def.logical_id);
        let p = &def.properties;
        let mut req = client
            .create_table()
            .table_name(&name)
            .billing_mode(BillingMode::PayPerRequest)
            .set_key_schema(Some(key_schema(p)));
        for a in p
            .get("AttributeDefinitions")
            .and_then(Value::as_sequence)
            .expect("attributes")
        {
            req = req.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(str_of(a, "AttributeName"))
                    .attribute_type(ScalarAttributeType::from(str_of(a, "AttributeType")))
                    .build()
                    .expect("attribute definition"),
            );
        }
        for g in p
            .get("GlobalSecondaryIndexes")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            req = req.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(str_of(g, "IndexName"))
                    .set_key_schema(Some(key_schema(g)))
                    .projection(projection(g))
                    .build()
                    .expect("gsi"),
            );
        }
        for l in p
            .get("LocalSecondaryIndexes")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            req = req.local_secondary_indexes(
                LocalSecondaryIndex::builder()
                    .index_name(str_of(l, "IndexName"))
                    .set_key_schema(Some(key_schema(l)))
                    .projection(projection(l))
                    .build()
                    .expect("lsi"),
            );
        }
        if let Some(s) = p.get("StreamSpecification") {
            req = req.stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::from(str_of(s, "StreamViewType")))
                    .build()
                    .expect("stream spec"),
            );
        }
        req.send()
            .await
            .unwrap_or_else(|e| panic!("create table {name}: {:?}", e));
        names.insert(def.env_var(), name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_var_names_follow_logical_ids() {
        assert_eq!(env_var_for("EventsTable"), "EVENTS_TABLE");
        assert_eq!(env_var_for("RoomBookingsTable"), "ROOM_BOOKINGS_TABLE");
    }

    #[test]
    fn template_declares_the_tables_the_code_uses() {
        let ids: Vec<String> = table_defs(&template_path())
            .into_iter()
            .map(|d| d.logical_id)
            .collect();
        for want in [
            "RoomsTable",
            "EventsTable",
            "TicketsTable",
            "RoomBookingsTable",
            "ActivitiesTable",
        ] {
            assert!(ids.iter().any(|i| i == want), "{want} missing from {ids:?}");
        }
    }
}
