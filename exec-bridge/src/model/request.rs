//! The body of a Responses request, and the input items the runtime sends.

use serde_json::{json, Value};

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
    pub reasoning_effort: Option<String>,
    /// A JSON Schema the final answer must follow (`--output-schema`).
    pub output_schema: Option<Value>,
    /// Sent as `prompt_cache_key`: the conversation id.
    pub cache_key: String,
}

/// The request body for `input` (environment context, user messages and history, in order).
pub fn body(settings: &RequestSettings, input: &[Value]) -> Value {
    let mut reasoning = json!({"summary": "auto"});
    if let Some(effort) = &settings.reasoning_effort {
        reasoning["effort"] = json!(effort);
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

/// A user message with text parts and image parts (`data:` URLs or `https:` URLs).
pub fn user_message(texts: &[String], image_urls: &[String]) -> Value {
    let mut content: Vec<Value> = texts.iter().map(|t| json!({"type": "input_text", "text": t})).collect();
    content.extend(image_urls.iter().map(|url| json!({"type": "input_image", "image_url": url})));
    json!({"type": "message", "role": "user", "content": content})
}

/// The `<environment_context>` message that opens every conversation.
pub fn environment_context(
    cwd: &str,
    approval_policy: &str,
    sandbox_mode: &str,
    network_access: bool,
) -> Value {
    let network = if network_access { "enabled" } else { "restricted" };
    let text = format!(
        "<environment_context>\n  <cwd>{cwd}</cwd>\n  <approval_policy>{approval_policy}</approval_policy>\n  <sandbox_mode>{sandbox_mode}</sandbox_mode>\n  <network_access>{network}</network_access>\n  <shell>bash</shell>\n</environment_context>"
    );
    user_message(&[text], &[])
}

/// The output of a `function_call`, sent back to the model.
pub fn function_call_output(call_id: &str, output: &str) -> Value {
    json!({"type": "function_call_output", "call_id": call_id, "output": output})
}

/// The output of a `custom_tool_call`, sent back to the model.
pub fn custom_tool_call_output(call_id: &str, output: &str) -> Value {
    json!({"type": "custom_tool_call_output", "call_id": call_id, "output": output})
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
            reasoning_effort: Some("high".into()),
            output_schema: Some(json!({"type": "object"})),
            cache_key: "conv".into(),
        };
        let body = body(&settings, &[user_message(&["hi".into()], &[])]);
        assert_eq!(body["stream"], true);
        assert_eq!(body["store"], false);
        assert_eq!(body["reasoning"], json!({"summary": "auto", "effort": "high"}));
        assert_eq!(body["include"], json!(["reasoning.encrypted_content"]));
        assert_eq!(body["text"]["format"]["schema"], json!({"type": "object"}));
        assert_eq!(body["input"][0]["content"][0]["text"], "hi");
    }
}
