//! The HTTP side of the scripted model server: a small HTTP/1.1 server on loopback that answers
//! `POST …/responses` and `POST …/chat/completions` from the script, lists its models as LM
//! Studio (`GET …/models`) and Ollama (`GET /api/tags`) do, and records every request.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::listing::Listing;
use super::script::{Frames, HangAt, Reply, Script, ScriptTurn};

/// The head of a streamed response whose end closes the connection (one that is cut, paced or
/// held open, where the length is not known up front or must not be announced).
const STREAM_HEAD: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n";

/// The head of a whole stream sent at once: its length is known, so the connection stays open
/// for the next request (as a real server keeps it alive).
fn sized_stream_head(length: usize) -> String {
    format!("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ncontent-length: {length}\r\n\r\n")
}

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedRequest {
    /// The HTTP method, for example `POST`.
    pub method: String,
    /// The request path, for example `/v1/responses`.
    pub path: String,
    /// The headers, names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The body as JSON (`null` when it was empty or not JSON).
    pub body: Value,
}

/// A request as it arrived: its body kept as bytes, read as JSON only when asked for (the
/// server answers without reading most of it).
#[derive(Debug)]
pub(crate) struct Received {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Received {
    /// The request with its body read as JSON (`null` when it was empty or not JSON).
    pub(crate) fn recorded(&self) -> RecordedRequest {
        RecordedRequest {
            method: self.method.clone(),
            path: self.path.clone(),
            headers: self.headers.clone(),
            body: serde_json::from_slice(&self.body).unwrap_or(Value::Null),
        }
    }

    /// The API of a model request; `None` for any other request.
    fn model_api(&self) -> Option<Api> {
        match self.method.as_str() {
            "POST" if self.path.ends_with("/responses") => Some(Api::Responses),
            "POST" if self.path.ends_with("/chat/completions") => Some(Api::Chat),
            _ => None,
        }
    }
}

/// The API a model request speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Responses,
    Chat,
}

/// State shared by the connections of one server.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The reply to each request of the script, rendered when the server starts.
    replies: Vec<Reply>,
    /// The script, for replies in Chat Completions (rendered when asked for).
    turns: Vec<ScriptTurn>,
    pub(crate) next: usize,
    pub(crate) requests: Vec<Received>,
    /// The models the server lists.
    pub(crate) models: Vec<String>,
}

impl Shared {
    /// The state of a server playing `script`: every reply rendered now, before any request.
    pub(crate) fn new(script: &Script) -> Shared {
        let replies = script.turns.iter().enumerate().map(|(n, turn)| turn.reply(n)).collect();
        Shared { replies, turns: script.turns.clone(), next: 0, requests: Vec::new(), models: Vec::new() }
    }
}

/// Accepts connections until the listener fails or the task is dropped. The connections end
/// with it: a kept-alive one must not go on answering from this script once the server is
/// gone (a client's pool would otherwise reach it again).
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Mutex<Shared>>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { return };
                // Each reply goes out in a few writes (head, then frames): none may wait for
                // an ACK.
                let _ = stream.set_nodelay(true);
                connections.spawn(connection(stream, shared.clone()));
            }
            // Finished connections are let go of as they end.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Serves one connection: requests one after another until the peer closes it or a reply
/// closes it (a stream, or a cut).
async fn connection(stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let mut stream = BufReader::new(stream);
    loop {
        let Ok(Some(request)) = read_request(&mut stream).await else { return };
        let api = request.model_api();
        // Refused before the script is consulted, as the real API refuses it.
        let refusal = match api {
            Some(Api::Responses) => super::validation::unanswered_call(&request.body),
            Some(Api::Chat) => super::chat::unanswered_call(&request.body),
            None => None,
        };
        let listing = (request.method == "GET").then(|| Listing::of(&request.path)).flatten();
        let (reply, models) = {
            let mut shared = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            shared.requests.push(request);
            let reply = match (refusal, api) {
                (Some(body), _) => Some(Reply::Fail { status: 400, retry_after: None, body }),
                (None, Some(api)) => {
                    let n = shared.next;
                    shared.next += 1;
                    let turn = shared.turns.get(n).cloned().unwrap_or_else(ScriptTurn::spent);
                    Some(match api {
                        Api::Responses => shared.replies.get(n).cloned().unwrap_or_else(|| turn.reply(n)),
                        Api::Chat => turn.chat_reply(n),
                    })
                }
                (None, None) => None,
            };
            (reply, listing.map(|_| shared.models.clone()))
        };
        let keep_open = match reply {
            None => match (listing, models) {
                (Some(listing), Some(models)) => {
                    write_simple(&mut stream, 200, &[], &listing.body(&models)).await
                }
                _ => {
                    let text = "not found: the mock model answers POST …/responses, POST …/chat/completions, GET …/models and GET /api/tags";
                    write_simple(&mut stream, 404, &[], text).await
                }
            },
            Some(Reply::Fail { status, retry_after, body }) => {
                let retry = retry_after.map(|s| ("retry-after", s.to_string()));
                write_simple(&mut stream, status, retry.as_slice(), &body).await
            }
            Some(Reply::Stream { events, delay_ms, cut_after }) => {
                write_stream(&mut stream, &events, delay_ms, cut_after).await
            }
            Some(Reply::Hang(at)) => {
                if at == HangAt::Body {
                    let _ = stream.get_mut().write_all(STREAM_HEAD.as_bytes()).await;
                }
                // Held open until the server stops.
                std::future::pending::<()>().await;
                false
            }
            Some(Reply::Body { body, repeat, delay_ms }) => {
                write_body(&mut stream, &body, repeat, delay_ms).await;
                false
            }
        };
        if !keep_open {
            return;
        }
    }
}

/// Reads one request; `None` when the peer closed the connection first.
async fn read_request(stream: &mut BufReader<TcpStream>) -> std::io::Result<Option<Received>> {
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if stream.read_line(&mut header).await? == 0 {
            return Ok(None);
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(Some(Received { method, path, headers, body }))
}

/// Writes a whole response with a body; says whether the connection stays open.
async fn write_simple(
    stream: &mut BufReader<TcpStream>,
    status: u16,
    extra: &[(&str, String)],
    body: &str,
) -> bool {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\n",
        reason(status),
        if body.starts_with('{') { "application/json" } else { "text/plain" },
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let stream = stream.get_mut();
    stream.write_all(head.as_bytes()).await.is_ok() && stream.write_all(body.as_bytes()).await.is_ok()
}

/// How many frames a stream without delay sends per write.
const STREAM_BATCH: usize = 512;

/// Streams `events` as server-sent events; says whether the connection stays open. A whole
/// stream without delay goes out with its length, as fast as the connection takes it, up to
/// [`STREAM_BATCH`] frames a write (as a real server's do), and the connection stays open. A
/// paced one (each frame on its own after `delay_ms`) or a cut one (after `cut_after` events,
/// without ending the stream properly) ends by closing the connection.
async fn write_stream(
    stream: &mut BufReader<TcpStream>,
    events: &Frames,
    delay_ms: u64,
    cut_after: Option<usize>,
) -> bool {
    let stream = stream.get_mut();
    let whole = delay_ms == 0 && cut_after.is_none();
    let count = cut_after.unwrap_or(events.len()).min(events.len());
    let step = if delay_ms > 0 { 1 } else { STREAM_BATCH };
    let mut sent = 0;
    let mut head = if whole {
        sized_stream_head(events.range(0, events.len()).len()).into_bytes()
    } else {
        STREAM_HEAD.as_bytes().to_vec()
    };
    if whole {
        // The head and the first frames in one write.
        sent = step.min(count);
        head.extend_from_slice(events.range(0, sent));
    }
    if stream.write_all(&head).await.is_err() {
        return false;
    }
    while sent < count {
        if delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        }
        let next = (sent + step).min(count);
        if stream.write_all(events.range(sent, next)).await.is_err() || stream.flush().await.is_err() {
            return false;
        }
        sent = next;
    }
    if whole {
        return true;
    }
    let _ = stream.shutdown().await;
    false
}

/// Streams `body`, `repeat` times (waiting `delay_ms` before each), then closes the
/// connection.
async fn write_body(stream: &mut BufReader<TcpStream>, body: &str, repeat: usize, delay_ms: u64) {
    let stream = stream.get_mut();
    if stream.write_all(STREAM_HEAD.as_bytes()).await.is_err() {
        return;
    }
    for _ in 0..repeat {
        if delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        }
        if stream.write_all(body.as_bytes()).await.is_err() || stream.flush().await.is_err() {
            return;
        }
    }
    let _ = stream.shutdown().await;
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Binds a listener on loopback.
pub(crate) async fn bind(port: u16) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;

    use serde_json::json;

    use crate::mock_model::{MockModel, Script};

    /// One response read off `reader`: its head, and its body (to its length, or to the end of
    /// the connection when it has none).
    fn response(reader: &mut BufReader<TcpStream>) -> (String, String) {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            head.push_str(&line);
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        let length = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length: "))
            .map(|n| n.trim().parse::<usize>().unwrap());
        let mut body = Vec::new();
        match length {
            Some(length) => {
                body.resize(length, 0);
                reader.read_exact(&mut body).unwrap();
            }
            None => drop(reader.read_to_end(&mut body).unwrap()),
        }
        (head, String::from_utf8(body).unwrap())
    }

    fn post(stream: &mut TcpStream, body: &str) {
        let request =
            format!("POST /v1/responses HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n{body}", body.len());
        stream.write_all(request.as_bytes()).unwrap();
    }

    #[test]
    fn a_whole_stream_keeps_the_connection_open_and_a_cut_one_closes_it() {
        let message = |text: &str| json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]});
        let script =
            json!([[message("one")], [message("two")], {"cut_after": 1, "items": [message("three")]}]);
        let model = MockModel::spawn(Script::from_json(&script.to_string()).unwrap()).unwrap();
        let mut stream =
            TcpStream::connect(model.base_url().trim_start_matches("http://").trim_end_matches("/v1"))
                .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let body = json!({"model": "m", "input": []}).to_string();
        for text in ["one", "two"] {
            post(&mut stream, &body);
            let (head, events) = response(&mut reader);
            assert!(head.contains("content-length: ") && !head.contains("connection: close"), "{head}");
            assert!(events.contains(text) && events.ends_with("\n\n"), "{events}");
            assert!(events.contains("event: response.completed"), "{events}");
        }
        // The cut stream has no length: the connection's end is its end.
        post(&mut stream, &body);
        let (head, events) = response(&mut reader);
        assert!(head.contains("connection: close"), "{head}");
        assert!(!events.contains("response.completed"), "{events}");
        assert_eq!(model.model_requests().len(), 3);
        assert_eq!(model.requests()[0].body, json!({"model": "m", "input": []}));
    }
}
