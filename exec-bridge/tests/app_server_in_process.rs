//! The app-server inside the test process (`Client::in_process`, over a socket pair), like
//! lsp-server's `Connection::memory()`: the same server as the binary's, without a process.
//! (`never_stalls.rs` runs its main scenario over both transports.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::script::shell;
use test_support::{Client, InProcess, World};

fn server(world: &World) -> Client<InProcess> {
    let mut server = Client::in_process(world);
    server.initialize();
    server
}

fn thread_params(world: &World, extra: Value) -> Value {
    let mut params = json!({"cwd": world.cwd().display().to_string(), "config": world.in_process_config()});
    if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        params.extend(extra.clone());
    }
    params
}

#[test]
fn closing_the_input_during_a_pending_approval_returns_promptly() {
    let world = World::new(json!([[shell("call_1", &["touch", "never.txt"])]]));
    let mut server = server(&world);
    let thread = server.start_thread(thread_params(&world, json!({"approvalPolicy": "unlessTrusted"})));
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "touch"}]}));
    server.recv_until(|m| m["method"] == "item/commandExecution/requestApproval");
    let closed = Instant::now();
    server.close();
    server.transport_mut().wait(Duration::from_secs(5)).expect("the server returns without error");
    assert!(closed.elapsed() < Duration::from_secs(3), "returning took {:?}", closed.elapsed());
    assert!(!world.cwd().join("never.txt").exists());
}

#[test]
fn errors_are_classified_and_the_server_keeps_serving() {
    let world = World::new(json!([]));
    // A CODEX_HOME that is a file: no session can be written there, which is the server's
    // failure (-32603), not the request's.
    let home_file = world.work.path().join("not-a-directory");
    std::fs::write(&home_file, "").unwrap();
    let mut server = Client::in_process_at(&home_file);
    server.initialize();
    let failed = server.request("thread/start", thread_params(&world, json!({})));
    assert_eq!(failed["error"]["code"], -32603, "{failed}");
    assert!(failed["error"]["message"].as_str().unwrap().contains("not-a-directory"), "{failed}");

    let unknown = server.request("turn/start", json!({"threadId": "nope", "input": []}));
    assert_eq!(unknown["error"]["code"], -32602);
    assert!(unknown["error"]["message"].as_str().unwrap().contains("not loaded"), "{unknown}");
    let bad = server.request("turn/interrupt", json!({"threadId": 7}));
    assert_eq!(bad["error"]["code"], -32602);
    assert!(bad["error"]["message"].as_str().unwrap().contains("turn/interrupt"), "{bad}");
    assert!(!server.call("model/list", json!({}))["data"].as_array().unwrap().is_empty());
}
