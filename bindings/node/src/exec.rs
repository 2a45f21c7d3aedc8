//! One `exec` turn in process: [`ExecRun`], what `exec-bridge exec ARGS` does, its `exec` stream
//! handed over as JSON lines instead of printed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::Arc;

use exec_bridge::engine::{Op, ThreadHandle};
use exec_bridge::frontend::exec::jsonl::JsonlStream;
use exec_bridge::frontend::exec::{self, Host, Run, Step};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use protocol::exec::ThreadEvent;
use tokio::sync::Mutex;

/// The most lines one `next` returns.
const MAX_BATCH: usize = 4096;
/// The exit code while the turn runs.
const RUNNING: i32 = -1;

/// One `exec` run: the arguments and input the binary would get.
#[napi(object)]
pub struct ExecOptions {
    /// The arguments of `exec-bridge exec` (for example `["--experimental-json", "--cd",
    /// "/work", "resume", "<id>"]`); read exactly as the binary reads them.
    pub args: Vec<String>,
    /// The prompt when the arguments give none or `-` (standard input, for the binary).
    pub input: Option<String>,
    /// The engine's environment (`CODEX_HOME`, API key, base URL, what commands inherit), as a
    /// spawned binary would get it; default this process's.
    pub env: Option<HashMap<String, String>>,
    /// The `exec-bridge` binary every command runs through (the sandbox helper); default the
    /// one beside the addon.
    pub sandbox_helper: Option<String>,
}

/// A turn under way, as `exec --experimental-json` shows it.
#[napi]
pub struct ExecRun {
    shared: Arc<Shared>,
}

/// What an [`ExecRun`] shares with the engine thread that serves its `next` calls.
struct Shared {
    thread: ThreadHandle,
    /// The run and its stream; `None` once ended or closed.
    state: Mutex<Option<(Run, JsonlStream)>>,
    /// The first line, `thread.started`, until `next` hands it over.
    started: std::sync::Mutex<Option<String>>,
    exit_code: AtomicI32,
    /// How many `next` calls are under way: while any is, `tryNext` takes nothing, so that no
    /// line is handed over twice or out of order.
    pending: AtomicUsize,
}

/// The runtime every `exec` run's engine tasks run on: one thread of its own for the whole
/// process, as the binary has one, so that a turn's steps (the model request, the stream, the
/// events) do not hop between threads.
fn engine_runtime() -> Result<&'static tokio::runtime::Handle> {
    static ENGINE: std::sync::OnceLock<std::result::Result<tokio::runtime::Handle, String>> =
        std::sync::OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the engine's runtime: {e}"))?;
            let handle = runtime.handle().clone();
            std::thread::Builder::new()
                .name("agentwire engine".into())
                .spawn(move || runtime.block_on(std::future::pending::<()>()))
                .map_err(|e| format!("cannot start the engine's thread: {e}"))?;
            Ok(handle)
        })
        .as_ref()
        .map_err(|e| Error::from_reason(e.clone()))
}

/// Starts the run `options` describe: reads the arguments, loads the configuration, starts or
/// resumes the thread and submits the turn, before it returns. Throws the message the binary
/// would print, with the exit code it would then exit with as the error's `code`: `EXIT_2`
/// for a bad flag, configuration or session id, `EXIT_1` where the reference exits with 1 (a
/// directory that is not trusted, no usable local model server for `--oss`).
#[napi]
pub fn start_exec(options: ExecOptions) -> Result<ExecRun, String> {
    let usage = |error: Error| Error::new("EXIT_2".to_owned(), error.reason.clone());
    let args = exec::parse_args(options.args)
        .map_err(|e| Error::new("EXIT_2".to_owned(), e.render().to_string()))?;
    let host = Host {
        vars: crate::host::vars(options.env),
        sandbox_helper: crate::host::sandbox_helper(options.sandbox_helper).map_err(usage)?,
        input: options.input,
    };
    let engine = engine_runtime().map_err(usage)?;
    // Settled on this thread: the engine's thread drives the I/O (only `--oss` waits on any,
    // asking the local servers).
    let run = engine
        .block_on(Run::start(&args, host))
        .map_err(|e| Error::new(format!("EXIT_{}", exec::exit_code_of(&e)), format!("{e:#}")))?;
    // As the binary does: on the embedder's standard error.
    exec_bridge::frontend::print_warnings("exec-bridge", &run.config);
    if let Some(notice) = &run.notice {
        eprintln!("{notice}");
    }
    let started = line(&JsonlStream::started(&run.thread.snapshot())).map_err(usage)?;
    let shared = Shared {
        thread: run.thread.clone(),
        state: Mutex::new(Some((run, JsonlStream::default()))),
        started: std::sync::Mutex::new(Some(started)),
        exit_code: AtomicI32::new(RUNNING),
        pending: AtomicUsize::new(0),
    };
    Ok(ExecRun { shared: Arc::new(shared) })
}

#[napi]
impl ExecRun {
    /// The thread's id (the `thread_id` of `thread.started`).
    #[napi(getter)]
    pub fn thread_id(&self) -> String {
        self.shared.thread.id().to_owned()
    }

    /// What the binary's exit code is once the turn has ended: 0 when it completed, 1 when it
    /// failed or was cancelled; `null` while it runs.
    #[napi(getter)]
    pub fn exit_code(&self) -> Option<i32> {
        Some(self.shared.exit_code.load(Ordering::Relaxed)).filter(|code| *code != RUNNING)
    }

    /// The next lines of the `exec` stream: at least one (waiting for it), and whatever else is
    /// ready, in order; `null` after the last (`turn.completed` or `turn.failed`). Until it is
    /// called, the turn waits once a few events are pending. The wait runs on the engine's
    /// thread, which settles the promise as soon as the lines are there (no other thread in
    /// between).
    #[napi(ts_return_type = "Promise<Array<string> | null>")]
    pub fn next<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        use futures_util::FutureExt;
        let (deferred, promise) = env.create_deferred()?;
        let shared = self.shared.clone();
        let engine = engine_runtime()?;
        shared.pending.fetch_add(1, Ordering::SeqCst);
        engine.spawn(async move {
            // A panic in the engine's step code rejects the promise instead of leaving it (and
            // Node's event loop) waiting forever.
            let outcome = std::panic::AssertUnwindSafe(shared.next()).catch_unwind().await;
            shared.pending.fetch_sub(1, Ordering::SeqCst);
            match outcome {
                Ok(Ok(batch)) => deferred.resolve(move |_| Ok(batch)),
                Ok(Err(error)) => deferred.reject(error),
                Err(_) => {
                    deferred.reject(Error::from_reason("the engine failed while reading the turn's events"))
                }
            }
        });
        Ok(promise)
    }

    /// The lines that are ready now, without waiting: an empty array when none is (or a `next`
    /// is pending), `null` after the last. Saves a wait when lines are there already.
    #[napi]
    pub fn try_next(&self) -> Result<Option<Vec<String>>> {
        self.shared.try_next()
    }

    /// Cancels the turn, as SIGINT does to the binary: the running command's process group is
    /// killed and the turn ends as `turn.failed`.
    #[napi]
    pub fn cancel(&self) {
        // A thread already shut down has nothing left to cancel.
        let _ = self.shared.thread.submit(Op::Interrupt);
    }

    /// Stops the run and lets go of what it has not handed over: the turn is cancelled, the
    /// thread shut down, and `next` returns `null`.
    #[napi]
    pub fn close(&self) {
        self.shared.close();
    }
}

impl Drop for ExecRun {
    /// A run dropped unread (garbage-collected) stops its turn: no command keeps running for
    /// nobody.
    fn drop(&mut self) {
        let _ = self.shared.thread.submit(Op::Shutdown);
    }
}

impl Shared {
    async fn next(&self) -> Result<Option<Vec<String>>> {
        let mut state = self.state.lock().await;
        let mut batch: Vec<String> = self.taken_started().into_iter().collect();
        let Some((run, stream)) = state.as_mut() else { return Ok(finish(batch)) };
        let mut ended = false;
        // Wait for a line: an event the stream does not show (a delta) gives none.
        while batch.is_empty() && !ended {
            match run.next().await {
                Some(step) => ended = self.push(&mut batch, stream, step)?,
                None => ended = true,
            }
        }
        if ended || self.drain(&mut batch, run, stream)? {
            *state = None;
        }
        Ok(finish(batch))
    }

    fn try_next(&self) -> Result<Option<Vec<String>>> {
        if self.pending.load(Ordering::SeqCst) > 0 {
            return Ok(Some(Vec::new()));
        }
        let Ok(mut state) = self.state.try_lock() else { return Ok(Some(Vec::new())) };
        let mut batch: Vec<String> = self.taken_started().into_iter().collect();
        let Some((run, stream)) = state.as_mut() else { return Ok(finish(batch)) };
        if self.drain(&mut batch, run, stream)? {
            *state = None;
        }
        Ok(Some(batch))
    }

    fn close(&self) {
        let _ = self.thread.submit(Op::Shutdown);
        self.started.lock().map(|mut s| s.take()).ok();
        // A pending `next` holds the state; it is reading, so nothing waits on it.
        if let Ok(mut state) = self.state.try_lock() {
            *state = None;
        }
    }

    /// Adds the lines of the steps ready now to `batch`, up to [`MAX_BATCH`]; whether the end
    /// was among them.
    fn drain(&self, batch: &mut Vec<String>, run: &mut Run, stream: &mut JsonlStream) -> Result<bool> {
        while batch.len() < MAX_BATCH {
            let Some(step) = run.try_next() else { break };
            if self.push(batch, stream, step)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn taken_started(&self) -> Option<String> {
        self.started.lock().ok().and_then(|mut started| started.take())
    }

    /// Adds what `step` shows to `batch`; whether it was the end.
    fn push(&self, batch: &mut Vec<String>, stream: &mut JsonlStream, step: Step) -> Result<bool> {
        match step {
            Step::Event(event) => {
                if let Some(event) = stream.event(&event) {
                    batch.push(line(&event)?);
                }
                Ok(false)
            }
            Step::End(result) => {
                for event in JsonlStream::end(&result) {
                    batch.push(line(&event)?);
                }
                self.exit_code.store(if result.is_ok() { 0 } else { 1 }, Ordering::Relaxed);
                Ok(true)
            }
        }
    }
}

/// `null` for an empty batch (the stream has ended), else the batch.
fn finish(batch: Vec<String>) -> Option<Vec<String>> {
    Some(batch).filter(|b| !b.is_empty())
}

fn line(event: &ThreadEvent) -> Result<String> {
    serde_json::to_string(event)
        .map_err(|e| Error::from_reason(format!("an event could not be written: {e}")))
}
