//! The engine: threads that run turns against a model, with tools, a sandbox, approvals and
//! session files, each behind a handle. Front ends (the `exec` command, the app-server, later
//! the napi binding) own no thread state; they submit operations and read events.
//!
//! Each thread is a task that owns its state ([`start_thread`], [`resume_thread`]). It is a
//! queue pair: the [`ThreadHandle`] submits (a user turn, [`Op::Interrupt`], [`Op::Approve`],
//! [`Op::Shutdown`]) and returns at once; [`ThreadEvents`] yields every [`Event`] in order. A
//! question that needs no turn (what the thread holds, whether a turn runs) is answered from the
//! [`ThreadSnapshot`] the task keeps current.
//!
//! The event stream is bounded ([`EVENT_CAPACITY`]): a reader that does not keep up holds the
//! turn back. Events made in synchronous callbacks (a command's output) go through a
//! relay (`relay.rs`), which holds back the command instead.
//!
//! Reading order: `handle` and `task` (the queue pair and the task), `turn` (the turn
//! loop), `tool_call`, `shell_call`, `patch_call` and `mcp_call` (what the model can call),
//! [`safety`] (the pure verdict: run, ask or reject), [`history`] (the conversation, kept valid),
//! then the parts: [`config`], [`local`] (`--oss`: the local model servers), [`environment`]
//! (what a command inherits), [`mcp`] (the MCP servers and their tools), [`review`] (code
//! review by a reviewer sub-agent), [`model`], [`tools`], [`policy`], [`session`], [`items`].

mod assessment;
pub mod auth;
mod compact;
pub mod config;
pub mod environment;
mod handle;
pub mod history;
pub mod items;
pub mod local;
pub mod mcp;
mod mcp_call;
pub mod model;
mod patch_call;
pub mod policy;
mod relay;
pub mod review;
pub mod safety;
pub mod session;
pub mod settings;
mod shell_call;
mod streamed;
mod task;
mod thread;
mod tool_call;
pub mod tools;
mod turn;
mod turn_diff;
pub mod user_input;
mod user_shell;

pub use handle::{Op, StartError, SubmitError, ThreadEvents, ThreadHandle, ThreadSnapshot};
pub use items::{
    ApprovalId, ApprovalKind, ApprovalRequest, CommandRisk, Decision, Event, Item, RiskLevel, TurnError,
    TurnOutcome,
};
pub use settings::{SandboxOverride, ThreadSettings, ThreadSpec, TurnOverrides, UserTurn};
pub use task::{resume_thread, start_thread};
pub use thread::EVENT_CAPACITY;
pub use user_input::{InputPart, UserMessage};
