//! The body AppSync answers a GraphQL request with: `data`, then `errors` shaped as AppSync
//! shapes each kind (a resolver's error carries `errorType`, `data` and `errorInfo`; a request
//! or execution error only `path`, `locations` and `message`). Keys serialise in declaration
//! order; `data` keeps the query's order (serde_json's `preserve_order`).

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub data: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<GraphQLError>,
}

impl Response {
    /// A request refused before execution: no data.
    pub fn refused(errors: Vec<GraphQLError>) -> Self {
        Self {
            data: Value::Null,
            errors,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum GraphQLError {
    /// A resolver's (or field authorization's) error.
    Field {
        path: ResponsePath,
        /// Always null: a Direct Lambda resolver cannot set it.
        data: (),
        #[serde(rename = "errorType")]
        error_type: String,
        #[serde(rename = "errorInfo")]
        error_info: (),
        locations: Option<Vec<Location>>,
        message: String,
    },
    /// An error of the request (path null) or of execution itself.
    Plain {
        path: Option<ResponsePath>,
        locations: Option<Vec<Location>>,
        message: String,
    },
    /// An error another component shaped (apollo-compiler's introspection).
    Shaped(Value),
}

impl GraphQLError {
    pub fn request(message: impl Into<String>, at: Option<Location>) -> Self {
        Self::Plain {
            path: None,
            locations: at.map(|l| vec![l]),
            message: message.into(),
        }
    }
}

/// `locations[]` entry; AppSync always sends `sourceName: null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    #[serde(rename = "sourceName")]
    pub source_name: (),
}

impl From<apollo_compiler::parser::LineColumn> for Location {
    fn from(l: apollo_compiler::parser::LineColumn) -> Self {
        Self {
            line: l.line,
            column: l.column,
            source_name: (),
        }
    }
}

/// A response path: `["listEvents", "items", 2, "room"]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ResponsePath(Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Segment {
    Key(String),
    Index(usize),
}

impl ResponsePath {
    pub fn child(&self, segment: Segment) -> Self {
        let mut segments = Vec::with_capacity(self.0.len() + 1);
        segments.extend_from_slice(&self.0);
        segments.push(segment);
        Self(segments)
    }

    /// How many field names the path holds (list indexes not counted): the level of the field
    /// at its end.
    pub fn keys(&self) -> usize {
        self.0
            .iter()
            .filter(|s| matches!(s, Segment::Key(_)))
            .count()
    }

    /// graphql-java's form in messages: `/listEvents/items/2/room`.
    pub fn slashed(&self) -> String {
        self.0
            .iter()
            .map(|s| match s {
                Segment::Key(k) => format!("/{k}"),
                Segment::Index(i) => format!("/{i}"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_serialise_in_appsyncs_key_order() {
        let path = ResponsePath::default()
            .child(Segment::Key("a".into()))
            .child(Segment::Index(2));
        let field = GraphQLError::Field {
            path: path.clone(),
            data: (),
            error_type: "NotFound".into(),
            error_info: (),
            locations: Some(vec![Location {
                line: 1,
                column: 3,
                source_name: (),
            }]),
            message: "no".into(),
        };
        assert_eq!(
            serde_json::to_string(&field).unwrap(),
            r#"{"path":["a",2],"data":null,"errorType":"NotFound","errorInfo":null,"locations":[{"line":1,"column":3,"sourceName":null}],"message":"no"}"#
        );
        let body = Response::refused(vec![GraphQLError::request("bad", None)]);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({ "data": null, "errors": [{ "path": null, "locations": null, "message": "bad" }] })
        );
        assert_eq!(path.slashed(), "/a/2");
    }
}
