//! The tests' reader of a table's real stream (DynamoDB Local's), through the same
//! [`ShardReader`] the local stack's poller uses, so tests feed the handler exactly what Lambda
//! would.

use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use serde_json::{json, Value};
pub use stack_template::stream::{lambda_record, shards, ShardReader};

/// The tests' reader of a table's stream: every record since the last call, in stream order,
/// following each shard into the one that continues it.
pub struct StreamTail {
    client: aws_sdk_dynamodbstreams::Client,
    stream_arn: String,
    shard: ShardReader,
}

impl StreamTail {
    /// Opens the table's stream at its first record.
    pub async fn open(
        ddb: &aws_sdk_dynamodb::Client,
        client: aws_sdk_dynamodbstreams::Client,
        table: &str,
    ) -> Self {
        let table_desc = ddb
            .describe_table()
            .table_name(table)
            .send()
            .await
            .expect("DescribeTable");
        let stream_arn = table_desc
            .table()
            .and_then(|t| t.latest_stream_arn())
            .unwrap_or_else(|| panic!("{table} has no stream"))
            .to_string();
        let listed = shards(&client, &stream_arn).await.expect("DescribeStream");
        // The oldest shard: the one whose parent is not (or no longer) listed.
        let (id, parent) = listed
            .iter()
            .find(|(_, parent)| {
                parent
                    .as_ref()
                    .is_none_or(|p| !listed.iter().any(|(id, _)| id == p))
            })
            .cloned()
            .unwrap_or_else(|| panic!("{table}'s stream has no shard"));
        Self {
            client,
            stream_arn,
            shard: ShardReader::new(id, parent, ShardIteratorType::TrimHorizon, None),
        }
    }

    /// Every record written since the last call, as Lambda event records, in stream order.
    pub async fn read(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let page = self
                .shard
                .read(&self.client, &self.stream_arn, 1000)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            out.extend(
                page.iter()
                    .map(|r| lambda_record(r, &self.stream_arn, "us-east-1")),
            );
            if self.shard.closed {
                let listed = shards(&self.client, &self.stream_arn)
                    .await
                    .expect("DescribeStream");
                let Some((child, _)) = listed
                    .into_iter()
                    .find(|(_, parent)| parent.as_deref() == Some(self.shard.shard_id.as_str()))
                else {
                    return out;
                };
                let parent = Some(self.shard.shard_id.clone());
                self.shard = ShardReader::new(child, parent, ShardIteratorType::TrimHorizon, None);
            } else if page.is_empty() {
                return out;
            }
        }
    }
}

pub fn lambda_event(records: &[Value]) -> Value {
    json!({ "Records": records })
}

/// A record's sequence number.
pub fn seq_of(record: &Value) -> &str {
    record["dynamodb"]["SequenceNumber"]
        .as_str()
        .expect("SequenceNumber")
}

/// The user a record's keys name.
pub fn user_of(record: &Value) -> &str {
    record["dynamodb"]["Keys"]["userid"]["S"]
        .as_str()
        .expect("userid key")
}
