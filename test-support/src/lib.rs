//! What the end-to-end tests of agentwire share: `exec-bridge`'s integration tests and the
//! conformance suite run the real binary through this crate.
//!
//! - [`binary`]: the `exec-bridge` binary of this workspace (built once per test process when
//!   Cargo has not built it for the test already).
//! - [`World`]: a scratch `CODEX_HOME`, working directory and scripted model server
//!   (`exec_bridge::mock_model::MockModel`), with a [`Command`](std::process::Command) for the
//!   binary in a clean environment pointing at them. [`World::run`] and [`World::exec_json`]
//!   run it to its end (bounded by [`RUN_TIMEOUT`]) and check every exec line; [`Run`] is what
//!   a run left.
//! - [`SchemaSet`]: validation against the generated JSON Schema under `schema/`, explaining a
//!   failed union along the variant whose tag matches. [`SchemaSet::schema_type`] is the one
//!   mapping from what a payload is ([`Wire`]: an exec line, an app-server message, the result
//!   of a method) to its schema type; [`SchemaSet::check`] validates by it.
//! - [`Client`]: a JSON-RPC client of the app-server that checks every message it receives and
//!   keeps the transcript of both directions, with a bounded wait on every read. It speaks
//!   through a [`Transport`]; [`AppServer`] is the client of an `exec-bridge app-server`
//!   process ([`Subprocess`]), and [`Lines`] makes a transport of any writer and reader.
//! - [`mcp_test_server`] and [`McpHttpServer`]: the MCP test server (`test-mcp-server`, on
//!   the official Rust SDK), on stdio or streamable HTTP.
//! - [`script`]: builders of the scripted model's items (`shell`, `patch`, `message`, …).
//!
//! Everything here panics with a message saying what went wrong, as a test should fail.
//!
//! ```no_run
//! use serde_json::json;
//! use test_support::script::{message, shell};
//! use test_support::{decision, item_story, turn_status, AppServer, World};
//!
//! // The model first runs a command, then answers.
//! let world = World::new(json!([[shell("call_1", &["touch", "ok.txt"])], [message("Done.")]]));
//!
//! // exec: one run of the binary, every line checked as an exec event.
//! let run = world.exec_json(&["--full-auto", "touch it"]);
//! run.assert_ok();
//! assert_eq!(run.kinds().last().map(String::as_str), Some("turn.completed"));
//!
//! // The app-server: a thread, a turn whose approval request is accepted.
//! let world = World::new(json!([[shell("call_1", &["touch", "ok.txt"])], [message("Done.")]]));
//! let mut server = AppServer::start(&world);
//! server.initialize();
//! let cwd = world.cwd().display().to_string();
//! let thread = server.start_thread(json!({"cwd": cwd, "approvalPolicy": "unlessTrusted"}));
//! let turn = server.run_turn(&thread, "touch it", |_request| decision("accept"));
//! assert_eq!(item_story(&turn, "call_1").last().map(String::as_str), Some("item/completed:completed"));
//! assert_eq!(turn_status(&turn), "completed");
//! ```

mod binary;
mod client;
mod in_process;
mod mcp;
mod schema;
pub mod script;
mod world;

pub use binary::{binary, mcp_test_server};
pub use client::{
    decision, item_story, turn_status, AppServer, Client, Direction, Incoming, Lines, Subprocess, Transport,
    REPLY_TIMEOUT,
};
pub use in_process::InProcess;
pub use mcp::McpHttpServer;
pub use schema::{is_legacy, SchemaSet, SchemaType, ValidationFailure, Wire};
pub use world::{
    canonical, exec_lines, files_containing, tool_names, tool_output, Run, World, API_KEY, RUN_TIMEOUT,
};
