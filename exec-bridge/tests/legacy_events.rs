//! The legacy `codex/event/*` stream end to end: the real binary over stdio (every legacy
//! notification checked against `v1/LegacyEvent` and its method against its type) and the
//! scripted model. The order of one full turn is the reference's (Codex 0.63, observed with the
//! same script), but for the differences listed in `FULL_TURN`; a client declines the stream, or
//! single methods, at `initialize`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use base64::Engine as _;
use serde_json::{json, Value};
use test_support::script::{message, patch, plan, reasoning, shell};
use test_support::{canonical, turn_status, AppServer, World};

/// Legacy events as `L type`, v2 notifications as `V method`, server requests as `R method`.
fn outline(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| {
            let method = m["method"].as_str()?;
            Some(match method.strip_prefix("codex/event/") {
                Some(kind) => format!("L {kind}"),
                None if m.get("id").is_some() => format!("R {method}"),
                None => format!("V {method}"),
            })
        })
        .collect()
}

/// `lines` with each repeat of a run of deltas (the same one to three lines again) removed.
fn collapse_deltas(mut lines: Vec<String>) -> Vec<String> {
    let mut i = 0;
    while i < lines.len() {
        let repeat = (1..=3).find(|&k| {
            i >= k
                && i + k <= lines.len()
                && lines[i..i + k] == lines[i - k..i]
                && lines[i..i + k].iter().all(|l| l.to_lowercase().contains("delta"))
        });
        match repeat {
            Some(k) => drop(lines.drain(i..i + k)),
            None => i += 1,
        }
    }
    lines
}

/// The script: reasoning and a command writing to both pipes; a plan; a patch; the plan again;
/// the answer.
fn full_turn_world() -> World {
    World::new(json!([
        [reasoning("Looking around first"), shell("call_ls", &["bash", "-c", "echo out; echo err >&2"])],
        [plan("call_plan", &[("write the file", "in_progress"), ("answer", "pending")])],
        [patch("call_patch", "*** Add File: hello.txt\n+hi\n")],
        [plan("call_plan2", &[("write the file", "completed"), ("answer", "in_progress")])],
        [message("Done: hello.txt written.")],
    ]))
}

/// The reference's order for this turn, from `turn/started` (the MCP start comes before it,
/// right after `thread/started`), less what it does and we do not: an
/// `exec_command_output_delta` and `item/commandExecution/outputDelta` for the patch (a known
/// defect of its own). Our plan item is a v2 item too.
const FULL_TURN: &[&str] = &[
    "V turn/started",
    "L task_started",
    "L item_started",
    "V item/started",
    "L item_completed",
    "V item/completed",
    "L user_message",
    "L token_count",
    "V account/rateLimits/updated",
    "L item_started",
    "V item/started",
    "L agent_reasoning_section_break",
    "V item/reasoning/summaryPartAdded",
    "L reasoning_content_delta",
    "V item/reasoning/summaryTextDelta",
    "L agent_reasoning_delta",
    "L item_completed",
    "V item/completed",
    "L agent_reasoning",
    "L token_count",
    "V account/rateLimits/updated",
    "L exec_command_begin",
    "V item/started",
    "L exec_command_output_delta",
    "V item/commandExecution/outputDelta",
    "L exec_command_end",
    "V item/completed",
    "L token_count",
    "V account/rateLimits/updated",
    "L token_count",
    "V account/rateLimits/updated",
    "L plan_update",
    "V item/started",
    "L token_count",
    "V account/rateLimits/updated",
    "L token_count",
    "V account/rateLimits/updated",
    "L patch_apply_begin",
    "V item/started",
    "L patch_apply_end",
    "V item/completed",
    "L turn_diff",
    "L turn_diff",
    "L token_count",
    "V account/rateLimits/updated",
    "L token_count",
    "V account/rateLimits/updated",
    "L plan_update",
    "L turn_diff",
    "L token_count",
    "V account/rateLimits/updated",
    "L item_started",
    "V item/started",
    "L agent_message_content_delta",
    "V item/agentMessage/delta",
    "L agent_message_delta",
    "L item_completed",
    "V item/completed",
    "L agent_message",
    "L token_count",
    "V account/rateLimits/updated",
    "L turn_diff",
    "V item/completed",
    "L task_complete",
    "V turn/completed",
];

/// The legacy events of `kind` in `messages`, as their params.
fn legacy<'a>(messages: &'a [Value], kind: &str) -> Vec<&'a Value> {
    let method = format!("codex/event/{kind}");
    messages.iter().filter(|m| m["method"] == method.as_str()).map(|m| &m["params"]).collect()
}

#[test]
fn a_full_turn_sends_the_legacy_events_in_the_reference_order() {
    let world = full_turn_world();
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread =
        server.start_thread(json!({"cwd": cwd, "approvalPolicy": "never", "sandbox": "workspaceWrite"}));
    let messages = server.run_turn(&thread, "do it", |_| json!({"decision": "accept"}));
    assert_eq!(turn_status(&messages), "completed");
    // Text streams in as many deltas as the model sends; each run of them counts once.
    let got = collapse_deltas(outline(&messages));
    let expected: Vec<String> = FULL_TURN.iter().map(|s| s.to_string()).collect();
    let start = got.iter().position(|m| m == "V turn/started").unwrap();
    assert_eq!(got[start..], expected[..], "{messages:#?}");
    // The MCP start is announced with the thread, before the turn's answer, as the reference does.
    assert_eq!(got[..start], ["V thread/started", "L mcp_startup_complete"], "{messages:#?}");

    // Every legacy event names the thread, and the turn (the MCP start: none).
    for m in messages.iter().filter(|m| m["method"].as_str().unwrap_or_default().starts_with("codex/event/"))
    {
        assert_eq!(m["params"]["conversationId"], thread.as_str());
        let expected_id = if m["method"] == "codex/event/mcp_startup_complete" { "" } else { "0" };
        assert_eq!(m["params"]["id"], expected_id, "{m}");
    }

    // The command: argv, stdout and stderr apart, base64 chunks of what it wrote.
    let end = &legacy(&messages, "exec_command_end")[0]["msg"];
    assert_eq!(end["command"], json!(["bash", "-c", "echo out; echo err >&2"]));
    assert_eq!((end["stdout"].as_str(), end["stderr"].as_str()), (Some("out\n"), Some("err\n")));
    assert_eq!(end["exit_code"], 0);
    assert_eq!(end["source"], "agent");
    let mut chunks: Vec<(String, String)> = legacy(&messages, "exec_command_output_delta")
        .iter()
        .map(|p| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(p["msg"]["chunk"].as_str().unwrap())
                .unwrap();
            (p["msg"]["stream"].as_str().unwrap().to_owned(), String::from_utf8(bytes).unwrap())
        })
        .collect();
    chunks.sort();
    assert_eq!(
        chunks,
        [("stderr".to_owned(), "err\n".to_owned()), ("stdout".to_owned(), "out\n".to_owned())]
    );

    // Usage: null before the first response; then each response's, the total adding up.
    let counts = legacy(&messages, "token_count");
    assert_eq!(counts[0]["msg"]["info"], Value::Null);
    let mut total = 0;
    let mut last_seen = Value::Null;
    for count in &counts[1..] {
        let info = &count["msg"]["info"];
        assert_eq!(info["model_context_window"], 258400, "gpt-5.1-codex's window, as the reference says");
        if info["last_token_usage"] != last_seen || info["total_token_usage"]["total_tokens"] != total {
            total += info["last_token_usage"]["total_tokens"].as_u64().unwrap();
            last_seen = info["last_token_usage"].clone();
        }
        assert_eq!(info["total_token_usage"]["total_tokens"], total, "{count}");
        assert_eq!(count["msg"]["rate_limits"], json!({"primary": null, "secondary": null, "credits": null}));
    }
    assert!(total > 0);

    // The plan with each step's status; the patch, applied without asking; the answer.
    let plans = legacy(&messages, "plan_update");
    assert_eq!(plans[0]["msg"]["plan"][0], json!({"step": "write the file", "status": "in_progress"}));
    let begin = &legacy(&messages, "patch_apply_begin")[0]["msg"];
    assert_eq!(begin["auto_approved"], true);
    let hello = world.cwd().join("hello.txt").display().to_string();
    assert_eq!(begin["changes"][&hello], json!({"type": "add", "content": "hi\n"}), "{begin}");
    let applied = &legacy(&messages, "patch_apply_end")[0]["msg"];
    assert_eq!(applied["success"], true);
    assert_eq!(applied["stdout"], "Success. Updated the following files:\nA hello.txt\n");
    let diffs = legacy(&messages, "turn_diff");
    assert_eq!(diffs.len(), 4);
    // Outside a git repository the paths are whole, as the reference shows them.
    let whole = canonical(&world.cwd().join("hello.txt")).display().to_string();
    assert_eq!(
        diffs[0]["msg"]["unified_diff"],
        format!("diff --git a/{whole} b/{whole}\nnew file mode 100644\nindex 0000000000000000000000000000000000000000..45b983be36b73c0788dc9cbcb76cbb80fc7bb057\n--- /dev/null\n+++ b/{whole}\n@@ -0,0 +1 @@\n+hi\n")
    );
    assert!(diffs.iter().all(|d| d["msg"] == diffs[0]["msg"]));
    assert_eq!(legacy(&messages, "agent_message")[0]["msg"]["message"], "Done: hello.txt written.");
    assert_eq!(
        legacy(&messages, "task_complete")[0]["msg"]["last_agent_message"],
        "Done: hello.txt written."
    );
}

#[test]
fn an_asked_patch_and_command_send_their_requests_before_the_items() {
    let world = World::new(json!([
        [shell("call_a", &["touch", "a.txt"])],
        [patch("call_p", "*** Add File: one.txt\n+1\n")],
        [message("Both.")],
    ]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server
        .start_thread(json!({"cwd": cwd, "approvalPolicy": "unlessTrusted", "sandbox": "workspaceWrite"}));
    let messages = server.run_turn(&thread, "do it", |_| json!({"decision": "accept"}));
    let got = outline(&messages);
    let window = |first: &str| -> Vec<String> {
        let at = got.iter().position(|m| m == first).unwrap_or_else(|| panic!("{got:#?}"));
        got[at..at + 4].to_vec()
    };
    assert_eq!(
        window("L exec_command_begin"),
        [
            "L exec_command_begin",
            "V item/started",
            "L exec_approval_request",
            "R item/commandExecution/requestApproval"
        ]
    );
    assert_eq!(
        window("L apply_patch_approval_request"),
        [
            "L apply_patch_approval_request",
            "V item/started",
            "R item/fileChange/requestApproval",
            "L patch_apply_begin"
        ]
    );
    assert_eq!(legacy(&messages, "patch_apply_begin")[0]["msg"]["auto_approved"], false);
    let asked = &legacy(&messages, "exec_approval_request")[0]["msg"];
    assert_eq!(asked["parsed_cmd"], json!([{"type": "unknown", "cmd": "touch a.txt"}]));
    assert!(asked.get("reason").is_none() && asked.get("risk").is_none(), "left out when none: {asked}");
}

#[test]
fn a_client_declines_the_legacy_stream_or_single_methods_at_initialize() {
    let world = World::new(json!([[message("One.")], [message("Two.")]]));
    let mut server = AppServer::start(&world);
    server.call(
        "initialize",
        json!({"clientInfo": {"name": "v2-only", "version": "1"}, "capabilities": {"optOutNotificationMethods": ["codex/event/*"]}}),
    );
    server.send(json!({"method": "initialized"}));
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd}));
    let messages = server.run_turn(&thread, "hi", |_| json!({"decision": "accept"}));
    let got = outline(&messages);
    assert!(got.iter().all(|m| !m.starts_with("L ")), "{got:?}");
    assert!(got.contains(&"V account/rateLimits/updated".to_owned()), "v2 is not declined: {got:?}");

    let mut picky = AppServer::start(&world);
    picky.call(
        "initialize",
        json!({"clientInfo": {"name": "picky", "version": "1"}, "capabilities": {"optOutNotificationMethods": ["codex/event/token_count", "account/rateLimits/updated"]}}),
    );
    picky.send(json!({"method": "initialized"}));
    let thread = picky.start_thread(json!({"cwd": cwd}));
    let got = outline(&picky.run_turn(&thread, "hi", |_| json!({"decision": "accept"})));
    assert!(
        !got.contains(&"L token_count".to_owned())
            && !got.contains(&"V account/rateLimits/updated".to_owned())
    );
    assert!(got.contains(&"L agent_message".to_owned()), "{got:?}");
}

#[test]
fn a_declined_command_ends_and_an_unread_patch_neither_begins_nor_ends() {
    let world = World::new(json!([
        [shell("call_x", &["touch", "x.txt"])],
        [patch("call_bad", "*** Frobnicate File: x.txt\n")],
        [message("Neither.")],
    ]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server
        .start_thread(json!({"cwd": cwd, "approvalPolicy": "unlessTrusted", "sandbox": "workspaceWrite"}));
    let messages = server.run_turn(&thread, "do it", |_| json!({"decision": "decline"}));
    assert_eq!(turn_status(&messages), "completed");
    let end = &legacy(&messages, "exec_command_end")[0]["msg"];
    assert_eq!(end["call_id"], "call_x");
    assert_eq!(end["exit_code"], -1);
    assert_eq!(end["stderr"], "exec command rejected by user");
    assert!(legacy(&messages, "patch_apply_begin").is_empty(), "{messages:#?}");
    assert!(legacy(&messages, "patch_apply_end").is_empty());
    assert!(legacy(&messages, "turn_diff").is_empty(), "nothing was changed");
    // Its v2 item is announced and completed all the same.
    let got = outline(&messages);
    assert_eq!(got.iter().filter(|m| *m == "V item/started").count(), 4, "{got:?}");
}
