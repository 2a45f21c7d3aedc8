//! Our schema against the reference peer's: for every type the reference also generates, the
//! same property names and the same required/optional split, apart from the deliberate
//! differences listed here with their reasons.
//!
//! The reference's shapes are a checked-in list extracted from its schema (see the header of
//! `tests/reference/codex-0.63.0.shapes`). The app-server's surface is compared: v2, and the
//! legacy `codex/event/*` events (`v1/`, against the reference's top-level names). The reference
//! generates no schema for the `exec` stream.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::collections::BTreeSet;

use codegen::shapes::{self, Shapes};

const REFERENCE: &str = include_str!("reference/codex-0.63.0.shapes");

/// Our types that the reference does not have.
const OURS_ONLY: &[(&str, &str)] = &[
    ("v2/ClientRequestMap", "ours: the method → params/result map the TypeScript SDK is typed from"),
    ("v2/ServerRequestMap", "ours: the same map for the server's approval requests"),
    ("v2/TurnStatus", "the reference inlines it into Turn; same shape there"),
    (
        "v2/NoParams",
        "the params of account/logout and account/rateLimits/read: the reference types them null, yet reads {} too; ours says both",
    ),
    ("v2/ThreadShellCommandParams", "thread/shellCommand is the newer Codex's method (after 0.63); its shape: threadId, command"),
    ("v2/ThreadShellCommandResponse", "the newer Codex's empty result of thread/shellCommand"),
    ("v2/InitializeCapabilities", "the newer Codex's initialize capabilities: optOutNotificationMethods (0.63 sends every notification to every client)"),
    ("v1/LegacyEvent", "the params of a codex/event/* notification ({id, msg, conversationId}); the reference does not list them as a type"),
    ("v1/ExecCommandBegin", "the exec_command_begin payload, named so exec_command_end can share its docs; compared inside EventMsg"),
    ("v1/ExecCommandEnd", "the exec_command_end payload; compared inside EventMsg"),
    (
        "v2/OneOffSandboxPolicy",
        "the v1 SandboxPolicy of execOneOffCommand (kebab-case type, snake_case settings), renamed beside the v2 SandboxPolicy; same properties",
    ),
];

/// Shape lines the reference has and we deliberately do not (`key`, line prefix, reason).
const REFERENCE_ONLY: &[(&str, &str, &str)] = &[
    ("v2/ClientRequest", " [method=", "the legacy v1 methods are out of scope"),
    ("v2/ServerRequest", " [method=", "the legacy v1 approval requests are out of scope"),
    ("v2/ServerNotification", " [method=", "the legacy v1 and windows notifications are out of scope (the legacy events are codex/event/* notifications, typed in v1/)"),
    (
        "v1/EventMsg",
        " [type=session_configured]",
        "answers the v1 newConversation request, which this server does not serve",
    ),
    ("v1/EventMsg", " [type=get_history_entry_response]", "answers a v1 request this server does not serve"),
    ("v1/EventMsg", " [type=mcp_list_tools_response]", "answers a v1 request this server does not serve"),
    ("v1/EventMsg", " [type=list_custom_prompts_response]", "answers a v1 request this server does not serve"),
    ("v1/EventMsg", " [type=undo_started]", "undo is a v1 operation this server does not serve"),
    ("v1/EventMsg", " [type=undo_completed]", "undo is a v1 operation this server does not serve"),
    ("v1/EventMsg", " [type=shutdown_complete]", "answers the v1 shutdown operation, which this server does not serve"),
    ("v1/EventMsg", " [type=raw_response_item]", "sent only to v1 listeners that ask for raw events (experimentalRawEvents)"),
    ("v1/EventMsg", " [type=deprecation_notice]", "this server deprecates nothing"),
    ("v1/EventMsg", " [type=background_event]", "this server has no background work to report"),
    ("v1/EventMsg", " [type=warning]", "this server writes its configuration warnings to stderr, as the reference app-server does"),
    ("v1/EventMsg", " [type=agent_reasoning_raw_content]", "the reference sends it only with show_raw_agent_reasoning, which the app-server does not set"),
    ("v1/EventMsg", " [type=web_search_begin]", "a search is reported once it is complete (web_search_end), as the reference does when the model's stream holds the finished call"),
    ("v2/InitializeParams", ": clientInfo", "ours adds the newer Codex's capabilities (see OURS_EXTRA)"),
    ("v2/JSONRPCError", ": error id", "a parse error has no request id; JSON-RPC 2.0 answers it with id null"),
    ("v2/JSONRPCMessage", " [?]: error id", "the same error response, inside the message union"),
    (
        "v2/SandboxCommandAssessment",
        ": description risk_level",
        "the reference bundle files its v1 type under this name; its own v2 per-type schema says riskLevel, as we do",
    ),
];

/// Shape lines we have and the reference does not (`key`, exact line, reason).
const OURS_EXTRA: &[(&str, &str, &str)] = &[
    (
        "v2/ClientRequest",
        " [method=thread/shellCommand]: id method params",
        "the newer Codex's user shell command, offered beside 0.63's execOneOffCommand",
    ),
    (
        "v2/SandboxCommandAssessment",
        ": description riskLevel",
        "see REFERENCE_ONLY: the v2 type, camelCase as in the reference's TypeScript",
    ),
    ("v2/JSONRPCError", ": error id?", "see REFERENCE_ONLY: id may be null"),
    (
        "v2/InitializeParams",
        ": capabilities? clientInfo",
        "the newer Codex's capabilities, to decline notifications (see OURS_ONLY)",
    ),
    ("v2/JSONRPCMessage", " [?]: error id?", "see REFERENCE_ONLY: id may be null"),
];

/// Our types whose reference name differs: (ours, the reference's).
const RENAMED: &[(&str, &str)] = &[("v1/CallToolOutcome", "Result_of_CallToolResult_or_String")];

/// Whether a type of ours is compared: the app-server's modules, v2 and the legacy v1.
fn compared_module(key: &str) -> bool {
    key.starts_with("v2/") || key.starts_with("v1/")
}

/// The reference's lines for one of our types: a v2 type under its own key (or its bare name,
/// where the reference files it top-level), a v1 type under its bare name.
fn reference_lines<'a>(reference: &'a Shapes, key: &str) -> Option<&'a BTreeSet<String>> {
    if let Some((_, theirs)) = RENAMED.iter().find(|(ours, _)| *ours == key) {
        return reference.get(*theirs);
    }
    let (module, bare) = key.split_once('/')?;
    match module {
        "v2" => reference.get(key).or_else(|| reference.get(bare)),
        _ => reference.get(bare),
    }
}

fn ours() -> Shapes {
    let files = codegen::generate().expect("generation succeeds");
    let bundle = &files[&std::path::Path::new(codegen::SCHEMA_DIR).join(codegen::BUNDLE_FILE)];
    shapes::extract(&serde_json::from_str(bundle).expect("the bundle is JSON"))
}

#[test]
fn v2_types_match_the_reference() {
    let reference = shapes::parse(REFERENCE);
    assert!(reference.len() > 100, "the reference list looks truncated");
    let ours = ours();
    let mut problems = Vec::new();
    let mut compared = 0;
    for (key, our_lines) in ours.iter().filter(|(k, _)| compared_module(k)) {
        let Some(ref_lines) = reference_lines(&reference, key) else {
            if !OURS_ONLY.iter().any(|(k, _)| k == key) {
                problems.push(format!(
                    "{key}: the reference has no such type; add it to OURS_ONLY with a reason, or rename it"
                ));
            }
            continue;
        };
        compared += 1;
        for line in ref_lines.difference(our_lines) {
            let allowed = REFERENCE_ONLY.iter().any(|(k, prefix, _)| k == key && line.starts_with(prefix));
            if !allowed {
                problems.push(format!("{key}: reference has `{line}`, we do not"));
            }
        }
        for line in our_lines.difference(ref_lines) {
            if !OURS_EXTRA.iter().any(|(k, l, _)| k == key && l == line) {
                problems.push(format!("{key}: we have `{line}`, the reference does not"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} differences from the reference:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let types = ours.keys().filter(|k| compared_module(k)).count();
    assert_eq!(compared + OURS_ONLY.len(), types, "every v2 and v1 type is compared or listed in OURS_ONLY");
}

#[test]
fn the_allowances_are_all_still_needed() {
    let reference = shapes::parse(REFERENCE);
    let ours = ours();
    for (key, _) in OURS_ONLY {
        assert!(ours.contains_key(*key), "OURS_ONLY names {key}, which we no longer have");
    }
    for (key, prefix, _) in REFERENCE_ONLY {
        let lines = reference_lines(&reference, key).expect("reference type");
        let ours = ours.get(*key).cloned().unwrap_or_default();
        assert!(
            lines.iter().any(|l| l.starts_with(prefix) && !ours.contains(l)),
            "REFERENCE_ONLY allows `{key}{prefix}…`, but nothing differs there any more"
        );
    }
    for (key, line, _) in OURS_EXTRA {
        assert!(
            ours.get(*key).is_some_and(|l| l.contains(*line)),
            "OURS_EXTRA names `{key}{line}`, which we no longer have"
        );
    }
}

/// The methods of wire.md section 4, the `account/*` methods and `review/start`, exactly:
/// nothing missing, nothing extra.
#[test]
fn method_lists_are_those_of_the_wire_spec() {
    let ours = ours();
    let methods = |key: &str| -> BTreeSet<String> {
        ours[key]
            .iter()
            .filter_map(|l| l.strip_prefix(" [method=")?.split(']').next().map(str::to_owned))
            .collect()
    };
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        methods("v2/ClientRequest"),
        set(&[
            "initialize",
            "thread/start",
            "thread/resume",
            "thread/list",
            "thread/archive",
            "thread/compact",
            "turn/start",
            "turn/interrupt",
            "model/list",
            "account/read",
            "account/login/start",
            "account/login/cancel",
            "account/logout",
            "account/rateLimits/read",
            "thread/shellCommand",
            "execOneOffCommand",
            "feedback/upload",
            "review/start",
        ])
    );
    assert_eq!(
        methods("v2/ServerRequest"),
        set(&["item/commandExecution/requestApproval", "item/fileChange/requestApproval"])
    );
    assert_eq!(
        methods("v2/ServerNotification"),
        set(&[
            "error",
            "thread/started",
            "turn/started",
            "turn/completed",
            "item/started",
            "item/completed",
            "item/agentMessage/delta",
            "item/reasoning/summaryTextDelta",
            "item/reasoning/summaryPartAdded",
            "item/reasoning/textDelta",
            "item/commandExecution/outputDelta",
            "item/mcpToolCall/progress",
            "account/updated",
            "account/login/completed",
            "account/rateLimits/updated",
        ])
    );
    assert_eq!(methods("v2/ClientNotification"), set(&["initialized"]));
    assert_eq!(
        protocol::v2::ClientRequest::METHODS.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
        methods("v2/ClientRequest"),
        "ClientRequest::METHODS lists every variant"
    );
}
