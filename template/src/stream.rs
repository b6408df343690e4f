//! A table's stream read as Lambda's DynamoDB event source mapping reads it (the template's
//! `AWS::Lambda::EventSourceMapping`), and its records in the shape the mapping hands a
//! function: what the local stack's mapping and the tests feed the aggregator.

use std::collections::HashMap;

use aws_sdk_dynamodbstreams::operation::get_records::GetRecordsError;
use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::{json, Map, Value};

/// One shard, read in order from where it starts (or after a sequence number) to its end.
///
/// An iterator the service refuses as expired (15 minutes) or trimmed is not an error: a new
/// one is taken after the last record returned, as Lambda does, so nothing is read twice or
/// skipped. DynamoDB Local refuses a TRIM_HORIZON iterator taken while the shard was empty
/// once records numbered past it (its sequence numbers count across every table) arrive;
/// the new iterator starts at the oldest record.
#[derive(Debug, Clone)]
pub struct ShardReader {
    pub shard_id: String,
    /// The shard this one continues: read it to its end first.
    pub parent: Option<String>,
    /// Where a shard nothing was returned from starts.
    start: ShardIteratorType,
    iterator: Option<String>,
    /// The sequence number of the last record returned.
    after: Option<String>,
    /// The shard has ended and every record of it was returned.
    pub closed: bool,
}

impl ShardReader {
    /// A reader of `shard_id` from `start`, or after the record `after` if given.
    pub fn new(
        shard_id: String,
        parent: Option<String>,
        start: ShardIteratorType,
        after: Option<String>,
    ) -> Self {
        Self {
            shard_id,
            parent,
            start,
            iterator: None,
            after,
            closed: false,
        }
    }

    /// The next records of the shard, at most `limit`, in order; none when it has nothing
    /// new (or has ended: then [`ShardReader::closed`]).
    pub async fn read(
        &mut self,
        client: &aws_sdk_dynamodbstreams::Client,
        stream_arn: &str,
        limit: i32,
    ) -> Result<Vec<Record>, String> {
        // A fresh iterator refused again would mean the service is not serving the shard.
        for _ in 0..3 {
            if self.closed {
                return Ok(Vec::new());
            }
            let iterator = match self.iterator.take() {
                Some(it) => it,
                None => match self.open(client, stream_arn).await? {
                    Some(it) => it,
                    None => {
                        self.closed = true;
                        return Ok(Vec::new());
                    }
                },
            };
            match client
                .get_records()
                .shard_iterator(&iterator)
                .limit(limit)
                .send()
                .await
            {
                Ok(page) => {
                    self.iterator = page.next_shard_iterator().map(str::to_string);
                    self.closed = self.iterator.is_none();
                    let records = page.records.unwrap_or_default();
                    if let Some(seq) = records
                        .last()
                        .and_then(|r| r.dynamodb())
                        .and_then(|d| d.sequence_number())
                    {
                        self.after = Some(seq.to_string());
                    }
                    return Ok(records);
                }
                Err(e) => match e.as_service_error() {
                    Some(
                        GetRecordsError::TrimmedDataAccessException(_)
                        | GetRecordsError::ExpiredIteratorException(_),
                    ) => continue,
                    _ => {
                        // The iterator is still good: the next read tries it again.
                        self.iterator = Some(iterator);
                        return Err(format!("GetRecords: {}", DisplayErrorContext(&e)));
                    }
                },
            }
        }
        Err(format!(
            "GetRecords: shard {} refused three fresh iterators in a row",
            self.shard_id
        ))
    }

    /// An iterator after the last record returned, else at the start; None: the shard is gone.
    async fn open(
        &self,
        client: &aws_sdk_dynamodbstreams::Client,
        stream_arn: &str,
    ) -> Result<Option<String>, String> {
        let req = client
            .get_shard_iterator()
            .stream_arn(stream_arn)
            .shard_id(&self.shard_id);
        let req = match &self.after {
            Some(seq) => req
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .sequence_number(seq),
            None => req.shard_iterator_type(self.start.clone()),
        };
        let out = req
            .send()
            .await
            .map_err(|e| format!("GetShardIterator: {}", DisplayErrorContext(&e)))?;
        Ok(out.shard_iterator().map(str::to_string))
    }
}

/// A stream's shards as DescribeStream lists them: (shard, its parent).
pub async fn shards(
    client: &aws_sdk_dynamodbstreams::Client,
    stream_arn: &str,
) -> Result<Vec<(String, Option<String>)>, String> {
    let mut out = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let desc = client
            .describe_stream()
            .stream_arn(stream_arn)
            .set_exclusive_start_shard_id(start.take())
            .send()
            .await
            .map_err(|e| format!("DescribeStream: {}", DisplayErrorContext(&e)))?;
        let Some(desc) = desc.stream_description() else {
            return Ok(out);
        };
        out.extend(desc.shards().iter().filter_map(|s| {
            Some((
                s.shard_id()?.to_string(),
                s.parent_shard_id().map(str::to_string),
            ))
        }));
        match desc.last_evaluated_shard_id() {
            Some(last) => start = Some(last.to_string()),
            None => return Ok(out),
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
