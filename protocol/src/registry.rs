//! The list of every type the protocol exports, which code generation walks.
//!
//! Each listed type gets one JSON Schema file and one TypeScript file, in the folder its
//! `#[ts(export_to)]` names (`exec/` or `v2/`). A type that another listed type uses must be
//! listed too; the codegen tests fail naming any that is not.

use schemars::JsonSchema;
use ts_rs::TS;

use crate::{exec, v1, v2};

/// Something that is shown each exported type in turn.
pub trait WireTypeVisitor {
    /// Called once for each exported type.
    fn visit<T: JsonSchema + TS + 'static>(&mut self);
}

/// A list of exported types. Code generation is generic over it so that its tests can feed it
/// a deliberately incomplete list; [`Protocol`] is the real one.
pub trait Registry {
    /// Shows `visitor` every type of the list, in order.
    fn visit_all(visitor: &mut impl WireTypeVisitor);
}

/// Every type of the protocol: first the `exec` stream, then the app-server v2 surface, then the
/// legacy events the app-server sends beside it.
pub struct Protocol;

impl Registry for Protocol {
    fn visit_all(visitor: &mut impl WireTypeVisitor) {
        visit_exec(visitor);
        visit_v2(visitor);
        visit_v1(visitor);
    }
}

/// Shows `visitor` every type of the `exec` JSONL stream.
pub fn visit_exec(v: &mut impl WireTypeVisitor) {
    use exec::*;
    v.visit::<ThreadEvent>();
    v.visit::<ThreadStartedEvent>();
    v.visit::<TurnStartedEvent>();
    v.visit::<TurnCompletedEvent>();
    v.visit::<TurnFailedEvent>();
    v.visit::<ItemStartedEvent>();
    v.visit::<ItemUpdatedEvent>();
    v.visit::<ItemCompletedEvent>();
    v.visit::<ThreadErrorEvent>();
    v.visit::<Usage>();
    v.visit::<ThreadError>();
    v.visit::<ThreadItem>();
    v.visit::<ThreadItemDetails>();
    v.visit::<AgentMessageItem>();
    v.visit::<ReasoningItem>();
    v.visit::<CommandExecutionItem>();
    v.visit::<CommandExecutionStatus>();
    v.visit::<FileChangeItem>();
    v.visit::<FileUpdateChange>();
    v.visit::<PatchChangeKind>();
    v.visit::<PatchApplyStatus>();
    v.visit::<McpToolCallItem>();
    v.visit::<McpToolCallItemResult>();
    v.visit::<McpToolCallItemError>();
    v.visit::<McpToolCallStatus>();
    v.visit::<WebSearchItem>();
    v.visit::<TodoListItem>();
    v.visit::<TodoItem>();
    v.visit::<ErrorItem>();
}

/// Shows `visitor` every type of the app-server v2 surface.
pub fn visit_v2(v: &mut impl WireTypeVisitor) {
    use v2::*;
    // The JSON-RPC envelope.
    v.visit::<RequestId>();
    v.visit::<JsonRpcMessage>();
    v.visit::<JsonRpcRequest>();
    v.visit::<JsonRpcNotification>();
    v.visit::<JsonRpcResponse>();
    v.visit::<JsonRpcError>();
    v.visit::<JsonRpcErrorError>();
    // Methods.
    v.visit::<ClientRequest>();
    v.visit::<ClientRequestMap>();
    v.visit::<ServerRequest>();
    v.visit::<ServerRequestMap>();
    v.visit::<ServerNotification>();
    v.visit::<ClientNotification>();
    // Requests and their results.
    v.visit::<InitializeParams>();
    v.visit::<ClientInfo>();
    v.visit::<InitializeCapabilities>();
    v.visit::<InitializeResponse>();
    v.visit::<ThreadStartParams>();
    v.visit::<ThreadStartResponse>();
    v.visit::<ThreadResumeParams>();
    v.visit::<ThreadResumeResponse>();
    v.visit::<ThreadListParams>();
    v.visit::<ThreadListResponse>();
    v.visit::<ThreadArchiveParams>();
    v.visit::<ThreadArchiveResponse>();
    v.visit::<ThreadCompactParams>();
    v.visit::<ThreadCompactResponse>();
    v.visit::<TurnStartParams>();
    v.visit::<TurnStartResponse>();
    v.visit::<TurnInterruptParams>();
    v.visit::<TurnInterruptResponse>();
    v.visit::<ModelListParams>();
    v.visit::<ModelListResponse>();
    v.visit::<Model>();
    v.visit::<ReasoningEffortOption>();
    // User shell commands and feedback.
    v.visit::<ThreadShellCommandParams>();
    v.visit::<ThreadShellCommandResponse>();
    v.visit::<ExecOneOffCommandParams>();
    v.visit::<OneOffSandboxPolicy>();
    v.visit::<ExecOneOffCommandResponse>();
    v.visit::<FeedbackUploadParams>();
    v.visit::<FeedbackUploadResponse>();
    // Code review.
    v.visit::<ReviewStartParams>();
    v.visit::<ReviewTarget>();
    // Accounts.
    v.visit::<NoParams>();
    v.visit::<GetAccountParams>();
    v.visit::<GetAccountResponse>();
    v.visit::<Account>();
    v.visit::<PlanType>();
    v.visit::<AuthMode>();
    v.visit::<LoginAccountParams>();
    v.visit::<LoginAccountResponse>();
    v.visit::<CancelLoginAccountParams>();
    v.visit::<CancelLoginAccountResponse>();
    v.visit::<LogoutAccountResponse>();
    v.visit::<GetAccountRateLimitsResponse>();
    v.visit::<RateLimitSnapshot>();
    v.visit::<RateLimitWindow>();
    v.visit::<CreditsSnapshot>();
    // Approvals.
    v.visit::<CommandExecutionRequestApprovalParams>();
    v.visit::<CommandExecutionRequestApprovalResponse>();
    v.visit::<CommandExecutionRequestAcceptSettings>();
    v.visit::<FileChangeRequestApprovalParams>();
    v.visit::<FileChangeRequestApprovalResponse>();
    v.visit::<ApprovalDecision>();
    v.visit::<SandboxCommandAssessment>();
    v.visit::<CommandRiskLevel>();
    // Notifications.
    v.visit::<ErrorNotification>();
    v.visit::<ThreadStartedNotification>();
    v.visit::<TurnStartedNotification>();
    v.visit::<TurnCompletedNotification>();
    v.visit::<ItemStartedNotification>();
    v.visit::<ItemCompletedNotification>();
    v.visit::<AgentMessageDeltaNotification>();
    v.visit::<CommandExecutionOutputDeltaNotification>();
    v.visit::<McpToolCallProgressNotification>();
    v.visit::<ReasoningSummaryTextDeltaNotification>();
    v.visit::<ReasoningSummaryPartAddedNotification>();
    v.visit::<ReasoningTextDeltaNotification>();
    v.visit::<AccountUpdatedNotification>();
    v.visit::<AccountLoginCompletedNotification>();
    v.visit::<AccountRateLimitsUpdatedNotification>();
    // Threads, turns and items.
    v.visit::<Thread>();
    v.visit::<Turn>();
    v.visit::<TurnStatus>();
    v.visit::<TurnError>();
    v.visit::<CodexErrorInfo>();
    v.visit::<ThreadItem>();
    v.visit::<UserInput>();
    v.visit::<CommandAction>();
    v.visit::<CommandExecutionStatus>();
    v.visit::<FileUpdateChange>();
    v.visit::<PatchChangeKind>();
    v.visit::<PatchApplyStatus>();
    v.visit::<McpToolCallStatus>();
    v.visit::<McpToolCallResult>();
    v.visit::<McpToolCallError>();
    v.visit::<TodoItem>();
    // Policy and model settings.
    v.visit::<AskForApproval>();
    v.visit::<SandboxMode>();
    v.visit::<SandboxPolicy>();
    v.visit::<ReasoningEffort>();
    v.visit::<ReasoningSummary>();
}

/// Shows `visitor` every type of the legacy `codex/event/*` notifications.
pub fn visit_v1(v: &mut impl WireTypeVisitor) {
    use v1::*;
    v.visit::<LegacyEvent>();
    v.visit::<EventMsg>();
    v.visit::<ExecCommandBegin>();
    v.visit::<ExecCommandEnd>();
    v.visit::<TurnItem>();
    v.visit::<UserInput>();
    v.visit::<AgentMessageContent>();
    v.visit::<TokenUsage>();
    v.visit::<TokenUsageInfo>();
    v.visit::<RateLimitSnapshot>();
    v.visit::<RateLimitWindow>();
    v.visit::<CreditsSnapshot>();
    v.visit::<ParsedCommand>();
    v.visit::<ExecCommandSource>();
    v.visit::<ExecOutputStream>();
    v.visit::<Duration>();
    v.visit::<FileChange>();
    v.visit::<PlanItemArg>();
    v.visit::<StepStatus>();
    v.visit::<TurnAbortReason>();
    v.visit::<CodexErrorInfo>();
    v.visit::<SandboxCommandAssessment>();
    v.visit::<SandboxRiskLevel>();
    v.visit::<McpInvocation>();
    v.visit::<CallToolResult>();
    v.visit::<CallToolOutcome>();
    v.visit::<McpStartupStatus>();
    v.visit::<McpStartupFailure>();
    v.visit::<ReviewOutputEvent>();
    v.visit::<ReviewFinding>();
    v.visit::<ReviewCodeLocation>();
    v.visit::<ReviewLineRange>();
}
