//! The `exec` JSONL event stream.
//!
//! `exec-bridge exec --experimental-json` writes one [`ThreadEvent`] per line on stdout. Field
//! names are `snake_case`; every event carries its kind in `type` (`thread.started`,
//! `item.completed`, …) and every item carries its kind in `type` (`command_execution`,
//! `file_change`, …).
//!
//! A turn always reads `thread.started`, `turn.started`, then `item.*` events, then exactly one of
//! `turn.completed` or `turn.failed`. Item ids are `item_0`, `item_1`, … in order of first
//! appearance.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One line of the `exec` JSONL stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type")]
#[ts(export_to = "exec/")]
pub enum ThreadEvent {
    /// The first event of every run: the thread exists and has an id.
    #[serde(rename = "thread.started")]
    ThreadStarted(ThreadStartedEvent),
    /// The model started working on the prompt.
    #[serde(rename = "turn.started")]
    TurnStarted(TurnStartedEvent),
    /// The turn finished; carries the token usage of the whole turn.
    #[serde(rename = "turn.completed")]
    TurnCompleted(TurnCompletedEvent),
    /// The turn could not finish (a model error, or retries spent).
    #[serde(rename = "turn.failed")]
    TurnFailed(TurnFailedEvent),
    /// A new item appeared; it is usually still in progress.
    #[serde(rename = "item.started")]
    ItemStarted(ItemStartedEvent),
    /// An item in progress changed (for example the to-do list).
    #[serde(rename = "item.updated")]
    ItemUpdated(ItemUpdatedEvent),
    /// An item reached its final state.
    #[serde(rename = "item.completed")]
    ItemCompleted(ItemCompletedEvent),
    /// An error of the stream itself: a model request that failed and is retried
    /// (`Reconnecting... 1/5`), as the reference reports it.
    #[serde(rename = "error")]
    Error(ThreadErrorEvent),
}

/// Payload of `thread.started`: always the first event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct ThreadStartedEvent {
    /// The id of the thread; `exec resume <thread_id>` continues it later.
    pub thread_id: String,
}

/// Payload of `turn.started`: the model started working on the prompt. It has no fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct TurnStartedEvent {}

/// Payload of `turn.completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct TurnCompletedEvent {
    /// Tokens used by the turn, summed over every model request it made.
    pub usage: Usage,
}

/// Payload of `turn.failed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct TurnFailedEvent {
    /// Why the turn failed.
    pub error: ThreadError,
}

/// Payload of `item.started`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct ItemStartedEvent {
    /// The item, usually with an in-progress status.
    pub item: ThreadItem,
}

/// Payload of `item.updated`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct ItemUpdatedEvent {
    /// The item as it is now.
    pub item: ThreadItem,
}

/// Payload of `item.completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct ItemCompletedEvent {
    /// The item in its final state.
    pub item: ThreadItem,
}

/// Payload of the stream-level `error` event (a retry notice: the turn goes on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct ThreadErrorEvent {
    /// What went wrong, for a human.
    pub message: String,
}

/// Token usage of one turn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct Usage {
    /// Input tokens sent to the model, cached ones included.
    pub input_tokens: u64,
    /// The part of `input_tokens` served from the model's prompt cache.
    pub cached_input_tokens: u64,
    /// Tokens the model produced, reasoning included.
    pub output_tokens: u64,
}

/// Why a turn failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct ThreadError {
    /// What went wrong, for a human.
    pub message: String,
}

/// One item of a thread: its id, then its kind in `type` and the kind's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct ThreadItem {
    /// `item_0`, `item_1`, … in order of first appearance within the run.
    pub id: String,
    /// The kind of the item and its fields.
    #[serde(flatten)]
    #[ts(flatten)]
    pub details: ThreadItemDetails,
}

/// The kind of a [`ThreadItem`], tagged by `type`, with the kind's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export_to = "exec/")]
pub enum ThreadItemDetails {
    /// The agent's answer.
    AgentMessage(AgentMessageItem),
    /// A summary of the model's reasoning.
    Reasoning(ReasoningItem),
    /// A command the agent ran (or wanted to run).
    CommandExecution(CommandExecutionItem),
    /// A patch the agent applied (or wanted to apply).
    FileChange(FileChangeItem),
    /// A call to a tool of an MCP server.
    McpToolCall(McpToolCallItem),
    /// A web search the agent made.
    WebSearch(WebSearchItem),
    /// The agent's plan.
    TodoList(TodoListItem),
    /// A non-fatal error, shown as an item.
    Error(ErrorItem),
}

/// Fields of an `agent_message` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct AgentMessageItem {
    /// The final text, or JSON text when the run was given an output schema.
    pub text: String,
}

/// Fields of a `reasoning` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct ReasoningItem {
    /// The reasoning summary.
    pub text: String,
}

/// Fields of a `command_execution` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct CommandExecutionItem {
    /// The command line, shell-quoted for display (`bash -lc 'echo hi'`).
    pub command: String,
    /// Standard output and standard error, interleaved in the order they arrived.
    pub aggregated_output: String,
    /// The exit code; `null` while the command runs and when it never ran.
    pub exit_code: Option<i32>,
    /// Where the command is in its life.
    pub status: CommandExecutionStatus,
}

/// Status of a `command_execution` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "exec/")]
pub enum CommandExecutionStatus {
    /// The command is running.
    InProgress,
    /// The command ran and exited with code 0.
    Completed,
    /// The command ran and failed (non-zero exit, timeout, or it could not start).
    Failed,
    /// The command needed an approval that was refused; it did not run.
    Declined,
}

/// Fields of a `file_change` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct FileChangeItem {
    /// One entry per file the patch touches.
    pub changes: Vec<FileUpdateChange>,
    /// Whether the patch was applied.
    pub status: PatchApplyStatus,
}

/// One file touched by a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct FileUpdateChange {
    /// Absolute path of the file.
    pub path: String,
    /// What the patch does to the file.
    pub kind: PatchChangeKind,
}

/// What a patch does to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "exec/")]
pub enum PatchChangeKind {
    /// The file is created.
    Add,
    /// The file is removed.
    Delete,
    /// The file is edited (and possibly moved).
    Update,
}

/// Status of a `file_change` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "exec/")]
pub enum PatchApplyStatus {
    /// Every change was written.
    Completed,
    /// The patch did not verify or could not be written; nothing was changed.
    Failed,
    /// The patch needed an approval that was refused; nothing was changed.
    Declined,
}

/// Fields of an `mcp_tool_call` item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct McpToolCallItem {
    /// Name of the MCP server that handles the call.
    pub server: String,
    /// Name of the tool on that server.
    pub tool: String,
    /// The arguments passed to the tool, as the model wrote them.
    #[ts(type = "unknown")]
    pub arguments: serde_json::Value,
    /// What the tool returned once the call succeeded; `null` before, or when it failed (written
    /// out, as the reference writes it).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub result: Option<McpToolCallItemResult>,
    /// Why the call failed once it failed; `null` otherwise.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub error: Option<McpToolCallItemError>,
    /// Where the call is in its life.
    pub status: McpToolCallStatus,
}

/// The result of a successful MCP tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct McpToolCallItemResult {
    /// The MCP content blocks the tool returned (text, image, resource, …), as MCP defines them.
    #[ts(type = "Array<unknown>")]
    pub content: Vec<serde_json::Value>,
    /// The tool's structured output, if it gave one.
    #[ts(type = "unknown")]
    pub structured_content: Option<serde_json::Value>,
}

/// Why an MCP tool call failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct McpToolCallItemError {
    /// What went wrong, for a human.
    pub message: String,
}

/// Status of an `mcp_tool_call` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "exec/")]
pub enum McpToolCallStatus {
    /// The call is under way.
    InProgress,
    /// The server answered with a result.
    Completed,
    /// The call failed.
    Failed,
}

/// Fields of a `web_search` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct WebSearchItem {
    /// What the agent searched for.
    pub query: String,
}

/// Fields of a `todo_list` item: the agent's plan. Started when the plan is first set, updated on
/// every change, completed when the turn ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct TodoListItem {
    /// The steps of the plan, in order.
    pub items: Vec<TodoItem>,
}

/// One step of the agent's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct TodoItem {
    /// What the step is.
    pub text: String,
    /// Whether the step is done.
    pub completed: bool,
}

/// Fields of an `error` item: a non-fatal error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "exec/")]
pub struct ErrorItem {
    /// What went wrong, for a human.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_wire_exact;

    /// A turn that reasons, runs a command, sets a plan, applies a patch and answers, in the shape
    /// the reference emits (wire.md section 1).
    const TURN: &[&str] = &[
        r#"{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}"#,
        r#"{"type":"turn.started"}"#,
        r#"{"type":"item.completed","item":{"id":"item_0","type":"reasoning","text":"Thinking about it"}}"#,
        r#"{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"bash -lc 'echo hi'","aggregated_output":"","exit_code":null,"status":"in_progress"}}"#,
        r#"{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"bash -lc 'echo hi'","aggregated_output":"hi\n","exit_code":0,"status":"completed"}}"#,
        r#"{"type":"item.started","item":{"id":"item_2","type":"todo_list","items":[{"text":"a","completed":false},{"text":"b","completed":false}]}}"#,
        r#"{"type":"item.completed","item":{"id":"item_3","type":"file_change","changes":[{"path":"/work/hello.txt","kind":"add"}],"status":"completed"}}"#,
        r#"{"type":"item.completed","item":{"id":"item_4","type":"agent_message","text":"Done."}}"#,
        r#"{"type":"item.completed","item":{"id":"item_2","type":"todo_list","items":[{"text":"a","completed":true},{"text":"b","completed":false}]}}"#,
        r#"{"type":"turn.completed","usage":{"input_tokens":406,"cached_input_tokens":40,"output_tokens":86}}"#,
    ];

    #[test]
    fn a_whole_turn_reads_and_writes_back_exactly() {
        let events: Vec<ThreadEvent> = TURN.iter().map(|line| assert_wire_exact(line)).collect();
        assert!(matches!(&events[0], ThreadEvent::ThreadStarted(e) if e.thread_id.starts_with("0199")));
        let ThreadEvent::ItemCompleted(ItemCompletedEvent { item }) = &events[4] else { panic!() };
        assert_eq!(item.id, "item_1");
        let ThreadItemDetails::CommandExecution(command) = &item.details else { panic!() };
        assert_eq!((command.exit_code, command.status), (Some(0), CommandExecutionStatus::Completed));
    }

    #[test]
    fn declined_items_and_the_other_kinds() {
        for line in [
            r#"{"type":"item.completed","item":{"id":"item_0","type":"command_execution","command":"rm -rf /","aggregated_output":"","exit_code":null,"status":"declined"}}"#,
            r#"{"type":"item.completed","item":{"id":"item_1","type":"file_change","changes":[{"path":"/etc/passwd","kind":"update"}],"status":"declined"}}"#,
            r#"{"type":"item.completed","item":{"id":"item_2","type":"file_change","changes":[{"path":"/w/gone.txt","kind":"delete"}],"status":"failed"}}"#,
            r#"{"type":"item.started","item":{"id":"item_3","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{"q":"x"},"result":null,"error":null,"status":"in_progress"}}"#,
            r#"{"type":"item.completed","item":{"id":"item_3","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{"q":"x"},"result":{"content":[{"type":"text","text":"found"}],"structured_content":null},"error":null,"status":"completed"}}"#,
            r#"{"type":"item.completed","item":{"id":"item_4","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{},"result":null,"error":{"message":"timed out"},"status":"failed"}}"#,
            r#"{"type":"item.completed","item":{"id":"item_5","type":"web_search","query":"serde flatten"}}"#,
            r#"{"type":"item.completed","item":{"id":"item_6","type":"error","message":"output truncated"}}"#,
            r#"{"type":"item.updated","item":{"id":"item_7","type":"todo_list","items":[]}}"#,
            r#"{"type":"turn.failed","error":{"message":"retries spent: 503 Service Unavailable"}}"#,
            r#"{"type":"error","message":"stream ended unexpectedly"}"#,
        ] {
            assert_wire_exact::<ThreadEvent>(line);
        }
    }

    #[test]
    fn a_missing_exit_code_reads_as_none_and_is_written_as_null() {
        let line = r#"{"id":"item_0","type":"command_execution","command":"ls","aggregated_output":"","status":"in_progress"}"#;
        let item: ThreadItem = serde_json::from_str(line).unwrap();
        let written = serde_json::to_string(&item).unwrap();
        assert!(written.contains(r#""exit_code":null"#), "{written}");
    }

    #[test]
    fn unknown_kinds_are_errors_that_name_the_kind() {
        let error = serde_json::from_str::<ThreadEvent>(r#"{"type":"turn.paused"}"#).unwrap_err();
        assert!(error.to_string().contains("turn.paused"), "{error}");
    }
}
