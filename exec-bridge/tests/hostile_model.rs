//! A model server is not trusted to answer, to answer in time, or to answer sense: a server that
//! never connects, never sends headers, goes silent, trickles bytes that make no event, asks to
//! wait an hour, cuts its streams, sends garbage or an endless event ends the turn, within a
//! bounded time, in `turn.failed` (exec) or a failed turn (app-server), with a message that
//! says what happened. Every limit is set small here through the provider's settings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use serde_json::json;
use test_support::script::message;
use test_support::{turn_status, Client, Run, World};

/// Runs one exec turn with `config` overrides of the `openai` provider; the run and how long
/// it took.
fn exec_with(world: &World, config: &[&str], env: &[(&str, &str)]) -> (Run, Duration) {
    let mut args = vec!["exec", "--experimental-json", "--skip-git-repo-check"];
    let overrides: Vec<String> = config.iter().map(|c| format!("model_providers.openai.{c}")).collect();
    for value in &overrides {
        args.extend(["-c", value.as_str()]);
    }
    args.push("hello");
    let started = Instant::now();
    let run = world.run(&args, None, env);
    (run, started.elapsed())
}

/// The message of the run's `turn.failed`, which must be its last event.
fn failure(run: &Run) -> String {
    let last = run.lines.last().unwrap_or_else(|| panic!("no events; stderr:\n{}", run.stderr));
    assert_eq!(last["type"], "turn.failed", "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert_eq!(run.code, Some(1));
    last["error"]["message"].as_str().unwrap().to_owned()
}

/// The messages of the run's `error` events that announce a retry (`Reconnecting... 1/2`; the
/// last `error` event says why the turn failed, as `turn.failed` does).
fn retries(run: &Run) -> Vec<String> {
    run.lines
        .iter()
        .filter(|line| line["type"] == "error")
        .map(|line| line["message"].as_str().unwrap().to_owned())
        .filter(|message| message.starts_with("Reconnecting... "))
        .collect()
}

/// The same turn's readable transcript, which says why each retry was needed.
fn transcript_with(world: &World, config: &[&str]) -> String {
    let mut args = vec!["exec", "--skip-git-repo-check", "--color", "never"];
    let overrides: Vec<String> = config.iter().map(|c| format!("model_providers.openai.{c}")).collect();
    for value in &overrides {
        args.extend(["-c", value.as_str()]);
    }
    args.push("hello");
    let run = world.run(&args, None, &[]);
    format!("{}{}", run.stdout, run.stderr)
}

const BOUND: Duration = Duration::from_secs(15);

#[test]
fn a_server_that_never_sends_headers_fails_the_turn() {
    let world = World::new(json!([{"hang": "headers"}, {"hang": "headers"}]));
    let (run, took) = exec_with(&world, &["response_headers_timeout_ms=300", "request_max_retries=1"], &[]);
    let message = failure(&run);
    assert!(message.contains("no response headers") && message.contains("within 300 ms"), "{message}");
    assert!(message.contains("after 2 attempts"), "{message}");
    assert_eq!(retries(&run).len(), 1, "{:?}", retries(&run));
    assert!(took < BOUND, "took {took:?}");
    assert_eq!(world.requests().len(), 2);
}

#[test]
fn a_server_that_never_accepts_the_connection_fails_the_turn() {
    // A listener whose accept queue is full: the kernel drops further connection attempts, so
    // connecting hangs until the client gives up.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => queued.push(stream),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
            Err(e) => panic!("connecting to fill the queue: {e}"),
        }
        assert!(queued.len() < 100_000, "the accept queue never filled");
    }
    let world = World::new(json!([]));
    let base_url = format!("http://{addr}/v1");
    let (run, took) = exec_with(
        &world,
        &["connect_timeout_ms=300", "request_max_retries=1"],
        &[("OPENAI_BASE_URL", base_url.as_str())],
    );
    let message = failure(&run);
    assert!(message.contains("cannot connect") && message.contains("within 300 ms"), "{message}");
    assert!(took < BOUND, "took {took:?}");
    drop(queued);
}

#[test]
fn silence_after_the_headers_and_a_trickle_without_events_are_idleness() {
    // Headers, then nothing; then a comment every 50 ms, which makes no event, for 5 s.
    let world = World::new(json!([
        {"hang": "body"},
        {"body": ": ping\n\n", "repeat": 100, "delay_ms": 50}
    ]));
    let (run, took) = exec_with(&world, &["stream_idle_timeout_ms=400", "stream_max_retries=1"], &[]);
    let message = failure(&run);
    assert!(message.contains("idle for 400 ms"), "{message}");
    assert_eq!(retries(&run), ["Reconnecting... 1/1"]);
    assert!(took < Duration::from_secs(4), "the trickle kept the stream alive: {took:?}");
}

#[test]
fn a_429_asking_for_an_hour_waits_at_most_the_cap() {
    let world = World::new(json!([
        {"status": 429, "retry_after": 3600},
        {"status": 429, "retry_after": 3600}
    ]));
    let (run, took) = exec_with(&world, &["retry_after_max_ms=300", "request_max_retries=1"], &[]);
    let message = failure(&run);
    assert!(message.contains("429"), "{message}");
    assert_eq!(retries(&run), ["Reconnecting... 1/1"]);
    assert!(took < BOUND, "took {took:?}");
    assert_eq!(world.requests().len(), 2);
    let world = World::new(json!([
        {"status": 429, "retry_after": 3600},
        {"status": 429, "retry_after": 3600}
    ]));
    let said = transcript_with(&world, &["retry_after_max_ms=300", "request_max_retries=1"]);
    assert!(said.contains("asked to wait 3600 s") && said.contains("300 ms"), "{said}");
}

#[test]
fn cut_streams_and_garbage_fail_the_turn_once_the_retries_are_spent() {
    let item = json!({"type": "message", "role": "assistant", "id": "m", "content": [{"type": "output_text", "text": "partial"}]});
    let script = json!([
        {"cut_after": 2, "items": [item]},
        {"body": "data: {not json\n\n"},
        {"body": "\u{1}\u{2}garbage without an event"}
    ]);
    let world = World::new(script.clone());
    let (run, took) = exec_with(&world, &["stream_max_retries=2"], &[]);
    let message = failure(&run);
    // The reference's words, with the last failure (the garbage made no event at all).
    assert_eq!(message, "stream disconnected before completion: stream closed before response.completed");
    assert_eq!(retries(&run), ["Reconnecting... 1/2", "Reconnecting... 2/2"]);
    assert!(took < BOUND, "took {took:?}");
    let said = transcript_with(&World::new(script), &["stream_max_retries=2"]);
    assert!(said.contains("stream closed before response.completed"), "{said}");
    assert!(said.contains("cannot be read"), "{said}");
}

#[test]
fn an_event_past_the_size_limit_fails_the_turn_at_once() {
    // 16 MiB and a bit of one event that never ends.
    let world = World::new(json!([{"body": "x".repeat(64 * 1024), "repeat": 257}]));
    let (run, took) = exec_with(&world, &[], &[]);
    let message = failure(&run);
    assert!(message.contains("longer than 16777216 bytes"), "{message}");
    assert!(retries(&run).is_empty(), "not worth retrying: {:?}", retries(&run));
    assert_eq!(world.requests().len(), 1);
    assert!(took < BOUND, "took {took:?}");
}

#[test]
fn in_the_app_server_a_silent_model_fails_the_turn_and_the_next_turn_runs() {
    let world = World::new(json!([{"hang": "headers"}, [message("Back.")]]));
    let mut client = Client::in_process(&world);
    client.initialize();
    let mut config = world.in_process_config();
    config["model_providers.scripted.response_headers_timeout_ms"] = json!(300);
    config["model_providers.scripted.request_max_retries"] = json!(0);
    let cwd = world.cwd().display().to_string();
    let thread = client.start_thread(json!({"cwd": cwd, "config": config}));
    let started = Instant::now();
    let turn = client.run_turn(&thread, "hello", |request| panic!("asked: {request}"));
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    assert_eq!(turn_status(&turn), "failed");
    let error = turn.iter().find(|m| m["method"] == "error").expect("an error notification");
    let text = error["params"]["error"]["message"].as_str().unwrap();
    assert!(text.contains("no response headers"), "{text}");
    assert!(
        error["params"]["error"]["codexErrorInfo"].get("responseTooManyFailedAttempts").is_some(),
        "{error}"
    );
    let next = client.run_turn(&thread, "again", |request| panic!("asked: {request}"));
    assert_eq!(turn_status(&next), "completed");
}
