//! The two approval requests the server sends the client, and their answers.
//!
//! For one item the order is always: `item/started`, the approval request, the client's answer,
//! then exactly one `item/completed`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Params of `item/commandExecution/requestApproval`: may this command run?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CommandExecutionRequestApprovalParams {
    /// The thread of the command.
    pub thread_id: String,
    /// The turn of the command.
    pub turn_id: String,
    /// The `commandExecution` item, already announced by `item/started`.
    pub item_id: String,
    /// Why the command needs approval (for example the model's justification for leaving the
    /// sandbox), if there is a reason to give.
    pub reason: Option<String>,
    /// An assessment of the command's risk, if one was made in time.
    pub risk: Option<SandboxCommandAssessment>,
}

/// The client's answer to `item/commandExecution/requestApproval`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CommandExecutionRequestApprovalResponse {
    /// Run it, refuse it, or refuse it and end the turn.
    pub decision: ApprovalDecision,
    /// Settings that go with `accept`; ignored for the other decisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub accept_settings: Option<CommandExecutionRequestAcceptSettings>,
}

/// Settings that go with accepting a command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CommandExecutionRequestAcceptSettings {
    /// Approve this exact command for the rest of the session, without asking again.
    #[serde(default)]
    pub for_session: bool,
}

/// Params of `item/fileChange/requestApproval`: may this patch be applied? One approval covers
/// the whole patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct FileChangeRequestApprovalParams {
    /// The thread of the patch.
    pub thread_id: String,
    /// The turn of the patch.
    pub turn_id: String,
    /// The `fileChange` item, already announced by `item/started`.
    pub item_id: String,
    /// Why the patch needs approval, if there is a reason to give.
    pub reason: Option<String>,
    /// The root the patch writes under when it reaches outside the writable roots; accepting
    /// allows writes there for the rest of the session.
    pub grant_root: Option<String>,
}

/// The client's answer to `item/fileChange/requestApproval`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct FileChangeRequestApprovalResponse {
    /// Apply it, refuse it, or refuse it and end the turn.
    pub decision: ApprovalDecision,
}

/// A client's decision on an approval request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ApprovalDecision {
    /// Go ahead.
    Accept,
    /// Do not; the item completes as `declined` and the model is told.
    Decline,
    /// Do not, and end the turn as `interrupted`.
    Cancel,
}

/// A model's assessment of a command that needs approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct SandboxCommandAssessment {
    /// What the command does, in a sentence.
    pub description: String,
    /// How risky it is.
    pub risk_level: CommandRiskLevel,
}

/// How risky a command is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum CommandRiskLevel {
    /// Harmless.
    Low,
    /// Worth a look.
    Medium,
    /// Could do damage.
    High,
}
