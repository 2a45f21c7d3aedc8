//! `codegen diff`: each classification rule on small hand-written schemas, in both directions.
//!
//! The type under test, `T`, is put where the client sends it (the params of a client request)
//! or where the server sends it (the params of a server notification); [`judge`] gives the
//! entries for each placement as `kind direction path change` lines.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use codegen::diff::{self, load::from_bundle, Schema};
use serde_json::{json, Value};

#[derive(Clone, Copy)]
enum Side {
    Client,
    Server,
    Both,
}

/// A protocol whose client request `do` and server notification `done` carry `T` or `Empty`.
fn protocol(defs: &Value, side: Side) -> Schema {
    let (client, server) = match side {
        Side::Client => ("T", "Empty"),
        Side::Server => ("Empty", "T"),
        Side::Both => ("T", "T"),
    };
    let message = |method: &str, params: &str| {
        json!({"type": "object", "properties": {"method": {"type": "string", "const": method},
            "params": {"$ref": format!("#/definitions/{params}")}}, "required": ["method", "params"]})
    };
    let mut all = json!({
        "ClientRequest": {"oneOf": [message("do", client)]},
        "ServerNotification": {"oneOf": [message("done", server)]},
        "Empty": {"type": "object"},
    });
    for (key, def) in defs.as_object().unwrap() {
        all[key] = def.clone();
    }
    Schema { source: "test".into(), defs: from_bundle(all.as_object().unwrap()) }
}

fn lines(report: &diff::Report) -> Vec<String> {
    report
        .entries
        .iter()
        .map(|e| format!("{} {} {} {}", e.kind, e.direction, e.path, e.change.tag()))
        .collect()
}

/// The entries of the change from `old` to `new` (definitions, `T` among them) with `T` on `side`.
fn judge_on(old: &Value, new: &Value, side: Side) -> Vec<String> {
    lines(&diff::diff(&protocol(old, side), &protocol(new, side)))
}

/// The entries with `T` sent by the client, then with `T` sent by the server.
fn judge(old: Value, new: Value) -> (Vec<String>, Vec<String>) {
    (judge_on(&old, &new, Side::Client), judge_on(&old, &new, Side::Server))
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"T": {"type": "object", "properties": properties, "required": required}})
}

#[test]
fn a_required_field_added_breaks_old_clients_only_when_they_send_it() {
    let (client, server) = judge(
        object(json!({"a": {"type": "string"}}), &["a"]),
        object(json!({"a": {"type": "string"}, "b": {"type": "string"}}), &["a", "b"]),
    );
    assert_eq!(client, ["breaking client-to-server T.b required-field-added"]);
    assert_eq!(server, ["additive server-to-client T.b required-field-added"]);
}

#[test]
fn an_optional_field_added_is_additive_both_ways() {
    let (client, server) = judge(
        object(json!({"a": {"type": "string"}}), &["a"]),
        object(json!({"a": {"type": "string"}, "b": {"type": ["string", "null"]}}), &["a"]),
    );
    assert_eq!(client, ["additive client-to-server T.b optional-field-added"]);
    assert_eq!(server, ["additive server-to-client T.b optional-field-added"]);
}

#[test]
fn a_field_added_to_a_closed_object_breaks_its_old_readers() {
    let closed = |properties: Value| json!({"T": {"type": "object", "properties": properties, "additionalProperties": false}});
    let (client, server) =
        judge(closed(json!({"a": {"type": "string"}})), closed(json!({"a": {"type": "string"}, "b": {}})));
    assert_eq!(client, ["additive client-to-server T.b optional-field-added"]);
    assert_eq!(server, ["breaking server-to-client T.b optional-field-added"]);
}

#[test]
fn a_removed_field_breaks_writers_always_and_readers_when_it_was_required() {
    let both = object(json!({"a": {"type": "string"}, "b": {"type": "string"}}), &["a"]);
    let (client, server) = judge(both.clone(), object(json!({"b": {"type": "string"}}), &[]));
    assert_eq!(client, ["breaking client-to-server T.a required-field-removed"]);
    assert_eq!(server, ["breaking server-to-client T.a required-field-removed"]);
    let (client, server) = judge(both, object(json!({"a": {"type": "string"}}), &["a"]));
    assert_eq!(client, ["breaking client-to-server T.b optional-field-removed"]);
    assert_eq!(server, ["additive server-to-client T.b optional-field-removed"]);
}

#[test]
fn required_and_optional_swap_break_opposite_sides() {
    let optional = object(json!({"a": {"type": "string"}}), &[]);
    let required = object(json!({"a": {"type": "string"}}), &["a"]);
    let (client, server) = judge(optional.clone(), required.clone());
    assert_eq!(client, ["breaking client-to-server T.a now-required"]);
    assert_eq!(server, ["additive server-to-client T.a now-required"]);
    let (client, server) = judge(required, optional);
    assert_eq!(client, ["additive client-to-server T.a now-optional"]);
    assert_eq!(server, ["breaking server-to-client T.a now-optional"]);
}

#[test]
fn enum_values_added_break_readers_of_server_data_and_removed_ones_readers_of_client_data() {
    let two = json!({"T": {"type": "string", "enum": ["a", "b"]}});
    let three = json!({"T": {"type": "string", "enum": ["a", "b", "c"]}});
    let (client, server) = judge(two.clone(), three.clone());
    assert_eq!(client, ["additive client-to-server T value-added"]);
    assert_eq!(server, ["breaking server-to-client T value-added"]);
    let (client, server) = judge(three, two);
    assert_eq!(client, ["breaking client-to-server T value-removed"]);
    assert_eq!(server, ["additive server-to-client T value-removed"]);
}

#[test]
fn union_variants_follow_the_enum_rule_and_are_labelled_by_their_tag() {
    let variant = |tag: &str| {
        json!({"type": "object", "properties": {"type": {"type": "string", "const": tag}, "id": {"type": "string"}},
            "required": ["type", "id"]})
    };
    let one = json!({"T": {"oneOf": [variant("a")]}});
    let two = json!({"T": {"oneOf": [variant("a"), variant("b")]}});
    let (client, server) = judge(one.clone(), two.clone());
    assert_eq!(client, ["additive client-to-server T[type=b] variant-added"]);
    assert_eq!(server, ["breaking server-to-client T[type=b] variant-added"]);
    let (client, server) = judge(two, one);
    assert_eq!(client, ["breaking client-to-server T[type=b] variant-removed"]);
    assert_eq!(server, ["additive server-to-client T[type=b] variant-removed"]);
}

#[test]
fn null_admitted_or_refused_is_a_widening_or_a_narrowing() {
    let plain = object(json!({"a": {"$ref": "#/definitions/M"}}), &["a"]);
    let nullable = object(json!({"a": {"anyOf": [{"$ref": "#/definitions/M"}, {"type": "null"}]}}), &["a"]);
    let with_m = |mut defs: Value| {
        defs["M"] = json!({"type": "string", "enum": ["x"]});
        defs
    };
    let (client, server) = judge(with_m(plain.clone()), with_m(nullable.clone()));
    assert_eq!(client, ["additive client-to-server T.a now-nullable"]);
    assert_eq!(server, ["breaking server-to-client T.a now-nullable"]);
    let (client, server) = judge(with_m(nullable), with_m(plain));
    assert_eq!(client, ["breaking client-to-server T.a no-longer-nullable"]);
    assert_eq!(server, ["additive server-to-client T.a no-longer-nullable"]);
}

#[test]
fn types_and_bounds_widened_narrowed_or_changed() {
    let field = |schema: Value| object(json!({ "a": schema }), &["a"]);
    let (client, server) = judge(field(json!({"type": "integer"})), field(json!({"type": "number"})));
    assert_eq!(client, ["additive client-to-server T.a widened"]);
    assert_eq!(server, ["breaking server-to-client T.a widened"]);
    let (client, server) = judge(field(json!({"type": "number"})), field(json!({"type": "integer"})));
    assert_eq!(client, ["breaking client-to-server T.a narrowed"]);
    assert_eq!(server, ["additive server-to-client T.a narrowed"]);
    let (client, server) = judge(
        field(json!({"type": "integer", "format": "int32"})),
        field(json!({"type": "integer", "format": "int64"})),
    );
    assert_eq!(client, ["additive client-to-server T.a widened"]);
    assert_eq!(server, ["breaking server-to-client T.a widened"]);
    let (client, server) = judge(
        field(json!({"type": "integer", "minimum": 0})),
        field(json!({"type": "integer", "minimum": 1})),
    );
    assert_eq!(client, ["breaking client-to-server T.a narrowed"]);
    assert_eq!(server, ["additive server-to-client T.a narrowed"]);
    let (client, server) = judge(field(json!({"type": "string"})), field(json!({"type": "object"})));
    assert_eq!(client, ["breaking client-to-server T.a type-changed"]);
    assert_eq!(server, ["breaking server-to-client T.a type-changed"]);
    let (client, server) =
        judge(field(json!({"type": "string"})), field(json!({"type": "string", "enum": ["x"]})));
    assert_eq!(client, ["breaking client-to-server T.a narrowed"]);
    assert_eq!(server, ["additive server-to-client T.a narrowed"]);
}

#[test]
fn methods_added_are_additive_and_removed_ones_breaking_in_both_directions() {
    let t = json!({"T": {"type": "object"}});
    let old = protocol(&t, Side::Client);
    let mut new = old.clone();
    let extra =
        json!({"type": "object", "properties": {"method": {"const": "extra"}}, "required": ["method"]});
    for root in ["ClientRequest", "ServerNotification"] {
        new.defs.get_mut(root).unwrap()["oneOf"].as_array_mut().unwrap().push(extra.clone());
    }
    assert_eq!(
        lines(&diff::diff(&old, &new)),
        [
            "additive client-to-server ClientRequest[method=extra] method-added",
            "additive server-to-client ServerNotification[method=extra] method-added",
        ]
    );
    let report = diff::diff(&new, &old);
    assert_eq!(
        lines(&report),
        [
            "breaking client-to-server ClientRequest[method=extra] method-removed",
            "breaking server-to-client ServerNotification[method=extra] method-removed",
        ]
    );
    assert_eq!(report.entries[0].detail, "request removed");
    assert_eq!(report.entries[1].detail, "notification removed");

    // A message union new altogether: each of its methods is added.
    let mut with_notifications = old.clone();
    with_notifications.defs.insert("ClientNotification".into(), json!({"oneOf": [extra]}));
    assert_eq!(
        lines(&diff::diff(&old, &with_notifications)),
        ["additive client-to-server ClientNotification[method=extra] method-added"]
    );
    assert_eq!(
        lines(&diff::diff(&with_notifications, &old)),
        ["breaking client-to-server ClientNotification[method=extra] method-removed"]
    );
}

#[test]
fn descriptions_titles_and_names_are_docs_and_defaults_matter_to_writers_only() {
    let described = |text: &str| json!({"T": {"type": "object", "description": text, "properties": {"a": {"type": "string", "description": text}}}});
    let (client, server) = judge(described("old"), described("new"));
    assert_eq!(client, ["docs client-to-server T docs", "docs client-to-server T.a docs"]);
    assert_eq!(server, ["docs server-to-client T docs", "docs server-to-client T.a docs"]);

    let values =
        |text: &str| json!({"T": {"oneOf": [{"type": "string", "enum": ["x"], "description": text}]}});
    let (client, _) = judge(values("old"), values("new"));
    assert_eq!(client, ["docs client-to-server T=\"x\" docs"]);

    let defaulted = |value: bool| object(json!({"a": {"type": "boolean", "default": value}}), &[]);
    let (client, server) = judge(defaulted(false), defaulted(true));
    assert_eq!(client, ["breaking client-to-server T.a default-changed"]);
    assert_eq!(server, ["docs server-to-client T.a default-changed"]);
}

#[test]
fn a_renamed_type_is_compared_in_place_under_the_field_that_uses_it() {
    let uses = |name: &str, values: Value| {
        let mut defs = object(json!({"mode": {"$ref": format!("#/definitions/{name}")}}), &["mode"]);
        defs[name] = json!({"type": "string", "enum": values});
        defs
    };
    let (client, server) = judge(uses("Mode", json!(["a"])), uses("SandboxMode", json!(["a"])));
    assert_eq!(client, ["docs client-to-server T.mode docs"]);
    assert_eq!(server, ["docs server-to-client T.mode docs"]);
    let (client, _) = judge(uses("Mode", json!(["a"])), uses("SandboxMode", json!(["a", "b"])));
    assert_eq!(client, ["additive client-to-server T.mode value-added", "docs client-to-server T.mode docs"]);
    // A type kept under its name is compared once, at its own path.
    let (client, _) = judge(uses("Mode", json!(["a"])), uses("Mode", json!(["a", "b"])));
    assert_eq!(client, ["additive client-to-server Mode value-added"]);
}

#[test]
fn a_type_sent_by_both_sides_gets_both_verdicts() {
    let old = object(json!({"a": {"type": "string"}}), &[]);
    let new = object(json!({"a": {"type": "string"}, "b": {"type": "string"}}), &["a"]);
    assert_eq!(
        judge_on(&old, &new, Side::Both),
        [
            "breaking client-to-server T.a now-required",
            "additive server-to-client T.a now-required",
            "additive both T.b optional-field-added",
        ]
    );
}

#[test]
fn a_type_no_message_reaches_is_judged_by_the_worse_verdict() {
    let mut old = protocol(&json!({"T": {"type": "object"}}), Side::Client);
    old.defs.insert("Lonely".into(), json!({"type": "string", "enum": ["a"]}));
    let mut new = old.clone();
    new.defs.insert("Lonely".into(), json!({"type": "string", "enum": ["a", "b"]}));
    assert_eq!(lines(&diff::diff(&old, &new)), ["breaking unreached Lonely value-added"]);
}

#[test]
fn the_result_of_a_request_is_sent_by_the_server_and_followed_when_renamed() {
    let defs = |result: &str, fields: Value| {
        let mut defs = json!({"T": {"type": "object"}});
        defs[result] = json!({"type": "object", "properties": fields});
        let mut schema = protocol(&defs, Side::Client);
        let request = &mut schema.defs.get_mut("ClientRequest").unwrap()["oneOf"][0]["properties"];
        request["method"] = json!({"const": "do"});
        request["params"] = json!({"$ref": "#/definitions/T"});
        schema
    };
    // `do` is answered by `DoResponse` (by the method's name), then by `DoResult` through a map.
    let old = defs("DoResponse", json!({"a": {"type": "string"}}));
    let mut new = defs("DoResult", json!({"a": {"type": "string"}, "b": {"type": "string"}}));
    new.defs.insert(
        "ClientRequestMap".into(),
        json!({"type": "object", "properties": {"do": {"type": "object", "properties": {
            "params": {"$ref": "#/definitions/T"}, "result": {"$ref": "#/definitions/DoResult"}}}}}),
    );
    assert_eq!(
        lines(&diff::diff(&old, &new)),
        [
            "docs server-to-client ClientRequest[method=do].result docs",
            "additive server-to-client ClientRequest[method=do].result.b optional-field-added",
        ]
    );
}
