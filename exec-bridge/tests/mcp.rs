//! End-to-end tests of the MCP client: the real binary against the scripted model and a real
//! MCP server built on the official Rust SDK (`test_support::mcp_test_server`), over stdio and
//! streamable HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use protocol::exec::{McpToolCallStatus, ThreadItemDetails};
use serde_json::{json, Value};
use test_support::script::{function_call, message};
use test_support::{tool_names, tool_output, World};

/// A world whose `config.toml` is `config` (`$MCP_TEST_SERVER`: the test server's path).
fn world(script: Value, config: &str) -> World {
    let mut world = World::new(script);
    world.set_config(config);
    world
}

fn mcp_calls(items: &[ThreadItemDetails]) -> Vec<protocol::exec::McpToolCallItem> {
    items
        .iter()
        .filter_map(|item| match item {
            ThreadItemDetails::McpToolCall(call) => Some(call.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn tools_are_offered_by_their_qualified_names_and_a_call_reaches_the_next_request() {
    let world = world(
        json!([
            [function_call("call_1", "mcp__test__echo", json!({"text": "hi"}))],
            [function_call("call_2", "mcp__test__add", json!({"a": 1, "b": 2}))],
            [function_call("call_3", "mcp__test__fail", json!({}))],
            [message("Done.")]
        ]),
        "[mcp_servers.test]\ncommand = \"$MCP_TEST_SERVER\"\n",
    );
    let run = world.exec_json(&["use the tools"]);
    run.assert_ok();
    let kinds = run.kinds();
    assert_eq!(
        kinds[2..8],
        [
            "item.started:mcp_tool_call",
            "item.completed:mcp_tool_call",
            "item.started:mcp_tool_call",
            "item.completed:mcp_tool_call",
            "item.started:mcp_tool_call",
            "item.completed:mcp_tool_call"
        ]
    );
    assert_eq!(
        run.lines[2]["item"],
        json!({"id": "item_0", "type": "mcp_tool_call", "server": "test", "tool": "echo", "arguments": {"text": "hi"}, "result": null, "error": null, "status": "in_progress"})
    );
    let calls = mcp_calls(&run.completed());
    assert_eq!(calls[0].status, McpToolCallStatus::Completed);
    let result = calls[0].result.as_ref().unwrap();
    assert_eq!(result.content, [json!({"type": "text", "text": "echo: hi"})]);
    assert_eq!(result.structured_content, Some(json!({"echoed": "hi"})));
    // A tool that says `isError` fails, with its result kept.
    assert_eq!((calls[2].status, calls[2].result.is_some()), (McpToolCallStatus::Failed, true));

    let requests = world.requests();
    let names = tool_names(&requests[0].body);
    for name in [
        "shell_command",
        "list_mcp_resources",
        "list_mcp_resource_templates",
        "read_mcp_resource",
        "mcp__test__add",
        "mcp__test__echo",
        "mcp__test__fail",
    ] {
        assert!(names.contains(&name.to_owned()), "{name} is not offered: {names:?}");
    }
    let echo = requests[0].body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "mcp__test__echo")
        .unwrap()
        .clone();
    assert_eq!(
        echo,
        json!({"type": "function", "name": "mcp__test__echo", "description": "Echoes the text back.", "strict": false,
               "parameters": {"type": "object", "properties": {"text": {"type": "string", "description": "What to echo."}}, "required": ["text"]}})
    );
    // As Codex tells the model: structured content as JSON, else the content blocks.
    assert_eq!(tool_output(&requests, "call_1"), r#"{"echoed":"hi"}"#);
    assert_eq!(tool_output(&requests, "call_2"), r#"[{"type":"text","text":"3"}]"#);
    assert_eq!(tool_output(&requests, "call_3"), r#"[{"type":"text","text":"it broke"}]"#);
}

#[test]
fn a_server_that_fails_to_start_is_reported_once_and_the_turn_goes_on() {
    let world = world(
        json!([[function_call("call_1", "mcp__test__echo", json!({"text": "x"}))], [message("Done.")]]),
        "[mcp_servers.broken]\ncommand = \"/nonexistent/mcp-server\"\n\n[mcp_servers.says_why]\ncommand = \"sh\"\nargs = [\"-c\", \"echo 'Error: DOCS_TOKEN is not set' >&2; exit 1\"]\n\n[mcp_servers.test]\ncommand = \"$MCP_TEST_SERVER\"\n\n[mcp_servers.off]\ncommand = \"/nonexistent/too\"\nenabled = false\n",
    );
    let run = world.exec_json(&["go"]);
    run.assert_ok();
    let errors: Vec<String> = run
        .completed()
        .iter()
        .filter_map(|item| match item {
            ThreadItemDetails::Error(error) => Some(error.message.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("MCP client for `broken` failed to start: "), "{}", errors[0]);
    assert!(errors[0].contains("[mcp_servers.broken]"), "says where to look: {}", errors[0]);
    // What a server said on its standard error before it failed is passed on.
    assert!(errors[1].starts_with("MCP client for `says_why` failed to start: "), "{}", errors[1]);
    assert!(errors[1].contains("Error: DOCS_TOKEN is not set"), "{}", errors[1]);
    assert_eq!(mcp_calls(&run.completed())[0].status, McpToolCallStatus::Completed);
}

#[test]
fn a_call_past_tool_timeout_sec_fails_and_the_model_is_told() {
    let world = world(
        json!([[function_call("call_1", "mcp__test__slow", json!({"ms": 20000}))], [message("Done.")]]),
        "[mcp_servers.test]\ncommand = \"$MCP_TEST_SERVER\"\ntool_timeout_sec = 0.5\n",
    );
    let started = Instant::now();
    let run = world.exec_json(&["go"]);
    run.assert_ok();
    assert!(started.elapsed() < Duration::from_secs(15), "the call was not cut at its timeout");
    let call = &mcp_calls(&run.completed())[0];
    assert_eq!(call.status, McpToolCallStatus::Failed);
    let message = &call.error.as_ref().unwrap().message;
    assert!(message.starts_with("tool call error: tool call failed for `test/slow`: timed out"), "{message}");
    assert_eq!(&tool_output(&world.requests(), "call_1"), message);
}

#[test]
fn enabled_and_disabled_tools_choose_what_the_model_sees() {
    let world = world(
        json!([[message("Done.")]]),
        "[mcp_servers.test]\ncommand = \"$MCP_TEST_SERVER\"\nenabled_tools = [\"echo\", \"add\", \"fail\"]\ndisabled_tools = [\"fail\"]\n",
    );
    world.exec_json(&["go"]).assert_ok();
    let names: Vec<String> =
        tool_names(&world.requests()[0].body).into_iter().filter(|n| n.starts_with("mcp__")).collect();
    assert_eq!(names, ["mcp__test__add", "mcp__test__echo"]);
}

#[test]
fn a_server_gets_no_api_key_and_a_huge_result_is_cut() {
    let mut world = world(
        json!([
            [function_call("call_1", "mcp__test__env", json!({"name": "CODEX_API_KEY"}))],
            [function_call("call_2", "mcp__test__env", json!({"name": "GIVEN"}))],
            [function_call("call_3", "mcp__test__huge", json!({"bytes": 5_000_000}))],
            [message("Done.")]
        ]),
        "[mcp_servers.test]\ncommand = \"$MCP_TEST_SERVER\"\nenv = { GIVEN = \"yes\" }\n",
    );
    world.set_env("OPENAI_API_KEY", "sk-not-for-servers-123");
    world.exec_json(&["go"]).assert_ok();
    let requests = world.requests();
    assert_eq!(tool_output(&requests, "call_1"), r#"[{"type":"text","text":"(unset)"}]"#);
    assert_eq!(tool_output(&requests, "call_2"), r#"[{"type":"text","text":"yes"}]"#);
    let huge = tool_output(&requests, "call_3");
    assert!(huge.len() < 2 * 1024 * 1024 && huge.contains("cut to its first"), "{} bytes", huge.len());
}

#[test]
fn resource_tools_list_and_read_the_servers_resources() {
    let world = world(
        json!([
            [function_call("call_1", "list_mcp_resources", json!({}))],
            [function_call(
                "call_2",
                "read_mcp_resource",
                json!({"server": "test", "uri": "test://greeting"})
            )],
            [message("Done.")]
        ]),
        "[mcp_servers.test]\ncommand = \"$MCP_TEST_SERVER\"\n",
    );
    let run = world.exec_json(&["go"]);
    run.assert_ok();
    let calls = mcp_calls(&run.completed());
    assert_eq!((calls[0].server.as_str(), calls[0].tool.as_str()), ("codex", "list_mcp_resources"));
    assert_eq!((calls[1].server.as_str(), calls[1].tool.as_str()), ("test", "read_mcp_resource"));
    let requests = world.requests();
    // The model gets a resource tool's JSON as it is, as Codex gives it.
    let listed: Value = serde_json::from_str(&tool_output(&requests, "call_1")).unwrap();
    assert_eq!(listed["resources"][0]["server"], "test");
    assert_eq!(listed["resources"][0]["uri"], "test://greeting");
    let read: Value = serde_json::from_str(&tool_output(&requests, "call_2")).unwrap();
    assert_eq!(read["contents"][0]["text"], "hello");
}

#[test]
fn a_streamable_http_server_gets_the_bearer_token_from_the_environment() {
    let server = test_support::McpHttpServer::start(Some("s3cret-token"));
    let config = format!(
        "[mcp_servers.web]\nurl = \"{url}\"\nbearer_token_env_var = \"WEB_TOKEN\"\n\n[mcp_servers.wrong]\nurl = \"{url}\"\nbearer_token_env_var = \"WRONG_TOKEN\"\n\n[mcp_servers.unset]\nurl = \"{url}\"\nbearer_token_env_var = \"UNSET_TOKEN\"\n",
        url = server.url
    );
    let mut world = world(
        json!([
            [function_call("call_1", "mcp__web__echo", json!({"text": "over http"}))],
            [message("Done.")]
        ]),
        &config,
    );
    world.set_env("WEB_TOKEN", "s3cret-token").set_env("WRONG_TOKEN", "nope");
    let run = world.exec_json(&["go"]);
    run.assert_ok();
    assert_eq!(tool_output(&world.requests(), "call_1"), r#"{"echoed":"over http"}"#);
    let errors: Vec<String> = run
        .completed()
        .iter()
        .filter_map(|item| match item {
            ThreadItemDetails::Error(error) => Some(error.message.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("`unset`") && e.contains("UNSET_TOKEN")), "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("MCP client for `wrong` failed to start")), "{errors:?}");
}

/// The published reference server `@modelcontextprotocol/server-everything`, where npm can
/// install it (skipped, saying so, without npm or a registry).
#[test]
fn the_published_everything_server_works_where_npm_can_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let installed = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--silent",
            "@modelcontextprotocol/server-everything@2025.9.25",
        ])
        .current_dir(dir.path())
        .output();
    let entry = dir.path().join("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    match installed {
        Ok(output) if output.status.success() && entry.is_file() => {}
        Ok(output) => {
            eprintln!(
                "SKIPPED: npm could not install @modelcontextprotocol/server-everything: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            return;
        }
        Err(e) => {
            eprintln!("SKIPPED: npm is not available ({e})");
            return;
        }
    }
    let config = format!(
        "[mcp_servers.everything]\ncommand = \"node\"\nargs = [\"{}\"]\nstartup_timeout_sec = 30\n",
        entry.display()
    );
    let world = world(
        json!([
            [function_call("call_1", "mcp__everything__echo", json!({"message": "hi"}))],
            [message("Done.")]
        ]),
        &config,
    );
    let run = world.exec_json(&["go"]);
    run.assert_ok();
    assert!(tool_names(&world.requests()[0].body).contains(&"mcp__everything__echo".to_owned()));
    assert!(
        tool_output(&world.requests(), "call_1").contains("Echo: hi"),
        "{}",
        tool_output(&world.requests(), "call_1")
    );
    let _ = Path::new(".");
}

/// A "server" that answers the handshake with garbage and then a line without end is cut off
/// at the line bound: reported as failed to start, in bounded time and memory, and the turn
/// goes on.
#[test]
fn a_hostile_server_is_cut_off_and_the_turn_goes_on() {
    let world = world(
        json!([[message("Done.")]]),
        "[mcp_servers.hostile]\ncommand = \"sh\"\nargs = [\"-c\", \"echo 'not json'; head -c 40000000 /dev/zero | tr '\\\\\\\\0' x; sleep 30\"]\nstartup_timeout_sec = 20\n",
    );
    let started = Instant::now();
    let run = world.exec_json(&["go"]);
    run.assert_ok();
    assert!(started.elapsed() < Duration::from_secs(20), "the bound, not the timeout, ended it");
    let errors: Vec<String> = run
        .completed()
        .iter()
        .filter_map(|item| match item {
            ThreadItemDetails::Error(error) => Some(error.message.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("MCP client for `hostile` failed to start"), "{}", errors[0]);
}
