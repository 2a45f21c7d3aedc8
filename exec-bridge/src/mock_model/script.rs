//! The script a [`MockModel`](super::MockModel) plays: one entry per model request.
//!
//! A script is a JSON array. Each entry answers one model request (`POST /responses`, or
//! `POST /chat/completions` where it is streamed as chat chunks, see [`super::chat`]), in
//! order:
//!
//! - an array of Responses output items (`message`, `reasoning`, `function_call`,
//!   `custom_tool_call`): streamed as `response.created`, then per item `output_item.added`, its
//!   text deltas and `output_item.done`, then `response.completed` with usage;
//! - `{"items": [...], "usage": {...}}`: the same with the usage given;
//! - `{"sse": [event, ...]}`: these raw events, as they are;
//! - `{"status": 500}` (optionally `"retry_after": SECONDS`, `"body": "..."`): an HTTP error;
//! - `{"cut_after": N, "items": [...]}`: the first N events of the items' stream, then the
//!   connection closes mid-stream;
//! - `{"hang": "headers"}`: the request is read and never answered (no headers, the connection
//!   held open); `{"hang": "body"}`: the headers of a stream, then nothing;
//! - `{"body": "...", "repeat": N}`: a `200` event stream whose body is this text, N times
//!   (default once), as it is (garbage, events without an end, anything), then the connection
//!   closes.
//!
//! Any stream entry may add `"delay_ms": N` to wait before each event (for `body`, before each
//! repetition). Once the script is spent, every
//! further request gets the assistant message `done`, as the reference's test server does.
//! This is the format of `shared/peer/mock_responses.py`, extended with failures.

use serde::Deserialize;
use serde_json::{json, Value};

/// A whole script: what to answer to each model request, in order.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Script {
    /// The answers, in request order.
    pub turns: Vec<ScriptTurn>,
}

/// The answer to one model request.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ScriptTurn {
    /// Output items, streamed with computed usage.
    Items(Vec<Value>),
    /// Raw server-sent events.
    Raw {
        /// The events, each a JSON object with its `type`.
        sse: Vec<Value>,
        /// Wait this long before each event.
        #[serde(default)]
        delay_ms: u64,
    },
    /// An HTTP error status instead of a stream.
    Fail {
        /// The HTTP status, for example 429 or 500.
        status: u16,
        /// Sent as `Retry-After`, in seconds.
        #[serde(default)]
        retry_after: Option<u64>,
        /// The response body.
        #[serde(default)]
        body: Option<String>,
    },
    /// The stream of `items`, cut after `cut_after` events.
    Cut {
        /// How many events to send before closing the connection.
        cut_after: usize,
        /// The output items whose stream is cut.
        items: Vec<Value>,
    },
    /// Never answered, or never past the headers.
    Hang {
        /// Where the answer stops.
        hang: HangAt,
    },
    /// A raw stream body.
    Body {
        /// The text sent.
        body: String,
        /// How many times it is sent.
        #[serde(default = "once")]
        repeat: usize,
        /// Wait this long before each repetition.
        #[serde(default)]
        delay_ms: u64,
    },
    /// Output items with an explicit usage, and an optional delay.
    Detailed {
        /// The output items.
        items: Vec<Value>,
        /// The `usage` of `response.completed`.
        #[serde(default)]
        usage: Option<Value>,
        /// Wait this long before each event.
        #[serde(default)]
        delay_ms: u64,
    },
}

/// Where a hanging answer stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HangAt {
    /// Before the response headers: nothing is sent.
    Headers,
    /// After the headers of a stream: no event is sent.
    Body,
}

fn once() -> usize {
    1
}

impl Script {
    /// Reads a script from its JSON text.
    pub fn from_json(text: &str) -> Result<Script, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// What the server does for one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reply {
    /// Stream these events, then end the response normally (or cut it after `cut_after`).
    Stream { events: Frames, delay_ms: u64, cut_after: Option<usize> },
    /// Answer with an HTTP error.
    Fail { status: u16, retry_after: Option<u64>, body: String },
    /// Answer nothing (more).
    Hang(HangAt),
    /// Stream `body`, `repeat` times, then close.
    Body { body: String, repeat: usize, delay_ms: u64 },
}

impl ScriptTurn {
    /// The reply for request number `n` (from 0).
    pub(crate) fn reply(&self, n: usize) -> Reply {
        match self {
            ScriptTurn::Items(items) => Reply::Stream {
                events: Frames::of(&events_for(items, None, n)),
                delay_ms: 0,
                cut_after: None,
            },
            ScriptTurn::Detailed { items, usage, delay_ms } => Reply::Stream {
                events: Frames::of(&events_for(items, usage.clone(), n)),
                delay_ms: *delay_ms,
                cut_after: None,
            },
            ScriptTurn::Raw { sse, delay_ms } => {
                Reply::Stream { events: Frames::of(sse), delay_ms: *delay_ms, cut_after: None }
            }
            ScriptTurn::Cut { cut_after, items } => Reply::Stream {
                events: Frames::of(&events_for(items, None, n)),
                delay_ms: 0,
                cut_after: Some(*cut_after),
            },
            ScriptTurn::Hang { hang } => Reply::Hang(*hang),
            ScriptTurn::Body { body, repeat, delay_ms } => {
                Reply::Body { body: body.clone(), repeat: *repeat, delay_ms: *delay_ms }
            }
            ScriptTurn::Fail { status, retry_after, body } => Reply::Fail {
                status: *status,
                retry_after: *retry_after,
                body: body.clone().unwrap_or_else(|| format!("scripted failure {status}")),
            },
        }
    }

    /// The reply for request number `n` (from 0) to `POST …/chat/completions`: the same entry,
    /// its items as chat chunks (see [`super::chat`]); raw events are sent as `data:` lines,
    /// as they are.
    pub(crate) fn chat_reply(&self, n: usize) -> Reply {
        let chat = |items: &[Value], usage: Option<Value>| {
            Frames::of_data(&super::chat::chunks_for(items, usage, n), true)
        };
        match self {
            ScriptTurn::Items(items) => {
                Reply::Stream { events: chat(items, None), delay_ms: 0, cut_after: None }
            }
            ScriptTurn::Detailed { items, usage, delay_ms } => {
                Reply::Stream { events: chat(items, usage.clone()), delay_ms: *delay_ms, cut_after: None }
            }
            ScriptTurn::Raw { sse, delay_ms } => {
                Reply::Stream { events: Frames::of_data(sse, false), delay_ms: *delay_ms, cut_after: None }
            }
            ScriptTurn::Cut { cut_after, items } => {
                Reply::Stream { events: chat(items, None), delay_ms: 0, cut_after: Some(*cut_after) }
            }
            other => other.reply(n),
        }
    }

    /// The answer once the script is spent.
    pub(crate) fn spent() -> ScriptTurn {
        ScriptTurn::Items(vec![json!({
            "type": "message", "role": "assistant", "id": "msg_done",
            "content": [{"type": "output_text", "text": "done"}]
        })])
    }
}

/// A stream's server-sent events, rendered once (`event: TYPE\ndata: JSON\n\n` each) so that
/// serving them costs only the writes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Frames {
    bytes: std::sync::Arc<[u8]>,
    /// Where each frame ends in `bytes`.
    ends: std::sync::Arc<[usize]>,
}

impl Frames {
    pub(crate) fn of(events: &[Value]) -> Frames {
        use std::io::Write as _;
        let mut bytes = Vec::new();
        let mut ends = Vec::with_capacity(events.len());
        for event in events {
            let kind = event["type"].as_str().unwrap_or("message");
            // Writing to a Vec cannot fail.
            let _ = write!(bytes, "event: {kind}\ndata: {event}\n\n");
            ends.push(bytes.len());
        }
        Frames { bytes: bytes.into(), ends: ends.into() }
    }

    /// Chat Completions frames: `data: JSON\n\n` each, then `data: [DONE]\n\n` when `done`.
    pub(crate) fn of_data(events: &[Value], done: bool) -> Frames {
        use std::io::Write as _;
        let mut bytes = Vec::new();
        let mut ends = Vec::with_capacity(events.len() + 1);
        for event in events {
            // Writing to a Vec cannot fail.
            let _ = write!(bytes, "data: {event}\n\n");
            ends.push(bytes.len());
        }
        if done {
            bytes.extend_from_slice(b"data: [DONE]\n\n");
            ends.push(bytes.len());
        }
        Frames { bytes: bytes.into(), ends: ends.into() }
    }

    /// How many frames there are.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The bytes of frames `from..to`.
    pub(crate) fn range(&self, from: usize, to: usize) -> &[u8] {
        let start = if from == 0 { 0 } else { self.ends[from - 1] };
        let end = if to == 0 { 0 } else { self.ends[to - 1] };
        &self.bytes[start..end.max(start)]
    }
}

/// The Responses event stream for `items`: `response.created`, each item with its deltas,
/// `response.completed`.
pub(crate) fn events_for(items: &[Value], usage: Option<Value>, n: usize) -> Vec<Value> {
    let id = format!("resp_{n}");
    let mut events = vec![json!({"type": "response.created", "response": {"id": id}})];
    for (index, item) in items.iter().enumerate() {
        let mut added = item.clone();
        match item["type"].as_str() {
            Some("message") => added["content"] = json!([]),
            Some("reasoning") => added["summary"] = json!([]),
            _ => {}
        }
        events.push(json!({"type": "response.output_item.added", "output_index": index, "item": added}));
        if item["type"] == "message" {
            for text in text_parts(item, "content", "output_text") {
                for chunk in chunks(&text, 8) {
                    events.push(json!({
                        "type": "response.output_text.delta", "item_id": item["id"],
                        "output_index": index, "delta": chunk
                    }));
                }
            }
        }
        if item["type"] == "reasoning" {
            for (summary_index, text) in text_parts(item, "summary", "summary_text").into_iter().enumerate() {
                events.push(json!({
                    "type": "response.reasoning_summary_part.added", "item_id": item["id"],
                    "output_index": index, "summary_index": summary_index
                }));
                for chunk in chunks(&text, 8) {
                    events.push(json!({
                        "type": "response.reasoning_summary_text.delta", "item_id": item["id"],
                        "output_index": index, "summary_index": summary_index, "delta": chunk
                    }));
                }
            }
        }
        events.push(json!({"type": "response.output_item.done", "output_index": index, "item": item}));
    }
    let usage = usage.unwrap_or_else(|| default_usage(n));
    events.push(json!({"type": "response.completed", "response": {"id": id, "usage": usage}}));
    events
}

/// The usage reported for request number `n` when the script gives none.
pub(crate) fn default_usage(n: usize) -> Value {
    let n = n as u64;
    json!({
        "input_tokens": 100 + n, "input_tokens_details": {"cached_tokens": 10},
        "output_tokens": 20 + n, "output_tokens_details": {"reasoning_tokens": 5},
        "total_tokens": 120 + 2 * n
    })
}

/// `text` in pieces of at most `size` characters.
pub(crate) fn chunks(text: &str, size: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

/// The `text` of each part of `item[field]` whose `type` is `part_type`, in a script's raw JSON
/// item: the output text of a `message` (`content`, `output_text`), the summary of a
/// `reasoning` item (`summary`, `summary_text`), …
pub(crate) fn text_parts(item: &Value, field: &str, part_type: &str) -> Vec<String> {
    item[field]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|part| part["type"] == part_type)
        .filter_map(|part| part["text"].as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_form_reads() {
        let script = Script::from_json(
            r#"[
                [{"type":"message","role":"assistant","id":"m","content":[{"type":"output_text","text":"hello world"}]}],
                {"sse":[{"type":"response.created"}]},
                {"status":429,"retry_after":1},
                {"cut_after":2,"items":[]},
                {"items":[],"usage":{"input_tokens":1,"output_tokens":2},"delay_ms":5},
                {"hang":"headers"},
                {"body":"data: x\n\n","repeat":3}
            ]"#,
        )
        .unwrap();
        assert!(matches!(script.turns[0], ScriptTurn::Items(_)));
        assert!(matches!(script.turns[1], ScriptTurn::Raw { .. }));
        assert!(matches!(script.turns[2], ScriptTurn::Fail { status: 429, retry_after: Some(1), .. }));
        assert!(matches!(script.turns[3], ScriptTurn::Cut { cut_after: 2, .. }));
        assert!(matches!(script.turns[4], ScriptTurn::Detailed { delay_ms: 5, .. }));
        assert!(matches!(script.turns[5], ScriptTurn::Hang { hang: HangAt::Headers }));
        assert!(matches!(script.turns[6], ScriptTurn::Body { repeat: 3, delay_ms: 0, .. }));
    }

    #[test]
    fn a_message_streams_as_deltas_between_added_and_done() {
        let Reply::Stream { events, .. } = Script::from_json(
            r#"[[{"type":"message","role":"assistant","id":"m","content":[{"type":"output_text","text":"hello world"}]}]]"#,
        )
        .unwrap()
        .turns[0]
            .reply(0)
        else {
            panic!()
        };
        let events: Vec<Value> = (0..events.len())
            .map(|i| {
                let frame = std::str::from_utf8(events.range(i, i + 1)).unwrap();
                serde_json::from_str(frame.split_once("data: ").unwrap().1.trim()).unwrap()
            })
            .collect();
        let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "response.created",
                "response.output_item.added",
                "response.output_text.delta",
                "response.output_text.delta",
                "response.output_item.done",
                "response.completed"
            ]
        );
        assert_eq!(events[2]["delta"], "hello wo");
        assert_eq!(events[5]["response"]["usage"]["input_tokens"], 100);
    }
}
