//! `exec-bridge app-server`: the app-server v2 surface, JSON-RPC over stdio (one message per
//! line), a thin consumer of the engine. The reader loop awaits only I/O: each request is
//! answered at once (`server`), each thread runs in its engine task, and each thread's events
//! are forwarded to the client as they come (`forward`). Every message goes through one
//! writer (`outgoing`), so the messages of one item keep their order.

mod convert;
mod envelope;
pub mod errors;
mod forward;
mod listing;
pub mod mapping;
mod outgoing;
mod server;

use std::path::PathBuf;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite};

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

/// Serves JSON-RPC on `input`/`output` until `input` ends; then stops every thread, waits for
/// each to end, and returns.
pub async fn serve<R, W>(input: R, output: W, options: Options) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (out, writer) = Outgoing::new(output);
    let writer = tokio::spawn(writer);
    let mut server = Server::new(out.clone(), options);
    let mut lines = input.lines();
    let read = loop {
        match lines.next_line().await {
            Ok(Some(line)) if line.trim().is_empty() => {}
            Ok(Some(line)) => match envelope::read(&line) {
                Incoming::Request { id, request: Ok(request) } => {
                    debug_assert_eq!(request.id(), &id);
                    server.handle(request)
                }
                Incoming::Request { id, request: Err(error) } => {
                    out.error(Some(id), error.code, error.message)
                }
                Incoming::Notification => {}
                Incoming::Answer { id, answer } => {
                    out.answer(&id, answer);
                }
                Incoming::Invalid(id, error) => out.error(id, error.code, error.message),
            },
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    server.shutdown().await;
    drop(out);
    let _ = writer.await;
    read
}
