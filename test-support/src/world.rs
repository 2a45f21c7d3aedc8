//! A scratch world for one test: `CODEX_HOME`, a working directory and a scripted model server,
//! and runs of the real binary in it.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use exec_bridge::mock_model::{MockModel, RecordedRequest, Script};
use protocol::exec::{ThreadEvent, ThreadItemDetails};
use serde_json::Value;

use crate::schema::{SchemaSet, Wire};

/// The API key every world gives the binary (`CODEX_API_KEY`); the scripted model records it in
/// the `authorization` header of each request.
pub const API_KEY: &str = "test-key";

/// How long one run of the binary ([`World::run`]) may take before the test fails.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// A scratch world for one test: a `CODEX_HOME`, a working directory and a scripted model
/// server, each removed or stopped when the world is dropped.
pub struct World {
    /// The scratch `CODEX_HOME` (and `HOME`).
    pub home: tempfile::TempDir,
    /// The working directory of every command.
    pub work: tempfile::TempDir,
    /// The scripted model server the binary talks to (`OPENAI_BASE_URL`).
    pub model: MockModel,
    /// Extra environment of every command, after the world's own.
    env: Vec<(String, String)>,
    /// What runs in place of the binary, with its leading arguments (see [`World::run_through`]).
    program: Option<(PathBuf, Vec<String>)>,
    /// MCP servers kept running for this world (see [`World::config_with_mcp`]).
    mcp_servers: Vec<crate::McpHttpServer>,
}

impl World {
    /// A world whose model plays `script`: a JSON array, one entry per model request (see
    /// `exec_bridge::mock_model::Script`, and [`crate::script`] for the entries).
    ///
    /// # Panics
    ///
    /// When the script is not a valid script, or a scratch folder or the server cannot be made.
    pub fn new(script: Value) -> World {
        let script = Script::from_json(&script.to_string())
            .unwrap_or_else(|e| panic!("not a valid model script ({e}): {script}"));
        World {
            home: tempfile::tempdir().expect("cannot make a scratch CODEX_HOME"),
            work: tempfile::tempdir().expect("cannot make a scratch working directory"),
            model: MockModel::spawn(script).expect("cannot start the scripted model server"),
            env: Vec::new(),
            program: None,
            mcp_servers: Vec::new(),
        }
    }

    /// Runs `program LEADING_ARGS ARGS` wherever this world would run `exec-bridge ARGS`: for
    /// example a Node script that does what `exec-bridge exec` does with the engine in process,
    /// through the napi addon.
    pub fn run_through(&mut self, program: impl Into<PathBuf>, leading_args: Vec<String>) -> &mut Self {
        self.program = Some((program.into(), leading_args));
        self
    }

    /// Runs `binary ARGS` wherever this world would run `exec-bridge ARGS`: any binary that
    /// speaks the protocol (`exec --experimental-json …`, `app-server`), such as the reference
    /// Codex CLI, which the conformance suite's differential mode runs its scenarios against.
    /// It gets the world's environment ([`World::command`]): it must take the model server from
    /// `OPENAI_BASE_URL` and the key from `CODEX_API_KEY`, as Codex 0.63 does in both modes.
    pub fn use_binary(&mut self, binary: impl Into<PathBuf>) -> &mut Self {
        self.run_through(binary, Vec::new())
    }

    /// `config` with the MCP test server in place of its placeholders: `$MCP_TEST_SERVER` is the
    /// server's path (a stdio server), and `$MCP_TEST_SERVER_URL` the URL of one started over
    /// streamable HTTP for this world's lifetime.
    pub fn config_with_mcp(&mut self, config: &str) -> String {
        let mut config = config.to_owned();
        if config.contains("$MCP_TEST_SERVER_URL") {
            let server = crate::McpHttpServer::start(None);
            config = config.replace("$MCP_TEST_SERVER_URL", &server.url);
            self.mcp_servers.push(server);
        }
        if config.contains("$MCP_TEST_SERVER") {
            config = config.replace("$MCP_TEST_SERVER", &crate::mcp_test_server().display().to_string());
        }
        config
    }

    /// Writes `config` as `CODEX_HOME/config.toml`, its MCP placeholders replaced (see
    /// [`World::config_with_mcp`]).
    ///
    /// # Panics
    ///
    /// When the file cannot be written.
    pub fn set_config(&mut self, config: &str) -> &mut Self {
        let config = self.config_with_mcp(config);
        let path = self.home.path().join("config.toml");
        std::fs::write(&path, config).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        self
    }

    /// The working directory.
    pub fn cwd(&self) -> &Path {
        self.work.path()
    }

    /// Adds `name=value` to the environment of every command this world makes from now on
    /// (after the world's own variables, so that it may replace one of them).
    pub fn set_env(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// The binary ([`crate::binary`]) with `args`, in the working directory, with a clean
    /// environment: `PATH`, then `HOME` and `CODEX_HOME` at the scratch home, `OPENAI_BASE_URL`
    /// at the scripted model, `CODEX_API_KEY` [`API_KEY`], then whatever [`World::set_env`]
    /// added.
    pub fn command<I>(&self, args: I) -> Command
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        let mut command = match &self.program {
            Some((program, leading)) => {
                let mut command = Command::new(program);
                command.args(leading);
                command
            }
            None => Command::new(crate::binary()),
        };
        command
            .args(args)
            .current_dir(self.cwd())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("CODEX_HOME", self.home.path())
            .env("OPENAI_BASE_URL", self.model.base_url())
            .env("CODEX_API_KEY", API_KEY)
            .envs(self.env.iter().map(|(name, value)| (name, value)));
        command
    }

    /// Runs `exec-bridge exec --experimental-json --skip-git-repo-check ARGS`.
    pub fn exec_json(&self, args: &[&str]) -> Run {
        let mut all = vec!["exec", "--experimental-json", "--skip-git-repo-check"];
        all.extend_from_slice(args);
        self.run(&all, None, &[])
    }

    /// Runs the binary with `args`, `stdin` (none: `/dev/null`) and extra environment variables,
    /// waiting at most [`RUN_TIMEOUT`]. When `args` ask for JSON (`--experimental-json` or
    /// `--json`), every line of stdout is checked as an exec event ([`exec_lines`]).
    ///
    /// # Panics
    ///
    /// When the binary cannot be started, does not end within [`RUN_TIMEOUT`] (it is killed),
    /// or prints a line that is not a valid exec event in JSON mode.
    pub fn run(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        command
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .envs(env.iter().copied());
        let what = format!("exec-bridge {}", args.join(" "));
        let (code, stdout, stderr) = run_within(command, stdin, RUN_TIMEOUT, &what);
        let (lines, events) = if args.contains(&"--experimental-json") || args.contains(&"--json") {
            let lines = exec_lines(&stdout);
            let events = lines.iter().map(to_event).collect();
            (lines, events)
        } else {
            (vec![], vec![])
        };
        Run { code, stdout, stderr, lines, events }
    }

    /// The model requests (`POST …/responses`) the scripted model received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.model.model_requests()
    }
}

/// Runs `command` to its end, feeding it `stdin`; its exit code, stdout and stderr.
fn run_within(
    mut command: Command,
    stdin: Option<&str>,
    within: Duration,
    what: &str,
) -> (Option<i32>, String, String) {
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot start `{what}`: {e}"));
    let stdout = read_all(child.stdout.take());
    let stderr = read_all(child.stderr.take());
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        // A program that exits before reading its input is not this helper's failure.
        match input.write_all(text.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                panic!("cannot write the stdin of `{what}`: {e}")
            }
            _ => {}
        }
    }
    let deadline = Instant::now() + within;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("cannot wait for `{what}`: {e}")) {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let out = stdout.recv_timeout(Duration::from_secs(1)).unwrap_or_default();
            let err = stderr.recv_timeout(Duration::from_secs(1)).unwrap_or_default();
            panic!("`{what}` did not end within {within:?}; it was killed.\nstdout:\n{out}\nstderr:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // The pipes close when the process ends, unless a process it started keeps them open.
    let rest = deadline.saturating_duration_since(Instant::now()).max(Duration::from_secs(5));
    let out = stdout.recv_timeout(rest).unwrap_or_else(|_| panic!("the stdout of `{what}` stayed open"));
    let err = stderr.recv_timeout(rest).unwrap_or_else(|_| panic!("the stderr of `{what}` stayed open"));
    (status.code(), out, err)
}

/// Reads `pipe` to its end on a thread of its own; the text arrives on the channel.
fn read_all(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
        });
    } else {
        let _ = tx.send(String::new());
    }
    rx
}

/// What one run of the binary left.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code (`None` when a signal ended it).
    pub code: Option<i32>,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
    /// Every stdout line as the JSON it is, in order, as printed (JSON mode only).
    pub lines: Vec<Value>,
    /// Every stdout line read as the protocol's exec events (JSON mode only).
    pub events: Vec<ThreadEvent>,
}

impl Run {
    /// `type` of each event, with the item type for item events: `item.completed:agent_message`.
    pub fn kinds(&self) -> Vec<String> {
        self.events.iter().map(kind).collect()
    }

    /// The thread id of `thread.started`.
    ///
    /// # Panics
    ///
    /// When the first event is not `thread.started`.
    pub fn thread_id(&self) -> String {
        match self.events.first() {
            Some(ThreadEvent::ThreadStarted(e)) => e.thread_id.clone(),
            other => panic!("the first event is not thread.started but {other:?}"),
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

/// Reads every line of `stdout` as JSON and checks it as an exec event: against the generated
/// schema and by reading it into `protocol::exec::ThreadEvent`.
///
/// # Panics
///
/// On a line that is not JSON or not a valid event, naming the line and what is wrong.
pub fn exec_lines(stdout: &str) -> Vec<Value> {
    let mut schemas = SchemaSet::of_this_repository();
    stdout
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("exec printed a non-JSON line ({e}): {line}"));
            schemas.check(Wire::ExecLine, &value).unwrap_or_else(|e| panic!("{e}\nthe message: {line}"));
            value
        })
        .collect()
}

fn to_event(line: &Value) -> ThreadEvent {
    serde_json::from_value(line.clone()).unwrap_or_else(|e| panic!("not a protocol event ({e}): {line}"))
}

fn kind(event: &ThreadEvent) -> String {
    let item_kind = |details: &ThreadItemDetails| {
        serde_json::to_value(details)
            .map(|v| v["type"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
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

/// The output the model received for `call_id` (a `function_call_output` or
/// `custom_tool_call_output`), from the requests made so far.
///
/// # Panics
///
/// When no request carries an output for `call_id`.
pub fn tool_output(requests: &[RecordedRequest], call_id: &str) -> String {
    requests
        .iter()
        .flat_map(|r| r.body["input"].as_array().cloned().unwrap_or_default())
        .find(|item| {
            item["call_id"] == call_id && item["type"].as_str().unwrap_or_default().ends_with("_output")
        })
        .and_then(|item| item["output"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no request gave the model an output for {call_id}"))
}

/// The names of the tools a model request body offers, in order (built-in tools without a
/// name, such as `local_shell`, are left out).
///
/// # Panics
///
/// When the body has no `tools` array.
pub fn tool_names(body: &serde_json::Value) -> Vec<String> {
    let tools = body["tools"].as_array().unwrap_or_else(|| panic!("no tools in the request: {body}"));
    tools.iter().filter_map(|tool| tool["name"].as_str().map(str::to_owned)).collect()
}

/// `path`, canonical: temp dirs may sit behind symlinks (`/tmp`, macOS's `/private`), and the
/// binary reports real paths.
///
/// # Panics
///
/// When `path` does not exist.
pub fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|e| panic!("cannot canonicalize {}: {e}", path.display()))
}

/// Every file under `dir` whose bytes contain `needle` (for a secret that must be in no file
/// but its store).
///
/// # Panics
///
/// When a directory or file under `dir` cannot be read.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else {
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(path);
            }
        }
    }
    found
}
