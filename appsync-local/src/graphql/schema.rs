//! The API as AppSync holds it: schema.graphql with AppSync's predefined scalars and
//! directives, and the Direct Lambda resolvers template.yaml attaches to its fields.

use std::collections::HashMap;
use std::path::Path;

use apollo_compiler::ast::OperationType;
use apollo_compiler::schema::Implementers;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Schema};

use super::scalars;
use crate::error::{Error, Result};
use stack_template::{Function, Template};

/// A Direct Lambda resolver as the template declares it.
#[derive(Debug, Clone)]
pub struct LambdaResolver {
    pub function: String,
    /// 0: one invocation per parent; above 0: BatchInvoke with at most this many items.
    pub max_batch_size: usize,
}

/// The per-request limits of the API resource (`QueryDepthLimit`, `ResolverCountLimit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Field levels a query may nest, the root field being level 1; `None`: no limit.
    pub query_depth: Option<usize>,
    /// Resolver executions in one request (one per field per parent object).
    pub resolver_count: usize,
}

impl Default for Limits {
    /// AppSync's defaults: no depth limit, 10,000 resolvers.
    fn default() -> Self {
        Self {
            query_depth: None,
            resolver_count: 10_000,
        }
    }
}

impl Limits {
    /// The limits the template's GraphQL API sets; AppSync's defaults for what it leaves out
    /// (0 is AppSync's "unset" too).
    pub fn of(template: &Template) -> Self {
        let api = template.graphql_apis.first().map(|a| &a.properties);
        let positive = |v: Option<i64>| v.filter(|n| *n > 0).map(|n| n as usize);
        Self {
            query_depth: api.and_then(|a| positive(a.query_depth_limit)),
            resolver_count: api
                .and_then(|a| positive(a.resolver_count_limit))
                .unwrap_or(Self::default().resolver_count),
        }
    }
}

/// Built once at start, shared by every request.
pub struct Api {
    pub schema: Valid<Schema>,
    pub implementers: apollo_compiler::collections::HashMap<Name, Implementers>,
    pub limits: Limits,
    resolvers: HashMap<(String, String), LambdaResolver>,
    /// Mutation field -> the subscription fields whose `@aws_subscribe` names it.
    subscribed: HashMap<String, Vec<String>>,
}

impl Api {
    /// Reads schema.graphql and the resolvers of template.yaml.
    pub fn load(schema_path: &Path, template: &Template) -> Result<Self> {
        let sdl = std::fs::read_to_string(schema_path).map_err(Error::file(schema_path))?;
        let mut resolvers = HashMap::new();
        for r in &template.resolvers {
            let p = &r.properties;
            if p.kind() != "UNIT" {
                return Err(Error::Config(format!(
                    "{}: only UNIT resolvers are served locally",
                    r.id
                )));
            }
            let function = template
                .resolver_function(r)
                .and_then(Function::binary)
                .ok_or_else(|| {
                    Error::Config(format!(
                        "{}: its data source is not a Lambda function with a binary",
                        r.id
                    ))
                })?;
            let resolver = LambdaResolver {
                function: function.to_string(),
                max_batch_size: p.batch_size(),
            };
            resolvers.insert((p.type_name.clone(), p.field_name.clone()), resolver);
        }
        let mut api = Self::new(&sdl, &schema_path.display().to_string(), resolvers)?;
        api.limits = Limits::of(template);
        Ok(api)
    }

    pub fn new(
        sdl: &str,
        source_name: &str,
        resolvers: HashMap<(String, String), LambdaResolver>,
    ) -> Result<Self> {
        let schema = Schema::builder()
            .adopt_orphan_extensions()
            .parse(scalars::prelude_for(sdl), "appsync-predefined.graphql")
            .parse(sdl, source_name)
            .build()
            .and_then(Schema::validate)
            .map_err(|e| {
                Error::Config(format!(
                    "{source_name} is not a valid AppSync schema:\n{}",
                    e.errors
                ))
            })?;
        for (ty, field) in resolvers.keys() {
            let known = schema
                .get_object(ty)
                .is_some_and(|o| o.fields.contains_key(field.as_str()));
            if !known {
                return Err(Error::Config(format!(
                    "template.yaml has a resolver for {ty}.{field}, which {source_name} does not declare"
                )));
            }
        }
        let subscribed = aws_subscribe(&schema);
        Ok(Self {
            implementers: schema.implementers_map(),
            schema,
            limits: Limits::default(),
            resolvers,
            subscribed,
        })
    }

    /// The subscription fields a successful `mutation` field publishes to.
    pub fn subscriptions_of(&self, mutation: &str) -> &[String] {
        self.subscribed.get(mutation).map_or(&[], Vec::as_slice)
    }

    pub fn resolver(&self, type_name: &str, field: &str) -> Option<&LambdaResolver> {
        self.resolvers
            .get(&(type_name.to_string(), field.to_string()))
    }

    /// Query, Mutation or Subscription: fields there are never batched (one parent).
    pub fn is_root_type(&self, type_name: &str) -> bool {
        [
            OperationType::Query,
            OperationType::Mutation,
            OperationType::Subscription,
        ]
        .into_iter()
        .any(|t| {
            self.schema
                .root_operation(t)
                .is_some_and(|n| n == type_name)
        })
    }
}

/// `@aws_subscribe(mutations: [...])` on the subscription type's fields, by mutation.
fn aws_subscribe(schema: &Schema) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let Some(subscription) = schema
        .root_operation(OperationType::Subscription)
        .and_then(|n| schema.get_object(n))
    else {
        return out;
    };
    for (name, field) in &subscription.fields {
        for directive in field.directives.get_all("aws_subscribe") {
            let mutations = directive
                .specified_argument_by_name("mutations")
                .map(|v| match v.as_ref() {
                    apollo_compiler::ast::Value::List(items) => items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect(),
                    apollo_compiler::ast::Value::String(s) => vec![s.clone()],
                    _ => Vec::new(),
                })
                .unwrap_or_default();
            for m in mutations {
                out.entry(m).or_default().push(name.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_schema_with_the_templates_resolvers() {
        let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
        let api = Api::load(&schema, Template::repository()).unwrap();
        let room = api.resolver("Event", "room").expect("Event.room");
        assert_eq!(
            (room.function.as_str(), room.max_batch_size),
            ("resolvers", 100)
        );
        assert_eq!(
            api.resolver("Query", "listRooms").unwrap().max_batch_size,
            0
        );
        // Every field the Lambda says it resolves has a resolver in the template.
        for f in resolvers::appsync::fields::RESOLVED_FIELDS {
            let (ty, field) = f.split_once('.').unwrap();
            assert!(api.resolver(ty, field).is_some(), "{f} has no resolver");
        }
        assert!(api.is_root_type("Mutation") && !api.is_root_type("Event"));
        // @aws_subscribe, by mutation.
        assert_eq!(api.subscriptions_of("createActivity"), ["onCreateActivity"]);
        assert_eq!(api.subscriptions_of("deleteActivity"), ["onDeleteActivity"]);
        assert!(api.subscriptions_of("createRoom").is_empty());
        // The template's limits.
        assert_eq!(
            api.limits,
            Limits {
                query_depth: Some(6),
                resolver_count: 400
            }
        );
        // Left out, or 0: AppSync's defaults.
        assert_eq!(Limits::of(&Template::default()), Limits::default());
    }
}
