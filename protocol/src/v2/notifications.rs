//! Payloads of the notifications the server sends as a turn runs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::items::ThreadItem;
use super::thread::{Thread, Turn, TurnError};

/// Params of `error`: a turn hit an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ErrorNotification {
    /// The error.
    pub error: TurnError,
}

/// Params of `thread/started`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadStartedNotification {
    /// The new thread.
    pub thread: Thread,
}

/// Params of `turn/started`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct TurnStartedNotification {
    /// The turn, in progress.
    pub turn: Turn,
}

/// Params of `turn/completed`: the turn ended, whatever its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct TurnCompletedNotification {
    /// The turn, with its final status.
    pub turn: Turn,
}

/// Params of `item/started`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ItemStartedNotification {
    /// The item, usually in progress.
    pub item: ThreadItem,
}

/// Params of `item/completed`: sent exactly once per item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ItemCompletedNotification {
    /// The item in its final state.
    pub item: ThreadItem,
}

/// Params of `item/agentMessage/delta`: more text of an `agentMessage` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct AgentMessageDeltaNotification {
    /// The `agentMessage` item.
    pub item_id: String,
    /// The text to append.
    pub delta: String,
}

/// Params of `item/commandExecution/outputDelta`: more output of a running command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CommandExecutionOutputDeltaNotification {
    /// The `commandExecution` item (never any other kind).
    pub item_id: String,
    /// The output to append, standard output and standard error as they arrived.
    pub delta: String,
}

/// Params of `item/mcpToolCall/progress`: what an MCP server said of a call still under way
/// (its `notifications/progress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpToolCallProgressNotification {
    /// The `mcpToolCall` item.
    pub item_id: String,
    /// The server's progress message, or `progress/total` (`progress` alone) when it sent none.
    pub message: String,
}

/// Params of `item/reasoning/summaryTextDelta`: more text of one reasoning summary part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ReasoningSummaryTextDeltaNotification {
    /// The `reasoning` item.
    pub item_id: String,
    /// The text to append.
    pub delta: String,
    /// Which summary part it belongs to, from 0.
    pub summary_index: i64,
}

/// Params of `item/reasoning/summaryPartAdded`: a new reasoning summary part begins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ReasoningSummaryPartAddedNotification {
    /// The `reasoning` item.
    pub item_id: String,
    /// The index of the new part, from 0.
    pub summary_index: i64,
}

/// Params of `item/reasoning/textDelta`: more raw reasoning text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ReasoningTextDeltaNotification {
    /// The `reasoning` item.
    pub item_id: String,
    /// The text to append.
    pub delta: String,
    /// Which content part it belongs to, from 0.
    pub content_index: i64,
}
