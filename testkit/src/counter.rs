//! Records the DynamoDB requests a piece of code makes: how many of each operation (so tests
//! can assert the request budget of each GraphQL operation), and which IAM action each one
//! needs on which table and index (so the contract test can hold the template's policies to
//! what the functions really do).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::ConfigBag;
use aws_sdk_dynamodb::operation::{
    batch_get_item::BatchGetItemInput, batch_write_item::BatchWriteItemInput,
    delete_item::DeleteItemInput, describe_table::DescribeTableInput, get_item::GetItemInput,
    put_item::PutItemInput, query::QueryInput, scan::ScanInput,
    transact_get_items::TransactGetItemsInput, transact_write_items::TransactWriteItemsInput,
    update_item::UpdateItemInput,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef, Input, Output,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

/// One thing a request does to one table, in IAM's terms.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Access {
    /// The table as the request names it; `None` for an operation this recorder cannot
    /// attribute to a table (which the contract test then refuses).
    pub table: Option<String>,
    /// The IAM action it needs, e.g. `dynamodb:PutItem`. A transaction is no IAM action of
    /// its own: each of its items needs the action of its kind.
    pub action: String,
    /// The index a Query or Scan reads (IAM checks those on `<table ARN>/index/<name>`).
    pub index: Option<String>,
    /// The API operation that made it, e.g. `TransactWriteItems`.
    pub operation: String,
}

#[derive(Debug, Default)]
struct Log {
    counts: BTreeMap<String, usize>,
    accesses: BTreeMap<Access, usize>,
}

#[derive(Debug, Clone, Default)]
pub struct RequestCounter {
    log: Arc<Mutex<Log>>,
    observer: Option<Arc<dyn Observer>>,
}

/// Sees every request the counter counts, and how it ended (the capacity model, which needs
/// the items themselves, records through this).
pub trait Observer: std::fmt::Debug + Send + Sync {
    /// A request as the code made it; the returned number names it in [`Observer::outcome`].
    fn request(&self, operation: &str, input: &Input) -> u64;
    /// Its final output, or `None` when it failed (after the SDK's own retries).
    fn outcome(&self, request: u64, output: Option<&Output>);
}

#[derive(Debug)]
struct Observed(u64);

impl Storable for Observed {
    type Storer = StoreReplace<Self>;
}

impl RequestCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// A counter that also shows each request and its outcome to `observer`.
    pub fn observed(observer: Arc<dyn Observer>) -> Self {
        Self {
            observer: Some(observer),
            ..Self::default()
        }
    }

    /// Requests by operation name since the last reset.
    pub fn snapshot(&self) -> BTreeMap<String, usize> {
        self.log.lock().unwrap().counts.clone()
    }

    pub fn total(&self) -> usize {
        self.log.lock().unwrap().counts.values().sum()
    }

    /// Every (table, action, index) since the last reset, with how often it happened.
    pub fn accesses(&self) -> BTreeMap<Access, usize> {
        self.log.lock().unwrap().accesses.clone()
    }

    pub fn reset(&self) {
        let mut log = self.log.lock().unwrap();
        log.counts.clear();
        log.accesses.clear();
    }
}

fn one(operation: &str, action: &str, table: Option<&str>, index: Option<&str>) -> Access {
    Access {
        table: table.map(str::to_owned),
        action: format!("dynamodb:{action}"),
        index: index.map(str::to_owned),
        operation: operation.to_owned(),
    }
}

/// What a request's typed input does, table by table.
pub fn accesses_of(operation: &str, input: &Input) -> Vec<Access> {
    let a = |action: &str, table: Option<&str>| vec![one(operation, action, table, None)];
    if let Some(i) = input.downcast_ref::<GetItemInput>() {
        return a("GetItem", i.table_name());
    }
    if let Some(i) = input.downcast_ref::<PutItemInput>() {
        return a("PutItem", i.table_name());
    }
    if let Some(i) = input.downcast_ref::<UpdateItemInput>() {
        return a("UpdateItem", i.table_name());
    }
    if let Some(i) = input.downcast_ref::<DeleteItemInput>() {
        return a("DeleteItem", i.table_name());
    }
    if let Some(i) = input.downcast_ref::<DescribeTableInput>() {
        return a("DescribeTable", i.table_name());
    }
    if let Some(i) = input.downcast_ref::<QueryInput>() {
        return vec![one(operation, "Query", i.table_name(), i.index_name())];
    }
    if let Some(i) = input.downcast_ref::<ScanInput>() {
        return vec![one(operation, "Scan", i.table_name(), i.index_name())];
    }
    if let Some(i) = input.downcast_ref::<BatchGetItemInput>() {
        return i
            .request_items()
            .into_iter()
            .flat_map(|m| m.keys())
            .map(|t| one(operation, "BatchGetItem", Some(t), None))
            .collect();
    }
    if let Some(i) = input.downcast_ref::<BatchWriteItemInput>() {
        return i
            .request_items()
            .into_iter()
            .flat_map(|m| m.keys())
            .map(|t| one(operation, "BatchWriteItem", Some(t), None))
            .collect();
    }
    if let Some(i) = input.downcast_ref::<TransactWriteItemsInput>() {
        return i
            .transact_items()
            .iter()
            .map(|item| {
                if let Some(p) = item.put() {
                    one(operation, "PutItem", Some(p.table_name()), None)
                } else if let Some(u) = item.update() {
                    one(operation, "UpdateItem", Some(u.table_name()), None)
                } else if let Some(d) = item.delete() {
                    one(operation, "DeleteItem", Some(d.table_name()), None)
                } else if let Some(c) = item.condition_check() {
                    one(operation, "ConditionCheckItem", Some(c.table_name()), None)
                } else {
                    one(operation, "TransactWriteItems", None, None)
                }
            })
            .collect();
    }
    if let Some(i) = input.downcast_ref::<TransactGetItemsInput>() {
        return i
            .transact_items()
            .iter()
            .map(|item| {
                one(
                    operation,
                    "GetItem",
                    item.get().map(|g| g.table_name()),
                    None,
                )
            })
            .collect();
    }
    a(operation, None)
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    // Once per operation call (serialization precedes the retry loop): a request the code
    // asked for, not an attempt.
    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        let accesses = accesses_of(&name, context.input());
        if let Some(observer) = &self.observer {
            let id = observer.request(&name, context.input());
            cfg.interceptor_state().store_put(Observed(id));
        }
        let mut log = self.log.lock().unwrap();
        *log.counts.entry(name).or_default() += 1;
        for access in accesses {
            *log.accesses.entry(access).or_default() += 1;
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(observer), Some(Observed(id))) = (&self.observer, cfg.load::<Observed>()) {
            observer.outcome(*id, context.output_or_error().and_then(Result::ok));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::AttributeValue;
    use aws_sdk_dynamodb::types::{
        ConditionCheck, KeysAndAttributes, Put, TransactWriteItem, Update,
    };

    fn input<T: std::fmt::Debug + Send + Sync + 'static>(t: T) -> Input {
        Input::erase(t)
    }

    #[test]
    fn a_transaction_needs_the_action_of_each_item() {
        let put = Put::builder()
            .table_name("A")
            .item("id", AttributeValue::S("1".into()))
            .build()
            .unwrap();
        let update = Update::builder()
            .table_name("B")
            .key("id", AttributeValue::S("1".into()))
            .update_expression("SET x = :x")
            .build()
            .unwrap();
        let check = ConditionCheck::builder()
            .table_name("C")
            .key("id", AttributeValue::S("1".into()))
            .condition_expression("attribute_exists(id)")
            .build()
            .unwrap();
        let tx = TransactWriteItemsInput::builder()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(update).build())
            .transact_items(TransactWriteItem::builder().condition_check(check).build())
            .build()
            .unwrap();
        let got: Vec<(Option<String>, String)> = accesses_of("TransactWriteItems", &input(tx))
            .into_iter()
            .map(|a| (a.table, a.action))
            .collect();
        assert_eq!(
            got,
            [
                (Some("A".into()), "dynamodb:PutItem".into()),
                (Some("B".into()), "dynamodb:UpdateItem".into()),
                (Some("C".into()), "dynamodb:ConditionCheckItem".into()),
            ]
        );
    }

    #[test]
    fn queries_name_their_index_and_batches_every_table() {
        let q = QueryInput::builder()
            .table_name("T")
            .index_name("byUser")
            .build()
            .unwrap();
        let got = accesses_of("Query", &input(q));
        assert_eq!(got[0].index.as_deref(), Some("byUser"));
        assert_eq!(got[0].action, "dynamodb:Query");
        let keys = KeysAndAttributes::builder()
            .keys([("id".to_string(), AttributeValue::S("1".into()))].into())
            .build()
            .unwrap();
        let b = BatchGetItemInput::builder()
            .request_items("X", keys.clone())
            .request_items("Y", keys)
            .build()
            .unwrap();
        let mut tables: Vec<Option<String>> = accesses_of("BatchGetItem", &input(b))
            .into_iter()
            .map(|a| a.table)
            .collect();
        tables.sort();
        assert_eq!(tables, [Some("X".into()), Some("Y".into())]);
    }

    #[test]
    fn an_operation_it_does_not_know_names_no_table() {
        let other = aws_sdk_dynamodb::operation::list_tables::ListTablesInput::builder()
            .build()
            .unwrap();
        let got = accesses_of("ListTables", &input(other));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].table, None);
        assert_eq!(got[0].action, "dynamodb:ListTables");
    }
}
