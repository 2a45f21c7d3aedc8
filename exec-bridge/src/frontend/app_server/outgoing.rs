//! Everything the server sends goes through one [`Outgoing`]: a single writer keeps each
//! message on its own line and in send order, and server-to-client requests (approvals) are
//! matched with the client's answers by id.
//!
//! The queue to the writer holds at most [`OUTGOING_CAPACITY`] messages: while a client does
//! not read, sending waits, so a thread's forwarder, and through the thread's bounded event
//! channel its turn, slows down instead of piling messages up.
//!
//! The writer takes every message already queued (at most [`OUTGOING_CAPACITY`] of them, and
//! no more once [`BATCH_BYTES`] are gathered) and writes them with one `write_all` and one
//! flush: a stream of small notifications costs a write and a flush per batch, not per line
//! (through `tokio::io::stdout`, each is a trip to the blocking pool), while a message that
//! finds the queue empty still goes out at once, alone.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use protocol::v1::LegacyEvent;
use protocol::v2::{
    InitializeCapabilities, JsonRpcError, JsonRpcErrorError, JsonRpcResponse, RequestId, ServerNotification,
    ServerRequest,
};
use serde::Serialize;
use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

/// The client's answer to a server request: its `result`, or its `error`.
pub type Answer = Result<Value, JsonRpcErrorError>;

/// How many messages may wait for the writer.
pub const OUTGOING_CAPACITY: usize = 256;
/// The writer stops gathering queued messages into one write once it holds this many bytes:
/// 1 MiB (a single longer message is still written whole).
pub const BATCH_BYTES: usize = 1024 * 1024;
/// The batch buffer shrinks back to this after a big batch.
const KEEP_BATCH_BYTES: usize = 64 * 1024;

/// Puts `first` into `batch`, then the lines queued behind it, in order: at most
/// [`OUTGOING_CAPACITY`] lines in all, and none more once `batch` holds [`BATCH_BYTES`].
fn gather(batch: &mut Vec<u8>, first: String, rx: &mut mpsc::Receiver<String>) {
    batch.extend_from_slice(first.as_bytes());
    for _ in 1..OUTGOING_CAPACITY {
        if batch.len() >= BATCH_BYTES {
            break;
        }
        match rx.try_recv() {
            Ok(line) => batch.extend_from_slice(line.as_bytes()),
            Err(_) => break,
        }
    }
}

/// A handle for sending; cheap to clone.
#[derive(Clone)]
pub struct Outgoing {
    lines: mpsc::Sender<String>,
    next_id: Arc<AtomicI64>,
    pending: Arc<Mutex<HashMap<RequestId, oneshot::Sender<Answer>>>>,
    /// What the client asked at `initialize`: the notifications it declines.
    capabilities: Arc<std::sync::OnceLock<InitializeCapabilities>>,
}

impl Outgoing {
    /// A sender, and the task body that writes its lines to `output` until every sender is gone.
    pub fn new<W: AsyncWrite + Unpin + Send + 'static>(
        mut output: W,
    ) -> (Outgoing, impl std::future::Future<Output = ()>) {
        let (lines, mut rx) = mpsc::channel::<String>(OUTGOING_CAPACITY);
        let writer = async move {
            let mut batch = Vec::new();
            while let Some(line) = rx.recv().await {
                gather(&mut batch, line, &mut rx);
                if output.write_all(&batch).await.is_err() || output.flush().await.is_err() {
                    break;
                }
                batch.clear();
                batch.shrink_to(KEEP_BATCH_BYTES);
            }
        };
        let outgoing = Outgoing {
            lines,
            next_id: Arc::new(AtomicI64::new(0)),
            pending: Arc::default(),
            capabilities: Arc::default(),
        };
        (outgoing, writer)
    }

    /// Queues `message`, waiting while the queue is full.
    async fn send(&self, message: &impl Serialize) {
        match serde_json::to_string(message) {
            Ok(mut line) => {
                line.push('\n');
                // The writer is gone only when stdout closed; nothing is left to tell.
                let _ = self.lines.send(line).await;
            }
            // Protocol types always serialize; should one not, say so rather than die.
            Err(e) => eprintln!("exec-bridge app-server: a message could not be written: {e}"),
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<RequestId, oneshot::Sender<Answer>>> {
        // The map stays consistent even if a holder panicked: each operation is one call.
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps what the client asked at `initialize` (the first answer stands).
    pub fn set_capabilities(&self, capabilities: InitializeCapabilities) {
        let _ = self.capabilities.set(capabilities);
    }

    /// Whether the client declined notifications of `method`.
    fn declines(&self, method: &str) -> bool {
        self.capabilities.get().is_some_and(|c| c.declines(method))
    }

    /// Whether the client takes legacy `codex/event/*` notifications (it did not decline them
    /// all with `codex/event/*`).
    pub fn wants_legacy(&self) -> bool {
        !self.declines(&format!("{}*", protocol::v1::METHOD_PREFIX))
    }

    /// Sends a notification, unless the client declined its method.
    pub async fn notify(&self, notification: ServerNotification) {
        if self.capabilities.get().is_some_and(|c| c.opt_out_notification_methods.is_some()) {
            // Made a value once: its method is checked, and the same value is sent.
            let Ok(value) = serde_json::to_value(&notification) else { return };
            if value["method"].as_str().is_some_and(|method| self.declines(method)) {
                return;
            }
            return self.send(&value).await;
        }
        self.send(&notification).await;
    }

    /// Sends a legacy `codex/event/*` notification, unless the client declined it.
    pub async fn notify_legacy(&self, event: LegacyEvent) {
        let method = event.method();
        if !self.declines(&method) {
            /// A `JsonRpcNotification` whose params are written straight from the event.
            #[derive(Serialize)]
            struct Notification<'a> {
                method: &'a str,
                params: &'a LegacyEvent,
            }
            self.send(&Notification { method: &method, params: &event }).await;
        }
    }

    /// Answers request `id` with `result`.
    pub async fn respond(&self, id: RequestId, result: impl Serialize) {
        match serde_json::to_value(result) {
            Ok(result) => self.send(&JsonRpcResponse { id, result }).await,
            Err(e) => {
                let message = format!("the result could not be written: {e}");
                self.error(Some(id), JsonRpcErrorError::INTERNAL_ERROR, message).await
            }
        }
    }

    /// Answers request `id` (or an unreadable message, `None`) with an error.
    pub async fn error(&self, id: Option<RequestId>, code: i64, message: impl Into<String>) {
        self.send(&JsonRpcError {
            id,
            error: JsonRpcErrorError { code, message: message.into(), data: None },
        })
        .await;
    }

    /// Sends the request `make(id)` to the client and waits for its answer; `None` when the
    /// connection closed first.
    pub async fn request(&self, make: impl FnOnce(RequestId) -> ServerRequest) -> Option<Answer> {
        let id = RequestId::Integer(self.next_id.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = oneshot::channel();
        self.pending().insert(id.clone(), tx);
        self.send(&make(id)).await;
        rx.await.ok()
    }

    /// Delivers the client's answer to the server request `id`; `false` if none is waiting.
    pub fn answer(&self, id: &RequestId, answer: Answer) -> bool {
        match self.pending().remove(id) {
            Some(waiting) => waiting.send(answer).is_ok(),
            None => false,
        }
    }

    /// Gives up on every unanswered server request (their waiters see `None`).
    pub fn drop_pending(&self) {
        self.pending().clear();
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::*;

    /// An output that keeps what each flush wrote, batch by batch.
    #[derive(Clone, Default)]
    struct Batches {
        done: Arc<Mutex<Vec<Vec<u8>>>>,
        pending: Vec<u8>,
    }

    impl AsyncWrite for Batches {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            self.pending.extend_from_slice(buf);
            Poll::Ready(Ok(buf.len()))
        }

        fn poll_flush(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            let batch = std::mem::take(&mut self.pending);
            self.done.lock().unwrap().push(batch);
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    /// Queues `messages` (each an error whose message is the given text) before the writer
    /// runs, then runs it to the end; returns the batches it flushed.
    async fn write_queued(messages: Vec<String>) -> Vec<Vec<u8>> {
        let output = Batches::default();
        let done = output.done.clone();
        let (out, writer) = Outgoing::new(output);
        for message in messages {
            out.error(None, 1, message).await;
        }
        drop(out);
        writer.await;
        let batches = done.lock().unwrap().clone();
        batches
    }

    fn message_of(line: &str) -> String {
        let value: Value = serde_json::from_str(line).unwrap();
        value["error"]["message"].as_str().unwrap().to_owned()
    }

    #[tokio::test]
    async fn queued_lines_go_out_in_order_in_one_write_and_flush() {
        let sent: Vec<String> = (0..OUTGOING_CAPACITY).map(|i| i.to_string()).collect();
        let batches = write_queued(sent.clone()).await;
        assert_eq!(batches.len(), 1, "one flush for the whole queue");
        let text = String::from_utf8(batches[0].clone()).unwrap();
        let received: Vec<String> = text.lines().map(message_of).collect();
        assert_eq!(received, sent);
    }

    #[tokio::test]
    async fn a_batch_stops_growing_past_its_byte_bound() {
        let big = BATCH_BYTES / 3;
        let sent: Vec<String> = (0..8).map(|i| format!("{i}{}", "x".repeat(big))).collect();
        let batches = write_queued(sent.clone()).await;
        assert!(batches.len() > 1, "{} batches", batches.len());
        for batch in &batches {
            assert!(batch.len() < BATCH_BYTES + big + 100, "a batch of {} bytes", batch.len());
        }
        let text = String::from_utf8(batches.concat()).unwrap();
        let received: Vec<String> = text.lines().map(message_of).collect();
        assert_eq!(received, sent);
    }
}
