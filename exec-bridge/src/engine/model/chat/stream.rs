//! A streamed Chat Completions answer made into Responses items: the chunks' `content` becomes
//! an assistant message, their `reasoning` (or `reasoning_content`) raw reasoning, their
//! `tool_calls` function calls (the pieces of each call joined by its `index`), and `usage`,
//! when the server sends it, the response's usage.
//!
//! The answer is complete at `data: [DONE]`, or when the stream ends after a choice gave its
//! `finish_reason` (some servers send no `[DONE]`); a stream that ends before either is broken.
//! Only the first choice is read (the request asks for one).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::super::client::{Attempt, ModelError, ModelResponse};
use super::super::events::{StreamDelta, TokenUsage};
use super::super::items::{ContentPart, KnownItem, ReasoningPart, ResponseItem};
use super::super::stream::{cannot_read, Decoder};

/// One chunk of the stream, as far as the runtime reads it.
#[derive(Debug, Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
    /// Some servers report a failure inside the stream.
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Delta,
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
    tool_calls: Vec<ToolCallDelta>,
}

#[derive(Debug, Deserialize)]
struct ToolCallDelta {
    /// Which call this piece belongs to; servers that send each call whole may leave it out.
    #[serde(default)]
    index: Option<u64>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: FunctionDelta,
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
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
    #[serde(default)]
    prompt_tokens_details: Option<PromptTokensDetails>,
}

#[derive(Debug, Deserialize)]
struct PromptTokensDetails {
    #[serde(default)]
    cached_tokens: u64,
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
    calls: BTreeMap<u64, PartialCall>,
    finished: bool,
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
            calls: BTreeMap::new(),
            finished: false,
            usage: TokenUsage::default(),
        }
    }

    fn take_delta(&mut self, delta: Delta, deltas: &mut Vec<StreamDelta>) {
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
        for piece in delta.tool_calls {
            // A piece without an index belongs to a call of its own, after the others.
            let index =
                piece.index.unwrap_or_else(|| self.calls.keys().next_back().map_or(0, |last| last + 1));
            let call = self.calls.entry(index).or_default();
            if let Some(id) = piece.id.filter(|id| !id.is_empty()) {
                call.id = Some(id);
            }
            call.name.push_str(piece.function.name.as_deref().unwrap_or_default());
            call.arguments.push_str(piece.function.arguments.as_deref().unwrap_or_default());
        }
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

    /// The answer so far, as Responses items: reasoning, message, calls.
    fn response(&mut self) -> ModelResponse {
        let mut items = Vec::new();
        if let Some(text) = self.reasoning.take() {
            items.push(self.reasoning_item(text));
        }
        if let Some(text) = self.text.take() {
            items.push(self.message_item(text));
        }
        for (index, call) in std::mem::take(&mut self.calls) {
            items.push(ResponseItem::Known(KnownItem::FunctionCall {
                id: None,
                // A call without an id still needs one to be answered.
                call_id: call.id.unwrap_or_else(|| format!("{}_call_{index}", self.message_id)),
                name: call.name,
                arguments: call.arguments,
            }));
        }
        ModelResponse { items, usage: self.usage }
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
            return Ok(Some(self.response()));
        }
        let chunk = serde_json::from_str::<Chunk>(data).map_err(|e| cannot_read(&e, data))?;
        if let Some(error) = chunk.error {
            let message = error["message"].as_str().map_or_else(|| error.to_string(), str::to_owned);
            return Err(Attempt::Fatal(ModelError::ResponseFailed(message)));
        }
        if let Some(usage) = chunk.usage {
            self.usage = TokenUsage {
                input_tokens: usage.prompt_tokens,
                cached_input_tokens: usage.prompt_tokens_details.map_or(0, |d| d.cached_tokens),
                output_tokens: usage.completion_tokens,
            };
        }
        if let Some(choice) = chunk.choices.into_iter().next() {
            self.take_delta(choice.delta, deltas);
            self.finished |= choice.finish_reason.is_some();
        }
        Ok(None)
    }

    fn end(&mut self) -> Result<ModelResponse, Attempt> {
        if self.finished {
            return Ok(self.response());
        }
        Err(Attempt::broken("the stream ended before a finish_reason or [DONE]".into()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Feeds `chunks` (then `[DONE]`) and returns the deltas and the answer.
    fn decode(chunks: &[Value]) -> (Vec<StreamDelta>, ModelResponse) {
        let mut decoder = ChatDecoder::new(3);
        let mut deltas = Vec::new();
        for chunk in chunks {
            assert!(decoder.event(&chunk.to_string(), &mut deltas).ok().unwrap().is_none());
        }
        let response = decoder.event("[DONE]", &mut deltas).ok().unwrap().unwrap();
        (deltas, response)
    }

    fn items(response: &ModelResponse) -> Value {
        serde_json::to_value(&response.items).unwrap()
    }

    #[test]
    fn text_reasoning_and_pieced_tool_calls_become_items() {
        let (deltas, response) = decode(&[
            json!({"choices": [{"index": 0, "delta": {"role": "assistant", "reasoning": "think"}}]}),
            json!({"choices": [{"delta": {"content": "Let me "}}]}),
            json!({"choices": [{"delta": {"content": "look."}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "call_9", "type": "function", "function": {"name": "shell", "arguments": "{\"comm"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "and\":[\"ls\"]}"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 1, "function": {"name": "update_plan", "arguments": "{}"}}]}}]}),
            json!({"choices": [{"delta": {}, "finish_reason": "tool_calls"}], "usage": {"prompt_tokens": 12, "completion_tokens": 4, "prompt_tokens_details": {"cached_tokens": 2}}}),
        ]);
        assert_eq!(
            items(&response),
            json!([
                {"type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "think"}], "encrypted_content": null},
                {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Let me look."}]},
                {"type": "function_call", "name": "shell", "arguments": "{\"command\":[\"ls\"]}", "call_id": "call_9"},
                {"type": "function_call", "name": "update_plan", "arguments": "{}", "call_id": "chat_msg_3_call_1"}
            ])
        );
        assert_eq!(response.usage, TokenUsage { input_tokens: 12, cached_input_tokens: 2, output_tokens: 4 });
        let text: Vec<&str> = deltas
            .iter()
            .filter_map(|d| match d {
                StreamDelta::OutputText { item_id, delta } if item_id == "chat_msg_3" => Some(delta.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(text, ["Let me ", "look."]);
        let added = deltas.iter().filter(|d| matches!(d, StreamDelta::ItemAdded { .. })).count();
        assert_eq!(added, 2, "the reasoning and the message are announced once each: {deltas:?}");
    }

    #[test]
    fn the_end_of_the_stream_completes_only_a_finished_answer() {
        let mut finished = ChatDecoder::new(0);
        let chunk = json!({"choices": [{"delta": {"content": "hi"}, "finish_reason": "stop"}]});
        finished.event(&chunk.to_string(), &mut Vec::new()).ok().unwrap();
        assert_eq!(items(&finished.end().ok().unwrap())[0]["content"][0]["text"], "hi");

        let mut cut = ChatDecoder::new(0);
        cut.event(&json!({"choices": [{"delta": {"content": "h"}}]}).to_string(), &mut Vec::new())
            .ok()
            .unwrap();
        assert!(matches!(cut.end(), Err(Attempt::Retry(_))));
    }

    #[test]
    fn an_error_in_the_stream_fails_the_response_and_garbage_breaks_it() {
        let mut decoder = ChatDecoder::new(0);
        let error = json!({"error": {"message": "model not loaded"}}).to_string();
        match decoder.event(&error, &mut Vec::new()) {
            Err(Attempt::Fatal(ModelError::ResponseFailed(message))) => {
                assert_eq!(message, "model not loaded")
            }
            _ => panic!("an error chunk must fail the response"),
        }
        assert!(matches!(decoder.event("{not json", &mut Vec::new()), Err(Attempt::Retry(_))));
    }
}
