//! Shapes: the property names and required/optional split of every type of a schema bundle, as
//! plain text lines, so that two schemas (ours and the reference's) can be compared field by
//! field without comparing their files.
//!
//! One line per object shape, one per enum:
//!
//! ```text
//! v2/ThreadItem [type=agentMessage]: id text type
//! v2/CommandExecutionRequestApprovalParams: itemId reason? risk? threadId turnId
//! v2/AskForApproval = never | onFailure | onRequest | unlessTrusted
//! ```
//!
//! A `?` marks a property that is not `required`. A tagged union gives one line per variant,
//! labelled by its tag (`[type=agentMessage]`) or, for externally tagged variants, by its key
//! (`[httpConnectionFailed]`). Lines are sorted; properties and enum values too.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The shapes of a bundle: type key (`v2/ThreadItem`, or a bare name for top-level
/// definitions) to its lines, without the key.
pub type Shapes = BTreeMap<String, BTreeSet<String>>;

/// Extracts the shapes of every definition of a bundle. Definitions may be nested one level in
/// namespaces (`definitions.v2.ThreadItem`), as in our bundle and the reference's.
pub fn extract(bundle: &Value) -> Shapes {
    let mut shapes = Shapes::new();
    let Some(definitions) = bundle.get("definitions").and_then(Value::as_object) else {
        return shapes;
    };
    for (name, schema) in definitions {
        if is_namespace(schema) {
            for (inner, schema) in schema.as_object().into_iter().flatten() {
                insert(&mut shapes, format!("{name}/{inner}"), bundle, schema);
            }
        } else {
            insert(&mut shapes, name.clone(), bundle, schema);
        }
    }
    shapes
}

/// Renders shapes as text, one `KEY LINE` per line.
pub fn render(shapes: &Shapes) -> String {
    let mut out = String::new();
    for (key, lines) in shapes {
        for line in lines {
            out.push_str(key);
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Reads text written by [`render`] back.
pub fn parse(text: &str) -> Shapes {
    let mut shapes = Shapes::new();
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let split = line.find([' ', ':']).unwrap_or(line.len());
        let (key, rest) = line.split_at(split);
        shapes.entry(key.to_owned()).or_default().insert(rest.to_owned());
    }
    shapes
}

/// A namespace is an object of schemas with none of a schema's own keywords.
fn is_namespace(value: &Value) -> bool {
    const KEYWORDS: [&str; 10] =
        ["type", "properties", "oneOf", "anyOf", "allOf", "enum", "const", "$ref", "title", "description"];
    value.as_object().is_some_and(|map| {
        !map.is_empty()
            && !KEYWORDS.iter().any(|k| map.contains_key(*k))
            && map.values().all(Value::is_object)
    })
}

fn insert(shapes: &mut Shapes, key: String, bundle: &Value, schema: &Value) {
    let mut lines = BTreeSet::new();
    let mut values = BTreeSet::new();
    for (label, shape) in variants(bundle, schema, &mut values) {
        let props: Vec<String> = shape
            .iter()
            .map(|(name, required)| if *required { name.clone() } else { format!("{name}?") })
            .collect();
        lines.insert(format!("{label}: {}", props.join(" ")));
    }
    if !values.is_empty() {
        lines.insert(format!(" = {}", values.into_iter().collect::<Vec<_>>().join(" | ")));
    }
    if !lines.is_empty() {
        shapes.insert(key, lines);
    }
}

/// Property name to whether it is required.
type Props = BTreeMap<String, bool>;

/// The object shapes of `schema`, each with its label (empty for a plain object); string values
/// of enum-like variants go to `values`.
fn variants(bundle: &Value, schema: &Value, values: &mut BTreeSet<String>) -> Vec<(String, Props)> {
    let schema = resolve(bundle, schema);
    if let Some(strings) = string_values(schema) {
        values.extend(strings);
        return Vec::new();
    }
    let base = own_props(bundle, schema);
    let alternatives: Vec<&Value> = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .filter(|v| v.get("type").and_then(Value::as_str) != Some("null"))
        .collect();
    if alternatives.is_empty() {
        return if base.is_empty() && !is_object(schema) { Vec::new() } else { vec![(String::new(), base)] };
    }
    let mut out = Vec::new();
    for alternative in alternatives {
        let alternative = resolve(bundle, alternative);
        if let Some(strings) = string_values(alternative) {
            values.extend(strings);
            continue;
        }
        let props = own_props(bundle, alternative);
        if let Some(label) = tag_label(alternative, &props) {
            let mut merged = base.clone();
            merged.extend(props);
            out.push((format!(" [{label}]"), merged));
        } else if let Some((key, inner)) = external_tag(bundle, alternative) {
            out.push((format!(" [{key}]"), inner));
        } else if !props.is_empty() {
            let mut merged = base.clone();
            merged.extend(props);
            out.push((" [?]".to_owned(), merged));
        }
    }
    out
}

/// The properties of an object schema, with those of its `allOf` parts.
fn own_props(bundle: &Value, schema: &Value) -> Props {
    let schema = resolve(bundle, schema);
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut props: Props = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, _)| (name.clone(), required.contains(name.as_str())))
        .collect();
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        props.extend(own_props(bundle, part));
    }
    props
}

/// `prop=value` for the property of a variant whose schema admits a single string.
fn tag_label(variant: &Value, props: &Props) -> Option<String> {
    let properties = variant.get("properties")?.as_object()?;
    properties.iter().find_map(|(name, schema)| {
        let values = string_values(schema)?;
        (values.len() == 1 && props.get(name) == Some(&true))
            .then(|| format!("{name}={}", values.into_iter().next().unwrap_or_default()))
    })
}

/// An externally tagged variant: an object with exactly one required property, itself an
/// object; gives the key and the inner properties.
fn external_tag(bundle: &Value, variant: &Value) -> Option<(String, Props)> {
    let properties = variant.get("properties")?.as_object()?;
    if properties.len() != 1 {
        return None;
    }
    let (key, inner) = properties.iter().next()?;
    Some((key.clone(), own_props(bundle, inner)))
}

/// The strings a schema admits, if it is an enum or a constant of strings.
fn string_values(schema: &Value) -> Option<BTreeSet<String>> {
    if let Some(constant) = schema.get("const").and_then(Value::as_str) {
        return Some(BTreeSet::from([constant.to_owned()]));
    }
    let values = schema.get("enum")?.as_array()?;
    values.iter().map(|v| v.as_str().map(str::to_owned)).collect()
}

fn is_object(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
        _ => schema.get("properties").is_some(),
    }
}

/// Follows `$ref` (a `#/...` pointer into the bundle) until a schema without one.
fn resolve<'a>(bundle: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else { break };
        let Some(target) = reference.strip_prefix('#').and_then(|p| bundle.pointer(p)) else {
            break;
        };
        schema = target;
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_unions_and_enums() {
        let bundle = json!({"definitions": {
            "Top": {"type": "object", "properties": {"a": {}, "b": {}}, "required": ["a"]},
            "ns": {
                "Kind": {"type": "string", "enum": ["y", "x"]},
                "Item": {"oneOf": [
                    {"type": "object", "properties": {"type": {"const": "one"}, "id": {}}, "required": ["type", "id"]},
                    {"type": "object", "properties": {"type": {"type": "string", "enum": ["two"]}},
                     "required": ["type"], "allOf": [{"$ref": "#/definitions/Top"}]},
                ]},
                "Error": {"oneOf": [
                    {"type": "string", "enum": ["other"]},
                    {"type": "object", "properties": {"failed": {"type": "object", "properties": {"code": {}}}}, "required": ["failed"]},
                ]},
            },
        }});
        let text = render(&extract(&bundle));
        assert_eq!(
            text,
            "Top: a b?\n\
             ns/Error = other\n\
             ns/Error [failed]: code?\n\
             ns/Item [type=one]: id type\n\
             ns/Item [type=two]: a b? type\n\
             ns/Kind = x | y\n"
        );
        assert_eq!(parse(&text), extract(&bundle));
    }
}
