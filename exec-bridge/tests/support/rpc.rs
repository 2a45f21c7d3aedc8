//! A JSON-RPC client for `exec-bridge app-server`, for the end-to-end tests: it spawns the real
//! binary, and reads every message it sends into the protocol types and validates it against
//! the generated schema.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use protocol::v2::{JsonRpcError, JsonRpcResponse, ServerNotification, ServerRequest};
use serde_json::{json, Value};

use super::World;

/// A running app-server and everything it has sent so far.
pub struct AppServer {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: mpsc::Receiver<String>,
    next_id: i64,
    schemas: conformance::SchemaSet,
    /// Every message received, in order.
    pub log: Vec<Value>,
}

impl AppServer {
    /// Starts `exec-bridge app-server` in the world (its CODEX_HOME and scripted model).
    pub fn start(world: &World) -> AppServer {
        let mut child = world
            .command(&["app-server"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        AppServer {
            child,
            stdin,
            incoming,
            next_id: 100,
            schemas: conformance::SchemaSet::of_this_repository(),
            log: vec![],
        }
    }

    /// Sends one raw line.
    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Sends a message.
    pub fn send(&mut self, message: Value) {
        self.send_line(&message.to_string());
    }

    /// Closes stdin.
    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// The next message (waiting up to 20 s), checked against the protocol.
    pub fn recv(&mut self) -> Value {
        let line = self.incoming.recv_timeout(Duration::from_secs(20)).unwrap_or_else(|_| {
            panic!("no message from the app-server within 20 s; so far:\n{}", self.transcript())
        });
        let message: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        self.check(&message);
        self.log.push(message.clone());
        message
    }

    /// Whether the server sends nothing for `wait`.
    pub fn silent_for(&mut self, wait: Duration) -> bool {
        match self.incoming.recv_timeout(wait) {
            Ok(line) => {
                let message: Value = serde_json::from_str(&line).unwrap();
                self.check(&message);
                self.log.push(message);
                false
            }
            Err(_) => true,
        }
    }

    fn check(&mut self, message: &Value) {
        let (schema, ok) = if message.get("method").is_some() && message.get("id").is_some() {
            ("ServerRequest", serde_json::from_value::<ServerRequest>(message.clone()).is_ok())
        } else if message.get("method").is_some() {
            ("ServerNotification", serde_json::from_value::<ServerNotification>(message.clone()).is_ok())
        } else if message.get("error").is_some() {
            ("JSONRPCError", serde_json::from_value::<JsonRpcError>(message.clone()).is_ok())
        } else {
            ("JSONRPCResponse", serde_json::from_value::<JsonRpcResponse>(message.clone()).is_ok())
        };
        assert!(ok, "not a protocol {schema}: {message}");
        self.schemas.validate("v2", schema, message).unwrap_or_else(|e| panic!("{e}\n{message}"));
    }

    /// Sends a request and returns its whole response message (`result` or `error`); messages
    /// received meanwhile are logged. The result is validated against the method's result type.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"id": id, "method": method, "params": params}));
        loop {
            let message = self.recv();
            if message["id"] == id && message.get("method").is_none() {
                if let Some(result) = message.get("result") {
                    let schema = result_type(method);
                    self.schemas.validate("v2", schema, result).unwrap_or_else(|e| panic!("{e}\n{message}"));
                }
                return message;
            }
        }
    }

    /// Sends a request that must succeed; returns its `result`.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// `initialize` then `initialized`.
    pub fn initialize(&mut self) {
        self.call("initialize", json!({"clientInfo": {"name": "tests", "version": "1.0.0"}}));
        self.send(json!({"method": "initialized"}));
    }

    /// `thread/start` with `params`; returns the thread id.
    pub fn start_thread(&mut self, params: Value) -> String {
        self.call("thread/start", params)["thread"]["id"].as_str().unwrap().to_owned()
    }

    /// Starts a turn with `text` and waits for its `turn/completed`, answering each approval
    /// request with `answer(request)`. Returns the messages of the turn (from the turn/start
    /// response to turn/completed, both included).
    pub fn run_turn(
        &mut self,
        thread_id: &str,
        text: &str,
        mut answer: impl FnMut(&Value) -> Value,
    ) -> Vec<Value> {
        let from = self.log.len();
        self.call("turn/start", json!({"threadId": thread_id, "input": [{"type": "text", "text": text}]}));
        loop {
            let message = self.recv();
            if message.get("method").is_some() && message.get("id").is_some() {
                let result = answer(&message);
                self.send(json!({"id": message["id"], "result": result}));
            }
            if message["method"] == "turn/completed" {
                return self.log[from..].to_vec();
            }
        }
    }

    /// Waits for the process to end (after stdin closed); its exit code.
    pub fn wait(&mut self, within: Duration) -> Option<i32> {
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(std::time::Instant::now() < deadline, "the app-server did not exit within {within:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything received, one message per line.
    pub fn transcript(&self) -> String {
        self.log.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("\n")
    }
}

impl Drop for AppServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The result type of each client method, for validation.
fn result_type(method: &str) -> &'static str {
    match method {
        "initialize" => "InitializeResponse",
        "thread/start" => "ThreadStartResponse",
        "thread/resume" => "ThreadResumeResponse",
        "thread/list" => "ThreadListResponse",
        "thread/archive" => "ThreadArchiveResponse",
        "turn/start" => "TurnStartResponse",
        "turn/interrupt" => "TurnInterruptResponse",
        "model/list" => "ModelListResponse",
        other => panic!("no result type known for {other}"),
    }
}

/// The notifications and requests of `messages` about item `item_id`, as `method` or
/// `method:status` strings, in order.
pub fn item_story(messages: &[Value], item_id: &str) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m["params"]["item"]["id"] == item_id || m["params"]["itemId"] == item_id)
        .map(|m| {
            let method = m["method"].as_str().unwrap_or_default();
            match m["params"]["item"]["status"].as_str() {
                Some(status) => format!("{method}:{status}"),
                None => method.to_owned(),
            }
        })
        .collect()
}

/// The `turn/completed` status of a turn's messages.
pub fn turn_status(messages: &[Value]) -> String {
    let done = messages.iter().rfind(|m| m["method"] == "turn/completed").expect("turn/completed");
    done["params"]["turn"]["status"].as_str().unwrap().to_owned()
}

/// An approval answer.
pub fn decision(decision: &str) -> Value {
    json!({"decision": decision})
}
