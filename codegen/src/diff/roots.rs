//! Who sends what: the message roots of a schema, the response type of each request, and, for
//! every definition, whether the client sends it, the server sends it, or both.
//!
//! Roots are found by name, in any namespace, so that both layouts are read alike:
//! - sent by the client: `ClientRequest`, `ClientNotification`;
//! - sent by the server: `ServerRequest`, `ServerNotification`, `EventMsg` (the payload of the
//!   legacy `codex/event/*` notifications), `LegacyEvent` (agentwire's params of them),
//!   `ThreadEvent` (the `exec --experimental-json` stream);
//! - sent by both: the JSON-RPC envelopes (`JSONRPC*`).
//!
//! The result of a request is sent by the other side. It is found, for each method, in the
//! request map when the schema has one (agentwire's `ClientRequestMap`/`ServerRequestMap`: method
//! to `params` and `result`), else by name: the params `FooParams` answered by `FooResponse`, or
//! the method `getFoo` by `GetFooResponse`. Any other `*Response` definition is taken for the
//! result of a client request (every server request of the reference follows the naming rule,
//! while some client requests without params do not).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::load::{Schema, DEFINITIONS};
use super::node;

/// Which sides send a definition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reach {
    /// The client sends it (the server reads it).
    pub client: bool,
    /// The server sends it (the client reads it).
    pub server: bool,
}

impl Reach {
    /// Sent by the client only.
    pub const CLIENT: Reach = Reach { client: true, server: false };
    /// Sent by the server only.
    pub const SERVER: Reach = Reach { client: false, server: true };
    /// Sent by both.
    pub const BOTH: Reach = Reach { client: true, server: true };

    /// Either side's sending.
    pub fn union(self, other: Reach) -> Reach {
        Reach { client: self.client || other.client, server: self.server || other.server }
    }
}

/// The messages and directions of one schema.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    /// The message unions: key to who sends them. Their variants are methods (or events).
    pub message_unions: BTreeMap<String, Reach>,
    /// `(request union key, variant label)` to the key of its result type.
    pub results: BTreeMap<(String, String), String>,
    /// Who sends each definition; a definition no root reaches is absent.
    pub reach: BTreeMap<String, Reach>,
}

/// The names of the message unions, with who sends them.
const MESSAGE_UNIONS: [(&str, Reach); 6] = [
    ("ClientRequest", Reach::CLIENT),
    ("ClientNotification", Reach::CLIENT),
    ("ServerRequest", Reach::SERVER),
    ("ServerNotification", Reach::SERVER),
    ("EventMsg", Reach::SERVER),
    ("ThreadEvent", Reach::SERVER),
];

/// What the members of a message union are called: `request`, `notification` or `event`.
pub fn message_noun(key: &str) -> &'static str {
    match name_of(key) {
        "ClientRequest" | "ServerRequest" => "request",
        "ClientNotification" | "ServerNotification" => "notification",
        _ => "event",
    }
}

/// The request maps, which repeat what the request unions say; they are read for the results
/// and are not compared themselves.
pub const REQUEST_MAPS: [&str; 2] = ["ClientRequestMap", "ServerRequestMap"];

/// The last segment of a key: `v2/ThreadItem` → `ThreadItem`.
pub fn name_of(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

/// The namespace of a key, with its slash: `v2/ThreadItem` → `v2/`; empty at the top level.
fn namespace_of(key: &str) -> &str {
    &key[..key.len() - name_of(key).len()]
}

/// Works out the roots, results and reach of `schema`.
pub fn topology(schema: &Schema) -> Topology {
    let mut topology = Topology::default();
    let mut roots: Vec<(String, Reach)> = Vec::new();
    for key in schema.defs.keys() {
        let name = name_of(key);
        if let Some((_, reach)) = MESSAGE_UNIONS.iter().find(|(n, _)| *n == name) {
            topology.message_unions.insert(key.clone(), *reach);
            roots.push((key.clone(), *reach));
        } else if name == "LegacyEvent" {
            roots.push((key.clone(), Reach::SERVER));
        } else if name.starts_with("JSONRPC") {
            roots.push((key.clone(), Reach::BOTH));
        }
    }
    let mut linked = BTreeSet::new();
    for (union, sender) in topology.message_unions.clone() {
        let name = name_of(&union);
        let map = match name {
            "ClientRequest" => "ClientRequestMap",
            "ServerRequest" => "ServerRequestMap",
            _ => continue,
        };
        let map = schema.defs.get(&format!("{}{map}", namespace_of(&union)));
        let answerer = Reach { client: sender.server, server: sender.client };
        let Some(definition) = schema.defs.get(&union) else { continue };
        for (label, variant) in node::members(definition) {
            let Some(method) = label.strip_prefix("method=") else { continue };
            if let Some(result) = result_of(schema, &union, method, variant, map) {
                linked.insert(result.clone());
                roots.push((result.clone(), answerer));
                topology.results.insert((union.clone(), label.clone()), result);
            }
        }
    }
    for key in schema.defs.keys() {
        let name = name_of(key);
        if name.ends_with("Response") && !name.starts_with("JSONRPC") && !linked.contains(key) {
            roots.push((key.clone(), Reach::SERVER));
        }
    }
    for (root, reach) in roots {
        mark(schema, &root, reach, &mut topology.reach);
    }
    topology
}

/// The result type of one request method.
fn result_of(
    schema: &Schema,
    union: &str,
    method: &str,
    variant: &Value,
    map: Option<&Value>,
) -> Option<String> {
    if let Some(entry) = map.and_then(|m| m.get("properties")).and_then(|p| p.get(method)) {
        let result = entry.get("properties").and_then(|p| p.get("result"));
        return result.and_then(|r| node::ref_key(node::unwrap(r).0)).map(str::to_owned);
    }
    let params = variant.get("properties").and_then(|p| p.get("params"));
    if let Some(params) = params.and_then(|p| node::ref_key(node::unwrap(p).0)) {
        if let Some(stem) = params.strip_suffix("Params") {
            let result = format!("{stem}Response");
            if schema.defs.contains_key(&result) {
                return Some(result);
            }
        }
    }
    let pascal: String = method
        .split(['/', '_'])
        .flat_map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars)
        })
        .collect();
    let result = format!("{}{pascal}Response", namespace_of(union));
    schema.defs.contains_key(&result).then_some(result)
}

/// Marks `key` and everything it references as sent by `reach`.
fn mark(schema: &Schema, key: &str, reach: Reach, marks: &mut BTreeMap<String, Reach>) {
    let mut stack = vec![key.to_owned()];
    while let Some(key) = stack.pop() {
        let Some(def) = schema.defs.get(&key) else { continue };
        let known = marks.get(&key).copied().unwrap_or_default();
        let merged = known.union(reach);
        if merged == known && marks.contains_key(&key) {
            continue;
        }
        marks.insert(key, merged);
        collect_refs(def, &mut stack);
    }
}

/// Every definition key referenced anywhere below `value`.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(r)) => {
                        if let Some(key) = r.strip_prefix(DEFINITIONS) {
                            out.push(key.to_owned());
                        }
                    }
                    _ => collect_refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn schema(defs: Value) -> Schema {
        Schema { source: "test".into(), defs: super::super::load::from_bundle(defs.as_object().unwrap()) }
    }

    #[test]
    fn results_by_map_by_params_name_and_by_method_name() {
        let s = schema(json!({
            "ClientRequest": {"oneOf": [
                {"properties": {"method": {"const": "foo/start"}, "params": {"$ref": "#/definitions/FooStartParams"}}, "required": ["method", "params"]},
                {"properties": {"method": {"const": "getBar"}}, "required": ["method"]},
            ]},
            "FooStartParams": {"properties": {"mode": {"$ref": "#/definitions/Mode"}}},
            "FooStartResponse": {"properties": {"mode": {"$ref": "#/definitions/Mode"}}},
            "GetBarResponse": {"properties": {}},
            "Mode": {"enum": ["a"]},
            "Lonely": {"enum": ["b"]},
            "ServerRequest": {"oneOf": [
                {"properties": {"method": {"const": "ask"}, "params": {"$ref": "#/definitions/AskParams"}}, "required": ["method"]},
            ]},
            "AskParams": {"properties": {}},
            "AskResponse": {"properties": {}},
        }));
        let t = topology(&s);
        assert_eq!(t.results[&("ClientRequest".into(), "method=foo/start".into())], "FooStartResponse");
        assert_eq!(t.results[&("ClientRequest".into(), "method=getBar".into())], "GetBarResponse");
        assert_eq!(t.reach["Mode"], Reach::BOTH);
        assert_eq!(t.reach["FooStartParams"], Reach::CLIENT);
        assert_eq!(t.reach["FooStartResponse"], Reach::SERVER);
        assert_eq!(t.reach["AskParams"], Reach::SERVER);
        assert_eq!(t.reach["AskResponse"], Reach::CLIENT);
        assert!(!t.reach.contains_key("Lonely"));
    }
}
