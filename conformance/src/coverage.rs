//! Coverage enforced from the schema: the kinds the generated schema defines (event types, item
//! types, statuses, notifications, server requests, approval decisions), against the kinds the
//! transcripts show. A kind the schema adds appears here without a hand-written list.

use std::collections::BTreeSet;

use serde_json::Value;

/// Kinds this runtime cannot produce, with why. Everything else the schema defines must appear.
pub const NOT_PRODUCED: &[(&str, &str)] = &[];

/// Every kind the schema bundle defines, as `"<where> <kind>"` strings.
pub fn expected(bundle: &Value) -> BTreeSet<String> {
    let defs = &bundle["definitions"];
    let mut kinds = BTreeSet::new();
    let mut add =
        |prefix: &str, values: Vec<String>| kinds.extend(values.into_iter().map(|v| format!("{prefix} {v}")));
    add("exec event", tags(&defs["exec"]["ThreadEvent"], "type"));
    add("exec item type", tags(&defs["exec"]["ThreadItemDetails"], "type"));
    add("exec command_execution status", strings(&defs["exec"]["CommandExecutionStatus"]));
    add("exec file_change status", strings(&defs["exec"]["PatchApplyStatus"]));
    add("exec mcp_tool_call status", strings(&defs["exec"]["McpToolCallStatus"]));
    add("v2 notification", tags(&defs["v2"]["ServerNotification"], "method"));
    add("v2 server request", tags(&defs["v2"]["ServerRequest"], "method"));
    add("v2 item type", tags(&defs["v2"]["ThreadItem"], "type"));
    add("v2 commandExecution status", strings(&defs["v2"]["CommandExecutionStatus"]));
    add("v2 fileChange status", strings(&defs["v2"]["PatchApplyStatus"]));
    add("v2 turn status", tags(&defs["v2"]["TurnStatus"], "status"));
    add("v2 approval decision", strings(&defs["v2"]["ApprovalDecision"]));
    add("v1 event", tags(&defs["v1"]["EventMsg"], "type"));
    kinds
}

/// The kinds an `exec` line shows.
pub fn seen_in_exec(line: &Value, seen: &mut BTreeSet<String>) {
    let kind = line["type"].as_str().unwrap_or_default();
    seen.insert(format!("exec event {kind}"));
    let item = &line["item"];
    if let Some(item_type) = item["type"].as_str() {
        seen.insert(format!("exec item type {item_type}"));
        if let Some(status) = item["status"].as_str() {
            seen.insert(format!("exec {item_type} status {status}"));
        }
    }
}

/// The kinds an app-server message shows (`from_server` false for the client's answers).
pub fn seen_in_app_server(from_server: bool, message: &Value, seen: &mut BTreeSet<String>) {
    let method = message["method"].as_str();
    if !from_server {
        if let Some(decision) = message["result"]["decision"].as_str() {
            seen.insert(format!("v2 approval decision {decision}"));
        }
        return;
    }
    if test_support::is_legacy(message) {
        if let Some(kind) = message["params"]["msg"]["type"].as_str() {
            seen.insert(format!("v1 event {kind}"));
        }
        return;
    }
    match (method, message.get("id")) {
        (Some(method), Some(_)) => {
            seen.insert(format!("v2 server request {method}"));
        }
        (Some(method), None) => {
            seen.insert(format!("v2 notification {method}"));
        }
        _ => {}
    }
    let item = &message["params"]["item"];
    if let Some(item_type) = item["type"].as_str() {
        seen.insert(format!("v2 item type {item_type}"));
        if let Some(status) = item["status"].as_str() {
            seen.insert(format!("v2 {item_type} status {status}"));
        }
    }
    for turn in [&message["params"]["turn"], &message["result"]["turn"]] {
        if let Some(status) = turn["status"].as_str() {
            seen.insert(format!("v2 turn status {status}"));
        }
    }
}

/// The values of the tag `key` over a union's variants.
fn tags(union: &Value, key: &str) -> Vec<String> {
    union["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|variant| {
            let tag = &variant["properties"][key];
            tag["const"].as_str().or_else(|| tag["enum"][0].as_str()).map(str::to_owned)
        })
        .collect()
}

/// The strings of a string enum (plain `enum`, or a `oneOf` of constants).
fn strings(schema: &Value) -> Vec<String> {
    if let Some(values) = schema["enum"].as_array() {
        return values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
    }
    schema["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["const"].as_str().or_else(|| v["enum"][0].as_str()).map(str::to_owned))
        .collect()
}
