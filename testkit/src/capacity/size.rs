//! Item sizes as DynamoDB counts them ("Item sizes and formats" in the developer guide): the
//! UTF-8 length of every attribute name plus its value; strings by their UTF-8 bytes, numbers
//! one byte per two significant digits plus one, binaries by their raw bytes, booleans and
//! nulls one byte, lists and maps 3 bytes plus their elements and one byte per element.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

/// The size of an item, in bytes.
pub fn item_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

/// The size of one value (without its name).
pub fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(list) => 3 + list.iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, e)| 1 + k.len() + value_size(e))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// One byte per two significant digits (leading and trailing zeros trimmed), plus one.
fn number_size(n: &str) -> usize {
    let mantissa = n.split(['e', 'E']).next().unwrap_or_default();
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
    significant.div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    #[test]
    fn sizes_by_the_developer_guides_rules() {
        // "id" (2) + "e1" (2); "left" (4) + 12345 (3 digit pairs -> 3 + 1).
        let item = HashMap::from([
            ("id".to_string(), s("e1")),
            ("left".to_string(), AttributeValue::N("12345".into())),
        ]);
        assert_eq!(item_size(&item), 4 + 4 + 4);
        assert_eq!(number_size("0"), 1);
        assert_eq!(number_size("-1200.500"), 4, "12005: three bytes, plus one");
        assert_eq!(value_size(&s("né")), 3, "UTF-8 bytes");
        assert_eq!(value_size(&AttributeValue::Bool(true)), 1);
        // A list of two one-byte strings: 3 + (1 + 1) * 2.
        assert_eq!(value_size(&AttributeValue::L(vec![s("a"), s("b")])), 7);
        let map = AttributeValue::M(HashMap::from([("k".to_string(), s("vv"))]));
        assert_eq!(value_size(&map), 3 + 1 + 1 + 2);
    }
}
