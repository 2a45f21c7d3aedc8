//! The object, array and bound parts of the comparison: properties added, removed, made
//! required or optional; `additionalProperties`; `items`; numeric bounds, `format`, `pattern`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::classify::Change;
use super::compare::{show, Comparer};
use super::load::Schema;
use super::node::{self, ANNOTATIONS};

/// Lower bounds, then upper bounds: a higher lower bound or a lower upper bound narrows.
const LOWER_BOUNDS: [&str; 5] = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"];
const UPPER_BOUNDS: [&str; 5] = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"];

/// Keywords the comparison understands; a change to any other is a change of type.
const KNOWN: [&str; 15] = [
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "oneOf",
    "anyOf",
    "allOf",
    "$ref",
    "format",
    "pattern",
    "uniqueItems",
    "$schema",
];

impl Comparer<'_> {
    /// Properties (with those of `allOf` parts, unless both sides extend the same named types)
    /// and `additionalProperties`.
    pub(super) fn objects(&mut self, path: &str, old: &Value, new: &Value) {
        let (Some(om), Some(nm)) = (old.as_object(), new.as_object()) else { return };
        let merge = !same_parts(om, nm);
        let (old_props, old_required) = properties(self.old, om, merge, 0);
        let (new_props, new_required) = properties(self.new, nm, merge, 0);
        let closed = om.get("additionalProperties") == Some(&Value::Bool(false));
        let names: BTreeSet<&String> = old_props.keys().chain(new_props.keys()).collect();
        for name in names {
            let field = format!("{path}.{name}");
            let (was, is) = (old_required.contains(name), new_required.contains(name));
            match (old_props.get(name), new_props.get(name)) {
                (None, Some(_)) => {
                    let (change, detail) = if is {
                        (Change::RequiredFieldAdded, "new required field")
                    } else {
                        (Change::OptionalFieldAdded, "new optional field")
                    };
                    self.push_closed(&field, change, detail.into(), closed);
                }
                (Some(_), None) => {
                    let (change, detail) = if was {
                        (Change::RequiredFieldRemoved, "required field removed")
                    } else {
                        (Change::OptionalFieldRemoved, "optional field removed")
                    };
                    self.push(&field, change, detail.into());
                }
                (Some(a), Some(b)) => {
                    match (was, is) {
                        (false, true) => self.push(&field, Change::NowRequired, "now required".into()),
                        (true, false) => self.push(&field, Change::NowOptional, "now optional".into()),
                        _ => {}
                    }
                    self.node(&field, a, b, None);
                }
                (None, None) => {}
            }
        }
        match (other_properties(om), other_properties(nm)) {
            (Ok(a), Ok(b)) => self.node(&format!("{path}{{}}"), a, b, None),
            (Err(true), Ok(_)) | (Ok(_), Err(false)) | (Err(true), Err(false)) => {
                self.push(path, Change::Narrowed, "other properties now constrained".into())
            }
            (Ok(_), Err(true)) | (Err(false), Ok(_)) | (Err(false), Err(true)) => {
                self.push(path, Change::Widened, "other properties now less constrained".into())
            }
            (Err(_), Err(_)) => {}
        }
    }

    /// `items`: one schema (`path[]`) or a tuple (`path[0]`, …).
    pub(super) fn arrays(&mut self, path: &str, old: &Value, new: &Value) {
        match (old.get("items"), new.get("items")) {
            (Some(Value::Array(a)), Some(Value::Array(b))) if a.len() == b.len() => {
                for (index, (a, b)) in a.iter().zip(b).enumerate() {
                    self.node(&format!("{path}[{index}]"), a, b, None);
                }
            }
            (Some(a @ Value::Array(_)), Some(b)) | (Some(a), Some(b @ Value::Array(_))) => {
                self.push(path, Change::TypeChanged, format!("items {a} → {b}"));
            }
            (Some(a), Some(b)) => self.node(&format!("{path}[]"), a, b, None),
            (Some(_), None) => self.push(path, Change::Widened, "items no longer constrained".into()),
            (None, Some(_)) => self.push(path, Change::Narrowed, "items now constrained".into()),
            (None, None) => {}
        }
    }

    /// Bounds, `format`, `pattern`, `uniqueItems`, and any keyword not understood (a change of
    /// type, to be safe).
    pub(super) fn constraints(&mut self, path: &str, old: &Value, new: &Value) {
        let (Some(om), Some(nm)) = (old.as_object(), new.as_object()) else { return };
        for (keys, lower) in [(LOWER_BOUNDS, true), (UPPER_BOUNDS, false)] {
            for key in keys {
                let (a, b) = (om.get(key).and_then(Value::as_f64), nm.get(key).and_then(Value::as_f64));
                let wider = match (a, b) {
                    (Some(a), Some(b)) if a == b => continue,
                    (None, None) => continue,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (Some(a), Some(b)) => (b < a) == lower,
                };
                let detail = format!("{key} {} → {}", show(om.get(key)), show(nm.get(key)));
                self.push(path, if wider { Change::Widened } else { Change::Narrowed }, detail);
            }
        }
        if om.get("format") != nm.get("format") {
            let (a, b) = (om.get("format").and_then(Value::as_str), nm.get("format").and_then(Value::as_str));
            let change = match (a.map(format_range), b.map(format_range)) {
                (Some(_), None) => Change::Widened,
                (None, Some(_)) => Change::Narrowed,
                (Some(Some((a0, a1))), Some(Some((b0, b1)))) if b0 <= a0 && a1 <= b1 => Change::Widened,
                (Some(Some((a0, a1))), Some(Some((b0, b1)))) if a0 <= b0 && b1 <= a1 => Change::Narrowed,
                _ => Change::TypeChanged,
            };
            let detail = format!("format {} → {}", show(om.get("format")), show(nm.get("format")));
            self.push(path, change, detail);
        }
        for (key, narrower_when_set) in [("pattern", true), ("uniqueItems", true)] {
            let (a, b) =
                (om.get(key).filter(|v| **v != json!(false)), nm.get(key).filter(|v| **v != json!(false)));
            if a != b {
                let change = match (a, b) {
                    (None, Some(_)) if narrower_when_set => Change::Narrowed,
                    (Some(_), None) if narrower_when_set => Change::Widened,
                    _ => Change::TypeChanged,
                };
                self.push(path, change, format!("{key} {} → {}", show(a), show(b)));
            }
        }
        let keys: BTreeSet<&String> = om.keys().chain(nm.keys()).collect();
        let understood = |k: &str| {
            KNOWN.contains(&k)
                || ANNOTATIONS.contains(&k)
                || LOWER_BOUNDS.contains(&k)
                || UPPER_BOUNDS.contains(&k)
        };
        for key in keys.into_iter().filter(|k| !understood(k)) {
            if om.get(key) != nm.get(key) {
                let detail = format!("`{key}` {} → {}", show(om.get(key)), show(nm.get(key)));
                self.push(path, Change::TypeChanged, detail);
            }
        }
    }
}

/// What `additionalProperties` admits: a schema, or anything (`Err(true)`) or nothing
/// (`Err(false)`).
fn other_properties(map: &Map<String, Value>) -> Result<&Value, bool> {
    match map.get("additionalProperties") {
        None | Some(Value::Bool(true)) => Err(true),
        Some(Value::Bool(false)) => Err(false),
        Some(schema) => Ok(schema),
    }
}

/// Both nodes extend the same named definitions (`allOf` of the same references), which are
/// compared on their own.
fn same_parts(old: &Map<String, Value>, new: &Map<String, Value>) -> bool {
    let refs = |map: &Map<String, Value>| -> Option<Vec<String>> {
        let parts = map.get("allOf").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        parts.iter().map(|p| node::ref_key(p).map(str::to_owned)).collect()
    };
    matches!((refs(old), refs(new)), (Some(a), Some(b)) if a == b)
}

type Properties<'v> = (BTreeMap<String, &'v Value>, BTreeSet<String>);

/// The properties and required names of an object, with those of its `allOf` parts when
/// `merge` says so.
fn properties<'v>(
    schema: &'v Schema,
    map: &'v Map<String, Value>,
    merge: bool,
    depth: usize,
) -> Properties<'v> {
    let mut props: BTreeMap<String, &Value> = map
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v))
        .collect();
    let mut required: BTreeSet<String> = node::required(map).into_iter().map(str::to_owned).collect();
    if merge && depth < 16 {
        for part in map.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            let part = node::ref_key(part).map_or(Some(part), |key| schema.defs.get(key));
            if let Some(part) = part.and_then(Value::as_object) {
                let (more, more_required) = properties(schema, part, true, depth + 1);
                props.extend(more);
                required.extend(more_required);
            }
        }
    }
    (props, required)
}

/// The range of an integer or float format, to tell a wider one from a narrower one.
fn format_range(format: &str) -> Option<(f64, f64)> {
    let bits = |n: i32| 2f64.powi(n);
    Some(match format {
        "int8" => (-bits(7), bits(7) - 1.0),
        "int16" => (-bits(15), bits(15) - 1.0),
        "int32" => (-bits(31), bits(31) - 1.0),
        "int64" | "int" => (-bits(63), bits(63) - 1.0),
        "uint8" => (0.0, bits(8) - 1.0),
        "uint16" => (0.0, bits(16) - 1.0),
        "uint32" => (0.0, bits(32) - 1.0),
        "uint64" | "uint" => (0.0, bits(64) - 1.0),
        "float" => (-f64::from(f32::MAX), f64::from(f32::MAX)),
        "double" => (f64::MIN, f64::MAX),
        _ => return None,
    })
}
