//! The conversation as the model sees it, kept valid: every tool call the model made is answered
//! before the conversation is sent again.
//!
//! A call can be left without an answer when its turn was interrupted while the tool ran, or when
//! the process died then. The Responses API refuses a request holding such a call ("No tool
//! output found for function call …"), which would break the thread for good; so, as the
//! reference does, each one is answered `aborted` before the next request.

use std::collections::HashSet;

use crate::engine::model::{KnownItem, ResponseItem};

/// What an unanswered call is answered with.
pub const ABORTED: &str = "aborted";

/// What opens the message that carries a compaction's summary (the reference's words); the
/// summary follows on the next line.
pub const SUMMARY_PREFIX: &str = "Another language model started to solve this problem and produced a summary of its thinking process. You also have access to the state of the tools that were used by that language model. Use this to build on the work that has already been done and avoid duplicating work. Here is the summary produced by the other language model, use the information in this summary to assist with your own analysis:";

/// How many bytes of the user's earlier messages a compacted history keeps (the most recent
/// ones; about 20,000 tokens, as the reference keeps).
pub const KEPT_USER_BYTES: usize = 80_000;

/// The items of a conversation, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    items: Vec<ResponseItem>,
}

impl History {
    /// A history holding `items` (as read from a session file).
    pub fn new(items: Vec<ResponseItem>) -> History {
        History { items }
    }

    /// Whether nothing was said yet.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many items it holds (it only grows: a request's number in the conversation, see
    /// [`crate::engine::model::ModelClient::respond`]).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The items, in order.
    pub fn items(&self) -> &[ResponseItem] {
        &self.items
    }

    /// Appends an item.
    pub fn push(&mut self, item: ResponseItem) {
        self.items.push(item);
    }

    /// The items sent to the model: every known item, in order (unknown kinds stay behind).
    pub fn for_request(&self) -> Vec<&KnownItem> {
        self.items
            .iter()
            .filter_map(|item| match item {
                ResponseItem::Known(known) => Some(known),
                ResponseItem::Unknown(_) => None,
            })
            .collect()
    }

    /// Answers every call that has no output with [`ABORTED`], right after the call, and returns
    /// the answers added (for the session file).
    pub fn close_dangling_calls(&mut self) -> Vec<ResponseItem> {
        let answered: HashSet<String> =
            self.items.iter().filter_map(ResponseItem::answered_call).map(str::to_owned).collect();
        let mut added = Vec::new();
        let mut closed = Vec::with_capacity(self.items.len());
        for item in self.items.drain(..) {
            let answer = item
                .opened_call()
                .filter(|(call_id, _)| !answered.contains(*call_id))
                .map(|(call_id, custom)| ResponseItem::call_output(call_id, ABORTED.to_owned(), custom));
            closed.push(item);
            if let Some(answer) = answer {
                closed.push(answer.clone());
                added.push(answer);
            }
        }
        self.items = closed;
        added
    }
}

/// The history a compaction leaves, as the reference builds it: the first environment context,
/// the user's messages (the most recent [`KEPT_USER_BYTES`] of them; earlier summaries left
/// out), then a user message with the summary. Tool calls, answers and reasoning are gone.
pub fn compacted(items: &[ResponseItem], summary: &str) -> Vec<ResponseItem> {
    let user_text = |item: &ResponseItem| match item {
        ResponseItem::Known(KnownItem::Message { role, content, .. }) if role == "user" => {
            Some(crate::engine::model::items::message_text(content))
        }
        _ => None,
    };
    let is_context = |text: &str| text.starts_with("<environment_context>");
    let context = items.iter().find(|item| user_text(item).is_some_and(|text| is_context(&text)));
    let mut kept = Vec::new();
    let mut bytes = 0usize;
    for item in items.iter().rev() {
        let Some(text) = user_text(item) else { continue };
        if is_context(&text) || text.starts_with(SUMMARY_PREFIX) {
            continue;
        }
        bytes = bytes.saturating_add(text.len());
        if bytes > KEPT_USER_BYTES {
            break;
        }
        kept.push(item.clone());
    }
    kept.reverse();
    let bridge = ResponseItem::user_text(format!("{SUMMARY_PREFIX}\n{summary}"));
    context.cloned().into_iter().chain(kept).chain(std::iter::once(bridge)).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item(value: serde_json::Value) -> ResponseItem {
        ResponseItem::from_value(value)
    }

    #[test]
    fn a_compacted_history_keeps_the_context_the_user_s_messages_and_the_summary() {
        let user = |text: &str| ResponseItem::user_text(text.to_owned());
        let context = user("<environment_context>\n  <cwd>/w</cwd>\n</environment_context>");
        let items = vec![
            context.clone(),
            user("first"),
            item(json!({"type": "function_call", "name": "shell", "arguments": "{}", "call_id": "a"})),
            ResponseItem::call_output("a", "ok".into(), false),
            item(
                json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "did it"}]}),
            ),
            user(&format!("{SUMMARY_PREFIX}\nan older summary")),
            user("second"),
        ];
        let left = compacted(&items, "all done so far");
        assert_eq!(
            left,
            [context, user("first"), user("second"), user(&format!("{SUMMARY_PREFIX}\nall done so far"))]
        );
        // Only the most recent user messages fit.
        let long = "x".repeat(KEPT_USER_BYTES / 2 + 1);
        let many = [user(&long), user("short"), user(&long)];
        let kept = compacted(&many, "s");
        assert_eq!(kept.len(), 3, "the last long one and the short one, then the summary");
        assert_eq!(kept[0], user("short"));
    }

    #[test]
    fn unanswered_calls_are_answered_aborted_right_after_them() {
        let shell =
            item(json!({"type": "function_call", "name": "shell", "arguments": "{}", "call_id": "a"}));
        let answered =
            item(json!({"type": "function_call", "name": "shell", "arguments": "{}", "call_id": "b"}));
        let output = ResponseItem::call_output("b", "ok".into(), false);
        let patch =
            item(json!({"type": "custom_tool_call", "name": "apply_patch", "input": "", "call_id": "c"}));
        let mut history = History::new(vec![shell.clone(), answered.clone(), output.clone(), patch.clone()]);

        let added = history.close_dangling_calls();
        assert_eq!(
            added,
            [
                ResponseItem::call_output("a", ABORTED.into(), false),
                ResponseItem::call_output("c", ABORTED.into(), true)
            ]
        );
        assert_eq!(
            history.items,
            [shell, added[0].clone(), answered, output, patch, added[1].clone()],
            "each answer follows its call"
        );
        assert!(history.close_dangling_calls().is_empty(), "closing twice adds nothing");
    }

    #[test]
    fn unknown_items_are_kept_but_not_sent() {
        let unknown = item(json!({"type": "brand_new_kind", "x": 1}));
        let message = ResponseItem::user_text("hi".into());
        let history = History::new(vec![unknown, message]);
        assert_eq!(history.for_request().len(), 1);
        assert_eq!(history.items.len(), 2);
    }
}
