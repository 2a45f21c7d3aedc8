//! The MCP client: the servers of `[mcp_servers.<name>]`, started for each thread, whose tools
//! the model is offered as `mcp__<server>__<tool>` beside the resource tools
//! (`list_mcp_resources`, `list_mcp_resource_templates`, `read_mcp_resource`), as Codex 0.63
//! offers them.
//!
//! - [`config`]: what a server table says, resolved (timeouts, tool filters, transport).
//! - `connect`: one server started and initialised through the official SDK (`rmcp`): a
//!   command speaking MCP on its stdio, in a process group of its own that dies with the
//!   thread (see [`crate::engine::tools::process`]), or a streamable HTTP endpoint.
//! - `servers`: every server of a thread, started at once, each within its
//!   `startup_timeout_sec`; one that fails is left out and reported once.
//! - `names`: the names and definitions the model sees, and a result as the model reads it.
//! - `resources`: the three resource tools.
//!
//! Nothing a server sends is trusted: every wait is bounded (`startup_timeout_sec`,
//! `tool_timeout_sec`), a line of a stdio server is at most [`MAX_MESSAGE_BYTES`], a tool's
//! result is cut to [`MAX_RESULT_BYTES`] before it reaches the model or a client, and a server
//! offers at most [`MAX_TOOLS`] tools.

pub mod config;
mod connect;
mod names;
mod resources;
mod servers;

pub use config::{McpServerConfig, McpTransport};
pub use names::{model_output, MAX_RESULT_BYTES};
pub use resources::{definitions as resource_definitions, RESOURCE_TOOLS};
pub use servers::{CallError, CallOutcome, McpServers, ServerStart, StartFailure, Startup};

/// The largest message a stdio server may send (one line of JSON): 16 MiB, the same bound the
/// SDK's HTTP transport keeps for one response. A longer line closes the connection.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// The most tools one server may offer the model; more are left out.
pub const MAX_TOOLS: usize = 512;
