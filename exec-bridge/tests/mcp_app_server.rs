//! End-to-end tests of the MCP client over the app-server: `mcpToolCall` items and their
//! progress (every message checked against the generated schema by the test client), no
//! approval for MCP calls, interrupts, and a stdio server dying with the runtime.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::script::{function_call, message};
use test_support::{tool_output, World};

/// A world whose `config.toml` is `config` (`$MCP_TEST_SERVER`: the test server's path).
fn world(script: Value, config: &str) -> World {
    let mut world = World::new(script);
    world.set_config(config);
    world
}

/// Over the app-server: `mcpToolCall` items and `item/mcpToolCall/progress` (every message
/// checked against the generated schema), and no approval asked for an MCP call whatever the
/// policy, as in Codex 0.63.
#[test]
fn the_app_server_reports_mcp_calls_with_their_progress_and_asks_no_approval() {
    let world = world(
        json!([[function_call("call_1", "mcp__test__slow", json!({"ms": 300}))], [message("Done.")]]),
        "[mcp_servers.test]\ncommand = \"$MCP_TEST_SERVER\"\n",
    );
    let mut server = test_support::AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd, "approvalPolicy": "unlessTrusted"}));
    let turn =
        server.run_turn(&thread, "go", |request| panic!("no approval is asked for an MCP call: {request}"));
    assert_eq!(test_support::turn_status(&turn), "completed");
    assert_eq!(
        test_support::item_story(&turn, "call_1"),
        ["item/started:inProgress", "item/mcpToolCall/progress", "item/completed:completed"]
    );
    let progress = turn.iter().find(|m| m["method"] == "item/mcpToolCall/progress").unwrap();
    assert_eq!(progress["params"], json!({"itemId": "call_1", "message": "halfway"}));
    let done = turn
        .iter()
        .find(|m| m["method"] == "item/completed" && m["params"]["item"]["id"] == "call_1")
        .unwrap();
    assert_eq!(
        done["params"]["item"],
        json!({"type": "mcpToolCall", "id": "call_1", "server": "test", "tool": "slow", "status": "completed",
               "arguments": {"ms": 300}, "result": {"content": [{"type": "text", "text": "late"}], "structuredContent": null}, "error": null})
    );
}

/// A stdio server dies with the runtime, even when the runtime is killed (SIGKILL).
#[test]
fn a_stdio_server_dies_with_the_runtime() {
    let world = world(
        json!([
            [function_call("call_1", "mcp__test__pid", json!({}))],
            [function_call("call_2", "mcp__test__slow", json!({"ms": 60000}))],
            [message("never")]
        ]),
        "[mcp_servers.test]\ncommand = \"$MCP_TEST_SERVER\"\n",
    );
    let mut server = test_support::AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd}));
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "go"}]}));
    server.recv_until(|m| m["method"] == "item/started" && m["params"]["item"]["id"] == "call_2");
    let output = tool_output(&world.requests(), "call_1");
    let text: Value = serde_json::from_str(&output).unwrap();
    let pid: i32 = text[0]["text"].as_str().unwrap().parse().unwrap();
    assert!(Path::new(&format!("/proc/{pid}")).exists(), "the server runs during the call");
    server.transport_mut().kill();
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        assert!(Instant::now() < deadline, "the MCP server {pid} outlived the runtime");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether process `pid` runs (a zombie does not count: it has ended).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or_default().trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

/// An interrupt during a call ends it as failed and the turn as interrupted, at once.
#[test]
fn an_interrupt_ends_a_running_call() {
    let world = world(
        json!([[function_call("call_1", "mcp__test__slow", json!({"ms": 60000}))], [message("never")]]),
        "[mcp_servers.test]\ncommand = \"$MCP_TEST_SERVER\"\n",
    );
    let mut server = test_support::AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd}));
    let turn =
        server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "go"}]}));
    server.recv_until(|m| m["method"] == "item/started" && m["params"]["item"]["id"] == "call_1");
    let started = Instant::now();
    server.call("turn/interrupt", json!({"threadId": thread, "turnId": turn["turn"]["id"]}));
    let done =
        server.recv_until(|m| m["method"] == "item/completed" && m["params"]["item"]["id"] == "call_1");
    assert_eq!(done["params"]["item"]["status"], "failed");
    let ended = server.recv_until(|m| m["method"] == "turn/completed");
    assert_eq!(ended["params"]["turn"]["status"], "interrupted");
    assert!(started.elapsed() < Duration::from_secs(10));
}
