//! `Fn::ForEach` expanded as CloudFormation's `AWS::LanguageExtensions` transform expands it,
//! so every reader sees the resources and outputs that are deployed, each under its own
//! logical id. In each copy of a loop's fragment `${Id}` (and `&{Id}`, the value without its
//! non-alphanumeric characters) in any string, and `Ref: Id`, become the collection's value;
//! then a `Ref` to a `Fn::Sub` with nothing left to substitute becomes a plain `Ref`, and a
//! `Fn::FindInMap` of three plain names takes its value from `Mappings`, as the transform
//! resolves them. Loops nest. The collection must be written out (a list of names).

use serde_yaml_ng::{Mapping, Value};

use crate::TemplateError;

const LOOP: &str = "Fn::ForEach::";

/// `template` with the loops of its `Resources` and `Outputs` expanded.
pub fn expand(mut template: Value) -> Result<Value, TemplateError> {
    let mappings = template.get("Mappings").cloned().unwrap_or(Value::Null);
    for section in ["Resources", "Outputs"] {
        if let Some(Value::Mapping(m)) = template.get_mut(section) {
            *m = expand_section(std::mem::take(m), &mappings)?;
        }
    }
    Ok(template)
}

/// The name and argument of an intrinsic function, short (`!GetAtt x`) or long form
/// (`{"Fn::GetAtt": x}`, `{"Ref": x}`, `{"Condition": x}`): `("GetAtt", x)`.
pub fn intrinsic(v: &Value) -> Option<(String, &Value)> {
    match v {
        Value::Tagged(t) => Some((
            t.tag.to_string().trim_start_matches('!').to_string(),
            &t.value,
        )),
        Value::Mapping(m) if m.len() == 1 => {
            let (k, inner) = m.iter().next()?;
            let k = k.as_str()?;
            (k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
                .then(|| (k.trim_start_matches("Fn::").to_string(), inner))
        }
        _ => None,
    }
}

fn expand_section(section: Mapping, mappings: &Value) -> Result<Mapping, TemplateError> {
    let mut out = Mapping::new();
    let mut add = |key: Value, value: Value| match out.insert(key.clone(), value) {
        Some(_) => Err(TemplateError(format!("{key:?} is declared twice"))),
        None => Ok(()),
    };
    for (key, value) in section {
        let Some(name) = key.as_str().and_then(|k| k.strip_prefix(LOOP)) else {
            add(key, value)?;
            continue;
        };
        let malformed = || {
            TemplateError(format!(
                "{LOOP}{name}: expected [Identifier, [Value, ...], {{OutputKey: OutputValue}}]"
            ))
        };
        let Value::Sequence(parts) = &value else {
            return Err(malformed());
        };
        let [Value::String(id), Value::Sequence(values), fragment @ Value::Mapping(_)] =
            parts.as_slice()
        else {
            return Err(malformed());
        };
        for v in values {
            let v = v.as_str().ok_or_else(malformed)?;
            let Value::Mapping(copy) = resolve(put(fragment.clone(), id, v), mappings)? else {
                return Err(malformed());
            };
            for (k, x) in expand_section(copy, mappings)? {
                add(k, x)?;
            }
        }
    }
    Ok(out)
}

/// `v` with the identifier `id` replaced by `value`.
fn put(v: Value, id: &str, value: &str) -> Value {
    if matches!(intrinsic(&v), Some((f, Value::String(target))) if f == "Ref" && target == id) {
        return Value::String(value.to_string());
    }
    match v {
        Value::String(s) => {
            let alphanumeric: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
            Value::String(
                s.replace(&format!("${{{id}}}"), value)
                    .replace(&format!("&{{{id}}}"), &alphanumeric),
            )
        }
        Value::Sequence(items) => items.into_iter().map(|x| put(x, id, value)).collect(),
        Value::Mapping(m) => Value::Mapping(
            m.into_iter()
                .map(|(k, x)| (put(k, id, value), put(x, id, value)))
                .collect(),
        ),
        Value::Tagged(mut t) => {
            t.value = put(t.value, id, value);
            Value::Tagged(t)
        }
        other => other,
    }
}

/// What the transform resolves in a loop's copy once the identifier is in place.
fn resolve(v: Value, mappings: &Value) -> Result<Value, TemplateError> {
    let v = match v {
        Value::Sequence(items) => items
            .into_iter()
            .map(|x| resolve(x, mappings))
            .collect::<Result<_, _>>()?,
        Value::Mapping(m) => Value::Mapping(
            m.into_iter()
                .map(|(k, x)| Ok((k, resolve(x, mappings)?)))
                .collect::<Result<_, TemplateError>>()?,
        ),
        Value::Tagged(mut t) => {
            t.value = resolve(t.value, mappings)?;
            Value::Tagged(t)
        }
        other => other,
    };
    match intrinsic(&v) {
        Some((f, arg)) if f == "Ref" => match intrinsic(arg) {
            Some((g, Value::String(s))) if g == "Sub" && !s.contains("${") => Ok(Value::Mapping(
                Mapping::from_iter([("Ref".into(), s.as_str().into())]),
            )),
            _ => Ok(v),
        },
        Some((f, Value::Sequence(args))) if f == "FindInMap" => match args.as_slice() {
            [Value::String(map), Value::String(key), Value::String(attr)] => mappings
                .get(map)
                .and_then(|m| m.get(key))
                .and_then(|m| m.get(attr))
                .cloned()
                .ok_or_else(|| TemplateError(format!("Mappings has no {map}.{key}.{attr}"))),
            _ => Ok(v),
        },
        _ => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml_ng::from_str(text).unwrap()
    }

    #[test]
    fn a_loop_becomes_one_resource_per_value_with_its_references_resolved() {
        let t = expand(yaml(
            r#"
Mappings:
  Index: { A: { Name: byA } }
Resources:
  Plain: { Type: X }
  Fn::ForEach::Alarms:
    - T
    - [A, B]
    - ${T}Alarm:
        Type: AWS::CloudWatch::Alarm
        Properties:
          Description: !Sub "on ${${T}}"
          Table: { Ref: !Sub "${T}" }
          Name: !Ref T
          Id: "&{T}-x"
Outputs:
  Fn::ForEach::Names:
    - T
    - [A]
    - ${T}Name:
        Value: { Ref: { "Fn::Sub": "${T}" } }
        Index: !FindInMap [Index, !Ref T, Name]
"#,
        ))
        .unwrap();
        let r = t["Resources"].as_mapping().unwrap();
        let ids: Vec<&str> = r.keys().filter_map(Value::as_str).collect();
        assert_eq!(ids, ["Plain", "AAlarm", "BAlarm"]);
        let b = &r["BAlarm"]["Properties"];
        assert_eq!(b["Table"], yaml("{Ref: B}"));
        assert_eq!(b["Name"], yaml("B"));
        assert_eq!(b["Id"], yaml("B-x"));
        assert_eq!(
            intrinsic(&b["Description"]).map(|(f, s)| (f, s.clone())),
            Some(("Sub".into(), yaml("on ${B}")))
        );
        assert_eq!(t["Outputs"]["AName"]["Value"], yaml("{Ref: A}"));
        assert_eq!(t["Outputs"]["AName"]["Index"], yaml("byA"));
    }

    #[test]
    fn a_malformed_loop_a_clash_or_a_missing_mapping_is_an_error() {
        let e = |text: &str| expand(yaml(text)).unwrap_err().to_string();
        assert!(e("Resources: { Fn::ForEach::L: [T, !Ref P, {x: 1}] }").contains("Fn::ForEach::L"));
        assert!(
            e("Resources: { AX: 1, Fn::ForEach::L: [T, [A], {'${T}X': 2}] }").contains("twice")
        );
        assert!(
            e("Resources: { Fn::ForEach::L: [T, [A], {'${T}X': !FindInMap [M, A, N]}] }")
                .contains("no M.A.N")
        );
    }
}
