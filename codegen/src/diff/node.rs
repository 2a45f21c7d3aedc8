//! Reading one schema node the way the comparison needs it: wrappers taken off (a described
//! `$ref` is `{"description", "allOf": [{"$ref"}]}`, an optional one `anyOf: [X, {"type":
//! "null"}]`), `null` set apart as a flag, a union split into its string values and its labelled
//! members, and the set of JSON types a node admits.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::load::DEFINITIONS;
use super::roots::name_of;

/// Keywords that describe a value without constraining it. Changes to them are documentation
/// (`default` aside, which the comparison reports on its own).
pub const ANNOTATIONS: [&str; 8] =
    ["description", "title", "examples", "deprecated", "readOnly", "writeOnly", "$comment", "default"];

/// A node with its wrappers taken off.
#[derive(Debug, Clone)]
pub struct View<'a> {
    /// The innermost node.
    pub node: &'a Value,
    /// The annotations met on the way in, the outermost first.
    pub docs: BTreeMap<String, &'a Value>,
    /// Whether `null` is admitted, by a wrapper, a `type` list or an `enum`.
    pub nullable: bool,
}

/// Takes the wrappers off a node (see [`View`]).
pub fn view(value: &Value) -> View<'_> {
    let mut docs = BTreeMap::new();
    let mut nullable = false;
    let mut node = value;
    while let Some(map) = node.as_object() {
        for key in ANNOTATIONS {
            if let Some(annotation) = map.get(key) {
                docs.entry(key.to_owned()).or_insert(annotation);
            }
        }
        let constraints: Vec<&str> =
            map.keys().map(String::as_str).filter(|k| !ANNOTATIONS.contains(k)).collect();
        let inner = match constraints.as_slice() {
            ["allOf"] => match array(map, "allOf") {
                Some([single]) => Some((single, false)),
                _ => None,
            },
            [key @ ("anyOf" | "oneOf")] => {
                let members = array(map, key).unwrap_or_default();
                let (nulls, others): (Vec<&Value>, Vec<&Value>) = members.iter().partition(|m| is_null(m));
                match (nulls.as_slice(), others.as_slice()) {
                    ([_, ..], [single]) => Some((*single, true)),
                    _ => None,
                }
            }
            _ => None,
        };
        let Some((inner, null)) = inner else { break };
        nullable |= null;
        node = inner;
    }
    if let Some(map) = node.as_object() {
        let null_type = match map.get("type") {
            Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
            _ => false,
        };
        let null_value = array(map, "enum").is_some_and(|values| values.iter().any(Value::is_null));
        let null_member =
            ["anyOf", "oneOf"].iter().any(|k| array(map, k).is_some_and(|m| m.iter().any(is_null)));
        nullable |= null_type || null_value || null_member;
    }
    View { node, docs, nullable }
}

/// The node without its wrappers, and whether it admits `null`.
pub fn unwrap(value: &Value) -> (&Value, bool) {
    let view = view(value);
    (view.node, view.nullable)
}

/// The definition key a node refers to, if it is a reference into the definitions.
pub fn ref_key(value: &Value) -> Option<&str> {
    value.get("$ref")?.as_str()?.strip_prefix(DEFINITIONS)
}

/// One string (or other scalar) value of an enum, with its own description when the union
/// gives each value a member of its own.
pub type Values = BTreeMap<String, Option<String>>;

/// The scalar values a node admits (`enum`, `const`, or union members that are values),
/// rendered as JSON, `null` aside; `None` when the node is not an enumeration.
pub fn values(node: &Value) -> Option<Values> {
    let map = node.as_object()?;
    if let Some(values) = own_values(map) {
        return Some(values.into_iter().map(|v| (v.to_string(), None)).collect());
    }
    let members = union_members(map)?;
    let mut out = Values::new();
    for member in members.iter().filter(|m| !is_null(m)) {
        let (member, _) = unwrap(member);
        let member_map = member.as_object()?;
        let description = member_map.get("description").and_then(Value::as_str).map(str::to_owned);
        for value in own_values(member_map).into_iter().flatten() {
            out.insert(value.to_string(), description.clone());
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The labelled members of a union that are not values nor `null` (see [`label`]).
pub fn members(node: &Value) -> Vec<(String, &Value)> {
    let Some(members) = node.as_object().and_then(union_members) else { return Vec::new() };
    let mut out: Vec<(String, &Value)> = Vec::new();
    for (index, member) in members.iter().enumerate() {
        if is_null(member) || unwrap(member).0.as_object().and_then(own_values).is_some() {
            continue;
        }
        let mut label = label(member, index);
        let mut n = 2;
        while out.iter().any(|(l, _)| *l == label) {
            label = format!("{}#{n}", label.split('#').next().unwrap_or_default());
            n += 1;
        }
        out.push((label, member));
    }
    out
}

/// The label of a union member, stable across releases: `type=agentMessage` for a member tagged
/// by a required property of a single string value (`type`, then `method`, then the first such
/// property by name), the name a member refers to, the key of an externally tagged member (one
/// required property), the member's JSON types, or its position (`#3`).
pub fn label(member: &Value, index: usize) -> String {
    let (member, _) = unwrap(member);
    let Some(map) = member.as_object() else { return format!("#{index}") };
    let required = required(map);
    let properties = map.get("properties").and_then(Value::as_object);
    let tags: BTreeMap<&str, String> = properties
        .into_iter()
        .flatten()
        .filter(|(name, _)| required.contains(name.as_str()))
        .filter_map(|(name, schema)| {
            let values = schema.as_object().and_then(own_values)?;
            match values.as_slice() {
                [Value::String(single)] => Some((name.as_str(), single.clone())),
                _ => None,
            }
        })
        .collect();
    for preferred in ["type", "method"] {
        if let Some(value) = tags.get(preferred) {
            return format!("{preferred}={value}");
        }
    }
    if let Some((name, value)) = tags.iter().next() {
        return format!("{name}={value}");
    }
    if let Some(key) = ref_key(member) {
        return name_of(key).to_owned();
    }
    if let Some(properties) = properties.filter(|p| p.len() == 1) {
        if let Some(name) = properties.keys().next().filter(|n| required.contains(n.as_str())) {
            return name.clone();
        }
    }
    let types = types(member);
    if types.is_empty() {
        format!("#{index}")
    } else {
        types.into_iter().collect::<Vec<_>>().join("|")
    }
}

/// The JSON types a node admits, `null` aside: its `type`, else what its values, properties or
/// items imply. Empty means unconstrained (or a union, whose members say).
pub fn types(node: &Value) -> BTreeSet<String> {
    let Some(map) = node.as_object() else { return BTreeSet::new() };
    match map.get("type") {
        Some(Value::String(t)) if t != "null" => return BTreeSet::from([t.clone()]),
        Some(Value::Array(ts)) => {
            return ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").map(str::to_owned).collect()
        }
        _ => {}
    }
    if let Some(values) = own_values(map) {
        return values.iter().filter_map(|v| json_type(v).map(str::to_owned)).collect();
    }
    if map.contains_key("properties") || map.contains_key("additionalProperties") {
        return BTreeSet::from(["object".to_owned()]);
    }
    if map.contains_key("items") {
        return BTreeSet::from(["array".to_owned()]);
    }
    BTreeSet::new()
}

/// How the set of values a node admits moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The same set.
    Same,
    /// More values are admitted, and every old one still is.
    Wider,
    /// Fewer values are admitted, all of them old ones.
    Narrower,
    /// Neither includes the other.
    Other,
}

/// Compares two type sets (empty = anything; `integer` is part of `number`).
pub fn type_relation(old: &BTreeSet<String>, new: &BTreeSet<String>) -> Relation {
    let within = |a: &BTreeSet<String>, b: &BTreeSet<String>| {
        // Empty is anything: it fits only in anything.
        b.is_empty()
            || (!a.is_empty() && a.iter().all(|t| b.contains(t) || (t == "integer" && b.contains("number"))))
    };
    match (within(old, new), within(new, old)) {
        _ if old == new => Relation::Same,
        (true, false) => Relation::Wider,
        (false, true) => Relation::Narrower,
        (true, true) => Relation::Same,
        (false, false) => Relation::Other,
    }
}

/// The required property names of an object schema.
pub fn required(map: &Map<String, Value>) -> BTreeSet<&str> {
    array(map, "required").into_iter().flatten().filter_map(Value::as_str).collect()
}

fn union_members(map: &Map<String, Value>) -> Option<&[Value]> {
    array(map, "oneOf").or_else(|| array(map, "anyOf"))
}

/// The non-null values of `enum` or `const`.
fn own_values(map: &Map<String, Value>) -> Option<Vec<&Value>> {
    let values: Vec<&Value> = match (map.get("const"), array(map, "enum")) {
        (Some(constant), _) => vec![constant],
        (None, Some(values)) => values.iter().collect(),
        (None, None) => return None,
    };
    Some(values.into_iter().filter(|v| !v.is_null()).collect())
}

fn array<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a [Value]> {
    map.get(key).and_then(Value::as_array).map(Vec::as_slice)
}

/// `{"type": "null"}`, alone.
pub fn is_null(value: &Value) -> bool {
    value.get("type").and_then(Value::as_str) == Some("null")
}

fn json_type(value: &Value) -> Option<&'static str> {
    match value {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_f64() => Some("number"),
        Value::Number(_) => Some("integer"),
        Value::Object(_) => Some("object"),
        Value::Array(_) => Some("array"),
        Value::Null => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrappers_come_off_and_null_is_a_flag() {
        let described = json!({"description": "d", "allOf": [{"$ref": "#/definitions/v2/X"}]});
        let view = view(&described);
        assert_eq!(ref_key(view.node), Some("v2/X"));
        assert!(!view.nullable);
        assert_eq!(view.docs["description"], "d");
        let optional = json!({"anyOf": [{"$ref": "#/definitions/X"}, {"type": "null"}]});
        assert_eq!(unwrap(&optional), (&json!({"$ref": "#/definitions/X"}), true));
        assert!(unwrap(&json!({"type": ["string", "null"]})).1);
    }

    #[test]
    fn unions_split_into_values_and_labelled_members() {
        let union = json!({"oneOf": [
            {"type": "string", "enum": ["never"], "description": "Never ask."},
            {"type": "string", "const": "always"},
            {"type": "object", "properties": {"type": {"const": "a"}}, "required": ["type"]},
            {"type": "object", "properties": {"failed": {"type": "object"}}, "required": ["failed"]},
            {"$ref": "#/definitions/v2/Thing"},
            {"type": "integer"},
            {"type": "null"},
        ]});
        let values = values(&union).unwrap_or_default();
        assert_eq!(values.get("\"never\""), Some(&Some("Never ask.".to_owned())));
        assert_eq!(values.get("\"always\""), Some(&None));
        let labels: Vec<String> = members(&union).into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["type=a", "failed", "Thing", "integer"]);
    }

    #[test]
    fn type_relations() {
        let set = |ts: &[&str]| ts.iter().map(|t| t.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(type_relation(&set(&["integer"]), &set(&["number"])), Relation::Wider);
        assert_eq!(type_relation(&set(&["string"]), &set(&[])), Relation::Wider);
        assert_eq!(type_relation(&set(&["string", "integer"]), &set(&["string"])), Relation::Narrower);
        assert_eq!(type_relation(&set(&["string"]), &set(&["object"])), Relation::Other);
    }
}
