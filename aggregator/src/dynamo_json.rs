//! Reads a DynamoDB-JSON image (`{"caloriesConsumed": {"N": "120"}, ...}`) straight into a
//! serde type such as `model::Activity`, without building a `serde_dynamo::Item` first.
//!
//! This is the fast path for well-formed batches: an `Item` costs a HashMap and three
//! strings per attribute, which made parsing most of the batch's CPU time. It is strict on
//! purpose: strings only from `S`, numbers only from `N` (parsed as `serde_dynamo` parses
//! them), other attribute types only for fields the target ignores. Anything else is an
//! error, and the caller then falls back to `serde_dynamo`, so whenever this succeeds it
//! gives the value `serde_dynamo` would have given.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::forward_to_deserialize_any;

/// `T` read from a DynamoDB-JSON item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamoJson<T>(pub T);

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for DynamoJson<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(ItemVisitor(PhantomData))
            .map(DynamoJson)
    }
}

struct ItemVisitor<T>(PhantomData<T>);

impl<'de, T: de::Deserialize<'de>> Visitor<'de> for ItemVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a DynamoDB-JSON item")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(Attributes(map)))
    }
}

/// The item's map, with each value unwrapped from its type tag.
struct Attributes<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Attributes<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.next_value_seed(Attribute(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// DynamoDB's attribute types; any other tag fails the fast path, as serde_dynamo fails.
#[derive(serde::Deserialize, Clone, Copy)]
enum Tag {
    S,
    N,
    #[serde(rename = "BOOL")]
    Bool,
    #[serde(rename = "NULL")]
    Null,
    #[serde(rename = "SS")]
    StringSet,
    #[serde(rename = "NS")]
    NumberSet,
    M,
    L,
    B,
    #[serde(rename = "BS")]
    BinarySet,
}

/// One attribute value, `{"S": ...}`, handed to the field's seed as the plain value.
struct Attribute<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Attribute<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Attribute<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"an attribute value such as {"S": "text"}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<S::Value, A::Error> {
        let tag: Tag = map
            .next_key()?
            .ok_or_else(|| de::Error::custom("an attribute value without a type"))?;
        let value = match tag {
            // JSON strings and booleans are what S and BOOL mean.
            Tag::S | Tag::Bool => map.next_value_seed(self.0)?,
            Tag::N => map.next_value_seed(Number(self.0))?,
            Tag::Null | Tag::StringSet | Tag::NumberSet => {
                map.next_value_seed(IgnoredOnly(self.0, tag))?
            }
            // Nested values and base64 would need serde_dynamo's own checks: leave them to it.
            Tag::M | Tag::L | Tag::B | Tag::BinarySet => {
                return Err(de::Error::custom(
                    "an attribute type the fast path does not read",
                ))
            }
        };
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(
                "an attribute value with more than one type",
            ));
        }
        Ok(value)
    }
}

/// An `N` value: a JSON string holding the number's text.
struct Number<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Number<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = std::borrow::Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number as a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(v.into())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(v.to_owned().into())
            }
        }
        let text = deserializer.deserialize_str(Text)?;
        self.0
            .deserialize(NumberText(&text))
            .map_err(de::Error::custom)
    }
}

struct NumberText<'a>(&'a str);

impl NumberText<'_> {
    fn parse<T: std::str::FromStr>(&self) -> Result<T, de::value::Error>
    where
        T::Err: fmt::Display,
    {
        self.0
            .parse()
            .map_err(|e| de::Error::custom(format_args!("number {:?}: {e}", self.0)))
    }
}

impl<'de> Deserializer<'de> for NumberText<'_> {
    type Error = de::value::Error;

    // Only numeric reads succeed: a number read as text (or anything else) is for
    // serde_dynamo to judge.
    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom(
            "a number attribute where something else is expected",
        ))
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_i8(self.parse()?)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_i16(self.parse()?)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_i32(self.parse()?)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_i64(self.parse()?)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_u8(self.parse()?)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_u16(self.parse()?)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_u32(self.parse()?)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_u64(self.parse()?)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_f32(self.parse()?)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_f64(self.parse()?)
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i128 u128 char str string bytes byte_buf option unit unit_struct newtype_struct
        seq tuple tuple_struct map struct enum identifier
    }
}

/// NULL or a string/number set: fine for a field the target ignores (once its value has
/// the shape serde_dynamo requires), an error for one it reads.
struct IgnoredOnly<S>(S, Tag);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for IgnoredOnly<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(OnlyIgnoredAny(deserializer, self.1))
    }
}

struct OnlyIgnoredAny<D>(D, Tag);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for OnlyIgnoredAny<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, D::Error> {
        Err(de::Error::custom(
            "an attribute type the fast path does not read",
        ))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        match self.1 {
            Tag::Null => {
                <bool as de::Deserialize>::deserialize(self.0)?;
            }
            _ => {
                <Vec<String> as de::Deserialize>::deserialize(self.0)?;
            }
        }
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Activity;
    use serde_json::{json, Value};

    fn fast(v: &Value) -> Option<Activity> {
        serde_json::from_str::<DynamoJson<Activity>>(&v.to_string())
            .ok()
            .map(|d| d.0)
    }

    fn slow(v: &Value) -> Option<Activity> {
        let item: serde_dynamo::Item = serde_json::from_value(v.clone()).ok()?;
        serde_dynamo::from_item(item).ok()
    }

    fn base() -> Value {
        json!({
            "userid": {"S": "u1"}, "id": {"S": "a1"}, "category": {"S": "Food"},
            "type": {"S": "Lunch"}, "caloriesConsumed": {"N": "120"},
            "creationDateTime": {"S": "2026-11-21T08:30:00.000Z"}
        })
    }

    #[test]
    fn reads_an_activity_like_serde_dynamo() {
        let v = base();
        assert_eq!(fast(&v), slow(&v));
        assert_eq!(fast(&v).unwrap().calories, 120);
    }

    #[test]
    fn whenever_the_fast_path_succeeds_it_agrees_with_serde_dynamo() {
        let variants: Vec<(&str, Value)> = vec![
            ("caloriesConsumed", json!({"N": "-5"})),
            ("caloriesConsumed", json!({"N": "+7"})),
            ("caloriesConsumed", json!({"N": "12.5"})),
            ("caloriesConsumed", json!({"N": "1e3"})),
            ("caloriesConsumed", json!({"N": " 12"})),
            ("caloriesConsumed", json!({"N": "99999999999999999999"})),
            ("caloriesConsumed", json!({"S": "12"})),
            ("caloriesConsumed", json!({"N": 12})),
            ("caloriesConsumed", json!({"NULL": true})),
            ("caloriesConsumed", json!({"N": "1", "S": "1"})),
            ("caloriesConsumed", json!({})),
            ("category", json!({"N": "1"})),
            ("category", json!({"BOOL": true})),
            ("category", json!({"SS": ["Food"]})),
            ("category", json!({"S": "F\u{00f6}\"od\\"})),
            ("type", json!({"NULL": true})),
            ("owner", json!({"M": {"x": {"S": "y"}}})),
            ("tags", json!({"SS": ["a", "b"]})),
            ("flag", json!({"BOOL": false})),
            ("blob", json!({"B": "AAEC"})),
            ("blob", json!({"B": "not base64!"})),
            ("nested", json!({"L": [{"S": "x"}]})),
            ("weird", json!({"Q": "?"})),
            ("nothing", json!({"NULL": "yes"})),
            ("nothing", json!({"NULL": true})),
            ("numbers", json!({"NS": ["1", "2"]})),
            ("numbers", json!({"NS": [1, 2]})),
        ];
        let mut fast_ok = 0;
        for (field, value) in variants {
            let mut v = base();
            v[field] = value.clone();
            if let Some(a) = fast(&v) {
                fast_ok += 1;
                assert_eq!(Some(a), slow(&v), "{field}: {value}");
            }
        }
        // Negative numbers, escaped text and extra S/N/BOOL/NULL/SS/NS attributes stay fast.
        assert!(fast_ok >= 7, "{fast_ok}");
        let mut missing = base();
        missing.as_object_mut().unwrap().remove("caloriesConsumed");
        assert_eq!(fast(&missing), None);
        assert_eq!(slow(&missing), None);
    }
}
