//! What the scripted model server refuses as the real Responses API does, so that tests catch a
//! runtime that sends an invalid conversation.

use std::collections::HashSet;

use serde_json::{json, Value};

/// The error body for a request whose `input` holds a tool call without its output, as the
/// Responses API answers it (HTTP 400); `None` when every call is answered.
pub(crate) fn unanswered_call(body: &Value) -> Option<String> {
    let input = body["input"].as_array()?;
    let answered: HashSet<&str> = input
        .iter()
        .filter(|item| {
            matches!(item["type"].as_str(), Some("function_call_output" | "custom_tool_call_output"))
        })
        .filter_map(|item| item["call_id"].as_str())
        .collect();
    let unanswered = input
        .iter()
        .filter(|item| {
            matches!(item["type"].as_str(), Some("function_call" | "custom_tool_call" | "local_shell_call"))
        })
        .filter_map(|item| item["call_id"].as_str())
        .find(|call_id| !answered.contains(call_id))?;
    let error = json!({"error": {
        "message": format!("No tool output found for function call {unanswered}."),
        "type": "invalid_request_error",
        "param": "input",
        "code": null
    }});
    Some(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_without_output_is_refused_and_an_answered_one_is_not() {
        let call = json!({"type": "function_call", "name": "shell", "arguments": "{}", "call_id": "call_7"});
        let refused = unanswered_call(&json!({"input": [call.clone()]})).unwrap();
        assert!(refused.contains("No tool output found for function call call_7."), "{refused}");
        let output = json!({"type": "function_call_output", "call_id": "call_7", "output": "aborted"});
        assert_eq!(unanswered_call(&json!({"input": [call, output]})), None);
        assert_eq!(unanswered_call(&json!({"input": []})), None);
    }
}
