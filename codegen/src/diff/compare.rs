//! The structural comparison of two schemas, definition by definition, node by node.
//!
//! Each definition present in both schemas is compared once, at its own path; a `$ref` to the
//! same key on both sides stops there, since that definition is compared on its own. A `$ref`
//! whose target changed (a renamed or replaced type) is followed on both sides and the targets
//! are compared in place, under the path of the reference. Definitions present on one side only
//! are not listed: whatever uses them changed too (a field, a variant, a method), and that change
//! is listed where it is. What is found is a [`Found`], judged later by [`super::classify`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::classify::Change;
use super::load::{Schema, DEFINITIONS};
use super::node::{self, Relation, ANNOTATIONS};
use super::roots::{name_of, Reach};

/// One change, before its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Where: `v2/ThreadStartParams.approvalPolicy`, `v2/ThreadItem[type=agentMessage].text`.
    pub path: String,
    /// What changed.
    pub change: Change,
    /// The change in words: `value "x" added`, `type string → integer`, …
    pub detail: String,
    /// Who sends the data it is in.
    pub reach: Reach,
    /// The old object rejected unknown properties (`additionalProperties: false`).
    pub closed: bool,
}

/// Walks two schemas side by side, gathering [`Found`] changes.
pub struct Comparer<'a> {
    pub(super) old: &'a Schema,
    pub(super) new: &'a Schema,
    reach: Reach,
    /// The pairs of definitions being compared in place, to stop on recursive types.
    inline: Vec<(String, String)>,
    found: Vec<Found>,
}

impl<'a> Comparer<'a> {
    /// A comparer of `old` against `new`.
    pub fn new(old: &'a Schema, new: &'a Schema) -> Self {
        Comparer { old, new, reach: Reach::default(), inline: Vec::new(), found: Vec::new() }
    }

    /// What was found.
    pub fn into_found(self) -> Vec<Found> {
        self.found
    }

    /// Compares the definition `key` of both schemas, sent by `reach`. In a message union,
    /// `methods` names its members (`request`, `notification`, `event`): members added or
    /// removed are methods rather than variants.
    pub fn definition(&mut self, key: &str, reach: Reach, methods: Option<&'static str>) {
        self.reach = reach;
        if let (Some(old), Some(new)) = (self.old.defs.get(key), self.new.defs.get(key)) {
            self.node(key, old, new, methods);
        }
    }

    /// Compares the definition `old_key` of the old schema with `new_key` of the new one at
    /// `path` (the result type of a request, whose name may change with the method kept).
    pub fn references(&mut self, path: &str, old_key: &str, new_key: &str, reach: Reach) {
        self.reach = reach;
        let old = json!({ "$ref": format!("{DEFINITIONS}{old_key}") });
        let new = json!({ "$ref": format!("{DEFINITIONS}{new_key}") });
        self.node(path, &old, &new, None);
    }

    /// Records a change at `path` in the data being compared.
    pub(super) fn push(&mut self, path: &str, change: Change, detail: String) {
        self.push_closed(path, change, detail, false);
    }

    /// [`Self::push`], saying whether the old object was closed to unknown properties.
    pub(super) fn push_closed(&mut self, path: &str, change: Change, detail: String, closed: bool) {
        self.found.push(Found { path: path.to_owned(), change, detail, reach: self.reach, closed });
    }

    /// Lists every method of a message union that only one schema has: each added (`added`)
    /// or removed.
    pub fn lone_union(&mut self, key: &str, union: &Value, reach: Reach, noun: &str, added: bool) {
        self.reach = reach;
        let (change, what) =
            if added { (Change::MethodAdded, "added") } else { (Change::MethodRemoved, "removed") };
        for (label, _) in node::members(union) {
            self.push(&format!("{key}[{label}]"), change, format!("{noun} {what}"));
        }
    }

    /// Compares two nodes at `path`: annotations, `null`, references, values, union members,
    /// types, then object, array and bound keywords.
    pub(super) fn node(&mut self, path: &str, old: &Value, new: &Value, methods: Option<&'static str>) {
        let (o, n) = (node::view(old), node::view(new));
        self.annotations(path, &o.docs, &n.docs);
        match (o.nullable, n.nullable) {
            (false, true) => self.push(path, Change::NowNullable, "now admits null".into()),
            (true, false) => self.push(path, Change::NoLongerNullable, "no longer admits null".into()),
            _ => {}
        }
        match (node::ref_key(o.node), node::ref_key(n.node)) {
            (Some(a), Some(b)) if a == b => return,
            (None, None) => {}
            (a, b) => return self.through_refs(path, (o.node, a), (n.node, b), methods),
        }
        if self.values(path, o.node, n.node)
            && self.unions(path, o.node, n.node, methods)
            && self.types(path, o.node, n.node)
        {
            self.objects(path, o.node, n.node);
            self.arrays(path, o.node, n.node);
            self.constraints(path, o.node, n.node);
        }
    }

    /// Follows references that differ (or a reference on one side only) and compares the
    /// targets in place.
    fn through_refs(
        &mut self,
        path: &str,
        old: (&Value, Option<&str>),
        new: (&Value, Option<&str>),
        methods: Option<&'static str>,
    ) {
        let Some(old_target) = target(self.old, old) else {
            let detail =
                format!("refers to `{}`, which the old schema does not define", old.1.unwrap_or_default());
            return self.push(path, Change::TypeChanged, detail);
        };
        let Some(new_target) = target(self.new, new) else {
            let detail =
                format!("refers to `{}`, which the new schema does not define", new.1.unwrap_or_default());
            return self.push(path, Change::TypeChanged, detail);
        };
        let detail = match (old.1, new.1) {
            (Some(a), Some(b)) => format!("type `{a}` is now `{b}`"),
            (Some(a), None) => format!("type `{a}` is now written in place"),
            (None, Some(b)) => format!("now the named type `{b}`"),
            (None, None) => String::new(),
        };
        if old.1.map(name_of) != new.1.map(name_of) || old.1.is_some() != new.1.is_some() {
            self.push(path, Change::Docs, detail);
        }
        let pair = (old.1.unwrap_or_default().to_owned(), new.1.unwrap_or_default().to_owned());
        if self.inline.contains(&pair) {
            return;
        }
        self.inline.push(pair);
        self.node(path, old_target, new_target, methods);
        self.inline.pop();
    }

    fn annotations(&mut self, path: &str, old: &BTreeMap<String, &Value>, new: &BTreeMap<String, &Value>) {
        for key in ANNOTATIONS.iter().filter(|k| **k != "$comment") {
            let (a, b) = (old.get(*key), new.get(*key));
            if a == b {
                continue;
            }
            if *key == "default" {
                let show = |v: Option<&&Value>| v.map_or("none".to_owned(), |v| v.to_string());
                self.push(path, Change::DefaultChanged, format!("default {} → {}", show(a), show(b)));
                continue;
            }
            let what = match (a, b) {
                (None, _) => "added",
                (_, None) => "removed",
                _ => "changed",
            };
            self.push(path, Change::Docs, format!("{key} {what}"));
        }
    }

    /// Enum values. Returns whether to go on comparing.
    fn values(&mut self, path: &str, old: &Value, new: &Value) -> bool {
        match (node::values(old), node::values(new)) {
            (Some(ov), Some(nv)) => {
                for value in nv.keys().filter(|v| !ov.contains_key(*v)) {
                    self.push(path, Change::ValueAdded, format!("value {value} added"));
                }
                for value in ov.keys().filter(|v| !nv.contains_key(*v)) {
                    self.push(path, Change::ValueRemoved, format!("value {value} removed"));
                }
                for (value, description) in &ov {
                    if nv.get(value).is_some_and(|d| d != description) {
                        self.push(&format!("{path}={value}"), Change::Docs, "description changed".into());
                    }
                }
                true
            }
            (Some(ov), None) => {
                let (types, relation) = value_relation(&ov, new);
                let list = ov.keys().cloned().collect::<Vec<_>>().join(" | ");
                if node::members(new).is_empty() && matches!(relation, Relation::Wider | Relation::Same) {
                    self.push(path, Change::Widened, format!("any {types} now, was one of {list}"));
                } else {
                    self.push(path, Change::TypeChanged, format!("was one of {list}, now {}", describe(new)));
                }
                false
            }
            (None, Some(nv)) => {
                let (types, relation) = value_relation(&nv, old);
                let list = nv.keys().cloned().collect::<Vec<_>>().join(" | ");
                if node::members(old).is_empty() && matches!(relation, Relation::Wider | Relation::Same) {
                    self.push(path, Change::Narrowed, format!("now one of {list}, was any {types}"));
                } else {
                    self.push(path, Change::TypeChanged, format!("was {}, now one of {list}", describe(old)));
                }
                false
            }
            (None, None) => true,
        }
    }

    /// Union members, matched by label. Returns whether to go on comparing.
    fn unions(&mut self, path: &str, old: &Value, new: &Value, methods: Option<&'static str>) -> bool {
        let (om, nm) = (node::members(old), node::members(new));
        if om.is_empty() && nm.is_empty() {
            return true;
        }
        let plain =
            |members: &[(String, &Value)], value: &Value| members.is_empty() && node::values(value).is_none();
        if plain(&om, old) || plain(&nm, new) {
            self.push(path, Change::TypeChanged, format!("was {}, now {}", describe(old), describe(new)));
            return false;
        }
        let (added, removed, noun) = match methods {
            Some(noun) => (Change::MethodAdded, Change::MethodRemoved, noun),
            None => (Change::VariantAdded, Change::VariantRemoved, "variant"),
        };
        for (label, _) in nm.iter().filter(|(l, _)| !om.iter().any(|(o, _)| o == l)) {
            self.push(&format!("{path}[{label}]"), added, format!("{noun} added"));
        }
        for (label, _) in om.iter().filter(|(l, _)| !nm.iter().any(|(n, _)| n == l)) {
            self.push(&format!("{path}[{label}]"), removed, format!("{noun} removed"));
        }
        for (label, old_member) in &om {
            if let Some((_, new_member)) = nm.iter().find(|(n, _)| n == label) {
                self.node(&format!("{path}[{label}]"), old_member, new_member, None);
            }
        }
        true
    }

    /// JSON types. Returns whether to go on comparing.
    fn types(&mut self, path: &str, old: &Value, new: &Value) -> bool {
        if node::values(old).is_some() || node::values(new).is_some() {
            return true;
        }
        let (ot, nt) = (node::types(old), node::types(new));
        let detail = || format!("type {} → {}", show_types(&ot), show_types(&nt));
        match node::type_relation(&ot, &nt) {
            Relation::Same => true,
            Relation::Wider => {
                self.push(path, Change::Widened, detail());
                true
            }
            Relation::Narrower => {
                self.push(path, Change::Narrowed, detail());
                true
            }
            Relation::Other => {
                self.push(path, Change::TypeChanged, detail());
                false
            }
        }
    }
}

/// The definition a reference points to, or the node itself when it is not a reference.
fn target<'v>(schema: &'v Schema, (node, key): (&'v Value, Option<&str>)) -> Option<&'v Value> {
    match key {
        Some(key) => schema.defs.get(key),
        None => Some(node),
    }
}

/// The types of an enumeration's values, and how the other node's types relate to them.
fn value_relation(values: &node::Values, other: &Value) -> (String, Relation) {
    let types: BTreeSet<String> = values
        .keys()
        .filter_map(|v| serde_json::from_str::<Value>(v).ok())
        .map(|v| node::types(&json!({ "const": v })).into_iter().collect::<Vec<_>>().join("|"))
        .collect();
    let other_types = node::types(other);
    (show_types(&other_types), node::type_relation(&types, &other_types))
}

/// A few words for what a node is, for the detail of a change.
fn describe(value: &Value) -> String {
    if let Some(key) = node::ref_key(value) {
        return format!("`{key}`");
    }
    if let Some(values) = node::values(value) {
        return format!("one of {}", values.keys().cloned().collect::<Vec<_>>().join(" | "));
    }
    let members = node::members(value);
    if !members.is_empty() {
        let labels: Vec<&str> = members.iter().map(|(l, _)| l.as_str()).collect();
        return format!("a union of {}", labels.join(", "));
    }
    show_types(&node::types(value))
}

fn show_types(types: &BTreeSet<String>) -> String {
    if types.is_empty() {
        "anything".to_owned()
    } else {
        types.iter().cloned().collect::<Vec<_>>().join("|")
    }
}

/// A keyword's value for the detail of a change, `none` when absent.
pub(super) fn show(value: Option<&Value>) -> String {
    value.map_or("none".to_owned(), Value::to_string)
}
