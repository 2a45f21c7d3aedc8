//! The app-server surface in memory: [`AppServerConnection`].

use std::collections::HashMap;

use futures_util::FutureExt;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};
use tokio::sync::Mutex;

/// How many bytes each direction of a connection buffers before the writer waits.
const PIPE_BYTES: usize = 1 << 20;
/// The most messages one `recv` returns.
const MAX_BATCH: usize = 4096;

/// How an in-process server is set up.
#[napi(object)]
pub struct ConnectionOptions {
    /// `CODEX_HOME`: sessions and `config.toml`; default `$CODEX_HOME` of `env`, else
    /// `~/.codex`.
    pub codex_home: Option<String>,
    /// The `exec-bridge` binary every command runs through (the sandbox helper); default the
    /// one beside the addon.
    pub sandbox_helper: Option<String>,
    /// The engine's environment (API key, base URL, what commands inherit), as a spawned
    /// binary would get it; default this process's.
    pub env: Option<HashMap<String, String>>,
}

/// One JSON-RPC connection to an app-server running inside this process.
#[napi]
pub struct AppServerConnection {
    input: Mutex<Option<DuplexStream>>,
    output: Mutex<Lines<BufReader<DuplexStream>>>,
}

#[napi]
impl AppServerConnection {
    /// Opens a connection: starts a server on a thread of its own, with a single-threaded
    /// runtime as the binary has, so that a response is always written before the
    /// notifications its request causes. It ends when the connection is closed (its running
    /// turns are cancelled first) or dropped.
    #[napi(factory)]
    pub fn open(options: ConnectionOptions) -> Result<AppServerConnection> {
        let vars = crate::host::vars(options.env);
        let options = exec_bridge::frontend::app_server::Options {
            codex_home: options
                .codex_home
                .map_or_else(|| exec_bridge::engine::config::codex_home(&vars), Into::into),
            sandbox_helper: crate::host::sandbox_helper(options.sandbox_helper)?,
            vars,
        };
        let (client_out, server_in) = tokio::io::duplex(PIPE_BYTES);
        let (server_out, client_in) = tokio::io::duplex(PIPE_BYTES);
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

    /// Sends one JSON-RPC message (one line of JSON, without its line ending). Waits while the
    /// server's input is full.
    #[napi]
    pub async fn send(&self, message: String) -> Result<()> {
        let mut input = self.input.lock().await;
        let pipe = input.as_mut().ok_or_else(|| Error::from_reason("the connection is closed"))?;
        let mut line = message.into_bytes();
        line.push(b'\n');
        pipe.write_all(&line).await.map_err(|e| Error::from_reason(format!("cannot send: {e}")))
    }

    /// The next messages from the server, as one JSON array: at least one (waiting for it), and
    /// whatever else is ready, in order; `null` once the server has ended. One string and one
    /// `JSON.parse` a batch, rather than one a message.
    #[napi]
    pub async fn recv(&self) -> Result<Option<String>> {
        let mut output = self.output.lock().await;
        let Some(first) = output.next_line().await.map_err(receive_failed)? else { return Ok(None) };
        let mut batch = Batch::with(first);
        Ok(batch.fill(&mut output)?.then(|| batch.close()))
    }

    /// The messages ready now, without waiting, as one JSON array: `[]` when none is (or a
    /// `recv` is pending), `null` once the server has ended.
    #[napi]
    pub fn try_recv(&self) -> Result<Option<String>> {
        let Ok(mut output) = self.output.try_lock() else { return Ok(Some("[]".to_owned())) };
        let mut batch = Batch::default();
        Ok(batch.fill(&mut output)?.then(|| batch.close()))
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

/// Messages joined into the text of a JSON array (each line is one JSON value: the server
/// writes nothing else).
#[derive(Default)]
struct Batch {
    text: String,
    count: usize,
}

impl Batch {
    fn with(line: String) -> Batch {
        let mut batch = Batch::default();
        batch.push(&line);
        batch
    }

    fn push(&mut self, line: &str) {
        self.text.push(if self.count == 0 { '[' } else { ',' });
        self.text.push_str(line);
        self.count += 1;
    }

    /// Adds the lines ready in `output`, up to [`MAX_BATCH`]; `false` when the output has ended
    /// and the batch is empty. `next_line` is cancel-safe: a line not yet whole stays buffered
    /// for the next call.
    fn fill(&mut self, output: &mut Lines<BufReader<DuplexStream>>) -> Result<bool> {
        while self.count < MAX_BATCH {
            match output.next_line().now_or_never() {
                Some(Ok(Some(line))) => self.push(&line),
                Some(Err(e)) => return Err(receive_failed(e)),
                Some(Ok(None)) => return Ok(self.count > 0),
                None => break,
            }
        }
        Ok(true)
    }

    fn close(mut self) -> String {
        if self.count == 0 {
            self.text.push('[');
        }
        self.text.push(']');
        self.text
    }
}

fn receive_failed(e: std::io::Error) -> Error {
    Error::from_reason(format!("cannot receive: {e}"))
}
