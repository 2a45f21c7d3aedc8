//! `review/start` end to end: the real binary over stdio (every message checked against the
//! generated schema) and the scripted model as the reviewer. The response is the turn with the
//! request as the user's message; the turn streams a `codeReview` item started with what is
//! reviewed and completed with the review, the reviewer's own items between (its answer's text
//! kept out); the reviewer's requests carry the review guidelines, its prompt, the family's tools
//! but `view_image`, no output schema; the thread's session file records the review, the
//! reviewer's has its own; what the reference refuses is refused with its errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use test_support::script::{function_call, message};
use test_support::{turn_status, AppServer, World};

const FINDINGS: &str = r#"{"findings":[{"title":"[P1] Off by one","body":"The loop skips the last line.","confidence_score":0.8,"priority":1,"code_location":{"absolute_file_path":"/w/a.txt","line_range":{"start":3,"end":3}}}],"overall_correctness":"patch is incorrect","overall_explanation":"One bug found.","overall_confidence_score":0.7}"#;
const RENDERED: &str =
    "One bug found.\n\nReview comment:\n\n- [P1] Off by one \u{2014} /w/a.txt:3-3\n  The loop skips the last line.";

/// A git repository in the world's working directory, with a committed file changed since.
fn repository_with_a_change(world: &World) {
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .current_dir(world.cwd())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(world.cwd().join("a.txt"), "line1\nline2\n").unwrap();
    git(&["add", "a.txt"]);
    git(&["commit", "-qm", "first"]);
    std::fs::write(world.cwd().join("a.txt"), "line1\nline2\nline3\n").unwrap();
}

fn start(world: &World, approval: &str) -> (AppServer, String, PathBuf) {
    let mut server = AppServer::start(world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let started = server.call("thread/start", json!({"cwd": cwd, "approvalPolicy": approval}));
    let thread = started["thread"]["id"].as_str().unwrap().to_owned();
    (server, thread, PathBuf::from(started["thread"]["path"].as_str().unwrap()))
}

/// Whether `message` is of the v2 surface (not a legacy `codex/event/*` notification, which
/// these tests leave aside).
fn v2(message: &Value) -> bool {
    !test_support::is_legacy(message)
}

/// Sends `review/start` and collects its turn: the response's result, then every v2 message up
/// to `turn/completed`, approvals answered with `answer`.
fn review(server: &mut AppServer, params: Value, answer: &str) -> (Value, Vec<Value>) {
    let result = server.call("review/start", params);
    let mut messages = Vec::new();
    loop {
        let message = server.recv();
        if message.get("id").is_some() && message.get("method").is_some() {
            server.answer(&message, json!({"decision": answer}));
        }
        if v2(&message) {
            messages.push(message.clone());
        }
        if message["method"] == "turn/completed" {
            return (result, messages);
        }
    }
}

/// Each message as `method` (and the item's `type`), in order; command output deltas and rate
/// limit updates, which come as they come, are left out.
fn outline(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| match m["params"]["item"]["type"].as_str() {
            Some(kind) => format!("{} {kind}", m["method"].as_str().unwrap()),
            None => m["method"].as_str().unwrap_or("?").to_owned(),
        })
        .filter(|line| {
            !matches!(line.as_str(), "item/commandExecution/outputDelta" | "account/rateLimits/updated")
        })
        .collect()
}

/// The records of a session file, as JSON.
fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

/// The first text of each input message of a model request.
fn input_texts(request: &Value) -> Vec<String> {
    let input = request["input"].as_array().unwrap();
    input.iter().filter_map(|item| item["content"][0]["text"].as_str().map(str::to_owned)).collect()
}

#[test]
fn a_review_of_uncommitted_changes_runs_a_reviewer_and_completes_with_its_findings() {
    let world = World::new(json!([
        [function_call("call_1", "shell_command", json!({"command": "git diff"}))],
        [message(FINDINGS)],
    ]));
    repository_with_a_change(&world);
    let (mut server, thread, session) = start(&world, "never");
    let (result, messages) =
        review(&mut server, json!({"threadId": thread, "target": {"type": "uncommittedChanges"}}), "accept");

    let user = json!({"type": "userMessage", "id": "0", "content": [{"type": "text", "text": "Review uncommitted changes"}]});
    assert_eq!(result, json!({"turn": {"id": "0", "items": [user], "status": "inProgress"}}));
    assert_eq!(messages[0]["params"]["turn"]["items"], json!([user]), "turn/started carries the request");
    assert_eq!(
        outline(&messages),
        [
            "turn/started",
            "item/started codeReview",
            "item/started userMessage",
            "item/completed userMessage",
            "item/started commandExecution",
            "item/completed commandExecution",
            "item/started agentMessage",
            "item/completed codeReview",
            "turn/completed",
        ]
    );
    let items: Vec<&Value> =
        messages.iter().map(|m| &m["params"]["item"]).filter(|i| i.is_object()).collect();
    assert_eq!(*items[0], json!({"type": "codeReview", "id": "0", "review": "current changes"}));
    let prompt = "Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings.";
    assert_eq!(items[1]["content"][0]["text"], prompt);
    assert!(items[4]["aggregatedOutput"].as_str().unwrap().contains("+line3"), "{}", items[4]);
    assert_eq!(items[5]["text"], "", "the reviewer's answer is announced, never shown");
    assert_eq!(*items[6], json!({"type": "codeReview", "id": "0", "review": RENDERED}));
    assert_eq!(turn_status(&messages), "completed");

    // The reviewer's requests: its own conversation, the guidelines, the prompt, its tools.
    let requests = world.requests();
    assert_eq!(requests.len(), 2);
    let (first, body) = (&requests[0], &requests[0].body);
    assert_eq!(first.headers.get("x-openai-subagent").map(String::as_str), Some("review"));
    let conversation = first.headers["conversation_id"].clone();
    assert_ne!(conversation, thread);
    assert_eq!(body["prompt_cache_key"], conversation.as_str());
    assert_eq!(body["instructions"], exec_bridge::engine::review::GUIDELINES);
    assert_eq!(body["model"], "gpt-5.1-codex");
    assert_eq!(body["reasoning"], json!({"summary": "detailed", "effort": "low"}));
    assert!(body.get("text").is_none(), "no output schema: {body}");
    let tools: Vec<&str> =
        body["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        tools,
        [
            "shell_command",
            "list_mcp_resources",
            "list_mcp_resource_templates",
            "read_mcp_resource",
            "update_plan",
            "apply_patch"
        ]
    );
    let texts = input_texts(body);
    assert!(texts[0].starts_with("<environment_context>"), "{texts:?}");
    assert_eq!(texts[1..], [prompt]);
    assert_eq!(requests[1].headers["conversation_id"], conversation, "the whole review is one conversation");

    // The thread's session file records the review, not the reviewer's conversation.
    let recorded = records(&session);
    let entered = recorded.iter().find(|r| r["type"] == "entered_review_mode").unwrap();
    assert_eq!(
        entered["payload"],
        json!({"prompt": prompt, "user_facing_hint": "current changes", "append_to_original_thread": false})
    );
    let exited = recorded.iter().find(|r| r["type"] == "exited_review_mode").unwrap();
    assert_eq!(exited["payload"]["review_output"], serde_json::from_str::<Value>(FINDINGS).unwrap());
    assert!(!recorded.iter().any(|r| r["type"] == "response_item"), "the history is left as it was");
    let item = recorded.iter().rfind(|r| r["type"] == "item_completed").unwrap();
    assert_eq!(item["payload"]["item"]["kind"]["type"], "code_review");
    assert_eq!(
        item["payload"]["item"]["kind"]["reviewer"],
        conversation.as_str(),
        "it names the reviewer's session"
    );
    // The reviewer's session is a file of its own, which is not a thread.
    let sessions = session.parent().unwrap();
    let own: Vec<PathBuf> = std::fs::read_dir(sessions).unwrap().map(|e| e.unwrap().path()).collect();
    let reviewer = own.iter().find(|p| **p != session).expect("the reviewer's session file");
    let reviewer = records(reviewer);
    assert_eq!(reviewer[0]["payload"]["subagent"], "review");
    assert_eq!(reviewer[0]["payload"]["id"], conversation.as_str());
    assert!(reviewer.iter().any(|r| r["payload"]["type"] == "function_call"), "its work is recorded there");
    let listed = server.call("thread/list", json!({}));
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["data"][0]["id"], thread.as_str());

    // A resumed view of the thread shows the review's turn (numbered as Codex numbers it).
    let resumed = server.call("thread/resume", json!({"threadId": thread}));
    let turn = &resumed["thread"]["turns"][0];
    let mut user = user;
    user["id"] = json!("item-1");
    assert_eq!(turn["items"], json!([user, {"type": "codeReview", "id": "item-2", "review": RENDERED}]));
}

#[test]
fn an_answer_that_is_not_json_is_the_review_and_goes_into_the_history_when_asked() {
    let world = World::new(json!([[message("Looks fine to me.")], [message("ok")]]));
    let (mut server, thread, session) = start(&world, "never");
    let params = json!({"threadId": thread, "target": {"type": "baseBranch", "branch": "main"}, "appendToOriginalThread": true});
    let (result, messages) = review(&mut server, params, "accept");
    assert_eq!(result["turn"]["items"][0]["content"][0]["text"], "Review changes against base branch 'main'");
    let reviews: Vec<&Value> = messages
        .iter()
        .filter(|m| m["params"]["item"]["type"] == "codeReview")
        .map(|m| &m["params"]["item"]["review"])
        .collect();
    assert_eq!(reviews, ["changes against 'main'", "Looks fine to me."]);
    let prompt = &input_texts(&world.requests()[0].body)[1];
    assert!(prompt.starts_with("Review the code changes against the base branch 'main'. Start by finding"));
    assert!(prompt.contains("`git merge-base HEAD \"$(git rev-parse --abbrev-ref \"main@{upstream}\")\"`"));

    // The next turn sees the review, after the context the thread opens with.
    let next = server.run_turn(&thread, "next", |_| Value::Null);
    assert_eq!(turn_status(&next), "completed");
    let texts = input_texts(&world.requests()[1].body);
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert!(texts[0].starts_with("<environment_context>"));
    assert_eq!(
        texts[1],
        exec_bridge::engine::review::output::history_message(Some(
            &exec_bridge::engine::review::output::ReviewOutput::parse("Looks fine to me.")
        ))
    );
    assert!(texts[1].contains("<results>\n  Looks fine to me.\n  </results>"), "{}", texts[1]);
    assert_eq!(texts[2], "next");
    let exited = records(&session).into_iter().find(|r| r["type"] == "exited_review_mode").unwrap();
    assert_eq!(
        exited["payload"]["review_output"],
        json!({"findings": [], "overall_correctness": "", "overall_explanation": "Looks fine to me.", "overall_confidence_score": 0.0})
    );
}

#[test]
fn each_target_asks_its_prompt() {
    let world = World::new(json!([[message(FINDINGS)], [message(FINDINGS)]]));
    let (mut server, thread, _) = start(&world, "never");
    let commit = json!({"type": "commit", "sha": "abc1234def5678", "title": "Fix the thing"});
    let (result, messages) = review(&mut server, json!({"threadId": thread, "target": commit}), "accept");
    assert_eq!(result["turn"]["id"], "0");
    assert_eq!(result["turn"]["items"][0]["content"][0]["text"], "Review commit abc1234: Fix the thing");
    assert_eq!(messages[1]["params"]["item"]["review"], "commit abc1234");
    let custom = json!({"type": "custom", "instructions": "  Check the README for typos  "});
    let (result, messages) = review(&mut server, json!({"threadId": thread, "target": custom}), "accept");
    assert_eq!(result["turn"]["id"], "1");
    assert_eq!(
        result["turn"]["items"][0],
        json!({"type": "userMessage", "id": "1", "content": [{"type": "text", "text": "Check the README for typos"}]})
    );
    assert_eq!(messages[1]["params"]["item"]["review"], "Check the README for typos");
    let requests = world.requests();
    assert_eq!(
        input_texts(&requests[0].body)[1],
        "Review the code changes introduced by commit abc1234def5678 (\"Fix the thing\"). Provide prioritized, actionable findings."
    );
    assert_eq!(input_texts(&requests[1].body)[1], "Check the README for typos");
    assert_ne!(
        requests[0].headers["conversation_id"], requests[1].headers["conversation_id"],
        "a reviewer each"
    );
}

#[test]
fn bad_requests_get_the_reference_s_errors() {
    let world = World::new(json!([{"items": [message(FINDINGS)], "delay_ms": 20}]));
    let (mut server, thread, _) = start(&world, "never");
    let error = |server: &mut AppServer, params: Value| {
        let response = server.request("review/start", params);
        (
            response["error"]["code"].as_i64().unwrap(),
            response["error"]["message"].as_str().unwrap().to_owned(),
        )
    };
    let unknown = "00000000-0000-0000-0000-000000000000";
    let target = json!({"type": "uncommittedChanges"});
    assert_eq!(
        error(&mut server, json!({"threadId": unknown, "target": target})),
        (-32600, format!("conversation not found: {unknown}"))
    );
    let (code, message) = error(&mut server, json!({"threadId": "nope", "target": target}));
    assert_eq!(code, -32600);
    assert!(message.starts_with("invalid thread id: "), "{message}");
    for (target, message) in [
        (json!({"type": "baseBranch", "branch": "  "}), "branch must not be empty"),
        (json!({"type": "commit", "sha": ""}), "sha must not be empty"),
        (json!({"type": "custom", "instructions": " \n "}), "instructions must not be empty"),
    ] {
        assert_eq!(
            error(&mut server, json!({"threadId": thread, "target": target})),
            (-32600, message.to_owned())
        );
    }
    let (code, message) = error(&mut server, json!({"threadId": thread, "target": {"type": "bogus"}}));
    assert_eq!(code, -32602);
    assert!(message.contains("unknown variant `bogus`"), "{message}");
    let (code, message) = error(&mut server, json!({"threadId": thread}));
    assert!(code == -32602 && message.contains("missing field `target`"), "{message}");
    assert!(world.requests().is_empty(), "nothing refused reached the model");

    // One review at a time, as one turn at a time.
    server.call("review/start", json!({"threadId": thread, "target": target}));
    let (code, message) = error(&mut server, json!({"threadId": thread, "target": target}));
    assert!(code == -32602 && message.contains("is running turn 0"), "{message}");
    server.recv_until(|m| m["method"] == "turn/completed");
}

#[test]
fn an_interrupted_review_has_no_review_and_says_so_to_the_next_turn() {
    let world = World::new(json!([
        [function_call("call_1", "shell_command", json!({"command": "sleep 30"}))],
        [message("never asked")],
        [message("ok")],
    ]));
    let (mut server, thread, session) = start(&world, "never");
    let params =
        json!({"threadId": thread, "target": {"type": "uncommittedChanges"}, "appendToOriginalThread": true});
    server.call("review/start", params);
    let from = server.log().len();
    server.recv_until(|m| m["method"] == "item/started" && m["params"]["item"]["type"] == "commandExecution");
    server.call("turn/interrupt", json!({"threadId": thread, "turnId": "0"}));
    server.recv_until(|m| m["method"] == "turn/completed");
    let messages: Vec<Value> = server.log()[from..].iter().filter(|m| v2(m)).cloned().collect();
    assert_eq!(turn_status(&messages), "interrupted");
    let done = messages.iter().rfind(|m| m["method"] == "item/completed").unwrap();
    assert_eq!(
        done["params"]["item"],
        json!({"type": "codeReview", "id": "0", "review": "Reviewer failed to output a response."})
    );
    let exited = records(&session).into_iter().find(|r| r["type"] == "exited_review_mode").unwrap();
    assert_eq!(exited["payload"], json!({"review_output": null}));

    server.run_turn(&thread, "what happened?", |_| Value::Null);
    let requests = world.requests();
    assert_eq!(requests.len(), 2, "the reviewer asked once, then the next turn");
    let texts = input_texts(&requests[1].body);
    assert!(texts[1].contains("User initiated a review task, but was interrupted."), "{texts:?}");
    assert!(texts[1].ends_with("<results>\n  None.\n  </results>\n</user_action>\n\n"));
    assert_eq!(texts[2], "what happened?");
}

#[test]
fn the_reviewer_s_commands_ask_the_thread_s_client() {
    let world = World::new(json!([
        [function_call("call_1", "shell_command", json!({"command": "touch reviewed.txt"}))],
        [message(FINDINGS)],
    ]));
    let (mut server, thread, _) = start(&world, "unlessTrusted");
    let (_, messages) =
        review(&mut server, json!({"threadId": thread, "target": {"type": "uncommittedChanges"}}), "decline");
    let asked = messages.iter().find(|m| m["method"] == "item/commandExecution/requestApproval").unwrap();
    assert_eq!((&asked["params"]["threadId"], &asked["params"]["turnId"]), (&json!(thread), &json!("0")));
    let command = messages
        .iter()
        .find(|m| m["method"] == "item/completed" && m["params"]["item"]["type"] == "commandExecution")
        .unwrap();
    assert_eq!(command["params"]["item"]["status"], "declined");
    assert!(!world.cwd().join("reviewed.txt").exists());
    assert_eq!(
        messages.iter().rfind(|m| m["method"] == "item/completed").unwrap()["params"]["item"]["review"],
        RENDERED
    );
}

#[test]
fn a_reviewer_whose_model_fails_fails_the_turn_without_a_review() {
    let world = World::new(json!([{"status": 400, "body": "bad request"}]));
    let (mut server, thread, _) = start(&world, "never");
    let (_, messages) =
        review(&mut server, json!({"threadId": thread, "target": {"type": "uncommittedChanges"}}), "accept");
    let tail: Vec<String> = outline(&messages).into_iter().rev().take(3).collect();
    assert_eq!(tail, ["turn/completed", "error", "item/completed codeReview"]);
    let done = messages.iter().rfind(|m| m["method"] == "item/completed").unwrap();
    assert_eq!(done["params"]["item"]["review"], "Reviewer failed to output a response.");
    assert_eq!(turn_status(&messages), "failed");
}
