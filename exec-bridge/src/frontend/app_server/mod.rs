//! `exec-bridge app-server`: the app-server v2 surface, JSON-RPC over stdio (one message per
//! line), a thin consumer of the engine. The reader loop awaits only I/O: each request is
//! answered at once ([`server`]), each thread runs in its engine task, and each thread's events
//! are forwarded to the client as they come ([`forward`]). Every message goes through one
//! writer ([`outgoing`]), so the messages of one item keep their order.
//!
//! Input lines are read as bytes of at most [`MAX_LINE_BYTES`].

mod convert;
mod envelope;
pub mod errors;
mod forward;
mod listing;
pub mod mapping;
mod outgoing;
mod server;

use std::path::PathBuf;

use protocol::v2::JsonRpcErrorError as RpcError;
use tokio::io::{AsyncBufRead, AsyncWrite};

use crate::bounded::{BoundedLines, Line};

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
}

impl Options {
    /// `$CODEX_HOME`, and this very program as the sandbox helper.
    pub fn from_env() -> std::io::Result<Options> {
        Ok(Options {
            codex_home: crate::engine::config::codex_home(),
            sandbox_helper: std::env::current_exe()?,
        })
    }
}

/// The longest line (one message) the server reads: 32 MiB. A longer line is read through,
/// not kept, and answered with -32600; the server goes on with the next.
pub const MAX_LINE_BYTES: usize = 32 * 1024 * 1024;
/// Serves JSON-RPC on `input`/`output` until `input` ends; then stops every thread, waits for
/// each to end, and returns. Lines are read as bytes of at most [`MAX_LINE_BYTES`]: a line that is too long, is not
/// UTF-8 or is not JSON is answered with an error and the server reads on.
pub async fn serve<R, W>(input: R, output: W, options: Options) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (out, writer) = Outgoing::new(output);
    let writer = tokio::spawn(writer);
    let mut server = Server::new(out.clone(), options);
    let mut lines = BoundedLines::new(input, MAX_LINE_BYTES);
    let read = loop {
        match lines.next_line().await {
            Ok(Some(Line::Whole(line))) => handle_line(&mut server, &out, line),
            Ok(Some(Line::TooLong { length })) => {
                let message = format!(
                    "invalid request: the line is {length} bytes, more than the {MAX_LINE_BYTES} bytes a message may have; it was skipped"
                );
                out.error(None, RpcError::INVALID_REQUEST, message)
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    server.shutdown().await;
    drop(out);
    let _ = writer.await;
    read
}

/// Answers one line of the input.
fn handle_line(server: &mut Server, out: &Outgoing, line: Vec<u8>) {
    let line = match String::from_utf8(line) {
        Ok(line) => line,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let message = format!("parse error: the line is not UTF-8 (an invalid byte at offset {at})");
            return out.error(None, RpcError::PARSE_ERROR, message);
        }
    };
    if line.trim().is_empty() {
        return;
    }
    match envelope::read(&line) {
        Incoming::Request { id, request: Ok(request) } => {
            debug_assert_eq!(request.id(), &id);
            server.handle(request)
        }
        Incoming::Request { id, request: Err(error) } => out.error(Some(id), error.code, error.message),
        Incoming::Notification => {}
        Incoming::Answer { id, answer } => {
            out.answer(&id, answer);
        }
        Incoming::Invalid(id, error) => out.error(id, error.code, error.message),
    }
}
