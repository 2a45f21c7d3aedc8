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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item(value: serde_json::Value) -> ResponseItem {
        ResponseItem::from_value(value)
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
        let message = ResponseItem::user_message(&["hi".into()], &[]);
        let history = History::new(vec![unknown, message]);
        assert_eq!(history.for_request().len(), 1);
        assert_eq!(history.items.len(), 2);
    }
}
