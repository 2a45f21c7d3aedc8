//! [`EventMsg`]: every legacy event this server sends, tagged by `type`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::types::*;

/// One legacy event. The variants are those of the reference's `EventMsg` that this server
/// sends; the reference's others answer v1 requests this server does not serve
/// (`session_configured`, `mcp_list_tools_response`, `undo_*`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum EventMsg {
    /// The turn failed.
    Error {
        /// What went wrong.
        message: String,
        /// The class of the error.
        codex_error_info: Option<CodexErrorInfo>,
    },
    /// A model request failed and is retried ("Reconnecting... 1/5").
    StreamError {
        /// What happened, and which attempt this is.
        message: String,
        /// The class of the error.
        codex_error_info: Option<CodexErrorInfo>,
    },
    /// The turn began.
    TaskStarted {
        /// The tokens the model can use of its context window, if known.
        model_context_window: Option<u64>,
    },
    /// The turn completed.
    TaskComplete {
        /// The agent's last message, if it said anything.
        last_agent_message: Option<String>,
    },
    /// The turn was interrupted.
    TurnAborted {
        /// Why it ended.
        reason: TurnAbortReason,
    },
    /// Tokens used so far: once as a turn starts, after each model response, and again once the
    /// tools it called ran.
    TokenCount {
        /// The thread's usage; `null` before the first response.
        info: Option<TokenUsageInfo>,
        /// The account's rate limits, as far as the model server said.
        rate_limits: Option<RateLimitSnapshot>,
    },
    /// The user's input, in full.
    UserMessage {
        /// Its text parts, joined.
        message: String,
        #[serde(default)]
        /// The images attached (URLs and data URLs).
        images: Option<Vec<String>>,
    },
    /// An agent message, in full, once it is complete.
    AgentMessage {
        /// Its text.
        message: String,
    },
    /// More text of the agent message being written.
    AgentMessageDelta {
        /// The text to append.
        delta: String,
    },
    /// The reasoning summary, in full, once it is complete.
    AgentReasoning {
        /// The summary's text.
        text: String,
    },
    /// More text of the reasoning summary.
    AgentReasoningDelta {
        /// The text to append.
        delta: String,
    },
    /// More raw reasoning text.
    AgentReasoningRawContentDelta {
        /// The text to append.
        delta: String,
    },
    /// A new part of the reasoning summary begins.
    AgentReasoningSectionBreak {
        #[serde(default)]
        /// The reasoning item.
        item_id: String,
        #[serde(default)]
        /// The index of the part that begins.
        summary_index: i64,
    },
    /// An item began (user and agent messages, reasoning, web searches).
    ItemStarted {
        /// The thread.
        thread_id: String,
        /// The turn.
        turn_id: String,
        /// The item as it begins.
        item: TurnItem,
    },
    /// An item is complete.
    ItemCompleted {
        /// The thread.
        thread_id: String,
        /// The turn.
        turn_id: String,
        /// The item, complete.
        item: TurnItem,
    },
    /// More text of an agent message item.
    AgentMessageContentDelta {
        /// The thread.
        thread_id: String,
        /// The turn.
        turn_id: String,
        /// The agent message item.
        item_id: String,
        /// The text to append.
        delta: String,
    },
    /// More text of a reasoning summary part.
    ReasoningContentDelta {
        /// The thread.
        thread_id: String,
        /// The turn.
        turn_id: String,
        /// The reasoning item.
        item_id: String,
        /// The text to append.
        delta: String,
        /// The summary part it belongs to.
        #[serde(default)]
        summary_index: i64,
    },
    /// More raw reasoning text of a reasoning item.
    ReasoningRawContentDelta {
        /// The thread.
        thread_id: String,
        /// The turn.
        turn_id: String,
        /// The reasoning item.
        item_id: String,
        /// The text to append.
        delta: String,
        /// The content part it belongs to.
        #[serde(default)]
        content_index: i64,
    },
    /// A command is about to run (or to be asked about).
    ExecCommandBegin(ExecCommandBegin),
    /// More output of a running command.
    ExecCommandOutputDelta {
        /// The command's call.
        call_id: String,
        /// Which pipe it came from.
        stream: ExecOutputStream,
        /// The bytes, base64-encoded.
        chunk: String,
    },
    /// A command ended.
    ExecCommandEnd(ExecCommandEnd),
    /// A command waits for the client's approval.
    ExecApprovalRequest {
        /// The command's call.
        call_id: String,
        #[serde(default)]
        /// The turn.
        turn_id: String,
        /// The argv.
        command: Vec<String>,
        /// Where it would run.
        cwd: String,
        /// What each part of the command does.
        parsed_cmd: Vec<ParsedCommand>,
        /// Why it needs approval.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        reason: Option<String>,
        /// The model's assessment of the command, when asked for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        risk: Option<SandboxCommandAssessment>,
    },
    /// A patch waits for the client's approval.
    ApplyPatchApprovalRequest {
        /// The patch's call.
        call_id: String,
        #[serde(default)]
        /// The turn.
        turn_id: String,
        /// What it changes, by absolute path.
        changes: BTreeMap<String, FileChange>,
        /// Why it needs approval.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        reason: Option<String>,
        /// The directory outside the writable roots it writes to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        grant_root: Option<String>,
    },
    /// A patch is being applied.
    PatchApplyBegin {
        /// The patch's call.
        call_id: String,
        #[serde(default)]
        /// The turn.
        turn_id: String,
        /// Whether it was applied without asking.
        auto_approved: bool,
        /// What it changes, by absolute path.
        changes: BTreeMap<String, FileChange>,
    },
    /// A patch was applied, or failed.
    PatchApplyEnd {
        /// The patch's call.
        call_id: String,
        #[serde(default)]
        /// The turn.
        turn_id: String,
        /// What applying it printed.
        stdout: String,
        /// What went wrong.
        stderr: String,
        /// Whether it applied.
        success: bool,
        #[serde(default)]
        /// What it changed, by absolute path.
        changes: BTreeMap<String, FileChange>,
    },
    /// Every file a patch changed this turn so far, as one git-style unified diff (a file put
    /// back as it was shows as an empty line, as in the reference).
    TurnDiff {
        /// The diff.
        unified_diff: String,
    },
    /// The model set or changed its plan.
    PlanUpdate {
        /// Why, if it said.
        explanation: Option<String>,
        /// The steps.
        plan: Vec<PlanItemArg>,
    },
    /// An MCP server changed state while starting.
    McpStartupUpdate {
        /// The server, as named in the configuration.
        server: String,
        /// Its state.
        status: McpStartupStatus,
    },
    /// Every MCP server of the thread started, or failed to.
    McpStartupComplete {
        /// The servers that are ready.
        ready: Vec<String>,
        /// The servers that failed, with why.
        failed: Vec<McpStartupFailure>,
        /// The servers whose start was cancelled.
        cancelled: Vec<String>,
    },
    /// An MCP tool call begins.
    McpToolCallBegin {
        /// The call.
        call_id: String,
        /// The server, tool and arguments.
        invocation: McpInvocation,
    },
    /// An MCP tool call ended.
    McpToolCallEnd {
        /// The call.
        call_id: String,
        /// The server, tool and arguments.
        invocation: McpInvocation,
        /// How long it took.
        duration: Duration,
        /// The server's answer, or why there is none.
        result: CallToolOutcome,
    },
    /// A web search the model made.
    WebSearchEnd {
        /// The search item.
        call_id: String,
        /// What it searched for.
        query: String,
    },
    /// The model looked at an image.
    ViewImageToolCall {
        /// The call.
        call_id: String,
        /// The image file.
        path: String,
    },
    /// A review began (`review/start`).
    EnteredReviewMode {
        /// What the reviewer is asked.
        prompt: String,
        /// What is reviewed, in a few words.
        user_facing_hint: String,
        /// Whether the review's result joins the thread's history.
        #[serde(default)]
        append_to_original_thread: bool,
    },
    /// A review ended.
    ExitedReviewMode {
        /// What the reviewer found; `null` when it was interrupted or failed.
        review_output: Option<ReviewOutputEvent>,
    },
}

impl EventMsg {
    /// The event's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            EventMsg::Error { .. } => "error",
            EventMsg::StreamError { .. } => "stream_error",
            EventMsg::TaskStarted { .. } => "task_started",
            EventMsg::TaskComplete { .. } => "task_complete",
            EventMsg::TurnAborted { .. } => "turn_aborted",
            EventMsg::TokenCount { .. } => "token_count",
            EventMsg::UserMessage { .. } => "user_message",
            EventMsg::AgentMessage { .. } => "agent_message",
            EventMsg::AgentMessageDelta { .. } => "agent_message_delta",
            EventMsg::AgentReasoning { .. } => "agent_reasoning",
            EventMsg::AgentReasoningDelta { .. } => "agent_reasoning_delta",
            EventMsg::AgentReasoningRawContentDelta { .. } => "agent_reasoning_raw_content_delta",
            EventMsg::AgentReasoningSectionBreak { .. } => "agent_reasoning_section_break",
            EventMsg::ItemStarted { .. } => "item_started",
            EventMsg::ItemCompleted { .. } => "item_completed",
            EventMsg::AgentMessageContentDelta { .. } => "agent_message_content_delta",
            EventMsg::ReasoningContentDelta { .. } => "reasoning_content_delta",
            EventMsg::ReasoningRawContentDelta { .. } => "reasoning_raw_content_delta",
            EventMsg::ExecCommandBegin(_) => "exec_command_begin",
            EventMsg::ExecCommandOutputDelta { .. } => "exec_command_output_delta",
            EventMsg::ExecCommandEnd(_) => "exec_command_end",
            EventMsg::ExecApprovalRequest { .. } => "exec_approval_request",
            EventMsg::ApplyPatchApprovalRequest { .. } => "apply_patch_approval_request",
            EventMsg::PatchApplyBegin { .. } => "patch_apply_begin",
            EventMsg::PatchApplyEnd { .. } => "patch_apply_end",
            EventMsg::TurnDiff { .. } => "turn_diff",
            EventMsg::PlanUpdate { .. } => "plan_update",
            EventMsg::McpStartupUpdate { .. } => "mcp_startup_update",
            EventMsg::McpStartupComplete { .. } => "mcp_startup_complete",
            EventMsg::McpToolCallBegin { .. } => "mcp_tool_call_begin",
            EventMsg::McpToolCallEnd { .. } => "mcp_tool_call_end",
            EventMsg::WebSearchEnd { .. } => "web_search_end",
            EventMsg::ViewImageToolCall { .. } => "view_image_tool_call",
            EventMsg::EnteredReviewMode { .. } => "entered_review_mode",
            EventMsg::ExitedReviewMode { .. } => "exited_review_mode",
        }
    }

    /// The notification's method: `codex/event/<type>`.
    pub fn method(&self) -> String {
        format!("{}{}", super::METHOD_PREFIX, self.kind())
    }
}

/// A command about to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct ExecCommandBegin {
    /// The command's call.
    pub call_id: String,
    /// The turn.
    pub turn_id: String,
    /// The argv.
    pub command: Vec<String>,
    /// Where it runs.
    pub cwd: String,
    /// What each part of the command does.
    pub parsed_cmd: Vec<ParsedCommand>,
    /// Who runs it: the model (`agent`) or the user (`user_shell`).
    #[serde(default)]
    pub source: ExecCommandSource,
    /// Input sent to an interactive session; never, here (no interactive sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub interaction_input: Option<String>,
}

/// A command that ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct ExecCommandEnd {
    /// The command's call.
    pub call_id: String,
    /// The turn.
    pub turn_id: String,
    /// The argv.
    pub command: Vec<String>,
    /// Where it ran.
    pub cwd: String,
    /// What each part of the command does.
    pub parsed_cmd: Vec<ParsedCommand>,
    /// Who ran it.
    #[serde(default)]
    pub source: ExecCommandSource,
    /// Input sent to an interactive session; never, here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub interaction_input: Option<String>,
    /// What it wrote to stdout.
    pub stdout: String,
    /// What it wrote to stderr.
    pub stderr: String,
    /// Both, in the order they came.
    #[serde(default)]
    pub aggregated_output: String,
    /// Its exit code.
    pub exit_code: i32,
    /// How long it ran.
    pub duration: Duration,
    /// Its output as the model is shown it.
    pub formatted_output: String,
}
