//! The Responses API stream events the runtime consumes, and the usage of a response.

use serde_json::Value;

/// Token usage of one model response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenUsage {
    /// Input tokens, cached ones included.
    pub input_tokens: u64,
    /// The part of the input served from the prompt cache.
    pub cached_input_tokens: u64,
    /// Output tokens, reasoning included.
    pub output_tokens: u64,
}

impl TokenUsage {
    /// Reads the `usage` object of `response.completed`.
    pub fn from_json(usage: &Value) -> TokenUsage {
        let n = |v: &Value| v.as_u64().unwrap_or(0);
        TokenUsage {
            input_tokens: n(&usage["input_tokens"]),
            cached_input_tokens: n(&usage["input_tokens_details"]["cached_tokens"]),
            output_tokens: n(&usage["output_tokens"]),
        }
    }

    /// Adds another response's usage.
    pub fn add(&mut self, other: TokenUsage) {
        self.input_tokens += other.input_tokens;
        self.cached_input_tokens += other.cached_input_tokens;
        self.output_tokens += other.output_tokens;
    }
}

/// Something the model streams while it answers, for live display.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamDelta {
    /// An output item began.
    ItemAdded {
        /// The item as announced (its content still empty).
        item: Value,
    },
    /// More text of an assistant message.
    OutputText {
        /// The message item's id.
        item_id: String,
        /// The text to append.
        delta: String,
    },
    /// A new reasoning summary part began.
    ReasoningSummaryPartAdded {
        /// The reasoning item's id.
        item_id: String,
        /// The part's index.
        summary_index: i64,
    },
    /// More text of a reasoning summary part.
    ReasoningSummaryText {
        /// The reasoning item's id.
        item_id: String,
        /// The part's index.
        summary_index: i64,
        /// The text to append.
        delta: String,
    },
    /// More raw reasoning text.
    ReasoningText {
        /// The reasoning item's id.
        item_id: String,
        /// The content part's index.
        content_index: i64,
        /// The text to append.
        delta: String,
    },
}

/// One event of the stream, as far as the runtime cares.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseEvent {
    /// Live progress.
    Delta(StreamDelta),
    /// An output item is complete.
    ItemDone(Value),
    /// The response is complete.
    Completed(TokenUsage),
    /// The model server reports the response failed.
    Failed(String),
    /// Anything else (`response.created`, `response.in_progress`, …).
    Other,
}

impl ResponseEvent {
    /// Interprets one event's JSON data.
    pub fn from_json(event: &Value) -> ResponseEvent {
        let text = |key: &str| event[key].as_str().unwrap_or_default().to_owned();
        let index = |key: &str| event[key].as_i64().unwrap_or(0);
        match event["type"].as_str().unwrap_or_default() {
            "response.output_item.added" => {
                ResponseEvent::Delta(StreamDelta::ItemAdded { item: event["item"].clone() })
            }
            "response.output_text.delta" => ResponseEvent::Delta(StreamDelta::OutputText {
                item_id: text("item_id"),
                delta: text("delta"),
            }),
            "response.reasoning_summary_part.added" => {
                ResponseEvent::Delta(StreamDelta::ReasoningSummaryPartAdded {
                    item_id: text("item_id"),
                    summary_index: index("summary_index"),
                })
            }
            "response.reasoning_summary_text.delta" => {
                ResponseEvent::Delta(StreamDelta::ReasoningSummaryText {
                    item_id: text("item_id"),
                    summary_index: index("summary_index"),
                    delta: text("delta"),
                })
            }
            "response.reasoning_text.delta" => ResponseEvent::Delta(StreamDelta::ReasoningText {
                item_id: text("item_id"),
                content_index: index("content_index"),
                delta: text("delta"),
            }),
            "response.output_item.done" => ResponseEvent::ItemDone(event["item"].clone()),
            "response.completed" => {
                ResponseEvent::Completed(TokenUsage::from_json(&event["response"]["usage"]))
            }
            "response.failed" => {
                let error = &event["response"]["error"];
                let message =
                    error["message"].as_str().map(str::to_owned).unwrap_or_else(|| error.to_string());
                ResponseEvent::Failed(message)
            }
            _ => ResponseEvent::Other,
        }
    }
}
