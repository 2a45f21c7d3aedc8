//! The agentwire agent runtime, in layers:
//!
//! - [`engine`]: threads behind handles (a task per thread; submit operations, read events),
//!   the model client, the tools, the safety verdict, session files.
//! - [`frontend`]: thin consumers of the engine: the `exec` command (JSONL or a transcript) and
//!   the app-server (JSON-RPC over stdio).
//! - [`mock_model`]: a scripted model server for tests and demos.
//! - [`sandbox`]: the kernel sandbox a command runs in (`exec-bridge sandbox`).
//! - [`bounded`]: reading untrusted files and lines within bounds.
//!
//! The `exec-bridge` binary is a thin shell over these.

pub mod bounded;
pub mod engine;
pub mod frontend;
pub mod mock_model;
pub mod sandbox;
