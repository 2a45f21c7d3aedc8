//! The agentwire engine inside a Node.js process, through napi-rs: no child process for the
//! agent. [`AppServerConnection`] is the app-server surface in memory: the same server as
//! `exec-bridge app-server` (`exec_bridge::frontend::app_server::serve`), reached through a pair
//! of in-memory pipes instead of stdin and stdout. Each connection's server runs on a thread of its
//! own with a single-threaded runtime, as the binary does, so a response is always written before
//! the notifications its request causes.
//!
//! Commands the model runs are confined exactly as from the binary: the engine runs each through
//! the sandbox helper, the `exec-bridge` binary the caller names.

use std::path::PathBuf;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};
use tokio::sync::Mutex;

/// How many bytes each direction of a connection buffers before the writer waits.
const PIPE_BYTES: usize = 1 << 20;

/// Where an in-process server keeps its sessions, and what confines its commands.
#[napi(object)]
pub struct ConnectionOptions {
    /// `CODEX_HOME`: sessions and `config.toml`.
    pub codex_home: String,
    /// The `exec-bridge` binary, the sandbox helper every command runs through.
    pub sandbox_helper: String,
}

/// One JSON-RPC connection to an app-server running inside this process.
#[napi]
pub struct AppServerConnection {
    input: Mutex<Option<DuplexStream>>,
    output: Mutex<Lines<BufReader<DuplexStream>>>,
}

#[napi]
impl AppServerConnection {
    /// Opens a connection: starts a server on a thread of its own. It ends when the connection
    /// is closed (its running turns are cancelled first).
    #[napi(factory)]
    pub fn open(options: ConnectionOptions) -> Result<AppServerConnection> {
        let (client_out, server_in) = tokio::io::duplex(PIPE_BYTES);
        let (server_out, client_in) = tokio::io::duplex(PIPE_BYTES);
        let options = exec_bridge::frontend::app_server::Options {
            codex_home: PathBuf::from(options.codex_home),
            sandbox_helper: PathBuf::from(options.sandbox_helper),
        };
        std::thread::Builder::new()
            .name("agentwire app-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                runtime.block_on(exec_bridge::frontend::app_server::serve(
                    BufReader::new(server_in),
                    server_out,
                    options,
                ))
            })
            .map_err(|e| Error::from_reason(format!("cannot start the app-server thread: {e}")))?;
        Ok(AppServerConnection {
            input: Mutex::new(Some(client_out)),
            output: Mutex::new(BufReader::new(client_in).lines()),
        })
    }

    /// Sends one JSON-RPC message (one line of JSON, without its line ending).
    #[napi]
    pub async fn send(&self, message: String) -> Result<()> {
        let mut input = self.input.lock().await;
        let pipe = input.as_mut().ok_or_else(|| Error::from_reason("the connection is closed"))?;
        let mut line = message.into_bytes();
        line.push(b'\n');
        pipe.write_all(&line).await.map_err(|e| Error::from_reason(format!("cannot send: {e}")))
    }

    /// The next message from the server, or `null` once the server has ended.
    #[napi]
    pub async fn recv(&self) -> Result<Option<String>> {
        let mut output = self.output.lock().await;
        output.next_line().await.map_err(|e| Error::from_reason(format!("cannot receive: {e}")))
    }

    /// Closes the connection: the server sees the end of its input, cancels its running turns
    /// and ends; `recv` then returns what is left, then `null`.
    #[napi]
    pub async fn close(&self) -> Result<()> {
        let pipe = self.input.lock().await.take();
        if let Some(mut pipe) = pipe {
            pipe.shutdown().await.map_err(|e| Error::from_reason(format!("cannot close: {e}")))?;
        }
        Ok(())
    }
}
