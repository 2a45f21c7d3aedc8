//! Shared support for the end-to-end tests: a scripted model server, a scratch `CODEX_HOME`
//! and working directory, the real binary, and the parsing (and schema validation) of every
//! line it prints.

#![allow(dead_code)]

pub mod rpc;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use exec_bridge::mock_model::{MockModel, RecordedRequest, Script};
use protocol::exec::{ThreadEvent, ThreadItemDetails};
use serde_json::{json, Value};

/// A scratch world for one test.
pub struct World {
    pub home: tempfile::TempDir,
    pub work: tempfile::TempDir,
    pub model: MockModel,
}

/// What one run of the binary left.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Every stdout line, read as the protocol's exec events (JSON mode only).
    pub events: Vec<ThreadEvent>,
}

impl World {
    /// A world whose model plays `turns` (a JSON array, one entry per model request).
    pub fn new(turns: Value) -> World {
        let script = Script::from_json(&turns.to_string()).expect("a valid script");
        World {
            home: tempfile::tempdir().unwrap(),
            work: tempfile::tempdir().unwrap(),
            model: MockModel::spawn(script).unwrap(),
        }
    }

    /// The working directory.
    pub fn cwd(&self) -> &Path {
        self.work.path()
    }

    /// Runs `exec-bridge exec --experimental-json --skip-git-repo-check ARGS`.
    pub fn exec_json(&self, args: &[&str]) -> Run {
        let mut all = vec!["exec", "--experimental-json", "--skip-git-repo-check"];
        all.extend_from_slice(args);
        self.run(&all, None, &[])
    }

    /// The binary with `args`, in the working directory, with a clean environment that points
    /// at this world's `CODEX_HOME` and scripted model.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_exec-bridge"));
        command
            .args(args)
            .current_dir(self.cwd())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("CODEX_HOME", self.home.path())
            .env("OPENAI_BASE_URL", self.model.base_url())
            .env("CODEX_API_KEY", "test-key");
        command
    }

    /// Runs the binary with `args`, `stdin`, and extra environment variables.
    pub fn run(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        command
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the binary runs");
        if let Some(text) = stdin {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let events = if args.contains(&"--experimental-json") || args.contains(&"--json") {
            parse_events(&stdout)
        } else {
            vec![]
        };
        Run { code: output.status.code(), stdout, stderr, events }
    }

    /// The model requests received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.model.model_requests()
    }
}

/// Reads every line as a protocol event, and checks it against the generated schema.
pub fn parse_events(stdout: &str) -> Vec<ThreadEvent> {
    let mut schemas = conformance::SchemaSet::of_this_repository();
    stdout
        .lines()
        .map(|line| {
            let value: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            schemas.validate("exec", "ThreadEvent", &value).unwrap_or_else(|e| panic!("{e}\n{line}"));
            serde_json::from_value(value).unwrap_or_else(|e| panic!("not a protocol event ({e}): {line}"))
        })
        .collect()
}

impl Run {
    /// `type` of each event, with the item type for item events: `item.completed:agent_message`.
    pub fn kinds(&self) -> Vec<String> {
        self.events.iter().map(kind).collect()
    }

    /// The thread id of `thread.started`.
    pub fn thread_id(&self) -> String {
        match &self.events[0] {
            ThreadEvent::ThreadStarted(e) => e.thread_id.clone(),
            other => panic!("first event is {other:?}"),
        }
    }

    /// The items of the `item.completed` events.
    pub fn completed(&self) -> Vec<ThreadItemDetails> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ThreadEvent::ItemCompleted(e) => Some(e.item.details.clone()),
                _ => None,
            })
            .collect()
    }

    /// Asserts a clean exit, showing the output otherwise.
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.code, Some(0), "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

fn kind(event: &ThreadEvent) -> String {
    let item_kind = |details: &ThreadItemDetails| {
        serde_json::to_value(details).unwrap()["type"].as_str().unwrap_or_default().to_owned()
    };
    match event {
        ThreadEvent::ThreadStarted(_) => "thread.started".into(),
        ThreadEvent::TurnStarted(_) => "turn.started".into(),
        ThreadEvent::TurnCompleted(_) => "turn.completed".into(),
        ThreadEvent::TurnFailed(_) => "turn.failed".into(),
        ThreadEvent::Error(_) => "error".into(),
        ThreadEvent::ItemStarted(e) => format!("item.started:{}", item_kind(&e.item.details)),
        ThreadEvent::ItemUpdated(e) => format!("item.updated:{}", item_kind(&e.item.details)),
        ThreadEvent::ItemCompleted(e) => format!("item.completed:{}", item_kind(&e.item.details)),
    }
}

/// An assistant message.
pub fn message(text: &str) -> Value {
    json!({"type": "message", "role": "assistant", "id": format!("msg_{}", text.len()),
           "content": [{"type": "output_text", "text": text}]})
}

/// A reasoning item with one summary part.
pub fn reasoning(text: &str) -> Value {
    json!({"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": text}]})
}

/// A `shell` call with an argv.
pub fn shell(call_id: &str, argv: &[&str]) -> Value {
    json!({"type": "function_call", "id": format!("fc_{call_id}"), "call_id": call_id, "name": "shell",
           "arguments": json!({"command": argv}).to_string()})
}

/// An `apply_patch` custom tool call.
pub fn patch(call_id: &str, body: &str) -> Value {
    json!({"type": "custom_tool_call", "id": format!("ct_{call_id}"), "call_id": call_id, "name": "apply_patch",
           "input": format!("*** Begin Patch\n{body}*** End Patch\n")})
}

/// An `update_plan` call.
pub fn plan(call_id: &str, steps: &[(&str, &str)]) -> Value {
    let plan: Vec<Value> =
        steps.iter().map(|(step, status)| json!({"step": step, "status": status})).collect();
    json!({"type": "function_call", "id": format!("fc_{call_id}"), "call_id": call_id, "name": "update_plan",
           "arguments": json!({"plan": plan}).to_string()})
}

/// The output the model received for `call_id`, from the requests made so far.
pub fn tool_output(requests: &[RecordedRequest], call_id: &str) -> String {
    requests
        .iter()
        .flat_map(|r| r.body["input"].as_array().cloned().unwrap_or_default())
        .find(|item| {
            item["call_id"] == call_id && item["type"].as_str().unwrap_or_default().ends_with("_output")
        })
        .and_then(|item| item["output"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no output for {call_id}"))
}

/// A path inside a temp dir, canonical (macOS-style /private prefixes and symlinked /tmp).
pub fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap()
}
