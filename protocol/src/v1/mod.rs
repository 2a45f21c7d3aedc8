//! The legacy event stream of the app-server: `codex/event/<type>` notifications, the v1 form
//! that Codex 0.63 still sends beside every v2 notification, so that older integrations (IDE
//! extensions, MCP-server clients) keep working. Fields are `snake_case`, as in the reference.
//!
//! Each notification's params are a [`LegacyEvent`]: the turn it belongs to, the event, and the
//! thread. The method is `codex/event/` followed by the event's `type` ([`EventMsg::method`]).
//! A client that reads v2 only can decline them at `initialize` (see
//! [`crate::v2::InitializeCapabilities`]).

mod events;
mod types;

pub use events::*;
pub use types::*;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The prefix of every legacy notification's method.
pub const METHOD_PREFIX: &str = "codex/event/";

/// Params of a `codex/event/<type>` notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct LegacyEvent {
    /// The turn the event belongs to; empty for events of the thread itself (the MCP servers'
    /// start).
    pub id: String,
    /// The event.
    pub msg: EventMsg,
    /// The thread.
    #[serde(rename = "conversationId")]
    pub conversation_id: String,
}

impl LegacyEvent {
    /// The notification's method: `codex/event/<type>`.
    pub fn method(&self) -> String {
        self.msg.method()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_method_is_the_prefix_and_the_event_type() {
        let event = LegacyEvent {
            id: "0".into(),
            msg: EventMsg::AgentMessageDelta { delta: "hi".into() },
            conversation_id: "t".into(),
        };
        assert_eq!(event.method(), "codex/event/agent_message_delta");
        // `kind` is the serialized tag, for every variant this test can build cheaply.
        for msg in [
            EventMsg::TaskStarted { model_context_window: None },
            EventMsg::TurnDiff { unified_diff: String::new() },
            EventMsg::ExitedReviewMode { review_output: None },
            EventMsg::AgentReasoningRawContentDelta { delta: String::new() },
        ] {
            let tag = serde_json::to_value(&msg).unwrap_or_default()["type"].as_str().map(str::to_owned);
            assert_eq!(tag.as_deref(), Some(msg.kind()));
        }
        let json = serde_json::to_value(&event).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"id": "0", "msg": {"type": "agent_message_delta", "delta": "hi"}, "conversationId": "t"})
        );
    }

    #[test]
    fn a_client_declines_methods_by_name_or_by_folder() {
        let caps = crate::v2::InitializeCapabilities {
            opt_out_notification_methods: Some(vec!["codex/event/*".into(), "turn/started".into()]),
        };
        assert!(caps.declines("codex/event/token_count"));
        assert!(caps.declines("turn/started"));
        assert!(!caps.declines("turn/completed"));
        assert!(!caps.declines("account/rateLimits/updated"));
        let none = crate::v2::InitializeCapabilities::default();
        assert!(!none.declines("codex/event/token_count"));
        // `*` alone, or a prefix without its slash, names nothing.
        let odd = crate::v2::InitializeCapabilities {
            opt_out_notification_methods: Some(vec!["*".into(), "codex*".into()]),
        };
        assert!(!odd.declines("codex/event/token_count"));
    }
}
