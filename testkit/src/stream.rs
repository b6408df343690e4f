//! Reads a table's real stream from moto and turns its records into the JSON
//! Lambda's DynamoDB event source sends, so tests feed the handler exactly what Lambda would.

use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use serde_json::{json, Value};
pub use stack_template::stream::lambda_record;

/// A reader positioned after the last record it returned.
pub struct StreamTail {
    client: aws_sdk_dynamodbstreams::Client,
    stream_arn: String,
    iterator: String,
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
        let desc = client
            .describe_stream()
            .stream_arn(&stream_arn)
            .send()
            .await
            .expect("DescribeStream");
        let shards = desc
            .stream_description()
            .map(|d| d.shards())
            .unwrap_or_default();
        // moto keeps one shard per table; a real stream's several shards would each be a
        // separate sequence of batches, which these tests do not model.
        assert_eq!(shards.len(), 1, "expected one shard, got {shards:?}");
        let shard_id = shards[0].shard_id().expect("shard id").to_string();
        let iterator = client
            .get_shard_iterator()
            .stream_arn(&stream_arn)
            .shard_id(shard_id)
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .expect("GetShardIterator")
            .shard_iterator()
            .expect("iterator")
            .to_string();
        Self {
            client,
            stream_arn,
            iterator,
        }
    }

    /// Every record written since the last call, as Lambda event records, in stream order.
    pub async fn read(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let page = self
                .client
                .get_records()
                .shard_iterator(&self.iterator)
                .limit(1000)
                .send()
                .await
                .expect("GetRecords");
            if let Some(next) = page.next_shard_iterator() {
                self.iterator = next.to_string();
            }
            if page.records().is_empty() {
                return out;
            }
            out.extend(
                page.records()
                    .iter()
                    .map(|r| lambda_record(r, &self.stream_arn, "us-east-1")),
            );
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
