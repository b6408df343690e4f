//! A mirror of what the tables hold, kept from the writes the model sees (and the items reads
//! return), so a write is costed at the larger of the item's size before and after it, and an
//! index write is counted only when the change touches that index's keys or projection.
//! UpdateItem is applied by a small evaluator of the expressions this project writes: `SET`
//! (`a = v`, `a = a + v`, `a = a - v`, `if_not_exists`), `REMOVE`, `ADD` of numbers.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::request::{Item, Names};

/// Items by table and key.
#[derive(Debug, Default, Clone)]
pub struct Shadow {
    tables: HashMap<String, HashMap<String, Item>>,
}

/// A key's identity: its attributes in name order.
pub fn key_id(key: &Item) -> String {
    let mut parts: Vec<String> = key.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    parts.sort();
    parts.join("|")
}

impl Shadow {
    pub fn get(&self, table: &str, key: &Item) -> Option<&Item> {
        self.tables.get(table)?.get(&key_id(key))
    }

    pub fn put(&mut self, table: &str, key: &Item, item: Item) {
        self.tables
            .entry(table.to_string())
            .or_default()
            .insert(key_id(key), item);
    }

    pub fn remove(&mut self, table: &str, key: &Item) {
        if let Some(t) = self.tables.get_mut(table) {
            t.remove(&key_id(key));
        }
    }
}

/// The item after an UpdateItem, or `None` when the expression uses something this evaluator
/// does not know (the caller then treats every attribute as changed).
pub fn apply_update(
    before: Option<&Item>,
    key: &Item,
    expression: &str,
    names: &Names,
    values: &Item,
) -> Option<Item> {
    let mut item = before.cloned().unwrap_or_else(|| key.clone());
    let tokens = tokenize(expression)?;
    let mut i = 0;
    while i < tokens.len() {
        let clause = tokens[i].to_ascii_uppercase();
        i += 1;
        loop {
            match clause.as_str() {
                "SET" => {
                    let name = name_of(tokens.get(i)?, names)?;
                    if tokens.get(i + 1).map(String::as_str) != Some("=") {
                        return None;
                    }
                    i += 2;
                    let (value, next) = operand(&tokens, i, &item, names, values)?;
                    i = next;
                    let value = match tokens.get(i).map(String::as_str) {
                        Some(op @ ("+" | "-")) => {
                            let (rhs, next) = operand(&tokens, i + 1, &item, names, values)?;
                            i = next;
                            arithmetic(&value, &rhs, op == "-")?
                        }
                        _ => value,
                    };
                    item.insert(name, value);
                }
                "REMOVE" => {
                    let name = name_of(tokens.get(i)?, names)?;
                    i += 1;
                    item.remove(&name);
                }
                "ADD" => {
                    let name = name_of(tokens.get(i)?, names)?;
                    let delta = values.get(tokens.get(i + 1)?)?;
                    i += 2;
                    let sum = match item.get(&name) {
                        Some(old) => arithmetic(old, delta, false)?,
                        None => delta.clone(),
                    };
                    item.insert(name, sum);
                }
                _ => return None,
            }
            if tokens.get(i).map(String::as_str) == Some(",") {
                i += 1;
            } else {
                break;
            }
        }
    }
    Some(item)
}

fn tokenize(expression: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in expression.chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '#' | ':') {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        match c {
            '=' | '+' | '-' | ',' | '(' | ')' => out.push(c.to_string()),
            c if c.is_whitespace() => {}
            // Nested paths (a.b, a[0]) and comparisons are not written by this project.
            _ => return None,
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    Some(out)
}

fn name_of(token: &str, names: &Names) -> Option<String> {
    if token.starts_with('#') {
        names.get(token).cloned()
    } else if token.starts_with(':') {
        None
    } else {
        Some(token.to_string())
    }
}

/// An operand at `i`: a value, an attribute, or `if_not_exists(attribute, operand)`.
fn operand(
    tokens: &[String],
    i: usize,
    item: &Item,
    names: &Names,
    values: &Item,
) -> Option<(AttributeValue, usize)> {
    let t = tokens.get(i)?;
    if t.starts_with(':') {
        return Some((values.get(t)?.clone(), i + 1));
    }
    if t.eq_ignore_ascii_case("if_not_exists") && tokens.get(i + 1)? == "(" {
        let name = name_of(tokens.get(i + 2)?, names)?;
        if tokens.get(i + 3)? != "," {
            return None;
        }
        let (fallback, next) = operand(tokens, i + 4, item, names, values)?;
        if tokens.get(next)? != ")" {
            return None;
        }
        let v = item.get(&name).cloned().unwrap_or(fallback);
        return Some((v, next + 1));
    }
    let name = name_of(t, names)?;
    Some((item.get(&name)?.clone(), i + 1))
}

fn arithmetic(a: &AttributeValue, b: &AttributeValue, minus: bool) -> Option<AttributeValue> {
    let (AttributeValue::N(a), AttributeValue::N(b)) = (a, b) else {
        return None;
    };
    let text = match (a.parse::<i128>(), b.parse::<i128>()) {
        (Ok(a), Ok(b)) => (if minus { a - b } else { a + b }).to_string(),
        _ => {
            let (a, b) = (a.parse::<f64>().ok()?, b.parse::<f64>().ok()?);
            (if minus { a - b } else { a + b }).to_string()
        }
    };
    Some(AttributeValue::N(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    fn n(v: i64) -> AttributeValue {
        AttributeValue::N(v.to_string())
    }

    #[test]
    fn updates_set_count_and_remove() {
        let key = Item::from([("id".to_string(), s("e"))]);
        let mut before = key.clone();
        before.insert("left".into(), n(5));
        before.insert("description".into(), s("long"));
        let names = Names::from([("#name".to_string(), "name".to_string())]);
        let values = Item::from([
            (":one".to_string(), n(1)),
            (":name".to_string(), s("Gig")),
            (":v".to_string(), n(9)),
        ]);
        let after = apply_update(
            Some(&before),
            &key,
            "SET #name = :name, left = left - :one, version = if_not_exists(version, :v) + :one REMOVE description",
            &names,
            &values,
        )
        .unwrap();
        assert_eq!(after.get("name"), Some(&s("Gig")));
        assert_eq!(after.get("left"), Some(&n(4)));
        assert_eq!(after.get("version"), Some(&n(10)));
        assert!(!after.contains_key("description"));
        let added = apply_update(Some(&after), &key, "ADD left :one", &names, &values).unwrap();
        assert_eq!(added.get("left"), Some(&n(5)));
        assert!(apply_update(None, &key, "SET a.b = :one", &names, &values).is_none());
    }
}
