//! Response values that keep their keys in order: GraphQL answers fields in the order the
//! query asks for them (serde_json's map would sort them).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Value(Value),
    List(Vec<Out>),
    Object(Vec<(String, Out)>),
}

impl Out {
    pub const NULL: Out = Out::Value(Value::Null);

    /// An object from `(key, value)` pairs, in that order.
    pub fn object<K: Into<String>>(entries: impl IntoIterator<Item = (K, Out)>) -> Self {
        Out::Object(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Out::Value(Value::Null))
    }

    /// The same value as serde_json's (keys sorted).
    pub fn into_value(self) -> Value {
        match self {
            Out::Value(v) => v,
            Out::List(items) => Value::Array(items.into_iter().map(Out::into_value).collect()),
            Out::Object(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_value()))
                    .collect(),
            ),
        }
    }
}

impl From<Value> for Out {
    fn from(v: Value) -> Self {
        Out::Value(v)
    }
}

impl Serialize for Out {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::Value(v) => v.serialize(s),
            Out::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Out::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_keep_their_order() {
        let o = Out::object([
            ("z", Out::from(json!(1))),
            ("a", Out::List(vec![Out::NULL])),
        ]);
        assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"z":1,"a":[null]}"#);
        assert_eq!(o.into_value(), json!({"a": [null], "z": 1}));
    }
}
