//! What the model sees of a server's tools (their names and definitions) and of a call's result.

use serde_json::{json, Map, Value};

/// The largest result of one call kept (serialised): 1 MiB. A larger one reaches the model and
/// the clients as one text block that says it was cut.
pub const MAX_RESULT_BYTES: usize = 1024 * 1024;

/// The longest function name the Responses API accepts.
const MAX_NAME_LEN: usize = 64;

/// The name the model calls `tool` of `server` by, as Codex names it: `mcp__<server>__<tool>`,
/// every character outside `[A-Za-z0-9_-]` replaced by `_`; a name over 64 characters is cut
/// and ends with a hash of the whole, so that two long names stay apart.
pub(super) fn qualified(server: &str, tool: &str) -> String {
    let name: String = format!("mcp__{server}__{tool}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
        .collect();
    if name.len() <= MAX_NAME_LEN {
        return name;
    }
    let hash = format!("{:016x}", fnv1a(name.as_bytes()));
    format!("{}{hash}", &name[..MAX_NAME_LEN - hash.len()])
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The function definition of a server's tool (`tool` as the server listed it), as Codex sends
/// it: the server's description (empty when none) and input schema, which is made an object
/// schema with `properties` when the server left them out.
pub(super) fn definition(qualified: &str, tool: &Value) -> Value {
    let mut parameters = match tool.get("inputSchema") {
        Some(Value::Object(schema)) => schema.clone(),
        _ => Map::new(),
    };
    parameters.entry("type").or_insert_with(|| json!("object"));
    if !parameters.get("properties").is_some_and(Value::is_object) {
        parameters.insert("properties".into(), json!({}));
    }
    json!({
        "type": "function",
        "name": qualified,
        "description": tool.get("description").and_then(Value::as_str).unwrap_or_default(),
        "strict": false,
        "parameters": parameters,
    })
}

/// A call's result (the server's `CallToolResult` as JSON) as it is kept: at most
/// [`MAX_RESULT_BYTES`] serialised; past that, one text block with its start and a note.
pub(super) fn bounded(result: Value) -> Value {
    let text = result.to_string();
    if text.len() <= MAX_RESULT_BYTES {
        return result;
    }
    let mut cut = MAX_RESULT_BYTES / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let note = format!(
        "{}\n[the MCP server's result was {} bytes; cut to its first {cut} bytes]",
        &text[..cut],
        text.len()
    );
    json!({
        "content": [{"type": "text", "text": note}],
        "isError": result.get("isError").cloned().unwrap_or(Value::Bool(false)),
    })
}

/// What the model is told of a result, as Codex tells it: the structured content as JSON when
/// the tool gave one, else the content blocks as a JSON array.
pub fn model_output(content: &[Value], structured_content: Option<&Value>) -> String {
    match structured_content.filter(|value| !value.is_null()) {
        Some(structured) => structured.to_string(),
        None => Value::Array(content.to_vec()).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_qualified_sanitised_and_bounded() {
        assert_eq!(qualified("docs", "search"), "mcp__docs__search");
        assert_eq!(qualified("my server", "a.b/c"), "mcp__my_server__a_b_c");
        let long = qualified("server", &"t".repeat(100));
        assert_eq!(long.len(), 64);
        assert_ne!(long, qualified("server", &format!("{}u", "t".repeat(99))));
    }

    #[test]
    fn a_definition_is_an_object_schema() {
        let tool = json!({"name": "fail", "inputSchema": {"type": "object"}});
        assert_eq!(
            definition("mcp__s__fail", &tool),
            json!({"type": "function", "name": "mcp__s__fail", "description": "", "strict": false,
                   "parameters": {"type": "object", "properties": {}}})
        );
    }

    #[test]
    fn results_are_told_as_codex_tells_them_and_bounded() {
        let content = vec![json!({"type": "text", "text": "3"})];
        assert_eq!(model_output(&content, None), r#"[{"type":"text","text":"3"}]"#);
        assert_eq!(model_output(&content, Some(&json!({"n": 3}))), r#"{"n":3}"#);
        let huge = json!({"content": [{"type": "text", "text": "x".repeat(3 * MAX_RESULT_BYTES)}]});
        let kept = bounded(huge);
        assert!(kept.to_string().len() < MAX_RESULT_BYTES);
        assert!(kept["content"][0]["text"].as_str().unwrap().contains("cut to its first"));
    }
}
