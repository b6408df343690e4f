//! CollectFields: the fields of one or more selection sets for an object type, grouped by
//! response key in query order, fragments expanded once each and `@skip`/`@include` applied;
//! and `info.selectionSetList`, the paths of every field below a resolver's field.
//!
//! Both are linear in what they return: a key is found by hash, not by scanning the groups
//! gathered so far (a linear search would make 20,000 aliases cost 20,000² comparisons).

use std::collections::HashSet;

use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::{Name, Node};
use futures::future::{BoxFuture, FutureExt};
use indexmap::IndexMap;

use super::context::Invocation;

/// Response key -> the fields that answer it (several when the query repeats a key).
pub type Groups<'a> = IndexMap<&'a Name, Vec<&'a Node<Field>>>;

pub fn collect<'a>(inv: &Invocation<'a>, type_name: &str, sets: &[&'a SelectionSet]) -> Groups<'a> {
    let mut groups = Groups::new();
    let mut visited = HashSet::new();
    for set in sets {
        collect_into(inv, type_name, set, &mut groups, &mut visited);
    }
    groups
}

fn collect_into<'a>(
    inv: &Invocation<'a>,
    type_name: &str,
    set: &'a SelectionSet,
    groups: &mut Groups<'a>,
    visited: &mut HashSet<&'a Name>,
) {
    for selection in &set.selections {
        if !inv.included(selection.directives()) {
            continue;
        }
        match selection {
            Selection::Field(f) => groups.entry(f.response_key()).or_default().push(f),
            Selection::FragmentSpread(spread) => {
                if !visited.insert(&spread.fragment_name) {
                    continue;
                }
                if let Some(fragment) = inv.prepared.doc.fragments.get(&spread.fragment_name) {
                    if inv.applies(Some(fragment.type_condition().as_str()), type_name) {
                        collect_into(inv, type_name, &fragment.selection_set, groups, visited);
                    }
                }
            }
            Selection::InlineFragment(inline) => {
                let condition = inline.type_condition.as_ref().map(|t| t.as_str());
                if inv.applies(condition, type_name) {
                    collect_into(inv, type_name, &inline.selection_set, groups, visited);
                }
            }
        }
    }
}

/// `info.selectionSetList`: every field below, as `a`, `a/b`, ... by response key, depth
/// first. It yields to the runtime as it goes: nested aliases multiply, and a long list must
/// not hold a worker thread.
pub async fn selection_list<'a>(
    inv: &Invocation<'a>,
    type_name: &str,
    sets: Vec<&'a SelectionSet>,
) -> Vec<String> {
    let mut out = Vec::new();
    list_into(inv, type_name.to_string(), sets, String::new(), &mut out).await;
    out
}

fn list_into<'i, 'a: 'i>(
    inv: &'i Invocation<'a>,
    type_name: String,
    sets: Vec<&'a SelectionSet>,
    prefix: String,
    out: &'i mut Vec<String>,
) -> BoxFuture<'i, ()> {
    async move {
        for (key, fields) in collect(inv, &type_name, &sets) {
            tokio::task::consume_budget().await;
            let path = format!("{prefix}{key}");
            out.push(path.clone());
            let subs: Vec<&SelectionSet> = fields
                .iter()
                .map(|f| &f.selection_set)
                .filter(|s| !s.selections.is_empty())
                .collect();
            if let Some(first) = fields.first().filter(|_| !subs.is_empty()) {
                let inner = first.definition.ty.inner_named_type().to_string();
                list_into(inv, inner, subs, format!("{path}/"), out).await;
            }
        }
    }
    .boxed()
}
