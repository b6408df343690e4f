//! The aggregator's own CPU work for one batch at Lambda's real batch sizes (100 records, the
//! event source mapping's default; 1,000, its largest for a DynamoDB stream): read the
//! payload, compute each record's delta, group into per-aggregate transactions. No I/O.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

const SIZES: [usize; 2] = [100, 1_000];
const USERS: usize = 50;

fn image(user: usize, id: usize, category: &str, calories: u64, day: u32, minute: usize) -> Value {
    json!({
        "userid": {"S": format!("5f0c2a8e-user-{user:04}")},
        "id": {"S": format!("9d3b7c1a-act-{id:06}")},
        "category": {"S": category},
        "type": {"S": "Lunch"},
        "caloriesConsumed": {"N": calories.to_string()},
        "creationDateTime": {"S": format!("2026-11-{day:02}T{:02}:{:02}:00.000Z", minute / 60 % 24, minute % 60)}
    })
}

/// A realistic batch: half inserts, a third edits (some moving day or category), the rest
/// removals, spread over 50 users and 3 days.
fn payload(records: usize) -> String {
    let categories = ["Food", "Drink", "Exercise"];
    let records: Vec<Value> = (0..records)
        .map(|i| {
            let user = i * 7 % USERS;
            let day = 20 + (i % 3) as u32;
            let new = image(user, i, categories[i % 3], (i * 37 % 900) as u64, day, i);
            let old = image(user, i, categories[(i + 1) % 3], (i * 11 % 900) as u64, 20 + (i % 2) as u32, i);
            let (name, old, new) = match i % 20 {
                0..=9 => ("INSERT", None, Some(new)),
                10..=16 => ("MODIFY", Some(old), Some(new)),
                _ => ("REMOVE", Some(old), None),
            };
            let mut change = json!({
                "ApproximateCreationDateTime": 1_795_257_000 + i,
                "Keys": {"userid": {"S": format!("5f0c2a8e-user-{user:04}")}, "id": {"S": format!("9d3b7c1a-act-{i:06}")}},
                "SequenceNumber": format!("{}", 4_100_000_000_021_000_000_000u128 + i as u128),
                "SizeBytes": 300,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
            });
            if let Some(o) = old {
                change["OldImage"] = o;
            }
            if let Some(n) = new {
                change["NewImage"] = n;
            }
            json!({
                "eventID": format!("{i:032x}"),
                "eventName": name,
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": change,
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/Activities/stream/2026-11-21T00:00:00.000"
            })
        })
        .collect();
    json!({ "Records": records }).to_string()
}

fn bench(c: &mut Criterion) {
    for records in SIZES {
        let raw = payload(records);
        let prepared = aggregator::batch::prepare(&raw).expect("payload parses");
        assert_eq!(prepared.records, records);
        assert!(prepared.skipped.is_empty());
        assert!(prepared.transactions.len() <= USERS * 3);

        c.bench_function(
            &format!("prepare {records}-record batch (read, deltas, plan)"),
            |b| b.iter(|| aggregator::batch::prepare(black_box(&raw)).expect("parses")),
        );
        c.bench_function(&format!("read {records}-record batch only"), |b| {
            b.iter(|| aggregator::event::parse_batch(black_box(&raw)).expect("parses"))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
