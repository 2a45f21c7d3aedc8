//! The body of a Chat Completions request: the instructions as the system message, then one
//! message per conversation item, the function tools, and the output schema as
//! `response_format`.
//!
//! Items map as the reference maps them: a message's text parts joined (a user message with
//! images becomes a list of `text` and `image_url` parts); a tool call becomes an assistant
//! message with `content: null` and its `tool_calls`; a tool output becomes a `tool` message;
//! reasoning text rides on the assistant message that follows it as `reasoning`. Items with no
//! Chat Completions form (web searches) are left out.

use serde::Serialize;
use serde_json::{json, Value};

use super::super::items::{ContentPart, KnownItem, ReasoningPart, SummaryPart};
use super::super::request::RequestSettings;

/// The request body for `input`, as the JSON bytes sent.
pub fn body(settings: &RequestSettings, input: &[&KnownItem]) -> Vec<u8> {
    let body = Body {
        model: &settings.model,
        messages: messages(&settings.instructions, input),
        stream: true,
        tools: settings.tools.iter().filter_map(function_tool).collect(),
        response_format: settings.output_schema.as_ref().map(|schema| {
            json!({
                "type": "json_schema",
                "json_schema": {"name": "codex_output_schema", "schema": schema, "strict": true}
            })
        }),
    };
    // Strings, numbers and objects with string keys: writing them to memory cannot fail.
    serde_json::to_vec(&body).unwrap_or_default()
}

/// A Chat Completions request body, its fields in the order the reference sends them.
#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    messages: Vec<Message<'a>>,
    stream: bool,
    tools: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<Value>,
}

/// One chat message; the fields a role does not use are left out (`content` is `null` on an
/// assistant message that only calls tools).
#[derive(Debug, Serialize, PartialEq)]
struct Message<'a> {
    role: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<&'a str>,
    content: Option<Content<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_calls: Vec<ToolCall<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning: Option<String>,
}

/// A message's content: text, or parts when it carries images.
#[derive(Debug, Serialize, PartialEq)]
#[serde(untagged)]
enum Content<'a> {
    Text(String),
    Parts(Vec<Part<'a>>),
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Part<'a> {
    Text { text: &'a str },
    ImageUrl { image_url: ImageUrl<'a> },
}

#[derive(Debug, Serialize, PartialEq)]
struct ImageUrl<'a> {
    url: &'a str,
}

#[derive(Debug, Serialize, PartialEq)]
struct ToolCall<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: FunctionCall<'a>,
}

#[derive(Debug, Serialize, PartialEq)]
struct FunctionCall<'a> {
    name: &'a str,
    arguments: std::borrow::Cow<'a, str>,
}

impl<'a> Message<'a> {
    fn new(role: &'a str, content: Option<Content<'a>>) -> Message<'a> {
        Message { role, tool_call_id: None, content, tool_calls: Vec::new(), reasoning: None }
    }
}

/// The system message, then the conversation.
fn messages<'a>(instructions: &'a str, input: &[&'a KnownItem]) -> Vec<Message<'a>> {
    let mut messages = vec![Message::new("system", Some(Content::Text(instructions.to_owned())))];
    // Reasoning waits for the assistant message it explains; only the current turn's (after the
    // last user message) is sent, as the reference sends it.
    let current =
        input.iter().rposition(|item| matches!(item, KnownItem::Message { role, .. } if role == "user"));
    let mut reasoning: Option<String> = None;
    for (at, item) in input.iter().enumerate() {
        let mut message = match item {
            KnownItem::Message { role, content, .. } => Message::new(role, Some(message_content(content))),
            KnownItem::Reasoning { .. } if current.is_some_and(|current| at < current) => continue,
            KnownItem::Reasoning { summary, content, .. } => {
                let text = reasoning_text(summary, content.as_deref());
                if !text.is_empty() {
                    reasoning.get_or_insert_with(String::new).push_str(&text);
                }
                continue;
            }
            KnownItem::FunctionCall { name, arguments, call_id, .. } => {
                tool_call(call_id, name, std::borrow::Cow::Borrowed(arguments))
            }
            KnownItem::CustomToolCall { call_id, name, input, .. } => {
                // Offered as a function taking `input` (see `function_tool`).
                tool_call(call_id, name, json!({ "input": input }).to_string().into())
            }
            KnownItem::LocalShellCall { call_id, action, .. } => {
                let Some(call_id) = call_id else { continue };
                tool_call(call_id, "shell", json!({ "command": action.command }).to_string().into())
            }
            KnownItem::FunctionCallOutput { call_id, output }
            | KnownItem::CustomToolCallOutput { call_id, output } => Message {
                tool_call_id: Some(call_id),
                ..Message::new("tool", Some(Content::Text(output.clone())))
            },
            KnownItem::WebSearchCall { .. } => continue,
        };
        match message.role {
            "assistant" => message.reasoning = reasoning.take(),
            "user" => reasoning = None,
            _ => {}
        }
        messages.push(message);
    }
    messages
}

/// An assistant message that only calls a tool.
fn tool_call<'a>(call_id: &'a str, name: &'a str, arguments: std::borrow::Cow<'a, str>) -> Message<'a> {
    Message {
        tool_calls: vec![ToolCall {
            id: call_id,
            kind: "function",
            function: FunctionCall { name, arguments },
        }],
        ..Message::new("assistant", None)
    }
}

/// A message's text parts joined, or its parts when it has an image.
fn message_content(content: &[ContentPart]) -> Content<'_> {
    let has_image = content.iter().any(|part| matches!(part, ContentPart::InputImage { .. }));
    if !has_image {
        return Content::Text(super::super::items::message_text(content));
    }
    Content::Parts(
        content
            .iter()
            .filter_map(|part| match part {
                ContentPart::InputText { text } | ContentPart::OutputText { text } => {
                    Some(Part::Text { text })
                }
                ContentPart::InputImage { image_url } => {
                    Some(Part::ImageUrl { image_url: ImageUrl { url: image_url } })
                }
                ContentPart::Refusal { .. } => None,
            })
            .collect(),
    )
}

/// The raw reasoning text of a reasoning item, else its summary.
fn reasoning_text(summary: &[SummaryPart], content: Option<&[ReasoningPart]>) -> String {
    let raw: String = content
        .unwrap_or_default()
        .iter()
        .map(|(ReasoningPart::ReasoningText { text } | ReasoningPart::Text { text })| text.as_str())
        .collect();
    if !raw.is_empty() {
        return raw;
    }
    summary.iter().map(|SummaryPart::SummaryText { text }| text.as_str()).collect()
}

/// A Responses tool definition as a Chat Completions one: a function tool's fields under
/// `function`; a free-form tool as a function taking its text as `input`; server-side tools
/// (`web_search`) have no Chat Completions form and are left out.
fn function_tool(tool: &Value) -> Option<Value> {
    let mut function = tool.as_object()?.clone();
    match function.remove("type")?.as_str()? {
        "function" => {}
        "custom" => {
            function.remove("format");
            function.insert(
                "parameters".into(),
                json!({"type": "object", "properties": {"input": {"type": "string"}}, "required": ["input"], "additionalProperties": false}),
            );
        }
        _ => return None,
    }
    Some(json!({"type": "function", "function": function}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::engine::model::ResponseItem;

    fn known(value: Value) -> KnownItem {
        match ResponseItem::from_value(value) {
            ResponseItem::Known(known) => known,
            ResponseItem::Unknown(value) => panic!("not a known item: {value}"),
        }
    }

    #[test]
    fn a_conversation_with_a_tool_call_becomes_chat_messages() {
        let settings = RequestSettings {
            model: "gpt-oss:20b".into(),
            instructions: "be brief".into(),
            tools: vec![
                json!({"type": "function", "name": "shell", "description": "run", "strict": false, "parameters": {"type": "object"}}),
                json!({"type": "web_search"}),
            ],
            reasoning_effort: None,
            reasoning_summary: "auto",
            output_schema: None,
            cache_key: "conv".into(),
        };
        let items = [
            known(
                json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "say "}, {"type": "input_text", "text": "hi"}]}),
            ),
            known(
                json!({"type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "thinking"}]}),
            ),
            known(
                json!({"type": "function_call", "name": "shell", "arguments": "{\"command\":[\"ls\"]}", "call_id": "call_1"}),
            ),
            known(json!({"type": "function_call_output", "call_id": "call_1", "output": "a.txt"})),
            known(
                json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Done."}]}),
            ),
        ];
        let input: Vec<&KnownItem> = items.iter().collect();
        let body: Value = serde_json::from_slice(&body(&settings, &input)).unwrap();
        assert_eq!(
            body,
            json!({
                "model": "gpt-oss:20b",
                "messages": [
                    {"role": "system", "content": "be brief"},
                    {"role": "user", "content": "say hi"},
                    {"role": "assistant", "content": null, "reasoning": "thinking", "tool_calls": [
                        {"id": "call_1", "type": "function", "function": {"name": "shell", "arguments": "{\"command\":[\"ls\"]}"}}
                    ]},
                    {"role": "tool", "tool_call_id": "call_1", "content": "a.txt"},
                    {"role": "assistant", "content": "Done."}
                ],
                "stream": true,
                "tools": [{"type": "function", "function": {"name": "shell", "description": "run", "strict": false, "parameters": {"type": "object"}}}]
            })
        );
        let text = String::from_utf8(super::body(&settings, &input)).unwrap();
        assert!(
            text.starts_with(r#"{"model":"gpt-oss:20b","messages":[{"role":"system","content":"be brief"}"#),
            "{text}"
        );
        assert!(text.contains(r#"{"role":"tool","tool_call_id":"call_1","content":"a.txt"}"#), "{text}");
    }

    #[test]
    fn only_the_current_turn_s_reasoning_is_sent() {
        let settings = RequestSettings {
            model: "m".into(),
            instructions: String::new(),
            tools: vec![],
            reasoning_effort: None,
            reasoning_summary: "auto",
            output_schema: None,
            cache_key: String::new(),
        };
        let reasoning = |text: &str| {
            known(
                json!({"type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": text}]}),
            )
        };
        let user = |text: &str| {
            known(
                json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}),
            )
        };
        let answer = |text: &str| {
            known(
                json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}),
            )
        };
        // Turn 1 ended on reasoning alone; turn 2's answer has reasoning of its own.
        let items = [
            user("one"),
            reasoning("old"),
            answer("first"),
            user("two"),
            reasoning("dangling"),
            user("three"),
            reasoning("new"),
            answer("second"),
        ];
        let input: Vec<&KnownItem> = items.iter().collect();
        let body: Value = serde_json::from_slice(&body(&settings, &input)).unwrap();
        let sent: Vec<&Value> =
            body["messages"].as_array().unwrap().iter().map(|m| &m["reasoning"]).collect();
        // system, one, first, two, three, second: "old" and "dangling" belong to past turns.
        assert_eq!(
            sent,
            [&Value::Null, &Value::Null, &Value::Null, &Value::Null, &Value::Null, &json!("new")]
        );
    }

    #[test]
    fn images_free_form_calls_and_the_output_schema_have_their_chat_forms() {
        let settings = RequestSettings {
            model: "m".into(),
            instructions: String::new(),
            tools: vec![
                json!({"type": "custom", "name": "apply_patch", "description": "patch", "format": {"type": "grammar"}}),
            ],
            reasoning_effort: None,
            reasoning_summary: "auto",
            output_schema: Some(json!({"type": "object"})),
            cache_key: String::new(),
        };
        let items = [
            known(
                json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "look"}, {"type": "input_image", "image_url": "data:image/png;base64,AA"}]}),
            ),
            known(
                json!({"type": "custom_tool_call", "name": "apply_patch", "input": "*** Begin Patch", "call_id": "p"}),
            ),
            known(json!({"type": "custom_tool_call_output", "call_id": "p", "output": "ok"})),
            known(json!({"type": "web_search_call", "status": "completed"})),
        ];
        let input: Vec<&KnownItem> = items.iter().collect();
        let body: Value = serde_json::from_slice(&body(&settings, &input)).unwrap();
        assert_eq!(
            body["messages"][1]["content"],
            json!([{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}])
        );
        assert_eq!(
            body["messages"][2]["tool_calls"][0]["function"]["arguments"],
            "{\"input\":\"*** Begin Patch\"}"
        );
        assert_eq!(body["messages"][3], json!({"role": "tool", "tool_call_id": "p", "content": "ok"}));
        assert_eq!(body["messages"].as_array().unwrap().len(), 4, "the web search is left out");
        assert_eq!(body["tools"][0]["function"]["parameters"]["required"], json!(["input"]));
        assert!(body["tools"][0]["function"].get("format").is_none());
        assert_eq!(body["response_format"]["json_schema"]["schema"], json!({"type": "object"}));
    }
}
