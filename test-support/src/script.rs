//! Builders of the scripted model's output items (the Responses API's items), so that a test
//! reads as what the model says rather than as JSON.
//!
//! A script is a JSON array with one entry per model request; an entry that is an array of
//! items is streamed as one response (see `exec_bridge::mock_model::Script` for the other
//! entries: HTTP errors, cut streams, delays):
//!
//! ```
//! use serde_json::json;
//! use test_support::script::{message, shell};
//!
//! let script = json!([
//!     [shell("call_1", &["touch", "ok.txt"])], // the first request: run a command
//!     [message("Done.")],                      // the second: answer
//! ]);
//! assert_eq!(script[0][0]["name"], "shell");
//! ```

use serde_json::{json, Value};

/// An assistant message with one `output_text` part (its id is `msg_<length of text>`).
pub fn message(text: &str) -> Value {
    json!({"type": "message", "role": "assistant", "id": format!("msg_{}", text.len()),
           "content": [{"type": "output_text", "text": text}]})
}

/// A reasoning item (id `rs_1`) with one summary part.
pub fn reasoning(text: &str) -> Value {
    json!({"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": text}]})
}

/// A `function_call` of the tool `name` with JSON `arguments` (id `fc_<call_id>`).
pub fn function_call(call_id: &str, name: &str, arguments: Value) -> Value {
    json!({"type": "function_call", "id": format!("fc_{call_id}"), "call_id": call_id, "name": name,
           "arguments": arguments.to_string()})
}

/// A `shell` call that runs `argv`.
pub fn shell(call_id: &str, argv: &[&str]) -> Value {
    function_call(call_id, "shell", json!({"command": argv}))
}

/// A `shell` call that runs `argv` and asks to run outside the sandbox, giving `justification`
/// (`with_escalated_permissions`).
pub fn shell_escalated(call_id: &str, argv: &[&str], justification: &str) -> Value {
    function_call(
        call_id,
        "shell",
        json!({"command": argv, "with_escalated_permissions": true, "justification": justification}),
    )
}

/// An `apply_patch` custom tool call (id `ct_<call_id>`); `body` goes between
/// `*** Begin Patch` and `*** End Patch`, each of its lines ending with a newline.
pub fn patch(call_id: &str, body: &str) -> Value {
    json!({"type": "custom_tool_call", "id": format!("ct_{call_id}"), "call_id": call_id, "name": "apply_patch",
           "input": format!("*** Begin Patch\n{body}*** End Patch\n")})
}

/// An `update_plan` call with `(step, status)` pairs; a status is `pending`, `in_progress` or
/// `completed`.
pub fn plan(call_id: &str, steps: &[(&str, &str)]) -> Value {
    let plan: Vec<Value> =
        steps.iter().map(|(step, status)| json!({"step": step, "status": status})).collect();
    function_call(call_id, "update_plan", json!({"plan": plan}))
}

/// A `view_image` call for the image at `path`.
pub fn view_image(call_id: &str, path: &str) -> Value {
    function_call(call_id, "view_image", json!({"path": path}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_carry_their_arguments_as_json_text() {
        let call = shell_escalated("call_1", &["bash", "-c", "true"], "needs it");
        assert_eq!(call["id"], "fc_call_1");
        let arguments: Value =
            serde_json::from_str(call["arguments"].as_str().expect("arguments are a string")).expect("JSON");
        assert_eq!(
            arguments,
            json!({"command": ["bash", "-c", "true"], "with_escalated_permissions": true, "justification": "needs it"})
        );
        assert_eq!(
            patch("p", "*** Add File: a\n+a\n")["input"],
            "*** Begin Patch\n*** Add File: a\n+a\n*** End Patch\n"
        );
    }
}
