//! The shard reader on DynamoDB Local's real stream: an iterator the engine refuses as trimmed
//! (it does so for a TRIM_HORIZON iterator taken while the shard was empty, once other
//! tables' writes have numbered records past it) is taken again, and every record is returned
//! once, in order.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use testkit::stream::{shards, ShardReader};

#[tokio::test]
async fn a_refused_iterator_is_taken_again_and_every_record_read_once() {
    let sdk = testkit::sdk_config().await;
    let db = aws_sdk_dynamodb::Client::new(&sdk);
    let streams = aws_sdk_dynamodbstreams::Client::new(&sdk);
    let tables = testkit::create_tables(&db, &testkit::unique_prefix()).await;
    let (activities, other) = (&tables["ACTIVITIES_TABLE"], &tables["EVENTS_TABLE"]);
    let arn = db
        .describe_table()
        .table_name(activities)
        .send()
        .await
        .unwrap()
        .table()
        .and_then(|t| t.latest_stream_arn())
        .expect("a stream")
        .to_string();
    let listed = shards(&streams, &arn).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let (id, parent) = listed[0].clone();
    let mut reader = ShardReader::new(id, parent, ShardIteratorType::TrimHorizon, None);
    assert!(reader.read(&streams, &arn, 1000).await.unwrap().is_empty());

    let put = |table: &str, id: String| {
        db.put_item()
            .table_name(table)
            .item("userid", AttributeValue::S("u".into()))
            .item("id", AttributeValue::S(id))
            .send()
    };
    let mut written = Vec::new();
    let mut read = Vec::new();
    for round in 0..3 {
        // Another table's write first: the activity table's next record is numbered past
        // where the reader's iterator points.
        put(other, format!("x{round}")).await.expect("PutItem");
        for i in 0..3 {
            let id = format!("a{round}{i}");
            put(activities, id.clone()).await.expect("PutItem");
            written.push(id);
        }
        loop {
            let page = reader.read(&streams, &arn, 2).await.expect("read");
            if page.is_empty() {
                break;
            }
            read.extend(page.iter().map(|r| {
                r.dynamodb().unwrap().keys().unwrap()["id"]
                    .as_s()
                    .unwrap()
                    .clone()
            }));
        }
    }
    assert_eq!(read, written);
    assert!(!reader.closed);
}
