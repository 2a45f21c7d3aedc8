//! The agentwire engine inside a Node.js process, through napi-rs: no child process for the
//! agent. Two surfaces, both over the same engine as the `exec-bridge` binary:
//!
//! - [`connection::AppServerConnection`]: the app-server surface in memory, the same server as
//!   `exec-bridge app-server` reached through a pair of in-memory pipes instead of stdin and
//!   stdout;
//! - [`exec::ExecRun`]: one `exec` turn (`exec-bridge exec ARGS` in process), its `exec` stream
//!   handed over as JSON lines.
//!
//! Nothing is pushed into JavaScript: it pulls (`recv`, `next`), each call a batch of what is
//! ready. What it has not pulled waits in bounded buffers, and then the engine waits: that is the
//! backpressure. Nothing keeps Node alive but a pending call.
//!
//! Commands the model runs are confined exactly as from the binary: the engine runs each through
//! the sandbox helper, the `exec-bridge` binary shipped beside the addon (or the one the caller
//! names).

pub mod connection;
pub mod exec;
mod host;

pub use connection::AppServerConnection;
pub use exec::ExecRun;
