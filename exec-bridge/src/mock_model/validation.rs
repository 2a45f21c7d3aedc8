//! What the scripted model server refuses as the real Responses API does, so that tests catch a
//! runtime that sends an invalid conversation.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;

/// What the check reads of a request body: the type and call id of each input item, nothing
/// else (the rest is skipped unread).
#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    input: Vec<InputItem<'a>>,
}

#[derive(Deserialize)]
struct InputItem<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    call_id: Option<Cow<'a, str>>,
}

/// The error body for a request whose `input` holds a tool call without its output, as the
/// Responses API answers it (HTTP 400); `None` when every call is answered, or when the body
/// has no list of input items to check.
pub(crate) fn unanswered_call(body: &[u8]) -> Option<String> {
    let input = serde_json::from_slice::<Body>(body).ok()?.input;
    let calls = |kinds: &[&str]| {
        input
            .iter()
            .filter(|item| item.kind.as_deref().is_some_and(|kind| kinds.contains(&kind)))
            .filter_map(|item| item.call_id.as_deref())
            .collect::<Vec<&str>>()
    };
    let answered: HashSet<&str> =
        calls(&["function_call_output", "custom_tool_call_output"]).into_iter().collect();
    let unanswered = calls(&["function_call", "custom_tool_call", "local_shell_call"])
        .into_iter()
        .find(|call_id| !answered.contains(call_id))?;
    Some(invalid_request(&format!("No tool output found for function call {unanswered}."), "input"))
}

/// The body of an HTTP 400 as OpenAI's APIs answer it: an `invalid_request_error` about
/// `param`.
pub(crate) fn invalid_request(message: &str, param: &str) -> String {
    json!({"error": {"message": message, "type": "invalid_request_error", "param": param, "code": null}})
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_without_output_is_refused_and_an_answered_one_is_not() {
        let call = json!({"type": "function_call", "name": "shell", "arguments": "{}", "call_id": "call_7"});
        let body = |input: serde_json::Value| json!({"model": "m", "input": input}).to_string().into_bytes();
        let refused = unanswered_call(&body(json!([call.clone()]))).unwrap();
        assert!(refused.contains("No tool output found for function call call_7."), "{refused}");
        let output = json!({"type": "function_call_output", "call_id": "call_7", "output": "aborted"});
        assert_eq!(unanswered_call(&body(json!([call, output]))), None);
        assert_eq!(unanswered_call(&body(json!([]))), None);
        assert_eq!(unanswered_call(b"not json"), None);
    }
}
