//! `exec-bridge app-server`: the app-server v2 surface, JSON-RPC over stdio (one message per
//! line). The client drives threads and turns; the server streams each turn as notifications
//! and asks the client for approvals. Several threads may run at once; the messages of one item
//! keep their order because every message goes through one writer.

mod listing;
pub mod mapping;
mod outgoing;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use protocol::v2::{
    self, ClientRequest, JsonRpcErrorError as Code, RequestId, ServerNotification, ServerRequest,
};
use serde_json::{json, Value};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite};
use tokio::sync::watch;

use crate::approval::{Approver, Decision, DecisionFuture};
use crate::config::{self, CliSettings, Config};
use crate::items::{Item, TurnEvent};
use crate::model::StreamDelta;
use crate::policy::{self, ApprovalPolicy, Policy, SandboxMode};
use crate::session::{self, Rollout};
use crate::thread::{Thread, ThreadSettings, TurnError, TurnInput};

pub use outgoing::Outgoing;

/// The `originator` header of the app-server, unless `CODEX_INTERNAL_ORIGINATOR_OVERRIDE` is set.
pub const ORIGINATOR: &str = "codex_app_server";

/// Serves JSON-RPC on `input`/`output` until `input` ends; then cancels running turns, waits
/// for them to finish, and returns.
pub async fn run<R, W>(input: R, output: W) -> anyhow::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (out, writer) = Outgoing::new(output);
    let writer = tokio::spawn(writer);
    // Turns run as local tasks: the runtime's event sinks and approvers need not be `Send`.
    let local = tokio::task::LocalSet::new();
    let served = local
        .run_until(async move {
            let mut server =
                Server { out, codex_home: config::codex_home(), threads: HashMap::new(), initialized: false };
            let mut lines = input.lines();
            let read = loop {
                match lines.next_line().await {
                    Ok(Some(line)) if line.trim().is_empty() => {}
                    Ok(Some(line)) => server.handle_line(&line).await,
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e),
                }
            };
            server.shutdown().await;
            read
        })
        .await;
    let _ = writer.await;
    Ok(served?)
}

/// A thread this connection has started or resumed.
struct Loaded {
    thread: tokio::sync::Mutex<Thread>,
    /// The v2 view of the thread (without turns).
    info: v2::Thread,
    /// The turn running now, if any.
    running: Mutex<Option<RunningTurn>>,
}

/// A turn in progress.
struct RunningTurn {
    id: String,
    /// Sending `true` interrupts it.
    cancel: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

struct Server {
    out: Outgoing,
    codex_home: PathBuf,
    threads: HashMap<String, Arc<Loaded>>,
    initialized: bool,
}

/// An error answer for a request.
struct Refusal {
    code: i64,
    message: String,
}

fn invalid_params(message: impl Into<String>) -> Refusal {
    Refusal { code: Code::INVALID_PARAMS, message: message.into() }
}

impl Server {
    async fn handle_line(&mut self, line: &str) {
        let message: Value = match serde_json::from_str(line) {
            Ok(message) => message,
            Err(e) => {
                return self.out.error(
                    None,
                    Code::PARSE_ERROR,
                    format!("parse error: the line is not JSON ({e})"),
                )
            }
        };
        let Some(object) = message.as_object() else {
            return self.out.error(
                None,
                Code::INVALID_REQUEST,
                "invalid request: a message must be a JSON object",
            );
        };
        let id = match object.get("id").map(|id| serde_json::from_value::<RequestId>(id.clone())) {
            None => None,
            Some(Ok(id)) => Some(id),
            Some(Err(_)) => {
                return self.out.error(
                    None,
                    Code::INVALID_REQUEST,
                    "invalid request: `id` must be a string or an integer",
                )
            }
        };
        match (id, object.get("method")) {
            (Some(id), Some(Value::String(method))) => {
                let params = object.get("params").cloned().unwrap_or_else(|| json!({}));
                match self.handle_request(id.clone(), method, params).await {
                    Ok(()) => {}
                    Err(Refusal { code, message }) => self.out.error(Some(id), code, message),
                }
            }
            (None, Some(Value::String(_))) => {} // Client notifications (`initialized`) need no answer.
            (Some(id), None) if object.contains_key("result") || object.contains_key("error") => {
                let answer = match object.get("error") {
                    Some(error) => Err(serde_json::from_value(error.clone()).unwrap_or(Code {
                        code: Code::INTERNAL_ERROR,
                        message: error.to_string(),
                        data: None,
                    })),
                    None => Ok(object["result"].clone()),
                };
                self.out.answer(&id, answer);
            }
            (id, _) => self.out.error(
                id,
                Code::INVALID_REQUEST,
                "invalid request: expected a request (id, method), a notification (method) or a response (id, result|error)",
            ),
        }
    }

    async fn handle_request(&mut self, id: RequestId, method: &str, params: Value) -> Result<(), Refusal> {
        if !ClientRequest::METHODS.contains(&method) {
            return Err(Refusal {
                code: Code::METHOD_NOT_FOUND,
                message: format!("method not found: `{method}`"),
            });
        }
        if !self.initialized && method != "initialize" {
            return Err(Refusal {
                code: Code::INVALID_REQUEST,
                message: "not initialized: send `initialize` first".into(),
            });
        }
        let request: ClientRequest =
            serde_json::from_value(json!({"id": id, "method": method, "params": params}))
                .map_err(|e| invalid_params(format!("invalid params for {method}: {e}")))?;
        match request {
            ClientRequest::Initialize { id, params } => {
                self.initialized = true;
                let user_agent = format!(
                    "{} ({}; {})",
                    crate::model::client::user_agent(&config::originator(ORIGINATOR)),
                    params.client_info.name,
                    params.client_info.version
                );
                self.out.respond(id, v2::InitializeResponse { user_agent });
            }
            ClientRequest::ThreadStart { id, params } => self.thread_start(id, params)?,
            ClientRequest::ThreadResume { id, params } => self.thread_resume(id, params).await?,
            ClientRequest::ThreadList { id, params } => {
                let page =
                    listing::list(&self.codex_home, &params).map_err(|e| invalid_params(e.to_string()))?;
                self.out.respond(id, page);
            }
            ClientRequest::ThreadArchive { id, params } => {
                listing::archive(&self.codex_home, &params.thread_id)
                    .map_err(|e| invalid_params(e.to_string()))?;
                self.out.respond(id, v2::ThreadArchiveResponse {});
            }
            ClientRequest::TurnStart { id, params } => self.turn_start(id, params).await?,
            ClientRequest::TurnInterrupt { id, params } => {
                let loaded = self.loaded(&params.thread_id)?;
                let running = loaded.running.lock().expect("never poisoned");
                match running.as_ref() {
                    Some(turn) if turn.id == params.turn_id => {
                        let _ = turn.cancel.send(true);
                    }
                    _ => {
                        return Err(invalid_params(format!(
                            "turn {} of thread {} is not running",
                            params.turn_id, params.thread_id
                        )))
                    }
                }
                drop(running);
                self.out.respond(id, v2::TurnInterruptResponse {});
            }
            ClientRequest::ModelList { id, params } => self.out.respond(id, listing::models(&params)),
        }
        Ok(())
    }

    fn loaded(&self, thread_id: &str) -> Result<Arc<Loaded>, Refusal> {
        self.threads.get(thread_id).cloned().ok_or_else(|| {
            invalid_params(format!(
                "thread {thread_id} is not loaded: start it with thread/start or load it with thread/resume"
            ))
        })
    }

    fn thread_start(&mut self, id: RequestId, params: v2::ThreadStartParams) -> Result<(), Refusal> {
        let overrides = Overrides {
            model: params.model,
            model_provider: params.model_provider,
            cwd: params.cwd,
            approval_policy: params.approval_policy,
            sandbox: params.sandbox,
            config: params.config,
        };
        let (config, settings) = self.settings(overrides)?;
        let thread = Thread::start(&config, settings, &config::originator(ORIGINATOR))
            .map_err(|e| invalid_params(e.to_string()))?;
        let info = thread_info(&thread, &config, String::new(), now_seconds());
        self.out.respond(id, InForce::of(&thread, &config).started(info.clone()));
        self.out.notify(ServerNotification::ThreadStarted(v2::ThreadStartedNotification {
            thread: info.clone(),
        }));
        self.threads.insert(
            info.id.clone(),
            Arc::new(Loaded { thread: tokio::sync::Mutex::new(thread), info, running: Mutex::new(None) }),
        );
        Ok(())
    }

    async fn thread_resume(&mut self, id: RequestId, params: v2::ThreadResumeParams) -> Result<(), Refusal> {
        if params.history.is_some() {
            return Err(invalid_params("invalid params for thread/resume: `history` is not supported; resume from the session file (threadId or path)"));
        }
        if let Some(loaded) = self.threads.get(&params.thread_id).cloned() {
            let thread = loaded.thread.lock().await;
            let config = self.config_for(&thread)?;
            let mut info = loaded.info.clone();
            info.turns = thread.turns().iter().map(mapping::turn).collect();
            self.out.respond(id, InForce::of(&thread, &config).resumed(info));
            return Ok(());
        }
        let path = match &params.path {
            Some(path) => PathBuf::from(path),
            None => session::find_by_id(&self.codex_home, &params.thread_id)
                .map_err(|e| invalid_params(e.to_string()))?,
        };
        let meta = Rollout::read_meta(&path).map_err(|e| invalid_params(e.to_string()))?;
        let overrides = Overrides {
            model: params.model,
            model_provider: params.model_provider,
            cwd: params.cwd.or(Some(meta.cwd.clone())),
            approval_policy: params.approval_policy,
            sandbox: params.sandbox,
            config: params.config,
        };
        let (config, settings) = self.settings(overrides)?;
        let thread = Thread::resume(&config, settings, &config::originator(ORIGINATOR), &path)
            .map_err(|e| invalid_params(e.to_string()))?;
        let preview = listing::preview(&path).unwrap_or_default();
        let mut info = thread_info(&thread, &config, preview, listing::created_at(&meta));
        info.model_provider = meta.model_provider.clone();
        let mut with_turns = info.clone();
        with_turns.turns = thread.turns().iter().map(mapping::turn).collect();
        self.out.respond(id, InForce::of(&thread, &config).resumed(with_turns));
        self.threads.insert(
            info.id.clone(),
            Arc::new(Loaded { thread: tokio::sync::Mutex::new(thread), info, running: Mutex::new(None) }),
        );
        Ok(())
    }

    async fn turn_start(&mut self, id: RequestId, params: v2::TurnStartParams) -> Result<(), Refusal> {
        let loaded = self.loaded(&params.thread_id)?;
        if loaded.running.lock().expect("never poisoned").is_some() {
            return Err(invalid_params(format!(
                "thread {} is running a turn already; wait for turn/completed or send turn/interrupt",
                params.thread_id
            )));
        }
        let mut input = TurnInput::default();
        for part in params.input {
            match part {
                v2::UserInput::Text { text } => input.texts.push(text),
                v2::UserInput::Image { url } => input.image_urls.push(url),
                v2::UserInput::LocalImage { path } => input.images.push(PathBuf::from(path)),
            }
        }
        let turn_id = {
            let mut thread = loaded.thread.lock().await;
            if let Some(cwd) = params.cwd {
                thread.settings_mut().cwd = PathBuf::from(cwd);
            }
            if let Some(approval) = params.approval_policy {
                thread.settings_mut().policy.approval = approval_from_v2(approval);
            }
            if let Some(sandbox) = params.sandbox_policy {
                let cwd = thread.settings().cwd.clone();
                let (policy, network) = policy_from_v2(&sandbox, &cwd, thread.settings().policy.approval);
                thread.settings_mut().policy = policy;
                thread.settings_mut().network_access = network;
            }
            if let Some(model) = params.model {
                thread.set_model(model);
            }
            if let Some(effort) = params.effort {
                thread.set_reasoning_effort(Some(effort.as_str().to_owned()));
            }
            thread.next_turn_id()
        };
        let turn = v2::Turn { id: turn_id.clone(), items: vec![], status: v2::TurnStatus::InProgress };
        self.out.respond(id, v2::TurnStartResponse { turn: turn.clone() });
        self.out.notify(ServerNotification::TurnStarted(v2::TurnStartedNotification { turn }));

        let (cancel_tx, cancel) = watch::channel(false);
        let out = self.out.clone();
        let task_loaded = loaded.clone();
        let thread_id = params.thread_id.clone();
        let task_turn_id = turn_id.clone();
        let mut running = loaded.running.lock().expect("never poisoned");
        let task = tokio::task::spawn_local(async move {
            let mut thread = task_loaded.thread.lock().await;
            let approver = ClientApprover { out: out.clone(), thread_id, turn_id: task_turn_id.clone() };
            let mut sink = Notifier { out: out.clone() };
            let result = thread.run_turn(input, None, &mut sink, &approver, cancel).await;
            drop(thread);
            let status = match result {
                Ok(_) => v2::TurnStatus::Completed,
                Err(TurnError::Interrupted) => v2::TurnStatus::Interrupted,
                Err(error) => {
                    let error =
                        v2::TurnError { message: error.to_string(), codex_error_info: error_info(&error) };
                    out.notify(ServerNotification::Error(v2::ErrorNotification { error: error.clone() }));
                    v2::TurnStatus::Failed { error }
                }
            };
            task_loaded.running.lock().expect("never poisoned").take();
            let turn = v2::Turn { id: task_turn_id, items: vec![], status };
            out.notify(ServerNotification::TurnCompleted(v2::TurnCompletedNotification { turn }));
        });
        *running = Some(RunningTurn { id: turn_id, cancel: cancel_tx, task });
        Ok(())
    }

    /// Configuration and thread settings from the files plus `overrides`.
    fn settings(&self, overrides: Overrides) -> Result<(Config, ThreadSettings), Refusal> {
        let mut cli = CliSettings {
            model: overrides.model,
            model_provider: overrides.model_provider,
            ..Default::default()
        };
        for (key, value) in overrides.config.unwrap_or_default() {
            let value =
                toml::Value::try_from(&value).map_err(|e| invalid_params(format!("config.{key}: {e}")))?;
            cli.overrides.push(format!("{key}={value}"));
        }
        cli.approval_policy = overrides.approval_policy.map(approval_from_v2);
        cli.sandbox_mode = overrides.sandbox.map(|s| match s {
            v2::SandboxMode::ReadOnly => SandboxMode::ReadOnly,
            v2::SandboxMode::WorkspaceWrite => SandboxMode::WorkspaceWrite,
            v2::SandboxMode::DangerFullAccess => SandboxMode::DangerFullAccess,
        });
        let config = Config::load(&self.codex_home, &cli).map_err(|e| invalid_params(e.to_string()))?;
        let cwd = match overrides.cwd {
            Some(cwd) => {
                std::fs::canonicalize(&cwd).map_err(|e| invalid_params(format!("cwd {cwd}: {e}")))?
            }
            None => std::env::current_dir()
                .map_err(|e| invalid_params(format!("cannot read the current directory: {e}")))?,
        };
        let settings = ThreadSettings {
            policy: config.policy(&cwd, &[]),
            network_access: config.workspace_write.network_access,
            cwd,
        };
        Ok((config, settings))
    }

    /// The configuration a loaded thread was made with, for its responses.
    fn config_for(&self, thread: &Thread) -> Result<Config, Refusal> {
        let cli = CliSettings { model: Some(thread.model().to_owned()), ..Default::default() };
        Config::load(&self.codex_home, &cli).map_err(|e| invalid_params(e.to_string()))
    }

    /// Stops every running turn and waits for each to end.
    async fn shutdown(&mut self) {
        self.out.drop_pending();
        let mut tasks = Vec::new();
        for loaded in self.threads.values() {
            if let Some(turn) = loaded.running.lock().expect("never poisoned").take() {
                let _ = turn.cancel.send(true);
                tasks.push(turn.task);
            }
        }
        for task in tasks {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
        }
    }
}

/// What a request may override of the configuration.
struct Overrides {
    model: Option<String>,
    model_provider: Option<String>,
    cwd: Option<String>,
    approval_policy: Option<v2::AskForApproval>,
    sandbox: Option<v2::SandboxMode>,
    config: Option<std::collections::BTreeMap<String, Value>>,
}

fn now_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn approval_from_v2(approval: v2::AskForApproval) -> ApprovalPolicy {
    match approval {
        v2::AskForApproval::UnlessTrusted => ApprovalPolicy::Untrusted,
        v2::AskForApproval::OnFailure => ApprovalPolicy::OnFailure,
        v2::AskForApproval::OnRequest => ApprovalPolicy::OnRequest,
        v2::AskForApproval::Never => ApprovalPolicy::Never,
    }
}

fn approval_to_v2(approval: ApprovalPolicy) -> v2::AskForApproval {
    match approval {
        ApprovalPolicy::Untrusted => v2::AskForApproval::UnlessTrusted,
        ApprovalPolicy::OnFailure => v2::AskForApproval::OnFailure,
        ApprovalPolicy::OnRequest => v2::AskForApproval::OnRequest,
        ApprovalPolicy::Never => v2::AskForApproval::Never,
    }
}

/// The policy and network access a v2 sandbox policy asks for.
fn policy_from_v2(sandbox: &v2::SandboxPolicy, cwd: &Path, approval: ApprovalPolicy) -> (Policy, bool) {
    match sandbox {
        v2::SandboxPolicy::DangerFullAccess => {
            (Policy { approval, sandbox: SandboxMode::DangerFullAccess, writable_roots: vec![] }, true)
        }
        v2::SandboxPolicy::ReadOnly => {
            (Policy { approval, sandbox: SandboxMode::ReadOnly, writable_roots: vec![] }, false)
        }
        v2::SandboxPolicy::WorkspaceWrite {
            writable_roots,
            network_access,
            exclude_tmpdir_env_var,
            exclude_slash_tmp,
        } => {
            let roots: Vec<PathBuf> = writable_roots.iter().map(PathBuf::from).collect();
            let writable_roots =
                policy::writable_roots(cwd, &[], &roots, *exclude_tmpdir_env_var, *exclude_slash_tmp);
            (Policy { approval, sandbox: SandboxMode::WorkspaceWrite, writable_roots }, *network_access)
        }
    }
}

/// The sandbox in force, in its v2 shape.
fn sandbox_to_v2(settings: &ThreadSettings, config: &Config) -> v2::SandboxPolicy {
    match settings.policy.sandbox {
        SandboxMode::DangerFullAccess => v2::SandboxPolicy::DangerFullAccess,
        SandboxMode::ReadOnly => v2::SandboxPolicy::ReadOnly,
        SandboxMode::WorkspaceWrite => v2::SandboxPolicy::WorkspaceWrite {
            writable_roots: config
                .workspace_write
                .writable_roots
                .iter()
                .map(|r| r.display().to_string())
                .collect(),
            network_access: settings.network_access,
            exclude_tmpdir_env_var: config.workspace_write.exclude_tmpdir_env_var,
            exclude_slash_tmp: config.workspace_write.exclude_slash_tmp,
        },
    }
}

fn thread_info(thread: &Thread, config: &Config, preview: String, created_at: i64) -> v2::Thread {
    v2::Thread {
        id: thread.id().to_owned(),
        preview,
        model_provider: config.provider.id.clone(),
        created_at,
        path: thread.rollout_path().display().to_string(),
        turns: vec![],
    }
}

/// What thread/start and thread/resume answer besides the thread: the settings in force.
struct InForce {
    model: String,
    model_provider: String,
    cwd: String,
    approval_policy: v2::AskForApproval,
    sandbox: v2::SandboxPolicy,
    reasoning_effort: Option<v2::ReasoningEffort>,
}

impl InForce {
    fn of(thread: &Thread, config: &Config) -> InForce {
        let settings = thread.settings();
        InForce {
            model: thread.model().to_owned(),
            model_provider: config.provider.id.clone(),
            cwd: settings.cwd.display().to_string(),
            approval_policy: approval_to_v2(settings.policy.approval),
            sandbox: sandbox_to_v2(settings, config),
            reasoning_effort: thread.reasoning_effort().and_then(|e| serde_json::from_value(json!(e)).ok()),
        }
    }

    fn started(self, thread: v2::Thread) -> v2::ThreadStartResponse {
        let InForce { model, model_provider, cwd, approval_policy, sandbox, reasoning_effort } = self;
        v2::ThreadStartResponse {
            thread,
            model,
            model_provider,
            cwd,
            approval_policy,
            sandbox,
            reasoning_effort,
        }
    }

    fn resumed(self, thread: v2::Thread) -> v2::ThreadResumeResponse {
        let InForce { model, model_provider, cwd, approval_policy, sandbox, reasoning_effort } = self;
        v2::ThreadResumeResponse {
            thread,
            model,
            model_provider,
            cwd,
            approval_policy,
            sandbox,
            reasoning_effort,
        }
    }
}

/// The v2 error class of a failed turn.
fn error_info(error: &TurnError) -> Option<v2::CodexErrorInfo> {
    use crate::model::ModelError;
    match error {
        TurnError::Model(ModelError::RetriesSpent { status, .. }) => {
            Some(v2::CodexErrorInfo::ResponseTooManyFailedAttempts { http_status_code: *status })
        }
        TurnError::Model(ModelError::Rejected { status: 401 | 403, .. }) => {
            Some(v2::CodexErrorInfo::Unauthorized)
        }
        TurnError::Model(ModelError::Rejected { status: 400, .. }) => Some(v2::CodexErrorInfo::BadRequest),
        TurnError::Model(_) => Some(v2::CodexErrorInfo::Other),
        _ => None,
    }
}

/// Turns runtime events into v2 notifications.
struct Notifier {
    out: Outgoing,
}

impl crate::items::EventSink for Notifier {
    fn event(&mut self, event: TurnEvent) {
        let notification = match event {
            TurnEvent::ItemStarted(item) => mapping::item(&item)
                .map(|item| ServerNotification::ItemStarted(v2::ItemStartedNotification { item })),
            TurnEvent::ItemCompleted(item) => mapping::item(&item)
                .map(|item| ServerNotification::ItemCompleted(v2::ItemCompletedNotification { item })),
            // v2 has no notification for an item that changed.
            TurnEvent::ItemUpdated(_) | TurnEvent::Retrying { .. } => None,
            TurnEvent::CommandOutput { item_id, delta } => {
                Some(ServerNotification::CommandExecutionOutputDelta(
                    v2::CommandExecutionOutputDeltaNotification { item_id, delta },
                ))
            }
            TurnEvent::ModelDelta(delta) => delta_notification(delta),
        };
        if let Some(notification) = notification {
            self.out.notify(notification);
        }
    }
}

/// The notification for live model output: a message or reasoning item starts when the model
/// begins it, and its text streams as deltas.
fn delta_notification(delta: StreamDelta) -> Option<ServerNotification> {
    Some(match delta {
        StreamDelta::ItemAdded { item } => {
            let id = item["id"].as_str().unwrap_or_default().to_owned();
            let started = match item["type"].as_str() {
                Some("message") if item["role"] == "assistant" => {
                    v2::ThreadItem::AgentMessage { id, text: String::new() }
                }
                Some("reasoning") => v2::ThreadItem::Reasoning { id, summary: vec![], content: vec![] },
                _ => return None,
            };
            ServerNotification::ItemStarted(v2::ItemStartedNotification { item: started })
        }
        StreamDelta::OutputText { item_id, delta } => {
            ServerNotification::AgentMessageDelta(v2::AgentMessageDeltaNotification { item_id, delta })
        }
        StreamDelta::ReasoningSummaryPartAdded { item_id, summary_index } => {
            ServerNotification::ReasoningSummaryPartAdded(v2::ReasoningSummaryPartAddedNotification {
                item_id,
                summary_index,
            })
        }
        StreamDelta::ReasoningSummaryText { item_id, summary_index, delta } => {
            ServerNotification::ReasoningSummaryTextDelta(v2::ReasoningSummaryTextDeltaNotification {
                item_id,
                delta,
                summary_index,
            })
        }
        StreamDelta::ReasoningText { item_id, content_index, delta } => {
            ServerNotification::ReasoningTextDelta(v2::ReasoningTextDeltaNotification {
                item_id,
                delta,
                content_index,
            })
        }
    })
}

/// Asks the client, over the connection, for each approval of one turn.
struct ClientApprover {
    out: Outgoing,
    thread_id: String,
    turn_id: String,
}

impl ClientApprover {
    /// Reads the client's answer; anything but a clear one declines, and a closed connection
    /// cancels.
    fn decision(answer: Option<outgoing::Answer>) -> Decision {
        let Some(Ok(result)) = answer else {
            return if answer.is_none() { Decision::Cancel } else { Decision::Decline };
        };
        match serde_json::from_value::<v2::CommandExecutionRequestApprovalResponse>(result) {
            Ok(v2::CommandExecutionRequestApprovalResponse {
                decision: v2::ApprovalDecision::Accept,
                accept_settings,
            }) => {
                if accept_settings.is_some_and(|s| s.for_session) {
                    Decision::AcceptForSession
                } else {
                    Decision::Accept
                }
            }
            Ok(v2::CommandExecutionRequestApprovalResponse {
                decision: v2::ApprovalDecision::Decline,
                ..
            }) => Decision::Decline,
            Ok(v2::CommandExecutionRequestApprovalResponse {
                decision: v2::ApprovalDecision::Cancel,
                ..
            }) => Decision::Cancel,
            Err(_) => Decision::Decline,
        }
    }
}

impl Approver for ClientApprover {
    fn approve_command<'a>(&'a self, item: &'a Item, reason: Option<&'a str>) -> DecisionFuture<'a> {
        Box::pin(async move {
            let params = v2::CommandExecutionRequestApprovalParams {
                thread_id: self.thread_id.clone(),
                turn_id: self.turn_id.clone(),
                item_id: item.id.clone(),
                reason: reason.map(str::to_owned),
                risk: None,
            };
            let answer =
                self.out.request(|id| ServerRequest::CommandExecutionRequestApproval { id, params }).await;
            Self::decision(answer)
        })
    }

    fn approve_patch<'a>(&'a self, item: &'a Item, grant_root: Option<&'a PathBuf>) -> DecisionFuture<'a> {
        Box::pin(async move {
            let params = v2::FileChangeRequestApprovalParams {
                thread_id: self.thread_id.clone(),
                turn_id: self.turn_id.clone(),
                item_id: item.id.clone(),
                reason: grant_root.map(|root| {
                    format!("the patch writes outside the writable roots, under {}", root.display())
                }),
                grant_root: grant_root.map(|root| root.display().to_string()),
            };
            let answer = self.out.request(|id| ServerRequest::FileChangeRequestApproval { id, params }).await;
            match Self::decision(answer) {
                // "For the session" means nothing more for a patch than accepting it.
                Decision::AcceptForSession => Decision::Accept,
                other => other,
            }
        })
    }
}
