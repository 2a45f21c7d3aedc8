//! The model side: an OpenAI Responses-compatible server over HTTP and server-sent events, and
//! the typed items and events of that API.

pub mod client;
pub mod events;
pub mod items;
pub mod request;
pub mod sse;

pub use client::{ClientEvent, Endpoint, ModelClient, ModelError, ModelResponse};
pub use events::{StreamDelta, TokenUsage};
pub use items::{ContentPart, KnownItem, ResponseItem};

use serde_json::Value;

/// The `text` of each part of `item[field]` whose `type` is `part_type`, in a raw JSON item (the
/// scripted model server's scripts, session previews): the output text of a `message`
/// (`content`, `output_text`), the summary of a `reasoning` item (`summary`, `summary_text`), …
pub fn text_parts(item: &Value, field: &str, part_type: &str) -> Vec<String> {
    item[field]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|part| part["type"] == part_type)
        .filter_map(|part| part["text"].as_str().map(str::to_owned))
        .collect()
}
