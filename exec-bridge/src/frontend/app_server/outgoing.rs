//! Everything the server sends goes through one [`Outgoing`]: a single writer keeps each
//! message on its own line and in send order, and server-to-client requests (approvals) are
//! matched with the client's answers by id.
//!
//! The queue to the writer holds at most [`OUTGOING_CAPACITY`] messages: while a client does
//! not read, sending waits, so a thread's forwarder, and through the thread's bounded event
//! channel its turn, slows down instead of piling messages up.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use protocol::v2::{
    JsonRpcError, JsonRpcErrorError, JsonRpcResponse, RequestId, ServerNotification, ServerRequest,
};
use serde::Serialize;
use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

/// The client's answer to a server request: its `result`, or its `error`.
pub type Answer = Result<Value, JsonRpcErrorError>;

/// How many messages may wait for the writer.
pub const OUTGOING_CAPACITY: usize = 256;

/// A handle for sending; cheap to clone.
#[derive(Clone)]
pub struct Outgoing {
    lines: mpsc::Sender<String>,
    next_id: Arc<AtomicI64>,
    pending: Arc<Mutex<HashMap<RequestId, oneshot::Sender<Answer>>>>,
}

impl Outgoing {
    /// A sender, and the task body that writes its lines to `output` until every sender is gone.
    pub fn new<W: AsyncWrite + Unpin + Send + 'static>(
        mut output: W,
    ) -> (Outgoing, impl std::future::Future<Output = ()>) {
        let (lines, mut rx) = mpsc::channel::<String>(OUTGOING_CAPACITY);
        let writer = async move {
            while let Some(line) = rx.recv().await {
                if output.write_all(line.as_bytes()).await.is_err() || output.flush().await.is_err() {
                    break;
                }
            }
        };
        let outgoing = Outgoing { lines, next_id: Arc::new(AtomicI64::new(0)), pending: Arc::default() };
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

    /// Sends a notification.
    pub async fn notify(&self, notification: ServerNotification) {
        self.send(&notification).await;
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
