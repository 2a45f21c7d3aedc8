//! The conversation items of the Responses API, typed: what the model sends (messages,
//! reasoning, tool calls) and what the runtime sends back (user messages, tool outputs).
//!
//! An item serializes in the shape the runtime sends it to the model: ids the server assigned
//! are not sent back (with `store: false` the API rejects ids it did not keep), nor are output
//! annotations or statuses. An item of a kind this runtime does not know is kept whole as
//! [`ResponseItem::Unknown`]: recorded in the session, reported, never sent back.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One conversation item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ResponseItem {
    /// A kind this runtime reads.
    Known(KnownItem),
    /// Anything else (a new kind, or a known kind with fields missing), kept as received.
    Unknown(Value),
}

/// The item kinds this runtime reads, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KnownItem {
    /// A message: the user's input, or the assistant's answer.
    Message {
        /// The server's id of an assistant message (never sent back).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// `user` or `assistant` (or `developer`/`system`).
        role: String,
        /// The parts.
        content: Vec<ContentPart>,
    },
    /// The model's reasoning.
    Reasoning {
        /// The server's id (never sent back).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// The summary parts.
        #[serde(default)]
        summary: Vec<SummaryPart>,
        /// The raw reasoning, where the server gives it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<Vec<ReasoningPart>>,
        /// The encrypted reasoning, sent back so that the model keeps its chain of thought.
        #[serde(default)]
        encrypted_content: Option<String>,
    },
    /// A call of a function tool.
    FunctionCall {
        /// The server's id (never sent back).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// The tool's name.
        name: String,
        /// The arguments: a JSON object, as text.
        arguments: String,
        /// Pairs the call with its output.
        call_id: String,
    },
    /// The output of a function call.
    FunctionCallOutput {
        /// The call it answers.
        call_id: String,
        /// What the tool returned.
        output: String,
    },
    /// A call of a free-form (custom) tool, such as the grammar-based `apply_patch`.
    CustomToolCall {
        /// The server's id (never sent back).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// Pairs the call with its output.
        call_id: String,
        /// The tool's name.
        name: String,
        /// The input text.
        input: String,
    },
    /// The output of a custom tool call.
    CustomToolCallOutput {
        /// The call it answers.
        call_id: String,
        /// What the tool returned.
        output: String,
    },
    /// The built-in local shell tool's call.
    LocalShellCall {
        /// The server's id (never sent back).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// Pairs the call with its output (a `function_call_output`).
        #[serde(default)]
        call_id: Option<String>,
        /// The server's status of the call.
        #[serde(default)]
        status: Option<String>,
        /// What to run.
        action: LocalShellAction,
    },
    /// A web search the model made on the server side.
    WebSearchCall {
        /// The server's id (never sent back).
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// The server's status of the search.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// What was searched.
        #[serde(default)]
        action: Option<WebSearchAction>,
    },
}

/// A part of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentPart {
    /// Text the user (or the runtime) wrote.
    InputText {
        /// The text.
        text: String,
    },
    /// An image: a `data:` or `https:` URL.
    InputImage {
        /// The URL.
        image_url: String,
    },
    /// Text the model wrote (annotations are not sent back).
    OutputText {
        /// The text.
        text: String,
    },
    /// The model declined to answer.
    Refusal {
        /// Why.
        refusal: String,
    },
}

/// A part of a reasoning summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SummaryPart {
    /// Summary text.
    SummaryText {
        /// The text.
        text: String,
    },
}

/// A part of raw reasoning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReasoningPart {
    /// Reasoning text.
    ReasoningText {
        /// The text.
        text: String,
    },
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
}

/// What a `local_shell_call` runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalShellAction {
    /// Always `exec`.
    #[serde(rename = "type", default = "exec_action")]
    pub kind: String,
    /// The argv.
    pub command: Vec<String>,
    /// How long it may run, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Where it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<String>,
}

fn exec_action() -> String {
    "exec".to_owned()
}

/// What a web search looked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebSearchAction {
    /// `search`, or another kind of action.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The query.
    #[serde(default)]
    pub query: Option<String>,
}

impl ResponseItem {
    /// Reads an item as the server sent it; never fails (unknown shapes are kept whole).
    pub fn from_value(value: Value) -> ResponseItem {
        match serde_json::from_value::<KnownItem>(value.clone()) {
            Ok(known) => ResponseItem::Known(known),
            Err(_) => ResponseItem::Unknown(value),
        }
    }

    /// A user message of one text.
    pub fn user_text(text: String) -> ResponseItem {
        Self::user_message(vec![ContentPart::InputText { text }])
    }

    /// A user message of `content`.
    pub fn user_message(content: Vec<ContentPart>) -> ResponseItem {
        ResponseItem::Known(KnownItem::Message { id: None, role: "user".to_owned(), content })
    }

    /// The output of call `call_id`, of the kind that answers the call (`custom` for a custom
    /// tool call).
    pub fn call_output(call_id: &str, output: String, custom: bool) -> ResponseItem {
        let call_id = call_id.to_owned();
        ResponseItem::Known(if custom {
            KnownItem::CustomToolCallOutput { call_id, output }
        } else {
            KnownItem::FunctionCallOutput { call_id, output }
        })
    }

    /// The `type` of the item, as sent.
    pub fn kind(&self) -> &str {
        match self {
            ResponseItem::Known(known) => known.kind(),
            ResponseItem::Unknown(value) => value["type"].as_str().unwrap_or("(no type)"),
        }
    }

    /// The call this item opens, if it is a tool call: its id, and whether its output is a
    /// custom tool call's.
    pub fn opened_call(&self) -> Option<(&str, bool)> {
        match self {
            ResponseItem::Known(KnownItem::FunctionCall { call_id, .. }) => Some((call_id, false)),
            ResponseItem::Known(KnownItem::CustomToolCall { call_id, .. }) => Some((call_id, true)),
            ResponseItem::Known(KnownItem::LocalShellCall { call_id: Some(call_id), .. }) => {
                Some((call_id, false))
            }
            _ => None,
        }
    }

    /// The call this item answers, if it is a tool output.
    pub fn answered_call(&self) -> Option<&str> {
        match self {
            ResponseItem::Known(
                KnownItem::FunctionCallOutput { call_id, .. }
                | KnownItem::CustomToolCallOutput { call_id, .. },
            ) => Some(call_id),
            _ => None,
        }
    }
}

impl KnownItem {
    /// The `type` tag.
    pub fn kind(&self) -> &'static str {
        match self {
            KnownItem::Message { .. } => "message",
            KnownItem::Reasoning { .. } => "reasoning",
            KnownItem::FunctionCall { .. } => "function_call",
            KnownItem::FunctionCallOutput { .. } => "function_call_output",
            KnownItem::CustomToolCall { .. } => "custom_tool_call",
            KnownItem::CustomToolCallOutput { .. } => "custom_tool_call_output",
            KnownItem::LocalShellCall { .. } => "local_shell_call",
            KnownItem::WebSearchCall { .. } => "web_search_call",
        }
    }
}

/// The text of the parts of a message that the model wrote (or the user, for `input_text`).
pub fn message_text(content: &[ContentPart]) -> String {
    content
        .iter()
        .filter_map(|part| match part {
            ContentPart::OutputText { text } | ContentPart::InputText { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_assistant_message_goes_back_without_id_status_or_annotations() {
        let received = json!({
            "type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": "Done.", "annotations": [], "logprobs": []}]
        });
        let item = ResponseItem::from_value(received);
        assert_eq!(
            serde_json::to_value(&item).unwrap(),
            json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Done."}]})
        );
    }

    #[test]
    fn reasoning_keeps_its_encrypted_content_and_loses_its_id() {
        let item = ResponseItem::from_value(json!({
            "type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "thinking"}],
            "encrypted_content": "opaque"
        }));
        assert_eq!(
            serde_json::to_value(&item).unwrap(),
            json!({"type": "reasoning", "summary": [{"type": "summary_text", "text": "thinking"}], "encrypted_content": "opaque"})
        );
    }

    #[test]
    fn unknown_kinds_and_malformed_known_kinds_are_kept_whole() {
        let new_kind = json!({"type": "image_generation_call", "id": "ig_1", "result": "…"});
        assert_eq!(ResponseItem::from_value(new_kind.clone()), ResponseItem::Unknown(new_kind));
        // A function call without its call id cannot be answered: kept, not emptied.
        let malformed = json!({"type": "function_call", "name": "shell", "arguments": "{}"});
        let item = ResponseItem::from_value(malformed.clone());
        assert_eq!(item, ResponseItem::Unknown(malformed));
        assert_eq!(item.kind(), "function_call");
    }

    #[test]
    fn calls_and_outputs_pair_by_call_id() {
        let call = ResponseItem::from_value(
            json!({"type": "function_call", "id": "fc_1", "name": "shell", "arguments": "{}", "call_id": "c1"}),
        );
        assert_eq!(call.opened_call(), Some(("c1", false)));
        assert_eq!(
            serde_json::to_value(&call).unwrap(),
            json!({"type": "function_call", "name": "shell", "arguments": "{}", "call_id": "c1"})
        );
        let output = ResponseItem::call_output("c1", "ok".into(), false);
        assert_eq!(output.answered_call(), Some("c1"));
        assert_eq!(
            serde_json::to_value(&output).unwrap(),
            json!({"type": "function_call_output", "call_id": "c1", "output": "ok"})
        );
    }
}
