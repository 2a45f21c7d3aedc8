//! User shell commands: a command the user (not the model) runs, outside the model's history.
//! `thread/shellCommand` (the newer Codex's v2 method) runs it in a thread and streams it as a
//! `commandExecution` item; `execOneOffCommand` (Codex 0.63's v1 method) runs it outside any
//! thread and answers its output.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Params of `thread/shellCommand`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadShellCommandParams {
    /// The loaded thread to run it in; no turn of it may be running.
    pub thread_id: String,
    /// The command line, run by the user's shell (`$SHELL -lc COMMAND`, so pipes, redirects
    /// and quoting work) in the thread's working directory, under the thread's sandbox. It
    /// runs as a turn of its own (interrupt it with `turn/interrupt`), streams as a
    /// `commandExecution` item, and never enters the model's history.
    pub command: String,
}

/// Result of `thread/shellCommand`: an empty object, sent once the command started; its turn
/// and item follow as notifications.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadShellCommandResponse {}

/// Params of `execOneOffCommand` (Codex 0.63's v1 method): run one command outside any thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ExecOneOffCommandParams {
    /// The command, as argv (not run through a shell); not empty.
    pub command: Vec<String>,
    /// How long it may run, in milliseconds; 10 s when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub timeout_ms: Option<u64>,
    /// The working directory; the server's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cwd: Option<String>,
    /// The sandbox to run it in; the configuration's (`sandbox_mode`) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sandbox_policy: Option<OneOffSandboxPolicy>,
}

/// The sandbox of `execOneOffCommand`, in the v1 spelling (kebab-case `type`, snake_case
/// settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[ts(export_to = "v2/")]
pub enum OneOffSandboxPolicy {
    /// No sandbox at all.
    DangerFullAccess,
    /// Reads anywhere, writes nowhere.
    ReadOnly,
    /// Reads anywhere, writes beneath the working directory and the listed roots.
    WorkspaceWrite {
        /// More writable directories.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        writable_roots: Option<Vec<String>>,
        /// Whether the command may use the network.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        network_access: Option<bool>,
        /// Whether `$TMPDIR` is left out of the writable roots.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        exclude_tmpdir_env_var: Option<bool>,
        /// Whether `/tmp` is left out of the writable roots.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        exclude_slash_tmp: Option<bool>,
    },
}

/// Result of `execOneOffCommand`, sent when the command has ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ExecOneOffCommandResponse {
    /// Its exit code (124 after its timeout, 128+N after signal N, -1 when it could not start).
    pub exit_code: i32,
    /// What it wrote to standard output (bounded: the middle of a long output is dropped).
    pub stdout: String,
    /// What it wrote to standard error (bounded alike), or why it could not start.
    pub stderr: String,
}

/// Params of `feedback/upload` (Codex 0.63's shape). This runtime uploads nothing: the request
/// is answered with an error that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct FeedbackUploadParams {
    /// The kind of feedback (`bug`, `good_result`, …).
    pub classification: String,
    /// The user's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<String>,
    /// The thread the feedback is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub conversation_id: Option<String>,
    /// Whether to attach the logs.
    pub include_logs: bool,
}

/// Result of `feedback/upload` in Codex 0.63 (never sent by this runtime, which answers an
/// error instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct FeedbackUploadResponse {
    /// The thread the feedback was filed under.
    pub thread_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_wire_exact;

    #[test]
    fn params_read_and_write_back_exactly() {
        assert_wire_exact::<ThreadShellCommandParams>(r#"{"threadId":"t1","command":"ls | wc -l"}"#);
        assert_wire_exact::<ExecOneOffCommandParams>(
            r#"{"command":["ls"],"timeoutMs":5,"cwd":"/w","sandboxPolicy":{"type":"workspace-write","writable_roots":[],"network_access":false,"exclude_tmpdir_env_var":false,"exclude_slash_tmp":true}}"#,
        );
        assert_wire_exact::<ExecOneOffCommandResponse>(r#"{"exitCode":2,"stdout":"out\n","stderr":"err\n"}"#);
        assert_wire_exact::<FeedbackUploadParams>(
            r#"{"classification":"bug","reason":"x","conversationId":"t1","includeLogs":false}"#,
        );
        let nulls: ExecOneOffCommandParams =
            serde_json::from_str(r#"{"command":["ls"],"timeoutMs":null,"cwd":null,"sandboxPolicy":null}"#)
                .unwrap();
        assert_eq!((nulls.timeout_ms, nulls.cwd, nulls.sandbox_policy), (None, None, None));
        let bare: OneOffSandboxPolicy = serde_json::from_str(r#"{"type":"workspace-write"}"#).unwrap();
        assert!(matches!(bare, OneOffSandboxPolicy::WorkspaceWrite { network_access: None, .. }));
    }
}
