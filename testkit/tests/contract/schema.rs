//! `schema.graphql` as the contract test needs it, read with a real SDL parser: object types,
//! their fields and directives, and the rule for which fields need a Lambda resolver (see
//! the crate doc in `main.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use graphql_parser::schema::{Definition, Directive, Field, Type, TypeDefinition, TypeExtension};

#[derive(Debug, Default)]
pub struct FieldInfo {
    pub has_args: bool,
    pub named_type: String,
    pub directives: BTreeSet<String>,
}

#[derive(Debug, Default)]
pub struct ObjectInfo {
    pub directives: BTreeSet<String>,
    pub fields: BTreeMap<String, FieldInfo>,
}

#[derive(Debug)]
pub struct Schema {
    pub query: String,
    pub mutation: String,
    pub subscription: String,
    pub objects: BTreeMap<String, ObjectInfo>,
}

fn named<'a>(t: &'a Type<'static, String>) -> &'a str {
    match t {
        Type::NamedType(n) => n,
        Type::ListType(inner) | Type::NonNullType(inner) => named(inner),
    }
}

fn directive_names(ds: &[Directive<'static, String>]) -> BTreeSet<String> {
    ds.iter().map(|d| d.name.clone()).collect()
}

fn add_fields(obj: &mut ObjectInfo, fields: &[Field<'static, String>]) {
    for f in fields {
        obj.fields.insert(
            f.name.clone(),
            FieldInfo {
                has_args: !f.arguments.is_empty(),
                named_type: named(&f.field_type).to_string(),
                directives: directive_names(&f.directives),
            },
        );
    }
}

impl Schema {
    pub fn read(path: &Path) -> Self {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc = graphql_parser::parse_schema::<String>(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
            .into_static();
        let mut s = Schema {
            query: "Query".into(),
            mutation: "Mutation".into(),
            subscription: "Subscription".into(),
            objects: BTreeMap::new(),
        };
        for def in &doc.definitions {
            match def {
                Definition::SchemaDefinition(d) => {
                    if let Some(q) = &d.query {
                        s.query = q.clone();
                    }
                    if let Some(m) = &d.mutation {
                        s.mutation = m.clone();
                    }
                    if let Some(sub) = &d.subscription {
                        s.subscription = sub.clone();
                    }
                }
                Definition::TypeDefinition(TypeDefinition::Object(o)) => {
                    let obj = s.objects.entry(o.name.clone()).or_default();
                    obj.directives.extend(directive_names(&o.directives));
                    add_fields(obj, &o.fields);
                }
                Definition::TypeExtension(TypeExtension::Object(o)) => {
                    let obj = s.objects.entry(o.name.clone()).or_default();
                    obj.directives.extend(directive_names(&o.directives));
                    add_fields(obj, &o.fields);
                }
                _ => {}
            }
        }
        s
    }

    pub fn all_fields(&self) -> BTreeSet<String> {
        self.objects
            .iter()
            .flat_map(|(t, o)| o.fields.keys().map(move |f| format!("{t}.{f}")))
            .collect()
    }

    /// Object types some query or mutation returns.
    pub fn entities(&self) -> BTreeSet<String> {
        [&self.query, &self.mutation]
            .iter()
            .filter_map(|root| self.objects.get(*root))
            .flat_map(|o| o.fields.values().map(|f| f.named_type.clone()))
            .filter(|t| self.objects.contains_key(t))
            .collect()
    }

    /// The fields that cannot be answered without a Lambda resolver (see the crate doc).
    pub fn needing_lambda(&self) -> BTreeSet<String> {
        let entities = self.entities();
        let mut out = BTreeSet::new();
        for (type_name, obj) in &self.objects {
            for (name, f) in &obj.fields {
                let needs = if *type_name == self.query || *type_name == self.mutation {
                    true
                } else if *type_name == self.subscription {
                    false
                } else if f.has_args {
                    true
                } else if type_name.ends_with("Connection") && name == "items" {
                    false
                } else {
                    entities.contains(&f.named_type)
                };
                if needs {
                    out.insert(format!("{type_name}.{name}"));
                }
            }
        }
        out
    }
}
