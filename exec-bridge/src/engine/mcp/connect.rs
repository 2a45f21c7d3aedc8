//! One server, started and initialised through the official SDK (`rmcp`).

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use std::sync::{Arc, Mutex};

use rmcp::model::ProgressNotificationParam;
use rmcp::service::{MaybeSendFuture, NotificationContext, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ClientHandler;
use rmcp::{RoleClient, ServiceExt};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};
use tokio::sync::mpsc;

use super::config::McpTransport;
use super::MAX_MESSAGE_BYTES;
use crate::engine::tools::process::{self, Launch, ProcessGroup};

/// How many progress messages of one call may wait for the thread; past that, more are
/// dropped (a server that floods them must not fill memory).
const PROGRESS_CAPACITY: usize = 64;

/// The client side of one connection: it passes the server's progress notifications to the
/// call under way, if any (a thread makes one call at a time, so any progress a server reports
/// during a call is that call's).
#[derive(Clone, Default)]
pub(super) struct Client {
    progress: Arc<Mutex<Option<mpsc::Sender<String>>>>,
}

impl Client {
    /// Where the progress of the call about to start goes, until the receiver is dropped.
    pub(super) fn watch_progress(&self) -> mpsc::Receiver<String> {
        let (sender, receiver) = mpsc::channel(PROGRESS_CAPACITY);
        if let Ok(mut sink) = self.progress.lock() {
            *sink = Some(sender);
        }
        receiver
    }
}

impl ClientHandler for Client {
    fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) -> impl std::future::Future<Output = ()> + MaybeSendFuture + '_ {
        let message = match (params.message, params.total) {
            (Some(message), _) => message,
            (None, Some(total)) => format!("{}/{total}", params.progress),
            (None, None) => params.progress.to_string(),
        };
        if let Ok(mut sink) = self.progress.lock() {
            if sink.as_ref().is_some_and(|sender| sender.is_closed()) {
                *sink = None;
            }
            if let Some(sender) = sink.as_ref() {
                let _ = sender.try_send(message.chars().take(4096).collect());
            }
        }
        std::future::ready(())
    }
}

/// A live connection to one server. Dropping it closes the connection and, for a stdio server,
/// kills its whole process group.
pub(super) struct Connection {
    /// The SDK's client.
    pub(super) service: RunningService<RoleClient, Client>,
    /// A stdio server's process and group (the child is kept so that it is reaped).
    _process: Option<(tokio::process::Child, ProcessGroup)>,
}

/// What starting a stdio server needs from its thread.
pub(super) struct Launchpad<'a> {
    /// The thread's working directory (a server's default `cwd`; a relative `cwd` is resolved
    /// against it).
    pub(super) cwd: &'a Path,
    /// The server's whole environment.
    pub(super) env: Vec<(String, String)>,
    /// A binary with the process guard's entry point (see [`process::Launch::guard`]).
    pub(super) guard: Option<&'a Path>,
    /// The bearer token of an HTTP server, read from its `bearer_token_env_var`.
    pub(super) bearer_token: Option<String>,
}

/// Starts the server and runs the MCP handshake (the caller bounds the wait); what went wrong
/// otherwise, for the user.
pub(super) async fn connect(transport: &McpTransport, pad: Launchpad<'_>) -> Result<Connection, String> {
    match transport {
        McpTransport::Invalid(why) => Err(why.clone()),
        McpTransport::Stdio { command, args, cwd, .. } => {
            let argv: Vec<String> = std::iter::once(command.clone()).chain(args.iter().cloned()).collect();
            let cwd: PathBuf = match cwd {
                Some(dir) => pad.cwd.join(dir),
                None => pad.cwd.to_path_buf(),
            };
            let launch = Launch { argv: &argv, cwd: &cwd, env: &pad.env, guard: pad.guard };
            let mut started = process::start_server(launch).await?;
            let (Some(stdin), Some(stdout)) = (started.child.stdin.take(), started.child.stdout.take())
            else {
                return Err(format!(
                    "cannot talk to `{command}`: its standard input or output is not a pipe"
                ));
            };
            let tail = Arc::new(Mutex::new(Vec::new()));
            let drained = started.child.stderr.take().map(|stderr| tokio::spawn(drain(stderr, tail.clone())));
            let reader = Capped { inner: stdout, line: 0 };
            let service = match Client::default().serve((reader, stdin)).await {
                Ok(service) => service,
                Err(e) => {
                    // What the server said before it failed is the best clue: wait briefly for
                    // the rest of it (a server that exited has closed its standard error).
                    if let Some(drained) = drained {
                        let _ = tokio::time::timeout(STDERR_GRACE, drained).await;
                    }
                    let said = tail
                        .lock()
                        .map(|tail| String::from_utf8_lossy(&tail).trim().to_owned())
                        .unwrap_or_default();
                    let said = if said.is_empty() {
                        String::new()
                    } else {
                        format!(" (its standard error ends: {said})")
                    };
                    return Err(format!("handshaking with MCP server failed: {e}{said}"));
                }
            };
            Ok(Connection { service, _process: Some((started.child, started.group)) })
        }
        McpTransport::Http { url, .. } => {
            let mut config = StreamableHttpClientTransportConfig::with_uri(url.as_str());
            if let Some(token) = pad.bearer_token {
                config = config.auth_header(token);
            }
            // reqwest sets up rustls for every client; it needs a provider (as the model client).
            let _ = rustls::crypto::ring::default_provider().install_default();
            let transport = StreamableHttpClientTransport::from_config(config);
            let service = Client::default()
                .serve(transport)
                .await
                .map_err(|e| format!("handshaking with MCP server at {url} failed: {e}"))?;
            Ok(Connection { service, _process: None })
        }
    }
}

/// How much of a server's standard error is kept, its last bytes: said when it fails to start.
const STDERR_TAIL_BYTES: usize = 1024;

/// How long a server that failed its handshake gets to finish what it writes on standard error.
const STDERR_GRACE: std::time::Duration = std::time::Duration::from_millis(200);

/// Reads a server's standard error to its end, keeping only its last [`STDERR_TAIL_BYTES`] in
/// `tail`: a server that writes there must not block on a full pipe, nor fill memory.
async fn drain(mut stderr: tokio::process::ChildStderr, tail: Arc<Mutex<Vec<u8>>>) {
    let mut buffer = vec![0u8; 8192];
    while let Ok(n @ 1..) = stderr.read(&mut buffer).await {
        if let Ok(mut tail) = tail.lock() {
            tail.extend_from_slice(&buffer[..n]);
            let excess = tail.len().saturating_sub(STDERR_TAIL_BYTES);
            tail.drain(..excess);
        }
    }
}

/// A server's standard output, failing once a line grows past [`MAX_MESSAGE_BYTES`]: the SDK
/// keeps a line whole until its newline, so a server that never sends one must not fill memory.
/// The error closes the connection; calls waiting on it fail.
struct Capped<R> {
    inner: R,
    /// Bytes since the last newline.
    line: usize,
}

impl<R: AsyncRead + Unpin> AsyncRead for Capped<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &polled {
            for byte in &buf.filled()[before..] {
                self.line = if *byte == b'\n' { 0 } else { self.line + 1 };
            }
            if self.line > MAX_MESSAGE_BYTES {
                // What was read is not handed on: the reader sees the error alone.
                buf.set_filled(before);
                return Poll::Ready(Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("the MCP server sent a message over {MAX_MESSAGE_BYTES} bytes"),
                )));
            }
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_line_past_the_bound_is_an_error() {
        let long = vec![b'x'; MAX_MESSAGE_BYTES + 2];
        let mut capped = Capped { inner: long.as_slice(), line: 0 };
        let mut sink = Vec::new();
        let error = capped.read_to_end(&mut sink).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);

        let lines = b"{}\n".repeat(1000);
        let mut capped = Capped { inner: lines.as_slice(), line: 0 };
        let mut sink = Vec::new();
        assert_eq!(capped.read_to_end(&mut sink).await.unwrap(), lines.len());
    }
}
