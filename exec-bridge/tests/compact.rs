//! `thread/compact` end to end: the real binary over stdio (every message checked against the
//! generated schema) and the scripted model. The model gets the conversation and the
//! compaction prompt with no tools; its summary streams as an agent message of a turn of its
//! own; the next turn's request holds the context, the user's messages and the summary, nothing
//! else; a resumed thread goes on from the same history; a model that writes no summary leaves
//! the conversation as it was.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use serde_json::{json, Value};
use test_support::script::{message, shell};
use test_support::{turn_status, AppServer, World};

const SUMMARY: &str = "The user asked for a listing; it was done.";

/// The texts of a Responses request's input messages, by role (`user: …`), and the kinds of
/// its other items.
fn input_outline(request: &Value) -> Vec<String> {
    request["input"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| match item["type"].as_str() {
            Some("message") => {
                let text = item["content"][0]["text"].as_str().unwrap_or_default();
                let short = text.lines().next().unwrap_or_default().chars().take(40).collect::<String>();
                format!("{}: {short}", item["role"].as_str().unwrap())
            }
            other => other.unwrap_or("?").to_owned(),
        })
        .collect()
}

/// Runs `thread/compact`; the messages of its turn.
fn compact(server: &mut AppServer, thread: &str) -> Vec<Value> {
    assert_eq!(server.call("thread/compact", json!({"threadId": thread})), json!({}));
    let from = server.log().len();
    server.recv_until(|m| m["method"] == "turn/completed");
    server.log()[from..].to_vec()
}

#[test]
fn compaction_summarises_and_the_next_turns_go_on_from_the_summary() {
    let world = World::new(json!([
        [shell("call_1", &["echo", "listing"])],
        [message("Listed.")],
        [message(SUMMARY)],
        [message("Going on.")],
        [message("Still going.")],
    ]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd}));
    let first = server.run_turn(&thread, "list the files", |_| json!({"decision": "accept"}));
    assert_eq!(turn_status(&first), "completed");

    let messages = compact(&mut server, &thread);
    assert_eq!(turn_status(&messages), "completed");
    let completed: Vec<&Value> =
        messages.iter().filter(|m| m["method"] == "item/completed").map(|m| &m["params"]["item"]).collect();
    assert_eq!(completed.len(), 1, "{messages:?}");
    assert_eq!(completed[0]["type"], "agentMessage");
    assert_eq!(completed[0]["text"], SUMMARY);
    assert!(messages.iter().any(|m| m["method"] == "item/agentMessage/delta"), "the summary streams");

    let requests = world.requests();
    let asked = &requests[2].body;
    assert_eq!(asked["tools"], json!([]), "no tools for the summary");
    let outline = input_outline(asked);
    assert_eq!(outline.last().unwrap(), "user: You are performing a CONTEXT CHECKPOINT ");
    assert!(outline.contains(&"function_call".to_owned()), "the whole conversation goes: {outline:?}");

    let second = server.run_turn(&thread, "go on", |_| json!({"decision": "accept"}));
    assert_eq!(turn_status(&second), "completed");
    let after = input_outline(&world.requests()[3].body);
    assert_eq!(
        after,
        [
            "user: <environment_context>",
            "user: list the files",
            "user: Another language model started to solve ",
            "user: go on"
        ]
    );
    let bridge = &world.requests()[3].body["input"][2]["content"][0]["text"];
    assert!(bridge.as_str().unwrap().ends_with(&format!("analysis:\n{SUMMARY}")), "{bridge}");
    server.close();
    server.wait(std::time::Duration::from_secs(20));

    // Resumed in a new server: the same compacted history, then the new turn.
    let mut server = AppServer::start(&world);
    server.initialize();
    let resumed = server.call("thread/resume", json!({"threadId": thread}));
    assert_eq!(resumed["thread"]["id"], thread.as_str());
    let third = server.run_turn(&thread, "and then", |_| json!({"decision": "accept"}));
    assert_eq!(turn_status(&third), "completed");
    let outline = input_outline(&world.requests()[4].body);
    assert_eq!(&outline[..3], &after[..3], "the history read back is the compacted one: {outline:?}");
    assert!(!outline.contains(&"function_call".to_owned()), "{outline:?}");
}

#[test]
fn without_a_summary_the_conversation_is_left_as_it_was() {
    let world = World::new(json!([[message("Hello.")], [], [message("Again.")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd}));
    server.run_turn(&thread, "hi", |_| json!({"decision": "accept"}));
    let messages = compact(&mut server, &thread);
    assert_eq!(turn_status(&messages), "failed");
    let error = messages.iter().find(|m| m["method"] == "error").expect("an error notification");
    assert!(
        error["params"]["error"]["message"].as_str().unwrap().contains("the model wrote no summary"),
        "{error}"
    );
    server.run_turn(&thread, "again", |_| json!({"decision": "accept"}));
    let outline = input_outline(&world.requests()[2].body);
    assert_eq!(outline, ["user: <environment_context>", "user: hi", "assistant: Hello.", "user: again"]);
}

#[test]
fn compaction_is_refused_while_a_turn_runs_and_for_an_unknown_thread() {
    let world = World::new(json!([{"items": [message("slow")], "delay_ms": 400}]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd}));
    // A thread with no conversation yet: the compaction's turn fails, and asks no model.
    let empty = compact(&mut server, &thread);
    assert_eq!(turn_status(&empty), "failed");
    assert!(empty.iter().any(|m| m["method"] == "error"
        && m["params"]["error"]["message"].as_str().unwrap().contains("no conversation to compact yet")));
    assert!(world.requests().is_empty());
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "hi"}]}));
    let busy = server.request("thread/compact", json!({"threadId": thread}));
    assert!(busy["error"]["message"].as_str().unwrap().contains("is running turn"), "{busy}");
    server.recv_until(|m| m["method"] == "turn/completed");
    let unknown = server.request("thread/compact", json!({"threadId": "nope"}));
    assert!(unknown["error"].is_object(), "{unknown}");
}
