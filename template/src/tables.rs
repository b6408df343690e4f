//! Creates the DynamoDB tables exactly as `template.yaml` declares them, on a local DynamoDB
//! (DynamoDB Local), so tests and the local stack can never drift from what is deployed.

use std::collections::BTreeMap;
use std::path::Path;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType, StreamSpecification,
    StreamViewType,
};

use crate::{KeyElement, SecondaryIndex, Table, Template};

/// An SDK configuration for a local endpoint (DynamoDB Local, moto) with throw-away credentials: the one place
/// the tests, the tools and the local stack build it.
pub async fn sdk_config_at(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "local"))
        .endpoint_url(endpoint)
        .load()
        .await
}

/// One `AWS::DynamoDB::Table` resource of the template.
pub type TableDef = Table;

/// Every table resource declared in the template at `path`.
pub fn table_defs(path: &Path) -> Vec<TableDef> {
    Template::read(path)
        .unwrap_or_else(|e| panic!("{e}"))
        .tables
}

fn key_schema(keys: &[KeyElement]) -> Vec<KeySchemaElement> {
    keys.iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute_name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .expect("key schema element")
        })
        .collect()
}

fn projection(index: &SecondaryIndex) -> Projection {
    let p = &index.projection;
    Projection::builder()
        .set_projection_type(p.projection_type.as_deref().map(ProjectionType::from))
        .set_non_key_attributes(
            (!p.non_key_attributes.is_empty()).then(|| p.non_key_attributes.clone()),
        )
        .build()
}

/// Creates every table of the repository's template as `{prefix}-{LogicalId}` and returns
/// env var -> table name, ready to hand to the functions' configuration.
pub async fn create_tables(
    client: &aws_sdk_dynamodb::Client,
    prefix: &str,
) -> BTreeMap<String, String> {
    create_tables_of(client, Template::repository(), prefix).await
}

/// [`create_tables`] for any template.
pub async fn create_tables_of(
    client: &aws_sdk_dynamodb::Client,
    template: &Template,
    prefix: &str,
) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for def in &template.tables {
        let name = format!("{prefix}-{}", def.id);
        let p = &def.properties;
        // On-demand whatever the template says: DynamoDB Local does not throttle, and provisioned
        // figures would mean nothing locally.
        let mut req = client
            .create_table()
            .table_name(&name)
            .billing_mode(BillingMode::PayPerRequest)
            .set_key_schema(Some(key_schema(&p.key_schema)));
        for a in &p.attribute_definitions {
            req = req.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(&a.attribute_name)
                    .attribute_type(ScalarAttributeType::from(a.attribute_type.as_str()))
                    .build()
                    .expect("attribute definition"),
            );
        }
        for g in &p.global_secondary_indexes {
            req = req.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(&g.index_name)
                    .set_key_schema(Some(key_schema(&g.key_schema)))
                    .projection(projection(g))
                    .build()
                    .expect("gsi"),
            );
        }
        for l in &p.local_secondary_indexes {
            req = req.local_secondary_indexes(
                LocalSecondaryIndex::builder()
                    .index_name(&l.index_name)
                    .set_key_schema(Some(key_schema(&l.key_schema)))
                    .projection(projection(l))
                    .build()
                    .expect("lsi"),
            );
        }
        if let Some(s) = &p.stream_specification {
            req = req.stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::from(s.stream_view_type.as_str()))
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
    use crate::template_path;

    #[test]
    fn template_declares_the_tables_the_code_uses() {
        let ids: Vec<String> = table_defs(&template_path())
            .into_iter()
            .map(|d| d.id)
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
