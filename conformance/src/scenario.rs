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
//!   "app_server": {
//!     "requests": [{"method": "account/read", "params": {}}],   // before the thread
//!     "thread": {...thread/start params},
//!     "turns": [{"prompt": "do it", "approvals": ["accept"]}],
//!     "requests_after": [{"method": "account/logout", "then": ["account/updated"]}]
//!       // in `requests_after`, the string "$threadId" in params stands for the thread's id
//!   }
//! }
//! ```
//!
//! Each mode present runs in a world of its own (`test_support::World`: scratch `CODEX_HOME`,
//! working directory and scripted model). `exec` runs are
//! `exec --experimental-json --skip-git-repo-check ARGS PROMPT`; the app-server turns run on one
//! thread (`test_support::AppServer`), approvals answered in order (then `decline`); the
//! app-server's other requests run before the thread (`requests`) and after its turns
//! (`requests_after`), each answered with a result or an error, and, unless an error, followed by
//! exactly the notifications its `then` lists, in order. [`Runner`] runs them through another
//! binary too, going on past failures (the differential mode, see `crate::differential`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{json, Value};
use test_support::{decision, AppServer, Direction, World, REPLY_TIMEOUT};

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
    /// A `config.toml` for `CODEX_HOME`; `$MCP_TEST_SERVER` in it is the MCP test server's path
    /// and `$MCP_TEST_SERVER_URL` the URL of one serving streamable HTTP (see
    /// `test_support::World::config_with_mcp`); `$MODEL_BASE_URL` is the scripted model's base
    /// URL (for a provider of its own, such as one that speaks Chat Completions).
    #[serde(default)]
    pub config: Option<String>,
    /// Whether the transcript pins the model requests too (their bodies, with the
    /// instructions and the tools' definitions shortened).
    #[serde(default)]
    pub model_requests: bool,
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
    /// Requests sent after `initialize`, before the thread starts, in order.
    #[serde(default)]
    pub requests: Vec<AppServerRequest>,
    /// `thread/start` params (`cwd` is filled in).
    #[serde(default)]
    pub thread: Value,
    /// The turns, in order.
    pub turns: Vec<AppServerTurn>,
    /// Requests sent after the last turn completed, in order.
    #[serde(default)]
    pub requests_after: Vec<AppServerRequest>,
}

/// One request of the app-server side besides the thread and its turns (`account/read`, …).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppServerRequest {
    /// The method.
    pub method: String,
    /// Its params; absent sends `"params": null`.
    #[serde(default)]
    pub params: Value,
    /// The methods of the notifications that must follow the response, in order; each is
    /// awaited (bounded), and the scenario fails if another message comes instead.
    #[serde(default)]
    pub then: Vec<String>,
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
    /// The model requests of each side (`exec`, then the app-server), when the scenario pins
    /// them: `{"method", "path", "body"}` each.
    pub model_requests: Vec<(&'static str, Vec<Value>)>,
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

/// A world for one side of `scenario`: its script, its environment and its files.
fn world(scenario: &Scenario) -> World {
    let mut world = World::new(scenario.script.clone());
    for (name, value) in &scenario.env {
        world.set_env(name, value);
    }
    if let Some(config) = &scenario.config {
        let path = world.home.path().join("config.toml");
        let config = config.replace("$MODEL_BASE_URL", &world.model.base_url());
        let config = world.config_with_mcp(&config);
        std::fs::write(&path, config).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    for (name, content) in &scenario.files {
        let path = world.cwd().join(name);
        if name.ends_with('/') {
            std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        } else {
            let parent = path.parent().expect("a file of the working directory has a parent");
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
            std::fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
    world
}

/// Literal paths of `world`, to replace in transcripts.
fn paths(world: &World) -> Vec<(String, &'static str)> {
    let mut paths = Vec::new();
    for (dir, name) in [(world.work.path(), "<work>"), (world.home.path(), "<home>")] {
        if let Ok(real) = dir.canonicalize() {
            paths.push((real.display().to_string(), name));
        }
        paths.push((dir.display().to_string(), name));
    }
    paths
}

/// How scenarios run: which binary, and what a failure does.
#[derive(Debug, Clone, Default)]
pub struct Runner {
    /// The binary under test; `None` is this workspace's `exec-bridge` (see
    /// `test_support::World::use_binary`).
    pub binary: Option<PathBuf>,
    /// Whether a side that fails (a message outside the schema, a wait that timed out, a
    /// request that had to succeed and failed) ends its part of the transcript with one line
    /// `!! what went wrong` and the scenario goes on, instead of panicking: the differential mode
    /// compares another binary's transcript, failures included.
    pub keep_going: bool,
}

/// Runs every side of `scenario` through this workspace's `exec-bridge`, each in a world of its
/// own. Every message is checked against the generated schema as it arrives (by
/// `test_support`'s `World::run` and `Client`): a violation panics, naming the message and the
/// schema path.
pub fn run(scenario: &Scenario) -> (Transcript, Vec<(String, &'static str)>) {
    Runner::default().run(scenario)
}

impl Runner {
    /// Runs every side of `scenario` as [`run`] does, with this runner's binary and failures.
    pub fn run(&self, scenario: &Scenario) -> (Transcript, Vec<(String, &'static str)>) {
        let mut transcript = Transcript::default();
        let mut literal_paths = Vec::new();
        if let Some(exec) = &scenario.exec {
            let world = self.world(scenario);
            for run in &exec.runs {
                let mut args = vec!["exec", "--experimental-json", "--skip-git-repo-check"];
                args.extend(run.args.iter().map(String::as_str));
                args.push(&run.prompt);
                let lines = self.attempt(|| world.run(&args, None, &[]).lines);
                transcript.exec.push(lines.unwrap_or_else(|failure| vec![Value::String(failure)]));
            }
            if scenario.model_requests {
                transcript.model_requests.push(("exec", model_requests(&world)));
            }
            literal_paths.extend(paths(&world));
        }
        if let Some(side) = &scenario.app_server {
            let world = self.world(scenario);
            transcript.app_server = self.run_app_server(&world, side);
            if scenario.model_requests {
                transcript.model_requests.push(("app-server", model_requests(&world)));
            }
            literal_paths.extend(paths(&world));
        }
        (transcript, literal_paths)
    }

    /// A world for one side of `scenario`, running this runner's binary.
    fn world(&self, scenario: &Scenario) -> World {
        let mut world = world(scenario);
        if let Some(binary) = &self.binary {
            world.use_binary(binary);
        }
        world
    }

    /// `step()`, or when it panics and this runner keeps going, the failure as a `!!` line: the
    /// first line of the panic's message (the rest is the transcript so far, which is kept).
    fn attempt<T>(&self, step: impl FnOnce() -> T) -> Result<T, String> {
        if !self.keep_going {
            return Ok(step());
        }
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).map_err(|payload| {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("a panic without a message");
            format!("!! {}", message.lines().next().unwrap_or_default())
        })
    }

    /// The app-server side: initialize, one thread, its turns with their approvals answered in
    /// order (then `decline`); what the client sent and received, in order.
    fn run_app_server(&self, world: &World, side: &AppServerSide) -> Vec<(bool, Value)> {
        let mut server = AppServer::start(world);
        let outcome = self.attempt(|| drive_app_server(&mut server, world, side));
        let mut transcript: Vec<(bool, Value)> = server
            .into_transcript()
            .into_iter()
            .map(|(direction, message)| (direction == Direction::Received, message))
            .collect();
        if let Err(failure) = outcome {
            transcript.push((true, Value::String(failure)));
        }
        transcript
    }
}

/// The model requests `world`'s scripted model received, shortened where they hold the same
/// long text in every request: the instructions (the Responses `instructions`, or the Chat
/// Completions system message) and the tools' definitions (their names stay).
fn model_requests(world: &World) -> Vec<Value> {
    world
        .requests()
        .into_iter()
        .map(|request| {
            let mut body = request.body;
            if body.get("instructions").is_some() {
                body["instructions"] = json!("<instructions>");
            }
            if let Some(Value::Array(messages)) = body.get_mut("messages") {
                for message in messages.iter_mut() {
                    match message["role"].as_str() {
                        Some("system") => message["content"] = json!("<instructions>"),
                        Some("tool") => steady_output(&mut message["content"]),
                        _ => {}
                    }
                }
            }
            if let Some(Value::Array(input)) = body.get_mut("input") {
                for item in input.iter_mut().filter(|item| item["type"] == "function_call_output") {
                    steady_output(&mut item["output"]);
                }
            }
            if let Some(Value::Array(tools)) = body.get_mut("tools") {
                for tool in tools.iter_mut() {
                    let name = tool["function"]["name"].as_str().or(tool["name"].as_str()).map(str::to_owned);
                    *tool = json!({"type": tool["type"], "name": name});
                }
            }
            json!({"method": request.method, "path": request.path, "body": body})
        })
        .collect()
}

/// A shell call's output as sent to the model (`shell`'s JSON or `shell_command`'s text), its
/// duration replaced (it varies).
fn steady_output(output: &mut Value) {
    // `shell_command`'s text output: "Exit code: N\nWall time: 0.2 seconds\nOutput:\n…".
    if let Some(text) = output.as_str() {
        if let Some((head, rest)) = text.split_once("\nWall time: ") {
            if let Some((_, tail)) = rest.split_once(" seconds\n") {
                *output = json!(format!("{head}\nWall time: <duration> seconds\n{tail}"));
                return;
            }
        }
    }
    let Some(mut parsed) = output.as_str().and_then(|text| serde_json::from_str::<Value>(text).ok()) else {
        return;
    };
    if parsed["metadata"].get("duration_seconds").is_some() {
        parsed["metadata"]["duration_seconds"] = json!("<duration>");
        *output = json!(parsed.to_string());
    }
}

/// Drives `server` through `side`: initialize, one thread, its turns with their approvals
/// answered in order (then `decline`), the other requests; then closes it and waits for its end.
fn drive_app_server(server: &mut AppServer, world: &World, side: &AppServerSide) {
    server.initialize_as("conformance");
    send_requests(server, &side.requests);
    let mut params = if side.thread.is_object() { side.thread.clone() } else { json!({}) };
    params["cwd"] = json!(world.cwd().display().to_string());
    let thread_id = server.start_thread(params);
    for turn in &side.turns {
        let mut answers = turn.approvals.iter();
        server.run_turn(&thread_id, &turn.prompt, |_request| match answers.next() {
            Some(Value::String(answer)) => decision(answer),
            Some(whole) => whole.clone(),
            None => decision("decline"),
        });
    }
    send_requests(server, &with_thread_id(&side.requests_after, &thread_id));
    // Closing stdin ends the server.
    server.close();
    server.wait(REPLY_TIMEOUT);
}

/// The requests with every string `"$threadId"` in their params replaced by `thread_id`.
fn with_thread_id(requests: &[AppServerRequest], thread_id: &str) -> Vec<AppServerRequest> {
    fn replace(value: &mut Value, thread_id: &str) {
        match value {
            Value::String(text) if text == "$threadId" => *text = thread_id.to_owned(),
            Value::Array(items) => items.iter_mut().for_each(|item| replace(item, thread_id)),
            Value::Object(fields) => fields.values_mut().for_each(|field| replace(field, thread_id)),
            _ => {}
        }
    }
    let mut requests = requests.to_vec();
    for request in &mut requests {
        replace(&mut request.params, thread_id);
    }
    requests
}

/// Sends each request, and receives its response (a result or an error), then, unless it is an
/// error, exactly the v2 notifications it lists. The legacy `codex/event/*` notifications between them, and the
/// `account/rateLimits/updated` that follows each token count, are kept in the transcript but
/// not listed.
fn send_requests(server: &mut AppServer, requests: &[AppServerRequest]) {
    let unlisted = |message: &Value| {
        test_support::is_legacy(message) || message["method"] == "account/rateLimits/updated"
    };
    for request in requests {
        let response = server.request(&request.method, request.params.clone());
        if response.get("error").is_some() {
            // A failed request starts nothing: waiting for what it lists would only time out.
            continue;
        }
        for wanted in &request.then {
            let message = loop {
                let message = server.recv();
                if !unlisted(&message) {
                    break message;
                }
            };
            assert!(
                message["method"] == wanted.as_str() && message.get("id").is_none(),
                "after {}, expected the notification {wanted}, got {message}",
                request.method
            );
        }
    }
}

/// The transcript as text, normalised: ids, times, durations, user agents and the world's
/// paths replaced by stable placeholders. A failure the runner kept going after is its `!!`
/// line.
pub fn render(transcript: &Transcript, paths: &[(String, &'static str)]) -> String {
    let mut ids: Vec<String> = Vec::new();
    let mut out = String::new();
    let mut line = |out: &mut String, prefix: &str, value: &Value| {
        // A failure of the differential mode's runner (see `Runner::keep_going`), as it is.
        if let Some(failure) = value.as_str().filter(|text| text.starts_with("!! ")) {
            out.push_str(failure);
            out.push('\n');
            return;
        }
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
    for (side, requests) in &transcript.model_requests {
        out.push_str(&format!("# model requests ({side})\n"));
        for value in requests {
            line(&mut out, "", value);
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
                    // A legacy event's `{secs, nanos}`.
                    "duration" if child.get("nanos").is_some() => *child = json!("<duration>"),
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
            model_requests: vec![],
        };
        let text = render(&transcript, &[("/w".into(), "<work>")]);
        assert_eq!(
            text,
            "# exec run 0\n{\"type\":\"thread.started\",\"thread_id\":\"<thread-0>\"}\n# app-server\n<< {\"result\":{\"thread\":{\"id\":\"<thread-0>\",\"createdAt\":\"<timestamp>\",\"path\":\"<home>/sessions/<date>/rollout-<timestamp>-<thread>.jsonl\"},\"cwd\":\"<work>/x\"}}\n"
        );
    }
}
