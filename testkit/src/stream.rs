//! Reads a table's real stream from moto and turns its records into the JSON
//! Lambda's DynamoDB event source sends, so tests feed the handler exactly what Lambda would.

use std::collections::HashMap;

use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use serde_json::{json, Map, Value};

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

/// One stream record in the shape Lambda hands a function.
pub fn lambda_record(r: &Record, stream_arn: &str, region: &str) -> Value {
    let mut change = Map::new();
    if let Some(s) = r.dynamodb() {
        if let Some(t) = s.approximate_creation_date_time() {
            change.insert("ApproximateCreationDateTime".into(), json!(t.secs()));
        }
        for (name, image) in [
            ("Keys", s.keys()),
            ("NewImage", s.new_image()),
            ("OldImage", s.old_image()),
        ] {
            if let Some(image) = image {
                change.insert(name.into(), item_json(image));
            }
        }
        if let Some(seq) = s.sequence_number() {
            change.insert("SequenceNumber".into(), json!(seq));
        }
        change.insert("SizeBytes".into(), json!(s.size_bytes().unwrap_or(0)));
        if let Some(v) = s.stream_view_type() {
            change.insert("StreamViewType".into(), json!(v.as_str()));
        }
    }
    let mut record = json!({
        "eventID": r.event_id(),
        "eventName": r.event_name().map(|n| n.as_str()),
        "eventVersion": r.event_version().unwrap_or("1.1"),
        "eventSource": r.event_source().unwrap_or("aws:dynamodb"),
        "awsRegion": r.aws_region().unwrap_or(region),
        "dynamodb": Value::Object(change),
        "eventSourceARN": stream_arn,
    });
    if let Some(who) = r.user_identity() {
        record["userIdentity"] = json!({ "type": who.r#type(), "principalId": who.principal_id() });
    }
    record
}

fn item_json(item: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(
        item.iter()
            .map(|(k, v)| (k.clone(), value_json(v)))
            .collect(),
    )
}

fn value_json(v: &AttributeValue) -> Value {
    use aws_smithy_types::base64::encode;
    match v {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": encode(b.as_ref()) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(n) => json!({ "NULL": n }),
        AttributeValue::Ss(v) => json!({ "SS": v }),
        AttributeValue::Ns(v) => json!({ "NS": v }),
        AttributeValue::Bs(v) => {
            json!({ "BS": v.iter().map(|b| encode(b.as_ref())).collect::<Vec<_>>() })
        }
        AttributeValue::L(v) => json!({ "L": v.iter().map(value_json).collect::<Vec<_>>() }),
        AttributeValue::M(m) => json!({ "M": item_json(m) }),
        _ => Value::Null,
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
