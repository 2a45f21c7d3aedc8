//! Threads and turns: the values, and the `thread/*` and `turn/*` requests.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::items::{ThreadItem, UserInput};
use super::policy::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxMode, SandboxPolicy};

/// A conversation with the agent, persisted as a session file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct Thread {
    /// The thread's id; `thread/resume` takes it.
    pub id: String,
    /// Usually the first user message of the thread; empty before there is one.
    pub preview: String,
    /// The model provider the thread was recorded under (for example `openai`).
    pub model_provider: String,
    /// When the thread was created, in seconds since the Unix epoch.
    pub created_at: i64,
    /// Path of the thread's session file on the server's machine.
    pub path: String,
    /// The thread's turns; filled only in the `thread/resume` response, empty elsewhere.
    pub turns: Vec<Turn>,
}

/// One turn of a thread: the user's input and everything the agent did with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct Turn {
    /// The turn's id, unique within the thread; `turn/interrupt` takes it.
    pub id: String,
    /// The turn's items; filled only in the `thread/resume` response, empty elsewhere.
    pub items: Vec<ThreadItem>,
    /// Where the turn is in its life, in `status`.
    #[serde(flatten)]
    #[ts(flatten)]
    pub status: TurnStatus,
}

/// Where a turn is in its life, tagged by `status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum TurnStatus {
    /// The agent finished the turn.
    Completed,
    /// The turn was interrupted (`turn/interrupt`, or an approval answered `cancel`).
    Interrupted,
    /// The turn could not finish.
    Failed {
        /// Why.
        error: TurnError,
    },
    /// The turn is running.
    InProgress,
}

/// Why a turn failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct TurnError {
    /// What went wrong, for a human.
    pub message: String,
    /// The class of the error, where it is known.
    pub codex_error_info: Option<CodexErrorInfo>,
}

/// The class of a turn's error. Unit classes are strings; classes with data are objects with
/// one member named for the class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum CodexErrorInfo {
    /// The conversation no longer fits the model's context window.
    ContextWindowExceeded,
    /// The account's usage limit is reached.
    UsageLimitExceeded,
    /// The model server could not be reached.
    #[serde(rename_all = "camelCase")]
    HttpConnectionFailed {
        /// The HTTP status, if a response arrived.
        http_status_code: Option<u16>,
    },
    /// The response stream could not be opened.
    #[serde(rename_all = "camelCase")]
    ResponseStreamConnectionFailed {
        /// The HTTP status, if a response arrived.
        http_status_code: Option<u16>,
    },
    /// The model server failed.
    InternalServerError,
    /// The credentials were refused.
    Unauthorized,
    /// The model server refused the request as malformed.
    BadRequest,
    /// The sandbox failed.
    SandboxError,
    /// The response stream ended before the response was complete.
    #[serde(rename_all = "camelCase")]
    ResponseStreamDisconnected {
        /// The HTTP status, if a response arrived.
        http_status_code: Option<u16>,
    },
    /// Every retry failed.
    #[serde(rename_all = "camelCase")]
    ResponseTooManyFailedAttempts {
        /// The HTTP status of the last attempt, if a response arrived.
        http_status_code: Option<u16>,
    },
    /// Anything else.
    Other,
}

/// Params of `thread/start`. Every field is optional; the response tells what is in force.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadStartParams {
    /// The model, for example `gpt-5.1-codex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub model: Option<String>,
    /// The model provider's id in the configuration, for example `openai`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub model_provider: Option<String>,
    /// The working directory of the thread; the server's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cwd: Option<String>,
    /// When to ask the client for approval; absent, the configuration's `approval_policy`, else
    /// `onRequest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub approval_policy: Option<AskForApproval>,
    /// The sandbox for the thread's commands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sandbox: Option<SandboxMode>,
    /// Configuration overrides, as `config.toml` keys (dotted for nested tables) to JSON values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "{ [key in string]?: unknown }")]
    pub config: Option<BTreeMap<String, serde_json::Value>>,
    /// Replaces the built-in instructions sent to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub base_instructions: Option<String>,
    /// Extra instructions sent to the model as a developer message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub developer_instructions: Option<String>,
}

/// Result of `thread/start`: the thread and the settings actually in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadStartResponse {
    /// The new thread.
    pub thread: Thread,
    /// The model in force.
    pub model: String,
    /// The model provider in force.
    pub model_provider: String,
    /// The working directory in force.
    pub cwd: String,
    /// The approval policy in force.
    pub approval_policy: AskForApproval,
    /// The sandbox in force.
    pub sandbox: SandboxPolicy,
    /// The reasoning effort in force; `null` for the model's default.
    pub reasoning_effort: Option<ReasoningEffort>,
}

/// Params of `thread/resume`: load a thread from its session file and continue it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadResumeParams {
    /// The thread to resume.
    pub thread_id: String,
    /// Resume from this history instead of the session file: raw Responses API items.
    /// Unstable in the reference; a server may refuse it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "Array<unknown>")]
    pub history: Option<Vec<serde_json::Value>>,
    /// Resume from this session file instead of looking up `threadId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub path: Option<String>,
    /// Overrides the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub model: Option<String>,
    /// Overrides the model provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub model_provider: Option<String>,
    /// Overrides the working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cwd: Option<String>,
    /// Overrides the approval policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub approval_policy: Option<AskForApproval>,
    /// Overrides the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sandbox: Option<SandboxMode>,
    /// Configuration overrides, as in `thread/start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "{ [key in string]?: unknown }")]
    pub config: Option<BTreeMap<String, serde_json::Value>>,
    /// Replaces the built-in instructions sent to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub base_instructions: Option<String>,
    /// Extra instructions sent to the model as a developer message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub developer_instructions: Option<String>,
}

/// Result of `thread/resume`: the thread with its earlier turns, and the settings in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadResumeResponse {
    /// The thread, with its earlier turns and their items.
    pub thread: Thread,
    /// The model in force.
    pub model: String,
    /// The model provider in force.
    pub model_provider: String,
    /// The working directory in force.
    pub cwd: String,
    /// The approval policy in force.
    pub approval_policy: AskForApproval,
    /// The sandbox in force.
    pub sandbox: SandboxPolicy,
    /// The reasoning effort in force; `null` for the model's default.
    pub reasoning_effort: Option<ReasoningEffort>,
}

/// Params of `thread/list`: one page of the recorded threads, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadListParams {
    /// Where to continue: the `nextCursor` of the previous page. Absent for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cursor: Option<String>,
    /// The most threads to return; the server picks when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// Only threads recorded under these model providers; empty means every provider, absent
    /// means the provider the server is configured with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub model_providers: Option<Vec<String>>,
}

/// Result of `thread/list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadListResponse {
    /// The threads of this page, newest first.
    pub data: Vec<Thread>,
    /// Pass it as `cursor` for the next page; `null` exactly when nothing remains.
    pub next_cursor: Option<String>,
}

/// Params of `thread/archive`: move a thread out of the listing without deleting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadArchiveParams {
    /// The thread to archive.
    pub thread_id: String,
}

/// Result of `thread/archive`: an empty object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadArchiveResponse {}

/// Params of `thread/compact`: summarise the thread's conversation through the model and go on
/// from the summary (the history the model sees becomes the first context, the user's messages
/// and the summary). The compaction runs as a turn: `turn/started`, the summary as an
/// `agentMessage` item, `turn/completed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadCompactParams {
    /// The thread to compact (started or resumed on this connection).
    pub thread_id: String,
}

/// Result of `thread/compact`: an empty object, at once; the compaction's turn follows as
/// notifications.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadCompactResponse {}

/// Params of `turn/start`: send input to a thread. The overrides hold for this turn and the
/// turns after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct TurnStartParams {
    /// The thread to continue.
    pub thread_id: String,
    /// The user's input, in order.
    pub input: Vec<UserInput>,
    /// Overrides the working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cwd: Option<String>,
    /// Overrides the approval policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub approval_policy: Option<AskForApproval>,
    /// Overrides the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sandbox_policy: Option<SandboxPolicy>,
    /// Overrides the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub model: Option<String>,
    /// Overrides the reasoning effort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub effort: Option<ReasoningEffort>,
    /// Overrides the reasoning summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub summary: Option<ReasoningSummary>,
}

/// Result of `turn/start`: the turn, in progress. Its events follow as notifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct TurnStartResponse {
    /// The new turn.
    pub turn: Turn,
}

/// Params of `turn/interrupt`: stop a running turn; it completes as `interrupted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct TurnInterruptParams {
    /// The thread of the turn.
    pub thread_id: String,
    /// The turn to stop.
    pub turn_id: String,
}

/// Result of `turn/interrupt`: an empty object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct TurnInterruptResponse {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_wire_exact;

    #[test]
    fn thread_start_answers_what_is_in_force() {
        let response = assert_wire_exact::<ThreadStartResponse>(
            r#"{"thread":{"id":"t1","preview":"","modelProvider":"openai","createdAt":1795606952,"path":"/h/sessions/2026/11/25/rollout-2026-11-25T11-42-32-t1.jsonl","turns":[]},"model":"gpt-5.1-codex","modelProvider":"openai","cwd":"/w","approvalPolicy":"unlessTrusted","sandbox":{"type":"workspaceWrite","writableRoots":[],"networkAccess":false,"excludeTmpdirEnvVar":false,"excludeSlashTmp":false},"reasoningEffort":null}"#,
        );
        assert_eq!(response.thread.created_at, 1_795_606_952);
    }

    #[test]
    fn optional_params_read_from_absent_and_from_null_and_are_omitted_when_empty() {
        let absent: ThreadStartParams = serde_json::from_str("{}").unwrap();
        let null: ThreadStartParams =
            serde_json::from_str(r#"{"model":null,"cwd":null,"approvalPolicy":null,"config":null}"#).unwrap();
        assert_eq!(absent, ThreadStartParams::default());
        assert_eq!(null, ThreadStartParams::default());
        assert_eq!(serde_json::to_string(&absent).unwrap(), "{}");
        let list: ThreadListParams = serde_json::from_str(r#"{"cursor":null,"limit":5}"#).unwrap();
        assert_eq!((list.cursor, list.limit, list.model_providers), (None, Some(5), None));
    }

    #[test]
    fn a_defaulted_sandbox_policy_reads_without_its_settings() {
        let policy: SandboxPolicy = serde_json::from_str(r#"{"type":"workspaceWrite"}"#).unwrap();
        assert_eq!(
            policy,
            SandboxPolicy::WorkspaceWrite {
                writable_roots: vec![],
                network_access: false,
                exclude_tmpdir_env_var: false,
                exclude_slash_tmp: false
            }
        );
        let policy: AskForApproval = serde_json::from_str(r#""untrusted""#).unwrap();
        assert_eq!(policy, AskForApproval::UnlessTrusted, "the reference's client spelling is read too");
    }

    #[test]
    fn turn_status_is_flattened_with_its_error() {
        let turn = assert_wire_exact::<Turn>(
            r#"{"id":"3","items":[],"status":"failed","error":{"message":"retries spent","codexErrorInfo":{"responseTooManyFailedAttempts":{"httpStatusCode":503}}}}"#,
        );
        let TurnStatus::Failed { error } = turn.status else { panic!("{turn:?}") };
        assert_eq!(
            error.codex_error_info,
            Some(CodexErrorInfo::ResponseTooManyFailedAttempts { http_status_code: Some(503) })
        );
        assert_wire_exact::<TurnError>(r#"{"message":"nope","codexErrorInfo":"unauthorized"}"#);
        assert_wire_exact::<TurnStartResponse>(r#"{"turn":{"id":"0","items":[],"status":"inProgress"}}"#);
    }
}
