//! A JSON-RPC client, and what it names, is not trusted: a line that is not UTF-8 or is too
//! long is answered and skipped while the server (and its running turns) go on;
//! `thread/resume` reads only session files under `$CODEX_HOME`; and an image too large is
//! refused without being read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::script::{message, shell, view_image};
use test_support::{decision, tool_output, AppServer, Client, World};

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

#[test]
fn thread_resume_reads_only_session_files_under_codex_home() {
    let world = World::new(json!([[message("first")]]));
    let mut client = Client::in_process(&world).with_timeout(Duration::from_secs(10));
    client.initialize();
    let cwd = world.cwd().display().to_string();
    let config = world.in_process_config();
    let thread = client.start_thread(json!({"cwd": cwd, "config": config}));
    client.run_turn(&thread, "hi", |request| panic!("asked: {request}"));
    let session = client.call("thread/list", json!({}))["data"][0]["path"].as_str().unwrap().to_owned();

    let copy = world.cwd().join("copy.jsonl");
    std::fs::copy(&session, &copy).unwrap();
    let sessions = world.home.path().join("sessions");
    let fifo = sessions.join("rollout-fifo.jsonl");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let escape = sessions.join("../../..").join(copy.strip_prefix("/").unwrap());
    let folder = sessions.join("rollout-folder.jsonl");
    std::fs::create_dir(&folder).unwrap();
    for (path, why) in [
        ("/dev/zero".to_owned(), "outside those folders"),
        (copy.display().to_string(), "outside those folders"),
        (escape.display().to_string(), "outside those folders"),
        (fifo.display().to_string(), "not a regular file"),
        (folder.display().to_string(), "not a regular file"),
        (sessions.display().to_string(), "outside those folders"),
    ] {
        let asked = Instant::now();
        let answer = client.request("thread/resume", json!({"threadId": "x", "path": path}));
        assert!(asked.elapsed() < Duration::from_secs(2), "{path} took {:?}", asked.elapsed());
        assert_eq!(error_code(&answer), -32602, "{path}: {answer}");
        let text = answer["error"]["message"].as_str().unwrap();
        assert!(text.contains(why) && text.contains("archived_sessions"), "{path}: {text}");
    }
    let asked = Instant::now();
    let listed = client.call("thread/list", json!({}));
    assert!(asked.elapsed() < Duration::from_secs(2), "a FIFO among the sessions stalls the listing");
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
    let mut other = Client::in_process(&world);
    other.initialize();
    let resumed = other.call("thread/resume", json!({"threadId": thread, "path": session, "config": config}));
    assert_eq!(resumed["thread"]["turns"].as_array().unwrap().len(), 1);
}

#[test]
fn view_image_refuses_an_image_over_the_limit_without_reading_it() {
    let world = World::new(json!([[view_image("v1", "huge.png")], [message("Too big, then.")]]));
    // Sparse: 512 MiB that take no room on disk (and would take gigabytes to send).
    std::fs::File::create(world.cwd().join("huge.png")).unwrap().set_len(512 * 1024 * 1024).unwrap();
    let started = Instant::now();
    let run = world.exec_json(&["look"]);
    run.assert_ok();
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());
    let output = tool_output(&world.requests(), "v1");
    assert!(output.contains("huge.png") && output.contains("more than the 20971520 bytes"), "{output}");
    let last = world.requests().last().unwrap().body["input"].to_string();
    assert!(!last.contains("input_image"), "no image was sent");
    assert!(!run.kinds().iter().any(|k| k.contains("image")), "{:?}", run.kinds());
}
