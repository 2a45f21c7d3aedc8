//! `exec-bridge mock-model` from the command line: serves a script file on loopback, logs every
//! request, and drives `exec` through the demo script, as the README's demo does.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::json;
use test_support::World;

#[test]
fn the_cli_server_plays_the_demo_script_and_logs_requests() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("requests.jsonl");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/demo/script.json");
    let mut server = Command::new(test_support::binary())
        .args(["mock-model", "--script", script, "--log", log.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut first_line).unwrap();
    let url = first_line.trim().rsplit("OPENAI_BASE_URL=").next().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first_line}");

    // A world for its scratch folders; its own scripted model is not the one used.
    let world = World::new(json!([]));
    let run = world.run(
        &["exec", "--experimental-json", "--skip-git-repo-check", "--full-auto", "Write a DEMO.md greeting"],
        None,
        &[("OPENAI_BASE_URL", &url), ("CODEX_API_KEY", "demo")],
    );
    run.assert_ok();
    assert_eq!(run.events.len(), 10, "the demo turn has ten events");
    assert!(std::fs::read_to_string(world.cwd().join("DEMO.md"))
        .unwrap()
        .starts_with("# Hello from agentwire"));

    // The log is written every 100 ms; give it a moment.
    let mut logged = 0;
    for _ in 0..50 {
        logged = std::fs::read_to_string(&log).map(|t| t.lines().count()).unwrap_or(0);
        if logged == 4 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(logged, 4, "one logged request per model turn");
    let first: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&log).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(first["path"], "/v1/responses");
    assert_eq!(first["headers"]["authorization"], "Bearer demo");
}

#[test]
fn a_bad_script_is_refused_with_its_name() {
    let scratch = tempfile::tempdir().unwrap();
    let script = scratch.path().join("bad.json");
    std::fs::write(&script, "{\"not\": \"a list\"}").unwrap();
    let run = World::new(json!([])).run(&["mock-model", "--script", script.to_str().unwrap()], None, &[]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("bad.json is not a valid script"));
}
