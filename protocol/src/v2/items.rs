//! The items of a turn, and the values inside them.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

/// One item of a turn, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ThreadItem {
    /// What the user sent; the first item of every turn.
    UserMessage {
        /// Unique within the thread.
        id: String,
        /// The inputs of the message, in order.
        content: Vec<UserInput>,
    },
    /// The agent's answer.
    AgentMessage {
        /// Unique within the thread.
        id: String,
        /// The text of the answer (JSON text when an output schema was given).
        text: String,
    },
    /// The model's reasoning.
    Reasoning {
        /// Unique within the thread.
        id: String,
        /// The reasoning summary, one entry per summary part.
        #[serde(default)]
        summary: Vec<String>,
        /// The raw reasoning text, where the model provides it.
        #[serde(default)]
        content: Vec<String>,
    },
    /// A command the agent runs, ran, or wanted to run.
    CommandExecution {
        /// Unique within the thread; the approval request and output deltas name it.
        id: String,
        /// The command line, shell-quoted for display.
        command: String,
        /// The command's working directory.
        cwd: String,
        /// Where the command is in its life.
        status: CommandExecutionStatus,
        /// A best-effort reading of what the command does; a pipeline gives one entry per part.
        #[serde(alias = "parsedCmd")]
        command_actions: Vec<CommandAction>,
        /// Standard output and standard error interleaved; `null` until the command ends.
        aggregated_output: Option<String>,
        /// The exit code; `null` until the command ends, and when it never ran.
        exit_code: Option<i32>,
        /// How long the command ran, in milliseconds; `null` until it ends.
        duration_ms: Option<i64>,
    },
    /// A patch the agent applies, applied, or wanted to apply.
    FileChange {
        /// Unique within the thread; the approval request names it.
        id: String,
        /// One entry per file the patch touches.
        changes: Vec<FileUpdateChange>,
        /// Where the patch is in its life.
        status: PatchApplyStatus,
    },
    /// A call to a tool of an MCP server.
    McpToolCall {
        /// Unique within the thread.
        id: String,
        /// Name of the MCP server.
        server: String,
        /// Name of the tool on that server.
        tool: String,
        /// Where the call is in its life.
        status: McpToolCallStatus,
        /// The arguments passed to the tool.
        #[ts(type = "unknown")]
        arguments: serde_json::Value,
        /// What the tool returned, once it succeeded.
        result: Option<McpToolCallResult>,
        /// Why the call failed, once it failed.
        error: Option<McpToolCallError>,
    },
    /// A web search the agent made.
    WebSearch {
        /// Unique within the thread.
        id: String,
        /// What was searched for.
        query: String,
    },
    /// The agent's plan.
    TodoList {
        /// Unique within the thread.
        id: String,
        /// The steps of the plan, in order.
        items: Vec<TodoItem>,
    },
    /// An image the agent looked at.
    ImageView {
        /// Unique within the thread.
        id: String,
        /// Path of the image file.
        path: String,
    },
    /// A code review (`review/start`): one per review turn.
    CodeReview {
        /// The turn's id.
        id: String,
        /// While the review runs (`item/started`), what is reviewed in a few words (`current
        /// changes`, `commit 1a2b3c4`); once it ended (`item/completed`), the review: the
        /// reviewer's explanation and findings as text, or `Reviewer failed to output a
        /// response.` when there are none.
        review: String,
    },
}

impl ThreadItem {
    /// The item's id, whatever its kind.
    pub fn id(&self) -> &str {
        match self {
            ThreadItem::UserMessage { id, .. }
            | ThreadItem::AgentMessage { id, .. }
            | ThreadItem::Reasoning { id, .. }
            | ThreadItem::CommandExecution { id, .. }
            | ThreadItem::FileChange { id, .. }
            | ThreadItem::McpToolCall { id, .. }
            | ThreadItem::WebSearch { id, .. }
            | ThreadItem::TodoList { id, .. }
            | ThreadItem::ImageView { id, .. }
            | ThreadItem::CodeReview { id, .. } => id,
        }
    }

    /// Gives the item another id (a resumed thread's items are renumbered, as Codex does).
    pub fn set_id(&mut self, new: String) {
        match self {
            ThreadItem::UserMessage { id, .. }
            | ThreadItem::AgentMessage { id, .. }
            | ThreadItem::Reasoning { id, .. }
            | ThreadItem::CommandExecution { id, .. }
            | ThreadItem::FileChange { id, .. }
            | ThreadItem::McpToolCall { id, .. }
            | ThreadItem::WebSearch { id, .. }
            | ThreadItem::TodoList { id, .. }
            | ThreadItem::ImageView { id, .. }
            | ThreadItem::CodeReview { id, .. } => *id = new,
        }
    }
}

/// One input of a user message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum UserInput {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image at a URL (`https:` or `data:`).
    Image {
        /// The image's URL.
        url: String,
    },
    /// An image file on the server's machine.
    LocalImage {
        /// Path of the image file.
        path: String,
    },
}

/// What one part of a command does, as far as it can be told from the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum CommandAction {
    /// Reads a file.
    Read {
        /// This part of the command line.
        #[serde(alias = "cmd")]
        command: String,
        /// The file's name.
        name: String,
        /// The file's path.
        path: String,
    },
    /// Lists files.
    ListFiles {
        /// This part of the command line.
        #[serde(alias = "cmd")]
        command: String,
        /// The directory listed, if named.
        path: Option<String>,
    },
    /// Searches file contents or names.
    Search {
        /// This part of the command line.
        #[serde(alias = "cmd")]
        command: String,
        /// What is searched for, if it could be told.
        query: Option<String>,
        /// Where it is searched, if named.
        path: Option<String>,
    },
    /// Anything else.
    Unknown {
        /// This part of the command line.
        #[serde(alias = "cmd")]
        command: String,
    },
}

/// Status of a `commandExecution` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum CommandExecutionStatus {
    /// Waiting for approval, or running.
    InProgress,
    /// Ran and exited with code 0.
    Completed,
    /// Ran and failed (non-zero exit, timeout, or it could not start).
    Failed,
    /// An approval was refused; the command did not run.
    Declined,
}

/// One file touched by a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct FileUpdateChange {
    /// Absolute path of the file.
    pub path: String,
    /// What the patch does to the file.
    pub kind: PatchChangeKind,
    /// The change as a unified diff; for an added file, its content.
    pub diff: String,
}

/// What a patch does to one file.
///
/// Read tolerantly: besides the tagged object (`{"type": "add"}`), the bare string of earlier
/// releases (`"add"`) is accepted. It is always written as the tagged object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum PatchChangeKind {
    /// The file is created.
    Add,
    /// The file is removed.
    Delete,
    /// The file is edited, and moved when `move_path` is set.
    Update {
        /// Where the file moves to, if it moves.
        move_path: Option<String>,
    },
}

impl<'de> Deserialize<'de> for PatchChangeKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The current, tagged form.
        #[derive(Deserialize)]
        #[serde(tag = "type", rename_all = "camelCase")]
        enum Tagged {
            Add,
            Delete,
            Update {
                #[serde(default)]
                move_path: Option<String>,
            },
        }
        /// Either form, as it may arrive.
        #[derive(Deserialize)]
        #[serde(
            untagged,
            expecting = "a patch change kind: {\"type\": \"add\"|\"delete\"|\"update\"} or one of the strings \"add\", \"delete\", \"update\""
        )]
        enum Wire {
            Tagged(Tagged),
            Bare(BareKind),
        }
        /// The bare-string form of earlier releases.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        enum BareKind {
            Add,
            Delete,
            Update,
        }
        Ok(match Wire::deserialize(deserializer)? {
            Wire::Tagged(Tagged::Add) | Wire::Bare(BareKind::Add) => PatchChangeKind::Add,
            Wire::Tagged(Tagged::Delete) | Wire::Bare(BareKind::Delete) => PatchChangeKind::Delete,
            Wire::Tagged(Tagged::Update { move_path }) => PatchChangeKind::Update { move_path },
            Wire::Bare(BareKind::Update) => PatchChangeKind::Update { move_path: None },
        })
    }
}

/// Status of a `fileChange` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum PatchApplyStatus {
    /// Waiting for approval, or being written.
    InProgress,
    /// Every change was written.
    Completed,
    /// The patch did not verify or could not be written; nothing was changed.
    Failed,
    /// An approval was refused; nothing was changed.
    Declined,
}

/// Status of an `mcpToolCall` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum McpToolCallStatus {
    /// The call is under way.
    InProgress,
    /// The server answered with a result.
    Completed,
    /// The call failed.
    Failed,
}

/// What an MCP tool returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpToolCallResult {
    /// The MCP content blocks the tool returned (text, image, resource, …), as MCP defines them.
    #[ts(type = "Array<unknown>")]
    pub content: Vec<serde_json::Value>,
    /// The tool's structured output, if it gave one.
    #[ts(type = "unknown")]
    pub structured_content: Option<serde_json::Value>,
}

/// Why an MCP tool call failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct McpToolCallError {
    /// What went wrong, for a human.
    pub message: String,
}

/// One step of the agent's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct TodoItem {
    /// Unique within the list.
    pub id: String,
    /// What the step is.
    pub text: String,
    /// Whether the step is done.
    pub completed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_wire_exact;

    #[test]
    fn every_kind_reads_and_writes_back_exactly() {
        for line in [
            r#"{"type":"userMessage","id":"u1","content":[{"type":"text","text":"do it"},{"type":"image","url":"data:image/png;base64,AA=="},{"type":"localImage","path":"/w/a.png"}]}"#,
            r#"{"type":"agentMessage","id":"msg_1","text":"Done."}"#,
            r#"{"type":"reasoning","id":"rs_1","summary":["Thinking"],"content":[]}"#,
            r#"{"type":"commandExecution","id":"call_1","command":"cat a | grep b","cwd":"/w","status":"completed","commandActions":[{"type":"read","command":"cat a","name":"a","path":"a"},{"type":"search","command":"grep b","query":"b","path":null},{"type":"listFiles","command":"ls","path":null}],"aggregatedOutput":"b\n","exitCode":0,"durationMs":88}"#,
            r#"{"type":"fileChange","id":"call_3","changes":[{"path":"/w/hello.txt","kind":{"type":"add"},"diff":"hi\n"},{"path":"/w/a.rs","kind":{"type":"update","move_path":"/w/b.rs"},"diff":"@@ -1 +1 @@\n-a\n+b\n"},{"path":"/w/old","kind":{"type":"delete"},"diff":""}],"status":"declined"}"#,
            r#"{"type":"mcpToolCall","id":"m1","server":"docs","tool":"search","status":"completed","arguments":{"q":1},"result":{"content":[],"structuredContent":{"hits":0}},"error":null}"#,
            r#"{"type":"webSearch","id":"w1","query":"rust"}"#,
            r#"{"type":"todoList","id":"p1","items":[{"id":"0","text":"a","completed":true}]}"#,
            r#"{"type":"imageView","id":"v1","path":"/w/a.png"}"#,
        ] {
            assert_wire_exact::<ThreadItem>(line);
        }
    }

    /// The seed payloads predate 0.63: `parsedCmd` with `cmd`, and bare-string change kinds.
    #[test]
    fn the_older_seed_spellings_are_read_and_written_the_new_way() {
        let item: ThreadItem = serde_json::from_str(
            r#"{"type":"commandExecution","id":"c","command":"touch x","cwd":"/w","status":"inProgress","parsedCmd":[{"cmd":"touch x","type":"unknown"}],"aggregatedOutput":null,"exitCode":null,"durationMs":null}"#,
        )
        .unwrap();
        let written = serde_json::to_string(&item).unwrap();
        assert!(
            written.contains(r#""commandActions":[{"type":"unknown","command":"touch x"}]"#),
            "{written}"
        );

        for (old, new) in [
            (r#""add""#, PatchChangeKind::Add),
            (r#""delete""#, PatchChangeKind::Delete),
            (r#""update""#, PatchChangeKind::Update { move_path: None }),
            (r#"{"type":"update"}"#, PatchChangeKind::Update { move_path: None }),
        ] {
            assert_eq!(serde_json::from_str::<PatchChangeKind>(old).unwrap(), new, "{old}");
        }
        assert_eq!(serde_json::to_string(&PatchChangeKind::Add).unwrap(), r#"{"type":"add"}"#);
        let error = serde_json::from_str::<PatchChangeKind>(r#""rename""#).unwrap_err();
        assert!(error.to_string().contains("patch change kind"), "{error}");
    }
}
