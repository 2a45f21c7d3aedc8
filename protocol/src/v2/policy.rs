//! Approval policy, sandbox and model settings shared by requests and responses.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// When the agent asks the client before running a command or applying a patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum AskForApproval {
    /// Known read-only commands run; anything else asks first.
    #[serde(alias = "untrusted")]
    UnlessTrusted,
    /// Everything runs in the sandbox; a command the sandbox stops asks to run again outside it.
    OnFailure,
    /// The model decides when to ask (for example to leave the sandbox), with a reason.
    OnRequest,
    /// Never ask: what the policy does not allow is declined.
    Never,
}

/// The sandbox a thread asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum SandboxMode {
    /// Commands may read anything and write nothing.
    ReadOnly,
    /// Commands may write inside the writable roots (the working directory and those added).
    WorkspaceWrite,
    /// No sandbox at all.
    DangerFullAccess,
}

/// The sandbox in force, with its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum SandboxPolicy {
    /// No sandbox at all.
    DangerFullAccess,
    /// Commands may read anything and write nothing.
    ReadOnly,
    /// Commands may write inside the working directory and the writable roots.
    #[serde(rename_all = "camelCase")]
    WorkspaceWrite {
        /// Writable directories besides the working directory.
        #[serde(default)]
        writable_roots: Vec<String>,
        /// Whether commands may open network connections.
        #[serde(default)]
        network_access: bool,
        /// Whether `$TMPDIR` is left out of the writable roots.
        #[serde(default)]
        exclude_tmpdir_env_var: bool,
        /// Whether `/tmp` is left out of the writable roots.
        #[serde(default)]
        exclude_slash_tmp: bool,
    },
}

/// How hard the model reasons before it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum ReasoningEffort {
    /// No reasoning.
    None,
    /// The least reasoning the model supports.
    Minimal,
    /// Little reasoning.
    Low,
    /// The usual amount.
    Medium,
    /// More reasoning.
    High,
    /// The most reasoning the model supports.
    Xhigh,
}

impl ReasoningEffort {
    /// The wire spelling: `none`, `minimal`, `low`, `medium`, `high` or `xhigh`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasoningEffort::None => "none",
            ReasoningEffort::Minimal => "minimal",
            ReasoningEffort::Low => "low",
            ReasoningEffort::Medium => "medium",
            ReasoningEffort::High => "high",
            ReasoningEffort::Xhigh => "xhigh",
        }
    }
}

/// How much of its reasoning the model summarises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum ReasoningSummary {
    /// The model chooses.
    Auto,
    /// A short summary.
    Concise,
    /// A detailed summary.
    Detailed,
    /// No summary.
    None,
}
