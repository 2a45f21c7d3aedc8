//! A JSON-RPC client for the app-server: it reads every message the server sends, checks it
//! against the generated schema and the protocol types, and keeps the transcript of both
//! directions.
//!
//! The client ([`Client`]) does not know how lines travel: it speaks through a [`Transport`].
//! [`Subprocess`] is the transport over the stdin and stdout of `exec-bridge app-server`
//! ([`AppServer`] is the client over it); [`Lines`] turns any writer and reader into a
//! transport, which is all an in-process transport needs (for example over the two ends of an
//! in-memory pipe).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::schema::{SchemaSet, Wire};
use crate::World;

/// How long the client waits for any one message before the test fails.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// What a transport has for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// One line, without its line ending.
    Line(String),
    /// Nothing came within the time asked.
    TimedOut,
    /// The server's side is closed: nothing more will come.
    Closed,
}

/// How the client's lines reach the server and the server's lines reach the client.
pub trait Transport {
    /// Sends one line (the transport adds the line ending).
    fn send_line(&mut self, line: &str) -> io::Result<()>;
    /// Sends one line of raw bytes, which need not be UTF-8 (the transport adds the line
    /// ending). Unsupported unless the transport says otherwise.
    fn send_bytes(&mut self, line: &[u8]) -> io::Result<()> {
        let _ = line;
        Err(io::Error::new(io::ErrorKind::Unsupported, "this transport sends text lines only"))
    }
    /// The next line from the server, waiting at most `within`.
    fn recv_line(&mut self, within: Duration) -> Incoming;
    /// Closes the client's sending side: the server sees the end of its input.
    fn close(&mut self);
}

/// A transport over any line sink and line source: the source is read on a thread of its own,
/// so that every wait for a line is bounded.
pub struct Lines<W: Write> {
    sink: Option<W>,
    incoming: mpsc::Receiver<String>,
}

impl<W: Write> Lines<W> {
    /// Sends lines to `sink`; reads lines from `source` until it ends.
    pub fn new<R: Read + Send + 'static>(sink: W, source: R) -> Self {
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(source).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines { sink: Some(sink), incoming }
    }
}

impl<W: Write> Transport for Lines<W> {
    fn send_line(&mut self, line: &str) -> io::Result<()> {
        self.send_bytes(line.as_bytes())
    }

    fn send_bytes(&mut self, line: &[u8]) -> io::Result<()> {
        let sink = self.sink.as_mut().ok_or_else(|| io::Error::other("the client's side is closed"))?;
        sink.write_all(line)?;
        sink.write_all(b"\n")?;
        sink.flush()
    }

    fn recv_line(&mut self, within: Duration) -> Incoming {
        match self.incoming.recv_timeout(within) {
            Ok(line) => Incoming::Line(line),
            Err(mpsc::RecvTimeoutError::Timeout) => Incoming::TimedOut,
            Err(mpsc::RecvTimeoutError::Disconnected) => Incoming::Closed,
        }
    }

    fn close(&mut self) {
        self.sink = None;
    }
}

/// `exec-bridge app-server` as a child process, spoken to over its stdin and stdout (its stderr
/// goes to the test's). The process is killed when this is dropped.
pub struct Subprocess {
    child: Child,
    lines: Lines<ChildStdin>,
}

impl Subprocess {
    /// Starts `command` with its stdin and stdout piped.
    ///
    /// # Panics
    ///
    /// When the process cannot be started.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the app-server ({command:?}): {e}"));
        let stdin = child.stdin.take().expect("the child's stdin is piped");
        let stdout = child.stdout.take().expect("the child's stdout is piped");
        Subprocess { child, lines: Lines::new(stdin, stdout) }
    }

    /// Kills the process (SIGKILL) and reaps it: the runtime dies without a chance to clean up.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to end (after its stdin closed); its exit code.
    ///
    /// # Panics
    ///
    /// When it does not end within `within`.
    pub fn wait(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        loop {
            let status = self.child.try_wait().expect("cannot wait for the app-server process");
            if let Some(status) = status {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the app-server did not exit within {within:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Transport for Subprocess {
    fn send_line(&mut self, line: &str) -> io::Result<()> {
        self.lines.send_line(line)
    }

    fn send_bytes(&mut self, line: &[u8]) -> io::Result<()> {
        self.lines.send_bytes(line)
    }

    fn recv_line(&mut self, within: Duration) -> Incoming {
        self.lines.recv_line(within)
    }

    fn close(&mut self) {
        self.lines.close();
    }
}

impl Drop for Subprocess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Who sent a message of the transcript, seen from the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The client sent it (`>>` in [`Client::transcript_text`]).
    Sent,
    /// The server sent it (`<<`).
    Received,
}

/// A JSON-RPC client of the app-server over a [`Transport`].
///
/// Every message received is checked as an app-server message (see
/// [`SchemaSet::check`] with [`Wire::ServerMessage`]), and the `result` of each response to
/// [`Client::request`] against the result type of its method. Every wait is bounded by the
/// client's timeout ([`REPLY_TIMEOUT`] unless [`Client::with_timeout`] says otherwise), so a
/// silent server fails the test, showing the transcript so far, rather than hanging it.
pub struct Client<T: Transport> {
    transport: T,
    schemas: SchemaSet,
    next_id: i64,
    timeout: Duration,
    received: Vec<Value>,
    transcript: Vec<(Direction, Value)>,
}

/// The client of a running `exec-bridge app-server` process.
pub type AppServer = Client<Subprocess>;

impl Client<Subprocess> {
    /// Starts `exec-bridge app-server` in `world` (its `CODEX_HOME`, working directory and
    /// scripted model).
    pub fn start(world: &World) -> Self {
        Self::new(Subprocess::spawn(world.command(["app-server"])))
    }

    /// Waits for the server process to end (after [`Client::close`]); its exit code.
    ///
    /// # Panics
    ///
    /// When it does not end within `within`.
    pub fn wait(&mut self, within: Duration) -> Option<i32> {
        self.transport.wait(within)
    }
}

impl<T: Transport> Client<T> {
    /// A client speaking over `transport`; request ids count from 1.
    pub fn new(transport: T) -> Self {
        Client {
            transport,
            schemas: SchemaSet::of_this_repository(),
            next_id: 0,
            timeout: REPLY_TIMEOUT,
            received: Vec::new(),
            transcript: Vec::new(),
        }
    }

    /// The same client, waiting at most `timeout` for each message.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The transport, for what is particular to it.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Sends one raw line, which need not be JSON (the transcript holds it as a JSON string
    /// then).
    pub fn send_line(&mut self, line: &str) {
        let recorded = serde_json::from_str(line).unwrap_or_else(|_| Value::String(line.to_owned()));
        self.transmit(line, recorded);
    }

    /// Sends one line of raw bytes, which need not be UTF-8 (the transcript holds it as a JSON
    /// string, invalid bytes replaced).
    ///
    /// # Panics
    ///
    /// When the transport cannot send bytes, or sending fails.
    pub fn send_bytes(&mut self, line: &[u8]) {
        self.transport
            .send_bytes(line)
            .unwrap_or_else(|e| panic!("cannot send {} raw bytes: {e}", line.len()));
        let shown = String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
        self.transcript.push((Direction::Sent, Value::String(shown)));
    }

    /// Sends a message.
    pub fn send(&mut self, message: Value) {
        self.transmit(&message.to_string(), message);
    }

    fn transmit(&mut self, line: &str, recorded: Value) {
        self.transport
            .send_line(line)
            .unwrap_or_else(|e| panic!("cannot send to the app-server ({e}): {line}"));
        self.transcript.push((Direction::Sent, recorded));
    }

    /// Closes the client's side (the server's stdin): the server should end.
    pub fn close(&mut self) {
        self.transport.close();
    }

    /// The next message, checked against the protocol.
    ///
    /// # Panics
    ///
    /// When nothing comes within the client's timeout, the server's side closes, or the message
    /// is not a valid app-server message.
    pub fn recv(&mut self) -> Value {
        match self.transport.recv_line(self.timeout) {
            Incoming::Line(line) => self.accept(&line),
            Incoming::TimedOut => panic!(
                "no message from the app-server within {:?}; the transcript so far:\n{}",
                self.timeout,
                self.transcript_text()
            ),
            Incoming::Closed => {
                panic!("the app-server closed its output; the transcript so far:\n{}", self.transcript_text())
            }
        }
    }

    /// Checks and records one received line.
    fn accept(&mut self, line: &str) -> Value {
        let message: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("the app-server sent non-JSON ({e}): {line}"));
        self.schemas
            .check(Wire::ServerMessage, &message)
            .unwrap_or_else(|e| panic!("{e}\nthe message: {line}"));
        self.received.push(message.clone());
        self.transcript.push((Direction::Received, message.clone()));
        message
    }

    /// Receives until a message satisfies `wanted`, and returns it (every message is checked
    /// and logged; each wait is bounded as [`Client::recv`]'s).
    pub fn recv_until(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self.recv();
            if wanted(&message) {
                return message;
            }
        }
    }

    /// Sends a request and returns its whole response message (`result` or `error`); messages
    /// received meanwhile are logged (server requests among them stay unanswered). A `result`
    /// is checked against the method's result type.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"id": id, "method": method, "params": params}));
        loop {
            let message = self.recv();
            if message["id"] == id && message.get("method").is_none() {
                if let Some(result) = message.get("result") {
                    self.schemas
                        .check(Wire::ResultOf(method), result)
                        .unwrap_or_else(|e| panic!("{e}\nthe result of {method}: {result}"));
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

    /// `initialize` (as the client `tests`), then `initialized`.
    pub fn initialize(&mut self) {
        self.initialize_as("tests");
    }

    /// `initialize` with `clientInfo.name` `name`, then `initialized`.
    pub fn initialize_as(&mut self, name: &str) {
        self.call("initialize", json!({"clientInfo": {"name": name, "version": "1.0.0"}}));
        self.send(json!({"method": "initialized"}));
    }

    /// `thread/start` with `params`; returns the thread id.
    pub fn start_thread(&mut self, params: Value) -> String {
        let result = self.call("thread/start", params);
        result["thread"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("thread/start answered no thread id: {result}"))
            .to_owned()
    }

    /// Answers the server request `request` with `result`, checked against the request's result
    /// type (use [`Client::send`] to send an answer that is wrong on purpose).
    pub fn answer(&mut self, request: &Value, result: Value) {
        let method = request["method"].as_str().unwrap_or_else(|| panic!("not a server request: {request}"));
        self.schemas
            .check(Wire::ResultOf(method), &result)
            .unwrap_or_else(|e| panic!("{e}\nthe answer to {method}: {result}"));
        self.send(json!({"id": request["id"], "result": result}));
    }

    /// Starts a turn with `text` and waits for its `turn/completed`, answering each server
    /// request with `answer(request)`. Returns the messages received during the turn (from the
    /// `turn/start` response to `turn/completed`, both included).
    pub fn run_turn(
        &mut self,
        thread_id: &str,
        text: &str,
        mut answer: impl FnMut(&Value) -> Value,
    ) -> Vec<Value> {
        let from = self.received.len();
        self.call("turn/start", json!({"threadId": thread_id, "input": [{"type": "text", "text": text}]}));
        loop {
            let message = self.recv();
            if message.get("method").is_some() && message.get("id").is_some() {
                let result = answer(&message);
                self.answer(&message, result);
            }
            if message["method"] == "turn/completed" {
                return self.received[from..].to_vec();
            }
        }
    }

    /// Every message received, in order.
    pub fn log(&self) -> &[Value] {
        &self.received
    }

    /// Every message sent and received, in order.
    pub fn transcript(&self) -> &[(Direction, Value)] {
        &self.transcript
    }

    /// The transcript, taken out of the client.
    pub fn into_transcript(self) -> Vec<(Direction, Value)> {
        self.transcript
    }

    /// The transcript as text: one message per line, `>> ` before what the client sent and
    /// `<< ` before what it received.
    pub fn transcript_text(&self) -> String {
        self.transcript
            .iter()
            .map(|(direction, message)| match direction {
                Direction::Sent => format!(">> {message}"),
                Direction::Received => format!("<< {message}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
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

/// The status of the last `turn/completed` among `messages`.
///
/// # Panics
///
/// When there is none.
pub fn turn_status(messages: &[Value]) -> String {
    let done = messages
        .iter()
        .rfind(|m| m["method"] == "turn/completed")
        .expect("no turn/completed among the messages");
    done["params"]["turn"]["status"]
        .as_str()
        .unwrap_or_else(|| panic!("a turn without a status: {done}"))
        .to_owned()
}

/// An approval answer: `{"decision": decision}`.
pub fn decision(decision: &str) -> Value {
    json!({"decision": decision})
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    /// A transport that answers with lines given in advance, and records what was sent.
    #[derive(Default)]
    struct Canned {
        replies: VecDeque<String>,
        sent: Vec<String>,
    }

    impl Transport for Canned {
        fn send_line(&mut self, line: &str) -> io::Result<()> {
            self.sent.push(line.to_owned());
            Ok(())
        }

        fn recv_line(&mut self, _within: Duration) -> Incoming {
            self.replies.pop_front().map_or(Incoming::TimedOut, Incoming::Line)
        }

        fn close(&mut self) {}
    }

    fn client(replies: &[&str]) -> Client<Canned> {
        let transport = Canned { replies: replies.iter().map(|l| l.to_string()).collect(), sent: Vec::new() };
        Client::new(transport).with_timeout(Duration::from_millis(10))
    }

    #[test]
    fn a_request_gets_its_response_and_the_transcript_has_both_directions() {
        let mut client = client(&[
            r#"{"method":"turn/started","params":{"turn":{"id":"0","items":[],"status":"inProgress"}}}"#,
            r#"{"id":1,"result":{"userAgent":"agentwire/0.1.0"}}"#,
        ]);
        client.initialize_as("unit");
        assert_eq!(
            client.transport_mut().sent,
            [
                r#"{"id":1,"method":"initialize","params":{"clientInfo":{"name":"unit","version":"1.0.0"}}}"#,
                r#"{"method":"initialized"}"#
            ]
        );
        assert_eq!(client.log().len(), 2, "the notification on the way is logged too");
        let directions: Vec<Direction> = client.transcript().iter().map(|(d, _)| *d).collect();
        assert_eq!(directions, [Direction::Sent, Direction::Received, Direction::Received, Direction::Sent]);
        assert!(client.transcript_text().starts_with(">> {\"id\":1,"), "{}", client.transcript_text());
    }

    #[test]
    #[should_panic(expected = "no message from the app-server within")]
    fn a_silent_server_fails_the_test_instead_of_hanging_it() {
        client(&[]).recv();
    }

    #[test]
    #[should_panic(expected = "v2/ServerNotification")]
    fn a_message_outside_the_protocol_fails_the_test() {
        client(&[r#"{"method":"turn/exploded","params":{}}"#]).recv();
    }

    #[test]
    #[should_panic(expected = "v2/InitializeResponse")]
    fn a_result_is_checked_against_its_method() {
        client(&[r#"{"id":1,"result":{"user_agent":"x"}}"#]).call("initialize", json!({}));
    }
}
