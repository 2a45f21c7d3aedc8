//! A JSON-RPC client, and what it names, is not trusted either: a line that is not UTF-8 or
//! is too long is answered and skipped while the server (and its running turns) go on;
//! `thread/resume` reads only session files under `$CODEX_HOME`; an image too large is refused
//! without being read; and a client that stops reading holds the turn back instead of filling
//! the server's memory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::script::{function_call, message, shell, view_image};
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
    let session = client.call("thread/list", json!({"modelProviders": []}))["data"][0]["path"]
        .as_str()
        .unwrap()
        .to_owned();

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
    let listed = client.call("thread/list", json!({"modelProviders": []}));
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

/// The resident and the peak resident memory of process `pid`, in kB.
fn memory_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name}"));
        line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `exec-bridge app-server` read only when the test says so (the test-support client reads
/// all the time), its messages unchecked: what a client that stalls looks like.
struct RawServer {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    stdout: BufReader<std::process::ChildStdout>,
}

impl RawServer {
    /// Starts the server in `world`, with a thread whose turn `text` has started.
    fn with_turn(world: &World) -> RawServer {
        let mut child = world
            .command(["app-server"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut server = RawServer { child, stdin, stdout };
        let cwd = world.cwd().display().to_string();
        server.send(
            json!({"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "t", "version": "1"}}}),
        );
        server.send(json!({"method": "initialized"}));
        server.send(
            json!({"id": 2, "method": "thread/start", "params": {"cwd": cwd, "approvalPolicy": "never"}}),
        );
        let thread = server.until(|m| m["id"] == 2)["result"]["thread"]["id"].as_str().unwrap().to_owned();
        let input = json!([{"type": "text", "text": "go"}]);
        server.send(json!({"id": 3, "method": "turn/start", "params": {"threadId": thread, "input": input}}));
        server
    }

    fn send(&mut self, message: Value) {
        writeln!(self.stdin.as_mut().unwrap(), "{message}").unwrap();
    }

    fn next(&mut self) -> Value {
        let mut line = String::new();
        assert!(self.stdout.read_line(&mut line).unwrap() > 0, "the app-server closed its output");
        serde_json::from_str(&line).unwrap()
    }

    /// Reads until a message satisfies `wanted`, appending the command output on the way to
    /// `output`.
    fn until_collecting(&mut self, output: &mut Vec<u8>, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self.next();
            if message["method"] == "item/commandExecution/outputDelta" {
                output.extend_from_slice(message["params"]["delta"].as_str().unwrap().as_bytes());
            }
            if wanted(&message) {
                return message;
            }
        }
    }

    fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        self.until_collecting(&mut Vec::new(), wanted)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_output(message: &Value) -> bool {
    message["method"] == "item/commandExecution/outputDelta"
}

/// A command prints about 100 MB while the client reads nothing for seconds: the server's
/// memory stays flat (the command is held back), and once the client reads again every byte
/// of the output arrives, in order.
#[test]
fn a_client_that_stops_reading_holds_the_turn_back_and_memory_stays_flat() {
    const LAST: u64 = 12_500_000; // `seq 1 LAST` prints 101 MB.
    let world = World::new(json!([
        [function_call(
            "c1",
            "shell",
            json!({"command": ["seq", "1", LAST.to_string()], "timeout_ms": 600_000})
        )],
        [message("Printed.")]
    ]));
    let mut server = RawServer::with_turn(&world);
    let mut output = Vec::with_capacity(110 << 20);
    server.until_collecting(&mut output, is_output);

    // The client stops reading.
    let (before, _) = memory_kb(server.pid());
    std::thread::sleep(Duration::from_secs(3));
    let (stalled, _) = memory_kb(server.pid());

    // It reads again: everything arrives, in order.
    let started = Instant::now();
    let done = server.until_collecting(&mut output, |m| m["method"] == "turn/completed");
    let read_again = started.elapsed();
    let (_, peak) = memory_kb(server.pid());
    eprintln!(
        "app-server RSS: {before} kB before the stall, {stalled} kB after 3 s of it, peak {peak} kB; the rest read in {read_again:?}"
    );
    assert_eq!(done["params"]["turn"]["status"], "completed");
    let mut expected = Vec::with_capacity(output.len());
    for n in 1..=LAST {
        writeln!(expected, "{n}").unwrap();
    }
    assert_eq!(output.len(), expected.len(), "every byte arrives");
    assert!(output == expected, "in order");
    assert!(peak < 100 * 1024, "the server's peak RSS was {peak} kB");
    assert!(stalled < before + 32 * 1024, "the stalled server grew from {before} kB to {stalled} kB");
}

/// An endless command, held back by a client that stopped reading, is still interrupted: the
/// interrupt is read and acted on while the output waits, and what is left to read is bounded.
#[test]
fn an_interrupt_reaches_a_turn_held_back_by_a_stalled_client() {
    let world = World::new(json!([
        [function_call("c1", "shell", json!({"command": ["yes", "hello"], "timeout_ms": 600_000}))],
        [message("Stopped.")]
    ]));
    let mut server = RawServer::with_turn(&world);
    let thread = server.until(|m| m["method"] == "thread/started")["params"]["thread"]["id"].clone();
    server.until(is_output);
    std::thread::sleep(Duration::from_secs(1));
    let asked = Instant::now();
    server.send(json!({"id": 4, "method": "turn/interrupt", "params": {"threadId": thread, "turnId": "0"}}));
    let mut output = Vec::new();
    let done = server.until_collecting(&mut output, |m| m["method"] == "turn/completed");
    assert_eq!(done["params"]["turn"]["status"], "interrupted");
    assert!(asked.elapsed() < Duration::from_secs(20), "took {:?}", asked.elapsed());
    assert!(output.len() < 64 << 20, "{} bytes were queued", output.len());
}
