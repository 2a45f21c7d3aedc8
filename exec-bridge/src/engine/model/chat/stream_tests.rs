//! The chat stream decoder's tests.
use serde_json::json;

use super::*;

/// Feeds `chunks` (then `[DONE]`) and returns the deltas and the answer.
fn decode(chunks: &[Value]) -> (Vec<StreamDelta>, ModelResponse) {
    let mut decoder = ChatDecoder::new(3);
    let mut deltas = Vec::new();
    for chunk in chunks {
        assert!(decoder.event(&chunk.to_string(), &mut deltas).ok().unwrap().is_none());
    }
    let response = decoder.event("[DONE]", &mut deltas).ok().unwrap().unwrap();
    (deltas, response)
}

fn items(response: &ModelResponse) -> Value {
    serde_json::to_value(&response.items).unwrap()
}

#[test]
fn text_reasoning_and_pieced_tool_calls_become_items() {
    let (deltas, response) = decode(&[
        json!({"choices": [{"index": 0, "delta": {"role": "assistant", "reasoning": "think"}}]}),
        json!({"choices": [{"delta": {"content": "Let me "}}]}),
        json!({"choices": [{"delta": {"content": "look."}}]}),
        json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "call_9", "type": "function", "function": {"name": "shell", "arguments": "{\"comm"}}]}}]}),
        json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "and\":[\"ls\"]}"}}]}}]}),
        json!({"choices": [{"delta": {"tool_calls": [{"index": 1, "function": {"name": "update_plan", "arguments": "{}"}}]}}]}),
        json!({"choices": [{"delta": {}, "finish_reason": "tool_calls"}], "usage": {"prompt_tokens": 12, "completion_tokens": 4, "prompt_tokens_details": {"cached_tokens": 2}}}),
    ]);
    assert_eq!(
        items(&response),
        json!([
            {"type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "think"}], "encrypted_content": null},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Let me look."}]},
            {"type": "function_call", "name": "shell", "arguments": "{\"command\":[\"ls\"]}", "call_id": "call_9"},
            {"type": "function_call", "name": "update_plan", "arguments": "{}", "call_id": "chat_msg_3_call_1"}
        ])
    );
    assert_eq!(
        response.usage,
        TokenUsage { input_tokens: 12, cached_input_tokens: 2, output_tokens: 4, reasoning_output_tokens: 0 }
    );
    let text: Vec<&str> = deltas
        .iter()
        .filter_map(|d| match d {
            StreamDelta::OutputText { item_id, delta } if item_id == "chat_msg_3" => Some(delta.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, ["Let me ", "look."]);
    let added = deltas.iter().filter(|d| matches!(d, StreamDelta::ItemAdded { .. })).count();
    assert_eq!(added, 2, "the reasoning and the message are announced once each: {deltas:?}");
}

#[test]
fn the_end_of_the_stream_completes_only_a_finished_answer() {
    let mut finished = ChatDecoder::new(0);
    let chunk = json!({"choices": [{"delta": {"content": "hi"}, "finish_reason": "stop"}]});
    finished.event(&chunk.to_string(), &mut Vec::new()).ok().unwrap();
    assert_eq!(items(&finished.end().ok().unwrap())[0]["content"][0]["text"], "hi");

    let mut cut = ChatDecoder::new(0);
    cut.event(&json!({"choices": [{"delta": {"content": "h"}}]}).to_string(), &mut Vec::new()).ok().unwrap();
    assert!(matches!(cut.end(), Err(Attempt::Retry(_))));
}

fn calls(response: &ModelResponse) -> Vec<(String, String, String)> {
    items(response)
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["type"] == "function_call")
        .map(|c| {
            (
                c["call_id"].as_str().unwrap().into(),
                c["name"].as_str().unwrap().into(),
                c["arguments"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn whole_calls_at_one_index_with_their_own_ids_stay_apart() {
    // As Ollama streams parallel calls: each whole, each at index 0.
    let call = |id: &str, command: &str| {
        json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": id, "type": "function",
            "function": {"name": "shell", "arguments": format!("{{\"command\":[\"{command}\"]}}")}}]}}]})
    };
    let (_, response) = decode(&[call("call_a", "ls"), call("call_b", "pwd")]);
    assert_eq!(
        calls(&response),
        [
            ("call_a".into(), "shell".into(), "{\"command\":[\"ls\"]}".into()),
            ("call_b".into(), "shell".into(), "{\"command\":[\"pwd\"]}".into())
        ]
    );
    // Without indices: by id, and a bare piece goes to the last call.
    let (_, response) = decode(&[
        json!({"choices": [{"delta": {"tool_calls": [{"id": "x", "function": {"name": "a", "arguments": "{"}}]}}]}),
        json!({"choices": [{"delta": {"tool_calls": [{"function": {"arguments": "}"}}]}}]}),
        json!({"choices": [{"delta": {"tool_calls": [{"index": 18446744073709551615u64, "function": {"name": "b"}}, {}]}}]}),
    ]);
    assert_eq!(
        calls(&response),
        [("x".into(), "a".into(), "{}".into()), ("chat_msg_3_call_1".into(), "b".into(), String::new())]
    );
}

#[test]
fn an_answer_may_make_at_most_max_calls_calls() {
    let pieces: Vec<Value> =
        (0..=MAX_CALLS).map(|n| json!({"index": n, "function": {"name": "shell"}})).collect();
    let chunk = json!({"choices": [{"delta": {"tool_calls": pieces}}]}).to_string();
    match ChatDecoder::new(0).event(&chunk, &mut Vec::new()) {
        Err(Attempt::Fatal(ModelError::Unreadable(message))) => {
            assert!(message.contains("more than 128"), "{message}")
        }
        _ => panic!("too many calls must fail the answer"),
    }
}

#[test]
fn nulls_stand_for_missing_fields() {
    let (_, response) = decode(&[
        json!({"choices": [{"delta": {"content": "hi", "tool_calls": null, "reasoning": null}, "finish_reason": null}]}),
        json!({"choices": [{"delta": null, "finish_reason": "stop"}]}),
        json!({"choices": null, "usage": {"prompt_tokens": 3, "completion_tokens": null, "prompt_tokens_details": {"cached_tokens": null}}}),
    ]);
    assert_eq!(items(&response)[0]["content"][0]["text"], "hi");
    assert_eq!(
        response.usage,
        TokenUsage { input_tokens: 3, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0 }
    );
}

#[test]
fn a_cut_or_empty_answer_is_no_answer() {
    let mut cut = ChatDecoder::new(0);
    let chunk = json!({"choices": [{"delta": {"content": "half a"}, "finish_reason": "length"}]}).to_string();
    cut.event(&chunk, &mut Vec::new()).ok().unwrap();
    match cut.event("[DONE]", &mut Vec::new()) {
        Err(Attempt::Fatal(ModelError::ResponseFailed(message))) => {
            assert!(message.contains("finish_reason: length"), "{message}")
        }
        _ => panic!("an answer cut at the token limit must fail"),
    }
    assert!(matches!(ChatDecoder::new(0).event("[DONE]", &mut Vec::new()), Err(Attempt::Retry(_))));
    let error = json!({"error": "model not found"}).to_string();
    match ChatDecoder::new(0).event(&error, &mut Vec::new()) {
        Err(Attempt::Fatal(ModelError::ResponseFailed(message))) => {
            assert_eq!(message, "model not found")
        }
        _ => panic!("an error must fail the answer"),
    }
}

#[test]
fn an_error_in_the_stream_fails_the_response_and_garbage_breaks_it() {
    let mut decoder = ChatDecoder::new(0);
    let error = json!({"error": {"message": "model not loaded"}}).to_string();
    match decoder.event(&error, &mut Vec::new()) {
        Err(Attempt::Fatal(ModelError::ResponseFailed(message))) => {
            assert_eq!(message, "model not loaded")
        }
        _ => panic!("an error chunk must fail the response"),
    }
    assert!(matches!(decoder.event("{not json", &mut Vec::new()), Err(Attempt::Retry(_))));
}
