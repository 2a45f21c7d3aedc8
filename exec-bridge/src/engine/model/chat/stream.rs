//! A streamed Chat Completions answer made into Responses items: the chunks' `content` becomes
//! an assistant message, their `reasoning` (or `reasoning_content`) raw reasoning, their
//! `tool_calls` function calls (the pieces of each call joined by its `index`), and `usage`,
//! when the server sends it, the response's usage.
//!
//! The answer is complete at `data: [DONE]`, or when the stream ends (or goes idle) after a
//! choice gave its `finish_reason` (some servers send no `[DONE]`); a stream that ends before
//! either is broken. An answer cut by the server (`finish_reason` `length` or
//! `content_filter`) fails: half a message is no answer, and half a call's arguments no call.
//! Only the first choice is read (the request asks for one). `null` stands for a missing field
//! wherever it appears, as proxies send it.
//!
//! Tool calls are put together by their `index`, except that a piece with a new `id` at an
//! index whose call already has one starts a call of its own (Ollama sends parallel calls
//! whole, each at index 0). At most [`MAX_CALLS`] calls make one answer.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::super::client::{Attempt, ModelError, ModelResponse};
use super::super::events::{StreamDelta, TokenUsage};
use super::super::items::{ContentPart, KnownItem, ReasoningPart, ResponseItem};
use super::super::stream::{cannot_read, Decoder};

/// The most tool calls one answer may make.
pub const MAX_CALLS: usize = 128;

/// One chunk of the stream, as far as the runtime reads it (every field may be missing or
/// `null`).
#[derive(Debug, Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Option<Vec<Choice>>,
    #[serde(default)]
    usage: Option<Usage>,
    /// Some servers report a failure inside the stream.
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    /// Ollama and LM Studio name reasoning `reasoning`; others `reasoning_content`.
    #[serde(default, alias = "reasoning_content")]
    reasoning: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallDelta>>,
}

#[derive(Debug, Deserialize)]
struct ToolCallDelta {
    /// Which call this piece belongs to; servers that send each call whole may leave it out.
    #[serde(default)]
    index: Option<u64>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Debug, Default, Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
    #[serde(default)]
    prompt_tokens_details: Option<PromptTokensDetails>,
    #[serde(default)]
    completion_tokens_details: Option<CompletionTokensDetails>,
}

#[derive(Debug, Deserialize)]
struct CompletionTokensDetails {
    #[serde(default)]
    reasoning_tokens: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct PromptTokensDetails {
    #[serde(default)]
    cached_tokens: Option<u64>,
}

/// A call being put together.
#[derive(Debug, Default)]
struct PartialCall {
    id: Option<String>,
    name: String,
    arguments: String,
}

/// Puts one streamed answer together.
#[derive(Debug)]
pub struct ChatDecoder {
    /// The ids given to this answer's message and reasoning, made by the client (the API gives
    /// items none).
    message_id: String,
    reasoning_id: String,
    text: Option<String>,
    reasoning: Option<String>,
    /// The calls, in the order they began.
    calls: Vec<PartialCall>,
    /// For each index the server used, the call it now stands for.
    by_index: HashMap<u64, usize>,
    /// The `finish_reason` the server gave, once it gave one.
    finish: Option<String>,
    usage: TokenUsage,
}

impl ChatDecoder {
    /// A decoder for answer number `n` of a conversation (its items' ids carry it).
    pub fn new(n: u64) -> ChatDecoder {
        ChatDecoder {
            message_id: format!("chat_msg_{n}"),
            reasoning_id: format!("chat_rs_{n}"),
            text: None,
            reasoning: None,
            calls: Vec::new(),
            by_index: HashMap::new(),
            finish: None,
            usage: TokenUsage::default(),
        }
    }

    fn take_delta(&mut self, delta: Delta, deltas: &mut Vec<StreamDelta>) -> Result<(), Attempt> {
        if let Some(text) = delta.reasoning.filter(|text| !text.is_empty()) {
            let started = self.reasoning.is_some();
            if !started {
                deltas.push(StreamDelta::ItemAdded { item: self.reasoning_item(String::new()) });
            }
            self.reasoning.get_or_insert_with(String::new).push_str(&text);
            deltas.push(StreamDelta::ReasoningText {
                item_id: self.reasoning_id.clone(),
                content_index: 0,
                delta: text,
            });
        }
        if let Some(text) = delta.content.filter(|text| !text.is_empty()) {
            if self.text.is_none() {
                deltas.push(StreamDelta::ItemAdded { item: self.message_item(String::new()) });
            }
            self.text.get_or_insert_with(String::new).push_str(&text);
            deltas.push(StreamDelta::OutputText { item_id: self.message_id.clone(), delta: text });
        }
        for piece in delta.tool_calls.unwrap_or_default() {
            self.take_call_piece(piece)?;
        }
        Ok(())
    }

    /// Adds one piece of a tool call to the call it belongs to (see the module docs).
    fn take_call_piece(&mut self, piece: ToolCallDelta) -> Result<(), Attempt> {
        let id = piece.id.filter(|id| !id.is_empty());
        let function = piece.function.unwrap_or_default();
        let name = function.name.unwrap_or_default();
        let arguments = function.arguments.unwrap_or_default();
        if id.is_none() && name.is_empty() && arguments.is_empty() {
            return Ok(());
        }
        let known = match piece.index {
            Some(index) => self.by_index.get(&index).copied(),
            // Without an index: the call with this id, else the last one for a bare piece.
            None => match &id {
                Some(id) => self.calls.iter().position(|call| call.id.as_ref() == Some(id)),
                None if name.is_empty() => self.calls.len().checked_sub(1),
                None => None,
            },
        };
        // A new id where the call already has another one is a new call.
        let continues = |call: &PartialCall| match (&call.id, &id) {
            (Some(had), Some(new)) => had == new,
            _ => true,
        };
        let position = match known.filter(|&at| continues(&self.calls[at])) {
            Some(at) => at,
            None => {
                if self.calls.len() == MAX_CALLS {
                    return Err(Attempt::Fatal(ModelError::Unreadable(format!(
                        "the answer makes more than {MAX_CALLS} tool calls"
                    ))));
                }
                self.calls.push(PartialCall::default());
                self.calls.len() - 1
            }
        };
        if let Some(index) = piece.index {
            self.by_index.insert(index, position);
        }
        let call = &mut self.calls[position];
        if id.is_some() {
            call.id = id;
        }
        call.name.push_str(&name);
        call.arguments.push_str(&arguments);
        Ok(())
    }

    fn message_item(&self, text: String) -> ResponseItem {
        let content = if text.is_empty() { Vec::new() } else { vec![ContentPart::OutputText { text }] };
        ResponseItem::Known(KnownItem::Message {
            id: Some(self.message_id.clone()),
            role: "assistant".to_owned(),
            content,
        })
    }

    fn reasoning_item(&self, text: String) -> ResponseItem {
        let content = if text.is_empty() { Vec::new() } else { vec![ReasoningPart::ReasoningText { text }] };
        ResponseItem::Known(KnownItem::Reasoning {
            id: Some(self.reasoning_id.clone()),
            summary: Vec::new(),
            content: Some(content),
            encrypted_content: None,
        })
    }

    /// The answer, as Responses items (reasoning, message, calls), once it is complete: an
    /// answer the server cut, or that has nothing in it, is no answer.
    fn response(&mut self) -> Result<ModelResponse, Attempt> {
        match self.finish.as_deref() {
            Some("length") => {
                return Err(Attempt::Fatal(ModelError::ResponseFailed(
                    "the model reached its output token limit before it finished (finish_reason: length); ask for less, or raise the server's limit".into(),
                )))
            }
            Some("content_filter") => {
                return Err(Attempt::Fatal(ModelError::ResponseFailed(
                    "the server's content filter stopped the answer (finish_reason: content_filter)".into(),
                )))
            }
            _ => {}
        }
        if self.finish.is_none() && self.text.is_none() && self.reasoning.is_none() && self.calls.is_empty() {
            return Err(Attempt::broken(
                "the stream ended without an answer (no content, no finish_reason)".into(),
            ));
        }
        let mut items = Vec::new();
        if let Some(text) = self.reasoning.take() {
            items.push(self.reasoning_item(text));
        }
        if let Some(text) = self.text.take() {
            items.push(self.message_item(text));
        }
        for (index, call) in std::mem::take(&mut self.calls).into_iter().enumerate() {
            items.push(ResponseItem::Known(KnownItem::FunctionCall {
                id: None,
                // A call without an id still needs one to be answered.
                call_id: call.id.unwrap_or_else(|| format!("{}_call_{index}", self.message_id)),
                name: call.name,
                arguments: call.arguments,
            }));
        }
        Ok(ModelResponse { items, usage: self.usage })
    }
}

/// Decodes a whole recorded stream at once, given the data of each of its events, in order
/// (as a replay, or a test, holds them): the answer, or why the stream is not a complete one.
pub fn decode<'a>(events: impl IntoIterator<Item = &'a str>) -> Result<ModelResponse, String> {
    let mut decoder = ChatDecoder::new(0);
    let mut deltas = Vec::new();
    let failed = |attempt: Attempt| match attempt {
        Attempt::Fatal(error) => error.to_string(),
        Attempt::Retry(failure) => failure.reason,
    };
    for data in events {
        deltas.clear();
        if let Some(response) = decoder.event(data, &mut deltas).map_err(failed)? {
            return Ok(response);
        }
    }
    decoder.end().map_err(failed)
}

impl Decoder for ChatDecoder {
    fn event(&mut self, data: &str, deltas: &mut Vec<StreamDelta>) -> Result<Option<ModelResponse>, Attempt> {
        if data.trim() == "[DONE]" {
            return self.response().map(Some);
        }
        let chunk = serde_json::from_str::<Chunk>(data).map_err(|e| cannot_read(&e, data))?;
        if let Some(error) = chunk.error {
            let message = match &error {
                Value::String(message) => message.clone(),
                _ => error["message"].as_str().map_or_else(|| error.to_string(), str::to_owned),
            };
            return Err(Attempt::Fatal(ModelError::ResponseFailed(message)));
        }
        if let Some(usage) = chunk.usage {
            self.usage = TokenUsage {
                input_tokens: usage.prompt_tokens.unwrap_or(0),
                cached_input_tokens: usage.prompt_tokens_details.and_then(|d| d.cached_tokens).unwrap_or(0),
                output_tokens: usage.completion_tokens.unwrap_or(0),
                reasoning_output_tokens: usage
                    .completion_tokens_details
                    .and_then(|d| d.reasoning_tokens)
                    .unwrap_or(0),
            };
        }
        if let Some(choice) = chunk.choices.unwrap_or_default().into_iter().next() {
            self.take_delta(choice.delta.unwrap_or_default(), deltas)?;
            if let Some(reason) = choice.finish_reason {
                self.finish = Some(reason);
            }
        }
        Ok(None)
    }

    fn end(&mut self) -> Result<ModelResponse, Attempt> {
        if self.finish.is_some() {
            return self.response();
        }
        Err(Attempt::broken("the stream ended before a finish_reason or [DONE]".into()))
    }

    fn finished(&self) -> bool {
        self.finish.is_some()
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
