//! `exec-bridge app-server`: the app-server v2 surface, JSON-RPC over stdio (one message per
//! line), a thin consumer of the engine. The reader loop awaits only I/O: each request is
//! answered at once (`server`), each thread runs in its engine task, and each thread's events
//! are forwarded to the client as they come (`forward`). Every message goes through one
//! writer (`outgoing`), so the messages of one item keep their order.
//!
//! Every buffer is bounded. Input lines are read as bytes of at most [`MAX_LINE_BYTES`]. The
//! writer's queue holds [`outgoing::OUTGOING_CAPACITY`] messages and each thread's event channel
//! [`crate::engine::EVENT_CAPACITY`] events: a client that does not read holds back the
//! forwarders, then the turns (the reader loop, waiting for room to answer, holds back reading
//! too, but what it read is acted on first: an interrupt still stops a turn).

mod account;
mod convert;
mod envelope;
pub mod errors;
mod forward;
mod legacy;
mod listing;
pub mod mapping;
mod models;
mod outgoing;
mod review;
mod server;
mod user_shell;

use std::path::PathBuf;
use std::time::Duration;

use protocol::v2::JsonRpcErrorError as RpcError;
use tokio::io::{AsyncBufRead, AsyncWrite};

use crate::bounded::{BoundedLines, Line};
use crate::engine::config::Vars;

pub use outgoing::Outgoing;
pub use server::ORIGINATOR;

use envelope::Incoming;
use server::Server;

/// What a server is set up with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Where sessions and `config.toml` are.
    pub codex_home: PathBuf,
    /// The program that runs commands under the sandbox (see
    /// [`crate::engine::ThreadSpec::sandbox_helper`]).
    pub sandbox_helper: PathBuf,
    /// The runtime's environment (API key, base URL, what commands inherit).
    pub vars: Vars,
}

impl Options {
    /// This process's environment and `$CODEX_HOME`, and this very program as the sandbox
    /// helper.
    pub fn from_env() -> std::io::Result<Options> {
        let vars = Vars::process();
        Ok(Options {
            codex_home: crate::engine::config::codex_home(&vars),
            sandbox_helper: std::env::current_exe()?,
            vars,
        })
    }
}

/// The longest line (one message) the server reads: 32 MiB. A longer line is read through,
/// not kept, and answered with -32600; the server goes on with the next.
pub const MAX_LINE_BYTES: usize = 32 * 1024 * 1024;
/// How long, once the input ended, the threads and the writer get to finish (a client that
/// does not read its output does not keep the server alive longer).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves JSON-RPC on `input`/`output` until `input` ends; then stops every thread, waits
/// (within a grace period) for each to end and for the output to be written, and returns.
/// Lines are read as bytes of at most [`MAX_LINE_BYTES`]: a line that is too long, is not
/// UTF-8 or is not JSON is answered with an error and the server reads on.
pub async fn serve<R, W>(input: R, output: W, options: Options) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (out, writer) = Outgoing::new(output);
    let mut writer = tokio::spawn(writer);
    let mut server = Server::new(out.clone(), options);
    let mut lines = BoundedLines::new(input, MAX_LINE_BYTES);
    let read = loop {
        match lines.next_line().await {
            Ok(Some(Line::Whole(line))) => handle_line(&mut server, &out, line).await,
            Ok(Some(Line::TooLong { length })) => {
                let message = format!(
                    "invalid request: the line is {length} bytes, more than the {MAX_LINE_BYTES} bytes a message may have; it was skipped"
                );
                out.error(None, RpcError::INVALID_REQUEST, message).await
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    server.shutdown(deadline).await;
    drop(out);
    if tokio::time::timeout_at(deadline, &mut writer).await.is_err() {
        writer.abort();
    }
    read
}

/// Answers one line of the input.
async fn handle_line(server: &mut Server, out: &Outgoing, line: Vec<u8>) {
    let line = match String::from_utf8(line) {
        Ok(line) => line,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let message = format!("parse error: the line is not UTF-8 (an invalid byte at offset {at})");
            return out.error(None, RpcError::PARSE_ERROR, message).await;
        }
    };
    if line.trim().is_empty() {
        return;
    }
    match envelope::read(&line) {
        Incoming::Request { id, request: Ok(request) } => {
            debug_assert_eq!(request.id(), &id);
            server.handle(request).await
        }
        Incoming::Request { id, request: Err(error) } => out.error(Some(id), error.code, error.message).await,
        Incoming::Notification => {}
        Incoming::Answer { id, answer } => {
            out.answer(&id, answer);
        }
        Incoming::Invalid(id, error) => out.error(id, error.code, error.message).await,
    }
}
