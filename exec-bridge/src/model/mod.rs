//! The model side: an OpenAI Responses-compatible server over HTTP and server-sent events.

pub mod client;
pub mod events;
pub mod request;
pub mod sse;

pub use client::{ClientEvent, Endpoint, ModelClient, ModelError, ModelResponse};
pub use events::{StreamDelta, TokenUsage};

use serde_json::Value;

/// The `text` of each part of `item[field]` whose `type` is `part_type`: the output text of a
/// `message` (`content`, `output_text`), the summary of a `reasoning` item (`summary`,
/// `summary_text`), …
pub fn text_parts(item: &Value, field: &str, part_type: &str) -> Vec<String> {
    item[field]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|part| part["type"] == part_type)
        .filter_map(|part| part["text"].as_str().map(str::to_owned))
        .collect()
}
