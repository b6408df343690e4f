//! What each function's policies grant, and the check that a function is granted exactly the
//! DynamoDB calls it was seen making, table by table (`recorded.rs` does the seeing).

use std::collections::BTreeSet;

use testkit::template::{ArnTarget, Function, Policy, Statement, Template};

/// One Allow statement: its actions on its resources.
#[derive(Debug, Clone)]
pub struct Grant {
    pub actions: BTreeSet<String>,
    pub targets: Vec<ArnTarget>,
}

pub fn grants_of<'a>(t: &Template, statements: impl Iterator<Item = &'a Statement>) -> Vec<Grant> {
    statements
        .filter(|s| s.allows())
        .map(|s| Grant {
            actions: s.action.iter().cloned().collect(),
            targets: s.resource.iter().map(|r| t.arn_target(r)).collect(),
        })
        .collect()
}

/// The statements of a SAM function's `Policies`. Only inline policy documents: SAM policy
/// templates and managed policies hide what they grant from review (and from this test).
pub fn function_grants(t: &Template, f: &Function) -> Vec<Grant> {
    for p in &f.properties.policies {
        assert!(
            matches!(p, Policy::Inline(_)),
            "{}: write Policies as inline statements ({{Version, Statement}}), not SAM \
             policy templates or managed policies, so that what each function may do stays \
             visible and checked: {p:?}",
            f.id
        );
    }
    grants_of(t, f.properties.statements())
}

pub fn granted(grants: &[Grant], action: &str, target: &ArnTarget) -> bool {
    grants
        .iter()
        .any(|g| g.actions.contains(action) && g.targets.contains(target))
}

/// One DynamoDB access a function was seen making, in the template's terms.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Used {
    /// The table's logical id (or, if it is none of the template's, the name it was called by).
    pub table: String,
    /// The IAM action, e.g. `dynamodb:Query`.
    pub action: String,
    pub index: Option<String>,
}

impl Used {
    pub fn new(table: &str, action: &str, index: Option<&str>) -> Self {
        Self {
            table: table.into(),
            action: action.into(),
            index: index.map(str::to_owned),
        }
    }
}

/// A granted (table, action) that no fixture exercises, kept with the reason it must stay.
#[derive(Debug, Clone, Copy)]
pub struct Unexercised {
    /// The function's binary.
    pub function: &'static str,
    pub table: &'static str,
    pub action: &'static str,
    pub reason: &'static str,
}

/// Everything wrong with `f`'s DynamoDB grants given what it was seen doing: a call without
/// its grant (a deploy that fails at run time) or a grant without a call (more privilege than
/// the code needs), unless listed in `unexercised` with its reason.
pub fn violations(
    t: &Template,
    f: &Function,
    used: &BTreeSet<Used>,
    unexercised: &[Unexercised],
) -> Vec<String> {
    let grants = function_grants(t, f);
    let id = &f.id;
    let mut out = Vec::new();
    for u in used {
        let Some(table) = t.table(&u.table) else {
            out.push(format!(
                "{id}: {} on {}, which is not a table of the template (or the call names no table)",
                u.action, u.table
            ));
            continue;
        };
        let table = &table.id;
        match &u.index {
            None if !granted(&grants, &u.action, &ArnTarget::Table(table.clone())) => {
                out.push(format!(
                    "{id}: the fixtures make it call {} on {table}; grant it on !GetAtt {table}.Arn",
                    u.action
                ))
            }
            Some(index)
                if !granted(&grants, &u.action, &ArnTarget::Index(table.clone(), "*".into()))
                    && !granted(
                        &grants,
                        &u.action,
                        &ArnTarget::Index(table.clone(), index.clone()),
                    ) =>
            {
                out.push(format!(
                    "{id}: the fixtures make it call {} on {table}'s index {index} without a \
                     grant on !Sub \"${{{table}.Arn}}/index/*\"",
                    u.action
                ))
            }
            _ => {}
        }
    }

    let excused = |table: &str, action: &str| {
        unexercised
            .iter()
            .any(|x| Some(x.function) == f.binary() && x.table == table && x.action == action)
    };
    for g in &grants {
        for target in &g.targets {
            match target {
                ArnTarget::Table(table) => {
                    for action in g.actions.iter().filter(|a| a.starts_with("dynamodb:")) {
                        let seen = used
                            .iter()
                            .any(|u| u.table == *table && u.action == *action && u.index.is_none());
                        if !seen && !excused(table, action) {
                            out.push(format!(
                                "{id}: {action} on {table} is granted but no fixture makes that \
                                 call (least privilege: drop it, or add a fixture, or list it \
                                 as unexercised with the reason)"
                            ));
                        }
                    }
                }
                ArnTarget::Index(table, name) => {
                    let seen = used.iter().any(|u| {
                        u.table == *table
                            && u.index.as_ref().is_some_and(|i| name == "*" || i == name)
                    });
                    if !seen {
                        out.push(format!(
                            "{id}: grants on {table}'s index {name} but no fixture reads it"
                        ));
                    }
                }
                _ => {}
            }
        }
    }

    // The excuses must stay true, or the list rots into a blanket exemption.
    for x in unexercised
        .iter()
        .filter(|x| Some(x.function) == f.binary())
    {
        if x.reason.trim().is_empty() {
            out.push(format!(
                "{id}: {} on {} is listed as unexercised without a reason",
                x.action, x.table
            ));
        }
        if used
            .iter()
            .any(|u| u.table == x.table && u.action == x.action && u.index.is_none())
        {
            out.push(format!(
                "{id}: {} on {} is listed as unexercised, but a fixture makes that call: drop \
                 it from the list",
                x.action, x.table
            ));
        }
        if !granted(&grants, x.action, &ArnTarget::Table(x.table.into())) {
            out.push(format!(
                "{id}: {} on {} is listed as unexercised but not granted: drop it from the list",
                x.action, x.table
            ));
        }
    }
    out.sort();
    out.dedup();
    out
}
