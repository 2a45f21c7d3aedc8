//! The body of a Responses request, and the environment context that opens a conversation.

use serde_json::{json, Value};

use super::items::{KnownItem, ResponseItem};

/// What goes into one request body besides the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestSettings {
    /// The model, for example `gpt-5.1-codex`.
    pub model: String,
    /// The system instructions.
    pub instructions: String,
    /// The tool definitions offered to the model.
    pub tools: Vec<Value>,
    /// `low`, `medium`, `high`, … or `None` for the model's default.
    pub reasoning_effort: Option<crate::engine::config::ReasoningEffort>,
    /// A JSON Schema the final answer must follow (`--output-schema`).
    pub output_schema: Option<Value>,
    /// Sent as `prompt_cache_key`: the conversation id.
    pub cache_key: String,
}

/// The request body for `input` (environment context, user messages and history, in order).
pub fn body(settings: &RequestSettings, input: &[&KnownItem]) -> Value {
    let mut reasoning = json!({"summary": "auto"});
    if let Some(effort) = settings.reasoning_effort {
        reasoning["effort"] = json!(effort.as_str());
    }
    let mut body = json!({
        "model": settings.model,
        "instructions": settings.instructions,
        "input": input,
        "tools": settings.tools,
        "tool_choice": "auto",
        "parallel_tool_calls": false,
        "reasoning": reasoning,
        "store": false,
        "stream": true,
        "include": ["reasoning.encrypted_content"],
        "prompt_cache_key": settings.cache_key,
    });
    if let Some(schema) = &settings.output_schema {
        body["text"] = json!({"format": {
            "type": "json_schema", "name": "codex_output_schema", "schema": schema, "strict": true
        }});
    }
    body
}

/// The `<environment_context>` message that opens every conversation.
pub fn environment_context(
    cwd: &str,
    approval_policy: &str,
    sandbox_mode: &str,
    network_access: bool,
) -> ResponseItem {
    let network = if network_access { "enabled" } else { "restricted" };
    let text = format!(
        "<environment_context>\n  <cwd>{cwd}</cwd>\n  <approval_policy>{approval_policy}</approval_policy>\n  <sandbox_mode>{sandbox_mode}</sandbox_mode>\n  <network_access>{network}</network_access>\n  <shell>bash</shell>\n</environment_context>"
    );
    ResponseItem::user_message(&[text], &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_carries_the_wire_fields() {
        let settings = RequestSettings {
            model: "gpt-5.1-codex".into(),
            instructions: "be brief".into(),
            tools: vec![json!({"type": "function", "name": "shell"})],
            reasoning_effort: Some(crate::engine::config::ReasoningEffort::High),
            output_schema: Some(json!({"type": "object"})),
            cache_key: "conv".into(),
        };
        let ResponseItem::Known(hi) = ResponseItem::user_message(&["hi".into()], &[]) else { unreachable!() };
        let body = body(&settings, &[&hi]);
        assert_eq!(body["stream"], true);
        assert_eq!(body["store"], false);
        assert_eq!(body["reasoning"], json!({"summary": "auto", "effort": "high"}));
        assert_eq!(body["include"], json!(["reasoning.encrypted_content"]));
        assert_eq!(body["text"]["format"]["schema"], json!({"type": "object"}));
        assert_eq!(body["input"][0]["content"][0]["text"], "hi");
    }
}
