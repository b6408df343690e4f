//! Requests and their outcomes as plain data, converted from the SDK's typed inputs and
//! outputs: what the model needs to cost them (tables, keys, items, expressions, consistency,
//! the items a read returned).

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::{
    batch_get_item::{BatchGetItemInput, BatchGetItemOutput},
    batch_write_item::BatchWriteItemInput,
    delete_item::DeleteItemInput,
    get_item::{GetItemInput, GetItemOutput},
    put_item::PutItemInput,
    query::{QueryInput, QueryOutput},
    scan::{ScanInput, ScanOutput},
    transact_write_items::TransactWriteItemsInput,
    update_item::UpdateItemInput,
};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use aws_smithy_runtime_api::client::interceptors::context::{Input, Output};

pub type Item = HashMap<String, AttributeValue>;
pub type Names = HashMap<String, String>;

/// One write to one item.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        table: String,
        item: Item,
    },
    Update {
        table: String,
        key: Item,
        expression: String,
        names: Names,
        values: Item,
    },
    Delete {
        table: String,
        key: Item,
    },
    /// A transaction's ConditionCheck: costs like a write of the item, changes nothing.
    Check {
        table: String,
        key: Item,
    },
}

impl Write {
    pub fn table(&self) -> &str {
        match self {
            Self::Put { table, .. }
            | Self::Update { table, .. }
            | Self::Delete { table, .. }
            | Self::Check { table, .. } => table,
        }
    }
}

/// One request, as the code made it.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Get {
        table: String,
        key: Item,
        consistent: bool,
    },
    /// Every key of every table, with that table's consistency.
    BatchGet {
        reads: Vec<(String, Item, bool)>,
    },
    Query {
        table: String,
        index: Option<String>,
        key_condition: String,
        names: Names,
        values: Item,
        consistent: bool,
    },
    Scan {
        table: String,
        index: Option<String>,
        consistent: bool,
    },
    /// PutItem, UpdateItem or DeleteItem.
    Single(Write),
    /// TransactWriteItems: 2 units per KB of each item.
    Transact(Vec<Write>),
    BatchWrite(Vec<Write>),
    /// Anything else (DescribeTable, ...): costs nothing here.
    Other(String),
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Response {
    /// An error (a refused condition, a cancelled transaction): capacity is still consumed.
    #[default]
    Failed,
    /// A write that succeeded.
    Done,
    /// What a read returned: the items by table, and for a Query or Scan how many items it
    /// examined before its filter (`scanned`) against how many it returned.
    Read {
        items: Vec<(String, Item)>,
        scanned: Option<usize>,
    },
}

fn owned(map: Option<&HashMap<String, AttributeValue>>) -> Item {
    map.cloned().unwrap_or_default()
}

fn tx_write(item: &TransactWriteItem) -> Option<Write> {
    if let Some(p) = item.put() {
        return Some(Write::Put {
            table: p.table_name().to_string(),
            item: p.item().clone(),
        });
    }
    if let Some(u) = item.update() {
        return Some(Write::Update {
            table: u.table_name().to_string(),
            key: u.key().clone(),
            expression: u.update_expression().to_string(),
            names: u.expression_attribute_names().cloned().unwrap_or_default(),
            values: owned(u.expression_attribute_values()),
        });
    }
    if let Some(d) = item.delete() {
        return Some(Write::Delete {
            table: d.table_name().to_string(),
            key: d.key().clone(),
        });
    }
    item.condition_check().map(|c| Write::Check {
        table: c.table_name().to_string(),
        key: c.key().clone(),
    })
}

/// The request an SDK operation input makes.
pub fn request_of(operation: &str, input: &Input) -> Request {
    if let Some(i) = input.downcast_ref::<GetItemInput>() {
        return Request::Get {
            table: i.table_name().unwrap_or_default().to_string(),
            key: owned(i.key()),
            consistent: i.consistent_read() == Some(true),
        };
    }
    if let Some(i) = input.downcast_ref::<BatchGetItemInput>() {
        let reads = i
            .request_items()
            .into_iter()
            .flatten()
            .flat_map(|(table, ka)| {
                let consistent = ka.consistent_read() == Some(true);
                ka.keys()
                    .iter()
                    .map(move |k| (table.clone(), k.clone(), consistent))
            })
            .collect();
        return Request::BatchGet { reads };
    }
    if let Some(i) = input.downcast_ref::<QueryInput>() {
        return Request::Query {
            table: i.table_name().unwrap_or_default().to_string(),
            index: i.index_name().map(str::to_string),
            key_condition: i.key_condition_expression().unwrap_or_default().to_string(),
            names: i.expression_attribute_names().cloned().unwrap_or_default(),
            values: owned(i.expression_attribute_values()),
            consistent: i.consistent_read() == Some(true),
        };
    }
    if let Some(i) = input.downcast_ref::<ScanInput>() {
        return Request::Scan {
            table: i.table_name().unwrap_or_default().to_string(),
            index: i.index_name().map(str::to_string),
            consistent: i.consistent_read() == Some(true),
        };
    }
    if let Some(i) = input.downcast_ref::<PutItemInput>() {
        return Request::Single(Write::Put {
            table: i.table_name().unwrap_or_default().to_string(),
            item: owned(i.item()),
        });
    }
    if let Some(i) = input.downcast_ref::<UpdateItemInput>() {
        return Request::Single(Write::Update {
            table: i.table_name().unwrap_or_default().to_string(),
            key: owned(i.key()),
            expression: i.update_expression().unwrap_or_default().to_string(),
            names: i.expression_attribute_names().cloned().unwrap_or_default(),
            values: owned(i.expression_attribute_values()),
        });
    }
    if let Some(i) = input.downcast_ref::<DeleteItemInput>() {
        return Request::Single(Write::Delete {
            table: i.table_name().unwrap_or_default().to_string(),
            key: owned(i.key()),
        });
    }
    if let Some(i) = input.downcast_ref::<TransactWriteItemsInput>() {
        return Request::Transact(i.transact_items().iter().filter_map(tx_write).collect());
    }
    if let Some(i) = input.downcast_ref::<BatchWriteItemInput>() {
        let writes = i
            .request_items()
            .into_iter()
            .flatten()
            .flat_map(|(table, requests)| {
                requests.iter().filter_map(move |w| {
                    if let Some(p) = w.put_request() {
                        Some(Write::Put {
                            table: table.clone(),
                            item: p.item().clone(),
                        })
                    } else {
                        w.delete_request().map(|d| Write::Delete {
                            table: table.clone(),
                            key: d.key().clone(),
                        })
                    }
                })
            })
            .collect();
        return Request::BatchWrite(writes);
    }
    Request::Other(operation.to_string())
}

/// How a request ended, from its output (`None`: it failed).
pub fn response_of(output: Option<&Output>) -> Response {
    let Some(output) = output else {
        return Response::Failed;
    };
    if let Some(o) = output.downcast_ref::<GetItemOutput>() {
        return Response::Read {
            items: o
                .item()
                .map(|i| (String::new(), i.clone()))
                .into_iter()
                .collect(),
            scanned: None,
        };
    }
    if let Some(o) = output.downcast_ref::<BatchGetItemOutput>() {
        let items = o
            .responses()
            .into_iter()
            .flatten()
            .flat_map(|(table, items)| items.iter().map(move |i| (table.clone(), i.clone())))
            .collect();
        return Response::Read {
            items,
            scanned: None,
        };
    }
    if let Some(o) = output.downcast_ref::<QueryOutput>() {
        return Response::Read {
            items: o
                .items()
                .iter()
                .map(|i| (String::new(), i.clone()))
                .collect(),
            scanned: Some(o.scanned_count().max(0) as usize),
        };
    }
    if let Some(o) = output.downcast_ref::<ScanOutput>() {
        return Response::Read {
            items: o
                .items()
                .iter()
                .map(|i| (String::new(), i.clone()))
                .collect(),
            scanned: Some(o.scanned_count().max(0) as usize),
        };
    }
    Response::Done
}
