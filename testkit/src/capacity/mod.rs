//! The capacity model: what a workload run through the real handler against DynamoDB Local
//! costs each DynamoDB partition, per second, against DynamoDB's per-partition limits.
//!
//! [`Recorder`] sees every request through the request-counting interceptor
//! ([`crate::RequestCounter::observed`]) and hands it with its outcome to the [`Model`],
//! which charges read and write units to the partition-key value of each table and index
//! that serves them (keys, indexes and projections from `template.yaml` through
//! [`crate::template`]; the costing rules are in [`model`]). A [`Report`] turns what a
//! measured sample cost into units per second.

pub mod model;
pub mod report;
pub mod request;
pub mod shadow;
pub mod size;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::interceptors::context::{Input, Output};

pub use model::{Model, Partition, Shape, Units};
pub use report::{Report, Row, READ_LIMIT, WRITE_LIMIT};
pub use request::{Request, Response};

use crate::counter::Observer;
use crate::template::Template;

#[derive(Debug, Default)]
struct State {
    next: u64,
    pending: HashMap<u64, Request>,
    model: Model,
}

/// Records requests into a [`Model`]: install it with [`crate::RequestCounter::observed`].
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    state: Arc<Mutex<State>>,
}

impl Recorder {
    /// A recorder for the tables created from `template` (`names`: logical id or env var ->
    /// table name, as `create_tables` returns them).
    pub fn new(template: &Template, names: &BTreeMap<String, String>) -> Self {
        let model = Model::new(&template.tables, names);
        Self {
            state: Arc::new(Mutex::new(State {
                model,
                ..State::default()
            })),
        }
    }

    /// Works on the model (start or stop measuring, read the load).
    pub fn with_model<R>(&self, f: impl FnOnce(&mut Model) -> R) -> R {
        f(&mut self.state.lock().unwrap().model)
    }
}

impl Observer for Recorder {
    fn request(&self, operation: &str, input: &Input) -> u64 {
        let request = request::request_of(operation, input);
        let mut s = self.state.lock().unwrap();
        s.next += 1;
        let id = s.next;
        s.pending.insert(id, request);
        id
    }

    fn outcome(&self, id: u64, output: Option<&Output>) {
        let response = request::response_of(output);
        let mut s = self.state.lock().unwrap();
        if let Some(request) = s.pending.remove(&id) {
            s.model.record(&request, &response);
        }
    }
}

#[cfg(test)]
mod tests {
    //! The model against hand-computed cases.

    use std::collections::HashMap;

    use aws_sdk_dynamodb::types::AttributeValue;

    use super::request::{Item, Write};
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  EventsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - { AttributeName: id, AttributeType: S }
        - { AttributeName: kind, AttributeType: S }
        - { AttributeName: start, AttributeType: S }
      KeySchema:
        - { AttributeName: id, KeyType: HASH }
      GlobalSecondaryIndexes:
        - IndexName: byStart
          KeySchema:
            - { AttributeName: kind, KeyType: HASH }
            - { AttributeName: start, KeyType: RANGE }
          Projection: { ProjectionType: INCLUDE, NonKeyAttributes: [name] }
"#;

    fn model() -> Model {
        let t = Template::parse(TEMPLATE).unwrap();
        let names = BTreeMap::from([("EventsTable".to_string(), "T".to_string())]);
        let mut m = Model::new(&t.tables, &names);
        m.measure(true);
        m
    }

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    /// An event of exactly `bytes` bytes: id "e1" (4 bytes), kind "EVENT" (9), start (5 + 24),
    /// name (4 + 4), and a description filling the rest.
    fn event(bytes: usize) -> Item {
        let fixed = 4 + 9 + 29 + 8 + "description".len();
        HashMap::from([
            ("id".to_string(), s("e1")),
            ("kind".to_string(), s("EVENT")),
            ("start".to_string(), s("2026-11-21T17:00:00.000Z")),
            ("name".to_string(), s("Gigs")),
            ("description".to_string(), s(&"x".repeat(bytes - fixed))),
        ])
    }

    fn put(item: Item) -> Write {
        Write::Put {
            table: "T".into(),
            item,
        }
    }

    fn update(set: &str, values: &[(&str, AttributeValue)]) -> Write {
        Write::Update {
            table: "T".into(),
            key: HashMap::from([("id".to_string(), s("e1"))]),
            expression: set.into(),
            names: HashMap::new(),
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    fn units(m: &Model, target: &str, key: &str) -> Units {
        m.load()
            .get(&(target.to_string(), key.to_string()))
            .copied()
            .unwrap_or_default()
    }

    #[test]
    fn one_put_costs_a_unit_per_kilobyte_and_writes_its_index_entry() {
        let mut m = model();
        assert_eq!(size::item_size(&event(1500)), 1500);
        m.record(&Request::Single(put(event(1500))), &Response::Done);
        // 1,500 bytes: 2 units on partition "e1"; the index entry (id, kind, start, name:
        // 4 + 9 + 29 + 8 = 50 bytes) is 1 unit on partition "EVENT" of byStart.
        assert_eq!(units(&m, "EventsTable", "e1").write, 2.0);
        assert_eq!(units(&m, "EventsTable/byStart", "EVENT").write, 1.0);
    }

    #[test]
    fn a_transaction_costs_two_units_per_kilobyte_of_each_item_even_when_cancelled() {
        let mut m = model();
        m.record(&Request::Single(put(event(1500))), &Response::Done);
        m.clear();
        let mut other = event(600);
        other.insert("id".into(), s("e2"));
        let tx = Request::Transact(vec![
            update(
                "SET left = :one",
                &[(":one", AttributeValue::N("1".into()))],
            ),
            put(other),
        ]);
        m.record(&tx, &Response::Done);
        // e1: max(1,500 before, 1,500 + 4 + 2 after) = 2 KB -> 4 units; e2: 600 B -> 2 units.
        assert_eq!(units(&m, "EventsTable", "e1").write, 4.0);
        assert_eq!(units(&m, "EventsTable", "e2").write, 2.0);
        m.clear();
        m.record(&tx, &Response::Failed);
        assert_eq!(units(&m, "EventsTable", "e1").write, 4.0, "charged in full");
        assert_eq!(
            units(&m, "EventsTable/byStart", "EVENT").write,
            0.0,
            "a cancelled transaction writes no index entry"
        );
    }

    #[test]
    fn an_index_is_written_only_when_a_projected_attribute_changes() {
        let mut m = model();
        m.record(&Request::Single(put(event(1500))), &Response::Done);
        m.clear();
        // `left` is not projected into byStart (INCLUDE [name]): no index write.
        let left = update("SET left = :n", &[(":n", AttributeValue::N("7".into()))]);
        m.record(&Request::Single(left), &Response::Done);
        assert_eq!(units(&m, "EventsTable", "e1").write, 2.0);
        assert_eq!(units(&m, "EventsTable/byStart", "EVENT").write, 0.0);
        // `name` is projected: one index write.
        let name = update("SET name = :n", &[(":n", s("Gig!"))]);
        m.record(&Request::Single(name), &Response::Done);
        assert_eq!(units(&m, "EventsTable/byStart", "EVENT").write, 1.0);
        // The index key moves: a delete on the old partition and a put on the new one.
        let kind = update("SET kind = :k", &[(":k", s("PAST"))]);
        m.record(&Request::Single(kind), &Response::Done);
        assert_eq!(units(&m, "EventsTable/byStart", "EVENT").write, 2.0);
        assert_eq!(units(&m, "EventsTable/byStart", "PAST").write, 1.0);
    }

    #[test]
    fn reads_cost_per_four_kilobytes_half_when_eventually_consistent() {
        let mut m = model();
        let key = HashMap::from([("id".to_string(), s("e1"))]);
        let found = Response::Read {
            items: vec![(String::new(), event(5000))],
            scanned: None,
        };
        let get = |consistent| Request::Get {
            table: "T".into(),
            key: key.clone(),
            consistent,
        };
        m.record(&get(true), &found);
        assert_eq!(
            units(&m, "EventsTable", "e1").read,
            2.0,
            "5,000 B: two 4 KB units"
        );
        m.record(&get(false), &found);
        assert_eq!(units(&m, "EventsTable", "e1").read, 3.0);
        // A Query on the index: 3 items of 3,000 B returned, 2 more dropped by the filter
        // (counted at the average): 15,000 B -> 4 units, eventually consistent: 2.
        let q = Request::Query {
            table: "T".into(),
            index: Some("byStart".into()),
            key_condition: "kind = :k AND start >= :lo".into(),
            names: HashMap::new(),
            values: HashMap::from([(":k".to_string(), s("EVENT"))]),
            consistent: false,
        };
        let page = Response::Read {
            items: (0..3).map(|_| (String::new(), event(3000))).collect(),
            scanned: Some(5),
        };
        m.record(&q, &page);
        assert_eq!(units(&m, "EventsTable/byStart", "EVENT").read, 2.0);
        let r = Report::new(m.load(), 0.5, 10.0);
        let hottest = r.hottest_read().unwrap();
        assert_eq!(
            (hottest.target.as_str(), hottest.read),
            ("EventsTable", 60.0)
        );
    }
}
