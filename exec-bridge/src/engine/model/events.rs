//! The Responses API stream events the runtime consumes, typed, and the usage of a response.

use serde::Deserialize;
use serde_json::Value;

use super::items::ResponseItem;

/// Token usage of one model response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenUsage {
    /// Input tokens, cached ones included.
    pub input_tokens: u64,
    /// The part of the input served from the prompt cache.
    pub cached_input_tokens: u64,
    /// Output tokens, reasoning included.
    pub output_tokens: u64,
    /// The part of the output spent reasoning.
    pub reasoning_output_tokens: u64,
}

impl TokenUsage {
    /// Adds another response's usage (saturating: the counts are the model server's word).
    pub fn add(&mut self, other: TokenUsage) {
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.cached_input_tokens = self.cached_input_tokens.saturating_add(other.cached_input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        self.reasoning_output_tokens =
            self.reasoning_output_tokens.saturating_add(other.reasoning_output_tokens);
    }

    /// Input and output tokens.
    pub fn total(&self) -> u64 {
        self.input_tokens.saturating_add(self.output_tokens)
    }
}

/// Something the model streams while it answers, for live display.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamDelta {
    /// An output item began.
    ItemAdded {
        /// The item as announced (its content still empty).
        item: ResponseItem,
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

/// One event of the stream, as far as the runtime cares, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type")]
pub enum ResponseEvent {
    /// An output item began.
    #[serde(rename = "response.output_item.added")]
    OutputItemAdded {
        /// The item as announced.
        item: Value,
    },
    /// More text of an assistant message.
    #[serde(rename = "response.output_text.delta")]
    OutputTextDelta {
        /// The message item's id.
        item_id: String,
        /// The text to append.
        delta: String,
    },
    /// A new reasoning summary part began.
    #[serde(rename = "response.reasoning_summary_part.added")]
    ReasoningSummaryPartAdded {
        /// The reasoning item's id.
        item_id: String,
        /// The part's index.
        summary_index: i64,
    },
    /// More text of a reasoning summary part.
    #[serde(rename = "response.reasoning_summary_text.delta")]
    ReasoningSummaryTextDelta {
        /// The reasoning item's id.
        item_id: String,
        /// The part's index.
        summary_index: i64,
        /// The text to append.
        delta: String,
    },
    /// More raw reasoning text.
    #[serde(rename = "response.reasoning_text.delta")]
    ReasoningTextDelta {
        /// The reasoning item's id.
        item_id: String,
        /// The content part's index.
        content_index: i64,
        /// The text to append.
        delta: String,
    },
    /// An output item is complete.
    #[serde(rename = "response.output_item.done")]
    OutputItemDone {
        /// The item.
        item: Value,
    },
    /// The response is complete.
    #[serde(rename = "response.completed")]
    Completed {
        /// The response, for its usage.
        response: CompletedResponse,
    },
    /// The model server reports the response failed.
    #[serde(rename = "response.failed")]
    Failed {
        /// The response, for its error.
        response: FailedResponse,
    },
    /// Anything else (`response.created`, `response.in_progress`, …).
    #[serde(other)]
    Other,
}

/// The part of `response.completed` the runtime reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CompletedResponse {
    /// The tokens used.
    #[serde(default)]
    pub usage: Option<Usage>,
}

/// The `usage` object of a response.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Usage {
    /// Input tokens.
    #[serde(default)]
    pub input_tokens: u64,
    /// Details of the input tokens.
    #[serde(default)]
    pub input_tokens_details: Option<InputTokensDetails>,
    /// Output tokens.
    #[serde(default)]
    pub output_tokens: u64,
    /// Details of the output tokens.
    #[serde(default)]
    pub output_tokens_details: Option<OutputTokensDetails>,
}

/// How the output tokens break down.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct OutputTokensDetails {
    /// Spent reasoning.
    #[serde(default)]
    pub reasoning_tokens: u64,
}

/// How the input tokens break down.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct InputTokensDetails {
    /// Served from the prompt cache.
    #[serde(default)]
    pub cached_tokens: u64,
}

/// The part of `response.failed` the runtime reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FailedResponse {
    /// What went wrong: `{"message": …}` or anything else.
    #[serde(default)]
    pub error: Value,
}

/// What one event means for the client.
#[derive(Debug, Clone, PartialEq)]
pub enum Interpreted {
    /// Live progress.
    Delta(StreamDelta),
    /// An output item is complete.
    ItemDone(ResponseItem),
    /// The response is complete.
    Completed(TokenUsage),
    /// The response failed, with the server's message.
    Failed(String),
    /// Nothing the runtime needs.
    Other,
}

impl ResponseEvent {
    /// What the event means.
    pub fn interpret(self) -> Interpreted {
        use Interpreted::Delta;
        match self {
            ResponseEvent::OutputItemAdded { item } => {
                Delta(StreamDelta::ItemAdded { item: ResponseItem::from_value(item) })
            }
            ResponseEvent::OutputTextDelta { item_id, delta } => {
                Delta(StreamDelta::OutputText { item_id, delta })
            }
            ResponseEvent::ReasoningSummaryPartAdded { item_id, summary_index } => {
                Delta(StreamDelta::ReasoningSummaryPartAdded { item_id, summary_index })
            }
            ResponseEvent::ReasoningSummaryTextDelta { item_id, summary_index, delta } => {
                Delta(StreamDelta::ReasoningSummaryText { item_id, summary_index, delta })
            }
            ResponseEvent::ReasoningTextDelta { item_id, content_index, delta } => {
                Delta(StreamDelta::ReasoningText { item_id, content_index, delta })
            }
            ResponseEvent::OutputItemDone { item } => Interpreted::ItemDone(ResponseItem::from_value(item)),
            ResponseEvent::Completed { response } => {
                let usage = response.usage.unwrap_or_default();
                Interpreted::Completed(TokenUsage {
                    input_tokens: usage.input_tokens,
                    cached_input_tokens: usage.input_tokens_details.map_or(0, |d| d.cached_tokens),
                    output_tokens: usage.output_tokens,
                    reasoning_output_tokens: usage.output_tokens_details.map_or(0, |d| d.reasoning_tokens),
                })
            }
            ResponseEvent::Failed { response } => Interpreted::Failed(
                response.error["message"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| response.error.to_string()),
            ),
            ResponseEvent::Other => Interpreted::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(event: Value) -> Result<Interpreted, serde_json::Error> {
        serde_json::from_value::<ResponseEvent>(event).map(ResponseEvent::interpret)
    }

    #[test]
    fn events_read_into_what_they_mean() {
        assert_eq!(
            read(json!({"type": "response.output_text.delta", "item_id": "m", "delta": "hi", "output_index": 0}))
                .unwrap(),
            Interpreted::Delta(StreamDelta::OutputText { item_id: "m".into(), delta: "hi".into() })
        );
        assert_eq!(
            read(json!({"type": "response.completed", "response": {"id": "r", "usage": {
                "input_tokens": 10, "input_tokens_details": {"cached_tokens": 4}, "output_tokens": 3,
                "output_tokens_details": {"reasoning_tokens": 2}}}}))
            .unwrap(),
            Interpreted::Completed(TokenUsage {
                input_tokens: 10,
                cached_input_tokens: 4,
                output_tokens: 3,
                reasoning_output_tokens: 2
            })
        );
        assert_eq!(
            read(json!({"type": "response.failed", "response": {"error": {"message": "overloaded"}}}))
                .unwrap(),
            Interpreted::Failed("overloaded".into())
        );
        assert_eq!(read(json!({"type": "response.created", "response": {}})).unwrap(), Interpreted::Other);
    }

    #[test]
    fn a_malformed_known_event_is_an_error_not_an_empty_delta() {
        assert!(read(json!({"type": "response.output_text.delta", "delta": "hi"})).is_err());
    }

    #[test]
    fn usage_adds_up_without_overflowing() {
        let huge = TokenUsage { input_tokens: u64::MAX, output_tokens: u64::MAX, ..TokenUsage::default() };
        let mut total = huge;
        total.add(huge);
        assert_eq!((total.input_tokens, total.total()), (u64::MAX, u64::MAX));
    }
}
