//! Sandbox command assessment (`experimental_sandbox_command_assessment = true`): before a
//! command that needs approval is put to the client, a side request (fresh context, output
//! schema, no tools) asks the model to assess it; its answer is the approval's `risk`. A model
//! that fails, answers something else or takes longer than 5 s leaves `risk: null`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::script::{message, shell};
use test_support::{decision, AppServer, World};

const ASSESSMENT: &str = r#"{"description":"Deletes the build directory.","risk_level":"high"}"#;

/// A world whose config turns assessment on, and its server with an `unlessTrusted` thread.
fn assessed_thread(script: Value) -> (World, AppServer, String) {
    let world = World::new(script);
    std::fs::write(world.home.path().join("config.toml"), "experimental_sandbox_command_assessment = true\n")
        .unwrap();
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server
        .start_thread(json!({"cwd": cwd, "approvalPolicy": "unlessTrusted", "sandbox": "workspaceWrite"}));
    (world, server, thread)
}

fn approval(turn: &[Value]) -> &Value {
    turn.iter().find(|m| m["method"] == "item/commandExecution/requestApproval").expect("an approval request")
}

#[test]
fn the_model_assessment_fills_the_approval_risk() {
    let (world, mut server, thread) = assessed_thread(json!([
        [shell("call_1", &["bash", "-lc", "rm -rf build"])],
        [message(ASSESSMENT)],
        [message("Done.")],
    ]));
    let turn = server.run_turn(&thread, "clean up", |_| decision("decline"));
    assert_eq!(
        approval(&turn)["params"]["risk"],
        json!({"description": "Deletes the build directory.", "riskLevel": "high"})
    );
    let requests = world.requests();
    assert_eq!(requests.len(), 3);
    // The side request: its own instructions, one user message, no tools, the output schema.
    let side = &requests[1].body;
    assert!(side["instructions"].as_str().unwrap().starts_with("You are a security analyst"));
    assert_eq!(side["tools"], json!([]));
    assert_eq!(side["text"]["format"]["name"], "codex_output_schema");
    assert_eq!(side["text"]["format"]["strict"], true);
    assert_eq!(side["text"]["format"]["schema"]["required"], json!(["description", "risk_level"]));
    let input = side["input"].as_array().unwrap();
    assert_eq!(input.len(), 1, "a fresh context: {input:?}");
    let text = input[0]["content"][0]["text"].as_str().unwrap();
    let cwd = test_support::canonical(world.cwd()).display().to_string();
    assert!(text.starts_with("Command metadata:\nPlatform: "), "{text}");
    assert!(text.contains("\nSandbox policy: workspace-write (network_access=no-network)\n"), "{text}");
    assert!(text.contains(&format!("\nFilesystem roots: {cwd}\n")), "{text}");
    assert!(
        text.ends_with(
            "Command argv: [\"bash\",\"-lc\",\"rm -rf build\"]\nCommand (joined): bash -lc 'rm -rf build'"
        ),
        "{text}"
    );
    // The side request stays out of the conversation: the next request follows on from the first.
    let next = requests[2].body["input"].as_array().unwrap();
    assert!(next.iter().all(|item| !item.to_string().contains("Command metadata")));
}

#[test]
fn a_slow_model_leaves_the_risk_null_after_five_seconds() {
    let slow = json!({"items": [message(ASSESSMENT)], "delay_ms": 4000});
    let (_world, mut server, thread) = assessed_thread(json!([
        [shell("call_1", &["bash", "-lc", "rm -rf build"])],
        slow,
        [message("Done.")],
    ]));
    let started = Instant::now();
    let mut asked_at = None;
    let turn = server.run_turn(&thread, "clean up", |_| {
        asked_at.get_or_insert_with(|| started.elapsed());
        decision("decline")
    });
    assert_eq!(approval(&turn)["params"]["risk"], Value::Null);
    let asked_at = asked_at.unwrap();
    assert!(asked_at >= Duration::from_millis(4900), "asked after {asked_at:?}");
    assert!(asked_at < Duration::from_millis(7000), "asked after {asked_at:?}");
}

#[test]
fn a_failing_or_off_schema_model_leaves_the_risk_null() {
    for answer in [json!({"status": 400, "body": "no"}), json!([message("I think it is fine.")])] {
        let (_world, mut server, thread) = assessed_thread(json!([
            [shell("call_1", &["bash", "-lc", "rm -rf build"])],
            answer,
            [message("Done.")],
        ]));
        let turn = server.run_turn(&thread, "clean up", |_| decision("decline"));
        assert_eq!(approval(&turn)["params"]["risk"], Value::Null);
        assert_eq!(test_support::turn_status(&turn), "completed");
    }
}

#[test]
fn without_the_setting_no_side_request_is_made() {
    let world = World::new(json!([[shell("call_1", &["bash", "-lc", "rm -rf build"])], [message("Done.")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server
        .start_thread(json!({"cwd": cwd, "approvalPolicy": "unlessTrusted", "sandbox": "workspaceWrite"}));
    let turn = server.run_turn(&thread, "clean up", |_| decision("decline"));
    assert_eq!(approval(&turn)["params"]["risk"], Value::Null);
    assert_eq!(world.requests().len(), 2);
}

#[test]
fn exec_shows_the_assessment_in_its_transcript() {
    let world = World::new(json!([
        [shell("call_1", &["bash", "-lc", "rm -rf build"])],
        [message(ASSESSMENT)],
        [message("Done.")],
    ]));
    let run = world.run(
        &[
            "exec",
            "--skip-git-repo-check",
            "-s",
            "workspace-write",
            "-c",
            "approval_policy=\"untrusted\"",
            "-c",
            "experimental_sandbox_command_assessment=true",
            "clean up",
        ],
        None,
        &[],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("risk high: Deletes the build directory."), "{}", run.stdout);
}

#[test]
fn an_interrupt_while_the_model_assesses_ends_the_turn_at_once() {
    let (_world, mut server, thread) = assessed_thread(json!([
        [shell("call_1", &["bash", "-lc", "rm -rf build"])],
        {"hang": "headers"},
    ]));
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "go"}]}));
    while server.recv()["method"] != "item/started" {}
    while server.recv()["method"] != "item/started" {}
    let interrupted = Instant::now();
    server.call("turn/interrupt", json!({"threadId": thread, "turnId": "0"}));
    loop {
        let message = server.recv();
        assert_ne!(message["method"], "item/commandExecution/requestApproval", "asked after the interrupt");
        if message["method"] == "turn/completed" {
            break;
        }
    }
    assert!(interrupted.elapsed() < Duration::from_secs(3), "took {:?}", interrupted.elapsed());
    assert_eq!(test_support::turn_status(server.log()), "interrupted");
}
