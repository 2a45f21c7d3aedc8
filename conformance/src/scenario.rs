//! Scenarios: what the scripted model says, what the client does, and the transcript that
//! results, normalised so that it is the same on every run.
//!
//! A scenario file:
//!
//! ```json
//! {
//!   "description": "what it shows",
//!   "files": {"existing.txt": "content"},          // the working directory before the run
//!   "env": {"NAME": "value"},                       // extra environment of the binary
//!   "script": [ ...model turns, see exec_bridge::mock_model... ],
//!   "exec": {"runs": [{"args": ["--full-auto"], "prompt": "do it"}]},
//!   "app_server": {"thread": {...thread/start params}, "turns": [{"prompt": "do it", "approvals": ["accept"]}]}
//! }
//! ```
//!
//! Each mode present runs in a world of its own (scratch `CODEX_HOME`, working directory and
//! scripted model). `exec` runs are `exec --experimental-json --skip-git-repo-check ARGS PROMPT`;
//! the app-server turns run on one thread, approvals answered in order (then `decline`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

use exec_bridge::mock_model::{MockModel, Script};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::SchemaSet;

/// One scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the scenario shows.
    pub description: String,
    /// Files to create in the working directory first (a name ending in `/` is a directory).
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Extra environment variables of the binary.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The scripted model's answers, one per model request.
    pub script: Value,
    /// The `exec` runs, if the scenario has an `exec` side.
    #[serde(default)]
    pub exec: Option<ExecSide>,
    /// The app-server side, if any.
    #[serde(default)]
    pub app_server: Option<AppServerSide>,
}

/// The `exec` side of a scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecSide {
    /// The runs, in order, in the same world (so that `resume` finds the first).
    pub runs: Vec<ExecRun>,
}

/// One `exec` run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecRun {
    /// Arguments before the prompt.
    #[serde(default)]
    pub args: Vec<String>,
    /// The prompt.
    pub prompt: String,
}

/// The app-server side of a scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppServerSide {
    /// `thread/start` params (`cwd` is filled in).
    #[serde(default)]
    pub thread: Value,
    /// The turns, in order.
    pub turns: Vec<AppServerTurn>,
}

/// One app-server turn.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppServerTurn {
    /// The user's text.
    pub prompt: String,
    /// The answers to the turn's approval requests, in order: a decision string, or a whole
    /// answer object.
    #[serde(default)]
    pub approvals: Vec<Value>,
}

/// What a scenario produced.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    /// `exec` lines as printed, per run.
    pub exec: Vec<Vec<Value>>,
    /// App-server messages: `(true, message)` sent by the server, `(false, …)` by the client.
    pub app_server: Vec<(bool, Value)>,
}

/// Reads a scenario file.
pub fn load(path: &Path) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not a valid scenario: {e}", path.display()))
}

/// The scenario files, sorted by name.
pub fn all(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The `exec-bridge` binary of this workspace, built once per test process.
pub fn binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["build", "--quiet", "--locked", "-p", "exec-bridge", "--bin", "exec-bridge"])
                .current_dir(&root)
                .status()
                .expect("cargo runs");
            assert!(status.success(), "cannot build exec-bridge");
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("target"));
            target.join("debug/exec-bridge")
        })
        .clone()
}

/// A scratch world: `CODEX_HOME`, working directory, scripted model.
struct World {
    home: tempfile::TempDir,
    work: tempfile::TempDir,
    model: MockModel,
}

impl World {
    fn new(scenario: &Scenario) -> World {
        let script = Script::from_json(&scenario.script.to_string()).expect("the scenario's script is valid");
        let world = World {
            home: tempfile::tempdir().unwrap(),
            work: tempfile::tempdir().unwrap(),
            model: MockModel::spawn(script).unwrap(),
        };
        for (name, content) in &scenario.files {
            let path = world.work.path().join(name);
            if name.ends_with('/') {
                std::fs::create_dir_all(&path).unwrap();
            } else {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, content).unwrap();
            }
        }
        world
    }

    fn command(&self, scenario: &Scenario, args: &[String]) -> Command {
        let mut command = Command::new(binary());
        command
            .args(args)
            .current_dir(self.work.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("CODEX_HOME", self.home.path())
            .env("OPENAI_BASE_URL", self.model.base_url())
            .env("CODEX_API_KEY", "conformance")
            .envs(&scenario.env);
        command
    }

    /// Literal paths of this world, to replace in transcripts.
    fn paths(&self) -> Vec<(String, &'static str)> {
        let mut paths = Vec::new();
        for (dir, name) in [(self.work.path(), "<work>"), (self.home.path(), "<home>")] {
            if let Ok(real) = dir.canonicalize() {
                paths.push((real.display().to_string(), name));
            }
            paths.push((dir.display().to_string(), name));
        }
        paths
    }
}

/// Runs every side of `scenario`, validating each server message; panics naming the message
/// and the schema path on a violation.
pub fn run(scenario: &Scenario, schemas: &mut SchemaSet) -> (Transcript, Vec<(String, &'static str)>) {
    let mut transcript = Transcript::default();
    let mut paths = Vec::new();
    if let Some(exec) = &scenario.exec {
        let world = World::new(scenario);
        for run in &exec.runs {
            let mut args: Vec<String> =
                vec!["exec".into(), "--experimental-json".into(), "--skip-git-repo-check".into()];
            args.extend(run.args.iter().cloned());
            args.push(run.prompt.clone());
            let output =
                world.command(scenario, &args).stdin(Stdio::null()).output().expect("the binary runs");
            let stdout = String::from_utf8_lossy(&output.stdout);
            let mut lines = Vec::new();
            for line in stdout.lines() {
                let value: Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("exec printed a non-JSON line ({e}): {line}"));
                schemas
                    .validate("exec", "ThreadEvent", &value)
                    .unwrap_or_else(|e| panic!("{e}\nthe message: {line}"));
                serde_json::from_value::<protocol::exec::ThreadEvent>(value.clone())
                    .unwrap_or_else(|e| panic!("not a protocol event ({e}): {line}"));
                lines.push(value);
            }
            transcript.exec.push(lines);
        }
        paths.extend(world.paths());
    }
    if let Some(side) = &scenario.app_server {
        let world = World::new(scenario);
        transcript.app_server = run_app_server(&world, scenario, side, schemas);
        paths.extend(world.paths());
    }
    (transcript, paths)
}

/// The client side of one app-server session: what it sent and received, in order.
struct Client {
    stdin: std::process::ChildStdin,
    incoming: mpsc::Receiver<String>,
    log: Vec<(bool, Value)>,
    next_id: i64,
}

impl Client {
    fn send(&mut self, message: Value) {
        writeln!(self.stdin, "{message}").unwrap();
        self.log.push((false, message));
    }

    /// The next server message, validated against the schema of its kind.
    fn receive(&mut self, schemas: &mut SchemaSet) -> Value {
        let line =
            self.incoming.recv_timeout(Duration::from_secs(30)).expect("the app-server answers within 30 s");
        let message: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("app-server sent non-JSON ({e}): {line}"));
        let schema = if message.get("method").is_some() && message.get("id").is_some() {
            "ServerRequest"
        } else if message.get("method").is_some() {
            "ServerNotification"
        } else if message.get("error").is_some() {
            "JSONRPCError"
        } else {
            "JSONRPCResponse"
        };
        schemas.validate("v2", schema, &message).unwrap_or_else(|e| panic!("{e}\nthe message: {line}"));
        self.log.push((true, message.clone()));
        message
    }

    /// Sends a request and returns its result, validated as `result_type`.
    fn request(&mut self, schemas: &mut SchemaSet, method: &str, params: Value, result_type: &str) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"id": id, "method": method, "params": params}));
        loop {
            let message = self.receive(schemas);
            if message["id"] == id && message.get("method").is_none() {
                if let Some(result) = message.get("result") {
                    schemas
                        .validate("v2", result_type, result)
                        .unwrap_or_else(|e| panic!("{e}\nthe result of {method}: {result}"));
                }
                return message["result"].clone();
            }
        }
    }
}

fn run_app_server(
    world: &World,
    scenario: &Scenario,
    side: &AppServerSide,
    schemas: &mut SchemaSet,
) -> Vec<(bool, Value)> {
    let mut child = world
        .command(scenario, &["app-server".to_owned()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary runs");
    let (tx, incoming) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut client = Client { stdin: child.stdin.take().unwrap(), incoming, log: Vec::new(), next_id: 0 };
    client.request(
        schemas,
        "initialize",
        json!({"clientInfo": {"name": "conformance", "version": "1.0.0"}}),
        "InitializeResponse",
    );
    client.send(json!({"method": "initialized"}));
    let mut params = if side.thread.is_object() { side.thread.clone() } else { json!({}) };
    params["cwd"] = json!(world.work.path().display().to_string());
    let thread = client.request(schemas, "thread/start", params, "ThreadStartResponse");
    let thread_id = thread["thread"]["id"].clone();
    for turn in &side.turns {
        let mut answers = turn.approvals.iter();
        let input = json!({"threadId": thread_id, "input": [{"type": "text", "text": turn.prompt}]});
        client.request(schemas, "turn/start", input, "TurnStartResponse");
        loop {
            let message = client.receive(schemas);
            if message.get("method").is_some() && message.get("id").is_some() {
                let answer = match answers.next() {
                    Some(Value::String(decision)) => json!({"decision": decision}),
                    Some(whole) => whole.clone(),
                    None => json!({"decision": "decline"}),
                };
                client.send(json!({"id": message["id"], "result": answer}));
            }
            if message["method"] == "turn/completed" {
                break;
            }
        }
    }
    // Closing stdin ends the server.
    let Client { stdin, log, .. } = client;
    drop(stdin);
    let _ = child.wait();
    log
}

/// The transcript as text, normalised: ids, times, durations, user agents and the world's
/// paths replaced by stable placeholders.
pub fn render(transcript: &Transcript, paths: &[(String, &'static str)]) -> String {
    let mut ids: Vec<String> = Vec::new();
    let mut out = String::new();
    let mut line = |out: &mut String, prefix: &str, value: &Value| {
        let mut value = value.clone();
        normalise(&mut value);
        let mut text = format!("{prefix}{value}");
        for (path, name) in paths {
            text = text.replace(path.as_str(), name);
        }
        text = replace_ids(&text, &mut ids);
        out.push_str(&text);
        out.push('\n');
    };
    for (n, run) in transcript.exec.iter().enumerate() {
        out.push_str(&format!("# exec run {n}\n"));
        for value in run {
            line(&mut out, "", value);
        }
    }
    if !transcript.app_server.is_empty() {
        out.push_str("# app-server\n");
        for (from_server, value) in &transcript.app_server {
            line(&mut out, if *from_server { "<< " } else { ">> " }, value);
        }
    }
    out
}

/// Replaces values that differ between runs.
fn normalise(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "createdAt" => *child = json!("<timestamp>"),
                    "durationMs" if !child.is_null() => *child = json!("<duration>"),
                    "userAgent" => *child = json!("<user-agent>"),
                    "path" if child.as_str().is_some_and(|p| p.contains("/sessions/")) => {
                        *child = json!("<home>/sessions/<date>/rollout-<timestamp>-<thread>.jsonl")
                    }
                    _ => normalise(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

/// Replaces each UUID (thread ids) by `<thread-N>`, numbered by first appearance.
fn replace_ids(text: &str, ids: &mut Vec<String>) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if i + 36 <= text.len() && is_uuid(&bytes[i..i + 36]) {
            let id = &text[i..i + 36];
            let n = ids.iter().position(|known| known == id).unwrap_or_else(|| {
                ids.push(id.to_owned());
                ids.len() - 1
            });
            out.push_str(&format!("<thread-{n}>"));
            i += 36;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn is_uuid(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_replaces_what_varies() {
        let transcript = Transcript {
            exec: vec![vec![
                json!({"type": "thread.started", "thread_id": "01a212e1-c43b-7113-8605-177e9e3e257e"}),
            ]],
            app_server: vec![(
                true,
                json!({"result": {"thread": {"id": "01a212e1-c43b-7113-8605-177e9e3e257e", "createdAt": 17, "path": "/h/sessions/2026/11/25/rollout-x.jsonl"}, "cwd": "/w/x"}}),
            )],
        };
        let text = render(&transcript, &[("/w".into(), "<work>")]);
        assert_eq!(
            text,
            "# exec run 0\n{\"type\":\"thread.started\",\"thread_id\":\"<thread-0>\"}\n# app-server\n<< {\"result\":{\"thread\":{\"id\":\"<thread-0>\",\"createdAt\":\"<timestamp>\",\"path\":\"<home>/sessions/<date>/rollout-<timestamp>-<thread>.jsonl\"},\"cwd\":\"<work>/x\"}}\n"
        );
    }
}
