//! End-to-end tests of `exec-bridge app-server`: the real binary over stdio against the scripted
//! model server. Every message it sends is read into the protocol types and validated against
//! the generated schema (see `test_support::Client`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::time::Duration;

use serde_json::{json, Value};
use test_support::script::{message, patch, reasoning, shell, shell_escalated};
use test_support::{canonical, decision, item_story, tool_output, turn_status, AppServer, World};

/// A world, a started server and a thread under `unlessTrusted` + `workspaceWrite`.
fn untrusted_thread(script: Value) -> (World, AppServer, String) {
    let world = World::new(script);
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server
        .start_thread(json!({"cwd": cwd, "approvalPolicy": "unlessTrusted", "sandbox": "workspaceWrite"}));
    (world, server, thread)
}

#[test]
fn thread_start_answers_the_settings_in_force_and_announces_the_thread() {
    let world = World::new(json!([]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let result = server.call(
        "thread/start",
        json!({"model": "gpt-test", "approvalPolicy": "onRequest", "sandbox": "workspaceWrite"}),
    );
    assert_eq!(result["model"], "gpt-test");
    assert_eq!(result["modelProvider"], "openai");
    assert_eq!(result["approvalPolicy"], "onRequest");
    assert_eq!(result["sandbox"]["type"], "workspaceWrite");
    assert_eq!(result["cwd"], canonical(world.cwd()).display().to_string());
    assert!(result["thread"]["path"].as_str().unwrap().starts_with(&world.home.path().display().to_string()));
    let started = server.recv();
    assert_eq!(started["method"], "thread/started");
    assert_eq!(started["params"]["thread"]["id"], result["thread"]["id"]);

    // Without an approval policy, as Codex: the configuration's, else `onRequest`.
    let result = server.call("thread/start", json!({}));
    assert_eq!(result["approvalPolicy"], "onRequest");
}

#[test]
fn a_command_accepted_runs_and_completes_once() {
    let (world, mut server, thread) =
        untrusted_thread(json!([[shell("call_1", &["touch", "ok.txt"])], [message("Done.")]]));
    let turn = server.run_turn(&thread, "touch it", |_| decision("accept"));
    assert_eq!(
        item_story(&turn, "call_1"),
        ["item/started:inProgress", "item/commandExecution/requestApproval", "item/completed:completed"]
    );
    assert!(world.cwd().join("ok.txt").exists());
    assert_eq!(turn_status(&turn), "completed");
    // Every turn starts with the user's message, and an agent message streams as deltas.
    let first_item = turn.iter().find(|m| m["method"] == "item/started").unwrap();
    assert_eq!(first_item["params"]["item"]["type"], "userMessage");
    assert!(turn.iter().any(|m| m["method"] == "item/agentMessage/delta"));
    let request = turn.iter().find(|m| m["method"] == "item/commandExecution/requestApproval").unwrap();
    assert_eq!(request["params"]["threadId"], thread.as_str());
    assert_eq!(request["params"]["turnId"], "0");
}

#[test]
fn a_command_declined_completes_once_as_declined_and_the_model_is_told() {
    let (world, mut server, thread) =
        untrusted_thread(json!([[shell("call_1", &["touch", "no.txt"])], [message("OK.")]]));
    let turn = server.run_turn(&thread, "touch it", |_| decision("decline"));
    assert_eq!(
        item_story(&turn, "call_1"),
        ["item/started:inProgress", "item/commandExecution/requestApproval", "item/completed:declined"]
    );
    assert!(!world.cwd().join("no.txt").exists());
    assert_eq!(turn_status(&turn), "completed");
    assert!(tool_output(&world.requests(), "call_1").contains("declined"));
}

#[test]
fn a_command_cancelled_ends_the_turn_as_interrupted() {
    let (world, mut server, thread) =
        untrusted_thread(json!([[shell("call_1", &["touch", "no.txt"])], [message("never")]]));
    let turn = server.run_turn(&thread, "touch it", |_| decision("cancel"));
    assert_eq!(item_story(&turn, "call_1").last().unwrap(), "item/completed:declined");
    assert_eq!(turn_status(&turn), "interrupted");
    assert_eq!(world.requests().len(), 1, "the model is not asked again");
}

#[test]
fn patches_ask_once_for_the_whole_patch() {
    let body = "*** Add File: a.txt\n+a\n*** Add File: b.txt\n+b\n";
    for (answer, written, status, turn_end) in [
        ("accept", true, "completed", "completed"),
        ("decline", false, "declined", "completed"),
        ("cancel", false, "declined", "interrupted"),
    ] {
        let (world, mut server, thread) = untrusted_thread(json!([[patch("call_p", body)], [message("ok")]]));
        let turn = server.run_turn(&thread, "write", |_| decision(answer));
        assert_eq!(
            item_story(&turn, "call_p"),
            [
                "item/started:inProgress",
                "item/fileChange/requestApproval",
                &format!("item/completed:{status}")
            ],
            "{answer}"
        );
        assert_eq!(
            world.cwd().join("a.txt").exists() && world.cwd().join("b.txt").exists(),
            written,
            "{answer}"
        );
        assert_eq!(turn_status(&turn), turn_end, "{answer}");
        let started = turn
            .iter()
            .find(|m| m["method"] == "item/started" && m["params"]["item"]["id"] == "call_p")
            .unwrap();
        assert_eq!(started["params"]["item"]["changes"][0]["kind"], json!({"type": "add"}));
        assert_eq!(started["params"]["item"]["changes"][1]["diff"], "b\n");
        assert!(
            !turn
                .iter()
                .any(|m| m["method"] == "item/commandExecution/outputDelta"
                    && m["params"]["itemId"] == "call_p")
        );
    }
}

#[test]
fn a_patch_outside_the_roots_names_the_root_to_grant() {
    let outside = tempfile::tempdir().unwrap();
    let target = canonical(outside.path()).join("x.txt");
    let world = World::new(json!([
        [patch("call_p", &format!("*** Add File: {}\n+x\n", target.display()))],
        [message("ok")]
    ]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = server.start_thread(json!({
        "cwd": world.cwd().display().to_string(), "approvalPolicy": "onRequest", "sandbox": "workspaceWrite",
        "config": {"sandbox_workspace_write.exclude_slash_tmp": true, "sandbox_workspace_write.exclude_tmpdir_env_var": true}
    }));
    let mut grant = Value::Null;
    let turn = server.run_turn(&thread, "write outside", |request| {
        grant = request["params"]["grantRoot"].clone();
        decision("accept")
    });
    assert_eq!(grant, canonical(outside.path()).display().to_string());
    assert_eq!(item_story(&turn, "call_p").last().unwrap(), "item/completed:completed");
    assert!(target.exists());
}

#[test]
fn on_failure_offers_to_run_again_outside_the_sandbox() {
    for (answer, written, status) in [("accept", true, "completed"), ("decline", false, "failed")] {
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("f.txt");
        let script = format!("echo x > {}", target.display());
        let world = World::new(json!([[shell("call_1", &["bash", "-c", &script])], [message("ok")]]));
        let mut server = AppServer::start(&world);
        server.initialize();
        let thread = server.start_thread(json!({
            "cwd": world.cwd().display().to_string(), "approvalPolicy": "onFailure", "sandbox": "workspaceWrite",
            "config": {"sandbox_workspace_write.exclude_slash_tmp": true, "sandbox_workspace_write.exclude_tmpdir_env_var": true}
        }));
        let mut reasons = Vec::new();
        let turn = server.run_turn(&thread, "write outside", |request| {
            reasons.push(request["params"]["reason"].as_str().unwrap_or_default().to_owned());
            decision(answer)
        });
        assert_eq!(reasons.len(), 1, "asked once, after the sandbox stopped it");
        assert!(reasons[0].contains("sandbox"), "{reasons:?}");
        let story = item_story(&turn, "call_1");
        assert_eq!(story.first().unwrap(), "item/started:inProgress");
        assert!(
            story.iter().position(|s| s == "item/commandExecution/outputDelta")
                < story.iter().position(|s| s == "item/commandExecution/requestApproval"),
            "it ran (sandboxed) before asking: {story:?}"
        );
        assert_eq!(story.last().unwrap(), &format!("item/completed:{status}"), "{answer}");
        assert_eq!(story.iter().filter(|s| s.starts_with("item/completed")).count(), 1);
        assert_eq!(target.exists(), written, "{answer}");
    }
}

#[test]
fn on_request_asks_when_the_model_escalates_with_its_justification() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("f.txt");
    let script = format!("echo x > {}", target.display());
    let call = shell_escalated("call_1", &["bash", "-c", &script], "needs to write outside the workspace");
    let world = World::new(json!([[call], [message("ok")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = server.start_thread(json!({
        "cwd": world.cwd().display().to_string(), "approvalPolicy": "onRequest", "sandbox": "workspaceWrite",
        "config": {"sandbox_workspace_write.exclude_slash_tmp": true, "sandbox_workspace_write.exclude_tmpdir_env_var": true}
    }));
    let mut reason = Value::Null;
    let turn = server.run_turn(&thread, "write outside", |request| {
        reason = request["params"]["reason"].clone();
        decision("accept")
    });
    assert_eq!(reason, "needs to write outside the workspace");
    assert_eq!(item_story(&turn, "call_1").last().unwrap(), "item/completed:completed");
    assert!(target.exists(), "an accepted escalation runs outside the sandbox");
}

#[test]
fn reasoning_streams_its_summary_parts() {
    let world = World::new(json!([[reasoning("Weighing the options"), message("Decided.")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = server.start_thread(json!({"cwd": world.cwd().display().to_string()}));
    let turn = server.run_turn(&thread, "think", |_| panic!("nothing asks"));
    let story = item_story(&turn, "rs_1");
    assert_eq!(story.first().unwrap(), "item/started");
    assert!(story.contains(&"item/reasoning/summaryPartAdded".to_owned()), "{story:?}");
    let text: String = turn
        .iter()
        .filter(|m| m["method"] == "item/reasoning/summaryTextDelta")
        .map(|m| m["params"]["delta"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(text, "Weighing the options");
    let done =
        turn.iter().find(|m| m["method"] == "item/completed" && m["params"]["item"]["id"] == "rs_1").unwrap();
    assert_eq!(done["params"]["item"]["summary"], json!(["Weighing the options"]));
    // As the reference: the reasoning completes as its stream is done, before the message starts.
    let at = |method: &str, id: &str| {
        turn.iter().position(|m| m["method"] == method && m["params"]["item"]["id"] == id).unwrap()
    };
    assert!(at("item/completed", "rs_1") < at("item/started", "msg_8"));
}

#[test]
fn accept_for_session_approves_the_same_command_again_without_asking() {
    let (world, mut server, thread) = untrusted_thread(json!([
        [shell("call_1", &["touch", "one.txt"])],
        [shell("call_2", &["touch", "one.txt"])],
        [message("twice")],
    ]));
    let mut asked = 0;
    let turn = server.run_turn(&thread, "touch twice", |_| {
        asked += 1;
        json!({"decision": "accept", "acceptSettings": {"forSession": true}})
    });
    assert_eq!(asked, 1, "the second, identical command is not asked about");
    assert_eq!(item_story(&turn, "call_2"), ["item/started:inProgress", "item/completed:completed"]);
    assert!(world.cwd().join("one.txt").exists());
}

#[test]
fn command_output_streams_as_deltas_of_the_command_item() {
    let world = World::new(json!([
        [shell("call_1", &["bash", "-c", "echo one; sleep 0.2; echo two"])],
        [message("ok")]
    ]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = server.start_thread(json!({"cwd": world.cwd().display().to_string(), "approvalPolicy": "never", "sandbox": "dangerFullAccess"}));
    let turn = server.run_turn(&thread, "run", |_| panic!("nothing asks"));
    let deltas: String = turn
        .iter()
        .filter(|m| m["method"] == "item/commandExecution/outputDelta")
        .map(|m| {
            assert_eq!(m["params"]["itemId"], "call_1");
            m["params"]["delta"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(deltas, "one\ntwo\n");
    let done = turn
        .iter()
        .find(|m| m["method"] == "item/completed" && m["params"]["item"]["id"] == "call_1")
        .unwrap();
    assert_eq!(done["params"]["item"]["aggregatedOutput"], "one\ntwo\n");
    assert_eq!(done["params"]["item"]["exitCode"], 0);
    assert!(done["params"]["item"]["durationMs"].as_i64().unwrap() >= 200);
}

#[test]
fn resume_returns_the_earlier_turns_and_items() {
    let world = World::new(json!([[message("first answer")], [message("second answer")]]));
    let thread = {
        let mut server = AppServer::start(&world);
        server.initialize();
        let thread = server.start_thread(json!({"cwd": world.cwd().display().to_string()}));
        server.run_turn(&thread, "first question", |_| panic!("nothing asks"));
        thread
    };
    let mut server = AppServer::start(&world);
    server.initialize();
    let result = server.call("thread/resume", json!({"threadId": thread}));
    let turns = result["thread"]["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0]["status"], "completed");
    // As Codex rebuilds them: turns and items numbered from 1.
    assert_eq!(turns[0]["id"], "turn-1");
    let items = turns[0]["items"].as_array().unwrap();
    assert_eq!(items[0]["type"], "userMessage");
    assert_eq!(items[0]["content"][0]["text"], "first question");
    assert_eq!(items.last().unwrap()["text"], "first answer");
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["item-1", "item-2"]);
    assert_eq!(result["thread"]["preview"], "first question");
    // The resumed thread goes on, with its history.
    let turn = server.run_turn(&thread, "second question", |_| panic!("nothing asks"));
    assert_eq!(turn_status(&turn), "completed");
    let input = world.requests()[1].body["input"].to_string();
    assert!(input.contains("first question") && input.contains("first answer"));
}

#[test]
fn a_loaded_thread_resumes_with_its_preview_and_its_images_in_order() {
    let world = World::new(json!([[message("seen")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let thread = server.start_thread(json!({"cwd": world.cwd().display().to_string()}));
    let image = world.cwd().join("pixel.png");
    std::fs::write(&image, [0x89, b'P', b'N', b'G', 0, 1, 2, 3]).unwrap();
    let input = json!([
        {"type": "localImage", "path": image.display().to_string()},
        {"type": "text", "text": "what is this"},
        {"type": "image", "url": "https://example.com/b.png"},
    ]);
    server.call("turn/start", json!({"threadId": thread, "input": input}));
    server.recv_until(|m| m["method"] == "turn/completed");
    let result = server.call("thread/resume", json!({"threadId": thread}));
    assert_eq!(result["thread"]["preview"], "what is this");
    let said = &result["thread"]["turns"][0]["items"][0]["content"];
    assert_eq!(said, &input, "the parts in the order sent");
    let sent = world.requests()[0].body["input"].as_array().unwrap().last().unwrap()["content"].clone();
    let kinds: Vec<&str> = sent.as_array().unwrap().iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["input_image", "input_text", "input_image"], "and so to the model");
}

#[test]
fn thread_list_pages_newest_first_and_filters_by_provider() {
    // As Codex: no filter lists the configured provider's threads (`openai` here), `[]` every
    // provider's.
    let world = World::new(json!([]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let local = json!({"model_providers.local.base_url": world.model.base_url()});
    let mut ids = Vec::new();
    for provider in ["openai", "local", "openai"] {
        let mut params = json!({"cwd": world.cwd().display().to_string()});
        if provider == "local" {
            params["modelProvider"] = json!("local");
            params["config"] = local.clone();
        }
        ids.push(server.start_thread(params));
        std::thread::sleep(Duration::from_millis(1100)); // distinct timestamps in the file names
    }
    let page = server.call("thread/list", json!({"limit": 2, "modelProviders": []}));
    let listed: Vec<&str> =
        page["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(listed, [ids[2].as_str(), ids[1].as_str()], "newest first");
    assert_eq!(page["data"][1]["modelProvider"], "local");
    let cursor = page["nextCursor"].as_str().expect("more remain").to_owned();
    let rest = server.call("thread/list", json!({"limit": 2, "cursor": cursor, "modelProviders": []}));
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert_eq!(rest["data"][0]["id"], ids[0].as_str());
    assert_eq!(rest["nextCursor"], Value::Null, "null exactly when nothing remains");
    let exact = server.call("thread/list", json!({"limit": 3, "modelProviders": []}));
    assert_eq!(exact["nextCursor"], Value::Null);

    let local_only = server.call("thread/list", json!({"modelProviders": ["local"]}));
    let listed: Vec<&str> =
        local_only["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(listed, [ids[1].as_str()]);
    let configured = server.call("thread/list", json!({}));
    let listed: Vec<&str> =
        configured["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(listed, [ids[2].as_str(), ids[0].as_str()], "no filter: the configured provider's");

    server.call("thread/archive", json!({"threadId": ids[0]}));
    let after = server.call("thread/list", json!({"modelProviders": []}));
    assert_eq!(after["data"].as_array().unwrap().len(), 2, "archived threads leave the listing");
    assert!(std::fs::read_dir(world.home.path().join("archived_sessions")).is_ok(), "but are kept");
}

#[test]
fn interrupt_stops_a_running_command() {
    let (_world, mut server, thread) =
        untrusted_thread(json!([[shell("call_1", &["sleep", "30"])], [message("never")]]));
    let started = std::time::Instant::now();
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "sleep"}]}));
    loop {
        let message = server.recv();
        if message["method"] == "item/commandExecution/requestApproval" {
            server.answer(&message, decision("accept"));
            break;
        }
    }
    // The command is running now; interrupt it.
    std::thread::sleep(Duration::from_millis(300));
    server.call("turn/interrupt", json!({"threadId": thread, "turnId": "0"}));
    loop {
        let message = server.recv();
        if message["method"] == "turn/completed" {
            assert_eq!(message["params"]["turn"]["status"], "interrupted");
            break;
        }
    }
    assert!(started.elapsed() < Duration::from_secs(10), "the 30 s command was stopped");
    let story = item_story(server.log(), "call_1");
    assert_eq!(story.iter().filter(|s| s.starts_with("item/completed")).count(), 1, "{story:?}");
}

#[test]
fn interrupt_while_an_approval_waits_ends_the_turn() {
    let (world, mut server, thread) =
        untrusted_thread(json!([[shell("call_1", &["touch", "x"])], [message("never")]]));
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "go"}]}));
    while server.recv()["method"] != "item/commandExecution/requestApproval" {}
    server.call("turn/interrupt", json!({"threadId": thread, "turnId": "0"}));
    while server.recv()["method"] != "turn/completed" {}
    assert_eq!(turn_status(server.log()), "interrupted");
    assert_eq!(item_story(server.log(), "call_1").last().unwrap(), "item/completed:declined");
    assert!(!world.cwd().join("x").exists());
}

#[test]
fn two_threads_interleave_and_an_unanswered_approval_blocks_only_its_own() {
    let world = World::new(json!([
        [shell("call_a", &["touch", "a.txt"])],
        [shell("call_b", &["touch", "b.txt"])],
        [message("done")],
        [message("done")],
    ]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let params = json!({"cwd": cwd, "approvalPolicy": "unlessTrusted", "sandbox": "workspaceWrite"});
    let a = server.start_thread(params.clone());
    let b = server.start_thread(params);
    server.call("turn/start", json!({"threadId": a, "input": [{"type": "text", "text": "a"}]}));
    let approval_a = loop {
        let message = server.recv();
        if message["method"] == "item/commandExecution/requestApproval" {
            break message;
        }
    };
    assert_eq!(approval_a["params"]["threadId"], a.as_str());
    // Thread A waits for an answer that does not come yet; thread B runs to its end.
    server.call("turn/start", json!({"threadId": b, "input": [{"type": "text", "text": "b"}]}));
    loop {
        let message = server.recv();
        if message["method"] == "item/commandExecution/requestApproval" {
            assert_eq!(message["params"]["threadId"], b.as_str());
            server.answer(&message, decision("accept"));
        }
        if message["method"] == "turn/completed" {
            break;
        }
    }
    assert!(world.cwd().join("b.txt").exists() && !world.cwd().join("a.txt").exists());
    server.answer(&approval_a, decision("accept"));
    loop {
        if server.recv()["method"] == "turn/completed" {
            break;
        }
    }
    assert!(world.cwd().join("a.txt").exists());
    for item in ["call_a", "call_b"] {
        assert_eq!(item_story(server.log(), item).last().unwrap(), "item/completed:completed", "{item}");
    }
}

#[test]
fn malformed_input_gets_its_error_and_the_server_keeps_serving() {
    let world = World::new(json!([]));
    let mut server = AppServer::start(&world);
    let error_of = |server: &mut AppServer| {
        let message = server.recv();
        assert!(message.get("error").is_some(), "{message}");
        message
    };
    server.send_line("{not json");
    let parse = error_of(&mut server);
    assert_eq!((parse["error"]["code"].as_i64(), &parse["id"]), (Some(-32700), &Value::Null));

    server.send_line("[1, 2]");
    assert_eq!(error_of(&mut server)["error"]["code"], -32600);
    server.send(json!({"id": 7, "jsonrpc": "2.0"}));
    let invalid = error_of(&mut server);
    assert_eq!((invalid["error"]["code"].as_i64(), invalid["id"].as_i64()), (Some(-32600), Some(7)));

    let before_init = server.request("thread/list", json!({}));
    assert_eq!(before_init["error"]["code"], -32600);
    assert!(before_init["error"]["message"].as_str().unwrap().contains("initialize"));

    server.initialize();
    let unknown = server.request("thread/fork", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    assert!(unknown["error"]["message"].as_str().unwrap().contains("thread/fork"));

    let missing = server.request("turn/start", json!({"input": []}));
    assert_eq!(missing["error"]["code"], -32602);
    assert!(missing["error"]["message"].as_str().unwrap().contains("threadId"), "{missing}");
    let wrong_type = server.request("thread/start", json!({"approvalPolicy": "sometimes"}));
    assert_eq!(wrong_type["error"]["code"], -32602);
    assert!(wrong_type["error"]["message"].as_str().unwrap().contains("sometimes"), "{wrong_type}");
    let unknown_thread = server.request("turn/start", json!({"threadId": "nope", "input": []}));
    assert_eq!(unknown_thread["error"]["code"], -32602);

    // Still serving.
    let models = server.call("model/list", json!({}));
    assert_eq!(models["data"][0]["isDefault"], true);
}

#[test]
fn closing_stdin_cancels_running_turns_and_exits_cleanly() {
    let (_world, mut server, thread) =
        untrusted_thread(json!([[shell("call_1", &["touch", "x"])], [message("never")]]));
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "go"}]}));
    while server.recv()["method"] != "item/commandExecution/requestApproval" {}
    server.close();
    assert_eq!(server.wait(Duration::from_secs(10)), Some(0));
}
