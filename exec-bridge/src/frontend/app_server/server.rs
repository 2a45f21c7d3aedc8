//! The app-server's state and its requests: one method per request, each returning its typed
//! response or a JSON-RPC error. Every handler returns at once: a thread's work happens in its
//! engine task, and its events reach the client through [`super::forward`].

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use protocol::v2::{self, ClientRequest, JsonRpcErrorError as RpcError, ServerNotification};
use serde::Serialize;
use serde_json::Value;

use super::convert::{self, InForce};
use super::outgoing::Outgoing;
use super::Options;
use super::{account, errors, forward, listing, mapping, models, review, user_shell};
use crate::engine::config::{self, CliSettings, Config};
use crate::engine::session::{self, Rollout};
use crate::engine::{
    self, InputPart, Op, ThreadHandle, ThreadSettings, ThreadSpec, TurnOverrides, UserMessage, UserTurn,
};

/// The `originator` header of the app-server, unless `CODEX_INTERNAL_ORIGINATOR_OVERRIDE` is set.
pub const ORIGINATOR: &str = "codex_app_server";

/// The most `execOneOffCommand`s that run at once on one connection.
const MAX_ONE_OFFS: usize = 16;

/// A thread this connection started or resumed.
struct Loaded {
    handle: ThreadHandle,
    /// The v2 view of the thread (without turns).
    info: v2::Thread,
    /// Forwards the thread's events; ends when the thread's task does.
    forwarder: tokio::task::JoinHandle<()>,
}

/// One connection's state.
pub struct Server {
    out: Outgoing,
    options: Options,
    threads: HashMap<String, Loaded>,
    initialized: bool,
    /// Notifications to send right after the current response.
    after_response: Vec<ServerNotification>,
    /// A thread just started or resumed, taken in once its answer is out.
    loading: Option<(ThreadHandle, crate::engine::ThreadEvents, v2::Thread)>,
    /// The running `execOneOffCommand`s, each answering when its command ends.
    one_offs: tokio::task::JoinSet<()>,
}

type Reply = Result<Value, RpcError>;

fn reply<T: Serialize>(result: Result<T, RpcError>) -> Reply {
    result.and_then(|response| {
        serde_json::to_value(response)
            .map_err(|e| RpcError::internal_error(format!("cannot write the response: {e}")))
    })
}

impl Server {
    /// A server that writes through `out`.
    pub fn new(out: Outgoing, options: Options) -> Server {
        Server {
            out,
            options,
            threads: HashMap::new(),
            initialized: false,
            after_response: Vec::new(),
            loading: None,
            one_offs: tokio::task::JoinSet::new(),
        }
    }

    /// Answers `request`, then sends what the answer announces (each waiting while the
    /// outgoing queue is full).
    pub async fn handle(&mut self, request: ClientRequest) {
        let id = request.id().clone();
        // A one-off command answers when it ends, from a task of its own.
        if let (true, ClientRequest::ExecOneOffCommand { params, .. }) = (self.initialized, &request) {
            let running = self.one_offs.len();
            let checked = if running >= MAX_ONE_OFFS {
                Err(RpcError::invalid_request(format!(
                    "{running} one-off commands are running already, the most allowed; wait for one to end"
                )))
            } else {
                self.one_off(params.clone())
            };
            match checked {
                Ok(command) => {
                    let out = self.out.clone();
                    self.one_offs.spawn(async move { out.respond(id, command.run().await).await });
                }
                Err(error) => self.out.error(Some(id), error.code, error.message).await,
            }
            while self.one_offs.try_join_next().is_some() {}
            return;
        }
        match self.dispatch(request) {
            Ok(result) => self.out.respond(id, result).await,
            Err(error) => self.out.error(Some(id), error.code, error.message).await,
        }
        for notification in std::mem::take(&mut self.after_response) {
            self.out.notify(notification).await;
        }
        self.finish_loading().await;
    }

    /// The table: each method to its handler.
    fn dispatch(&mut self, request: ClientRequest) -> Reply {
        use ClientRequest as R;
        if !self.initialized && !matches!(request, R::Initialize { .. }) {
            return Err(RpcError::invalid_request("not initialized: send `initialize` first"));
        }
        match request {
            R::Initialize { params, .. } => reply(Ok(self.initialize(params))),
            R::ThreadStart { params, .. } => reply(self.thread_start(params)),
            R::ThreadResume { params, .. } => reply(self.thread_resume(params)),
            R::ThreadArchive { params, .. } => reply(self.thread_archive(params)),
            R::ThreadCompact { params, .. } => {
                // The compaction's turn reaches the client through the forwarder, after this
                // answer (as a turn's does).
                let thread = self.thread(&params.thread_id)?;
                thread.compact().map_err(errors::from_submit)?;
                reply(Ok(v2::ThreadCompactResponse {}))
            }
            R::ThreadList { params, .. } => reply(self.thread_list(params)),
            R::TurnStart { params, .. } => reply(self.turn_start(params)),
            R::TurnInterrupt { params, .. } => reply(self.turn_interrupt(params)),
            R::ModelList { params, .. } => reply(models::list(&params)),
            R::ThreadShellCommand { params, .. } => {
                let thread = self.thread(&params.thread_id)?;
                reply(user_shell::thread_shell_command(&thread, params))
            }
            R::ExecOneOffCommand { .. } => {
                Err(RpcError::internal_error("execOneOffCommand is answered by its own task"))
            }
            R::FeedbackUpload { params, .. } => reply(user_shell::feedback_upload(&params)),
            R::ReviewStart { params, .. } => {
                let thread = self.threads.get(&params.thread_id).map(|loaded| loaded.handle.clone());
                reply(review::start(thread, params))
            }
            R::AccountRead { params, .. } => {
                reply(account::read(&self.options, &params).map_err(RpcError::from))
            }
            R::AccountLoginStart { params, .. } => {
                let started = account::login_start(&self.options, params);
                reply(self.announce(started))
            }
            R::AccountLoginCancel { params, .. } => {
                reply(account::login_cancel(&params).map_err(RpcError::from))
            }
            R::AccountLogout { .. } => {
                let done = account::logout(&self.options);
                reply(self.announce(done))
            }
            R::AccountRateLimitsRead { .. } => {
                reply(account::rate_limits(&self.options).map_err(RpcError::from))
            }
        }
    }

    /// The checked one-off command of `params`, under the configuration's sandbox unless the
    /// request names one.
    fn one_off(&self, params: v2::ExecOneOffCommandParams) -> Result<user_shell::OneOffCommand, RpcError> {
        let spec = self.spec(Overrides {
            model: None,
            model_provider: None,
            cwd: params.cwd.clone(),
            approval_policy: None,
            sandbox: None,
            config: None,
        })?;
        user_shell::one_off_command(params, spec)
    }

    /// The response of an account change; its notifications go out right after it.
    fn announce<T>(
        &mut self,
        result: Result<account::Announced<T>, account::AccountError>,
    ) -> Result<T, RpcError> {
        let (response, notifications) = result?;
        self.after_response.extend(notifications);
        Ok(response)
    }

    fn initialize(&mut self, params: v2::InitializeParams) -> v2::InitializeResponse {
        self.initialized = true;
        self.out.set_capabilities(params.capabilities.unwrap_or_default());
        let user_agent = format!(
            "{} ({}; {})",
            crate::engine::model::client::user_agent(&config::originator(ORIGINATOR, &self.options.vars)),
            params.client_info.name,
            params.client_info.version
        );
        v2::InitializeResponse { user_agent }
    }

    fn thread_start(&mut self, params: v2::ThreadStartParams) -> Result<v2::ThreadStartResponse, RpcError> {
        let v2::ThreadStartParams { model, model_provider, cwd, approval_policy, sandbox, config, .. } =
            params;
        let spec = self.spec(Overrides { model, model_provider, cwd, approval_policy, sandbox, config })?;
        let (handle, events) = engine::start_thread(spec).map_err(errors::from_start)?;
        let thread = handle.snapshot();
        let info = v2::Thread {
            id: thread.id.clone(),
            preview: String::new(),
            model_provider: thread.model_provider.clone(),
            created_at: time::OffsetDateTime::now_utc().unix_timestamp(),
            path: thread.rollout_path.display().to_string(),
            turns: vec![],
        };
        self.after_response
            .push(ServerNotification::ThreadStarted(v2::ThreadStartedNotification { thread: info.clone() }));
        self.load(handle, events, info.clone());
        Ok(InForce::of(&thread).started(info))
    }

    fn thread_resume(
        &mut self,
        params: v2::ThreadResumeParams,
    ) -> Result<v2::ThreadResumeResponse, RpcError> {
        if params.history.is_some() {
            return Err(RpcError::invalid_params("invalid params for thread/resume: `history` is not supported; resume from the session file (threadId or path)"));
        }
        // A loaded thread answers from its snapshot, even while a turn runs.
        if let Some(loaded) = self.threads.get(&params.thread_id) {
            let thread = loaded.handle.snapshot();
            let preview = listing::preview(&thread.rollout_path).unwrap_or_default();
            let info = v2::Thread { preview, turns: mapping::turns(&thread), ..loaded.info.clone() };
            return Ok(InForce::of(&thread).resumed(info));
        }
        let path = match &params.path {
            Some(path) => {
                session::resumable(&self.options.codex_home, std::path::Path::new(path)).map_err(|e| {
                    RpcError::invalid_params(format!("invalid params for thread/resume: `path`: {e}"))
                })?
            }
            None => session::find_by_id(&self.options.codex_home, &params.thread_id)
                .map_err(errors::from_rollout)?,
        };
        let meta = Rollout::read_meta(&path).map_err(errors::from_rollout)?;
        let v2::ThreadResumeParams { model, model_provider, cwd, approval_policy, sandbox, config, .. } =
            params;
        let cwd = cwd.or(Some(meta.cwd.clone()));
        let spec = self.spec(Overrides { model, model_provider, cwd, approval_policy, sandbox, config })?;
        let (handle, events) = engine::resume_thread(spec, &path).map_err(errors::from_start)?;
        let thread = handle.snapshot();
        let info = v2::Thread {
            id: thread.id.clone(),
            preview: listing::preview(&path).unwrap_or_default(),
            model_provider: meta.model_provider.clone(),
            created_at: listing::created_at(&meta),
            path: path.display().to_string(),
            turns: vec![],
        };
        self.load(handle, events, info.clone());
        Ok(InForce::of(&thread).resumed(v2::Thread { turns: mapping::turns(&thread), ..info }))
    }

    /// Without `modelProviders`, as Codex: the threads of the configured provider; `[]` lists
    /// every provider's.
    fn thread_list(&self, params: v2::ThreadListParams) -> Result<v2::ThreadListResponse, RpcError> {
        let providers = match &params.model_providers {
            Some(providers) => providers.clone(),
            None => {
                let options = &self.options;
                let config = Config::load_without_credentials(
                    &options.codex_home,
                    &CliSettings::default(),
                    &options.vars,
                )
                .map_err(errors::from_config)?;
                vec![config.provider.id]
            }
        };
        listing::list(&self.options.codex_home, &params, &providers).map_err(errors::from_rollout)
    }

    fn thread_archive(
        &mut self,
        params: v2::ThreadArchiveParams,
    ) -> Result<v2::ThreadArchiveResponse, RpcError> {
        listing::archive(&self.options.codex_home, &params.thread_id).map_err(errors::from_rollout)?;
        Ok(v2::ThreadArchiveResponse {})
    }

    fn turn_start(&mut self, params: v2::TurnStartParams) -> Result<v2::TurnStartResponse, RpcError> {
        let thread = self.thread(&params.thread_id)?;
        let content = params.input.into_iter().map(|part| match part {
            v2::UserInput::Text { text } => InputPart::Text { text },
            v2::UserInput::Image { url } => InputPart::Image { url },
            v2::UserInput::LocalImage { path } => InputPart::LocalImage { path: PathBuf::from(path) },
        });
        let input = UserMessage { content: content.collect() };
        let overrides = TurnOverrides {
            cwd: params.cwd.map(PathBuf::from),
            approval: params.approval_policy.map(convert::approval_from_v2),
            sandbox: params.sandbox_policy.map(convert::sandbox_from_v2),
            model: params.model,
            effort: params.effort,
        };
        // The turn's events reach the client through the forwarder, after this answer: this
        // server runs on one thread, and the answer is queued before it yields (or, when the
        // queue is full, waits first in line for room: the queue's waiters are served in order).
        let turn_id = thread
            .start_turn(UserTurn { input, overrides, output_schema: None })
            .map_err(errors::from_submit)?;
        Ok(v2::TurnStartResponse {
            turn: v2::Turn { id: turn_id, items: vec![], status: v2::TurnStatus::InProgress },
        })
    }

    fn turn_interrupt(
        &mut self,
        params: v2::TurnInterruptParams,
    ) -> Result<v2::TurnInterruptResponse, RpcError> {
        let thread = self.thread(&params.thread_id)?;
        if thread.snapshot().running.as_deref() != Some(params.turn_id.as_str()) {
            return Err(RpcError::invalid_params(format!(
                "turn {} of thread {} is not running",
                params.turn_id, params.thread_id
            )));
        }
        thread.submit(Op::Interrupt).map_err(errors::from_submit)?;
        Ok(v2::TurnInterruptResponse {})
    }

    fn thread(&self, thread_id: &str) -> Result<ThreadHandle, RpcError> {
        self.threads.get(thread_id).map(|loaded| loaded.handle.clone()).ok_or_else(|| {
            RpcError::invalid_params(format!(
                "thread {thread_id} is not loaded: start it with thread/start or load it with thread/resume"
            ))
        })
    }

    fn load(&mut self, handle: ThreadHandle, events: crate::engine::ThreadEvents, info: v2::Thread) {
        self.loading = Some((handle, events, info));
    }

    /// Takes in the thread [`Server::load`] got, once its answer and `thread/started` are out:
    /// its MCP servers' start is sent first (see [`forward::start`]).
    async fn finish_loading(&mut self) {
        let Some((handle, events, info)) = self.loading.take() else { return };
        let forwarder = forward::start(events, handle.clone(), self.out.clone()).await;
        self.threads.insert(info.id.clone(), Loaded { handle, info, forwarder });
    }

    /// The thread spec from the configuration files plus `overrides`.
    fn spec(&self, overrides: Overrides) -> Result<ThreadSpec, RpcError> {
        let mut cli = CliSettings {
            model: overrides.model,
            model_provider: overrides.model_provider,
            ..Default::default()
        };
        for (key, value) in overrides.config.unwrap_or_default() {
            let value = toml::Value::try_from(&value)
                .map_err(|e| RpcError::invalid_params(format!("config.{key}: {e}")))?;
            cli.overrides.push(format!("{key}={value}"));
        }
        cli.approval_policy = overrides.approval_policy.map(convert::approval_from_v2);
        cli.sandbox_mode = overrides.sandbox.map(convert::sandbox_mode_from_v2);
        let config =
            Config::load(&self.options.codex_home, &cli, &self.options.vars).map_err(errors::from_config)?;
        // The app-server's log is its standard error.
        crate::frontend::print_warnings_once("exec-bridge app-server", &config);
        let cwd = match overrides.cwd {
            Some(cwd) => std::fs::canonicalize(&cwd)
                .map_err(|e| RpcError::invalid_params(format!("cwd {cwd}: {e}")))?,
            None => std::env::current_dir()
                .map_err(|e| RpcError::internal_error(format!("cannot read the current directory: {e}")))?,
        };
        let settings = ThreadSettings {
            policy: config.policy(&cwd, &[]),
            network_access: config.workspace_write.network_access,
            cwd,
        };
        Ok(ThreadSpec {
            config,
            settings,
            originator: config::originator(ORIGINATOR, &self.options.vars),
            sandbox_helper: self.options.sandbox_helper.clone(),
        })
    }

    /// Stops every thread and waits, until `deadline`, for each to end; a forwarder still
    /// running then (its client does not read) is stopped, which lets its thread end.
    pub async fn shutdown(self, deadline: tokio::time::Instant) {
        self.out.drop_pending();
        // A one-off command still running is killed with its task.
        drop(self.one_offs);
        for loaded in self.threads.values() {
            let _ = loaded.handle.submit(Op::Shutdown);
        }
        for mut loaded in self.threads.into_values() {
            if tokio::time::timeout_at(deadline, &mut loaded.forwarder).await.is_err() {
                loaded.forwarder.abort();
            }
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
    config: Option<BTreeMap<String, Value>>,
}
