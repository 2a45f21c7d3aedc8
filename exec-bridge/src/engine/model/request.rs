//! The body of a Responses request, and the environment context that opens a conversation.

use serde::Serialize;
use serde_json::Value;

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
    /// How the model summarises its reasoning: `auto` for a thread's turns, `detailed` for a
    /// reviewer's (as Codex asks).
    pub reasoning_summary: &'static str,
    /// A JSON Schema the final answer must follow (`--output-schema`).
    pub output_schema: Option<Value>,
    /// Sent as `prompt_cache_key`: the conversation id.
    pub cache_key: String,
}

/// The request body for `input` (environment context, user messages and history, in order), as
/// the JSON bytes sent: written straight from the thread's state, nothing copied on the way.
pub fn body(settings: &RequestSettings, input: &[&KnownItem]) -> Vec<u8> {
    let reasons = reasons(&settings.model);
    let body = Body {
        model: &settings.model,
        instructions: &settings.instructions,
        input,
        tools: &settings.tools,
        tool_choice: "auto",
        parallel_tool_calls: false,
        reasoning: reasons.then(|| Reasoning {
            summary: settings.reasoning_summary,
            effort: settings.reasoning_effort.map(|e| e.as_str()),
        }),
        store: false,
        stream: true,
        include: if reasons { &["reasoning.encrypted_content"] } else { &[] },
        prompt_cache_key: &settings.cache_key,
        text: settings.output_schema.as_ref().map(|schema| Text {
            format: Format { kind: "json_schema", name: "codex_output_schema", schema, strict: true },
        }),
    };
    // Strings, numbers and objects with string keys: writing them to memory cannot fail.
    serde_json::to_vec(&body).unwrap_or_default()
}

/// Whether `model` is one of the reasoning models that give summaries and encrypted reasoning
/// (the o-series and GPT-5 families, as Codex's model families have it). Other models (local
/// ones such as `gpt-oss`) get `reasoning: null` and no `include`, as Codex sends them.
fn reasons(model: &str) -> bool {
    ["o3", "o4-mini", "codex-", "gpt-5"].iter().any(|family| model.starts_with(family))
}

/// A Responses request body, its fields in the order the reference sends them.
#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    instructions: &'a str,
    input: &'a [&'a KnownItem],
    tools: &'a [Value],
    tool_choice: &'static str,
    parallel_tool_calls: bool,
    /// `null` for a model without reasoning summaries.
    reasoning: Option<Reasoning>,
    store: bool,
    stream: bool,
    include: &'static [&'static str],
    prompt_cache_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<Text<'a>>,
}

#[derive(Serialize)]
struct Reasoning {
    summary: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    effort: Option<&'static str>,
}

#[derive(Serialize)]
struct Text<'a> {
    format: Format<'a>,
}

#[derive(Serialize)]
struct Format<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    schema: &'a Value,
    strict: bool,
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
    ResponseItem::user_text(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_body_carries_the_wire_fields() {
        let settings = RequestSettings {
            model: "gpt-5.1-codex".into(),
            instructions: "be brief".into(),
            tools: vec![json!({"type": "function", "name": "shell"})],
            reasoning_effort: Some(crate::engine::config::ReasoningEffort::High),
            reasoning_summary: "auto",
            output_schema: Some(json!({"type": "object"})),
            cache_key: "conv".into(),
        };
        let ResponseItem::Known(hi) = ResponseItem::user_text("hi".into()) else { unreachable!() };
        let body: Value = serde_json::from_slice(&body(&settings, &[&hi])).unwrap();
        let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "model",
                "instructions",
                "input",
                "tools",
                "tool_choice",
                "parallel_tool_calls",
                "reasoning",
                "store",
                "stream",
                "include",
                "prompt_cache_key",
                "text"
            ]
        );
        assert_eq!(body["stream"], true);
        assert_eq!(body["store"], false);
        assert_eq!(body["reasoning"], json!({"summary": "auto", "effort": "high"}));
        assert_eq!(body["include"], json!(["reasoning.encrypted_content"]));
        assert_eq!(body["text"]["format"]["schema"], json!({"type": "object"}));
        assert_eq!(body["input"][0]["content"][0]["text"], "hi");

        let local = RequestSettings { model: "openai/gpt-oss-20b".into(), output_schema: None, ..settings };
        let body: Value = serde_json::from_slice(&super::body(&local, &[&hi])).unwrap();
        assert_eq!((&body["reasoning"], &body["include"]), (&Value::Null, &json!([])));
    }
}
