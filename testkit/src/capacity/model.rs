//! The costing core: each request's read and write units, charged to the partition-key value
//! of the table or index that serves them.
//!
//! Rules (DynamoDB developer guide: "Read/write capacity mode", "Item sizes and formats",
//! "Managing capacity for transactions", "Global secondary indexes: provisioned throughput"):
//! - a write costs 1 unit per KB (rounded up) of the larger of the item before and after it;
//!   a transaction costs 2 per KB for each of its items, and a cancelled one is charged in
//!   full (the model does not assume the cheaper case);
//! - a read costs 1 unit per 4 KB (rounded up) strongly consistent, half that eventually
//!   consistent; GetItem and each key of a BatchGetItem are rounded per item (a missing item
//!   still costs the minimum); a Query is rounded over the bytes it examined (the items it
//!   returned, and the items its filter dropped at the returned items' average size);
//! - a write reaches a global secondary index only when the item's index entry changes: it
//!   appears or disappears (1 write), its index key moves (a delete plus a put, 2 writes), or
//!   an attribute the index projects changes (1 write); index writes cost 1 unit per KB of the
//!   projected entry (they are not transactional). A local secondary index shares its table's
//!   partition and is charged there.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;

use super::request::{Item, Names, Request, Response, Write};
use super::shadow::{apply_update, Shadow};
use super::size::item_size;
use crate::template::{SecondaryIndex, Table};

/// What an index copies from its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projected {
    All,
    KeysOnly,
    Include(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexShape {
    pub name: String,
    pub hash: String,
    pub range: Option<String>,
    pub projected: Projected,
    /// A local index: same partition as the table.
    pub local: bool,
}

/// A table's keys and indexes, as the template declares them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The template's logical id (`EventsTable`): what reports name.
    pub id: String,
    pub hash: String,
    pub range: Option<String>,
    pub indexes: Vec<IndexShape>,
}

fn keys_of(keys: &[crate::template::KeyElement]) -> (String, Option<String>) {
    let find = |kind: &str| {
        keys.iter()
            .find(|k| k.key_type == kind)
            .map(|k| k.attribute_name.clone())
    };
    (find("HASH").unwrap_or_default(), find("RANGE"))
}

fn index_shape(i: &SecondaryIndex, local: bool) -> IndexShape {
    let (hash, range) = keys_of(&i.key_schema);
    let projected = match i.projection.projection_type.as_deref() {
        Some("ALL") => Projected::All,
        Some("INCLUDE") => Projected::Include(i.projection.non_key_attributes.clone()),
        _ => Projected::KeysOnly,
    };
    IndexShape {
        name: i.index_name.clone(),
        hash,
        range,
        projected,
        local,
    }
}

impl Shape {
    pub fn of(table: &Table) -> Self {
        let p = &table.properties;
        let (hash, range) = keys_of(&p.key_schema);
        let indexes = p
            .global_secondary_indexes
            .iter()
            .map(|i| index_shape(i, false))
            .chain(
                p.local_secondary_indexes
                    .iter()
                    .map(|i| index_shape(i, true)),
            )
            .collect();
        Self {
            id: table.id.clone(),
            hash,
            range,
            indexes,
        }
    }

    fn key_of(&self, item: &Item) -> Item {
        [Some(&self.hash), self.range.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|k| item.get(k).map(|v| (k.clone(), v.clone())))
            .collect()
    }
}

impl IndexShape {
    /// The entry an item has in this index (`None`: the item lacks an index key).
    fn entry(&self, table: &Shape, item: &Item) -> Option<Item> {
        let index_keys = [Some(&self.hash), self.range.as_ref()];
        if index_keys.iter().flatten().any(|k| !item.contains_key(*k)) {
            return None;
        }
        let keep = |name: &str| {
            name == table.hash
                || Some(name) == table.range.as_deref()
                || name == self.hash
                || Some(name) == self.range.as_deref()
                || match &self.projected {
                    Projected::All => true,
                    Projected::KeysOnly => false,
                    Projected::Include(names) => names.iter().any(|n| n == name),
                }
        };
        Some(
            item.iter()
                .filter(|(k, _)| keep(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }
}

/// Units charged to one partition-key value.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Units {
    pub read: f64,
    pub write: f64,
}

/// Where units land: the table or index (`EventsTable`, `EventsTable/byStart`) and the
/// partition-key value.
pub type Partition = (String, String);

/// 1 unit per KB, at least 1.
pub fn write_units(bytes: usize) -> f64 {
    bytes.max(1).div_ceil(1024) as f64
}

/// 1 unit per 4 KB (half when eventually consistent), at least the minimum.
pub fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.max(1).div_ceil(4096) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

/// A partition-key value as reports show it.
pub fn render(v: &AttributeValue) -> String {
    match v {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.clone(),
        other => format!("{other:?}"),
    }
}

/// Costs requests as they are recorded. Outside a measured window (set-up) it only keeps its
/// mirror of the tables up to date.
#[derive(Debug, Clone, Default)]
pub struct Model {
    shapes: HashMap<String, Shape>,
    shadow: Shadow,
    measuring: bool,
    load: BTreeMap<Partition, Units>,
    requests: BTreeMap<String, usize>,
}

impl Model {
    /// A model of tables named `names[logical id]`.
    pub fn new(tables: &[Table], names: &BTreeMap<String, String>) -> Self {
        let shapes = tables
            .iter()
            .filter_map(|t| {
                let name = names.get(&t.id).or_else(|| names.get(&t.env_var()))?;
                Some((name.clone(), Shape::of(t)))
            })
            .collect();
        Self {
            shapes,
            ..Self::default()
        }
    }

    /// Starts (true) or stops counting units.
    pub fn measure(&mut self, on: bool) {
        self.measuring = on;
    }

    /// Forgets what was counted (the mirror stays).
    pub fn clear(&mut self) {
        self.load.clear();
        self.requests.clear();
    }

    /// Units per partition since the last clear.
    pub fn load(&self) -> &BTreeMap<Partition, Units> {
        &self.load
    }

    /// Requests per kind since the last clear.
    pub fn requests(&self) -> &BTreeMap<String, usize> {
        &self.requests
    }

    fn charge(&mut self, target: String, pk: String, read: f64, write: f64) {
        if !self.measuring {
            return;
        }
        let u = self.load.entry((target, pk)).or_default();
        u.read += read;
        u.write += write;
    }

    fn shape(&self, table: &str) -> Option<&Shape> {
        self.shapes.get(table)
    }

    fn partition_of(&self, table: &str, item: &Item) -> (String, String) {
        match self.shape(table) {
            Some(s) => (
                s.id.clone(),
                item.get(&s.hash).map(render).unwrap_or_default(),
            ),
            None => (table.to_string(), String::new()),
        }
    }

    /// Costs one request and its outcome, and keeps the mirror of the tables.
    pub fn record(&mut self, request: &Request, response: &Response) {
        if self.measuring {
            let kind = match request {
                Request::Get { .. } => "GetItem",
                Request::BatchGet { .. } => "BatchGetItem",
                Request::Query { .. } => "Query",
                Request::Scan { .. } => "Scan",
                Request::Single(Write::Put { .. }) => "PutItem",
                Request::Single(Write::Update { .. }) => "UpdateItem",
                Request::Single(_) => "DeleteItem",
                Request::Transact(_) => "TransactWriteItems",
                Request::BatchWrite(_) => "BatchWriteItem",
                Request::Other(op) => op.as_str(),
            };
            *self.requests.entry(kind.to_string()).or_default() += 1;
        }
        let ok = !matches!(response, Response::Failed);
        match request {
            Request::Get {
                table,
                key,
                consistent,
            } => {
                let found = match response {
                    Response::Read { items, .. } => items.first().map(|(_, i)| i.clone()),
                    _ => None,
                };
                self.read_item(table, key, found, *consistent);
            }
            Request::BatchGet { reads } => {
                let returned: Vec<(String, Item)> = match response {
                    Response::Read { items, .. } => items.clone(),
                    _ => Vec::new(),
                };
                for (table, key, consistent) in reads {
                    let found = returned
                        .iter()
                        .find(|(t, i)| t == table && key.iter().all(|(k, v)| i.get(k) == Some(v)))
                        .map(|(_, i)| i.clone());
                    self.read_item(table, key, found, *consistent);
                }
            }
            Request::Query {
                table,
                index,
                key_condition,
                names,
                values,
                consistent,
            } => self.query(
                table,
                index.as_deref(),
                key_condition,
                names,
                values,
                *consistent,
                response,
            ),
            Request::Scan {
                table,
                index,
                consistent,
            } => {
                let bytes = returned_bytes(response);
                let target = self.target(table, index.as_deref(), false);
                self.charge(target, "(scan)".into(), read_units(bytes, *consistent), 0.0);
            }
            Request::Single(w) => self.write(w, 1.0, ok),
            Request::Transact(writes) => {
                for w in writes {
                    self.write(w, 2.0, ok);
                }
            }
            // BatchWriteItem has no conditions: every write is applied.
            Request::BatchWrite(writes) => {
                for w in writes {
                    self.write(w, 1.0, true);
                }
            }
            Request::Other(_) => {}
        }
    }

    fn target(&self, table: &str, index: Option<&str>, local: bool) -> String {
        let id = self
            .shape(table)
            .map(|s| s.id.clone())
            .unwrap_or_else(|| table.to_string());
        match index {
            Some(i) if !local => format!("{id}/{i}"),
            _ => id,
        }
    }

    fn read_item(&mut self, table: &str, key: &Item, found: Option<Item>, consistent: bool) {
        let bytes = found.as_ref().map(item_size).unwrap_or(0);
        let (target, pk) = self.partition_of(table, key);
        self.charge(target, pk, read_units(bytes, consistent), 0.0);
        if let Some(item) = found {
            self.shadow.put(table, key, item);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn query(
        &mut self,
        table: &str,
        index: Option<&str>,
        key_condition: &str,
        names: &Names,
        values: &Item,
        consistent: bool,
        response: &Response,
    ) {
        let Some(shape) = self.shape(table).cloned() else {
            return;
        };
        let index_shape = index.and_then(|n| shape.indexes.iter().find(|i| i.name == n));
        let hash = index_shape.map_or(shape.hash.as_str(), |i| i.hash.as_str());
        let pk = hash_value(key_condition, hash, names, values)
            .map(|v| render(&v))
            .unwrap_or_default();
        let local = index_shape.is_some_and(|i| i.local);
        let target = self.target(table, index, local);
        let bytes = returned_bytes(response);
        self.charge(target, pk, read_units(bytes, consistent), 0.0);
    }

    /// One write with `factor` units per KB (2 in a transaction); `ok` when it took effect.
    fn write(&mut self, w: &Write, factor: f64, ok: bool) {
        let table = w.table().to_string();
        let Some(shape) = self.shape(&table).cloned() else {
            return;
        };
        let key = match w {
            Write::Put { item, .. } => shape.key_of(item),
            Write::Update { key, .. } | Write::Delete { key, .. } | Write::Check { key, .. } => {
                key.clone()
            }
        };
        let before = self.shadow.get(&table, &key).cloned();
        // `None` after: deleted. An update the evaluator cannot follow counts as changing
        // every attribute it names, so index writes are over- rather than under-counted.
        let (after, unknown) = match w {
            Write::Put { item, .. } => (Some(item.clone()), false),
            Write::Update {
                expression,
                names,
                values,
                ..
            } => match apply_update(before.as_ref(), &key, expression, names, values) {
                Some(item) => (Some(item), false),
                None => (before.clone().or_else(|| Some(key.clone())), true),
            },
            Write::Delete { .. } => (None, false),
            Write::Check { .. } => (before.clone(), false),
        };
        let size = |i: &Option<Item>| i.as_ref().map(item_size).unwrap_or(0);
        let bytes = size(&before).max(size(&after)).max(item_size(&key));
        let pk = key.get(&shape.hash).map(render).unwrap_or_default();
        self.charge(shape.id.clone(), pk, 0.0, factor * write_units(bytes));
        if !ok || matches!(w, Write::Check { .. }) {
            return;
        }
        for index in &shape.indexes {
            let old = before.as_ref().and_then(|i| index.entry(&shape, i));
            let new = after.as_ref().and_then(|i| index.entry(&shape, i));
            let target = if index.local {
                shape.id.clone()
            } else {
                format!("{}/{}", shape.id, index.name)
            };
            let hash_of = |e: &Item| e.get(&index.hash).map(render).unwrap_or_default();
            let range_of = |e: &Item| index.range.as_ref().and_then(|r| e.get(r)).cloned();
            match (&old, &new) {
                (None, None) => {}
                (Some(o), None) => self.charge(target, hash_of(o), 0.0, write_units(item_size(o))),
                (None, Some(n)) => self.charge(target, hash_of(n), 0.0, write_units(item_size(n))),
                (Some(o), Some(n)) => {
                    let moved = hash_of(o) != hash_of(n) || range_of(o) != range_of(n);
                    if moved {
                        self.charge(target.clone(), hash_of(o), 0.0, write_units(item_size(o)));
                        self.charge(target, hash_of(n), 0.0, write_units(item_size(n)));
                    } else if o != n || unknown {
                        self.charge(target, hash_of(n), 0.0, write_units(item_size(n)));
                    }
                }
            }
        }
        match after {
            Some(item) => self.shadow.put(&table, &key, item),
            None => self.shadow.remove(&table, &key),
        }
    }
}

/// Bytes a Query or Scan examined: what it returned, plus what its filter dropped at the
/// returned items' average size (1 KB each when it returned nothing to average).
fn returned_bytes(response: &Response) -> usize {
    let Response::Read { items, scanned } = response else {
        return 0;
    };
    let returned: usize = items.iter().map(|(_, i)| item_size(i)).sum();
    let dropped = scanned.unwrap_or(items.len()).saturating_sub(items.len());
    let average = if items.is_empty() {
        1024
    } else {
        returned / items.len()
    };
    returned + dropped * average
}

/// The value a key condition gives the hash key: `name = :v` (or `#n = :v`).
fn hash_value(condition: &str, hash: &str, names: &Names, values: &Item) -> Option<AttributeValue> {
    let words: Vec<&str> = condition
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(3).find_map(|w| {
        let name = if w[0].starts_with('#') {
            names.get(w[0]).map(String::as_str)?
        } else {
            w[0]
        };
        (name == hash && w[1] == "=")
            .then(|| values.get(w[2]).cloned())
            .flatten()
    })
}
