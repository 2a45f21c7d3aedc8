//! The user's own commands (`thread/shellCommand`, `execOneOffCommand`), the `shell_command`
//! tool, `model/list`'s presets and `feedback/upload`, end to end through the binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use serde_json::{json, Value};
use test_support::script::{function_call, message};
use test_support::{item_story, tool_names, tool_output, AppServer, World};

fn thread_in(world: &World, server: &mut AppServer, extra: Value) -> String {
    let mut params = json!({"cwd": world.cwd().display().to_string(), "approvalPolicy": "never", "sandbox": "workspaceWrite"});
    if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        params.extend(extra.clone());
    }
    server.start_thread(params)
}

/// Sends `thread/shellCommand` and collects its turn, from the response to `turn/completed`.
fn shell_command(server: &mut AppServer, thread: &str, command: &str) -> Vec<Value> {
    let from = server.log().len();
    server.call("thread/shellCommand", json!({"threadId": thread, "command": command}));
    server.recv_until(|m| m["method"] == "turn/completed");
    server.log()[from..].to_vec()
}

#[test]
fn a_user_command_streams_as_its_own_turn_and_stays_out_of_the_models_history() {
    let world = World::new(json!([[message("First.")], [message("Second.")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = thread_in(&world, &mut server, json!({}));
    server.run_turn(&thread, "hello", |_| Value::Null);

    let turn =
        shell_command(&mut server, &thread, "echo user-secret-output | tr a-z A-Z; touch made-by-user");
    let started = turn.iter().find(|m| m["method"] == "turn/started").unwrap();
    assert_eq!(started["params"]["turn"]["id"], "1");
    let item = turn.iter().find(|m| m["method"] == "item/started").unwrap()["params"]["item"].clone();
    assert_eq!(item["type"], "commandExecution");
    assert!(
        item["command"]
            .as_str()
            .unwrap()
            .ends_with("-lc 'echo user-secret-output | tr a-z A-Z; touch made-by-user'"),
        "{item}"
    );
    let id = item["id"].as_str().unwrap();
    let story = item_story(&turn, id);
    assert_eq!(story.first().map(String::as_str), Some("item/started:inProgress"));
    assert!(story.contains(&"item/commandExecution/outputDelta".to_owned()), "{story:?}");
    assert_eq!(story.last().map(String::as_str), Some("item/completed:completed"));
    let done = turn.iter().find(|m| m["method"] == "item/completed").unwrap();
    assert_eq!(done["params"]["item"]["aggregatedOutput"], "USER-SECRET-OUTPUT\n");
    assert_eq!(done["params"]["item"]["exitCode"], 0);
    assert_eq!(turn.last().unwrap()["params"]["turn"]["status"], "completed");
    assert!(world.cwd().join("made-by-user").exists(), "the working directory is writable");

    // The next model request holds neither the command nor its output.
    server.run_turn(&thread, "and now?", |_| Value::Null);
    let requests = world.requests();
    let last = requests.last().unwrap().body.to_string();
    assert!(!last.contains("user-secret-output") && !last.contains("USER-SECRET-OUTPUT"), "{last}");
    assert!(last.contains("and now?") && last.contains("First."), "{last}");

    // The thread's turns show it on resume.
    let resumed = server.call("thread/resume", json!({"threadId": thread}));
    assert_eq!(resumed["thread"]["turns"][1]["items"][0]["type"], "commandExecution");
}

#[test]
fn a_user_command_is_confined_by_the_threads_sandbox_and_fails_as_it_exits() {
    let world = World::new(json!([]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = thread_in(&world, &mut server, json!({"sandbox": "readOnly"}));
    let turn = shell_command(&mut server, &thread, "touch denied.txt");
    let done = turn.iter().find(|m| m["method"] == "item/completed").unwrap();
    assert_eq!(done["params"]["item"]["status"], "failed");
    assert_ne!(done["params"]["item"]["exitCode"], 0);
    assert!(!world.cwd().join("denied.txt").exists());
    assert_eq!(turn.last().unwrap()["params"]["turn"]["status"], "completed");
}

#[test]
fn turn_interrupt_stops_a_user_command() {
    let world = World::new(json!([]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = thread_in(&world, &mut server, json!({}));
    server.call("thread/shellCommand", json!({"threadId": thread, "command": "echo started; sleep 30"}));
    server.recv_until(|m| m["method"] == "item/commandExecution/outputDelta");
    // A second command, or a turn, is refused while it runs.
    let busy = server.request("thread/shellCommand", json!({"threadId": thread, "command": "true"}));
    assert!(busy["error"]["message"].as_str().unwrap().contains("interrupt"), "{busy}");
    let asked = std::time::Instant::now();
    server.call("turn/interrupt", json!({"threadId": thread, "turnId": "0"}));
    let done = server.recv_until(|m| m["method"] == "turn/completed");
    assert_eq!(done["params"]["turn"]["status"], "interrupted");
    assert!(asked.elapsed() < std::time::Duration::from_secs(5), "{:?}", asked.elapsed());
}

#[test]
fn bad_user_commands_are_refused_with_what_to_do() {
    let world = World::new(json!([]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = thread_in(&world, &mut server, json!({}));
    let empty = server.request("thread/shellCommand", json!({"threadId": thread, "command": "  "}));
    assert_eq!(empty["error"]["code"], -32600);
    let unknown = server.request("thread/shellCommand", json!({"threadId": "nope", "command": "ls"}));
    assert!(unknown["error"]["message"].as_str().unwrap().contains("thread/start"), "{unknown}");
    let no_argv = server.request("execOneOffCommand", json!({"command": []}));
    assert!(
        no_argv["error"]["message"].as_str().unwrap().starts_with("command must not be empty"),
        "{no_argv}"
    );
}

#[test]
fn a_one_off_command_answers_its_streams_apart_under_the_sandbox_asked() {
    let world = World::new(json!([]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let result = server.call(
        "execOneOffCommand",
        json!({"command": ["bash", "-c", "echo out; echo err >&2; exit 2"], "cwd": cwd, "timeoutMs": null, "sandboxPolicy": null}),
    );
    assert_eq!(result, json!({"exitCode": 2, "stdout": "out\n", "stderr": "err\n"}));
    let read_only = server.call(
        "execOneOffCommand",
        json!({"command": ["touch", "one-off.txt"], "cwd": cwd, "sandboxPolicy": {"type": "read-only"}}),
    );
    assert_ne!(read_only["exitCode"], 0, "{read_only}");
    assert!(!world.cwd().join("one-off.txt").exists());
    let writable = server.call(
        "execOneOffCommand",
        json!({"command": ["touch", "one-off.txt"], "cwd": cwd, "sandboxPolicy": {"type": "workspace-write"}}),
    );
    assert_eq!(writable["exitCode"], 0, "{writable}");
    let timed_out = server.call("execOneOffCommand", json!({"command": ["sleep", "20"], "timeoutMs": 200}));
    assert_eq!(timed_out["exitCode"], 124);
}

#[test]
fn the_shell_command_tool_runs_the_line_in_the_users_shell_and_answers_text() {
    let call = function_call(
        "call_1",
        "shell_command",
        json!({"command": "echo hi; echo err >&2; exit 3", "workdir": "."}),
    );
    let world = World::new(json!([[call], [message("Done.")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = thread_in(&world, &mut server, json!({"model": "gpt-5.1-codex-max"}));
    let turn = server.run_turn(&thread, "run it", |_| Value::Null);
    assert_eq!(item_story(&turn, "call_1").last().map(String::as_str), Some("item/completed:failed"));
    let output = tool_output(&world.requests(), "call_1");
    assert!(output.starts_with("Exit code: 3\nWall time: "), "{output}");
    assert!(
        output.contains(" seconds\nOutput:\n") && output.contains("hi\n") && output.contains("err\n"),
        "{output}"
    );
    let tools = tool_names(&world.requests()[0].body);
    assert!(tools.contains(&"shell_command".to_owned()) && !tools.contains(&"shell".to_owned()), "{tools:?}");
}

#[test]
fn other_models_are_offered_shell() {
    let world = World::new(json!([[message("Hi.")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = thread_in(&world, &mut server, json!({"model": "gpt-4.1"}));
    server.run_turn(&thread, "hi", |_| Value::Null);
    let first = &world.requests()[0].body["tools"][0];
    assert_eq!(first["name"], "shell");
}

#[test]
fn model_list_pages_the_presets_and_feedback_upload_says_it_is_offline() {
    let world = World::new(json!([]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let page = server.call("model/list", json!({"limit": 2, "cursor": "1"}));
    assert_eq!(page["data"][0]["id"], "gpt-5.1-codex");
    assert_eq!(page["nextCursor"], "3");
    let past = server.request("model/list", json!({"cursor": "5"}));
    assert_eq!(past["error"]["code"], -32600);
    let feedback = server.request(
        "feedback/upload",
        json!({"classification": "bug", "reason": "x", "conversationId": null, "includeLogs": false}),
    );
    assert_eq!(feedback["error"]["code"], -32600);
    let text = feedback["error"]["message"].as_str().unwrap();
    assert!(text.contains("not available") && text.contains("session file"), "{text}");
}
