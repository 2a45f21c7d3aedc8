//! The engine runs each thread in a task of its own: a turn that waits (for an approval, for a
//! command) stalls nothing else, and a turn cut short (an interrupt, a killed process) leaves a
//! conversation the model still accepts. The scripted model refuses, as the real API does, a
//! request holding a tool call without its output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::script::{message, shell};
use test_support::{decision, tool_output, turn_status, AppServer, Client, Transport, World};

fn is_approval_request(message: &Value) -> bool {
    message["method"] == "item/commandExecution/requestApproval" && message.get("id").is_some()
}

/// Starts a turn and waits for its approval request, leaving it unanswered.
fn turn_waiting_for_approval(server: &mut AppServer, thread: &str) -> Value {
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "touch it"}]}));
    server.recv_until(is_approval_request)
}

/// The scenario of both transports: a turn waits for an approval while the same thread is
/// resumed, a second thread runs a whole turn and `model/list` answers; then the approval is
/// answered and the first turn completes. `params` completes a thread/start's params.
fn a_pending_approval_stalls_nothing_else<T: Transport>(
    world: &World,
    server: &mut Client<T>,
    params: impl Fn(Value) -> Value,
) {
    server.initialize();
    let first =
        server.start_thread(params(json!({"approvalPolicy": "unlessTrusted", "sandbox": "workspaceWrite"})));
    server.call("turn/start", json!({"threadId": first, "input": [{"type": "text", "text": "touch it"}]}));
    let approval = server.recv_until(is_approval_request);

    // The waiting thread itself answers thread/resume at once, from its snapshot.
    let asked = Instant::now();
    let resumed = server.call("thread/resume", json!({"threadId": first}));
    assert!(asked.elapsed() < Duration::from_secs(2), "thread/resume took {:?}", asked.elapsed());
    let turns = resumed["thread"]["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0]["status"], "inProgress", "{resumed}");
    assert_eq!(turns[0]["items"][0]["type"], "userMessage");

    // A second thread runs a whole turn, and model/list answers, while the first still waits.
    let second = server.start_thread(params(json!({})));
    let asked = Instant::now();
    assert!(!server.call("model/list", json!({}))["data"].as_array().unwrap().is_empty());
    assert!(asked.elapsed() < Duration::from_secs(2), "model/list took {:?}", asked.elapsed());
    let second_turn =
        server.run_turn(&second, "hello", |request| panic!("the second thread asked: {request}"));
    assert_eq!(turn_status(&second_turn), "completed");
    assert!(!world.cwd().join("first.txt").exists(), "the first command still waits");

    // Now the approval is answered, and the first turn completes.
    server.answer(&approval, decision("accept"));
    // (v2 names no thread in turn/completed; the second thread's turn is over, so this is the
    // first's.)
    let completed = server.recv_until(|m| m["method"] == "turn/completed");
    assert_eq!(completed["params"]["turn"]["status"], "completed", "{}", server.transcript_text());
    assert_eq!(completed["params"]["turn"]["id"], "0");
    assert!(world.cwd().join("first.txt").exists());
}

fn two_threads_script() -> Value {
    json!([
        [shell("call_1", &["touch", "first.txt"])],
        [message("The second thread answers.")],
        [message("The first thread is done.")]
    ])
}

/// `extra` with the world's working directory, and `more` on top.
fn with(world: &World, more: Value, extra: Value) -> Value {
    let mut params = json!({"cwd": world.cwd().display().to_string()});
    for add in [more, extra] {
        if let (Some(params), Some(add)) = (params.as_object_mut(), add.as_object()) {
            params.extend(add.clone());
        }
    }
    params
}

#[test]
fn a_pending_approval_stalls_nothing_else_over_stdio() {
    let world = World::new(two_threads_script());
    let mut server = AppServer::start(&world);
    a_pending_approval_stalls_nothing_else(&world, &mut server, |extra| with(&world, json!({}), extra));
}

#[test]
fn a_pending_approval_stalls_nothing_else_in_process() {
    let world = World::new(two_threads_script());
    let mut server = Client::in_process(&world);
    let config = json!({"config": world.in_process_config()});
    a_pending_approval_stalls_nothing_else(&world, &mut server, |extra| with(&world, config.clone(), extra));
}

#[test]
fn closing_stdin_during_a_pending_approval_exits_promptly() {
    let world = World::new(json!([[shell("call_1", &["touch", "never.txt"])]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd, "approvalPolicy": "unlessTrusted"}));
    turn_waiting_for_approval(&mut server, &thread);
    let closed = Instant::now();
    server.close();
    assert_eq!(server.wait(Duration::from_secs(5)), Some(0));
    assert!(closed.elapsed() < Duration::from_secs(3), "exiting took {:?}", closed.elapsed());
    assert!(!world.cwd().join("never.txt").exists());
}

#[test]
fn after_an_interrupt_mid_command_the_next_turn_completes() {
    let world = World::new(json!([[shell("call_1", &["sleep", "30"])], [message("Picked up again.")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd, "sandbox": "workspaceWrite"}));
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "wait"}]}));
    server.recv_until(|m| m["method"] == "item/started" && m["params"]["item"]["id"] == "call_1");
    let interrupted = Instant::now();
    server.call("turn/interrupt", json!({"threadId": thread, "turnId": "0"}));
    let first = server.recv_until(|m| m["method"] == "turn/completed");
    assert_eq!(first["params"]["turn"]["status"], "interrupted");
    assert!(interrupted.elapsed() < Duration::from_secs(5), "the command was not stopped");

    let next = server.run_turn(&thread, "go on", |request| panic!("asked: {request}"));
    assert_eq!(turn_status(&next), "completed", "{}", server.transcript_text());
    let requests = world.requests();
    assert_eq!(requests.len(), 2, "the model accepted the next request at once");
    assert_eq!(tool_output(&requests, "call_1"), "aborted");
}

#[test]
fn exec_resume_after_a_kill_mid_command_completes() {
    let world = World::new(json!([[shell("c1", &["sleep", "20"])], [message("Resumed.")]]));
    let mut child = world
        .command(&["exec", "--experimental-json", "--skip-git-repo-check", "--full-auto", "wait"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        let line = line.unwrap();
        if line.contains("item.started") && line.contains("command_execution") {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL, mid-command
    child.wait().unwrap();

    // A crash may also tear the last line of the session file.
    let session = find_rollouts(&world.home.path().join("sessions")).pop().expect("a session file");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&session)
        .unwrap()
        .write_all(b"{\"timestamp\":\"2026-")
        .unwrap();

    let run = world.exec_json(&["resume", "--last", "go on"]);
    run.assert_ok();
    assert_eq!(run.kinds().last().map(String::as_str), Some("turn.completed"), "{}", run.stdout);
    let requests = world.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(tool_output(&requests, "c1"), "aborted");
    // The torn line was cut off: every line of the file reads as JSON.
    let text = std::fs::read_to_string(&session).unwrap();
    for line in text.lines() {
        serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
}

fn find_rollouts(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(find_rollouts(&path));
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            found.push(path);
        }
    }
    found
}
