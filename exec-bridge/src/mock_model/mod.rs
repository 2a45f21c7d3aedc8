//! A scripted model server: an OpenAI Responses-compatible endpoint on loopback that plays a
//! [`Script`] and records every request, so that integrations can be tested without an API key.
//! It speaks Chat Completions too (the same script, streamed as chat chunks), and lists the
//! models it is given as LM Studio and Ollama list theirs, so that it can stand in for either
//! local server.
//!
//! Like the real APIs, it refuses (HTTP 400) a request whose conversation holds a tool call
//! without its output, without using up a script entry.
//!
//! Three ways to use it: [`MockModel::start`] inside an async program, [`MockModel::spawn`] from
//! synchronous tests (it runs on a thread of its own), and `exec-bridge mock-model --script FILE`
//! from a shell.

mod chat;
mod listing;
mod script;
mod server;
mod validation;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use script::{HangAt, Script, ScriptTurn};
pub use server::RecordedRequest;

use server::Shared;

/// A running scripted model server. It stops when dropped.
pub struct MockModel {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    /// Keeps the server alive: a task on the caller's runtime, or a thread with its own.
    _running: Running,
}

enum Running {
    Task(tokio::task::JoinHandle<()>),
    Thread(Option<tokio::sync::oneshot::Sender<()>>),
}

impl Drop for Running {
    fn drop(&mut self) {
        match self {
            Running::Task(task) => task.abort(),
            Running::Thread(stop) => {
                if let Some(stop) = stop.take() {
                    let _ = stop.send(());
                }
            }
        }
    }
}

impl MockModel {
    /// Starts the server on the current tokio runtime, on `127.0.0.1:port` (0 picks a free port).
    pub async fn start(script: Script, port: u16) -> std::io::Result<MockModel> {
        let (listener, addr) = server::bind(port).await?;
        let shared = Arc::new(Mutex::new(Shared::new(&script)));
        let task = tokio::spawn(server::serve(listener, shared.clone()));
        Ok(MockModel { addr, shared, _running: Running::Task(task) })
    }

    /// Starts the server on a thread of its own, for synchronous callers such as tests.
    pub fn spawn(script: Script) -> std::io::Result<MockModel> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let shared = Arc::new(Mutex::new(Shared::new(&script)));
        let thread_shared = shared.clone();
        std::thread::Builder::new().name("mock-model".into()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => return drop(ready_tx.send(Err(e))),
            };
            runtime.block_on(async move {
                match server::bind(0).await {
                    Ok((listener, addr)) => {
                        let _ = ready_tx.send(Ok(addr));
                        tokio::select! {
                            _ = server::serve(listener, thread_shared) => {}
                            _ = stop_rx => {}
                        }
                    }
                    Err(e) => drop(ready_tx.send(Err(e))),
                }
            });
        })?;
        let addr = ready_rx.recv().map_err(|_| std::io::Error::other("the mock model thread died"))??;
        Ok(MockModel { addr, shared, _running: Running::Thread(Some(stop_tx)) })
    }

    /// The base URL to give a client (`OPENAI_BASE_URL`): `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests_after(0)
    }

    /// The requests received after the first `count`, in order.
    pub fn requests_after(&self, count: usize) -> Vec<RecordedRequest> {
        let shared = self.shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        shared.requests.iter().skip(count).map(server::Received::recorded).collect()
    }

    /// The model requests (`POST …/responses` or `POST …/chat/completions`) received so far,
    /// in order.
    pub fn model_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| {
                r.method == "POST"
                    && (r.path.ends_with("/responses") || r.path.ends_with("/chat/completions"))
            })
            .collect()
    }

    /// Sets the models the server lists (`GET …/models`, `GET /api/tags`); none at first.
    pub fn set_models(&self, models: Vec<String>) {
        self.shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner).models = models;
    }
}
