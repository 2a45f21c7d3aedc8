//! The values inside legacy events: items, token usage, commands, patches, MCP calls, reviews.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An item of a turn, in its legacy form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type")]
#[ts(export_to = "v1/")]
pub enum TurnItem {
    /// The user's input.
    UserMessage {
        /// The item's id.
        id: String,
        /// The input's parts.
        content: Vec<UserInput>,
    },
    /// An agent message.
    AgentMessage {
        /// The item's id.
        id: String,
        /// Its text parts: none while it is being written, its text once complete.
        content: Vec<AgentMessageContent>,
    },
    /// The model's reasoning.
    Reasoning {
        /// The item's id.
        id: String,
        /// The summary parts.
        summary_text: Vec<String>,
        /// The raw reasoning, where given.
        #[serde(default)]
        raw_content: Vec<String>,
    },
    /// A web search the model made.
    WebSearch {
        /// The item's id.
        id: String,
        /// What it searched for.
        query: String,
    },
}

/// A part of the user's input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum UserInput {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image by URL.
    Image {
        /// The URL.
        image_url: String,
    },
    /// A local image file.
    LocalImage {
        /// Its path.
        path: String,
    },
}

/// A part of an agent message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type")]
#[ts(export_to = "v1/")]
pub enum AgentMessageContent {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
}

/// Tokens of one model response, or of several added up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct TokenUsage {
    /// Input tokens, cached ones included.
    pub input_tokens: u64,
    /// The part of the input served from the prompt cache.
    pub cached_input_tokens: u64,
    /// Output tokens, reasoning included.
    pub output_tokens: u64,
    /// The part of the output spent reasoning.
    pub reasoning_output_tokens: u64,
    /// Input and output tokens.
    pub total_tokens: u64,
}

/// A thread's token usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct TokenUsageInfo {
    /// Every response of the thread, added up.
    pub total_token_usage: TokenUsage,
    /// The last response.
    pub last_token_usage: TokenUsage,
    /// The tokens the model can use of its context window, if known.
    pub model_context_window: Option<u64>,
}

/// The account's rate limits, as the model server reported them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct RateLimitSnapshot {
    /// The short window.
    pub primary: Option<RateLimitWindow>,
    /// The long window.
    pub secondary: Option<RateLimitWindow>,
    /// The account's credits.
    pub credits: Option<CreditsSnapshot>,
}

/// One rate-limit window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct RateLimitWindow {
    /// How much of the window is used, in percent.
    pub used_percent: f64,
    /// The window's length.
    pub window_minutes: Option<i64>,
    /// When it resets, in seconds since the Unix epoch.
    pub resets_at: Option<i64>,
}

/// The account's credits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct CreditsSnapshot {
    /// Whether it has any.
    pub has_credits: bool,
    /// Whether they are unlimited.
    pub unlimited: bool,
    /// How many, if known.
    pub balance: Option<String>,
}

/// What a part of a command does, as far as its words tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum ParsedCommand {
    /// Reads a file.
    Read {
        /// The part of the command.
        cmd: String,
        /// The file's name.
        name: String,
        /// The file's path.
        path: String,
    },
    /// Lists files.
    ListFiles {
        /// The part of the command.
        cmd: String,
        /// The directory, if named.
        path: Option<String>,
    },
    /// Searches.
    Search {
        /// The part of the command.
        cmd: String,
        /// What it searches for.
        query: Option<String>,
        /// Where.
        path: Option<String>,
    },
    /// Anything else.
    Unknown {
        /// The part of the command.
        cmd: String,
    },
}

/// Who runs a command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum ExecCommandSource {
    /// The model, through its shell tool.
    #[default]
    Agent,
    /// The user (`thread/shellCommand`, `execOneOffCommand`).
    UserShell,
    /// An interactive session's start (not used here).
    UnifiedExecStartup,
    /// Input to an interactive session (not used here).
    UnifiedExecInteraction,
}

/// Which pipe output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum ExecOutputStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A length of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct Duration {
    /// Whole seconds.
    pub secs: u64,
    /// The nanoseconds beyond them.
    pub nanos: u32,
}

impl From<std::time::Duration> for Duration {
    fn from(d: std::time::Duration) -> Duration {
        Duration { secs: d.as_secs(), nanos: d.subsec_nanos() }
    }
}

/// A patch's change to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum FileChange {
    /// A new file.
    Add {
        /// Its content.
        content: String,
    },
    /// A deleted file.
    Delete {
        /// The content it had.
        content: String,
    },
    /// A changed (and maybe moved) file.
    Update {
        /// The change, as a unified diff.
        unified_diff: String,
        /// Where it moves to, if it moves.
        move_path: Option<String>,
    },
}

/// The model's plan: one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct PlanItemArg {
    /// What the step is.
    pub step: String,
    /// Where it stands.
    pub status: StepStatus,
}

/// Where a plan step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum StepStatus {
    /// Not begun.
    Pending,
    /// Being done.
    InProgress,
    /// Done.
    Completed,
}

/// Why a turn ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum TurnAbortReason {
    /// The client interrupted it, or cancelled an approval.
    Interrupted,
    /// A new turn replaced it.
    Replaced,
    /// Its review ended.
    ReviewEnded,
}

/// The class of an error, as v2's `CodexErrorInfo` in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum CodexErrorInfo {
    /// The conversation no longer fits the model's context window.
    ContextWindowExceeded,
    /// The account's usage limit is reached.
    UsageLimitExceeded,
    /// The model server could not be reached.
    HttpConnectionFailed {
        /// The HTTP status, if a response arrived.
        http_status_code: Option<u16>,
    },
    /// The response stream could not be opened.
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
    ResponseStreamDisconnected {
        /// The HTTP status, if a response arrived.
        http_status_code: Option<u16>,
    },
    /// The request failed too many times.
    ResponseTooManyFailedAttempts {
        /// The HTTP status of the last attempt, if a response arrived.
        http_status_code: Option<u16>,
    },
    /// Anything else.
    Other,
}

/// The model's assessment of a command that needs approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct SandboxCommandAssessment {
    /// One sentence on the command's intent and effects.
    pub description: String,
    /// How risky it is.
    pub risk_level: SandboxRiskLevel,
}

/// How risky a command is, as the model judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum SandboxRiskLevel {
    /// Read-only inspections and the like.
    Low,
    /// Modifies project files, installs dependencies.
    Medium,
    /// Deletes data, exfiltrates secrets, escalates privileges.
    High,
}

/// An MCP tool call: which server, which tool, with what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct McpInvocation {
    /// The server (`codex` for the resource tools).
    pub server: String,
    /// The tool.
    pub tool: String,
    /// The arguments the model gave.
    #[ts(type = "unknown")]
    pub arguments: Option<serde_json::Value>,
}

/// What an MCP server answered to a call (MCP's `CallToolResult`, in its own camelCase).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v1/")]
pub struct CallToolResult {
    /// The content blocks, as MCP defines them.
    #[ts(type = "Array<unknown>")]
    pub content: Vec<serde_json::Value>,
    /// The structured content, if the tool gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub structured_content: Option<serde_json::Value>,
    /// Whether the tool reported a failure; left out when it did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub is_error: Option<bool>,
}

/// The outcome of an MCP tool call: the server's answer, or why there is none (the
/// reference's `Result_of_CallToolResult_or_String`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub enum CallToolOutcome {
    /// The server answered.
    Ok(CallToolResult),
    /// The call got no answer.
    Err(String),
}

/// An MCP server's state while it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export_to = "v1/")]
pub enum McpStartupStatus {
    /// Being started.
    Starting,
    /// Ready: its tools are offered.
    Ready,
    /// It failed to start.
    Failed {
        /// Why.
        error: String,
    },
    /// Its start was cancelled.
    Cancelled,
}

/// An MCP server that failed to start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct McpStartupFailure {
    /// The server.
    pub server: String,
    /// Why it failed.
    pub error: String,
}

/// What a review found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct ReviewOutputEvent {
    /// The findings, most important first.
    pub findings: Vec<ReviewFinding>,
    /// The verdict on the change as a whole (for example "patch is correct").
    pub overall_correctness: String,
    /// Why.
    pub overall_explanation: String,
    /// How sure the reviewer is, from 0 to 1.
    pub overall_confidence_score: f64,
}

/// One finding of a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct ReviewFinding {
    /// A short title.
    pub title: String,
    /// What is wrong, and why it matters.
    pub body: String,
    /// How sure the reviewer is, from 0 to 1.
    pub confidence_score: f64,
    /// 0 (most urgent) to 3.
    pub priority: i32,
    /// Where.
    pub code_location: ReviewCodeLocation,
}

/// Where a finding is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct ReviewCodeLocation {
    /// The file.
    pub absolute_file_path: String,
    /// The lines.
    pub line_range: ReviewLineRange,
}

/// A range of lines, both ends included, from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v1/")]
pub struct ReviewLineRange {
    /// The first line.
    pub start: u32,
    /// The last line.
    pub end: u32,
}
