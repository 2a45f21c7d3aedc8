//! What a thread reports as it runs: items (a command, a patch, an answer, …), their progress,
//! approval requests and how each turn ended. Each front end turns these into its own wire shapes
//! (`exec` JSONL, app-server v2).

use std::path::PathBuf;
use std::time::Duration;

use crate::engine::model::{ModelError, StreamDelta, TokenUsage};
use crate::engine::session::RolloutError;
use crate::engine::tools::apply_patch::AppliedChange;
pub use crate::engine::tools::shell::OutputStream;
pub use crate::engine::tools::StepStatus;
pub use crate::engine::user_input::{InputPart, UserMessage};

/// One item of a turn, with the runtime's own id (unique within the session).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Item {
    /// Unique within the session: the model's call or item id where there is one.
    pub id: String,
    /// What the item is.
    pub kind: ItemKind,
}

/// The kinds of item (recorded in session files, tagged by `type`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKind {
    /// The user's input of this turn.
    UserMessage(UserMessage),
    /// The agent's answer.
    AgentMessage {
        /// Its text.
        text: String,
    },
    /// The model's reasoning.
    Reasoning {
        /// The summary parts.
        summary: Vec<String>,
        /// The raw reasoning, where given.
        content: Vec<String>,
    },
    /// A command.
    Command(CommandItem),
    /// A patch.
    FileChange {
        /// The files it touches.
        changes: Vec<AppliedChange>,
        /// Where it is in its life.
        status: Status,
    },
    /// The plan.
    TodoList {
        /// The steps: text and whether done.
        items: Vec<(String, bool)>,
    },
    /// A web search the model made.
    WebSearch {
        /// What it searched for.
        query: String,
    },
    /// An image the agent looked at.
    ImageView {
        /// The image file.
        path: PathBuf,
    },
    /// A call to a tool of an MCP server, or to one of the resource tools.
    McpToolCall(Box<McpCallItem>),
    /// A code review (`review/start`), the item of its turn (see [`crate::engine::review`]).
    CodeReview(Box<crate::engine::review::ReviewItem>),
    /// A non-fatal error.
    Error {
        /// What went wrong.
        message: String,
    },
}

/// A command item.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CommandItem {
    /// The argv.
    pub argv: Vec<String>,
    /// Where it runs.
    pub cwd: PathBuf,
    /// Where it is in its life.
    pub status: Status,
    /// Its output so far (empty until it runs).
    pub aggregated_output: String,
    /// Its exit code, once it ended.
    pub exit_code: Option<i32>,
    /// How long it ran, once it ended.
    pub duration: Option<Duration>,
    /// Its standard output alone, once it ran (live only: session files keep the aggregate).
    #[serde(skip)]
    pub stdout: String,
    /// Its standard error alone, once it ran (live only).
    #[serde(skip)]
    pub stderr: String,
    /// Whether the user ran it (`thread/shellCommand`) rather than the model (live only).
    #[serde(skip)]
    pub by_user: bool,
}

impl CommandItem {
    /// A command about to run: `argv` in `cwd`, no output yet.
    pub fn started(argv: Vec<String>, cwd: PathBuf) -> CommandItem {
        CommandItem {
            argv,
            cwd,
            status: Status::InProgress,
            aggregated_output: String::new(),
            exit_code: None,
            duration: None,
            stdout: String::new(),
            stderr: String::new(),
            by_user: false,
        }
    }
}

/// An MCP tool call item.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct McpCallItem {
    /// The server (`codex` for a resource tool called without one, as Codex reports it).
    pub server: String,
    /// The tool, as the server names it.
    pub tool: String,
    /// The arguments the model gave.
    pub arguments: serde_json::Value,
    /// Where the call is in its life: in progress, completed, or failed (no answer, or the tool
    /// said `isError`).
    pub status: Status,
    /// What the server answered, once it did.
    pub result: Option<McpCallResult>,
    /// Why the call got no answer.
    pub error: Option<String>,
}

/// What an MCP server answered to a call (cut to [`crate::engine::mcp::MAX_RESULT_BYTES`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct McpCallResult {
    /// The content blocks, as MCP defines them.
    pub content: Vec<serde_json::Value>,
    /// The structured content, if the tool gave one.
    pub structured_content: Option<serde_json::Value>,
}

/// Where a command or a patch is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for approval, or running.
    InProgress,
    /// Done and succeeded.
    Completed,
    /// Ran (or was attempted) and failed.
    Failed,
    /// Needed an approval that was refused; it did not run.
    Declined,
}

/// Something a thread reports, in order: the other half of the queue pair whose first half is
/// [`super::ThreadHandle`]. Every turn opens with [`Event::TurnStarted`] and closes with exactly
/// one [`Event::TurnEnded`]; in between come its items, live output and approval requests.
#[derive(Debug)]
pub enum Event {
    /// A turn began.
    TurnStarted {
        /// Its id, `0`, `1`, … within the thread.
        turn_id: String,
        /// The tokens the model can use of its context window, if known.
        context_window: Option<u64>,
        /// The items the turn opens with, announced with it rather than as items of their own
        /// (a review's request, as the user's message); empty for other turns.
        items: Vec<Item>,
    },
    /// An item appeared.
    ItemStarted(Item),
    /// An item in progress changed.
    ItemUpdated(Item),
    /// An item reached its final state.
    ItemCompleted(Item),
    /// Live model output.
    ModelDelta(StreamDelta),
    /// More output of a running command.
    CommandOutput {
        /// The command item.
        item_id: String,
        /// The bytes to append, as the command wrote them (a character may be split between
        /// two chunks).
        chunk: Vec<u8>,
        /// The pipe it came from.
        stream: OutputStream,
    },
    /// Tokens used so far: sent as a turn starts (`None` before a thread's first response),
    /// after each model response, and again once the tools it called ran.
    TokenCount(Option<TokenInfo>),
    /// Every file a patch changed this turn, as one git-style unified diff (see
    /// [`super::turn_diff`]): after each patch applied, and after each model response once one
    /// was.
    TurnDiff(String),
    /// The model set or changed its plan (the plan item says which steps are done; this says
    /// where each stands, and why it changed).
    PlanUpdated {
        /// Why, if the model said.
        explanation: Option<String>,
        /// The steps and where each stands.
        steps: Vec<(String, StepStatus)>,
    },
    /// The thread's MCP servers finished starting: sent once, in its first turn.
    McpStartup {
        /// The servers whose tools are offered, by configured name.
        ready: Vec<String>,
        /// The servers that failed, with why.
        failed: Vec<(String, String)>,
    },
    /// What an MCP server said of a call still under way (its `notifications/progress`).
    McpProgress {
        /// The MCP tool call item.
        item_id: String,
        /// The server's message, or `progress/total` when it sent none.
        message: String,
    },
    /// A model request failed and will be retried.
    Retrying {
        /// The attempt that failed, from 1.
        attempt: u32,
        /// How many retries are allowed.
        max_retries: u32,
        /// Why it failed.
        reason: String,
        /// The HTTP status of the failed attempt, if a response arrived.
        status: Option<u16>,
        /// Whether the response stream broke (rather than the request failing).
        stream: bool,
    },
    /// The turn waits for an answer: submit [`super::Op::Approve`] with this request's id. An
    /// interrupt, or the thread shutting down, answers it as `cancel`.
    ApprovalRequested(ApprovalRequest),
    /// The turn ended.
    TurnEnded {
        /// Its id.
        turn_id: String,
        /// How it went.
        result: Result<TurnOutcome, TurnError>,
    },
}

/// A thread's token usage after a model response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenInfo {
    /// Every response of the thread, added up.
    pub total: TokenUsage,
    /// The last response.
    pub last: TokenUsage,
    /// The tokens the model can use of its context window, if known.
    pub context_window: Option<u64>,
}

/// Identifies one approval request within its thread.
pub type ApprovalId = u64;

/// A question the turn needs answered before it goes on.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRequest {
    /// Pass it back with the answer.
    pub id: ApprovalId,
    /// The turn that asks.
    pub turn_id: String,
    /// The command or patch item, already announced with [`Event::ItemStarted`].
    pub item: Item,
    /// What is asked.
    pub kind: ApprovalKind,
}

/// What an approval request is about.
#[derive(Debug, Clone, PartialEq)]
pub enum ApprovalKind {
    /// May this command run? `reason` says why it needs asking (the model's justification, or
    /// the runtime's reason).
    Command {
        /// Why it asks.
        reason: Option<String>,
        /// The model's assessment of the command (`experimental_sandbox_command_assessment`),
        /// when it gave one in time.
        risk: Option<CommandRisk>,
    },
    /// May this patch be applied? `grant_root` is the directory outside the writable roots it
    /// writes to, if any; accepting grants it for the rest of the session.
    Patch {
        /// Why it asks.
        reason: Option<String>,
        /// The directory to grant.
        grant_root: Option<PathBuf>,
    },
}

/// What the model says a command needing approval does, and how risky it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRisk {
    /// One sentence on the command's intent and effects.
    pub description: String,
    /// How risky it is.
    pub risk_level: RiskLevel,
}

/// How risky a command is, as the model judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    /// Read-only inspections and the like.
    Low,
    /// Modifies project files, installs dependencies.
    Medium,
    /// Deletes data, exfiltrates secrets, escalates privileges.
    High,
}

impl RiskLevel {
    /// The lower-case name (`low`, `medium`, `high`).
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }
}

/// An answer to an approval request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Accept,
    /// Go ahead, and do not ask again for this exact command in this session.
    AcceptForSession,
    /// Do not; the item completes as declined and the model is told.
    Decline,
    /// Do not, and end the turn (it ends as interrupted).
    Cancel,
}

/// How a finished turn went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnOutcome {
    /// Tokens used, summed over every request of the turn.
    pub usage: TokenUsage,
    /// The last thing the agent said.
    pub final_message: Option<String>,
}

/// Why a turn could not finish.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    /// The model could not be reached or failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The turn was interrupted (or an approval was answered `cancel`).
    #[error("the turn was interrupted")]
    Interrupted,
    /// The session file could not be written.
    #[error("cannot record the session: {0}")]
    Session(#[from] RolloutError),
    /// The user's input could not be used.
    #[error("{0}")]
    Input(String),
}
