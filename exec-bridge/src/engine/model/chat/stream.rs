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

    fn calls(response: &ModelResponse) -> Vec<(String, String, String)> {
        items(response)
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| item["type"] == "function_call")
            .map(|c| {
                (
                    c["call_id"].as_str().unwrap().into(),
                    c["name"].as_str().unwrap().into(),
                    c["arguments"].as_str().unwrap().into(),
                )
            })
            .collect()
    }

    #[test]
    fn whole_calls_at_one_index_with_their_own_ids_stay_apart() {
        // As Ollama streams parallel calls: each whole, each at index 0.
        let call = |id: &str, command: &str| {
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": id, "type": "function",
                "function": {"name": "shell", "arguments": format!("{{\"command\":[\"{command}\"]}}")}}]}}]})
        };
        let (_, response) = decode(&[call("call_a", "ls"), call("call_b", "pwd")]);
        assert_eq!(
            calls(&response),
            [
                ("call_a".into(), "shell".into(), "{\"command\":[\"ls\"]}".into()),
                ("call_b".into(), "shell".into(), "{\"command\":[\"pwd\"]}".into())
            ]
        );
        // Without indices: by id, and a bare piece goes to the last call.
        let (_, response) = decode(&[
            json!({"choices": [{"delta": {"tool_calls": [{"id": "x", "function": {"name": "a", "arguments": "{"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"function": {"arguments": "}"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 18446744073709551615u64, "function": {"name": "b"}}, {}]}}]}),
        ]);
        assert_eq!(
            calls(&response),
            [("x".into(), "a".into(), "{}".into()), ("chat_msg_3_call_1".into(), "b".into(), String::new())]
        );
    }

    #[test]
    fn an_answer_may_make_at_most_max_calls_calls() {
        let pieces: Vec<Value> =
            (0..=MAX_CALLS).map(|n| json!({"index": n, "function": {"name": "shell"}})).collect();
        let chunk = json!({"choices": [{"delta": {"tool_calls": pieces}}]}).to_string();
        match ChatDecoder::new(0).event(&chunk, &mut Vec::new()) {
            Err(Attempt::Fatal(ModelError::Unreadable(message))) => {
                assert!(message.contains("more than 128"), "{message}")
            }
            _ => panic!("too many calls must fail the answer"),
        }
    }

    #[test]
    fn nulls_stand_for_missing_fields() {
        let (_, response) = decode(&[
            json!({"choices": [{"delta": {"content": "hi", "tool_calls": null, "reasoning": null}, "finish_reason": null}]}),
            json!({"choices": [{"delta": null, "finish_reason": "stop"}]}),
            json!({"choices": null, "usage": {"prompt_tokens": 3, "completion_tokens": null, "prompt_tokens_details": {"cached_tokens": null}}}),
        ]);
        assert_eq!(items(&response)[0]["content"][0]["text"], "hi");
        assert_eq!(response.usage, TokenUsage { input_tokens: 3, cached_input_tokens: 0, output_tokens: 0 });
    }

    #[test]
    fn a_cut_or_empty_answer_is_no_answer() {
        let mut cut = ChatDecoder::new(0);
        let chunk =
            json!({"choices": [{"delta": {"content": "half a"}, "finish_reason": "length"}]}).to_string();
        cut.event(&chunk, &mut Vec::new()).ok().unwrap();
        match cut.event("[DONE]", &mut Vec::new()) {
            Err(Attempt::Fatal(ModelError::ResponseFailed(message))) => {
                assert!(message.contains("finish_reason: length"), "{message}")
            }
            _ => panic!("an answer cut at the token limit must fail"),
        }
        assert!(matches!(ChatDecoder::new(0).event("[DONE]", &mut Vec::new()), Err(Attempt::Retry(_))));
        let error = json!({"error": "model not found"}).to_string();
        match ChatDecoder::new(0).event(&error, &mut Vec::new()) {
            Err(Attempt::Fatal(ModelError::ResponseFailed(message))) => {
                assert_eq!(message, "model not found")
            }
            _ => panic!("an error must fail the answer"),
        }
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
