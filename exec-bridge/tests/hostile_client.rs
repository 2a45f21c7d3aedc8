//! A JSON-RPC client is not trusted: a line that is not UTF-8 or is too long is answered and
//! skipped while the server (and its running turns) go on.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use serde_json::{json, Value};
use test_support::script::{message, shell};
use test_support::{decision, AppServer, Client, World};

fn error_code(message: &Value) -> i64 {
    message["error"]["code"].as_i64().unwrap_or_else(|| panic!("not an error: {message}"))
}

#[test]
fn a_line_that_is_not_utf8_is_answered_and_the_running_turn_goes_on() {
    let world = World::new(json!([[shell("call_1", &["touch", "ok.txt"])], [message("Done.")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server
        .start_thread(json!({"cwd": cwd, "approvalPolicy": "unlessTrusted", "sandbox": "workspaceWrite"}));
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "touch it"}]}));
    let approval = server.recv_until(|m| m.get("id").is_some() && m.get("method").is_some());

    server.send_bytes(b"{\"id\": 9, \"method\": \"model/list\", \"params\": {\"x\": \"\xff\xfe\"}}");
    let error = server.recv();
    assert_eq!((error_code(&error), &error["id"]), (-32700, &Value::Null), "{error}");
    assert!(error["error"]["message"].as_str().unwrap().contains("not UTF-8"), "{error}");

    // The server still answers, and the turn that waited goes on to its end.
    assert!(!server.call("model/list", json!({}))["data"].as_array().unwrap().is_empty());
    server.answer(&approval, decision("accept"));
    let done = server.recv_until(|m| m["method"] == "turn/completed");
    assert_eq!(done["params"]["turn"]["status"], "completed", "{}", server.transcript_text());
    assert!(world.cwd().join("ok.txt").exists());
}

#[test]
fn a_line_too_long_is_answered_and_skipped() {
    let world = World::new(json!([]));
    let mut client = Client::in_process(&world);
    client.initialize();
    let padding = "a".repeat(33 * 1024 * 1024);
    client.send_line(&format!(r#"{{"id": 5, "method": "model/list", "params": {{"cursor": "{padding}"}}}}"#));
    let error = client.recv();
    assert_eq!((error_code(&error), &error["id"]), (-32600, &Value::Null), "{error}");
    assert!(error["error"]["message"].as_str().unwrap().contains("more than the 33554432 bytes"), "{error}");
    assert!(!client.call("model/list", json!({}))["data"].as_array().unwrap().is_empty());
}
