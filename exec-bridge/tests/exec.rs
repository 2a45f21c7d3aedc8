//! End-to-end tests of `exec-bridge exec`: the real binary against the scripted model server
//! over loopback. Every line the binary prints is read as a protocol event and validated
//! against the generated schema (see `test_support::World::run`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use protocol::exec::{
    CommandExecutionStatus, PatchApplyStatus, PatchChangeKind, ThreadEvent, ThreadItemDetails, Usage,
};
use serde_json::{json, Value};
use test_support::script::{message, patch, plan, reasoning, shell, view_image};
use test_support::{canonical, tool_names, tool_output, World};

#[test]
fn a_plain_answer() {
    let world = World::new(json!([[message("Hello there.")]]));
    let run = world.exec_json(&["say hello"]);
    run.assert_ok();
    assert_eq!(
        run.kinds(),
        ["thread.started", "turn.started", "item.completed:agent_message", "turn.completed"]
    );
    let ThreadEvent::ItemCompleted(done) = &run.events[2] else { panic!() };
    assert_eq!(done.item.id, "item_0");
    assert!(matches!(&done.item.details, ThreadItemDetails::AgentMessage(m) if m.text == "Hello there."));
    let ThreadEvent::TurnCompleted(turn) = &run.events[3] else { panic!() };
    assert_eq!(turn.usage, Usage { input_tokens: 100, cached_input_tokens: 10, output_tokens: 20 });

    let requests = world.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/v1/responses");
    assert_eq!(request.headers["authorization"], "Bearer test-key");
    assert_eq!(request.headers["originator"], "codex_exec");
    assert_eq!(request.headers["accept"], "text/event-stream");
    assert_eq!(request.headers["session_id"], run.thread_id());
    assert_eq!(request.headers["conversation_id"], run.thread_id());
    assert!(request.headers.contains_key("version") && request.headers.contains_key("user-agent"));
    let body = &request.body;
    assert_eq!(
        (body["model"].as_str(), body["stream"].as_bool(), body["store"].as_bool()),
        (Some("gpt-5.1-codex"), Some(true), Some(false))
    );
    let tools = tool_names(body);
    // The default model (gpt-5.1-codex) is offered shell_command and the free-form apply_patch,
    // beside the resource tools, in the order Codex 0.63 sends them.
    assert_eq!(
        tools,
        [
            "shell_command",
            "list_mcp_resources",
            "list_mcp_resource_templates",
            "read_mcp_resource",
            "update_plan",
            "apply_patch",
            "view_image"
        ]
    );
    let input = body["input"].as_array().unwrap();
    assert!(input[0]["content"][0]["text"].as_str().unwrap().starts_with("<environment_context>"));
    assert_eq!(input[1]["content"][0]["text"], "say hello");
}

/// Reasoning, a command, a plan, a patch and an answer in one turn, in wire.md's order.
#[test]
fn a_whole_turn_in_the_reference_order() {
    let world = World::new(json!([
        [reasoning("Looking around"), shell("call_1", &["bash", "-lc", "echo hi"])],
        [plan("call_2", &[("write the file", "in_progress"), ("answer", "pending")])],
        [patch("call_3", "*** Add File: hello.txt\n+hi\n")],
        [message("Done.")],
    ]));
    let run = world.exec_json(&["--full-auto", "do it all"]);
    run.assert_ok();
    assert_eq!(
        run.kinds(),
        [
            "thread.started",
            "turn.started",
            "item.completed:reasoning",
            "item.started:command_execution",
            "item.completed:command_execution",
            "item.started:todo_list",
            "item.completed:file_change",
            "item.completed:agent_message",
            "item.completed:todo_list",
            "turn.completed",
        ]
    );
    let ids: Vec<String> = run
        .events
        .iter()
        .filter_map(|e| match e {
            ThreadEvent::ItemStarted(e) => Some(e.item.id.clone()),
            ThreadEvent::ItemCompleted(e) => Some(e.item.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["item_0", "item_1", "item_1", "item_2", "item_3", "item_4", "item_2"]);
    let completed = run.completed();
    let ThreadItemDetails::CommandExecution(command) = &completed[1] else { panic!("{completed:?}") };
    assert_eq!(command.command, "bash -lc 'echo hi'");
    assert!(command.aggregated_output.ends_with("hi\n"), "{command:?}");
    assert_eq!((command.exit_code, command.status), (Some(0), CommandExecutionStatus::Completed));
    let ThreadItemDetails::FileChange(change) = &completed[2] else { panic!() };
    assert_eq!(change.status, PatchApplyStatus::Completed);
    assert_eq!(change.changes[0].kind, PatchChangeKind::Add);
    assert_eq!(change.changes[0].path, canonical(world.cwd()).join("hello.txt").display().to_string());
    assert_eq!(std::fs::read_to_string(world.cwd().join("hello.txt")).unwrap(), "hi\n");
    let ThreadEvent::TurnCompleted(turn) = run.events.last().unwrap() else { panic!() };
    assert_eq!(turn.usage.input_tokens, 100 + 101 + 102 + 103, "usage is summed over the turn's requests");

    let requests = world.requests();
    assert_eq!(requests.len(), 4);
    let output: serde_json::Value = serde_json::from_str(&tool_output(&requests, "call_1")).unwrap();
    assert_eq!(output["metadata"]["exit_code"], 0);
    assert_eq!(tool_output(&requests, "call_2"), "Plan updated");
    assert!(tool_output(&requests, "call_3").starts_with("Success."));
}

#[test]
fn a_failing_command() {
    let world =
        World::new(json!([[shell("c1", &["bash", "-c", "echo oops >&2; exit 3"])], [message("It failed.")]]));
    let run = world.exec_json(&["--full-auto", "fail"]);
    run.assert_ok();
    let ThreadItemDetails::CommandExecution(command) = &run.completed()[0] else { panic!() };
    assert_eq!((command.exit_code, command.status), (Some(3), CommandExecutionStatus::Failed));
    assert_eq!(command.aggregated_output, "oops\n");
    let output: serde_json::Value = serde_json::from_str(&tool_output(&world.requests(), "c1")).unwrap();
    assert_eq!(output["metadata"]["exit_code"], 3);
}

#[test]
fn a_bad_patch_writes_nothing_and_completes_as_failed() {
    let world = World::new(json!([
        [patch("p1", "*** Add File: new.txt\n+new\n*** Update File: existing.txt\n@@\n-not there\n+x\n")],
        [message("The patch did not apply.")],
    ]));
    std::fs::write(world.cwd().join("existing.txt"), "original\n").unwrap();
    let run = world.exec_json(&["--full-auto", "patch"]);
    run.assert_ok();
    let ThreadItemDetails::FileChange(change) = &run.completed()[0] else { panic!() };
    assert_eq!(change.status, PatchApplyStatus::Failed);
    assert!(!world.cwd().join("new.txt").exists(), "nothing is written");
    assert_eq!(std::fs::read_to_string(world.cwd().join("existing.txt")).unwrap(), "original\n");
    let output = tool_output(&world.requests(), "p1");
    assert!(output.contains("existing.txt") && output.contains("nothing was changed"), "{output}");
}

#[test]
fn a_command_that_needs_approval_is_declined() {
    let world = World::new(json!([[shell("c1", &["touch", "made.txt"])], [message("Not allowed.")]]));
    let run = world.exec_json(&["-s", "workspace-write", "-c", "approval_policy=\"untrusted\"", "touch"]);
    run.assert_ok();
    assert_eq!(run.kinds()[2..4], ["item.started:command_execution", "item.completed:command_execution"]);
    let ThreadItemDetails::CommandExecution(command) = &run.completed()[0] else { panic!() };
    assert_eq!((command.exit_code, command.status), (None, CommandExecutionStatus::Declined));
    assert!(!world.cwd().join("made.txt").exists(), "the command did not run");
    assert!(tool_output(&world.requests(), "c1").contains("declined"), "the model is told");
}

#[test]
fn a_patch_that_needs_approval_is_declined() {
    // The default sandbox of exec is read-only: every patch needs an approval nobody can give.
    let world = World::new(json!([[patch("p1", "*** Add File: a.txt\n+a\n")], [message("Not allowed.")]]));
    let run = world.exec_json(&["write"]);
    run.assert_ok();
    assert_eq!(run.kinds()[2], "item.completed:file_change", "the declined patch is reported");
    let ThreadItemDetails::FileChange(change) = &run.completed()[0] else { panic!() };
    assert_eq!(change.status, PatchApplyStatus::Declined);
    assert!(!world.cwd().join("a.txt").exists());
    assert!(tool_output(&world.requests(), "p1").contains("declined"));
}

#[test]
fn add_dir_makes_a_second_directory_writable() {
    let other = tempfile::tempdir().unwrap();
    let target = format!("{}/added.txt", canonical(other.path()).display());
    let script = json!([[patch("p1", &format!("*** Add File: {target}\n+x\n"))], [message("ok")]]);
    let no_tmp = [
        "-s",
        "workspace-write",
        "-c",
        "sandbox_workspace_write.exclude_slash_tmp=true",
        "-c",
        "sandbox_workspace_write.exclude_tmpdir_env_var=true",
    ];

    let world = World::new(script.clone());
    let mut args = no_tmp.to_vec();
    args.push("write there");
    let run = world.exec_json(&args);
    let ThreadItemDetails::FileChange(change) = &run.completed()[0] else { panic!() };
    assert_eq!(change.status, PatchApplyStatus::Declined, "outside the writable roots without --add-dir");
    assert!(!other.path().join("added.txt").exists());

    let world = World::new(script);
    let dir = other.path().display().to_string();
    let mut args = no_tmp.to_vec();
    args.extend(["--add-dir", &dir, "write there"]);
    let run = world.exec_json(&args);
    let ThreadItemDetails::FileChange(change) = &run.completed()[0] else { panic!() };
    assert_eq!(change.status, PatchApplyStatus::Completed);
    assert_eq!(std::fs::read_to_string(other.path().join("added.txt")).unwrap(), "x\n");
}

#[test]
fn resume_by_id_and_by_last_keep_the_history_and_its_image() {
    let world =
        World::new(json!([[message("first")], [message("second")], [message("third")], [message("fourth")]]));
    let image = world.cwd().join("pixel.png");
    std::fs::write(&image, [0x89, b'P', b'N', b'G', 0, 1, 2, 3]).unwrap();
    let first = world.exec_json(&["--image", image.to_str().unwrap(), "look at this"]);
    first.assert_ok();
    let id = first.thread_id();

    let second = world.exec_json(&["resume", &id, "and now?"]);
    second.assert_ok();
    assert_eq!(second.thread_id(), id, "the resumed thread keeps its id");
    let third = world.exec_json(&["resume", "--last", "once more"]);
    third.assert_ok();
    assert_eq!(third.thread_id(), id);

    let requests = world.requests();
    let input = requests[2].body["input"].as_array().unwrap();
    let texts: Vec<String> = input
        .iter()
        .flat_map(|i| i["content"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["text"].as_str().map(str::to_owned))
        .collect();
    for earlier in ["look at this", "first", "and now?", "second"] {
        assert!(texts.iter().any(|t| t == earlier), "the history has `{earlier}`: {texts:?}");
    }
    assert_eq!(texts.last().map(String::as_str), Some("once more"));
    let images: Vec<&serde_json::Value> = input
        .iter()
        .flat_map(|i| i["content"].as_array().into_iter().flatten())
        .filter(|c| c["type"] == "input_image")
        .collect();
    assert_eq!(images.len(), 1, "the image of the first turn is sent again");
    assert!(images[0]["image_url"].as_str().unwrap().starts_with("data:image/png;base64,"));
    assert_eq!(requests[2].headers["session_id"], id);
    // As Codex's `exec`: the images first, then the prompt.
    let first_message = requests[0].body["input"].as_array().unwrap().last().unwrap()["content"].clone();
    let kinds: Vec<&str> =
        first_message.as_array().unwrap().iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["input_image", "input_text"]);

    // As Codex: with --last, of two words the first (a session id) is ignored.
    let fourth = world.exec_json(&["resume", "--last", "not-a-session", "last one"]);
    fourth.assert_ok();
    assert_eq!(fourth.thread_id(), id);
    let last_input = world.requests()[3].body["input"].to_string();
    assert!(last_input.contains("last one") && !last_input.contains("not-a-session"), "{last_input}");
}

#[test]
fn resume_of_an_unknown_session_says_so() {
    let world = World::new(json!([]));
    let run = world.exec_json(&["resume", "0000-nope", "hi"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("no session with id 0000-nope"), "{}", run.stderr);
}

#[test]
fn output_schema_is_sent_as_the_structured_output_format() {
    let world = World::new(json!([[message("{\"answer\":42}")]]));
    let schema = json!({"type": "object", "properties": {"answer": {"type": "number"}}, "required": ["answer"], "additionalProperties": false});
    let file = world.cwd().join("schema.json");
    std::fs::write(&file, schema.to_string()).unwrap();
    let run = world.exec_json(&["--output-schema", file.to_str().unwrap(), "answer"]);
    run.assert_ok();
    let format = &world.requests()[0].body["text"]["format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["schema"], schema);
    assert_eq!(format["strict"], true);
    assert!(matches!(&run.completed()[0], ThreadItemDetails::AgentMessage(m) if m.text == "{\"answer\":42}"));
}

#[test]
fn the_prompt_comes_from_stdin_when_absent_or_dash() {
    let world = World::new(json!([[message("a")], [message("b")]]));
    let run = world.run(&["exec", "--experimental-json", "--skip-git-repo-check"], Some("from stdin\n"), &[]);
    run.assert_ok();
    let run = world.run(&["exec", "--json", "--skip-git-repo-check", "-"], Some("dash too"), &[]);
    run.assert_ok();
    let requests = world.requests();
    assert_eq!(requests[0].body["input"][1]["content"][0]["text"], "from stdin");
    assert_eq!(requests[1].body["input"][1]["content"][0]["text"], "dash too");
}

#[test]
fn a_429_is_retried_after_retry_after() {
    let world = World::new(json!([{"status": 429, "retry_after": 0}, [message("made it")]]));
    let run = world.exec_json(&["hi"]);
    run.assert_ok();
    assert!(matches!(&run.completed()[0], ThreadItemDetails::AgentMessage(m) if m.text == "made it"));
    assert_eq!(world.requests().len(), 2);
    // The retry is announced as the reference does, with an `error` event in its words.
    assert_eq!(run.kinds()[2], "error");
    let ThreadEvent::Error(notice) = &run.events[2] else { panic!() };
    assert_eq!(notice.message, "Reconnecting... 1/4");
}

#[test]
fn a_cut_stream_is_requested_again() {
    let world = World::new(
        json!([{"cut_after": 3, "items": [message("partial answer")]}, [message("whole answer")]]),
    );
    let run = world.exec_json(&["hi"]);
    run.assert_ok();
    assert_eq!(
        run.kinds(),
        ["thread.started", "turn.started", "error", "item.completed:agent_message", "turn.completed"]
    );
    assert!(matches!(&run.completed()[0], ThreadItemDetails::AgentMessage(m) if m.text == "whole answer"));
}

#[test]
fn a_stream_cut_until_the_retries_are_spent_ends_as_the_reference_says() {
    let cut = json!({"cut_after": 3, "items": [message("partial answer")]});
    let world = World::new(json!([cut, cut, cut]));
    let run = world.exec_json(&["-c", "model_providers.openai.stream_max_retries=2", "hi"]);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    let said = "stream disconnected before completion: stream closed before response.completed";
    let events: Vec<Value> = run.events.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
    assert_eq!(
        events[2..],
        [
            json!({"type": "error", "message": "Reconnecting... 1/2"}),
            json!({"type": "error", "message": "Reconnecting... 2/2"}),
            json!({"type": "error", "message": said}),
            json!({"type": "turn.failed", "error": {"message": said}}),
        ]
    );
}

#[test]
fn spent_retries_fail_the_turn_and_the_process() {
    let world = World::new(json!([{"status": 500}, {"status": 503, "body": "overloaded"}]));
    let run = world.exec_json(&["-c", "model_providers.openai.request_max_retries=1", "hi"]);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert_eq!(run.kinds(), ["thread.started", "turn.started", "error", "error", "turn.failed"]);
    let ThreadEvent::TurnFailed(failed) = &run.events[4] else { panic!() };
    let ThreadEvent::Error(error) = &run.events[3] else { panic!() };
    assert_eq!(error.message, failed.error.message, "the failure is said by an `error` event first");
    assert!(
        failed.error.message.contains("2 attempts") && failed.error.message.contains("overloaded"),
        "{}",
        failed.error.message
    );
    assert_eq!(world.requests().len(), 2);
}

#[test]
fn the_originator_header_defaults_and_can_be_overridden() {
    let world = World::new(json!([[message("a")], [message("b")]]));
    world.exec_json(&["hi"]).assert_ok();
    world
        .run(
            &["exec", "--json", "--skip-git-repo-check", "hi"],
            None,
            &[("CODEX_INTERNAL_ORIGINATOR_OVERRIDE", "codex_sdk_ts")],
        )
        .assert_ok();
    let requests = world.requests();
    assert_eq!(requests[0].headers["originator"], "codex_exec");
    assert_eq!(requests[1].headers["originator"], "codex_sdk_ts");
    assert!(requests[1].headers["user-agent"].starts_with("codex_sdk_ts/"));
}

#[test]
fn a_bad_config_value_is_named_and_nothing_runs() {
    let world = World::new(json!([[message("never sent")]]));
    let run = world.exec_json(&["-c", "sandbox_workspace_write.network_access=\"yes\"", "hi"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("invalid type") && run.stderr.contains("-c overrides"), "{}", run.stderr);
    assert!(world.requests().is_empty());
}

#[test]
fn outside_a_git_repository_exec_asks_for_the_flag() {
    let world = World::new(json!([[message("never sent")]]));
    let run = world.run(&["exec", "--json", "hi"], None, &[]);
    assert_eq!(run.code, Some(1), "as the reference");
    assert_eq!(run.stderr, "Not inside a trusted directory and --skip-git-repo-check was not specified.\n");
}

#[test]
fn without_json_a_readable_transcript() {
    let world = World::new(json!([[shell("c1", &["echo", "from the tool"])], [message("All done.")]]));
    let run = world.run(&["exec", "--skip-git-repo-check", "--full-auto", "go"], None, &[]);
    run.assert_ok();
    for expected in [
        "workdir:",
        "user\ngo",
        "exec\necho 'from the tool'",
        "succeeded",
        "from the tool",
        "agent\nAll done.",
        "tokens used:",
    ] {
        assert!(run.stdout.contains(expected), "missing `{expected}` in:\n{}", run.stdout);
    }
    assert!(!run.stdout.contains('\x1b'), "no colour when stdout is not a terminal");
}

#[test]
fn a_silent_stream_times_out_and_is_requested_again() {
    let world = World::new(json!([{"items": [message("too slow")], "delay_ms": 600}, [message("on time")]]));
    let run = world.exec_json(&["-c", "model_providers.openai.stream_idle_timeout_ms=150", "hi"]);
    run.assert_ok();
    assert!(matches!(&run.completed()[0], ThreadItemDetails::AgentMessage(m) if m.text == "on time"));
    assert_eq!(world.requests().len(), 2);
}

#[test]
fn view_image_attaches_the_image_and_can_be_turned_off() {
    let world =
        World::new(json!([[view_image("v1", "shot.png")], [message("I see it.")], [message("no tools")]]));
    std::fs::write(world.cwd().join("shot.png"), [0x89, b'P', b'N', b'G']).unwrap();
    world.exec_json(&["look"]).assert_ok();
    let requests = world.requests();
    assert!(tool_output(&requests, "v1").contains("shot.png"));
    let last_input = requests[1].body["input"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last_input["content"][0]["type"], "input_image", "the image follows the tool output");

    world.exec_json(&["-c", "tools.view_image=false", "again"]).assert_ok();
    let tools = tool_names(&world.requests()[2].body);
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
}

#[test]
fn the_transcript_is_coloured_when_asked() {
    let world = World::new(json!([[message("Coloured.")]]));
    let run = world.run(&["exec", "--skip-git-repo-check", "--color", "always", "hi"], None, &[]);
    run.assert_ok();
    assert!(run.stdout.contains("\x1b[35magent\x1b[0m"), "{}", run.stdout);
}

#[test]
fn a_refused_key_fails_at_once_and_says_what_to_check() {
    let world = World::new(json!([{"status": 401, "body": "invalid api key"}, [message("never")]]));
    let run = world.exec_json(&["hi"]);
    assert_eq!(run.code, Some(1));
    let ThreadEvent::TurnFailed(failed) = &run.events[3] else { panic!("{:?}", run.kinds()) };
    assert!(
        failed.error.message.contains("401") && failed.error.message.contains("CODEX_API_KEY"),
        "{}",
        failed.error.message
    );
    assert_eq!(world.requests().len(), 1, "a 401 is not retried");
}

#[test]
fn an_unreachable_server_is_retried_then_fails_the_turn() {
    let world = World::new(json!([]));
    // A port nobody listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/v1");
    let run = world.run(
        &[
            "exec",
            "--json",
            "--skip-git-repo-check",
            "-c",
            "model_providers.openai.request_max_retries=1",
            "hi",
        ],
        None,
        &[("OPENAI_BASE_URL", &url)],
    );
    assert_eq!(run.code, Some(1));
    let ThreadEvent::TurnFailed(failed) = &run.events[4] else { panic!("{:?}", run.kinds()) };
    assert!(
        failed.error.message.contains("cannot reach") && failed.error.message.contains("2 attempts"),
        "{}",
        failed.error.message
    );
}

/// The system's CA store is read only for an https provider: with none to be found, a turn
/// against the plain-http scripted model works, while an https provider fails to set up its
/// client (before any connection is tried; none is reachable here) and says why.
#[test]
fn the_ca_store_is_read_for_https_only() {
    let world = World::new(json!([[message("Hello there.")]]));
    let no_ca_store = [("SSL_CERT_FILE", "/nonexistent/ca.pem"), ("SSL_CERT_DIR", "/nonexistent")];
    let args = ["exec", "--json", "--skip-git-repo-check", "hi"];
    world.run(&args, None, &no_ca_store).assert_ok();

    let https = [no_ca_store.as_slice(), &[("OPENAI_BASE_URL", "https://127.0.0.1:9/v1")]].concat();
    let run = world.run(&args, None, &https);
    assert_eq!(run.code, Some(1));
    let failed = run.events.iter().find_map(|e| match e {
        ThreadEvent::TurnFailed(failed) => Some(&failed.error.message),
        _ => None,
    });
    let message = failed.unwrap_or_else(|| panic!("{:?}", run.kinds()));
    assert!(
        message.contains("cannot set up the HTTP client") && message.contains("CA certificates"),
        "{message}"
    );
    assert_eq!(world.requests().len(), 1, "only the plain-http turn reached the server");
}
