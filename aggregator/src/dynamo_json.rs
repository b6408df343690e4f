//! Reads a DynamoDB-JSON image (`{"caloriesConsumed": {"N": "120"}, ...}`) straight into a
//! serde type such as `model::Activity`, without building a `serde_dynamo::Item` first.
//!
//! This is the fast path for well-formed batches: an `Item` costs a HashMap and three
//! strings per attribute, which made parsing most of the batch's CPU time. It is strict on
//! purpose: a value is read only from the attribute type serde_dynamo reads it from (text
//! only from `S` holding a JSON string, numbers only from `N` holding a numeric string,
//! booleans only from `BOOL` holding a JSON boolean), and an attribute the target ignores
//! must still have the shape serde_dynamo's `Item` requires (`NULL` true, a set of strings,
//! a set of numbers). Maps, lists and binary values are left to serde_dynamo. Anything else
//! is an error, and the caller then falls back to `serde_dynamo`, so whenever this succeeds
//! it gives the value `serde_dynamo` would have given (checked against it on generated
//! records, wrongly typed values included, in the tests below).

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
            Tag::S => map.next_value_seed(Only(self.0, Tag::S))?,
            Tag::Bool => map.next_value_seed(Only(self.0, Tag::Bool))?,
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
    // serde_dynamo reads an ignored number as i64, u64 or f64, and fails if it is none of
    // them; every text that is an i64 or a u64 is an f64 too.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.parse::<f64>()?;
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i128 u128 char str string bytes byte_buf option unit unit_struct newtype_struct
        seq tuple tuple_struct map struct enum identifier
    }
}

/// An `S` or `BOOL` value, read only as what that type means: a JSON string as text, a JSON
/// boolean as a boolean. Text into a number, a boolean into text and the like are errors
/// here as in serde_dynamo; reads serde_dynamo would make otherwise (an `Option`, a newtype)
/// are left to it.
struct Only<S>(S, Tag);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Only<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(OnlyAs(deserializer, self.1))
    }
}

struct OnlyAs<D>(D, Tag);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for OnlyAs<D> {
    type Error = D::Error;

    // Every read not listed below: not for the fast path to judge.
    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, D::Error> {
        Err(de::Error::custom(
            "an attribute type the fast path does not read as this field's type",
        ))
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        match self.1 {
            Tag::S => self.0.deserialize_str(visitor),
            _ => self.0.deserialize_bool(visitor),
        }
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.read(Tag::S, visitor)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.read(Tag::S, visitor)
    }
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.read(Tag::Bool, visitor)
    }

    forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
    }
}

impl<'de, D: Deserializer<'de>> OnlyAs<D> {
    /// The value as `want`, if that is what the attribute type means.
    fn read<V: Visitor<'de>>(self, want: Tag, visitor: V) -> Result<V::Value, D::Error> {
        match (self.1, want) {
            (Tag::S, Tag::S) => self.0.deserialize_str(visitor),
            (Tag::Bool, Tag::Bool) => self.0.deserialize_bool(visitor),
            _ => self.deserialize_any(visitor),
        }
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
        let shape_ok = match self.1 {
            // serde_dynamo ignores a NULL as a unit, which only `true` is.
            Tag::Null => <bool as de::Deserialize>::deserialize(self.0)?,
            // It ignores a set item by item, and a number set's items as numbers.
            Tag::NumberSet => <Vec<String> as de::Deserialize>::deserialize(self.0)?
                .iter()
                .all(|n| n.parse::<f64>().is_ok()),
            _ => {
                <Vec<String> as de::Deserialize>::deserialize(self.0)?;
                true
            }
        };
        if !shape_ok {
            return Err(de::Error::custom(
                "a NULL that is not true, or a number set with a non-number",
            ));
        }
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
    }
}

#[cfg(test)]
pub(crate) mod tests {
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

    #[test]
    fn a_value_of_the_wrong_attribute_type_does_not_read() {
        // Issue 12: both read as Food / 120 before.
        for (field, value) in [
            ("category", json!({"BOOL": "Food"})),
            ("caloriesConsumed", json!({"S": 120})),
            ("caloriesConsumed", json!({"S": "120"})),
            ("userid", json!({"BOOL": true})),
            ("userid", json!({"N": "7"})),
            ("caloriesConsumed", json!({"BOOL": true})),
        ] {
            let mut v = base();
            v[field] = value.clone();
            assert_eq!(fast(&v), None, "{field}: {value}");
            assert_eq!(slow(&v), None, "{field}: {value}");
        }
    }

    #[test]
    fn an_ignored_attribute_must_still_be_a_valid_attribute_value() {
        // serde_dynamo refuses the whole item for each of these, so the fast path must too.
        for value in [
            json!({"S": 5}),
            json!({"BOOL": "yes"}),
            json!({"N": "abc"}),
            json!({"N": ""}),
            json!({"NULL": false}),
            json!({"NS": ["1", "x"]}),
            json!({"SS": [1]}),
        ] {
            let mut v = base();
            v["note"] = value.clone();
            assert_eq!(fast(&v), None, "{value}");
            assert_eq!(slow(&v), None, "{value}");
        }
        let mut v = base();
        v["note"] = json!({"NS": ["1", "-2.5e3", "inf"]});
        assert_eq!(fast(&v), slow(&v));
        assert!(fast(&v).is_some());
    }

    /// Attribute values of every type, well and wrongly typed, and values that are no
    /// attribute value at all.
    fn attribute(rng: &mut fastrand::Rng) -> Value {
        const TEXTS: &[&str] = &[
            "Food",
            "Drink",
            "Exercise",
            "u1",
            "",
            "12",
            "-5",
            "true",
            "2026-11-21T08:30:00.000Z",
            "F\u{00f6}\"od\\",
            "\u{1F600}",
            " 12",
            "null",
        ];
        const NUMBERS: &[&str] = &[
            "120",
            "-5",
            "+7",
            "0",
            "-0",
            "12.5",
            "1e3",
            " 12",
            "12 ",
            "",
            "abc",
            "0x10",
            "inf",
            "NaN",
            "99999999999999999999",
            "-9223372036854775808",
            "9223372036854775807",
            "18446744073709551615",
            "1_000",
            "٣",
        ];
        let text = |rng: &mut fastrand::Rng| Value::from(TEXTS[rng.usize(..TEXTS.len())]);
        let number = |rng: &mut fastrand::Rng| Value::from(NUMBERS[rng.usize(..NUMBERS.len())]);
        let scalar = |rng: &mut fastrand::Rng| match rng.u8(..6) {
            0 => text(rng),
            1 => number(rng),
            2 => Value::from(rng.i64(-1000..1000)),
            3 => Value::from(rng.bool()),
            4 => Value::Null,
            _ => json!([text(rng)]),
        };
        match rng.u8(..20) {
            0..=3 => json!({"S": text(rng)}),
            4..=7 => json!({"N": number(rng)}),
            8 => json!({"BOOL": rng.bool()}),
            9 => json!({"NULL": rng.bool()}),
            10 => json!({"SS": [text(rng), text(rng)]}),
            11 => json!({"NS": [number(rng), number(rng)]}),
            12 => json!({"M": {"x": {"S": text(rng)}}}),
            13 => json!({"L": [{"N": number(rng)}]}),
            14 => json!({"B": if rng.bool() { "AAEC" } else { "!!" }}),
            15 => json!({"BS": ["AAEC"]}),
            // The wrong JSON inside a right tag, a tag that is none, two tags, no tag.
            16 => {
                let tag = ["S", "N", "BOOL", "NULL", "SS", "NS"][rng.usize(..6)];
                json!({ tag: scalar(rng) })
            }
            17 => json!({"Q": text(rng)}),
            18 => json!({"S": text(rng), "N": number(rng)}),
            _ => {
                if rng.bool() {
                    json!({})
                } else {
                    scalar(rng)
                }
            }
        }
    }

    /// An activity image: each field well typed most of the time, sometimes anything at
    /// all, sometimes missing; a few extra attributes; keys in any order.
    pub(crate) fn image(rng: &mut fastrand::Rng) -> String {
        let mut fields: Vec<(String, Value)> = Vec::new();
        for (k, v) in base().as_object().unwrap() {
            if rng.u8(..40) == 0 {
                continue;
            }
            let v = if rng.u8(..6) == 0 {
                attribute(rng)
            } else {
                v.clone()
            };
            fields.push((k.clone(), v));
        }
        for i in 0..rng.usize(..4) {
            fields.push((format!("extra{i}"), attribute(rng)));
        }
        rng.shuffle(&mut fields);
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{v}", Value::from(k.as_str())))
            .collect();
        format!("{{{}}}", body.join(","))
    }

    #[test]
    fn differential_against_serde_dynamo_on_generated_images() {
        let seed = 0x5EED_D1FF;
        let mut rng = fastrand::Rng::with_seed(seed);
        let (mut fast_ok, mut both_refuse, mut fell_back) = (0, 0, 0);
        for i in 0..20_000 {
            let text = image(&mut rng);
            let fast = serde_json::from_str::<DynamoJson<Activity>>(&text).map(|d| d.0);
            let slow = serde_json::from_str::<serde_dynamo::Item>(&text)
                .map_err(|e| e.to_string())
                .and_then(|item| {
                    serde_dynamo::from_attribute_value::<_, Activity>(
                        serde_dynamo::AttributeValue::M(item.into_inner()),
                    )
                    .map_err(|e| e.to_string())
                });
            match (&fast, &slow) {
                (Ok(f), Ok(s)) => {
                    assert_eq!(f, s, "image {i} (seed {seed:#x}): {text}");
                    fast_ok += 1;
                }
                (Ok(f), Err(e)) => panic!(
                    "image {i} (seed {seed:#x}): the fast path read {f:?} where serde_dynamo \
                     refuses ({e}): {text}"
                ),
                (Err(_), Ok(_)) => fell_back += 1,
                (Err(_), Err(_)) => both_refuse += 1,
            }
        }
        // Not vacuous: many images read fast, many are refused by both, and the fallback
        // (the fast path declining what serde_dynamo reads, e.g. an extra map) happens too.
        assert!(fast_ok > 2_000, "{fast_ok} read fast");
        assert!(both_refuse > 2_000, "{both_refuse} refused by both");
        assert!(fell_back > 100, "{fell_back} left to serde_dynamo");
        eprintln!("{fast_ok} read fast, {both_refuse} refused by both, {fell_back} fell back");
    }
}
