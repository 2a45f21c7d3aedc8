//! The scripted model server's Chat Completions side: `POST …/chat/completions` plays the same
//! script as `…/responses`, each entry's items streamed as chat chunks, and a conversation that
//! leaves a tool call unanswered is refused as the real API refuses it.
//!
//! An entry's items become chunks as a Chat Completions server streams them: a `reasoning`
//! item's text as `delta.reasoning`, a `message`'s text as `delta.content` in pieces, each call
//! (`function_call`, or `custom_tool_call` as a function taking `input`) as `delta.tool_calls`
//! in two pieces joined by `index`, then the `finish_reason`, a chunk with the usage, and
//! `data: [DONE]`.

use serde::Deserialize;
use serde_json::{json, Value};

use super::script::{chunks, default_usage, text_parts};

/// The chunks of one answer (without the closing `[DONE]`).
pub(crate) fn chunks_for(items: &[Value], usage: Option<Value>, n: usize) -> Vec<Value> {
    let id = format!("chatcmpl-{n}");
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": id, "object": "chat.completion.chunk", "created": 0,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]
        })
    };
    let mut out = vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null)];
    let mut calls = 0;
    for item in items {
        match item["type"].as_str() {
            Some("reasoning") => {
                let mut texts = text_parts(item, "summary", "summary_text");
                texts.extend(text_parts(item, "content", "reasoning_text"));
                for piece in texts.iter().flat_map(|text| chunks(text, 8)) {
                    out.push(chunk(json!({"reasoning": piece}), Value::Null));
                }
            }
            Some("message") => {
                for piece in
                    text_parts(item, "content", "output_text").iter().flat_map(|text| chunks(text, 8))
                {
                    out.push(chunk(json!({"content": piece}), Value::Null));
                }
            }
            Some(kind @ ("function_call" | "custom_tool_call")) => {
                let arguments = if kind == "custom_tool_call" {
                    json!({"input": item["input"]}).to_string()
                } else {
                    item["arguments"].as_str().unwrap_or_default().to_owned()
                };
                let half =
                    arguments.char_indices().nth(arguments.chars().count() / 2).map_or(0, |(at, _)| at);
                let (head, tail) = arguments.split_at(half);
                out.push(chunk(
                    json!({"tool_calls": [{"index": calls, "id": item["call_id"], "type": "function",
                        "function": {"name": item["name"], "arguments": head}}]}),
                    Value::Null,
                ));
                out.push(chunk(
                    json!({"tool_calls": [{"index": calls, "function": {"arguments": tail}}]}),
                    Value::Null,
                ));
                calls += 1;
            }
            _ => {}
        }
    }
    let finish = if calls > 0 { "tool_calls" } else { "stop" };
    out.push(chunk(json!({}), json!(finish)));
    let usage = usage.unwrap_or_else(|| default_usage(n));
    let input = usage["input_tokens"].as_u64().unwrap_or(0);
    let output = usage["output_tokens"].as_u64().unwrap_or(0);
    out.push(json!({
        "id": id, "object": "chat.completion.chunk", "created": 0, "choices": [],
        "usage": {
            "prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output,
            "prompt_tokens_details": {"cached_tokens": usage["input_tokens_details"]["cached_tokens"].as_u64().unwrap_or(0)}
        }
    }));
    out
}

/// What the check reads of a request body: each message's role, tool calls and the call it
/// answers.
#[derive(Deserialize)]
struct Body {
    messages: Vec<Message>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<Call>>,
    #[serde(default)]
    tool_call_id: Option<String>,
}

#[derive(Deserialize)]
struct Call {
    id: String,
}

/// The error body for a request whose `messages` break the rule of tool calls, as Chat
/// Completions answers it (HTTP 400): the calls of an assistant message must be answered, each
/// by a `tool` message, right after it (before any other message), and a `tool` message must
/// answer such a call. `None` when the messages keep the rule, or the body has no list of
/// messages to check.
pub(crate) fn unanswered_call(body: &[u8]) -> Option<String> {
    let messages = serde_json::from_slice::<Body>(body).ok()?.messages;
    let unanswered = |open: &[String]| {
        let message = format!("An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {}", open.join(", "));
        Some(super::validation::invalid_request(&message, "messages"))
    };
    let mut open: Vec<String> = Vec::new();
    for message in messages {
        if message.role.as_deref() == Some("tool") {
            let answered = message.tool_call_id.and_then(|id| open.iter().position(|call| *call == id));
            let Some(at) = answered else {
                let message = "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
                return Some(super::validation::invalid_request(message, "messages"));
            };
            open.remove(at);
            continue;
        }
        if !open.is_empty() {
            return unanswered(&open);
        }
        open = message.tool_calls.unwrap_or_default().into_iter().map(|call| call.id).collect();
    }
    if open.is_empty() {
        None
    } else {
        unanswered(&open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_stream_as_chat_chunks_with_usage() {
        let items = [
            json!({"type": "reasoning", "summary": [{"type": "summary_text", "text": "plan"}]}),
            json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello, world"}]}),
            json!({"type": "function_call", "call_id": "c1", "name": "shell", "arguments": "{\"command\":[\"ls\"]}"}),
        ];
        let chunks = chunks_for(&items, None, 2);
        let deltas: Vec<&Value> =
            chunks.iter().filter_map(|c| c["choices"].get(0)).map(|c| &c["delta"]).collect();
        let text: String = deltas.iter().filter_map(|d| d["content"].as_str()).collect();
        assert_eq!(text, "Hello, world");
        assert_eq!(deltas.iter().filter_map(|d| d["reasoning"].as_str()).collect::<String>(), "plan");
        let arguments: String = deltas
            .iter()
            .flat_map(|d| d["tool_calls"].as_array().into_iter().flatten())
            .filter_map(|call| call["function"]["arguments"].as_str())
            .collect();
        assert_eq!(arguments, "{\"command\":[\"ls\"]}");
        let finish: Vec<&Value> =
            chunks.iter().filter_map(|c| c["choices"].get(0)).map(|c| &c["finish_reason"]).collect();
        assert_eq!(finish.last(), Some(&&json!("tool_calls")));
        assert_eq!(chunks.last().unwrap()["usage"]["prompt_tokens"], 102);
    }

    #[test]
    fn a_call_without_its_tool_message_is_refused() {
        let call = json!({"role": "assistant", "content": null, "tool_calls": [{"id": "c9", "type": "function", "function": {"name": "shell", "arguments": "{}"}}]});
        let body = |messages: Value| json!({"model": "m", "messages": messages}).to_string().into_bytes();
        let refused = unanswered_call(&body(json!([call.clone()]))).unwrap();
        assert!(refused.contains("did not have response messages: c9"), "{refused}");
        let answer = json!({"role": "tool", "tool_call_id": "c9", "content": "ok"});
        assert_eq!(unanswered_call(&body(json!([call.clone(), answer.clone()]))), None);
        assert_eq!(unanswered_call(b"[]"), None);
        // The answer must come right after the call, and answer a call made before it.
        let user = json!({"role": "user", "content": "and?"});
        let late = unanswered_call(&body(json!([call.clone(), user.clone(), answer.clone()]))).unwrap();
        assert!(late.contains("did not have response messages: c9"), "{late}");
        let stray = unanswered_call(&body(json!([user, answer.clone()]))).unwrap();
        assert!(stray.contains("must be a response to a preceeding message"), "{stray}");
        let twice = unanswered_call(&body(json!([call, answer.clone(), answer]))).unwrap();
        assert!(twice.contains("must be a response to a preceeding message"), "{twice}");
    }
}
